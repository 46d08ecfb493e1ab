/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"
#define _GNU_SOURCE   /* memmem() */

#include "config.h"

#include <glib/gi18n-lib.h>

/* METADATA.XML of an IHE XDM zip: the XDS document entries (ebRIM
 * ExtrinsicObject) with their slots, classifications and external
 * identifiers, and the submission set's patient. Parsed by libxml2 without
 * network, without entity substitution, and refused if it declares a DTD at
 * all: XDS metadata never needs one, and entities are how XXE and
 * billion-laughs attacks come in. */

#include "cab-xdm.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

/* XDS classification and identification schemes (IHE ITI TF-3 4.2.5). */
#define XDS_DOC_PATIENT_ID "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"
#define XDS_DOC_UNIQUE_ID  "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
#define XDS_DOC_CLASS      "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a"
#define XDS_DOC_TYPE       "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983"
#define XDS_DOC_AUTHOR     "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d"
#define XDS_SET_PATIENT_ID "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"

/* Caps on what one file may hold. */
#define MAX_DOCUMENTS 1000
#define MAX_VALUE     4096

static gboolean
is_element (xmlNode *node, const char *local_name)
{
  return node->type == XML_ELEMENT_NODE && g_str_equal ((const char *) node->name, local_name);
}

static const char *
attr (xmlNode *node, const char *name)
{
  /* Attribute values: text children only, entities are refused earlier. */
  for (xmlAttr *a = node->properties; a != NULL; a = a->next)
    if (g_str_equal ((const char *) a->name, name) && a->children != NULL &&
        a->children->type == XML_TEXT_NODE && a->children->next == NULL)
      return (const char *) a->children->content;
  return NULL;
}

/* An element's own text (text and CDATA children), capped. */
static char *
text_of (xmlNode *node)
{
  GString *s = g_string_new (NULL);

  for (xmlNode *c = node->children; c != NULL; c = c->next)
    if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content != NULL)
      {
        g_string_append (s, (const char *) c->content);
        if (s->len > MAX_VALUE)
          g_string_truncate (s, MAX_VALUE);
      }
  return g_strstrip (g_string_free (s, FALSE));
}

/* Values of <Slot name="@name"><ValueList><Value>... below @node. */
static GPtrArray *
slot_values (xmlNode *node, const char *name)
{
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);

  for (xmlNode *c = node->children; c != NULL; c = c->next)
    if (is_element (c, "Slot") && g_strcmp0 (attr (c, "name"), name) == 0)
      for (xmlNode *l = c->children; l != NULL; l = l->next)
        if (is_element (l, "ValueList"))
          for (xmlNode *v = l->children; v != NULL; v = v->next)
            if (is_element (v, "Value") && values->len < 64)
              g_ptr_array_add (values, text_of (v));
  return values;
}

static char *
slot_value (xmlNode *node, const char *name)
{
  g_autoptr(GPtrArray) values = slot_values (node, name);

  return values->len > 0 && *(char *) values->pdata[0] ? g_strdup (values->pdata[0]) : NULL;
}

static char *
localized_name (xmlNode *node)
{
  for (xmlNode *c = node->children; c != NULL; c = c->next)
    if (is_element (c, "Name"))
      for (xmlNode *l = c->children; l != NULL; l = l->next)
        if (is_element (l, "LocalizedString") && attr (l, "value") != NULL)
          return g_strdup (attr (l, "value"));
  return NULL;
}

/* "ID^^^&OID&ISO" (HL7 CX): the id and its assigning authority's OID. */
static void
parse_cx (const char *cx, char **id, char **oid)
{
  g_auto(GStrv) comps = NULL;

  if (cx == NULL)
    return;
  comps = g_strsplit (cx, "^", 6);
  if (comps[0] == NULL || *comps[0] == '\0')
    return;
  g_free (*id);
  g_free (*oid);
  *id = g_strdup (comps[0]);
  *oid = NULL;
  if (g_strv_length (comps) >= 4)
    {
      g_auto(GStrv) sub = g_strsplit (comps[3], "&", 4);

      if (g_strv_length (sub) >= 2 && *sub[1] != '\0')
        *oid = g_strdup (sub[1]);
    }
}

static char *
nonempty (const char *s)
{
  return s != NULL && *s != '\0' ? g_strdup (s) : NULL;
}

