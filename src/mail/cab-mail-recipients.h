/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Recipients' names as picked in the composer (docs/architecture.md,
 * "Sending mail", "Recipient names"): kept beside the addresses in drafts
 * and queued payloads ("to_names", "" for none), shown on the Outbox page,
 * and written before the address in To when they fit in a header. They are
 * only shown: the message goes to the addresses. */

/* @name without its outer spaces when it may be shown and written before
 * an address (cab_mime_display_name_is_valid(): one line of UTF-8, no
 * control character, at most CAB_MIME_MAX_DISPLAY_NAME bytes), else NULL. */
char  *cab_mail_recipient_name_clean (const char         *name);

/* @names beside @to, as long as @to: each cleaned, "" where none (NULL
 * @names, or shorter: "" for the rest). */
char **cab_mail_recipient_names_fit  (const char * const *to,
                                      const char * const *names);

/* "to_names" of draft or payload @o, for its @n_to addresses: each string
 * cleaned ("" when none or refused). NULL when absent (a draft or message
 * from an older version), not an array or not @n_to long: addresses only. */
char **cab_mail_recipient_names_read (JsonObject         *o,
                                      guint               n_to);

/* Sets "to" and "to_names" of payload @o, and "detail", the addresses of
 * the named ones that the Outbox page shows under the title (removed when
 * none is named). The title itself is made from "subject", "to" and
 * "to_names" when shown (cab_outbox_entry_describe()), in the language of
 * that moment: no translated "summary" is stored. */
void   cab_mail_recipients_set       (JsonObject         *o,
                                      const char * const *to,
                                      const char * const *names);

/* One recipient as a person types it (cabinetctl's --to): a bare address
 * ("b.riou@medecin.mssante.fr") or an RFC 5322 name-addr ("Dr Bérénice
 * Riou <b.riou@medecin.mssante.fr>", the name quoted or not, encoded words
 * decoded), parsed by GMime. TRUE with @address and @name (NULL when none
 * is given); FALSE with a G_IO_ERROR_INVALID_ARGUMENT that says what is
 * wrong when @text is not exactly one mailbox, its address is not one
 * plain local@domain (cab_mime_address_is_valid()) or its name is not a
 * clean line (cab_mail_recipient_name_clean()). */
gboolean cab_mail_recipient_parse    (const char         *text,
                                      char              **address,
                                      char              **name,
                                      GError            **error);

G_END_DECLS
