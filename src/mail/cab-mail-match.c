/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

/* Patient matching: the rules are in docs/domain.md ("Matching a message to
 * a patient"); principle 4 of docs/architecture.md says why they never
 * guess. Each document is judged alone, then the message as a whole. */

#include "cab-mail-match.h"
#include "cab-nir.h"

#include <string.h>

#define INS_OID_NIR  "1.2.250.1.213.1.4.8"
#define INS_OID_TEST "1.2.250.1.213.1.4.10"
#define INS_OID_DEMO "1.2.250.1.213.1.4.11"
#define INS_LENGTH   15

typedef struct
{
  CabMatchState      state;
  CabMatchReason     reason;
  CabMatchTraitFlags disagreeing;
  const char        *patient_id;  /* borrowed from the patients */
  char              *ins;         /* valid INS read */
  GPtrArray         *candidates;  /* borrowed ids */
} DocMatch;

gboolean
cab_match_is_ins_oid (const char *oid)
{
  if (oid == NULL)
    return FALSE;
  if (g_str_has_prefix (oid, "urn:oid:"))
    oid += strlen ("urn:oid:");
  return g_str_equal (oid, INS_OID_NIR) || g_str_equal (oid, INS_OID_TEST) ||
         g_str_equal (oid, INS_OID_DEMO);
}

