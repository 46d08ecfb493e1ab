/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A blocking IMAP session (libetpan) for worker threads only. TLS is always
 * GIO's: libetpan reads and writes through a driver over a
 * GTlsClientConnection verified against the given GTlsDatabase (system trust
 * or --ca) and the server's host name (docs/architecture.md, "Mail stack").
 * imaps:// is implicit TLS; imap:// requires STARTTLS, and a server that
 * does not offer it is refused before any credential is sent. */

#define CAB_IMAP_ERROR (cab_imap_error_quark ())

typedef enum
{
  CAB_IMAP_ERROR_URL,             /* not imaps://host[:port] or imap://host[:port] */
  CAB_IMAP_ERROR_NETWORK,         /* cannot connect, connection lost, deadline passed */
  CAB_IMAP_ERROR_TLS_UNKNOWN_CA,  /* certificate not signed by a trusted authority */
  CAB_IMAP_ERROR_TLS_BAD_IDENTITY,/* certificate for another host name */
  CAB_IMAP_ERROR_TLS_FAILED,      /* expired, revoked, handshake failed */
  CAB_IMAP_ERROR_NO_STARTTLS,     /* imap:// server without STARTTLS: refused */
  CAB_IMAP_ERROR_AUTH,            /* credentials refused */
  CAB_IMAP_ERROR_PROTOCOL,        /* the server answered NO/BAD or nonsense */
  CAB_IMAP_ERROR_TOO_LARGE,       /* a message over the size limit */
} CabImapError;

#define CAB_IMAP_DEFAULT_TIMEOUT_S   60                               /* silence on the socket */
#define CAB_IMAP_DEFAULT_MAX_MESSAGE (G_GUINT64_CONSTANT (100) << 20) /* bytes, as CAB_MIME_MAX_MESSAGE */

typedef struct _CabImap CabImap;

typedef struct
{
  guint32 uidvalidity;
  guint32 uidnext;
  guint32 exists;
  guint64 highestmodseq;  /* 0: no CONDSTORE */
} CabImapMailbox;

typedef struct
{
  guint32 uid;
  guint64 size;    /* RFC822.SIZE */
} CabImapEntry;

/* One message's flags and keywords (RFC 3501 2.3.2), as FETCH FLAGS gave them. */
typedef struct
{
  guint32 uid;
  guint64 modseq;    /* 0 without CONDSTORE */
  char  **keywords;  /* "\\Seen", "$CabinetHandled"...; at most CAB_IMAP_MAX_KEYWORDS */
} CabImapFlags;

#define CAB_IMAP_MAX_KEYWORDS 64

void cab_imap_flags_free (CabImapFlags *flags);

/* Returns the OAuth2 bearer token for XOAUTH2 (called on the worker thread). */
typedef char *(*CabImapTokenFunc) (gpointer user_data, GError **error);

GQuark   cab_imap_error_quark (void);

/* Parses and checks @url; fills @host, @port and whether TLS is implicit. */
gboolean cab_imap_parse_url  (const char    *url,
                              char         **host,
                              guint16       *port,
                              gboolean      *implicit_tls,
                              GError       **error);

CabImap *cab_imap_connect    (const char    *url,
                              GTlsDatabase  *database,   /* NULL: system trust */
                              guint          timeout_s,  /* 0: default */
                              GCancellable  *cancellable,
                              GError       **error);
gboolean cab_imap_login      (CabImap       *imap,
                              const char    *user,
                              const char    *password,
                              GError       **error);
gboolean cab_imap_login_xoauth2 (CabImap    *imap,
                              const char    *user,
                              CabImapTokenFunc token_func,
                              gpointer       user_data,
                              GError       **error);
gboolean cab_imap_has_capability (CabImap   *imap,
                              const char    *name);
/* SELECT (with CONDSTORE when offered; QRESYNC enabled first when
 * offered, so expunges are reported as VANISHED UIDs). */
gboolean cab_imap_select     (CabImap       *imap,
                              const char    *mailbox,
                              CabImapMailbox *state,
                              GError       **error);
/* UIDs above @after_uid, ascending, with their sizes (at most @max). */
GArray  *cab_imap_list_after (CabImap       *imap,
                              guint32        after_uid,
                              guint          max,
                              GError       **error);
/* The raw RFC 5322 bytes of messages @uids (BODY.PEEK[]: not marked seen).
 * Returns a table uid -> GBytes. */
GHashTable *cab_imap_fetch   (CabImap       *imap,
                              const guint32 *uids,
                              guint          n_uids,
                              GError       **error);
/* The flags of messages 1..@max_uid: all of them when @changed_since is 0,
 * else (CONDSTORE, RFC 7162) only those whose MODSEQ is above it; then,
 * with QRESYNC, @vanished (may be NULL) gets the UIDs expunged since.
 * Returns CabImapFlags*, freed with the array. */
GPtrArray *cab_imap_fetch_flags (CabImap     *imap,
                                 guint32      max_uid,
                                 guint64      changed_since,
                                 GArray     **vanished,
                                 GError     **error);

/* IDLE (RFC 2177) until the server reports a change to the selected
 * mailbox (EXISTS, EXPUNGE, FETCH, VANISHED) or @max_s seconds pass, then
 * DONE. Keep @max_s under 29 minutes (servers drop an IDLE after 30). Each
 * line the server sends must arrive whole within the command deadline; the
 * wait itself ends with @imap's cancellable. FALSE with
 * G_IO_ERROR_NOT_SUPPORTED when the server has no IDLE. */
gboolean cab_imap_idle      (CabImap       *imap,
                             guint          max_s,
                             gboolean      *changed,
                             GError       **error);
/* cab-imap-store.c: message @uid's flags and MODSEQ; *@flags NULL when
 * no such message. */
gboolean cab_imap_fetch_uid_flags (CabImap      *imap,
                              guint32        uid,
                              CabImapFlags **flags,
                              GError       **error);
/* Replaces message @uid's flags with @flags (\Recent left out), only if
 * its MODSEQ is still @unchanged_since (CONDSTORE, RFC 7162; 0: without
 * the condition). Whether it was applied is for a FETCH to tell: a
 * MODIFIED refusal is not an error. */
gboolean cab_imap_store_uid_flags (CabImap      *imap,
                              guint32        uid,
                              guint64        unchanged_since,
                              const char * const *flags,
                              GError       **error);
void     cab_imap_close      (CabImap       *imap);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabImap, cab_imap_close)

G_END_DECLS
