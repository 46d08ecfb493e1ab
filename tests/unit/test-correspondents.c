/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test"

/* Recipient completion (cab-correspondents.h): what the practice's mail
 * teaches (senders stored by the inbox, recipients queued), the directory
 * cache, folding, ranking, merging by address, hostile text; and a
 * measure of one keystroke's search at a practice's size (printed, never
 * a pass/fail). */

#include <glib/gstdio.h>
#include <string.h>

#include "cab-correspondents.h"
#include "cab-mail-send.h"
#include "cab-mail-store.h"
#include "cab-store-private.h"

#define ACCOUNT "helene.legoff@tilleuls.mssante.fr"

typedef struct
{
  char     *dir;
  CabStore *store;
  guint     next_uid;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("test-correspondents-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "cabinet.db", NULL);
  f->store = cab_store_open (path, &error);
  g_assert_no_error (error);
  f->next_uid = 1;
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);

  GWeakRef weak;
  CabStore *alive;

  /* A query's pool thread may hold the last reference a moment after its
   * answer landed: wait for the store to be gone, so it is not finalized
   * while the process exits. */
  g_weak_ref_init (&weak, f->store);
  g_clear_object (&f->store);
  while ((alive = g_weak_ref_get (&weak)) != NULL)
    {
      g_object_unref (alive);
      g_usleep (1000);
    }
  g_weak_ref_clear (&weak);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->dir);
}

/* Messages stored the way the inbox's sync stores them. */
static void
receive (Fixture *f, const char *display, const char *address, gint64 date, guint n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_mail_row_free);
  CabMailFolder folder = { .uidvalidity = 1 };

  for (guint i = 0; i < n; i++)
    {
      CabMailRow *row = cab_mail_row_new ();

      row->uidvalidity = 1;
      row->uid = f->next_uid++;
      row->message_id = g_strdup_printf ("<m%u@example.org>", row->uid);
      row->body_hash = g_strdup_printf ("h%u", row->uid);
      row->raw_path = g_strdup ("/nonexistent");
      row->match_state = g_strdup ("none");
      row->match_reason = g_strdup ("no-candidate");
      row->from_display = display ? g_strdup_printf ("%s <%s>", display, address) : g_strdup (address);
      row->from_address = g_strdup (address);
      row->date = date;
      row->received_at = date;
      g_ptr_array_add (rows, row);
    }
  folder.last_uid = f->next_uid - 1;
  g_assert_true (cab_mail_store_put_batch (f->store, ACCOUNT, "INBOX", &folder, rows, NULL, &error));
  g_assert_no_error (error);
}

static void
send_to (Fixture *f, const char * const *to)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message_id = NULL;
  CabMailDraft draft = { .from = ACCOUNT, .to = to, .subject = "Courrier", .body = "Cher confrère," };
  gint64 entry_id = 0;

  g_assert_true (cab_mail_queue (f->store, &draft, &entry_id, &message_id, &error));
  g_assert_no_error (error);
}

/* The directory cache as cab-directory.c fills it. */
static void
directory_add (Fixture *f, const char *display, const char *sort_key, const char *address,
               const char *profession, const char *organization, const char *city, const char *rpps)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (f->store);
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (writer,
    "INSERT INTO directory_entries (address, display, sort_key, profession, organization, city, rpps,"
    " practitioner_id, refreshed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, 1)", &error);

  g_assert_no_error (error);
  cab_stmt_bind_text (stmt, 1, address);
  cab_stmt_bind_text (stmt, 2, display);
  cab_stmt_bind_text (stmt, 3, sort_key);
  cab_stmt_bind_text (stmt, 4, profession);
  cab_stmt_bind_text (stmt, 5, organization);
  cab_stmt_bind_text (stmt, 6, city);
  cab_stmt_bind_text (stmt, 7, rpps);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
}

static GPtrArray *
search (Fixture *f, const char *text)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *found = cab_correspondents_search (f->store, text, 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (found);
  return found;
}

