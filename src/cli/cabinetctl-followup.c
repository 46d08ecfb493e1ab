/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cabinetctl followup list|record: the nurse's worklist as the app computes
 * it (cab-followup-queries.h), and recording a measure through the outbox
 * (cab-followup-record.h). docs/cabinetctl.md, "Follow-up". */
#define G_LOG_DOMAIN "cabinetctl"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cab-followup-queries.h"
#include "cab-followup-record.h"
#include "cab-followup-rules.h"
#include "cabinetctl-outbox.h"

static const char usage_text[] =
  "Usage: cabinetctl followup list [--today YYYY-MM-DD] [--condition PREFIX]\n"
  "                                [--state never|overdue|due|ok] [--json] [--rules FILE]\n"
  "       cabinetctl followup record INS --measure bp|weight|foot --value VALUE\n"
  "                                [--date YYYY-MM-DD] [--no-send] [--rules FILE]\n"
  "\n"
  "  list     one line (or JSON object) per patient and measure of the follow-up\n"
  "           rules, most urgent first; --condition E11, I10 or N18 (the rules'\n"
  "           prefixes); --today makes the answer reproducible\n"
  "  record   queues a measure: VALUE is 135/85 (bp, mmHg), 72.5 (weight, kg)\n"
  "           or a grade 0-3 (foot); sent at once unless --no-send\n";

/* --------------------------------------------------------------- rules */

typedef struct
{
  const char       *path;
  CabFollowupRules *rules;   /* out */
} RulesData;

static gboolean
load_rules_thread (gpointer   user_data,
                   GError   **error)
{
  RulesData *data = user_data;

  data->rules = data->path != NULL ? cab_followup_rules_new_from_file (data->path, error)
                                   : cab_followup_rules_new_default (error);
  return data->rules != NULL;
}

static CabFollowupRules *
load_rules (const char *path,
            int        *exit_code)
{
  g_autoptr(GError) error = NULL;
  RulesData data = { path, NULL };

  if (!ctl_run_in_thread (load_rules_thread, &data, &error))
    {
      *exit_code = ctl_fail (g_error_matches (error, CAB_FOLLOWUP_RULES_ERROR, CAB_FOLLOWUP_RULES_ERROR_READ)
                             ? CTL_EXIT_USAGE : CTL_EXIT_DATA, "%s", error->message);
      return NULL;
    }
  return data.rules;
}

/* ---------------------------------------------------------------- list */

static void
add_string_or_null (JsonBuilder *b,
                    const char  *member,
                    const char  *value)
{
  json_builder_set_member_name (b, member);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
print_list (GPtrArray *patients,
            gboolean   json)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (b);
  for (guint i = 0; i < patients->len; i++)
    {
      CabFollowupPatient *patient = g_ptr_array_index (patients, i);
      const CabPatientRow *row = cab_followup_patient_get_row (patient);
      GListModel *measures = cab_followup_patient_get_measures (patient);

      for (guint m = 0; m < g_list_model_get_n_items (measures); m++)
        {
          g_autoptr(CabFollowupStatus) s = g_list_model_get_item (measures, m);
          const char *state = cab_followup_state_to_string (cab_followup_status_get_state (s));

          if (!json)
            {
              printf ("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s%s\n",
                      row->patient.ins != NULL ? row->patient.ins : "-", row->id,
                      cab_followup_status_get_condition (s), cab_followup_status_get_measure_id (s),
                      state,
                      cab_followup_status_get_last_date (s) != NULL ? cab_followup_status_get_last_date (s) : "-",
                      cab_followup_status_get_last_value_text (s) != NULL
                        ? cab_followup_status_get_last_value_text (s) : "-",
                      *cab_followup_status_get_unit (s) != '\0' ? cab_followup_status_get_unit (s) : "-",
                      cab_followup_status_get_due_date (s) != NULL ? cab_followup_status_get_due_date (s) : "-",
                      cab_followup_status_get_loinc (s),
                      cab_followup_status_get_out_of_target (s) ? "\tout of target" : "");
              continue;
            }

          json_builder_begin_object (b);
          add_string_or_null (b, "ins", row->patient.ins);
          add_string_or_null (b, "patient_id", row->id);
          add_string_or_null (b, "condition", cab_followup_status_get_condition (s));
          add_string_or_null (b, "measure", cab_followup_status_get_measure_id (s));
          add_string_or_null (b, "loinc", cab_followup_status_get_loinc (s));
          add_string_or_null (b, "last_date", cab_followup_status_get_last_date (s));
          add_string_or_null (b, "last_value", cab_followup_status_get_last_value_text (s));
          add_string_or_null (b, "unit", cab_followup_status_get_unit (s));
          add_string_or_null (b, "due_date", cab_followup_status_get_due_date (s));
          add_string_or_null (b, "state", state);
          json_builder_set_member_name (b, "out_of_target");
          json_builder_add_boolean_value (b, cab_followup_status_get_out_of_target (s));
          json_builder_end_object (b);
        }
    }
  json_builder_end_array (b);
  if (json)
    {
      root = json_builder_get_root (b);
      ctl_print_json (root);
    }
}

