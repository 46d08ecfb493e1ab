/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cabinetctl sync [--patient INS] [--parallelism N] [--json] */
#define G_LOG_DOMAIN "cabinetctl"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>

#include "cab-sync.h"
#include "cabinetctl-private.h"

typedef struct
{
  CabStore  *store;
  const char *ins;
  GPtrArray *records;     /* to store, from the server */
  char      *patient_id;  /* result */
} FindData;

static gboolean
find_local_thread (gpointer   user_data,
                   GError   **error)
{
  FindData *data = user_data;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(CabPatientRow) row = cab_store_find_patient_by_ins (data->store, data->ins, &local_error);

  /* Two patients with this INS: refuse to choose. Not found: ask the server. */
  if (g_error_matches (local_error, CAB_STORE_ERROR, CAB_STORE_ERROR_AMBIGUOUS))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (row != NULL)
    data->patient_id = g_strdup (row->id);
  return TRUE;
}

static gboolean
store_records_thread (gpointer   user_data,
                      GError   **error)
{
  FindData *data = user_data;

  return cab_store_put_records (data->store, data->records, NULL, NULL, error);
}

/* The patient's id: from the store, else asked to the server by identifier
 * (any INS system) and stored. */
static char *
resolve_patient (CtlContext    *ctx,
                 CabFhirClient *client,
                 const char    *ins,
                 int           *exit_code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabFhirPage) page = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *query = NULL;
  FindData data = { 0 };
  CtlWait wait;

  data.store = cab_session_get_store (ctx->session);
  data.ins = ins;
  if (!ctl_run_in_thread (find_local_thread, &data, &error))
    {
      *exit_code = ctl_fail_error (error, "cannot choose the patient");
      return NULL;
    }
  if (data.patient_id != NULL)
    return data.patient_id;

  escaped = g_uri_escape_string (ins, NULL, FALSE);
  query = g_strdup_printf ("Patient?identifier=%s&_count=10", escaped);
  ctl_wait_init (&wait);
  cab_fhir_client_search_async (client, query, NULL, ctl_async_cb, &wait);
  page = cab_fhir_client_search_finish (client, ctl_wait (&wait), &error);
  ctl_wait_clear (&wait);
  if (page == NULL)
    {
      *exit_code = ctl_fail_error (error, "cannot look the patient up");
      return NULL;
    }

  for (guint i = 0; i < page->records->len; i++)
    {
      const CabFhirRecord *record = g_ptr_array_index (page->records, i);

      if (record->kind == CAB_RESOURCE_PATIENT && record->patient != NULL &&
          g_strcmp0 (record->patient->ins, ins) == 0)
        {
          if (data.patient_id != NULL && !g_str_equal (data.patient_id, record->id))
            {
              g_free (data.patient_id);
              *exit_code = ctl_fail (CTL_EXIT_DATA,
                                     "several patients on the server have this INS: not choosing one");
              return NULL;
            }
          data.patient_id = g_strdup (record->id);
        }
    }

  if (data.patient_id == NULL)
    {
      *exit_code = ctl_fail (CTL_EXIT_NOT_FOUND, "unknown INS: the server has no patient with this INS");
      return NULL;
    }

  data.records = page->records;
  if (!ctl_run_in_thread (store_records_thread, &data, &error))
    {
      g_free (data.patient_id);
      *exit_code = ctl_fail_error (error, "cannot store the patient");
      return NULL;
    }

  return data.patient_id;
}

static void
progress_cb (CabSync *sync,
             guint    done,
             guint    total,
             gpointer user_data)
{
  fprintf (stderr, "\r%u/%u patients", done, total);
  fflush (stderr);
}

static gboolean
interrupt_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

static const char *
state_name (CabSyncState state)
{
  switch (state)
    {
    case CAB_SYNC_STATE_IDLE: return "idle";
    case CAB_SYNC_STATE_RUNNING: return "running";
    case CAB_SYNC_STATE_OFFLINE: return "offline";
    case CAB_SYNC_STATE_FAILED: return "failed";
    default: return "unknown";
    }
}

typedef struct
{
  CabStore *store;
  guint     n_duplicate_ins;
} DuplicateData;

static gboolean
count_duplicates_thread (gpointer   user_data,
                         GError   **error)
{
  DuplicateData *data = user_data;

  data->n_duplicate_ins = cab_store_count_duplicate_ins (data->store, error);
  return *error == NULL;
}

