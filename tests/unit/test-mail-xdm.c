/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test"

/* The XDM reader against a hostile corpus built here with libarchive:
 * traversal and absolute paths, symlinks, a zip bomb, too many entries,
 * XXE and billion laughs in METADATA.XML; and the honest cases: the SHA-1
 * and size check, usage names, PID-3. */

#include "cab-xdm.h"

#include <archive.h>
#include <archive_entry.h>
#include <glib/gstdio.h>
#include <string.h>

typedef struct
{
  const char *path;
  const char *data;     /* NULL: @zeros bytes of zeros */
  gsize       zeros;
  const char *symlink;  /* a symlink to this target */
} Entry;

static la_ssize_t
append (struct archive *a, void *user_data, const void *buffer, size_t length)
{
  g_byte_array_append (user_data, buffer, length);
  return length;
}

static GBytes *
make_zip (const Entry *entries, guint n)
{
  struct archive *a = archive_write_new ();
  GByteArray *out = g_byte_array_new ();

  archive_write_set_format_zip (a);
  archive_write_set_bytes_in_last_block (a, 1);
  g_assert_cmpint (archive_write_open (a, out, NULL, append, NULL), ==, ARCHIVE_OK);
  for (guint i = 0; i < n; i++)
    {
      struct archive_entry *e = archive_entry_new ();
      gsize size = entries[i].data ? strlen (entries[i].data) : entries[i].zeros;

      archive_entry_set_pathname (e, entries[i].path);
      archive_entry_set_perm (e, 0644);
      if (entries[i].symlink)
        {
          archive_entry_set_filetype (e, AE_IFLNK);
          archive_entry_set_symlink (e, entries[i].symlink);
        }
      else
        {
          archive_entry_set_filetype (e, AE_IFREG);
          archive_entry_set_size (e, size);
        }
      g_assert_cmpint (archive_write_header (a, e), ==, ARCHIVE_OK);
      if (entries[i].data)
        archive_write_data (a, entries[i].data, size);
      else if (!entries[i].symlink)
        {
          g_autofree char *zeros = g_malloc0 (1 << 20);
          for (gsize done = 0; done < size; done += 1 << 20)
            archive_write_data (a, zeros, MIN ((gsize) 1 << 20, size - done));
        }
      archive_entry_free (e);
    }
  archive_write_close (a);
  archive_write_free (a);
  return g_byte_array_free_to_bytes (out);
}

#define PDF_TEXT "%PDF-1.4 a tiny stand-in document\n"

/* METADATA.XML for one document DOC.PDF with @hash and @size. */
static char *
metadata (const char *hash, const char *size, const char *extra_pid, const char *prolog)
{
  return g_strdup_printf (
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n%s"
    "<lcm:SubmitObjectsRequest xmlns:lcm=\"urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0\" xmlns:rim=\"urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0\">"
    "<rim:RegistryObjectList>"
    "<rim:ExtrinsicObject id=\"Doc1\" mimeType=\"application/pdf\">"
    "<rim:Slot name=\"hash\"><rim:ValueList><rim:Value>%s</rim:Value></rim:ValueList></rim:Slot>"
    "<rim:Slot name=\"size\"><rim:ValueList><rim:Value>%s</rim:Value></rim:ValueList></rim:Slot>"
    "<rim:Slot name=\"URI\"><rim:ValueList><rim:Value>DOC.PDF</rim:Value></rim:ValueList></rim:Slot>"
    "<rim:Slot name=\"creationTime\"><rim:ValueList><rim:Value>20250612093000</rim:Value></rim:ValueList></rim:Slot>"
    "<rim:Slot name=\"sourcePatientInfo\"><rim:ValueList>"
    "<rim:Value>PID-5|DUPONT^MARIE^^^^^L</rim:Value><rim:Value>PID-5|MARTIN^MARIE^^^^^D</rim:Value>"
    "<rim:Value>PID-7|19610312</rim:Value><rim:Value>PID-8|F</rim:Value>%s"
    "</rim:ValueList></rim:Slot>"
    "<rim:Classification classificationScheme=\"urn:uuid:f0306f51-975f-434e-a61c-c59651d33983\" classifiedObject=\"Doc1\" nodeRepresentation=\"11502-2\">"
    "<rim:Name><rim:LocalizedString value=\"CR d'examens biologiques\"/></rim:Name></rim:Classification>"
    "<rim:Classification classificationScheme=\"urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a\" classifiedObject=\"Doc1\" nodeRepresentation=\"10\"/>"
    "<rim:Classification classificationScheme=\"urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d\" classifiedObject=\"Doc1\" nodeRepresentation=\"\">"
    "<rim:Slot name=\"authorPerson\"><rim:ValueList><rim:Value>810001234567^MARTIN^Paul</rim:Value></rim:ValueList></rim:Slot></rim:Classification>"
    "</rim:ExtrinsicObject></rim:RegistryObjectList></lcm:SubmitObjectsRequest>\n",
    prolog ? prolog : "", hash, size, extra_pid ? extra_pid : "");
}

