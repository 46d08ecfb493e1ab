/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-sandbox-gen"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sandbox-gen-private.h"

/* The synthetic practice: its directory (organisations, professionals) and
 * its patients' identities. Everything comes from GRand streams seeded with
 * (seed, patient index, purpose), never from the clock, so the same options
 * give the same resources, and patient N does not depend on how many
 * patients come after it. Clinical history: sandbox-gen-clinical.c;
 * documents: sandbox-gen-docs.c. */

#define SYS_IDNAT_PS     "urn:oid:1.2.250.1.71.4.2.1"
#define SYS_RPPS         "https://rpps.esante.gouv.fr"
#define SYS_FINESS       "urn:oid:1.2.250.1.71.4.2.2"
#define SYS_INS_NIR      "urn:oid:1.2.250.1.213.1.4.8"
#define URL_RELIABILITY  "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability"
#define URL_BIRTH_PLACE  "http://hl7.org/fhir/StructureDefinition/patient-birthPlace"

/* ----------------------------------------------------------------------- */
/* Directory                                                               */
/* ----------------------------------------------------------------------- */

const SandboxOrgDef sandbox_orgs[] = {
  { SANDBOX_PRACTICE_ID, "Cabinet médical des Tilleuls", "442298154",
    "14 allée des Tilleuls", "44300", "Nantes", "+33 2 40 49 12 34",
    "SA08", "Cabinet de groupe" },
  { "org-other-practice", "Maison de santé pluriprofessionnelle de l'Erdre", "443340831",
    "3 place de la Liberté", "44240", "La Chapelle-sur-Erdre", "+33 2 40 72 88 10",
    "SA08", "Cabinet de groupe" },
  { "org-chu-nantes", "CHU de Nantes", "447612599",
    "5 allée de l'Île-Gloriette", "44093", "Nantes Cedex 1", "+33 2 40 08 33 33",
    "SA01", "Établissement public de santé" },
  { "org-ch-saint-nazaire", "Centre hospitalier de Saint-Nazaire", "447579111",
    "11 boulevard Georges-Charpak", "44600", "Saint-Nazaire", "+33 2 72 27 80 00",
    "SA01", "Établissement public de santé" },
  { "org-hp-confluent", "Hôpital privé du Confluent", "447113168",
    "2-4 rue Éric-Tabarly", "44200", "Nantes", "+33 2 28 25 50 00",
    "SA02", "Établissement privé de santé" },
  { "org-lab", "Laboratoire BioOuest", "441648672",
    "22 rue de Strasbourg", "44000", "Nantes", "+33 2 40 35 61 20",
    "SA29", "Laboratoire de biologie médicale" },
  { "org-imaging", "Centre d'imagerie médicale Nantes Atlantique", "447051368",
    "8 quai de Versailles", "44000", "Nantes", "+33 2 40 14 22 50",
    "SA52", "Centre de radiologie" },
};
const guint sandbox_n_orgs = G_N_ELEMENTS (sandbox_orgs);

#define GP_SPE "SM54", "Médecine générale", "Médecin généraliste"

