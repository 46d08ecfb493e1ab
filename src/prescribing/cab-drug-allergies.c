/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The patient's allergies and intolerances against the substances of a
 * prescription, and the excipient intolerance that justifies CIF
 * (docs/domain.md, "E-prescription"). */
#define G_LOG_DOMAIN "cab-prescribing"

#include "config.h"

#include <string.h>

#include "cab-drug-private.h"

/* Excipients with a known effect (ANSM's list of "excipients à effet
 * notoire", the ones a GP meets), as substance keys: a documented
 * intolerance to one of these is an excipient intolerance. A key also
 * matches the longer names it starts ("parahydroxybenzoate de methyle"). */
static const char * const excipient_keys[] = {
  "lactose", "saccharose", "glucose", "fructose", "galactose", "sorbitol",
  "mannitol", "maltitol", "isomalt", "xylitol", "aspartame", "gluten",
  "amidon de ble", "huile d arachide", "arachide", "soja", "huile de soja",
  "huile de sesame", "parahydroxybenzoate", "sulfite", "metabisulfite",
  "disulfite", "alcool benzylique", "ethanol", "propyleneglycol",
  "propylene glycol", "lanoline", "graisse de laine", "tartrazine",
  "jaune orange s", "azorubine", "ponceau 4r", "rouge cochenille",
  "benzoate", "acide benzoique", "chlorure de benzalkonium", "polysorbate",
  "huile de ricin", "gelatine", "latex",
};

static gboolean
key_is_excipient (const char *key)
{
  if (key == NULL || *key == '\0')
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (excipient_keys); i++)
    {
      gsize n = strlen (excipient_keys[i]);

      if (strncmp (key, excipient_keys[i], n) == 0 && (key[n] == '\0' || key[n] == ' '))
        return TRUE;
    }
  return FALSE;
}

void
cab_allergy_free (CabAllergy *allergy)
{
  if (allergy == NULL)
    return;
  g_free (allergy->id);
  g_free (allergy->substance);
  g_free (allergy->code);
  g_free (allergy->category);
  g_free (allergy->criticality);
  g_free (allergy->type);
  g_free (allergy->verification_status);
  g_free (allergy);
}

void
cab_drug_allergy_match_free (CabDrugAllergyMatch *match)
{
  if (match == NULL)
    return;
  g_free (match->cis);
  g_free (match->substance);
  cab_allergy_free (match->allergy);
  g_free (match);
}

static CabAllergy *
allergy_copy (const CabAllergy *a)
{
  CabAllergy *copy = g_new0 (CabAllergy, 1);

  copy->id = g_strdup (a->id);
  copy->substance = g_strdup (a->substance);
  copy->code = g_strdup (a->code);
  copy->category = g_strdup (a->category);
  copy->criticality = g_strdup (a->criticality);
  copy->type = g_strdup (a->type);
  copy->verification_status = g_strdup (a->verification_status);
  copy->is_excipient = a->is_excipient;
  return copy;
}

/* Active: clinicalStatus active or not given; refuted and entered-in-error
 * records are not allergies. */
static const char sql_allergies[] =
  "SELECT id, display, code, category, criticality, type, verification_status"
  " FROM allergies WHERE patient_id = ?"
  " AND (clinical_status IS NULL OR clinical_status = 'active')"
  " AND (verification_status IS NULL OR verification_status NOT IN ('refuted', 'entered-in-error'))"
  " ORDER BY id";

