/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-timeline"

#include "config.h"

#include <glib/gi18n.h>

#include "cab-document-kind.h"

static gboolean
is (const char *value,
    const char *expected)
{
  return g_strcmp0 (value, expected) == 0;
}

/* The type says what a document is; the class code is only a fallback. A
 * patient's own document is marked as such whatever it holds. */
CabDocumentKind
cab_document_kind_classify (const CabDocument *d)
{
  g_return_val_if_fail (d != NULL, CAB_DOCUMENT_KIND_OTHER);

  if (is (d->type_code, "11502-2"))
    return CAB_DOCUMENT_KIND_LAB;
  if (is (d->type_code, "18748-4") || is (d->type_code, "IMG-KOS") || d->is_kos ||
      is (d->category_code, "31"))
    return CAB_DOCUMENT_KIND_IMAGING;
  if (is (d->type_code, "57833-6") || is (d->category_code, "42") || is (d->category_code, "43"))
    return CAB_DOCUMENT_KIND_PRESCRIPTION;
  if (is (d->type_code, "87273-9"))
    return CAB_DOCUMENT_KIND_VACCINATION;
  if (is (d->type_code, "89601-9"))
    return CAB_DOCUMENT_KIND_CERTIFICATE;
  if (is (d->category_code, "90"))
    return CAB_DOCUMENT_KIND_PATIENT;
  if (is (d->type_code, "60591-5") || is (d->category_code, "11"))
    return CAB_DOCUMENT_KIND_SUMMARY;
  if (is (d->category_code, "10") ||
      is (d->type_code, "11488-4") || is (d->type_code, "11490-0") ||
      is (d->type_code, "34112-3") || is (d->type_code, "34874-8") ||
      is (d->type_code, "15507-7"))
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
