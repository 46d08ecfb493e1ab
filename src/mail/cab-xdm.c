/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include <glib/gi18n-lib.h>

/* The IHE_XDM.zip of a message, read from memory with libarchive (nothing
 * is written to disk). Every entry is inflated under the limits, counted as
 * it comes out: a zip's headers may lie about sizes. */

#include "cab-xdm.h"
#include "cab-mail-hash.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>

G_DEFINE_QUARK (cab-xdm-error-quark, cab_xdm_error)

void cab_xdm_document_free (gpointer data);

gboolean
cab_xdm_path_is_safe (const char *path)
{
  g_auto(GStrv) parts = NULL;

  if (path == NULL || *path == '\0' || *path == '/' || strchr (path, '\\') != NULL ||
      strlen (path) > 1024)
    return FALSE;
  for (const guchar *p = (const guchar *) path; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return FALSE;
  /* "C:" and the like: a drive, not a folder. */
  if (g_ascii_isalpha (path[0]) && path[1] == ':')
    return FALSE;
  parts = g_strsplit (path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (g_str_equal (parts[i], ".."))
      return FALSE;
  return TRUE;
}

typedef struct
{
  CabXdmLimits limits;
  guint64      zip_size;
  guint64      total_out;
} Reader;

static gboolean
over_ratio (const Reader *r)
{
  /* The first MiB is free: small zips of text compress well and honestly. */
  return r->total_out > (1 << 20) && r->total_out / MAX (r->zip_size, 1) >= r->limits.max_ratio;
}

/* The most bytes of entries the limits let through before one trips. */
static guint64
bytes_allowed (const Reader *r, guint64 entry_cap)
{
  guint64 total = MIN (r->limits.max_total_size,
                       MAX ((guint64) 1 << 20, (guint64) r->limits.max_ratio * MAX (r->zip_size, 1)));

  return MIN (entry_cap, total > r->total_out ? total - r->total_out : 0);
}

/* Inflates the current entry into memory, counting against every limit.
 * libarchive inflates straight into the entry's buffer, sized from the
 * size the zip declares when it has one: that size only saves copies and
 * reallocations (one buffer for an honest entry), capped by what the
 * limits allow; the limits count the bytes that come out, at most 64 KiB
 * at a time, whatever the header says. */
static GBytes *
read_entry (struct archive *a, struct archive_entry *entry, Reader *r, guint64 entry_cap, GError **error)
{
  gsize alloc = 64 * 1024;
  gsize len = 0;
  g_autofree guint8 *data = NULL;

  if (archive_entry_size_is_set (entry) && archive_entry_size (entry) >= 0)
    /* One byte more, so the read that finds the end has room to ask. */
    alloc = MIN ((guint64) archive_entry_size (entry), bytes_allowed (r, entry_cap)) + 1;
  data = g_malloc (alloc);
  for (;;)
    {
      la_ssize_t n;

      if (len == alloc)
        {
          alloc = alloc < G_MAXSIZE / 2 ? alloc * 2 : G_MAXSIZE;
          data = g_realloc (data, alloc);
        }
      n = archive_read_data (a, data + len, MIN (alloc - len, 64 * 1024));
      if (n == 0)
        break;
      if (n < 0)
        {
          g_set_error (error, CAB_XDM_ERROR, CAB_XDM_ERROR_NOT_ZIP, _("The XDM zip is damaged"));
          return NULL;
        }
      r->total_out += n;
      if (len + (guint64) n > entry_cap || r->total_out > r->limits.max_total_size || over_ratio (r))
        {
          g_set_error (error, CAB_XDM_ERROR, CAB_XDM_ERROR_TOO_LARGE,
                       _("The XDM zip inflates beyond its limits (a zip bomb?)"));
          return NULL;
        }
      len += n;
    }
  /* A size declared larger than the entry (a hostile zip can declare up
   * to what the limits allow for each of its entries) is not kept. */
  if (alloc > len + 1)
    data = g_realloc (data, MAX (len, 1));
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

/* "IHE_XDM/SUBSET01/METADATA.XML" -> "IHE_XDM/SUBSET01" */
static char *
metadata_subset (const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);

  if (g_strv_length (parts) == 3 && g_ascii_strcasecmp (parts[0], "IHE_XDM") == 0 &&
      *parts[1] != '\0' && g_ascii_strcasecmp (parts[2], "METADATA.XML") == 0)
    return g_strconcat (parts[0], "/", parts[1], NULL);
  return NULL;
}

static void
check_document (CabXdmDocument *doc, CabMailSha1Cache *hashes)
{
  gsize size;

  if (doc->content == NULL)
    return;
  size = g_bytes_get_size (doc->content);
  doc->sha1 = cab_mail_sha1_cache_get (hashes, doc->content);
  doc->hash_ok = doc->declared_sha1 != NULL && g_str_equal (doc->declared_sha1, doc->sha1) &&
                 doc->declared_size >= 0 && (guint64) doc->declared_size == size;
}

CabXdm *
cab_xdm_read (GBytes              *zip,
              const CabXdmLimits  *limits,
              GError             **error)
{
  return cab_xdm_read_with_hashes (zip, limits, NULL, error);
}

CabXdm *
cab_xdm_read_with_hashes (GBytes              *zip,
                          const CabXdmLimits  *limits,
                          CabMailSha1Cache    *hashes,
                          GError             **error)
{
  struct archive *a;
  struct archive_entry *entry;
  Reader r = { 0 };
  g_autoptr(GHashTable) files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) g_bytes_unref);
  g_autoptr(CabXdm) xdm = NULL;
  g_autoptr(GBytes) metadata = NULL;
  g_autofree char *subset = NULL;
  gsize zip_size;
  const void *zip_data = g_bytes_get_data (zip, &zip_size);
  guint n_entries = 0;
  int status;

  if (limits != NULL)
    r.limits = *limits;
  if (r.limits.max_entries == 0) r.limits.max_entries = CAB_XDM_DEFAULT_MAX_ENTRIES;
  if (r.limits.max_entry_size == 0) r.limits.max_entry_size = CAB_XDM_DEFAULT_MAX_ENTRY_SIZE;
  if (r.limits.max_total_size == 0) r.limits.max_total_size = CAB_XDM_DEFAULT_MAX_TOTAL_SIZE;
  if (r.limits.max_ratio == 0) r.limits.max_ratio = CAB_XDM_DEFAULT_MAX_RATIO;
  if (r.limits.max_metadata_size == 0) r.limits.max_metadata_size = CAB_XDM_DEFAULT_MAX_METADATA;
  r.zip_size = zip_size;

  a = archive_read_new ();
  archive_read_support_format_zip (a);
  if (zip_size == 0 || archive_read_open_memory (a, zip_data, zip_size) != ARCHIVE_OK)
    {
      archive_read_free (a);
      g_set_error (error, CAB_XDM_ERROR, CAB_XDM_ERROR_NOT_ZIP, _("The XDM attachment is not a zip"));
      return NULL;
    }

  while ((status = archive_read_next_header (a, &entry)) == ARCHIVE_OK)
    {
      const char *path = archive_entry_pathname (entry);
      g_autofree char *entry_subset = NULL;
      GBytes *bytes;

      if (++n_entries > r.limits.max_entries)
        {
          g_set_error (error, CAB_XDM_ERROR, CAB_XDM_ERROR_TOO_LARGE,
                       _("The XDM zip has more than %u entries"), r.limits.max_entries);
          goto fail;
        }
      if (archive_entry_filetype (entry) == AE_IFDIR)
        continue;
      if (archive_entry_filetype (entry) != AE_IFREG || archive_entry_hardlink (entry) != NULL)
        {
          g_set_error (error, CAB_XDM_ERROR, CAB_XDM_ERROR_UNSAFE_ENTRY,
                       _("The XDM zip holds a link or a special file"));
          goto fail;
        }
      if (!cab_xdm_path_is_safe (path))
        {
          g_set_error (error, CAB_XDM_ERROR, CAB_XDM_ERROR_UNSAFE_ENTRY,
                       _("The XDM zip holds an absolute or climbing path"));
          goto fail;
        }
      entry_subset = metadata_subset (path);
      bytes = read_entry (a, entry, &r, entry_subset ? r.limits.max_metadata_size : r.limits.max_entry_size, error);
      if (bytes == NULL)
        goto fail;
      if (entry_subset != NULL && metadata == NULL)
        {
          metadata = bytes;
          subset = g_steal_pointer (&entry_subset);
        }
      else if (!g_hash_table_contains (files, path))
        g_hash_table_insert (files, g_strdup (path), bytes);
      else
        g_bytes_unref (bytes);
    }
  if (status != ARCHIVE_EOF)
    {
      g_set_error (error, CAB_XDM_ERROR, CAB_XDM_ERROR_NOT_ZIP, _("The XDM zip is damaged"));
      goto fail;
    }
  archive_read_free (a);

  if (metadata == NULL)
    {
      g_set_error (error, CAB_XDM_ERROR, CAB_XDM_ERROR_NO_METADATA, _("The XDM zip has no METADATA.XML"));
      return NULL;
    }

  xdm = g_new0 (CabXdm, 1);
  xdm->subset = g_steal_pointer (&subset);
  {
    gsize len;
    const char *xml = g_bytes_get_data (metadata, &len);

    xdm->documents = cab_xdm_parse_metadata (xml, len, &xdm->submission_ins, error);
  }
  if (xdm->documents == NULL)
    return NULL;

  for (guint i = 0; i < xdm->documents->len; i++)
    {
      CabXdmDocument *doc = g_ptr_array_index (xdm->documents, i);
      g_autofree char *path = NULL;
      GBytes *content;

      /* A URI is a file name inside the subset folder, never a way out. */
      if (doc->uri == NULL || !cab_xdm_path_is_safe (doc->uri))
        continue;
      path = g_strconcat (xdm->subset, "/", doc->uri, NULL);
      content = g_hash_table_lookup (files, path);
      if (content != NULL)
        doc->content = g_bytes_ref (content);
      check_document (doc, hashes);
    }
  return g_steal_pointer (&xdm);

fail:
  archive_read_free (a);
  return NULL;
}

void
cab_xdm_free (CabXdm *xdm)
{
  if (xdm == NULL)
    return;
  g_free (xdm->subset);
  g_free (xdm->submission_ins);
  g_clear_pointer (&xdm->documents, g_ptr_array_unref);
  g_free (xdm);
}
