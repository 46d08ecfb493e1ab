/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cabinetctl drugs import|status|search|interactions, and cabinetctl
 * interactions import: the drug database (docs/cabinetctl.md). */
#define G_LOG_DOMAIN "cabinetctl"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cab-drug-db.h"
#include "cab-drug-import.h"
#include "cab-drug-interactions.h"
#include "cabinetctl-private.h"

#define DRUGS_USAGE \
  "Usage: cabinetctl drugs import DIR [--json]\n" \
  "       cabinetctl drugs status [--json]\n" \
  "       cabinetctl drugs search TEXT [--limit N] [--json]\n" \
  "       cabinetctl drugs interactions CIS CIS... [--patient INS] [--json]\n"

/* Files and the drug database: a missing file or a bad release is data,
 * never the network (the generic mapping's G_IO_ERROR). */
static int
drugs_fail (const GError *error,
            const char   *what)
{
  int code = CTL_EXIT_DATA;

  if (g_error_matches (error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_NOT_FOUND))
    code = CTL_EXIT_NOT_FOUND;
  else if (error->domain != CAB_DRUG_ERROR && error->domain != G_IO_ERROR &&
           error->domain != G_FILE_ERROR)
    code = ctl_exit_code_for_error (error);
  return ctl_fail (code, "%s: %s", what, error->message);
}

/* ------------------------------------------------------------- import */

typedef struct
{
  CabStore            *store;
  const char          *dir;
  gboolean             thesaurus;
  CabDrugImportReport *report;
} ImportData;

static gboolean
import_thread (gpointer   user_data,
               GError   **error)
{
  ImportData *data = user_data;

  data->report = data->thesaurus ? cab_drug_import_thesaurus (data->store, data->dir, error)
                                 : cab_drug_import_bdpm (data->store, data->dir, error);
  return data->report != NULL;
}

static int
run_import (CtlContext  *ctx,
            const char  *dir,
            gboolean     thesaurus,
            gboolean     json)
{
  g_autoptr(GError) error = NULL;
  ImportData data = { 0 };
  int exit_code = CTL_EXIT_OK;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return ctl_fail (CTL_EXIT_USAGE, "%s is not a directory", dir);
  data.store = ctl_get_store (ctx, &exit_code);
  if (data.store == NULL)
    return exit_code;
  data.dir = dir;
  data.thesaurus = thesaurus;
  if (!ctl_run_in_thread (import_thread, &data, &error))
    return drugs_fail (error, thesaurus ? "cannot import the interaction thesaurus"
                                        : "cannot import the BDPM release");

  if (json)
    {
      g_autofree char *text = cab_drug_import_report_to_json (data.report);
      g_autoptr(JsonNode) root = json_from_string (text, NULL);
      JsonObject *object = json_node_get_object (root);

      json_object_set_int_member (object, "linked_substances", data.report->n_linked);
      json_object_set_int_member (object, "unlinked_substances", data.report->n_unlinked);
      ctl_print_json (root);
    }
  else
    {
      for (guint i = 0; i < data.report->files->len; i++)
        {
          const CabDrugFileReport *f = g_ptr_array_index (data.report->files, i);

          printf ("%-32s %-13s %-6s %6u lines, %6u imported, %u malformed\n",
                  f->file, f->encoding, f->line_ends, f->n_lines, f->n_imported, f->n_malformed);
        }
      for (guint i = 0; i < data.report->malformed->len; i++)
        {
          const CabDrugMalformedLine *m = g_ptr_array_index (data.report->malformed, i);

          printf ("malformed: %s:%u: %s\n", m->file, m->line, m->reason);
        }
      if (data.report->n_malformed > data.report->malformed->len)
        printf ("malformed: %u more not listed\n", data.report->n_malformed - data.report->malformed->len);
      printf ("substances linked to the thesaurus: %u, not linked: %u\n",
              data.report->n_linked, data.report->n_unlinked);
    }
  cab_drug_import_report_free (data.report);
  return CTL_EXIT_OK;
}

/* ------------------------------------------------------------- status */

