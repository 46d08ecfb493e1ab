/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test"

/* What goes on the wire, without servers: the IHE_XDM.zip written here and
 * read back by Cabinet's own reader and by an independent one
 * (tests/mail/xdm-check.py: Python's zipfile and ElementTree); the MIME
 * message read back by the inbox's parser, attachments byte for byte; header
 * injection refused; a read receipt written and read back. */

#include "cab-gmime-autoptr.h"
#include "cab-mail-recipients.h"
#include "cab-mail-send.h"
#include "cab-mdn.h"
#include "cab-mime.h"
#include "cab-mime-compose.h"
#include "cab-outbox.h"
#include "cab-xdm.h"
#include "cab-xdm-writer.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

static GBytes *
fake_pdf (guint seed, gsize size)
{
  GByteArray *a = g_byte_array_sized_new (size);
  guint32 x = seed * 2654435761u + 1;

  g_byte_array_append (a, (const guint8 *) "%PDF-1.4\n", 9);
  while (a->len < size)
    {
      guint8 b;

      x = x * 1103515245u + 12345u;
      b = (guint8) (x >> 16);
      g_byte_array_append (a, &b, 1);
    }
  return g_byte_array_free_to_bytes (a);
}

static const CabXdmPatient patient = {
  .ins = "279035121518989", .ins_oid = "1.2.250.1.213.1.4.10",
  .birth_family = "NGUYEN", .usage_family = "MARTIN", .given = "Thi Hoa",
  .birth_date = "1979-03-05", .sex = 'F',
};

static GBytes *
write_two (GBytes **docs)
{
  CabXdmOutDocument out[2] = {
    { .file_name = "DOC0001.PDF", .mime_type = "application/pdf", .title = "Compte rendu <bilan> & suite",
      .type_code = "11502-2", .type_display = "CR d'examens biologiques", .class_code = "10",
      .creation_time = "20250612093000", .content = docs[0] },
    { .file_name = "DOC0002.PDF", .mime_type = "application/pdf", .title = "Lettre",
      .type_code = "11490-0", .type_display = "Lettre de sortie", .class_code = "11",
      .creation_time = "20250613100000", .content = docs[1] },
  };
  CabXdmSubmission submission = {
    .patient = &patient, .author = "^dr.martin@cabinet.mssante.fr^^^^^^^^&1.2.250.1.71.4.2.1&ISO",
    .submission_time = "20250614120000", .software = "Cabinet test",
  };
  g_autoptr(GError) error = NULL;
  GBytes *zip = cab_xdm_write (&submission, out, 2, &error);

  g_assert_no_error (error);
  return zip;
}

static void
test_xdm_own_reader (void)
{
  g_autoptr(GBytes) d1 = fake_pdf (1, 70000), d2 = fake_pdf (2, 1500);
  GBytes *docs[] = { d1, d2 };
  g_autoptr(GBytes) zip = write_two (docs);
  g_autoptr(GError) error = NULL;
  g_autoptr(CabXdm) xdm = cab_xdm_read (zip, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (xdm->subset, ==, "IHE_XDM/SUBSET01");
  g_assert_cmpstr (xdm->submission_ins, ==, patient.ins);
  g_assert_cmpuint (xdm->documents->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      CabXdmDocument *d = xdm->documents->pdata[i];
      g_autofree char *sha1 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA1, docs[i]);

      g_assert_true (d->hash_ok);
      g_assert_true (g_bytes_equal (d->content, docs[i]));
      g_assert_cmpstr (d->sha1, ==, sha1);
      g_assert_cmpint (d->declared_size, ==, (gint64) g_bytes_get_size (docs[i]));
      g_assert_cmpstr (d->ins, ==, patient.ins);
      g_assert_cmpstr (d->ins_oid, ==, patient.ins_oid);
      g_assert_cmpstr (d->birth_family, ==, "NGUYEN");
      g_assert_cmpstr (d->usage_family, ==, "MARTIN");
      g_assert_cmpstr (d->given, ==, "Thi Hoa");
      g_assert_cmpstr (d->birth_date, ==, "1979-03-05");
      g_assert_cmpint (d->sex, ==, 'F');
      g_assert_nonnull (d->author);
      g_assert_nonnull (d->unique_id);
    }
  g_assert_cmpstr (((CabXdmDocument *) xdm->documents->pdata[0])->type_code, ==, "11502-2");
  g_assert_cmpstr (((CabXdmDocument *) xdm->documents->pdata[0])->class_code, ==, "10");
  g_assert_cmpstr (((CabXdmDocument *) xdm->documents->pdata[0])->creation_time, ==, "20250612093000");
  g_assert_cmpstr (((CabXdmDocument *) xdm->documents->pdata[1])->type_code, ==, "11490-0");
}

