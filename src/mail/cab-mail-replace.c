/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

/* A queued message edited in the composer (docs/architecture.md, "Sending
 * mail", "Editing a queued message"). The new version is checked and
 * snapshotted like a new message (cab-mail-queue.c) and written over the
 * entry in one transaction that first checks the entry may still change:
 * pending, held or failed, and no attempt that may have reached the server
 * (mail_sent.data_started without a definite answer). So an edit never
 * races the drain: either the drain claimed the entry first (sending) and
 * the edit is refused with the entry intact, or the edit lands first and
 * the drain sends the new version. The Message-ID stays (it is the
 * message's identity for the Sent-folder search and for receipts). */

#include "cab-mail-replace.h"

#include "cab-json-read.h"
#include "cab-mail-queue-private.h"
#include "cab-mail-recipients.h"
#include "cab-mime-compose.h"
#include "cab-outbox.h"
#include "cab-store-outbox.h"
#include "cab-store-private.h"

void
cab_mail_queued_free (CabMailQueued *queued)
{
  if (queued == NULL)
    return;
  cab_mail_draft_record_free (queued->record);
  g_strfreev (queued->file_names);
  g_strfreev (queued->document_titles);
  g_free (queued->payload);
  g_free (queued);
}

static gboolean
refuse (GError **error, int code, const char *message)
{
  g_set_error_literal (error, CAB_MAIL_SEND_ERROR, code, message);
  return FALSE;
}

static JsonArray *
xdm_documents (JsonObject *o)
{
  return cab_json_read_array (cab_json_read_object (o, "xdm"), "documents");
}

static const char * const started_message =
  N_("This message can no longer be changed: it is being sent or was sent. It was left as it is.");

/* Whether the entry may change now, with the reason when not. Reads
 * through @conn: the writer inside the replacing transaction, or a reader. */
static gboolean
check_changeable (CabStoreConn *conn, gint64 entry_id, GError **error)
{
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (conn,
                                                    "SELECT o.state, coalesce (s.data_started, 0), s.accepted_at"
                                                    " FROM outbox o LEFT JOIN mail_sent s ON s.entry_id = o.id"
                                                    " WHERE o.id = ?1 AND o.kind = 'mail'", error);
  g_autofree char *state = NULL;
  gboolean started, accepted;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, entry_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return refuse (error, CAB_MAIL_SEND_ERROR_INVALID, _("This outbox entry is not a message"));
  state = cab_stmt_dup_text (stmt, 0);
  started = sqlite3_column_int (stmt, 1) > 0;
  accepted = sqlite3_column_type (stmt, 2) != SQLITE_NULL;
  if (g_strcmp0 (state, "pending") != 0 && g_strcmp0 (state, "held") != 0 && g_strcmp0 (state, "failed") != 0)
    return refuse (error, CAB_MAIL_SEND_ERROR_STARTED, _(started_message));
  /* An attempt cut during DATA may have delivered it: the next attempt
   * looks for it in Sent first. An edit would then be lost unseen, or sent
   * as a second, different message with the same Message-ID. A failed
   * entry had the server's definite refusal: it may change. */
  if (accepted || (started && g_strcmp0 (state, "failed") != 0))
    return refuse (error, CAB_MAIL_SEND_ERROR_STARTED,
                   _("This message may already have reached the server (an attempt was cut while sending): "
                     "it cannot be changed. Cabinet looks for it in the Sent folder before sending it again."));
  return TRUE;
}