typedef struct
{
  CabStore        *store;
  CabDrugDbStatus *status;
} StatusData;

static gboolean
status_thread (gpointer   user_data,
               GError   **error)
{
  StatusData *data = user_data;

  data->status = cab_drug_db_get_status (data->store, error);
  return data->status != NULL;
}

static JsonNode *
strings_to_json (GPtrArray *strings)
{
  JsonArray *array = json_array_sized_new (strings->len);
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; i < strings->len; i++)
    json_array_add_string_element (array, g_ptr_array_index (strings, i));
  json_node_take_array (node, array);
  return node;
}

static int
run_status (CtlContext *ctx,
            gboolean    json)
{
  g_autoptr(GError) error = NULL;
  StatusData data = { 0 };
  int exit_code = CTL_EXIT_OK;
  CabDrugDbStatus *s;

  data.store = ctl_get_store (ctx, &exit_code);
  if (data.store == NULL)
    return exit_code;
  if (!ctl_run_in_thread (status_thread, &data, &error))
    return drugs_fail (error, "cannot read the drug database");
  s = data.status;

  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
      JsonObject *object = json_object_new ();
      JsonObject *links = json_object_new ();

      if (s->has_bdpm)
        {
          JsonObject *bdpm = json_object_new ();

          json_object_set_string_member (bdpm, "imported_at", s->bdpm_imported_at);
          json_object_set_string_member (bdpm, "source", s->bdpm_source);
          json_object_set_int_member (bdpm, "medicines", s->n_drugs);
          json_object_set_int_member (bdpm, "commercialised", s->n_commercialised);
          json_object_set_int_member (bdpm, "presentations", s->n_presentations);
          json_object_set_int_member (bdpm, "compositions", s->n_compositions);
          json_object_set_int_member (bdpm, "generic_rows", s->n_generic_rows);
          json_object_set_int_member (bdpm, "prescribing_conditions", s->n_conditions);
          json_object_set_object_member (object, "bdpm", bdpm);
        }
      else
        json_object_set_null_member (object, "bdpm");
      if (s->has_thesaurus)
        {
          JsonObject *thesaurus = json_object_new ();

          json_object_set_string_member (thesaurus, "imported_at", s->thesaurus_imported_at);
          json_object_set_string_member (thesaurus, "source", s->thesaurus_source);
          json_object_set_int_member (thesaurus, "interactions", s->n_interactions);
          json_object_set_int_member (thesaurus, "substances", s->n_thesaurus_substances);
          json_object_set_int_member (thesaurus, "classes", s->n_thesaurus_classes);
          json_object_set_object_member (object, "thesaurus", thesaurus);
        }
      else
        json_object_set_null_member (object, "thesaurus");
      json_object_set_int_member (links, "linked_substances", s->n_linked_substances);
      json_object_set_member (links, "unlinked_thesaurus_substances", strings_to_json (s->unlinked_thesaurus));
      json_object_set_member (links, "unlinked_bdpm_substances", strings_to_json (s->unlinked_bdpm));
      json_object_set_object_member (object, "links", links);
      json_node_take_object (root, object);
      ctl_print_json (root);
    }
  else
    {
      if (s->has_bdpm)
        printf ("BDPM: imported %s from %s\n"
                "  %u medicines (%u commercialised), %u presentations, %u composition lines,\n"
                "  %u generic group rows, %u prescribing conditions\n",
                s->bdpm_imported_at, s->bdpm_source, s->n_drugs, s->n_commercialised,
                s->n_presentations, s->n_compositions, s->n_generic_rows, s->n_conditions);
      else
        puts ("BDPM: not imported (cabinetctl drugs import DIR)");
      if (s->has_thesaurus)
        printf ("Interaction thesaurus: imported %s from %s\n"
                "  %u interactions, %u substances, %u classes\n",
                s->thesaurus_imported_at, s->thesaurus_source, s->n_interactions,
                s->n_thesaurus_substances, s->n_thesaurus_classes);
      else
        puts ("Interaction thesaurus: not imported (cabinetctl interactions import DIR)");
      if (s->has_bdpm && s->has_thesaurus)
        {
          printf ("BDPM substances linked to the thesaurus: %u\n", s->n_linked_substances);
          printf ("Thesaurus substances no BDPM substance links to: %u\n", s->unlinked_thesaurus->len);
          for (guint i = 0; i < s->unlinked_thesaurus->len; i++)
            printf ("  %s\n", (const char *) g_ptr_array_index (s->unlinked_thesaurus, i));
          printf ("Active substances of commercialised medicines not in the thesaurus: %u"
                  " (listed with --json)\n", s->unlinked_bdpm->len);
        }
    }
  cab_drug_db_status_free (s);
  return CTL_EXIT_OK;
}

