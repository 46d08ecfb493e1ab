/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include <glib/gi18n-lib.h>

/* Outgoing MIME (GMime 3). Values that become header lines are checked
 * before GMime sees them (rule "Hostile input": refuse, do not repair):
 * GMime folds and encodes text, but a CR or LF in an address or subject
 * would be a header injection attempt from whatever supplied it. */

#include "cab-mime-compose.h"
#include "cab-mime.h"
#include "cab-text.h"

#include "cab-gmime-autoptr.h"
#include <string.h>

gboolean
cab_mime_address_is_valid (const char *address)
{
  const char *at;
  gsize length;

  if (address == NULL)
    return FALSE;
  length = strlen (address);
  if (length < 3 || length > CAB_MIME_MAX_ADDRESS)
    return FALSE;
  for (const char *p = address; *p; p++)
    if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7f || strchr ("<>()[]\\,;:\"", *p) != NULL)
      return FALSE;
  at = strchr (address, '@');
  if (at == NULL || at == address || strchr (at + 1, '@') != NULL || at[1] == '\0' ||
      at[1] == '.' || address[length - 1] == '.' || strstr (at, "..") != NULL || strchr (at, '.') == NULL)
    return FALSE;
  return TRUE;
}

char *
cab_mime_new_message_id (const char *domain)
{
  g_autofree char *uuid = g_uuid_string_random ();

  return g_strdup_printf ("%s@%s", uuid, domain != NULL && *domain ? domain : "cabinet.invalid");
}


gboolean
cab_mime_display_name_is_valid (const char *name)
{
  return cab_text_is_one_line (name, CAB_MIME_MAX_DISPLAY_NAME) && *name != '\0';
}

static GMimePart *
new_part (const char *content_type, const char *filename, GBytes *content)
{
  g_autoptr(GMimeContentType) type = g_mime_content_type_parse (NULL, content_type);
  GMimePart *part = g_mime_part_new_with_type (g_mime_content_type_get_media_type (type),
                                               g_mime_content_type_get_media_subtype (type));
  gsize size;
  const guint8 *data = g_bytes_get_data (content, &size);
  g_autoptr(GMimeStream) stream = g_mime_stream_mem_new_with_buffer ((const char *) data, size);
  g_autoptr(GMimeDataWrapper) wrapper = g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);

  g_mime_part_set_content (part, wrapper);
  g_mime_part_set_content_encoding (part, GMIME_CONTENT_ENCODING_BASE64);
  g_mime_part_set_filename (part, filename);
  return part;
}

static gboolean
refuse (GError **error, const char *message)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, message);
  return FALSE;
}

static gboolean
check (const CabMimeComposition *c, GError **error)
{
  if (!cab_mime_address_is_valid (c->from))
    return refuse (error, _("The sender's address is not a valid mail address"));
  if (c->from_name != NULL && !cab_mime_display_name_is_valid (c->from_name))
    return refuse (error, _("The sender's name must be one line of text"));
  if (c->to == NULL || c->to[0] == NULL)
    return refuse (error, _("The message has no recipient"));
  for (guint i = 0; c->to[i] != NULL; i++)
    if (!cab_mime_address_is_valid (c->to[i]))
      return refuse (error, _("A recipient is not a valid mail address (one address, without name, spaces or line breaks)"));
  if (!cab_text_is_one_line (c->subject, CAB_MIME_MAX_SUBJECT))
    return refuse (error, _("The subject must be one line of text"));
  if (c->message_id == NULL || !cab_mime_address_is_valid (c->message_id))
    return refuse (error, _("The message has no valid Message-ID"));
  if (c->body == NULL || !g_utf8_validate (c->body, -1, NULL))
    return refuse (error, _("The message text is not UTF-8"));
  if (!cab_mime_message_ids_are_valid (c->in_reply_to) || !cab_mime_message_ids_are_valid (c->references))
    return refuse (error, _("The message answered has an unreadable Message-ID"));
  for (guint i = 0; c->mss_ins != NULL && i < 1; i++)
    if (!g_str_equal (c->mss_ins, "O") && !g_str_equal (c->mss_ins, "N"))
      return refuse (error, "X-MSS-INS");
  for (guint i = 0; c->codecda != NULL && c->codecda[i] != NULL; i++)
    if (!cab_text_is_one_line (c->codecda[i], 64) || strchr (c->codecda[i], ',') != NULL)
      return refuse (error, "X-MSS-CODECDA");
  for (guint i = 0; i < c->n_attachments; i++)
    if (!cab_text_is_one_line (c->attachments[i].filename, 255) ||
        !cab_text_is_one_line (c->attachments[i].content_type, 127) ||
        strchr (c->attachments[i].content_type, '/') == NULL)
      return refuse (error, _("An attachment's name or type is not one line of text"));
  return TRUE;
}