static void
test_xdm_python_reader (void)
{
  g_autoptr(GBytes) d1 = fake_pdf (3, 4000), d2 = fake_pdf (4, 900);
  GBytes *docs[] = { d1, d2 };
  g_autoptr(GBytes) zip = write_two (docs);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cab-xdm-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "IHE_XDM.zip", NULL);
  g_autofree char *fixture_dir = g_path_get_dirname (g_getenv ("CABINET_MAIL_FIXTURE"));
  g_autofree char *script = g_build_filename (fixture_dir, "xdm-check.py", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *argv[] = { "python3", script, path, NULL };
  JsonObject *root;
  JsonArray *entries;
  int status = 0;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (zip, NULL), g_bytes_get_size (zip), NULL));
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("xdm-check.py refused the zip: %s", err);
  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "submission_patient"), ==,
                   "279035121518989^^^&1.2.250.1.213.1.4.10&ISO");
  entries = json_object_get_array_member (root, "documents");
  g_assert_cmpuint (json_array_get_length (entries), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *d = json_array_get_object_element (entries, i);
      g_autofree char *sha1 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA1, docs[i]);
      JsonArray *spi = json_object_get_array_member (d, "source_patient_info");
      gboolean has_birth = FALSE;

      g_assert_cmpstr (json_object_get_string_member (d, "sha1"), ==, sha1);
      g_assert_cmpint (json_object_get_int_member (d, "size"), ==, (gint64) g_bytes_get_size (docs[i]));
      g_assert_cmpstr (json_object_get_string_member (d, "patient_id"), ==,
                       "279035121518989^^^&1.2.250.1.213.1.4.10&ISO");
      g_assert_cmpstr (json_object_get_string_member (d, "mime"), ==, "application/pdf");
      for (guint j = 0; j < json_array_get_length (spi); j++)
        has_birth |= g_str_equal (json_array_get_string_element (spi, j), "PID-7|19790305");
      g_assert_true (has_birth);
    }
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (entries, 0), "type_code"), ==, "11502-2");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (entries, 1), "class_code"), ==, "11");
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_xdm_refuses_unsafe_names (void)
{
  g_autoptr(GBytes) d = fake_pdf (5, 100);
  const char *bad[] = { "../x.pdf", "a/b.pdf", "METADATA.XML", "x\ny.pdf", "" };
  CabXdmSubmission submission = { .patient = &patient, .submission_time = "20250614120000" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      CabXdmOutDocument doc = { .file_name = bad[i], .mime_type = "application/pdf", .content = d };
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) zip = cab_xdm_write (&submission, &doc, 1, &error);

      g_assert_null (zip);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
}

