/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-imaging-link"

#include "config.h"

#include "cab-imaging-link.h"

#define TEMPLATE "https://drimbox.example/viewer?studyUID={study_uid}&ins={ins}&family={family}" \
                 "&given={given}&birthdate={birth_date}&sex={sex}"

static CabPatient *
patient_new (const char *status)
{
  CabPatient *p = g_new0 (CabPatient, 1);

  p->ins = g_strdup ("254037511234567");
  p->identity_status = g_strdup (status);
  p->family = g_strdup ("Le Goff");
  p->birth_name = g_strdup ("Hénaff");
  p->given = g_strdup ("Hélène Marie");
  p->sex = g_strdup ("female");
  p->birth_date = g_strdup ("1954-03-12");
  return p;
}

static void
test_qualified (void)
{
  CabPatient *p = patient_new ("QUAL");
  g_autofree char *url = cab_imaging_link_build (TEMPLATE, "1.2.250.1.59.3.1.42", p);

  g_assert_cmpstr (url, ==,
                   "https://drimbox.example/viewer?studyUID=1.2.250.1.59.3.1.42&ins=254037511234567"
                   "&family=H%C3%A9naff&given=H%C3%A9l%C3%A8ne%20Marie&birthdate=1954-03-12&sex=female");
  cab_patient_free (p);
}

/* The INS travels only with a qualified identity; the other traits do. */
static void
test_provisional (void)
{
  CabPatient *p = patient_new ("PROV");
  g_autofree char *url = cab_imaging_link_build (TEMPLATE, "1.2.3", p);

  g_assert_nonnull (strstr (url, "&ins=&"));
  g_assert_null (strstr (url, "254037511234567"));
  g_assert_nonnull (strstr (url, "family=H%C3%A9naff"));
  cab_patient_free (p);
}

/* Reserved characters never break out of their parameter. */
static void
test_escaping (void)
{
  CabPatient *p = patient_new ("QUAL");
  g_autofree char *url = NULL;

  g_free (p->birth_name);
  p->birth_name = NULL;
  g_free (p->family);
  p->family = g_strdup ("D'Arc & Co#1/2?x=y");
  url = cab_imaging_link_build ("v?f={family}&s={study_uid}", "1.2 3", p);
  g_assert_cmpstr (url, ==, "v?f=D%27Arc%20%26%20Co%231%2F2%3Fx%3Dy&s=1.2%203");
  cab_patient_free (p);
}

static void
test_edge_cases (void)
{
  CabPatient *p = patient_new ("QUAL");
  g_autofree char *unknown = cab_imaging_link_build ("x/{study_uid}/{other}/{unclosed", "9", p);
  g_autofree char *no_patient = cab_imaging_link_build ("x?s={study_uid}&i={ins}", "9", NULL);

  g_assert_cmpstr (unknown, ==, "x/9/{other}/{unclosed");
  g_assert_cmpstr (no_patient, ==, "x?s=9&i=");
  g_assert_null (cab_imaging_link_build ("x", NULL, p));
  g_assert_null (cab_imaging_link_build ("x", "", p));
  g_assert_null (cab_imaging_link_build ("", "9", p));
  g_assert_null (cab_imaging_link_build (NULL, "9", p));
  cab_patient_free (p);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/imaging-link/qualified", test_qualified);
  g_test_add_func ("/imaging-link/provisional", test_provisional);
  g_test_add_func ("/imaging-link/escaping", test_escaping);
  g_test_add_func ("/imaging-link/edge-cases", test_edge_cases);

  return g_test_run ();
}