/* ------------------------------------------------------------- search */

typedef struct
{
  CabStore   *store;
  const char *text;
  guint       limit;
  GPtrArray  *results;
} SearchData;

static gboolean
search_thread (gpointer   user_data,
               GError   **error)
{
  SearchData *data = user_data;

  data->results = cab_drug_db_search (data->store, data->text, data->limit, error);
  return data->results != NULL;
}

static JsonNode *
drug_to_json (const CabDrug *drug)
{
  JsonObject *object = json_object_new ();
  JsonArray *routes = json_array_new ();
  JsonArray *substances = json_array_new ();
  JsonArray *presentations = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (object, "cis", drug->cis);
  json_object_set_string_member (object, "name", drug->name);
  json_object_set_string_member (object, "form", drug->form);
  for (guint i = 0; drug->routes[i] != NULL; i++)
    json_array_add_string_element (routes, drug->routes[i]);
  json_object_set_array_member (object, "routes", routes);
  for (guint i = 0; i < drug->substances->len; i++)
    {
      const CabDrugSubstance *s = g_ptr_array_index (drug->substances, i);
      JsonObject *so;

      /* The active substances as prescribed (SA), not their moieties (FT). */
      if (g_strcmp0 (s->nature, "FT") == 0)
        continue;
      so = json_object_new ();
      json_object_set_string_member (so, "name", s->name);
      json_object_set_string_member (so, "strength", s->strength);
      json_array_add_object_element (substances, so);
    }
  json_object_set_array_member (object, "substances", substances);
  json_object_set_boolean_member (object, "commercialised", drug->commercialised);
  json_object_set_string_member (object, "generic_group", drug->generic_label);
  for (guint i = 0; i < drug->presentations->len; i++)
    {
      const CabDrugPresentation *p = g_ptr_array_index (drug->presentations, i);
      JsonObject *po = json_object_new ();

      json_object_set_string_member (po, "cip13", p->cip13);
      json_object_set_string_member (po, "label", p->label);
      json_object_set_string_member (po, "reimbursement_rate", p->reimbursement_rate);
      json_array_add_object_element (presentations, po);
    }
  json_object_set_array_member (object, "presentations", presentations);
  json_node_take_object (node, object);
  return node;
}

static int
run_search (CtlContext  *ctx,
            const char  *text,
            guint        limit,
            gboolean     json)
{
  g_autoptr(GError) error = NULL;
  SearchData data = { 0 };
  int exit_code = CTL_EXIT_OK;

  data.store = ctl_get_store (ctx, &exit_code);
  if (data.store == NULL)
    return exit_code;
  data.text = text;
  data.limit = limit;
  if (!ctl_run_in_thread (search_thread, &data, &error))
    return drugs_fail (error, "cannot search the drug database");

  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_sized_new (data.results->len);

      for (guint i = 0; i < data.results->len; i++)
        json_array_add_element (array, drug_to_json (g_ptr_array_index (data.results, i)));
      json_node_take_array (root, array);
      ctl_print_json (root);
    }
  else
    {
      for (guint i = 0; i < data.results->len; i++)
        {
          const CabDrug *drug = g_ptr_array_index (data.results, i);
          g_autofree char *dci = cab_drug_dup_dci (drug);
          const char *rate = NULL;

          for (guint j = 0; j < drug->presentations->len && rate == NULL; j++)
            rate = ((CabDrugPresentation *) g_ptr_array_index (drug->presentations, j))->reimbursement_rate;
          printf ("%s  %s%s\n", drug->cis, drug->name, drug->commercialised ? "" : "  (not commercialised)");
          printf ("          %s; %s; reimbursed %s%s%s\n", dci, drug->form ? drug->form : "—",
                  rate ? rate : "no",
                  drug->generic_label ? "; generic group: " : "",
                  drug->generic_label ? drug->generic_label : "");
        }
    }
  g_ptr_array_unref (data.results);
  return CTL_EXIT_OK;
}