const SandboxStaffDef sandbox_staff[] = {
  { "gp-1", "Hélène", "Le Goff", "female", STAFF_GP, GP_SPE, NULL, SANDBOX_PRACTICE_ID,
    "10534640973", "helene.legoff@tilleuls.mssante.fr" },
  { "gp-2", "François", "Bégué", "male", STAFF_GP, GP_SPE, NULL, SANDBOX_PRACTICE_ID,
    "10302466338", "francois.begue@tilleuls.mssante.fr" },
  { "gp-3", "Anaïs", "Morvan", "female", STAFF_GP, GP_SPE, NULL, SANDBOX_PRACTICE_ID,
    "10629923128", "anais.morvan@tilleuls.mssante.fr" },
  { "other-gp-1", "Jérôme", "Cadiou", "male", STAFF_OTHER_GP, GP_SPE, NULL, "org-other-practice",
    "10973669467", "jerome.cadiou@msp-erdre.mssante.fr" },
  { "other-gp-2", "Cécile", "Hénaff", "female", STAFF_OTHER_GP, GP_SPE, NULL, "org-other-practice",
    "10164808940", "cecile.henaff@msp-erdre.mssante.fr" },
  { "other-gp-3", "Benoît", "Lévêque", "male", STAFF_OTHER_GP, GP_SPE, NULL, "org-other-practice",
    "10197222333", "benoit.leveque@msp-erdre.mssante.fr" },
  { "spe-cardio-1", "Noël", "Kerjean", "male", STAFF_CARDIOLOGIST,
    "SM04", "Cardiologie et maladies vasculaires", "Cardiologue", "Service de cardiologie",
    "org-chu-nantes", "10819248658", "noel.kerjean@chu-nantes.mssante.fr" },
  { "spe-cardio-2", "Maëlle", "Guégan", "female", STAFF_CARDIOLOGIST,
    "SM04", "Cardiologie et maladies vasculaires", "Cardiologue", "Unité de rythmologie",
    "org-hp-confluent", "10226339207", "maelle.guegan@hpconfluent.mssante.fr" },
  { "spe-endo-1", "Gaëlle", "Pichon", "female", STAFF_ENDOCRINOLOGIST,
    "SM15", "Endocrinologie, diabétologie, nutrition", "Endocrinologue-diabétologue",
    "Service d'endocrinologie, diabétologie et nutrition",
    "org-chu-nantes", "10590819354", "gaelle.pichon@chu-nantes.mssante.fr" },
  { "spe-nephro-1", "Loïc", "Quéméner", "male", STAFF_NEPHROLOGIST,
    "SM36", "Néphrologie", "Néphrologue", "Service de néphrologie et immunologie clinique",
    "org-chu-nantes", "10882204828", "loic.quemener@chu-nantes.mssante.fr" },
  { "spe-pneumo-1", "Bérénice", "Riou", "female", STAFF_PULMONOLOGIST,
    "SM40", "Pneumologie", "Pneumologue", "Service de pneumologie",
    "org-ch-saint-nazaire", "10177844833", "berenice.riou@ch-saintnazaire.mssante.fr" },
  { "spe-urg-1", "Mamadou", "Diallo", "male", STAFF_EMERGENCY,
    "SM54", "Médecine d'urgence", "Urgentiste", "Service des urgences adultes",
    "org-chu-nantes", "10781068712", "mamadou.diallo@chu-nantes.mssante.fr" },
  { "spe-urg-2", "Solène", "Thébault", "female", STAFF_EMERGENCY,
    "SM54", "Médecine d'urgence", "Urgentiste", "Service des urgences",
    "org-ch-saint-nazaire", "10388163023", "solene.thebault@ch-saintnazaire.mssante.fr" },
  { "spe-chir-1", "Éric", "Frémont", "male", STAFF_SURGEON,
    "SM52", "Chirurgie viscérale et digestive", "Chirurgien viscéral", "Service de chirurgie digestive",
    "org-hp-confluent", "10150325826", "eric.fremont@hpconfluent.mssante.fr" },
  { "spe-geria-1", "Odile", "Jégou", "female", STAFF_GERIATRICIAN,
    "SM21", "Gériatrie", "Gériatre", "Pôle de gérontologie clinique",
    "org-chu-nantes", "10215356428", "odile.jegou@chu-nantes.mssante.fr" },
  { "spe-ped-1", "Zoé", "Hamon", "female", STAFF_PEDIATRICIAN,
    "SM42", "Pédiatrie", "Pédiatre", "Service de pédiatrie",
    "org-chu-nantes", "10682029383", "zoe.hamon@chu-nantes.mssante.fr" },
  { "bio-1", "Gwénaël", "Gicquel", "male", STAFF_BIOLOGIST,
    "SM05", "Biologie médicale", "Biologiste médical", NULL,
    "org-lab", "10661261163", "gwenael.gicquel@bioouest.mssante.fr" },
  { "bio-2", "Inès", "Da Silva", "female", STAFF_BIOLOGIST,
    "SM05", "Biologie médicale", "Biologiste médicale", NULL,
    "org-lab", "10193758363", "ines.dasilva@bioouest.mssante.fr" },
  { "rad-1", "Raphaël", "Le Bihan", "male", STAFF_RADIOLOGIST,
    "SM44", "Radiologie et imagerie médicale", "Radiologue", NULL,
    "org-imaging", "10423012417", "raphael.lebihan@imagerie-na.mssante.fr" },
  { "rad-2", "Élodie", "N'Diaye", "female", STAFF_RADIOLOGIST,
    "SM44", "Radiologie et imagerie médicale", "Radiologue", NULL,
    "org-imaging", "10221752941", "elodie.ndiaye@imagerie-na.mssante.fr" },
};
const guint sandbox_n_staff = G_N_ELEMENTS (sandbox_staff);

const SandboxOrgDef *
sandbox_org_lookup (const char *id)
{
  for (guint i = 0; i < sandbox_n_orgs; i++)
    if (strcmp (sandbox_orgs[i].id, id) == 0)
      return &sandbox_orgs[i];
  g_assert_not_reached ();
  return NULL;
}

const SandboxStaffDef *
sandbox_staff_pick (GRand            *rand,
                    SandboxStaffKind  kind)
{
  const SandboxStaffDef *found[8];
  guint n = 0;

  for (guint i = 0; i < sandbox_n_staff && n < G_N_ELEMENTS (found); i++)
    if (sandbox_staff[i].kind == kind)
      found[n++] = &sandbox_staff[i];
  g_assert (n > 0);
  return found[n == 1 ? 0 : g_rand_int_range (rand, 0, n)];
}

