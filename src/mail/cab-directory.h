/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-correspondent.h"
#include "cab-fhir-client.h"
#include "cab-store.h"

G_BEGIN_DECLS

/*
 * The national health directory (Annuaire Santé, FHIR R4 API shape;
 * docs/domain.md "The national health directory"): its Practitioner and
 * PractitionerRole resources give professionals' MSSanté addresses
 * (telecom of system email), names, RPPS, professions and cities. No GTK.
 *
 * What is kept is a cache in the store (directory_entries, migration 11)
 * that cab_correspondents_search_async() searches offline. It is filled by
 * a sync (the practice's correspondents and chosen cities) and by each
 * online search's answers. Every request goes to the directory's own base
 * URL with its API key (header ESANTE-API-KEY), never with the health
 * space's token (docs/architecture.md, rule 1). Answers are hostile input:
 * size caps, deadlines, entry and page caps, every address checked
 * (rules 2-4). An answer refused leaves the cache as it was.
 *
 * Used from the main context of the thread that created it (its
 * CabFhirClient's rule); store work runs on worker threads.
 */

#define CAB_DIRECTORY_ERROR (cab_directory_error_quark ())

typedef enum
{
  CAB_DIRECTORY_ERROR_QUERY,   /* nothing to search for in the text */
  CAB_DIRECTORY_ERROR_ANSWER,  /* the directory's answer is not a usable searchset */
  CAB_DIRECTORY_ERROR_LIMIT,   /* a cap was reached (pages, entries) */
} CabDirectoryError;

GQuark cab_directory_error_quark (void);

/* Answers (docs/architecture.md, "How the rules are kept"). */
#define CAB_DIRECTORY_MAX_BODY          (8 * 1024 * 1024)  /* bytes of one answer */
#define CAB_DIRECTORY_MAX_PAGE_ENTRIES  1000               /* entries of one page */
#define CAB_DIRECTORY_SEARCH_RESULTS    50                 /* an online search's practitioners */
#define CAB_DIRECTORY_SYNC_PAGE         100                /* _count of a sync's pages */
#define CAB_DIRECTORY_MAX_SYNC_PAGES    200                /* pages of one sync */
#define CAB_DIRECTORY_MAX_ENTRIES       50000              /* addresses one sync writes */
#define CAB_DIRECTORY_DEADLINE_S        15                 /* headers of each answer */
#define CAB_DIRECTORY_MAX_WORDS         4                  /* words of an online search */
#define CAB_DIRECTORY_MAX_WORD          64                 /* bytes of one word */

#define CAB_TYPE_DIRECTORY (cab_directory_get_type ())
G_DECLARE_FINAL_TYPE (CabDirectory, cab_directory, CAB, DIRECTORY, GObject)

/* @base_url: the directory's FHIR base ("https://…/fhir/v2"); @api_key may
 * be NULL (a directory that needs none). NULL with @error when the URL is
 * not usable. */
CabDirectory  *cab_directory_new             (CabStore      *store,
                                              const char    *base_url,
                                              const char    *api_key,
                                              GError       **error);
/* Its HTTP client: trust anchors (cab_fhir_client_set_ca_file()), and
 * deadlines and retries (tests lower them). */
CabFhirClient *cab_directory_get_client      (CabDirectory  *self);
/* _count of a sync's pages (default CAB_DIRECTORY_SYNC_PAGE; tests lower
 * it to read many pages). */
void           cab_directory_set_page_size   (CabDirectory  *self,
                                              guint          count);

/* Online search for names or an RPPS the cache may lack: each word of
 * @text (at most CAB_DIRECTORY_MAX_WORDS) is a name prefix (FHIR `name`,
 * all must match), an 11-digit word is an RPPS (`identifier`); @city,
 * when given, is `address-city`. The callers debounce (one search per
 * pause in typing, not per keystroke) and cancel the previous one. At most
 * CAB_DIRECTORY_SEARCH_RESULTS practitioners; their entries are written to
 * the cache. CAB_DIRECTORY_ERROR_QUERY when the text holds nothing to
 * search for. */
void           cab_directory_search_async    (CabDirectory        *self,
                                              const char          *text,
                                              const char          *city,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
/* A GListModel of CabCorrespondent (source directory), in the directory's
 * order, or NULL with @error. */
GListModel    *cab_directory_search_finish   (CabDirectory  *self,
                                              GAsyncResult  *result,
                                              GError       **error);

typedef struct
{
  guint n_requests;
  guint n_practitioners;
  guint n_entries;        /* addresses written */
  guint n_removed;        /* addresses the directory no longer lists */
} CabDirectorySyncStats;

/* Refreshes the cache: the learned correspondents' addresses it lacks
 * (`email`), every cached practitioner (`identifier`, by RPPS), and every
 * practitioner of @cities (`address-city`, all pages; may be NULL). All or
 * nothing: the cache is written once, after every answer was read. */
void           cab_directory_sync_async      (CabDirectory        *self,
                                              const char * const  *cities,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean       cab_directory_sync_finish     (CabDirectory         *self,
                                              GAsyncResult         *result,
                                              CabDirectorySyncStats *stats,
                                              GError              **error);

G_END_DECLS
