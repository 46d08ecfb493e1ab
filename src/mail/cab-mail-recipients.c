/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* Recipient names (cab-mail-recipients.h). A name comes from the national
 * directory, a received message or a payload written by another version:
 * hostile input (docs/architecture.md, "Hostile input"). It is checked each
 * time it is read, and one that is not a clean line is dropped, never
 * repaired: the address alone is always right. */

#include <gmime/gmime.h>

#include "cab-gmime-autoptr.h"
#include "cab-json-read.h"
#include "cab-mail-recipients.h"
#include "cab-mime.h"
#include "cab-mime-compose.h"
#include "cab-text.h"

/* A header line's length (RFC 5322): longer is not something typed. */
#define MAX_TYPED 998

char *
cab_mail_recipient_name_clean (const char *name)
{
  g_autofree char *stripped = NULL;

  if (name == NULL || strlen (name) > CAB_MIME_MAX_DISPLAY_NAME)
    return NULL;
  stripped = g_strstrip (g_strdup (name));
  return cab_mime_display_name_is_valid (stripped) ? g_steal_pointer (&stripped) : NULL;
}

char **
cab_mail_recipient_names_fit (const char * const *to,
                              const char * const *names)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  gboolean ended = names == NULL;

  for (guint i = 0; to != NULL && to[i] != NULL; i++)
    {
      g_autofree char *name = NULL;

      ended = ended || names[i] == NULL;
      name = ended ? NULL : cab_mail_recipient_name_clean (names[i]);
      g_strv_builder_add (b, name != NULL ? name : "");
    }
  return g_strv_builder_end (b);
}

char **
cab_mail_recipient_names_read (JsonObject *o,
                               guint       n_to)
{
  JsonArray *a = cab_json_read_array (o, "to_names");
  g_autoptr(GStrvBuilder) b = NULL;

  if (a == NULL || json_array_get_length (a) != n_to)
    return NULL;
  b = g_strv_builder_new ();
  for (guint i = 0; i < n_to; i++)
    {
      const char *text = cab_json_array_read_string (a, i);
      g_autofree char *name = text != NULL ? cab_mail_recipient_name_clean (text) : NULL;

      g_strv_builder_add (b, name != NULL ? name : "");
    }
  return g_strv_builder_end (b);
}

void
cab_mail_recipients_set (JsonObject         *o,
                         const char * const *to,
                         const char * const *names)
{
  g_auto(GStrv) fit = cab_mail_recipient_names_fit (to, names);
  g_autoptr(GPtrArray) named = g_ptr_array_new ();
  JsonArray *to_array = json_array_new ();
  JsonArray *names_array = json_array_new ();

  for (guint i = 0; to != NULL && to[i] != NULL; i++)
    {
      json_array_add_string_element (to_array, to[i]);
      json_array_add_string_element (names_array, fit[i]);
      if (*fit[i] != '\0')
        g_ptr_array_add (named, (char *) to[i]);
    }
  json_object_set_array_member (o, "to", to_array);
  json_object_set_array_member (o, "to_names", names_array);
  /* The title is made when shown, in the language of that moment
   * (cab_outbox_entry_describe()); one written by an older version goes. */
  if (json_object_has_member (o, "summary"))
    json_object_remove_member (o, "summary");
  if (named->len > 0)
    {
      g_autofree char *detail = NULL;

      g_ptr_array_add (named, NULL);
      detail = g_strjoinv (", ", (char **) named->pdata);
      json_object_set_string_member (o, "detail", detail);
    }
  else if (json_object_has_member (o, "detail"))
    json_object_remove_member (o, "detail");
}

/* Angle brackets, outside quoted names, either absent or one pair that
 * ends the text: GMime takes "Name <a@b.fr" for a mailbox, a typo that
 * should be said rather than guessed. */
static gboolean
brackets_are_balanced (const char *text)
{
  const char *open = NULL, *close = NULL;
  gboolean quoted = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (quoted && *p == '\\' && p[1] != '\0')
        p++;
      else if (*p == '"')
        quoted = !quoted;
      else if (!quoted && *p == '<')
        {
          if (open != NULL)
            return FALSE;
          open = p;
        }
      else if (!quoted && *p == '>')
        {
          if (close != NULL || open == NULL)
            return FALSE;
          close = p;
        }
    }
  if (open == NULL)
    return !quoted;
  if (close == NULL || quoted)
    return FALSE;
  for (const char *p = close + 1; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

gboolean
cab_mail_recipient_parse (const char  *text,
                          char       **address,
                          char       **name,
                          GError     **error)
{
  g_autoptr(InternetAddressList) list = NULL;
  InternetAddress *mailbox;
  const char *addr, *given;
  g_autofree char *clean = NULL, *stripped = NULL;

  g_return_val_if_fail (address != NULL && name != NULL, FALSE);

  *address = *name = NULL;
  /* A CR or LF would smuggle a header in: refused, never cleaned. */
  if (!cab_text_is_one_line (text, MAX_TYPED))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("A recipient must be one line of text"));
      return FALSE;
    }
  cab_mime_init ();
  list = internet_address_list_parse (NULL, text);
  if (list == NULL || internet_address_list_length (list) == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Not a mail address: give one as name@domain or as “Name <name@domain>”"));
      return FALSE;
    }
  if (internet_address_list_length (list) > 1)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("One recipient at a time: give each address on its own"));
      return FALSE;
    }
  mailbox = internet_address_list_get_address (list, 0);
  if (!INTERNET_ADDRESS_IS_MAILBOX (mailbox))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("A group of addresses cannot be a recipient: give each address on its own"));
      return FALSE;
    }
  /* GMime is lenient: what it made of the text is checked as on the wire. */
  addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (mailbox));
  if (addr == NULL || !cab_mime_address_is_valid (addr) || !brackets_are_balanced (text))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Not a mail address: give one as name@domain or as “Name <name@domain>”"));
      return FALSE;
    }
  given = internet_address_get_name (mailbox);
  stripped = g_strstrip (g_strdup (given != NULL ? given : ""));
  if (*stripped != '\0' && (clean = cab_mail_recipient_name_clean (stripped)) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The recipient’s name must be one line of text, at most %d bytes"), CAB_MIME_MAX_DISPLAY_NAME);
      return FALSE;
    }
  *address = g_strdup (addr);
  *name = g_steal_pointer (&clean);
  return TRUE;
}
