/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-sandbox-gen"

#include <poppler.h>
#include <string.h>

#include "sandbox-gen.h"
#include "sandbox-pdf.h"

/* The sandbox's synthetic practice: deterministic, internally consistent
 * (ids, references, INS), clinically plausible, and its PDFs real. */

typedef struct
{
  char       *type;
  char       *id;
  char       *patient_id;
  char       *json;
  JsonObject *resource;   /* parsed back from json: what a server would hold */
  JsonObject *recipe;
} Emitted;

typedef struct
{
  JsonParser *parser;     /* NULL: keep only the text */
  GPtrArray  *all;        /* of Emitted */
  GHashTable *by_key;     /* "Type/id" -> Emitted */
  GChecksum  *checksum;
} Practice;

static void
emitted_free (gpointer data)
{
  Emitted *e = data;

  g_free (e->type);
  g_free (e->id);
  g_free (e->patient_id);
  g_free (e->json);
  g_clear_pointer (&e->resource, json_object_unref);
  g_clear_pointer (&e->recipe, json_object_unref);
  g_free (e);
}

static char *
object_to_string (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return json_to_string (node, FALSE);
}

static JsonObject *
parse_object (JsonParser *parser,
              const char *text)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
collect (const char *type,
         const char *id,
         const char *patient_id,
         JsonObject *resource,
         JsonObject *pdf_recipe,
         gpointer    user_data)
{
  Practice *practice = user_data;
  Emitted *e = g_new0 (Emitted, 1);
  g_autofree char *key = g_strconcat (type, "/", id, NULL);

  g_assert_cmpstr (json_object_get_string_member (resource, "resourceType"), ==, type);
  g_assert_cmpstr (json_object_get_string_member (resource, "id"), ==, id);
  e->type = g_strdup (type);
  e->id = g_strdup (id);
  e->patient_id = g_strdup (patient_id);
  e->json = object_to_string (resource);
  if (practice->parser != NULL)
    e->resource = parse_object (practice->parser, e->json);
  g_checksum_update (practice->checksum, (const guchar *) e->json, -1);
  if (pdf_recipe != NULL)
    {
      g_autofree char *recipe = object_to_string (pdf_recipe);

      g_checksum_update (practice->checksum, (const guchar *) recipe, -1);
      if (practice->parser != NULL)
        e->recipe = parse_object (practice->parser, recipe);
    }
  g_assert_false (g_hash_table_contains (practice->by_key, key));
  g_hash_table_insert (practice->by_key, g_steal_pointer (&key), e);
  g_ptr_array_add (practice->all, e);
}

static Practice *
practice_new (guint64  seed,
              guint    n_patients,
              gboolean parse)
{
  SandboxGenOptions options = { seed, n_patients, 5, "2025-06-30" };
  Practice *practice = g_new0 (Practice, 1);

  if (parse)
    practice->parser = json_parser_new_immutable ();
  practice->all = g_ptr_array_new_with_free_func (emitted_free);
  practice->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  practice->checksum = g_checksum_new (G_CHECKSUM_SHA256);
  sandbox_gen_practice (&options, collect, practice);
  return practice;
}

static void
practice_free (Practice *practice)
{
  g_hash_table_unref (practice->by_key);
  g_ptr_array_unref (practice->all);
  g_checksum_free (practice->checksum);
  g_clear_object (&practice->parser);
  g_free (practice);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Practice, practice_free)

/* The 300-patient practice most tests read; built once. */
static Practice *shared_practice;

static Practice *
get_practice (void)
{
  if (shared_practice == NULL)
    shared_practice = practice_new (42, 300, TRUE);
  return shared_practice;
}

/* ----------------------------------------------------------------------- */
/* JSON helpers                                                            */
/* ----------------------------------------------------------------------- */

