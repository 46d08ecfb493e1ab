/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-store-outbox.h"

G_BEGIN_DECLS

typedef enum
{
  CAB_OUTBOX_KIND_OTHER,        /* a kind this version does not know */
  CAB_OUTBOX_KIND_PUBLISH,      /* a document for the DMP */
  CAB_OUTBOX_KIND_VISIBILITY,   /* new visibility labels for a published document */
  CAB_OUTBOX_KIND_CREATE,       /* a new resource (a recorded measure) */
  CAB_OUTBOX_KIND_EPRESCRIPTION,/* a prescription for the e-prescription service */
  CAB_OUTBOX_KIND_MAIL,         /* a secure message (or a read receipt) for SMTP */
} CabOutboxKind;

#define CAB_TYPE_OUTBOX_ITEM (cab_outbox_item_get_type ())
G_DECLARE_FINAL_TYPE (CabOutboxItem, cab_outbox_item, CAB, OUTBOX_ITEM, GObject)

/*
 * CabOutboxItem: what the user sees of one outbox entry, worked out in core
 * so widgets never read an entry's payload. A snapshot: the outbox list
 * model (cab-outbox-list.h) makes new items when the outbox changes.
 *
 * A payload that cannot be read (corrupt, another version's) gives a safe
 * description: empty title fields, no edit, the actions the state allows.
 *
 * Properties (read-only): id (int64), kind (CabOutboxKind), state
 * (CabOutboxState), title, subtitle, patient-id, patient-label, state-text,
 * can-edit, can-retry, can-cancel, can-release.
 */

/* @patient_label: the patient's name as the lists show it, or NULL. */
CabOutboxItem  *cab_outbox_item_new                 (const CabOutboxEntry *entry,
                                                     const char           *patient_label);

gint64          cab_outbox_item_get_id              (CabOutboxItem *self);
CabOutboxKind   cab_outbox_item_get_kind            (CabOutboxItem *self);
CabOutboxState  cab_outbox_item_get_state           (CabOutboxItem *self);
/* "Publish “Compte rendu”", "Change visibility: archived". */
const char     *cab_outbox_item_get_title           (CabOutboxItem *self);
/* Patient, attempts and, until done, the last error ("DUPONT Jean · 2 attempts\n…"). */
const char     *cab_outbox_item_get_subtitle        (CabOutboxItem *self);
const char     *cab_outbox_item_get_patient_id      (CabOutboxItem *self);
const char     *cab_outbox_item_get_patient_label   (CabOutboxItem *self);
/* "Waiting to be sent", "Failed — needs you"... */
const char     *cab_outbox_item_get_state_text      (CabOutboxItem *self);
/* A sent message's read receipt (RFC 8098), as its Unix time (0: none),
 * set by the model when it makes the item; "Read on <date>" (NULL: none). */
void            cab_outbox_item_set_read_at         (CabOutboxItem *self,
                                                     gint64         read_at);
gint64          cab_outbox_item_get_read_at         (CabOutboxItem *self);
char           *cab_outbox_item_dup_read_text       (CabOutboxItem *self);

/* The user actions the state allows (cab-outbox.h says what each does). */
/* A read receipt (RFC 8098) Cabinet queued in answer to a request: never
 * edited, only cancelled. */
gboolean        cab_outbox_item_get_is_receipt      (CabOutboxItem *self);
/* Not sent yet and editable: a publication's form, or a message in the
 * composer (kind MAIL, not a receipt). */
gboolean        cab_outbox_item_get_can_edit        (CabOutboxItem *self);
gboolean        cab_outbox_item_get_can_retry       (CabOutboxItem *self);
gboolean        cab_outbox_item_get_can_cancel      (CabOutboxItem *self);
gboolean        cab_outbox_item_get_can_release     (CabOutboxItem *self);

/* A publish as queued, for its edit form: title and LOINC type; NULL for
 * other kinds or an unreadable payload. */
const char     *cab_outbox_item_get_document_title  (CabOutboxItem *self);
const char     *cab_outbox_item_get_type_code       (CabOutboxItem *self);

/* A conflict, both sides: the user's version and the health space's, each
 * as a title and a visibility text. "—" where a side says nothing. */
const char     *cab_outbox_item_get_mine_title          (CabOutboxItem *self);
const char     *cab_outbox_item_get_mine_visibility     (CabOutboxItem *self);
const char     *cab_outbox_item_get_server_title        (CabOutboxItem *self);
const char     *cab_outbox_item_get_server_visibility   (CabOutboxItem *self);

/* The id as text, and whether two snapshots of an entry differ in any
 * field (cab_model_items_reuse(): the model keeps an unchanged item, so a
 * list view keeps its row). */
const char     *cab_outbox_item_get_key             (CabOutboxItem *self);
gboolean        cab_outbox_item_same                (CabOutboxItem *a,
                                                     CabOutboxItem *b);

/* The user-facing name of a state ("Waiting to be sent"...). */
const char     *cab_outbox_state_describe           (CabOutboxState state);

G_END_DECLS
