/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

/* Sending one queued message (docs/architecture.md, "Sending mail"). SMTP
 * has no idempotency, so the store keeps what the server may have:
 *   1. the first byte of DATA commits mail_sent.data_started + 1;
 *   2. the server's acceptance commits accepted_at and its reply;
 *   3. the copy is appended to the Sent folder, then sent_copy = 1.
 * An attempt that finds data_started > 0 without accepted_at (a crash, a
 * cut or a deadline during DATA) looks for the Message-ID in the Sent
 * folder first and sends again only when it is not there (counted in
 * window_resends: the one way a recipient can get two copies, both with
 * the same Message-ID). accepted_at set means sent: only the copy may be
 * missing. */

#include "cab-mail-send.h"

#include <string.h>

#include "cab-imap-append.h"
#include "cab-json-read.h"
#include "cab-mail-recipients.h"
#include "cab-mdn.h"
#include "cab-mime-compose.h"
#include "cab-store-private.h"
#include "cab-xdm-writer.h"

typedef struct
{
  CabStore *store;
  gint64    entry_id;
} DataMark;

static gboolean
exec_update (CabStore *store, const char *sql, gint64 entry_id, gint64 value, const char *text, GError **error)
{
  g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (store);
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (writer, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, entry_id);
  sqlite3_bind_int64 (stmt, 2, value);
  cab_stmt_bind_text (stmt, 3, text);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, writer->db, "Cannot record the message's progress");
      return FALSE;
    }
  return TRUE;
}

