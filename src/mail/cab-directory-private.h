/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "cab-directory.h"

G_BEGIN_DECLS

/* What the directory's sibling files share (cab-directory.c: the network
 * flows; cab-directory-parse.c: Bundles into entries; cab-directory-cache.c:
 * the store). */

/* One MSSanté address of the directory, as cached (directory_entries). */
typedef struct
{
  char *address;          /* lower case addr-spec under .mssante.fr */
  char *display;          /* "Dr Noël Kerjean" */
  char *sort_key;         /* folded "family given" */
  char *profession;
  char *organization;
  char *city;
  char *rpps;             /* 11 digits, or NULL */
  char *practitioner_id;  /* the directory's Practitioner id */
} CabDirectoryEntry;

void cab_directory_entry_free (CabDirectoryEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabDirectoryEntry, cab_directory_entry_free)

/* A searchset page's resources, checked (cab-directory-parse.c). Appends
 * to @practitioners the Practitioner objects (referenced) whose id is valid,
 * to @roles the PractitionerRole ones; sets @next_url (NULL on the last
 * page). FALSE with CAB_DIRECTORY_ERROR_ANSWER when @root is not a
 * searchset Bundle or holds more than CAB_DIRECTORY_MAX_PAGE_ENTRIES. */
gboolean cab_directory_parse_page    (JsonNode    *root,
                                      GPtrArray   *practitioners,
                                      GPtrArray   *roles,
                                      char       **next_url,
                                      GError     **error);

/* Entries of @practitioners (JsonObject*) with what @roles (JsonObject*)
 * add: one per valid MSSanté address, appended to @entries
 * (CabDirectoryEntry*), each address once. */
void     cab_directory_make_entries  (GPtrArray   *practitioners,
                                      GPtrArray   *roles,
                                      GPtrArray   *entries);

/* Whether @address is a professional MSSanté address the completion may
 * offer: one plain addr-spec, at most 254 bytes, under .mssante.fr and not
 * a patient's own mailbox. */
gboolean cab_directory_address_is_valid (const char *address);

/* The cache (cab-directory-cache.c), worker threads only. Writes @entries
 * in one transaction: first every entry of the practitioners in
 * @replaced_ids (their addresses as the directory lists them now) and of
 * the RPPS numbers in @removed_rpps (no longer listed) is removed, counted
 * in @n_removed, then each entry is inserted or updated by address. */
gboolean cab_directory_cache_put     (CabStore    *store,
                                      GPtrArray   *entries,
                                      GPtrArray   *replaced_ids,
                                      GPtrArray   *removed_rpps,
                                      guint       *n_removed,
                                      GError     **error);
/* What a sync asks again: the cached RPPS numbers (distinct) and the
 * learned MSSanté addresses the cache lacks, most recent first. */
gboolean cab_directory_cache_read_scope (CabStore   *store,
                                         GPtrArray **rpps,
                                         GPtrArray **addresses,
                                         GError    **error);

G_END_DECLS
