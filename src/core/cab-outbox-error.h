/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * An outbox entry's last error, kept language-neutral (docs/architecture.md,
 * "An entry's last error"): what failed as a code ("mail-refused") and the
 * server's own words verbatim as its detail ("550 5.1.1 <bob@…>: no such
 * mailbox"), never translated. The sentence is made when the error is
 * shown, in the language of whoever reads it: a send failed by
 * `cabinetctl outbox drain` under LANG=C reads in French on a French desk.
 *
 * Codes (stable: they are stored; a new one goes at the end of the table
 * in cab-outbox-error.c, an unknown one from a newer version shows its
 * detail):
 *   mail-auth, mail-token        the mail server refused the credentials
 *   mail-refused, mail-later     5xx, 4xx: detail the server's reply
 *   mail-tls, mail-url, mail-network  detail libcurl's (English) text
 *   mail-starttls, mail-dns, mail-connect, mail-timeout, mail-cut,
 *   mail-address, mail-damaged   no detail
 *   mail-build, mail-sent-folder detail the underlying error
 *   conflict, changed-elsewhere, refused, unreachable  the drain's own
 *   credentials, unreadable      detail the health space client's error
 */

/* Whether @code is one this version can say (a stored code is checked). */
gboolean  cab_outbox_error_code_is_known (const char *code);

/* The sentence for @code with @detail, in the current language. @code
 * NULL: @text as stored (an entry failed before codes were kept, in the
 * language of that moment). @code unknown: @detail, else @text. NULL when
 * there is nothing to say. */
char     *cab_outbox_error_describe      (const char *code,
                                          const char *detail,
                                          const char *text);

G_END_DECLS