static void
test_mime_round_trip (void)
{
  g_autoptr(GBytes) pdf = fake_pdf (6, 250000), d1 = fake_pdf (7, 3000);
  GBytes *docs[] = { d1, pdf };
  g_autoptr(GBytes) zip = write_two (docs);
  const char *to[] = { "dr.durand@hopital.mssante.fr", "279035121518989@patient.mssante.fr", NULL };
  const char *codes[] = { "11502-2", "11490-0", NULL };
  CabMimeOutAttachment attachment = { "A01-resultats.pdf", "application/pdf", pdf };
  CabMimeComposition c = {
    .from = "dr.martin@cabinet.mssante.fr", .to = to,
    .subject = "Résultats de Mme Nguyen — suite", .body = "Chère consœur,\nci-joint les résultats.\n",
    .message_id = "5f2c@cabinet.mssante.fr", .date = 1749900000, .receipt = TRUE,
    .mss_ins = "O", .codecda = codes, .attachments = &attachment, .n_attachments = 1, .xdm_zip = zip,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = cab_mime_compose (&c, &error);
  g_autoptr(CabMimeMessage) m = NULL;
  gsize size;
  const char *data;

  g_assert_no_error (error);
  data = g_bytes_get_data (raw, &size);
  /* SMTP line ends everywhere. */
  for (gsize i = 0; i < size; i++)
    if (data[i] == '\n')
      g_assert_true (i > 0 && data[i - 1] == '\r');
  m = cab_mime_parse (raw, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (m->message_id, ==, "5f2c@cabinet.mssante.fr");
  g_assert_cmpstr (m->from_address, ==, "dr.martin@cabinet.mssante.fr");
  g_assert_cmpstr (m->subject, ==, "Résultats de Mme Nguyen — suite");
  g_assert_cmpint (m->date, ==, 1749900000);
  g_assert_nonnull (strstr (m->body_text, "consœur"));
  g_assert_cmpstr (m->mss_ins, ==, "O");
  g_assert_cmpstr (m->mss_codecda[0], ==, "11502-2");
  g_assert_cmpstr (m->mss_codecda[1], ==, "11490-0");
  g_assert_nonnull (m->notification_to);
  g_assert_nonnull (strstr (m->notification_to, "dr.martin@cabinet.mssante.fr"));
  g_assert_cmpuint (m->attachments->len, ==, 2);
  g_assert_true (g_bytes_equal (((CabMimeAttachment *) m->attachments->pdata[0])->content, pdf));
  g_assert_cmpstr (((CabMimeAttachment *) m->attachments->pdata[0])->filename, ==, "A01-resultats.pdf");
  g_assert_true (g_bytes_equal (((CabMimeAttachment *) m->attachments->pdata[1])->content, zip));
  g_assert_cmpstr (((CabMimeAttachment *) m->attachments->pdata[1])->filename, ==, "IHE_XDM.zip");
}

/* Hostile input: what would add a header or an SMTP command is refused. */
static void
test_header_injection_refused (void)
{
  const char *bad_addresses[] = {
    "a@b.fr\r\nBcc: spy@evil.fr", "a@b.fr\nRCPT TO:<spy@evil.fr>", "a@b.fr,spy@evil.fr",
    "Bob <a@b.fr>", "a b@c.fr", "a@b.fr>", "@b.fr", "a@", "a@@b.fr", "a@b", "a@b..fr",
    "a\x01@b.fr", "é@b.fr",
  };
  const char *bad_subjects[] = { "Hi\r\nBcc: spy@evil.fr", "Hi\nX: y", "tab\tinside", "\x1b[31m" };

  for (guint i = 0; i < G_N_ELEMENTS (bad_addresses); i++)
    {
      const char *to[] = { bad_addresses[i], NULL };
      CabMimeComposition c = { .from = "a@b.fr", .to = to, .subject = "s", .body = "b",
                               .message_id = "1@b.fr", .date = 1 };
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) raw = cab_mime_compose (&c, &error);

      g_assert_false (cab_mime_address_is_valid (bad_addresses[i]));
      g_assert_null (raw);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      {
        /* As a sender too. */
        const char *ok_to[] = { "x@y.fr", NULL };
        CabMimeComposition f = { .from = bad_addresses[i], .to = ok_to, .subject = "s", .body = "b",
                                 .message_id = "1@b.fr", .date = 1 };
        g_autoptr(GError) e2 = NULL;
        g_autoptr(GBytes) r2 = cab_mime_compose (&f, &e2);
        g_assert_null (r2);
      }
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_subjects); i++)
    {
      const char *to[] = { "x@y.fr", NULL };
      CabMimeComposition c = { .from = "a@b.fr", .to = to, .subject = bad_subjects[i], .body = "b",
                               .message_id = "1@b.fr", .date = 1 };
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) raw = cab_mime_compose (&c, &error);

      g_assert_null (raw);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
  {
    /* A file name with a line break. */
    const char *to[] = { "x@y.fr", NULL };
    g_autoptr(GBytes) pdf = fake_pdf (8, 100);
    CabMimeOutAttachment a = { "x\r\nContent-Type: text/html", "application/pdf", pdf };
    CabMimeComposition c = { .from = "a@b.fr", .to = to, .subject = "s", .body = "b",
                             .message_id = "1@b.fr", .date = 1, .attachments = &a, .n_attachments = 1 };
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) raw = cab_mime_compose (&c, &error);

    g_assert_null (raw);
  }
  g_assert_true (cab_mime_address_is_valid ("279035121518989@patient.mssante.fr"));
  g_assert_true (cab_mime_address_is_valid ("dr.jean-luc.o'neil+rx@hopital.mssante.fr"));
}

