/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cabinetctl prescribe INS --from FILE.json -o FILE.pdf [--json]: write a
 * prescription (rules checked), print it to a PDF, queue its registration
 * with the e-prescription service and its DMP copy, then send them if the
 * health space is reachable. docs/cabinetctl.md says more. */
#define G_LOG_DOMAIN "cabinetctl"

#include <stdio.h>
#include <string.h>

#include "cab-drug-interactions.h"
#include "cab-prescribe.h"
#include "cab-prescription-id.h"
#include "cabinetctl-outbox.h"

static const char prescribe_usage[] =
  "Usage: cabinetctl prescribe INS --from FILE.json|--renew ID -o FILE.pdf [--json] [--no-send]\n"
  "                             [--prescriber Practitioner/ID]\n"
  "\n"
  "  --from FILE.json   the lines: cis, dosage (text or structured), duration, renewals,\n"
  "                     quantity, non_substitutable (null, MTE, EFG, CIF), ald (see docs/cabinetctl.md)\n"
  "  --renew ID         renew the patient's prescription ID (its lines as written, a new date and\n"
  "                     identifier); with --from, the file's lines are added after them\n"
  "  -o FILE.pdf        where to write the printed prescription\n"
  "  --json             print the result as JSON\n"
  "  --no-send          queue only; cabinetctl outbox drain sends it (the PDF says it will be registered)\n"
  "                     The prescriber's and practice's records are read from the server once\n"
  "                     when the store lacks them.\n"
  "  --prescriber REF   who signs (default: the patient's médecin traitant)\n";

/* A prescription file is small; anything bigger is not one. */
#define MAX_FILE_SIZE CAB_PRESCRIPTION_MAX_JSON

typedef struct
{
  CabOutbox          *outbox;
  CabStore           *store;
  CabErxService      *service;
  const char         *ins;
  const char         *prescriber;
  const char         *organization;
  CabPrescription    *input;
  gboolean            pending;
  CabPatientRow      *patient;          /* out */
  CabPrescribeResult  result;           /* out */
  CabOutboxEntry     *registration;     /* out, after the drain */
  CabOutboxEntry     *publication;
  CabDrugInteractionReport *interactions; /* out, or NULL when not checked */
  gboolean            identity_unread;  /* the health space could not be asked */
} PrescribeData;

/* The prescriber's Practitioner and the practice's Organization, when the
 * store lacks them: search queries ("Practitioner?_id=gp-1"). */
typedef struct
{
  CabStore   *store;
  const char *prescriber;
  const char *organization;
  GPtrArray  *queries;      /* out */
  GPtrArray  *records;      /* in, for put_records_thread */
} IdentityData;

static void
want (IdentityData *data,
      const char   *type,
      const char   *reference)
{
  g_autofree char *id = reference != NULL ? cab_fhir_reference_id (reference) : NULL;
  g_autofree char *json = NULL;
  g_autofree char *prefix = g_strconcat (type, "/", NULL);
  g_autofree char *escaped = NULL;

  if (id == NULL || !g_str_has_prefix (reference, prefix) || !cab_fhir_id_is_valid (id))
    return;
  json = cab_store_get_resource_json (data->store, type, id, NULL);
  if (json != NULL)
    return;
  escaped = g_uri_escape_string (id, NULL, FALSE);
  g_ptr_array_add (data->queries, g_strdup_printf ("%s?_id=%s", type, escaped));
}

static gboolean
missing_identity_thread (gpointer   user_data,
                         GError   **error)
{
  IdentityData *data = user_data;

  want (data, "Practitioner", data->prescriber);
  want (data, "Organization", data->organization);
  return TRUE;
}

static gboolean
put_records_thread (gpointer   user_data,
                    GError   **error)
{
  IdentityData *data = user_data;

  return cab_store_put_records (data->store, data->records, NULL, NULL, error);
}

/* Reads the prescriber's identity from the health space once, so that the
 * printed copy names them (later prescriptions find it in the store). An
 * unreachable server is no reason not to print: the store's data is used. */