char *
cab_match_fold_name (const char *name)
{
  g_autofree char *ascii = NULL;
  GString *folded;

  if (name == NULL)
    return g_strdup ("");
  /* Transliterates accents and ligatures (é -> e, œ -> oe) in any locale. */
  ascii = g_str_to_ascii (name, "C");
  folded = g_string_sized_new (strlen (ascii));
  for (const char *p = ascii; *p; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (folded, g_ascii_tolower (*p));
  return g_string_free (folded, FALSE);
}

static gboolean
present (const char *s)
{
  return s != NULL && *s != '\0';
}

static gboolean
same_name (const char *a, const char *b)
{
  g_autofree char *fa = NULL, *fb = NULL;

  if (!present (a) || !present (b))
    return FALSE;
  fa = cab_match_fold_name (a);
  fb = cab_match_fold_name (b);
  return *fa != '\0' && g_str_equal (fa, fb);
}

/* The first of several given names ("Marie Anne" -> "Marie"); a hyphenated
 * name ("Jean-Pierre") is one name. */
static char *
first_given (const char *given)
{
  const char *end = given + strcspn (given, " ,");

  return g_strndup (given, end - given);
}

static gboolean
given_agrees (const char *message, const char *stored)
{
  g_autofree char *m1 = NULL, *s1 = NULL;

  if (same_name (message, stored))
    return TRUE;
  m1 = first_given (message);
  s1 = first_given (stored);
  return same_name (m1, s1);
}

static gboolean
has_family (const CabMatchTraits *t)
{
  return present (t->birth_family) || present (t->usage_family);
}

static gboolean
family_agrees (const CabMatchTraits *t, const CabMatchPatient *p)
{
  const char *ours[] = { t->birth_family, t->usage_family };
  const char *theirs[] = { p->birth_family, p->usage_family };

  for (guint i = 0; i < 2; i++)
    for (guint j = 0; j < 2; j++)
      if (same_name (ours[i], theirs[j]))
        return TRUE;
  return FALSE;
}

/* The traits the message states that the patient contradicts. */
static CabMatchTraitFlags
disagreeing_traits (const CabMatchTraits *t, const CabMatchPatient *p)
{
  CabMatchTraitFlags flags = 0;

  if (has_family (t) && !family_agrees (t, p))
    flags |= CAB_MATCH_TRAIT_FAMILY;
  if (present (t->given) && !given_agrees (t->given, p->given))
    flags |= CAB_MATCH_TRAIT_GIVEN;
  if (present (t->birth_date) && g_strcmp0 (t->birth_date, p->birth_date) != 0)
    flags |= CAB_MATCH_TRAIT_BIRTH_DATE;
  if (t->sex != 0 && p->sex != 0 && t->sex != p->sex)
    flags |= CAB_MATCH_TRAIT_SEX;
  return flags;
}

/* Birth date, a family name and the first given name all agree. */
static gboolean
traits_match (const CabMatchTraits *t, const CabMatchPatient *p)
{
  return present (t->birth_date) && has_family (t) && present (t->given) &&
         disagreeing_traits (t, p) == 0;
}

/* A well-formed INS with its key: 15 characters, checked whole. */
static gboolean
ins_is_valid (const char *ins)
{
  if (ins == NULL || strlen (ins) != INS_LENGTH)
    return FALSE;
  return cab_nir_validate (ins, NULL);
}

static void
match_by_traits (const CabMatchTraits *t, const CabMatchPatient *patients, guint n,
                 DocMatch *m)
{
  const CabMatchPatient *found = NULL;
  guint n_found = 0;

  if (!present (t->birth_date) || !has_family (t) || !present (t->given))
    {
      m->state = CAB_MATCH_NONE;
      m->reason = CAB_MATCH_REASON_NO_TRAITS;
      for (guint i = 0; i < n; i++)
        if (present (t->birth_date) && g_strcmp0 (patients[i].birth_date, t->birth_date) == 0)
          g_ptr_array_add (m->candidates, (gpointer) patients[i].id);
      return;
    }
  for (guint i = 0; i < n; i++)
    if (traits_match (t, &patients[i]))
      {
        found = &patients[i];
        n_found++;
        g_ptr_array_add (m->candidates, (gpointer) patients[i].id);
      }
  if (n_found == 0)
    {
      m->state = CAB_MATCH_NONE;
      m->reason = CAB_MATCH_REASON_NO_CANDIDATE;
      /* Those born that day, for the person who searches. */
      for (guint i = 0; i < n; i++)
        if (g_strcmp0 (patients[i].birth_date, t->birth_date) == 0)
          g_ptr_array_add (m->candidates, (gpointer) patients[i].id);
    }
  else if (n_found > 1)
    {
      m->state = CAB_MATCH_NONE;
      m->reason = CAB_MATCH_REASON_SEVERAL_CANDIDATES;
    }
  else if (m->ins != NULL && present (found->ins) && g_strcmp0 (found->ins, m->ins) != 0)
    {
      /* One person, two INS: the message or the store is wrong. */
      m->state = CAB_MATCH_CONFLICT;
      m->reason = CAB_MATCH_REASON_OTHER_INS;
    }
  else
    {
      m->state = CAB_MATCH_PROPOSED;
      m->reason = CAB_MATCH_REASON_TRAITS;
      m->patient_id = found->id;
    }
}

static void
match_document (const CabMatchTraits *t, const CabMatchPatient *patients, guint n,
                DocMatch *m)
{
  const CabMatchPatient *holder = NULL;
  guint n_holders = 0;

  m->candidates = g_ptr_array_new ();
  if (!present (t->ins) || (t->ins_oid != NULL && !cab_match_is_ins_oid (t->ins_oid)))
    {
      /* No INS, or an identifier of another kind (NIA, local): traits only. */
      match_by_traits (t, patients, n, m);
      return;
    }
  if (!ins_is_valid (t->ins))
    {
      m->state = CAB_MATCH_CONFLICT;
      m->reason = CAB_MATCH_REASON_BAD_INS;
      for (guint i = 0; i < n; i++)
        if (traits_match (t, &patients[i]))
          g_ptr_array_add (m->candidates, (gpointer) patients[i].id);
      return;
    }
  m->ins = g_strdup (t->ins);
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (patients[i].ins, t->ins) == 0)
      {
        holder = &patients[i];
        n_holders++;
        g_ptr_array_add (m->candidates, (gpointer) patients[i].id);
      }
  if (n_holders == 0)
    {
      /* An INS outside the practice's store: it proves nothing here. */
      match_by_traits (t, patients, n, m);
      return;
    }
  if (n_holders > 1 || holder->ins_duplicate)
    {
      m->state = CAB_MATCH_CONFLICT;
      m->reason = CAB_MATCH_REASON_INS_HELD_TWICE;
      return;
    }
  m->disagreeing = disagreeing_traits (t, holder);
  if (m->disagreeing != 0)
    {
      m->state = CAB_MATCH_CONFLICT;
      m->reason = CAB_MATCH_REASON_TRAITS_DISAGREE;
      return;
    }
  m->patient_id = holder->id;
  if (!holder->qualified)
    {
      m->state = CAB_MATCH_PROPOSED;
      m->reason = CAB_MATCH_REASON_NOT_QUALIFIED;
    }
  else if (!present (t->birth_date) || !has_family (t))
    {
      /* The INS is only used with its traits (Référentiel INS). */
      m->state = CAB_MATCH_PROPOSED;
      m->reason = CAB_MATCH_REASON_TRAITS_MISSING;
    }
  else
    {
      m->state = CAB_MATCH_AUTO;
      m->reason = CAB_MATCH_REASON_INS_QUALIFIED;
    }
}

