/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-store.h"

G_BEGIN_DECLS

/* The drug database: the BDPM (ANSM's public medicines database) and the
 * ANSM interaction thesaurus, imported into the store's drug tables
 * (docs/architecture.md, "Drug database"; the files' facts in
 * docs/domain.md, "Drug database: BDPM").
 *
 * Every function here is synchronous and reads or writes the store: call
 * it from a worker thread (cabinetctl, core's reader pool), never from
 * the main thread. The UI uses the _async queries below, which run on
 * core's reader pool (cab-query.h).
 *
 * Nothing here rewrites stored prescriptions: a prescription keeps the
 * labels it was written with; only the drug tables are replaced by an
 * import. */

#define CAB_DRUG_ERROR (cab_drug_error_quark ())

typedef enum
{
  CAB_DRUG_ERROR_NOT_FOUND,    /* no medicine with that CIS */
  CAB_DRUG_ERROR_NO_DATABASE,  /* no BDPM release imported yet */
  CAB_DRUG_ERROR_INVALID,      /* a CIS that is not 8 digits, or a file that is not a release */
  CAB_DRUG_ERROR_ENCODING,     /* a file neither UTF-8 nor Windows-1252 */
} CabDrugError;

GQuark cab_drug_error_quark (void);

/* One active ingredient of a medicine (CIS_COMPO_bdpm.txt). */
typedef struct
{
  char *code;              /* BDPM substance code, e.g. "1373" */
  char *name;              /* as published, e.g. "METFORMINE (CHLORHYDRATE DE)" */
  char *strength;          /* "1000 mg", or NULL when not given */
  char *strength_reference;/* "un comprimé", or NULL */
  char *nature;            /* "SA" (active substance) or "FT" (therapeutic moiety) */
  int   link;              /* links an SA to its FT within one medicine */
  char *thesaurus_name;    /* the ANSM thesaurus substance it links to, or NULL */
} CabDrugSubstance;

/* One box of a medicine (CIS_CIP_bdpm.txt). */
typedef struct
{
  char     *cip13;              /* 13 digits, "34009..." */
  char     *cip7;
  char     *label;              /* "plaquette(s) ... de 30 comprimé(s)" */
  gboolean  commercialised;     /* declared on the market */
  char     *reimbursement_rate; /* "65%", "100%", or NULL when not reimbursed */
  char     *price;              /* "30,36" as published, or NULL */
} CabDrugPresentation;

typedef enum
{
  CAB_DRUG_GENERIC_NONE = -1,
  CAB_DRUG_GENERIC_REFERENCE = 0,
  CAB_DRUG_GENERIC_GENERIC = 1,
  CAB_DRUG_GENERIC_COMPLEMENTARY = 2,  /* generic by posology complementarity */
  CAB_DRUG_GENERIC_SUBSTITUTABLE = 4,  /* substitutable generic */
} CabDrugGenericType;

/* A medicine (CIS_bdpm.txt) with what the prescriber needs. */
typedef struct
{
  char      *cis;                /* 8 digits */
  char      *name;               /* brand name with strength and form, as published */
  char      *form;               /* "comprimé pelliculé" */
  char     **routes;             /* "orale", ... (NULL-terminated, maybe empty) */
  gboolean   commercialised;     /* "Commercialisée" */
  char      *generic_group;      /* generic group id, or NULL */
  char      *generic_label;      /* generic group label, or NULL */
  CabDrugGenericType generic_type;
  GPtrArray *substances;         /* CabDrugSubstance*, in file order (SA and FT) */
  GPtrArray *presentations;      /* CabDrugPresentation*, commercialised first */
  char     **conditions;         /* prescribing conditions (CIS_CPD), maybe empty */
} CabDrug;

void     cab_drug_substance_free    (CabDrugSubstance    *substance);
void     cab_drug_presentation_free (CabDrugPresentation *presentation);
void     cab_drug_free              (CabDrug             *drug);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabDrug, cab_drug_free)

/* TRUE when @cis is exactly 8 ASCII digits (the whole string). */
gboolean  cab_drug_cis_is_valid (const char *cis);

/* Substances as prescribed in DCI: the SA names with strengths, "METFORMINE
 * (CHLORHYDRATE DE) 1000 mg" joined with " + "; an SA without a strength
 * whose moiety (FT) has one is shown as that moiety ("AMLODIPINE 5 mg").
 * Newly allocated. */
char     *cab_drug_dup_dci      (const CabDrug *drug);

/* A BDPM strength with its leading number's trailing decimal zeros dropped:
 * "5,00 mg" -> "5 mg", "2,50 mg" -> "2,5 mg"; anything else as it is. */
char     *cab_drug_strength_tidy (const char *strength);

/* The medicine with CIS @cis. Errors: CAB_DRUG_ERROR_INVALID (not 8 digits),
 * CAB_DRUG_ERROR_NOT_FOUND. */
CabDrug   *cab_drug_db_get    (CabStore    *store,
                               const char  *cis,
                               GError     **error);

/* Search as you type: @text is matched word by word (each word as a
 * prefix) against brand names, substance (DCI) names, CIS and CIP13, with
 * accents and case folded ("metformine" finds "METFORMINE (CHLORHYDRATE
 * DE)"). Commercialised medicines first, then the best match. At most
 * @limit results (0: 50). An empty text gives an empty array. A single
 * word of one or two characters lists the brand names it starts (ranking
 * the thousands of words it prefixes costs more than a keystroke allows);
 * one or two digits give an empty array (no code is that short).
 * Returns GPtrArray of CabDrug* (transfer full). */
GPtrArray *cab_drug_db_search (CabStore    *store,
                               const char  *text,
                               guint        limit,
                               GError     **error);

/* The same on core's reader pool, for the editor's search field (use a
 * cab_query_supersede() slot as @cancellable). Finish: GPtrArray of CabDrug*. */
void       cab_drug_query_search_async  (CabStore            *store,
                                         const char          *text,
                                         guint                limit,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GPtrArray *cab_drug_query_search_finish (GAsyncResult        *result,
                                         GError             **error);

/* What is imported, for `cabinetctl drugs status` and the editor. */
typedef struct
{
  gboolean  has_bdpm;
  char     *bdpm_imported_at;     /* ISO 8601 UTC, or NULL */
  char     *bdpm_source;          /* the directory it came from */
  guint     n_drugs;
  guint     n_commercialised;
  guint     n_presentations;
  guint     n_compositions;
  guint     n_generic_rows;
  guint     n_conditions;
  gboolean  has_thesaurus;
  char     *thesaurus_imported_at;
  char     *thesaurus_source;
  guint     n_interactions;
  guint     n_thesaurus_substances;
  guint     n_thesaurus_classes;
  guint     n_linked_substances;  /* BDPM substance codes linked to a thesaurus substance */
  GPtrArray *unlinked_thesaurus;  /* char*: thesaurus substances no BDPM substance links to */
  GPtrArray *unlinked_bdpm;       /* char*: active substances of commercialised medicines
                                   * that link to no thesaurus substance */
} CabDrugDbStatus;

void             cab_drug_db_status_free (CabDrugDbStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabDrugDbStatus, cab_drug_db_status_free)
CabDrugDbStatus *cab_drug_db_get_status  (CabStore  *store,
                                          GError   **error);

G_END_DECLS
