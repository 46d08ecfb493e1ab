/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include <glib/gi18n-lib.h>

/* IMAP with libetpan over GIO streams (docs/architecture.md, "Mail stack").
 * libetpan's own TLS accepts any certificate, so it never opens a socket
 * here: it reads and writes through gio_driver below, over a
 * GSocketConnection or the GTlsClientConnection that wraps it, and GIO
 * verifies the peer (rule 6 of "Rules for hostile input"). Every read is
 * bounded by a silence timeout and by the deadline of the command it
 * belongs to (rule 2). */

#include "cab-imap.h"
#include "cab-imap-private.h"
#include "cab-read-ahead.h"

#include <libetpan/libetpan.h>
#include <string.h>
#include <stdlib.h>

G_DEFINE_QUARK (cab-imap-error-quark, cab_imap_error)

/* A command may take this long, plus one second per kB it brings. */
#define COMMAND_DEADLINE_S 60
#define MIN_RATE_BYTES_S   1024

typedef struct
{
  GIOStream    *stream;       /* what libetpan reads and writes */
  GSocket      *socket;
  GCancellable *cancellable;
  gboolean      holds_fd;     /* a pollfd of @cancellable, kept open */
  gint64        deadline;     /* monotonic µs; 0: none */
  GError       *error;        /* the last GIO failure, for the caller */
} GioLow;

struct _CabImap
{
  mailimap          *imap;
  GSocketConnection *connection;
  GioLow            *low;      /* the current driver's data (plain, then TLS) */
  GTlsDatabase      *database;
  GSocketConnectable *identity;
  GCancellable      *cancellable;
  guint              timeout_s;
  gboolean           qresync;   /* ENABLE QRESYNC done */
};

/* ---------------------------------------------------------------------- */
/* libetpan driver over a GIOStream                                        */
/* ---------------------------------------------------------------------- */

static gboolean
past_deadline (GioLow *l)
{
  if (l->deadline != 0 && g_get_monotonic_time () > l->deadline)
    {
      g_clear_error (&l->error);
      g_set_error (&l->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, _("The mail server is too slow"));
      return TRUE;
    }
  return FALSE;
}

static ssize_t
gio_read (mailstream_low *s, void *buffer, size_t count)
{
  GioLow *l = s->data;
  gssize n;

  if (past_deadline (l))
    return -1;
  g_clear_error (&l->error);
  n = g_input_stream_read (g_io_stream_get_input_stream (l->stream), buffer, count,
                           l->cancellable, &l->error);
  return n < 0 ? -1 : n;
}

static ssize_t
gio_write (mailstream_low *s, const void *buffer, size_t count)
{
  GioLow *l = s->data;
  gssize n;

  if (past_deadline (l))
    return -1;
  g_clear_error (&l->error);
  n = g_output_stream_write (g_io_stream_get_output_stream (l->stream), buffer, count,
                             l->cancellable, &l->error);
  return n < 0 ? -1 : n;
}

static int
gio_close (mailstream_low *s)
{
  GioLow *l = s->data;

  g_io_stream_close (l->stream, NULL, NULL);
  return 0;
}

static int
gio_get_fd (mailstream_low *s)
{
  GioLow *l = s->data;

  return g_socket_get_fd (l->socket);
}

static void
gio_low_free (GioLow *l)
{
  g_clear_object (&l->stream);
  g_clear_object (&l->socket);
  if (l->holds_fd)
    g_cancellable_release_fd (l->cancellable);
  g_clear_object (&l->cancellable);
  g_clear_error (&l->error);
  g_free (l);
}

/* Frees the driver, not the connection: after STARTTLS the TLS driver
 * goes on over the same socket. */
static void
gio_free (mailstream_low *s)
{
  gio_low_free (s->data);
  s->data = NULL;
  free (s);
}

static void
gio_cancel (mailstream_low *s)
{
  GioLow *l = s->data;

  g_cancellable_cancel (l->cancellable);
}

static struct mailstream_cancel *
gio_get_cancel (mailstream_low *s)
{
  return NULL;
}

static carray *
gio_get_certificate_chain (mailstream_low *s)
{
  return NULL;
}