/* The sender's name before the address: plain ASCII as it is, anything
 * else as RFC 2047 encoded words (the header stays 7-bit), read back by the
 * inbox's parser; a name with a line break is refused, never cleaned. */
static void
test_from_name (void)
{
  const char *to[] = { "dr.durand@hopital.mssante.fr", NULL };
  /* @shown: what the inbox's parser shows (a name with specials stays
   * quoted there). */
  const struct { const char *name; gboolean encoded; const char *shown; } cases[] = {
    { "Dr Alice MARTIN", FALSE, "Dr Alice MARTIN" },
    { "Dr Hélène LE GOFF-NGUYỄN", TRUE, "Dr Hélène LE GOFF-NGUYỄN" },
    { "Dr. Jean \"JJ\" O'Neil, MD", FALSE, "O'Neil, MD\"" },
  };
  const char *bad[] = { "Dr A\r\nBcc: spy@evil.fr", "Dr\tA", "", "\xff\xfe" };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      CabMimeComposition c = { .from = "alice@cabinet.mssante.fr", .from_name = cases[i].name, .to = to,
                               .subject = "s", .body = "b", .message_id = "1@cabinet.mssante.fr", .date = 1 };
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) raw = cab_mime_compose (&c, &error);
      g_autoptr(CabMimeMessage) m = NULL;
      g_autofree char *text = NULL;
      const char *from_line;
      gsize size;
      const char *data;

      g_assert_no_error (error);
      data = g_bytes_get_data (raw, &size);
      text = g_strndup (data, size);
      from_line = strstr (text, "\r\nFrom: ");
      if (from_line == NULL && g_str_has_prefix (text, "From: "))
        from_line = text;
      g_assert_nonnull (from_line);
      /* 7-bit headers: no raw UTF-8 in the header block. */
      for (const char *p = text; *p != '\0' && !g_str_has_prefix (p, "\r\n\r\n"); p++)
        g_assert_cmpuint ((guchar) *p, <, 0x80);
      if (cases[i].encoded)
        g_assert_nonnull (strstr (from_line, "=?"));
      else
        g_assert_null (strstr (from_line, "=?"));
      g_assert_nonnull (strstr (from_line, "<alice@cabinet.mssante.fr>"));
      m = cab_mime_parse (raw, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (m->from_address, ==, "alice@cabinet.mssante.fr");
      g_assert_nonnull (strstr (m->from, cases[i].shown));
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      CabMimeComposition c = { .from = "alice@cabinet.mssante.fr", .from_name = bad[i], .to = to,
                               .subject = "s", .body = "b", .message_id = "1@cabinet.mssante.fr", .date = 1 };
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) raw = cab_mime_compose (&c, &error);

      g_assert_false (cab_mime_display_name_is_valid (bad[i]));
      g_assert_null (raw);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
}