static int
list_main (CtlContext  *ctx,
           int          argc,
           char       **argv)
{
  g_autoptr(CabFollowupRules) rules = NULL;
  g_autoptr(GPtrArray) worklist = NULL;
  g_autoptr(GPtrArray) kept = NULL;
  g_autoptr(GError) error = NULL;
  const char *today = NULL, *condition = NULL, *rules_path = NULL;
  CabFollowupFilter filter = { NULL, CAB_FOLLOWUP_STATES_ALL, NULL, NULL };
  gboolean json = FALSE;
  CabStore *store;
  CtlWait wait;
  int exit_code = CTL_EXIT_OK;

  for (int i = 1; i < argc; i++)
    {
      const char *value = i + 1 < argc ? argv[i + 1] : NULL;

      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (ctl_is_help (argv[i]))
        {
          fputs (usage_text, stdout);
          return CTL_EXIT_OK;
        }
      else if (g_str_equal (argv[i], "--today") || g_str_equal (argv[i], "--condition") ||
               g_str_equal (argv[i], "--state") || g_str_equal (argv[i], "--rules"))
        {
          if (value == NULL)
            return ctl_fail (CTL_EXIT_USAGE, "followup list: %s needs a value", argv[i]);
          i++;
          if (g_str_equal (argv[i - 1], "--today"))
            today = value;
          else if (g_str_equal (argv[i - 1], "--condition"))
            condition = value;
          else if (g_str_equal (argv[i - 1], "--rules"))
            rules_path = value;
          else
            {
              int state = cab_followup_state_from_string (value);

              if (state < 0)
                return ctl_fail (CTL_EXIT_USAGE, "followup list: unknown state '%s' "
                                 "(never, overdue, due, ok)", value);
              filter.states = 1u << state;
            }
        }
      else
        return ctl_fail (CTL_EXIT_USAGE, "followup list: unexpected argument '%s' "
                         "(see cabinetctl followup --help)", argv[i]);
    }

  if (today != NULL && (strlen (today) != 10 || cab_followup_parse_day (today, NULL) == 0))
    return ctl_fail (CTL_EXIT_USAGE, "followup list: --today must be a date written YYYY-MM-DD");
  if (!(rules = load_rules (rules_path, &exit_code)))
    return exit_code;
  if (condition != NULL)
    {
      gboolean known = FALSE;

      for (guint i = 0; i < cab_followup_rules_get_n_conditions (rules); i++)
        known |= g_ascii_strcasecmp (cab_followup_rules_get_condition (rules, i)->prefix, condition) == 0;
      if (!known)
        return ctl_fail (CTL_EXIT_USAGE, "followup list: '%s' is not a condition of the rules", condition);
      filter.condition = condition;
    }
  if (!(store = ctl_get_store (ctx, &exit_code)))
    return exit_code;

  /* The query the app's worklist runs, on core's reader pool. */
  ctl_wait_init (&wait);
  cab_followup_query_worklist_async (store, rules, today, NULL, ctl_async_cb, &wait);
  worklist = cab_followup_query_worklist_finish (ctl_wait (&wait), &error);
  ctl_wait_clear (&wait);
  if (worklist == NULL)
    return ctl_fail_error (error, "cannot compute the follow-up worklist");

  kept = cab_followup_filter_worklist (rules, worklist, &filter);
  print_list (kept, json);
  return CTL_EXIT_OK;
}

/* -------------------------------------------------------------- record */

typedef struct
{
  CabOutbox                *outbox;
  CabStore                 *store;
  const char               *ins;
  const CabFollowupMeasure *measure;
  double                    value;
  double                    diastolic;
  const char               *date;
  CabPatientRow            *patient;   /* out */
  gint64                    entry_id;  /* out */
  CabOutboxEntry           *entry;     /* out, after the drain */
} RecordData;

static gboolean
record_thread (gpointer   user_data,
               GError   **error)
{
  RecordData *data = user_data;

  return cab_followup_record (data->outbox, data->measure, data->patient->id, data->value,
                              data->diastolic, data->date, data->patient->patient.gp_reference,
                              &data->entry_id, error);
}

static gboolean
get_entry_thread (gpointer   user_data,
                  GError   **error)
{
  RecordData *data = user_data;

  data->entry = cab_store_outbox_get (data->store, data->entry_id, error);
  return data->entry != NULL;
}

