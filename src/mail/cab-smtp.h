/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-imap.h"

G_BEGIN_DECLS

/* SMTP submission with libcurl's GnuTLS build (docs/architecture.md, "Mail
 * stack"), blocking: worker threads only. smtps:// is implicit TLS;
 * smtp:// requires STARTTLS (CURLUSESSL_ALL: a server without it is refused
 * before any credential is sent). The certificate and host name are always
 * verified, against the system trust or @ca_file. */

#define CAB_SMTP_ERROR (cab_smtp_error_quark ())

typedef enum
{
  CAB_SMTP_ERROR_URL,          /* not smtps://host[:port] or smtp://host[:port] */
  CAB_SMTP_ERROR_TEMPORARY,    /* network, deadline, or a 4xx reply: try again later */
  CAB_SMTP_ERROR_REFUSED,      /* a 5xx reply: the message as it is will never go */
  CAB_SMTP_ERROR_TLS,          /* certificate refused, or no STARTTLS */
  CAB_SMTP_ERROR_AUTH,         /* credentials refused */
  CAB_SMTP_ERROR_NO_STARTTLS,  /* smtp:// to a server that does not offer STARTTLS */
  CAB_SMTP_ERROR_NO_AUTH,      /* cab_smtp_check(): the server offered no sign-in (AUTH) */
} CabSmtpError;

#define CAB_SMTP_CONNECT_TIMEOUT_S 30
#define CAB_SMTP_STALL_TIMEOUT_S   60   /* under 1 kB/s for this long: given up */
#define CAB_SMTP_MAX_REPLY         1024 /* bytes of the server's reply kept */

typedef struct
{
  const char      *url;
  const char      *user;
  const char      *password;       /* PLAIN or LOGIN; NULL with @token_func */
  CabImapTokenFunc token_func;     /* XOAUTH2 bearer, called on this thread */
  gpointer         token_data;
  const char      *ca_file;        /* NULL: system trust */
  guint            connect_timeout_s;  /* 0: default */
  guint            stall_timeout_s;    /* 0: default */
  gint64           deadline;           /* monotonic µs the whole submission must end by; 0: none */
  GCancellable    *cancellable;        /* aborts the submission soon after it is cancelled */
} CabSmtpAccount;

/* Called once, when the server has accepted the recipients and the message
 * bytes start to flow (after DATA): the caller records it durably. Returning
 * FALSE aborts before any byte of the message is sent. */
typedef gboolean (*CabSmtpDataFunc) (gpointer user_data);

GQuark   cab_smtp_error_quark (void);

gboolean cab_smtp_parse_url   (const char  *url,
                               char       **host,
                               guint16     *port,
                               gboolean    *implicit_tls,
                               GError     **error);

/* What a submission's failure was, language-neutral (cab-outbox-error.h):
 * a code ("mail-refused") and its detail verbatim (the server's reply, or
 * libcurl's English text), NULL when the failure has none (a certificate
 * or a token refused before the session: the GError alone). */
typedef struct
{
  const char *code;
  char       *detail;
} CabSmtpFailure;

void     cab_smtp_failure_clear (CabSmtpFailure *failure);

/* Submits @message from @from to @to. @reply: the server's last reply text
 * (on success its acceptance, on failure its refusal), or NULL. @failure:
 * on failure, what failed (or NULL). */
gboolean cab_smtp_send        (const CabSmtpAccount *account,
                               const char           *from,
                               const char * const   *to,
                               GBytes               *message,
                               CabSmtpDataFunc       data_func,
                               gpointer              data_user_data,
                               char                **reply,
                               CabSmtpFailure       *failure,
                               GError              **error);

/* The preferences' "Check" for sending (docs/architecture.md, "Where the
 * mail account comes from"): connects, secures the connection (smtps://,
 * or STARTTLS for smtp://) with the certificate verified, says EHLO, signs
 * in with @account's credentials (AUTH), then QUIT. No message is sent.
 * Errors: CAB_SMTP_ERROR_TLS (certificate), _NO_STARTTLS, _AUTH (refused),
 * _NO_AUTH (the server offered no sign-in: a relay port, not submission),
 * _TEMPORARY (unreachable, deadline), _URL. */
gboolean cab_smtp_check       (const CabSmtpAccount *account,
                               GError              **error);

G_END_DECLS
