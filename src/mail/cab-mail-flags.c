/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

/* The "mailflags" outbox kind (cab-mail-flags.h): the triage keywords'
 * transport, on the outbox's worker thread (cab-outbox-kind.h). */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "cab-imap.h"
#include "cab-mail-flags.h"
#include "cab-mail-flags-private.h"
#include "cab-mail-account.h"
#include "cab-mail-keywords.h"
#include "cab-mail-sync.h"
#include "cab-mail-triage-store.h"
#include "cab-mail-triage-store-private.h"
#include "cab-outbox-kind.h"

#define MAX_ROUNDS 3

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabImapFlags, cab_imap_flags_free)

/* One account as registered; replaced whole when the account changes
 * (cab_mail_flags_register() again), an attempt keeping the one it started
 * with. */
typedef struct
{
  gatomicrefcount ref;
  CabStore     *store;
  char         *url;
  char         *user;
  char         *password;
  char         *account;      /* "user@host", as the store files messages */
  GTlsDatabase *database;
  char         *ca_file;
  guint         timeout_s;
} Account;

typedef struct
{
  GMutex   lock;
  Account *account;   /* under @lock; NULL: no mailbox is set up */
} FlagsKind;

#define FLAGS_KIND_KEY "cab-mail-flags-kind"

typedef struct
{
  char    *account;
  char    *mailbox;
  gint64   uidvalidity;
  gint64   uid;
  char   **base;
  char   **want;
  int      seen;     /* a read/unread change (cab-mail-seen.h): 1 or 0; -1: triage */
} Change;

static void
account_unref (Account *a)
{
  if (!g_atomic_ref_count_dec (&a->ref))
    return;
  g_clear_object (&a->store);
  g_free (a->url);
  g_free (a->user);
  g_free (a->password);
  g_free (a->account);
  g_clear_object (&a->database);
  g_free (a->ca_file);
  g_free (a);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Account, account_unref)

static Account *
flags_kind_dup_account (FlagsKind *k)
{
  Account *a;

  g_mutex_lock (&k->lock);
  a = k->account;
  if (a != NULL)
    g_atomic_ref_count_inc (&a->ref);
  g_mutex_unlock (&k->lock);
  return a;
}

static void
flags_kind_free (gpointer data)
{
  FlagsKind *k = data;

  g_clear_pointer (&k->account, account_unref);
  g_mutex_clear (&k->lock);
  g_free (k);
}

static void
change_clear (Change *c)
{
  g_free (c->account);
  g_free (c->mailbox);
  g_strfreev (c->base);
  g_strfreev (c->want);
}

