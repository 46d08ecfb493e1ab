/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-sandbox-gen"

#include <string.h>

#include "sandbox-gen-private.h"

/* One document as the DMP holds it (PDSm): the Binary with the recipe of its
 * PDF, the DocumentReference, for imaging the KOS twin, and the submission
 * set List. Sometimes a document is replaced by a corrected version. */

#define SYS_SECURITY     "urn:oid:1.2.250.1.213.1.1.4.13"
#define SYS_CONF         "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
#define SYS_CLASS        "urn:oid:1.2.250.1.213.1.1.4.1"
#define SYS_KOS_TYPE     "urn:oid:1.2.250.1.213.1.1.4.12"
#define SYS_FORMAT       "urn:oid:1.3.6.1.4.1.19376.1.2.3"
#define SYS_FACILITY     "urn:oid:1.2.250.1.71.4.2.4"
#define SYS_STUDY_UID    "urn:ihe:iti:xds:2016:studyInstanceUID"
#define SYS_INS_NIR      "urn:oid:1.2.250.1.213.1.4.8"
#define SYS_LIST_TYPES   "https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes"

typedef struct
{
  const char *kind;
  const char *loinc;
  const char *display;
  const char *class_code;
  const char *class_display;
  gboolean    may_be_replaced;
} DocType;

static const DocType doc_types[] = {
  { "consultation", "11488-4", "Compte rendu de consultation", "10", "Compte rendu", TRUE },
  { "discharge", "11490-0", "Lettre de liaison à la sortie d'un établissement de soins", "10", "Compte rendu", TRUE },
  { "hospital", "34112-3", "Compte rendu hospitalier (séjour)", "10", "Compte rendu", TRUE },
  { "lab", "11502-2", "Compte rendu d'examens biologiques", "10", "Compte rendu", FALSE },
  { "imaging", "18748-4", "Compte rendu d'imagerie médicale", "31", "Imagerie", FALSE },
  { "operative", "34874-8", "Compte rendu opératoire", "10", "Compte rendu", TRUE },
  { "prescription", "57833-6", "Prescription de produits de santé", "42", "Prescription", FALSE },
  { "vsm", "60591-5", "Synthèse du dossier médical", "11", "Synthèse", TRUE },
  { "er", "15507-7", "Compte rendu de passage aux urgences", "10", "Compte rendu", TRUE },
  { "vaccination", "87273-9", "Note de vaccination", "10", "Compte rendu", FALSE },
  { "certificate", "89601-9", "Certificat médical", "10", "Compte rendu", TRUE },
};

static const DocType *
doc_type_lookup (const char *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (doc_types); i++)
    if (strcmp (doc_types[i].kind, kind) == 0)
      return &doc_types[i];
  g_assert_not_reached ();
  return NULL;
}

/* ----------------------------------------------------------------------- */
/* Recipe                                                                  */
/* ----------------------------------------------------------------------- */

void
sandbox_gen_recipe_blocks (SandboxGen *gen)
{
  g_assert (sandbox_n_staff <= G_N_ELEMENTS (gen->author_blocks));
  for (guint i = 0; i < sandbox_n_staff; i++)
    {
      const SandboxStaffDef *s = &sandbox_staff[i];
      const SandboxOrgDef *org = sandbox_org_lookup (s->org_id);
      JsonObject *o;
      char buf[160];

      o = json_object_new ();
      json_object_set_string_member (o, "name", org->name);
      json_object_set_string_member (o, "line", org->line);
      g_snprintf (buf, sizeof buf, "%s %s", org->postal_code, org->city);
      json_object_set_string_member (o, "city", buf);
      json_object_set_string_member (o, "phone", org->phone);
      json_object_set_string_member (o, "finess", org->finess);
      if (s->service != NULL)
        json_object_set_string_member (o, "service", s->service);
      json_object_seal (o);
      gen->org_blocks[i] = o;

      o = json_object_new ();
      json_object_set_string_member (o, "name", sandbox_staff_display (s, buf, sizeof buf));
      json_object_set_string_member (o, "title", s->title);
      json_object_set_string_member (o, "rpps", s->rpps);
      json_object_set_string_member (o, "mail", s->mail);
      json_object_seal (o);
      gen->author_blocks[i] = o;
    }
}