static char *
pdf_sha1 (void)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA1, PDF_TEXT, -1);
}

static char *
pdf_size (void)
{
  return g_strdup_printf ("%zu", strlen (PDF_TEXT));
}

static CabXdm *
read_zip (const Entry *entries, guint n, GError **error)
{
  g_autoptr(GBytes) zip = make_zip (entries, n);

  return cab_xdm_read (zip, NULL, error);
}

static void
test_honest (void)
{
  g_autofree char *sha1 = pdf_sha1 (), *size = pdf_size ();
  g_autofree char *xml = metadata (sha1, size, "<rim:Value>PID-3|2610375056123XX^^^&amp;1.2.250.1.213.1.4.8&amp;ISO^NH</rim:Value>", NULL);
  Entry entries[] = {
    { "INDEX.HTM", "<html></html>" },
    { "IHE_XDM/SUBSET01/METADATA.XML", xml },
    { "IHE_XDM/SUBSET01/DOC.PDF", PDF_TEXT },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CabXdm) xdm = read_zip (entries, G_N_ELEMENTS (entries), &error);
  CabXdmDocument *doc;

  g_assert_no_error (error);
  g_assert_cmpstr (xdm->subset, ==, "IHE_XDM/SUBSET01");
  g_assert_cmpuint (xdm->documents->len, ==, 1);
  doc = g_ptr_array_index (xdm->documents, 0);
  g_assert_true (doc->hash_ok);
  g_assert_cmpstr (doc->sha1, ==, sha1);
  g_assert_cmpmem (g_bytes_get_data (doc->content, NULL), g_bytes_get_size (doc->content), PDF_TEXT, strlen (PDF_TEXT));
  g_assert_cmpstr (doc->birth_family, ==, "DUPONT");
  g_assert_cmpstr (doc->usage_family, ==, "MARTIN");
  g_assert_cmpstr (doc->given, ==, "MARIE");
  g_assert_cmpstr (doc->birth_date, ==, "1961-03-12");
  g_assert_cmpint (doc->sex, ==, 'F');
  g_assert_cmpstr (doc->ins, ==, "2610375056123XX");
  g_assert_cmpstr (doc->ins_oid, ==, "1.2.250.1.213.1.4.8");
  g_assert_cmpstr (doc->type_code, ==, "11502-2");
  g_assert_cmpstr (doc->type_display, ==, "CR d'examens biologiques");
  g_assert_cmpstr (doc->class_code, ==, "10");
  g_assert_cmpstr (doc->author, ==, "810001234567^MARTIN^Paul");
  g_assert_cmpstr (doc->creation_time, ==, "20250612093000");
}

static void
test_hash_mismatch_shown (void)
{
  g_autofree char *size = pdf_size ();
  g_autofree char *xml = metadata ("0000000000000000000000000000000000000000", size, NULL, NULL);
  g_autofree char *sha1 = pdf_sha1 ();
  g_autofree char *xml2 = metadata (sha1, "999", NULL, NULL);
  Entry entries[] = {
    { "IHE_XDM/SUBSET01/METADATA.XML", xml },
    { "IHE_XDM/SUBSET01/DOC.PDF", PDF_TEXT },
  };
  Entry entries2[] = {
    { "IHE_XDM/SUBSET01/METADATA.XML", xml2 },
    { "IHE_XDM/SUBSET01/DOC.PDF", PDF_TEXT },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CabXdm) xdm = read_zip (entries, 2, &error);
  g_autoptr(CabXdm) xdm2 = read_zip (entries2, 2, &error);
  CabXdmDocument *doc = g_ptr_array_index (xdm->documents, 0);
  CabXdmDocument *doc2 = g_ptr_array_index (xdm2->documents, 0);

  g_assert_no_error (error);
  /* The document is still there, flagged: shown, never hidden. */
  g_assert_nonnull (doc->content);
  g_assert_false (doc->hash_ok);
  g_assert_nonnull (doc2->content);
  g_assert_false (doc2->hash_ok);
}

