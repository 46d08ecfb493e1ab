/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-store"

#include "config.h"

#include "cab-store-private.h"

/* The sync hot path: every statement here is prepared once per connection and
 * runs inside the caller's transaction (cab_store_put_records). */

/* Applies only when the incoming copy is not older than the stored one:
 * meta.lastUpdated (ISO 8601 strings compare in time order), then versionId. */
static const char sql_resource[] =
  "INSERT INTO resources (type, id, version_id, last_updated, patient_id, json)"
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
  " ON CONFLICT (type, id) DO UPDATE SET"
  "  version_id = excluded.version_id, last_updated = excluded.last_updated,"
  "  patient_id = excluded.patient_id, json = excluded.json"
  " WHERE NOT (coalesce (resources.last_updated, '') > coalesce (excluded.last_updated, '')"
  "   OR (coalesce (resources.last_updated, '') = coalesce (excluded.last_updated, '')"
  "       AND CAST (resources.version_id AS INTEGER) > CAST (excluded.version_id AS INTEGER)))";

static const char sql_patient[] =
  "INSERT OR REPLACE INTO patients (id, ins, ins_system, identity_status, family,"
  " birth_name, given, sex, birth_date, birth_place, gp_reference, last_updated,"
  " sort_key, search_names, search_dates)"
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

/* An upsert, not a replace: docid (the full-text key), local_path, origin and
 * first_seen survive; a changed hash means the local copy and its text are stale. */
static const char sql_document[] =
  "INSERT INTO documents (id, patient_id, status, type_code, type_display, category_code,"
  " title, description, author_reference, author_display, custodian_display, date,"
  " period_start, security_labels, is_archived, content_type, url, size, hash,"
  " study_uid, is_kos, replaces_id, sort_date, last_updated)"
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
  "         ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)"
  " ON CONFLICT (id) DO UPDATE SET"
  "  patient_id = excluded.patient_id, status = excluded.status,"
  "  type_code = excluded.type_code, type_display = excluded.type_display,"
  "  category_code = excluded.category_code, title = excluded.title,"
  "  description = excluded.description, author_reference = excluded.author_reference,"
  "  author_display = excluded.author_display, custodian_display = excluded.custodian_display,"
  "  date = excluded.date, period_start = excluded.period_start,"
  "  security_labels = excluded.security_labels, is_archived = excluded.is_archived,"
  "  content_type = excluded.content_type, url = excluded.url, size = excluded.size,"
  "  study_uid = excluded.study_uid, is_kos = excluded.is_kos,"
  "  replaces_id = excluded.replaces_id, sort_date = excluded.sort_date,"
  "  last_updated = excluded.last_updated,"
  "  local_path = CASE WHEN documents.hash IS excluded.hash THEN documents.local_path END,"
  "  text_extracted = CASE WHEN documents.hash IS excluded.hash THEN documents.text_extracted ELSE 0 END,"
  "  hash = excluded.hash";

static const char sql_observation_clear[] =
  "DELETE FROM observations WHERE resource_id = ?1";

static const char sql_observation[] =
  "INSERT OR REPLACE INTO observations (resource_id, code, patient_id, display, effective,"
  " value, unit, value_string, low, high, interpretation, document_id, status)"
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";

static const char sql_condition[] =
  "INSERT OR REPLACE INTO conditions (id, patient_id, code, system, display,"
  " clinical_status, onset, ald, verification_status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

static const char sql_medication_request[] =
  "INSERT OR REPLACE INTO medication_requests (id, patient_id, status, authored_on,"
  " medication_code, medication_display, dosage_text, requester_reference)"
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/* substance_key stays NULL: src/prescribing folds the substance when it
 * reads, so a change of its folding rules applies to stored allergies. */
static const char sql_allergy[] =
  "INSERT OR REPLACE INTO allergies (id, patient_id, clinical_status, verification_status,"
  " type, category, criticality, code, system, display, recorded)"
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

static const char sql_practitioner[] =
  "INSERT OR REPLACE INTO practitioners (id, idnat_ps, rpps, family, given, prefix)"
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

static const char sql_organization[] =
  "INSERT OR REPLACE INTO organizations (id, name, identifier) VALUES (?1, ?2, ?3)";

static const char sql_state[] =
  "INSERT INTO sync_state (key, value) VALUES (?1, ?2)"
  " ON CONFLICT (key) DO UPDATE SET value = excluded.value";

static gboolean
step_done (CabStoreWriter  *writer,
           sqlite3_stmt    *stmt,
           const char      *what,
           GError         **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, writer->db, what);
      return FALSE;
    }
  return TRUE;
}