static void
add_candidates (CabMatchResult *r, GPtrArray *ids)
{
  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);

      if (!g_ptr_array_find_with_equal_func (r->candidates, id, g_str_equal, NULL))
        g_ptr_array_add (r->candidates, g_strdup (id));
    }
}

static const CabMatchPatient *
find_patient (const CabMatchPatient *patients, guint n, const char *id)
{
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (patients[i].id, id) == 0)
      return &patients[i];
  return NULL;
}

static void
set_result (CabMatchResult *r, CabMatchState state, CabMatchReason reason)
{
  r->state = state;
  r->reason = reason;
  if (state != CAB_MATCH_AUTO && state != CAB_MATCH_PROPOSED)
    g_clear_pointer (&r->patient_id, g_free);
}

CabMatchResult *
cab_match_compute (const CabMatchTraits  *traits,
                   guint                  n_traits,
                   const CabMatchPatient *patients,
                   guint                  n_patients)
{
  CabMatchResult *r = g_new0 (CabMatchResult, 1);
  g_autofree DocMatch *docs = g_new0 (DocMatch, MAX (n_traits, 1));
  const DocMatch *named = NULL;   /* first document naming a patient */
  guint n_auto = 0;

  r->candidates = g_ptr_array_new_with_free_func (g_free);
  set_result (r, CAB_MATCH_NONE, CAB_MATCH_REASON_NO_TRAITS);

  for (guint i = 0; i < n_traits; i++)
    match_document (&traits[i], patients, n_patients, &docs[i]);

  for (guint i = 0; i < n_traits; i++)
    {
      DocMatch *d = &docs[i];

      add_candidates (r, d->candidates);
      if (d->ins != NULL && r->ins == NULL)
        r->ins = g_strdup (d->ins);
      if (d->state == CAB_MATCH_AUTO)
        n_auto++;
      if (d->patient_id != NULL && named == NULL)
        named = d;
    }

  /* 1. A document in conflict makes the message one. */
  for (guint i = 0; i < n_traits; i++)
    if (docs[i].state == CAB_MATCH_CONFLICT)
      {
        set_result (r, CAB_MATCH_CONFLICT, docs[i].reason);
        r->disagreeing = docs[i].disagreeing;
        goto out;
      }

  /* 2. Documents that name different patients, or carry different INS, or
   *    whose traits contradict the patient another one names. */
  for (guint i = 0; i < n_traits; i++)
    {
      const DocMatch *d = &docs[i];
      const CabMatchPatient *p = named ? find_patient (patients, n_patients, named->patient_id) : NULL;

      if ((d->patient_id != NULL && named != NULL && !g_str_equal (d->patient_id, named->patient_id)) ||
          (d->ins != NULL && r->ins != NULL && !g_str_equal (d->ins, r->ins)) ||
          (d->patient_id == NULL && p != NULL && disagreeing_traits (&traits[i], p) != 0))
        {
          set_result (r, CAB_MATCH_CONFLICT, CAB_MATCH_REASON_DOCUMENTS_DISAGREE);
          goto out;
        }
    }

  if (named == NULL)
    {
      /* Nobody named: the first document's reason (several candidates
       * outweighs none). */
      CabMatchReason reason = n_traits > 0 ? docs[0].reason : CAB_MATCH_REASON_NO_TRAITS;

      for (guint i = 0; i < n_traits; i++)
        if (docs[i].reason == CAB_MATCH_REASON_SEVERAL_CANDIDATES)
          reason = CAB_MATCH_REASON_SEVERAL_CANDIDATES;
      set_result (r, CAB_MATCH_NONE, reason);
      goto out;
    }

  r->patient_id = g_strdup (named->patient_id);
  if (n_auto == n_traits)
    {
      gboolean from_text = FALSE;

      /* Text is read by pattern, not from structured metadata: a person
       * confirms whatever it says. */
      for (guint i = 0; i < n_traits; i++)
        from_text |= traits[i].from_text;
      if (from_text)
        set_result (r, CAB_MATCH_PROPOSED, CAB_MATCH_REASON_FROM_TEXT);
      else
        set_result (r, CAB_MATCH_AUTO, CAB_MATCH_REASON_INS_QUALIFIED);
    }
  else
    {
      /* The weakest document decides; a document that names nobody but does
       * not contradict leaves the message proposed. */
      CabMatchReason reason = CAB_MATCH_REASON_TRAITS;

      for (guint i = 0; i < n_traits; i++)
        if (docs[i].state == CAB_MATCH_PROPOSED)
          {
            reason = docs[i].reason;
            break;
          }
      set_result (r, CAB_MATCH_PROPOSED, reason);
    }

out:
  for (guint i = 0; i < n_traits; i++)
    {
      g_free (docs[i].ins);
      g_ptr_array_unref (docs[i].candidates);
    }
  return r;
}

