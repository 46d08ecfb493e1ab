/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

typedef struct _SandboxDb SandboxDb;

/* One SQLite connection, used by one thread at a time (taken from the pool). */
typedef struct
{
  sqlite3    *db;
  GHashTable *stmts;   /* SQL -> cached sqlite3_stmt */
} SandboxConn;

typedef struct
{
  gint64  rk;
  char   *type;
  char   *id;
  gint64  version;
  gint64  last_updated;
  char   *patient_id;
  gboolean deleted;
  gboolean pending;
  char   *json;
  gint64  sort_date;
} SandboxRow;

void          sandbox_row_free      (SandboxRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SandboxRow, sandbox_row_free)

SandboxDb    *sandbox_db_open       (const char   *path,
                                     GError      **error);
void          sandbox_db_free       (SandboxDb    *db);
const char   *sandbox_db_get_path   (SandboxDb    *db);

SandboxConn  *sandbox_db_acquire    (SandboxDb    *db);
void          sandbox_db_release    (SandboxDb    *db,
                                     SandboxConn  *conn);

/* A cached statement, reset and with its bindings cleared. */
sqlite3_stmt *sandbox_conn_prepare  (SandboxConn  *conn,
                                     const char   *sql);
gboolean      sandbox_conn_exec     (SandboxConn  *conn,
                                     const char   *sql,
                                     GError      **error);
void          sandbox_conn_set_error (SandboxConn *conn,
                                     GError      **error);

/* Writes are serialised: begin takes the write lock and opens an IMMEDIATE
 * transaction; end commits (or rolls back) and releases it. */
void          sandbox_db_write_begin (SandboxDb   *db,
                                      SandboxConn *conn);
gboolean      sandbox_db_write_end   (SandboxDb   *db,
                                      SandboxConn *conn,
                                      gboolean     commit,
                                      GError     **error);
/* Strictly increasing write time in ms; call inside a write. */
gint64        sandbox_db_next_timestamp (SandboxDb *db);

/* Meta key/value (generation parameters). */
char         *sandbox_db_get_meta   (SandboxConn  *conn,
                                     const char   *key);
void          sandbox_db_set_meta   (SandboxConn  *conn,
                                     const char   *key,
                                     const char   *value);

/* Bulk loading: no indexes while loading, created by finish_bulk. */
gboolean      sandbox_db_is_empty   (SandboxConn  *conn);
gboolean      sandbox_db_finish_bulk (SandboxDb   *db,
                                      SandboxConn *conn,
                                      GError     **error);

/* Reads the current version of Type/id (deleted ones too). NULL when unknown. */
SandboxRow   *sandbox_db_get        (SandboxConn  *conn,
                                     const char   *type,
                                     const char   *id);

/* Stores @resource as the next version of type/id at time @ts (sets meta,
 * indexes it). Inside a write. @bulk: known new, skip the lookup.
 * Returns the stored row. */
SandboxRow   *sandbox_db_store      (SandboxConn  *conn,
                                     const char   *type,
                                     const char   *id,
                                     JsonObject   *resource,
                                     const char   *patient_hint,
                                     gint64        ts,
                                     gboolean      bulk,
                                     GError      **error);
/* Marks type/id deleted as a new version. Inside a write. */
gboolean      sandbox_db_delete     (SandboxConn  *conn,
                                     SandboxRow   *current,
                                     gint64        ts,
                                     GError      **error);

/* Binary contents: bytes, or a PDF recipe rendered on demand. Inside a write. */
gboolean      sandbox_db_put_blob   (SandboxConn  *conn,
                                     const char   *id,
                                     const char   *content_type,
                                     const char   *recipe_json,
                                     GBytes       *data,
                                     GError      **error);
/* The bytes of Binary/@id, rendering and caching a PDF recipe if needed (the
 * caller is a worker thread). FALSE with a 404 error when there is none. */
gboolean      sandbox_db_load_blob  (SandboxDb    *db,
                                     SandboxConn  *conn,
                                     const char   *id,
                                     GBytes      **data,
                                     char        **content_type,
                                     char        **sha1,
                                     GError      **error);

/* Fills size and hash of a pending DocumentReference from its Binary (without
 * a new version: they were always meant to be there) and updates row->json. */
void          sandbox_db_fill_pending (SandboxDb  *db,
                                       SandboxConn *conn,
                                       SandboxRow *row);

/* Draws every PDF not drawn yet and fills its DocumentReference, on
 * @n_threads threads; returns how many documents were filled. */
guint         sandbox_db_prerender  (SandboxDb    *db,
                                     guint         n_threads);

/* Whether @patient_id blocks Practitioner/@practitioner. */
gboolean      sandbox_db_is_blocked (SandboxConn  *conn,
                                     const char   *patient_id,
                                     const char   *practitioner);

SandboxRow   *sandbox_row_from_stmt (sqlite3_stmt *stmt);
/* Columns sandbox_row_from_stmt expects, in order, for "SELECT <cols> FROM res r". */
#define SANDBOX_ROW_COLUMNS "r.rk, r.type, r.id, r.version, r.last_updated, r.patient_id, r.deleted, r.pending, r.json, r.sort_date"

G_END_DECLS
