/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cabinetctl publish INS FILE.pdf --type LOINC --title TEXT [--hold]: queue a
 * PDF for the patient's DMP (with its local copy in the timeline at once),
 * then send it if the health space is reachable. */
#define G_LOG_DOMAIN "cabinetctl"

#include <stdio.h>
#include <string.h>

#include "cabinetctl-outbox.h"

static const char publish_usage[] =
  "Usage: cabinetctl publish INS FILE.pdf --type LOINC [--title TEXT] [--hold] [--no-send]\n"
  "\n"
  "  --type LOINC   the document type, one of:\n"
  "%s"
  "  --title TEXT   the title shown in the DMP (default: the type's name)\n"
  "  --hold         keep it back: queued, not sent until released (outbox release ID)\n"
  "  --no-send      queue only; cabinetctl outbox drain sends it\n";

typedef struct
{
  CabOutbox     *outbox;
  CabStore      *store;
  const char    *ins;
  const char    *path;
  const char    *type_code;
  const char    *title;
  gboolean       hold;
  CabPatientRow *patient;    /* out */
  gint64         entry_id;   /* out */
  CabOutboxEntry *entry;     /* out, after the drain */
} PublishData;

static gboolean
enqueue_thread (gpointer   user_data,
                GError   **error)
{
  PublishData *data = user_data;

  return cab_outbox_publish_document (data->outbox, data->patient->id, data->path, data->type_code,
                                      data->title, data->hold, &data->entry_id, error);
}

static gboolean
get_entry_thread (gpointer   user_data,
                  GError   **error)
{
  PublishData *data = user_data;

  data->entry = cab_store_outbox_get (data->store, data->entry_id, error);
  return data->entry != NULL;
}

static void
print_usage (FILE *out)
{
  g_autoptr(GString) types = g_string_new (NULL);

  for (const CabDocumentType *t = cab_document_types (); t->code != NULL; t++)
    g_string_append_printf (types, "                   %s  %s\n", t->code, t->display);
  fprintf (out, publish_usage, types->str);
}

int
ctl_publish_main (CtlContext  *ctx,
                  int          argc,
                  char       **argv)
{
  g_autoptr(CabOutbox) outbox = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ins = NULL;
  g_autofree char *last_error = NULL;
  PublishData data = { 0 };
  CabOutboxDrainResult result = { 0 };
  gboolean no_send = FALSE;
  const char *positional[2] = { NULL, NULL };
  guint n_positional = 0;
  int exit_code = CTL_EXIT_OK;

  for (int i = 1; i < argc; i++)
    {
      if (ctl_is_help (argv[i]))
        {
          print_usage (stdout);
          return CTL_EXIT_OK;
        }
      if (g_str_equal (argv[i], "--type") && i + 1 < argc)
        data.type_code = argv[++i];
      else if (g_str_equal (argv[i], "--title") && i + 1 < argc)
        data.title = argv[++i];
      else if (g_str_equal (argv[i], "--hold"))
        data.hold = TRUE;
      else if (g_str_equal (argv[i], "--no-send"))
        no_send = TRUE;
      else if (argv[i][0] != '-' && n_positional < 2)
        positional[n_positional++] = argv[i];
      else
        return ctl_fail (CTL_EXIT_USAGE, "unexpected argument '%s' (see cabinetctl publish --help)", argv[i]);
    }
  if (n_positional != 2)
    {
      print_usage (stderr);
      return CTL_EXIT_USAGE;
    }
  if (data.type_code == NULL)
    return ctl_fail (CTL_EXIT_USAGE, "publish needs --type LOINC (see cabinetctl publish --help)");
  if (cab_document_type_lookup (data.type_code) == NULL)
    return ctl_fail (CTL_EXIT_USAGE, "'%s' is not a document type that can be published "
                     "(see cabinetctl publish --help)", data.type_code);

  if (!(ins = ctl_parse_ins (positional[0], &exit_code)))
    return exit_code;
  data.ins = ins;
  data.path = positional[1];

  if (!(outbox = ctl_outbox_new (ctx, !no_send, &exit_code)))
    return exit_code;
  data.outbox = outbox;
  data.store = cab_outbox_get_store (outbox);

  if (!(data.patient = ctl_find_patient (data.store, data.ins, &exit_code)))
    return exit_code;
  if (g_strcmp0 (data.patient->patient.identity_status, "QUAL") != 0)
    fprintf (stderr, "cabinetctl: warning: the patient's identity is not qualified (%s): "
             "the document is filed without a qualified INS\n",
             data.patient->patient.identity_status != NULL ? data.patient->patient.identity_status
                                                            : "no status");

  if (!ctl_run_in_thread (enqueue_thread, &data, &error))
    {
      cab_patient_row_free (data.patient);
      if (g_error_matches (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_NOT_PDF) ||
          g_error_matches (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_BAD_TYPE))
        return ctl_fail (CTL_EXIT_USAGE, "%s: %s", data.path, error->message);
      if (g_error_matches (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_FILE))
        return ctl_fail (CTL_EXIT_DATA, "%s", error->message);
      return ctl_fail_error (error, "cannot queue the document");
    }
  g_clear_pointer (&data.patient, cab_patient_row_free);

  if (data.hold)
    {
      printf ("Held: entry %" G_GINT64_FORMAT " will be sent once released "
              "(cabinetctl outbox release %" G_GINT64_FORMAT ")\n", data.entry_id, data.entry_id);
      return CTL_EXIT_OK;
    }
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
      printf ("Published: DocumentReference/%s (entry %" G_GINT64_FORMAT ")\n",
              data.entry->server_id, data.entry_id);
      break;
    case CAB_OUTBOX_STATE_FAILED:
    case CAB_OUTBOX_STATE_CONFLICT:
      last_error = cab_outbox_entry_dup_error (data.entry);
      exit_code = ctl_fail (CTL_EXIT_DATA, "entry %" G_GINT64_FORMAT " needs you: %s "
                            "(cabinetctl outbox retry|edit|cancel %" G_GINT64_FORMAT ")",
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
