/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared by the outbox tests and benchmark: a small PDF drawn with cairo,
 * the sandbox's patients copied into a local store, and the server-side
 * count of published documents by their idempotency keys. */
#pragma once

#include <string.h>
#include <glib/gstdio.h>
#include <cairo.h>
#include <cairo-pdf.h>

#include "cab-outbox.h"
#include "cab-store.h"
#include "cab-test-sandbox.h"

static inline void
outbox_test_remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        outbox_test_remove_tree (child);
      else
        g_unlink (child);
    }
  if (dir != NULL)
    g_dir_close (dir);
  g_rmdir (path);
}

static cairo_status_t
outbox_test_write_pdf (void                *closure,
                       const unsigned char *data,
                       unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* A one-page PDF, written to @dir/report.pdf; returns its path. */
static inline char *
outbox_test_make_pdf (const char *dir)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  cairo_surface_t *surface = cairo_pdf_surface_create_for_stream (outbox_test_write_pdf, bytes, 200, 200);
  cairo_t *cr = cairo_create (surface);
  g_autofree char *path = g_build_filename (dir, "report.pdf", NULL);

  cairo_move_to (cr, 20, 100);
  cairo_show_text (cr, "Compte rendu de consultation");
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  cairo_surface_destroy (surface);
  g_assert_true (g_file_set_contents (path, (const char *) bytes->data, bytes->len, NULL));
  return g_steal_pointer (&path);
}

/* Copies every Patient of the sandbox into @store; returns their ids. */
static inline GPtrArray *
outbox_test_import_patients (CabTestSandbox *sandbox,
                             CabStore       *store)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) records = NULL;
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  guint status = 0;

  body = cab_test_sandbox_call (sandbox, "GET", "/fhir/Patient?_count=1000", NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);
  bytes = g_bytes_new (body, strlen (body));
  root = cab_fhir_parse_bytes (bytes, &error);
  g_assert_no_error (error);
  records = cab_fhir_bundle_get_records (json_node_get_object (root), NULL, NULL, &error);
  g_assert_no_error (error);
  g_ptr_array_set_free_func (records, (GDestroyNotify) cab_fhir_record_free);
  g_assert_true (cab_store_put_records (store, records, NULL, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (ids, g_strdup (((CabFhirRecord *) g_ptr_array_index (records, i))->id));
  return ids;
}

typedef struct
{
  char *key;            /* idempotency key */
  char *last_updated;
} OutboxTestServerDoc;

static void
outbox_test_server_doc_free (gpointer data)
{
  OutboxTestServerDoc *d = data;

  g_free (d->key);
  g_free (d->last_updated);
  g_free (d);
}

/* The DocumentReferences of @patient_id on the server that carry an outbox
 * key (masterIdentifier urn:uuid:KEY), as key -> GPtrArray of docs. */
static inline void
outbox_test_server_docs (CabTestSandbox *sandbox,
                         const char     *patient_id,
                         GHashTable     *by_key)
{
  g_autofree char *path = g_strdup_printf ("/fhir/DocumentReference?patient=%s&status=current&_count=1000",
                                           patient_id);

  while (path != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *body = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *bundle;
      JsonArray *entries, *links;
      guint status = 0;

      body = cab_test_sandbox_call (sandbox, "GET", path, NULL, &status, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (status, ==, 200);
      g_assert_true (json_parser_load_from_data (parser, body, -1, NULL));
      bundle = json_node_get_object (json_parser_get_root (parser));
      entries = json_object_has_member (bundle, "entry") ? json_object_get_array_member (bundle, "entry") : NULL;
      for (guint i = 0; entries != NULL && i < json_array_get_length (entries); i++)
        {
          JsonObject *r = json_object_get_object_member (json_array_get_object_element (entries, i), "resource");
          JsonObject *master = json_object_get_object_member (r, "masterIdentifier");
          const char *value = master != NULL ? json_object_get_string_member_with_default (master, "value", "") : "";
          OutboxTestServerDoc *d;
          GPtrArray *list;

          if (!g_str_has_prefix (value, "urn:uuid:"))
            continue;
          d = g_new0 (OutboxTestServerDoc, 1);
          d->key = g_strdup (value + strlen ("urn:uuid:"));
          d->last_updated = g_strdup (json_object_get_string_member (json_object_get_object_member (r, "meta"),
                                                                     "lastUpdated"));
          list = g_hash_table_lookup (by_key, d->key);
          if (list == NULL)
            {
              list = g_ptr_array_new_with_free_func (outbox_test_server_doc_free);
              g_hash_table_insert (by_key, g_strdup (d->key), list);
            }
          g_ptr_array_add (list, d);
        }

      g_clear_pointer (&path, g_free);
      links = json_object_get_array_member (bundle, "link");
      for (guint i = 0; links != NULL && i < json_array_get_length (links); i++)
        {
          JsonObject *link = json_array_get_object_element (links, i);

          if (g_strcmp0 (json_object_get_string_member (link, "relation"), "next") == 0)
            {
              const char *url = json_object_get_string_member (link, "url");
              const char *p = strstr (url, "/fhir/");

              g_assert_nonnull (p);
              path = g_strdup (p);
            }
        }
    }
}

/* Every entry of the outbox is done and landed exactly once; per patient,
 * the server received them in creation order. Returns the number checked. */
static inline guint
outbox_test_check_exactly_once (CabTestSandbox *sandbox,
                                CabStore       *store,
                                GPtrArray      *patient_ids)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) entries = cab_store_outbox_list (store, -1, 0, &error);
  g_autoptr(GHashTable) last_by_patient = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  guint n_keys = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < patient_ids->len; i++)
    outbox_test_server_docs (sandbox, g_ptr_array_index (patient_ids, i), by_key);

  /* Oldest first: the list is newest first. */
  for (guint i = entries->len; i > 0; i--)
    {
      CabOutboxEntry *e = g_ptr_array_index (entries, i - 1);
      GPtrArray *docs;
      OutboxTestServerDoc *d;
      const char *last;

      if (g_strcmp0 (e->kind, "publish") != 0)
        continue;
      g_assert_cmpstr (cab_outbox_state_to_string (e->state), ==, "done");
      docs = g_hash_table_lookup (by_key, e->key);
      g_assert_nonnull (docs);
      g_assert_cmpuint (docs->len, ==, 1);
      d = g_ptr_array_index (docs, 0);
      last = g_hash_table_lookup (last_by_patient, e->patient_id);
      if (last != NULL)
        g_assert_cmpstr (last, <, d->last_updated);
      g_hash_table_insert (last_by_patient, g_strdup (e->patient_id), g_strdup (d->last_updated));
      n_keys++;
    }
  /* Nothing on the server that the outbox does not know. */
  g_assert_cmpuint (g_hash_table_size (by_key), ==, n_keys);
  return n_keys;
}
