/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The prescription's unique identifier, made on the workstation so that a
 * prescription can be printed offline (docs/domain.md, "Prescription
 * identifier"): 100 random bits from the system's CSPRNG written as 20
 * Crockford base-32 characters, then one Luhn mod 32 check character.
 * Canonical form: 21 characters, upper case, no separator
 * ("7K3QG9W2XB4M8RZT1V6DH"); printed grouped by five ("7K3QG-9W2XB-4M8RZ-T1V6D-H").
 */

#define CAB_PRESCRIPTION_ID_BODY   20
#define CAB_PRESCRIPTION_ID_LENGTH (CAB_PRESCRIPTION_ID_BODY + 1)

/* A new identifier, canonical form. */
char     *cab_prescription_id_generate  (void);
/* The check character for a 20-character body, '\0' when the body is not
 * Crockford base 32. */
char      cab_prescription_id_check_char (const char *body);
/* Canonical form of what a person typed or a scanner read: case folded,
 * hyphens and spaces dropped, I/L read as 1 and O as 0. NULL when the
 * result is not 21 base-32 characters with the right check character. */
char     *cab_prescription_id_normalize (const char *text);
gboolean  cab_prescription_id_is_valid  (const char *id);
/* "7K3QG-9W2XB-4M8RZ-T1V6D-H" from the canonical form. */
char     *cab_prescription_id_format    (const char *id);

G_END_DECLS
