/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-mail-store.h"

G_BEGIN_DECLS

/* One received message read into an inbox row (docs/architecture.md,
 * "Mail", steps 3 to 6): MIME, XDM, the PDFs' text, the patient match.
 * Shared by the sync (cab-mail-sync.c) and the indexing pass
 * (cab-mail-index.c), which must enumerate a message's documents in the
 * same order to find them again by position. */

/* @defer_pdfs: when an XDM document names the patient, the PDFs' text is
 * not needed for the match: their documents are left 'pending' and
 * row->text_pending set, for cab_mail_index_pending(). Otherwise the text
 * is read here (the match may need it). row->raw_path is left NULL. */
CabMailRow *cab_mail_read_message   (CabStore    *store,
                                     guint32      uidvalidity,
                                     guint32      uid,
                                     GBytes      *raw,
                                     gboolean     defer_pdfs,
                                     GError     **error);

/* The PDFs' text of @raw as the sync would have read it: @documents gets
 * the message's documents (CabMailDocument*, text_state set for PDFs),
 * @names the attachment names and @text the PDFs' text, as the index
 * holds them. FALSE when @raw is not readable MIME. */
gboolean    cab_mail_read_pdf_text  (GBytes      *raw,
                                     GPtrArray  **documents,
                                     char       **names,
                                     char       **text,
                                     GError     **error);

G_END_DECLS
