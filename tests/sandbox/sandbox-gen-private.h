/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What the generator's files share: the fixed directory of organisations and
 * professionals, one patient's generation state, JSON building helpers. */

#include "sandbox-gen.h"
#include "sandbox-names.h"

G_BEGIN_DECLS

#define SANDBOX_SYSTEM_LOCAL_PATIENT "https://cabinet-sante.github.io/fhir/sid/sandbox-patient-id"
#define SANDBOX_SYSTEM_SPECIALTY     "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale"
#define SANDBOX_SYSTEM_PROFESSION    "https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante"
#define SANDBOX_SYSTEM_CIS           "http://data.esante.gouv.fr/ansm/medicament/SpecialitePharmaceutique"
#define SANDBOX_SYSTEM_ICD10         "http://hl7.org/fhir/sid/icd-10"
#define SANDBOX_SYSTEM_LOINC         "http://loinc.org"
#define SANDBOX_SYSTEM_UCUM          "http://unitsofmeasure.org"
#define SANDBOX_SYSTEM_INSEE_EXT     "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code"
#define SANDBOX_SYSTEM_INSEE         "https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM"

typedef struct
{
  const char *id;
  const char *name;
  const char *finess;
  const char *line;
  const char *postal_code;
  const char *city;
  const char *phone;
  const char *facility_code;     /* secteur d'activité, urn:oid:1.2.250.1.71.4.2.4 */
  const char *facility_display;
} SandboxOrgDef;

typedef enum
{
  STAFF_GP,            /* the practice's GPs: gp-1 .. gp-3 */
  STAFF_OTHER_GP,      /* another practice */
  STAFF_CARDIOLOGIST,
  STAFF_ENDOCRINOLOGIST,
  STAFF_NEPHROLOGIST,
  STAFF_PULMONOLOGIST,
  STAFF_EMERGENCY,
  STAFF_SURGEON,
  STAFF_GERIATRICIAN,
  STAFF_PEDIATRICIAN,
  STAFF_BIOLOGIST,
  STAFF_RADIOLOGIST,
} SandboxStaffKind;

typedef struct
{
  const char      *id;
  const char      *given;
  const char      *family;
  const char      *gender;
  SandboxStaffKind kind;
  const char      *specialty_code;
  const char      *specialty;       /* "Médecine générale" */
  const char      *title;           /* "Médecin généraliste" */
  const char      *service;         /* "Service de cardiologie", or NULL */
  const char      *org_id;
  const char      *rpps;            /* 11 digits */
  const char      *mail;            /* MSSanté address */
} SandboxStaffDef;

extern const SandboxOrgDef   sandbox_orgs[];
extern const guint           sandbox_n_orgs;
extern const SandboxStaffDef sandbox_staff[];
extern const guint           sandbox_n_staff;

const SandboxOrgDef   *sandbox_org_lookup       (const char       *id);
const SandboxStaffDef *sandbox_staff_pick       (GRand            *rand,
                                                 SandboxStaffKind  kind);
/* "Dr Hélène Le Goff" into @buf. */
const char            *sandbox_staff_display    (const SandboxStaffDef *staff,
                                                 char             *buf,
                                                 gsize             size);

typedef enum
{
  COND_HTN,
  COND_T2D,
  COND_CKD,
  COND_ASTHMA,
  COND_COPD,
  COND_HF,
  COND_AF,
  COND_HYPOTHYROID,
  COND_DYSLIPIDEMIA,
  COND_OBESITY,
  COND_DEPRESSION,
  N_CONDS
} SandboxCond;

#define HAS(pg, c) (((pg)->conditions & (1u << (c))) != 0)

typedef struct
{
  const SandboxGenOptions *options;
  SandboxEmitFunc          emit;
  gpointer                 user_data;
  guint32                  today;      /* julian day */
  guint32                  start;      /* first day of the history */
  GHashTable              *nirs;       /* keeps NIRs unique */
  GHashTable              *shared;     /* key -> sealed JsonObject reused by many resources */
  GHashTable              *singletons; /* shared JsonObject -> sealed one-element JsonArray */
  /* Sealed recipe blocks shared by every recipe (one per professional). */
  JsonObject              *author_blocks[32];
  JsonObject              *org_blocks[32];
} SandboxGen;

