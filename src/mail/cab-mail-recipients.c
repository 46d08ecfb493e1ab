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

#include "cab-json-read.h"
#include "cab-mail-recipients.h"

#include "cab-mime-compose.h"

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
