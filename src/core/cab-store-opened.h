/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-store.h"

G_BEGIN_DECLS

/* Records that the doctor opened @patient_id at @when (ISO 8601 UTC, NULL:
 * now) and leaves an audit entry (CAB_AUDIT_PATIENT_OPEN), in one transaction.
 * @previous (out, nullable): when it was opened before, NULL the first time:
 * what the timeline marks as new is what arrived since. Blocking: call from
 * a worker thread. */
gboolean  cab_store_mark_patient_opened (CabStore    *self,
                                         const char  *patient_id,
                                         const char  *when,
                                         char       **previous,
                                         GError     **error);

/* When @patient_id was last opened, or NULL (never, or on error). */
char     *cab_store_get_patient_opened  (CabStore    *self,
                                         const char  *patient_id,
                                         GError     **error);

G_END_DECLS
