/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Interaction check of a prescription against itself and the patient's
 * current treatments, with the ANSM thesaurus (docs/domain.md,
 * "Interaction thesaurus"). */
#define G_LOG_DOMAIN "cab-prescribing"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "cab-drug-private.h"

/* A prescription has a few lines and a patient a few dozen treatments;
 * beyond these the input is not a prescription. */
#define MAX_LINES 100
#define MAX_CURRENT 200

const char *
cab_interaction_level_to_code (CabInteractionLevel level)
{
  switch (level)
    {
    case CAB_INTERACTION_CI: return "CI";
    case CAB_INTERACTION_AD: return "AD";
    case CAB_INTERACTION_PE: return "PE";
    case CAB_INTERACTION_PC: return "PC";
    default: return "?";
    }
}

const char *
cab_interaction_level_to_label (CabInteractionLevel level)
{
  switch (level)
    {
    case CAB_INTERACTION_CI: return _("Contraindication");
    case CAB_INTERACTION_AD: return _("Combination not recommended");
    case CAB_INTERACTION_PE: return _("Precaution for use");
    case CAB_INTERACTION_PC: return _("To be taken into account");
    default: return "?";
    }
}

void
cab_drug_interaction_free (CabDrugInteraction *interaction)
{
  if (interaction == NULL)
    return;
  g_free (interaction->levels);
  g_free (interaction->cis_a);
  g_free (interaction->substance_a);
  g_free (interaction->protagonist_a);
  g_free (interaction->cis_b);
  g_free (interaction->substance_b);
  g_free (interaction->protagonist_b);
  g_free (interaction->b_request_id);
  g_free (interaction->description);
  g_free (interaction->mechanism);
  g_free (interaction->conduct);
  g_free (interaction);
}

void
cab_drug_unchecked_free (CabDrugUnchecked *unchecked)
{
  if (unchecked == NULL)
    return;
  g_free (unchecked->cis);
  g_free (unchecked->request_id);
  g_free (unchecked->reason);
  g_free (unchecked);
}

void
cab_drug_interaction_report_free (CabDrugInteractionReport *report)
{
  if (report == NULL)
    return;
  g_clear_pointer (&report->interactions, g_ptr_array_unref);
  g_clear_pointer (&report->unchecked, g_ptr_array_unref);
  g_free (report);
}

/* One substance of a medicine, linked to the thesaurus, with the names it
 * answers to there: itself and its classes. */
typedef struct
{
  char        *bdpm_name;
  char        *thesaurus_name;
  GPtrArray   *protagonists;  /* char* */
  /* The same names, each the one pointer the whole check uses for it
   * (borrowed): pairs are looked up by pointer. */
  const char **keys;
} Substance;

static void
substance_free (Substance *s)
{
  g_free (s->bdpm_name);
  g_free (s->thesaurus_name);
  g_ptr_array_unref (s->protagonists);
  g_free (s->keys);
  g_free (s);
}

/* A line of the prescription or a current treatment. */
typedef struct
{
  char      *cis;
  char      *request_id;  /* NULL for a new line */
  GPtrArray *substances;  /* Substance* */
} Item;

static void
item_free (Item *item)
{
  g_free (item->cis);
  g_free (item->request_id);
  g_ptr_array_unref (item->substances);
  g_free (item);
}

/* One thesaurus entry. */
typedef struct
{
  char *p1, *p2;
  int   level;
  char *levels, *description, *mechanism, *conduct;
} Entry;

static void
entry_free (Entry *e)
{
  g_free (e->p1);
  g_free (e->p2);
  g_free (e->levels);
  g_free (e->description);
  g_free (e->mechanism);
  g_free (e->conduct);
  g_free (e);
}

/* A medicine's linked substances, each with its classes (NULL: none). */
static const char sql_substances[] =
  "SELECT c.substance_name, l.thesaurus_name, t.class FROM drug_compositions c"
  " JOIN drug_substance_links l ON l.substance_key = c.substance_key"
  " LEFT JOIN thesaurus_classes t ON t.substance = l.thesaurus_name"
  " WHERE c.cis = ? AND l.thesaurus_name IS NOT NULL ORDER BY c.seq";
static const char sql_exists[] =
  "SELECT 1 FROM drugs WHERE cis = ?";

static void
add_unchecked (CabDrugInteractionReport *report,
               const char               *cis,
               const char               *request_id,
               const char               *reason)
{
  CabDrugUnchecked *u = g_new0 (CabDrugUnchecked, 1);

  u->cis = g_strdup (cis);
  u->request_id = g_strdup (request_id);
  u->reason = g_strdup (reason);
  g_ptr_array_add (report->unchecked, u);
}

