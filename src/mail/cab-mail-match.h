/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Patient matching of an incoming message (docs/domain.md, "Matching a
 * message to a patient"). Pure: no store, no I/O. The caller gives what the
 * message says about its patient (one CabMatchTraits per XDM document, or
 * one read from the headers and body) and the stored patients that could be
 * meant: every patient holding one of the INS read, and every patient born
 * on one of the birth dates read. */

typedef enum
{
  CAB_MATCH_AUTO,      /* may be filed without a person */
  CAB_MATCH_PROPOSED,  /* one candidate, a person confirms */
  CAB_MATCH_CONFLICT,  /* the message contradicts itself or the store: red, a person decides */
  CAB_MATCH_NONE,      /* no candidate, or several: a person chooses */
} CabMatchState;

typedef enum
{
  CAB_MATCH_REASON_INS_QUALIFIED,       /* auto: INS of a qualified patient, traits agree */
  CAB_MATCH_REASON_NOT_QUALIFIED,       /* proposed: INS agrees, the stored identity is not qualified */
  CAB_MATCH_REASON_TRAITS_MISSING,      /* proposed: INS agrees, but birth date or family name absent */
  CAB_MATCH_REASON_TRAITS,              /* proposed: no usable INS, one patient has these traits */
  CAB_MATCH_REASON_BAD_INS,             /* conflict: INS malformed or with a wrong key */
  CAB_MATCH_REASON_TRAITS_DISAGREE,     /* conflict: the INS's patient has other traits */
  CAB_MATCH_REASON_INS_HELD_TWICE,      /* conflict: two stored patients hold this INS */
  CAB_MATCH_REASON_OTHER_INS,           /* conflict: the one patient with these traits holds another INS */
  CAB_MATCH_REASON_DOCUMENTS_DISAGREE,  /* conflict: documents of one message name different patients */
  CAB_MATCH_REASON_NO_CANDIDATE,        /* none */
  CAB_MATCH_REASON_SEVERAL_CANDIDATES,  /* none: twins, homonyms */
  CAB_MATCH_REASON_NO_TRAITS,           /* none: the message names nobody usable */
  CAB_MATCH_REASON_FROM_TEXT,           /* proposed: would be auto, but the traits were read from free text */
  /* Never computed by the matcher: the inbox shows them as conflicts when
   * another desk filed the message and this one cannot (cab-mail-follow.h). */
  CAB_MATCH_REASON_FILED_UNKNOWN_PATIENT,  /* conflict: filed elsewhere to a patient this store lacks */
  CAB_MATCH_REASON_FILED_MISMATCH,         /* conflict: filed elsewhere; the documents here are not as listed */
} CabMatchReason;

/* Traits that disagree, for the red panel. */
typedef enum
{
  CAB_MATCH_TRAIT_FAMILY     = 1 << 0,
  CAB_MATCH_TRAIT_GIVEN      = 1 << 1,
  CAB_MATCH_TRAIT_BIRTH_DATE = 1 << 2,
  CAB_MATCH_TRAIT_SEX        = 1 << 3,
  CAB_MATCH_TRAIT_INS        = 1 << 4,  /* cab_match_check_patient() only */
} CabMatchTraitFlags;

/* What a message says of its patient. Every field may be NULL / 0. */
typedef struct
{
  const char *ins;           /* as read: checked here (length, digits, key) */
  const char *ins_oid;       /* "1.2.250.1.213.1.4.8" (or urn:oid: form); NULL: unknown system */
  const char *birth_family;  /* PID-5 type L */
  const char *usage_family;  /* PID-5 type D */
  const char *given;         /* first given name (more may follow, space-separated) */
  const char *birth_date;    /* "YYYY-MM-DD" */
  char        sex;           /* 'F', 'M', or 0 */
  gboolean    from_text;     /* read from a body or a PDF's text, not from metadata:
                                never enough for auto (at most proposed) */
} CabMatchTraits;

/* A stored patient. */
typedef struct
{
  const char *id;
  const char *ins;              /* stored INS-NIR, or NULL */
  gboolean    qualified;        /* identity status QUAL */
  gboolean    ins_duplicate;    /* another stored patient holds the same INS */
  const char *birth_family;
  const char *usage_family;
  const char *given;            /* first given name */
  const char *birth_date;       /* "YYYY-MM-DD" */
  char        sex;
} CabMatchPatient;

typedef struct
{
  CabMatchState      state;
  CabMatchReason     reason;
  CabMatchTraitFlags disagreeing;  /* for TRAITS_DISAGREE */
  char              *patient_id;   /* AUTO and PROPOSED only */
  char              *ins;          /* the valid INS read, if any */
  GPtrArray         *candidates;   /* char* patient ids a person may choose from */
} CabMatchResult;

CabMatchResult *cab_match_compute        (const CabMatchTraits  *traits,
                                          guint                  n_traits,
                                          const CabMatchPatient *patients,
                                          guint                  n_patients);
void            cab_match_result_free    (CabMatchResult        *result);

/* What @patient contradicts of what the message says of its patient
 * (@traits: one per document), by the same comparison as the matching:
 * family name (birth or used), first given name, birth date, sex; and
 * CAB_MATCH_TRAIT_INS when the message carries an INS that is not the
 * patient's. For a person's choice, shown before anything is filed. */
CabMatchTraitFlags cab_match_check_patient (const CabMatchTraits  *traits,
                                            guint                  n_traits,
                                            const CabMatchPatient *patient);

/* Case, accents, hyphens, apostrophes and spaces folded: "Le Goff-Hervé" and
 * "LEGOFF HERVE" fold alike. Never NULL. */
char           *cab_match_fold_name      (const char            *name);

/* Whether @oid names an INS-NIR (national, test or demonstration). */
gboolean        cab_match_is_ins_oid     (const char            *oid);

/* Stable machine names ("auto", "ins-qualified"...), for JSON and logs. */
const char     *cab_match_state_to_string  (CabMatchState  state);
const char     *cab_match_reason_to_string (CabMatchReason reason);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabMatchResult, cab_match_result_free)

G_END_DECLS