static void
fetch_identity (CtlContext    *ctx,
                PrescribeData *data)
{
  IdentityData identity = { data->store, NULL, data->organization, NULL, NULL };
  g_autoptr(GError) error = NULL;
  CabFhirClient *client;

  identity.prescriber = data->prescriber != NULL ? data->prescriber : data->patient->patient.gp_reference;
  identity.queries = g_ptr_array_new_with_free_func (g_free);
  int exit_code = 0;

  /* Even with --no-send: a read, once, and nothing is sent. */
  if (ctx->config->server_url != NULL && cab_session_get_client (ctx->session) == NULL)
    {
      if (!ctl_run_in_thread (missing_identity_thread, &identity, &error) || identity.queries->len == 0)
        {
          g_ptr_array_unref (identity.queries);
          return;
        }
      g_ptr_array_set_size (identity.queries, 0);
      if (ctl_get_client (ctx, &exit_code) == NULL)
        {
          data->identity_unread = TRUE;
          g_ptr_array_unref (identity.queries);
          return;
        }
    }
  client = ctx->config->server_url != NULL ? cab_session_get_client (ctx->session) : NULL;
  if (client != NULL && ctl_run_in_thread (missing_identity_thread, &identity, &error))
    for (guint i = 0; i < identity.queries->len; i++)
      {
        g_autoptr(CabFhirPage) page = NULL;
        g_autoptr(GError) fetch_error = NULL;
        CtlWait wait;

        ctl_wait_init (&wait);
        cab_fhir_client_search_async (client, g_ptr_array_index (identity.queries, i), NULL,
                                      ctl_async_cb, &wait);
        page = cab_fhir_client_search_finish (client, ctl_wait (&wait), &fetch_error);
        ctl_wait_clear (&wait);
        if (page == NULL)
          {
            g_debug ("Cannot read the prescriber's identity: %s", fetch_error->message);
            data->identity_unread = TRUE;
            break;
          }
        identity.records = page->records;
        if (!ctl_run_in_thread (put_records_thread, &identity, &fetch_error))
          g_debug ("Cannot keep the prescriber's identity: %s", fetch_error->message);
      }
  g_ptr_array_unref (identity.queries);
}

/* The lines of a stored prescription of this patient, before the file's. */
typedef struct
{
  PrescribeData *data;
  const char    *renew;
} RenewData;

static gboolean
renew_thread (gpointer   user_data,
              GError   **error)
{
  RenewData *renew = user_data;
  PrescribeData *data = renew->data;
  g_autofree char *patient_id = NULL;
  g_autofree char *json = cab_store_get_prescription_json (data->store, renew->renew, &patient_id, error);
  g_autoptr(CabPrescription) old = NULL;

  if (json == NULL)
    return FALSE;
  /* Another patient's prescription is "not found" for this one. */
  if (g_strcmp0 (patient_id, data->patient->id) != 0)
    {
      g_set_error_literal (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND, "No such prescription");
      return FALSE;
    }
  if ((old = cab_prescription_from_json (json, -1, error)) == NULL)
    return FALSE;
  if (data->input == NULL)
    data->input = cab_prescription_new ();
  for (guint i = old->lines->len; i > 0; i--)
    g_ptr_array_insert (data->input->lines, 0, g_ptr_array_steal_index (old->lines, i - 1));
  if (data->input->lines->len > CAB_PRESCRIPTION_MAX_LINES)
    {
      g_set_error (error, CAB_PRESCRIPTION_ERROR, CAB_PRESCRIPTION_ERROR_INVALID,
                   "more than %u lines", CAB_PRESCRIPTION_MAX_LINES);
      return FALSE;
    }
  return TRUE;
}

static gboolean
prescribe_thread (gpointer   user_data,
                  GError   **error)
{
  PrescribeData *data = user_data;
  CabPrescribeRequest request = {
    data->patient->id, data->input, data->prescriber, data->organization, data->pending
  };

  return cab_prescribe (data->store, data->outbox, data->service, &request, &data->result, error);
}

/* The lines against each other and the patient's current treatments: the
 * prescriber is told, the prescription is not refused (a known
 * combination may be intended). */
static gboolean
interactions_thread (gpointer   user_data,
                     GError   **error)
{
  PrescribeData *data = user_data;
  g_autoptr(GPtrArray) cis = g_ptr_array_new ();
  g_autoptr(GError) local_error = NULL;

  for (guint i = 0; i < data->input->lines->len; i++)
    g_ptr_array_add (cis, ((CabPrescriptionLine *) g_ptr_array_index (data->input->lines, i))->medicine.cis);
  g_ptr_array_add (cis, NULL);
  data->interactions = cab_drug_check_interactions (data->store, (const char * const *) cis->pdata,
                                                    data->patient->id, &local_error);
  if (data->interactions == NULL)
    g_debug ("Interactions not checked: %s", local_error->message);
  return TRUE;
}

static void
warn_interactions (PrescribeData *data)
{
  for (guint i = 0; data->interactions != NULL && i < data->interactions->interactions->len; i++)
    {
      const CabDrugInteraction *x = g_ptr_array_index (data->interactions->interactions, i);

      fprintf (stderr, "cabinetctl: warning: %s (%s): %s + %s%s%s%s\n",
               cab_interaction_level_to_label (x->level), cab_interaction_level_to_code (x->level),
               x->substance_a, x->substance_b, x->b_is_current ? " (current treatment)" : "",
               x->description != NULL ? ": " : "", x->description != NULL ? x->description : "");
    }
}