static int
record_main (CtlContext  *ctx,
             int          argc,
             char       **argv)
{
  g_autoptr(CabFollowupRules) rules = NULL;
  g_autoptr(CabOutbox) outbox = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ins = NULL;
  const char *ins_arg = NULL, *measure_id = NULL, *value_text = NULL, *rules_path = NULL;
  RecordData data = { 0 };
  CabOutboxDrainResult result = { 0 };
  gboolean no_send = FALSE;
  int exit_code = CTL_EXIT_OK;
  g_autofree char *last_error = NULL;

  for (int i = 1; i < argc; i++)
    {
      const char *value = i + 1 < argc ? argv[i + 1] : NULL;

      if (ctl_is_help (argv[i]))
        {
          fputs (usage_text, stdout);
          return CTL_EXIT_OK;
        }
      if (g_str_equal (argv[i], "--no-send"))
        no_send = TRUE;
      else if (g_str_equal (argv[i], "--measure") || g_str_equal (argv[i], "--value") ||
               g_str_equal (argv[i], "--date") || g_str_equal (argv[i], "--rules"))
        {
          if (value == NULL)
            return ctl_fail (CTL_EXIT_USAGE, "followup record: %s needs a value", argv[i]);
          i++;
          if (g_str_equal (argv[i - 1], "--measure"))
            measure_id = value;
          else if (g_str_equal (argv[i - 1], "--value"))
            value_text = value;
          else if (g_str_equal (argv[i - 1], "--date"))
            data.date = value;
          else
            rules_path = value;
        }
      else if (argv[i][0] != '-' && ins_arg == NULL)
        ins_arg = argv[i];
      else
        return ctl_fail (CTL_EXIT_USAGE, "followup record: unexpected argument '%s' "
                         "(see cabinetctl followup --help)", argv[i]);
    }
  if (ins_arg == NULL || measure_id == NULL || value_text == NULL)
    return ctl_fail (CTL_EXIT_USAGE, "followup record needs INS, --measure and --value "
                     "(see cabinetctl followup --help)");
  if (!(ins = ctl_parse_ins (ins_arg, &exit_code)))
    return exit_code;
  data.ins = ins;

  if (!(rules = load_rules (rules_path, &exit_code)))
    return exit_code;
  data.measure = cab_followup_rules_lookup_measure (rules, measure_id);
  if (data.measure == NULL)
    return ctl_fail (CTL_EXIT_USAGE, "followup record: unknown measure '%s' (bp, weight, foot)", measure_id);
  if (!cab_followup_parse_value (data.measure, value_text, &data.value, &data.diastolic, &error))
    return ctl_fail (CTL_EXIT_USAGE, "followup record: %s", error->message);

  if (!(outbox = ctl_outbox_new (ctx, !no_send, &exit_code)))
    return exit_code;
  data.outbox = outbox;
  data.store = cab_outbox_get_store (outbox);

  if (!(data.patient = ctl_find_patient (data.store, data.ins, &exit_code)))
    return exit_code;
  if (!ctl_run_in_thread (record_thread, &data, &error))
    {
      cab_patient_row_free (data.patient);
      if (error->domain == CAB_FOLLOWUP_ERROR)
        return ctl_fail (CTL_EXIT_USAGE, "followup record: %s", error->message);
      return ctl_fail_error (error, "cannot queue the measure");
    }
  g_clear_pointer (&data.patient, cab_patient_row_free);

  if (no_send || ctx->config->server_url == NULL)
    {
      printf ("Queued: entry %" G_GINT64_FORMAT " will be sent when the health space is reachable\n",
              data.entry_id);
      return CTL_EXIT_OK;
    }

  /* Quick to tell the server is away: the backoff level is kept for later. */
  cab_outbox_set_backoff (outbox, 250, 5 * 60 * 1000);
  if (!ctl_outbox_drain (outbox, &result, &exit_code) ||
      !ctl_run_in_thread (get_entry_thread, &data, &error))
    {
      if (error != NULL)
        return ctl_fail_error (error, "cannot read the outbox");
      return exit_code;
    }
  switch (data.entry->state)
    {
    case CAB_OUTBOX_STATE_DONE:
      printf ("Recorded: Observation/%s (entry %" G_GINT64_FORMAT ")\n", data.entry->server_id, data.entry_id);
      break;
    case CAB_OUTBOX_STATE_FAILED:
    case CAB_OUTBOX_STATE_CONFLICT:
      last_error = cab_outbox_entry_dup_error (data.entry);
      exit_code = ctl_fail (CTL_EXIT_DATA, "entry %" G_GINT64_FORMAT " needs you: %s "
                            "(cabinetctl outbox retry|cancel %" G_GINT64_FORMAT ")",
                            data.entry_id, last_error != NULL ? last_error : "",
                            data.entry_id);
      break;
    default:
      printf ("Queued: entry %" G_GINT64_FORMAT " will be sent when the health space is reachable\n",
              data.entry_id);
      break;
    }
  cab_outbox_entry_free (data.entry);
  return exit_code;
}

int
ctl_followup_main (CtlContext  *ctx,
                   int          argc,
                   char       **argv)
{
  if (argc < 2 || ctl_is_help (argv[1]))
    {
      fputs (usage_text, argc < 2 ? stderr : stdout);
      return argc < 2 ? CTL_EXIT_USAGE : CTL_EXIT_OK;
    }
  if (g_str_equal (argv[1], "list"))
    return list_main (ctx, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "record"))
    return record_main (ctx, argc - 1, argv + 1);
  return ctl_fail (CTL_EXIT_USAGE, "followup: unknown command '%s' (list, record)", argv[1]);
}
