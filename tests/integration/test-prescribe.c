/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `cabinetctl prescribe` against a real cabinet-sandbox: rules refused with
 * their reason, the printed PDF read back (pdftotext, and the QR code with
 * zbarimg), the registration with the e-prescription service exactly once
 * when every answer is lost, and when cabinetctl is killed (-9) while it
 * drains. */
#define G_LOG_DOMAIN "test-prescribe"

#include <signal.h>
#include <string.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "cab-drug-interactions.h"
#include "cab-erx-service.h"
#include "cab-prescription-id.h"
#include "cab-store.h"
#include "cab-test-pdf.h"
#include "test-outbox-common.h"

#define PRACTICE "Organization/org-practice"
#define METFORMINE "61052830"
#define LEVOTHYROX "62080626"
#define DOLIPRANE "69309629"

typedef struct
{
  CabTestSandbox *sandbox;
  char           *dir;
  char           *data_dir;
  char           *ald_ins;        /* a qualified patient with an ALD */
  char           *ald_patient;
  char           *plain_ins;      /* a qualified patient without one */
  char           *plain_patient;
  const char     *server;         /* NULL: the sandbox */
} Fixture;

/* Runs cabinetctl with the fixture's server and data; returns its exit
 * status and what it printed. */
static int
ctl (Fixture     *f,
     char       **out,
     char       **err,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_get_environ ();
  const char *arg;
  int status = 0;
  va_list ap;

  g_ptr_array_add (argv, g_strdup (g_getenv ("CABINETCTL")));
  g_ptr_array_add (argv, g_strdup ("--data-dir"));
  g_ptr_array_add (argv, g_strdup (f->data_dir));
  g_ptr_array_add (argv, g_strdup ("--server"));
  g_ptr_array_add (argv, g_strdup (f->server != NULL ? f->server : f->sandbox->base_url));
  g_ptr_array_add (argv, g_strdup ("--token"));
  g_ptr_array_add (argv, g_strdup (CAB_TEST_TOKEN));
  g_ptr_array_add (argv, g_strdup ("--practice"));
  g_ptr_array_add (argv, g_strdup (PRACTICE));
  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  env = g_environ_unsetenv (env, "DBUS_SESSION_BUS_ADDRESS");
  env = g_environ_unsetenv (env, "CABINET_SERVER");
  env = g_environ_unsetenv (env, "CABINET_TOKEN");
  /* Output not asked for is dropped: on the test's stdout it would break
   * the TAP stream meson reads. */
  g_spawn_sync (NULL, (char **) argv->pdata, env, out == NULL ? G_SPAWN_STDOUT_TO_DEV_NULL : G_SPAWN_DEFAULT,
                NULL, NULL, out, err, &status, &error);
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char *args[] = { "--patients", "24", "--years", "1", NULL, NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *bdpm = g_build_filename (g_getenv ("CABINET_TEST_DATA"), "bdpm-mini", NULL);
  g_autofree char *db = NULL;
  g_autoptr(CabStore) store = NULL;
  g_autoptr(GPtrArray) patients = NULL;

  /* Latency makes a kill -9 land while a request is out. */
  if (data != NULL)
    {
      args[4] = "--latency-ms";
      args[5] = data;
    }
  f->sandbox = cab_test_sandbox_start (args, FALSE, &error);
  g_assert_no_error (error);
  f->dir = g_dir_make_tmp ("test-prescribe-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_dir = g_build_filename (f->dir, "data", NULL);

  g_assert_cmpint (ctl (f, NULL, NULL, "sync", NULL), ==, 0);
  g_assert_cmpint (ctl (f, NULL, NULL, "drugs", "import", bdpm, NULL), ==, 0);

  db = g_build_filename (f->data_dir, "cabinet.db", NULL);
  store = cab_store_open (db, &error);
  g_assert_no_error (error);
  patients = cab_store_search_patients (store, NULL, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < patients->len; i++)
    {
      const CabPatientRow *row = g_ptr_array_index (patients, i);
      g_autoptr(GPtrArray) conditions = NULL;
      gboolean ald = FALSE;

      if (row->patient.ins == NULL || g_strcmp0 (row->patient.identity_status, "QUAL") != 0)
        continue;
      conditions = cab_store_list_conditions (store, row->id, &error);
      g_assert_no_error (error);
      for (guint j = 0; j < conditions->len; j++)
        ald |= ((CabCondition *) g_ptr_array_index (conditions, j))->ald;
      if (ald && f->ald_ins == NULL)
        {
          f->ald_ins = g_strdup (row->patient.ins);
          f->ald_patient = g_strdup (row->id);
        }
      g_autoptr(GPtrArray) allergies = cab_drug_list_allergies (store, row->id, &error);

      g_assert_no_error (error);
      /* An adult (EFG must not apply) with no allergy (nor CIF). */
      if (!ald && f->plain_ins == NULL && row->patient.birth_date != NULL &&
          strcmp (row->patient.birth_date, "2000") < 0 && allergies->len == 0)
        {
          f->plain_ins = g_strdup (row->patient.ins);
          f->plain_patient = g_strdup (row->id);
        }
    }
  g_assert_nonnull (f->ald_ins);
  g_assert_nonnull (f->plain_ins);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  cab_test_sandbox_free (f->sandbox);
  outbox_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->data_dir);
  g_free (f->ald_ins);
  g_free (f->ald_patient);
  g_free (f->plain_ins);
  g_free (f->plain_patient);
}

static char *
write_input (Fixture    *f,
             const char *name,
             const char *json)
{
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, json, -1, NULL));
  return path;
}

