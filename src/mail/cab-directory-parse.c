/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* The directory's answers into cache entries (cab-directory-private.h).
 * Everything here is hostile input (docs/architecture.md, "Rules for
 * hostile input"): a member of the wrong type is skipped, strings are
 * capped and must be valid one-line UTF-8, an address must be a plain
 * addr-spec under .mssante.fr, an id must be a FHIR id. */

#include "cab-directory-private.h"
#include "cab-fhir-resource.h"
#include "cab-json-read.h"
#include "cab-store-private.h"
#include "cab-text.h"

#define SYS_RPPS     "https://rpps.esante.gouv.fr"
#define SYS_IDNAT_PS "urn:oid:1.2.250.1.71.4.2.1"
#define MAX_TEXT     200   /* bytes of a name, profession, organization, city */
#define MAX_ITEMS    32    /* names, telecoms, addresses... read per resource */

G_DEFINE_QUARK (cab-directory-error-quark, cab_directory_error)

void
cab_directory_entry_free (CabDirectoryEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->address);
  g_free (entry->display);
  g_free (entry->sort_key);
  g_free (entry->profession);
  g_free (entry->organization);
  g_free (entry->city);
  g_free (entry->rpps);
  g_free (entry->practitioner_id);
  g_free (entry);
}

/* --------------------------------------------------------- JSON helpers */

/* A usable one-line text: not empty, at most MAX_TEXT bytes of UTF-8, no
 * control character. NULL otherwise. */
static const char *
one_line (const char *s)
{
  return s != NULL && *s != '\0' && cab_text_is_one_line (s, MAX_TEXT) ? s : NULL;
}

/* A string member that is a usable one-line text: NULL otherwise. */
static const char *
get_text (JsonObject *o, const char *member)
{
  return one_line (cab_json_read_string (o, member));
}

static const char *
array_text (JsonArray *a, guint i)
{
  return one_line (cab_json_array_read_string (a, i));
}

/* A CodeableConcept's words: its text, else its first coding's display. */
static const char *
concept_text (JsonObject *concept)
{
  JsonArray *codings = cab_json_read_array (concept, "coding");
  const char *text = get_text (concept, "text");

  if (text != NULL)
    return text;
  for (guint i = 0; codings != NULL && i < MIN (json_array_get_length (codings), MAX_ITEMS); i++)
    if ((text = get_text (cab_json_array_read_object (codings, i), "display")) != NULL)
      return text;
  return NULL;
}

/* ------------------------------------------------------------- checks */