static int
gio_idle_unsupported (mailstream_low *s)
{
  return -1;
}

static mailstream_low_driver gio_driver = {
  .mailstream_read = gio_read,
  .mailstream_write = gio_write,
  .mailstream_close = gio_close,
  .mailstream_get_fd = gio_get_fd,
  .mailstream_free = gio_free,
  .mailstream_cancel = gio_cancel,
  .mailstream_get_cancel = gio_get_cancel,
  .mailstream_get_certificate_chain = gio_get_certificate_chain,
  .mailstream_setup_idle = gio_idle_unsupported,
  .mailstream_unsetup_idle = gio_idle_unsupported,
  .mailstream_interrupt_idle = gio_idle_unsupported,
};

static mailstream_low *
gio_low_new (CabImap *self, GIOStream *stream)
{
  GioLow *l = g_new0 (GioLow, 1);

  l->stream = g_object_ref (stream);
  l->socket = g_object_ref (g_socket_connection_get_socket (self->connection));
  l->cancellable = self->cancellable ? g_object_ref (self->cancellable) : g_cancellable_new ();
  /* Each blocking wait on the socket polls the cancellable's fd, which
   * GLib opens for the wait and closes after it when nothing else holds
   * it: an eventfd() and a close() per wait, 33,000 in the bench's sync.
   * Held for the driver's life, it is opened once. */
  l->holds_fd = g_cancellable_make_pollfd (l->cancellable, &(GPollFD) { 0 });
  self->low = l;
  return mailstream_low_new (l, &gio_driver);
}

/* ---------------------------------------------------------------------- */
/* Errors                                                                 */
/* ---------------------------------------------------------------------- */

static void
set_deadline (CabImap *self, guint64 expected_bytes)
{
  self->low->deadline = g_get_monotonic_time () +
                        (COMMAND_DEADLINE_S + expected_bytes / MIN_RATE_BYTES_S) * G_USEC_PER_SEC;
}

/* A libetpan result as a GError; a GIO failure below it wins. */
static gboolean
check (CabImap *self, int r, const char *what, GError **error)
{
  if (r == MAILIMAP_NO_ERROR || r == MAILIMAP_NO_ERROR_AUTHENTICATED ||
      r == MAILIMAP_NO_ERROR_NON_AUTHENTICATED)
    return TRUE;
  if (self->low->error != NULL && g_error_matches (self->low->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_steal_pointer (&self->low->error));
  else if (self->low->error != NULL || r == MAILIMAP_ERROR_STREAM)
    g_set_error (error, CAB_IMAP_ERROR, CAB_IMAP_ERROR_NETWORK, _("%s: the connection to the mail server failed (%s)"),
                 what, self->low->error ? self->low->error->message : _("closed"));
  else if (r == MAILIMAP_ERROR_LOGIN)
    g_set_error (error, CAB_IMAP_ERROR, CAB_IMAP_ERROR_AUTH, _("The mail server refused the user name or password"));
  else
    g_set_error (error, CAB_IMAP_ERROR, CAB_IMAP_ERROR_PROTOCOL, _("%s: the mail server refused (libetpan error %d)"),
                 what, r);
  return FALSE;
}

static void
tls_error (GTlsConnection *tls, GError *cause, GError **error)
{
  GTlsCertificateFlags flags = g_tls_connection_get_peer_certificate_errors (tls);

  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_error_copy (cause));
  else if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    g_set_error (error, CAB_IMAP_ERROR, CAB_IMAP_ERROR_TLS_UNKNOWN_CA,
                 _("The mail server's certificate is not signed by a trusted authority (check the CA file)"));
  else if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    g_set_error (error, CAB_IMAP_ERROR, CAB_IMAP_ERROR_TLS_BAD_IDENTITY,
                 _("The mail server's certificate is for another host name"));
  else
    g_set_error (error, CAB_IMAP_ERROR, CAB_IMAP_ERROR_TLS_FAILED,
                 _("The TLS connection to the mail server failed: %s"), cause->message);
}

/* ---------------------------------------------------------------------- */
/* Connection                                                             */
/* ---------------------------------------------------------------------- */

