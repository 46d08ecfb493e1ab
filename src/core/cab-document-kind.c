/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-document-kind"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cab-document-kind.h"

/* Displays are the French names the DMP expects, not translated: they go
 * into the published DocumentReference. */
static const CabLoincType loinc_types[] = {
  { "11488-4", "Compte rendu de consultation", "10", CAB_DOCUMENT_KIND_REPORT },
  { "11490-0", "Lettre de liaison à la sortie", "10", CAB_DOCUMENT_KIND_REPORT },
  { "34112-3", "Compte rendu hospitalier (séjour)", "10", CAB_DOCUMENT_KIND_REPORT },
  { "11502-2", "Compte rendu d'examens biologiques", "10", CAB_DOCUMENT_KIND_LAB },
  { "18748-4", "Compte rendu d'imagerie médicale", "31", CAB_DOCUMENT_KIND_IMAGING },
  { "34874-8", "Compte rendu opératoire", "10", CAB_DOCUMENT_KIND_REPORT },
  { "57833-6", "Prescription de produits de santé", "42", CAB_DOCUMENT_KIND_PRESCRIPTION },
  { "60591-5", "Synthèse du dossier médical (VSM)", "11", CAB_DOCUMENT_KIND_SUMMARY },
  { "15507-7", "Passage aux urgences", "10", CAB_DOCUMENT_KIND_REPORT },
  { "87273-9", "Note de vaccination", "10", CAB_DOCUMENT_KIND_VACCINATION },
  { "89601-9", "Certificat médical", "10", CAB_DOCUMENT_KIND_CERTIFICATE },
  { NULL, NULL, NULL, CAB_DOCUMENT_KIND_OTHER },
};

const CabLoincType *
cab_loinc_types (void)
{
  return loinc_types;
}

const CabLoincType *
cab_loinc_type_lookup (const char *code)
{
  for (guint i = 0; code != NULL && loinc_types[i].code != NULL; i++)
    if (g_str_equal (loinc_types[i].code, code))
      return &loinc_types[i];
  return NULL;
}

static gboolean
is (const char *value,
    const char *expected)
{
  return g_strcmp0 (value, expected) == 0;
}

/* The type says what a document is; the class code is only a fallback. A
 * patient's own document (class 90) is marked as such unless its type or
 * class names a lab, imaging, prescription, vaccination or certificate. */
CabDocumentKind
cab_document_kind_classify (const CabDocument *d)
{
  const CabLoincType *type;
  CabDocumentKind by_type;

  g_return_val_if_fail (d != NULL, CAB_DOCUMENT_KIND_OTHER);

  type = cab_loinc_type_lookup (d->type_code);
  by_type = type != NULL ? type->kind : CAB_DOCUMENT_KIND_OTHER;

  if (by_type == CAB_DOCUMENT_KIND_LAB)
    return CAB_DOCUMENT_KIND_LAB;
  if (by_type == CAB_DOCUMENT_KIND_IMAGING || is (d->type_code, "IMG-KOS") || d->is_kos ||
      is (d->category_code, "31"))
    return CAB_DOCUMENT_KIND_IMAGING;
  if (by_type == CAB_DOCUMENT_KIND_PRESCRIPTION || is (d->category_code, "42") ||
      is (d->category_code, "43"))
    return CAB_DOCUMENT_KIND_PRESCRIPTION;
  if (by_type == CAB_DOCUMENT_KIND_VACCINATION || by_type == CAB_DOCUMENT_KIND_CERTIFICATE)
    return by_type;
  if (is (d->category_code, "90"))
    return CAB_DOCUMENT_KIND_PATIENT;
  if (by_type == CAB_DOCUMENT_KIND_SUMMARY || is (d->category_code, "11"))
    return CAB_DOCUMENT_KIND_SUMMARY;
  if (by_type == CAB_DOCUMENT_KIND_REPORT || is (d->category_code, "10"))
    return CAB_DOCUMENT_KIND_REPORT;
  return CAB_DOCUMENT_KIND_OTHER;
}

