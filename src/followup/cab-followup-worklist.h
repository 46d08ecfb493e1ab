/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-followup-items.h"
#include "cab-followup-rules.h"
#include "cab-store.h"

G_BEGIN_DECLS

#define CAB_TYPE_FOLLOWUP_WORKLIST (cab_followup_worklist_get_type ())
G_DECLARE_FINAL_TYPE (CabFollowupWorklist, cab_followup_worklist, CAB, FOLLOWUP_WORKLIST, GObject)

/*
 * The nurse's worklist as a GListModel of CabFollowupPatient: one item per
 * patient who has at least one measure in the @states filter, sorted by
 * urgency (most urgent state, earliest due date, name). Each item's
 * cab_followup_patient_get_measures() holds the statuses in @states only;
 * cab_followup_patient_get_all() every measure of the plan.
 *
 * It follows docs/architecture.md, "Models", like CabTimeline: inputs are
 * properties; a change supersedes the query still running; each answer
 * replaces the items in one items-changed (unchanged patients keep their
 * object), then "loaded" is emitted. The practice is computed once per
 * (store, rules, today) and kept: changing a filter only filters again, on
 * the pool. Call cab_followup_worklist_reload() when the store changed
 * (after a sync: CabSession's "sync-finished"; after a recording: the
 * outbox's "changed"). Main thread only.
 *
 * Properties (read-write): store, rules, today ("YYYY-MM-DD", NULL: the day
 * the practice was computed, re-read on reload), condition (an ICD-10 prefix
 * of the rules, NULL: all), states (CabFollowupStates, default
 * CAB_FOLLOWUP_STATES_TO_DO), gp ("Practitioner/id", NULL: all), text (name,
 * birth date or INS, accents and case ignored; NULL or "": all).
 * Read-only: loading, error, n-overdue, n-due, n-never (patients of the
 * whole practice with at least one measure in that state, whatever the
 * filters: the sidebar's counts), gps (GStrv: the médecins traitants of the
 * practice's followed patients, "Practitioner/<id>", sorted by name; for
 * the GP filter, with cab_followup_worklist_get_gp_name()).
 */
CabFollowupWorklist *cab_followup_worklist_new            (CabStore            *store,
                                                           CabFollowupRules    *rules);

CabStore            *cab_followup_worklist_get_store      (CabFollowupWorklist *self);
void                 cab_followup_worklist_set_store      (CabFollowupWorklist *self,
                                                           CabStore            *store);
CabFollowupRules    *cab_followup_worklist_get_rules      (CabFollowupWorklist *self);
void                 cab_followup_worklist_set_rules      (CabFollowupWorklist *self,
                                                           CabFollowupRules    *rules);
const char          *cab_followup_worklist_get_today      (CabFollowupWorklist *self);
void                 cab_followup_worklist_set_today      (CabFollowupWorklist *self,
                                                           const char          *today);
const char          *cab_followup_worklist_get_condition  (CabFollowupWorklist *self);
void                 cab_followup_worklist_set_condition  (CabFollowupWorklist *self,
                                                           const char          *prefix);
CabFollowupStates    cab_followup_worklist_get_states     (CabFollowupWorklist *self);
void                 cab_followup_worklist_set_states     (CabFollowupWorklist *self,
                                                           CabFollowupStates    states);
const char          *cab_followup_worklist_get_gp         (CabFollowupWorklist *self);
void                 cab_followup_worklist_set_gp         (CabFollowupWorklist *self,
                                                           const char          *gp_reference);
const char          *cab_followup_worklist_get_text       (CabFollowupWorklist *self);
void                 cab_followup_worklist_set_text       (CabFollowupWorklist *self,
                                                           const char          *text);

/* Computes the practice again (the store changed), then filters. */
void                 cab_followup_worklist_reload         (CabFollowupWorklist *self);

gboolean             cab_followup_worklist_get_loading    (CabFollowupWorklist *self);
/* Why the last query failed (the model is then empty), or NULL. */
const GError        *cab_followup_worklist_get_error      (CabFollowupWorklist *self);
guint                cab_followup_worklist_get_n_overdue  (CabFollowupWorklist *self);
guint                cab_followup_worklist_get_n_due      (CabFollowupWorklist *self);
guint                cab_followup_worklist_get_n_never    (CabFollowupWorklist *self);
/* NULL-terminated, owned by the model, replaced (and notified) by a new
 * computation of the practice. */
const char * const  *cab_followup_worklist_get_gps        (CabFollowupWorklist *self);
/* "Dr Jean MARTIN" for one of the gps; the reference itself when the store
 * does not hold that Practitioner. */
const char          *cab_followup_worklist_get_gp_name    (CabFollowupWorklist *self,
                                                           const char          *gp_reference);

/* Completes when the model is not loading (at once when idle). For tests,
 * cabinetctl and printing the day's list. */
void                 cab_followup_worklist_wait_async     (CabFollowupWorklist  *self,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
gboolean             cab_followup_worklist_wait_finish    (CabFollowupWorklist  *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

/* Signal "loaded": the items reflect the newest inputs. */

G_END_DECLS