static Substance *
find_substance (Item       *item,
                const char *thesaurus_name)
{
  for (guint i = 0; i < item->substances->len; i++)
    {
      Substance *s = g_ptr_array_index (item->substances, i);

      if (g_str_equal (s->thesaurus_name, thesaurus_name))
        return s;
    }
  return NULL;
}

/* NULL (no error) when the medicine cannot be checked; the reason is added
 * to @report. One query for the substances and their classes. */
static Item *
load_item (CabStoreConn              *conn,
           CabDrugInteractionReport  *report,
           const char                *cis,
           const char                *request_id,
           GError                   **error)
{
  Item *item;
  g_autoptr(CabStmt) stmt = NULL;
  gboolean exists;
  int rc;

  item = g_new0 (Item, 1);
  item->cis = g_strdup (cis);
  item->request_id = g_strdup (request_id);
  item->substances = g_ptr_array_new_with_free_func ((GDestroyNotify) substance_free);

  if (!(stmt = cab_store_conn_prepare_static (conn, sql_substances, error)))
    goto fail;
  cab_stmt_bind_text (stmt, 1, cis);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *thesaurus_name = (const char *) sqlite3_column_text (stmt, 1);
      const char *class = (const char *) sqlite3_column_text (stmt, 2);
      /* SA and FT of one substance link to the same name: one entry. */
      Substance *s = find_substance (item, thesaurus_name);

      if (s == NULL)
        {
          s = g_new0 (Substance, 1);
          s->bdpm_name = cab_stmt_dup_text (stmt, 0);
          s->thesaurus_name = g_strdup (thesaurus_name);
          s->protagonists = g_ptr_array_new_with_free_func (g_free);
          g_ptr_array_add (s->protagonists, g_strdup (thesaurus_name));
          g_ptr_array_add (item->substances, s);
        }
      if (class != NULL && !g_ptr_array_find_with_equal_func (s->protagonists, class, g_str_equal, NULL))
        g_ptr_array_add (s->protagonists, g_strdup (class));
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, conn->db, "Cannot read a composition");
      goto fail;
    }
  g_clear_pointer (&stmt, cab_stmt_release);
  if (item->substances->len > 0)
    return item;
  item_free (item);

  /* Nothing linked: say whether the medicine is unknown or only absent
   * from the thesaurus. */
  if (!(stmt = cab_store_conn_prepare_static (conn, sql_exists, error)))
    return NULL;
  cab_stmt_bind_text (stmt, 1, cis);
  exists = sqlite3_step (stmt) == SQLITE_ROW;
  add_unchecked (report, cis, request_id,
                 exists ? _("no substance in the interaction thesaurus") : _("not in the drug database"));
  return NULL;

fail:
  item_free (item);
  return NULL;
}

/* The entries between @p1 and @p2 (keys of the check's names) in
 * @by_pair, or NULL. */
static GPtrArray *
pair_lookup (GHashTable *by_pair,
             const char *p1,
             const char *p2)
{
  GHashTable *with = g_hash_table_lookup (by_pair, p1);

  return with != NULL ? g_hash_table_lookup (with, p2) : NULL;
}

/* The entries between two of the protagonists (one query: both sides
 * among them), indexed both ways by one protagonist, then the other, each
 * by its pointer in @protagonists (a set of the names, each stored once):
 * a lookup per pair of names with no key built nor string hashed (the
 * pairs of a prescription are thousands). GHashTable of GHashTable of
 * GPtrArray of Entry* (borrowed from @entries). */
static GHashTable *
load_entries (CabStoreConn  *conn,
              GHashTable    *protagonists,
              GPtrArray     *entries,
              GError       **error)
{
  static const char sql[] =
    "SELECT protagonist1, protagonist2, level, levels, description, mechanism, conduct"
    " FROM thesaurus_interactions"
    " WHERE protagonist1 IN (SELECT value FROM json_each (?1))"
    " AND protagonist2 IN (SELECT value FROM json_each (?1))";
  g_autoptr(GHashTable) by_pair = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                                          (GDestroyNotify) g_hash_table_unref);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *names = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  GHashTableIter iter;
  gpointer name;
  int rc;

  json_builder_begin_array (builder);
  g_hash_table_iter_init (&iter, protagonists);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    json_builder_add_string_value (builder, name);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  names = json_to_string (root, FALSE);

  if (!(stmt = cab_store_conn_prepare_static (conn, sql, error)))
    return NULL;
  cab_stmt_bind_text (stmt, 1, names);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Entry *e = g_new0 (Entry, 1);
      gpointer p1 = NULL, p2 = NULL;

      e->p1 = cab_stmt_dup_text (stmt, 0);
      e->p2 = cab_stmt_dup_text (stmt, 1);
      e->level = sqlite3_column_int (stmt, 2);
      e->levels = cab_stmt_dup_text (stmt, 3);
      e->description = cab_stmt_dup_text (stmt, 4);
      e->mechanism = cab_stmt_dup_text (stmt, 5);
      e->conduct = cab_stmt_dup_text (stmt, 6);
      g_ptr_array_add (entries, e);
      /* Both are among the names asked for, byte for byte. */
      if (e->p1 == NULL || e->p2 == NULL ||
          !g_hash_table_lookup_extended (protagonists, e->p1, &p1, NULL) ||
          !g_hash_table_lookup_extended (protagonists, e->p2, &p2, NULL))
        continue;

      for (guint way = 0; way < 2; way++)
        {
          gpointer from = way == 0 ? p1 : p2;
          gpointer to = way == 0 ? p2 : p1;
          GHashTable *with = g_hash_table_lookup (by_pair, from);
          GPtrArray *list;

          if (with == NULL)
            {
              with = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
              g_hash_table_insert (by_pair, from, with);
            }
          if ((list = g_hash_table_lookup (with, to)) == NULL)
            {
              list = g_ptr_array_new ();
              g_hash_table_insert (with, to, list);
            }
          if (way == 0 || p1 != p2)
            g_ptr_array_add (list, e);
        }
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, conn->db, "Cannot read the interaction thesaurus");
      return NULL;
    }
  return g_steal_pointer (&by_pair);
}

