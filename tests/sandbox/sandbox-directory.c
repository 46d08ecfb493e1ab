/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-sandbox"

#include "sandbox-directory.h"
#include "sandbox-gen-private.h"
#include "sandbox-names.h"
#include "sandbox-util.h"

#include <string.h>

/* The directory's stand-in (sandbox-directory.h). Search follows FHIR R4's
 * rules as the Annuaire Santé API applies them: a string parameter (name,
 * family, given, address-city) matches a field that starts with the value
 * once both are case- and accent-folded (":exact" compares as written,
 * ":contains" anywhere); a token (identifier, email) is "system|value",
 * "value" or "system|"; a reference (practitioner) is "Practitioner/id" or
 * "id"; commas are OR, a repeated parameter is AND; _count pages with a
 * "next" link. An unknown parameter is refused (400, OperationOutcome)
 * rather than ignored, so a client that relies on one finds out here. */

#define SYS_IDNAT_PS  "urn:oid:1.2.250.1.71.4.2.1"
#define SYS_RPPS      "https://rpps.esante.gouv.fr"
#define DEFAULT_COUNT 20
#define MAX_COUNT     100

typedef struct
{
  char       *id;
  JsonObject *resource;
  char       *family;      /* folded */
  GPtrArray  *names;       /* folded: family, given names, prefix, text */
  GPtrArray  *raw_names;   /* as written, same order */
  GPtrArray  *givens;      /* folded */
  GPtrArray  *cities;      /* folded */
  GPtrArray  *raw_cities;
  GPtrArray  *idents;      /* "system|value" */
  GPtrArray  *emails;      /* lower case */
} Prac;

typedef struct
{
  char       *id;
  char       *practitioner_id;
  JsonObject *resource;
  GPtrArray  *idents;
  GPtrArray  *emails;
} Role;

struct _SandboxDirectory
{
  GPtrArray  *pracs;       /* Prac*, by family name then id */
  GPtrArray  *roles;       /* Role*, by id */
  GHashTable *prac_by_id;  /* id -> Prac* */
};

/* ------------------------------------------------------------- helpers */

