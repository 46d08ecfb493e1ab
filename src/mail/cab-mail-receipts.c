/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

/* Read receipts that came back, the answering preference, and the list of
 * sent messages (docs/architecture.md, "Sending mail"). Receipts are found
 * among the inbox's stored messages (the inbox sync keeps each message's
 * raw file), each read once: a watermark on mail_messages.id. */

#include "cab-mail-send.h"

#include "cab-mdn.h"
#include "cab-outbox-error.h"
#include "cab-store-private.h"

#define POLICY_KEY    "mail.mdn_policy"
#define WATERMARK_KEY "mail.receipts_scanned"
#define MAX_SCAN      5000   /* messages read per call */

static const char * const policy_names[] = { "ask", "always", "never" };

const char *
cab_mail_mdn_policy_to_string (CabMailMdnPolicy policy)
{
  return policy <= CAB_MAIL_MDN_NEVER ? policy_names[policy] : "ask";
}

int
cab_mail_mdn_policy_from_string (const char *text)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (policy_names); i++)
    if (g_str_equal (text, policy_names[i]))
      return (int) i;
  return -1;
}

CabMailMdnPolicy
cab_mail_mdn_policy_get (CabStore *store)
{
  g_autofree char *value = cab_store_get_state (store, POLICY_KEY);
  int policy = cab_mail_mdn_policy_from_string (value);

  /* Nothing is sent without the user's say: "ask" until they choose. */
  return policy < 0 ? CAB_MAIL_MDN_ASK : (CabMailMdnPolicy) policy;
}

gboolean
cab_mail_mdn_policy_set (CabStore          *store,
                         CabMailMdnPolicy   policy,
                         GError           **error)
{
  return cab_store_set_state (store, POLICY_KEY, cab_mail_mdn_policy_to_string (policy), error);
}

typedef struct
{
  gint64 id;
  char  *raw_path;
  gint64 date;
} Candidate;

static void
candidate_free (gpointer data)
{
  Candidate *c = data;

  g_free (c->raw_path);
  g_free (c);
}

int
cab_mail_collect_receipts (CabStore  *store,
                           GError   **error)
{
  g_autofree char *mark = cab_store_get_state (store, WATERMARK_KEY);
  gint64 after = mark != NULL ? g_ascii_strtoll (mark, NULL, 10) : 0, last = after;
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (candidate_free);
  g_autofree char *last_text = NULL;
  int recorded = 0;

  {
    g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, error);
    g_autoptr(CabStmt) stmt = NULL;

    if (reader == NULL ||
        !(stmt = cab_store_conn_prepare (reader, "SELECT id, raw_path, size, COALESCE (date, received_at) FROM mail_messages"
                                                 " WHERE id > ?1 ORDER BY id LIMIT ?2", error)))
      return -1;
    sqlite3_bind_int64 (stmt, 1, after);
    sqlite3_bind_int (stmt, 2, MAX_SCAN);
    while (sqlite3_step (stmt) == SQLITE_ROW)
      {
        Candidate *c = g_new0 (Candidate, 1);

        c->id = sqlite3_column_int64 (stmt, 0);
        last = c->id;
        if ((guint64) sqlite3_column_int64 (stmt, 2) > CAB_MDN_MAX_SIZE)
          {
            g_free (c);
            continue;
          }
        c->raw_path = cab_stmt_dup_text (stmt, 1);
        c->date = sqlite3_column_int64 (stmt, 3);
        g_ptr_array_add (candidates, c);
      }
  }

  for (guint i = 0; i < candidates->len; i++)
    {
      Candidate *c = candidates->pdata[i];
      g_autofree char *data = NULL, *original = NULL, *disposition = NULL;
      gsize size = 0;
      g_autoptr(GBytes) raw = NULL;

      if (c->raw_path == NULL || !g_file_get_contents (c->raw_path, &data, &size, NULL))
        continue;
      raw = g_bytes_new_take (g_steal_pointer (&data), size);
      if (!cab_mdn_parse (raw, &original, &disposition))
        continue;
      {
        g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (store);
        g_autoptr(CabStmt) stmt = cab_store_conn_prepare (writer, "UPDATE mail_sent SET read_at = ?1, disposition = ?2"
                                                                  " WHERE message_id = ?3 AND read_at IS NULL", error);
        if (stmt == NULL)
          return -1;
        sqlite3_bind_int64 (stmt, 1, c->date);
        cab_stmt_bind_text (stmt, 2, disposition);
        cab_stmt_bind_text (stmt, 3, original);
        if (sqlite3_step (stmt) != SQLITE_DONE)
          {
            cab_store_set_sql_error (error, writer->db, "Cannot record a read receipt");
            return -1;
          }
        recorded += sqlite3_changes (writer->db);
      }
    }
  last_text = g_strdup_printf ("%" G_GINT64_FORMAT, last);
  if (last != after && !cab_store_set_state (store, WATERMARK_KEY, last_text, error))
    return -1;
  return recorded;
}

