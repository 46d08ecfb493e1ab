/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

/* Recipient completion (cab-correspondents.h): two FTS5 prefix queries on a
 * pooled reader, one over the correspondents the practice's mail taught
 * (kept by store triggers, migration 11), one over the directory cache;
 * merged by address and ranked here. Bound parameters only; logs carry
 * counts, never what was typed (principle 5). */

#include "cab-correspondents.h"
#include "cab-query.h"
#include "cab-store-private.h"

#include <string.h>

/* Learned candidates read before ranking: a bound on what one keystroke
 * reads, well above what a completion shows. */
#define MAX_CANDIDATES 400
/* A correspondent's weight halves when nothing was exchanged for this long. */
#define RECENCY_DAYS 30.0

typedef struct
{
  CabCorrespondentData data;
  char                *owned[6];
  double               score;
  char                *sort_key;
} Candidate;

static void
candidate_free (gpointer p)
{
  Candidate *c = p;

  for (guint i = 0; i < G_N_ELEMENTS (c->owned); i++)
    g_free (c->owned[i]);
  g_free (c->sort_key);
  g_free (c);
}

/* Columns of both queries: address, learned display, received, sent,
 * last_at, directory display, profession, organization, city, rpps,
 * directory sort key (NULL when not in the directory). */
#define COLUMNS_REST \
  " c.display, coalesce (c.received_count, 0), coalesce (c.sent_count, 0)," \
  " coalesce (c.last_at, 0), d.display, d.profession, d.organization, d.city, d.rpps, d.sort_key"
#define COLUMNS_LEARNED " c.address," COLUMNS_REST

static Candidate *
candidate_from_stmt (sqlite3_stmt *stmt,
                     gint64        now)
{
  Candidate *c = g_new0 (Candidate, 1);
  const char *learned_display = (const char *) sqlite3_column_text (stmt, 1);
  const char *directory_display = (const char *) sqlite3_column_text (stmt, 5);
  double age_days;

  c->data.address = c->owned[0] = cab_stmt_dup_text (stmt, 0);
  /* The directory's name is the clean one ("Dr Noël Kerjean"); a From
   * header's is whatever the sender's software wrote. */
  c->data.display_name = c->owned[1] = g_strdup (directory_display ? directory_display : learned_display);
  c->data.received_count = sqlite3_column_int (stmt, 2);
  c->data.sent_count = sqlite3_column_int (stmt, 3);
  c->data.last_at = sqlite3_column_int64 (stmt, 4);
  c->data.profession = c->owned[2] = cab_stmt_dup_text (stmt, 6);
  c->data.organization = c->owned[3] = cab_stmt_dup_text (stmt, 7);
  c->data.city = c->owned[4] = cab_stmt_dup_text (stmt, 8);
  c->data.rpps = c->owned[5] = cab_stmt_dup_text (stmt, 9);

  if (directory_display != NULL)
    c->data.sources |= CAB_CORRESPONDENT_SOURCE_DIRECTORY;
  if (c->data.received_count > 0)
    c->data.sources |= CAB_CORRESPONDENT_SOURCE_RECEIVED;
  if (c->data.sent_count > 0)
    c->data.sources |= CAB_CORRESPONDENT_SOURCE_SENT;

  /* Frequency weighted by recency: writing to someone says more than
   * hearing from them. */
  age_days = MAX (0, now - c->data.last_at) / 86400.0;
  c->score = (c->data.received_count + 2.0 * c->data.sent_count) / (1.0 + age_days / RECENCY_DAYS);
  c->sort_key = sqlite3_column_type (stmt, 10) != SQLITE_NULL
    ? cab_stmt_dup_text (stmt, 10)
    : cab_store_fold (c->data.display_name ? c->data.display_name : c->data.address, FALSE);
  return c;
}

static gboolean
collect (CabStoreReader  *reader,
         const char      *sql,
         const char      *match,
         guint            max_rows,
         GHashTable      *by_address,
         GPtrArray       *candidates,
         gint64           now,
         GError         **error)
{
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (reader, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  if (match != NULL)
    cab_stmt_bind_text (stmt, 1, match);
  sqlite3_bind_int (stmt, 2, max_rows);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Candidate *c;

      if (sqlite3_column_type (stmt, 0) != SQLITE_TEXT ||
          g_hash_table_contains (by_address, sqlite3_column_text (stmt, 0)))
        continue;
      c = candidate_from_stmt (stmt, now);
      g_hash_table_add (by_address, (gpointer) c->data.address);
      g_ptr_array_add (candidates, c);
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot search correspondents");
      return FALSE;
    }
  return TRUE;
}

