/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include <glib/gi18n-lib.h>

/* SMTP submission over libcurl (GnuTLS build; libetpan-dev conflicts with
 * the OpenSSL one). curl verifies the peer and host name by default; this
 * file never turns that off. The reply lines come through the debug
 * callback (CURLINFO_HEADER_IN): the last one is kept, capped and made
 * printable, for the user and the outbox's last_error. */

#include "cab-smtp.h"

#include <curl/curl.h>
#include <string.h>

#include "cab-mime-compose.h"
#include "cab-outbox-error.h"

G_DEFINE_QUARK (cab-smtp-error-quark, cab_smtp_error)

typedef struct
{
  const guint8   *data;
  gsize           size;
  gsize           offset;
  gboolean        started;
  CabSmtpDataFunc data_func;
  gpointer        data_user_data;
  GString        *reply;          /* the current reply's lines */
  GString        *accepted;       /* the last 250: after DATA, "queued as ..." */
  GString        *refusal;        /* the first 4xx/5xx reply: QUIT's "221 Bye" comes after it */
  gboolean        reply_done;     /* the next line starts a new reply */
  gboolean        signed_in;      /* a 235 reply: the sign-in was accepted */
  gboolean        bearer;         /* signed in with an XOAUTH2 token, not a password */
  const char     *failure_code;   /* set_error ()'s, language-neutral */
  char           *failure_detail;
} Upload;

static void
ensure_curl (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&done, 1);
    }
}

gboolean
cab_smtp_parse_url (const char  *url,
                    char       **host,
                    guint16     *port,
                    gboolean    *implicit_tls,
                    GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (url != NULL)
    uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || scheme == NULL || (g_ascii_strcasecmp (scheme, "smtps") != 0 &&
                                        g_ascii_strcasecmp (scheme, "smtp") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' || g_uri_get_userinfo (uri) != NULL ||
      (*g_uri_get_path (uri) != '\0' && !g_str_equal (g_uri_get_path (uri), "/")) ||
      g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, CAB_SMTP_ERROR, CAB_SMTP_ERROR_URL,
                   _("The SMTP address must be smtps://host[:port] or smtp://host[:port]"));
      return FALSE;
    }
  *implicit_tls = g_ascii_strcasecmp (scheme, "smtps") == 0;
  if (host != NULL)
    *host = g_strdup (g_uri_get_host (uri));
  if (port != NULL)
    *port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : (*implicit_tls ? 465 : 587);
  return TRUE;
}

static size_t
read_message (char *buffer, size_t size, size_t n, void *user_data)
{
  Upload *u = user_data;
  gsize room = size * n, left = u->size - u->offset;

  if (!u->started)
    {
      u->started = TRUE;
      /* The recipients are accepted and DATA is under way: from here the
       * server may end up with the message whatever happens to us. */
      if (u->data_func != NULL && !u->data_func (u->data_user_data))
        return CURL_READFUNC_ABORT;
    }
  if (left < room)
    room = left;
  memcpy (buffer, u->data + u->offset, room);
  u->offset += room;
  return room;
}

static int
on_debug (CURL *curl, curl_infotype type, char *data, size_t size, void *user_data)
{
  Upload *u = user_data;

  if (type != CURLINFO_HEADER_IN)
    return 0;
  if (u->reply_done)
    {
      g_string_truncate (u->reply, 0);
      u->reply_done = FALSE;
    }
  for (size_t i = 0; i < size && u->reply->len < CAB_SMTP_MAX_REPLY; i++)
    {
      char c = data[i];

      if (c == '\r')
        continue;
      g_string_append_c (u->reply, c == '\n' ? ' ' : (g_ascii_isprint (c) ? c : '?'));
    }
  /* "250 ok" ends a reply, "250-..." continues it. */
  if (size >= 4 && data[3] == ' ')
    {
      u->reply_done = TRUE;
      if (u->refusal->len == 0 && (u->reply->str[0] == '4' || u->reply->str[0] == '5'))
        g_string_assign (u->refusal, u->reply->str);
      else if (g_str_has_prefix (u->reply->str, "250 "))
        g_string_assign (u->accepted, u->reply->str);
      else if (g_str_has_prefix (u->reply->str, "235 "))
        u->signed_in = TRUE;
    }
  return 0;
}