CabMailQueued *
cab_mail_queued_read (CabStore  *store,
                      gint64     entry_id,
                      GError   **error)
{
  g_autoptr(CabOutboxEntry) entry = cab_store_outbox_get (store, entry_id, error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(CabMailQueued) queued = NULL;
  g_autoptr(GStrvBuilder) files = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) docs = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) titles = g_strv_builder_new ();
  JsonObject *o;
  JsonArray *a;
  CabMailDraftRecord *r;

  if (entry == NULL)
    return NULL;
  if (g_strcmp0 (entry->kind, CAB_MAIL_KIND) != 0 || !json_parser_load_from_data (parser, entry->payload, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      refuse (error, CAB_MAIL_SEND_ERROR_INVALID, _("This outbox entry is not a message"));
      return NULL;
    }
  o = json_node_get_object (json_parser_get_root (parser));
  if (json_object_has_member (o, "mdn"))
    {
      refuse (error, CAB_MAIL_SEND_ERROR_INVALID, _("A read receipt cannot be edited, only cancelled"));
      return NULL;
    }
  {
    g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, error);

    if (reader == NULL || !check_changeable (reader, entry_id, error))
      return NULL;
  }

  queued = g_new0 (CabMailQueued, 1);
  queued->entry_id = entry_id;
  queued->payload = g_strdup (entry->payload);
  queued->record = r = cab_mail_draft_record_new ();
  r->patient_id = g_strdup (entry->patient_id);
  g_free (r->subject);
  r->subject = g_strdup (cab_json_read_string (o, "subject") ?: "");
  g_free (r->body);
  r->body = g_strdup (cab_json_read_string (o, "body") ?: "");
  r->receipt = cab_json_read_boolean (o, "receipt", FALSE);
  r->in_reply_to = g_strdup (cab_json_read_string (o, "in_reply_to"));
  r->references = g_strdup (cab_json_read_string (o, "references"));
  g_strfreev (r->to);
  r->to = cab_json_read_strv (o, "to", G_MAXUINT);
  /* Kept through the edit; a message queued before names were kept has none. */
  r->to_names = cab_mail_recipient_names_read (o, g_strv_length (r->to));
  a = cab_json_read_array (o, "files");
  for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
    {
      JsonObject *f = cab_json_array_read_object (a, i);

      if (cab_json_read_string (f, "path") == NULL)
        continue;
      g_strv_builder_add (files, cab_json_read_string (f, "path"));
      g_strv_builder_add (names, cab_json_read_string (f, "name") ?: cab_json_read_string (f, "path"));
    }
  /* A document is named by its timeline id; one queued before ids were
   * kept, by its copy (kept as it is, or removed). */
  a = xdm_documents (o);
  for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
    {
      JsonObject *d = cab_json_array_read_object (a, i);
      const char *key = cab_json_read_string (d, "document_id") ?: cab_json_read_string (d, "path");

      if (key == NULL)
        continue;
      g_strv_builder_add (docs, key);
      g_strv_builder_add (titles, cab_json_read_string (d, "title") ?: cab_json_read_string (d, "name") ?: "");
    }
  g_strfreev (r->files);
  r->files = g_strv_builder_end (files);
  g_strfreev (r->document_ids);
  r->document_ids = g_strv_builder_end (docs);
  queued->file_names = g_strv_builder_end (names);
  queued->document_titles = g_strv_builder_end (titles);
  return g_steal_pointer (&queued);
}

static JsonObject *
find_by (JsonArray *a, const char *key, const char *key2, const char *value)
{
  for (guint i = 0; a != NULL && value != NULL && i < json_array_get_length (a); i++)
    {
      JsonObject *o = cab_json_array_read_object (a, i);

      if (o != NULL && (g_strcmp0 (cab_json_read_string (o, key), value) == 0 ||
                        (key2 != NULL && g_strcmp0 (cab_json_read_string (o, key2), value) == 0)))
        return o;
    }
  return NULL;
}

/* A kept copy still counts in the message's size. */
static gboolean
count_kept (const char *path, guint64 *total, GError **error)
{
  GStatBuf st;

  if (path == NULL || g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
    return refuse (error, CAB_MAIL_SEND_ERROR_FILE, _("An attachment of the queued message is missing"));
  *total += st.st_size;
  if (*total > CAB_MAIL_MAX_SIZE)
    return refuse (error, CAB_MAIL_SEND_ERROR_FILE, _("The attachments are too large (25 MB at most in one message)"));
  return TRUE;
}

static void
add_object (JsonBuilder *b, JsonObject *o)
{
  JsonNode *n = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (n, o);
  json_builder_add_value (b, n);
}

/* The copies in @dir that @keep does not name go (only files in @dir). */
static void
remove_copies (const char *dir, GPtrArray *paths, GHashTable *keep)
{
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = paths->pdata[i];
      g_autofree char *parent = g_path_get_dirname (path);

      if (g_strcmp0 (parent, dir) == 0 && (keep == NULL || !g_hash_table_contains (keep, path)))
        g_unlink (path);
    }
}