static JsonObject *
path_object (JsonObject *object,
             const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonObject *
first_of (JsonObject *object,
          const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  array = json_node_get_array (node);
  if (json_array_get_length (array) == 0)
    return NULL;
  return json_array_get_object_element (array, 0);
}

static const char *
code_of (JsonObject *concept)
{
  JsonObject *coding = first_of (concept, "coding");

  return coding ? json_object_get_string_member (coding, "code") : NULL;
}

static const char *
extension_value_code (JsonObject *resource,
                      const char *url)
{
  JsonArray *extensions = json_object_get_array_member (resource, "extension");

  for (guint i = 0; extensions && i < json_array_get_length (extensions); i++)
    {
      JsonObject *ext = json_array_get_object_element (extensions, i);

      if (g_str_equal (json_object_get_string_member (ext, "url"), url))
        {
          JsonObject *sub = first_of (ext, "extension");
          JsonObject *coding = path_object (sub ? sub : ext, "valueCoding");

          return coding ? json_object_get_string_member (coding, "code") : NULL;
        }
    }
  return NULL;
}

static const char *
identifier_value (JsonObject *resource,
                  const char *system)
{
  JsonArray *identifiers = json_object_get_array_member (resource, "identifier");

  for (guint i = 0; identifiers && i < json_array_get_length (identifiers); i++)
    {
      JsonObject *identifier = json_array_get_object_element (identifiers, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (identifier, "system", NULL), system) == 0)
        return json_object_get_string_member (identifier, "value");
    }
  return NULL;
}

/* Every "reference" string in the resource, recursively. */
static void
collect_references (JsonNode  *node,
                    GPtrArray *out)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &name, &child))
        {
          if (g_str_equal (name, "reference") && JSON_NODE_HOLDS_VALUE (child))
            g_ptr_array_add (out, (gpointer) json_node_get_string (child));
          else
            collect_references (child, out);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        collect_references (json_array_get_element (array, i), out);
    }
}

/* Independent NIR key: 97 - (number mod 97), 2A/2B read as 19/18. */
static int
nir_key (const char *nir13)
{
  char digits[14];

  memcpy (digits, nir13, 13);
  digits[13] = '\0';
  if (digits[6] == 'A')
    memcpy (digits + 5, "19", 2);
  else if (digits[6] == 'B')
    memcpy (digits + 5, "18", 2);
  for (int i = 0; i < 13; i++)
    g_assert_true (g_ascii_isdigit (digits[i]));
  return 97 - (int) (g_ascii_strtoull (digits, NULL, 10) % 97);
}

/* ----------------------------------------------------------------------- */
/* Tests                                                                   */
/* ----------------------------------------------------------------------- */

static void
test_determinism (void)
{
  g_autoptr(Practice) again = practice_new (42, 300, FALSE);
  g_autoptr(Practice) other = practice_new (43, 300, FALSE);
  g_autoptr(Practice) bigger = practice_new (42, 310, FALSE);
  Practice *practice = get_practice ();
  guint n_patients = 0;

  g_assert_cmpstr (g_checksum_get_string (practice->checksum), ==, g_checksum_get_string (again->checksum));
  g_assert_cmpstr (g_checksum_get_string (practice->checksum), !=, g_checksum_get_string (other->checksum));
  g_assert_cmpuint (practice->all->len, ==, again->all->len);

  /* Adding patients does not change the existing ones. */
  for (guint i = 0; i < practice->all->len; i++)
    {
      Emitted *e = practice->all->pdata[i];
      g_autofree char *key = g_strconcat (e->type, "/", e->id, NULL);
      Emitted *twin = g_hash_table_lookup (bigger->by_key, key);

      g_assert_nonnull (twin);
      g_assert_cmpstr (e->json, ==, twin->json);
      n_patients += g_str_equal (e->type, "Patient");
    }
  g_assert_cmpuint (n_patients, ==, 300);
}

static void
test_references (void)
{
  Practice *practice = get_practice ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) refs = g_ptr_array_new ();

  for (guint i = 0; i < practice->all->len; i++)
    {
      Emitted *e = practice->all->pdata[i];
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), e->resource);
      JsonObject *attachment = path_object (first_of (e->resource, "content"), "attachment");

      g_ptr_array_set_size (refs, 0);
      collect_references (node, refs);
      if (attachment != NULL)
        g_ptr_array_add (refs, (gpointer) json_object_get_string_member (attachment, "url"));
      /* References point backwards: the server can insert in emission order. */
      for (guint r = 0; r < refs->len; r++)
        if (!g_hash_table_contains (seen, refs->pdata[r]))
          g_error ("%s/%s refers to %s, not emitted before it", e->type, e->id, (char *) refs->pdata[r]);

      /* Compartment resources name their patient. */
      if (e->patient_id != NULL && !g_str_equal (e->type, "Patient") && !g_str_equal (e->type, "Binary"))
        {
          g_autofree char *subject = g_strconcat ("Patient/", e->patient_id, NULL);
          JsonObject *s = path_object (e->resource, "subject");

          if (s == NULL)
            s = path_object (e->resource, "patient");
          g_assert_nonnull (s);
          g_assert_cmpstr (json_object_get_string_member (s, "reference"), ==, subject);
        }
      g_hash_table_add (seen, g_strconcat (e->type, "/", e->id, NULL));
    }
}