gboolean
cab_imap_parse_url (const char  *url,
                    char       **host,
                    guint16     *port,
                    gboolean    *implicit_tls,
                    GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *path;

  if (url != NULL)
    uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  path = uri ? g_uri_get_path (uri) : NULL;
  if (uri == NULL || scheme == NULL ||
      (g_ascii_strcasecmp (scheme, "imaps") != 0 && g_ascii_strcasecmp (scheme, "imap") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL ||
      (path != NULL && *path != '\0' && !g_str_equal (path, "/")))
    {
      g_set_error (error, CAB_IMAP_ERROR, CAB_IMAP_ERROR_URL,
                   _("The mail server must be given as imaps://host[:port] or imap://host[:port]"));
      return FALSE;
    }
  *implicit_tls = g_ascii_strcasecmp (scheme, "imaps") == 0;
  *host = g_strdup (g_uri_get_host (uri));
  *port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : (*implicit_tls ? 993 : 143);
  return TRUE;
}

/* Wraps the socket in TLS, verified by GIO, and hands it to libetpan. */
/* What GnuTLS reads from: the socket's input through a read-ahead buffer
 * (cab-read-ahead.c: one recv() for many small TLS records), its output
 * as it is. */
#define READ_AHEAD_BYTES (64 * 1024)

static GIOStream *
tls_base_stream (CabImap *self)
{
  GIOStream *connection = G_IO_STREAM (self->connection);
  g_autoptr(GInputStream) input = cab_read_ahead_stream_new (g_io_stream_get_input_stream (connection),
                                                             READ_AHEAD_BYTES);

  return g_simple_io_stream_new (input, g_io_stream_get_output_stream (connection));
}

static gboolean
start_tls (CabImap *self, GError **error)
{
  g_autoptr(GIOStream) base = tls_base_stream (self);
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) local = NULL;

  /* The practice's CA is given at construction: set afterwards, GnuTLS
   * would first load the whole system bundle, then free it and read the
   * CA file again (~50 ms of CPU per connection under load, seconds under
   * ASan). */
  if (self->database == NULL)
    tls = g_tls_client_connection_new (base, self->identity, &local);
  else
    tls = g_initable_new (g_tls_backend_get_client_connection_type (g_tls_backend_get_default ()), NULL, &local,
                          "base-io-stream", base,
                          "server-identity", self->identity,
                          "database", self->database,
                          NULL);
  if (tls == NULL)
    {
      g_set_error (error, CAB_IMAP_ERROR, CAB_IMAP_ERROR_TLS_FAILED, _("TLS is not available: %s"), local->message);
      return FALSE;
    }
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), self->cancellable, &local))
    {
      tls_error (G_TLS_CONNECTION (tls), local, error);
      return FALSE;
    }
  if (self->imap->imap_stream == NULL)
    {
      mailstream *stream = mailstream_new (gio_low_new (self, tls), 8192);
      int r = mailimap_connect (self->imap, stream);

      return check (self, r, "Greeting", error);
    }
  else
    {
      mailstream_low *plain = mailstream_get_low (self->imap->imap_stream);

      mailstream_set_low (self->imap->imap_stream, gio_low_new (self, tls));
      mailstream_low_free (plain);
      return TRUE;
    }
}

/* libetpan keeps the capabilities on the session (mailimap_has_extension). */
static gboolean
refresh_capabilities (CabImap *self, GError **error)
{
  struct mailimap_capability_data *caps = NULL;
  int r;

  set_deadline (self, 0);
  r = mailimap_capability (self->imap, &caps);
  if (caps != NULL)
    mailimap_capability_data_free (caps);
  return check (self, r, "CAPABILITY", error);
}

