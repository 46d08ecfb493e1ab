/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include "cab-mail-prefs-queries.h"

#include <string.h>

#include "cab-query.h"
#include "cab-store-private.h"

/* A practice has a handful of doctors; a store with more is not a practice. */
#define MAX_PRACTITIONERS 500

void
cab_practitioner_choice_free (CabPractitionerChoice *choice)
{
  if (choice == NULL)
    return;
  g_free (choice->reference);
  g_free (choice->display);
  g_free (choice);
}

static char *
display_name (const char *prefix,
              const char *given,
              const char *family,
              const char *id)
{
  GString *out = g_string_new (NULL);

  if (prefix != NULL && *prefix != '\0')
    g_string_append_printf (out, "%s ", prefix);
  if (given != NULL && *given != '\0')
    g_string_append_printf (out, "%s ", given);
  if (family != NULL && *family != '\0')
    {
      g_autofree char *upper = g_utf8_strup (family, -1);
      g_string_append (out, upper);
    }
  g_strchomp (out->str);
  out->len = strlen (out->str);
  /* Nameless: the reference says at least which one it is. */
  if (out->len == 0)
    g_string_append_printf (out, "Practitioner/%s", id);
  return g_string_free (out, FALSE);
}

static void
practitioners_query (GTask        *task,
                     CabStore     *store,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  static const char sql[] =
    "SELECT id, prefix, given, family FROM practitioners"
    " ORDER BY family COLLATE NOCASE, given COLLATE NOCASE, id LIMIT ?1";
  g_autoptr(GPtrArray) choices = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_practitioner_choice_free);
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  GError *error = NULL;
  int rc;

  if ((reader = cab_store_reader_acquire (store, &error)) == NULL ||
      (stmt = cab_store_conn_prepare (reader, sql, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  sqlite3_bind_int (stmt, 1, MAX_PRACTITIONERS);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);
      CabPractitionerChoice *choice;

      if (id == NULL || *id == '\0')
        continue;
      choice = g_new0 (CabPractitionerChoice, 1);
      choice->reference = g_strconcat ("Practitioner/", id, NULL);
      choice->display = display_name ((const char *) sqlite3_column_text (stmt, 1),
                                      (const char *) sqlite3_column_text (stmt, 2),
                                      (const char *) sqlite3_column_text (stmt, 3), id);
      g_ptr_array_add (choices, choice);
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (&error, reader->db, "Cannot list the practitioners");
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&choices), (GDestroyNotify) g_ptr_array_unref);
}

void
cab_mail_prefs_query_practitioners_async (CabStore            *store,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_return_if_fail (CAB_IS_STORE (store));

  cab_query_start (store, cab_mail_prefs_query_practitioners_async, NULL, NULL,
                   practitioners_query, cancellable, callback, user_data);
}

GPtrArray *
cab_mail_prefs_query_practitioners_finish (GAsyncResult  *result,
                                           GError       **error)
{
  return cab_query_finish_pointer (result, cab_mail_prefs_query_practitioners_async, error);
}

/* ---------------------------------------------------------------------- */
/* Read receipts                                                          */

static void
mdn_policy_query (GTask        *task,
                  CabStore     *store,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  g_task_return_int (task, cab_mail_mdn_policy_get (store));
}

void
cab_mail_prefs_query_mdn_policy_async (CabStore            *store,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (CAB_IS_STORE (store));

  cab_query_start (store, cab_mail_prefs_query_mdn_policy_async, NULL, NULL,
                   mdn_policy_query, cancellable, callback, user_data);
}

CabMailMdnPolicy
cab_mail_prefs_query_mdn_policy_finish (GAsyncResult  *result,
                                        GError       **error)
{
  gssize policy;

  g_return_val_if_fail (g_task_is_valid (result, NULL), CAB_MAIL_MDN_ASK);
  policy = g_task_propagate_int (G_TASK (result), error);
  return policy < 0 ? CAB_MAIL_MDN_ASK : (CabMailMdnPolicy) policy;
}

static void
set_mdn_policy_query (GTask        *task,
                      CabStore     *store,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  GError *error = NULL;

  if (!cab_mail_mdn_policy_set (store, (CabMailMdnPolicy) GPOINTER_TO_INT (task_data), &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
cab_mail_prefs_set_mdn_policy_async (CabStore            *store,
                                     CabMailMdnPolicy     policy,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (CAB_IS_STORE (store));

  cab_query_start (store, cab_mail_prefs_set_mdn_policy_async, GINT_TO_POINTER (policy), NULL,
                   set_mdn_policy_query, cancellable, callback, user_data);
}

gboolean
cab_mail_prefs_set_mdn_policy_finish (GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
