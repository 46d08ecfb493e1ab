/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-sandbox-gen"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sandbox-gen-private.h"

/* One patient's clinical life over the history window: conditions at French
 * prevalence, then a dated list of encounters (GP visits, labs, imaging,
 * specialists, stays, vaccinations...) replayed in order, so measure series
 * drift plausibly and every lab value comes with the report that gave it. */

#define SYS_ALD        "https://cabinet-sante.github.io/fhir/StructureDefinition/condition-ald"
#define SYS_OBS_CAT    "http://terminology.hl7.org/CodeSystem/observation-category"
#define SYS_INTERP     "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"

typedef struct
{
  const char *icd;
  const char *display;
  gboolean    ald;
} CondDef;

static const CondDef cond_defs[N_CONDS] = {
  [COND_HTN]          = { "I10",   "Hypertension artérielle essentielle", FALSE },
  [COND_T2D]          = { "E11.9", "Diabète de type 2 sans complication", TRUE },
  [COND_CKD]          = { "N18.3", "Maladie rénale chronique, stade 3", TRUE },
  [COND_ASTHMA]       = { "J45.9", "Asthme, sans précision", FALSE },
  [COND_COPD]         = { "J44.9", "Bronchopneumopathie chronique obstructive", FALSE },
  [COND_HF]           = { "I50.9", "Insuffisance cardiaque", TRUE },
  [COND_AF]           = { "I48.9", "Fibrillation auriculaire", TRUE },
  [COND_HYPOTHYROID]  = { "E03.9", "Hypothyroïdie", FALSE },
  [COND_DYSLIPIDEMIA] = { "E78.0", "Hypercholestérolémie essentielle", FALSE },
  [COND_OBESITY]      = { "E66.9", "Obésité", FALSE },
  [COND_DEPRESSION]   = { "F32.1", "Épisode dépressif moyen", FALSE },
};

typedef struct
{
  const char *cis;
  const char *name;
  const char *dosage;
  const char *duration;
} MedDef;

/* CIS codes of real medicines of the June 2022 BDPM release (one brand or
 * generic of the DCI named), so the interaction and allergy checks see the
 * real substances; the display stays in DCI. */
static const MedDef med_metformin   = { "69065160", "METFORMINE 1000 mg, comprimé pelliculé", "1 comprimé matin et soir au cours des repas", "3 mois" };
static const MedDef med_gliclazide  = { "69739716", "GLICLAZIDE 30 mg, comprimé à libération modifiée", "2 comprimés le matin au petit-déjeuner", "3 mois" };
static const MedDef med_sitagliptin = { "65602428", "SITAGLIPTINE 100 mg, comprimé pelliculé", "1 comprimé par jour", "3 mois" };
static const MedDef med_dulaglutide = { "63787647", "DULAGLUTIDE 1,5 mg, solution injectable en stylo prérempli", "1 injection sous-cutanée par semaine, le même jour", "3 mois" };
static const MedDef med_amlodipine  = { "62042102", "AMLODIPINE 5 mg, gélule", "1 gélule le matin", "3 mois" };
static const MedDef med_ramipril    = { "60168465", "RAMIPRIL 5 mg, comprimé sécable", "1 comprimé le matin", "3 mois" };
static const MedDef med_irbesartan  = { "62782120", "IRBÉSARTAN 150 mg, comprimé", "1 comprimé par jour", "3 mois" };
static const MedDef med_hctz        = { "64740636", "HYDROCHLOROTHIAZIDE 12,5 mg, comprimé", "1 comprimé le matin", "3 mois" };
static const MedDef med_atorva      = { "68125932", "ATORVASTATINE 20 mg, comprimé pelliculé", "1 comprimé le soir", "3 mois" };
static const MedDef med_rosuva      = { "60562734", "ROSUVASTATINE 10 mg, comprimé pelliculé", "1 comprimé le soir", "3 mois" };
static const MedDef med_levothyrox  = { "62080626", "LÉVOTHYROXINE SODIQUE 75 microgrammes, comprimé sécable", "1 comprimé le matin à jeun, 30 minutes avant le petit-déjeuner", "3 mois" };
static const MedDef med_salbutamol  = { "63883282", "SALBUTAMOL 100 microgrammes/dose, suspension pour inhalation", "1 à 2 bouffées en cas de gêne respiratoire, maximum 8 par jour", "3 mois" };
static const MedDef med_budeform    = { "61237448", "BUDÉSONIDE/FORMOTÉROL 200/6 microgrammes/dose, poudre pour inhalation", "1 inhalation matin et soir, se rincer la bouche après", "3 mois" };
static const MedDef med_tiotropium  = { "62828920", "TIOTROPIUM 2,5 microgrammes/dose, solution pour inhalation", "2 bouffées une fois par jour", "3 mois" };
static const MedDef med_bisoprolol  = { "66720194", "BISOPROLOL 2,5 mg, comprimé pelliculé sécable", "1 comprimé le matin", "3 mois" };
static const MedDef med_furosemide  = { "63076303", "FUROSÉMIDE 40 mg, comprimé sécable", "1 comprimé le matin, peser tous les jours", "3 mois" };
static const MedDef med_entresto    = { "61816438", "SACUBITRIL/VALSARTAN 49 mg/51 mg, comprimé pelliculé", "1 comprimé matin et soir", "3 mois" };
static const MedDef med_apixaban    = { "61902218", "APIXABAN 5 mg, comprimé pelliculé", "1 comprimé matin et soir, ne pas interrompre sans avis médical", "3 mois" };
static const MedDef med_sertraline  = { "60863367", "SERTRALINE 50 mg, gélule", "1 gélule le matin", "3 mois" };

static const MedDef acute_meds[] = {
  { "69166540", "AMOXICILLINE 1 g, comprimé dispersible", "1 comprimé matin, midi et soir", "6 jours" },
  { "61158602", "PARACÉTAMOL 1 g, comprimé", "1 comprimé jusqu'à 3 fois par jour si douleur ou fièvre, à 6 heures d'intervalle", "5 jours" },
  { "62611169", "IBUPROFÈNE 400 mg, comprimé pelliculé", "1 comprimé 3 fois par jour au cours des repas", "4 jours" },
  { "62514713", "AZITHROMYCINE 250 mg, comprimé pelliculé", "2 comprimés le premier jour puis 1 comprimé par jour", "5 jours" },
  { "65009278", "PREDNISOLONE 20 mg, comprimé orodispersible", "2 comprimés le matin", "5 jours" },
  { "61471344", "ÉSOMÉPRAZOLE 20 mg, gélule gastro-résistante", "1 gélule le matin à jeun", "1 mois" },
  { "62005883", "CÉTIRIZINE 10 mg, comprimé pelliculé sécable", "1 comprimé le soir", "1 mois" },
  { "60152411", "TRAMADOL/PARACÉTAMOL 37,5 mg/325 mg, comprimé pelliculé", "1 à 2 comprimés jusqu'à 3 fois par jour si douleur", "5 jours" },
};

typedef struct
{
  const MedDef *med;
  gboolean      ald;
  guint32       stop_day;   /* not renewed from this day on; 0: taken to the end */
} ChronicMed;

typedef enum
{
  EV_GP,
  EV_LAB,
  EV_IMAGING,
  EV_SPECIALIST,
  EV_HOSPITAL,
  EV_ER,
  EV_VACCINE,
  EV_VSM,
  EV_CERTIFICATE,
} EventKind;

typedef struct
{
  guint32 day;
  guint8  kind;
  guint8  sub;
} Event;

typedef struct
{
  SandboxPatientGen *pg;
  ChronicMed         meds[12];
  guint              n_meds;
  guint32            last_renewal;
  guint32            labs_until;   /* no more lab work after this day; 0: to the end */
  gboolean           ckd_stage4;
  double             egfr_slope;
  double             uacr;
  gboolean           complex;
} History;

/* ----------------------------------------------------------------------- */
/* Conditions                                                              */
/* ----------------------------------------------------------------------- */

static double
by_age (int age, const double *table)
{
  /* table: pairs (minimum age, probability), ascending, ended by -1. */
  double p = 0;

  for (guint i = 0; table[i] >= 0; i += 2)
    if (age >= table[i])
      p = table[i + 1];
  return p;
}

static gboolean
roll (SandboxPatientGen *pg, double p)
{
  return g_rand_double (pg->rand) < p;
}