static gboolean
read_change (const CabOutboxEntry *entry,
             Change               *c)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;

  if (!json_parser_load_from_data (parser, entry->payload, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  o = json_node_get_object (json_parser_get_root (parser));
  c->account = g_strdup (json_object_get_string_member_with_default (o, "account", NULL));
  c->mailbox = g_strdup (json_object_get_string_member_with_default (o, "mailbox", NULL));
  c->uidvalidity = json_object_get_int_member_with_default (o, "uidvalidity", 0);
  c->uid = json_object_get_int_member_with_default (o, "uid", 0);
  c->base = cab_mail_keywords_split (json_object_get_string_member_with_default (o, "base", ""));
  c->want = cab_mail_keywords_split (json_object_get_string_member_with_default (o, "want", ""));
  c->seen = json_object_has_member (o, "seen") ? json_object_get_boolean_member_with_default (o, "seen", FALSE) : -1;
  return c->account != NULL && c->mailbox != NULL && c->uid > 0 && c->uid <= G_MAXUINT32;
}

gboolean
cab_mail_flags_queue_locked (CabStoreWriter           *writer,
                             const CabMailFlagsChange *change,
                             gint64                   *entry_id,
                             GError                  **error)
{
  g_autofree char *key = g_uuid_string_random ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *payload = NULL;
  CabOutboxEntry entry = { 0 };
  gint64 ignored = 0;

  /* No "summary": the Outbox makes the title from "seen" or "action" when
   * it shows the entry, in the language of that moment
   * (cab-outbox-describe.c). */
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "mail_id");
  json_builder_add_int_value (b, change->mail_id);
  json_builder_set_member_name (b, "account");
  json_builder_add_string_value (b, change->account);
  json_builder_set_member_name (b, "mailbox");
  json_builder_add_string_value (b, change->mailbox);
  json_builder_set_member_name (b, "uidvalidity");
  json_builder_add_int_value (b, change->uidvalidity);
  json_builder_set_member_name (b, "uid");
  json_builder_add_int_value (b, change->uid);
  /* read_change() tells the two apart by "seen". */
  if (change->seen >= 0)
    {
      json_builder_set_member_name (b, "seen");
      json_builder_add_boolean_value (b, change->seen != 0);
    }
  else
    {
      json_builder_set_member_name (b, "action");
      json_builder_add_string_value (b, change->action != NULL ? change->action : "");
      json_builder_set_member_name (b, "base");
      json_builder_add_string_value (b, change->base != NULL ? change->base : "");
      json_builder_set_member_name (b, "want");
      json_builder_add_string_value (b, change->want != NULL ? change->want : "");
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  payload = json_to_string (root, FALSE);

  entry.kind = (char *) CAB_MAIL_FLAGS_KIND;
  entry.lane = (char *) change->lane;
  entry.key = key;
  entry.payload = payload;
  entry.state = CAB_OUTBOX_STATE_PENDING;
  return cab_store_outbox_insert_locked (writer, &entry, entry_id != NULL ? entry_id : &ignored, error);
}

/* Transport trouble is retried; a refusal of the account is not. */
static void
set_error_result (GError              *error,
                  CabOutboxSendResult *result)
{
  if (error->domain == CAB_IMAP_ERROR && error->code == CAB_IMAP_ERROR_AUTH)
    {
      result->status = CAB_OUTBOX_SEND_FAILED;
      result->message = g_strdup_printf (_("The mail server refused the mailbox's credentials: %s"),
                                         error->message);
      return;
    }
  result->status = CAB_OUTBOX_SEND_RETRY;
  result->message = g_strdup (error->message);
  result->unreachable = error->domain == CAB_IMAP_ERROR &&
                        error->code != CAB_IMAP_ERROR_PROTOCOL && error->code != CAB_IMAP_ERROR_TOO_LARGE;
}

static CabImap *
open_mailbox (Account              *a,
              const Change         *c,
              GCancellable         *cancellable,
              CabOutboxSendResult  *result)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabImap) imap = NULL;
  g_autoptr(CabMailAccount) account = NULL;
  CabMailAccountSpec spec = { 0 };
  CabImapMailbox state = { 0 };

  /* The account was removed (cab_mail_flags_unset()): the change waits,
   * with the reason, and nothing reaches the old server. */
  if (a == NULL)
    {
      result->status = CAB_OUTBOX_SEND_RETRY;
      result->message = g_strdup (_("No mailbox is set up (Preferences → Mail): this change waits here until one is"));
      return NULL;
    }
  spec = (CabMailAccountSpec) {
    .url = a->url, .user = a->user, .account = a->account,
    .password = a->password, .database = a->database, .ca_file = a->ca_file,
  };
  if (g_strcmp0 (c->account, a->account) != 0)
    {
      result->status = CAB_OUTBOX_SEND_FAILED;
      result->message = g_strdup (_("This change is for another mail account"));
      return NULL;
    }
  /* The app gives a CA file and no password: both are read here, off the
   * main thread, at each attempt (a password saved meanwhile is taken). */
  if ((account = cab_mail_account_load (&spec, &error)) == NULL)
    {
      result->status = CAB_OUTBOX_SEND_RETRY;
      result->message = g_strdup (error->message);
      return NULL;
    }
  imap = cab_imap_connect (a->url, account->database, a->timeout_s, cancellable, &error);
  if (imap == NULL ||
      !(account->token != NULL
        ? cab_imap_login_xoauth2 (imap, a->user, cab_mail_account_token_func, account, &error)
        : cab_imap_login (imap, a->user, account->password, &error)) ||
      !cab_imap_select (imap, c->mailbox, &state, &error))
    {
      set_error_result (error, result);
      return NULL;
    }
  if (state.uidvalidity != (guint32) c->uidvalidity)
    {
      result->status = CAB_OUTBOX_SEND_FAILED;
      result->message = g_strdup (_("The server renumbered the mailbox: synchronize the inbox, "
                                    "then triage the message again"));
      return NULL;
    }
  return g_steal_pointer (&imap);
}

/* Reads the message's flags: NULL with @result filled when it is gone or
 * the server failed. */
static CabImapFlags *
read_flags (CabImap              *imap,
            const Change         *c,
            CabOutboxSendResult  *result)
{
  g_autoptr(GError) error = NULL;
  CabImapFlags *flags = NULL;

  if (!cab_imap_fetch_uid_flags (imap, (guint32) c->uid, &flags, &error))
    {
      set_error_result (error, result);
      return NULL;
    }
  if (flags == NULL)
    {
      result->status = CAB_OUTBOX_SEND_FAILED;
      result->message = g_strdup (_("The message is no longer on the mail server"));
    }
  return flags;
}

