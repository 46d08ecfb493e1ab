/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include "cab-fhir-resource.h"

G_BEGIN_DECLS

#define CAB_STORE_ERROR (cab_store_error_quark ())

typedef enum
{
  CAB_STORE_ERROR_OPEN,
  CAB_STORE_ERROR_MIGRATION,
  CAB_STORE_ERROR_SQL,
  CAB_STORE_ERROR_NOT_FOUND,
  CAB_STORE_ERROR_CORRUPT,
  CAB_STORE_ERROR_AMBIGUOUS,   /* an INS lookup found two or more patients: never pick one */
} CabStoreError;

GQuark cab_store_error_quark (void);

#define CAB_TYPE_STORE (cab_store_get_type ())
G_DECLARE_FINAL_TYPE (CabStore, cab_store, CAB, STORE, GObject)

/* Rows handed out by queries: plain structs owned by the caller. */
typedef struct
{
  char *id;
  CabPatient patient;     /* fields as flattened from FHIR */
  char *last_updated;
  char *synced_at;        /* ISO 8601 UTC of the last successful sync of this patient, or NULL */
  gboolean ins_duplicate; /* another stored patient has the same INS */
} CabPatientRow;

typedef struct
{
  char *id;
  char *patient_id;
  CabDocument document;
  char *local_path;       /* downloaded file, or NULL */
  char *origin;           /* "dmp", "mssante", "local" */
  char *sort_date;        /* the date the timeline sorts on */
  char *kos_id;           /* for an imaging report: its KOS entry id */
} CabDocumentRow;

typedef struct
{
  const char *category_code;   /* NULL: all */
  const char *type_code;       /* NULL: all */
  const char *date_from;       /* inclusive YYYY-MM-DD, NULL: open */
  const char *date_to;         /* inclusive YYYY-MM-DD, NULL: open */
  const char *text;            /* FTS query within the patient, NULL: none */
  gboolean    include_kos;     /* KOS entries are folded into their report unless TRUE */
} CabTimelineFilter;

/* Opens (creating with mode 0600 and migrating as needed) the store at @path.
 * WAL, synchronous=NORMAL, foreign keys on. Safe to call from any thread; every
 * method below is synchronous and may be called from worker threads
 * (one writer at a time, readers do not block it). Never call from the main thread. */
CabStore      *cab_store_open                 (const char      *path,
                                               GError         **error);
const char    *cab_store_get_path             (CabStore        *self);
int            cab_store_get_schema_version   (CabStore        *self);

/* Upserts @records (CabFhirRecord*) and sets sync state @state_key = @state_value
 * in one transaction: after a crash either both are there or neither.
 * A record whose meta.versionId/lastUpdated is older than the stored one is ignored.
 * @state_key may be NULL. */
gboolean       cab_store_put_records          (CabStore        *self,
                                               GPtrArray       *records,
                                               const char      *state_key,
                                               const char      *state_value,
                                               GError         **error);

char          *cab_store_get_state            (CabStore        *self,
                                               const char      *key);
gboolean       cab_store_set_state            (CabStore        *self,
                                               const char      *key,
                                               const char      *value,
                                               GError         **error);

/* Counts of stored resources per resourceType ("Patient" -> 300...), as a
 * GHashTable of char* -> GUINT_TO_POINTER. */
GHashTable    *cab_store_count_by_type        (CabStore        *self,
                                               GError         **error);
guint          cab_store_count_patients       (CabStore        *self);

/* Patient search: @query over last name, birth name, given names, birth date
 * (dd/mm/yyyy full or partial, or yyyy-mm-dd) and INS; accents and case
 * ignored. NULL or "" lists all. Sorted by name. Array of CabPatientRow*. */
GPtrArray     *cab_store_search_patients      (CabStore        *self,
                                               const char      *query,
                                               guint            limit,
                                               GError         **error);
CabPatientRow *cab_store_get_patient          (CabStore        *self,
                                               const char      *patient_id,
                                               GError         **error);
/* NULL with CAB_STORE_ERROR_AMBIGUOUS when two patients have that INS. */
CabPatientRow *cab_store_find_patient_by_ins  (CabStore        *self,
                                               const char      *ins,
                                               GError         **error);
/* Patients whose INS another stored patient also has (0 when all differ). */
guint          cab_store_count_duplicate_ins  (CabStore        *self,
                                               GError         **error);
/* Ids of every stored patient, for sync. */
GPtrArray     *cab_store_list_patient_ids     (CabStore        *self,
                                               GError         **error);
gboolean       cab_store_mark_patient_synced  (CabStore        *self,
                                               const char      *patient_id,
                                               const char      *when,
                                               GError         **error);

/* The patient's documents, newest first. Array of CabDocumentRow*. */
GPtrArray     *cab_store_list_timeline        (CabStore        *self,
                                               const char      *patient_id,
                                               const CabTimelineFilter *filter,
                                               GError         **error);
CabDocumentRow *cab_store_get_document        (CabStore        *self,
                                               const char      *document_id,
                                               GError         **error);
/* Full-text search over titles, authors and extracted text, accents folded.
 * @patient_id NULL: the whole practice. Array of CabDocumentRow*. */
GPtrArray     *cab_store_search_documents     (CabStore        *self,
                                               const char      *query,
                                               const char      *patient_id,
                                               guint            limit,
                                               GError         **error);
/* Records where a document's content was saved and its extracted text (for FTS). */
gboolean       cab_store_set_document_content (CabStore        *self,
                                               const char      *document_id,
                                               const char      *local_path,
                                               const char      *text,
                                               GError         **error);

/* Observations of a patient for one LOINC code (NULL: all), oldest first;
 * or those derived from one document. Arrays of CabObservationValue*. */
GPtrArray     *cab_store_list_observations    (CabStore        *self,
                                               const char      *patient_id,
                                               const char      *code,
                                               GError         **error);
GPtrArray     *cab_store_list_document_observations (CabStore  *self,
                                               const char      *document_id,
                                               GError         **error);
/* Array of CabCondition*. */
GPtrArray     *cab_store_list_conditions      (CabStore        *self,
                                               const char      *patient_id,
                                               GError         **error);

/* The raw JSON of a stored resource, or NULL with CAB_STORE_ERROR_NOT_FOUND. */
char          *cab_store_get_resource_json    (CabStore        *self,
                                               const char      *type,
                                               const char      *id,
                                               GError         **error);

/* Local trace of an access to a record (docs/architecture.md, principle 5): no names, ids only. */
gboolean       cab_store_audit                (CabStore        *self,
                                               const char      *action,
                                               const char      *resource_type,
                                               const char      *resource_id,
                                               GError         **error);

/* PRAGMA integrity_check == "ok". */
gboolean       cab_store_check_integrity      (CabStore        *self,
                                               GError         **error);

void cab_patient_row_free   (CabPatientRow  *row);
void cab_document_row_free  (CabDocumentRow *row);

/* Default store path: $XDG_DATA_HOME/cabinet/cabinet.db */
char *cab_store_default_path (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabPatientRow, cab_patient_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabDocumentRow, cab_document_row_free)

G_END_DECLS
