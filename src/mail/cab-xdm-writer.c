/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

/* The IHE_XDM.zip of an outgoing message (IHE ITI XDM, ebRIM 3.0 metadata
 * as XDS writes it): the tree is built with libxml2 (which escapes every
 * value), the zip with libarchive, both in memory. Document files are
 * named by the caller and checked like the reader checks them. */

#include "cab-xdm-writer.h"
#include "cab-xdm.h"

#include <archive.h>
#include <archive_entry.h>
#include <libxml/tree.h>
#include <string.h>

#define NS_LCM "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
#define NS_RIM "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"

/* XDS schemes (IHE ITI TF-3 4.2.5), as cab-xdm-metadata.c reads them. */
#define XDS_DOC_OBJECT_TYPE "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"
#define XDS_DOC_PATIENT_ID  "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"
#define XDS_DOC_UNIQUE_ID   "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
#define XDS_DOC_CLASS       "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a"
#define XDS_DOC_TYPE        "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983"
#define XDS_DOC_AUTHOR      "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d"
#define XDS_SET_NODE        "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"
#define XDS_SET_AUTHOR      "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d"
#define XDS_SET_PATIENT_ID  "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"
#define XDS_SET_UNIQUE_ID   "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8"
#define XDS_SET_SOURCE_ID   "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832"
#define LOINC_OID           "2.16.840.1.113883.6.1"
#define CLASS_OID           "1.2.250.1.213.1.1.4.1"
/* The entries' fixed time: the same documents give the same zip bytes. */
#define ZIP_MTIME           1735689600

/* A fresh OID under 2.25 (ITU-T X.667: a UUID as one decimal arc). */
static char *
new_uuid_oid (void)
{
  g_autofree char *uuid = g_uuid_string_random ();
  unsigned __int128 v = 0;
  char digits[48];
  int n = sizeof digits - 1;

  for (const char *p = uuid; *p; p++)
    if (g_ascii_isxdigit (*p))
      v = (v << 4) | (unsigned) g_ascii_xdigit_value (*p);
  digits[n] = '\0';
  do
    {
      digits[--n] = (char) ('0' + (int) (v % 10));
      v /= 10;
    }
  while (v != 0 && n > 0);
  return g_strconcat ("2.25.", digits + n, NULL);
}

static xmlNode *
rim (xmlNode *parent, xmlNs *ns, const char *name)
{
  return xmlNewChild (parent, ns, BAD_CAST name, NULL);
}

static void
set (xmlNode *node, const char *name, const char *value)
{
  xmlNewProp (node, BAD_CAST name, BAD_CAST (value != NULL ? value : ""));
}

static void
slot (xmlNode *parent, xmlNs *ns, const char *name, const char * const *values)
{
  xmlNode *s = rim (parent, ns, "Slot");
  xmlNode *list;

  set (s, "name", name);
  list = rim (s, ns, "ValueList");
  for (guint i = 0; values[i] != NULL; i++)
    xmlNewTextChild (list, ns, BAD_CAST "Value", BAD_CAST values[i]);
}

static void
slot1 (xmlNode *parent, xmlNs *ns, const char *name, const char *value)
{
  const char *values[] = { value, NULL };

  if (value != NULL)
    slot (parent, ns, name, values);
}

static void
localized (xmlNode *parent, xmlNs *ns, const char *element, const char *value)
{
  xmlNode *n = rim (parent, ns, element);
  xmlNode *s = rim (n, ns, "LocalizedString");

  set (s, "value", value);
}