static void
add_interactions (JsonBuilder   *b,
                  PrescribeData *data)
{
  json_builder_set_member_name (b, "interactions");
  json_builder_begin_array (b);
  for (guint i = 0; data->interactions != NULL && i < data->interactions->interactions->len; i++)
    {
      const CabDrugInteraction *x = g_ptr_array_index (data->interactions->interactions, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "level");
      json_builder_add_string_value (b, cab_interaction_level_to_code (x->level));
      json_builder_set_member_name (b, "cis_a");
      json_builder_add_string_value (b, x->cis_a);
      json_builder_set_member_name (b, "substance_a");
      json_builder_add_string_value (b, x->substance_a);
      json_builder_set_member_name (b, "cis_b");
      json_builder_add_string_value (b, x->cis_b);
      json_builder_set_member_name (b, "substance_b");
      json_builder_add_string_value (b, x->substance_b);
      json_builder_set_member_name (b, "current_treatment");
      json_builder_add_boolean_value (b, x->b_is_current);
      json_builder_set_member_name (b, "text");
      json_builder_add_string_value (b, x->description);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static gboolean
get_entries_thread (gpointer   user_data,
                    GError   **error)
{
  PrescribeData *data = user_data;

  data->registration = cab_store_outbox_get (data->store, data->result.registration_entry, error);
  if (data->registration == NULL)
    return FALSE;
  data->publication = cab_store_outbox_get (data->store, data->result.publish_entry, error);
  return data->publication != NULL;
}

static void
add_entry (JsonBuilder          *b,
           const char           *member,
           gint64                id,
           const CabOutboxEntry *entry)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "entry");
  json_builder_add_int_value (b, id);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, entry != NULL ? cab_outbox_state_to_string (entry->state) : "pending");
  if (entry != NULL && entry->server_id != NULL)
    {
      json_builder_set_member_name (b, "server_id");
      json_builder_add_string_value (b, entry->server_id);
    }
  if (entry != NULL && entry->state != CAB_OUTBOX_STATE_DONE)
    {
      g_autofree char *last_error = cab_outbox_entry_dup_error (entry);

      if (last_error != NULL)
        {
          json_builder_set_member_name (b, "error");
          json_builder_add_string_value (b, last_error);
        }
    }
  json_builder_end_object (b);
}

static void
print_result (PrescribeData *data,
              const char    *pdf_path,
              gboolean       as_json)
{
  const CabPrescription *rx = data->result.prescription;
  g_autofree char *display = cab_prescription_id_format (rx->id);

  if (as_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, rx->id);
      json_builder_set_member_name (b, "id_display");
      json_builder_add_string_value (b, display);
      json_builder_set_member_name (b, "date");
      json_builder_add_string_value (b, rx->date);
      json_builder_set_member_name (b, "pdf");
      json_builder_add_string_value (b, pdf_path);
      json_builder_set_member_name (b, "lines");
      json_builder_begin_array (b);
      for (guint i = 0; i < rx->lines->len; i++)
        {
          const CabPrescriptionLine *line = g_ptr_array_index (rx->lines, i);
          g_autofree char *label = cab_prescription_line_label (line);
          g_autofree char *dosage = cab_dosage_to_french (&line->dosage);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "cis");
          json_builder_add_string_value (b, line->medicine.cis);
          json_builder_set_member_name (b, "label");
          json_builder_add_string_value (b, label);
          json_builder_set_member_name (b, "dosage");
          json_builder_add_string_value (b, dosage);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      add_entry (b, "registration", data->result.registration_entry, data->registration);
      add_entry (b, "publication", data->result.publish_entry, data->publication);
      add_interactions (b, data);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      ctl_print_json (root);
      return;
    }

  printf ("Prescription %s written to %s\n", display, pdf_path);
  if (data->registration != NULL && data->registration->state == CAB_OUTBOX_STATE_DONE)
    printf ("Registered with the e-prescription service (entry %" G_GINT64_FORMAT ")\n",
            data->result.registration_entry);
  else if (data->registration != NULL && data->registration->state == CAB_OUTBOX_STATE_FAILED)
    {
      g_autofree char *last_error = cab_outbox_entry_dup_error (data->registration);

      printf ("Registration needs you: %s (cabinetctl outbox retry|cancel %" G_GINT64_FORMAT ")\n",
              last_error != NULL ? last_error : "", data->result.registration_entry);
    }
  else
    printf ("Queued: registration (entry %" G_GINT64_FORMAT ") will be sent when the health space "
            "is reachable\n", data->result.registration_entry);
}