/* The header block of @raw as text (up to the blank line). */
static char *
header_block (GBytes *raw)
{
  gsize size;
  const char *data = g_bytes_get_data (raw, &size);
  g_autofree char *text = g_strndup (data, size);
  char *end = strstr (text, "\r\n\r\n");

  g_assert_nonnull (end);
  *end = '\0';
  return g_steal_pointer (&text);
}

/* Recipients' names picked in the composer go before their addresses in
 * To (RFC 2047 when not ASCII); one that is not a clean line of at most
 * 200 bytes leaves its address bare, the message still goes. */
static void
test_to_names (void)
{
  g_autofree char *long_name = g_strnfill (CAB_MIME_MAX_DISPLAY_NAME + 1, 'x');
  const char *to[] = { "claire.martin@medecin.mssante.fr", "helene.nguyen@chu.mssante.fr",
                       "spy@hopital.mssante.fr", "long@hopital.mssante.fr", "bare@hopital.mssante.fr",
                       "quoted@hopital.mssante.fr", NULL };
  const char *names[] = { "Dr Claire Martin", "Dr Hélène LE GOFF-NGUYỄN", "Dr A\r\nBcc: spy@evil.fr",
                          long_name, "", "Martin, Paul <x@evil.fr>", NULL };
  const char *expected[] = { "Dr Claire Martin", "Dr Hélène LE GOFF-NGUYỄN", NULL, NULL, NULL,
                             "Martin, Paul <x@evil.fr>" };
  CabMimeComposition c = { .from = "alice@cabinet.mssante.fr", .to = to, .to_names = names,
                           .subject = "s", .body = "b", .message_id = "1@cabinet.mssante.fr", .date = 1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = cab_mime_compose (&c, &error);
  g_autofree char *headers = NULL;
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  InternetAddressList *list;

  g_assert_no_error (error);
  headers = header_block (raw);
  /* 7-bit, and no header smuggled in by a name. */
  for (const char *p = headers; *p != '\0'; p++)
    g_assert_cmpuint ((guchar) *p, <, 0x80);
  g_assert_null (strstr (headers, "\r\nBcc:"));
  g_assert_nonnull (strstr (headers, "=?"));
  g_assert_nonnull (strstr (headers, "Dr Claire Martin <claire.martin@medecin.mssante.fr>"));

  cab_mime_init ();
  stream = g_mime_stream_mem_new_with_buffer (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  g_assert_nonnull (message);
  list = g_mime_message_get_to (message);
  g_assert_cmpint (internet_address_list_length (list), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      InternetAddress *a = internet_address_list_get_address (list, i);

      g_assert_true (INTERNET_ADDRESS_IS_MAILBOX (a));
      g_assert_cmpstr (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (a)), ==, to[i]);
      if (expected[i] == NULL)
        g_assert_true (internet_address_get_name (a) == NULL || *internet_address_get_name (a) == '\0');
      else
        g_assert_cmpstr (internet_address_get_name (a), ==, expected[i]);
    }
  /* Without names (older payloads): the bare addresses. */
  {
    CabMimeComposition bare = c;
    g_autoptr(GBytes) raw2 = NULL;
    g_autofree char *headers2 = NULL;

    bare.to_names = NULL;
    raw2 = cab_mime_compose (&bare, &error);
    g_assert_no_error (error);
    headers2 = header_block (raw2);
    g_assert_null (strstr (headers2, "Claire"));
    g_assert_nonnull (strstr (headers2, "claire.martin@medecin.mssante.fr"));
  }
}

/* The Outbox title of payload @o (cab_outbox_entry_describe()). */
static char *
describe (JsonObject *o)
{
  g_autoptr(JsonNode) root = json_node_init_object (json_node_alloc (), o);
  g_autofree char *payload = json_to_string (root, FALSE);
  CabOutboxEntry entry = { .kind = (char *) "mail", .payload = payload };

  return cab_outbox_entry_describe (&entry);
}

/* What a draft or queued payload keeps of the names: read type-checked,
 * one clean line each, as long as the addresses or not at all. */
static void
test_recipient_names_payload (void)
{
  const char *to[] = { "a@b.mssante.fr", "c@d.mssante.fr", "e@f.mssante.fr", NULL };
  const char *names[] = { "  Dr Claire Martin ", "Dr A\nB", NULL };
  g_autoptr(JsonObject) o = json_object_new ();
  g_auto(GStrv) read = NULL;

  json_object_set_string_member (o, "subject", "Courrier");
  json_object_set_string_member (o, "summary", "Courrier « Courrier » written by an older version");
  cab_mail_recipients_set (o, to, names);
  read = cab_mail_recipient_names_read (o, 3);
  g_assert_nonnull (read);
  g_assert_cmpstr (read[0], ==, "Dr Claire Martin");
  g_assert_cmpstr (read[1], ==, "");
  g_assert_cmpstr (read[2], ==, "");
  g_assert_null (read[3]);
  /* No translated text stored: the Outbox makes the title when shown. */
  g_assert_false (json_object_has_member (o, "summary"));
  {
    g_autofree char *title = describe (o);

    g_assert_cmpstr (title, ==, "Message “Courrier” to Dr Claire Martin, c@d.mssante.fr, e@f.mssante.fr");
  }
  g_assert_cmpstr (json_object_get_string_member (o, "detail"), ==, "a@b.mssante.fr");

  /* Not as long as the addresses, not an array, not strings. */
  g_assert_null (cab_mail_recipient_names_read (o, 2));
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    const char *payloads[] = { "{\"to\":[\"a@b.fr\"]}", "{\"to_names\":\"Dr X\"}", "{\"to_names\":[42]}",
                               "{\"to_names\":[\"Dr\\u007fX\"]}", "{\"to_names\":[\"Dr\\tX\"]}" };

    for (guint i = 0; i < G_N_ELEMENTS (payloads); i++)
      {
        g_auto(GStrv) r = NULL;

        g_assert_true (json_parser_load_from_data (parser, payloads[i], -1, NULL));
        r = cab_mail_recipient_names_read (json_node_get_object (json_parser_get_root (parser)), 1);
        g_assert_true (r == NULL || g_str_equal (r[0], ""));
      }
  }
  /* No name: no detail, the addresses in the title. */
  cab_mail_recipients_set (o, to, NULL);
  g_assert_false (json_object_has_member (o, "detail"));
  {
    g_autofree char *title = describe (o);

    g_assert_cmpstr (title, ==, "Message “Courrier” to a@b.mssante.fr, c@d.mssante.fr, e@f.mssante.fr");
  }
}