static void
record (Account             *a,
        const Change        *c,
        const CabImapFlags  *flags)
{
  g_autoptr(GError) error = NULL;

  if (a->store != NULL &&
      !cab_mail_store_set_server_keywords (a->store, c->account, c->mailbox, (guint32) c->uidvalidity,
                                           flags->uid, (const char * const *) flags->keywords,
                                           flags->modseq, &error))
    g_warning ("Cannot record a message's keywords: %s", error->message);
}

static void
done (CabOutboxSendResult *result,
      const CabImapFlags  *flags)
{
  result->status = CAB_OUTBOX_SEND_DONE;
  result->server_id = g_strdup_printf ("modseq %" G_GUINT64_FORMAT, flags->modseq);
}

/* The other flags as read, with our keywords replaced by @want. */
static char **
merged (const CabImapFlags  *flags,
        char               **want)
{
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; flags->keywords[i] != NULL; i++)
    if (!cab_mail_keyword_is_triage (flags->keywords[i]))
      g_ptr_array_add (out, g_strdup (flags->keywords[i]));
  for (guint i = 0; want[i] != NULL; i++)
    g_ptr_array_add (out, g_strdup (want[i]));
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

/* What the server holds, kept with the conflict: {"keywords": "...",
 * "modseq": n} (cabinetctl outbox list shows it as the server's copy). */
static char *
conflict_json (char    **theirs,
               guint64   modseq)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *joined = g_strjoinv (" ", theirs);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "keywords");
  json_builder_add_string_value (b, joined);
  json_builder_set_member_name (b, "modseq");
  json_builder_add_int_value (b, (gint64) MIN (modseq, (guint64) G_MAXINT64));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static gboolean
has_seen (const CabImapFlags *flags)
{
  for (guint i = 0; flags->keywords[i] != NULL; i++)
    if (g_ascii_strcasecmp (flags->keywords[i], "\\Seen") == 0)
      return TRUE;
  return FALSE;
}

/* The flags as read, with \Seen set or cleared. */
static char **
with_seen (const CabImapFlags *flags,
           gboolean            seen)
{
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; flags->keywords[i] != NULL; i++)
    if (g_ascii_strcasecmp (flags->keywords[i], "\\Seen") != 0)
      g_ptr_array_add (out, g_strdup (flags->keywords[i]));
  if (seen)
    g_ptr_array_add (out, g_strdup ("\\Seen"));
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

/* What the change wants is on the server. */
static gboolean
applied (const Change       *c,
         const CabImapFlags *flags)
{
  g_auto(GStrv) ours = NULL;

  if (c->seen >= 0)
    return has_seen (flags) == c->seen;
  ours = cab_mail_keywords_triage_only ((const char * const *) flags->keywords);
  return cab_mail_keywords_equal ((const char * const *) ours, (const char * const *) c->want);
}

static void
flags_send (const CabOutboxEntry *entry,
            gint64                deadline,
            GCancellable         *cancellable,
            gpointer              user_data,
            CabOutboxSendResult  *result)
{
  g_autoptr(Account) a = flags_kind_dup_account (user_data);
  g_autoptr(CabImap) imap = NULL;
  Change c = { 0 };

  if (!read_change (entry, &c))
    {
      result->status = CAB_OUTBOX_SEND_FAILED;
      result->message = g_strdup (_("This change cannot be read"));
      goto out;
    }
  if ((imap = open_mailbox (a, &c, cancellable, result)) == NULL)
    goto out;

  for (guint round = 0; round < MAX_ROUNDS; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CabImapFlags) flags = read_flags (imap, &c, result);
      g_auto(GStrv) ours = NULL;
      g_auto(GStrv) wanted = NULL;

      if (flags == NULL)
        goto out;
      if (applied (&c, flags))
        {
          record (a, &c, flags);
          done (result, flags);
          goto out;
        }
      /* Read or unread: the last desk's word stands, there is no conflict. */
      ours = cab_mail_keywords_triage_only ((const char * const *) flags->keywords);
      if (c.seen < 0 && !cab_mail_keywords_equal ((const char * const *) ours, (const char * const *) c.base))
        {
          record (a, &c, flags);
          result->status = CAB_OUTBOX_SEND_CONFLICT;
          result->conflict = conflict_json (ours, flags->modseq);
          result->message = g_strdup (_("Another desk changed this message's triage meanwhile: "
                                        "see what the server holds"));
          goto out;
        }
      if (g_get_monotonic_time () > deadline || g_cancellable_is_cancelled (cancellable))
        break;
      wanted = c.seen >= 0 ? with_seen (flags, c.seen) : merged (flags, c.want);
      /* Refused (MODIFIED) if anything changed since this read: read again. */
      if (!cab_imap_store_uid_flags (imap, (guint32) c.uid, flags->modseq, (const char * const *) wanted,
                                     &error))
        {
          set_error_result (error, result);
          goto out;
        }
    }
  result->status = CAB_OUTBOX_SEND_RETRY;
  result->message = g_strdup (_("The message kept changing on the mail server: trying again later"));

