/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "cab-fhir-resource.h"

G_BEGIN_DECLS

/* The image viewer link of an imaging study (docs/domain.md, "Imaging": the form of the
 * DRIMbox link is unverified, so it comes from a template in GSettings,
 * "image-viewer-url-template").
 *
 * Placeholders, each replaced by its URI-escaped value (empty when unknown):
 *   {study_uid}   the Study Instance UID
 *   {ins}         the INS (NIR with its key), only for a qualified identity
 *   {family}      the birth name (INS trait), else the usage name
 *   {given}       the birth given names, space separated
 *   {birth_date}  YYYY-MM-DD
 *   {sex}         the FHIR gender: male, female, other, unknown
 * Any other {word} is left as is. Returns NULL when @template or @study_uid
 * is empty: there is nothing to open. */
char *cab_imaging_link_build (const char       *template_,
                              const char       *study_uid,
                              const CabPatient *patient);

G_END_DECLS