/* The most severe entry between two substances, with the names it matched. */
static Entry *
best_entry (GHashTable  *by_pair,
            Substance   *a,
            Substance   *b,
            const char **matched_a,
            const char **matched_b)
{
  Entry *best = NULL;

  for (guint i = 0; i < a->protagonists->len; i++)
    for (guint j = 0; j < b->protagonists->len; j++)
      {
        GPtrArray *list = pair_lookup (by_pair, a->keys[i], b->keys[j]);

        for (guint k = 0; list != NULL && k < list->len; k++)
          {
            Entry *e = g_ptr_array_index (list, k);

            if (best == NULL || e->level < best->level)
              {
                best = e;
                *matched_a = a->keys[i];
                *matched_b = b->keys[j];
              }
          }
      }
  return best;
}

static int
compare_interactions (gconstpointer a,
                      gconstpointer b)
{
  const CabDrugInteraction *x = *(CabDrugInteraction * const *) a;
  const CabDrugInteraction *y = *(CabDrugInteraction * const *) b;

  if (x->level != y->level)
    return x->level < y->level ? -1 : 1;
  if (x->b_is_current != y->b_is_current)
    return x->b_is_current ? 1 : -1;
  return g_strcmp0 (x->cis_a, y->cis_a) != 0 ? g_strcmp0 (x->cis_a, y->cis_a)
                                              : g_strcmp0 (x->cis_b, y->cis_b);
}