out:
  change_clear (&c);
}

/* After a crash: the change is there when the server holds what we wanted. */
static gboolean
flags_already_applied (const CabOutboxEntry *entry,
                       gint64                deadline,
                       GCancellable         *cancellable,
                       gpointer              user_data,
                       CabOutboxSendResult  *result)
{
  g_autoptr(Account) a = flags_kind_dup_account (user_data);
  g_autoptr(CabImap) imap = NULL;
  g_autoptr(CabImapFlags) flags = NULL;
  Change c = { 0 };
  gboolean answered = TRUE;

  if (!read_change (entry, &c))
    answered = FALSE;   /* send() says why */
  else if ((imap = open_mailbox (a, &c, cancellable, result)) == NULL ||
           (flags = read_flags (imap, &c, result)) == NULL)
    answered = TRUE;    /* result says what went wrong */
  else
    {
      answered = applied (&c, flags);
      if (answered)
        {
          record (a, &c, flags);
          done (result, flags);
        }
    }
  change_clear (&c);
  return answered;
}

static const CabOutboxSender flags_sender = {
  .kind = CAB_MAIL_FLAGS_KIND,
  .send = flags_send,
  .already_applied = flags_already_applied,
  .timeout_s = 120,
};

/* ------------------------------------------------------ local effects */

static gint64
payload_mail_id (const CabOutboxEntry *entry)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (entry->payload == NULL || !json_parser_load_from_data (parser, entry->payload, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return 0;
  return json_object_get_int_member_with_default (json_node_get_object (json_parser_get_root (parser)),
                                                  "mail_id", 0);
}

/* Cancelled, or the server's triage kept: the message's triage here is the
 * server's again, with this desk's other open changes on it; documents
 * filed by this change leave the patient's timeline. */
static gboolean
flags_cancelled (CabStoreWriter        *writer,
                 const CabOutboxEntry  *entry,
                 GError               **error)
{
  gint64 mail_id = payload_mail_id (entry);

  if (mail_id <= 0)
    return TRUE;   /* unreadable: nothing of it was made here */
  /* A read or unread cancelled (cab-mail-seen.h): the server's \Seen is
   * shown again unless another such change is still on its way. */
  if (entry->lane != NULL && g_str_has_prefix (entry->lane, "mailseen:"))
    {
      g_autoptr(CabStmt) stmt = cab_store_conn_prepare (writer,
        "UPDATE mail_messages SET seen_local = NULL WHERE id = ?1"
        " AND NOT EXISTS (SELECT 1 FROM outbox WHERE lane = ?2 AND id != ?3"
        "                 AND state IN ('pending', 'sending', 'held', 'failed', 'conflict'))", error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, mail_id);
      cab_stmt_bind_text (stmt, 2, entry->lane);
      sqlite3_bind_int64 (stmt, 3, entry->id);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          cab_store_set_sql_error (error, writer->db, "Cannot restore a message's read state");
          return FALSE;
        }
      return TRUE;
    }
  return cab_mail_follow_restore_locked (writer, mail_id, entry->id, error);
}

/* "Keep mine": my change carried onto what the server holds now (the
 * keywords last read, at the conflict or by a later sync) becomes the
 * entry's; sending then checks against that, and stores UNCHANGEDSINCE the
 * MODSEQ it reads. */