static void
test_directory (void)
{
  Practice *practice = get_practice ();
  Emitted *org = g_hash_table_lookup (practice->by_key, "Organization/" SANDBOX_PRACTICE_ID);

  g_assert_nonnull (org);
  g_assert_cmpstr (json_object_get_string_member (org->resource, "name"), ==, "Cabinet médical des Tilleuls");
  g_assert_nonnull (identifier_value (org->resource, "urn:oid:1.2.250.1.71.4.2.2"));

  for (int i = 1; i <= SANDBOX_N_GPS; i++)
    {
      g_autofree char *key = g_strdup_printf ("Practitioner/gp-%d", i);
      g_autofree char *role_key = g_strdup_printf ("PractitionerRole/role-gp-%d", i);
      Emitted *gp = g_hash_table_lookup (practice->by_key, key);
      Emitted *role = g_hash_table_lookup (practice->by_key, role_key);
      const char *idnat, *rpps;

      g_assert_nonnull (gp);
      g_assert_nonnull (role);
      idnat = identifier_value (gp->resource, "urn:oid:1.2.250.1.71.4.2.1");
      rpps = identifier_value (gp->resource, "https://rpps.esante.gouv.fr");
      g_assert_cmpuint (strlen (rpps), ==, 11);
      g_assert_cmpuint (strlen (idnat), ==, 12);
      g_assert_true (idnat[0] == '8' && g_str_equal (idnat + 1, rpps));
      g_assert_cmpstr (json_object_get_string_member (path_object (role->resource, "organization"), "reference"),
                       ==, "Organization/" SANDBOX_PRACTICE_ID);
      g_assert_cmpstr (json_object_get_string_member (path_object (role->resource, "practitioner"), "reference"),
                       ==, key);
    }
}

static void
test_patients (void)
{
  Practice *practice = get_practice ();
  guint n = 0, qual = 0, outside = 0, corsica = 0, abroad = 0, married = 0, female = 0;

  for (guint i = 0; i < practice->all->len; i++)
    {
      Emitted *e = practice->all->pdata[i];
      const char *status, *nir, *gp;
      g_autofree char *expected_id = NULL;
      JsonArray *names;

      if (!g_str_equal (e->type, "Patient"))
        continue;
      n++;
      expected_id = g_strdup_printf ("pat-%05u", n);
      g_assert_cmpstr (e->id, ==, expected_id);
      g_assert_cmpstr (e->patient_id, ==, e->id);

      status = extension_value_code (e->resource,
                                     "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability");
      g_assert_nonnull (status);
      g_assert_true (g_str_equal (status, "QUAL") || g_str_equal (status, "VALI") ||
                     g_str_equal (status, "PROV") || g_str_equal (status, "RECUP"));

      /* The INS only for a qualified identity, with a valid key. */
      nir = identifier_value (e->resource, "urn:oid:1.2.250.1.213.1.4.8");
      if (g_str_equal (status, "QUAL"))
        {
          g_autofree char *key = NULL;
          const char *birth = json_object_get_string_member (e->resource, "birthDate");
          const char *gender = json_object_get_string_member (e->resource, "gender");

          qual++;
          g_assert_nonnull (nir);
          g_assert_cmpuint (strlen (nir), ==, 15);
          key = g_strdup_printf ("%02d", nir_key (nir));
          g_assert_cmpstr (nir + 13, ==, key);
          g_assert_cmpint (nir[0], ==, g_str_equal (gender, "female") ? '2' : '1');
          g_assert_true (strncmp (nir + 1, birth + 2, 2) == 0);   /* YY */
          g_assert_true (strncmp (nir + 3, birth + 5, 2) == 0);   /* MM */
          corsica += nir[5] == '2' && (nir[6] == 'A' || nir[6] == 'B');
          abroad += strncmp (nir + 5, "99", 2) == 0;
        }
      else
        g_assert_null (nir);

      names = json_object_get_array_member (e->resource, "name");
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (names, 0), "use"), ==, "official");
      if (json_array_get_length (names) > 1)
        {
          JsonObject *usual = json_array_get_object_element (names, 1);

          g_assert_cmpstr (json_object_get_string_member (usual, "use"), ==, "usual");
          g_assert_cmpstr (json_object_get_string_member (usual, "family"), !=,
                           json_object_get_string_member (json_array_get_object_element (names, 0), "family"));
          married++;
        }
      female += g_str_equal (json_object_get_string_member (e->resource, "gender"), "female");

      gp = json_object_get_string_member (first_of (e->resource, "generalPractitioner"), "reference");
      if (!g_str_has_prefix (gp, "Practitioner/gp-"))
        {
          g_assert_true (g_str_has_prefix (gp, "Practitioner/other-gp-"));
          outside++;
        }
    }

  g_assert_cmpuint (n, ==, 300);
  g_test_message ("QUAL %u, outside %u, Corsica %u, abroad %u, married %u", qual, outside, corsica, abroad, married);
  g_assert_cmpuint (qual, >=, n * 70 / 100);
  g_assert_cmpuint (qual, <=, n * 90 / 100);
  g_assert_cmpuint (outside, >=, n * 3 / 100);
  g_assert_cmpuint (outside, <=, n * 15 / 100);
  g_assert_cmpuint (corsica, >=, 1);
  g_assert_cmpuint (abroad, >=, 1);
  g_assert_cmpuint (married, >=, 10);
  g_assert_cmpuint (female, >=, n * 40 / 100);
  g_assert_cmpuint (female, <=, n * 65 / 100);
}