static void
expect_refused (const Entry *entries, guint n, int code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabXdm) xdm = read_zip (entries, n, &error);

  g_assert_null (xdm);
  g_assert_error (error, CAB_XDM_ERROR, code);
}

static void
test_traversal (void)
{
  g_autofree char *sha1 = pdf_sha1 (), *size = pdf_size ();
  g_autofree char *xml = metadata (sha1, size, NULL, NULL);
  Entry climbing[] = {
    { "IHE_XDM/SUBSET01/METADATA.XML", xml },
    { "IHE_XDM/SUBSET01/../../../../tmp/evil.sh", "#!/bin/sh\n" },
  };
  Entry absolute[] = {
    { "IHE_XDM/SUBSET01/METADATA.XML", xml },
    { "/etc/cron.d/evil", "* * * * * root true\n" },
  };
  Entry backslash[] = {
    { "IHE_XDM/SUBSET01/METADATA.XML", xml },
    { "IHE_XDM\\..\\..\\evil", "x" },
  };

  expect_refused (climbing, 2, CAB_XDM_ERROR_UNSAFE_ENTRY);
  expect_refused (absolute, 2, CAB_XDM_ERROR_UNSAFE_ENTRY);
  expect_refused (backslash, 2, CAB_XDM_ERROR_UNSAFE_ENTRY);
  g_assert_false (g_file_test ("/tmp/evil.sh", G_FILE_TEST_EXISTS));
}

static void
test_uri_climbing (void)
{
  /* The metadata's URI cannot point out of the subset folder either. */
  g_autofree char *sha1 = pdf_sha1 (), *size = pdf_size ();
  g_autofree char *xml = metadata (sha1, size, NULL, NULL);
  g_autofree char *evil = NULL;
  Entry entries[] = {
    { "IHE_XDM/SUBSET01/METADATA.XML", NULL },
    { "IHE_XDM/OTHER/DOC.PDF", PDF_TEXT },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CabXdm) xdm = NULL;
  CabXdmDocument *doc;
  GString *s = g_string_new (xml);

  g_string_replace (s, "<rim:Value>DOC.PDF</rim:Value>", "<rim:Value>../OTHER/DOC.PDF</rim:Value>", 1);
  evil = g_string_free (s, FALSE);
  entries[0].data = evil;
  xdm = read_zip (entries, 2, &error);
  g_assert_no_error (error);
  doc = g_ptr_array_index (xdm->documents, 0);
  g_assert_null (doc->content);
  g_assert_false (doc->hash_ok);
}

static void
test_symlink (void)
{
  g_autofree char *sha1 = pdf_sha1 (), *size = pdf_size ();
  g_autofree char *xml = metadata (sha1, size, NULL, NULL);
  Entry entries[] = {
    { "IHE_XDM/SUBSET01/METADATA.XML", xml },
    { "IHE_XDM/SUBSET01/DOC.PDF", NULL, 0, "/etc/passwd" },
  };

  expect_refused (entries, 2, CAB_XDM_ERROR_UNSAFE_ENTRY);
}