/* How many prescriptions the e-prescription service holds under @id. */
static gint64
registered_count (Fixture    *f,
                  const char *id)
{
  return cab_test_sandbox_count_identifier (f->sandbox, "/fhir/erx/Bundle", CAB_ERX_IDENTIFIER_SYSTEM, id);
}

static const char bizone_json[] =
  "{\"weight_kg\": 88, \"lines\": ["
  " {\"cis\": \"" METFORMINE "\", \"dosage\": {\"quantity\": 1, \"unit\": \"comprimé\", \"moments\": [\"matin\", \"soir\"]},"
  "  \"duration\": \"3 mois\", \"renewals\": 3, \"ald\": true},"
  " {\"cis\": \"" LEVOTHYROX "\", \"dosage\": {\"quantity\": 1, \"unit\": \"comprimé\", \"moments\": [\"matin\"]},"
  "  \"duration\": \"3 mois\", \"non_substitutable\": \"MTE\", \"ald\": true},"
  " {\"cis\": \"" DOLIPRANE "\", \"dosage\": \"1 gélule jusqu'à 3 fois par jour si douleur\","
  "  \"duration\": \"5 jours\", \"quantity\": \"1 boîte\", \"ald\": false}]}";

static void
test_bizone_printed_and_registered (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *input = write_input (f, "rx.json", bizone_json);
  g_autofree char *pdf = g_build_filename (f->dir, "rx.pdf", NULL);
  g_autofree char *png_root = g_build_filename (f->dir, "rx", NULL);
  g_autofree char *out = NULL;
  g_autofree char *text = NULL;
  g_autofree char *timeline = NULL;
  JsonObject *result;
  const char *id;

  g_assert_cmpint (ctl (f, &out, NULL, "prescribe", f->ald_ins, "--from", input, "-o", pdf, "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  result = json_node_get_object (json_parser_get_root (parser));
  id = json_object_get_string_member (result, "id");
  g_assert_true (cab_prescription_id_is_valid (id));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (result, "registration"), "state"),
                   ==, "done");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (result, "publication"), "state"),
                   ==, "done");
  g_assert_cmpint (registered_count (f, id), ==, 1);

  /* The DCI lines, in the bizone form's two zones. */
  text = cab_test_pdf_text (pdf, TRUE);
  g_assert_nonnull (strstr (text, "AFFECTION EXONÉRANTE"));
  g_assert_nonnull (strstr (text, "MALADIES INTERCURRENTES"));
  g_assert_nonnull (strstr (text, "metformine 1000 mg, comprimé pelliculé sécable (GLUCOPHAGE)"));
  g_assert_nonnull (strstr (text, "lévothyroxine 75 microgrammes, comprimé sécable (LEVOTHYROX)"));
  g_assert_nonnull (strstr (text, "paracétamol 1000 mg, gélule (DOLIPRANE)"));
  g_assert_nonnull (strstr (text, "Non substituable (MTE)"));
  g_assert_nonnull (strstr (text, "N° RPPS"));
  g_assert_true (strstr (text, "metformine") < strstr (text, "MALADIES INTERCURRENTES"));
  g_assert_true (strstr (text, "MALADIES INTERCURRENTES") < strstr (text, "paracétamol"));

  /* The QR code decodes to the identifier. */
  cab_test_assert_pdf_qr (pdf, png_root, id);

  /* The printed copy is in the patient's timeline. */
  g_assert_cmpint (ctl (f, &timeline, NULL, "timeline", f->ald_ins, NULL), ==, 0);
  g_assert_nonnull (strstr (timeline, "Prescription de produits de santé"));

  /* Renewed in one action, a line added: a new identifier, the lines as written. */
  {
    g_autoptr(JsonParser) renewed = json_parser_new ();
    g_autofree char *added = write_input (f, "added.json",
                                          "{\"lines\": [{\"cis\": \"" DOLIPRANE "\", \"dosage\": \"1 gélule\"}]}");
    g_autofree char *renewed_pdf = g_build_filename (f->dir, "renewed.pdf", NULL);
    g_autofree char *renewed_out = NULL;
    g_autofree char *err = NULL;
    JsonObject *r;
    JsonArray *lines;

    g_assert_cmpint (ctl (f, &renewed_out, NULL, "prescribe", f->ald_ins, "--renew",
                          json_object_get_string_member (result, "id_display"), "--from", added,
                          "-o", renewed_pdf, "--json", NULL), ==, 0);
    g_assert_true (json_parser_load_from_data (renewed, renewed_out, -1, NULL));
    r = json_node_get_object (json_parser_get_root (renewed));
    g_assert_cmpstr (json_object_get_string_member (r, "id"), !=, id);
    lines = json_object_get_array_member (r, "lines");
    g_assert_cmpuint (json_array_get_length (lines), ==, 4);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (lines, 0), "dosage"), ==,
                     "1 comprimé matin et soir pendant 3 mois");
    g_assert_cmpint (registered_count (f, json_object_get_string_member (r, "id")), ==, 1);

    /* Another patient's prescription cannot be renewed under this one. */
    g_assert_cmpint (ctl (f, NULL, &err, "prescribe", f->plain_ins, "--renew", id, "-o", renewed_pdf, NULL), ==, 4);
  }
}