static void
bind_double (sqlite3_stmt *stmt,
             int           index,
             double        value)
{
  if (isnan (value))
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_double (stmt, index, value);
}

static gboolean
put_patient (CabStoreWriter       *writer,
             const CabFhirRecord  *record,
             GError              **error)
{
  const CabPatient *p = record->patient;
  g_autoptr(CabStmt) stmt = NULL;
  g_autofree char *sort_key = NULL;
  g_autofree char *names = NULL;
  g_autofree char *dates = NULL;
  g_auto(GStrv) parts = NULL;

  if (!(stmt = cab_store_conn_prepare_static (writer, sql_patient, error)))
    return FALSE;

  sort_key = cab_store_patient_sort_key (p);
  names = cab_store_patient_search_text (p);
  if (p->birth_date != NULL)
    {
      parts = g_strsplit (p->birth_date, "-", 3);
      switch (g_strv_length (parts))
        {
        case 3:
          dates = g_strdup_printf (" %s/%s/%s %s ", parts[2], parts[1], parts[0], p->birth_date);
          break;
        case 2:
          dates = g_strdup_printf (" %s/%s %s ", parts[1], parts[0], p->birth_date);
          break;
        default:
          dates = g_strdup_printf (" %s ", p->birth_date);
        }
    }

  cab_stmt_bind_text (stmt, 1, record->id);
  cab_stmt_bind_text (stmt, 2, p->ins);
  cab_stmt_bind_text (stmt, 3, p->ins_system);
  cab_stmt_bind_text (stmt, 4, p->identity_status);
  cab_stmt_bind_text (stmt, 5, p->family);
  cab_stmt_bind_text (stmt, 6, p->birth_name);
  cab_stmt_bind_text (stmt, 7, p->given);
  cab_stmt_bind_text (stmt, 8, p->sex);
  cab_stmt_bind_text (stmt, 9, p->birth_date);
  cab_stmt_bind_text (stmt, 10, p->birth_place);
  cab_stmt_bind_text (stmt, 11, p->gp_reference);
  cab_stmt_bind_text (stmt, 12, record->last_updated);
  cab_stmt_bind_text (stmt, 13, sort_key);
  cab_stmt_bind_text (stmt, 14, names);
  cab_stmt_bind_text (stmt, 15, dates != NULL ? dates : "");
  return step_done (writer, stmt, "Cannot store a patient", error);
}

static gboolean
put_document (CabStoreWriter       *writer,
              const CabFhirRecord  *record,
              GError              **error)
{
  const CabDocument *d = record->document;
  g_autoptr(CabStmt) stmt = NULL;

  if (!(stmt = cab_store_conn_prepare_static (writer, sql_document, error)))
    return FALSE;

  cab_stmt_bind_text (stmt, 1, record->id);
  cab_stmt_bind_text (stmt, 2, record->patient_id);
  cab_stmt_bind_text (stmt, 3, d->status);
  cab_stmt_bind_text (stmt, 4, d->type_code);
  cab_stmt_bind_text (stmt, 5, d->type_display);
  cab_stmt_bind_text (stmt, 6, d->category_code);
  cab_stmt_bind_text (stmt, 7, d->title);
  cab_stmt_bind_text (stmt, 8, d->description);
  cab_stmt_bind_text (stmt, 9, d->author_reference);
  cab_stmt_bind_text (stmt, 10, d->author_display);
  cab_stmt_bind_text (stmt, 11, d->custodian_display);
  cab_stmt_bind_text (stmt, 12, d->date);
  cab_stmt_bind_text (stmt, 13, d->period_start);
  cab_stmt_bind_text (stmt, 14, d->security_labels);
  sqlite3_bind_int (stmt, 15, d->is_archived ? 1 : 0);
  cab_stmt_bind_text (stmt, 16, d->content_type);
  cab_stmt_bind_text (stmt, 17, d->url);
  if (d->size >= 0)
    sqlite3_bind_int64 (stmt, 18, d->size);
  else
    sqlite3_bind_null (stmt, 18);
  cab_stmt_bind_text (stmt, 19, d->hash);
  cab_stmt_bind_text (stmt, 20, d->study_uid);
  sqlite3_bind_int (stmt, 21, d->is_kos ? 1 : 0);
  cab_stmt_bind_text (stmt, 22, d->replaces_id);
  cab_stmt_bind_text (stmt, 23, d->date != NULL ? d->date : d->period_start);
  cab_stmt_bind_text (stmt, 24, record->last_updated);
  return step_done (writer, stmt, "Cannot store a document", error);
}