static void
set_cond (SandboxPatientGen *pg,
          SandboxCond        cond,
          int                min_age)
{
  guint32 earliest = pg->birth + (guint32) (min_age * 365.25);
  guint32 latest = pg->gen->today - 60;
  guint32 floor_day = pg->gen->today - (guint32) (25 * 365.25);

  if (earliest < floor_day)
    earliest = floor_day;
  if (earliest >= latest)
    earliest = latest - 1;
  pg->conditions |= 1u << cond;
  pg->onset[cond] = earliest + g_rand_int_range (pg->rand, 0, latest - earliest);
}

void
sandbox_gen_conditions (SandboxPatientGen *pg)
{
  static const double htn[] = { 18, .02, 30, .08, 45, .2, 55, .35, 65, .5, 75, .65, -1 };
  static const double t2d[] = { 25, .02, 45, .07, 55, .13, 65, .19, 75, .2, -1 };
  static const double copd[] = { 40, .03, 60, .07, -1 };
  static const double hf[] = { 60, .02, 75, .1, -1 };
  static const double af[] = { 65, .06, 80, .12, -1 };
  int age = pg->age;

  pg->conditions = 0;
  if (age >= 18 && roll (pg, .15))
    set_cond (pg, COND_OBESITY, 18);
  if (roll (pg, by_age (age, htn) * (HAS (pg, COND_OBESITY) ? 1.4 : 1)))
    set_cond (pg, COND_HTN, 25);
  if (roll (pg, by_age (age, t2d) * (HAS (pg, COND_OBESITY) ? 1.8 : 1)))
    set_cond (pg, COND_T2D, 30);
  if (age >= 40 && roll (pg, .15 + (HAS (pg, COND_T2D) ? .25 : 0)))
    set_cond (pg, COND_DYSLIPIDEMIA, 35);
  if (age >= 40 && roll (pg, .015 + (HAS (pg, COND_T2D) ? .08 : 0) + (HAS (pg, COND_HTN) ? .04 : 0)
                             + (age >= 70 ? .08 : 0)))
    set_cond (pg, COND_CKD, 40);
  if (roll (pg, age < 18 ? .08 : .055))
    set_cond (pg, COND_ASTHMA, 3);
  if (roll (pg, by_age (age, copd)))
    set_cond (pg, COND_COPD, 40);
  if (roll (pg, by_age (age, hf) + (HAS (pg, COND_HTN) && age >= 60 ? .04 : 0)))
    set_cond (pg, COND_HF, 55);
  if (roll (pg, by_age (age, af)))
    set_cond (pg, COND_AF, 60);
  if (age >= 18 && roll (pg, pg->female ? .07 : .015))
    set_cond (pg, COND_HYPOTHYROID, 18);
  if (age >= 18 && roll (pg, .05))
    set_cond (pg, COND_DEPRESSION, 18);
}

static gboolean
cond_is_ald (History *h, SandboxCond c)
{
  return cond_defs[c].ald;
}