static void
test_corsica_key (void)
{
  /* The rule on hand-made Corsican numbers: 2A reads 19, 2B reads 18. */
  g_assert_cmpint (nir_key ("1800520004123"), !=, nir_key ("18005" "2A" "004123"));
  g_assert_cmpint (nir_key ("18005" "2A" "004123"), ==, nir_key ("1800519004123"));
  g_assert_cmpint (nir_key ("18005" "2B" "033001"), ==, nir_key ("1800518033001"));
}

static void
test_consents (void)
{
  Practice *practice = get_practice ();
  Emitted *e = g_hash_table_lookup (practice->by_key, "Consent/consent-pat-00038");
  JsonObject *provision, *actor;
  guint n = 0;

  g_assert_nonnull (e);
  provision = path_object (e->resource, "provision");
  g_assert_cmpstr (json_object_get_string_member (provision, "type"), ==, "deny");
  actor = first_of (provision, "actor");
  g_assert_cmpstr (code_of (path_object (actor, "role")), ==, "PRCP");
  g_assert_cmpstr (json_object_get_string_member (path_object (actor, "reference"), "reference"), ==, "Practitioner/gp-1");

  for (guint i = 0; i < practice->all->len; i++)
    n += g_str_equal (((Emitted *) practice->all->pdata[i])->type, "Consent");
  g_assert_cmpuint (n, <=, 300 * 4 / 100);
}

