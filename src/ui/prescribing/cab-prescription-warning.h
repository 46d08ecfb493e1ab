/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-drug-interactions.h"

G_BEGIN_DECLS

/* The editor's warning rows: colour, icon and words say the same thing,
 * so that no one relies on the colour alone. @lines are the editor's
 * CabPrescriptionLineRow*, to name a line by its number. */
GtkWidget *cab_prescription_warning_new_interaction (const CabDrugInteraction  *interaction,
                                                     GPtrArray                 *lines);
GtkWidget *cab_prescription_warning_new_allergy     (const CabDrugAllergyMatch *match,
                                                     GPtrArray                 *lines);
GtkWidget *cab_prescription_warning_new_unchecked   (const CabDrugUnchecked    *unchecked,
                                                     GPtrArray                 *lines);
/* The row's words, as one text (tests). */
char      *cab_prescription_warning_dup_text        (GtkListBoxRow             *row);

G_END_DECLS