void
sandbox_gen_recipe_clear (SandboxGen *gen)
{
  for (guint i = 0; i < sandbox_n_staff; i++)
    {
      g_clear_pointer (&gen->org_blocks[i], json_object_unref);
      g_clear_pointer (&gen->author_blocks[i], json_object_unref);
    }
}

static JsonObject *
recipe_patient (SandboxPatientGen *pg)
{
  JsonObject *p = json_object_new ();
  JsonArray *given = json_array_new ();
  char day[16];

  json_object_set_string_member (p, "family", pg->usual_family ? pg->usual_family : pg->birth_family);
  json_object_set_string_member (p, "birth_family", pg->birth_family);
  for (guint i = 0; i < pg->n_given; i++)
    json_array_add_string_element (given, pg->given[i]);
  json_object_set_array_member (p, "given", given);
  json_object_set_string_member (p, "sex", pg->female ? "F" : "M");
  sandbox_format_day (pg->birth, day);
  json_object_set_string_member (p, "birth_date", day);
  json_object_set_string_member (p, "identity_status", pg->status);
  if (g_str_equal (pg->status, "QUAL"))
    {
      json_object_set_string_member (p, "ins", pg->nir);
      json_object_set_string_member (p, "ins_oid", "1.2.250.1.213.1.4.8");
    }
  json_object_set_string_member (p, "ipp", pg->num);
  json_object_seal (p);
  return p;
}

static JsonObject *
recipe_new (SandboxPatientGen *pg,
            SandboxDocSpec    *spec,
            const DocType     *type,
            const char        *title,
            const char        *datetime)
{
  guint staff = spec->author - sandbox_staff;
  JsonObject *recipe = json_object_new ();
  char buf[160];

  json_object_set_string_member (recipe, "kind", spec->kind);
  json_object_set_int_member (recipe, "seed", g_rand_int (pg->rand));
  json_object_set_string_member (recipe, "title", title);
  json_object_set_string_member (recipe, "type_code", type->loinc);
  json_object_set_string_member (recipe, "type_display", type->display);
  json_object_set_string_member (recipe, "date", datetime);
  json_object_set_int_member (recipe, "n_pages", spec->n_pages);

  json_object_set_object_member (recipe, "organization", json_object_ref (pg->gen->org_blocks[staff]));
  json_object_set_object_member (recipe, "author", json_object_ref (pg->gen->author_blocks[staff]));

  if (spec->author != pg->gp)
    {
      char gp[128];

      g_snprintf (buf, sizeof buf, "%s, %s", sandbox_staff_display (pg->gp, gp, sizeof gp),
                  sandbox_org_lookup (pg->gp->org_id)->name);
      json_object_set_string_member (recipe, "recipient", buf);
    }
  if (pg->recipe_patient == NULL)
    pg->recipe_patient = recipe_patient (pg);
  json_object_set_object_member (recipe, "patient", json_object_ref (pg->recipe_patient));
  if (spec->study_uid != NULL)
    json_object_set_string_member (recipe, "study_uid", spec->study_uid);

  if (spec->extra != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *node;

      json_object_iter_init (&iter, spec->extra);
      while (json_object_iter_next (&iter, &name, &node))
        json_object_set_member (recipe, name, json_node_copy (node));
    }
  return recipe;
}

/* ----------------------------------------------------------------------- */
/* Resources                                                               */
/* ----------------------------------------------------------------------- */

static JsonObject *
security_label (SandboxPatientGen *pg,
                guint32            day)
{
  double x = g_rand_double (pg->rand);
  double age = (day - pg->birth) / 365.25;

  if (x < 0.03)
    return sandbox_shared_concept (pg->gen, SYS_SECURITY, "MASQUE_PS", "Masqué aux professionnels de santé", NULL);
  if (x < 0.06)
    return sandbox_shared_concept (pg->gen, SYS_SECURITY, "INVISIBLE_PATIENT", "Non visible par le patient", NULL);
  if (x < 0.09 && age >= 12 && age < 18)
    return sandbox_shared_concept (pg->gen, SYS_SECURITY, "INVISIBLE_REPRESENTANTS_LEGAUX",
                                            "Non visible par les représentants légaux du patient", NULL);
  return sandbox_shared_concept (pg->gen, SYS_CONF, "N", "normal", NULL);
}