static int
compare_candidates (gconstpointer a,
                    gconstpointer b)
{
  const Candidate *x = *(Candidate * const *) a;
  const Candidate *y = *(Candidate * const *) b;
  int cmp;

  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  cmp = g_strcmp0 (x->sort_key, y->sort_key);
  return cmp != 0 ? cmp : g_strcmp0 (x->data.address, y->data.address);
}

GPtrArray *
cab_correspondents_search (CabStore    *store,
                           const char  *text,
                           guint        limit,
                           GError     **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (candidate_free);
  g_autoptr(GHashTable) by_address = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *match = NULL;
  GPtrArray *result;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_return_val_if_fail (CAB_IS_STORE (store), NULL);

  if (limit == 0)
    limit = CAB_CORRESPONDENTS_DEFAULT_LIMIT;
  limit = MIN (limit, CAB_CORRESPONDENTS_MAX_LIMIT);
  result = g_ptr_array_new_with_free_func (g_object_unref);
  if (text != NULL && strlen (text) > CAB_CORRESPONDENTS_MAX_TEXT)
    return result;

  reader = cab_store_reader_acquire (store, error);
  if (reader == NULL)
    {
      g_ptr_array_unref (result);
      return NULL;
    }

  match = cab_store_fts_query (text);
  /* The practice's own first: ordered by date, then ranked here. A
   * learned address the directory lists is also found by the directory's
   * city, profession and RPPS (its FTS row carries them, migration 11). */
  if (!collect (reader,
                match == NULL
                ? "SELECT" COLUMNS_LEARNED " FROM correspondents c"
                  " LEFT JOIN directory_entries d ON d.address = c.address"
                  " WHERE ?1 IS NULL ORDER BY c.last_at DESC LIMIT ?2"
                : "SELECT" COLUMNS_LEARNED " FROM correspondents_fts f"
                  " JOIN correspondents c ON c.id = f.rowid"
                  " LEFT JOIN directory_entries d ON d.address = c.address"
                  " WHERE correspondents_fts MATCH ?1 ORDER BY c.last_at DESC LIMIT ?2",
                match, MIN (MAX (limit * 4, 40), MAX_CANDIDATES), by_address, candidates, now, error))
    goto fail;
  /* Then the directory's others, by name; enough rows to fill the limit
   * after the learned ones are skipped. */
  if (match != NULL &&
      !collect (reader,
                "SELECT d.address, NULL, 0, 0, 0, d.display, d.profession, d.organization, d.city,"
                " d.rpps, d.sort_key FROM directory_fts f JOIN directory_entries d ON d.id = f.rowid"
                " WHERE directory_fts MATCH ?1 ORDER BY d.sort_key LIMIT ?2",
                match, limit + candidates->len, by_address, candidates, now, error))
    goto fail;

  g_ptr_array_sort (candidates, compare_candidates);
  for (guint i = 0; i < candidates->len && i < limit; i++)
    {
      Candidate *c = g_ptr_array_index (candidates, i);
      g_ptr_array_add (result, cab_correspondent_new (&c->data));
    }
  g_debug ("Correspondents: %u candidates, %u shown", candidates->len, result->len);
  return result;

fail:
  g_ptr_array_unref (result);
  return NULL;
}

/* ------------------------------------------------------------------ async */

typedef struct
{
  char  *text;
  guint  limit;
} SearchData;

static void
search_data_free (gpointer p)
{
  SearchData *data = p;

  g_free (data->text);
  g_free (data);
}

static void
search_query (GTask        *task,
              CabStore     *store,
              gpointer      task_data,
              GCancellable *cancellable)
{
  SearchData *data = task_data;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GListStore) model = NULL;
  GError *error = NULL;

  found = cab_correspondents_search (store, data->text, data->limit, &error);
  if (found == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  model = g_list_store_new (CAB_TYPE_CORRESPONDENT);
  g_list_store_splice (model, 0, 0, found->pdata, found->len);
  g_task_return_pointer (task, g_steal_pointer (&model), g_object_unref);
}

void
cab_correspondents_search_async (CabStore            *store,
                                 const char          *text,
                                 guint                limit,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  SearchData *data;

  g_return_if_fail (CAB_IS_STORE (store));

  data = g_new0 (SearchData, 1);
  data->text = g_strdup (text);
  data->limit = limit;
  cab_query_start (store, cab_correspondents_search_async, data, search_data_free,
                   search_query, cancellable, callback, user_data);
}

GListModel *
cab_correspondents_search_finish (GAsyncResult  *result,
                                  GError       **error)
{
  return cab_query_finish_pointer (result, cab_correspondents_search_async, error);
}