/* Step 1, from inside DATA: if it cannot be recorded, nothing is sent. */
static gboolean
mark_data_started (gpointer user_data)
{
  DataMark *mark = user_data;
  g_autoptr(GError) error = NULL;

  if (!exec_update (mark->store, "UPDATE mail_sent SET data_started = data_started + 1 WHERE entry_id = ?1 AND ?2 = ?2 AND ?3 IS ?3",
                    mark->entry_id, 0, NULL, &error))
    {
      g_warning ("Mail not sent: %s", error->message);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  guint    data_started;
  gint64   accepted_at;
  gboolean sent_copy;
} SentState;

static gboolean
read_state (CabStore *store, gint64 entry_id, SentState *state, GError **error)
{
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, error);
  g_autoptr(CabStmt) stmt = NULL;

  if (reader == NULL ||
      !(stmt = cab_store_conn_prepare (reader, "SELECT data_started, accepted_at, sent_copy FROM mail_sent WHERE entry_id = ?1", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, entry_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND, "No such message");
      return FALSE;
    }
  state->data_started = (guint) sqlite3_column_int (stmt, 0);
  state->accepted_at = sqlite3_column_int64 (stmt, 1);
  state->sent_copy = sqlite3_column_int (stmt, 2) != 0;
  return TRUE;
}

static CabImap *
open_imap (const CabMailServers *servers, GError **error)
{
  g_autoptr(CabImap) imap = cab_imap_connect (servers->imap_url, servers->database, 0, NULL, error);

  if (imap == NULL)
    return NULL;
  if (servers->imap_token_func != NULL
      ? !cab_imap_login_xoauth2 (imap, servers->imap_user, servers->imap_token_func, servers->imap_token_data, error)
      : !cab_imap_login (imap, servers->imap_user, servers->imap_password, error))
    return NULL;
  return g_steal_pointer (&imap);
}

static GBytes *
load (const char *path, GError **error)
{
  char *data = NULL;
  gsize size = 0;

  if (path == NULL || !g_file_get_contents (path, &data, &size, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no file");
      return NULL;
    }
  return g_bytes_new_take (data, size);
}

/* The name the recipient sees on a timeline document's PDF: "<title>
 * <YYYY-MM-DD>.pdf" rather than the XDM's "DOC0001.PDF", which stays the
 * name inside IHE_XDM.zip (XDM wants it there). What a file system or a
 * header refuses becomes a space; a title repeated gets " (2)". */
static char *
readable_pdf_name (JsonObject *d, GArray *pdfs)
{
  const char *title = cab_json_read_string (d, "title") ?: cab_json_read_string (d, "type_display");
  const char *created = cab_json_read_string (d, "creation_time");
  g_autofree char *valid = title != NULL ? g_utf8_make_valid (title, -1) : NULL;
  g_autofree char *cut = NULL;
  g_autoptr(GString) base = g_string_new (NULL);
  char *name;

  if (valid == NULL)
    return g_strdup (cab_json_read_string (d, "name"));
  for (const char *p = valid; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || c == 0x7f || (c < 0x80 && strchr ("/\\:*?\"<>|", (int) c) != NULL))
        c = ' ';
      g_string_append_unichar (base, c);
    }
  cut = g_strstrip (g_utf8_substring (base->str, 0, MIN (g_utf8_strlen (base->str, -1), 100)));
  if (*cut == '\0')
    return g_strdup (cab_json_read_string (d, "name"));
  g_string_assign (base, cut);
  if (created != NULL && strlen (created) >= 8 && strspn (created, "0123456789") >= 8)
    g_string_append_printf (base, " %.4s-%.2s-%.2s", created, created + 4, created + 6);
  name = g_strdup_printf ("%s.pdf", base->str);
  for (guint n = 2; n < 100; n++)
    {
      gboolean taken = FALSE;

      for (guint i = 0; i < pdfs->len && !taken; i++)
        taken = g_strcmp0 (g_array_index (pdfs, CabMimeOutAttachment, i).filename, name) == 0;
      if (!taken)
        break;
      g_free (name);
      name = g_strdup_printf ("%s (%u).pdf", base->str, n);
    }
  return name;
}

static GBytes *
build_xdm (JsonObject *xdm, const char *from, GPtrArray *keep, GArray *pdfs, GError **error)
{
  JsonObject *p = cab_json_read_object (xdm, "patient");
  JsonArray *docs = cab_json_read_array (xdm, "documents");
  g_autoptr(GArray) out = g_array_new (FALSE, TRUE, sizeof (CabXdmOutDocument));
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *now_text = g_date_time_format (now, "%Y%m%d%H%M%S");
  g_autofree char *author = g_strdup_printf ("^%s^^^^^^^^&1.2.250.1.71.4.2.1&ISO", from);
  const char *sex = cab_json_read_string (p, "sex");
  CabXdmPatient patient = {
    .ins = cab_json_read_string (p, "ins"),
    .ins_oid = cab_json_read_string (p, "ins_oid"),
    .birth_family = cab_json_read_string (p, "birth_family"),
    .usage_family = cab_json_read_string (p, "usage_family"),
    .given = cab_json_read_string (p, "given"),
    .birth_date = cab_json_read_string (p, "birth_date"),
    .sex = sex != NULL ? sex[0] : 0,
  };
  CabXdmSubmission submission = {
    .patient = &patient, .author = author, .submission_time = now_text, .software = "Cabinet " PACKAGE_VERSION,
  };

  for (guint i = 0; docs != NULL && i < json_array_get_length (docs); i++)
    {
      JsonObject *d = cab_json_array_read_object (docs, i);
      GBytes *content = load (cab_json_read_string (d, "path"), error);
      CabXdmOutDocument doc;

      if (content == NULL)
        return NULL;
      g_ptr_array_add (keep, content);
      doc = (CabXdmOutDocument) {
        .file_name = cab_json_read_string (d, "name"),
        .mime_type = cab_json_read_string (d, "mime"),
        .title = cab_json_read_string (d, "title"),
        .type_code = cab_json_read_string (d, "type_code"),
        .type_display = cab_json_read_string (d, "type_display"),
        .class_code = cab_json_read_string (d, "class_code"),
        .creation_time = cab_json_read_string (d, "creation_time"),
        .content = content,
      };
      g_array_append_val (out, doc);
      if (g_strcmp0 (doc.mime_type, "application/pdf") == 0)
        {
          char *name = readable_pdf_name (d, pdfs);
          /* Kept alive with the contents (a NUL-terminated GBytes). */
          GBytes *held = g_bytes_new_take (name, strlen (name) + 1);
          CabMimeOutAttachment pdf = { .filename = name, .content_type = "application/pdf", .content = content };

          g_ptr_array_add (keep, held);
          g_array_append_val (pdfs, pdf);
        }
    }
  return cab_xdm_write (&submission, (CabXdmOutDocument *) out->data, out->len, error);
}

/* The message's bytes from its payload (the same Message-ID and Date each time). */
static GBytes *
compose (JsonObject *o, char ***to_out, GError **error)
{
  g_auto(GStrv) to = cab_json_read_strv (o, "to", G_MAXUINT);
  g_auto(GStrv) names = cab_mail_recipient_names_read (o, g_strv_length (to));
  g_auto(GStrv) codes = cab_json_read_strv (o, "codecda", G_MAXUINT);
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GArray) attachments = g_array_new (FALSE, TRUE, sizeof (CabMimeOutAttachment));
  g_autoptr(GBytes) zip = NULL;
  JsonArray *files = cab_json_read_array (o, "files");
  JsonObject *mdn = cab_json_read_object (o, "mdn");
  JsonObject *xdm = cab_json_read_object (o, "xdm");
  CabMimeComposition c;
  GBytes *raw;

  /* A read receipt (cab-mail-mdn-answer.c): its own Message-ID and Date. */
  if (mdn != NULL)
    {
      if (to[0] == NULL || to[1] != NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "a read receipt has one recipient");
          return NULL;
        }
      raw = cab_mdn_compose (cab_json_read_string (o, "from"), cab_json_read_string (o, "from_name"), to[0],
                             cab_json_read_string (o, "message_id"),
                             cab_json_read_string (mdn, "original_message_id"),
                             cab_json_read_string (mdn, "original_subject"),
                             cab_json_read_boolean (mdn, "automatic", FALSE),
                             cab_json_read_int (o, "date", 0), error);
      if (raw != NULL)
        *to_out = g_steal_pointer (&to);
      return raw;
    }
  for (guint i = 0; files != NULL && i < json_array_get_length (files); i++)
    {
      JsonObject *f = cab_json_array_read_object (files, i);
      GBytes *content = load (cab_json_read_string (f, "path"), error);
      CabMimeOutAttachment a;

      if (content == NULL)
        return NULL;
      g_ptr_array_add (keep, content);
      a = (CabMimeOutAttachment) {
        .filename = cab_json_read_string (f, "name"),
        .content_type = cab_json_read_string (f, "type"),
        .content = content,
      };
      g_array_append_val (attachments, a);
    }
  if (xdm != NULL)
    {
      zip = build_xdm (xdm, cab_json_read_string (o, "from"), keep, attachments, error);
      if (zip == NULL)
        return NULL;
    }
  c = (CabMimeComposition) {
    .from = cab_json_read_string (o, "from"),
    .from_name = cab_json_read_string (o, "from_name"),
    .to = (const char * const *) to,
    .to_names = (const char * const *) names,
    .subject = cab_json_read_string (o, "subject"),
    .body = cab_json_read_string (o, "body"),
    .message_id = cab_json_read_string (o, "message_id"),
    .date = cab_json_read_int (o, "date", 0),
    .receipt = cab_json_read_boolean (o, "receipt", FALSE),
    .mss_ins = cab_json_read_string (o, "mss_ins"),
    .codecda = (const char * const *) codes,
    .attachments = (CabMimeOutAttachment *) attachments->data,
    .n_attachments = attachments->len,
    .xdm_zip = zip,
    .in_reply_to = cab_json_read_string (o, "in_reply_to"),
    .references = cab_json_read_string (o, "references"),
  };
  raw = cab_mime_compose (&c, error);
  if (raw != NULL)
    *to_out = g_steal_pointer (&to);
  return raw;
}

