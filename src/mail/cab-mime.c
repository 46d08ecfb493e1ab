/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include <glib/gi18n-lib.h>

/* MIME with GMime 3 (docs/architecture.md, "Mail stack"). */

#include "cab-mime.h"
#include "cab-base64.h"
#include "cab-mime-compose.h"
#include "cab-mail-hash.h"

#include <gmime/gmime.h>
#include <iconv.h>
#include <string.h>

G_DEFINE_QUARK (cab-mime-error-quark, cab_mime_error)

/* Converters opened once and never closed, see cab_mime_init(). */
static const char *const kept_charsets[] = { "WINDOWS-1252", "ISO-8859-1", "ISO-8859-15" };
static iconv_t kept_converters[G_N_ELEMENTS (kept_charsets)];

void
cab_mime_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      /* glibc loads a charset's converter when a descriptor opens and
       * unloads it when the last one closes, and GMime (encoded words) and
       * g_convert() (bodies) open one per conversion: a sync spent 3% of
       * its time in dlopen()/dlclose() (docs/architecture.md, "What the sync
       * relies on"). One descriptor per charset French mail uses, never
       * closed, keeps their converters loaded. */
      for (guint i = 0; i < G_N_ELEMENTS (kept_charsets); i++)
        kept_converters[i] = iconv_open ("UTF-8", kept_charsets[i]);
      g_mime_init ();
      g_once_init_leave (&done, 1);
    }
}

typedef struct
{
  CabMimeMessage *message;
  guint           n_parts;
  gboolean        too_many;
} Walk;

static void
attachment_free (gpointer data)
{
  CabMimeAttachment *a = data;

  g_free (a->filename);
  g_free (a->content_type);
  g_clear_pointer (&a->content, g_bytes_unref);
  g_free (a->sha1);
  g_free (a);
}

/* The encoded bytes of a part GMime read from a memory stream
 * (cab_mime_parse() parses the message where it is, so a part's content
 * is a bounded view of those bytes), or NULL. */
static const guint8 *
content_in_memory (GMimeDataWrapper *wrapper, gsize *len)
{
  GMimeStream *stream = g_mime_data_wrapper_get_stream (wrapper);
  GByteArray *array;
  gint64 start, end;

  if (stream == NULL || !GMIME_IS_STREAM_MEM (stream))
    return NULL;
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
  if (array == NULL)
    return NULL;
  start = stream->bound_start;
  end = stream->bound_end < 0 ? (gint64) array->len : stream->bound_end;
  if (start < 0 || end < start || end > (gint64) array->len)
    return NULL;
  *len = end - start;
  return array->data + start;
}

/* Base64 and quoted-printable decoded in one step into a buffer of the
 * largest size the input can decode to: what GMime's filter streams do
 * (the same decoder), without their 4 kB chunks and a growing array (5% of
 * a sync in copies and fresh pages, docs/architecture.md, "What the sync
 * relies on"). NULL when the part is not such a view or another encoding. */
static GBytes *
decoded_in_one_step (GMimeDataWrapper *wrapper, guint64 cap, gboolean *too_large)
{
  GMimeContentEncoding encoding = g_mime_data_wrapper_get_encoding (wrapper);
  GMimeEncoding state;
  const guint8 *in;
  gsize len = 0, out_len;
  guint8 *out;

  *too_large = FALSE;
  if (encoding != GMIME_CONTENT_ENCODING_BASE64 && encoding != GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE)
    return NULL;
  in = content_in_memory (wrapper, &len);
  if (in == NULL)
    return NULL;
  if (encoding == GMIME_CONTENT_ENCODING_BASE64)
    {
      /* GMime's decoder's bytes, four digits at a time (cab-base64.h). */
      out = g_malloc (CAB_BASE64_DECODED_MAX (len) + 4);
      out_len = cab_base64_decode (in, len, out);
    }
  else
    {
      g_mime_encoding_init_decode (&state, encoding);
      out = g_malloc (g_mime_encoding_outlen (&state, len) + 4);
      out_len = g_mime_encoding_flush (&state, (const char *) in, len, (char *) out);
    }
  if (out_len > cap)
    {
      g_free (out);
      *too_large = TRUE;
      return NULL;
    }
  return g_bytes_new_take (g_realloc (out, MAX (out_len, 1)), out_len);
}