typedef struct
{
  const char *name;
  gboolean    ald_patient;
  const char *json;
  const char *reason;      /* in the message */
} Refusal;

static const Refusal refusals[] = {
  { "MTE on paracetamol", TRUE,
    "{\"lines\": [{\"cis\": \"" DOLIPRANE "\", \"dosage\": \"1 gélule\", \"non_substitutable\": \"MTE\"}]}",
    "MTE" },
  { "ALD line without ALD", FALSE,
    "{\"lines\": [{\"cis\": \"" DOLIPRANE "\", \"dosage\": \"1 gélule\", \"ald\": true}]}",
    "ALD" },
  { "EFG for an adult", FALSE,
    "{\"lines\": [{\"cis\": \"" DOLIPRANE "\", \"dosage\": \"1 gélule\", \"non_substitutable\": \"EFG\"}]}",
    "EFG" },
  { "CIF without intolerance", FALSE,
    "{\"lines\": [{\"cis\": \"" DOLIPRANE "\", \"dosage\": \"1 gélule\", \"non_substitutable\": \"CIF\"}]}",
    "CIF" },
  { "NS without justification", FALSE,
    "{\"lines\": [{\"cis\": \"" DOLIPRANE "\", \"dosage\": \"1 gélule\", \"non_substitutable\": \"NS\"}]}",
    "MTE, EFG or CIF" },
  { "unknown CIS", FALSE,
    "{\"lines\": [{\"cis\": \"99999999\", \"dosage\": \"1 gélule\"}]}",
    "99999999" },
  { "too many renewals", FALSE,
    "{\"lines\": [{\"cis\": \"" DOLIPRANE "\", \"dosage\": \"1 gélule\", \"duration\": \"3 mois\", \"renewals\": 5}]}",
    "12 months" },
};