/* cabinetctl's --to: a bare address or an RFC 5322 name-addr, parsed by
 * GMime and checked as on the wire; anything else refused with a reason. */
static void
test_recipient_parse (void)
{
  const struct { const char *text, *address, *name; } good[] = {
    { "b.riou@medecin.mssante.fr", "b.riou@medecin.mssante.fr", NULL },
    { "  b.riou@medecin.mssante.fr ", "b.riou@medecin.mssante.fr", NULL },
    { "<b.riou@medecin.mssante.fr>", "b.riou@medecin.mssante.fr", NULL },
    { "Dr Bérénice Riou <b.riou@medecin.mssante.fr>", "b.riou@medecin.mssante.fr", "Dr Bérénice Riou" },
    { "\"Riou, Bérénice (cardio)\" <b.riou@medecin.mssante.fr>", "b.riou@medecin.mssante.fr",
      "Riou, Bérénice (cardio)" },
    { "\"Dr \\\"B\\\" <Riou>\" <b.riou@medecin.mssante.fr> ", "b.riou@medecin.mssante.fr", "Dr \"B\" <Riou>" },
    { "=?UTF-8?Q?Dr_B=C3=A9r=C3=A9nice_Riou?= <b.riou@medecin.mssante.fr>", "b.riou@medecin.mssante.fr",
      "Dr Bérénice Riou" },
  };
  const char *bad[] = {
    "", "   ", "Dr Riou", "b.riou@", "Dr Riou <b.riou>", "a@b.fr, c@d.fr", "Dr A <a@b.fr>, c@d.fr",
    "Médecins: a@b.fr, c@d.fr;", "a@b.fr\r\nBcc: spy@evil.test", "Dr A\nB <a@b.fr>",
    "\"Dr A\tB\" <a@b.fr>", "Dr A <a@b.fr>\r\nRCPT TO:<spy@evil.test>",
    "Dr A <a@b.fr", "Dr A a@b.fr>", "Dr A <<a@b.fr>>", "Dr A <a@b.fr> x", "\"Dr A <a@b.fr>",
  };
  g_autofree char *long_name = g_strnfill (CAB_MIME_MAX_DISPLAY_NAME + 1, 'x');
  g_autofree char *too_long = g_strdup_printf ("%s <a@b.fr>", long_name);

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *address = NULL, *name = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (cab_mail_recipient_parse (good[i].text, &address, &name, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (address, ==, good[i].address);
      g_assert_cmpstr (name, ==, good[i].name);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *address = NULL, *name = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", bad[i]);
      g_assert_false (cab_mail_recipient_parse (bad[i], &address, &name, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_null (address);
      g_assert_null (name);
    }
  {
    g_autofree char *address = NULL, *name = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_false (cab_mail_recipient_parse (too_long, &address, &name, &error));
    g_assert_nonnull (strstr (error->message, "one line"));
  }
}

static void
test_mdn_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) mdn = cab_mdn_compose ("dr.durand@hopital.mssante.fr", NULL, "dr.martin@cabinet.mssante.fr", NULL,
                                           "5f2c@cabinet.mssante.fr", "Résultats\r\nBcc: x", FALSE,
                                           1749900100, &error);
  g_autofree char *original = NULL, *disposition = NULL;
  g_autoptr(CabMimeMessage) m = NULL;

  g_assert_no_error (error);
  g_assert_true (cab_mdn_parse (mdn, &original, &disposition));
  g_assert_cmpstr (original, ==, "5f2c@cabinet.mssante.fr");
  g_assert_cmpstr (disposition, ==, "displayed");
  m = cab_mime_parse (mdn, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (m->subject, "\n"));
  g_assert_cmpstr (m->from, ==, "dr.durand@hopital.mssante.fr");

  /* Named as a message's From is; a name that is not one clean line
   * leaves the address bare. */
  {
    g_autoptr(GBytes) named = cab_mdn_compose ("dr.durand@hopital.mssante.fr", "Dr Hélène DURAND",
                                               "dr.martin@cabinet.mssante.fr", NULL, "5f2c@cabinet.mssante.fr",
                                               "Résultats", FALSE, 1749900100, &error);
    g_autoptr(GBytes) hostile = cab_mdn_compose ("dr.durand@hopital.mssante.fr", "Dr X\r\nBcc: spy@evil.fr",
                                                 "dr.martin@cabinet.mssante.fr", NULL, "5f2c@cabinet.mssante.fr",
                                                 "Résultats", FALSE, 1749900100, &error);
    g_autoptr(CabMimeMessage) m2 = NULL, m3 = NULL;
    g_autofree char *headers = NULL;

    g_assert_no_error (error);
    headers = header_block (named);
    {
      const char *from = strstr (headers, "From: ");

      /* 7-bit: the name as encoded words. */
      g_assert_nonnull (from);
      g_assert_nonnull (g_strstr_len (from, strcspn (from, "\r"), "=?"));
    }
    m2 = cab_mime_parse (named, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (m2->from, ==, "Dr Hélène DURAND <dr.durand@hopital.mssante.fr>");
    {
      g_autofree char *original2 = NULL, *disposition2 = NULL;

      g_assert_true (cab_mdn_parse (named, &original2, &disposition2));
    }
    m3 = cab_mime_parse (hostile, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (m3->from, ==, "dr.durand@hopital.mssante.fr");
    g_free (headers);
    headers = header_block (hostile);
    g_assert_null (strstr (headers, "Bcc"));
  }

  {
    /* A letter quoting a receipt's fields is not a receipt. */
    const char *to[] = { "x@y.fr", NULL };
    CabMimeComposition c = { .from = "a@b.fr", .to = to, .subject = "s",
                             .body = "Original-Message-ID: <5f2c@cabinet.mssante.fr>\nDisposition: manual-action/MDN-sent-manually; displayed\n",
                             .message_id = "2@b.fr", .date = 1 };
    g_autoptr(GBytes) letter = cab_mime_compose (&c, &error);
    g_autofree char *o2 = NULL, *d2 = NULL;

    g_assert_no_error (error);
    g_assert_false (cab_mdn_parse (letter, &o2, &d2));
    g_assert_null (o2);
  }
}

/* Principle "right patient": the patient's own mailbox only with a
 * qualified identity, and only theirs. */
static void
test_patient_mailbox (void)
{
  const char *statuses[] = { "PROV", "RECUP", "VALI", NULL };
  CabPatient p = { .ins = (char *) "279035121518989", .identity_status = (char *) "QUAL" };
  g_autoptr(GError) error = NULL;

  g_assert_true (cab_mail_patient_mailbox_allowed (&p, "279035121518989@patient.mssante.fr", &error));
  g_assert_true (cab_mail_patient_mailbox_allowed (NULL, "dr.x@hopital.mssante.fr", &error));
  g_assert_no_error (error);
  g_assert_false (cab_mail_patient_mailbox_allowed (&p, "100000000000042@patient.mssante.fr", &error));
  g_assert_error (error, CAB_MAIL_SEND_ERROR, CAB_MAIL_SEND_ERROR_PATIENT_MAILBOX);
  g_clear_error (&error);
  g_assert_false (cab_mail_patient_mailbox_allowed (NULL, "279035121518989@PATIENT.mssante.fr", &error));
  g_clear_error (&error);
  for (guint i = 0; i < 4; i++)
    {
      p.identity_status = (char *) statuses[i];
      g_assert_false (cab_mail_patient_mailbox_allowed (&p, "279035121518989@patient.mssante.fr", &error));
      g_assert_error (error, CAB_MAIL_SEND_ERROR, CAB_MAIL_SEND_ERROR_PATIENT_MAILBOX);
      g_assert_nonnull (strstr (error->message, "not qualified"));
      g_clear_error (&error);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mail-out/xdm/own-reader", test_xdm_own_reader);
  g_test_add_func ("/mail-out/xdm/python-reader", test_xdm_python_reader);
  g_test_add_func ("/mail-out/xdm/unsafe-names", test_xdm_refuses_unsafe_names);
  g_test_add_func ("/mail-out/mime/round-trip", test_mime_round_trip);
  g_test_add_func ("/mail-out/mime/header-injection", test_header_injection_refused);
  g_test_add_func ("/mail-out/mime/from-name", test_from_name);
  g_test_add_func ("/mail-out/mime/to-names", test_to_names);
  g_test_add_func ("/mail-out/recipient-names", test_recipient_names_payload);
  g_test_add_func ("/mail-out/recipient-parse", test_recipient_parse);
  g_test_add_func ("/mail-out/mdn/round-trip", test_mdn_round_trip);
  g_test_add_func ("/mail-out/patient-mailbox", test_patient_mailbox);
  return g_test_run ();
}
