/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test"

/* The mail reading path end to end on the sandbox's MSSanté messages
 * (tests/sandbox/sandbox-mail.c): MIME -> IHE_XDM.zip -> METADATA.XML ->
 * patient matching against the same synthetic practice. What the generator
 * meant each message to be ("truth") is checked against what the reader
 * and the matcher make of it; the measure is no message ever matched
 * automatically to the wrong patient. */

#include "cab-mail-match.h"
#include "cab-mime.h"
#include "cab-xdm.h"
#include "sandbox-gen.h"
#include "sandbox-mail.h"

#include <string.h>

#define SEED       7
#define N_PATIENTS 60
#define N_MESSAGES 48
#define TODAY      "2025-06-30"

typedef struct
{
  GPtrArray *patients;  /* CabMatchPatient*, strings owned by @strings */
  GPtrArray *strings;
  GPtrArray *raws;      /* GBytes* */
  GPtrArray *truths;    /* JsonObject* */
} Fixture;

static Fixture fx;

static const char *
keep (const char *s)
{
  if (s == NULL)
    return NULL;
  g_ptr_array_add (fx.strings, g_strdup (s));
  return g_ptr_array_index (fx.strings, fx.strings->len - 1);
}

static const char *
string_member (JsonObject *o, const char *name)
{
  return o != NULL && json_object_has_member (o, name) ? json_object_get_string_member (o, name) : NULL;
}

/* The practice's patients as the store would hold them. */
static void
collect_patient (const char *type, const char *id, const char *patient_id,
                 JsonObject *resource, JsonObject *recipe, gpointer user_data)
{
  CabMatchPatient *p;
  JsonArray *array;

  /* The store holds the patients the practice manages (what sync pulls). */
  if (!g_str_equal (type, "Patient") || !json_object_has_member (resource, "managingOrganization"))
    return;
  p = g_new0 (CabMatchPatient, 1);
  p->id = keep (id);
  array = json_object_get_array_member (resource, "identifier");
  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      JsonObject *ident = json_array_get_object_element (array, i);
      if (g_strcmp0 (string_member (ident, "system"), "urn:oid:1.2.250.1.213.1.4.8") == 0)
        p->ins = keep (string_member (ident, "value"));
    }
  array = json_object_get_array_member (resource, "extension");
  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      JsonObject *ext = json_array_get_object_element (array, i);
      JsonArray *subs = json_object_has_member (ext, "extension") ? json_object_get_array_member (ext, "extension") : NULL;

      for (guint j = 0; subs && j < json_array_get_length (subs); j++)
        {
          JsonObject *sub = json_array_get_object_element (subs, j);
          if (g_strcmp0 (string_member (sub, "url"), "identityStatus") == 0)
            p->qualified = g_strcmp0 (string_member (json_object_get_object_member (sub, "valueCoding"), "code"), "QUAL") == 0;
        }
    }
  array = json_object_get_array_member (resource, "name");
  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      JsonObject *name = json_array_get_object_element (array, i);
      const char *use = string_member (name, "use");

      if (g_strcmp0 (use, "official") == 0)
        {
          p->birth_family = keep (string_member (name, "family"));
          p->given = keep (json_array_get_string_element (json_object_get_array_member (name, "given"), 0));
        }
      else if (g_strcmp0 (use, "usual") == 0)
        p->usage_family = keep (string_member (name, "family"));
    }
  p->birth_date = keep (string_member (resource, "birthDate"));
  p->sex = g_strcmp0 (string_member (resource, "gender"), "female") == 0 ? 'F' : 'M';
  g_ptr_array_add (fx.patients, p);
}

static void
collect_message (guint index, GBytes *raw, JsonObject *truth, gpointer user_data)
{
  g_ptr_array_add (fx.raws, g_bytes_ref (raw));
  g_ptr_array_add (fx.truths, json_object_ref (truth));
}

