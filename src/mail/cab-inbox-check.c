/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

/* What a person's choice of patient disagrees with (cab-inbox-check.h).
 * Logs carry ids only (principle 5). */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cab-inbox-check.h"
#include "cab-mail-text-traits.h"
#include "cab-mime.h"
#include "cab-query.h"
#include "cab-store-private.h"
#include "cab-xdm.h"

#include <string.h>

#define MAX_DOCUMENTS 64

static void
traits_clear (CabInboxTraits *t)
{
  g_free (t->ins);
  g_free (t->family);
  g_free (t->usage_family);
  g_free (t->given);
  g_free (t->birth_date);
}

void
cab_inbox_check_free (CabInboxCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->patient_id);
  traits_clear (&check->message);
  traits_clear (&check->patient);
  g_free (check);
}

static gboolean
names_someone (const CabMatchTraits *t)
{
  return t->ins != NULL || t->birth_date != NULL || t->birth_family != NULL || t->usage_family != NULL ||
         t->given != NULL;
}

static void
copy_traits (const CabMatchTraits *from, CabInboxTraits *to)
{
  to->ins = g_strdup (from->ins);
  to->family = g_strdup (from->birth_family != NULL ? from->birth_family : from->usage_family);
  to->usage_family = from->birth_family != NULL ? g_strdup (from->usage_family) : NULL;
  to->given = g_strdup (from->given);
  to->birth_date = g_strdup (from->birth_date);
  to->sex = from->sex;
}

/* raw_path and the indexed text of the message (body, then attachment
 * names and the PDFs' text, as the sync read them for the matching). */
static gboolean
read_message (CabStore *store, gint64 mail_id, char **raw_path, char **text, GError **error)
{
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, error);
  g_autoptr(CabStmt) stmt = NULL;
  int rc;

  if (reader == NULL)
    return FALSE;
  stmt = cab_store_conn_prepare (reader,
    "SELECT m.raw_path, f.body, f.attachments FROM mail_messages m"
    " LEFT JOIN mail_fts f ON f.rowid = m.id WHERE m.id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, mail_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND, _("This message is no longer in the local store."));
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot read a mail message");
      return FALSE;
    }
  *raw_path = cab_stmt_dup_text (stmt, 0);
  *text = g_strjoin ("\n", sqlite3_column_text (stmt, 1) ? (const char *) sqlite3_column_text (stmt, 1) : "",
                     sqlite3_column_text (stmt, 2) ? (const char *) sqlite3_column_text (stmt, 2) : "", NULL);
  return TRUE;
}

/* The patient as the matcher takes it (cab_mail_store_candidates()'s way). */
static gboolean
read_patient (CabStore *store, const char *patient_id, CabInboxTraits *out, GError **error)
{
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, error);
  g_autoptr(CabStmt) stmt = NULL;
  const char *sex;
  int rc;

  if (reader == NULL)
    return FALSE;
  stmt = cab_store_conn_prepare (reader,
    "SELECT ins, family, birth_name, given, sex, birth_date FROM patients WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  cab_stmt_bind_text (stmt, 1, patient_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND, _("This patient is no longer in the local store."));
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot read a patient");
      return FALSE;
    }
  out->ins = cab_stmt_dup_text (stmt, 0);
  out->family = cab_stmt_dup_text (stmt, 2);
  out->usage_family = cab_stmt_dup_text (stmt, 1);
  if (out->family == NULL)
    out->family = g_steal_pointer (&out->usage_family);
  else if (g_strcmp0 (out->family, out->usage_family) == 0)
    g_clear_pointer (&out->usage_family, g_free);
  out->given = cab_stmt_dup_text (stmt, 3);
  sex = (const char *) sqlite3_column_text (stmt, 4);
  out->sex = g_strcmp0 (sex, "female") == 0 ? 'F' : g_strcmp0 (sex, "male") == 0 ? 'M' : 0;
  out->birth_date = cab_stmt_dup_text (stmt, 5);
  return TRUE;
}

