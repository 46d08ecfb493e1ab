/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-followup-rules.h"

G_BEGIN_DECLS

/* The nurse's round on paper: the worklist as shown (@patients, a
 * GListModel of CabFollowupPatient), one line per patient with a box to
 * tick, what is to do and since when, under the day's date. Prints with
 * the print dialog (which also saves as PDF), or straight to a PDF file
 * when @export_filename is set (tests). The lines are copied from the
 * model when called; the pages are laid out and drawn with Pango on the
 * main thread, as they are only text. */
void     cab_followup_print_round_async  (GListModel          *patients,
                                          CabFollowupRules    *rules,
                                          GtkWindow           *parent,
                                          const char          *export_filename,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
/* FALSE with G_IO_ERROR_CANCELLED when the user cancelled the dialog. */
gboolean cab_followup_print_round_finish (GAsyncResult        *result,
                                          GError             **error);

/* For tests: the pages the last print laid out. */
int      cab_followup_print_last_n_pages (void);

G_END_DECLS