const char *
sandbox_staff_display (const SandboxStaffDef *staff,
                       char                  *buf,
                       gsize                  size)
{
  g_snprintf (buf, size, "Dr %s %s", staff->given, staff->family);
  return buf;
}

/* ----------------------------------------------------------------------- */
/* JSON and random helpers                                                 */
/* ----------------------------------------------------------------------- */

void
sandbox_emit (SandboxPatientGen *pg,
              const char        *type,
              const char        *id,
              JsonObject        *resource,
              JsonObject        *recipe)
{
  SandboxGen *gen = pg->gen;

  gen->emit (type, id, pg->index ? pg->id : NULL, resource, recipe, gen->user_data);
  json_object_unref (resource);
  if (recipe != NULL)
    json_object_unref (recipe);
}

JsonObject *
sandbox_resource_new (const char *type,
                      const char *id)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "resourceType", type);
  json_object_set_string_member (object, "id", id);
  return object;
}

JsonObject *
sandbox_coding_new (const char *system,
                    const char *code,
                    const char *display)
{
  JsonObject *coding = json_object_new ();

  json_object_set_string_member (coding, "system", system);
  json_object_set_string_member (coding, "code", code);
  if (display != NULL)
    json_object_set_string_member (coding, "display", display);
  return coding;
}

JsonObject *
sandbox_concept_new (const char *system,
                     const char *code,
                     const char *display,
                     const char *text)
{
  JsonObject *concept = json_object_new ();

  sandbox_append_object (concept, "coding", sandbox_coding_new (system, code, display));
  if (text != NULL)
    json_object_set_string_member (concept, "text", text);
  return concept;
}

JsonObject *
sandbox_reference_new (const char *reference,
                       const char *display)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "reference", reference);
  if (display != NULL)
    json_object_set_string_member (object, "display", display);
  return object;
}

/* Shared objects are keyed by a kind and up to four strings (NULL allowed),
 * hashed in place: no key is formatted on the hot path. */
typedef struct
{
  char        kind;
  const char *s[4];
} SharedKey;

static guint
shared_key_hash (gconstpointer data)
{
  const SharedKey *key = data;
  guint hash = (guint) key->kind;

  for (guint i = 0; i < 4; i++)
    hash = hash * 31 + (key->s[i] != NULL ? g_str_hash (key->s[i]) : 7);
  return hash;
}

static gboolean
shared_key_equal (gconstpointer a,
                  gconstpointer b)
{
  const SharedKey *ka = a, *kb = b;

  if (ka->kind != kb->kind)
    return FALSE;
  for (guint i = 0; i < 4; i++)
    if (g_strcmp0 (ka->s[i], kb->s[i]) != 0)
      return FALSE;
  return TRUE;
}

static void
shared_key_free (gpointer data)
{
  SharedKey *key = data;

  for (guint i = 0; i < 4; i++)
    g_free ((char *) key->s[i]);
  g_free (key);
}

static GHashTable *
shared_table_new (void)
{
  return g_hash_table_new_full (shared_key_hash, shared_key_equal, shared_key_free,
                                (GDestroyNotify) json_object_unref);
}

static JsonObject *
shared_get (SandboxGen *gen, char kind, const char *a, const char *b, const char *c, const char *d)
{
  SharedKey key = { kind, { a, b, c, d } };
  JsonObject *object = g_hash_table_lookup (gen->shared, &key);

  return object != NULL ? json_object_ref (object) : NULL;
}

static JsonObject *
shared_put (SandboxGen *gen, char kind, const char *a, const char *b, const char *c, const char *d,
            JsonObject *object)
{
  SharedKey *key = g_new (SharedKey, 1);

  key->kind = kind;
  key->s[0] = g_strdup (a);
  key->s[1] = g_strdup (b);
  key->s[2] = g_strdup (c);
  key->s[3] = g_strdup (d);
  json_object_seal (object);
  g_hash_table_insert (gen->shared, key, object);
  return json_object_ref (object);
}

JsonObject *
sandbox_shared_lookup (SandboxGen *gen,
                       const char *key)
{
  return shared_get (gen, 'k', key, NULL, NULL, NULL);
}

JsonObject *
sandbox_shared_insert (SandboxGen *gen,
                       const char *key,
                       JsonObject *object)
{
  return shared_put (gen, 'k', key, NULL, NULL, NULL, object);
}

JsonObject *
sandbox_shared_concept (SandboxGen *gen,
                        const char *system,
                        const char *code,
                        const char *display,
                        const char *text)
{
  JsonObject *object = shared_get (gen, 'C', system, code, display, text);

  if (object == NULL)
    object = shared_put (gen, 'C', system, code, display, text, sandbox_concept_new (system, code, display, text));
  return object;
}

JsonObject *
sandbox_shared_coding (SandboxGen *gen,
                       const char *system,
                       const char *code,
                       const char *display)
{
  JsonObject *object = shared_get (gen, 'c', system, code, display, NULL);

  if (object == NULL)
    object = shared_put (gen, 'c', system, code, display, NULL, sandbox_coding_new (system, code, display));
  return object;
}