static char *
addresses (GPtrArray *found)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < found->len; i++)
    g_string_append_printf (s, "%s%s", i ? " " : "",
                            cab_correspondent_get_address (g_ptr_array_index (found, i)));
  return g_string_free (s, FALSE);
}

static void
assert_search (Fixture *f, const char *text, const char *expected)
{
  g_autoptr(GPtrArray) found = search (f, text);
  g_autofree char *got = addresses (found);

  g_assert_cmpstr (got, ==, expected);
}

static void
fill_practice (Fixture *f)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char * const to_kerjean[] = { "Noel.Kerjean@chu-nantes.mssante.fr", NULL };
  const char * const to_patient[] = { "bio@bioouest.mssante.fr", NULL };

  directory_add (f, "Dr Noël Kerjean", "kerjean noel", "noel.kerjean@chu-nantes.mssante.fr",
                 "Cardiologue", "CHU de Nantes", "Nantes", "10819248658");
  directory_add (f, "Dr Cécile Hénaff", "henaff cecile", "cecile.henaff@msp-erdre.mssante.fr",
                 "Médecin généraliste", "MSP de l'Erdre", "La Chapelle-sur-Erdre", "10164808940");
  directory_add (f, "Dr Bérénice Riou", "riou berenice", "berenice.riou@ch-saintnazaire.mssante.fr",
                 "Pneumologue", "Centre hospitalier de Saint-Nazaire", "Saint-Nazaire", "10177844833");
  directory_add (f, "Dr Maëlle Guégan", "guegan maelle", "maelle.guegan@hpconfluent.mssante.fr",
                 "Cardiologue", "Hôpital privé du Confluent", "Nantes", "10226339207");

  /* The lab writes often; a cardiologist was written to once, recently. */
  receive (f, "Laboratoire BioOuest", "resultats@bioouest.mssante.fr", now - 86400, 6);
  receive (f, "\"Dr Gwénaël Gicquel\"", "Gwenael.Gicquel@bioouest.mssante.fr", now - 400 * 86400, 2);
  /* A patient's own mailbox is never learned. */
  receive (f, "Jeanne Martin", "279035121518989@patient.mssante.fr", now, 1);
  send_to (f, to_kerjean);
  send_to (f, to_kerjean);
  send_to (f, to_patient);
}

static void
test_learned (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) all = NULL;
  CabCorrespondent *c;

  fill_practice (f);

  /* Nothing typed: the practice's own, best first; no directory-only entry. */
  all = search (f, "");
  {
    g_autofree char *got = addresses (all);
    g_assert_cmpstr (got, ==, "resultats@bioouest.mssante.fr noel.kerjean@chu-nantes.mssante.fr"
                              " bio@bioouest.mssante.fr gwenael.gicquel@bioouest.mssante.fr");
  }
  c = g_ptr_array_index (all, 0);
  g_assert_cmpstr (cab_correspondent_get_display_name (c), ==, "Laboratoire BioOuest");
  g_assert_cmpuint (cab_correspondent_get_received_count (c), ==, 6);
  g_assert_cmpint (cab_correspondent_get_sources (c), ==, CAB_CORRESPONDENT_SOURCE_RECEIVED);

  /* Sent to, and in the directory: the directory's name, city and RPPS. */
  c = g_ptr_array_index (all, 1);
  g_assert_cmpstr (cab_correspondent_get_display_name (c), ==, "Dr Noël Kerjean");
  g_assert_cmpstr (cab_correspondent_get_city (c), ==, "Nantes");
  g_assert_cmpstr (cab_correspondent_get_rpps (c), ==, "10819248658");
  g_assert_cmpstr (cab_correspondent_get_profession (c), ==, "Cardiologue");
  g_assert_cmpuint (cab_correspondent_get_sent_count (c), ==, 2);
  g_assert_cmpint (cab_correspondent_get_sources (c), ==,
                   CAB_CORRESPONDENT_SOURCE_SENT | CAB_CORRESPONDENT_SOURCE_DIRECTORY);

  /* Sent to, nothing else known: the address is the title. */
  c = g_ptr_array_index (all, 2);
  g_assert_null (cab_correspondent_get_display_name (c));
  g_assert_cmpstr (cab_correspondent_get_title (c), ==, "bio@bioouest.mssante.fr");

  /* The sender's quotes are gone; case of the address folded. */
  c = g_ptr_array_index (all, 3);
  g_assert_cmpstr (cab_correspondent_get_display_name (c), ==, "Dr Gwénaël Gicquel");

  assert_search (f, "jeanne", "");
  assert_search (f, "patient", "");
  assert_search (f, "279035", "");
}