/* ------------------------------------------------------- interactions */

typedef struct
{
  CabStore                 *store;
  GStrv                     cis;
  const char               *ins;
  char                     *patient_id;
  CabDrugInteractionReport *report;
} InteractionsData;

static gboolean
interactions_thread (gpointer   user_data,
                     GError   **error)
{
  InteractionsData *data = user_data;

  if (data->ins != NULL)
    {
      g_autoptr(CabPatientRow) row = cab_store_find_patient_by_ins (data->store, data->ins, error);

      if (row == NULL)
        return FALSE;
      data->patient_id = g_strdup (row->id);
    }
  data->report = cab_drug_check_interactions (data->store, (const char * const *) data->cis,
                                              data->patient_id, error);
  return data->report != NULL;
}

static int
run_interactions (CtlContext  *ctx,
                  GPtrArray   *cis,
                  const char  *ins_arg,
                  gboolean     json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ins = NULL;
  InteractionsData data = { 0 };
  int exit_code = CTL_EXIT_OK;
  CabDrugInteractionReport *r;

  for (guint i = 0; i < cis->len; i++)
    if (!cab_drug_cis_is_valid (g_ptr_array_index (cis, i)))
      return ctl_fail (CTL_EXIT_USAGE, "drugs interactions: argument %u is not a CIS (8 digits)", i + 1);
  if (ins_arg != NULL && !(ins = ctl_parse_ins (ins_arg, &exit_code)))
    return exit_code;

  data.store = ctl_get_store (ctx, &exit_code);
  if (data.store == NULL)
    return exit_code;
  g_ptr_array_add (cis, NULL);
  data.cis = (GStrv) cis->pdata;
  data.ins = ins;
  if (!ctl_run_in_thread (interactions_thread, &data, &error))
    {
      g_free (data.patient_id);
      return drugs_fail (error, "cannot check the interactions");
    }
  r = data.report;

  for (guint i = 0; i < r->unchecked->len; i++)
    {
      const CabDrugUnchecked *u = g_ptr_array_index (r->unchecked, i);

      if (u->request_id != NULL)
        fprintf (stderr, "cabinetctl: current treatment %s not checked: %s\n", u->request_id, u->reason);
      else
        fprintf (stderr, "cabinetctl: %s not checked: %s\n", u->cis, u->reason);
    }

  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_sized_new (r->interactions->len);

      for (guint i = 0; i < r->interactions->len; i++)
        {
          const CabDrugInteraction *x = g_ptr_array_index (r->interactions, i);
          JsonObject *o = json_object_new ();
          g_auto(GStrv) levels = g_strsplit (x->levels, ",", -1);
          JsonArray *levels_array = json_array_new ();

          json_object_set_string_member (o, "level", cab_interaction_level_to_code (x->level));
          for (guint k = 0; levels[k] != NULL; k++)
            json_array_add_string_element (levels_array, levels[k]);
          json_object_set_array_member (o, "levels", levels_array);
          json_object_set_string_member (o, "cis_a", x->cis_a);
          json_object_set_string_member (o, "substance_a", x->substance_a);
          json_object_set_string_member (o, "thesaurus_a", x->protagonist_a);
          json_object_set_string_member (o, "cis_b", x->cis_b);
          json_object_set_string_member (o, "substance_b", x->substance_b);
          json_object_set_string_member (o, "thesaurus_b", x->protagonist_b);
          json_object_set_boolean_member (o, "current_treatment", x->b_is_current);
          json_object_set_string_member (o, "text", x->description);
          json_object_set_string_member (o, "mechanism", x->mechanism);
          json_object_set_string_member (o, "conduct", x->conduct);
          json_array_add_object_element (array, o);
        }
      json_node_take_array (root, array);
      ctl_print_json (root);
    }
  else
    {
      if (r->interactions->len == 0)
        puts ("No interaction in the thesaurus.");
      for (guint i = 0; i < r->interactions->len; i++)
        {
          const CabDrugInteraction *x = g_ptr_array_index (r->interactions, i);

          printf ("%s  %s (%s) + %s (%s%s)\n    %s\n",
                  cab_interaction_level_to_code (x->level),
                  x->substance_a, x->cis_a, x->substance_b, x->cis_b,
                  x->b_is_current ? ", current treatment" : "",
                  x->description ? x->description : "");
        }
    }
  cab_drug_interaction_report_free (r);
  g_free (data.patient_id);
  return CTL_EXIT_OK;
}