void
cab_mail_sent_row_free (CabMailSentRow *row)
{
  if (row == NULL)
    return;
  g_free (row->message_id);
  g_free (row->state);
  g_free (row->subject);
  g_free (row->to);
  g_free (row->last_error);
  g_free (row->reply);
  g_free (row->disposition);
  g_free (row);
}

GPtrArray *
cab_mail_sent_list (CabStore  *store,
                    GError   **error)
{
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, error);
  g_autoptr(CabStmt) stmt = NULL;
  GPtrArray *rows;

  if (reader == NULL ||
      !(stmt = cab_store_conn_prepare (reader,
                                       "SELECT s.entry_id, s.message_id, o.state, o.payload, o.last_error, s.accepted_at,"
                                       " s.reply, s.sent_copy, s.data_started, s.window_resends, s.found_in_sent,"
                                       " s.read_at, s.disposition, o.last_error_code, o.last_error_detail"
                                       " FROM mail_sent s JOIN outbox o ON o.id = s.entry_id ORDER BY s.entry_id DESC",
                                       error)))
    return NULL;
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_mail_sent_row_free);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      CabMailSentRow *row = g_new0 (CabMailSentRow, 1);
      g_autoptr(JsonParser) parser = json_parser_new ();

      row->entry_id = sqlite3_column_int64 (stmt, 0);
      row->message_id = cab_stmt_dup_text (stmt, 1);
      row->state = cab_stmt_dup_text (stmt, 2);
      if (json_parser_load_from_data (parser, (const char *) sqlite3_column_text (stmt, 3), -1, NULL) &&
          JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          JsonObject *o = json_node_get_object (json_parser_get_root (parser));
          JsonArray *to = json_object_has_member (o, "to") ? json_object_get_array_member (o, "to") : NULL;
          GString *s = g_string_new (NULL);

          row->subject = g_strdup (json_object_get_string_member_with_default (o, "subject", NULL));
          for (guint i = 0; to != NULL && i < json_array_get_length (to); i++)
            g_string_append_printf (s, "%s%s", i ? "," : "", json_array_get_string_element (to, i));
          row->to = g_string_free (s, FALSE);
        }
      /* In the reader's language (cab-outbox-error.h). */
      row->last_error = cab_outbox_error_describe ((const char *) sqlite3_column_text (stmt, 13),
                                                   (const char *) sqlite3_column_text (stmt, 14),
                                                   (const char *) sqlite3_column_text (stmt, 4));
      row->accepted_at = sqlite3_column_int64 (stmt, 5);
      row->reply = cab_stmt_dup_text (stmt, 6);
      row->sent_copy = sqlite3_column_int (stmt, 7) != 0;
      row->data_started = (guint) sqlite3_column_int (stmt, 8);
      row->window_resends = (guint) sqlite3_column_int (stmt, 9);
      row->found_in_sent = sqlite3_column_int (stmt, 10) != 0;
      row->read_at = sqlite3_column_int64 (stmt, 11);
      row->disposition = cab_stmt_dup_text (stmt, 12);
      g_ptr_array_add (rows, row);
    }
  return rows;
}