static void
test_clinical (void)
{
  Practice *practice = get_practice ();
  g_autoptr(GHashTable) diabetics = g_hash_table_new (g_str_hash, g_str_equal);
  guint hypertensive = 0, hba1c = 0, labs_linked = 0, bp = 0;

  for (guint i = 0; i < practice->all->len; i++)
    {
      Emitted *e = practice->all->pdata[i];

      if (g_str_equal (e->type, "Condition"))
        {
          const char *code = code_of (path_object (e->resource, "code"));
          gboolean ald = json_object_has_member (e->resource, "extension");

          g_assert_cmpstr (code_of (path_object (e->resource, "clinicalStatus")), ==, "active");
          if (g_str_equal (code, "E11.9"))
            {
              g_assert_true (ald);
              g_hash_table_add (diabetics, e->patient_id);
            }
          if (g_str_equal (code, "I10"))
            {
              g_assert_false (ald);
              hypertensive++;
            }
        }
      else if (g_str_equal (e->type, "Observation"))
        {
          const char *code = code_of (path_object (e->resource, "code"));
          JsonObject *derived = first_of (e->resource, "derivedFrom");

          g_assert_cmpstr (json_object_get_string_member (e->resource, "status"), ==, "final");
          if (g_str_equal (code, "4548-4"))
            {
              double value = json_object_get_double_member (path_object (e->resource, "valueQuantity"), "value");

              g_assert_true (g_hash_table_contains (diabetics, e->patient_id));
              g_assert_cmpfloat (value, >=, 5.5);
              g_assert_cmpfloat (value, <=, 12);
              hba1c++;
            }
          if (g_str_equal (code, "85354-9"))
            {
              g_assert_cmpuint (json_array_get_length (json_object_get_array_member (e->resource, "component")), ==, 2);
              bp++;
            }
          if (derived != NULL)
            {
              const char *ref = json_object_get_string_member (derived, "reference");
              Emitted *doc = g_hash_table_lookup (practice->by_key, ref);

              g_assert_nonnull (doc);
              g_assert_cmpstr (code_of (path_object (doc->resource, "type")), ==, "11502-2");
              g_assert_cmpstr (doc->patient_id, ==, e->patient_id);
              labs_linked++;
            }
        }
    }
  g_test_message ("diabetics %u, hypertensive %u, HbA1c %u", g_hash_table_size (diabetics), hypertensive, hba1c);
  /* French prevalence in a GP's list, with room for chance over 300 people. */
  g_assert_cmpuint (g_hash_table_size (diabetics), >=, 300 * 3 / 100);
  g_assert_cmpuint (g_hash_table_size (diabetics), <=, 300 * 15 / 100);
  g_assert_cmpuint (hypertensive, >=, 300 * 10 / 100);
  g_assert_cmpuint (hypertensive, <=, 300 * 35 / 100);
  /* About four HbA1c a year over five years. */
  g_assert_cmpuint (hba1c, >=, g_hash_table_size (diabetics) * 10);
  g_assert_cmpuint (labs_linked, >, hba1c);
  g_assert_cmpuint (bp, >, 100);
}