const char *
cab_document_kind_icon_name (CabDocumentKind kind)
{
  switch (kind)
    {
    case CAB_DOCUMENT_KIND_REPORT:       return "x-office-document-symbolic";
    case CAB_DOCUMENT_KIND_LAB:          return "applications-science-symbolic";
    case CAB_DOCUMENT_KIND_IMAGING:      return "image-x-generic-symbolic";
    case CAB_DOCUMENT_KIND_PRESCRIPTION: return "document-edit-symbolic";
    case CAB_DOCUMENT_KIND_VACCINATION:  return "security-high-symbolic";
    case CAB_DOCUMENT_KIND_CERTIFICATE:  return "emblem-documents-symbolic";
    case CAB_DOCUMENT_KIND_SUMMARY:      return "x-office-address-book-symbolic";
    case CAB_DOCUMENT_KIND_PATIENT:      return "avatar-default-symbolic";
    case CAB_DOCUMENT_KIND_OTHER:
    default:                             return "text-x-generic-symbolic";
    }
}

const char *
cab_document_kind_label (CabDocumentKind kind)
{
  switch (kind)
    {
    case CAB_DOCUMENT_KIND_REPORT:       return _("Report");
    case CAB_DOCUMENT_KIND_LAB:          return _("Lab results");
    case CAB_DOCUMENT_KIND_IMAGING:      return _("Imaging");
    case CAB_DOCUMENT_KIND_PRESCRIPTION: return _("Prescription");
    case CAB_DOCUMENT_KIND_VACCINATION:  return _("Vaccination");
    case CAB_DOCUMENT_KIND_CERTIFICATE:  return _("Medical certificate");
    case CAB_DOCUMENT_KIND_SUMMARY:      return _("Medical summary");
    case CAB_DOCUMENT_KIND_PATIENT:      return _("Document from the patient");
    case CAB_DOCUMENT_KIND_OTHER:
    default:                             return _("Document");
    }
}

gboolean
cab_kind_filter_matches (CabKindFilter   filter,
                         CabDocumentKind kind)
{
  switch (filter)
    {
    case CAB_KIND_FILTER_ALL:           return TRUE;
    case CAB_KIND_FILTER_REPORTS:       return kind == CAB_DOCUMENT_KIND_REPORT;
    case CAB_KIND_FILTER_LAB:           return kind == CAB_DOCUMENT_KIND_LAB;
    case CAB_KIND_FILTER_IMAGING:       return kind == CAB_DOCUMENT_KIND_IMAGING;
    case CAB_KIND_FILTER_PRESCRIPTIONS: return kind == CAB_DOCUMENT_KIND_PRESCRIPTION;
    case CAB_KIND_FILTER_VACCINATION:   return kind == CAB_DOCUMENT_KIND_VACCINATION;
    case CAB_KIND_FILTER_OTHER:
      return kind == CAB_DOCUMENT_KIND_CERTIFICATE || kind == CAB_DOCUMENT_KIND_SUMMARY ||
             kind == CAB_DOCUMENT_KIND_PATIENT || kind == CAB_DOCUMENT_KIND_OTHER;
    default:
      return FALSE;
    }
}

gboolean
cab_document_has_label (const CabDocument *document,
                        const char        *label)
{
  const char *labels;
  gsize len;

  g_return_val_if_fail (document != NULL && label != NULL, FALSE);

  labels = document->security_labels;
  len = strlen (label);
  /* Whole codes only: "N" must not match inside "MASQUE_PS". */
  for (const char *p = labels; p != NULL && (p = strstr (p, label)) != NULL; p += len)
    if ((p == labels || p[-1] == ',') && (p[len] == '\0' || p[len] == ','))
      return TRUE;
  return FALSE;
}