static void
classification (xmlNode  *parent,
                xmlNs    *ns,
                const char *scheme,
                const char *object,
                const char *code,
                const char *coding_scheme,
                const char *display,
                const char *author,
                guint      *counter)
{
  xmlNode *c = rim (parent, ns, "Classification");
  g_autofree char *id = g_strdup_printf ("cl%02u", ++*counter);

  set (c, "id", id);
  set (c, "classificationScheme", scheme);
  set (c, "classifiedObject", object);
  set (c, "nodeRepresentation", code != NULL ? code : "");
  if (author != NULL)
    slot1 (c, ns, "authorPerson", author);
  if (coding_scheme != NULL)
    slot1 (c, ns, "codingScheme", coding_scheme);
  if (display != NULL)
    localized (c, ns, "Name", display);
}

static void
external_id (xmlNode    *parent,
             xmlNs      *ns,
             const char *scheme,
             const char *object,
             const char *value,
             const char *name,
             guint      *counter)
{
  xmlNode *e = rim (parent, ns, "ExternalIdentifier");
  g_autofree char *id = g_strdup_printf ("ei%02u", ++*counter);

  set (e, "id", id);
  set (e, "identificationScheme", scheme);
  set (e, "registryObject", object);
  set (e, "value", value);
  localized (e, ns, "Name", name);
}

/* HL7 CX of the INS: "<INS>^^^&<OID>&ISO". */
static char *
patient_cx (const CabXdmPatient *p)
{
  if (p == NULL || p->ins == NULL)
    return NULL;
  return g_strdup_printf ("%s^^^&%s&ISO", p->ins, p->ins_oid);
}

static void
source_patient_info (xmlNode *entry, xmlNs *ns, const CabXdmPatient *p, const char *cx)
{
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);

  if (cx != NULL)
    g_ptr_array_add (values, g_strdup_printf ("PID-3|%s^NH", cx));
  if (p->birth_family != NULL)
    g_ptr_array_add (values, g_strdup_printf ("PID-5|%s^%s^^^^^L", p->birth_family,
                                              p->given != NULL ? p->given : ""));
  if (p->usage_family != NULL)
    g_ptr_array_add (values, g_strdup_printf ("PID-5|%s^%s^^^^^D", p->usage_family,
                                              p->given != NULL ? p->given : ""));
  if (p->birth_date != NULL && strlen (p->birth_date) == 10)
    g_ptr_array_add (values, g_strdup_printf ("PID-7|%.4s%.2s%.2s", p->birth_date,
                                              p->birth_date + 5, p->birth_date + 8));
  if (p->sex == 'F' || p->sex == 'M')
    g_ptr_array_add (values, g_strdup_printf ("PID-8|%c", p->sex));
  if (values->len == 0)
    return;
  g_ptr_array_add (values, NULL);
  slot (entry, ns, "sourcePatientInfo", (const char * const *) values->pdata);
}

