/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libetpan/libetpan.h>

#include "cab-imap.h"

G_BEGIN_DECLS

/* IMAP commands written outside cab-imap.c (cab-imap-append.c) use the
 * session through these two, so every command has a deadline and its
 * errors read the same. */
mailimap *cab_imap_begin_command (CabImap     *imap,
                                  guint64      expected_bytes);
gboolean  cab_imap_check_result  (CabImap     *imap,
                                  int          result,
                                  const char  *what,
                                  GError     **error);

/* One FETCH answer's UID, FLAGS and MODSEQ (cab-imap.c). */
CabImapFlags *cab_imap_flags_from_att (struct mailimap_msg_att *att);

G_END_DECLS