JsonObject *
sandbox_shared_reference (SandboxGen *gen,
                          const char *reference,
                          const char *display)
{
  JsonObject *object = shared_get (gen, 'R', reference, display, NULL, NULL);

  if (object == NULL)
    object = shared_put (gen, 'R', reference, display, NULL, NULL, sandbox_reference_new (reference, display));
  return object;
}

void
sandbox_set_shared_list (SandboxGen *gen,
                         JsonObject *object,
                         const char *member,
                         JsonObject *element)
{
  JsonArray *array = g_hash_table_lookup (gen->singletons, element);

  /* Shared objects live as long as the generator: their address is a key. */
  if (array == NULL)
    {
      array = json_array_new ();
      json_array_add_object_element (array, element);
      json_array_seal (array);
      g_hash_table_insert (gen->singletons, element, array);
    }
  else
    json_object_unref (element);
  json_object_set_array_member (object, member, json_array_ref (array));
}

static JsonArray *
get_array (JsonObject *object,
           const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL)
    {
      JsonArray *array = json_array_new ();
      json_object_set_array_member (object, member, array);
      return array;
    }
  return json_node_get_array (node);
}

void
sandbox_append_object (JsonObject *object,
                       const char *member,
                       JsonObject *value)
{
  json_array_add_object_element (get_array (object, member), value);
}

void
sandbox_append_string (JsonObject *object,
                       const char *member,
                       const char *value)
{
  json_array_add_string_element (get_array (object, member), value);
}

void
sandbox_format_day (guint32 day,
                    char    buf[16])
{
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_julian (&date, day);
  g_snprintf (buf, 16, "%04u-%02u-%02u",
              g_date_get_year (&date), g_date_get_month (&date), g_date_get_day (&date));
}

void
sandbox_format_datetime (guint32 day,
                         int     minutes,
                         char    buf[32])
{
  GDate date;
  guint month;

  g_date_clear (&date, 1);
  g_date_set_julian (&date, day);
  month = g_date_get_month (&date);
  /* Close enough to French summer time for a synthetic practice. */
  g_snprintf (buf, 32, "%04u-%02u-%02uT%02d:%02d:00%s",
              g_date_get_year (&date), month, g_date_get_day (&date),
              minutes / 60, minutes % 60,
              month >= 4 && month <= 10 ? "+02:00" : "+01:00");
}

double
sandbox_gauss (GRand  *rand,
               double  mean,
               double  sd)
{
  /* Box-Muller; 1 - u keeps log() away from 0. */
  double u = 1.0 - g_rand_double (rand);
  double v = g_rand_double (rand);

  return mean + sd * sqrt (-2.0 * log (u)) * cos (2.0 * G_PI * v);
}

guint
sandbox_poisson (GRand  *rand,
                 double  lambda)
{
  double l = exp (-lambda), p = 1.0;
  guint k = 0;

  if (lambda <= 0)
    return 0;
  if (lambda > 30)
    return (guint) MAX (0, round (sandbox_gauss (rand, lambda, sqrt (lambda))));
  do
    {
      k++;
      p *= g_rand_double (rand);
    }
  while (p > l);
  return k - 1;
}

static GRand *
stream_new (guint64 seed,
            guint   index,
            guint   purpose)
{
  guint32 words[4] = { (guint32) seed, (guint32) (seed >> 32), index, purpose };

  return g_rand_new_with_seed_array (words, G_N_ELEMENTS (words));
}

/* ----------------------------------------------------------------------- */
/* Directory resources                                                     */
/* ----------------------------------------------------------------------- */

static JsonObject *
address_new (const char *line,
             const char *postal_code,
             const char *city)
{
  JsonObject *address = json_object_new ();

  json_object_set_string_member (address, "use", "work");
  sandbox_append_string (address, "line", line);
  json_object_set_string_member (address, "city", city);
  json_object_set_string_member (address, "postalCode", postal_code);
  json_object_set_string_member (address, "country", "FRA");
  return address;
}

static JsonObject *
telecom_new (const char *system,
             const char *value,
             const char *use)
{
  JsonObject *telecom = json_object_new ();

  json_object_set_string_member (telecom, "system", system);
  json_object_set_string_member (telecom, "value", value);
  if (use != NULL)
    json_object_set_string_member (telecom, "use", use);
  return telecom;
}