static char *
fold (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
  g_autofree char *lower = g_utf8_casefold (valid, -1);
  g_autofree char *nfd = g_utf8_normalize (lower, -1, G_NORMALIZE_NFD);
  GString *out = g_string_new (NULL);

  for (const char *p = nfd; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType t = g_unichar_type (c);

      if (t == G_UNICODE_NON_SPACING_MARK || t == G_UNICODE_SPACING_MARK || t == G_UNICODE_ENCLOSING_MARK)
        continue;
      if (c == 0x0153)
        g_string_append (out, "oe");
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/* "Le Goff" -> "legoff", "N'Diaye" -> "ndiaye": an address's local part. */
static char *
mail_word (const char *text)
{
  g_autofree char *folded = fold (text);
  GString *out = g_string_new (NULL);

  for (const char *p = folded; *p; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

static JsonObject *
coding_concept (const char *system, const char *code, const char *display, const char *text)
{
  JsonObject *concept = json_object_new ();
  JsonObject *coding = json_object_new ();
  JsonArray *codings = json_array_new ();

  json_object_set_string_member (coding, "system", system);
  json_object_set_string_member (coding, "code", code);
  if (display != NULL)
    json_object_set_string_member (coding, "display", display);
  json_array_add_object_element (codings, coding);
  json_object_set_array_member (concept, "coding", codings);
  if (text != NULL)
    json_object_set_string_member (concept, "text", text);
  return concept;
}

static void
append (JsonObject *object, const char *member, JsonObject *value)
{
  JsonArray *array = json_object_has_member (object, member)
    ? json_object_get_array_member (object, member) : NULL;

  if (array == NULL)
    {
      array = json_array_new ();
      json_object_set_array_member (object, member, array);
    }
  json_array_add_object_element (array, value);
}

static JsonObject *
email_telecom (const char *address)
{
  JsonObject *t = json_object_new ();

  json_object_set_string_member (t, "system", "email");
  json_object_set_string_member (t, "value", address);
  json_object_set_string_member (t, "use", "work");
  return t;
}

static JsonObject *
identifier_new (const char *system, const char *value, const char *type_code)
{
  JsonObject *identifier = json_object_new ();

  if (type_code != NULL)
    json_object_set_object_member (identifier, "type",
      coding_concept ("https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203", type_code, NULL, NULL));
  json_object_set_string_member (identifier, "system", system);
  json_object_set_string_member (identifier, "value", value);
  return identifier;
}

static void
prac_free (gpointer p)
{
  Prac *prac = p;

  g_free (prac->id);
  json_object_unref (prac->resource);
  g_free (prac->family);
  g_ptr_array_unref (prac->names);
  g_ptr_array_unref (prac->raw_names);
  g_ptr_array_unref (prac->givens);
  g_ptr_array_unref (prac->cities);
  g_ptr_array_unref (prac->raw_cities);
  g_ptr_array_unref (prac->idents);
  g_ptr_array_unref (prac->emails);
  g_free (prac);
}

static void
role_free (gpointer p)
{
  Role *role = p;

  g_free (role->id);
  g_free (role->practitioner_id);
  json_object_unref (role->resource);
  g_ptr_array_unref (role->idents);
  g_ptr_array_unref (role->emails);
  g_free (role);
}

/* ----------------------------------------------------------- generation */

typedef struct
{
  const char *given;
  const char *family;
  const char *gender;
  const char *rpps;
  const char *specialty_code;
  const char *specialty;
  const char *title;
} Person;

typedef struct
{
  const char *org_id;         /* "Organization/<id>" when set */
  const char *org_name;
  const char *service;
  const char *line;
  const char *postal_code;
  const char *city;
  const char *mail;           /* the person's own address here */
  const char *service_mail;   /* the service's shared address, or NULL */
} Place;

static Prac *
add_practitioner (SandboxDirectory *dir, const char *id, const Person *person,
                  const Place *places, guint n_places)
{
  Prac *prac = g_new0 (Prac, 1);
  JsonObject *p = json_object_new ();
  JsonObject *name = json_object_new ();
  JsonArray *given = json_array_new ();
  JsonArray *prefix = json_array_new ();
  JsonObject *qualification = json_object_new ();
  g_autofree char *idnat = g_strconcat ("8", person->rpps, NULL);
  g_autofree char *text = g_strdup_printf ("Dr %s %s", person->given, person->family);

  prac->id = g_strdup (id);
  prac->names = g_ptr_array_new_with_free_func (g_free);
  prac->raw_names = g_ptr_array_new_with_free_func (g_free);
  prac->givens = g_ptr_array_new_with_free_func (g_free);
  prac->cities = g_ptr_array_new_with_free_func (g_free);
  prac->raw_cities = g_ptr_array_new_with_free_func (g_free);
  prac->idents = g_ptr_array_new_with_free_func (g_free);
  prac->emails = g_ptr_array_new_with_free_func (g_free);

  json_object_set_string_member (p, "resourceType", "Practitioner");
  json_object_set_string_member (p, "id", id);
  append (p, "identifier", identifier_new (SYS_IDNAT_PS, idnat, "IDNPS"));
  append (p, "identifier", identifier_new (SYS_RPPS, person->rpps, NULL));
  g_ptr_array_add (prac->idents, g_strconcat (SYS_IDNAT_PS "|", idnat, NULL));
  g_ptr_array_add (prac->idents, g_strconcat (SYS_RPPS "|", person->rpps, NULL));
  json_object_set_boolean_member (p, "active", TRUE);

  json_object_set_string_member (name, "use", "official");
  json_object_set_string_member (name, "text", text);
  json_object_set_string_member (name, "family", person->family);
  json_array_add_string_element (given, person->given);
  json_object_set_array_member (name, "given", given);
  json_array_add_string_element (prefix, "DR");
  json_object_set_array_member (name, "prefix", prefix);
  append (p, "name", name);
  prac->family = fold (person->family);
  g_ptr_array_add (prac->givens, fold (person->given));
  g_ptr_array_add (prac->names, fold (person->family));
  g_ptr_array_add (prac->names, fold (person->given));
  g_ptr_array_add (prac->names, g_strdup ("dr"));
  g_ptr_array_add (prac->names, fold (text));
  g_ptr_array_add (prac->raw_names, g_strdup (person->family));
  g_ptr_array_add (prac->raw_names, g_strdup (person->given));
  g_ptr_array_add (prac->raw_names, g_strdup ("DR"));
  g_ptr_array_add (prac->raw_names, g_strdup (text));

  /* The Annuaire lists a professional's MSSanté mailboxes on the
   * Practitioner and each on the role (situation) it belongs to. */
  for (guint i = 0; i < n_places; i++)
    {
      append (p, "telecom", email_telecom (places[i].mail));
      g_ptr_array_add (prac->emails, g_ascii_strdown (places[i].mail, -1));
    }
  for (guint i = 0; i < n_places; i++)
    {
      JsonObject *address = json_object_new ();
      JsonArray *lines = json_array_new ();

      json_object_set_string_member (address, "use", "work");
      json_array_add_string_element (lines, places[i].line);
      json_object_set_array_member (address, "line", lines);
      json_object_set_string_member (address, "city", places[i].city);
      json_object_set_string_member (address, "postalCode", places[i].postal_code);
      json_object_set_string_member (address, "country", "FRA");
      append (p, "address", address);
      g_ptr_array_add (prac->cities, fold (places[i].city));
      g_ptr_array_add (prac->raw_cities, g_strdup (places[i].city));
    }
  json_object_set_string_member (p, "gender", person->gender);
  json_object_set_object_member (qualification, "code",
                                 coding_concept (SANDBOX_SYSTEM_SPECIALTY, person->specialty_code,
                                                 person->specialty, person->title));
  append (p, "qualification", qualification);
  prac->resource = p;
  g_ptr_array_add (dir->pracs, prac);

  for (guint i = 0; i < n_places; i++)
    {
      Role *role = g_new0 (Role, 1);
      JsonObject *r = json_object_new ();
      JsonObject *ref = json_object_new ();
      g_autofree char *reference = g_strconcat ("Practitioner/", id, NULL);

      role->id = g_strdup_printf ("role-%s-%u", id, i + 1);
      role->practitioner_id = g_strdup (id);
      role->idents = g_ptr_array_new_with_free_func (g_free);
      role->emails = g_ptr_array_new_with_free_func (g_free);
      json_object_set_string_member (r, "resourceType", "PractitionerRole");
      json_object_set_string_member (r, "id", role->id);
      json_object_set_boolean_member (r, "active", TRUE);
      json_object_set_string_member (ref, "reference", reference);
      json_object_set_string_member (ref, "display", text);
      json_object_set_object_member (r, "practitioner", ref);
      ref = json_object_new ();
      if (places[i].org_id != NULL)
        {
          g_autofree char *org = g_strconcat ("Organization/", places[i].org_id, NULL);
          json_object_set_string_member (ref, "reference", org);
        }
      json_object_set_string_member (ref, "display", places[i].org_name);
      json_object_set_object_member (r, "organization", ref);
      if (places[i].service != NULL)
        {
          /* A hospital service: R4's healthcareService, named. */
          JsonObject *service = json_object_new ();
          json_object_set_string_member (service, "display", places[i].service);
          append (r, "healthcareService", service);
        }
      append (r, "code", coding_concept (SANDBOX_SYSTEM_PROFESSION, "10", "Médecin", person->title));
      append (r, "specialty", coding_concept (SANDBOX_SYSTEM_SPECIALTY, person->specialty_code,
                                              person->specialty, NULL));
      append (r, "telecom", email_telecom (places[i].mail));
      g_ptr_array_add (role->emails, g_ascii_strdown (places[i].mail, -1));
      if (places[i].service_mail != NULL)
        {
          append (r, "telecom", email_telecom (places[i].service_mail));
          g_ptr_array_add (role->emails, g_ascii_strdown (places[i].service_mail, -1));
        }
      role->resource = r;
      g_ptr_array_add (dir->roles, role);
    }
  return prac;
}

/* Shared mailboxes of hospital services and of the lab. */
static const struct { const char *staff_id; const char *mail; } service_mails[] = {
  { "spe-cardio-1", "cardiologie@chu-nantes.mssante.fr" },
  { "spe-urg-1", "urgences@chu-nantes.mssante.fr" },
  { "spe-pneumo-1", "pneumologie@ch-saintnazaire.mssante.fr" },
  { "spe-geria-1", "geriatrie@chu-nantes.mssante.fr" },
  { "bio-1", "resultats@bioouest.mssante.fr" },
};

static const struct { const char *org_id; const char *domain; } org_domains[] = {
  { "org-chu-nantes", "chu-nantes.mssante.fr" },
  { "org-ch-saint-nazaire", "ch-saintnazaire.mssante.fr" },
  { "org-hp-confluent", "hpconfluent.mssante.fr" },
};

static const struct { const char *code, *specialty, *title; } specialties[] = {
  { "SM04", "Cardiologie et maladies vasculaires", "Cardiologue" },
  { "SM10", "Dermatologie et vénéréologie", "Dermatologue" },
  { "SM11", "Endocrinologie et métabolismes", "Endocrinologue" },
  { "SM13", "Gastro-entérologie et hépatologie", "Gastro-entérologue" },
  { "SM20", "Gynécologie médicale", "Gynécologue" },
  { "SM32", "Neurologie", "Neurologue" },
  { "SM36", "Néphrologie", "Néphrologue" },
  { "SM38", "Ophtalmologie", "Ophtalmologue" },
  { "SM39", "Oto-rhino-laryngologie", "ORL" },
  { "SM40", "Pneumologie", "Pneumologue" },
  { "SM42", "Psychiatrie", "Psychiatre" },
  { "SM50", "Rhumatologie", "Rhumatologue" },
  { "SM44", "Radiologie et imagerie médicale", "Radiologue" },
};

/* RPPS: 11 digits, the last a Luhn key. */
static char *
make_rpps (GRand *rand, GHashTable *taken)
{
  for (;;)
    {
      char digits[12];
      int sum = 0;

      digits[0] = '1';
      digits[1] = '0';
      for (int i = 2; i < 10; i++)
        digits[i] = '0' + g_rand_int_range (rand, 0, 10);
      for (int i = 9, k = 1; i >= 0; i--, k++)
        {
          int d = digits[i] - '0';
          if (k % 2 == 1)
            d = d * 2 > 9 ? d * 2 - 9 : d * 2;
          sum += d;
        }
      digits[10] = '0' + (10 - sum % 10) % 10;
      digits[11] = '\0';
      if (!g_hash_table_contains (taken, digits))
        {
          char *rpps = g_strdup (digits);
          g_hash_table_add (taken, rpps);
          return g_strdup (rpps);
        }
    }
}

static char *
unique_mail (const char *given, const char *family, const char *domain, GHashTable *taken)
{
  g_autofree char *g = mail_word (given);
  g_autofree char *f = mail_word (family);

  for (guint n = 1; ; n++)
    {
      char *mail = n == 1 ? g_strdup_printf ("%s.%s@%s", g, f, domain)
                          : g_strdup_printf ("%s.%s%u@%s", g, f, n, domain);
      if (!g_hash_table_contains (taken, mail))
        {
          g_hash_table_add (taken, mail);
          return g_strdup (mail);
        }
      g_free (mail);
    }
}

static int
compare_pracs (gconstpointer a, gconstpointer b)
{
  const Prac *x = *(Prac * const *) a;
  const Prac *y = *(Prac * const *) b;
  int cmp = strcmp (x->family, y->family);

  return cmp != 0 ? cmp : strcmp (x->id, y->id);
}

SandboxDirectory *
sandbox_directory_new (guint64 seed,
                       guint   n_generated)
{
  SandboxDirectory *dir = g_new0 (SandboxDirectory, 1);
  g_autoptr(GRand) rand = g_rand_new_with_seed ((guint32) (seed * 2654435761u + 0xd1ec));
  g_autoptr(GHashTable) rpps_taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) mail_taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  dir->pracs = g_ptr_array_new_with_free_func (prac_free);
  dir->roles = g_ptr_array_new_with_free_func (role_free);
  dir->prac_by_id = g_hash_table_new (g_str_hash, g_str_equal);

  /* The practice's own correspondents: its doctors, the other practice,
   * the hospitals', lab's and imaging centre's doctors that write to it. */
  for (guint i = 0; i < sandbox_n_staff; i++)
    {
      const SandboxStaffDef *s = &sandbox_staff[i];
      const SandboxOrgDef *org = sandbox_org_lookup (s->org_id);
      Person person = { s->given, s->family, s->gender, s->rpps, s->specialty_code, s->specialty, s->title };
      Place place = { org->id, org->name, s->service, org->line, org->postal_code, org->city, s->mail, NULL };

      for (guint k = 0; k < G_N_ELEMENTS (service_mails); k++)
        if (g_str_equal (service_mails[k].staff_id, s->id))
          place.service_mail = service_mails[k].mail;
      g_hash_table_add (rpps_taken, g_strdup (s->rpps));
      g_hash_table_add (mail_taken, g_ascii_strdown (s->mail, -1));
      add_practitioner (dir, s->id, &person, &place, 1);
    }

  /* Specialists around: in town, in a hospital, some in both. */
  for (guint i = 0; i < n_generated; i++)
    {
      gboolean female = g_rand_boolean (rand);
      const char *given = female ? sandbox_given_female[g_rand_int_range (rand, 0, sandbox_n_given_female)]
                                 : sandbox_given_male[g_rand_int_range (rand, 0, sandbox_n_given_male)];
      const char *family = sandbox_family_names[g_rand_int_range (rand, 0, sandbox_n_family_names)];
      guint spe = g_rand_int_range (rand, 0, G_N_ELEMENTS (specialties));
      const SandboxCommune *commune = &sandbox_home_communes[g_rand_int_range (rand, 0, sandbox_n_home_communes)];
      const char *street = sandbox_street_names[g_rand_int_range (rand, 0, sandbox_n_street_names)];
      g_autofree char *rpps = make_rpps (rand, rpps_taken);
      g_autofree char *id = g_strdup_printf ("ps-%03u", i + 1);
      g_autofree char *line = g_strdup_printf ("%d %s", g_rand_int_range (rand, 1, 120), street);
      g_autofree char *cabinet = g_strdup_printf ("Cabinet de %s", specialties[spe].specialty);
      g_autofree char *mail = unique_mail (given, family, "medecin.mssante.fr", mail_taken);
      g_autofree char *mail2 = NULL;
      Person person = { given, family, female ? "female" : "male", rpps, specialties[spe].code,
                        specialties[spe].specialty, specialties[spe].title };
      Place places[2] = { { NULL, cabinet, NULL, line, commune->postal_code, commune->name, mail, NULL } };
      guint n_places = 1;
      guint where = g_rand_int_range (rand, 0, 4);

      /* One in four works in a hospital, one in four in town and there. */
      if (where <= 1)
        {
          guint k = g_rand_int_range (rand, 0, G_N_ELEMENTS (org_domains));
          const SandboxOrgDef *org = sandbox_org_lookup (org_domains[k].org_id);
          Place hospital = { org->id, org->name, NULL, org->line, org->postal_code, org->city, NULL, NULL };

          mail2 = unique_mail (given, family, org_domains[k].domain, mail_taken);
          hospital.mail = mail2;
          if (where == 0)
            places[0] = hospital;
          else
            places[n_places++] = hospital;
        }
      add_practitioner (dir, id, &person, places, n_places);
    }

  g_ptr_array_sort (dir->pracs, compare_pracs);
  for (guint i = 0; i < dir->pracs->len; i++)
    {
      Prac *prac = g_ptr_array_index (dir->pracs, i);
      g_hash_table_insert (dir->prac_by_id, prac->id, prac);
    }
  return dir;
}

void
sandbox_directory_free (SandboxDirectory *dir)
{
  if (dir == NULL)
    return;
  g_hash_table_unref (dir->prac_by_id);
  g_ptr_array_unref (dir->roles);
  g_ptr_array_unref (dir->pracs);
  g_free (dir);
}

/* --------------------------------------------------------------- search */

typedef enum { M_DEFAULT, M_EXACT, M_CONTAINS } Modifier;

typedef struct
{
  char      *name;
  Modifier   modifier;
  GPtrArray *values;   /* OR-ed, decoded */
} Clause;

static void
clause_free (gpointer p)
{
  Clause *c = p;

  g_free (c->name);
  g_ptr_array_unref (c->values);
  g_free (c);
}

static char *
decode (const char *text, gsize len)
{
  g_autofree char *raw = g_strndup (text, len);

  for (char *p = raw; *p; p++)
    if (*p == '+')
      *p = ' ';
  return g_uri_unescape_string (raw, NULL);
}

static gboolean
string_matches (GPtrArray *folded, GPtrArray *raw, Modifier modifier, const char *value)
{
  g_autofree char *v = fold (value);

  for (guint i = 0; i < folded->len; i++)
    {
      const char *f = g_ptr_array_index (folded, i);

      if ((modifier == M_EXACT && g_str_equal (g_ptr_array_index (raw, i), value)) ||
          (modifier == M_CONTAINS && strstr (f, v) != NULL) ||
          (modifier == M_DEFAULT && g_str_has_prefix (f, v)))
        return TRUE;
    }
  return FALSE;
}

static gboolean
token_matches (GPtrArray *tokens, const char *value, gboolean fold_case)
{
  const char *bar = strchr (value, '|');

  for (guint i = 0; i < tokens->len; i++)
    {
      const char *t = g_ptr_array_index (tokens, i);
      const char *t_bar = strchr (t, '|');
      const char *t_value = t_bar ? t_bar + 1 : t;

      if (bar == NULL)
        {
          if (fold_case ? g_ascii_strcasecmp (t_value, value) == 0 : g_str_equal (t_value, value))
            return TRUE;
        }
      else if (t_bar != NULL && (gsize) (t_bar - t) == (gsize) (bar - value) &&
               strncmp (t, value, bar - value) == 0 &&
               (bar[1] == '\0' || (fold_case ? g_ascii_strcasecmp (t_value, bar + 1) == 0
                                             : g_str_equal (t_value, bar + 1))))
        return TRUE;
    }
  return FALSE;
}

/* family and given look at their own part of the name; name at every part. */
static gboolean
name_part_matches (Prac *prac, guint part, Modifier modifier, const char *value)
{
  g_autoptr(GPtrArray) one = g_ptr_array_new ();
  g_autoptr(GPtrArray) one_raw = g_ptr_array_new ();

  g_ptr_array_add (one, g_ptr_array_index (prac->names, part));
  g_ptr_array_add (one_raw, g_ptr_array_index (prac->raw_names, part));
  return string_matches (one, one_raw, modifier, value);
}

static gboolean
prac_matches (Prac *prac, Clause *c)
{
  for (guint i = 0; i < c->values->len; i++)
    {
      const char *v = g_ptr_array_index (c->values, i);

      if (g_str_equal (c->name, "_id") ? g_str_equal (prac->id, v)
          : g_str_equal (c->name, "identifier") ? token_matches (prac->idents, v, FALSE)
          : g_str_equal (c->name, "email") ? token_matches (prac->emails, v, TRUE)
          : g_str_equal (c->name, "active") ? g_str_equal (v, "true")
          : g_str_equal (c->name, "address-city") ? string_matches (prac->cities, prac->raw_cities, c->modifier, v)
          : g_str_equal (c->name, "family") ? name_part_matches (prac, 0, c->modifier, v)
          : g_str_equal (c->name, "given") ? name_part_matches (prac, 1, c->modifier, v)
          : string_matches (prac->names, prac->raw_names, c->modifier, v))
        return TRUE;
    }
  return FALSE;
}

static gboolean
role_matches (Role *role, Clause *c)
{
  for (guint i = 0; i < c->values->len; i++)
    {
      const char *v = g_ptr_array_index (c->values, i);
      const char *id = g_str_has_prefix (v, "Practitioner/") ? v + strlen ("Practitioner/") : v;

      if (g_str_equal (c->name, "_id") ? g_str_equal (role->id, v)
          : g_str_equal (c->name, "practitioner") ? g_str_equal (role->practitioner_id, id)
          : g_str_equal (c->name, "email") ? token_matches (role->emails, v, TRUE)
          : g_str_equal (c->name, "active") ? g_str_equal (v, "true")
          : FALSE)
        return TRUE;
    }
  return FALSE;
}

static const char * const prac_params[] = {
  "_id", "identifier", "name", "family", "given", "address-city", "email", "active", NULL
};
static const char * const role_params[] = { "_id", "practitioner", "email", "active", NULL };

static void
add_entry (JsonArray *entries, const char *base_url, const char *type, const char *id,
           JsonObject *resource, const char *mode)
{
  JsonObject *entry = json_object_new ();
  JsonObject *search = json_object_new ();
  g_autofree char *full_url = g_strdup_printf ("%s/%s/%s", base_url, type, id);

  json_object_set_string_member (entry, "fullUrl", full_url);
  json_object_set_object_member (entry, "resource", json_object_ref (resource));
  json_object_set_string_member (search, "mode", mode);
  json_object_set_object_member (entry, "search", search);
  json_array_add_object_element (entries, entry);
}

static void
add_link (JsonObject *bundle, const char *relation, const char *url)
{
  JsonObject *link = json_object_new ();

  json_object_set_string_member (link, "relation", relation);
  json_object_set_string_member (link, "url", url);
  append (bundle, "link", link);
}

/* Takes @object. */
static SandboxResponse *
json_response (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  return sandbox_response_new_json (200, json_to_string (node, FALSE));
}

static SandboxResponse *
search (SandboxDirectory *dir, const char *type, const char *query, const char *base_url)
{
  gboolean is_role = g_str_equal (type, "PractitionerRole");
  const char * const *known = is_role ? role_params : prac_params;
  g_autoptr(GPtrArray) clauses = g_ptr_array_new_with_free_func (clause_free);
  g_autoptr(GString) self_query = g_string_new (NULL);
  g_autoptr(GPtrArray) matches = g_ptr_array_new ();
  g_autoptr(JsonObject) bundle = json_object_new ();
  JsonArray *entries = json_array_new ();
  guint count = DEFAULT_COUNT, offset = 0;
  gboolean include = FALSE, revinclude = FALSE;
  const char *p = query ? query : "";

  while (*p)
    {
      const char *amp = strchr (p, '&');
      gsize len = amp ? (gsize) (amp - p) : strlen (p);
      const char *eq = memchr (p, '=', len);
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;
      char *colon;
      Modifier modifier = M_DEFAULT;

      if (len == 0)
        {
          p++;
          continue;
        }
      name = decode (p, eq ? (gsize) (eq - p) : len);
      value = eq ? decode (eq + 1, len - (eq - p) - 1) : g_strdup ("");
      p += len + (amp ? 1 : 0);
      if (name == NULL || value == NULL)
        return sandbox_response_new_error (400, "Malformed query string");

      if (g_str_equal (name, "_getpagesoffset") || g_str_equal (name, "_count"))
        {
          char *end = NULL;
          gint64 n = g_ascii_strtoll (value, &end, 10);

          if (*value == '\0' || *end != '\0' || n < 0 || n > G_MAXINT)
            return sandbox_response_new_error (400, "Invalid paging parameter");
          if (g_str_equal (name, "_count"))
            count = (guint) CLAMP (n, 1, MAX_COUNT);
          else
            offset = (guint) n;
          if (g_str_equal (name, "_getpagesoffset"))
            continue;
        }
      else if (g_str_equal (name, "_include"))
        {
          if (!is_role || !g_str_equal (value, "PractitionerRole:practitioner"))
            return sandbox_response_new_error (400, "Unsupported _include");
          include = TRUE;
        }
      else if (g_str_equal (name, "_revinclude"))
        {
          if (is_role || !g_str_equal (value, "PractitionerRole:practitioner"))
            return sandbox_response_new_error (400, "Unsupported _revinclude");
          revinclude = TRUE;
        }
      else if (g_str_equal (name, "_format") || g_str_equal (name, "_total"))
        ;
      else
        {
          Clause *clause;
          g_auto(GStrv) alternatives = NULL;
          gboolean found = FALSE;

          colon = strchr (name, ':');
          if (colon != NULL)
            {
              if (g_str_equal (colon, ":exact"))
                modifier = M_EXACT;
              else if (g_str_equal (colon, ":contains"))
                modifier = M_CONTAINS;
              else
                return sandbox_response_new_error (400, "Unsupported search modifier");
              *colon = '\0';
              if (!g_strv_contains ((const char * const[]) { "name", "family", "given", "address-city", NULL },
                                    name))
                return sandbox_response_new_error (400, "Modifier on a parameter that is not a string");
            }
          found = g_strv_contains (known, name);
          if (!found)
            {
              g_autofree char *message = g_strdup_printf ("Unknown search parameter '%s' for %s", name, type);
              return sandbox_response_new_error (400, message);
            }
          if (*value == '\0')
            return sandbox_response_new_error (400, "Empty search value");
          clause = g_new0 (Clause, 1);
          clause->name = g_strdup (name);
          clause->modifier = modifier;
          clause->values = g_ptr_array_new_with_free_func (g_free);
          alternatives = g_strsplit (value, ",", -1);
          for (guint i = 0; alternatives[i] != NULL; i++)
            if (*alternatives[i] != '\0')
              g_ptr_array_add (clause->values, g_strdup (alternatives[i]));
          g_ptr_array_add (clauses, clause);
          if (colon != NULL)
            *colon = ':';
        }
      /* The self and next links repeat the query as received. */
      if (self_query->len > 0)
        g_string_append_c (self_query, '&');
      g_string_append_len (self_query, p - len - (amp ? 1 : 0), len);
    }

  if (is_role)
    for (guint i = 0; i < dir->roles->len; i++)
      {
        Role *role = g_ptr_array_index (dir->roles, i);
        gboolean ok = TRUE;

        for (guint k = 0; ok && k < clauses->len; k++)
          ok = role_matches (role, g_ptr_array_index (clauses, k));
        if (ok)
          g_ptr_array_add (matches, role);
      }
  else
    for (guint i = 0; i < dir->pracs->len; i++)
      {
        Prac *prac = g_ptr_array_index (dir->pracs, i);
        gboolean ok = TRUE;

        for (guint k = 0; ok && k < clauses->len; k++)
          ok = prac_matches (prac, g_ptr_array_index (clauses, k));
        if (ok)
          g_ptr_array_add (matches, prac);
      }

  json_object_set_string_member (bundle, "resourceType", "Bundle");
  json_object_set_string_member (bundle, "type", "searchset");
  json_object_set_int_member (bundle, "total", matches->len);
  {
    g_autofree char *self_url = g_strdup_printf ("%s/%s?%s", base_url, type, self_query->str);
    add_link (bundle, "self", self_url);
  }
  if ((guint64) offset + count < matches->len)
    {
      g_autofree char *next = g_strdup_printf ("%s/%s?%s%s_getpagesoffset=%u", base_url, type, self_query->str,
                                               self_query->len ? "&" : "", offset + count);
      add_link (bundle, "next", next);
    }
  {
    g_autoptr(GHashTable) included = g_hash_table_new (g_str_hash, g_str_equal);

    for (guint i = offset; i < matches->len && i < offset + count; i++)
      {
        if (is_role)
          {
            Role *role = g_ptr_array_index (matches, i);
            add_entry (entries, base_url, type, role->id, role->resource, "match");
          }
        else
          {
            Prac *prac = g_ptr_array_index (matches, i);
            add_entry (entries, base_url, type, prac->id, prac->resource, "match");
          }
      }
    for (guint i = offset; (include || revinclude) && i < matches->len && i < offset + count; i++)
      {
        if (include)
          {
            Role *role = g_ptr_array_index (matches, i);
            Prac *prac = g_hash_table_lookup (dir->prac_by_id, role->practitioner_id);

            if (prac != NULL && !g_hash_table_contains (included, prac->id))
              {
                g_hash_table_add (included, prac->id);
                add_entry (entries, base_url, "Practitioner", prac->id, prac->resource, "include");
              }
          }
        else
          {
            Prac *prac = g_ptr_array_index (matches, i);

            for (guint k = 0; k < dir->roles->len; k++)
              {
                Role *role = g_ptr_array_index (dir->roles, k);
                if (g_str_equal (role->practitioner_id, prac->id))
                  add_entry (entries, base_url, "PractitionerRole", role->id, role->resource, "include");
              }
          }
      }
  }
  json_object_set_array_member (bundle, "entry", entries);
  return json_response (g_steal_pointer (&bundle));
}

SandboxResponse *
sandbox_directory_handle (SandboxDirectory *dir,
                          const char       *method,
                          const char       *path,
                          const char       *query,
                          const char       *base_url)
{
  const char *slash = strchr (path, '/');
  g_autofree char *type = slash ? g_strndup (path, slash - path) : g_strdup (path);

  if (!g_str_equal (method, "GET"))
    return sandbox_response_new_error (405, "The directory is read-only");
  if (!g_str_equal (type, "Practitioner") && !g_str_equal (type, "PractitionerRole"))
    return sandbox_response_new_error (404, "The directory serves Practitioner and PractitionerRole");
  if (slash == NULL)
    return search (dir, type, query, base_url);

  /* A read: Type/id. */
  if (g_str_equal (type, "Practitioner"))
    {
      Prac *prac = g_hash_table_lookup (dir->prac_by_id, slash + 1);
      if (prac != NULL)
        return json_response (json_object_ref (prac->resource));
    }
  else
    for (guint i = 0; i < dir->roles->len; i++)
      {
        Role *role = g_ptr_array_index (dir->roles, i);
        if (g_str_equal (role->id, slash + 1))
          return json_response (json_object_ref (role->resource));
      }
  return sandbox_response_new_error (404, "No such resource");
}