static JsonObject *
document_new (SandboxPatientGen *pg,
              SandboxDocSpec    *spec,
              const char        *id,
              const char        *binary_id,
              const char        *title,
              const char        *datetime,
              JsonObject        *label,
              gboolean           kos)
{
  const DocType *type = doc_type_lookup (spec->kind);
  const SandboxOrgDef *org = sandbox_org_lookup (spec->author->org_id);
  g_autofree char *author_ref = g_strconcat ("Practitioner/", spec->author->id, NULL);
  g_autofree char *org_ref = g_strconcat ("Organization/", org->id, NULL);
  g_autofree char *url = g_strconcat ("Binary/", binary_id, NULL);
  char buf[128], day[16];
  JsonObject *d = sandbox_resource_new ("DocumentReference", id);
  JsonObject *o, *content, *attachment, *context, *period;

  o = json_object_new ();
  json_object_set_string_member (o, "system", "urn:ietf:rfc:3986");
  g_snprintf (buf, sizeof buf, "urn:oid:1.2.250.1.999.2.%u.%u%s", pg->index, pg->n_docs, kos ? ".1" : "");
  json_object_set_string_member (o, "value", buf);
  json_object_set_object_member (d, "masterIdentifier", o);
  json_object_set_string_member (d, "status", "current");
  json_object_set_string_member (d, "docStatus", "final");
  if (kos)
    json_object_set_object_member (d, "type", sandbox_shared_concept (pg->gen, SYS_KOS_TYPE, "IMG-KOS",
                                                                               "Référence d'objets d'un examen d'imagerie", NULL));
  else
    json_object_set_object_member (d, "type", sandbox_shared_concept (pg->gen, SANDBOX_SYSTEM_LOINC, type->loinc,
                                                                               type->display, NULL));
  sandbox_set_shared_list (pg->gen, d, "category", sandbox_shared_concept (pg->gen, SYS_CLASS, type->class_code, type->class_display, NULL));
  json_object_set_object_member (d, "subject", sandbox_shared_reference (pg->gen, pg->ref, NULL));
  json_object_set_string_member (d, "date", datetime);
  sandbox_set_shared_list (pg->gen, d, "author", sandbox_shared_reference (pg->gen, author_ref, sandbox_staff_display (spec->author, buf, sizeof buf)));
  json_object_set_object_member (d, "custodian", sandbox_shared_reference (pg->gen, org_ref, org->name));
  sandbox_set_shared_list (pg->gen, d, "securityLabel", label);

  content = json_object_new ();
  attachment = json_object_new ();
  json_object_set_string_member (attachment, "contentType", kos ? "application/dicom" : "application/pdf");
  json_object_set_string_member (attachment, "language", "fr-FR");
  json_object_set_string_member (attachment, "url", url);
  json_object_set_string_member (attachment, "title", title);
  json_object_set_string_member (attachment, "creation", datetime);
  json_object_set_object_member (content, "attachment", attachment);
  if (kos)
    json_object_set_object_member (content, "format",
                                   sandbox_shared_coding (pg->gen, SYS_FORMAT, "1.2.840.10008.5.1.4.1.1.88.59",
                                                                   "DICOM Key Object Selection (KOS)"));
  else
    json_object_set_object_member (content, "format",
                                   sandbox_shared_coding (pg->gen, SYS_FORMAT, "urn:ihe:iti:xds-sd:pdf:2008",
                                                                   "Document à corps non structuré en PDF/A-1"));
  sandbox_append_object (d, "content", content);

  context = json_object_new ();
  period = json_object_new ();
  if (json_object_has_member (spec->extra, "stay_start"))
    {
      json_object_set_string_member (period, "start", json_object_get_string_member (spec->extra, "stay_start"));
      json_object_set_string_member (period, "end", json_object_get_string_member (spec->extra, "stay_end"));
    }
  else
    {
      sandbox_format_day (spec->day, day);
      json_object_set_string_member (period, "start", day);
    }
  json_object_set_object_member (context, "period", period);
  json_object_set_object_member (context, "facilityType",
                                 sandbox_shared_concept (pg->gen, SYS_FACILITY, org->facility_code, org->facility_display, NULL));
  json_object_set_object_member (context, "practiceSetting",
                                 sandbox_shared_concept (pg->gen, SANDBOX_SYSTEM_SPECIALTY, spec->author->specialty_code,
                                                                  spec->author->specialty, NULL));
  if (spec->study_uid != NULL)
    {
      JsonObject *related = json_object_new ();
      JsonObject *identifier = json_object_new ();

      json_object_set_string_member (identifier, "system", SYS_STUDY_UID);
      json_object_set_string_member (identifier, "value", spec->study_uid);
      json_object_set_object_member (related, "identifier", identifier);
      sandbox_append_object (context, "related", related);
    }
  json_object_set_object_member (d, "context", context);
  return d;
}