static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *pdf = g_build_filename (f->dir, "refused.pdf", NULL);
  g_autofree char *list = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      g_autofree char *input = write_input (f, "bad.json", refusals[i].json);
      g_autofree char *err = NULL;

      g_test_message ("refusal: %s", refusals[i].name);
      g_assert_cmpint (ctl (f, NULL, &err, "prescribe", refusals[i].ald_patient ? f->ald_ins : f->plain_ins,
                            "--from", input, "-o", pdf, NULL), ==, 5);
      g_assert_nonnull (strstr (err, refusals[i].reason));
      g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
    }
  /* Nothing was queued. */
  g_assert_cmpint (ctl (f, &list, NULL, "outbox", "list", NULL), ==, 0);
  g_assert_null (strstr (list, "e-prescription"));
}

/* An excipient intolerance in the record is what allows NS CIF. The
 * allergy is written as sync stores one (the sandbox's practice has none). */
static void
test_cif_with_intolerance (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *db = g_build_filename (f->data_dir, "cabinet.db", NULL);
  g_autofree char *input = write_input (f, "cif.json",
                                        "{\"lines\": [{\"cis\": \"" DOLIPRANE "\", \"dosage\": \"1 gélule\","
                                        " \"non_substitutable\": \"CIF\"}]}");
  g_autofree char *pdf = g_build_filename (f->dir, "cif.pdf", NULL);
  g_autofree char *err = NULL;
  g_autofree char *text = NULL;
  sqlite3 *conn = NULL;
  sqlite3_stmt *stmt = NULL;

  /* Refused first: nothing recorded yet. */
  g_assert_cmpint (ctl (f, NULL, &err, "prescribe", f->plain_ins, "--from", input, "-o", pdf, NULL), ==, 5);
  g_assert_nonnull (strstr (err, "CIF"));

  g_assert_cmpint (sqlite3_open (db, &conn), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (conn, "INSERT INTO allergies (id, patient_id, clinical_status, type,"
                                             " category, display, substance_key) VALUES ('allergy-lactose', ?1,"
                                             " 'active', 'intolerance', 'medication', 'Lactose', 'lactose')",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, f->plain_patient, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (conn);

  g_assert_cmpint (ctl (f, NULL, NULL, "prescribe", f->plain_ins, "--from", input, "-o", pdf, NULL), ==, 0);
  text = cab_test_pdf_text (pdf, FALSE);
  g_assert_nonnull (strstr (text, "Non substituable (CIF)"));
}

/* The health space unreachable: printed at once all the same, and the copy
 * says it will be registered; the registration waits in the outbox. */
static void
test_offline (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *input = write_input (f, "rx.json", bizone_json);
  g_autofree char *pdf = g_build_filename (f->dir, "offline.pdf", NULL);
  g_autofree char *out = NULL;
  g_autofree char *text = NULL;
  g_autofree char *list = NULL;
  g_autofree char *err = NULL;

  /* The workstation's first prescription, offline: the prescriber's
   * identity was never read from the health space, and a prescription
   * must name its prescriber. Refused with what to do, nothing written or
   * queued. Nothing listens on port 9 of the loopback (discard, never
   * served here). */
  f->server = "http://127.0.0.1:9/fhir";
  g_assert_cmpint (ctl (f, NULL, &err, "prescribe", f->ald_ins, "--from", input, "-o", pdf, NULL), ==, 3);
  g_test_message ("%s", err);
  g_assert_nonnull (strstr (err, "prescriber's identity"));
  g_assert_nonnull (strstr (err, "cannot be reached"));
  g_assert_nonnull (strstr (err, "once the health space is reachable"));
  g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
  g_assert_cmpint (ctl (f, &list, NULL, "outbox", "list", NULL), ==, 0);
  g_assert_null (strstr (list, "Register e-prescription"));
  g_clear_pointer (&list, g_free);

  /* Once online (queued only): the store now knows the prescriber. */
  f->server = NULL;
  g_assert_cmpint (ctl (f, NULL, NULL, "prescribe", f->ald_ins, "--from", input, "-o", pdf, "--no-send", NULL), ==, 0);

  /* Offline again: it prints. */
  f->server = "http://127.0.0.1:9/fhir";
  g_assert_cmpint (ctl (f, &out, NULL, "prescribe", f->ald_ins, "--from", input, "-o", pdf, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Queued: registration"));
  text = cab_test_pdf_text (pdf, FALSE);
  g_assert_nonnull (strstr (text, "sera enregistrée"));

  /* Back online: it is registered, once. */
  f->server = NULL;
  g_assert_cmpint (ctl (f, &list, NULL, "outbox", "drain", NULL), ==, 0);
  g_clear_pointer (&list, g_free);
  g_assert_cmpint (ctl (f, &list, NULL, "outbox", "list", NULL), ==, 0);
  g_assert_null (strstr (list, "pending"));
  g_assert_nonnull (strstr (list, "Register e-prescription"));
}

/* Queues @n prescriptions without sending; returns their identifiers. */
static GPtrArray *
queue_prescriptions (Fixture *f,
                     guint    n)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *input = write_input (f, "rx.json", bizone_json);
  g_autofree char *plain = write_input (f, "plain.json",
                                        "{\"lines\": [{\"cis\": \"" DOLIPRANE "\", \"dosage\": \"1 gélule\"}]}");

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *pdf = g_strdup_printf ("%s/queued-%u.pdf", f->dir, i);
      g_autofree char *out = NULL;
      g_autofree char *text = NULL;
      gboolean ald = i % 2 == 0;

      g_assert_cmpint (ctl (f, &out, NULL, "prescribe", ald ? f->ald_ins : f->plain_ins,
                            "--from", ald ? input : plain, "-o", pdf, "--json", "--no-send", NULL), ==, 0);
      g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
      g_ptr_array_add (ids, g_strdup (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)),
                                                                     "id")));
      /* Offline, the printed copy says it will be registered. */
      text = cab_test_pdf_text (pdf, FALSE);
      g_assert_nonnull (strstr (text, "sera enregistrée"));
    }
  return ids;
}

