/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cab-store.h"

G_BEGIN_DECLS

/* A patient in a boxed list, the same wherever a list names patients (the
 * desk's recent patients, the inbox's candidates): name, details (sex,
 * birth date, age; the INS when @with_ins), and the identity badge as
 * shown (cab_identity_status_shown(): never qualified when another patient
 * holds the INS; principle 4). Suffixes the caller adds go after the badge.
 * @badge (may be NULL): the badge label, borrowed from the row. */
GtkWidget *cab_patient_action_row_new (const CabPatientRow  *row,
                                       gboolean              with_ins,
                                       GtkLabel            **badge);

G_END_DECLS