static void
emit_directory (SandboxPatientGen *pg)
{
  for (guint i = 0; i < sandbox_n_orgs; i++)
    {
      const SandboxOrgDef *org = &sandbox_orgs[i];
      JsonObject *o = sandbox_resource_new ("Organization", org->id);
      JsonObject *identifier = json_object_new ();

      json_object_set_string_member (identifier, "system", SYS_FINESS);
      json_object_set_string_member (identifier, "value", org->finess);
      sandbox_append_object (o, "identifier", identifier);
      json_object_set_boolean_member (o, "active", TRUE);
      sandbox_append_object (o, "type", sandbox_concept_new ("urn:oid:1.2.250.1.71.4.2.4",
                                                             org->facility_code,
                                                             org->facility_display, NULL));
      json_object_set_string_member (o, "name", org->name);
      sandbox_append_object (o, "telecom", telecom_new ("phone", org->phone, "work"));
      sandbox_append_object (o, "address", address_new (org->line, org->postal_code, org->city));
      sandbox_emit (pg, "Organization", org->id, o, NULL);
    }

  for (guint i = 0; i < sandbox_n_staff; i++)
    {
      const SandboxStaffDef *s = &sandbox_staff[i];
      const SandboxOrgDef *org = sandbox_org_lookup (s->org_id);
      JsonObject *p = sandbox_resource_new ("Practitioner", s->id);
      JsonObject *identifier, *name, *qualification;
      g_autofree char *idnat = g_strconcat ("8", s->rpps, NULL);

      identifier = json_object_new ();
      json_object_set_string_member (identifier, "use", "official");
      json_object_set_object_member (identifier, "type",
                                     sandbox_concept_new ("https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203",
                                                          "IDNPS", "Identifiant National de Professionnel de Santé", NULL));
      json_object_set_string_member (identifier, "system", SYS_IDNAT_PS);
      json_object_set_string_member (identifier, "value", idnat);
      sandbox_append_object (p, "identifier", identifier);
      identifier = json_object_new ();
      json_object_set_string_member (identifier, "system", SYS_RPPS);
      json_object_set_string_member (identifier, "value", s->rpps);
      sandbox_append_object (p, "identifier", identifier);
      json_object_set_boolean_member (p, "active", TRUE);

      name = json_object_new ();
      json_object_set_string_member (name, "use", "official");
      json_object_set_string_member (name, "family", s->family);
      sandbox_append_string (name, "given", s->given);
      sandbox_append_string (name, "prefix", "Dr");
      sandbox_append_object (p, "name", name);
      sandbox_append_object (p, "telecom", telecom_new ("phone", org->phone, "work"));
      sandbox_append_object (p, "telecom", telecom_new ("email", s->mail, "work"));
      sandbox_append_object (p, "address", address_new (org->line, org->postal_code, org->city));
      json_object_set_string_member (p, "gender", s->gender);

      qualification = json_object_new ();
      json_object_set_object_member (qualification, "code",
                                     sandbox_concept_new (SANDBOX_SYSTEM_SPECIALTY, s->specialty_code,
                                                          s->specialty, s->title));
      sandbox_append_object (p, "qualification", qualification);
      sandbox_emit (pg, "Practitioner", s->id, p, NULL);
    }

  for (guint i = 0; i < sandbox_n_staff; i++)
    {
      const SandboxStaffDef *s = &sandbox_staff[i];
      const SandboxOrgDef *org = sandbox_org_lookup (s->org_id);
      g_autofree char *id = g_strconcat ("role-", s->id, NULL);
      g_autofree char *practitioner = g_strconcat ("Practitioner/", s->id, NULL);
      g_autofree char *organization = g_strconcat ("Organization/", s->org_id, NULL);
      char display[128];
      JsonObject *r = sandbox_resource_new ("PractitionerRole", id);

      json_object_set_boolean_member (r, "active", TRUE);
      json_object_set_object_member (r, "practitioner",
                                     sandbox_reference_new (practitioner, sandbox_staff_display (s, display, sizeof display)));
      json_object_set_object_member (r, "organization", sandbox_reference_new (organization, org->name));
      sandbox_append_object (r, "code", sandbox_concept_new (SANDBOX_SYSTEM_PROFESSION, "10", "Médecin", s->title));
      sandbox_append_object (r, "specialty", sandbox_concept_new (SANDBOX_SYSTEM_SPECIALTY, s->specialty_code,
                                                                  s->specialty, NULL));
      sandbox_append_object (r, "telecom", telecom_new ("email", s->mail, "work"));
      sandbox_emit (pg, "PractitionerRole", id, r, NULL);
    }
}

/* ----------------------------------------------------------------------- */
/* Patient identity                                                        */
/* ----------------------------------------------------------------------- */

/* Share of the population per 5-year band, 0-4 .. 90-94 (INSEE, rounded). */
static const double age_pyramid[] = {
  5.3, 5.9, 6.2, 6.2, 5.7, 5.6, 6.0, 6.3, 6.2, 6.6,
  6.7, 6.5, 6.2, 5.8, 5.4, 3.9, 2.9, 2.0, 1.0,
};