static char *
flags_rebase (CabStoreWriter        *writer,
              const CabOutboxEntry  *entry,
              GError               **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(CabStmt) stmt = NULL;
  g_auto(GStrv) server = NULL, theirs = NULL, base = NULL, want = NULL, rebased = NULL;
  g_autofree char *base_text = NULL, *want_text = NULL;
  JsonObject *o;
  JsonNode *root;
  gint64 mail_id;

  if (entry->payload == NULL || !json_parser_load_from_data (parser, entry->payload, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)) ||
      (mail_id = json_object_get_int_member_with_default (
         json_node_get_object (json_parser_get_root (parser)), "mail_id", 0)) <= 0)
    {
      g_set_error_literal (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_WRONG_STATE, _("This change cannot be read"));
      return NULL;
    }
  root = json_parser_get_root (parser);
  o = json_node_get_object (root);
  stmt = cab_store_conn_prepare (writer, "SELECT server_keywords FROM mail_messages WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, mail_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error_literal (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_WRONG_STATE,
                           _("The message is no longer in the inbox"));
      return NULL;
    }
  server = cab_mail_keywords_split ((const char *) sqlite3_column_text (stmt, 0));
  /* The restore below prepares this same statement: give it back first. */
  g_clear_pointer (&stmt, cab_stmt_release);
  theirs = cab_mail_keywords_triage_only ((const char * const *) server);
  base = cab_mail_keywords_split (json_object_get_string_member_with_default (o, "base", ""));
  want = cab_mail_keywords_split (json_object_get_string_member_with_default (o, "want", ""));
  rebased = cab_mail_keywords_rebase ((const char * const *) theirs, (const char * const *) base,
                                      (const char * const *) want);
  /* The local triage follows (this entry's old payload carries the same
   * change, so restoring with it gives the rebased want). */
  if (!cab_mail_follow_restore_locked (writer, mail_id, 0, error))
    return NULL;
  base_text = cab_mail_keywords_join ((const char * const *) theirs);
  want_text = cab_mail_keywords_join ((const char * const *) rebased);
  json_object_set_string_member (o, "base", base_text);
  json_object_set_string_member (o, "want", want_text);
  return json_to_string (root, FALSE);
}

static const CabOutboxLocalEffects flags_effects = {
  .kind = CAB_MAIL_FLAGS_KIND,
  .cancelled = flags_cancelled,
  .rebase = flags_rebase,
};

void
cab_mail_flags_register_effects (CabOutbox *outbox)
{
  g_return_if_fail (CAB_IS_OUTBOX (outbox));

  cab_outbox_add_local_effects (outbox, &flags_effects);
}

void
cab_mail_flags_register (CabOutbox                 *outbox,
                         CabStore                  *store,
                         const CabMailFlagsAccount *account)
{
  FlagsKind *k;
  Account *a;

  g_return_if_fail (CAB_IS_OUTBOX (outbox));
  g_return_if_fail (account != NULL && account->url != NULL && account->user != NULL);

  a = g_new0 (Account, 1);
  g_atomic_ref_count_init (&a->ref);
  a->store = store != NULL ? g_object_ref (store) : NULL;
  a->url = g_strdup (account->url);
  a->user = g_strdup (account->user);
  a->password = g_strdup (account->password);
  a->account = cab_mail_sync_account_key (account->url, account->user, NULL);
  a->database = account->database != NULL ? g_object_ref (account->database) : NULL;
  a->ca_file = g_strdup (account->ca_file);
  a->timeout_s = account->timeout_s;

  /* Registered already: the account changed (the preferences' Mail page).
   * Changes queued for the old account fail as "for another account". */
  k = g_object_get_data (G_OBJECT (outbox), FLAGS_KIND_KEY);
  if (k != NULL)
    {
      Account *old;

      g_mutex_lock (&k->lock);
      old = k->account;
      k->account = a;
      g_mutex_unlock (&k->lock);
      g_clear_pointer (&old, account_unref);
      return;
    }

  k = g_new0 (FlagsKind, 1);
  g_mutex_init (&k->lock);
  k->account = a;
  /* The kind lives as long as the outbox: no destroy notify here. */
  g_object_set_data (G_OBJECT (outbox), FLAGS_KIND_KEY, k);
  cab_outbox_add_kind (outbox, &flags_sender, k, flags_kind_free);
  cab_mail_flags_register_effects (outbox);
}

void
cab_mail_flags_unset (CabOutbox *outbox)
{
  FlagsKind *k;
  Account *old;

  g_return_if_fail (CAB_IS_OUTBOX (outbox));

  k = g_object_get_data (G_OBJECT (outbox), FLAGS_KIND_KEY);
  if (k == NULL)
    return;
  /* Attempts under way finish with the account they started with. */
  g_mutex_lock (&k->lock);
  old = g_steal_pointer (&k->account);
  g_mutex_unlock (&k->lock);
  g_clear_pointer (&old, account_unref);
}
