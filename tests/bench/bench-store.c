/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store under the consultation desk's load: a 5,000-patient practice
 * (synthetic records built here) plus one patient with a 5,000-entry
 * timeline. Measures writing (put_records), the big timeline, practice-wide
 * full-text search and patient search per keystroke, each against a bare
 * SQLite baseline over the same rows measured in the same run.
 * Prints figures; never fails on a timing.
 */
#define G_LOG_DOMAIN "cab-bench"

#include <math.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "cab-store.h"

#define DOCS_PER_PATIENT 10
#define OBS_PER_PATIENT  6
#define BIG_TIMELINE     5000
#define BATCH            500   /* records per put, like a page of sync */
#define TEXT_EVERY       4     /* one document in N gets extracted text */

static const char * const families[] = {
  "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
  "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David",
  "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Lefebvre",
  "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier",
  "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
  "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine",
  "Chevalier", "Robin", "Masson", "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis",
  "Lemaire", "Duval", "Joly", "Gautier", "Roger", "Roche", "Roy", "Noël", "Meyer",
  "Lucas", "Meunier", "Jean", "Pérez", "Marchand", "Dufour", "Blanchard", "Marie",
  "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin", "Fernandez",
  "Pierre", "Renard", "Arnaud", "Rolland", "Caron", "Aubert", "Giraud", "Leclerc",
  "Vidal", "Bourgeois", "Renaud", "Lemoine", "Picard", "Gaillard", "Philippe", "Leclercq",
  "Lacroix", "Fabre", "Dupuis", "Olivier", "Rodriguez", "Da Silva", "Hubert", "Louis",
  "Charles", "Guillot", "Rivière", "Le Gall", "Guillaume", "Adam", "Rey", "Moulin",
  "Gonzalez", "Berger", "Lecomte", "Ménard", "Fleury", "Deschamps", "Carpentier", "Julien",
  "Benoît", "Paris", "Maillard", "Marchal", "Aubry", "Vasseur", "Le Roux", "Renault",
  "Jacquet", "Collet", "Prévost", "Poirier", "Charpentier", "Royer", "Huet", "Baron",
  "Dupuy", "Pons", "Paul", "Laine", "Carré", "Breton", "Rémy", "Schneider", "Perrot",
  "Guyot", "Barre", "Marty", "Cousin", "Dupré", "Duhamel", "Duclos", "Dujardin",
};

static const char * const givens[] = {
  "Hélène", "Jean", "Marie", "Pierre", "Françoise", "Michel", "Monique", "André",
  "Nathalie", "Philippe", "Isabelle", "Alain", "Sylvie", "Jacques", "Catherine", "Bernard",
  "Martine", "Christophe", "Christine", "Éric", "Véronique", "Stéphane", "Sophie", "Laurent",
  "Valérie", "Frédéric", "Sandrine", "Olivier", "Céline", "Nicolas", "Chloé", "Léa",
  "Zoé", "Noémie", "Jérôme", "Gaëlle", "Anaïs", "Raphaël", "Joël", "Maëlle",
  "Jean-Pierre", "Marie-Claude", "Jean-Luc", "Anne-Sophie", "Benoît", "Agnès", "Aurélie",
  "Clément", "Mathéo", "Inès",
};

static const struct { const char *type, *category, *title; } doc_kinds[] = {
  { "11488-4", "10", "Compte rendu de consultation" },
  { "11490-0", "10", "Lettre de liaison à la sortie" },
  { "34112-3", "10", "Compte rendu hospitalier" },
  { "11502-2", "10", "Compte rendu d'examens biologiques" },
  { "18748-4", "10", "Compte rendu d'imagerie médicale" },
  { "34874-8", "10", "Compte rendu opératoire" },
  { "57833-6", "42", "Prescription de produits de santé" },
  { "15507-7", "10", "Passage aux urgences" },
  { "87273-9", "10", "Note de vaccination" },
  { "89601-9", "10", "Certificat médical" },
};

