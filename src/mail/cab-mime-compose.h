/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* An outgoing MSSanté message as RFC 5322 + MIME bytes (CRLF), built with
 * GMime 3: a text part, the attachments as they are, and the IHE_XDM.zip
 * when clinical documents travel with it; the X-MSS-* headers of
 * docs/domain.md ("Secure messaging"). Every address and header value is
 * checked first: a CR, LF or other control character (header injection)
 * is refused, never cleaned. */

typedef struct
{
  const char *filename;
  const char *content_type;   /* "application/pdf" */
  GBytes     *content;
} CabMimeOutAttachment;

typedef struct
{
  const char          *from;          /* addr-spec */
  const char          *from_name;     /* "Dr Alice MARTIN" shown before it, or NULL */
  const char * const  *to;            /* addr-specs, NULL-terminated */
  const char * const  *to_names;      /* beside @to: names shown before them, or NULL; one that
                                       * is not a display name (cab_mime_display_name_is_valid()),
                                       * or missing, leaves its address bare */
  const char          *subject;       /* UTF-8, one line */
  const char          *body;          /* UTF-8 text */
  const char          *message_id;    /* without <>, created when queued */
  gint64               date;          /* Unix time, when queued */
  gboolean             receipt;       /* Disposition-Notification-To: @from */
  const char          *mss_ins;       /* X-MSS-INS: "O" or "N"; NULL: left out */
  const char * const  *codecda;       /* X-MSS-CODECDA values, or NULL */
  const CabMimeOutAttachment *attachments;
  guint                n_attachments;
  GBytes              *xdm_zip;       /* IHE_XDM.zip, or NULL */
  const char          *in_reply_to;   /* a Message-ID without <>, or NULL */
  const char          *references;    /* space-separated Message-IDs without <>, or NULL */
} CabMimeComposition;

#define CAB_MIME_MAX_ADDRESS 254   /* RFC 5321 path limit */
#define CAB_MIME_MAX_SUBJECT 998   /* RFC 5322 line limit */
#define CAB_MIME_MAX_DISPLAY_NAME 200

/* A sender's or recipient's name: one line of UTF-8, no control character, not empty, at
 * most CAB_MIME_MAX_DISPLAY_NAME bytes. */
gboolean cab_mime_display_name_is_valid (const char *name);

/* A plain addr-spec: local@domain, printable ASCII, no spaces, quotes,
 * brackets, commas or control characters, at most CAB_MIME_MAX_ADDRESS. */
gboolean cab_mime_address_is_valid (const char *address);

/* NULL, or one or more space-separated Message-IDs (without <>), each a
 * plain addr-spec-like token, at most CAB_MIME_MAX_REFERENCES of them. */
#define CAB_MIME_MAX_REFERENCES 32
gboolean cab_mime_message_ids_are_valid (const char *ids);

/* A new Message-ID (without <>) in @domain. */
char    *cab_mime_new_message_id   (const char *domain);

/* G_IO_ERROR_INVALID_ARGUMENT with the reason when an address, the subject
 * or a file name is refused. */
GBytes  *cab_mime_compose          (const CabMimeComposition *composition,
                                    GError                  **error);

G_END_DECLS