static void
setup (void)
{
  SandboxGenOptions gen = { SEED, N_PATIENTS, 5, TODAY };
  SandboxMailOptions mail = { SEED, N_PATIENTS, 5, TODAY, N_MESSAGES, "alice@cabinet.test" };
  g_autoptr(GError) error = NULL;

  fx.patients = g_ptr_array_new_with_free_func (g_free);
  fx.strings = g_ptr_array_new_with_free_func (g_free);
  fx.raws = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  fx.truths = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  sandbox_gen_practice (&gen, collect_patient, NULL);
  g_assert_true (sandbox_mail_generate (&mail, collect_message, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fx.raws->len, ==, N_MESSAGES);
}

static CabMimeAttachment *
find_attachment (CabMimeMessage *m, const char *content_type)
{
  for (guint i = 0; i < m->attachments->len; i++)
    {
      CabMimeAttachment *a = g_ptr_array_index (m->attachments, i);
      if (g_str_equal (a->content_type, content_type))
        return a;
    }
  return NULL;
}

static void
test_mime (void)
{
  for (guint i = 0; i < fx.raws->len; i++)
    {
      JsonObject *truth = g_ptr_array_index (fx.truths, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(CabMimeMessage) m = cab_mime_parse (g_ptr_array_index (fx.raws, i), &error);
      g_autofree char *mid = NULL;

      g_assert_no_error (error);
      mid = g_strdup_printf ("<%s>", m->message_id);
      g_assert_cmpstr (mid, ==, json_object_get_string_member (truth, "message_id"));
      /* Encoded words and the three charsets all come out as UTF-8 French. */
      g_assert_true (g_str_has_prefix (m->subject, "Résultats") || g_str_has_prefix (m->subject, "Courrier de sortie d’hosp"));
      g_assert_true (g_str_has_prefix (m->body_text, "Chère consœur") || g_str_has_prefix (m->body_text, "Chère cons?ur"));
      g_assert_true (g_utf8_validate (m->body_text, -1, NULL));
      g_assert_nonnull (strstr (m->from_address, ".mssante.fr"));
      g_assert_cmpint (m->date, >, 0);
      g_assert_nonnull (m->mss_ins);
      g_assert_nonnull (m->mss_codecda[0]);
      g_assert_nonnull (find_attachment (m, "application/pdf"));
      g_assert_cmpuint (strlen (m->body_hash), ==, 64);
      /* Signed messages: the content is there, the signature is no attachment. */
      if (m->smime_signed)
        for (guint j = 0; j < m->attachments->len; j++)
          g_assert_false (strstr (((CabMimeAttachment *) m->attachments->pdata[j])->content_type, "pkcs7"));
    }
}

static const CabMatchPatient *
patients_array (void)
{
  static CabMatchPatient *flat = NULL;

  if (flat == NULL)
    {
      flat = g_new0 (CabMatchPatient, fx.patients->len);
      for (guint i = 0; i < fx.patients->len; i++)
        flat[i] = *(CabMatchPatient *) fx.patients->pdata[i];
    }
  return flat;
}

static void
test_xdm_and_match (void)
{
  guint n_auto = 0, n_auto_allowed = 0, n_hostile = 0, n_signed = 0;

  for (guint i = 0; i < fx.raws->len; i++)
    {
      JsonObject *truth = g_ptr_array_index (fx.truths, i);
      const char *kind = json_object_get_string_member (truth, "kind");
      const char *truth_patient = string_member (truth, "patient_id");
      gboolean auto_allowed = json_object_get_boolean_member (truth, "auto_allowed");
      g_autoptr(CabMimeMessage) m = cab_mime_parse (g_ptr_array_index (fx.raws, i), NULL);
      CabMimeAttachment *zip = find_attachment (m, "application/zip");
      CabMimeAttachment *pdf = find_attachment (m, "application/pdf");
      g_autoptr(GError) error = NULL;
      g_autoptr(CabXdm) xdm = NULL;
      g_autoptr(CabMatchResult) r = NULL;
      CabMatchTraits traits[4];
      guint n_traits = 0;

      n_signed += m->smime_signed;
      n_auto_allowed += auto_allowed;
      if (g_str_equal (kind, "no-ins"))
        {
          g_assert_null (zip);
          continue;
        }
      g_assert_nonnull (zip);
      xdm = cab_xdm_read (zip->content, NULL, &error);
      if (g_str_equal (kind, "hostile"))
        {
          g_assert_null (xdm);
          g_assert_error (error, CAB_XDM_ERROR, CAB_XDM_ERROR_UNSAFE_ENTRY);
          n_hostile++;
          continue;
        }
      g_assert_no_error (error);
      for (guint d = 0; d < xdm->documents->len && n_traits < G_N_ELEMENTS (traits); d++)
        {
          CabXdmDocument *doc = g_ptr_array_index (xdm->documents, d);

          /* Every document checks out, and the first is the mail's PDF copy. */
          g_assert_true (doc->hash_ok);
          g_assert_nonnull (doc->type_code);
          if (d == 0)
            g_assert_true (g_bytes_equal (doc->content, pdf->content));
          cab_xdm_document_get_traits (doc, &traits[n_traits++]);
        }
      r = cab_match_compute (traits, n_traits, patients_array (), fx.patients->len);

      /* Patient safety first: auto only where allowed, and to the right one. */
      if (r->state == CAB_MATCH_AUTO)
        {
          g_assert_true (auto_allowed);
          g_assert_cmpstr (r->patient_id, ==, truth_patient);
          n_auto++;
        }
      if (r->state == CAB_MATCH_PROPOSED)
        g_assert_cmpstr (r->patient_id, ==, truth_patient);
      if (g_str_equal (kind, "wrong-key") || g_str_equal (kind, "two-patients"))
        g_assert_cmpint (r->state, ==, CAB_MATCH_CONFLICT);
      /* Day and month swapped: a conflict with the INS's holder, or nobody. */
      if (g_str_equal (kind, "swapped-date"))
        g_assert_true (r->state == CAB_MATCH_CONFLICT || r->state == CAB_MATCH_NONE);
      if (g_str_equal (kind, "foreign-ins"))
        g_assert_cmpint (r->state, ==, CAB_MATCH_NONE);
    }
  /* As many automatic matches as the rules allow: every clean message of a
   * qualified patient. */
  g_assert_cmpuint (n_auto, ==, n_auto_allowed);
  g_assert_cmpuint (n_auto, >, 0);
  g_assert_cmpuint (n_hostile, >, 0);
  g_assert_cmpuint (n_signed, >, 0);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  setup ();
  g_test_add_func ("/mail/messages/mime", test_mime);
  g_test_add_func ("/mail/messages/xdm-and-match", test_xdm_and_match);
  status = g_test_run ();
  g_ptr_array_unref (fx.patients);
  g_ptr_array_unref (fx.strings);
  g_ptr_array_unref (fx.raws);
  g_ptr_array_unref (fx.truths);
  return status;
}