/* sourcePatientInfo: "PID-5|FAMILY^Given^^^^^L", "PID-7|YYYYMMDD", "PID-8|F". */
static void
parse_source_patient (CabXdmDocument *doc, GPtrArray *values)
{
  for (guint i = 0; i < values->len; i++)
    {
      const char *v = values->pdata[i];
      const char *bar = strchr (v, '|');
      const char *field;

      if (bar == NULL)
        continue;
      field = bar + 1;
      if (g_str_has_prefix (v, "PID-5|"))
        {
          g_auto(GStrv) c = g_strsplit (field, "^", 8);
          guint n = g_strv_length (c);
          const char *type = n >= 7 ? c[6] : "L";

          if (n == 0)
            continue;
          if (g_strcmp0 (type, "D") == 0)
            {
              if (doc->usage_family == NULL)
                doc->usage_family = nonempty (c[0]);
            }
          else if (doc->birth_family == NULL)
            doc->birth_family = nonempty (c[0]);
          if (doc->given == NULL && n >= 2)
            doc->given = nonempty (c[1]);
        }
      else if (g_str_has_prefix (v, "PID-7|") && doc->birth_date == NULL && strlen (field) >= 8)
        {
          unsigned y, m, d;
          char digits[9];

          memcpy (digits, field, 8);
          digits[8] = '\0';
          if (strspn (digits, "0123456789") == 8 && sscanf (digits, "%4u%2u%2u", &y, &m, &d) == 3 &&
              g_date_valid_dmy (d, m, y))
            doc->birth_date = g_strdup_printf ("%04u-%02u-%02u", y, m, d);
        }
      else if (g_str_has_prefix (v, "PID-8|") && doc->sex == 0)
        {
          if (g_str_equal (field, "F") || g_str_equal (field, "M"))
            doc->sex = field[0];
        }
      else if (g_str_has_prefix (v, "PID-3|") && doc->ins == NULL)
        {
          /* PID-3 may repeat (~); the INS is the one with an INS OID. */
          g_auto(GStrv) reps = g_strsplit (field, "~", 8);

          for (guint r = 0; reps[r] != NULL && doc->ins == NULL; r++)
            {
              g_autofree char *id = NULL, *oid = NULL;

              parse_cx (reps[r], &id, &oid);
              if (cab_match_is_ins_oid (oid))
                {
                  doc->ins = g_steal_pointer (&id);
                  doc->ins_oid = g_steal_pointer (&oid);
                }
            }
        }
    }
}

static CabXdmDocument *
parse_entry (xmlNode *node)
{
  CabXdmDocument *doc = g_new0 (CabXdmDocument, 1);
  g_autoptr(GPtrArray) patient_info = slot_values (node, "sourcePatientInfo");
  g_autofree char *size = slot_value (node, "size");
  g_autofree char *hash = slot_value (node, "hash");

  doc->entry_id = nonempty (attr (node, "id"));
  doc->mime_type = nonempty (attr (node, "mimeType"));
  doc->uri = slot_value (node, "URI");
  doc->creation_time = slot_value (node, "creationTime");
  doc->declared_size = -1;
  if (size != NULL && strspn (size, "0123456789") == strlen (size) && strlen (size) <= 15)
    doc->declared_size = g_ascii_strtoll (size, NULL, 10);
  if (hash != NULL && strlen (hash) == 40 && strspn (hash, "0123456789abcdefABCDEF") == 40)
    doc->declared_sha1 = g_ascii_strdown (hash, -1);

  for (xmlNode *c = node->children; c != NULL; c = c->next)
    {
      const char *scheme;

      if (is_element (c, "Classification"))
        {
          scheme = attr (c, "classificationScheme");
          if (g_strcmp0 (scheme, XDS_DOC_TYPE) == 0 && doc->type_code == NULL)
            {
              doc->type_code = nonempty (attr (c, "nodeRepresentation"));
              doc->type_display = localized_name (c);
            }
          else if (g_strcmp0 (scheme, XDS_DOC_CLASS) == 0 && doc->class_code == NULL)
            {
              doc->class_code = nonempty (attr (c, "nodeRepresentation"));
              doc->class_display = localized_name (c);
            }
          else if (g_strcmp0 (scheme, XDS_DOC_AUTHOR) == 0 && doc->author == NULL)
            doc->author = slot_value (c, "authorPerson");
        }
      else if (is_element (c, "ExternalIdentifier"))
        {
          scheme = attr (c, "identificationScheme");
          if (g_strcmp0 (scheme, XDS_DOC_PATIENT_ID) == 0)
            parse_cx (attr (c, "value"), &doc->ins, &doc->ins_oid);
          else if (g_strcmp0 (scheme, XDS_DOC_UNIQUE_ID) == 0 && doc->unique_id == NULL)
            doc->unique_id = nonempty (attr (c, "value"));
        }
    }
  if (doc->ins == NULL)
    {
      g_autofree char *source = slot_value (node, "sourcePatientId");
      parse_cx (source, &doc->ins, &doc->ins_oid);
    }
  parse_source_patient (doc, patient_info);
  return doc;
}

