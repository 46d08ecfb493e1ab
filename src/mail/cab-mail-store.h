/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-store.h"
#include "cab-mail-match.h"

G_BEGIN_DECLS

/* The inbox's tables in the store (schema version 7, see
 * cab-store-schema.c): folder watermarks, messages with their match, their
 * documents, and the full-text index. Synchronous, for worker threads, like
 * every CabStore call (docs/architecture.md, "The store"). */

typedef struct
{
  guint32 uidvalidity;
  guint32 last_uid;
  guint64 highestmodseq;
} CabMailFolder;

typedef struct
{
  char    *source;        /* "xdm" or "attachment" */
  char    *filename;
  char    *content_type;
  gint64   size;
  char    *sha1;
  gboolean hash_ok;       /* xdm: SHA-1 and size as declared; attachment: TRUE */
  char    *type_code;
  char    *type_display;
  char    *text_state;    /* PDF: indexed, truncated, unreadable, or pending (the
                             indexing pass reads it, cab-mail-index.h); else NULL */
  /* Triage (migration 9): where it was filed, or why it was dismissed. */
  char    *filed_patient_id;
  char    *filed_document_id;  /* the patient's document made of it */
  char    *dismissed_reason;   /* "" when dismissed at another desk */
} CabMailDocument;

typedef struct
{
  gint64     id;
  guint32    uidvalidity;
  guint32    uid;
  char      *message_id;
  char      *body_hash;
  gint64     date;
  char      *from_display;
  char      *from_address;
  char      *subject;
  gint64     size;
  char      *raw_path;
  char      *status;          /* new, assigned, handled */
  char      *assignee;        /* "Practitioner/<id>" or NULL */
  char      *triage_patient_id; /* the patient a person chose or filed to */
  char      *keywords;        /* triage keywords as this desk wants them */
  char      *filing_state;    /* NULL, "pending", or why another desk's filing cannot be followed (migration 13) */
  char      *match_state;     /* cab_match_state_to_string() */
  char      *match_reason;    /* cab_match_reason_to_string() */
  char      *match_ins;
  char      *match_patient_id;
  char     **match_candidates;
  guint      match_disagreeing;
  char      *mss_ins;
  char      *mss_codecda;
  gboolean   mss_fin;
  gboolean   smime_signed;
  char      *xdm_error;       /* why the XDM was refused, or NULL */
  gint64     received_at;
  GPtrArray *documents;       /* CabMailDocument* */
  char      *body_text;       /* written to the index only; NULL when read back */
  char      *attachment_names;/* likewise */
  char      *document_text;   /* the PDFs' text, likewise */
  gboolean   text_pending;    /* the PDFs' text is left to the indexing pass (migration 17) */
} CabMailRow;

CabMailRow *cab_mail_row_new  (void);
void        cab_mail_row_free (CabMailRow *row);
CabMailDocument *cab_mail_document_new (void);

gboolean   cab_mail_store_get_folder  (CabStore            *store,
                                       const char          *account,
                                       const char          *mailbox,
                                       CabMailFolder       *folder,
                                       gboolean            *found,
                                       GError             **error);
/* One transaction: the rows (a row whose Message-ID and body hash are
 * already stored only takes its new UIDVALIDITY/UID) and the folder's new
 * watermark. @rows may be NULL (the watermark alone). @n_new: rows that
 * were new. */
gboolean   cab_mail_store_put_batch   (CabStore            *store,
                                       const char          *account,
                                       const char          *mailbox,
                                       const CabMailFolder *watermark,
                                       GPtrArray           *rows,
                                       guint               *n_new,
                                       GError             **error);
/* Newest first; @match_state NULL for all. */
GPtrArray *cab_mail_store_list        (CabStore            *store,
                                       const char          *match_state,
                                       GError             **error);
/* The same, only messages whose subject, sender, body, attachment names
 * or PDF text hold every word of @text (NULL: all). */
GPtrArray *cab_mail_store_search      (CabStore            *store,
                                       const char          *match_state,
                                       const char          *text,
                                       GError             **error);
/* Stored patients holding one of @ins or born on one of @birth_dates, as
 * the matcher takes them (CabMatchPatient*, freed with the array). */
GPtrArray *cab_mail_store_candidates  (CabStore            *store,
                                       const char * const  *ins,
                                       const char * const  *birth_dates,
                                       GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabMailRow, cab_mail_row_free)

G_END_DECLS