static void
emit_binary_pdf (SandboxPatientGen *pg,
                 const char        *id,
                 JsonObject        *recipe)
{
  JsonObject *b = sandbox_resource_new ("Binary", id);

  json_object_set_string_member (b, "contentType", "application/pdf");
  sandbox_emit (pg, "Binary", id, b, recipe);
}

static void
emit_binary_kos (SandboxPatientGen *pg,
                 const char        *id,
                 const char        *study_uid)
{
  JsonObject *b = sandbox_resource_new ("Binary", id);
  guint8 bytes[128 + 4 + 64] = { 0 };
  gsize n = 128;
  g_autofree char *data = NULL;

  /* A DICOM preamble and magic, then the study UID: enough for a client to
   * recognise the part 10 header; no viewer ever reads it. */
  memcpy (bytes + n, "DICM", 4);
  n += 4;
  n += g_strlcpy ((char *) bytes + n, study_uid, sizeof bytes - n);
  data = g_base64_encode (bytes, MIN (n, sizeof bytes));
  json_object_set_string_member (b, "contentType", "application/dicom");
  json_object_set_string_member (b, "data", data);
  sandbox_emit (pg, "Binary", id, b, NULL);
}

static void
batch_add (SandboxPatientGen *pg,
           SandboxDocSpec    *spec,
           const char        *datetime,
           const char        *doc_id)
{
  guint staff = spec->author - sandbox_staff;

  if (pg->batches[staff] == NULL)
    pg->batches[staff] = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (pg->batches[staff], g_strdup (doc_id));
  g_strlcpy (pg->batch_dates[staff], datetime, sizeof pg->batch_dates[staff]);
}

/* One submission set per author and patient, after all their documents:
 * a batch, not one List per document, keeps a large practice quick to build. */
void
sandbox_gen_flush_lists (SandboxPatientGen *pg)
{
  for (guint staff = 0; staff < sandbox_n_staff; staff++)
    {
      GPtrArray *ids = pg->batches[staff];
      g_autofree char *source = NULL;
      char id[48], buf[96];
      JsonObject *l, *identifier;

      if (ids == NULL)
        continue;
      g_snprintf (id, sizeof id, "sub-%s-%s", pg->num, sandbox_staff[staff].id);
      source = g_strconcat ("Practitioner/", sandbox_staff[staff].id, NULL);
      l = sandbox_resource_new ("List", id);
      identifier = json_object_new ();
      json_object_set_string_member (identifier, "use", "usual");
      json_object_set_string_member (identifier, "system", "urn:ietf:rfc:3986");
      g_snprintf (buf, sizeof buf, "urn:oid:1.2.250.1.999.3.%u.%u", pg->index, staff);
      json_object_set_string_member (identifier, "value", buf);
      sandbox_append_object (l, "identifier", identifier);
      json_object_set_string_member (l, "status", "current");
      json_object_set_string_member (l, "mode", "working");
      json_object_set_object_member (l, "code", sandbox_shared_concept (pg->gen, SYS_LIST_TYPES, "submissionset",
                                                                                 "Submission Set", NULL));
      json_object_set_object_member (l, "subject", sandbox_shared_reference (pg->gen, pg->ref, NULL));
      json_object_set_string_member (l, "date", pg->batch_dates[staff]);
      json_object_set_object_member (l, "source", sandbox_shared_reference (pg->gen, source, NULL));
      for (guint i = 0; i < ids->len; i++)
        {
          JsonObject *entry = json_object_new ();
          g_autofree char *ref = g_strconcat ("DocumentReference/", (char *) ids->pdata[i], NULL);

          json_object_set_object_member (entry, "item", sandbox_reference_new (ref, NULL));
          sandbox_append_object (l, "entry", entry);
        }
      sandbox_emit (pg, "List", id, l, NULL);
      g_clear_pointer (&pg->batches[staff], g_ptr_array_unref);
    }
}

