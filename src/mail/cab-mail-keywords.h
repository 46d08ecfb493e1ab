/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A message's triage as IMAP keywords on the server, shared by every desk
 * of the practice (docs/domain.md, "Triage keywords"). Pure: no store, no
 * network. Keywords read from a server are hostile: anything that is not
 * one of these, well formed, is ignored here (and kept as it is on the
 * server). */

#define CAB_MAIL_KEYWORD_HANDLED         "$CabinetHandled"
#define CAB_MAIL_KEYWORD_FILED           "$CabinetFiled"
#define CAB_MAIL_KEYWORD_ASSIGNED_PREFIX "$CabinetAssigned-"   /* + Practitioner id */
#define CAB_MAIL_KEYWORD_PATIENT_PREFIX  "$CabinetPatient-"    /* + Patient id */
#define CAB_MAIL_KEYWORD_DISMISSED_PREFIX "$CabinetDismissed-" /* + document number, from 1 */

/* Documents a message may carry in its triage (cab-mime.h caps parts at 256). */
#define CAB_MAIL_TRIAGE_MAX_DOCUMENTS 256

typedef struct
{
  gboolean handled;
  gboolean filed;           /* every document not dismissed filed to patient_id */
  char    *assignee;        /* Practitioner id (not "Practitioner/..."), or NULL */
  char    *patient_id;      /* the patient a person chose, or the message was filed to */
  guint8   dismissed[CAB_MAIL_TRIAGE_MAX_DOCUMENTS];  /* by document index (from 0) */
} CabMailTriage;

void      cab_mail_triage_clear          (CabMailTriage       *triage);
void      cab_mail_triage_copy           (const CabMailTriage *from,
                                          CabMailTriage       *to);
/* "new", "assigned" or "handled". */
const char *cab_mail_triage_status       (const CabMailTriage *triage);

/* TRUE for a keyword of ours ("$Cabinet" prefix, ASCII case folded). */
gboolean  cab_mail_keyword_is_triage     (const char          *keyword);
/* Reads our keywords among @keywords (others ignored); malformed ones
 * (bad id, number out of range) are ignored too. */
void      cab_mail_triage_from_keywords  (const char * const  *keywords,
                                          CabMailTriage       *triage);
/* Our keywords for @triage, sorted (NULL-terminated). */
char    **cab_mail_triage_to_keywords    (const CabMailTriage *triage);

/* Sorted, de-duplicated, space-separated list (as the store keeps them). */
char     *cab_mail_keywords_join         (const char * const  *keywords);
char    **cab_mail_keywords_split        (const char          *text);
/* Only our keywords of @keywords, sorted. */
char    **cab_mail_keywords_triage_only  (const char * const  *keywords);
/* Same set (ASCII case folded). */
gboolean  cab_mail_keywords_equal        (const char * const  *a,
                                          const char * const  *b);
/* A change made against @base, carried onto @theirs (what the server holds
 * now): @theirs with what @want added to @base and without what it took
 * away; a patient or an assignee it set replaces theirs (one of each).
 * Triage keywords only, sorted. */
char    **cab_mail_keywords_rebase       (const char * const  *theirs,
                                          const char * const  *base,
                                          const char * const  *want);
/* A FHIR-like id usable in a keyword: [A-Za-z0-9.-]{1,64}. */
gboolean  cab_mail_keyword_id_is_valid   (const char          *id);

G_END_DECLS