CabImap *
cab_imap_connect (const char    *url,
                  GTlsDatabase  *database,
                  guint          timeout_s,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(CabImap) self = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autofree char *host = NULL;
  g_autoptr(GError) local = NULL;
  guint16 port;
  gboolean implicit_tls;
  int r;

  if (!cab_imap_parse_url (url, &host, &port, &implicit_tls, error))
    return NULL;

  self = g_new0 (CabImap, 1);
  self->timeout_s = timeout_s ? timeout_s : CAB_IMAP_DEFAULT_TIMEOUT_S;
  self->database = database ? g_object_ref (database) : NULL;
  self->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  self->identity = g_network_address_new (host, port);
  self->imap = mailimap_new (0, NULL);

  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, self->timeout_s);
  self->connection = g_socket_client_connect_to_host (client, host, port, cancellable, &local);
  if (self->connection == NULL)
    {
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local));
      else
        g_set_error (error, CAB_IMAP_ERROR, CAB_IMAP_ERROR_NETWORK, _("Cannot reach the mail server: %s"),
                     local->message);
      return NULL;
    }
  g_socket_set_timeout (g_socket_connection_get_socket (self->connection), self->timeout_s);

  if (implicit_tls)
    {
      if (!start_tls (self, error))
        return NULL;
    }
  else
    {
      mailstream *stream = mailstream_new (gio_low_new (self, G_IO_STREAM (self->connection)), 8192);

      set_deadline (self, 0);
      r = mailimap_connect (self->imap, stream);
      if (!check (self, r, "Greeting", error))
        return NULL;
      if (!refresh_capabilities (self, error))
        return NULL;
      if (!mailimap_has_extension (self->imap, "STARTTLS"))
        {
          g_set_error (error, CAB_IMAP_ERROR, CAB_IMAP_ERROR_NO_STARTTLS,
                       _("The mail server does not offer STARTTLS: refused, nothing was sent"));
          return NULL;
        }
      r = mailimap_starttls (self->imap);
      if (!check (self, r, "STARTTLS", error) || !start_tls (self, error))
        return NULL;
    }
  /* Capabilities again: what was said before TLS is not to be trusted. */
  if (!refresh_capabilities (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

gboolean
cab_imap_has_capability (CabImap *self, const char *name)
{
  return mailimap_has_extension (self->imap, (char *) name) != 0;
}

gboolean
cab_imap_login (CabImap     *self,
                const char  *user,
                const char  *password,
                GError     **error)
{
  set_deadline (self, 0);
  return check (self, mailimap_login (self->imap, user, password), "Login", error);
}

gboolean
cab_imap_login_xoauth2 (CabImap          *self,
                        const char       *user,
                        CabImapTokenFunc  token_func,
                        gpointer          user_data,
                        GError          **error)
{
  g_autofree char *token = token_func (user_data, error);

  if (token == NULL)
    return FALSE;
  g_autoptr(GError) local_error = NULL;

  set_deadline (self, 0);
  if (check (self, mailimap_oauth2_authenticate (self->imap, user, token), "XOAUTH2", &local_error))
    return TRUE;
  /* A refused AUTHENTICATE is a refused token, whatever libetpan made of
   * the server's error challenge; say so rather than blame a password. */
  if (!g_error_matches (local_error, CAB_IMAP_ERROR, CAB_IMAP_ERROR_NETWORK) &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_set_error (error, CAB_IMAP_ERROR, CAB_IMAP_ERROR_AUTH,
                   _("The mail server refused the sign-in token (it may have expired, or be for another mailbox)"));
      return FALSE;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

gboolean
cab_imap_select (CabImap        *self,
                 const char     *mailbox,
                 CabImapMailbox *state,
                 GError        **error)
{
  uint64_t modseq = 0;
  struct mailimap_selection_info *info;
  int r;

  if (!self->qresync && mailimap_has_qresync (self->imap))
    {
      struct mailimap_capability_data *wanted, *enabled = NULL;
      clist *list = clist_new ();

      clist_append (list, mailimap_capability_new (MAILIMAP_CAPABILITY_NAME, NULL, strdup ("QRESYNC")));
      wanted = mailimap_capability_data_new (list);
      set_deadline (self, 0);
      r = mailimap_enable (self->imap, wanted, &enabled);
      mailimap_capability_data_free (wanted);
      if (enabled != NULL)
        mailimap_capability_data_free (enabled);
      if (!check (self, r, "ENABLE", error))
        return FALSE;
      self->qresync = TRUE;
    }
  set_deadline (self, 0);
  if (mailimap_has_condstore (self->imap))
    r = mailimap_select_condstore (self->imap, mailbox, &modseq);
  else
    r = mailimap_select (self->imap, mailbox);
  if (!check (self, r, "SELECT", error))
    return FALSE;
  info = self->imap->imap_selection_info;
  *state = (CabImapMailbox) { 0 };
  if (info == NULL || info->sel_uidvalidity == 0)
    {
      g_set_error (error, CAB_IMAP_ERROR, CAB_IMAP_ERROR_PROTOCOL, _("The mail server gave no UIDVALIDITY"));
      return FALSE;
    }
  state->uidvalidity = info->sel_uidvalidity;
  state->uidnext = info->sel_uidnext;
  state->exists = info->sel_exists;
  state->highestmodseq = modseq;
  return TRUE;
}

static int
compare_entries (gconstpointer a, gconstpointer b)
{
  guint32 ua = ((const CabImapEntry *) a)->uid, ub = ((const CabImapEntry *) b)->uid;

  return ua < ub ? -1 : ua > ub;
}

GArray *
cab_imap_list_after (CabImap  *self,
                     guint32   after_uid,
                     guint     max,
                     GError  **error)
{
  GArray *entries = g_array_new (FALSE, FALSE, sizeof (CabImapEntry));
  struct mailimap_set *set;
  struct mailimap_fetch_type *type;
  clist *result = NULL;
  clistiter *it;
  int r;

  if (after_uid == G_MAXUINT32)
    return entries;
  set = mailimap_set_new_interval (after_uid + 1, 0);
  type = mailimap_fetch_type_new_fetch_att_list_empty ();
  mailimap_fetch_type_new_fetch_att_list_add (type, mailimap_fetch_att_new_uid ());
  mailimap_fetch_type_new_fetch_att_list_add (type, mailimap_fetch_att_new_rfc822_size ());
  set_deadline (self, 0);
  r = mailimap_uid_fetch (self->imap, set, type, &result);
  mailimap_fetch_type_free (type);
  mailimap_set_free (set);
  if (!check (self, r, "UID FETCH", error))
    {
      g_array_unref (entries);
      return NULL;
    }
  for (it = clist_begin (result); it != NULL; it = clist_next (it))
    {
      struct mailimap_msg_att *att = clist_content (it);
      CabImapEntry entry = { 0 };

      for (clistiter *i = clist_begin (att->att_list); i != NULL; i = clist_next (i))
        {
          struct mailimap_msg_att_item *item = clist_content (i);

          if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
            continue;
          if (item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_UID)
            entry.uid = item->att_data.att_static->att_data.att_uid;
          else if (item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_RFC822_SIZE)
            entry.size = item->att_data.att_static->att_data.att_rfc822_size;
        }
      /* "N:*" names the last message even when its UID is below N. */
      if (entry.uid > after_uid)
        g_array_append_val (entries, entry);
    }
  mailimap_fetch_list_free (result);
  g_array_sort (entries, compare_entries);
  if (max > 0 && entries->len > max)
    g_array_set_size (entries, max);
  return entries;
}

GHashTable *
cab_imap_fetch (CabImap       *self,
                const guint32 *uids,
                guint          n_uids,
                GError       **error)
{
  GHashTable *messages = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                                (GDestroyNotify) g_bytes_unref);
  struct mailimap_set *set = mailimap_set_new_empty ();
  struct mailimap_fetch_type *type;
  clist *result = NULL;
  int r;

  for (guint i = 0; i < n_uids; i++)
    mailimap_set_add_single (set, uids[i]);
  type = mailimap_fetch_type_new_fetch_att_list_empty ();
  mailimap_fetch_type_new_fetch_att_list_add (type, mailimap_fetch_att_new_uid ());
  mailimap_fetch_type_new_fetch_att_list_add (type, mailimap_fetch_att_new_body_peek_section (mailimap_section_new (NULL)));
  /* The caller asks only for messages under the size limit. */
  set_deadline (self, (guint64) n_uids * CAB_IMAP_DEFAULT_MAX_MESSAGE / 64);
  r = mailimap_uid_fetch (self->imap, set, type, &result);
  mailimap_fetch_type_free (type);
  mailimap_set_free (set);
  if (!check (self, r, "UID FETCH", error))
    {
      g_hash_table_unref (messages);
      return NULL;
    }
  for (clistiter *it = clist_begin (result); it != NULL; it = clist_next (it))
    {
      struct mailimap_msg_att *att = clist_content (it);
      guint32 uid = 0;
      struct mailimap_msg_att_body_section *body = NULL;

      for (clistiter *i = clist_begin (att->att_list); i != NULL; i = clist_next (i))
        {
          struct mailimap_msg_att_item *item = clist_content (i);

          if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
            continue;
          if (item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_UID)
            uid = item->att_data.att_static->att_data.att_uid;
          else if (item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_BODY_SECTION)
            body = item->att_data.att_static->att_data.att_body_section;
        }
      if (uid != 0 && body != NULL && body->sec_body_part != NULL &&
          body->sec_length <= CAB_IMAP_DEFAULT_MAX_MESSAGE)
        {
          /* Taken from libetpan's answer, not copied (a batch is megabytes):
           * its string is freed as libetpan would, from whichever thread
           * drops the bytes (libetpan's string table has its own lock). */
          char *part = g_steal_pointer (&body->sec_body_part);

          g_hash_table_replace (messages, GUINT_TO_POINTER (uid),
                                g_bytes_new_with_free_func (part, body->sec_length,
                                                            (GDestroyNotify) mailimap_nstring_free, part));
        }
    }
  mailimap_fetch_list_free (result);
  return messages;
}

void
cab_imap_flags_free (CabImapFlags *flags)
{
  if (flags == NULL)
    return;
  g_strfreev (flags->keywords);
  g_free (flags);
}

static char *
flag_to_string (const struct mailimap_flag *flag)
{
  switch (flag->fl_type)
    {
    case MAILIMAP_FLAG_ANSWERED: return g_strdup ("\\Answered");
    case MAILIMAP_FLAG_FLAGGED:  return g_strdup ("\\Flagged");
    case MAILIMAP_FLAG_DELETED:  return g_strdup ("\\Deleted");
    case MAILIMAP_FLAG_SEEN:     return g_strdup ("\\Seen");
    case MAILIMAP_FLAG_DRAFT:    return g_strdup ("\\Draft");
    case MAILIMAP_FLAG_KEYWORD:
      return flag->fl_data.fl_keyword ? g_strdup (flag->fl_data.fl_keyword) : NULL;
    case MAILIMAP_FLAG_EXTENSION:
      return flag->fl_data.fl_extension ? g_strconcat ("\\", flag->fl_data.fl_extension, NULL) : NULL;
    default:
      return NULL;
    }
}

CabImapFlags *
cab_imap_flags_from_att (struct mailimap_msg_att *att)
{
  g_autoptr(GPtrArray) keywords = g_ptr_array_new_with_free_func (g_free);
  CabImapFlags *flags = g_new0 (CabImapFlags, 1);

  for (clistiter *i = clist_begin (att->att_list); i != NULL; i = clist_next (i))
    {
      struct mailimap_msg_att_item *item = clist_content (i);

      if (item->att_type == MAILIMAP_MSG_ATT_ITEM_STATIC &&
          item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_UID)
        flags->uid = item->att_data.att_static->att_data.att_uid;
      else if (item->att_type == MAILIMAP_MSG_ATT_ITEM_DYNAMIC && item->att_data.att_dyn->att_list != NULL)
        for (clistiter *f = clist_begin (item->att_data.att_dyn->att_list); f != NULL; f = clist_next (f))
          {
            struct mailimap_flag_fetch *fetch = clist_content (f);
            char *name;

            if (fetch->fl_type != MAILIMAP_FLAG_FETCH_OTHER || fetch->fl_flag == NULL ||
                keywords->len >= CAB_IMAP_MAX_KEYWORDS)
              continue;
            name = flag_to_string (fetch->fl_flag);
            if (name != NULL)
              g_ptr_array_add (keywords, name);
          }
      else if (item->att_type == MAILIMAP_MSG_ATT_ITEM_EXTENSION && item->att_data.att_extension_data != NULL &&
               item->att_data.att_extension_data->ext_extension == &mailimap_extension_condstore &&
               item->att_data.att_extension_data->ext_type == MAILIMAP_CONDSTORE_TYPE_FETCH_DATA)
        {
          struct mailimap_condstore_fetch_mod_resp *mod = item->att_data.att_extension_data->ext_data;

          flags->modseq = mod->cs_modseq_value;
        }
    }
  g_ptr_array_add (keywords, NULL);
  flags->keywords = (char **) g_ptr_array_steal (keywords, NULL);
  return flags;
}

GPtrArray *
cab_imap_fetch_flags (CabImap   *self,
                      guint32    max_uid,
                      guint64    changed_since,
                      GArray   **vanished,
                      GError   **error)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_imap_flags_free);
  gboolean condstore = mailimap_has_condstore (self->imap);
  struct mailimap_qresync_vanished *gone = NULL;
  struct mailimap_fetch_type *type;
  struct mailimap_set *set;
  clist *result = NULL;
  int r;

  if (vanished != NULL)
    *vanished = g_array_new (FALSE, FALSE, sizeof (guint32));
  if (max_uid == 0)
    return g_steal_pointer (&all);
  set = mailimap_set_new_interval (1, max_uid);
  type = mailimap_fetch_type_new_fetch_att_list_empty ();
  mailimap_fetch_type_new_fetch_att_list_add (type, mailimap_fetch_att_new_uid ());
  mailimap_fetch_type_new_fetch_att_list_add (type, mailimap_fetch_att_new_flags ());
  if (condstore)
    mailimap_fetch_type_new_fetch_att_list_add (type, mailimap_fetch_att_new_modseq ());
  /* One short line per message. */
  set_deadline (self, (guint64) max_uid * 64);
  if (changed_since > 0 && self->qresync)
    r = mailimap_uid_fetch_qresync (self->imap, set, type, changed_since, &result, &gone);
  else if (changed_since > 0 && condstore)
    r = mailimap_uid_fetch_changedsince (self->imap, set, type, changed_since, &result);
  else
    r = mailimap_uid_fetch (self->imap, set, type, &result);
  mailimap_fetch_type_free (type);
  mailimap_set_free (set);
  if (!check (self, r, "UID FETCH FLAGS", error))
    {
      if (gone != NULL)
        mailimap_qresync_vanished_free (gone);
      return NULL;
    }
  for (clistiter *it = clist_begin (result); it != NULL; it = clist_next (it))
    {
      CabImapFlags *flags = cab_imap_flags_from_att (clist_content (it));

      /* "1:N" names the last message even when its UID is above N. */
      if (flags->uid == 0 || flags->uid > max_uid)
        cab_imap_flags_free (flags);
      else
        g_ptr_array_add (all, flags);
    }
  mailimap_fetch_list_free (result);
  if (gone != NULL)
    {
      if (vanished != NULL && gone->qr_known_uids != NULL)
        for (clistiter *it = clist_begin (gone->qr_known_uids->set_list); it != NULL; it = clist_next (it))
          {
            struct mailimap_set_item *item = clist_content (it);
            guint32 last = MIN (item->set_last ? item->set_last : max_uid, max_uid);

            /* Bounded by the UIDs this store knows. */
            for (guint32 uid = item->set_first; uid >= 1 && uid <= last; uid++)
              {
                g_array_append_val (*vanished, uid);
                if (uid == G_MAXUINT32)
                  break;
              }
          }
      mailimap_qresync_vanished_free (gone);
    }
  return g_steal_pointer (&all);
}

/* What an untagged line said during IDLE: a change to the mailbox, or
 * nothing (keep-alive "* OK", "+ idling"). */
static gboolean
idle_line_is_change (const char *line)
{
  const char *p;

  if (!g_str_has_prefix (line, "* "))
    return FALSE;
  p = line + 2;
  if (g_ascii_strncasecmp (p, "VANISHED", 8) == 0)
    return TRUE;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  while (g_ascii_isdigit (*p))
    p++;
  while (*p == ' ')
    p++;
  return g_ascii_strncasecmp (p, "EXISTS", 6) == 0 || g_ascii_strncasecmp (p, "EXPUNGE", 7) == 0 ||
         g_ascii_strncasecmp (p, "FETCH", 5) == 0;
}

/* Lines the server may send in one IDLE (keep-alives, flag changes) before
 * the wait ends as a change anyway. */
#define MAX_IDLE_LINES 1000

gboolean
cab_imap_idle (CabImap   *self,
               guint      max_s,
               gboolean  *changed,
               GError   **error)
{
  gint64 end = g_get_monotonic_time () + (gint64) max_s * G_USEC_PER_SEC;
  GInputStream *input;
  guint n_lines = 0;
  int r;

  *changed = FALSE;
  if (!mailimap_has_idle (self->imap))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "The mail server has no IDLE");
      return FALSE;
    }
  set_deadline (self, 0);
  r = mailimap_idle (self->imap);
  if (!check (self, r, "IDLE", error))
    return FALSE;
  input = g_io_stream_get_input_stream (self->low->stream);
  while (!*changed && n_lines < MAX_IDLE_LINES)
    {
      gint64 remaining = end - g_get_monotonic_time ();
      gboolean buffered = self->imap->imap_stream->read_buffer_len > 0 ||
                          (G_IS_POLLABLE_INPUT_STREAM (input) &&
                           g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (input)));
      const char *line;

      if (remaining <= 0)
        break;
      if (!buffered)
        {
          g_autoptr(GError) local = NULL;

          /* Bounded by the socket's silence timeout too: the loop goes on
           * until @max_s or a line. */
          if (!g_socket_condition_timed_wait (self->low->socket, G_IO_IN, remaining,
                                              self->low->cancellable, &local))
            {
              if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
                continue;
              if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                g_propagate_error (error, g_steal_pointer (&local));
              else
                g_set_error (error, CAB_IMAP_ERROR, CAB_IMAP_ERROR_NETWORK,
                             _("%s: the connection to the mail server failed (%s)"), "IDLE", local->message);
              return FALSE;
            }
        }
      /* A line, once it starts, must arrive whole in the command deadline. */
      set_deadline (self, 0);
      line = mailimap_read_line (self->imap);
      if (line == NULL)
        return check (self, MAILIMAP_ERROR_STREAM, "IDLE", error);
      n_lines++;
      if (!g_str_has_prefix (line, "* ") && !g_str_has_prefix (line, "+"))
        {
          /* The server ended the IDLE itself (tagged NO/BAD, BYE-like). */
          g_set_error (error, CAB_IMAP_ERROR, CAB_IMAP_ERROR_PROTOCOL, _("The mail server ended IDLE"));
          return FALSE;
        }
      if (g_ascii_strncasecmp (line, "* BYE", 5) == 0)
        {
          g_set_error (error, CAB_IMAP_ERROR, CAB_IMAP_ERROR_NETWORK,
                       _("%s: the connection to the mail server failed (%s)"), "IDLE", _("closed"));
          return FALSE;
        }
      if (idle_line_is_change (line))
        *changed = TRUE;
    }
  if (n_lines >= MAX_IDLE_LINES)
    *changed = TRUE;
  set_deadline (self, 0);
  r = mailimap_idle_done (self->imap);
  return check (self, r, "IDLE DONE", error);
}

void
cab_imap_close (CabImap *self)
{
  if (self == NULL)
    return;
  if (self->imap != NULL)
    {
      if (self->imap->imap_stream != NULL && self->low != NULL && self->low->error == NULL)
        {
          self->low->deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
          mailimap_logout (self->imap);
        }
      mailimap_free (self->imap);
    }
  g_clear_object (&self->connection);
  g_clear_object (&self->database);
  g_clear_object (&self->identity);
  g_clear_object (&self->cancellable);
  g_free (self);
}

/* For the commands written beside this file (cab-imap-append.c): the
 * libetpan session with a fresh deadline for a command moving
 * @expected_bytes, and its result as a GError. */
mailimap *
cab_imap_begin_command (CabImap *self,
                        guint64  expected_bytes)
{
  set_deadline (self, expected_bytes);
  return self->imap;
}

gboolean
cab_imap_check_result (CabImap     *self,
                       int          result,
                       const char  *what,
                       GError     **error)
{
  return check (self, result, what, error);
}