static gboolean
load_current (CabStoreConn              *conn,
              CabDrugInteractionReport  *report,
              const char                *patient_id,
              GPtrArray                 *items,
              GError                   **error)
{
  static const char sql[] =
    "SELECT id, medication_code FROM medication_requests"
    " WHERE patient_id = ? AND status = 'active' ORDER BY authored_on DESC, id LIMIT ?";
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare_static (conn, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  cab_stmt_bind_text (stmt, 1, patient_id);
  sqlite3_bind_int (stmt, 2, MAX_CURRENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_ptr_array_add (rows, cab_stmt_dup_text (stmt, 0));
      g_ptr_array_add (rows, cab_stmt_dup_text (stmt, 1));
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, conn->db, "Cannot read the current treatments");
      return FALSE;
    }
  g_clear_pointer (&stmt, cab_stmt_release);

  for (guint i = 0; i < rows->len; i += 2)
    {
      const char *id = g_ptr_array_index (rows, i);
      const char *code = g_ptr_array_index (rows, i + 1);
      GError *local_error = NULL;
      Item *item;

      report->n_current++;
      if (!cab_drug_cis_is_valid (code))
        {
          add_unchecked (report, code, id, _("not coded with a CIS"));
          continue;
        }
      item = load_item (conn, report, code, id, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      if (item != NULL)
        g_ptr_array_add (items, item);
    }
  return TRUE;
}

/* The check, on @reader in a read transaction: @n_lines valid CIS. */
static CabDrugInteractionReport *
check (CabStoreReader      *reader,
       const char * const  *cis,
       guint                n_lines,
       const char          *patient_id,
       GError             **error)
{
  g_autoptr(CabDrugInteractionReport) report = g_new0 (CabDrugInteractionReport, 1);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  g_autoptr(GHashTable) protagonists = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) by_pair = NULL;
  guint n_new;

  report->interactions = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_drug_interaction_free);
  report->unchecked = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_drug_unchecked_free);

  for (guint i = 0; i < n_lines; i++)
    {
      GError *local_error = NULL;
      Item *item = load_item (reader, report, cis[i], NULL, &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
      if (item != NULL)
        g_ptr_array_add (items, item);
    }
  n_new = items->len;
  if (patient_id != NULL && !load_current (reader, report, patient_id, items, error))
    return NULL;

  for (guint i = 0; i < items->len; i++)
    {
      Item *item = g_ptr_array_index (items, i);

      for (guint j = 0; j < item->substances->len; j++)
        {
          Substance *s = g_ptr_array_index (item->substances, j);

          for (guint k = 0; k < s->protagonists->len; k++)
            g_hash_table_add (protagonists, g_ptr_array_index (s->protagonists, k));
        }
    }
  /* Each name's one pointer (the one the set kept, owned by a substance
   * that brought the name, which lives as long as @items), looked up once
   * per substance rather than once per pair. */
  for (guint i = 0; i < items->len; i++)
    {
      Item *item = g_ptr_array_index (items, i);

      for (guint j = 0; j < item->substances->len; j++)
        {
          Substance *s = g_ptr_array_index (item->substances, j);

          s->keys = g_new0 (const char *, s->protagonists->len);
          for (guint k = 0; k < s->protagonists->len; k++)
            {
              gpointer key = NULL;

              g_hash_table_lookup_extended (protagonists, g_ptr_array_index (s->protagonists, k), &key, NULL);
              s->keys[k] = key;
            }
        }
    }
  if (!(by_pair = load_entries (reader, protagonists, entries, error)))
    return NULL;

  /* Every new line against every later new line and every current
   * treatment; current treatments among themselves are not this
   * prescription's business. */
  for (guint i = 0; i < n_new; i++)
    for (guint j = i + 1; j < items->len; j++)
      {
        Item *a = g_ptr_array_index (items, i);
        Item *b = g_ptr_array_index (items, j);

        for (guint sa = 0; sa < a->substances->len; sa++)
          for (guint sb = 0; sb < b->substances->len; sb++)
            {
              Substance *x = g_ptr_array_index (a->substances, sa);
              Substance *y = g_ptr_array_index (b->substances, sb);
              const char *matched_a = NULL, *matched_b = NULL;
              CabDrugInteraction *found;
              Entry *e;

              /* The same substance twice is a duplicate, not an interaction. */
              if (g_str_equal (x->thesaurus_name, y->thesaurus_name))
                continue;
              e = best_entry (by_pair, x, y, &matched_a, &matched_b);
              if (e == NULL)
                continue;
              found = g_new0 (CabDrugInteraction, 1);
              found->level = e->level;
              found->levels = g_strdup (e->levels);
              found->cis_a = g_strdup (a->cis);
              found->substance_a = g_strdup (x->bdpm_name);
              found->protagonist_a = g_strdup (matched_a);
              found->cis_b = g_strdup (b->cis);
              found->substance_b = g_strdup (y->bdpm_name);
              found->protagonist_b = g_strdup (matched_b);
              found->b_is_current = b->request_id != NULL;
              found->b_request_id = g_strdup (b->request_id);
              found->description = g_strdup (e->description);
              found->mechanism = g_strdup (e->mechanism);
              found->conduct = g_strdup (e->conduct);
              g_ptr_array_add (report->interactions, found);
            }
      }
  g_ptr_array_sort (report->interactions, compare_interactions);
  return g_steal_pointer (&report);
}

CabDrugInteractionReport *
cab_drug_check_interactions (CabStore            *store,
                             const char * const  *cis,
                             const char          *patient_id,
                             GError             **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  CabDrugInteractionReport *report;
  guint n_lines = 0;

  g_return_val_if_fail (CAB_IS_STORE (store), NULL);
  g_return_val_if_fail (cis != NULL, NULL);

  for (; cis[n_lines] != NULL; n_lines++)
    if (n_lines >= MAX_LINES || !cab_drug_cis_is_valid (cis[n_lines]))
      {
        g_set_error (error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_INVALID,
                     n_lines >= MAX_LINES ? "More than %d lines" : "Line %d: a CIS is 8 digits",
                     n_lines >= MAX_LINES ? MAX_LINES : (int) n_lines + 1);
        return NULL;
      }

  if (!(reader = cab_store_reader_acquire (store, error)))
    return NULL;
  /* One read transaction for its 30-odd statements: one snapshot of the
   * release and the treatments, and one lock of the log instead of one per
   * statement (a sixth of the check's time). Its statements are all reset
   * when check() returns, so it always ends. */
  if (!cab_store_conn_exec (reader, "BEGIN", error))
    return NULL;
  report = check (reader, cis, n_lines, patient_id, error);
  if (!cab_store_conn_exec (reader, "COMMIT", NULL))
    cab_store_conn_exec (reader, "ROLLBACK", NULL);
  return report;
}
