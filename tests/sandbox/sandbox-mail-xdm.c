/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sandbox"

/* The IHE_XDM.zip of a message: IHE_XDM/SUBSET01/ with METADATA.XML and the
 * documents, plus the INDEX.HTM and README.TXT the profile puts at the root. */

#include "sandbox-mail.h"

#include <archive.h>
#include <archive_entry.h>

static la_ssize_t
write_to_array (struct archive *a, void *user_data, const void *buffer, size_t length)
{
  g_byte_array_append (user_data, buffer, length);
  return length;
}

static gboolean
add_entry (struct archive *a, const char *path, const void *data, gsize size, GError **error)
{
  struct archive_entry *entry = archive_entry_new ();
  gboolean ok;

  archive_entry_set_pathname (entry, path);
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  archive_entry_set_size (entry, size);
  archive_entry_set_mtime (entry, 1735689600, 0); /* fixed: deterministic bytes */
  ok = archive_write_header (a, entry) == ARCHIVE_OK &&
       (size == 0 || archive_write_data (a, data, size) == (la_ssize_t) size);
  archive_entry_free (entry);
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "zip: %s", archive_error_string (a));
  return ok;
}

static gboolean
add_hostile_entries (struct archive *a, GError **error)
{
  struct archive_entry *entry;
  const char script[] = "#!/bin/sh\necho pwned\n";
  g_autofree char *zeros = NULL;
  const gsize chunk = 1 << 20;
  gboolean ok;

  if (!add_entry (a, "IHE_XDM/SUBSET01/../../../../tmp/cabinet-xdm-escape.sh", script, sizeof script - 1, error) ||
      !add_entry (a, "/tmp/cabinet-xdm-absolute.txt", script, sizeof script - 1, error))
    return FALSE;

  entry = archive_entry_new ();
  archive_entry_set_pathname (entry, "IHE_XDM/SUBSET01/LINK.PDF");
  archive_entry_set_filetype (entry, AE_IFLNK);
  archive_entry_set_perm (entry, 0777);
  archive_entry_set_symlink (entry, "/etc/passwd");
  archive_entry_set_mtime (entry, 1735689600, 0);
  ok = archive_write_header (a, entry) == ARCHIVE_OK;
  archive_entry_free (entry);
  if (!ok)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "zip: %s", archive_error_string (a));
      return FALSE;
    }

  /* 20 MiB of zeros deflate to about 20 kB: a bomb by ratio. */
  zeros = g_malloc0 (chunk);
  entry = archive_entry_new ();
  archive_entry_set_pathname (entry, "IHE_XDM/SUBSET01/BOMB.PDF");
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  archive_entry_set_size (entry, 20 * chunk);
  archive_entry_set_mtime (entry, 1735689600, 0);
  ok = archive_write_header (a, entry) == ARCHIVE_OK;
  archive_entry_free (entry);
  for (guint i = 0; ok && i < 20; i++)
    ok = archive_write_data (a, zeros, chunk) == (la_ssize_t) chunk;
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "zip: %s", archive_error_string (a));
  return ok;
}

GBytes *
sandbox_mail_xdm_zip (const char          *metadata_xml,
                      const char * const  *names,
                      GBytes             **documents,
                      guint                n_documents,
                      gboolean             hostile,
                      GError             **error)
{
  struct archive *a = archive_write_new ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  const char index_htm[] =
    "<html><head><title>IHE XDM</title></head><body>"
    "<p>Documents m\xc3\xa9" "dicaux: <a href=\"IHE_XDM/SUBSET01/METADATA.XML\">SUBSET01</a></p></body></html>\r\n";
  const char readme[] =
    "Contenu conforme au profil IHE XDM (ITI-32), transmis par messagerie MSSante.\r\n"
    "Logiciel emetteur: SIL-Sandbox 4.2\r\n";
  gboolean ok;

  archive_write_set_format_zip (a);
  archive_write_set_options (a, "zip:compression=deflate");
  archive_write_set_bytes_in_last_block (a, 1);
  if (archive_write_open (a, out, NULL, write_to_array, NULL) != ARCHIVE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "zip: %s", archive_error_string (a));
      archive_write_free (a);
      return NULL;
    }
  ok = add_entry (a, "INDEX.HTM", index_htm, sizeof index_htm - 1, error) &&
       add_entry (a, "README.TXT", readme, sizeof readme - 1, error) &&
       add_entry (a, "IHE_XDM/SUBSET01/METADATA.XML", metadata_xml, strlen (metadata_xml), error);
  for (guint i = 0; ok && i < n_documents; i++)
    {
      g_autofree char *path = g_strconcat ("IHE_XDM/SUBSET01/", names[i], NULL);
      gsize size;
      const void *data = g_bytes_get_data (documents[i], &size);

      ok = add_entry (a, path, data, size, error);
    }
  if (ok && hostile)
    ok = add_hostile_entries (a, error);
  if (ok && archive_write_close (a) != ARCHIVE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "zip: %s", archive_error_string (a));
      ok = FALSE;
    }
  archive_write_free (a);
  return ok ? g_byte_array_free_to_bytes (g_steal_pointer (&out)) : NULL;
}