static void
test_documents (void)
{
  Practice *practice = get_practice ();
  g_autoptr(GHashTable) kos_uids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) imaging_uids = g_ptr_array_new ();
  guint docs = 0, masked = 0, superseded = 0, replacements = 0, long_docs = 0, prescriptions = 0;

  for (guint i = 0; i < practice->all->len; i++)
    {
      Emitted *e = practice->all->pdata[i];
      JsonObject *attachment, *context, *related;
      const char *type, *label, *url;
      Emitted *binary;

      if (g_str_equal (e->type, "MedicationRequest"))
        {
          g_assert_cmpstr (json_object_get_string_member (e->resource, "intent"), ==, "order");
          g_assert_nonnull (first_of (e->resource, "dosageInstruction"));
          prescriptions++;
        }
      if (!g_str_equal (e->type, "DocumentReference"))
        continue;
      docs++;
      type = code_of (path_object (e->resource, "type"));
      label = code_of (first_of (e->resource, "securityLabel"));
      masked += g_str_equal (label, "MASQUE_PS");
      g_assert_nonnull (path_object (e->resource, "custodian"));
      g_assert_nonnull (first_of (e->resource, "author"));
      g_assert_nonnull (json_object_get_string_member (e->resource, "date"));
      context = path_object (e->resource, "context");
      g_assert_nonnull (json_object_get_string_member (path_object (context, "period"), "start"));

      attachment = path_object (first_of (e->resource, "content"), "attachment");
      g_assert_nonnull (json_object_get_string_member (attachment, "title"));
      g_assert_false (json_object_has_member (attachment, "size"));
      url = json_object_get_string_member (attachment, "url");
      binary = g_hash_table_lookup (practice->by_key, url);
      g_assert_nonnull (binary);
      g_assert_cmpstr (json_object_get_string_member (binary->resource, "contentType"), ==,
                       json_object_get_string_member (attachment, "contentType"));

      if (g_str_equal (json_object_get_string_member (e->resource, "status"), "superseded"))
        superseded++;
      if (json_object_has_member (e->resource, "relatesTo"))
        {
          JsonObject *relates = first_of (e->resource, "relatesTo");
          Emitted *old = g_hash_table_lookup (practice->by_key,
                                              json_object_get_string_member (path_object (relates, "target"), "reference"));

          g_assert_cmpstr (json_object_get_string_member (relates, "code"), ==, "replaces");
          g_assert_nonnull (old);
          g_assert_cmpstr (json_object_get_string_member (old->resource, "status"), ==, "superseded");
          replacements++;
        }

      related = first_of (context, "related");
      if (g_str_equal (type, "IMG-KOS"))
        {
          g_assert_cmpstr (json_object_get_string_member (attachment, "contentType"), ==, "application/dicom");
          g_assert_cmpstr (code_of (first_of (e->resource, "category")), ==, "31");
          g_hash_table_add (kos_uids, (gpointer) json_object_get_string_member (path_object (related, "identifier"), "value"));
        }
      else
        {
          g_assert_cmpstr (json_object_get_string_member (attachment, "contentType"), ==, "application/pdf");
          g_assert_nonnull (binary->recipe);
          if (json_object_get_int_member (binary->recipe, "n_pages") >= 10)
            long_docs++;
        }
      if (g_str_equal (type, "18748-4"))
        {
          JsonObject *identifier = path_object (related, "identifier");

          g_assert_cmpstr (json_object_get_string_member (identifier, "system"), ==,
                           "urn:ihe:iti:xds:2016:studyInstanceUID");
          g_assert_true (g_str_has_prefix (json_object_get_string_member (identifier, "value"), "1.2.250.1.999.1."));
          g_ptr_array_add (imaging_uids, (gpointer) json_object_get_string_member (identifier, "value"));
        }
    }

  g_test_message ("%u documents, %u masked, %u superseded, %u long", docs, masked, superseded, long_docs);
  /* Every imaging report has its KOS twin with the same study. */
  g_assert_cmpuint (imaging_uids->len, >, 0);
  g_assert_cmpuint (imaging_uids->len, ==, g_hash_table_size (kos_uids));
  for (guint i = 0; i < imaging_uids->len; i++)
    g_assert_true (g_hash_table_contains (kos_uids, imaging_uids->pdata[i]));
  g_assert_cmpuint (docs, >=, 300 * 8);
  g_assert_cmpuint (docs, <=, 300 * 30);
  g_assert_cmpuint (masked, >=, docs / 100);
  g_assert_cmpuint (masked, <=, docs * 6 / 100);
  g_assert_cmpuint (superseded, ==, replacements);
  g_assert_cmpuint (superseded, >, 0);
  g_assert_cmpuint (long_docs, >, 0);
  g_assert_cmpuint (prescriptions, >, 0);
}

/* ----------------------------------------------------------------------- */
/* PDFs                                                                    */
/* ----------------------------------------------------------------------- */

static JsonObject *
find_recipe (const char *kind,
             int         min_pages)
{
  Practice *practice = get_practice ();

  for (guint i = 0; i < practice->all->len; i++)
    {
      Emitted *e = practice->all->pdata[i];

      if (e->recipe != NULL && g_str_equal (json_object_get_string_member (e->recipe, "kind"), kind) &&
          json_object_get_int_member (e->recipe, "n_pages") >= min_pages)
        return e->recipe;
    }
  return NULL;
}

static void
check_pdf (JsonObject *recipe)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = sandbox_pdf_render (recipe, &error);
  g_autoptr(GBytes) again = NULL;
  PopplerDocument *document;
  g_autoptr(GString) text = g_string_new (NULL);
  JsonObject *patient = json_object_get_object_member (recipe, "patient");
  JsonArray *given = json_object_get_array_member (patient, "given");
  g_autofree char *family = g_utf8_strup (json_object_get_string_member (patient, "family"), -1);
  int n_pages, wanted = json_object_get_int_member (recipe, "n_pages");

  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  g_assert_cmpuint (g_bytes_get_size (bytes), >, 1000);
  g_assert_true (memcmp (g_bytes_get_data (bytes, NULL), "%PDF-", 5) == 0);

  again = sandbox_pdf_render (recipe, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (bytes, again));

  document = poppler_document_new_from_bytes (bytes, NULL, &error);
  g_assert_no_error (error);
  n_pages = poppler_document_get_n_pages (document);
  g_assert_cmpint (n_pages, >=, wanted);
  g_assert_cmpint (n_pages, <=, MAX (wanted + 1, 3));
  g_assert_cmpint (n_pages, <=, 31);
  for (int i = 0; i < n_pages; i++)
    {
      PopplerPage *page = poppler_document_get_page (document, i);
      g_autofree char *page_text = poppler_page_get_text (page);

      g_string_append (text, page_text);
      g_object_unref (page);
    }
  g_object_unref (document);
  /* The name, accents included, is real extractable text. */
  g_assert_nonnull (strstr (text->str, family));
  g_assert_nonnull (strstr (text->str, json_array_get_string_element (given, 0)));
  g_assert_nonnull (strstr (text->str, "Page 1 /"));
  if (json_object_has_member (patient, "ins"))
    g_assert_nonnull (strstr (text->str, "1.2.250.1.213.1.4.8"));
  else
    g_assert_nonnull (strstr (text->str, "Identité non qualifiée"));
}