/* Fills @allergies (CabAllergy*) and @keys (their substance keys, same order). */
static gboolean
read_allergies (CabStoreConn  *conn,
                const char    *patient_id,
                GPtrArray     *allergies,
                GPtrArray     *keys,
                GError       **error)
{
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare_static (conn, sql_allergies, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  cab_stmt_bind_text (stmt, 1, patient_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CabAllergy *a = g_new0 (CabAllergy, 1);
      /* Folded here, not at sync: new folding rules apply to stored allergies. */
      char *key = cab_drug_substance_key ((const char *) sqlite3_column_text (stmt, 1));

      a->id = cab_stmt_dup_text (stmt, 0);
      a->substance = cab_stmt_dup_text (stmt, 1);
      a->code = cab_stmt_dup_text (stmt, 2);
      a->category = cab_stmt_dup_text (stmt, 3);
      a->criticality = cab_stmt_dup_text (stmt, 4);
      a->type = cab_stmt_dup_text (stmt, 5);
      a->verification_status = cab_stmt_dup_text (stmt, 6);
      a->is_excipient = key_is_excipient (key);
      g_ptr_array_add (allergies, a);
      g_ptr_array_add (keys, key);
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, conn->db, "Cannot read the allergies");
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
cab_drug_list_allergies (CabStore    *store,
                         const char  *patient_id,
                         GError     **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(GPtrArray) allergies = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_allergy_free);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (CAB_IS_STORE (store), NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);

  if (!(reader = cab_store_reader_acquire (store, error)) ||
      !read_allergies (reader, patient_id, allergies, keys, error))
    return NULL;
  return g_steal_pointer (&allergies);
}

/* Each substance of the medicine with the keys it answers to: its own key
 * and the keys of the thesaurus classes it belongs to ("penicillines"). */
static const char sql_keys[] =
  "SELECT c.substance_name, c.substance_key FROM drug_compositions c WHERE c.cis = ?1"
  " UNION ALL"
  " SELECT c.substance_name, t.class FROM drug_compositions c"
  " JOIN drug_substance_links l ON l.substance_key = c.substance_key"
  " JOIN thesaurus_classes t ON t.substance = l.thesaurus_name"
  " WHERE c.cis = ?1";

GPtrArray *
cab_drug_check_allergies (CabStore            *store,
                          const char          *patient_id,
                          const char * const  *cis,
                          GError             **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(GPtrArray) matches = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_drug_allergy_match_free);
  g_autoptr(GPtrArray) allergies = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_allergy_free);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (CAB_IS_STORE (store), NULL);
  g_return_val_if_fail (patient_id != NULL && cis != NULL, NULL);

  for (guint i = 0; cis[i] != NULL; i++)
    if (!cab_drug_cis_is_valid (cis[i]))
      {
        g_set_error (error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_INVALID, "Line %u: a CIS is 8 digits", i + 1);
        return NULL;
      }

  if (!(reader = cab_store_reader_acquire (store, error)) ||
      !read_allergies (reader, patient_id, allergies, keys, error))
    return NULL;
  if (allergies->len == 0)
    return g_steal_pointer (&matches);

  for (guint i = 0; cis[i] != NULL; i++)
    {
      g_autoptr(CabStmt) stmt = cab_store_conn_prepare_static (reader, sql_keys, error);
      g_autoptr(GHashTable) reported = g_hash_table_new (g_direct_hash, g_direct_equal);
      int rc;

      if (stmt == NULL)
        return NULL;
      cab_stmt_bind_text (stmt, 1, cis[i]);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          const char *name = (const char *) sqlite3_column_text (stmt, 0);
          g_autofree char *key = cab_drug_substance_key ((const char *) sqlite3_column_text (stmt, 1));

          for (guint k = 0; k < keys->len; k++)
            {
              CabDrugAllergyMatch *match;

              if (*key == '\0' || !g_str_equal (key, g_ptr_array_index (keys, k)) ||
                  g_hash_table_contains (reported, GUINT_TO_POINTER (k + 1)))
                continue;
              g_hash_table_add (reported, GUINT_TO_POINTER (k + 1));
              match = g_new0 (CabDrugAllergyMatch, 1);
              match->cis = g_strdup (cis[i]);
              match->substance = g_strdup (name);
              match->allergy = allergy_copy (g_ptr_array_index (allergies, k));
              g_ptr_array_add (matches, match);
            }
        }
      if (rc != SQLITE_DONE)
        {
          cab_store_set_sql_error (error, reader->db, "Cannot read a composition");
          return NULL;
        }
    }
  return g_steal_pointer (&matches);
}

gboolean
cab_drug_has_excipient_intolerance (CabStore    *store,
                                    const char  *patient_id,
                                    const char  *excipient,
                                    char       **allergy_id,
                                    GError     **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(GPtrArray) allergies = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_allergy_free);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *wanted = excipient != NULL ? cab_drug_substance_key (excipient) : NULL;

  g_return_val_if_fail (CAB_IS_STORE (store), FALSE);
  g_return_val_if_fail (patient_id != NULL, FALSE);

  if (allergy_id != NULL)
    *allergy_id = NULL;
  if (!(reader = cab_store_reader_acquire (store, error)) ||
      !read_allergies (reader, patient_id, allergies, keys, error))
    return FALSE;
  for (guint i = 0; i < allergies->len; i++)
    {
      CabAllergy *a = g_ptr_array_index (allergies, i);

      if (!a->is_excipient || (wanted != NULL && !g_str_equal (wanted, g_ptr_array_index (keys, i))))
        continue;
      if (allergy_id != NULL)
        *allergy_id = g_strdup (a->id);
      return TRUE;
    }
  return FALSE;
}
