/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-mail-match.h"

G_BEGIN_DECLS

/* A patient's traits read from a message's text (its body, its PDFs' text)
 * when no XDM metadata names the patient (docs/domain.md, "Matching a
 * message to a patient"). Conservative: only labelled values ("Nom de
 * naissance : ...", "Prénom(s) : ...", "Né(e) le 12/03/1961", "Sexe : F",
 * "INS (NIR) : ..."), each at the start of a line or of a segment between
 * "—", "|", ";" or tabs; a label given twice with different values is
 * dropped (a text naming two people names nobody). Pure. */

typedef struct
{
  char *ins;           /* 15 characters as written without spaces, unchecked */
  char *ins_oid;
  char *birth_family;
  char *usage_family;
  char *given;
  char *birth_date;    /* YYYY-MM-DD */
  char  sex;
} CabMailTextTraits;

/* At most this much of @text is read. */
#define CAB_MAIL_TEXT_TRAITS_MAX_TEXT (256 * 1024)

/* TRUE when at least one trait was read. */
gboolean cab_mail_text_traits_read     (const char              *text,
                                        CabMailTextTraits       *traits);
void     cab_mail_text_traits_clear    (CabMailTextTraits       *traits);
/* Points @match at @traits' strings, with from_text set. */
void     cab_mail_text_traits_to_match (const CabMailTextTraits *traits,
                                        CabMatchTraits          *match);

G_END_DECLS