static void
test_folding_and_ranking (Fixture *f, gconstpointer data)
{
  fill_practice (f);

  /* Accents and case, on names, addresses, cities. */
  assert_search (f, "HENAFF", "cecile.henaff@msp-erdre.mssante.fr");
  assert_search (f, "hénaff céc", "cecile.henaff@msp-erdre.mssante.fr");
  assert_search (f, "gwen", "gwenael.gicquel@bioouest.mssante.fr");
  assert_search (f, "GWÉNAËL", "gwenael.gicquel@bioouest.mssante.fr");
  assert_search (f, "saint-naz", "berenice.riou@ch-saintnazaire.mssante.fr");
  assert_search (f, "chapelle", "cecile.henaff@msp-erdre.mssante.fr");
  /* Prefixes only: the middle of a word does not match. */
  assert_search (f, "naff", "");
  /* RPPS by its start, address by its parts. */
  assert_search (f, "1081924", "noel.kerjean@chu-nantes.mssante.fr");
  assert_search (f, "noel.ker", "noel.kerjean@chu-nantes.mssante.fr");
  assert_search (f, "hpconf", "maelle.guegan@hpconfluent.mssante.fr");

  /* The practice's own first, then the directory by name: both
   * cardiologists of Nantes, Kerjean (written to) before Guégan. */
  assert_search (f, "cardio", "noel.kerjean@chu-nantes.mssante.fr maelle.guegan@hpconfluent.mssante.fr");
  assert_search (f, "nantes", "noel.kerjean@chu-nantes.mssante.fr maelle.guegan@hpconfluent.mssante.fr");
  /* Frequent and recent before old: BioOuest's lab before its biologist. */
  assert_search (f, "bioouest", "resultats@bioouest.mssante.fr bio@bioouest.mssante.fr"
                                " gwenael.gicquel@bioouest.mssante.fr");
  /* Every word must match. */
  assert_search (f, "cardio guégan", "maelle.guegan@hpconfluent.mssante.fr");
  assert_search (f, "cardio riou", "");
}

static void
test_hostile_text (Fixture *f, gconstpointer data)
{
  g_autofree char *long_text = g_strnfill (CAB_CORRESPONDENTS_MAX_TEXT + 1, 'a');
  const char *texts[] = {
    "\"", "*", "\"\"*", "NEAR(a b)", "a OR b", "AND", "kerjean\"*) OR (\"", "-", "^k", "{display}: k",
    "\xff\xfe", "k\x01", "' OR 1=1 --",
  };

  fill_practice (f);
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GPtrArray) found = search (f, texts[i]);
      g_assert_cmpuint (found->len, <=, CAB_CORRESPONDENTS_DEFAULT_LIMIT);
    }
  /* FTS syntax is text: "kerjean OR" is two words, the second matches nothing. */
  assert_search (f, "kerjean OR", "");
  assert_search (f, long_text, "");
  /* The limit holds. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) one = cab_correspondents_search (f->store, "bio", 1, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (one->len, ==, 1);
  }
}

static void
exec_sql (Fixture *f, const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (f->store);

  g_assert_true (cab_store_conn_exec (writer, sql, &error));
  g_assert_no_error (error);
}

/* A directory entry written after the address was learned: its city
 * finds the learned one; removed, the city no longer does. */