static void
print_summary (CabSync            *sync,
               const CabSyncStats *stats,
               guint               n_duplicate_ins,
               double              elapsed,
               gboolean            json)
{
  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "patients");
      json_builder_add_int_value (builder, stats->n_patients);
      json_builder_set_member_name (builder, "resources");
      json_builder_add_int_value (builder, stats->n_resources);
      json_builder_set_member_name (builder, "requests");
      json_builder_add_int_value (builder, stats->n_requests);
      json_builder_set_member_name (builder, "invalid");
      json_builder_add_int_value (builder, stats->n_invalid);
      json_builder_set_member_name (builder, "bytes");
      json_builder_add_int_value (builder, (gint64) stats->n_bytes);
      json_builder_set_member_name (builder, "duplicate_ins");
      json_builder_add_int_value (builder, n_duplicate_ins);
      json_builder_set_member_name (builder, "elapsed");
      json_builder_add_double_value (builder, elapsed);
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, state_name (cab_sync_get_state (sync)));
      json_builder_set_member_name (builder, "last_sync");
      if (cab_sync_get_last_sync (sync) != NULL)
        json_builder_add_string_value (builder, cab_sync_get_last_sync (sync));
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      ctl_print_json (root);
      return;
    }

  printf ("patients: %u\nresources: %u\nrequests: %u\n",
          stats->n_patients, stats->n_resources, stats->n_requests);
  if (stats->n_invalid > 0)
    printf ("invalid: %u (skipped)\n", stats->n_invalid);
  if (n_duplicate_ins > 0)
    printf ("duplicate INS: %u patients share an INS with another (check their identities)\n",
            n_duplicate_ins);
  printf ("received: %.1f MB\nelapsed: %.1f s\n", stats->n_bytes / 1e6, elapsed);
}

int
ctl_sync_main (CtlContext  *ctx,
               int          argc,
               char       **argv)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CabSync) sync = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();
  g_autofree char *ins = NULL;
  g_autofree char *patient_id = NULL;
  const char *ins_arg = NULL;
  CabFhirClient *client;
  CabSyncStats stats = { 0 };
  gboolean json = FALSE;
  guint parallelism = 0;
  guint sigint_id;
  gboolean ok;
  int exit_code = CTL_EXIT_OK;
  CtlWait wait;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (g_str_equal (argv[i], "--patient") && i + 1 < argc)
        ins_arg = argv[++i];
      else if (g_str_has_prefix (argv[i], "--patient="))
        ins_arg = argv[i] + strlen ("--patient=");
      else if (g_str_equal (argv[i], "--parallelism") && i + 1 < argc)
        {
          guint64 n;

          if (!g_ascii_string_to_unsigned (argv[++i], 10, 1, 64, &n, NULL))
            return ctl_fail (CTL_EXIT_USAGE, "sync: --parallelism takes a number from 1 to 64");
          parallelism = n;
        }
      else if (ctl_is_help (argv[i]))
        {
          puts ("Usage: cabinetctl sync [--patient INS] [--parallelism N] [--json]");
          return CTL_EXIT_OK;
        }
      else
        return ctl_fail (CTL_EXIT_USAGE, "sync: unexpected argument '%s'", argv[i]);
    }

  if (ins_arg != NULL && (ins = ctl_parse_ins (ins_arg, &exit_code)) == NULL)
    return exit_code;

  if ((client = ctl_get_client (ctx, &exit_code)) == NULL)
    return exit_code;

  if (ins == NULL && ctx->config->practice == NULL)
    return ctl_fail (CTL_EXIT_CONFIG,
                     "no practice configured (use --practice Organization/ID or set CABINET_PRACTICE)");

  if (ctl_get_store (ctx, &exit_code) == NULL)
    return exit_code;

  if (ins != NULL && (patient_id = resolve_patient (ctx, client, ins, &exit_code)) == NULL)
    return exit_code;

  /* Made by the session once the store and the client were there. */
  sync = g_object_ref (cab_session_get_sync (ctx->session));
  if (parallelism > 0)
    cab_sync_set_parallelism (sync, parallelism);
  if (isatty (STDERR_FILENO))
    g_signal_connect (sync, "progress", G_CALLBACK (progress_cb), NULL);

  sigint_id = g_unix_signal_add (SIGINT, interrupt_cb, cancellable);

  ctl_wait_init (&wait);
  cab_sync_run_async (sync, patient_id, cancellable, ctl_async_cb, &wait);
  ok = cab_sync_run_finish (sync, ctl_wait (&wait), &stats, &error);
  ctl_wait_clear (&wait);
  g_source_remove (sigint_id);

  if (isatty (STDERR_FILENO))
    fputc ('\n', stderr);

  if (!ok)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return ctl_fail (CTL_EXIT_NETWORK, "sync interrupted; the next run resumes where it stopped");
      return ctl_fail_error (error, "sync failed");
    }

  /* Two records for one INS are reported, never merged silently. */
  {
    DuplicateData duplicates = { cab_session_get_store (ctx->session), 0 };

    if (!ctl_run_in_thread (count_duplicates_thread, &duplicates, &error))
      return ctl_fail_error (error, "cannot check the stored patients");
    print_summary (sync, &stats, duplicates.n_duplicate_ins, g_timer_elapsed (timer, NULL), json);
  }
  return CTL_EXIT_OK;
}
