/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Word lists of the synthetic practice: French given names by sex, family
 * names, streets and communes around Nantes, birth places. Constant data. */

typedef struct
{
  const char *name;
  const char *postal_code;
  const char *insee;        /* 5 characters; 2A/2B for Corsica, 99xxx abroad */
} SandboxCommune;

extern const char * const sandbox_given_female[];
extern const guint        sandbox_n_given_female;
extern const char * const sandbox_given_male[];
extern const guint        sandbox_n_given_male;
extern const char * const sandbox_family_names[];
extern const guint        sandbox_n_family_names;
extern const char * const sandbox_street_names[];
extern const guint        sandbox_n_street_names;

/* Where patients live (Nantes and its suburbs). */
extern const SandboxCommune sandbox_home_communes[];
extern const guint          sandbox_n_home_communes;

/* Where patients were born: mostly Loire-Atlantique and western France, a
 * few in Corsica, some abroad (99 + country code; name is the country). */
extern const SandboxCommune sandbox_birth_communes[];
extern const guint          sandbox_n_birth_communes;

G_END_DECLS
