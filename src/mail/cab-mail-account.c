/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "cab-mail-account.h"

#include <libsecret/secret.h>

#define PASSWORD_SCHEMA_ID "io.github.cabinet_sante.Cabinet.MailPassword"

static const SecretSchema *
password_schema (void)
{
  static const SecretSchema schema = {
    PASSWORD_SCHEMA_ID, SECRET_SCHEMA_NONE,
    {
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

char *
cab_mail_account_lookup_password (const char  *account,
                                  GError     **error)
{
  const char *env = g_getenv ("CABINET_MAIL_PASSWORD");
  const char *bus = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  char *secret;

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  /* Without a session bus there is no keyring to ask (and asking would
   * try to start one). */
  if (bus == NULL || *bus == '\0')
    return NULL;
  secret = secret_password_lookup_sync (password_schema (), NULL, NULL, "account", account, NULL);
  if (secret == NULL)
    return NULL;
  {
    char *copy = g_strdup (secret);
    secret_password_free (secret);
    return copy;
  }
}
