/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-inbox-item.h"
#include "cab-store.h"

G_BEGIN_DECLS

/* What the Inbox page reads, on core's reader pool (docs/architecture.md,
 * "Async queries"): the list of messages for a filter and a search, with
 * the counts the sidebar shows, and one message read whole for the reading
 * pane. */

/* The list's filters. The nicks are what cabinetctl would take. */
typedef enum
{
  CAB_INBOX_FILTER_TO_TRIAGE,      /* neither assigned nor handled */
  CAB_INBOX_FILTER_ASSIGNED_TO_ME, /* assigned to the practitioner the list names "me" */
  CAB_INBOX_FILTER_HANDLED,
  CAB_INBOX_FILTER_ALL,
} CabInboxFilter;

typedef struct
{
  CabInboxFilter  filter;
  const char     *assignee;   /* "Practitioner/<id>" for ASSIGNED_TO_ME, or NULL */
  const char     *text;       /* full-text search (subject, sender, body, attachment names), or NULL */
  guint           limit;      /* the newest @limit only; 0: all */
} CabInboxQuery;

typedef struct
{
  GPtrArray *items;        /* CabInboxItem*, newest first */
  gboolean   counted;      /* the counts below were read: always, but for a full page of a @limit */
  guint      n_to_triage;  /* in the whole inbox, whatever the filter */
  guint      n_unread;
  guint      n_total;
} CabInboxListing;

void             cab_inbox_listing_free          (CabInboxListing *listing);

/* Blocking (worker threads): the listing for @query. */
CabInboxListing *cab_inbox_store_list            (CabStore            *store,
                                                  const CabInboxQuery *query,
                                                  GError             **error);

/* One attachment of a message, or one document of its XDM. */
typedef struct
{
  char    *filename;
  char    *content_type;
  gint64   size;            /* bytes received */
  char    *path;            /* a PDF written to the mail folder for the viewer, or NULL */
  gboolean from_xdm;
  /* XDM metadata (NULL / -1 for a plain attachment). */
  char    *type_display;
  char    *type_code;
  char    *class_display;
  char    *creation_time;   /* as written, e.g. 20250612093000 */
  char    *author;
  char    *declared_sha1;
  char    *sha1;
  gint64   declared_size;
  gboolean hash_ok;         /* SHA-1 and size are the declared ones (plain attachments: TRUE) */
  char    *patient_ins;
  char    *patient_family;  /* birth name, else the used name */
  char    *patient_given;
  char    *patient_birth_date;
  char     patient_sex;
} CabInboxPart;

typedef struct
{
  gint64     id;
  char      *from;
  char      *from_address;
  char      *subject;
  gint64     date;
  char      *body_text;     /* UTF-8; HTML already made text by the parser */
  gboolean   smime_signed;
  GPtrArray *parts;         /* CabInboxPart*: attachments first (an XDM zip as one), then XDM documents */
  char      *error;         /* why the message or its XDM could not be read, or NULL */
  /* What a reply needs (the composer). */
  char      *message_id;    /* without <>, or NULL */
  char      *references;    /* space-separated Message-IDs, or NULL */
  char     **to_addresses;  /* NULL-terminated, maybe NULL */
  char     **cc_addresses;
  /* A read receipt request (RFC 8098), as received: cab-mail-mdn-answer.h. */
  char      *notification_to;  /* Disposition-Notification-To, or NULL */
  char      *return_path;      /* Return-Path, or NULL */
  /* Its PDFs' text is not indexed yet (mail_text_pending): a search does
   * not find the message by it. */
  gboolean   text_pending;
} CabInboxMessage;

void             cab_inbox_message_free          (CabInboxMessage *message);

/* Reads message @id whole from its raw file: body, attachments, XDM
 * documents and their metadata; writes its PDFs beside the raw file
 * (0600) so the viewer opens them; traces the read (CAB_AUDIT_MAIL_READ). */
void             cab_inbox_query_message_async   (CabStore            *store,
                                                  gint64               id,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
CabInboxMessage *cab_inbox_query_message_finish  (GAsyncResult        *result,
                                                  GError             **error);
/* Whether message @id's PDFs' text is still to be indexed, read alone (the
 * reading pane asks again after an indexing round). */
void             cab_inbox_query_text_pending_async  (CabStore            *store,
                                                      gint64               id,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean         cab_inbox_query_text_pending_finish (GAsyncResult        *result,
                                                      gboolean            *pending,
                                                      GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabInboxListing, cab_inbox_listing_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabInboxMessage, cab_inbox_message_free)

G_END_DECLS