/* Every entry done; each of @ids registered once; the registrations of
 * @resent (NULL: none) were sent more than once. */
static void
check_registered_once (Fixture    *f,
                       GPtrArray  *ids,
                       const char *const *resent)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename (f->data_dir, "cabinet.db", NULL);
  g_autoptr(CabStore) store = cab_store_open (db, &error);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) patients = g_ptr_array_new ();
  guint n_registrations = 0, n_resent = 0;

  g_assert_no_error (error);
  g_assert_true (cab_store_check_integrity (store, &error));
  entries = cab_store_outbox_list (store, -1, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    {
      CabOutboxEntry *e = g_ptr_array_index (entries, i);

      g_assert_cmpint (e->state, ==, CAB_OUTBOX_STATE_DONE);
      if (g_strcmp0 (e->kind, "eprescription") == 0)
        {
          n_registrations++;
          for (guint j = 0; resent != NULL && resent[j] != NULL; j++)
            if (strstr (e->payload, resent[j]) != NULL)
              {
                g_assert_cmpuint (e->attempts, >=, 2);
                n_resent++;
              }
        }
    }
  g_assert_cmpuint (n_registrations, ==, ids->len);
  for (guint i = 0; i < ids->len; i++)
    g_assert_cmpint (registered_count (f, g_ptr_array_index (ids, i)), ==, 1);
  g_assert_cmpuint (n_resent, ==, resent != NULL ? g_strv_length ((char **) resent) : 0);

  /* Their DMP copies too, in order per patient. */
  g_ptr_array_add (patients, f->ald_patient);
  g_ptr_array_add (patients, f->plain_patient);
  g_assert_cmpuint (outbox_test_check_exactly_once (f->sandbox, store, patients), ==, ids->len);
}