static void
test_directory_changes (Fixture *f, gconstpointer data)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GPtrArray) found = NULL;
  CabCorrespondent *c;

  receive (f, "Dr Yann Le Bras", "yann.lebras@ch-cholet.mssante.fr", now, 1);
  assert_search (f, "cholet", "yann.lebras@ch-cholet.mssante.fr");
  assert_search (f, "gastro", "");
  directory_add (f, "Dr Yann Le Bras", "le bras yann", "yann.lebras@ch-cholet.mssante.fr",
                 "Gastro-entérologue", "CH de Cholet", "Cholet", "10999999999");
  found = search (f, "gastro");
  g_assert_cmpuint (found->len, ==, 1);
  c = g_ptr_array_index (found, 0);
  g_assert_cmpint (cab_correspondent_get_sources (c), ==,
                   CAB_CORRESPONDENT_SOURCE_RECEIVED | CAB_CORRESPONDENT_SOURCE_DIRECTORY);
  g_assert_cmpstr (cab_correspondent_get_organization (c), ==, "CH de Cholet");
  exec_sql (f, "UPDATE directory_entries SET city = 'Angers', refreshed_at = 2");
  assert_search (f, "angers", "yann.lebras@ch-cholet.mssante.fr");
  exec_sql (f, "DELETE FROM directory_entries");
  assert_search (f, "angers", "");
  assert_search (f, "le bras", "yann.lebras@ch-cholet.mssante.fr");
  /* A second message: counted, the FTS row kept whole. */
  receive (f, "Dr Yann Le Bras (CH Cholet)", "yann.lebras@ch-cholet.mssante.fr", now, 1);
  assert_search (f, "cholet", "yann.lebras@ch-cholet.mssante.fr");
  exec_sql (f, "INSERT INTO correspondents_fts (correspondents_fts) VALUES ('integrity-check');"
               "INSERT INTO directory_fts (directory_fts) VALUES ('integrity-check');");
}

/* A message as a version-10 store held it (migration 7's columns). */
static void
old_receive (CabStoreWriter *writer, const char *from, gint64 date, guint n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (writer,
    "INSERT INTO mail_messages (account, mailbox, uidvalidity, uid, message_key, body_hash, date,"
    " from_display, from_address, size, raw_path, match_state, match_reason, received_at)"
    " VALUES ('" ACCOUNT "', 'INBOX', 1, (SELECT count (*) + 1 FROM mail_messages),"
    " 'k' || (SELECT count (*) + 1 FROM mail_messages), 'h', ?1, ?2, ?3, 1, '/nonexistent',"
    " 'none', 'no-candidate', ?1)", &error);
  const char *lt = strchr (from, '<');
  g_autofree char *address = lt != NULL ? g_strndup (lt + 1, strlen (lt + 1) - 1) : g_strdup (from);

  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      sqlite3_bind_int64 (stmt, 1, date);
      cab_stmt_bind_text (stmt, 2, from);
      cab_stmt_bind_text (stmt, 3, address);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_reset (stmt);
    }
}

/* A message queued as a version-10 store held it: its outbox entry
 * (migrations 2 and 9) and its mail_sent row (migration 8). */
static void
old_send (CabStoreWriter *writer, const char *to, gint64 date)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabStmt) entry = cab_store_conn_prepare (writer,
    "INSERT INTO outbox (kind, state, key, payload, lane, created_at, updated_at)"
    " VALUES ('mail', 'pending', 'mail-' || (SELECT count (*) + 1 FROM outbox),"
    " json_object ('from', '" ACCOUNT "', 'to', json_array (?1), 'date', ?2),"
    " 'mail:' || (SELECT count (*) + 1 FROM outbox), '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    &error);
  g_autoptr(CabStmt) sent = NULL;

  g_assert_no_error (error);
  cab_stmt_bind_text (entry, 1, to);
  sqlite3_bind_int64 (entry, 2, date);
  g_assert_cmpint (sqlite3_step (entry), ==, SQLITE_DONE);
  sent = cab_store_conn_prepare (writer,
    "INSERT INTO mail_sent (entry_id, message_id) VALUES (last_insert_rowid (), '<s' || last_insert_rowid () || '@x>')",
    &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (sent), ==, SQLITE_DONE);
}