CabMatchTraitFlags
cab_match_check_patient (const CabMatchTraits  *traits,
                         guint                  n_traits,
                         const CabMatchPatient *patient)
{
  CabMatchTraitFlags flags = 0;

  g_return_val_if_fail (patient != NULL, 0);
  g_return_val_if_fail (n_traits == 0 || traits != NULL, 0);

  for (guint i = 0; i < n_traits; i++)
    {
      flags |= disagreeing_traits (&traits[i], patient);
      /* Any INS written, even with a wrong key: a person must see it differs. */
      if (present (traits[i].ins) && g_strcmp0 (traits[i].ins, patient->ins) != 0)
        flags |= CAB_MATCH_TRAIT_INS;
    }
  return flags;
}

void
cab_match_result_free (CabMatchResult *result)
{
  if (result == NULL)
    return;
  g_free (result->patient_id);
  g_free (result->ins);
  g_ptr_array_unref (result->candidates);
  g_free (result);
}

const char *
cab_match_state_to_string (CabMatchState state)
{
  switch (state)
    {
    case CAB_MATCH_AUTO: return "auto";
    case CAB_MATCH_PROPOSED: return "proposed";
    case CAB_MATCH_CONFLICT: return "conflict";
    case CAB_MATCH_NONE: return "none";
    }
  g_return_val_if_reached ("none");
}

const char *
cab_match_reason_to_string (CabMatchReason reason)
{
  static const char *names[] = {
    "ins-qualified", "not-qualified", "traits-missing", "traits", "bad-ins",
    "traits-disagree", "ins-held-twice", "other-ins", "documents-disagree",
    "no-candidate", "several-candidates", "no-traits", "text-only",
    "filed-elsewhere-unknown-patient", "filed-elsewhere-mismatch",
  };

  g_return_val_if_fail (reason < G_N_ELEMENTS (names), "no-traits");
  return names[reason];
}
