/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* One received message (RFC 5322 + MIME) read with GMime 3: the headers the
 * inbox shows, the X-MSS-* headers (docs/domain.md, "Secure messaging"), the
 * body as UTF-8 text and the attachments decoded. Hostile input: sizes,
 * parts and nesting are capped; charsets that lie are read as
 * Windows-1252 or made valid, never trusted blindly. */

#define CAB_MIME_ERROR (cab_mime_error_quark ())

typedef enum
{
  CAB_MIME_ERROR_PARSE,      /* not a message */
  CAB_MIME_ERROR_TOO_LARGE,  /* message, part count or nesting over the limits */
} CabMimeError;

#define CAB_MIME_MAX_MESSAGE (G_GUINT64_CONSTANT (100) << 20)  /* bytes */
#define CAB_MIME_MAX_PARTS   256
#define CAB_MIME_MAX_DEPTH   16
#define CAB_MIME_MAX_BODY    (G_GUINT64_CONSTANT (4) << 20)    /* bytes of text kept */
#define CAB_MIME_MAX_HEADER  (G_GUINT64_CONSTANT (1) << 20)    /* bytes of the top header block */

typedef struct
{
  char   *filename;       /* as given (decoded), or NULL */
  char   *content_type;   /* "application/pdf" */
  GBytes *content;        /* transfer encoding removed */
  char   *sha1;
} CabMimeAttachment;

typedef struct
{
  char      *message_id;    /* without <>, or NULL */
  char      *from;          /* display form, UTF-8 */
  char      *from_address;  /* addr-spec */
  char      *subject;       /* encoded words decoded, UTF-8 */
  gint64     date;          /* Unix time, 0 when absent or unreadable */
  char      *body_text;     /* UTF-8 */
  GPtrArray *attachments;   /* CabMimeAttachment* */
  gboolean   smime_signed;  /* content shown; the signature is not checked here */
  char      *body_hash;     /* SHA-256 of the bytes after the header block: the message's
                               identity beside Message-ID (delivery headers differ per copy) */
  /* X-MSS-* */
  char      *mss_ins;       /* "O", "N" or NULL */
  char     **mss_codecda;   /* document codes, NULL-terminated, maybe empty */
  gboolean   mss_fin;       /* X-MSS-MES: FIN */
  char      *mss_nil;
  char      *notification_to;  /* Disposition-Notification-To, or NULL */
  char      *return_path;      /* Return-Path as delivered ("<a@b>"), or NULL */
  /* For a reply (the composer): the thread and the other recipients. */
  char      *references;    /* the References' Message-IDs, space-separated, without <>, or NULL */
  char     **to_addresses;  /* addr-specs of To, NULL-terminated */
  char     **cc_addresses;  /* addr-specs of Cc, NULL-terminated */
} CabMimeMessage;

GQuark          cab_mime_error_quark (void);
/* g_mime_init() once for the process, whichever thread comes first: every
 * user of GMime here (parsing, composing, receipts) calls it before use. */
void            cab_mime_init        (void);

CabMimeMessage *cab_mime_parse       (GBytes          *raw,
                                      GError         **error);
void            cab_mime_message_free (CabMimeMessage *message);

/* The identity of a message across UIDVALIDITY changes and copies. */
char           *cab_mime_body_hash   (GBytes          *raw);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabMimeMessage, cab_mime_message_free)

G_END_DECLS
