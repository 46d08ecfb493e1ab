/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * A dosage as the prescriber means it, structured so that it can be
 * rendered in plain French ("1 comprimé matin et soir pendant 3 mois") and
 * sent as a FHIR Dosage. Either structured (quantity, unit, times per day or
 * moments) or free text; the duration is separate and optional.
 * See docs/domain.md, "Prescriptions".
 */

typedef enum
{
  CAB_DOSAGE_MORNING = 1 << 0,   /* matin */
  CAB_DOSAGE_NOON    = 1 << 1,   /* midi */
  CAB_DOSAGE_EVENING = 1 << 2,   /* soir */
  CAB_DOSAGE_BEDTIME = 1 << 3,   /* au coucher */
} CabDosageMoments;

#define CAB_DOSAGE_ALL_MOMENTS 0xf

typedef enum
{
  CAB_DURATION_NONE,
  CAB_DURATION_DAY,
  CAB_DURATION_WEEK,
  CAB_DURATION_MONTH,
} CabDurationUnit;

typedef struct
{
  /* Structured form: quantity = numerator / denominator (½ is 1/2, 1½ is
   * 3/2); denominator 1, 2 or 4. */
  guint           numerator;
  guint           denominator;
  char           *unit;            /* singular, as printed: "comprimé", "mL" */
  guint           times_per_day;   /* used when moments is 0 */
  guint           moments;         /* CabDosageMoments */
  /* Free text instead of the structured form (when non-NULL). */
  char           *text;
  guint           duration;        /* 0: none */
  CabDurationUnit duration_unit;
} CabDosage;

/* Limits on what a dosage may say: a typo, not a dosage, beyond them. */
#define CAB_DOSAGE_MAX_QUANTITY      1000   /* units per intake */
#define CAB_DOSAGE_MAX_TIMES_PER_DAY 24
#define CAB_DOSAGE_MAX_DURATION      3650   /* in its unit (ten years of days) */
#define CAB_DOSAGE_MAX_TEXT          500    /* characters */
#define CAB_DOSAGE_MAX_UNIT          40

void       cab_dosage_clear          (CabDosage       *dosage);
void       cab_dosage_copy           (const CabDosage *src,
                                      CabDosage       *dest);

/* "1", "½", "1½", "2 ¼"...: the quantity as printed. */
char      *cab_dosage_format_quantity (guint           numerator,
                                       guint           denominator);
/* Reads "1", "0.5", "0,5", "1/2", "½", "1 1/2", "1½". FALSE when not a
 * positive quarter-multiple within the limits. */
gboolean   cab_dosage_parse_quantity  (const char     *text,
                                       guint          *numerator,
                                       guint          *denominator);

/* The unit in the plural when the quantity is 2 or more ("comprimés");
 * abbreviations ("mL", "UI") never change. */
char      *cab_dosage_unit_for        (const char     *unit,
                                       guint           numerator,
                                       guint           denominator);

/* "pendant 3 mois", "pendant 1 semaine"; NULL when no duration. */
char      *cab_dosage_format_duration (guint           duration,
                                       CabDurationUnit unit);
/* "3 mois", "10 jours", "2 weeks"... FALSE when not understood. */
gboolean   cab_dosage_parse_duration  (const char     *text,
                                       guint          *duration,
                                       CabDurationUnit *unit);
/* "month", "week", "day": the JSON names. */
const char *cab_duration_unit_to_string   (CabDurationUnit unit);
gboolean    cab_duration_unit_from_string (const char     *text,
                                           CabDurationUnit *unit);

/* The whole dosage in plain French: "1 comprimé matin et soir pendant 3 mois". */
char      *cab_dosage_to_french       (const CabDosage *dosage);

/* Days of treatment the duration covers (a month counts 30 days), 0 when none. */
guint      cab_dosage_duration_days   (const CabDosage *dosage);

G_END_DECLS