char *
cab_xdm_write_metadata (const CabXdmSubmission  *submission,
                        const CabXdmOutDocument *documents,
                        guint                    n_documents)
{
  const CabXdmPatient *p = submission->patient;
  g_autofree char *cx = patient_cx (p);
  g_autofree char *set_uid = new_uuid_oid ();
  xmlDoc *doc = xmlNewDoc (BAD_CAST "1.0");
  xmlNode *root = xmlNewNode (NULL, BAD_CAST "SubmitObjectsRequest");
  xmlNs *lcm = xmlNewNs (root, BAD_CAST NS_LCM, BAD_CAST "lcm");
  xmlNs *ns = xmlNewNs (root, BAD_CAST NS_RIM, BAD_CAST "rim");
  xmlNode *list, *set_node, *c;
  guint counter = 0;
  xmlChar *xml = NULL;
  int length = 0;
  char *result;

  xmlSetNs (root, lcm);
  xmlDocSetRootElement (doc, root);
  list = rim (root, ns, "RegistryObjectList");

  for (guint i = 0; i < n_documents; i++)
    {
      const CabXdmOutDocument *d = &documents[i];
      g_autofree char *id = g_strdup_printf ("Document%02u", i + 1);
      g_autofree char *uid = new_uuid_oid ();
      g_autofree char *sha1 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA1, d->content);
      g_autofree char *size = g_strdup_printf ("%" G_GSIZE_FORMAT, g_bytes_get_size (d->content));
      xmlNode *e = rim (list, ns, "ExtrinsicObject");

      set (e, "id", id);
      set (e, "mimeType", d->mime_type);
      set (e, "objectType", XDS_DOC_OBJECT_TYPE);
      slot1 (e, ns, "creationTime", d->creation_time);
      slot1 (e, ns, "hash", sha1);
      slot1 (e, ns, "languageCode", "fr-FR");
      slot1 (e, ns, "size", size);
      slot1 (e, ns, "URI", d->file_name);
      if (cx != NULL)
        slot1 (e, ns, "sourcePatientId", cx);
      if (p != NULL)
        source_patient_info (e, ns, p, cx);
      localized (e, ns, "Name", d->title);
      classification (e, ns, XDS_DOC_AUTHOR, id, NULL, NULL, NULL, submission->author, &counter);
      classification (e, ns, XDS_DOC_CLASS, id, d->class_code, CLASS_OID, d->class_display, NULL, &counter);
      classification (e, ns, XDS_DOC_TYPE, id, d->type_code, LOINC_OID, d->type_display, NULL, &counter);
      if (cx != NULL)
        external_id (e, ns, XDS_DOC_PATIENT_ID, id, cx, "XDSDocumentEntry.patientId", &counter);
      external_id (e, ns, XDS_DOC_UNIQUE_ID, id, uid, "XDSDocumentEntry.uniqueId", &counter);
    }

  set_node = rim (list, ns, "RegistryPackage");
  set (set_node, "id", "SubmissionSet01");
  slot1 (set_node, ns, "submissionTime", submission->submission_time);
  classification (set_node, ns, XDS_SET_AUTHOR, "SubmissionSet01", NULL, NULL, NULL, submission->author, &counter);
  if (cx != NULL)
    external_id (set_node, ns, XDS_SET_PATIENT_ID, "SubmissionSet01", cx, "XDSSubmissionSet.patientId", &counter);
  external_id (set_node, ns, XDS_SET_UNIQUE_ID, "SubmissionSet01", set_uid, "XDSSubmissionSet.uniqueId", &counter);
  external_id (set_node, ns, XDS_SET_SOURCE_ID, "SubmissionSet01", "1.2.250.1.213.1.1.1", "XDSSubmissionSet.sourceId", &counter);

  c = rim (list, ns, "Classification");
  set (c, "id", "SubmissionSetClass");
  set (c, "classifiedObject", "SubmissionSet01");
  set (c, "classificationNode", XDS_SET_NODE);

  for (guint i = 0; i < n_documents; i++)
    {
      g_autofree char *id = g_strdup_printf ("Document%02u", i + 1);
      g_autofree char *assoc = g_strdup_printf ("Association%02u", i + 1);
      xmlNode *a = rim (list, ns, "Association");

      set (a, "id", assoc);
      set (a, "associationType", "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember");
      set (a, "sourceObject", "SubmissionSet01");
      set (a, "targetObject", id);
      slot1 (a, ns, "SubmissionSetStatus", "Original");
    }

  xmlDocDumpFormatMemoryEnc (doc, &xml, &length, "UTF-8", 1);
  result = g_strndup ((const char *) xml, length);
  xmlFree (xml);
  xmlFreeDoc (doc);
  return result;
}

static la_ssize_t
write_to_array (struct archive *a, void *user_data, const void *buffer, size_t length)
{
  g_byte_array_append (user_data, buffer, length);
  return length;
}

static gboolean
add_entry (struct archive *a, const char *path, const void *data, gsize size, GError **error)
{
  struct archive_entry *entry = archive_entry_new ();
  gboolean ok;

  archive_entry_set_pathname (entry, path);
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  archive_entry_set_size (entry, size);
  archive_entry_set_mtime (entry, ZIP_MTIME, 0);
  ok = archive_write_header (a, entry) == ARCHIVE_OK &&
       (size == 0 || archive_write_data (a, data, size) == (la_ssize_t) size);
  archive_entry_free (entry);
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "IHE_XDM.zip: %s", archive_error_string (a));
  return ok;
}

