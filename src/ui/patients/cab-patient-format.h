/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-store.h"

G_BEGIN_DECLS

/* How the desk writes a patient, the French way (pure functions, any thread). */

/* "DUPONT Hélène Marie": family upper-cased, given names capitalised. */
char       *cab_format_patient_name     (const CabPatient *patient);
/* "née MARTIN" / "né MARTIN" when the birth name differs from the family
 * name (accents and case ignored), else NULL. */
char       *cab_format_birth_name       (const CabPatient *patient);
/* "Female", "Male"... translated. */
const char *cab_format_sex              (const char *sex);
/* "YYYY-MM-DD..." -> "dd/mm/yyyy" (partial dates kept partial), NULL -> NULL. */
char       *cab_format_date             (const char *iso);
/* "72 years" / "72 ans", "8 months" under two years; NULL when unknown.
 * @today may be NULL (now). */
char       *cab_format_age              (const char *birth_date,
                                         GDateTime  *today);
/* "Female · 12/03/1954 · 72 years" */
char       *cab_format_patient_details  (const CabPatient *patient);
/* "2 54 03 75 112 345 67" */
char       *cab_format_ins              (const char *ins);

/* Identity status badge: text, tooltip and CSS class for PROV, RECUP, VALI,
 * QUAL, CAB_IDENTITY_SHOWN_CONFLICT or NULL. */
#define CAB_IDENTITY_SHOWN_CONFLICT "CONFLICT"
/* The status a badge shows for @row: its own, except that an INS another
 * stored patient also holds is never shown as qualified (patient safety:
 * docs/architecture.md, principle 4), but as a conflict to check. */
const char *cab_identity_status_shown   (const CabPatientRow *row);
const char *cab_identity_status_label   (const char *status);
const char *cab_identity_status_tooltip (const char *status);
const char *cab_identity_status_css     (const char *status);
/* Sets a badge label's text, tooltip and style class. */
void        cab_identity_badge_update   (GtkLabel   *badge,
                                         const char *status);

/* ISO 8601 (date, or date-time with or without zone; no zone = local) to a
 * GDateTime, NULL when not a date. */
GDateTime  *cab_parse_fhir_datetime     (const char *iso);
/* "dd/mm/yyyy" (or "d/m/yyyy") to "YYYY-MM-DD", NULL when not a valid date. */
char       *cab_parse_french_date       (const char *text);

G_END_DECLS
