/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* MSSanté messages from the synthetic practice, as laboratories and
 * hospitals send them to the practice's mailbox: RFC 5322 text with a PDF
 * copy and an IHE_XDM.zip (METADATA.XML naming the patient by INS and
 * traits, with each document's SHA-1 and size), X-MSS-* headers, bodies in
 * UTF-8, ISO-8859-1 or Windows-1252. Besides the clean ones, the mix holds
 * messages without an INS, ambiguous ones (wrong INS key, day and month
 * swapped, two documents for two patients, an INS from outside the
 * practice) and a hostile one (path traversal, symlink, zip bomb, XXE).
 * Deterministic: the same options give the same bytes. */

typedef struct
{
  guint64     seed;        /* of the practice (as cabinet-sandbox --seed) */
  guint       n_patients;  /* of the practice (as cabinet-sandbox --patients) */
  guint       years;       /* of the practice (as cabinet-sandbox --years) */
  const char *today;       /* of the practice, "YYYY-MM-DD" */
  guint       n_messages;
  const char *to;          /* recipient address, e.g. "alice@cabinet.test" */
} SandboxMailOptions;

/* Called once per message.
 * @raw: the whole message (CRLF line ends).
 * @truth: what the message is about, for tests: "kind" (lab, letter,
 *   no-ins, wrong-key, swapped-date, two-patients, foreign-ins, hostile,
 *   married-name), "patient_id" (the practice's patient it is about, absent
 *   when none), "auto_allowed" (whether the rules of docs/domain.md may
 *   file it without a person: a qualified patient the practice manages,
 *   clean metadata), "message_id". */
typedef void (*SandboxMailFunc) (guint       index,
                                 GBytes     *raw,
                                 JsonObject *truth,
                                 gpointer    user_data);

gboolean sandbox_mail_generate (const SandboxMailOptions *options,
                                SandboxMailFunc           func,
                                gpointer                  user_data,
                                GError                  **error);

/* IHE XDM zip of documents (name, bytes) described by @metadata_xml (already
 * complete). With @hostile, adds a traversal entry, a symlink and a
 * 20 MiB entry of zeros. */
GBytes *sandbox_mail_xdm_zip (const char  *metadata_xml,
                              const char * const *names,
                              GBytes     **documents,
                              guint        n_documents,
                              gboolean     hostile,
                              GError     **error);

G_END_DECLS
