/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-outbox"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cab-outbox-error.h"
#include "cab-store-outbox.h"

/* The msgids are the sentences the senders word their GErrors with
 * (cab-smtp.c, cab-mail-send.c, cab-outbox-drain.c): one translation for
 * both. A template has at most one %s, the detail. */
static const struct
{
  const char *code;
  const char *sentence;
} errors[] = {
  { "mail-auth",         N_("The mail server refused the user name or password") },
  { "mail-token",        N_("The mail server refused the sign-in token (it may have expired, or be for another mailbox)") },
  { "mail-refused",      N_("The mail server refused the message: %s") },
  { "mail-later",        N_("The mail server asks to try again later: %s") },
  { "mail-tls",          N_("The mail server's certificate is not trusted: %s") },
  { "mail-starttls",     N_("The mail server does not offer STARTTLS: nothing was sent") },
  { "mail-url",          N_("Bad SMTP address: %s") },
  { "mail-dns",          N_("Cannot reach the mail server: its name cannot be found (is this computer online?)") },
  { "mail-connect",      N_("Cannot reach the mail server: the connection was refused or the network is down") },
  { "mail-timeout",      N_("Cannot reach the mail server: it did not answer in time") },
  { "mail-cut",          N_("The connection to the mail server was cut") },
  { "mail-network",      N_("Cannot reach the mail server: %s") },
  { "mail-address",      N_("A mail address is not valid") },
  { "mail-damaged",      N_("The queued message is damaged") },
  { "mail-build",        N_("The message cannot be built: %s") },
  { "mail-sent-folder",  N_("Cannot check the Sent folder before sending again: %s") },
  { "conflict",          N_("The document was changed in the health space meanwhile: choose the version to keep") },
  { "changed-elsewhere", N_("Changed elsewhere meanwhile: see what the server holds") },
  { "refused",           N_("The server refused the change") },
  { "unreachable",       N_("The server could not be reached") },
  { "credentials",       N_("The health space did not accept your credentials; sign in again. (%s)") },
  { "unreadable",        N_("The health space gave an answer Cabinet cannot read. (%s)") },
};

static const char *
sentence_of (const char *code)
{
  for (guint i = 0; code != NULL && i < G_N_ELEMENTS (errors); i++)
    if (g_str_equal (code, errors[i].code))
      return errors[i].sentence;
  return NULL;
}

gboolean
cab_outbox_error_code_is_known (const char *code)
{
  return sentence_of (code) != NULL;
}

char *
cab_outbox_error_describe (const char *code,
                           const char *detail,
                           const char *text)
{
  const char *sentence = sentence_of (code);

  if (code == NULL || (sentence == NULL && (detail == NULL || *detail == '\0')))
    return text != NULL && *text != '\0' ? g_strdup (text) : NULL;
  if (sentence == NULL)
    return g_strdup (detail);
  /* The table's template, translated: msgfmt -c checks that each
   * translation keeps its one %s (or none). */
  if (strstr (sentence, "%s") == NULL)
    return g_strdup (_(sentence));
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  return g_strdup_printf (_(sentence), detail != NULL ? detail : "");
#pragma GCC diagnostic pop
}

char *
cab_outbox_entry_dup_error (const CabOutboxEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);

  return cab_outbox_error_describe (entry->last_error_code, entry->last_error_detail, entry->last_error);
}