static void
test_bomb (void)
{
  g_autofree char *sha1 = pdf_sha1 (), *size = pdf_size ();
  g_autofree char *xml = metadata (sha1, size, NULL, NULL);
  Entry entries[] = {
    { "IHE_XDM/SUBSET01/METADATA.XML", xml },
    { "IHE_XDM/SUBSET01/DOC.PDF", NULL, 24 << 20 },
  };
  g_autoptr(GBytes) zip = make_zip (entries, 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(CabXdm) xdm = NULL;
  CabXdmLimits small = { .max_entry_size = 2 << 20, .max_ratio = 100000 };

  /* By ratio: 24 MiB out of a ~25 kB zip. */
  xdm = cab_xdm_read (zip, NULL, &error);
  g_assert_null (xdm);
  g_assert_error (error, CAB_XDM_ERROR, CAB_XDM_ERROR_TOO_LARGE);
  g_clear_error (&error);
  /* By absolute size, the ratio put aside. */
  xdm = cab_xdm_read (zip, &small, &error);
  g_assert_null (xdm);
  g_assert_error (error, CAB_XDM_ERROR, CAB_XDM_ERROR_TOO_LARGE);
}

/* A document that is the same bytes as a buffer hashed already (the PDF
 * attached beside the zip) takes that SHA-1; one of the same size that
 * differs by a byte is hashed itself. */
static void
test_known_hashes (void)
{
  g_autofree char *sha1 = pdf_sha1 (), *size = pdf_size ();
  g_autofree char *xml = metadata (sha1, size, NULL, NULL);
  g_autofree char *twin = g_strdup (PDF_TEXT);
  Entry entries[] = {
    { "IHE_XDM/SUBSET01/METADATA.XML", xml },
    { "IHE_XDM/SUBSET01/DOC.PDF", PDF_TEXT },
  };
  g_autoptr(GBytes) zip = make_zip (entries, 2);
  g_autoptr(GBytes) same = g_bytes_new (PDF_TEXT, strlen (PDF_TEXT));
  g_autoptr(GBytes) other = NULL;
  g_autoptr(CabMailSha1Cache) hashes = cab_mail_sha1_cache_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CabXdm) xdm = NULL;
  CabXdmDocument *doc;

  twin[strlen (twin) - 2] ^= 1;
  other = g_bytes_new_take (g_steal_pointer (&twin), strlen (PDF_TEXT));
  cab_mail_sha1_cache_add (hashes, other, "not the document's hash");
  xdm = cab_xdm_read_with_hashes (zip, NULL, hashes, &error);
  g_assert_no_error (error);
  doc = g_ptr_array_index (xdm->documents, 0);
  g_assert_cmpstr (doc->sha1, ==, sha1);
  g_assert_true (doc->hash_ok);
  g_clear_pointer (&xdm, cab_xdm_free);

  /* A stand-in value shows the hash was taken, not computed again. */
  cab_mail_sha1_cache_add (hashes, same, "taken from the attachment");
  xdm = cab_xdm_read_with_hashes (zip, NULL, hashes, &error);
  g_assert_no_error (error);
  doc = g_ptr_array_index (xdm->documents, 0);
  g_assert_cmpstr (doc->sha1, ==, "taken from the attachment");
}

/* The zip's central directory declaring @declared bytes for its last
 * entry, whatever it holds. */
static GBytes *
with_declared_size (GBytes *zip, guint32 declared)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (zip, &len);
  g_autofree guint8 *copy = g_memdup2 (data, len);
  gssize last = -1;

  for (gsize i = 0; i + 46 <= len; i++)
    if (memcmp (copy + i, "PK\x01\x02", 4) == 0)
      last = i;
  g_assert_cmpint (last, >=, 0);
  for (guint b = 0; b < 4; b++)
    copy[last + 24 + b] = (declared >> (8 * b)) & 0xff;
  return g_bytes_new_take (g_steal_pointer (&copy), len);
}

/* The entry's buffer is sized from the size it declares, but a size that
 * lies changes nothing: fewer bytes declared than the data holds, or far
 * more, and the zip is refused as damaged, never cut at the declared size
 * nor read past the limits. */
static void
test_declared_size_lies (void)
{
  g_autofree char *sha1 = pdf_sha1 (), *size = pdf_size ();
  g_autofree char *xml = metadata (sha1, size, NULL, NULL);
  g_autofree char *big = g_strnfill (200000, 'x');
  Entry entries[] = {
    { "IHE_XDM/SUBSET01/METADATA.XML", xml },
    { "IHE_XDM/SUBSET01/DOC.PDF", big },
  };
  g_autoptr(GBytes) zip = make_zip (entries, 2);
  const guint32 sizes[] = { 10, 100000, 199999, 200001, 0x7fffffff };
  g_autoptr(GError) error = NULL;
  g_autoptr(CabXdm) xdm = cab_xdm_read (zip, NULL, &error);
  CabXdmDocument *doc;

  /* Honest: the whole entry. */
  g_assert_no_error (error);
  doc = g_ptr_array_index (xdm->documents, 0);
  g_assert_cmpuint (g_bytes_get_size (doc->content), ==, 200000);
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GBytes) lying = with_declared_size (zip, sizes[i]);
      g_autoptr(CabXdm) refused = cab_xdm_read (lying, NULL, &error);

      g_assert_null (refused);
      g_assert_error (error, CAB_XDM_ERROR, CAB_XDM_ERROR_NOT_ZIP);
      g_clear_error (&error);
    }
}