static int
on_progress (void *user_data, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
  GCancellable *cancellable = user_data;

  return g_cancellable_is_cancelled (cancellable) ? 1 : 0;
}

/* What failed, language-neutral (cab-outbox-error.h): the outbox stores
 * the code and the server's words, and says the sentence when shown; the
 * GError is worded from the same now. */
static void
fail (Upload      *u,
      int          domain_code,
      const char  *code,
      const char  *detail,
      GError     **error)
{
  g_autofree char *message = cab_outbox_error_describe (code, detail, NULL);

  u->failure_code = code;
  g_free (u->failure_detail);
  u->failure_detail = g_strdup (detail);
  g_set_error_literal (error, CAB_SMTP_ERROR, domain_code, message);
}

static void
set_error (Upload *u, CURLcode code, long response, const char *curl_message, GError **error)
{
  const char *reply = u->refusal->len > 0 ? g_strstrip (u->refusal->str)
                    : u->reply->len > 0 ? g_strstrip (u->reply->str) : NULL;

  /* Refused credentials first: their 535 is about the sign-in, not the
   * message, which must stay queued (a 5xx would make it failed). */
  if (code == CURLE_LOGIN_DENIED)
    fail (u, CAB_SMTP_ERROR_AUTH, u->bearer ? "mail-token" : "mail-auth", NULL, error);
  else if (response >= 500 && response < 600)
    fail (u, CAB_SMTP_ERROR_REFUSED, "mail-refused", reply != NULL ? reply : curl_message, error);
  else if (response >= 400 && response < 500 && code != CURLE_LOGIN_DENIED)
    fail (u, CAB_SMTP_ERROR_TEMPORARY, "mail-later", reply != NULL ? reply : curl_message, error);
  else switch (code)
    {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
      fail (u, CAB_SMTP_ERROR_TLS, "mail-tls", curl_message, error);
      break;
    case CURLE_USE_SSL_FAILED:
      fail (u, CAB_SMTP_ERROR_NO_STARTTLS, "mail-starttls", NULL, error);
      break;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      fail (u, CAB_SMTP_ERROR_URL, "mail-url", curl_message, error);
      break;
    /* The network's usual failures in the user's language: libcurl's own
     * text is English and names ports and milliseconds (the Outbox page
     * shows this reason while the message waits). */
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      fail (u, CAB_SMTP_ERROR_TEMPORARY, "mail-dns", NULL, error);
      break;
    case CURLE_COULDNT_CONNECT:
      fail (u, CAB_SMTP_ERROR_TEMPORARY, "mail-connect", NULL, error);
      break;
    case CURLE_OPERATION_TIMEDOUT:
      fail (u, CAB_SMTP_ERROR_TEMPORARY, "mail-timeout", NULL, error);
      break;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
      fail (u, CAB_SMTP_ERROR_TEMPORARY, "mail-cut", NULL, error);
      break;
    default:
      fail (u, CAB_SMTP_ERROR_TEMPORARY, "mail-network", curl_message, error);
      break;
    }
}

/* A session to @account's server: TLS required and verified (system trust
 * or the account's CA), its timeouts, deadline and cancellable, and its
 * sign-in (a token when one was given, else the password). What is done
 * once connected is the caller's. */
