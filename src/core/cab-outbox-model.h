/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-outbox.h"
#include "cab-outbox-item.h"
#include "cab-store.h"

G_BEGIN_DECLS

#define CAB_TYPE_OUTBOX_MODEL (cab_outbox_model_get_type ())
G_DECLARE_FINAL_TYPE (CabOutboxModel, cab_outbox_model, CAB, OUTBOX_MODEL, GObject)

/*
 * CabOutboxModel: a GListModel of CabOutboxItem, newest first: every entry
 * still active (pending, held, sending, failed, conflict; up to 500) and the
 * latest done (30) and cancelled (10) as history. Reads on core's reader
 * pool when created and whenever the outbox says "changed" (coalesced: one
 * read covers the changes that came in while another ran), then replaces
 * its items and emits "loaded".
 *
 * Property "n-pending" (uint): entries waiting or being sent, in the whole
 * outbox (the sidebar's badge).
 */

/* How the lists write a patient's name; runs on a pool thread. NULL: the
 * patient's id. */
typedef char *(*CabPatientLabelFunc) (const CabPatient *patient);

CabOutboxModel *cab_outbox_model_new        (CabOutbox           *outbox,
                                             CabPatientLabelFunc  label_func);
CabOutbox     *cab_outbox_model_get_outbox   (CabOutboxModel       *self);
/* Reads again now (or after the read under way). */
void           cab_outbox_model_reload       (CabOutboxModel       *self);
/* Entries in @state in the whole outbox, as of the last read. */
guint          cab_outbox_model_get_count    (CabOutboxModel       *self,
                                             CabOutboxState       state);
guint          cab_outbox_model_get_n_pending (CabOutboxModel      *self);
/* Completed reads so far (tests wait on it). */
guint          cab_outbox_model_get_n_loads  (CabOutboxModel       *self);

G_END_DECLS