static int
draw_age (GRand *rand)
{
  double total = 0, x;

  for (guint i = 0; i < G_N_ELEMENTS (age_pyramid); i++)
    total += age_pyramid[i];
  x = g_rand_double (rand) * total;
  for (guint i = 0; i < G_N_ELEMENTS (age_pyramid); i++)
    {
      if (x < age_pyramid[i])
        return 5 * i + g_rand_int_range (rand, 0, 5);
      x -= age_pyramid[i];
    }
  return 90;
}

static const SandboxCommune *
draw_birth_place (GRand *rand)
{
  double x = g_rand_double (rand);

  if (x < 0.45)   /* Loire-Atlantique */
    return &sandbox_birth_communes[g_rand_int_range (rand, 0, 5)];
  if (x < 0.84)   /* elsewhere in France */
    return &sandbox_birth_communes[g_rand_int_range (rand, 5, 20)];
  if (x < 0.88)   /* Corsica */
    return &sandbox_birth_communes[g_rand_int_range (rand, 20, 24)];
  return &sandbox_birth_communes[g_rand_int_range (rand, 24, sandbox_n_birth_communes)];
}

static int
nir_key (const char *nir13)
{
  char digits[14];
  guint64 number;

  memcpy (digits, nir13, 13);
  digits[13] = '\0';
  /* Corsica: 2A and 2B read as 19 and 18. */
  if (digits[6] == 'A' || digits[6] == 'B')
    {
      digits[6] = digits[6] == 'A' ? '9' : '8';
      digits[5] = '1';
    }
  number = g_ascii_strtoull (digits, NULL, 10);
  return 97 - (int) (number % 97);
}

static void
make_nir (SandboxPatientGen *pg)
{
  GDate birth;
  const char *insee = pg->birth_place->insee;

  g_date_clear (&birth, 1);
  g_date_set_julian (&birth, pg->birth);
  for (;;)
    {
      char nir13[14];

      g_snprintf (nir13, sizeof nir13, "%c%02u%02u%.5s%03d",
                  pg->female ? '2' : '1',
                  g_date_get_year (&birth) % 100, g_date_get_month (&birth),
                  insee, g_rand_int_range (pg->rand, 1, 1000));
      g_snprintf (pg->nir, sizeof pg->nir, "%s%02d", nir13, nir_key (nir13));
      if (g_hash_table_add (pg->gen->nirs, g_strdup (pg->nir)))
        break;
    }
}

static const char *
pick (GRand              *rand,
      const char * const *list,
      guint               n)
{
  return list[g_rand_int_range (rand, 0, n)];
}

static void
draw_identity (SandboxPatientGen *pg)
{
  GRand *rand = pg->rand;
  const char * const *given_list;
  guint n_given_list;
  double x;
  int days_into_year;

  pg->female = g_rand_double (rand) < 0.52;
  pg->age = draw_age (rand);
  days_into_year = g_rand_int_range (rand, 0, 365);
  pg->birth = pg->gen->today - (guint32) (pg->age * 365.25) - days_into_year;
  pg->age = (int) ((pg->gen->today - pg->birth) / 365.25);

  given_list = pg->female ? sandbox_given_female : sandbox_given_male;
  n_given_list = pg->female ? sandbox_n_given_female : sandbox_n_given_male;
  x = g_rand_double (rand);
  pg->n_given = x < 0.35 ? 1 : x < 0.8 ? 2 : 3;
  for (guint i = 0; i < pg->n_given; i++)
    {
      const char *name;
      gboolean dup;

      do
        {
          name = pick (rand, given_list, n_given_list);
          dup = FALSE;
          for (guint j = 0; j < i; j++)
            dup |= strcmp (pg->given[j], name) == 0;
        }
      while (dup);
      pg->given[i] = name;
    }
  pg->birth_family = pick (rand, sandbox_family_names, sandbox_n_family_names);
  pg->usual_family = NULL;
  if (pg->female && pg->age >= 25 && g_rand_double (rand) < 0.55)
    {
      do
        pg->usual_family = pick (rand, sandbox_family_names, sandbox_n_family_names);
      while (strcmp (pg->usual_family, pg->birth_family) == 0);
    }

  pg->birth_place = draw_birth_place (rand);
  make_nir (pg);

  x = g_rand_double (rand);
  pg->status = x < 0.80 ? "QUAL" : x < 0.88 ? "VALI" : x < 0.96 ? "PROV" : "RECUP";

  if (g_rand_double (rand) < 0.92)
    pg->gp = &sandbox_staff[g_rand_int_range (rand, 0, SANDBOX_N_GPS)];
  else
    pg->gp = sandbox_staff_pick (rand, STAFF_OTHER_GP);

  /* About 1% block one of the practice's GPs (never their own); the 38th
   * patient always blocks gp-1, so tests have a known case. */
  pg->blocked = NULL;
  if (pg->index == 38)
    {
      pg->gp = &sandbox_staff[1 + g_rand_int_range (rand, 0, 2)];
      pg->blocked = &sandbox_staff[0];
    }
  else if (g_rand_double (rand) < 0.01)
    {
      const SandboxStaffDef *other = &sandbox_staff[1 + g_rand_int_range (rand, 0, 2)];
      pg->blocked = other == pg->gp ? &sandbox_staff[other == &sandbox_staff[1] ? 2 : 1] : other;
    }
}

