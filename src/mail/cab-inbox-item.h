/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-mail-match.h"

G_BEGIN_DECLS

#define CAB_TYPE_INBOX_ITEM (cab_inbox_item_get_type ())
G_DECLARE_FINAL_TYPE (CabInboxItem, cab_inbox_item, CAB, INBOX_ITEM, GObject)

/*
 * CabInboxItem: one message of the inbox as the list shows it, built on a
 * pool thread by the inbox queries (cab-inbox-queries.h) from its stored
 * row. A snapshot: CabInboxList makes new items when the store changed and
 * puts back the ones that look the same.
 *
 * The match state is the one to show: a message matched "auto" to a
 * patient whose stored identity is no longer qualified (or whose INS
 * another patient also holds) shows as "proposed" (principle 4: an
 * unqualified identity is never shown as qualified).
 *
 * Properties (read-only): id (int64), subject, sender, status, unread
 * (notified: the one thing the page changes in place, when a message is
 * opened or marked unread, without reading the list again).
 */

/* What a list row and the reading pane's first look need, read by the
 * listing query; the rest (text, documents' metadata) is read when the
 * message is opened (cab_inbox_query_message_async()). */
typedef struct
{
  gint64      id;
  gint64      date;            /* Unix time, 0: none */
  const char *from_display;    /* as stored: "Name <address>" */
  const char *from_address;
  const char *subject;
  const char *status;          /* new, assigned, handled */
  const char *match_state;     /* as stored (cab_match_state_to_string()) */
  const char *match_reason;
  const char *match_patient_id;
  const char *match_candidates;/* patient ids, comma-separated */
  guint       match_disagreeing;
  gboolean    patient_qualified; /* the matched patient's identity is qualified now, its INS held once */
  const char *xdm_error;
  gboolean    smime_signed;
  guint       n_documents;
  gboolean    documents_ok;    /* every document's SHA-1 and size as declared */
  const char *type_labels;     /* the documents' type labels, ", "-joined, or NULL */
  gboolean    unread;
  const char *assignee;        /* "Practitioner/<id>", or NULL */
  const char *assignee_prefix; /* the stored practitioner's name, NULL when unknown */
  const char *assignee_given;
  const char *assignee_family;
} CabInboxItemData;

/* For the queries (any thread): copies what @data points to. @today is the
 * local day as days since 1970-01-01 and @utc_offset the zone's offset now,
 * to write the date without a GDateTime per message. */
CabInboxItem       *cab_inbox_item_new               (const CabInboxItemData *data,
                                                      gint64                  today,
                                                      gint64                  utc_offset);

gint64              cab_inbox_item_get_id            (CabInboxItem *self);
/* The id as text (a list model's key). */
const char         *cab_inbox_item_get_key           (CabInboxItem *self);
gint64              cab_inbox_item_get_date          (CabInboxItem *self);
/* The subject, or "" (a message without one). */
const char         *cab_inbox_item_get_subject       (CabInboxItem *self);
/* The sender's name (the address when it has none). */
const char         *cab_inbox_item_get_sender        (CabInboxItem *self);
const char         *cab_inbox_item_get_from_address  (CabInboxItem *self);
/* "new", "assigned" or "handled". */
const char         *cab_inbox_item_get_status        (CabInboxItem *self);
CabMatchState       cab_inbox_item_get_match_state   (CabInboxItem *self);
CabMatchReason      cab_inbox_item_get_match_reason  (CabInboxItem *self);
/* The traits that disagree (CabMatchTraitFlags). */
guint               cab_inbox_item_get_match_disagreeing (CabInboxItem *self);
/* The patient of an auto or proposed match, or NULL. */
const char         *cab_inbox_item_get_patient_id    (CabInboxItem *self);
/* The patients a person may choose from (NULL-terminated, maybe empty). */
const char * const *cab_inbox_item_get_candidates    (CabInboxItem *self);
/* The date as the list shows it: "14:32" today, "03/12/2026" another day;
 * "" when the message has none. */
const char         *cab_inbox_item_get_date_text     (CabInboxItem *self);
/* The documents' type labels ("Compte rendu d'examens biologiques"...)
 * joined with ", ", or NULL. */
const char         *cab_inbox_item_get_type_labels   (CabInboxItem *self);
guint               cab_inbox_item_get_n_documents   (CabInboxItem *self);
/* Why the XDM was refused whole, or NULL. */
const char         *cab_inbox_item_get_xdm_error     (CabInboxItem *self);
/* A document whose SHA-1 or size is not what its metadata declares, or an
 * XDM refused whole. */
gboolean            cab_inbox_item_get_has_problem   (CabInboxItem *self);
gboolean            cab_inbox_item_get_smime_signed  (CabInboxItem *self);
gboolean            cab_inbox_item_get_unread        (CabInboxItem *self);
/* Main thread: what the page just did (cab-mail-seen.h), until the next
 * answer of the list. */
void                cab_inbox_item_set_unread        (CabInboxItem *self,
                                                      gboolean      unread);
guint               cab_inbox_item_get_n_changes     (void);
/* "Practitioner/<id>" the message is assigned to, or NULL. */
const char         *cab_inbox_item_get_assignee      (CabInboxItem *self);
/* "Dr Jean MARTIN", or NULL when the store does not know them. */
const char         *cab_inbox_item_get_assignee_display (CabInboxItem *self);

/* Parses the machine names the store keeps. */
CabMatchState       cab_match_state_from_string      (const char   *text);
CabMatchReason      cab_match_reason_from_string     (const char   *text);

G_END_DECLS