static void
collect_paths (JsonArray *a, GPtrArray *paths, GHashTable *set)
{
  for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
    {
      const char *path = cab_json_read_string (cab_json_array_read_object (a, i), "path");

      if (path == NULL)
        continue;
      if (paths != NULL)
        g_ptr_array_add (paths, g_strdup (path));
      if (set != NULL)
        g_hash_table_add (set, g_strdup (path));
    }
}

gboolean
cab_mail_replace_payload (CabStore   *store,
                          gint64      entry_id,
                          const char *old_payload,
                          const char *payload,
                          GError    **error)
{
  g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (store);
  g_autoptr(CabStmt) stmt = NULL;

  if (!cab_store_begin (writer, error))
    return FALSE;
  if (!check_changeable (writer, entry_id, error))
    goto fail;
  if (!(stmt = cab_store_conn_prepare (writer,
                                       "UPDATE outbox SET payload = ?2, state = 'pending', next_attempt_at = 0,"
                                       " failures = 0, last_error = NULL, last_error_code = NULL,"
                                       " last_error_detail = NULL, conflict_json = NULL,"
                                       " updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
                                       " WHERE id = ?1 AND payload = ?3", error)))
    goto fail;
  sqlite3_bind_int64 (stmt, 1, entry_id);
  cab_stmt_bind_text (stmt, 2, payload);
  cab_stmt_bind_text (stmt, 3, old_payload);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, writer->db, "Cannot change the queued message");
      goto fail;
    }
  if (sqlite3_changes (writer->db) != 1)
    {
      /* Saved meanwhile from another window or cabinetctl. */
      refuse (error, CAB_MAIL_SEND_ERROR_CHANGED,
              _("This message was changed elsewhere meanwhile: open it again from the Outbox"));
      goto fail;
    }
  if (!cab_store_commit (writer, error))
    goto fail;
  return TRUE;

fail:
  cab_store_rollback (writer);
  return FALSE;
}