/* A store that had mail before migration 11 learns it when migrated: the
 * practice's mail written at version 10, then the store opened as the app
 * opens it (migrations 11 to the latest). */
static void
test_backfill (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "version-10.db", NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  {
    g_autoptr(CabStore) old = cab_store_open_at_version (path, 10, &error);
    g_autoptr(CabStoreWriter) writer = NULL;

    g_assert_no_error (error);
    g_assert_cmpint (cab_store_get_schema_version (old), ==, 10);
    writer = cab_store_writer_lock (old);
    /* The same mail as fill_practice()'s. */
    old_receive (writer, "Laboratoire BioOuest <resultats@bioouest.mssante.fr>", now - 86400, 6);
    old_receive (writer, "\"Dr Gwénaël Gicquel\" <Gwenael.Gicquel@bioouest.mssante.fr>", now - 400 * 86400, 2);
    old_receive (writer, "Jeanne Martin <279035121518989@patient.mssante.fr>", now, 1);
    old_send (writer, "Noel.Kerjean@chu-nantes.mssante.fr", now);
    old_send (writer, "Noel.Kerjean@chu-nantes.mssante.fr", now);
    old_send (writer, "bio@bioouest.mssante.fr", now);
  }
  g_clear_object (&f->store);
  f->store = cab_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cab_store_get_schema_version (f->store), ==, cab_store_schema_latest ());
  assert_search (f, "", "resultats@bioouest.mssante.fr noel.kerjean@chu-nantes.mssante.fr"
                        " bio@bioouest.mssante.fr gwenael.gicquel@bioouest.mssante.fr");
  {
    g_autoptr(GPtrArray) found = search (f, "resultats");
    g_assert_cmpuint (cab_correspondent_get_received_count (g_ptr_array_index (found, 0)), ==, 6);
    g_assert_cmpstr (cab_correspondent_get_display_name (g_ptr_array_index (found, 0)), ==, "Laboratoire BioOuest");
  }
  {
    g_autoptr(GPtrArray) found = search (f, "kerjean");
    g_assert_cmpuint (cab_correspondent_get_sent_count (g_ptr_array_index (found, 0)), ==, 2);
  }
}

static void
on_searched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GListModel **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = cab_correspondents_search_finish (result, &error);
  g_assert_no_error (error);
}

static void
on_cancelled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) model = cab_correspondents_search_finish (result, &error);

  g_assert_null (model);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  *done = TRUE;
}

static void
test_async (Fixture *f, gconstpointer data)
{
  g_autoptr(GListModel) model = NULL;
  g_autoptr(CabCorrespondent) first = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gboolean cancelled = FALSE;

  fill_practice (f);
  cab_correspondents_search_async (f->store, "ker", 5, NULL, on_searched, &model);
  /* A superseded search never lands. */
  cab_correspondents_search_async (f->store, "k", 5, cancellable, on_cancelled, &cancelled);
  g_cancellable_cancel (cancellable);
  while (model == NULL || !cancelled)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_list_model_get_item_type (model) == CAB_TYPE_CORRESPONDENT);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  first = g_list_model_get_item (model, 0);
  g_assert_cmpstr (cab_correspondent_get_address (first), ==, "noel.kerjean@chu-nantes.mssante.fr");
}

/* A practice's size and more: 2,000 learned addresses (the table is what
 * is searched, not the messages) and 10,000 directory entries (a
 * department's MSSanté addresses) with -m perf; a tenth of that otherwise,
 * to keep the test short. One keystroke's search is printed. */