static void
test_too_many_entries (void)
{
  g_autofree char *sha1 = pdf_sha1 (), *size = pdf_size ();
  g_autofree char *xml = metadata (sha1, size, NULL, NULL);
  g_autofree Entry *entries = g_new0 (Entry, 1002);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  entries[0] = (Entry) { "IHE_XDM/SUBSET01/METADATA.XML", xml };
  for (guint i = 1; i < 1002; i++)
    {
      char *name = g_strdup_printf ("IHE_XDM/SUBSET01/F%04u.TXT", i);
      g_ptr_array_add (names, name);
      entries[i] = (Entry) { name, "x" };
    }
  expect_refused (entries, 1002, CAB_XDM_ERROR_TOO_LARGE);
  /* 1000 entries are fine. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(CabXdm) xdm = read_zip (entries, 1000, &error);
    g_assert_no_error (error);
  }
}

static void
test_xxe (void)
{
  g_autofree char *sha1 = pdf_sha1 (), *size = pdf_size ();
  g_autofree char *xml = metadata (sha1, size, "<rim:Value>&xxe;</rim:Value>",
                                   "<!DOCTYPE r [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n");
  Entry entries[] = {
    { "IHE_XDM/SUBSET01/METADATA.XML", xml },
    { "IHE_XDM/SUBSET01/DOC.PDF", PDF_TEXT },
  };

  expect_refused (entries, 2, CAB_XDM_ERROR_BAD_METADATA);
}

static void
test_billion_laughs (void)
{
  g_autofree char *sha1 = pdf_sha1 (), *size = pdf_size ();
  g_autofree char *xml = metadata (sha1, size, "<rim:Value>&l9;</rim:Value>",
    "<!DOCTYPE r [ <!ENTITY l0 \"lol\"> <!ENTITY l1 \"&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;\">"
    " <!ENTITY l2 \"&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;\"> <!ENTITY l3 \"&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;\">"
    " <!ENTITY l4 \"&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;\"> <!ENTITY l5 \"&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;\">"
    " <!ENTITY l6 \"&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;\"> <!ENTITY l7 \"&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;\">"
    " <!ENTITY l8 \"&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;\"> <!ENTITY l9 \"&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;\"> ]>\n");
  Entry entries[] = {
    { "IHE_XDM/SUBSET01/METADATA.XML", xml },
    { "IHE_XDM/SUBSET01/DOC.PDF", PDF_TEXT },
  };

  expect_refused (entries, 2, CAB_XDM_ERROR_BAD_METADATA);
}

static void
test_not_a_zip (void)
{
  g_autoptr(GBytes) junk = g_bytes_new_static ("PK\x03\x04 this is not really a zip", 30);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GError) error = NULL;
  Entry no_metadata[] = { { "IHE_XDM/SUBSET01/DOC.PDF", PDF_TEXT } };

  g_assert_null (cab_xdm_read (junk, NULL, &error));
  g_assert_error (error, CAB_XDM_ERROR, CAB_XDM_ERROR_NOT_ZIP);
  g_clear_error (&error);
  g_assert_null (cab_xdm_read (empty, NULL, &error));
  g_assert_error (error, CAB_XDM_ERROR, CAB_XDM_ERROR_NOT_ZIP);
  expect_refused (no_metadata, 1, CAB_XDM_ERROR_NO_METADATA);
}

static void
test_paths (void)
{
  g_assert_true (cab_xdm_path_is_safe ("IHE_XDM/SUBSET01/DOC.PDF"));
  g_assert_true (cab_xdm_path_is_safe ("a..b"));
  g_assert_false (cab_xdm_path_is_safe (".."));
  g_assert_false (cab_xdm_path_is_safe ("a/../b"));
  g_assert_false (cab_xdm_path_is_safe ("/a"));
  g_assert_false (cab_xdm_path_is_safe ("C:/a"));
  g_assert_false (cab_xdm_path_is_safe ("a\\b"));
  g_assert_false (cab_xdm_path_is_safe ("a\nb"));
  g_assert_false (cab_xdm_path_is_safe (""));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mail/xdm/honest", test_honest);
  g_test_add_func ("/mail/xdm/hash-mismatch-shown", test_hash_mismatch_shown);
  g_test_add_func ("/mail/xdm/traversal", test_traversal);
  g_test_add_func ("/mail/xdm/uri-climbing", test_uri_climbing);
  g_test_add_func ("/mail/xdm/symlink", test_symlink);
  g_test_add_func ("/mail/xdm/bomb", test_bomb);
  g_test_add_func ("/mail/xdm/known-hashes", test_known_hashes);
  g_test_add_func ("/mail/xdm/declared-size-lies", test_declared_size_lies);
  g_test_add_func ("/mail/xdm/too-many-entries", test_too_many_entries);
  g_test_add_func ("/mail/xdm/xxe", test_xxe);
  g_test_add_func ("/mail/xdm/billion-laughs", test_billion_laughs);
  g_test_add_func ("/mail/xdm/not-a-zip", test_not_a_zip);
  g_test_add_func ("/mail/xdm/paths", test_paths);
  return g_test_run ();
}
