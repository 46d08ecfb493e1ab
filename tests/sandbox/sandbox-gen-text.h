/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Plausible French clinical prose for the sandbox's PDFs, drawn from
 * sentence banks with a caller's GRand (deterministic, thread-safe). */

typedef enum
{
  TEXT_MOTIVE,          /* GP consultation motive */
  TEXT_EXAM,            /* clinical examination */
  TEXT_CONCLUSION,
  TEXT_PLAN,            /* conduite à tenir */
  TEXT_HISTORY_INTRO,   /* first sentence of the history */
  TEXT_HISTORY,         /* histoire de la maladie */
  TEXT_EVOLUTION,       /* daily notes of a stay */
  TEXT_INVESTIGATIONS,  /* examens complémentaires */
  TEXT_IMG_CR,          /* radiography findings */
  TEXT_IMG_US,
  TEXT_IMG_CT,
  TEXT_IMG_MR,
  TEXT_IMG_MG,
  TEXT_IMG_CONCLUSION,
  TEXT_OPERATIVE,
  TEXT_POSTOP,
  TEXT_LAB_COMMENT,
  TEXT_ER_CARE,
  TEXT_SPECIALIST,      /* specialist's assessment */
  TEXT_DISCHARGE,       /* synthèse du séjour */
  TEXT_FOLLOW_UP,       /* suivi après la sortie */
  TEXT_LIFESTYLE,
  N_TEXT_BANKS
} SandboxTextBank;

typedef struct
{
  const char *patient;   /* "Mme Rodriguez" */
  gboolean    female;
  int         age;
  const char *reason;    /* motive of a stay or visit, may be NULL */
} SandboxTextVars;

/* @n_sentences sentences of @bank, no sentence twice in a row. */
char *sandbox_text_paragraph (GRand                 *rand,
                              SandboxTextBank        bank,
                              guint                  n_sentences,
                              const SandboxTextVars *vars);

/* Every sentence of @bank, in order (the steps of an operation). */
char *sandbox_text_all       (GRand                 *rand,
                              SandboxTextBank        bank,
                              const SandboxTextVars *vars);

/* One sentence of @bank (placeholders substituted). */
char *sandbox_text_sentence  (GRand                 *rand,
                              SandboxTextBank        bank,
                              const SandboxTextVars *vars);

G_END_DECLS