typedef struct
{
  SandboxGen            *gen;
  GRand                 *rand;
  guint                  index;        /* 1-based */
  char                   id[24];       /* pat-00001 */
  char                   num[16];      /* 00001 */
  char                   ref[32];      /* Patient/pat-00001 */

  gboolean               female;
  int                    age;
  guint32                birth;        /* julian day */
  const char            *given[3];
  guint                  n_given;
  const char            *birth_family;
  const char            *usual_family; /* NULL when the birth name is used */
  const SandboxCommune  *birth_place;
  char                   nir[16];
  const char            *status;       /* QUAL, VALI, PROV, RECUP */
  const SandboxStaffDef *gp;           /* médecin traitant */
  const SandboxStaffDef *blocked;      /* Consent deny, or NULL */

  guint                  conditions;   /* bit mask of SandboxCond */
  guint32                onset[N_CONDS];
  double                 height_cm;
  double                 weight_kg;
  double                 sbp;
  double                 hba1c;
  double                 egfr;
  double                 ldl;
  guint32                last_yearly_lab;

  JsonObject            *recipe_patient; /* sealed, shared by the patient's recipes */
  JsonArray             *recipe_treatment;
  JsonArray             *recipe_conditions;
  guint                  recipe_conditions_mask;

  /* Submission sets, batched per author: DocumentReference ids. */
  GPtrArray             *batches[32];
  char                   batch_dates[32][32];

  guint                  n_docs;
  guint                  n_obs;
  guint                  n_meds;
} SandboxPatientGen;

/* sandbox-gen-clinical.c */
void sandbox_gen_conditions   (SandboxPatientGen *pg);
void sandbox_gen_history      (SandboxPatientGen *pg);

/* sandbox-gen-docs.c */
void sandbox_gen_recipe_blocks (SandboxGen        *gen);
void sandbox_gen_recipe_clear  (SandboxGen        *gen);
void sandbox_gen_flush_lists   (SandboxPatientGen *pg);

typedef struct
{
  const char            *kind;       /* consultation, discharge, hospital, lab, imaging, ... */
  guint32                day;
  int                    minutes;    /* time of day */
  const SandboxStaffDef *author;
  const char            *title;
  int                    n_pages;
  const char            *study_uid;  /* imaging: emits the KOS twin */
  JsonObject            *extra;      /* members merged into the PDF recipe (consumed), or NULL */
  char                   doc_id[48]; /* out: the current DocumentReference's id */
} SandboxDocSpec;

void sandbox_gen_document     (SandboxPatientGen *pg,
                               SandboxDocSpec    *spec);

/* JSON helpers (sandbox-gen.c) */
void        sandbox_emit           (SandboxPatientGen *pg,
                                    const char        *type,
                                    const char        *id,
                                    JsonObject        *resource,
                                    JsonObject        *recipe);
JsonObject *sandbox_resource_new   (const char *type,
                                    const char *id);
JsonObject *sandbox_coding_new     (const char *system,
                                    const char *code,
                                    const char *display);
JsonObject *sandbox_concept_new    (const char *system,
                                    const char *code,
                                    const char *display,
                                    const char *text);
JsonObject *sandbox_reference_new  (const char *reference,
                                    const char *display);
/* Sealed objects shared between resources (codings, references, ranges):
 * building each once keeps a 5,000-patient practice fast. New reference. */
JsonObject *sandbox_shared_concept   (SandboxGen *gen,
                                      const char *system,
                                      const char *code,
                                      const char *display,
                                      const char *text);
JsonObject *sandbox_shared_coding    (SandboxGen *gen,
                                      const char *system,
                                      const char *code,
                                      const char *display);
JsonObject *sandbox_shared_reference (SandboxGen *gen,
                                      const char *reference,
                                      const char *display);
/* Generic: NULL when @key is unknown; sandbox_shared_insert() seals and
 * keeps @object, returning a new reference to it. */
JsonObject *sandbox_shared_lookup    (SandboxGen *gen,
                                      const char *key);
JsonObject *sandbox_shared_insert    (SandboxGen *gen,
                                      const char *key,
                                      JsonObject *object);
/* Sets @member to a shared one-element array holding @element, which must
 * come from the sandbox_shared_*() functions (consumed). */
void        sandbox_set_shared_list  (SandboxGen *gen,
                                      JsonObject *object,
                                      const char *member,
                                      JsonObject *element);
void        sandbox_append_object  (JsonObject *object,
                                    const char *member,
                                    JsonObject *value);
void        sandbox_append_string  (JsonObject *object,
                                    const char *member,
                                    const char *value);

/* Dates: "YYYY-MM-DD" and "YYYY-MM-DDThh:mm:00+01:00" (+02:00 in summer). */
void        sandbox_format_day      (guint32 day, char buf[16]);
void        sandbox_format_datetime (guint32 day, int minutes, char buf[32]);

double      sandbox_gauss          (GRand *rand, double mean, double sd);
guint       sandbox_poisson        (GRand *rand, double lambda);

G_END_DECLS