static void
test_pdf_kinds (void)
{
  const char * const kinds[] = {
    "consultation", "discharge", "lab", "imaging", "prescription", "vsm",
    "er", "vaccination", "certificate", "operative",
  };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      JsonObject *recipe = find_recipe (kinds[i], 1);

      g_test_message ("kind %s", kinds[i]);
      g_assert_nonnull (recipe);
      check_pdf (recipe);
    }
}

static void
test_pdf_long (void)
{
  JsonObject *recipe = find_recipe ("hospital", 10);

  g_assert_nonnull (recipe);
  check_pdf (recipe);
}

static void
test_pdf_accents (void)
{
  /* A hand-made recipe: an unqualified identity and a name full of accents. */
  g_autoptr(JsonObject) recipe = json_object_new ();
  g_autoptr(JsonObject) patient = json_object_new ();
  JsonArray *given = json_array_new ();

  json_object_set_string_member (recipe, "kind", "consultation");
  json_object_set_int_member (recipe, "seed", 7);
  json_object_set_string_member (recipe, "title", "Compte rendu de consultation");
  json_object_set_string_member (recipe, "date", "2024-02-29T10:00:00+01:00");
  json_object_set_int_member (recipe, "n_pages", 1);
  json_object_set_string_member (patient, "family", "Lefèvre-Bégué");
  json_object_set_string_member (patient, "birth_family", "Côté");
  json_array_add_string_element (given, "Hélène");
  json_array_add_string_element (given, "Zoé");
  json_object_set_array_member (patient, "given", given);
  json_object_set_string_member (patient, "sex", "F");
  json_object_set_string_member (patient, "birth_date", "1950-12-25");
  json_object_set_string_member (patient, "identity_status", "PROV");
  json_object_set_object_member (recipe, "patient", json_object_ref (patient));
  check_pdf (recipe);
}

static gpointer
render_thread (gpointer data)
{
  return sandbox_pdf_render (data, NULL);
}

static void
test_pdf_threads (void)
{
  JsonObject *recipe = find_recipe ("hospital", 3);
  g_autoptr(GBytes) expected = sandbox_pdf_render (recipe, NULL);
  GThread *threads[4];

  /* The server renders on several threads at once: same bytes everywhere. */
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("render", render_thread, recipe);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_autoptr(GBytes) bytes = g_thread_join (threads[i]);

      g_assert_nonnull (bytes);
      g_assert_true (g_bytes_equal (bytes, expected));
    }
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sandbox-gen/determinism", test_determinism);
  g_test_add_func ("/sandbox-gen/references", test_references);
  g_test_add_func ("/sandbox-gen/directory", test_directory);
  g_test_add_func ("/sandbox-gen/patients", test_patients);
  g_test_add_func ("/sandbox-gen/corsica-key", test_corsica_key);
  g_test_add_func ("/sandbox-gen/consents", test_consents);
  g_test_add_func ("/sandbox-gen/clinical", test_clinical);
  g_test_add_func ("/sandbox-gen/documents", test_documents);
  g_test_add_func ("/sandbox-pdf/kinds", test_pdf_kinds);
  g_test_add_func ("/sandbox-pdf/long", test_pdf_long);
  g_test_add_func ("/sandbox-pdf/accents", test_pdf_accents);
  g_test_add_func ("/sandbox-pdf/threads", test_pdf_threads);
  ret = g_test_run ();
  g_clear_pointer (&shared_practice, practice_free);
  return ret;
}