/* --------------------------------------------------------------- main */

int
ctl_drugs_main (CtlContext  *ctx,
                int          argc,
                char       **argv)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  gboolean json = FALSE;
  const char *patient = NULL;
  guint limit = 20;
  const char *sub;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (ctl_is_help (argv[i]))
        {
          fputs (DRUGS_USAGE, stdout);
          return CTL_EXIT_OK;
        }
      else if (g_str_equal (argv[i], "--limit") && i + 1 < argc)
        {
          guint64 value;

          if (!g_ascii_string_to_unsigned (argv[++i], 10, 1, 1000, &value, NULL))
            return ctl_fail (CTL_EXIT_USAGE, "drugs search: --limit takes a number from 1 to 1000");
          limit = (guint) value;
        }
      else if (g_str_equal (argv[i], "--patient") && i + 1 < argc)
        patient = argv[++i];
      else if (g_str_has_prefix (argv[i], "--"))
        return ctl_fail (CTL_EXIT_USAGE, "drugs: unknown option '%s'", argv[i]);
      else
        g_ptr_array_add (args, argv[i]);
    }

  if (args->len == 0)
    {
      fputs (DRUGS_USAGE, stderr);
      return CTL_EXIT_USAGE;
    }
  sub = g_ptr_array_index (args, 0);
  if (g_str_equal (sub, "import") && args->len == 2)
    return run_import (ctx, g_ptr_array_index (args, 1), FALSE, json);
  if (g_str_equal (sub, "status") && args->len == 1)
    return run_status (ctx, json);
  if (g_str_equal (sub, "search") && args->len >= 2)
    {
      g_autofree char *text = NULL;

      /* "drugs search acide acetyl" works unquoted too. */
      g_ptr_array_add (args, NULL);
      text = g_strjoinv (" ", (char **) args->pdata + 1);
      return run_search (ctx, text, limit, json);
    }
  if (g_str_equal (sub, "interactions") && args->len >= 2)
    {
      g_autoptr(GPtrArray) cis = g_ptr_array_new ();

      for (guint i = 1; i < args->len; i++)
        g_ptr_array_add (cis, g_ptr_array_index (args, i));
      return run_interactions (ctx, cis, patient, json);
    }
  fputs (DRUGS_USAGE, stderr);
  return CTL_EXIT_USAGE;
}

int
ctl_interactions_main (CtlContext  *ctx,
                       int          argc,
                       char       **argv)
{
  const char *dir = NULL;
  gboolean json = FALSE;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (ctl_is_help (argv[i]))
        {
          puts ("Usage: cabinetctl interactions import DIR [--json]");
          return CTL_EXIT_OK;
        }
      else if (i == 1 && g_str_equal (argv[i], "import"))
        continue;
      else if (dir == NULL && i == 2)
        dir = argv[i];
      else
        return ctl_fail (CTL_EXIT_USAGE, "interactions: unexpected argument '%s'", argv[i]);
    }
  if (argc < 3 || !g_str_equal (argv[1], "import") || dir == NULL)
    return ctl_fail (CTL_EXIT_USAGE, "Usage: cabinetctl interactions import DIR [--json]");
  return run_import (ctx, dir, TRUE, json);
}