gboolean
cab_directory_address_is_valid (const char *address)
{
  const char *at;
  gsize len;

  if (address == NULL)
    return FALSE;
  len = strlen (address);
  at = strchr (address, '@');
  if (len < 3 || len > 254 || at == NULL || at == address || strchr (at + 1, '@') != NULL ||
      at - address > 64)
    return FALSE;
  for (const char *p = address; p < at; p++)
    if (!g_ascii_isalnum (*p) && strchr (".-_+'", *p) == NULL)
      return FALSE;
  if (address[0] == '.' || at[-1] == '.' || strstr (address, "..") != NULL)
    return FALSE;
  for (const char *p = at + 1; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-')
      return FALSE;
  /* MSSanté's space only; a patient's mailbox is never a correspondent. */
  return (g_str_has_suffix (address, ".mssante.fr") || g_str_has_suffix (address, "@mssante.fr")) &&
         !g_str_has_suffix (address, "@patient.mssante.fr") &&
         at[1] != '.' && at[1] != '-';
}

static gboolean
is_rpps (const char *s)
{
  if (s == NULL || strlen (s) != 11)
    return FALSE;
  for (const char *p = s; *p; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

/* ------------------------------------------------------------ the page */

gboolean
cab_directory_parse_page (JsonNode   *root,
                          GPtrArray  *practitioners,
                          GPtrArray  *roles,
                          char      **next_url,
                          GError    **error)
{
  JsonObject *bundle;
  JsonArray *entries, *links;
  guint n;

  *next_url = NULL;
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      g_strcmp0 (get_text (bundle = json_node_get_object (root), "resourceType"), "Bundle") != 0 ||
      g_strcmp0 (get_text (bundle, "type"), "searchset") != 0)
    {
      g_set_error (error, CAB_DIRECTORY_ERROR, CAB_DIRECTORY_ERROR_ANSWER,
                   _("The directory's answer is not a list of search results"));
      return FALSE;
    }
  entries = cab_json_read_array (bundle, "entry");
  n = entries != NULL ? json_array_get_length (entries) : 0;
  if (n > CAB_DIRECTORY_MAX_PAGE_ENTRIES)
    {
      g_set_error (error, CAB_DIRECTORY_ERROR, CAB_DIRECTORY_ERROR_LIMIT,
                   _("The directory's answer holds more than %u entries"), CAB_DIRECTORY_MAX_PAGE_ENTRIES);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      JsonObject *resource = cab_json_read_object (cab_json_array_read_object (entries, i), "resource");
      const char *type = get_text (resource, "resourceType");
      const char *id = get_text (resource, "id");

      if (type == NULL || id == NULL || !cab_fhir_id_is_valid (id))
        continue;
      if (g_str_equal (type, "Practitioner"))
        g_ptr_array_add (practitioners, json_object_ref (resource));
      else if (g_str_equal (type, "PractitionerRole"))
        g_ptr_array_add (roles, json_object_ref (resource));
    }
  links = cab_json_read_array (bundle, "link");
  for (guint i = 0; links != NULL && i < MIN (json_array_get_length (links), MAX_ITEMS); i++)
    {
      JsonObject *link = cab_json_array_read_object (links, i);
      /* Kept whole (a next link may be long); the client checks it stays
       * under the base before following it (rule 5). */
      const char *url = cab_json_read_string_at_most (link, "url", 8192);

      if (g_strcmp0 (get_text (link, "relation"), "next") == 0 && url != NULL &&
          g_utf8_validate (url, -1, NULL))
        *next_url = g_strdup (url);
    }
  return TRUE;
}

/* ---------------------------------------------------------- the entries */

typedef struct
{
  const char *display;
  char       *owned_display;
  const char *family;
  const char *given;
  const char *rpps;
  const char *profession;
  const char *city;
} PractitionerInfo;

static void
read_practitioner (JsonObject *p, PractitionerInfo *info)
{
  JsonArray *names = cab_json_read_array (p, "name");
  JsonArray *identifiers = cab_json_read_array (p, "identifier");
  JsonArray *addresses = cab_json_read_array (p, "address");
  JsonArray *qualifications = cab_json_read_array (p, "qualification");
  JsonObject *name = NULL;

  memset (info, 0, sizeof *info);
  for (guint i = 0; names != NULL && i < MIN (json_array_get_length (names), MAX_ITEMS); i++)
    {
      JsonObject *n = cab_json_array_read_object (names, i);
      if (n != NULL && (name == NULL || g_strcmp0 (get_text (n, "use"), "official") == 0))
        name = n;
    }
  if (name != NULL)
    {
      JsonArray *given = cab_json_read_array (name, "given");
      JsonArray *prefix = cab_json_read_array (name, "prefix");
      const char *pre = prefix != NULL && json_array_get_length (prefix) > 0 ? array_text (prefix, 0) : NULL;

      info->family = get_text (name, "family");
      info->given = given != NULL && json_array_get_length (given) > 0 ? array_text (given, 0) : NULL;
      info->display = get_text (name, "text");
      if (info->display == NULL && info->family != NULL)
        {
          /* The Annuaire writes the prefix in capitals ("DR"). */
          const char *title = pre == NULL ? NULL
                            : g_ascii_strcasecmp (pre, "DR") == 0 ? "Dr"
                            : g_ascii_strcasecmp (pre, "PR") == 0 ? "Pr" : pre;
          const char *parts[4] = { NULL };
          guint n = 0;

          if (title != NULL)
            parts[n++] = title;
          if (info->given != NULL)
            parts[n++] = info->given;
          parts[n++] = info->family;
          info->owned_display = g_strjoinv (" ", (char **) parts);
          info->display = info->owned_display;
        }
    }
  for (guint i = 0; identifiers != NULL && i < MIN (json_array_get_length (identifiers), MAX_ITEMS); i++)
    {
      JsonObject *id = cab_json_array_read_object (identifiers, i);
      const char *system = get_text (id, "system");
      const char *value = get_text (id, "value");

      if (g_strcmp0 (system, SYS_RPPS) == 0 && is_rpps (value))
        info->rpps = value;
      else if (info->rpps == NULL && g_strcmp0 (system, SYS_IDNAT_PS) == 0 &&
               value != NULL && value[0] == '8' && is_rpps (value + 1))
        info->rpps = value + 1;
    }
  for (guint i = 0; addresses != NULL && i < MIN (json_array_get_length (addresses), MAX_ITEMS); i++)
    if ((info->city = get_text (cab_json_array_read_object (addresses, i), "city")) != NULL)
      break;
  for (guint i = 0; qualifications != NULL && i < MIN (json_array_get_length (qualifications), MAX_ITEMS); i++)
    if ((info->profession = concept_text (cab_json_read_object (cab_json_array_read_object (qualifications, i), "code"))) != NULL)
      break;
}

static void
add_entry (GPtrArray *entries, GHashTable *seen, const char *address, const PractitionerInfo *info,
           const char *practitioner_id, JsonObject *role)
{
  g_autofree char *lower = g_ascii_strdown (address, -1);
  CabDirectoryEntry *e;
  g_autofree char *family = NULL, *given = NULL;

  if (!cab_directory_address_is_valid (lower) || g_hash_table_contains (seen, lower))
    return;
  e = g_new0 (CabDirectoryEntry, 1);
  e->address = g_steal_pointer (&lower);
  e->display = g_strdup (info->display != NULL ? info->display : e->address);
  family = cab_store_fold (info->family != NULL ? info->family : e->display, FALSE);
  given = cab_store_fold (info->given, FALSE);
  e->sort_key = g_strdup_printf ("%s\x1f%s", family, given);
  e->rpps = g_strdup (info->rpps);
  e->city = g_strdup (info->city);
  e->profession = g_strdup (info->profession);
  e->practitioner_id = g_strdup (practitioner_id);
  if (role != NULL)
    {
      JsonArray *codes = cab_json_read_array (role, "code");
      JsonArray *specialties = cab_json_read_array (role, "specialty");
      const char *profession = NULL;

      /* The role's words are the ones of this address: "Cardiologue" at
       * the hospital, not the qualification's long name. */
      for (guint i = 0; codes != NULL && profession == NULL && i < MIN (json_array_get_length (codes), MAX_ITEMS); i++)
        {
          JsonObject *c = cab_json_array_read_object (codes, i);
          profession = get_text (c, "text");
        }
      for (guint i = 0; specialties != NULL && profession == NULL &&
                        i < MIN (json_array_get_length (specialties), MAX_ITEMS); i++)
        profession = concept_text (cab_json_array_read_object (specialties, i));
      if (profession != NULL)
        {
          g_free (e->profession);
          e->profession = g_strdup (profession);
        }
      {
        JsonArray *services = cab_json_read_array (role, "healthcareService");
        const char *organization = get_text (cab_json_read_object (role, "organization"), "display");
        const char *service = services != NULL && json_array_get_length (services) > 0
          ? get_text (cab_json_array_read_object (services, 0), "display") : NULL;

        /* "Service de cardiologie, CHU de Nantes". */
        e->organization = service != NULL && organization != NULL ? g_strdup_printf ("%s, %s", service, organization)
                                                                  : g_strdup (service ? service : organization);
      }
    }
  g_hash_table_add (seen, e->address);
  g_ptr_array_add (entries, e);
}

static const char *
role_practitioner_id (JsonObject *role)
{
  const char *ref = get_text (cab_json_read_object (role, "practitioner"), "reference");
  const char *slash;

  if (ref == NULL)
    return NULL;
  slash = strrchr (ref, '/');
  /* "Practitioner/<id>", relative or absolute (…/Practitioner/<id>). */
  if (slash == NULL || slash - ref < (gssize) strlen ("Practitioner") ||
      strncmp (slash - strlen ("Practitioner"), "Practitioner", strlen ("Practitioner")) != 0)
    return NULL;
  return cab_fhir_id_is_valid (slash + 1) ? slash + 1 : NULL;
}

static void
each_email (JsonObject *resource, GPtrArray *out)
{
  JsonArray *telecoms = cab_json_read_array (resource, "telecom");

  for (guint i = 0; telecoms != NULL && i < MIN (json_array_get_length (telecoms), MAX_ITEMS); i++)
    {
      JsonObject *t = cab_json_array_read_object (telecoms, i);
      const char *value = get_text (t, "value");

      if (g_strcmp0 (get_text (t, "system"), "email") == 0 && value != NULL)
        g_ptr_array_add (out, (gpointer) value);
    }
}

void
cab_directory_make_entries (GPtrArray *practitioners,
                            GPtrArray *roles,
                            GPtrArray *entries)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < entries->len; i++)
    g_hash_table_add (seen, ((CabDirectoryEntry *) g_ptr_array_index (entries, i))->address);

  for (guint i = 0; i < practitioners->len; i++)
    {
      JsonObject *p = g_ptr_array_index (practitioners, i);
      const char *id = get_text (p, "id");
      g_autoptr(GPtrArray) emails = g_ptr_array_new ();
      PractitionerInfo info;

      read_practitioner (p, &info);
      /* An address a role lists carries that role's organization and
       * profession; the practitioner's own list gives the rest. */
      for (guint k = 0; k < roles->len; k++)
        {
          JsonObject *role = g_ptr_array_index (roles, k);
          g_autoptr(GPtrArray) role_emails = g_ptr_array_new ();

          if (g_strcmp0 (role_practitioner_id (role), id) != 0)
            continue;
          each_email (role, role_emails);
          for (guint m = 0; m < role_emails->len; m++)
            add_entry (entries, seen, g_ptr_array_index (role_emails, m), &info, id, role);
        }
      each_email (p, emails);
      for (guint m = 0; m < emails->len; m++)
        add_entry (entries, seen, g_ptr_array_index (emails, m), &info, id, NULL);
      g_free (info.owned_display);
    }
}