/* @expected: the payload @record was read from, or NULL (any). */
static gboolean
replace (CabStore                 *store,
         gint64                    entry_id,
         const CabMailDraftRecord *record,
         const char               *expected,
         GError                  **error)
{
  g_autoptr(CabOutboxEntry) entry = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(CabPatientRow) patient = NULL;
  g_autoptr(JsonBuilder) files = json_builder_new ();
  g_autoptr(JsonBuilder) xdm = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) old_paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) kept = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) written = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *tag = NULL, *dir = NULL, *payload = NULL;
  JsonObject *o;
  JsonArray *old_files, *old_docs;
  CabMailDraft check = { 0 };
  guint n_files, n_docs, n_xdm = 0;
  guint64 total = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (CAB_IS_STORE (store), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  if (!(entry = cab_store_outbox_get (store, entry_id, error)))
    return FALSE;
  if (g_strcmp0 (entry->kind, CAB_MAIL_KIND) != 0 || !json_parser_load_from_data (parser, entry->payload, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return refuse (error, CAB_MAIL_SEND_ERROR_INVALID, _("This outbox entry is not a message"));
  o = json_node_get_object (json_parser_get_root (parser));
  if (json_object_has_member (o, "mdn"))
    return refuse (error, CAB_MAIL_SEND_ERROR_INVALID, _("A read receipt cannot be edited, only cancelled"));
  /* Saved meanwhile (another window, another command): not overwritten. */
  if (expected != NULL && g_strcmp0 (entry->payload, expected) != 0)
    return refuse (error, CAB_MAIL_SEND_ERROR_CHANGED,
                   _("This message was changed elsewhere meanwhile: open it again from the Outbox"));

  check.from = cab_json_read_string (o, "from");
  check.to = (const char * const *) record->to;
  check.subject = record->subject;
  check.body = record->body;
  check.in_reply_to = cab_json_read_string (o, "in_reply_to");
  check.references = cab_json_read_string (o, "references");
  if (!cab_mail_queue_check_text (&check, error))
    return FALSE;
  n_files = record->files != NULL ? g_strv_length (record->files) : 0;
  n_docs = record->document_ids != NULL ? g_strv_length (record->document_ids) : 0;
  if (n_files + n_docs > CAB_MAIL_MAX_ATTACHMENTS)
    return refuse (error, CAB_MAIL_SEND_ERROR_INVALID, _("Too many attachments (32 at most)"));
  if (entry->patient_id != NULL && !(patient = cab_store_get_patient (store, entry->patient_id, error)))
    return FALSE;
  for (guint i = 0; record->to[i] != NULL; i++)
    if (!cab_mail_patient_mailbox_allowed (patient != NULL ? &patient->patient : NULL, record->to[i], error))
      return FALSE;

  old_files = cab_json_read_array (o, "files");
  old_docs = xdm_documents (o);
  collect_paths (old_files, old_paths, NULL);
  collect_paths (old_docs, old_paths, NULL);
  /* New copies go beside the old ones, under a tag of their own. */
  tag = g_uuid_string_random ();
  tag[8] = '\0';
  {
    g_autofree char *data_dir = g_path_get_dirname (cab_store_get_path (store));
    g_autofree char *key = g_path_get_basename (entry->key != NULL ? entry->key : "edit");

    dir = g_build_filename (data_dir, "outbox", "mail", key, NULL);
  }
  if (g_mkdir_with_parents (dir, 0700) != 0)
    return refuse (error, CAB_MAIL_SEND_ERROR_FILE, _("Cannot create the outbox folder"));

  json_builder_begin_array (files);
  for (guint i = 0; i < n_files; i++)
    {
      JsonObject *old = find_by (old_files, "path", NULL, record->files[i]);

      if (old != NULL)
        {
          if (!count_kept (cab_json_read_string (old, "path"), &total, error))
            goto out;
          g_hash_table_add (kept, g_strdup (cab_json_read_string (old, "path")));
          add_object (files, json_object_ref (old));
          continue;
        }
      if (!cab_mail_queue_add_file (files, record->files[i], i, dir, tag, &total, error))
        goto out;
    }
  json_builder_end_array (files);

  json_builder_begin_object (xdm);
  if (n_docs > 0)
    {
      if (patient == NULL)
        {
          refuse (error, CAB_MAIL_SEND_ERROR_DOCUMENT,
                  _("This message is about no patient: a patient's documents are sent in a new message "
                    "written from the patient's page"));
          goto out;
        }
      cab_mail_queue_add_patient (xdm, &patient->patient);
    }
  json_builder_set_member_name (xdm, "documents");
  json_builder_begin_array (xdm);
  for (guint i = 0; i < n_docs; i++)
    {
      JsonObject *old = find_by (old_docs, "document_id", "path", record->document_ids[i]);
      g_autoptr(CabDocumentRow) row = NULL;
      g_autoptr(GError) local = NULL;

      if (old != NULL)
        {
          g_autoptr(JsonObject) copy = json_object_new ();
          g_autofree char *name = NULL;
          const char *code = cab_json_read_string (old, "type_code");
          GList *members = json_object_get_members (old);

          if (!count_kept (cab_json_read_string (old, "path"), &total, error))
            {
              g_list_free (members);
              goto out;
            }
          for (GList *l = members; l != NULL; l = l->next)
            json_object_set_member (copy, l->data, json_node_copy (json_object_get_member (old, l->data)));
          g_list_free (members);
          /* Its name inside the zip follows its new place. */
          name = g_strdup_printf ("DOC%04u.%s", i + 1,
                                  g_str_has_suffix (cab_json_read_string (old, "name") ?: "", ".BIN") ? "BIN" : "PDF");
          json_object_set_string_member (copy, "name", name);
          g_hash_table_add (kept, g_strdup (cab_json_read_string (old, "path")));
          add_object (xdm, g_steal_pointer (&copy));
          if (code != NULL && strlen (code) <= 64 && strpbrk (code, ",\r\n") == NULL)
            g_ptr_array_add (codes, g_strdup (code));
          n_xdm++;
          continue;
        }
      row = cab_store_get_document (store, record->document_ids[i], &local);
      if (row == NULL || row->local_path == NULL)
        {
          g_set_error (error, CAB_MAIL_SEND_ERROR, CAB_MAIL_SEND_ERROR_DOCUMENT,
                       row == NULL ? _("Unknown document: %s") : _("The document %s is not on this computer: open or download it first"),
                       record->document_ids[i]);
          goto out;
        }
      if (g_strcmp0 (row->patient_id, patient->id) != 0)
        {
          refuse (error, CAB_MAIL_SEND_ERROR_DOCUMENT, _("A document belongs to another patient than the message's"));
          goto out;
        }
      if (!cab_mail_queue_add_document (xdm, row, i, dir, tag, &total, codes, error))
        goto out;
      n_xdm++;
    }
  json_builder_end_array (xdm);
  json_builder_end_object (xdm);

  /* The new payload: the old one with what was written changed. */
  {
    JsonArray *codecda = json_array_new ();

    for (guint i = 0; i < codes->len; i++)
      json_array_add_string_element (codecda, codes->pdata[i]);
    /* The names picked stay beside their addresses, the page says them. */
    cab_mail_recipients_set (o, (const char * const *) record->to, (const char * const *) record->to_names);
    json_object_set_string_member (o, "subject", record->subject);
    json_object_set_string_member (o, "body", record->body);
    json_object_set_boolean_member (o, "receipt", record->receipt);
    /* Written now: its Date says so (the Message-ID stays). */
    json_object_set_int_member (o, "date", g_get_real_time () / G_USEC_PER_SEC);
    json_object_set_member (o, "files", json_builder_get_root (files));
    if (n_xdm > 0)
      json_object_set_member (o, "xdm", json_builder_get_root (xdm));
    else
      json_object_remove_member (o, "xdm");
    json_object_set_array_member (o, "codecda", codecda);
  }
  json_generator_set_root (gen, json_parser_get_root (parser));
  payload = json_generator_to_data (gen, NULL);
  if (!cab_mail_replace_payload (store, entry_id, entry->payload, payload, error))
    goto out;
  ok = TRUE;

out:
  if (ok)
    /* Committed: the copies the message no longer names go. */
    remove_copies (dir, old_paths, kept);
  else
    {
      /* Not: this edit's copies go, the entry keeps its own. */
      g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
      g_autofree char *prefix = g_strconcat (tag, "-", NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        if (g_str_has_prefix (name, prefix))
          g_ptr_array_add (written, g_build_filename (dir, name, NULL));
      remove_copies (dir, written, NULL);
    }
  return ok;
}

gboolean
cab_mail_replace (CabStore                 *store,
                  gint64                    entry_id,
                  const CabMailDraftRecord *record,
                  GError                  **error)
{
  return replace (store, entry_id, record, NULL, error);
}

/* @v without its element @index (kept as the same array). */
static void
strv_remove (char **v, guint index)
{
  guint n = g_strv_length (v);

  g_free (v[index]);
  memmove (v + index, v + index + 1, (n - index) * sizeof (char *));
}

static char **
strv_append (char **v, const char *value)
{
  guint n = v != NULL ? g_strv_length (v) : 0;

  v = g_renew (char *, v, n + 2);
  v[n] = g_strdup (value);
  v[n + 1] = NULL;
  return v;
}

gboolean
cab_mail_edit (CabStore             *store,
               gint64                entry_id,
               const CabMailChanges *changes,
               GError              **error)
{
  g_autoptr(CabMailQueued) queued = NULL;
  CabMailDraftRecord *r;

  g_return_val_if_fail (CAB_IS_STORE (store), FALSE);
  g_return_val_if_fail (changes != NULL, FALSE);

  if (!(queued = cab_mail_queued_read (store, entry_id, error)))
    return FALSE;
  r = queued->record;
  if (changes->to != NULL)
    {
      g_autoptr(GStrvBuilder) to = g_strv_builder_new ();
      g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
      gboolean ended = changes->to_names == NULL;

      /* A recipient kept keeps the name picked for it, unless given one. */
      for (guint i = 0; changes->to[i] != NULL; i++)
        {
          const char *name = "";

          for (guint j = 0; r->to_names != NULL && r->to[j] != NULL; j++)
            if (g_ascii_strcasecmp (r->to[j], changes->to[i]) == 0)
              name = r->to_names[j];
          ended = ended || changes->to_names[i] == NULL;
          if (!ended && *changes->to_names[i] != '\0')
            name = changes->to_names[i];
          g_strv_builder_add (to, changes->to[i]);
          g_strv_builder_add (names, name);
        }
      g_strfreev (r->to);
      r->to = g_strv_builder_end (to);
      g_strfreev (r->to_names);
      r->to_names = g_strv_builder_end (names);
    }
  if (changes->subject != NULL)
    {
      g_free (r->subject);
      r->subject = g_strdup (changes->subject);
    }
  if (changes->body != NULL)
    {
      g_free (r->body);
      r->body = g_strdup (changes->body);
    }
  if (changes->receipt >= 0)
    r->receipt = changes->receipt != 0;
  for (guint i = 0; changes->detach != NULL && changes->detach[i] != NULL; i++)
    {
      const char *which = changes->detach[i];
      gboolean found = FALSE;

      for (guint j = 0; !found && r->files[j] != NULL; j++)
        if (g_strcmp0 (queued->file_names[j], which) == 0)
          {
            strv_remove (r->files, j);
            strv_remove (queued->file_names, j);
            found = TRUE;
          }
      for (guint j = 0; !found && r->document_ids[j] != NULL; j++)
        if (g_strcmp0 (r->document_ids[j], which) == 0)
          {
            strv_remove (r->document_ids, j);
            strv_remove (queued->document_titles, j);
            found = TRUE;
          }
      if (!found)
        {
          g_set_error (error, CAB_MAIL_SEND_ERROR, CAB_MAIL_SEND_ERROR_INVALID,
                       _("The message has no attachment %s"), which);
          return FALSE;
        }
    }
  /* A file on disk, else a timeline document's id (as mail send). */
  for (guint i = 0; changes->attach != NULL && changes->attach[i] != NULL; i++)
    {
      if (g_file_test (changes->attach[i], G_FILE_TEST_IS_REGULAR))
        r->files = strv_append (r->files, changes->attach[i]);
      else
        r->document_ids = strv_append (r->document_ids, changes->attach[i]);
    }
  /* Only over the version read: a change in between is not lost. */
  return replace (store, entry_id, r, queued->payload, error);
}

/* ---------------------------------------------------------------------- */
/* async                                                                  */

typedef struct
{
  CabStore           *store;
  CabOutbox          *outbox;
  gint64              entry_id;
  CabMailDraftRecord *record;
  char               *expected;
} Job;

static void
job_free (Job *job)
{
  g_object_unref (job->store);
  g_clear_object (&job->outbox);
  g_clear_pointer (&job->record, cab_mail_draft_record_free);
  g_free (job->expected);
  g_free (job);
}

static Job *
job_new (CabStore *store, gint64 entry_id)
{
  Job *job = g_new0 (Job, 1);

  job->store = g_object_ref (store);
  job->entry_id = entry_id;
  return job;
}

static void
read_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *job = data;
  GError *error = NULL;
  CabMailQueued *queued = cab_mail_queued_read (job->store, job->entry_id, &error);

  if (queued == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, queued, (GDestroyNotify) cab_mail_queued_free);
}

void
cab_mail_queued_read_async (CabStore            *store,
                            gint64               entry_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CAB_IS_STORE (store));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cab_mail_queued_read_async);
  g_task_set_task_data (task, job_new (store, entry_id), (GDestroyNotify) job_free);
  g_task_run_in_thread (task, read_thread);
}

CabMailQueued *
cab_mail_queued_read_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, cab_mail_queued_read_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
replace_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *job = data;
  GError *error = NULL;

  if (!replace (job->store, job->entry_id, job->record, job->expected, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (job->outbox != NULL)
    cab_outbox_notify_queued (job->outbox);
  g_task_return_boolean (task, TRUE);
}

void
cab_mail_replace_async (CabStore                 *store,
                        CabOutbox                *outbox,
                        gint64                    entry_id,
                        const CabMailDraftRecord *record,
                        const char               *expected,
                        GCancellable             *cancellable,
                        GAsyncReadyCallback       callback,
                        gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (outbox == NULL || CAB_IS_OUTBOX (outbox));
  g_return_if_fail (record != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cab_mail_replace_async);
  job = job_new (store, entry_id);
  job->outbox = outbox != NULL ? g_object_ref (outbox) : NULL;
  job->record = cab_mail_draft_record_copy (record);
  job->expected = g_strdup (expected);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  /* Once started, the outcome is reported whatever happens to the window. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, replace_thread);
}

gboolean
cab_mail_replace_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, cab_mail_replace_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