void cab_xdm_document_free (gpointer data);

/* Walks the tree without recursion (depth is bounded by libxml2 anyway). */
static void
collect (xmlNode *root, GPtrArray *documents, char **submission_ins)
{
  xmlNode *node = root;

  while (node != NULL)
    {
      gboolean descend = TRUE;

      if (is_element (node, "ExtrinsicObject"))
        {
          if (documents->len < MAX_DOCUMENTS)
            g_ptr_array_add (documents, parse_entry (node));
          descend = FALSE;
        }
      else if (is_element (node, "ExternalIdentifier") &&
               g_strcmp0 (attr (node, "identificationScheme"), XDS_SET_PATIENT_ID) == 0 &&
               *submission_ins == NULL)
        {
          g_autofree char *oid = NULL;
          parse_cx (attr (node, "value"), submission_ins, &oid);
        }

      if (descend && node->children != NULL)
        node = node->children;
      else
        {
          while (node != NULL && node->next == NULL && node != root)
            node = node->parent;
          if (node == NULL || node == root)
            break;
          node = node->next;
        }
    }
}

GPtrArray *
cab_xdm_parse_metadata (const char  *xml,
                        gsize        length,
                        char       **submission_ins,
                        GError     **error)
{
  xmlDoc *doc;
  GPtrArray *documents;
  g_autofree char *set_ins = NULL;

  if (length > G_MAXINT || memchr (xml, '\0', length) != NULL)
    {
      g_set_error (error, CAB_XDM_ERROR, CAB_XDM_ERROR_BAD_METADATA, _("METADATA.XML is not text"));
      return NULL;
    }
  /* No DTD, no entity: refused before libxml2 reads any declaration.
   * memmem(), not g_strstr_len(), which compares at every byte: the text
   * has no NUL (above), so both find the same. */
  if (memmem (xml, length, "<!DOCTYPE", 9) != NULL || memmem (xml, length, "<!ENTITY", 8) != NULL)
    {
      g_set_error (error, CAB_XDM_ERROR, CAB_XDM_ERROR_BAD_METADATA,
                   _("METADATA.XML declares a DTD or entities, which XDS metadata never needs"));
      return NULL;
    }
  /* The sync reads messages on two threads (docs/architecture.md,
   * "Mail"): libxml2's globals are set up once, before any parse. */
  {
    static gsize done = 0;

    if (g_once_init_enter (&done))
      {
        xmlInitParser ();
        g_once_init_leave (&done, 1);
      }
  }
  doc = xmlReadMemory (xml, (int) length, "METADATA.XML", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
  if (doc == NULL || xmlDocGetRootElement (doc) == NULL)
    {
      if (doc != NULL)
        xmlFreeDoc (doc);
      g_set_error (error, CAB_XDM_ERROR, CAB_XDM_ERROR_BAD_METADATA, _("METADATA.XML is not well-formed XML"));
      return NULL;
    }
  if (doc->intSubset != NULL || doc->extSubset != NULL)
    {
      xmlFreeDoc (doc);
      g_set_error (error, CAB_XDM_ERROR, CAB_XDM_ERROR_BAD_METADATA, _("METADATA.XML declares a DTD"));
      return NULL;
    }
  documents = g_ptr_array_new_with_free_func (cab_xdm_document_free);
  collect (xmlDocGetRootElement (doc), documents, &set_ins);
  xmlFreeDoc (doc);
  if (submission_ins != NULL)
    *submission_ins = g_steal_pointer (&set_ins);
  return documents;
}

void
cab_xdm_document_free (gpointer data)
{
  CabXdmDocument *d = data;

  g_free (d->entry_id);
  g_free (d->uri);
  g_free (d->mime_type);
  g_free (d->type_code);
  g_free (d->type_display);
  g_free (d->class_code);
  g_free (d->class_display);
  g_free (d->creation_time);
  g_free (d->author);
  g_free (d->unique_id);
  g_free (d->declared_sha1);
  g_free (d->ins);
  g_free (d->ins_oid);
  g_free (d->birth_family);
  g_free (d->usage_family);
  g_free (d->given);
  g_free (d->birth_date);
  g_clear_pointer (&d->content, g_bytes_unref);
  g_free (d->sha1);
  g_free (d);
}

void
cab_xdm_document_get_traits (const CabXdmDocument *doc,
                             CabMatchTraits       *traits)
{
  *traits = (CabMatchTraits) {
    .ins = doc->ins,
    .ins_oid = doc->ins_oid,
    .birth_family = doc->birth_family,
    .usage_family = doc->usage_family,
    .given = doc->given,
    .birth_date = doc->birth_date,
    .sex = doc->sex,
  };
}