static void
prescribe_data_clear (PrescribeData *data)
{
  g_clear_pointer (&data->patient, cab_patient_row_free);
  g_clear_pointer (&data->input, cab_prescription_free);
  g_clear_pointer (&data->registration, cab_outbox_entry_free);
  g_clear_pointer (&data->publication, cab_outbox_entry_free);
  g_clear_pointer (&data->interactions, cab_drug_interaction_report_free);
  cab_prescribe_result_clear (&data->result);
}

/* The prescriber's Practitioner is not in the store. Sync does not bring
 * it: the first prescription reads it from the health space and keeps it,
 * so every later one prints offline. The first one, offline, cannot name
 * its prescriber, which a prescription must: nothing is written, and the
 * message says what to do. Called after prescribe_data_clear(). */
static int
fail_no_prescriber (CtlContext          *ctx,
                    const PrescribeData *data,
                    const GError        *error)
{
  if (ctx->config->server_url == NULL)
    return ctl_fail (CTL_EXIT_CONFIG,
                     "the prescriber's identity is not in the local record yet (%s), and no health "
                     "space is configured to read it from: a prescription must name its prescriber "
                     "(name, RPPS). Give --server URL once: the identity is then kept in the local "
                     "record, and later prescriptions print offline", error->message);
  if (data->identity_unread)
    return ctl_fail (CTL_EXIT_NETWORK,
                     "the prescriber's identity is not in the local record yet (%s), and the health "
                     "space cannot be reached to read it: a prescription must name its prescriber "
                     "(name, RPPS), so nothing was written or queued. Run the same command once the "
                     "health space is reachable: the identity is then kept in the local record, and "
                     "later prescriptions print offline", error->message);
  return ctl_fail (CTL_EXIT_NOT_FOUND,
                   "%s, and the health space does not know it either (give --prescriber "
                   "Practitioner/ID of the practice's prescriber)", error->message);
}