CabInboxCheck *
cab_inbox_store_check (CabStore    *store,
                       gint64       mail_id,
                       const char  *patient_id,
                       GError     **error)
{
  g_autoptr(CabInboxCheck) check = g_new0 (CabInboxCheck, 1);
  g_autofree char *raw_path = NULL, *text = NULL;
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(CabMimeMessage) mime = NULL;
  g_autoptr(GPtrArray) xdms = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_xdm_free);
  CabMailTextTraits text_traits = { 0 };
  CabMatchTraits traits[MAX_DOCUMENTS];
  CabMatchPatient patient = { 0 };
  guint n_traits = 0;

  g_return_val_if_fail (CAB_IS_STORE (store), NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);

  check->patient_id = g_strdup (patient_id);
  if (!read_patient (store, patient_id, &check->patient, error) ||
      !read_message (store, mail_id, &raw_path, &text, error))
    return NULL;

  /* The message as the sync read it: its XDM documents' patients. A file
   * that cannot be read names nobody here: the pane says so. */
  file = g_mapped_file_new (raw_path, FALSE, NULL);
  if (file != NULL && g_mapped_file_get_length (file) <= CAB_MIME_MAX_MESSAGE)
    {
      raw = g_mapped_file_get_bytes (file);
      mime = cab_mime_parse (raw, NULL);
    }
  for (guint i = 0; mime != NULL && i < mime->attachments->len; i++)
    {
      CabMimeAttachment *a = g_ptr_array_index (mime->attachments, i);
      CabXdm *xdm;

      if (!g_str_equal (a->content_type, "application/zip") &&
          (a->filename == NULL || g_ascii_strcasecmp (a->filename, "IHE_XDM.zip") != 0))
        continue;
      if ((xdm = cab_xdm_read (a->content, NULL, NULL)) == NULL)
        continue;
      g_ptr_array_add (xdms, xdm);
      for (guint d = 0; d < xdm->documents->len && n_traits < MAX_DOCUMENTS; d++)
        {
          cab_xdm_document_get_traits (g_ptr_array_index (xdm->documents, d), &traits[n_traits]);
          if (names_someone (&traits[n_traits]))
            n_traits++;
        }
    }
  /* No document names the patient: the labelled traits of the text, as
   * the matching read them (docs/domain.md). */
  if (n_traits == 0 && cab_mail_text_traits_read (text, &text_traits))
    {
      cab_mail_text_traits_to_match (&text_traits, &traits[0]);
      n_traits = 1;
      check->from_text = TRUE;
    }

  check->named = n_traits > 0;
  if (n_traits > 0)
    copy_traits (&traits[0], &check->message);
  patient.id = patient_id;
  patient.ins = check->patient.ins;
  patient.birth_family = check->patient.family;
  patient.usage_family = check->patient.usage_family;
  patient.given = check->patient.given;
  patient.birth_date = check->patient.birth_date;
  patient.sex = check->patient.sex;
  check->disagreeing = cab_match_check_patient (traits, n_traits, &patient);
  cab_mail_text_traits_clear (&text_traits);
  return g_steal_pointer (&check);
}

typedef struct
{
  gint64  mail_id;
  char   *patient_id;
} CheckData;

static void
check_data_free (CheckData *data)
{
  g_free (data->patient_id);
  g_free (data);
}

static void
check_run (GTask *task, CabStore *store, gpointer task_data, GCancellable *cancellable)
{
  CheckData *data = task_data;
  GError *error = NULL;
  CabInboxCheck *check = cab_inbox_store_check (store, data->mail_id, data->patient_id, &error);

  if (check == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, check, (GDestroyNotify) cab_inbox_check_free);
}

void
cab_inbox_query_check_async (CabStore            *store,
                             gint64               mail_id,
                             const char          *patient_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  CheckData *data;

  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (patient_id != NULL);

  data = g_new0 (CheckData, 1);
  data->mail_id = mail_id;
  data->patient_id = g_strdup (patient_id);
  cab_query_start (store, cab_inbox_query_check_async, data, (GDestroyNotify) check_data_free, check_run,
                   cancellable, callback, user_data);
}

CabInboxCheck *
cab_inbox_query_check_finish (GAsyncResult  *result,
                              GError       **error)
{
  return cab_query_finish_pointer (result, cab_inbox_query_check_async, error);
}