/* Emits one version of the document; @doc_id receives its DocumentReference id. */
static void
emit_version (SandboxPatientGen *pg,
              SandboxDocSpec    *spec,
              const DocType     *type,
              const char        *title,
              guint32            day,
              int                minutes,
              const char        *replaces,
              gboolean           superseded,
              char               doc_id[48])
{
  char bin_id[48], datetime[32];
  char kos_id[56], kos_bin_id[56];
  guint n = ++pg->n_docs;
  JsonObject *doc, *label;

  g_snprintf (doc_id, 48, "doc-%s-%03u", pg->num, n);
  g_snprintf (bin_id, sizeof bin_id, "bin-%s-%03u", pg->num, n);
  sandbox_format_datetime (day, minutes, datetime);

  emit_binary_pdf (pg, bin_id, recipe_new (pg, spec, type, title, datetime));
  label = security_label (pg, day);
  doc = document_new (pg, spec, doc_id, bin_id, title, datetime, json_object_ref (label), FALSE);
  if (superseded)
    json_object_set_string_member (doc, "status", "superseded");
  if (replaces != NULL)
    {
      JsonObject *relates = json_object_new ();
      g_autofree char *target = g_strconcat ("DocumentReference/", replaces, NULL);

      json_object_set_string_member (relates, "code", "replaces");
      json_object_set_object_member (relates, "target", sandbox_reference_new (target, NULL));
      sandbox_append_object (doc, "relatesTo", relates);
    }
  sandbox_emit (pg, "DocumentReference", doc_id, doc, NULL);
  batch_add (pg, spec, datetime, doc_id);

  if (spec->study_uid != NULL)
    {
      g_autofree char *kos_title = g_strconcat ("Images — ", json_object_get_string_member (spec->extra, "exam"), NULL);

      g_snprintf (kos_id, sizeof kos_id, "%s-kos", doc_id);
      g_snprintf (kos_bin_id, sizeof kos_bin_id, "%s-kos", bin_id);
      emit_binary_kos (pg, kos_bin_id, spec->study_uid);
      doc = document_new (pg, spec, kos_id, kos_bin_id, kos_title, datetime, json_object_ref (label), TRUE);
      sandbox_emit (pg, "DocumentReference", kos_id, doc, NULL);
      batch_add (pg, spec, datetime, kos_id);
    }
  json_object_unref (label);
}

void
sandbox_gen_document (SandboxPatientGen *pg,
                      SandboxDocSpec    *spec)
{
  const DocType *type = doc_type_lookup (spec->kind);

  if (spec->extra == NULL)
    spec->extra = json_object_new ();

  /* About 2% are corrected later: the first version ends superseded. */
  if (type->may_be_replaced && spec->day + 30 < pg->gen->today && g_rand_double (pg->rand) < 0.02)
    {
      char first[48];
      g_autofree char *title = g_strconcat (spec->title, " (version corrigée)", NULL);
      guint32 later = spec->day + g_rand_int_range (pg->rand, 1, 30);

      emit_version (pg, spec, type, spec->title, spec->day, spec->minutes, NULL, TRUE, first);
      emit_version (pg, spec, type, title, later, spec->minutes, first, FALSE, spec->doc_id);
    }
  else
    emit_version (pg, spec, type, spec->title, spec->day, spec->minutes, NULL, FALSE, spec->doc_id);

  json_object_unref (spec->extra);
  spec->extra = NULL;
}