static gboolean
put_observation (CabStoreWriter       *writer,
                 const CabFhirRecord  *record,
                 GError              **error)
{
  g_autoptr(CabStmt) clear = NULL;

  /* A new version replaces every value of the previous one. */
  if (!(clear = cab_store_conn_prepare_static (writer, sql_observation_clear, error)))
    return FALSE;
  cab_stmt_bind_text (clear, 1, record->id);
  if (!step_done (writer, clear, "Cannot replace observation values", error))
    return FALSE;

  for (guint i = 0; record->observation_values != NULL && i < record->observation_values->len; i++)
    {
      const CabObservationValue *v = g_ptr_array_index (record->observation_values, i);
      g_autoptr(CabStmt) stmt = NULL;

      if (v->code == NULL)
        continue;
      if (!(stmt = cab_store_conn_prepare_static (writer, sql_observation, error)))
        return FALSE;

      cab_stmt_bind_text (stmt, 1, record->id);
      cab_stmt_bind_text (stmt, 2, v->code);
      cab_stmt_bind_text (stmt, 3, record->patient_id);
      cab_stmt_bind_text (stmt, 4, v->display);
      cab_stmt_bind_text (stmt, 5, v->effective);
      bind_double (stmt, 6, v->value);
      cab_stmt_bind_text (stmt, 7, v->unit);
      cab_stmt_bind_text (stmt, 8, v->value_string);
      bind_double (stmt, 9, v->low);
      bind_double (stmt, 10, v->high);
      cab_stmt_bind_text (stmt, 11, v->interpretation);
      cab_stmt_bind_text (stmt, 12, v->document_id);
      cab_stmt_bind_text (stmt, 13, v->status);
      if (!step_done (writer, stmt, "Cannot store an observation", error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
put_condition (CabStoreWriter       *writer,
               const CabFhirRecord  *record,
               GError              **error)
{
  const CabCondition *c = record->condition;
  g_autoptr(CabStmt) stmt = NULL;

  if (!(stmt = cab_store_conn_prepare_static (writer, sql_condition, error)))
    return FALSE;
  cab_stmt_bind_text (stmt, 1, record->id);
  cab_stmt_bind_text (stmt, 2, record->patient_id);
  cab_stmt_bind_text (stmt, 3, c->code);
  cab_stmt_bind_text (stmt, 4, c->system);
  cab_stmt_bind_text (stmt, 5, c->display);
  cab_stmt_bind_text (stmt, 6, c->clinical_status);
  cab_stmt_bind_text (stmt, 7, c->onset);
  sqlite3_bind_int (stmt, 8, c->ald ? 1 : 0);
  cab_stmt_bind_text (stmt, 9, c->verification_status);
  return step_done (writer, stmt, "Cannot store a condition", error);
}

static gboolean
put_medication_request (CabStoreWriter       *writer,
                        const CabFhirRecord  *record,
                        GError              **error)
{
  const CabMedicationRequest *m = record->medication_request;
  g_autoptr(CabStmt) stmt = NULL;

  if (!(stmt = cab_store_conn_prepare_static (writer, sql_medication_request, error)))
    return FALSE;
  cab_stmt_bind_text (stmt, 1, record->id);
  cab_stmt_bind_text (stmt, 2, record->patient_id);
  cab_stmt_bind_text (stmt, 3, m->status);
  cab_stmt_bind_text (stmt, 4, m->authored_on);
  cab_stmt_bind_text (stmt, 5, m->medication_code);
  cab_stmt_bind_text (stmt, 6, m->medication_display);
  cab_stmt_bind_text (stmt, 7, m->dosage_text);
  cab_stmt_bind_text (stmt, 8, m->requester_reference);
  return step_done (writer, stmt, "Cannot store a medication request", error);
}

static gboolean
put_allergy (CabStoreWriter       *writer,
             const CabFhirRecord  *record,
             GError              **error)
{
  const CabAllergyIntolerance *a = record->allergy_intolerance;
  g_autoptr(CabStmt) stmt = NULL;

  if (!(stmt = cab_store_conn_prepare_static (writer, sql_allergy, error)))
    return FALSE;
  cab_stmt_bind_text (stmt, 1, record->id);
  cab_stmt_bind_text (stmt, 2, record->patient_id);
  cab_stmt_bind_text (stmt, 3, a->clinical_status);
  cab_stmt_bind_text (stmt, 4, a->verification_status);
  cab_stmt_bind_text (stmt, 5, a->type);
  cab_stmt_bind_text (stmt, 6, a->category);
  cab_stmt_bind_text (stmt, 7, a->criticality);
  cab_stmt_bind_text (stmt, 8, a->code);
  cab_stmt_bind_text (stmt, 9, a->system);
  cab_stmt_bind_text (stmt, 10, a->display);
  cab_stmt_bind_text (stmt, 11, a->recorded);
  return step_done (writer, stmt, "Cannot store an allergy", error);
}

static gboolean
put_practitioner (CabStoreWriter       *writer,
                  const CabFhirRecord  *record,
                  GError              **error)
{
  const CabPractitioner *p = record->practitioner;
  g_autoptr(CabStmt) stmt = NULL;

  if (!(stmt = cab_store_conn_prepare_static (writer, sql_practitioner, error)))
    return FALSE;
  cab_stmt_bind_text (stmt, 1, record->id);
  cab_stmt_bind_text (stmt, 2, p->idnat_ps);
  cab_stmt_bind_text (stmt, 3, p->rpps);
  cab_stmt_bind_text (stmt, 4, p->family);
  cab_stmt_bind_text (stmt, 5, p->given);
  cab_stmt_bind_text (stmt, 6, p->prefix);
  return step_done (writer, stmt, "Cannot store a practitioner", error);
}

static gboolean
put_organization (CabStoreWriter       *writer,
                  const CabFhirRecord  *record,
                  GError              **error)
{
  const CabOrganization *o = record->organization;
  g_autoptr(CabStmt) stmt = NULL;

  if (!(stmt = cab_store_conn_prepare_static (writer, sql_organization, error)))
    return FALSE;
  cab_stmt_bind_text (stmt, 1, record->id);
  cab_stmt_bind_text (stmt, 2, o->name);
  cab_stmt_bind_text (stmt, 3, o->identifier);
  return step_done (writer, stmt, "Cannot store an organization", error);
}

gboolean
cab_store_put_record_locked (CabStoreWriter       *writer,
                             const CabFhirRecord  *record,
                             GError              **error)
{
  g_autoptr(CabStmt) stmt = NULL;

  if (record == NULL || record->type == NULL || record->id == NULL || record->json == NULL)
    {
      g_set_error_literal (error, CAB_STORE_ERROR, CAB_STORE_ERROR_SQL,
                           "Cannot store a resource without type, id or content");
      return FALSE;
    }

  if (!(stmt = cab_store_conn_prepare_static (writer, sql_resource, error)))
    return FALSE;

  cab_stmt_bind_text (stmt, 1, record->type);
  cab_stmt_bind_text (stmt, 2, record->id);
  cab_stmt_bind_text (stmt, 3, record->version_id);
  cab_stmt_bind_text (stmt, 4, record->last_updated);
  cab_stmt_bind_text (stmt, 5, record->kind == CAB_RESOURCE_PATIENT ? record->id : record->patient_id);
  cab_stmt_bind_text (stmt, 6, record->json);
  if (!step_done (writer, stmt, "Cannot store a resource", error))
    return FALSE;

  /* No change: the stored copy is newer, keep its columns too. */
  if (sqlite3_changes (writer->db) == 0)
    return TRUE;

  switch (record->kind)
    {
    case CAB_RESOURCE_PATIENT:
      return record->patient == NULL || put_patient (writer, record, error);
    case CAB_RESOURCE_DOCUMENT_REFERENCE:
      return record->document == NULL || put_document (writer, record, error);
    case CAB_RESOURCE_OBSERVATION:
      return put_observation (writer, record, error);
    case CAB_RESOURCE_CONDITION:
      return record->condition == NULL || put_condition (writer, record, error);
    case CAB_RESOURCE_MEDICATION_REQUEST:
      return record->medication_request == NULL || put_medication_request (writer, record, error);
    case CAB_RESOURCE_ALLERGY_INTOLERANCE:
      return record->allergy_intolerance == NULL || put_allergy (writer, record, error);
    case CAB_RESOURCE_PRACTITIONER:
      return record->practitioner == NULL || put_practitioner (writer, record, error);
    case CAB_RESOURCE_ORGANIZATION:
      return record->organization == NULL || put_organization (writer, record, error);
    case CAB_RESOURCE_OTHER:
    default:
      return TRUE;
    }
}

gboolean
cab_store_set_state_locked (CabStoreWriter  *writer,
                            const char      *key,
                            const char      *value,
                            GError         **error)
{
  g_autoptr(CabStmt) stmt = NULL;

  if (!(stmt = cab_store_conn_prepare_static (writer, sql_state, error)))
    return FALSE;
  cab_stmt_bind_text (stmt, 1, key);
  cab_stmt_bind_text (stmt, 2, value);
  return step_done (writer, stmt, "Cannot save the sync state", error);
}