/* The part's bytes with the transfer encoding removed, or NULL past @cap. */
static GBytes *
decoded_content (GMimePart *part, guint64 cap)
{
  GMimeDataWrapper *wrapper = g_mime_part_get_content (part);
  GMimeStream *mem;
  GByteArray *array;
  GBytes *bytes;
  gboolean too_large;
  gint64 written;

  if (wrapper == NULL)
    return g_bytes_new (NULL, 0);
  bytes = decoded_in_one_step (wrapper, cap, &too_large);
  if (bytes != NULL || too_large)
    return bytes;
  mem = g_mime_stream_mem_new ();
  written = g_mime_data_wrapper_write_to_stream (wrapper, mem);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
  if (written < 0 || array->len > cap)
    {
      g_object_unref (mem);
      return NULL;
    }
  /* The stream's buffer becomes the bytes: no copy of a decoded part. */
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (mem), FALSE);
  g_object_unref (mem);
  return g_byte_array_free_to_bytes (array);
}

/* Text in @charset to UTF-8. ISO-8859-1 is read as Windows-1252, its
 * superset, since senders label one as the other; an unknown or lying
 * charset falls back to Windows-1252, and invalid UTF-8 is made valid. */
static char *
to_utf8 (GBytes *bytes, const char *charset)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  char *out = NULL;

  if (len == 0)
    return g_strdup ("");
  if (charset == NULL || g_ascii_strcasecmp (charset, "us-ascii") == 0 ||
      g_ascii_strcasecmp (charset, "utf-8") == 0 || g_ascii_strcasecmp (charset, "utf8") == 0)
    {
      if (g_utf8_validate_len (data, len, NULL))
        return g_strndup (data, len);
      charset = "WINDOWS-1252";
    }
  if (g_ascii_strcasecmp (charset, "iso-8859-1") == 0 || g_ascii_strcasecmp (charset, "latin1") == 0)
    charset = "WINDOWS-1252";
  out = g_convert (data, len, "UTF-8", charset, NULL, NULL, NULL);
  if (out == NULL)
    out = g_convert_with_fallback (data, len, "UTF-8", "WINDOWS-1252", "?", NULL, NULL, NULL);
  if (out == NULL)
    out = g_utf8_make_valid (data, len);
  return out;
}

/* Crude text of an HTML body, for when no text/plain part exists. */
static char *
strip_html (const char *html)
{
  GString *s = g_string_new (NULL);
  gboolean in_tag = FALSE;

  for (const char *p = html; *p; p++)
    {
      if (*p == '<')
        in_tag = TRUE;
      else if (*p == '>')
        in_tag = FALSE;
      else if (!in_tag)
        g_string_append_c (s, *p);
    }
  return g_string_free (s, FALSE);
}

static void
walk (GMimeObject *object, Walk *w, guint depth)
{
  if (depth > CAB_MIME_MAX_DEPTH || ++w->n_parts > CAB_MIME_MAX_PARTS)
    {
      w->too_many = TRUE;
      return;
    }

  if (GMIME_IS_MULTIPART_SIGNED (object))
    {
      /* Show what was signed; the signature part is not an attachment. */
      GMimeObject *content = g_mime_multipart_get_part (GMIME_MULTIPART (object), GMIME_MULTIPART_SIGNED_CONTENT);

      w->message->smime_signed = TRUE;
      if (content != NULL)
        walk (content, w, depth + 1);
      return;
    }
  if (GMIME_IS_MULTIPART (object))
    {
      int n = g_mime_multipart_get_count (GMIME_MULTIPART (object));

      for (int i = 0; i < n && !w->too_many; i++)
        walk (g_mime_multipart_get_part (GMIME_MULTIPART (object), i), w, depth + 1);
      return;
    }
  if (GMIME_IS_PART (object))
    {
      GMimePart *part = GMIME_PART (object);
      GMimeContentType *type = g_mime_object_get_content_type (object);
      const char *filename = g_mime_part_get_filename (part);
      gboolean is_attachment = filename != NULL || g_mime_part_is_attachment (part);
      g_autoptr(GBytes) content = NULL;

      if (!is_attachment && g_mime_content_type_is_type (type, "text", "*") &&
          w->message->body_text == NULL)
        {
          content = decoded_content (part, CAB_MIME_MAX_BODY);
          if (content != NULL)
            {
              g_autofree char *text = to_utf8 (content, g_mime_content_type_get_parameter (type, "charset"));

              w->message->body_text = g_mime_content_type_is_type (type, "text", "html")
                                      ? strip_html (text) : g_steal_pointer (&text);
            }
          return;
        }
      if (g_mime_content_type_is_type (type, "application", "pkcs7-signature") ||
          g_mime_content_type_is_type (type, "application", "x-pkcs7-signature"))
        {
          w->message->smime_signed = TRUE;
          return;
        }
      content = decoded_content (part, CAB_MIME_MAX_MESSAGE);
      if (content == NULL)
        {
          w->too_many = TRUE;
          return;
        }
      {
        CabMimeAttachment *a = g_new0 (CabMimeAttachment, 1);

        a->filename = filename != NULL ? g_utf8_make_valid (filename, -1) : NULL;
        a->content_type = g_mime_content_type_get_mime_type (type);
        a->sha1 = cab_mail_sha1_bytes (content);
        a->content = g_steal_pointer (&content);
        g_ptr_array_add (w->message->attachments, a);
      }
      return;
    }
  if (GMIME_IS_MESSAGE_PART (object))
    {
      /* A forwarded message: kept whole, as an attachment. */
      GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (object));
      CabMimeAttachment *a;
      GMimeStream *mem;
      GByteArray *array;

      if (inner == NULL)
        return;
      mem = g_mime_stream_mem_new ();
      g_mime_object_write_to_stream (GMIME_OBJECT (inner), NULL, mem);
      array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
      a = g_new0 (CabMimeAttachment, 1);
      a->filename = g_strdup ("message.eml");
      a->content_type = g_strdup ("message/rfc822");
      a->content = g_bytes_new (array->data, array->len);
      a->sha1 = cab_mail_sha1_bytes (a->content);
      g_ptr_array_add (w->message->attachments, a);
      g_object_unref (mem);
    }
}