static const char * const subjects[] = {
  "diabète de type 2", "hypertension artérielle", "insuffisance rénale chronique",
  "asthme", "bronchopneumopathie chronique obstructive", "fibrillation atriale",
  "lombalgie", "gonarthrose", "hypothyroïdie", "dépression", "cholécystite",
  "pneumopathie", "fracture du poignet", "migraine", "dyslipidémie", "anémie",
  "radiographie du thorax", "échographie abdominale", "scanner cérébral", "IRM du genou",
};

static const char * const words[] = {
  "patient", "patiente", "vu", "en", "consultation", "pour", "suivi", "de", "son", "sa",
  "traitement", "bien", "toléré", "tension", "artérielle", "poids", "stable", "examen",
  "clinique", "sans", "particularité", "auscultation", "cardiaque", "pulmonaire", "normale",
  "hémoglobine", "glyquée", "créatinine", "débit", "filtration", "glomérulaire", "cholestérol",
  "LDL", "potassium", "sodium", "glycémie", "à", "jeun", "metformine", "ramipril",
  "amlodipine", "atorvastatine", "lévothyroxine", "salbutamol", "kinésithérapie",
  "contrôle", "dans", "trois", "mois", "bilan", "biologique", "prescrit", "douleur",
  "thoracique", "dyspnée", "effort", "œdème", "membres", "inférieurs", "fièvre", "toux",
  "antibiothérapie", "amoxicilline", "vaccination", "grippe", "rappel", "diphtérie",
  "tétanos", "poliomyélite", "hospitalisation", "service", "cardiologie", "néphrologie",
  "pneumologie", "sortie", "domicile", "infirmier", "régime", "activité", "physique",
};

static const char * const authors[] = {
  "Dr Claire Fontaine", "Dr Marc Lemoine", "Dr Sophie Garnier", "Dr Hélène Roussel",
  "Laboratoire Cerballiance", "Laboratoire Biogroup", "Centre d'imagerie du Parc",
  "Dr Thierry Benoît", "Dr Agnès Mercier", "Service des urgences",
};

static const char * const custodians[] = {
  "CHU de Bordeaux", "Hôpital Pellegrin", "Clinique Saint-Augustin", "Cabinet médical des Chartrons",
  "Polyclinique Bordeaux Nord", "Hôpital Haut-Lévêque",
};

/* ------------------------------------------------------------------ */
/* Synthetic records                                                    */
/* ------------------------------------------------------------------ */

/* A JSON text about the size of a real resource (1 to 2 KB). */
static char *
fake_json (const char *type,
           const char *id,
           GRand      *rand)
{
  GString *json = g_string_new (NULL);
  guint n = g_rand_int_range (rand, 8, 20);

  g_string_append_printf (json, "{\"resourceType\":\"%s\",\"id\":\"%s\","
                          "\"meta\":{\"versionId\":\"1\",\"lastUpdated\":\"2024-01-01T00:00:00Z\"},"
                          "\"text\":{\"status\":\"generated\",\"div\":\"", type, id);
  for (guint i = 0; i < n * 10; i++)
    g_string_append_printf (json, "%s ", words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
  g_string_append (json, "\"}}");
  return g_string_free (json, FALSE);
}

static CabFhirRecord *
record_new (CabResourceKind  kind,
            const char      *type,
            char            *id,
            const char      *patient_id,
            GRand           *rand)
{
  CabFhirRecord *r = g_new0 (CabFhirRecord, 1);

  r->kind = kind;
  r->type = g_strdup (type);
  r->id = id;
  r->patient_id = g_strdup (patient_id);
  r->version_id = g_strdup ("1");
  r->last_updated = g_strdup ("2024-01-01T00:00:00Z");
  r->json = fake_json (type, id, rand);
  return r;
}

static char *
random_date (GRand *rand,
             int    year_from,
             int    year_to)
{
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:00+01:00",
                          g_rand_int_range (rand, year_from, year_to + 1),
                          g_rand_int_range (rand, 1, 13), g_rand_int_range (rand, 1, 29),
                          g_rand_int_range (rand, 7, 20), g_rand_int_range (rand, 0, 60));
}

