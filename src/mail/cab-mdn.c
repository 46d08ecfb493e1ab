/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include <glib/gi18n-lib.h>

/* RFC 8098 read receipts with GMime 3. A received MDN is read under a size
 * cap; its fields are taken from the message/disposition-notification part
 * only (a letter quoting one in its text is not a receipt). */

#include "cab-mdn.h"

#include "cab-gmime-autoptr.h"
#include <string.h>

#include "cab-mime.h"
#include "cab-mime-compose.h"

/* "<id@host>" -> "id@host" when it is a valid id. */
static char *
bare_id (const char *value)
{
  g_autofree char *s = g_strstrip (g_strdup (value));
  gsize n = strlen (s);

  if (n >= 2 && s[0] == '<' && s[n - 1] == '>')
    {
      s[n - 1] = '\0';
      memmove (s, s + 1, n - 1);
    }
  return cab_mime_address_is_valid (s) ? g_steal_pointer (&s) : NULL;
}

/* Fields of the notification part: "Name: value" lines. */
static void
read_fields (const char *text, gsize length, char **original, char **disposition)
{
  g_autofree char *copy = g_strndup (text, length);
  g_auto(GStrv) lines = g_strsplit (copy, "\n", 64);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (*original == NULL && g_ascii_strncasecmp (line, "Original-Message-ID:", 20) == 0)
        *original = bare_id (line + 20);
      else if (*disposition == NULL && g_ascii_strncasecmp (line, "Disposition:", 12) == 0)
        {
          /* "manual-action/MDN-sent-manually; displayed" -> "displayed" */
          const char *type = strchr (line, ';');
          g_autofree char *t = g_strstrip (g_strdup (type != NULL ? type + 1 : ""));
          char *slash = strchr (t, '/');

          if (slash != NULL)
            *slash = '\0';
          if (*t != '\0' && strlen (t) <= 32 && strspn (t, "abcdefghijklmnopqrstuvwxyz-") == strlen (t))
            *disposition = g_steal_pointer (&t);
        }
    }
}

gboolean
cab_mdn_parse (GBytes  *raw,
               char   **original_message_id,
               char   **disposition)
{
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  GMimeObject *top;
  GMimeContentType *type;
  g_autofree char *original = NULL, *kind = NULL;
  gsize size;
  const char *data = g_bytes_get_data (raw, &size);

  *original_message_id = NULL;
  *disposition = NULL;
  if (size > CAB_MDN_MAX_SIZE)
    return FALSE;
  cab_mime_init ();
  stream = g_mime_stream_mem_new_with_buffer (data, size);
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  if (message == NULL)
    return FALSE;
  top = g_mime_message_get_mime_part (message);
  if (top == NULL || !GMIME_IS_MULTIPART (top))
    return FALSE;
  type = g_mime_object_get_content_type (top);
  if (!g_mime_content_type_is_type (type, "multipart", "report") ||
      g_strcmp0 (g_mime_content_type_get_parameter (type, "report-type"), "disposition-notification") != 0)
    return FALSE;
  for (int i = 0; i < g_mime_multipart_get_count (GMIME_MULTIPART (top)) && i < 8; i++)
    {
      GMimeObject *part = g_mime_multipart_get_part (GMIME_MULTIPART (top), i);
      GMimeContentType *pt = g_mime_object_get_content_type (part);

      if (!g_mime_content_type_is_type (pt, "message", "disposition-notification"))
        continue;
      if (GMIME_IS_PART (part) && g_mime_part_get_content (GMIME_PART (part)) != NULL)
        {
          g_autoptr(GMimeStream) out = g_mime_stream_mem_new ();
          GByteArray *bytes;

          g_mime_data_wrapper_write_to_stream (g_mime_part_get_content (GMIME_PART (part)), out);
          bytes = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (out));
          read_fields ((const char *) bytes->data, bytes->len, &original, &kind);
        }
      else if (GMIME_IS_MESSAGE_PART (part) && g_mime_message_part_get_message (GMIME_MESSAGE_PART (part)) != NULL)
        {
          GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (part));
          g_autofree char *headers = g_mime_object_get_headers (GMIME_OBJECT (inner), NULL);

          read_fields (headers, strlen (headers), &original, &kind);
        }
      break;
    }
  if (original == NULL || kind == NULL)
    return FALSE;
  *original_message_id = g_steal_pointer (&original);
  *disposition = g_steal_pointer (&kind);
  return TRUE;
}