static char *
header (GMimeMessage *message, const char *name)
{
  const char *value = g_mime_object_get_header (GMIME_OBJECT (message), name);

  if (value == NULL)
    return NULL;
  return g_strstrip (g_utf8_make_valid (value, -1));
}

char *
cab_mime_body_hash (GBytes *raw)
{
  gsize len;
  const char *data = g_bytes_get_data (raw, &len);
  const char *body = g_strstr_len (data, len, "\r\n\r\n");
  gsize skip = 4;

  if (body == NULL)
    {
      body = g_strstr_len (data, len, "\n\n");
      skip = 2;
    }
  if (body == NULL)
    return cab_mail_sha256 ("", 0);
  body += skip;
  return cab_mail_sha256 (body, len - (body - data));
}

/* The addr-specs of one address header, those a reply could write to
 * (cab_mime_address_is_valid()), at most 100. */
static char **
read_addresses (GMimeMessage *parsed, GMimeAddressType type)
{
  InternetAddressList *list = g_mime_message_get_addresses (parsed, type);
  g_autoptr(GPtrArray) out = g_ptr_array_new ();

  for (int i = 0; list != NULL && i < internet_address_list_length (list) && out->len < 100; i++)
    {
      InternetAddress *address = internet_address_list_get_address (list, i);
      const char *addr;

      if (!INTERNET_ADDRESS_IS_MAILBOX (address))
        continue;
      addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address));
      if (addr != NULL && cab_mime_address_is_valid (addr))
        g_ptr_array_add (out, g_strdup (addr));
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

/* References' Message-IDs that a reply may carry on: the valid ones, the
 * last CAB_MIME_MAX_REFERENCES - 1 (room for the message answered). */
static char *
read_references (GMimeMessage *parsed)
{
  g_autofree char *text = header (parsed, "References");
  GMimeReferences *refs;
  GString *s;
  int n, first;

  if (text == NULL)
    return NULL;
  refs = g_mime_references_parse (NULL, text);
  if (refs == NULL)
    return NULL;
  n = g_mime_references_length (refs);
  first = MAX (0, n - (CAB_MIME_MAX_REFERENCES - 1));
  s = g_string_new (NULL);
  for (int i = first; i < n; i++)
    {
      const char *id = g_mime_references_get_message_id (refs, i);

      if (id != NULL && cab_mime_address_is_valid (id))
        g_string_append_printf (s, "%s%s", s->len > 0 ? " " : "", id);
    }
  g_mime_references_free (refs);
  if (s->len == 0)
    {
      g_string_free (s, TRUE);
      return NULL;
    }
  return g_string_free (s, FALSE);
}