static JsonObject *
name_new (const char         *use,
          const char         *family,
          const char * const *given,
          guint               n_given)
{
  JsonObject *name = json_object_new ();

  json_object_set_string_member (name, "use", use);
  json_object_set_string_member (name, "family", family);
  for (guint i = 0; i < n_given; i++)
    sandbox_append_string (name, "given", given[i]);
  return name;
}

static void
emit_patient (SandboxPatientGen *pg)
{
  GRand *rand = pg->rand;
  JsonObject *p = sandbox_resource_new ("Patient", pg->id);
  JsonObject *identifier, *ext, *sub, *address, *place, *insee;
  const SandboxCommune *home;
  char buf[128], day[16];
  g_autofree char *gp_ref = g_strconcat ("Practitioner/", pg->gp->id, NULL);

  /* Identity reliability, with the INS only when qualified. */
  ext = json_object_new ();
  json_object_set_string_member (ext, "url", URL_RELIABILITY);
  sub = json_object_new ();
  json_object_set_string_member (sub, "url", "identityStatus");
  json_object_set_object_member (sub, "valueCoding",
                                 sandbox_coding_new ("https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-identity-status",
                                                     pg->status,
                                                     g_str_equal (pg->status, "QUAL") ? "Identité qualifiée"
                                                     : g_str_equal (pg->status, "VALI") ? "Identité validée"
                                                     : g_str_equal (pg->status, "PROV") ? "Identité provisoire"
                                                     : "Identité récupérée"));
  sandbox_append_object (ext, "extension", sub);
  sandbox_append_object (p, "extension", ext);

  ext = json_object_new ();
  json_object_set_string_member (ext, "url", URL_BIRTH_PLACE);
  place = json_object_new ();
  insee = json_object_new ();
  json_object_set_string_member (insee, "url", SANDBOX_SYSTEM_INSEE_EXT);
  json_object_set_object_member (insee, "valueCoding",
                                 sandbox_coding_new (SANDBOX_SYSTEM_INSEE, pg->birth_place->insee, pg->birth_place->name));
  sandbox_append_object (place, "extension", insee);
  if (pg->birth_place->postal_code != NULL)
    {
      json_object_set_string_member (place, "city", pg->birth_place->name);
      json_object_set_string_member (place, "country", "FRA");
    }
  else
    json_object_set_string_member (place, "country", pg->birth_place->name);
  json_object_set_object_member (ext, "valueAddress", place);
  sandbox_append_object (p, "extension", ext);

  if (g_str_equal (pg->status, "QUAL"))
    {
      identifier = json_object_new ();
      json_object_set_string_member (identifier, "use", "official");
      json_object_set_object_member (identifier, "type",
                                     sandbox_concept_new ("https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203",
                                                          "INS-NIR", "NIR définitif", NULL));
      json_object_set_string_member (identifier, "system", SYS_INS_NIR);
      json_object_set_string_member (identifier, "value", pg->nir);
      sandbox_append_object (p, "identifier", identifier);
    }
  identifier = json_object_new ();
  json_object_set_string_member (identifier, "use", "usual");
  json_object_set_string_member (identifier, "system", SANDBOX_SYSTEM_LOCAL_PATIENT);
  g_snprintf (buf, sizeof buf, "IPP-%s", pg->num);
  json_object_set_string_member (identifier, "value", buf);
  sandbox_append_object (p, "identifier", identifier);

  json_object_set_boolean_member (p, "active", TRUE);
  /* FR Core: the birth name and birth given names are the official name;
   * the used name, when different, is the usual one. */
  sandbox_append_object (p, "name", name_new ("official", pg->birth_family, pg->given, pg->n_given));
  if (pg->usual_family != NULL)
    sandbox_append_object (p, "name", name_new ("usual", pg->usual_family, pg->given, 1));

  g_snprintf (buf, sizeof buf, "+33 6 %02d %02d %02d %02d",
              g_rand_int_range (rand, 0, 100), g_rand_int_range (rand, 0, 100),
              g_rand_int_range (rand, 0, 100), g_rand_int_range (rand, 0, 100));
  sandbox_append_object (p, "telecom", telecom_new ("phone", buf, "mobile"));
  json_object_set_string_member (p, "gender", pg->female ? "female" : "male");
  sandbox_format_day (pg->birth, day);
  json_object_set_string_member (p, "birthDate", day);

  home = &sandbox_home_communes[g_rand_int_range (rand, 0, sandbox_n_home_communes)];
  g_snprintf (buf, sizeof buf, "%d %s", g_rand_int_range (rand, 1, 120),
              pick (rand, sandbox_street_names, sandbox_n_street_names));
  address = address_new (buf, home->postal_code, home->name);
  json_object_set_string_member (address, "use", "home");
  sandbox_append_object (p, "address", address);

  sandbox_append_object (p, "generalPractitioner", sandbox_reference_new (gp_ref, NULL));
  if (pg->gp->kind == STAFF_GP)
    json_object_set_object_member (p, "managingOrganization",
                                   sandbox_reference_new ("Organization/" SANDBOX_PRACTICE_ID, NULL));
  sandbox_emit (pg, "Patient", pg->id, p, NULL);
}