static GSubprocess *
spawn_drain (Fixture *f)
{
  g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  g_subprocess_launcher_unsetenv (launcher, "CABINET_SERVER");
  g_subprocess_launcher_unsetenv (launcher, "CABINET_TOKEN");
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("CABINETCTL"),
                                         "--data-dir", f->data_dir, "--server", f->sandbox->base_url,
                                         "--token", CAB_TEST_TOKEN, "--practice", PRACTICE,
                                         "outbox", "drain", "--backoff-ms", "20", NULL);
  g_assert_no_error (error);
  return process;
}

static void
set_faults (Fixture    *f,
            const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  guint status = 0;

  body = cab_test_sandbox_call (f->sandbox, json != NULL ? "POST" : "DELETE", "/admin/faults", json,
                                &status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);
}

/* Every registration lands but its answer is lost: cabinetctl must send
 * again, and the service must keep one. Killed while at it, then run again. */
static void
test_answers_lost (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) ids = queue_prescriptions (f, 4);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  /* Each patient's first: the later ones wait behind them (creation order). */
  const char *firsts[] = { g_ptr_array_index (ids, 0), g_ptr_array_index (ids, 1), NULL };
  guint landed = 0;

  set_faults (f, "{\"lose_answer_rate\": 1.0}");
  process = spawn_drain (f);
  /* Until the service holds the firsts (their answers lost), then kill -9. */
  for (guint round = 0; round < 3000 && landed < 2; round++)
    {
      landed = 0;
      for (guint i = 0; firsts[i] != NULL; i++)
        landed += registered_count (f, firsts[i]) > 0;
      if (landed < 2)
        g_usleep (10000);
    }
  g_assert_cmpuint (landed, ==, 2);
  g_assert_cmpint (registered_count (f, g_ptr_array_index (ids, 2)), ==, 0);
  g_subprocess_send_signal (process, SIGKILL);
  g_subprocess_wait (process, NULL, NULL);
  g_clear_object (&process);

  set_faults (f, NULL);
  process = spawn_drain (f);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  check_registered_once (f, ids, firsts);
}

/* kill -9 at random moments of the drain, with injected errors too. */
static void
test_kill9 (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) ids = queue_prescriptions (f, 6);
  g_autoptr(GSubprocess) last = NULL;
  g_autoptr(GError) error = NULL;
  guint kills = 12;

  set_faults (f, "{\"error_rate\": 0.2, \"error_statuses\": [503], \"retry_after\": 0, \"lose_answer_rate\": 0.3}");
  for (guint k = 0; k < kills; k++)
    {
      g_autoptr(GSubprocess) process = spawn_drain (f);
      g_autofree char *db = g_build_filename (f->data_dir, "cabinet.db", NULL);
      g_autoptr(CabStore) store = NULL;
      guint counts[CAB_OUTBOX_N_STATES];

      g_usleep (g_random_int_range (20, 300) * 1000);
      g_subprocess_send_signal (process, SIGKILL);
      g_subprocess_wait (process, NULL, NULL);

      store = cab_store_open (db, &error);
      g_assert_no_error (error);
      g_assert_true (cab_store_check_integrity (store, &error));
      g_assert_true (cab_store_outbox_count (store, counts, &error));
      g_assert_cmpuint (counts[CAB_OUTBOX_STATE_FAILED], ==, 0);
    }

  set_faults (f, NULL);
  last = spawn_drain (f);
  g_assert_true (g_subprocess_wait (last, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (last), ==, 0);
  check_registered_once (f, ids, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/prescribe/bizone-printed-and-registered", Fixture, NULL,
              fixture_setup, test_bizone_printed_and_registered, fixture_teardown);
  g_test_add ("/prescribe/refused", Fixture, NULL, fixture_setup, test_refused, fixture_teardown);
  g_test_add ("/prescribe/offline", Fixture, NULL, fixture_setup, test_offline, fixture_teardown);
  g_test_add ("/prescribe/cif-with-intolerance", Fixture, NULL, fixture_setup, test_cif_with_intolerance,
              fixture_teardown);
  g_test_add ("/prescribe/answers-lost", Fixture, NULL, fixture_setup, test_answers_lost, fixture_teardown);
  g_test_add ("/prescribe/kill-9", Fixture, "100", fixture_setup, test_kill9, fixture_teardown);
  return g_test_run ();
}