static gboolean
check_names (const CabXdmOutDocument *documents, guint n_documents, GError **error)
{
  for (guint i = 0; i < n_documents; i++)
    {
      const char *name = documents[i].file_name;

      if (name == NULL || *name == '\0' || strchr (name, '/') != NULL || !cab_xdm_path_is_safe (name) ||
          g_ascii_strcasecmp (name, "METADATA.XML") == 0 || documents[i].content == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "IHE_XDM.zip: unsafe document name");
          return FALSE;
        }
      for (guint j = 0; j < i; j++)
        if (g_ascii_strcasecmp (name, documents[j].file_name) == 0)
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "IHE_XDM.zip: two documents named alike");
            return FALSE;
          }
    }
  return TRUE;
}

GBytes *
cab_xdm_write (const CabXdmSubmission  *submission,
               const CabXdmOutDocument *documents,
               guint                    n_documents,
               GError                 **error)
{
  struct archive *a;
  g_autoptr(GByteArray) out = NULL;
  g_autofree char *metadata = NULL;
  g_autofree char *readme = NULL;
  g_autoptr(GString) index = NULL;
  gboolean ok;

  if (!check_names (documents, n_documents, error))
    return NULL;
  metadata = cab_xdm_write_metadata (submission, documents, n_documents);
  readme = g_strdup_printf ("Contenu conforme au profil IHE XDM (ITI-32), transmis par messagerie MSSante.\r\n"
                            "Logiciel emetteur: %s\r\n",
                            submission->software != NULL ? submission->software : "Cabinet " PACKAGE_VERSION);
  index = g_string_new ("<html><head><meta charset=\"utf-8\"><title>IHE XDM</title></head><body>\r\n"
                        "<p><a href=\"IHE_XDM/SUBSET01/METADATA.XML\">SUBSET01</a></p><ul>\r\n");
  for (guint i = 0; i < n_documents; i++)
    {
      g_autofree char *name = g_markup_escape_text (documents[i].file_name, -1);
      g_autofree char *title = g_markup_escape_text (documents[i].title != NULL ? documents[i].title : "", -1);

      g_string_append_printf (index, "<li><a href=\"IHE_XDM/SUBSET01/%s\">%s</a></li>\r\n", name, title);
    }
  g_string_append (index, "</ul></body></html>\r\n");

  out = g_byte_array_new ();
  a = archive_write_new ();
  archive_write_set_format_zip (a);
  archive_write_set_options (a, "zip:compression=deflate");
  archive_write_set_bytes_in_last_block (a, 1);
  if (archive_write_open (a, out, NULL, write_to_array, NULL) != ARCHIVE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "IHE_XDM.zip: %s", archive_error_string (a));
      archive_write_free (a);
      return NULL;
    }
  ok = add_entry (a, "README.TXT", readme, strlen (readme), error) &&
       add_entry (a, "INDEX.HTM", index->str, index->len, error) &&
       add_entry (a, "IHE_XDM/SUBSET01/METADATA.XML", metadata, strlen (metadata), error);
  for (guint i = 0; ok && i < n_documents; i++)
    {
      g_autofree char *path = g_strconcat ("IHE_XDM/SUBSET01/", documents[i].file_name, NULL);
      gsize size;
      const void *data = g_bytes_get_data (documents[i].content, &size);

      ok = add_entry (a, path, data, size, error);
    }
  if (ok && archive_write_close (a) != ARCHIVE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "IHE_XDM.zip: %s", archive_error_string (a));
      ok = FALSE;
    }
  archive_write_free (a);
  return ok ? g_byte_array_free_to_bytes (g_steal_pointer (&out)) : NULL;
}
