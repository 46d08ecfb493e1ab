/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-store"

#include "config.h"

#include "cab-practitioner-queries.h"
#include "cab-query.h"
#include "cab-store-private.h"

#include <string.h>

/* A practice has tens of practitioners; a store filled by a hostile server
 * is cut here rather than laid out in a popover. */
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

/* "Dr Jean MARTIN", as cab_practitioner_display() writes it. */
static char *
display_name (const char *prefix, const char *given, const char *family, const char *id)
{
  GString *out = g_string_new (NULL);

  if (prefix != NULL && *prefix)
    g_string_append_printf (out, "%s ", prefix);
  if (given != NULL && *given)
    g_string_append_printf (out, "%s ", given);
  if (family != NULL && *family)
    {
      g_autofree char *upper = g_utf8_strup (family, -1);
      g_string_append (out, upper);
    }
  g_strstrip (out->str);
  out->len = strlen (out->str);
  if (out->len == 0)
    g_string_append (out, id);
  return g_string_free (out, FALSE);
}

GPtrArray *
cab_store_list_practitioners (CabStore  *store,
                              GError   **error)
{
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, error);
  g_autoptr(CabStmt) stmt = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_practitioner_choice_free);
  int rc;

  if (reader == NULL)
    return NULL;
  stmt = cab_store_conn_prepare (reader,
    "SELECT id, prefix, given, family FROM practitioners"
    " ORDER BY family COLLATE NOCASE, given COLLATE NOCASE, id LIMIT ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, MAX_PRACTITIONERS);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CabPractitionerChoice *choice = g_new0 (CabPractitionerChoice, 1);
      const char *id = (const char *) sqlite3_column_text (stmt, 0);

      choice->reference = g_strconcat ("Practitioner/", id, NULL);
      choice->display = display_name ((const char *) sqlite3_column_text (stmt, 1),
                                      (const char *) sqlite3_column_text (stmt, 2),
                                      (const char *) sqlite3_column_text (stmt, 3), id);
      g_ptr_array_add (out, choice);
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot list practitioners");
      return NULL;
    }
  return g_steal_pointer (&out);
}

static void
list_run (GTask *task, CabStore *store, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *list = cab_store_list_practitioners (store, &error);

  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

void
cab_practitioner_query_list_async (CabStore            *store,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (CAB_IS_STORE (store));

  cab_query_start (store, cab_practitioner_query_list_async, NULL, NULL, list_run, cancellable, callback,
                   user_data);
}

GPtrArray *
cab_practitioner_query_list_finish (GAsyncResult  *result,
                                    GError       **error)
{
  return cab_query_finish_pointer (result, cab_practitioner_query_list_async, error);
}
