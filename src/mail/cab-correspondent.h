/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Where a correspondent was found; one address may come from several. */
typedef enum /*< flags >*/
{
  CAB_CORRESPONDENT_SOURCE_NONE      = 0,
  CAB_CORRESPONDENT_SOURCE_DIRECTORY = 1 << 0, /* the national health directory (cached) */
  CAB_CORRESPONDENT_SOURCE_RECEIVED  = 1 << 1, /* the sender of a message in the inbox */
  CAB_CORRESPONDENT_SOURCE_SENT      = 1 << 2, /* a recipient of a message this practice queued */
} CabCorrespondentSources;

#define CAB_TYPE_CORRESPONDENT (cab_correspondent_get_type ())
G_DECLARE_FINAL_TYPE (CabCorrespondent, cab_correspondent, CAB, CORRESPONDENT, GObject)

/*
 * CabCorrespondent: one recipient a completion offers, an immutable
 * snapshot built on a pool thread by cab_correspondents_search_async()
 * (cab-correspondents.h). Properties (read-only):
 *
 * - address (string): the plain addr-spec, lower case, never NULL; what
 *   goes into CabMailDraft.to;
 * - display-name (string): "Dr Noël Kerjean", or NULL when nothing but the
 *   address is known;
 * - profession (string): the directory's profession or specialty
 *   ("Cardiologue"), or NULL;
 * - organization (string): where the address belongs ("CHU de Nantes"),
 *   or NULL;
 * - city (string) and rpps (string, 11 digits), or NULL;
 * - sources (CabCorrespondentSources): directory, received, sent;
 * - received-count, sent-count (uint) and last-at (int64, Unix time of the
 *   latest message to or from this address, 0 for a directory entry only).
 */

typedef struct
{
  const char              *address;
  const char              *display_name;
  const char              *profession;
  const char              *organization;
  const char              *city;
  const char              *rpps;
  CabCorrespondentSources  sources;
  guint                    received_count;
  guint                    sent_count;
  gint64                   last_at;
} CabCorrespondentData;

/* Any thread: copies what @data points to. */
CabCorrespondent        *cab_correspondent_new                (const CabCorrespondentData *data);

const char              *cab_correspondent_get_address        (CabCorrespondent *self);
const char              *cab_correspondent_get_display_name   (CabCorrespondent *self);
const char              *cab_correspondent_get_profession     (CabCorrespondent *self);
const char              *cab_correspondent_get_organization   (CabCorrespondent *self);
const char              *cab_correspondent_get_city           (CabCorrespondent *self);
const char              *cab_correspondent_get_rpps           (CabCorrespondent *self);
CabCorrespondentSources  cab_correspondent_get_sources        (CabCorrespondent *self);
guint                    cab_correspondent_get_received_count (CabCorrespondent *self);
guint                    cab_correspondent_get_sent_count     (CabCorrespondent *self);
gint64                   cab_correspondent_get_last_at        (CabCorrespondent *self);

/* The name when known, else the address: a row's title. */
const char              *cab_correspondent_get_title          (CabCorrespondent *self);

G_END_DECLS