static void
append_copy (CabStore *store, const CabMailServers *servers, gint64 entry_id, GBytes *raw)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabImap) imap = NULL;

  if (servers->imap_url == NULL)
    return;
  imap = open_imap (servers, &error);
  if (imap == NULL || !cab_imap_append (imap, servers->sent_folder ? servers->sent_folder : CAB_IMAP_SENT_FOLDER,
                                        raw, &error))
    {
      /* Sent all the same: the copy is tried again at the next drain. */
      g_warning ("The copy of a sent message is not in the Sent folder yet: %s", error->message);
      return;
    }
  exec_update (store, "UPDATE mail_sent SET sent_copy = 1 WHERE entry_id = ?1 AND ?2 = ?2 AND ?3 IS ?3",
               entry_id, 0, NULL, NULL);
}

CabMailOutcome
cab_mail_send_entry (CabStore             *store,
                     const CabMailServers *servers,
                     gint64                entry_id,
                     const char           *payload,
                     char                **message,
                     CabSmtpFailure       *failure)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_auto(GStrv) to = NULL;
  g_autofree char *reply = NULL;
  JsonObject *o;
  SentState state = { 0 };
  DataMark mark = { store, entry_id };
  const char *message_id;

  *message = NULL;
  if (!json_parser_load_from_data (parser, payload, -1, NULL) || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      failure->code = "mail-damaged";
      *message = g_strdup (_("The queued message is damaged"));
      return CAB_MAIL_FAILED;
    }
  o = json_node_get_object (json_parser_get_root (parser));
  message_id = cab_json_read_string (o, "message_id");
  if (!read_state (store, entry_id, &state, &error))
    {
      *message = g_strdup (error->message);
      return CAB_MAIL_RETRY;
    }

  raw = compose (o, &to, &error);
  if (raw == NULL)
    {
      failure->code = "mail-build";
      failure->detail = g_strdup (error->message);
      *message = g_strdup_printf (_("The message cannot be built: %s"), error->message);
      return CAB_MAIL_FAILED;
    }

  if (state.accepted_at > 0)
    {
      /* Sent before a crash: only the copy may be missing. */
      if (!state.sent_copy)
        append_copy (store, servers, entry_id, raw);
      *message = g_strdup (_("Sent"));
      return CAB_MAIL_SENT;
    }

  if (state.data_started > 0 && servers->imap_url == NULL)
    {
      /* No Sent folder to look in (no IMAP account): sent again, counted,
       * rather than never sent. */
      if (!exec_update (store, "UPDATE mail_sent SET window_resends = window_resends + 1 WHERE entry_id = ?1 AND ?2 = ?2 AND ?3 IS ?3",
                        entry_id, 0, NULL, &error))
        {
          *message = g_strdup (error->message);
          return CAB_MAIL_RETRY;
        }
    }
  else if (state.data_started > 0)
    {
      g_autoptr(CabImap) imap = open_imap (servers, &error);
      gboolean found = FALSE;

      /* The server may have it: look before sending it again. Without the
       * Sent folder, nothing is resent (a retry later). */
      if (imap == NULL ||
          !cab_imap_find_message_id (imap, servers->sent_folder ? servers->sent_folder : CAB_IMAP_SENT_FOLDER,
                                     message_id, &found, &error))
        {
          failure->code = "mail-sent-folder";
          failure->detail = g_strdup (error->message);
          *message = g_strdup_printf (_("Cannot check the Sent folder before sending again: %s"), error->message);
          return CAB_MAIL_RETRY;
        }
      if (found)
        {
          exec_update (store, "UPDATE mail_sent SET found_in_sent = 1, sent_copy = 1, accepted_at = ?2 "
                              "WHERE entry_id = ?1 AND ?3 IS ?3", entry_id, g_get_real_time () / G_USEC_PER_SEC, NULL, NULL);
          *message = g_strdup (_("Found in the Sent folder: already sent"));
          return CAB_MAIL_SENT;
        }
      if (!exec_update (store, "UPDATE mail_sent SET window_resends = window_resends + 1 WHERE entry_id = ?1 AND ?2 = ?2 AND ?3 IS ?3",
                        entry_id, 0, NULL, &error))
        {
          *message = g_strdup (error->message);
          return CAB_MAIL_RETRY;
        }
    }

  if (!cab_smtp_send (&servers->smtp, cab_json_read_string (o, "from"), (const char * const *) to, raw,
                      mark_data_started, &mark, &reply, failure, &error))
    {
      *message = g_strdup (error->message);
      if (g_error_matches (error, CAB_SMTP_ERROR, CAB_SMTP_ERROR_REFUSED))
        return CAB_MAIL_FAILED;
      /* TLS and credentials need the user too, but nothing is lost by
       * trying again later: the entry stays pending with the reason. */
      return CAB_MAIL_RETRY;
    }

  /* Step 2: from here it is sent, whatever happens to the copy. */
  if (!exec_update (store, "UPDATE mail_sent SET accepted_at = ?2, reply = ?3 WHERE entry_id = ?1",
                    entry_id, g_get_real_time () / G_USEC_PER_SEC, reply, &error))
    g_warning ("Sent, but not recorded: %s", error->message);
  append_copy (store, servers, entry_id, raw);
  *message = g_strdup (reply != NULL ? reply : _("Sent"));
  return CAB_MAIL_SENT;
}