static CabFhirRecord *
patient_record (guint  index,
                GRand *rand)
{
  char *id = g_strdup_printf ("pat-%05u", index);
  CabFhirRecord *r = record_new (CAB_RESOURCE_PATIENT, "Patient", id, id, rand);
  CabPatient *p = g_new0 (CabPatient, 1);
  int year = g_rand_int_range (rand, 1930, 2020);
  int month = g_rand_int_range (rand, 1, 13);
  gboolean female = g_rand_boolean (rand);

  p->family = g_strdup (families[g_rand_int_range (rand, 0, G_N_ELEMENTS (families))]);
  if (female && g_rand_int_range (rand, 0, 3) == 0)
    p->birth_name = g_strdup (families[g_rand_int_range (rand, 0, G_N_ELEMENTS (families))]);
  p->given = g_strdup (givens[g_rand_int_range (rand, 0, G_N_ELEMENTS (givens))]);
  p->sex = g_strdup (female ? "female" : "male");
  p->birth_date = g_strdup_printf ("%04d-%02d-%02d", year, month, g_rand_int_range (rand, 1, 29));
  p->ins = g_strdup_printf ("%d%02d%02d%02d%03d%03d%02d", female ? 2 : 1, year % 100, month,
                            g_rand_int_range (rand, 1, 96), g_rand_int_range (rand, 1, 999),
                            g_rand_int_range (rand, 1, 999), g_rand_int_range (rand, 1, 98));
  p->ins_system = g_strdup ("urn:oid:1.2.250.1.213.1.4.8");
  p->identity_status = g_strdup ("QUAL");
  p->gp_reference = g_strdup ("Practitioner/gp-1");
  r->patient = p;
  return r;
}

static CabFhirRecord *
document_record (const char *patient_id,
                 guint       index,
                 GRand      *rand)
{
  char *id = g_strdup_printf ("doc-%s-%u", patient_id, index);
  CabFhirRecord *r = record_new (CAB_RESOURCE_DOCUMENT_REFERENCE, "DocumentReference", id, patient_id, rand);
  CabDocument *d = g_new0 (CabDocument, 1);
  guint kind = g_rand_int_range (rand, 0, G_N_ELEMENTS (doc_kinds));

  d->status = g_strdup ("current");
  d->type_code = g_strdup (doc_kinds[kind].type);
  d->category_code = g_strdup (doc_kinds[kind].category);
  d->type_display = g_strdup (doc_kinds[kind].title);
  d->title = g_strdup_printf ("%s : %s", doc_kinds[kind].title,
                              subjects[g_rand_int_range (rand, 0, G_N_ELEMENTS (subjects))]);
  d->author_display = g_strdup (authors[g_rand_int_range (rand, 0, G_N_ELEMENTS (authors))]);
  d->author_reference = g_strdup ("Practitioner/gp-1");
  d->custodian_display = g_strdup (custodians[g_rand_int_range (rand, 0, G_N_ELEMENTS (custodians))]);
  d->date = random_date (rand, 2005, 2024);
  d->period_start = g_strdup (d->date);
  d->security_labels = g_strdup ("N");
  d->content_type = g_strdup ("application/pdf");
  d->url = g_strdup_printf ("https://dmp.example/fhir/Binary/%s", id);
  d->size = g_rand_int_range (rand, 20000, 900000);
  d->hash = g_strdup ("2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
  r->document = d;
  return r;
}

/* An imaging report gets a study and its KOS entry, as in the DMP. */
static CabFhirRecord *
kos_record (CabFhirRecord *report,
            GRand         *rand)
{
  char *id = g_strdup_printf ("kos-%s", report->id);
  CabFhirRecord *r = record_new (CAB_RESOURCE_DOCUMENT_REFERENCE, "DocumentReference", id,
                                 report->patient_id, rand);
  CabDocument *d = g_new0 (CabDocument, 1);

  report->document->study_uid = g_strdup_printf ("1.2.250.1.999.%s", report->id);
  d->status = g_strdup ("current");
  d->type_code = g_strdup ("IMG-KOS");
  d->category_code = g_strdup ("31");
  d->title = g_strdup ("Images de l'examen");
  d->author_display = g_strdup (report->document->author_display);
  d->custodian_display = g_strdup (report->document->custodian_display);
  d->date = g_strdup (report->document->date);
  d->content_type = g_strdup ("application/dicom");
  d->size = -1;
  d->study_uid = g_strdup (report->document->study_uid);
  d->is_kos = TRUE;
  r->document = d;
  return r;
}

static CabFhirRecord *
observation_record (const char *patient_id,
                    guint       index,
                    GRand      *rand)
{
  char *id = g_strdup_printf ("obs-%s-%u", patient_id, index);
  CabFhirRecord *r = record_new (CAB_RESOURCE_OBSERVATION, "Observation", id, patient_id, rand);
  CabObservationValue *v = g_new0 (CabObservationValue, 1);

  v->code = g_strdup (index % 2 ? "4548-4" : "2160-0");
  v->display = g_strdup (index % 2 ? "HbA1c" : "Créatinine");
  v->effective = random_date (rand, 2015, 2024);
  v->value = g_rand_double_range (rand, 5, 10);
  v->unit = g_strdup ("%");
  v->low = 4;
  v->high = 6;
  r->observation_values = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_observation_value_free);
  g_ptr_array_add (r->observation_values, v);
  return r;
}

