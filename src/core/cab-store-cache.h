/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-store.h"

G_BEGIN_DECLS

/* What the store knows of the documents' contents on disk: which are there,
 * their size, whether prefetched or asked for, when last read, and which the
 * user pinned (docs/architecture.md, "Prefetch"). Blocking, like every store
 * call: call from a worker thread. */

typedef enum
{
  CAB_CONTENT_SOURCE_OPENED,     /* downloaded because someone asked for it */
  CAB_CONTENT_SOURCE_PREFETCH,   /* downloaded in the background */
} CabContentSource;

/* Records @document_id's content at @local_path (@size bytes on disk), its
 * extracted text (may be NULL) and where it came from, in one transaction.
 * A content once opened stays counted as opened. */
gboolean   cab_store_record_document_content (CabStore          *self,
                                              const char        *document_id,
                                              const char        *local_path,
                                              const char        *text,
                                              gint64             size,
                                              CabContentSource   source,
                                              GError           **error);

/* The content was read for display at @when (unix seconds). No-op when the
 * content is not on disk. */
gboolean   cab_store_note_document_read      (CabStore          *self,
                                              const char        *document_id,
                                              gint64             when,
                                              GError           **error);

/* A pinned content is prefetched first and never evicted. */
gboolean   cab_store_set_document_pinned     (CabStore          *self,
                                              const char        *document_id,
                                              gboolean           pinned,
                                              GError           **error);

/* Forgets @document_id's content when it is still recorded at @local_path
 * (a sync may have replaced it meanwhile); the caller removes the file
 * afterwards. FALSE without error when nothing matched. */
gboolean   cab_store_forget_document_content (CabStore          *self,
                                              const char        *document_id,
                                              const char        *local_path,
                                              GError           **error);

typedef struct
{
  guint   n_documents;     /* documents with a content to download (KOS entries aside) */
  guint   n_cached;        /* of those, with their content on disk */
  guint64 cached_bytes;    /* size of every content on disk */
} CabOfflineStats;

gboolean   cab_store_get_offline_stats       (CabStore          *self,
                                              CabOfflineStats   *stats,
                                              GError           **error);

/* One downloadable document as the prefetch plans it. */
typedef struct
{
  CabDocumentRow *row;            /* id, patient, attachment (url, type, size, hash), local_path, sort_date */
  gboolean        pinned;
  gboolean        cached;         /* recorded on disk (row->local_path set) */
  CabContentSource source;        /* when cached */
  gint64          cached_size;    /* when cached, else the announced size (-1 unknown) */
  gint64          cached_at;      /* unix seconds, 0 when not cached */
  gint64          last_read_at;   /* unix seconds, 0 never */
} CabContentEntry;

void       cab_content_entry_free            (CabContentEntry   *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabContentEntry, cab_content_entry_free)

/* Every document with a content to download (KOS entries aside), in the
 * prefetch's order: pinned first, then the patients opened since
 * @recent_since (ISO 8601 UTC, may be NULL), most recently opened first,
 * then newest first across the practice. Array of CabContentEntry*. */
GPtrArray *cab_store_list_contents           (CabStore          *self,
                                              const char        *recent_since,
                                              GError           **error);

/* Up to @limit contents on disk whose text is not in the full-text index
 * yet (PDFs only): ids and paths, alternately, in a NULL-terminated array. */
GStrv      cab_store_list_unindexed_contents (CabStore          *self,
                                              guint              limit,
                                              GError           **error);

/* Whether @document_id's content is recorded as on disk. */
gboolean   cab_store_is_document_cached      (CabStore          *self,
                                              const char        *document_id);

G_END_DECLS