static void
test_measure (Fixture *f, gconstpointer data)
{
  const char *syllables[] = { "ker", "le", "gue", "mor", "ba", "ri", "jo", "na", "pi", "cha", "do", "tha",
                              "vin", "sa", "lo", "bre", "tu", "fa", "mon", "gi", "co", "ze", "pa", "rou",
                              "del", "mi", "quen", "bo", "ha", "ly" };
  const char *cities[] = { "Nantes", "Saint-Nazaire", "Rezé", "Angers", "Vannes", "La Baule", "Cholet",
                           "Laval", "Rennes", "Lorient", "Brest", "Quimper", "Saint-Herblain", "Orvault",
                           "Carquefou", "Vertou", "Clisson", "Ancenis", "Pornic", "Guérande" };
  const char *professions[] = { "Cardiologue", "Pneumologue", "Néphrologue", "Gériatre", "Pédiatre",
                                "Radiologue", "Biologiste médical", "Médecin généraliste", "Urgentiste",
                                "Endocrinologue" };
  const char *texts[] = { "k", "ke", "ker", "kerj", "kerjo", "nantes", "cardio", "108", "le ba" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint n_directory = g_test_perf () ? 10000 : 1000;
  guint n_learned = n_directory / 5;

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (f->store);
    g_autoptr(CabStmt) dir = NULL;
    g_autoptr(CabStmt) learned = NULL;

    g_assert_true (cab_store_begin (writer, &error));
    dir = cab_store_conn_prepare (writer,
      "INSERT INTO directory_entries (address, display, sort_key, profession, city, rpps, refreshed_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)", &error);
    learned = cab_store_conn_prepare (writer,
      "INSERT INTO correspondents (address, display, received_count, sent_count, last_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5)", &error);
    g_assert_no_error (error);
    for (guint i = 0; i < n_directory + n_learned; i++)
      {
        g_autofree char *family = g_strconcat (syllables[g_rand_int_range (rand, 0, 30)],
                                               syllables[g_rand_int_range (rand, 0, 30)], NULL);
        g_autofree char *given = g_strconcat (syllables[g_rand_int_range (rand, 0, 30)],
                                              syllables[g_rand_int_range (rand, 0, 30)], NULL);
        g_autofree char *address = g_strdup_printf ("%s.%s.%u@h%u.mssante.fr", given, family, i, i % 50);
        g_autofree char *display = g_strdup_printf ("Dr %s %s", given, family);
        g_autofree char *rpps = g_strdup_printf ("108%08u", i);
        CabStmt *stmt = i < n_directory ? dir : learned;

        cab_stmt_bind_text (stmt, 1, address);
        cab_stmt_bind_text (stmt, 2, display);
        if (i < n_directory)
          {
            cab_stmt_bind_text (stmt, 3, display + 3);
            cab_stmt_bind_text (stmt, 4, professions[i % G_N_ELEMENTS (professions)]);
            cab_stmt_bind_text (stmt, 5, cities[(i / 3) % G_N_ELEMENTS (cities)]);
            cab_stmt_bind_text (stmt, 6, rpps);
          }
        else
          {
            sqlite3_bind_int (stmt, 3, g_rand_int_range (rand, 0, 40));
            sqlite3_bind_int (stmt, 4, g_rand_int_range (rand, 0, 10));
            sqlite3_bind_int64 (stmt, 5, now - g_rand_int_range (rand, 0, 3 * 365) * 86400);
          }
        g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
        sqlite3_reset (stmt);
        sqlite3_clear_bindings (stmt);
      }
    g_assert_true (cab_store_commit (writer, &error));
  }

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      gint64 start = g_get_monotonic_time ();
      guint rounds = g_test_perf () ? 20 : 3;
      guint n = 0;

      for (guint r = 0; r < rounds; r++)
        {
          g_autoptr(GPtrArray) found = search (f, texts[i]);
          n = found->len;
        }
      g_test_message ("search %-8s in %u: %2u shown, %.2f ms", texts[i], n_directory + n_learned, n,
                      (g_get_monotonic_time () - start) / 1000.0 / rounds);
      g_assert_cmpuint (n, >, 0);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/correspondents/learned", test_learned);
  ADD ("/correspondents/folding-ranking", test_folding_and_ranking);
  ADD ("/correspondents/hostile-text", test_hostile_text);
  ADD ("/correspondents/directory-changes", test_directory_changes);
  ADD ("/correspondents/backfill", test_backfill);
  ADD ("/correspondents/async", test_async);
  ADD ("/correspondents/measure", test_measure);
#undef ADD
  return g_test_run ();
}