CabMimeMessage *
cab_mime_parse (GBytes  *raw,
                GError **error)
{
  gsize len;
  const char *data = g_bytes_get_data (raw, &len);
  GMimeStream *stream;
  GByteArray *borrowed;
  GMimeParser *parser;
  GMimeMessage *parsed;
  CabMimeMessage *m;
  InternetAddressList *from;
  GDateTime *date;
  g_autofree char *codes = NULL, *mes = NULL;
  Walk w = { 0 };

  cab_mime_init ();
  if (len > CAB_MIME_MAX_MESSAGE)
    {
      g_set_error (error, CAB_MIME_ERROR, CAB_MIME_ERROR_TOO_LARGE, _("The message is larger than %u MiB"),
                   (guint) (CAB_MIME_MAX_MESSAGE >> 20));
      return NULL;
    }
  /* Real header blocks are kilobytes; GMime's time grows fast with a huge
   * one, so it never sees one. */
  if (len > CAB_MIME_MAX_HEADER &&
      g_strstr_len (data, CAB_MIME_MAX_HEADER, "\r\n\r\n") == NULL &&
      g_strstr_len (data, CAB_MIME_MAX_HEADER, "\n\n") == NULL)
    {
      g_set_error (error, CAB_MIME_ERROR, CAB_MIME_ERROR_TOO_LARGE,
                   _("The message's headers are larger than %u KiB"), (guint) (CAB_MIME_MAX_HEADER >> 10));
      return NULL;
    }
  /* GMime reads the message where it is: the array borrows @raw's bytes
   * (the stream does not own it, nothing writes to it; the parts read it
   * until the message is unreferenced) and gives them back unfreed. */
  borrowed = g_byte_array_new_take ((guint8 *) data, len);
  stream = g_mime_stream_mem_new_with_byte_array (borrowed);
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  parser = g_mime_parser_new_with_stream (stream);
  g_mime_parser_set_format (parser, GMIME_FORMAT_MESSAGE);
  parsed = g_mime_parser_construct_message (parser, NULL);
  g_object_unref (parser);
  g_object_unref (stream);
  if (parsed == NULL)
    {
      (void) g_byte_array_free (borrowed, FALSE);
      g_set_error (error, CAB_MIME_ERROR, CAB_MIME_ERROR_PARSE, _("The message cannot be read as MIME"));
      return NULL;
    }

  m = g_new0 (CabMimeMessage, 1);
  m->attachments = g_ptr_array_new_with_free_func (attachment_free);
  if (g_mime_message_get_message_id (parsed) != NULL)
    m->message_id = g_utf8_make_valid (g_mime_message_get_message_id (parsed), -1);
  if (g_mime_message_get_subject (parsed) != NULL)
    m->subject = g_utf8_make_valid (g_mime_message_get_subject (parsed), -1);
  from = g_mime_message_get_from (parsed);
  if (from != NULL && internet_address_list_length (from) > 0)
    {
      InternetAddress *address = internet_address_list_get_address (from, 0);
      g_autofree char *display = internet_address_to_string (address, NULL, FALSE);

      m->from = g_utf8_make_valid (display, -1);
      if (INTERNET_ADDRESS_IS_MAILBOX (address))
        m->from_address = g_utf8_make_valid (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address)), -1);
    }
  date = g_mime_message_get_date (parsed);
  if (date != NULL)
    m->date = g_date_time_to_unix (date);

  m->mss_ins = header (parsed, "X-MSS-INS");
  codes = header (parsed, "X-MSS-CODECDA");
  m->mss_codecda = codes != NULL ? g_strsplit_set (codes, ", ", 32) : g_new0 (char *, 1);
  {
    /* Drop the empty pieces "a, b" leaves. */
    guint j = 0;
    for (guint i = 0; m->mss_codecda[i] != NULL; i++)
      if (*m->mss_codecda[i] != '\0')
        m->mss_codecda[j++] = m->mss_codecda[i];
      else
        g_free (m->mss_codecda[i]);
    m->mss_codecda[j] = NULL;
  }
  mes = header (parsed, "X-MSS-MES");
  m->mss_fin = mes != NULL && g_ascii_strcasecmp (mes, "FIN") == 0;
  m->mss_nil = header (parsed, "X-MSS-NIL");
  m->notification_to = header (parsed, "Disposition-Notification-To");
  m->return_path = header (parsed, "Return-Path");
  m->references = read_references (parsed);
  m->to_addresses = read_addresses (parsed, GMIME_ADDRESS_TYPE_TO);
  m->cc_addresses = read_addresses (parsed, GMIME_ADDRESS_TYPE_CC);
  m->body_hash = cab_mime_body_hash (raw);

  w.message = m;
  if (g_mime_message_get_mime_part (parsed) != NULL)
    walk (g_mime_message_get_mime_part (parsed), &w, 0);
  /* The parts read the stream, and so @raw's bytes, until here. */
  g_object_unref (parsed);
  (void) g_byte_array_free (borrowed, FALSE);
  if (w.too_many)
    {
      cab_mime_message_free (m);
      g_set_error (error, CAB_MIME_ERROR, CAB_MIME_ERROR_TOO_LARGE,
                   _("The message has too many or too deeply nested parts"));
      return NULL;
    }
  if (m->body_text == NULL)
    m->body_text = g_strdup ("");
  return m;
}

void
cab_mime_message_free (CabMimeMessage *m)
{
  if (m == NULL)
    return;
  g_free (m->message_id);
  g_free (m->from);
  g_free (m->from_address);
  g_free (m->subject);
  g_free (m->body_text);
  g_ptr_array_unref (m->attachments);
  g_free (m->body_hash);
  g_free (m->mss_ins);
  g_strfreev (m->mss_codecda);
  g_free (m->mss_nil);
  g_free (m->notification_to);
  g_free (m->return_path);
  g_free (m->references);
  g_strfreev (m->to_addresses);
  g_strfreev (m->cc_addresses);
  g_free (m);
}