int
ctl_prescribe_main (CtlContext  *ctx,
                    int          argc,
                    char       **argv)
{
  g_autoptr(CabOutbox) outbox = NULL;
  g_autoptr(CabErxService) service = cab_erx_fhir_service_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *ins = NULL;
  g_autofree char *contents = NULL;
  PrescribeData data = { 0 };
  CabOutboxDrainResult drained = { 0 };
  const char *from = NULL, *output = NULL, *positional = NULL, *renew_arg = NULL;
  g_autofree char *renew = NULL;
  gboolean no_send = FALSE, as_json = FALSE;
  gsize length = 0;
  int exit_code = CTL_EXIT_OK;

  for (int i = 1; i < argc; i++)
    {
      if (ctl_is_help (argv[i]))
        {
          fputs (prescribe_usage, stdout);
          return CTL_EXIT_OK;
        }
      if (g_str_equal (argv[i], "--from") && i + 1 < argc)
        from = argv[++i];
      else if ((g_str_equal (argv[i], "-o") || g_str_equal (argv[i], "--output")) && i + 1 < argc)
        output = argv[++i];
      else if (g_str_equal (argv[i], "--renew") && i + 1 < argc)
        renew_arg = argv[++i];
      else if (g_str_equal (argv[i], "--prescriber") && i + 1 < argc)
        data.prescriber = argv[++i];
      else if (g_str_equal (argv[i], "--json"))
        as_json = TRUE;
      else if (g_str_equal (argv[i], "--no-send"))
        no_send = TRUE;
      else if (argv[i][0] != '-' && positional == NULL)
        positional = argv[i];
      else
        return ctl_fail (CTL_EXIT_USAGE, "unexpected argument '%s' (see cabinetctl prescribe --help)", argv[i]);
    }
  if (positional == NULL || (from == NULL && renew_arg == NULL) || output == NULL)
    {
      fputs (prescribe_usage, stderr);
      return CTL_EXIT_USAGE;
    }
  if (renew_arg != NULL && (renew = cab_prescription_id_normalize (renew_arg)) == NULL)
    return ctl_fail (CTL_EXIT_USAGE, "--renew takes a prescription identifier (21 characters, "
                     "its check character included)");
  if (data.prescriber != NULL && !g_str_has_prefix (data.prescriber, "Practitioner/"))
    return ctl_fail (CTL_EXIT_USAGE, "--prescriber takes Practitioner/ID");
  if (!(ins = ctl_parse_ins (positional, &exit_code)))
    return exit_code;

  /* The file first: a typo in it is reported before anything is opened. */
  if (from != NULL)
    {
      if (!g_file_get_contents (from, &contents, &length, &error))
        return ctl_fail (CTL_EXIT_USAGE, "cannot read %s: %s", from, error->message);
      if (length > MAX_FILE_SIZE)
        return ctl_fail (CTL_EXIT_DATA, "%s: too large to be a prescription", from);
      data.input = cab_prescription_from_json (contents, (gssize) length, &error);
      if (data.input == NULL)
        return ctl_fail (CTL_EXIT_DATA, "%s: %s", from, error->message);
    }

  data.ins = ins;
  data.service = service;
  data.organization = ctx->config->practice;
  data.pending = no_send || ctx->config->server_url == NULL;
  if (!(outbox = ctl_outbox_new (ctx, !no_send, &exit_code)))
    {
      prescribe_data_clear (&data);
      return exit_code;
    }
  data.outbox = outbox;
  data.store = cab_outbox_get_store (outbox);

  if (!(data.patient = ctl_find_patient (data.store, data.ins, &exit_code)))
    {
      prescribe_data_clear (&data);
      return exit_code;
    }
  if (g_strcmp0 (data.patient->patient.identity_status, "QUAL") != 0)
    fprintf (stderr, "cabinetctl: warning: the patient's identity is not qualified (%s): "
             "the prescription is registered without the INS\n",
             data.patient->patient.identity_status != NULL ? data.patient->patient.identity_status
                                                            : "no status");

  if (renew != NULL)
    {
      RenewData renew_data = { &data, renew };

      if (!ctl_run_in_thread (renew_thread, &renew_data, &error))
        {
          prescribe_data_clear (&data);
          if (g_error_matches (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND))
            return ctl_fail (CTL_EXIT_NOT_FOUND, "this patient has no prescription %s in the local record",
                             renew_arg);
          if (error->domain == CAB_PRESCRIPTION_ERROR)
            return ctl_fail (CTL_EXIT_DATA, "prescription %s: %s", renew_arg, error->message);
          return ctl_fail_error (error, "cannot read the prescription");
        }
    }

  fetch_identity (ctx, &data);

  if (!ctl_run_in_thread (prescribe_thread, &data, &error))
    {
      prescribe_data_clear (&data);
      if (error->domain == CAB_PRESCRIPTION_ERROR)
        return ctl_fail (CTL_EXIT_DATA, "prescription refused: %s", error->message);
      if (g_error_matches (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND))
        return fail_no_prescriber (ctx, &data, error);
      return ctl_fail_error (error, "cannot write the prescription");
    }

  ctl_run_in_thread (interactions_thread, &data, NULL);
  warn_interactions (&data);

  /* Printing never waits for the network: the PDF is written before any send. */
  if (!g_file_set_contents_full (output, g_bytes_get_data (data.result.pdf, NULL),
                                 g_bytes_get_size (data.result.pdf), G_FILE_SET_CONTENTS_CONSISTENT,
                                 0600, &error))
    {
      g_autofree char *display = cab_prescription_id_format (data.result.prescription->id);

      prescribe_data_clear (&data);
      return ctl_fail (CTL_EXIT_DATA, "prescription %s is queued, but the PDF cannot be written: %s "
                       "(its copy is in the patient's timeline)", display, error->message);
    }

  if (!no_send && ctx->config->server_url != NULL)
    {
      /* Quick to tell the server is away: the backoff level is kept for later. */
      cab_outbox_set_backoff (outbox, 250, 5 * 60 * 1000);
      if (!ctl_outbox_drain (outbox, &drained, &exit_code))
        {
          prescribe_data_clear (&data);
          return exit_code;
        }
    }
  if (!ctl_run_in_thread (get_entries_thread, &data, &error))
    {
      prescribe_data_clear (&data);
      return ctl_fail_error (error, "cannot read the outbox");
    }

  /* Printed as if online, but the service could not be reached: the copy
   * says it will be registered (the one queued for the DMP goes later, when
   * the registration does). */
  if (!data.pending && drained.offline && data.registration->state != CAB_OUTBOX_STATE_DONE)
    {
      g_autoptr(GBytes) pending_pdf = cab_prescribe_result_render (&data.result, TRUE, &error);

      if (pending_pdf == NULL ||
          !g_file_set_contents_full (output, g_bytes_get_data (pending_pdf, NULL), g_bytes_get_size (pending_pdf),
                                     G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
        g_debug ("Cannot mark the printed copy as not registered yet: %s", error->message);
    }

  print_result (&data, output, as_json);
  prescribe_data_clear (&data);
  return CTL_EXIT_OK;
}