static void
emit_conditions (History *h)
{
  SandboxPatientGen *pg = h->pg;
  guint n = 0;

  for (guint c = 0; c < N_CONDS; c++)
    {
      char id[48], onset[16], recorded[16];
      const char *icd = cond_defs[c].icd, *display = cond_defs[c].display;
      JsonObject *r, *ext;

      if (!HAS (pg, c))
        continue;
      if (c == COND_CKD && h->ckd_stage4)
        {
          icd = "N18.4";
          display = "Maladie rénale chronique, stade 4";
        }
      g_snprintf (id, sizeof id, "cond-%s-%02u", pg->num, ++n);
      sandbox_format_day (pg->onset[c], onset);
      sandbox_format_day (MAX (pg->onset[c], pg->gen->start) + 7, recorded);
      if (strcmp (recorded, onset) < 0)
        memcpy (recorded, onset, sizeof recorded);

      r = sandbox_resource_new ("Condition", id);
      if (cond_is_ald (h, c))
        {
          ext = json_object_new ();
          json_object_set_string_member (ext, "url", SYS_ALD);
          json_object_set_boolean_member (ext, "valueBoolean", TRUE);
          sandbox_append_object (r, "extension", ext);
        }
      json_object_set_object_member (r, "clinicalStatus",
                                     sandbox_shared_concept (pg->gen, "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                                                      "active", "Active", NULL));
      json_object_set_object_member (r, "verificationStatus",
                                     sandbox_shared_concept (pg->gen, "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                                                                      "confirmed", "Confirmed", NULL));
      sandbox_set_shared_list (pg->gen, r, "category",
                               sandbox_shared_concept (pg->gen, "http://terminology.hl7.org/CodeSystem/condition-category",
                                                       "problem-list-item", "Problem List Item", NULL));
      json_object_set_object_member (r, "code", sandbox_shared_concept (pg->gen, SANDBOX_SYSTEM_ICD10, icd, display, display));
      json_object_set_object_member (r, "subject", sandbox_shared_reference (pg->gen, pg->ref, NULL));
      json_object_set_string_member (r, "onsetDateTime", onset);
      json_object_set_string_member (r, "recordedDate", recorded);
      if (pg->gp->kind == STAFF_GP)
        {
          g_autofree char *ref = g_strconcat ("Practitioner/", pg->gp->id, NULL);
          json_object_set_object_member (r, "asserter", sandbox_shared_reference (pg->gen, ref, NULL));
        }
      sandbox_emit (pg, "Condition", id, r, NULL);
    }
}

/* A few documented allergies and intolerances, for the prescription's
 * checks: chosen from the patient's number, not drawn from pg->rand, so
 * the rest of the practice is the same with or without them. */
static void
emit_allergies (History *h)
{
  static const struct
  {
    guint       modulo, rest;
    const char *substance;
    const char *type;
    const char *criticality;
    const char *reaction;
  } allergies[] = {
    { 11, 3, "Amoxicilline", "allergy", "high", "Urticaire généralisée" },
    { 13, 5, "Lactose", "intolerance", "low", "Troubles digestifs" },
    { 17, 7, "Acide acétylsalicylique", "allergy", "high", "Bronchospasme" },
  };
  SandboxPatientGen *pg = h->pg;
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (allergies); i++)
    {
      char id[48], recorded[16];
      JsonObject *r, *concept, *reaction, *manifestation;

      if (pg->index % allergies[i].modulo != allergies[i].rest)
        continue;
      g_snprintf (id, sizeof id, "allergy-%s-%02u", pg->num, ++n);
      sandbox_format_day (pg->gen->start + (pg->index * 37) % 365, recorded);
      r = sandbox_resource_new ("AllergyIntolerance", id);
      json_object_set_object_member (r, "clinicalStatus",
                                     sandbox_shared_concept (pg->gen, "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                                                             "active", "Active", NULL));
      json_object_set_object_member (r, "verificationStatus",
                                     sandbox_shared_concept (pg->gen, "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
                                                             "confirmed", "Confirmed", NULL));
      json_object_set_string_member (r, "type", allergies[i].type);
      sandbox_append_string (r, "category", "medication");
      json_object_set_string_member (r, "criticality", allergies[i].criticality);
      /* The substance as text: no code system invented for it. */
      concept = json_object_new ();
      json_object_set_string_member (concept, "text", allergies[i].substance);
      json_object_set_object_member (r, "code", concept);
      json_object_set_object_member (r, "patient", sandbox_shared_reference (pg->gen, pg->ref, NULL));
      json_object_set_string_member (r, "recordedDate", recorded);
      reaction = json_object_new ();
      manifestation = json_object_new ();
      json_object_set_string_member (manifestation, "text", allergies[i].reaction);
      sandbox_append_object (reaction, "manifestation", manifestation);
      sandbox_append_object (r, "reaction", reaction);
      sandbox_emit (pg, "AllergyIntolerance", id, r, NULL);
    }
}

static void
add_med (History *h, const MedDef *med, SandboxCond c)
{
  g_assert (h->n_meds < G_N_ELEMENTS (h->meds));
  h->meds[h->n_meds].med = med;
  h->meds[h->n_meds].ald = cond_defs[c].ald;
  h->n_meds++;
}

static void
choose_treatments (History *h)
{
  SandboxPatientGen *pg = h->pg;
  GRand *rand = pg->rand;

  if (HAS (pg, COND_T2D))
    {
      add_med (h, &med_metformin, COND_T2D);
      if (roll (pg, .4))
        add_med (h, &med_gliclazide, COND_T2D);
      if (roll (pg, .2))
        add_med (h, &med_sitagliptin, COND_T2D);
      if (roll (pg, .15))
        add_med (h, &med_dulaglutide, COND_T2D);
    }
  if (HAS (pg, COND_HTN))
    {
      const MedDef *first[] = { &med_amlodipine, &med_ramipril, &med_irbesartan };
      add_med (h, first[g_rand_int_range (rand, 0, 3)], COND_HTN);
      if (roll (pg, .3))
        add_med (h, &med_hctz, COND_HTN);
    }
  if (HAS (pg, COND_DYSLIPIDEMIA) && roll (pg, .75))
    add_med (h, roll (pg, .6) ? &med_atorva : &med_rosuva, COND_DYSLIPIDEMIA);
  if (HAS (pg, COND_HYPOTHYROID))
    add_med (h, &med_levothyrox, COND_HYPOTHYROID);
  if (HAS (pg, COND_ASTHMA))
    {
      add_med (h, &med_salbutamol, COND_ASTHMA);
      if (roll (pg, .5))
        add_med (h, &med_budeform, COND_ASTHMA);
    }
  if (HAS (pg, COND_COPD))
    add_med (h, &med_tiotropium, COND_COPD);
  if (HAS (pg, COND_HF))
    {
      add_med (h, &med_bisoprolol, COND_HF);
      add_med (h, &med_furosemide, COND_HF);
      if (roll (pg, .4))
        add_med (h, &med_entresto, COND_HF);
    }
  if (HAS (pg, COND_AF))
    add_med (h, &med_apixaban, COND_AF);
  if (HAS (pg, COND_DEPRESSION) && roll (pg, .6))
    add_med (h, &med_sertraline, COND_DEPRESSION);
}

/* Follow-up as it really goes: some chronic patients stop coming for their
 * lab work a while before the present (their measures fall overdue), and
 * some diabetics have a second drug stopped (a marker on their charts).
 * Decided from the patient's number, not the random stream, so every other
 * draw of the practice stays as it was. */
static guint32
mix (guint index,
     guint salt)
{
  guint32 x = (guint32) index * 2654435761u ^ salt * 40503u;

  x ^= x >> 15;
  x *= 2246822519u;
  x ^= x >> 13;
  return x;
}

static void
plan_follow_up_gaps (History *h)
{
  SandboxPatientGen *pg = h->pg;
  guint32 span = pg->gen->today - pg->gen->start;

  if ((HAS (pg, COND_T2D) || HAS (pg, COND_HTN) || HAS (pg, COND_CKD)) && mix (pg->index, 1) % 6 == 0)
    h->labs_until = pg->gen->today - (200 + mix (pg->index, 2) % 400);

  if (!HAS (pg, COND_T2D) || mix (pg->index, 3) % 3 != 0)
    return;
  for (guint i = 0; i < h->n_meds; i++)
    if (h->meds[i].med == &med_gliclazide || h->meds[i].med == &med_sitagliptin)
      {
        h->meds[i].stop_day = pg->gen->start + span * (30 + mix (pg->index, 4) % 40) / 100;
        break;
      }
}

/* ----------------------------------------------------------------------- */
/* Observations                                                            */
/* ----------------------------------------------------------------------- */

typedef struct
{
  const char *loinc;
  const char *display;
  const char *unit;      /* UCUM code */
  const char *unit_text; /* as printed */
  double      low;       /* NAN when none */
  double      high;
  int         decimals;
} MeasureDef;

static const MeasureDef m_hba1c   = { "4548-4", "Hémoglobine glyquée (HbA1c)", "%", "%", 4.0, 5.6, 1 };
static const MeasureDef m_glucose = { "53049-3", "Glycémie à jeun", "g/L", "g/L", 0.70, 1.10, 2 };
static const MeasureDef m_ldl     = { "13457-7", "Cholestérol LDL (calculé)", "g/L", "g/L", NAN, 1.60, 2 };
static const MeasureDef m_creat   = { "14682-9", "Créatinine", "umol/L", "µmol/L", 45, 104, 0 };
static const MeasureDef m_egfr    = { "98979-8", "DFG estimé (CKD-EPI 2021)", "mL/min/{1.73_m2}", "mL/min/1,73 m²", 60, NAN, 0 };
static const MeasureDef m_uacr    = { "9318-7", "Rapport albuminurie/créatininurie", "mg/g", "mg/g", NAN, 30, 0 };
static const MeasureDef m_weight  = { "29463-7", "Poids", "kg", "kg", NAN, NAN, 1 };
static const MeasureDef m_height  = { "8302-2", "Taille", "cm", "cm", NAN, NAN, 0 };
static const MeasureDef m_bmi     = { "39156-5", "Indice de masse corporelle", "kg/m2", "kg/m²", 18.5, 25, 1 };
static const MeasureDef m_sbp     = { "8480-6", "Pression artérielle systolique", "mm[Hg]", "mmHg", 90, 140, 0 };
static const MeasureDef m_dbp     = { "8462-4", "Pression artérielle diastolique", "mm[Hg]", "mmHg", 60, 90, 0 };

static double
round_to (double value, int decimals)
{
  double f = pow (10, decimals);

  return round (value * f) / f;
}

static const char *
interpret (const MeasureDef *m, double value)
{
  if (!isnan (m->high) && value > m->high)
    return "H";
  if (!isnan (m->low) && value < m->low)
    return "L";
  return "N";
}

static JsonObject *
quantity_new (const MeasureDef *m, double value, gboolean coded)
{
  JsonObject *q = json_object_new ();

  if (m->decimals == 0)
    json_object_set_int_member (q, "value", (gint64) value);
  else
    json_object_set_double_member (q, "value", value);
  json_object_set_string_member (q, "unit", m->unit_text);
  if (coded)
    {
      json_object_set_string_member (q, "system", SANDBOX_SYSTEM_UCUM);
      json_object_set_string_member (q, "code", m->unit);
    }
  return q;
}

static void
add_value (SandboxPatientGen *pg, JsonObject *target, const MeasureDef *m, double value)
{
  const char *flag = interpret (m, value);

  json_object_set_object_member (target, "valueQuantity", quantity_new (m, value, TRUE));
  if (!isnan (m->low) || !isnan (m->high))
    {
      char key[64];
      JsonObject *range;

      sandbox_set_shared_list (pg->gen, target, "interpretation", sandbox_shared_concept (pg->gen, SYS_INTERP, flag, NULL, NULL));
      g_snprintf (key, sizeof key, "range|%s", m->loinc);
      if ((range = sandbox_shared_lookup (pg->gen, key)) == NULL)
        {
          range = json_object_new ();
          if (!isnan (m->low))
            json_object_set_object_member (range, "low", quantity_new (m, m->low, FALSE));
          if (!isnan (m->high))
            json_object_set_object_member (range, "high", quantity_new (m, m->high, FALSE));
          range = sandbox_shared_insert (pg->gen, key, range);
        }
      sandbox_set_shared_list (pg->gen, target, "referenceRange", range);
    }
}

static JsonObject *
observation_new (SandboxPatientGen *pg,
                 const char        *category,
                 const char        *loinc,
                 const char        *display,
                 guint32            day,
                 int                minutes,
                 char               id[48])
{
  JsonObject *o;
  char when[32];

  g_snprintf (id, 48, "obs-%s-%04u", pg->num, ++pg->n_obs);
  o = sandbox_resource_new ("Observation", id);
  json_object_set_string_member (o, "status", "final");
  sandbox_set_shared_list (pg->gen, o, "category", sandbox_shared_concept (pg->gen, SYS_OBS_CAT, category, NULL, NULL));
  json_object_set_object_member (o, "code", sandbox_shared_concept (pg->gen, SANDBOX_SYSTEM_LOINC, loinc, display, NULL));
  json_object_set_object_member (o, "subject", sandbox_shared_reference (pg->gen, pg->ref, NULL));
  sandbox_format_datetime (day, minutes, when);
  json_object_set_string_member (o, "effectiveDateTime", when);
  return o;
}

static void
emit_measure (SandboxPatientGen *pg,
              const char        *category,
              const MeasureDef  *m,
              double             value,
              guint32            day,
              int                minutes,
              const char        *performer,
              const char        *derived_from)
{
  char id[48];
  JsonObject *o = observation_new (pg, category, m->loinc, m->display, day, minutes, id);

  if (performer != NULL)
    sandbox_set_shared_list (pg->gen, o, "performer", sandbox_shared_reference (pg->gen, performer, NULL));
  add_value (pg, o, m, value);
  if (derived_from != NULL)
    {
      g_autofree char *ref = g_strconcat ("DocumentReference/", derived_from, NULL);
      sandbox_append_object (o, "derivedFrom", sandbox_reference_new (ref, NULL));
    }
  sandbox_emit (pg, "Observation", id, o, NULL);
}

/* ----------------------------------------------------------------------- */
/* Measure models                                                          */
/* ----------------------------------------------------------------------- */

static double
age_at (SandboxPatientGen *pg, guint32 day)
{
  return (day - pg->birth) / 365.25;
}

static double
child_weight (double age)
{
  if (age < 1)
    return 3.4 + 6.5 * age;
  if (age < 10)
    return 8 + 2.2 * age;
  return MIN (3.6 * age - 8, 60);
}

static double
child_height (double age, gboolean female)
{
  if (age < 1)
    return 50 + 25 * age;
  return MIN (75 + 6.2 * age, female ? 163 : 176);
}

static double
egfr_at (History *h, guint32 day)
{
  SandboxPatientGen *pg = h->pg;
  double years = (day - pg->gen->start) / 365.25;

  return MAX (8, pg->egfr - h->egfr_slope * years + sandbox_gauss (pg->rand, 0, 2.5));
}

static double
creatinine_from_egfr (SandboxPatientGen *pg, double egfr)
{
  return (pg->female ? 62 : 78) * pow (90.0 / egfr, 0.95);
}

static void
init_models (History *h)
{
  SandboxPatientGen *pg = h->pg;
  GRand *rand = pg->rand;
  double bmi;

  pg->height_cm = sandbox_gauss (rand, pg->female ? 163 : 176, pg->female ? 6 : 7);
  bmi = HAS (pg, COND_OBESITY) ? CLAMP (sandbox_gauss (rand, 34, 3), 30.2, 45)
                               : CLAMP (sandbox_gauss (rand, 24.5, 2.8), 18, 29.8);
  pg->weight_kg = bmi * pg->height_cm * pg->height_cm / 10000;
  pg->sbp = HAS (pg, COND_HTN) ? sandbox_gauss (rand, 141, 9)
                               : sandbox_gauss (rand, 118, 8) + 0.3 * MAX (0, pg->age - 40);
  pg->hba1c = HAS (pg, COND_T2D) ? CLAMP (sandbox_gauss (rand, 7.4, 0.7), 6.1, 10.5)
                                 : CLAMP (sandbox_gauss (rand, 5.4, 0.25), 4.6, 5.9);
  pg->ldl = HAS (pg, COND_DYSLIPIDEMIA) ? CLAMP (sandbox_gauss (rand, 1.25, 0.3), 0.6, 2.4)
                                        : CLAMP (sandbox_gauss (rand, 1.2, 0.28), 0.5, 2.1);
  if (HAS (pg, COND_CKD))
    {
      h->ckd_stage4 = roll (pg, .15);
      pg->egfr = h->ckd_stage4 ? sandbox_gauss (rand, 26, 3) : CLAMP (sandbox_gauss (rand, 47, 7), 32, 59);
      h->egfr_slope = CLAMP (sandbox_gauss (rand, 2.2, 1.0), 0.3, 5);
    }
  else
    {
      pg->egfr = CLAMP (128 - 0.9 * pg->age + sandbox_gauss (rand, 0, 7) - (HAS (pg, COND_T2D) ? 6 : 0), 62, 125);
      h->egfr_slope = 0.8;
    }
  h->uacr = HAS (pg, COND_T2D) ? exp (sandbox_gauss (rand, log (HAS (pg, COND_CKD) ? 60 : 14), 0.7)) : 8;
}

/* ----------------------------------------------------------------------- */
/* Events                                                                  */
/* ----------------------------------------------------------------------- */

static void
add_event (GArray *events, SandboxPatientGen *pg, guint32 day, EventKind kind, guint sub)
{
  Event e = { day, kind, sub };

  if (day < pg->gen->start || day > pg->gen->today || day < pg->birth)
    return;
  g_array_append_val (events, e);
}

/* @count events spread uniformly over the window. */
static void
add_random (GArray *events, History *h, double per_year, EventKind kind, guint sub)
{
  SandboxPatientGen *pg = h->pg;
  guint32 first = MAX (pg->gen->start, pg->birth);
  guint32 span = pg->gen->today - first;
  guint n = sandbox_poisson (pg->rand, per_year * span / 365.25);

  for (guint i = 0; i < n && span > 0; i++)
    add_event (events, pg, first + g_rand_int_range (pg->rand, 0, span + 1), kind, sub);
}

/* Regular events every @interval days, give or take a fifth. */
static void
add_regular (GArray *events, History *h, double interval, EventKind kind, guint sub)
{
  SandboxPatientGen *pg = h->pg;
  double day = MAX (pg->gen->start, pg->birth) + g_rand_double (pg->rand) * interval;

  while (day <= pg->gen->today)
    {
      add_event (events, pg, (guint32) day, kind, sub);
      day += interval * (0.8 + 0.4 * g_rand_double (pg->rand));
    }
}

static int
event_compare (gconstpointer a, gconstpointer b)
{
  const Event *ea = a, *eb = b;

  if (ea->day != eb->day)
    return ea->day < eb->day ? -1 : 1;
  return ea->kind - eb->kind;
}

static guint
n_chronic (SandboxPatientGen *pg)
{
  guint n = 0;

  for (guint c = 0; c < N_CONDS; c++)
    n += HAS (pg, c) && c != COND_OBESITY;
  return n;
}

static gboolean
has_ald (SandboxPatientGen *pg)
{
  for (guint c = 0; c < N_CONDS; c++)
    if (HAS (pg, c) && cond_defs[c].ald)
      return TRUE;
  return FALSE;
}

enum { SPE_CARDIO, SPE_ENDO, SPE_NEPHRO, SPE_PNEUMO, SPE_PED, SPE_GERIA };
enum { VAC_FLU, VAC_COVID, VAC_DTP, VAC_HEXA, VAC_ROR, VAC_PNEUMO, VAC_HPV };

static GArray *
plan_events (History *h)
{
  SandboxPatientGen *pg = h->pg;
  GArray *events = g_array_new (FALSE, FALSE, sizeof (Event));
  guint chronic = n_chronic (pg);
  double mult = h->complex ? 2.0 : 1.0;
  double gp_rate;
  GDate d;

  gp_rate = (pg->age < 6 ? 4.5 : pg->age >= 65 ? 3.5 : 2.0) + 1.3 * chronic;
  add_random (events, h, MIN (gp_rate, 12) * mult, EV_GP, 0);

  /* Labs follow the care pathways: HbA1c every quarter for diabetics. */
  if (HAS (pg, COND_T2D))
    add_regular (events, h, 95, EV_LAB, 0);
  else if (HAS (pg, COND_CKD))
    add_regular (events, h, 180 / mult, EV_LAB, 0);
  else if (HAS (pg, COND_HTN) || HAS (pg, COND_DYSLIPIDEMIA) || HAS (pg, COND_HF))
    add_regular (events, h, 330, EV_LAB, 0);
  else
    add_random (events, h, pg->age >= 18 ? 0.4 : 0.08, EV_LAB, 0);

  add_random (events, h, (pg->age >= 18 ? 0.22 + 0.05 * chronic : 0.08) * mult, EV_IMAGING, 0);
  if (pg->female && pg->age >= 50 && pg->age < 76)
    add_regular (events, h, 730, EV_IMAGING, 1);

  if (HAS (pg, COND_HF) || HAS (pg, COND_AF))
    add_regular (events, h, 365, EV_SPECIALIST, SPE_CARDIO);
  else if (HAS (pg, COND_HTN) && roll (pg, .4))
    add_regular (events, h, 730, EV_SPECIALIST, SPE_CARDIO);
  if (HAS (pg, COND_T2D) && roll (pg, .6))
    add_regular (events, h, 365, EV_SPECIALIST, SPE_ENDO);
  if (HAS (pg, COND_CKD))
    add_regular (events, h, h->ckd_stage4 ? 180 : 365, EV_SPECIALIST, SPE_NEPHRO);
  if (HAS (pg, COND_COPD) || (HAS (pg, COND_ASTHMA) && roll (pg, .4)))
    add_regular (events, h, 500, EV_SPECIALIST, SPE_PNEUMO);
  if (pg->age < 16)
    add_random (events, h, 0.15, EV_SPECIALIST, SPE_PED);
  if (pg->age >= 80 && roll (pg, .3))
    add_random (events, h, 0.4, EV_SPECIALIST, SPE_GERIA);

  add_random (events, h, (0.025 + 0.04 * chronic + (HAS (pg, COND_HF) ? 0.15 : 0)
                          + (pg->age >= 75 ? 0.08 : 0)) * mult, EV_HOSPITAL, 0);
  add_random (events, h, pg->age < 15 ? 0.15 : 0.07 + 0.02 * chronic, EV_ER, 0);

  if (has_ald (pg))
    add_regular (events, h, 365, EV_VSM, 0);
  add_random (events, h, pg->age >= 6 && pg->age < 45 ? 0.18 : 0.02, EV_CERTIFICATE, 0);

  /* Vaccinations: autumn flu for the elderly and chronic patients, the
   * childhood schedule, adult boosters at 25, 45 and 65. */
  g_date_clear (&d, 1);
  if (pg->age >= 65 || chronic > 0)
    for (guint32 day = pg->gen->start; day <= pg->gen->today; day += 365)
      {
        g_date_set_julian (&d, day);
        g_date_set_day (&d, 1);
        g_date_set_month (&d, G_DATE_OCTOBER);
        if (roll (pg, .4))
          add_event (events, pg, g_date_get_julian (&d) + g_rand_int_range (pg->rand, 5, 60), EV_VACCINE, VAC_FLU);
        if (pg->age >= 65 && roll (pg, .35))
          add_event (events, pg, g_date_get_julian (&d) + g_rand_int_range (pg->rand, 10, 70), EV_VACCINE, VAC_COVID);
      }
  {
    static const struct { double age; guint vaccine; } schedule[] = {
      { 2 / 12.0, VAC_HEXA }, { 4 / 12.0, VAC_HEXA }, { 5 / 12.0, VAC_PNEUMO }, { 11 / 12.0, VAC_HEXA },
      { 1.0, VAC_ROR }, { 16 / 12.0, VAC_ROR }, { 6, VAC_DTP }, { 11.5, VAC_HPV }, { 12, VAC_HPV },
      { 25, VAC_DTP }, { 45, VAC_DTP }, { 65, VAC_DTP },
    };
    for (guint i = 0; i < G_N_ELEMENTS (schedule); i++)
      add_event (events, pg, pg->birth + (guint32) (schedule[i].age * 365.25) + g_rand_int_range (pg->rand, 0, 25),
                 EV_VACCINE, schedule[i].vaccine);
  }

  g_array_sort (events, event_compare);
  return events;
}

/* ----------------------------------------------------------------------- */
/* Recipe pieces                                                           */
/* ----------------------------------------------------------------------- */

static int
draw_minutes (SandboxPatientGen *pg)
{
  return 8 * 60 + 5 * g_rand_int_range (pg->rand, 0, 12 * 12);
}

/* The arrays are sealed and shared between recipes: rebuilt only when the
 * set of conditions changes. */
static JsonArray *
active_conditions (SandboxPatientGen *pg, guint32 day)
{
  guint mask = 0;

  for (guint c = 0; c < N_CONDS; c++)
    if (HAS (pg, c) && pg->onset[c] <= day)
      mask |= 1u << c;
  if (pg->recipe_conditions == NULL || mask != pg->recipe_conditions_mask)
    {
      g_clear_pointer (&pg->recipe_conditions, json_array_unref);
      pg->recipe_conditions = json_array_new ();
      for (guint c = 0; c < N_CONDS; c++)
        if (mask & (1u << c))
          json_array_add_string_element (pg->recipe_conditions, cond_defs[c].display);
      json_array_seal (pg->recipe_conditions);
      pg->recipe_conditions_mask = mask;
    }
  return json_array_ref (pg->recipe_conditions);
}

static JsonObject *
extra_new (SandboxPatientGen *pg, History *h, guint32 day)
{
  JsonObject *extra = json_object_new ();

  json_object_set_array_member (extra, "conditions", active_conditions (pg, day));
  if (pg->recipe_treatment == NULL)
    {
      pg->recipe_treatment = json_array_new ();
      for (guint i = 0; i < h->n_meds; i++)
        json_array_add_string_element (pg->recipe_treatment, h->meds[i].med->name);
      json_array_seal (pg->recipe_treatment);
    }
  json_object_set_array_member (extra, "treatment", json_array_ref (pg->recipe_treatment));
  return extra;
}

static void
format_number (char *buf, gsize size, double value, int decimals)
{
  char *p;

  g_snprintf (buf, size, "%.*f", decimals, value);
  /* French decimal comma. */
  if ((p = strchr (buf, '.')) != NULL)
    *p = ',';
}

static void
add_row (JsonArray *rows, const char *section, const MeasureDef *m, double value,
         const char *label, const char *unit, double low, double high, int decimals)
{
  JsonObject *row = json_object_new ();
  char buf[32], lo[32], hi[32], range[80];
  const char *flag;

  if (m != NULL)
    {
      label = m->display;
      unit = m->unit_text;
      low = m->low;
      high = m->high;
      decimals = m->decimals;
    }
  flag = !isnan (high) && value > high ? "H" : !isnan (low) && value < low ? "L" : "";
  format_number (buf, sizeof buf, value, decimals);
  format_number (lo, sizeof lo, low, decimals);
  format_number (hi, sizeof hi, high, decimals);
  if (!isnan (low) && !isnan (high))
    g_snprintf (range, sizeof range, "%s – %s", lo, hi);
  else if (!isnan (high))
    g_snprintf (range, sizeof range, "< %s", hi);
  else if (!isnan (low))
    g_snprintf (range, sizeof range, "> %s", lo);
  else
    range[0] = '\0';
  if (section != NULL)
    json_object_set_string_member (row, "section", section);
  json_object_set_string_member (row, "label", label);
  json_object_set_string_member (row, "value", buf);
  json_object_set_string_member (row, "unit", unit);
  json_object_set_string_member (row, "range", range);
  json_object_set_string_member (row, "flag", flag);
  json_array_add_object_element (rows, row);
}

/* ----------------------------------------------------------------------- */
/* Encounters                                                              */
/* ----------------------------------------------------------------------- */

typedef struct
{
  const MeasureDef *m;
  double            value;
} Measured;

static void
do_lab (History *h, guint32 day)
{
  SandboxPatientGen *pg = h->pg;
  GRand *rand = pg->rand;
  Measured measured[8];
  guint n = 0;
  gboolean yearly = day - pg->last_yearly_lab >= 300 || pg->last_yearly_lab == 0;
  gboolean adult = age_at (pg, day) >= 18;
  int minutes = 7 * 60 + 5 * g_rand_int_range (rand, 0, 36);
  SandboxDocSpec spec = { 0 };
  JsonArray *rows;
  JsonObject *extra;

  if (h->labs_until != 0 && day > h->labs_until)
    return;
  rows = json_array_new ();
  extra = extra_new (pg, h, day);

  if (HAS (pg, COND_T2D) || roll (pg, .6))
    {
      if (HAS (pg, COND_T2D))
        {
          pg->hba1c += sandbox_gauss (rand, 0, 0.25) + 0.15 * (7.4 - pg->hba1c);
          pg->hba1c = CLAMP (pg->hba1c, 5.8, 11.5);
          measured[n++] = (Measured) { &m_hba1c, round_to (pg->hba1c, 1) };
        }
      measured[n++] = (Measured) { &m_glucose,
                                   round_to (HAS (pg, COND_T2D) ? 0.45 + 0.11 * pg->hba1c + sandbox_gauss (rand, 0, 0.08)
                                                                : sandbox_gauss (rand, 0.92, 0.07), 2) };
    }
  if (adult && (yearly || HAS (pg, COND_CKD)))
    {
      double egfr = round (egfr_at (h, day));

      measured[n++] = (Measured) { &m_creat, round (creatinine_from_egfr (pg, egfr)) };
      measured[n++] = (Measured) { &m_egfr, MIN (egfr, 120) };
    }
  if (adult && yearly && (pg->age >= 35 || HAS (pg, COND_DYSLIPIDEMIA)))
    {
      pg->ldl = CLAMP (pg->ldl + sandbox_gauss (rand, 0, 0.1) + 0.1 * (1.2 - pg->ldl), 0.4, 2.6);
      measured[n++] = (Measured) { &m_ldl, round_to (pg->ldl, 2) };
    }
  if (yearly && HAS (pg, COND_T2D))
    {
      h->uacr = CLAMP (h->uacr * exp (sandbox_gauss (rand, 0.05, 0.3)), 2, 900);
      measured[n++] = (Measured) { &m_uacr, round (h->uacr) };
    }
  if (n == 0)
    measured[n++] = (Measured) { &m_glucose, round_to (sandbox_gauss (rand, 0.9, 0.07), 2) };
  if (yearly)
    pg->last_yearly_lab = day;

  /* The report also holds what no Observation carries (blood count...). */
  if (roll (pg, .5) || HAS (pg, COND_CKD) || HAS (pg, COND_HF))
    {
      double hb = sandbox_gauss (rand, pg->female ? 13.4 : 14.8, 0.9) - (HAS (pg, COND_CKD) ? 1.5 : 0);
      add_row (rows, "Hématologie", NULL, round_to (hb, 1), "Hémoglobine", "g/dL",
               pg->female ? 12 : 13, pg->female ? 16 : 17, 1);
      add_row (rows, "Hématologie", NULL, round_to (sandbox_gauss (rand, 6.8, 1.5), 1), "Leucocytes", "G/L", 4, 10, 1);
      add_row (rows, "Hématologie", NULL, round (sandbox_gauss (rand, 250, 50)), "Plaquettes", "G/L", 150, 400, 0);
    }
  if (HAS (pg, COND_CKD) || HAS (pg, COND_HF) || HAS (pg, COND_HTN))
    {
      add_row (rows, "Biochimie", NULL, round (sandbox_gauss (rand, 139.5, 2)), "Sodium", "mmol/L", 136, 145, 0);
      add_row (rows, "Biochimie", NULL, round_to (sandbox_gauss (rand, HAS (pg, COND_CKD) ? 4.7 : 4.2, 0.35), 1),
               "Potassium", "mmol/L", 3.5, 5.0, 1);
    }
  for (guint i = 0; i < n; i++)
    add_row (rows, measured[i].m == &m_uacr ? "Urines" : "Biochimie", measured[i].m, measured[i].value,
             NULL, NULL, NAN, NAN, 0);
  json_object_set_array_member (extra, "lab_rows", rows);

  spec.kind = "lab";
  spec.day = day;
  spec.minutes = minutes + 8 * 60;   /* validated in the afternoon */
  spec.author = sandbox_staff_pick (rand, STAFF_BIOLOGIST);
  spec.title = "Compte rendu d'examens biologiques";
  spec.n_pages = json_array_get_length (rows) > 9 ? 2 : 1;
  spec.extra = extra;
  sandbox_gen_document (pg, &spec);

  for (guint i = 0; i < n; i++)
    emit_measure (pg, "laboratory", measured[i].m, measured[i].value, day, minutes,
                  "Organization/org-lab", spec.doc_id);
}

static void
do_vitals (History *h, guint32 day, int minutes)
{
  SandboxPatientGen *pg = h->pg;
  GRand *rand = pg->rand;
  double age = age_at (pg, day);
  g_autofree char *performer = g_strconcat ("Practitioner/", pg->gp->id, NULL);

  if (age >= 18 && roll (pg, HAS (pg, COND_HTN) ? .5 : .12))
    {
      double sbp = round (sandbox_gauss (rand, pg->sbp, 7));
      double dbp = round (0.55 * sbp + sandbox_gauss (rand, 8, 4));
      char id[48];
      JsonObject *o = observation_new (pg, "vital-signs", "85354-9",
                                       "Pression artérielle systolique et diastolique", day, minutes, id);
      JsonObject *component;

      sandbox_set_shared_list (pg->gen, o, "performer", sandbox_shared_reference (pg->gen, performer, NULL));
      component = json_object_new ();
      json_object_set_object_member (component, "code",
                                     sandbox_shared_concept (pg->gen, SANDBOX_SYSTEM_LOINC, m_sbp.loinc, m_sbp.display, NULL));
      add_value (pg, component, &m_sbp, sbp);
      sandbox_append_object (o, "component", component);
      component = json_object_new ();
      json_object_set_object_member (component, "code",
                                     sandbox_shared_concept (pg->gen, SANDBOX_SYSTEM_LOINC, m_dbp.loinc, m_dbp.display, NULL));
      add_value (pg, component, &m_dbp, dbp);
      sandbox_append_object (o, "component", component);
      sandbox_emit (pg, "Observation", id, o, NULL);
    }

  if (roll (pg, age < 18 ? .4 : .25))
    {
      double weight, height;

      if (age < 18)
        {
          height = child_height (age, pg->female);
          weight = child_weight (age) * (1 + sandbox_gauss (rand, 0, 0.04));
          emit_measure (pg, "vital-signs", &m_weight, round_to (weight, 1), day, minutes, performer, NULL);
          if (roll (pg, .5))
            emit_measure (pg, "vital-signs", &m_height, round (height), day, minutes, performer, NULL);
          return;
        }
      pg->weight_kg += sandbox_gauss (rand, 0, 1.0);
      weight = round_to (pg->weight_kg, 1);
      emit_measure (pg, "vital-signs", &m_weight, weight, day, minutes, performer, NULL);
      if (roll (pg, .15))
        emit_measure (pg, "vital-signs", &m_height, round (pg->height_cm), day, minutes, performer, NULL);
      emit_measure (pg, "vital-signs", &m_bmi,
                    round_to (weight * 10000 / (pg->height_cm * pg->height_cm), 1),
                    day, minutes, performer, NULL);
    }
}

static void
emit_medication_requests (History        *h,
                          const MedDef  **meds,
                          guint           n,
                          guint32         day,
                          int             minutes,
                          const char     *doc_id)
{
  SandboxPatientGen *pg = h->pg;
  g_autofree char *requester = g_strconcat ("Practitioner/", pg->gp->id, NULL);
  g_autofree char *doc_ref = g_strconcat ("DocumentReference/", doc_id, NULL);
  char when[32], display[128];
  gboolean recent = pg->gen->today - day < 90;

  sandbox_format_datetime (day, minutes, when);
  for (guint i = 0; i < n; i++)
    {
      char id[48], key[64];
      JsonObject *r, *dosage, *dispense;

      g_snprintf (id, sizeof id, "med-%s-%04u", pg->num, ++pg->n_meds);
      r = sandbox_resource_new ("MedicationRequest", id);
      json_object_set_string_member (r, "status", recent ? "active" : "completed");
      json_object_set_string_member (r, "intent", "order");
      json_object_set_object_member (r, "medicationCodeableConcept",
                                     sandbox_shared_concept (pg->gen, SANDBOX_SYSTEM_CIS, meds[i]->cis, meds[i]->name, meds[i]->name));
      json_object_set_object_member (r, "subject", sandbox_shared_reference (pg->gen, pg->ref, NULL));
      json_object_set_string_member (r, "authoredOn", when);
      json_object_set_object_member (r, "requester",
                                     sandbox_shared_reference (pg->gen, requester, sandbox_staff_display (pg->gp, display, sizeof display)));
      sandbox_append_object (r, "supportingInformation", sandbox_reference_new (doc_ref, NULL));
      g_snprintf (key, sizeof key, "dosage|%s", meds[i]->cis);
      if ((dosage = sandbox_shared_lookup (pg->gen, key)) == NULL)
        {
          dosage = json_object_new ();
          json_object_set_string_member (dosage, "text", meds[i]->dosage);
          dosage = sandbox_shared_insert (pg->gen, key, dosage);
        }
      sandbox_set_shared_list (pg->gen, r, "dosageInstruction", dosage);
      g_snprintf (key, sizeof key, "dispense|%s", meds[i]->cis);
      if ((dispense = sandbox_shared_lookup (pg->gen, key)) == NULL)
        {
          JsonObject *duration = json_object_new ();
          gboolean months = strstr (meds[i]->duration, "mois") != NULL;

          dispense = json_object_new ();
          /* Chronic treatments: three months, renewable once. */
          if (months && g_ascii_strtoll (meds[i]->duration, NULL, 10) == 3)
            json_object_set_int_member (dispense, "numberOfRepeatsAllowed", 1);
          json_object_set_int_member (duration, "value", g_ascii_strtoll (meds[i]->duration, NULL, 10));
          json_object_set_string_member (duration, "unit", months ? "mois" : "jours");
          json_object_set_string_member (duration, "system", SANDBOX_SYSTEM_UCUM);
          json_object_set_string_member (duration, "code", months ? "mo" : "d");
          json_object_set_object_member (dispense, "expectedSupplyDuration", duration);
          dispense = sandbox_shared_insert (pg->gen, key, dispense);
        }
      json_object_set_object_member (r, "dispenseRequest", dispense);
      sandbox_emit (pg, "MedicationRequest", id, r, NULL);
    }
}

static void
do_prescription (History *h, guint32 day, int minutes, gboolean renewal)
{
  SandboxPatientGen *pg = h->pg;
  const MedDef *meds[16];
  gboolean ald[16];
  guint n = 0;
  SandboxDocSpec spec = { 0 };
  JsonObject *extra = extra_new (pg, h, day);
  JsonArray *lines = json_array_new ();

  if (renewal)
    for (guint i = 0; i < h->n_meds; i++)
      {
        if (h->meds[i].stop_day != 0 && day >= h->meds[i].stop_day)
          continue;
        ald[n] = h->meds[i].ald;
        meds[n++] = h->meds[i].med;
      }
  if (!renewal || roll (pg, .15))
    {
      guint first = g_rand_int_range (pg->rand, 0, G_N_ELEMENTS (acute_meds));

      ald[n] = FALSE;
      meds[n++] = &acute_meds[first];
      if (roll (pg, .4))
        {
          ald[n] = FALSE;
          meds[n++] = &acute_meds[(first + 1 + g_rand_int_range (pg->rand, 0, 3)) % G_N_ELEMENTS (acute_meds)];
        }
    }
  for (guint i = 0; i < n; i++)
    {
      JsonObject *line = json_object_new ();

      json_object_set_string_member (line, "name", meds[i]->name);
      json_object_set_string_member (line, "dosage", meds[i]->dosage);
      json_object_set_string_member (line, "duration", meds[i]->duration);
      json_object_set_boolean_member (line, "ald", ald[i]);
      json_array_add_object_element (lines, line);
    }
  json_object_set_array_member (extra, "medications", lines);
  if (pg->weight_kg > 0 && age_at (pg, day) >= 18)
    json_object_set_int_member (extra, "weight_kg", (gint64) round (pg->weight_kg));

  spec.kind = "prescription";
  spec.day = day;
  spec.minutes = minutes + 15;
  spec.author = pg->gp;
  spec.title = "Ordonnance";
  spec.n_pages = 1;
  spec.extra = extra;
  sandbox_gen_document (pg, &spec);
  emit_medication_requests (h, meds, n, day, minutes + 15, spec.doc_id);
}

static void
do_gp_visit (History *h, guint32 day)
{
  SandboxPatientGen *pg = h->pg;
  int minutes = draw_minutes (pg);

  do_vitals (h, day, minutes);
  if (h->n_meds > 0 && day - h->last_renewal >= 170)
    {
      h->last_renewal = day;
      do_prescription (h, day, minutes, TRUE);
    }
  else if (roll (pg, .15))
    do_prescription (h, day, minutes, FALSE);

  if (roll (pg, .1))
    {
      SandboxDocSpec spec = { 0 };

      spec.kind = "consultation";
      spec.day = day;
      spec.minutes = minutes + 20;
      spec.author = pg->gp;
      spec.title = "Compte rendu de consultation de médecine générale";
      spec.n_pages = 1;
      spec.extra = extra_new (pg, h, day);
      sandbox_gen_document (pg, &spec);
    }
}

static void
do_imaging (History *h, guint32 day, gboolean mammography)
{
  static const struct { const char *exam; const char *modality; const char *indication; } exams[] = {
    { "Radiographie thoracique de face et de profil", "CR", "Toux persistante depuis trois semaines." },
    { "Échographie abdominale", "US", "Douleurs de l'hypochondre droit." },
    { "Scanner thoraco-abdomino-pelvien avec injection", "CT", "Altération de l'état général, bilan étiologique." },
    { "IRM du genou droit", "MR", "Gonalgie droite après un faux mouvement, suspicion de lésion méniscale." },
    { "Radiographie du rachis lombaire", "CR", "Lombalgies chroniques." },
    { "Échographie-doppler des troncs supra-aortiques", "US", "Bilan cardiovasculaire." },
    { "Échographie rénale et des voies urinaires", "US", "Insuffisance rénale chronique, bilan morphologique." },
    { "Échographie cervicale et thyroïdienne", "US", "Bilan d'une dysthyroïdie." },
    { "Radiographie du poignet gauche", "CR", "Chute sur la main, douleur de la tabatière anatomique." },
    { "IRM cérébrale", "MR", "Céphalées inhabituelles." },
  };
  SandboxPatientGen *pg = h->pg;
  GRand *rand = pg->rand;
  SandboxDocSpec spec = { 0 };
  JsonObject *extra = extra_new (pg, h, day);
  char uid[64];
  g_autofree char *title = NULL;
  const char *exam, *modality, *indication;

  if (mammography)
    {
      exam = "Mammographie bilatérale de dépistage";
      modality = "MG";
      indication = "Dépistage organisé du cancer du sein.";
    }
  else
    {
      guint i = g_rand_int_range (rand, 0, G_N_ELEMENTS (exams));

      if (i == 6 && !HAS (pg, COND_CKD))
        i = 0;
      if (i == 7 && !HAS (pg, COND_HYPOTHYROID))
        i = 1;
      if (i == 8 && age_at (pg, day) > 40)
        i = 4;
      exam = exams[i].exam;
      modality = exams[i].modality;
      indication = exams[i].indication;
    }
  json_object_set_string_member (extra, "exam", exam);
  json_object_set_string_member (extra, "modality", modality);
  json_object_set_string_member (extra, "indication", indication);
  g_snprintf (uid, sizeof uid, "1.2.250.1.999.1.%u.%u.%u", pg->index, pg->n_docs + 1,
              g_rand_int_range (rand, 100000, 999999));
  title = g_strconcat ("Compte rendu d'imagerie — ", exam, NULL);

  spec.kind = "imaging";
  spec.day = day;
  spec.minutes = draw_minutes (pg);
  spec.author = sandbox_staff_pick (rand, STAFF_RADIOLOGIST);
  spec.title = title;
  spec.n_pages = 1;
  spec.study_uid = uid;
  spec.extra = extra;
  sandbox_gen_document (pg, &spec);
}

static void
do_specialist (History *h, guint32 day, guint sub)
{
  static const struct { SandboxStaffKind kind; const char *title; } spe[] = {
    [SPE_CARDIO] = { STAFF_CARDIOLOGIST, "Compte rendu de consultation de cardiologie" },
    [SPE_ENDO]   = { STAFF_ENDOCRINOLOGIST, "Compte rendu de consultation de diabétologie" },
    [SPE_NEPHRO] = { STAFF_NEPHROLOGIST, "Compte rendu de consultation de néphrologie" },
    [SPE_PNEUMO] = { STAFF_PULMONOLOGIST, "Compte rendu de consultation de pneumologie" },
    [SPE_PED]    = { STAFF_PEDIATRICIAN, "Compte rendu de consultation de pédiatrie" },
    [SPE_GERIA]  = { STAFF_GERIATRICIAN, "Compte rendu d'évaluation gériatrique" },
  };
  SandboxPatientGen *pg = h->pg;
  SandboxDocSpec spec = { 0 };

  spec.kind = "consultation";
  spec.day = day;
  spec.minutes = draw_minutes (pg);
  spec.author = sandbox_staff_pick (pg->rand, spe[sub].kind);
  spec.title = spe[sub].title;
  spec.n_pages = 1 + (roll (pg, .3) ? 1 : 0);
  spec.extra = extra_new (pg, h, day);
  json_object_set_boolean_member (spec.extra, "specialist", TRUE);
  sandbox_gen_document (pg, &spec);
}

static void
do_hospital (History *h, guint32 day)
{
  SandboxPatientGen *pg = h->pg;
  GRand *rand = pg->rand;
  const char *service, *reason;
  SandboxStaffKind kind;
  const SandboxStaffDef *author;
  gboolean surgical = FALSE;
  /* Some stays are long (rehabilitation, complications): their reports are
   * the 10 to 30 page documents. */
  gboolean long_stay = roll (pg, .15);
  guint length = long_stay ? g_rand_int_range (rand, 18, 50) : g_rand_int_range (rand, 2, 12);
  guint32 end = day + length;
  char start_text[16], end_text[16];
  int pages;
  g_autofree char *title = NULL;
  SandboxDocSpec spec = { 0 };

  if (HAS (pg, COND_HF) && roll (pg, .6))
    kind = STAFF_CARDIOLOGIST, service = "Cardiologie", reason = "Décompensation cardiaque gauche";
  else if (HAS (pg, COND_COPD) && roll (pg, .6))
    kind = STAFF_PULMONOLOGIST, service = "Pneumologie", reason = "Exacerbation de bronchopneumopathie chronique obstructive";
  else if (pg->age >= 80 && roll (pg, .5))
    kind = STAFF_GERIATRICIAN, service = "Gériatrie aiguë", reason = "Chute à domicile avec perte d'autonomie";
  else if (age_at (pg, day) < 16)
    kind = STAFF_PEDIATRICIAN, service = "Pédiatrie", reason = "Bronchiolite avec signes de lutte";
  else if (roll (pg, .45))
    kind = STAFF_SURGEON, service = "Chirurgie digestive", reason = "Cholécystite aiguë lithiasique", surgical = TRUE;
  else if (HAS (pg, COND_T2D) && roll (pg, .4))
    kind = STAFF_ENDOCRINOLOGIST, service = "Endocrinologie", reason = "Déséquilibre glycémique, mise sous insuline";
  else
    kind = STAFF_CARDIOLOGIST, service = "Cardiologie", reason = "Douleur thoracique, syndrome coronarien écarté";
  if (end > pg->gen->today)
    end = pg->gen->today;
  author = sandbox_staff_pick (rand, kind);
  sandbox_format_day (day, start_text);
  sandbox_format_day (end, end_text);

  /* Operative report on the day of surgery. */
  if (surgical)
    {
      spec = (SandboxDocSpec) { 0 };
      spec.kind = "operative";
      spec.day = MIN (day + 1, end);
      spec.minutes = 14 * 60 + 5 * g_rand_int_range (rand, 0, 36);
      spec.author = author;
      spec.title = "Compte rendu opératoire — Cholécystectomie par cœlioscopie";
      spec.n_pages = 1;
      spec.extra = extra_new (pg, h, day);
      json_object_set_string_member (spec.extra, "service", service);
      json_object_set_string_member (spec.extra, "reason", reason);
      sandbox_gen_document (pg, &spec);
    }

  spec = (SandboxDocSpec) { 0 };
  title = g_strconcat ("Lettre de liaison à la sortie — ", service, NULL);
  spec.kind = "discharge";
  spec.day = end;
  spec.minutes = 11 * 60 + 5 * g_rand_int_range (rand, 0, 60);
  spec.author = author;
  spec.title = title;
  spec.n_pages = 1 + g_rand_int_range (rand, 0, 2);
  spec.extra = extra_new (pg, h, day);
  json_object_set_string_member (spec.extra, "service", service);
  json_object_set_string_member (spec.extra, "reason", reason);
  json_object_set_string_member (spec.extra, "stay_start", start_text);
  json_object_set_string_member (spec.extra, "stay_end", end_text);
  sandbox_gen_document (pg, &spec);

  if (end + 10 > pg->gen->today)
    return;
  /* Full hospital reports: mostly a few pages, some very long. */
  pages = long_stay ? g_rand_int_range (rand, 10, 31) : g_rand_int_range (rand, 2, 7);
  g_free (title);
  title = g_strconcat ("Compte rendu d'hospitalisation — ", service, NULL);
  spec = (SandboxDocSpec) { 0 };
  spec.kind = "hospital";
  spec.day = end + g_rand_int_range (rand, 3, 10);
  spec.minutes = draw_minutes (pg);
  spec.author = author;
  spec.title = title;
  spec.n_pages = pages;
  spec.extra = extra_new (pg, h, day);
  json_object_set_string_member (spec.extra, "service", service);
  json_object_set_string_member (spec.extra, "reason", reason);
  json_object_set_string_member (spec.extra, "stay_start", start_text);
  json_object_set_string_member (spec.extra, "stay_end", end_text);
  sandbox_gen_document (pg, &spec);
}

static void
do_er (History *h, guint32 day)
{
  static const char * const reasons[] = {
    "Traumatisme de la cheville droite", "Douleur abdominale aiguë", "Malaise sans perte de connaissance",
    "Plaie de la main gauche", "Fièvre et toux", "Douleur thoracique atypique", "Colique néphrétique",
  };
  SandboxPatientGen *pg = h->pg;
  SandboxDocSpec spec = { 0 };

  spec.kind = "er";
  spec.day = day;
  spec.minutes = 5 * g_rand_int_range (pg->rand, 0, 288);
  spec.author = sandbox_staff_pick (pg->rand, STAFF_EMERGENCY);
  spec.title = "Compte rendu de passage aux urgences";
  spec.n_pages = 1 + g_rand_int_range (pg->rand, 0, 2);
  spec.extra = extra_new (pg, h, day);
  json_object_set_string_member (spec.extra, "reason", reasons[g_rand_int_range (pg->rand, 0, G_N_ELEMENTS (reasons))]);
  sandbox_gen_document (pg, &spec);
}

static void
do_vaccine (History *h, guint32 day, guint sub)
{
  static const struct { const char *title; const char *vaccine; } vac[] = {
    [VAC_FLU]    = { "Note de vaccination — grippe saisonnière", "Vaccin grippal quadrivalent inactivé, 0,5 mL, voie intramusculaire" },
    [VAC_COVID]  = { "Note de vaccination — COVID-19", "Vaccin à ARNm contre la COVID-19 (formule adaptée), voie intramusculaire" },
    [VAC_DTP]    = { "Note de vaccination — rappel dTcaPolio", "Vaccin diphtérie, tétanos, coqueluche, poliomyélite (dTcaPolio), voie intramusculaire" },
    [VAC_HEXA]   = { "Note de vaccination — vaccin hexavalent", "Vaccin hexavalent DTCaPolio-Hib-hépatite B, voie intramusculaire" },
    [VAC_ROR]    = { "Note de vaccination — ROR", "Vaccin rougeole, oreillons, rubéole, voie intramusculaire" },
    [VAC_PNEUMO] = { "Note de vaccination — pneumocoque", "Vaccin pneumococcique conjugué, voie intramusculaire" },
    [VAC_HPV]    = { "Note de vaccination — papillomavirus", "Vaccin papillomavirus humain 9-valent, voie intramusculaire" },
  };
  SandboxPatientGen *pg = h->pg;
  SandboxDocSpec spec = { 0 };
  char lot[16];

  g_snprintf (lot, sizeof lot, "%c%c%05d", 'A' + g_rand_int_range (pg->rand, 0, 26),
              'A' + g_rand_int_range (pg->rand, 0, 26), g_rand_int_range (pg->rand, 0, 100000));
  spec.kind = "vaccination";
  spec.day = day;
  spec.minutes = draw_minutes (pg);
  spec.author = age_at (pg, day) < 2 && roll (pg, .3) ? sandbox_staff_pick (pg->rand, STAFF_PEDIATRICIAN) : pg->gp;
  spec.title = vac[sub].title;
  spec.n_pages = 1;
  spec.extra = json_object_new ();
  json_object_set_string_member (spec.extra, "vaccine", vac[sub].vaccine);
  json_object_set_string_member (spec.extra, "lot", lot);
  sandbox_gen_document (pg, &spec);
}

static void
do_simple (History *h, guint32 day, const char *kind, const char *title, int pages)
{
  SandboxPatientGen *pg = h->pg;
  SandboxDocSpec spec = { 0 };

  spec.kind = kind;
  spec.day = day;
  spec.minutes = draw_minutes (pg);
  spec.author = pg->gp;
  spec.title = title;
  spec.n_pages = pages;
  spec.extra = extra_new (pg, h, day);
  sandbox_gen_document (pg, &spec);
}

void
sandbox_gen_history (SandboxPatientGen *pg)
{
  History h = { 0 };
  g_autoptr(GArray) events = NULL;

  h.pg = pg;
  h.complex = pg->age >= 60 && n_chronic (pg) >= 2 && roll (pg, .1);
  init_models (&h);
  choose_treatments (&h);
  plan_follow_up_gaps (&h);
  emit_conditions (&h);
  emit_allergies (&h);
  events = plan_events (&h);

  for (guint i = 0; i < events->len; i++)
    {
      const Event *e = &g_array_index (events, Event, i);

      switch ((EventKind) e->kind)
        {
        case EV_GP:
          do_gp_visit (&h, e->day);
          break;
        case EV_LAB:
          do_lab (&h, e->day);
          break;
        case EV_IMAGING:
          do_imaging (&h, e->day, e->sub == 1);
          break;
        case EV_SPECIALIST:
          do_specialist (&h, e->day, e->sub);
          break;
        case EV_HOSPITAL:
          do_hospital (&h, e->day);
          break;
        case EV_ER:
          do_er (&h, e->day);
          break;
        case EV_VACCINE:
          do_vaccine (&h, e->day, e->sub);
          break;
        case EV_VSM:
          do_simple (&h, e->day, "vsm", "Volet de synthèse médicale", 2);
          break;
        case EV_CERTIFICATE:
          do_simple (&h, e->day, "certificate",
                     age_at (pg, e->day) < 45 ? "Certificat médical de non contre-indication à la pratique sportive"
                                              : "Certificat médical",
                     1);
          break;
        default:
          g_assert_not_reached ();
        }
    }
}