GBytes *
cab_mdn_compose (const char *from,
                 const char *from_name,
                 const char *to,
                 const char *own_message_id,
                 const char *original_message_id,
                 const char *original_subject,
                 gboolean    automatic,
                 gint64      date,
                 GError    **error)
{
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GMimeMultipart) report = NULL;
  g_autoptr(GMimeTextPart) text = NULL;
  g_autoptr(GMimePart) notification = NULL;
  g_autoptr(GMimeStream) fields_stream = NULL;
  g_autoptr(GMimeDataWrapper) wrapper = NULL;
  g_autoptr(GMimeStream) out = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *message_id = NULL, *fields = NULL, *human = NULL, *subject = NULL, *orig = NULL;
  g_autofree char *domain = NULL;
  GMimeFormatOptions *options;
  GByteArray *array;

  if (!cab_mime_address_is_valid (from) || !cab_mime_address_is_valid (to) ||
      !cab_mime_address_is_valid (original_message_id) ||
      (own_message_id != NULL && !cab_mime_address_is_valid (own_message_id)))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The read receipt's addresses are not valid"));
      return NULL;
    }
  cab_mime_init ();
  domain = g_strdup (strchr (from, '@') + 1);
  message_id = own_message_id != NULL ? g_strdup (own_message_id) : cab_mime_new_message_id (domain);
  orig = g_strdup_printf ("<%s>", original_message_id);
  when = g_date_time_new_from_unix_utc (date);

  message = g_mime_message_new (TRUE);
  /* Named as a message's From is (GMime encodes it, RFC 2047). */
  g_mime_message_add_mailbox (message, GMIME_ADDRESS_TYPE_FROM,
                              cab_mime_display_name_is_valid (from_name) ? from_name : NULL, from);
  g_mime_message_add_mailbox (message, GMIME_ADDRESS_TYPE_TO, NULL, to);
  /* The original subject is for the reader only; control characters dropped. */
  subject = g_strdup (original_subject != NULL ? original_subject : "");
  g_strdelimit (subject, "\r\n\t", ' ');
  if (!g_utf8_validate (subject, -1, NULL) || strlen (subject) > 900)
    g_clear_pointer (&subject, g_free);
  {
    g_autofree char *line = g_strdup_printf ("Lu : %s", subject != NULL ? subject : "");
    g_mime_message_set_subject (message, line, "utf-8");
  }
  g_mime_message_set_message_id (message, message_id);
  g_mime_message_set_date (message, when);
  g_mime_object_set_header (GMIME_OBJECT (message), "References", orig, NULL);
  g_mime_object_set_header (GMIME_OBJECT (message), "In-Reply-To", orig, NULL);

  report = g_mime_multipart_new_with_subtype ("report");
  g_mime_object_set_content_type_parameter (GMIME_OBJECT (report), "report-type", "disposition-notification");

  text = g_mime_text_part_new_with_subtype ("plain");
  human = g_strdup_printf ("Votre message a été affiché par %s.\r\n"
                           "Cela ne garantit pas qu'il a été lu ou compris.\r\n", from);
  g_mime_text_part_set_text (text, human);
  g_mime_text_part_set_charset (text, "utf-8");
  g_mime_part_set_content_encoding (GMIME_PART (text), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
  g_mime_multipart_add (report, GMIME_OBJECT (text));

  fields = g_strdup_printf ("Reporting-UA: %s; Cabinet %s\r\n"
                            "Final-Recipient: rfc822;%s\r\n"
                            "Original-Message-ID: %s\r\n"
                            "Disposition: %s; displayed\r\n",
                            domain, PACKAGE_VERSION, from, orig,
                            automatic ? "automatic-action/MDN-sent-automatically"
                                      : "manual-action/MDN-sent-manually");
  notification = g_mime_part_new_with_type ("message", "disposition-notification");
  fields_stream = g_mime_stream_mem_new_with_buffer (fields, strlen (fields));
  wrapper = g_mime_data_wrapper_new_with_stream (fields_stream, GMIME_CONTENT_ENCODING_DEFAULT);
  g_mime_part_set_content (notification, wrapper);
  g_mime_part_set_content_encoding (notification, GMIME_CONTENT_ENCODING_7BIT);
  g_mime_multipart_add (report, GMIME_OBJECT (notification));
  g_mime_message_set_mime_part (message, GMIME_OBJECT (report));

  options = g_mime_format_options_new ();
  g_mime_format_options_set_newline_format (options, GMIME_NEWLINE_FORMAT_DOS);
  out = g_mime_stream_mem_new ();
  g_mime_object_write_to_stream (GMIME_OBJECT (message), options, out);
  g_mime_format_options_free (options);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (out));
  return g_bytes_new (array->data, array->len);
}

gboolean
cab_mdn_send (const CabSmtpAccount *account,
              const char           *from,
              const char           *from_name,
              GBytes               *raw,
              gboolean              automatic,
              GError              **error)
{
  g_autoptr(CabMimeMessage) original = cab_mime_parse (raw, error);
  g_autoptr(GBytes) mdn = NULL;
  g_autofree char *to = NULL;
  const char *rcpt[2] = { NULL, NULL };

  if (original == NULL)
    return FALSE;
  if (original->notification_to != NULL)
    {
      g_autoptr(InternetAddressList) list = internet_address_list_parse (NULL, original->notification_to);

      if (list != NULL && internet_address_list_length (list) == 1 &&
          INTERNET_ADDRESS_IS_MAILBOX (internet_address_list_get_address (list, 0)))
        to = g_strdup (internet_address_mailbox_get_addr (
                         INTERNET_ADDRESS_MAILBOX (internet_address_list_get_address (list, 0))));
    }
  if (to == NULL || original->message_id == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("This message asks for no read receipt"));
      return FALSE;
    }
  mdn = cab_mdn_compose (from, from_name, to, NULL, original->message_id, original->subject, automatic,
                         g_get_real_time () / G_USEC_PER_SEC, error);
  if (mdn == NULL)
    return FALSE;
  rcpt[0] = to;
  return cab_smtp_send (account, from, rcpt, mdn, NULL, NULL, NULL, NULL, error);
}
