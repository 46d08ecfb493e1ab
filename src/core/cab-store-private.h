/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <math.h>
#include <sqlite3.h>

#include "cab-store.h"
#include "cab-store-outbox.h"

G_BEGIN_DECLS

/* One SQLite connection and its prepared statements. A connection is used by
 * one thread at a time: the writer under the store's write mutex, readers
 * taken from (and given back to) a small pool. */
typedef struct _CabStoreConn
{
  CabStore   *store;      /* weak */
  sqlite3    *db;
  GHashTable *stmts;      /* SQL text -> sqlite3_stmt* (owned) */
  GHashTable *by_address; /* static SQL text's address -> the same statement */
  gboolean    is_writer;
} CabStoreConn;

/* A cached statement borrowed from a connection: the autoptr cleanup resets
 * it and clears its bindings (it is never finalized while cached). */
typedef sqlite3_stmt CabStmt;
void cab_stmt_release (CabStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabStmt, cab_stmt_release)

/* Distinct names so g_autoptr gives back a reader or unlocks the writer. */
typedef CabStoreConn CabStoreReader;
typedef CabStoreConn CabStoreWriter;

CabStoreReader *cab_store_reader_acquire (CabStore       *self,
                                          GError        **error);
void            cab_store_reader_release (CabStoreReader *reader);
CabStoreWriter *cab_store_writer_lock    (CabStore       *self);
void            cab_store_writer_unlock  (CabStoreWriter *writer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabStoreReader, cab_store_reader_release)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabStoreWriter, cab_store_writer_unlock)

/* Prepared once per connection, then reused. */
CabStmt  *cab_store_conn_prepare (CabStoreConn  *conn,
                                  const char    *sql,
                                  GError       **error);
/* The same for SQL in static storage, found by address: no hashing of long
 * SQL texts on the sync hot path. */
CabStmt  *cab_store_conn_prepare_static (CabStoreConn  *conn,
                                         const char    *sql,
                                         GError       **error);
gboolean  cab_store_conn_exec    (CabStoreConn  *conn,
                                  const char    *sql,
                                  GError       **error);
/* CAB_STORE_ERROR_SQL with sqlite3_errmsg (never data values). */
void      cab_store_set_sql_error (GError      **error,
                                   sqlite3      *db,
                                   const char   *what);

/* Transactions on the writer: BEGIN IMMEDIATE, COMMIT, ROLLBACK. */
gboolean  cab_store_begin     (CabStoreWriter *writer,
                               GError        **error);
gboolean  cab_store_commit    (CabStoreWriter *writer,
                               GError        **error);
void      cab_store_rollback  (CabStoreWriter *writer);

static inline char *
cab_stmt_dup_text (sqlite3_stmt *stmt,
                   int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static inline void
cab_stmt_bind_text (sqlite3_stmt *stmt,
                    int           index,
                    const char   *text)
{
  /* SQLITE_STATIC: every bound string outlives the step that reads it. */
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, index);
}

static inline double
cab_stmt_get_double (sqlite3_stmt *stmt,
                     int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NAN;
  return sqlite3_column_double (stmt, column);
}

/* Schema (cab-store-schema.c). Migrates up to version @up_to
 * (cab_store_schema_latest() but in tests); @version is where it is then. */
int       cab_store_schema_latest  (void);
gboolean  cab_store_schema_migrate (CabStoreWriter *writer,
                                    int             up_to,
                                    int            *version,
                                    GError        **error);

/* For tests only: a store migrated up to @version and no further, so a
 * test can write what a store of that version held, then open it with
 * cab_store_open() to run the later migrations over it. Nothing else may
 * use such a store: the rest of the code expects the latest schema. */
CabStore *cab_store_open_at_version (const char  *path,
                                     int          version,
                                     GError     **error);

/* Records (cab-store-records.c): called inside the writer's transaction. */
gboolean  cab_store_put_record_locked (CabStoreWriter      *writer,
                                       const CabFhirRecord *record,
                                       GError             **error);
gboolean  cab_store_set_state_locked  (CabStoreWriter      *writer,
                                       const char          *key,
                                       const char          *value,
                                       GError             **error);

/* Documents (cab-store-documents.c): a content's path and text, inside the
 * writer's transaction. */
gboolean  cab_store_set_document_content_locked (CabStoreWriter  *writer,
                                                 const char      *document_id,
                                                 const char      *local_path,
                                                 const char      *text,
                                                 GError         **error);
/* Outbox (cab-store-outbox.c): inserts @entry (id and created_at ignored;
 * state pending or held) inside the writer's transaction, for a library
 * that commits an entry with its own local effect (src/mail); then call
 * cab_outbox_queued(). Sets @entry_id. */
gboolean  cab_store_outbox_insert_locked (CabStoreWriter               *writer,
                                          const CabOutboxEntry         *entry,
                                          gint64                       *entry_id,
                                          GError                      **error);

/* Folding (cab-store-patients.c): NFD, combining marks stripped, case folded,
 * every character that is not a letter, a digit, '/' or '-' made a space when
 * @keep_date_marks, else every non-alphanumeric one. */
char     *cab_store_fold           (const char *text,
                                    gboolean    keep_date_marks);
char     *cab_store_patient_search_text (const CabPatient *patient);
char     *cab_store_patient_sort_key    (const CabPatient *patient);

/* FTS5 query from user text: each token quoted with a trailing '*'; NULL when
 * the text holds no token. */
char     *cab_store_fts_query      (const char *text);

G_END_DECLS