static char *
document_text (GRand *rand)
{
  GString *text = g_string_new (subjects[g_rand_int_range (rand, 0, G_N_ELEMENTS (subjects))]);
  guint n = g_rand_int_range (rand, 60, 200);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, " %s", words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
  return g_string_free (text, FALSE);
}

/* ------------------------------------------------------------------ */
/* Timing                                                               */
/* ------------------------------------------------------------------ */

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
percentile (GArray *samples,
            double  p)
{
  guint i;

  g_array_sort (samples, compare_double);
  i = (guint) ceil (p * samples->len) - 1;
  return g_array_index (samples, double, MIN (i, samples->len - 1));
}

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static void
report (const char *name,
        GArray     *samples,
        GArray     *baseline)
{
  double p50 = percentile (samples, 0.50), p95 = percentile (samples, 0.95);
  double b50 = percentile (baseline, 0.50), b95 = percentile (baseline, 0.95);

  g_print ("%s p50=%.2fms p95=%.2fms ratio_to_baseline=%.1f (baseline p50=%.2fms p95=%.2fms, n=%u)\n",
           name, p50, p95, b50 > 0 ? p50 / b50 : 0.0, b50, b95, samples->len);
}

/* The same rows stepped through with no decoding and no allocation. */
static double
bare_steps (sqlite3    *db,
            const char *sql,
            const char *param)
{
  sqlite3_stmt *stmt = NULL;
  double start = now_ms ();
  guint n = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (param != NULL)
    sqlite3_bind_text (stmt, 1, param, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    n++;
  sqlite3_finalize (stmt);
  (void) n;
  return now_ms () - start;
}

/* ------------------------------------------------------------------ */
/* Main                                                                 */
/* ------------------------------------------------------------------ */

static void
flush (CabStore  *store,
       GPtrArray *batch,
       double    *elapsed,
       guint     *count)
{
  g_autoptr(GError) error = NULL;
  double start = now_ms ();

  cab_store_put_records (store, batch, "bench", "cursor", &error);
  g_assert_no_error (error);
  *elapsed += now_ms () - start;
  *count += batch->len;
  g_ptr_array_set_size (batch, 0);
}

/* Bare baseline for writing: the same JSON into a plain keyed table. */
static double
bare_insert (const char *dir,
             GPtrArray  *sample)
{
  g_autofree char *path = g_build_filename (dir, "bare.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  double start;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_exec (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                    "CREATE TABLE r (type TEXT, id TEXT, json TEXT, PRIMARY KEY (type, id));",
                NULL, NULL, NULL);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT OR REPLACE INTO r VALUES (?1, ?2, ?3)", -1, &stmt, NULL), ==, SQLITE_OK);

  start = now_ms ();
  for (guint i = 0; i < sample->len; i += BATCH)
    {
      sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
      for (guint j = i; j < MIN (i + BATCH, sample->len); j++)
        {
          CabFhirRecord *r = sample->pdata[j];
          sqlite3_bind_text (stmt, 1, r->type, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 2, r->id, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 3, r->json, -1, SQLITE_STATIC);
          sqlite3_step (stmt);
          sqlite3_reset (stmt);
        }
      sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
    }
  start = now_ms () - start;
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return start;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabStore) store = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_fhir_record_free);
  g_autoptr(GPtrArray) sample = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_fhir_record_free);
  g_autoptr(GPtrArray) text_ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dir = g_dir_make_tmp ("bench-store-XXXXXX", &error);
  g_autofree char *path = NULL;
  const char *env = g_getenv ("CABINET_BENCH_PATIENTS");
  guint n_patients = env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : 5000;
  double put_ms = 0, bare_ms, text_ms, start;
  guint put_count = 0;
  sqlite3 *bare = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "cabinet.db", NULL);
  store = cab_store_open (path, &error);
  g_assert_no_error (error);

  /* Fill: the practice, then the patient with the long history. */
  for (guint i = 0; i <= n_patients; i++)
    {
      CabFhirRecord *p = patient_record (i, rand);
      g_autofree char *pid = g_strdup (p->id);  /* p is freed by the next flush */
      guint n_docs = i == n_patients ? BIG_TIMELINE : DOCS_PER_PATIENT;

      g_ptr_array_add (batch, p);
      for (guint d = 0; d < n_docs; d++)
        {
          CabFhirRecord *doc = document_record (pid, d, rand);
          if (g_rand_int_range (rand, 0, TEXT_EVERY) == 0)
            g_ptr_array_add (text_ids, g_strdup (doc->id));
          g_ptr_array_add (batch, doc);
          if (g_strcmp0 (doc->document->type_code, "18748-4") == 0)
            g_ptr_array_add (batch, kos_record (doc, rand));
          if (batch->len >= BATCH)
            flush (store, batch, &put_ms, &put_count);
        }
      for (guint o = 0; o < OBS_PER_PATIENT; o++)
        g_ptr_array_add (batch, observation_record (pid, o, rand));
      if (batch->len >= BATCH)
        flush (store, batch, &put_ms, &put_count);
    }
  flush (store, batch, &put_ms, &put_count);

  for (guint i = 0; i < 20000; i++)
    g_ptr_array_add (sample, document_record ("bare", i, rand));
  bare_ms = bare_insert (dir, sample);

  g_print ("put_records n=%u rate=%.0f records/s total=%.0fms ratio_to_baseline=%.1f "
           "(baseline: bare keyed insert of the JSON, %.0f records/s)\n",
           put_count, put_count / (put_ms / 1000), put_ms,
           (put_ms / put_count) / (bare_ms / sample->len), sample->len / (bare_ms / 1000));

  if (g_getenv ("CABINET_BENCH_PUT_ONLY") != NULL)
    goto out;

  start = now_ms ();
  for (guint i = 0; i < text_ids->len; i++)
    {
      g_autofree char *text = document_text (rand);
      cab_store_set_document_content (store, text_ids->pdata[i], NULL, text, &error);
      g_assert_no_error (error);
    }
  text_ms = now_ms () - start;
  g_print ("set_document_content n=%u per_call=%.3fms (one transaction each)\n",
           text_ids->len, text_ms / text_ids->len);

  g_assert_cmpint (sqlite3_open_v2 (path, &bare, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);

  /* The long timeline. */
  {
    g_autofree char *big = g_strdup_printf ("pat-%05u", n_patients);
    g_autoptr(GArray) t = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GArray) b = g_array_new (FALSE, FALSE, sizeof (double));
    CabTimelineFilter filter = { .text = "diabete" };

    for (guint run = 0; run < 50; run++)
      {
        g_autoptr(GPtrArray) rows = NULL;
        double ms;

        start = now_ms ();
        rows = cab_store_list_timeline (store, big, NULL, &error);
        ms = now_ms () - start;
        g_assert_no_error (error);
        g_assert_cmpuint (rows->len, ==, BIG_TIMELINE);
        g_array_append_val (t, ms);

        ms = bare_steps (bare, "SELECT * FROM documents WHERE patient_id = ?1"
                               " ORDER BY sort_date DESC, id", big);
        g_array_append_val (b, ms);
      }
    report ("timeline_5000", t, b);

    g_array_set_size (t, 0);
    for (guint run = 0; run < 50; run++)
      {
        g_autoptr(GPtrArray) rows = NULL;
        double ms;

        start = now_ms ();
        rows = cab_store_list_timeline (store, big, &filter, &error);
        ms = now_ms () - start;
        g_assert_no_error (error);
        g_array_append_val (t, ms);
      }
    report ("timeline_5000_text", t, b);
  }

  /* Practice-wide full-text search. */
  {
    static const char * const queries[] = {
      "diabete", "hypertension", "creatinine", "radiographie thorax", "hélène",
      "insuffisance renale", "metformine", "cardiologie", "vaccination grippe", "lombalgie",
      "echographie", "chu bordeaux", "urgences", "fievre toux", "amox", "scanner",
      "kine", "oedeme membres", "bilan biologique", "potassium",
    };
    g_autoptr(GArray) t = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GArray) b = g_array_new (FALSE, FALSE, sizeof (double));

    for (guint run = 0; run < 100; run++)
      {
        const char *q = queries[run % G_N_ELEMENTS (queries)];
        g_autoptr(GPtrArray) rows = NULL;
        g_autofree char *fts = NULL;
        g_auto(GStrv) parts = g_strsplit (q, " ", -1);
        double ms;

        start = now_ms ();
        rows = cab_store_search_documents (store, q, NULL, 50, &error);
        ms = now_ms () - start;
        g_assert_no_error (error);
        g_array_append_val (t, ms);

        /* Baseline: the same match, unranked, rowids only. */
        for (guint i = 0; parts[i] != NULL; i++)
          {
            char *tmp = g_strdup_printf ("%s%s\"%s\"*", fts ? fts : "", fts ? " " : "", parts[i]);
            g_free (fts);
            fts = tmp;
          }
        ms = bare_steps (bare, "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?1", fts);
        g_array_append_val (b, ms);
      }
    report ("fts_practice", t, b);
  }

  /* Patient search, one query per keystroke. */
  {
    static const char * const typed[] = {
      "dupont", "lefevre", "martin h", "helene", "12/03/19", "2540", "jean-pierre", "le g",
    };
    g_autoptr(GArray) t = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GArray) b = g_array_new (FALSE, FALSE, sizeof (double));

    for (guint w = 0; w < G_N_ELEMENTS (typed); w++)
      for (gsize len = 1; len <= strlen (typed[w]); len++)
        {
          g_autofree char *prefix = g_strndup (typed[w], len);
          g_autoptr(GPtrArray) rows = NULL;
          double ms;

          start = now_ms ();
          rows = cab_store_search_patients (store, prefix, 50, &error);
          ms = now_ms () - start;
          g_assert_no_error (error);
          g_array_append_val (t, ms);

          ms = bare_steps (bare, "SELECT id FROM patients", NULL);
          g_array_append_val (b, ms);
        }
    report ("patient_search_keystroke", t, b);
  }

  sqlite3_close (bare);

out:
  g_clear_object (&store);

  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);
    g_autofree char *bare_path = g_build_filename (dir, "bare.db", NULL);
    g_autofree char *bare_wal = g_strconcat (bare_path, "-wal", NULL);
    g_autofree char *bare_shm = g_strconcat (bare_path, "-shm", NULL);
    const char *files[] = { path, wal, shm, bare_path, bare_wal, bare_shm };

    for (guint i = 0; i < G_N_ELEMENTS (files); i++)
      g_unlink (files[i]);
    g_rmdir (dir);
  }

  return 0;
}