static CURL *
open_session (const CabSmtpAccount *account,
              const char           *host,
              guint16               port,
              gboolean              implicit_tls,
              const char           *token,
              Upload               *u,
              char                 *curl_error,
              GError              **error)
{
  g_autofree char *curl_url = NULL;
  CURL *curl;

  ensure_curl ();
  curl = curl_easy_init ();
  if (curl == NULL)
    {
      g_set_error (error, CAB_SMTP_ERROR, CAB_SMTP_ERROR_TEMPORARY, "curl_easy_init");
      return NULL;
    }

  /* The host name as given (rebuilt from the parsed parts, without path). */
  curl_url = g_strdup_printf ("%s://%s%s%s:%u", implicit_tls ? "smtps" : "smtp",
                              strchr (host, ':') ? "[" : "", host, strchr (host, ':') ? "]" : "", port);
  curl_easy_setopt (curl, CURLOPT_URL, curl_url);
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_USE_SSL, (long) CURLUSESSL_ALL);
  curl_easy_setopt (curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (account->ca_file != NULL)
    {
      curl_easy_setopt (curl, CURLOPT_CAINFO, account->ca_file);
      curl_easy_setopt (curl, CURLOPT_CAPATH, NULL);
    }
  curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT, (long) (account->connect_timeout_s ? account->connect_timeout_s
                                                                                      : CAB_SMTP_CONNECT_TIMEOUT_S));
  curl_easy_setopt (curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt (curl, CURLOPT_LOW_SPEED_TIME, (long) (account->stall_timeout_s ? account->stall_timeout_s
                                                                                   : CAB_SMTP_STALL_TIMEOUT_S));
  if (account->user != NULL)
    curl_easy_setopt (curl, CURLOPT_USERNAME, account->user);
  if (token != NULL)
    {
      u->bearer = TRUE;
      curl_easy_setopt (curl, CURLOPT_XOAUTH2_BEARER, token);
      curl_easy_setopt (curl, CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2");
    }
  else if (account->password != NULL)
    curl_easy_setopt (curl, CURLOPT_PASSWORD, account->password);
  curl_easy_setopt (curl, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt (curl, CURLOPT_DEBUGDATA, u);
  curl_easy_setopt (curl, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, curl_error);
  if (account->deadline > 0)
    {
      gint64 left_ms = (account->deadline - g_get_monotonic_time ()) / 1000;

      curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, (long) MAX (left_ms, 1));
    }
  if (account->cancellable != NULL)
    {
      curl_easy_setopt (curl, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt (curl, CURLOPT_XFERINFOFUNCTION, on_progress);
      curl_easy_setopt (curl, CURLOPT_XFERINFODATA, account->cancellable);
    }
  return curl;
}

/* Runs the session; a failure is worded from the server's reply. */
static gboolean
perform (CURL       *curl,
         Upload     *u,
         const char *curl_error,
         GError    **error)
{
  CURLcode code = curl_easy_perform (curl);
  long response = 0;

  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &response);
  if (code == CURLE_OK)
    return TRUE;
  set_error (u, code, response, *curl_error ? curl_error : curl_easy_strerror (code), error);
  return FALSE;
}

gboolean
cab_smtp_send (const CabSmtpAccount *account,
               const char           *from,
               const char * const   *to,
               GBytes               *message,
               CabSmtpDataFunc       data_func,
               gpointer              data_user_data,
               char                **reply,
               CabSmtpFailure       *failure,
               GError              **error)
{
  g_autofree char *host = NULL;
  g_autofree char *token = NULL;
  g_autofree char *mail_from = NULL;
  g_autoptr(GString) reply_text = g_string_new (NULL);
  g_autoptr(GString) refusal = g_string_new (NULL);
  g_autoptr(GString) accepted = g_string_new (NULL);
  char curl_error[CURL_ERROR_SIZE] = "";
  struct curl_slist *rcpt = NULL;
  gboolean implicit_tls, ok;
  guint16 port;
  Upload u = { 0 };
  CURL *curl;

  if (!cab_smtp_parse_url (account->url, &host, &port, &implicit_tls, error))
    return FALSE;
  /* No address from anywhere reaches the SMTP dialogue unchecked: a CR or
   * LF there would be a command of its own. */
  if (!cab_mime_address_is_valid (from) || to == NULL || to[0] == NULL ||
      (account->user != NULL && strpbrk (account->user, "\r\n") != NULL))
    {
      fail (&u, CAB_SMTP_ERROR_REFUSED, "mail-address", NULL, error);
      goto out;
    }
  for (guint i = 0; to[i] != NULL; i++)
    if (!cab_mime_address_is_valid (to[i]))
      {
        fail (&u, CAB_SMTP_ERROR_REFUSED, "mail-address", NULL, error);
        goto out;
      }
  if (account->token_func != NULL)
    {
      token = account->token_func (account->token_data, error);
      if (token == NULL)
        return FALSE;
    }

  u.data = g_bytes_get_data (message, &u.size);
  u.data_func = data_func;
  u.data_user_data = data_user_data;
  u.reply = reply_text;
  u.refusal = refusal;
  u.accepted = accepted;
  curl = open_session (account, host, port, implicit_tls, token, &u, curl_error, error);
  if (curl == NULL)
    return FALSE;

  mail_from = g_strdup_printf ("<%s>", from);
  for (guint i = 0; to[i] != NULL; i++)
    {
      g_autofree char *r = g_strdup_printf ("<%s>", to[i]);
      rcpt = curl_slist_append (rcpt, r);
    }
  curl_easy_setopt (curl, CURLOPT_MAIL_FROM, mail_from);
  curl_easy_setopt (curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt (curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt (curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t) u.size);
  curl_easy_setopt (curl, CURLOPT_READFUNCTION, read_message);
  curl_easy_setopt (curl, CURLOPT_READDATA, &u);

  ok = perform (curl, &u, curl_error, error);
  if (reply != NULL)
    *reply = !ok && refusal->len > 0 ? g_strdup (g_strstrip (refusal->str))
             : ok && accepted->len > 0 ? g_strdup (g_strstrip (accepted->str))
             : reply_text->len > 0 ? g_strdup (g_strstrip (reply_text->str)) : NULL;
  curl_slist_free_all (rcpt);
  curl_easy_cleanup (curl);
  if (ok)
    return TRUE;

out:
  if (failure != NULL)
    {
      failure->code = u.failure_code;
      g_free (failure->detail);
      failure->detail = g_steal_pointer (&u.failure_detail);
    }
  g_free (u.failure_detail);
  return FALSE;
}

void
cab_smtp_failure_clear (CabSmtpFailure *failure)
{
  failure->code = NULL;
  g_clear_pointer (&failure->detail, g_free);
}

gboolean
cab_smtp_check (const CabSmtpAccount *account,
                GError              **error)
{
  g_autofree char *host = NULL;
  g_autofree char *token = NULL;
  g_autoptr(GString) reply_text = g_string_new (NULL);
  g_autoptr(GString) refusal = g_string_new (NULL);
  g_autoptr(GString) accepted = g_string_new (NULL);
  char curl_error[CURL_ERROR_SIZE] = "";
  gboolean implicit_tls, ok;
  guint16 port;
  Upload u = { 0 };
  CURL *curl;

  g_return_val_if_fail (account != NULL, FALSE);

  if (!cab_smtp_parse_url (account->url, &host, &port, &implicit_tls, error))
    return FALSE;
  if (account->user == NULL || *account->user == '\0' || strpbrk (account->user, "\r\n") != NULL)
    {
      g_set_error (error, CAB_SMTP_ERROR, CAB_SMTP_ERROR_AUTH, _("A mail address is not valid"));
      return FALSE;
    }
  if (account->token_func != NULL)
    {
      token = account->token_func (account->token_data, error);
      if (token == NULL)
        return FALSE;
    }

  u.reply = reply_text;
  u.refusal = refusal;
  u.accepted = accepted;
  curl = open_session (account, host, port, implicit_tls, token, &u, curl_error, error);
  if (curl == NULL)
    return FALSE;
  /* The connect phase of SMTP is greeting, EHLO, STARTTLS, EHLO again and
   * AUTH: stopping there sends no MAIL FROM; the clean-up says QUIT. */
  curl_easy_setopt (curl, CURLOPT_CONNECT_ONLY, 1L);

  ok = perform (curl, &u, curl_error, error);
  /* curl skips AUTH when the server offers none: a check must not call
   * that a sign-in (such a port relays for its network, it is no
   * submission server). */
  if (ok && !u.signed_in)
    {
      ok = FALSE;
      g_set_error (error, CAB_SMTP_ERROR, CAB_SMTP_ERROR_NO_AUTH,
                   _("The mail server did not offer to sign in (AUTH)"));
    }
  curl_easy_cleanup (curl);
  g_free (u.failure_detail);
  return ok;
}