static void
emit_consent (SandboxPatientGen *pg)
{
  g_autofree char *id = g_strconcat ("consent-", pg->id, NULL);
  g_autofree char *blocked = g_strconcat ("Practitioner/", pg->blocked->id, NULL);
  JsonObject *c = sandbox_resource_new ("Consent", id);
  JsonObject *provision = json_object_new ();
  JsonObject *actor = json_object_new ();
  char display[128], when[32];

  json_object_set_string_member (c, "status", "active");
  json_object_set_object_member (c, "scope",
                                 sandbox_concept_new ("http://terminology.hl7.org/CodeSystem/consentscope",
                                                      "patient-privacy", "Privacy Consent", NULL));
  sandbox_append_object (c, "category", sandbox_concept_new ("http://loinc.org", "59284-0", "Patient Consent",
                                                             "Opposition à l'accès d'un professionnel"));
  json_object_set_object_member (c, "patient", sandbox_reference_new (pg->ref, NULL));
  sandbox_format_datetime (pg->gen->start + g_rand_int_range (pg->rand, 0, 300), 600, when);
  json_object_set_string_member (c, "dateTime", when);

  json_object_set_string_member (provision, "type", "deny");
  json_object_set_object_member (actor, "role",
                                 sandbox_concept_new ("http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                                      "PRCP", "primary information recipient", NULL));
  json_object_set_object_member (actor, "reference",
                                 sandbox_reference_new (blocked, sandbox_staff_display (pg->blocked, display, sizeof display)));
  sandbox_append_object (provision, "actor", actor);
  json_object_set_object_member (c, "provision", provision);
  sandbox_emit (pg, "Consent", id, c, NULL);
}

/* ----------------------------------------------------------------------- */
/* Entry point                                                             */
/* ----------------------------------------------------------------------- */

static guint32
parse_today (const char *text)
{
  unsigned y = 0, m = 0, d = 0;
  GDate date;

  /* No clock: without a date the practice lives on a fixed day. */
  if (text == NULL || sscanf (text, "%4u-%2u-%2u", &y, &m, &d) != 3 ||
      !g_date_valid_dmy (d, m, y))
    {
      y = 2025;
      m = 6;
      d = 30;
    }
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, d, m, y);
  return g_date_get_julian (&date);
}

void
sandbox_gen_practice (const SandboxGenOptions *options,
                      SandboxEmitFunc          emit,
                      gpointer                 user_data)
{
  SandboxGen gen = { 0 };
  SandboxPatientGen directory = { 0 };
  guint years;

  g_return_if_fail (options != NULL);
  g_return_if_fail (emit != NULL);

  years = options->years > 0 ? options->years : 5;
  gen.options = options;
  gen.emit = emit;
  gen.user_data = user_data;
  gen.today = parse_today (options->today);
  gen.start = gen.today - (guint32) (years * 365.25);
  gen.nirs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gen.shared = shared_table_new ();
  gen.singletons = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) json_array_unref);

  directory.gen = &gen;
  emit_directory (&directory);
  sandbox_gen_recipe_blocks (&gen);

  for (guint i = 1; i <= options->n_patients; i++)
    {
      SandboxPatientGen pg = { 0 };

      pg.gen = &gen;
      pg.index = i;
      pg.rand = stream_new (options->seed, i, 1);
      g_snprintf (pg.num, sizeof pg.num, "%05u", i);
      g_snprintf (pg.id, sizeof pg.id, "pat-%s", pg.num);
      g_snprintf (pg.ref, sizeof pg.ref, "Patient/%s", pg.id);

      draw_identity (&pg);
      emit_patient (&pg);
      if (pg.blocked != NULL)
        emit_consent (&pg);
      sandbox_gen_conditions (&pg);
      sandbox_gen_history (&pg);
      sandbox_gen_flush_lists (&pg);
      g_clear_pointer (&pg.recipe_patient, json_object_unref);
      g_clear_pointer (&pg.recipe_treatment, json_array_unref);
      g_clear_pointer (&pg.recipe_conditions, json_array_unref);
      g_rand_free (pg.rand);
    }

  sandbox_gen_recipe_clear (&gen);
  g_hash_table_unref (gen.nirs);
  g_hash_table_unref (gen.singletons);
  g_hash_table_unref (gen.shared);
}