gboolean
cab_mime_message_ids_are_valid (const char *ids)
{
  g_auto(GStrv) parts = NULL;
  guint n = 0;

  if (ids == NULL)
    return TRUE;
  if (strlen (ids) > CAB_MIME_MAX_REFERENCES * (CAB_MIME_MAX_ADDRESS + 1))
    return FALSE;
  parts = g_strsplit (ids, " ", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0')
        continue;
      if (++n > CAB_MIME_MAX_REFERENCES || !cab_mime_address_is_valid (parts[i]))
        return FALSE;
    }
  return n > 0;
}

/* "<a> <b>" from "a b". */
static char *
bracketed (const char *ids)
{
  g_auto(GStrv) parts = g_strsplit (ids, " ", -1);
  GString *s = g_string_new (NULL);

  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      g_string_append_printf (s, "%s<%s>", s->len > 0 ? " " : "", parts[i]);
  return g_string_free (s, FALSE);
}

GBytes *
cab_mime_compose (const CabMimeComposition *c,
                  GError                  **error)
{
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GMimeTextPart) text = NULL;
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GDateTime) date = NULL;
  GMimeFormatOptions *options;
  GByteArray *array;
  g_autofree char *dnt = NULL;

  if (!check (c, error))
    return NULL;
  cab_mime_init ();

  message = g_mime_message_new (TRUE);
  /* GMime quotes the name and writes it as RFC 2047 encoded words when it
   * is not ASCII ("=?UTF-8?…?="): the header stays 7-bit. */
  g_mime_message_add_mailbox (message, GMIME_ADDRESS_TYPE_FROM, c->from_name, c->from);
  for (guint i = 0, named = c->to_names != NULL; c->to[i] != NULL; i++)
    {
      /* A recipient's name is only shown: one that is not a clean line
       * (CR, LF, too long) leaves the address bare rather than refusing
       * the message. */
      const char *name = named && (named = c->to_names[i] != NULL) ? c->to_names[i] : NULL;

      g_mime_message_add_mailbox (message, GMIME_ADDRESS_TYPE_TO,
                                  cab_mime_display_name_is_valid (name) ? name : NULL, c->to[i]);
    }
  g_mime_message_set_subject (message, c->subject, "utf-8");
  g_mime_message_set_message_id (message, c->message_id);
  date = g_date_time_new_from_unix_utc (c->date);
  g_mime_message_set_date (message, date);
  if (c->receipt)
    {
      dnt = g_strdup_printf ("<%s>", c->from);
      g_mime_object_set_header (GMIME_OBJECT (message), "Disposition-Notification-To", dnt, NULL);
    }
  /* A reply stays in its thread (RFC 5322 3.6.4). */
  if (c->in_reply_to != NULL)
    {
      g_autofree char *value = bracketed (c->in_reply_to);
      g_mime_object_set_header (GMIME_OBJECT (message), "In-Reply-To", value, NULL);
    }
  if (c->references != NULL)
    {
      g_autofree char *value = bracketed (c->references);
      g_mime_object_set_header (GMIME_OBJECT (message), "References", value, NULL);
    }
  if (c->mss_ins != NULL)
    g_mime_object_set_header (GMIME_OBJECT (message), "X-MSS-INS", c->mss_ins, NULL);
  if (c->codecda != NULL && c->codecda[0] != NULL)
    {
      g_autofree char *codes = g_strjoinv (",", (char **) c->codecda);
      g_mime_object_set_header (GMIME_OBJECT (message), "X-MSS-CODECDA", codes, NULL);
    }

  text = g_mime_text_part_new_with_subtype ("plain");
  g_mime_text_part_set_text (text, c->body);
  g_mime_text_part_set_charset (text, "utf-8");
  g_mime_part_set_content_encoding (GMIME_PART (text), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);

  if (c->n_attachments == 0 && c->xdm_zip == NULL)
    g_mime_message_set_mime_part (message, GMIME_OBJECT (text));
  else
    {
      g_autoptr(GMimeMultipart) mixed = g_mime_multipart_new_with_subtype ("mixed");

      g_mime_multipart_add (mixed, GMIME_OBJECT (text));
      for (guint i = 0; i < c->n_attachments; i++)
        {
          g_autoptr(GMimePart) part = new_part (c->attachments[i].content_type,
                                                c->attachments[i].filename,
                                                c->attachments[i].content);
          g_mime_multipart_add (mixed, GMIME_OBJECT (part));
        }
      if (c->xdm_zip != NULL)
        {
          g_autoptr(GMimePart) part = new_part ("application/zip", "IHE_XDM.zip", c->xdm_zip);
          g_mime_multipart_add (mixed, GMIME_OBJECT (part));
        }
      g_mime_message_set_mime_part (message, GMIME_OBJECT (mixed));
    }

  /* SMTP wants CRLF; the same bytes go to the Sent folder. */
  options = g_mime_format_options_new ();
  g_mime_format_options_set_newline_format (options, GMIME_NEWLINE_FORMAT_DOS);
  stream = g_mime_stream_mem_new ();
  g_mime_object_write_to_stream (GMIME_OBJECT (message), options, stream);
  g_mime_format_options_free (options);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
  return g_bytes_new (array->data, array->len);
}
