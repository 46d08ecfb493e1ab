/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading a release's text files: encoding detected per file, never
 * guessed silently (docs/domain.md, "Drug database: BDPM"). */
#define G_LOG_DOMAIN "cab-prescribing"

#include "config.h"

#include <string.h>

#include "cab-drug-private.h"

G_DEFINE_QUARK (cab-drug-error-quark, cab_drug_error)

/* Windows-1252's 0x80-0x9F; 0 marks the five bytes it leaves undefined. */
static const gunichar cp1252_high[32] = {
  0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
  0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
  0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
  0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

/* NULL when a byte is undefined in Windows-1252. A character takes at
 * most 3 UTF-8 bytes, so the output is allocated once. */
/* The release is mostly ASCII: runs of it are copied eight bytes at a time,
 * and each other byte's UTF-8 (at most three bytes) is written as four
 * (a constant-size copy), the pointer moved by its width. */
static char *
decode_cp1252 (const guchar *bytes,
               gsize         length,
               gsize        *out_length)
{
  char utf8[256][4] = { { 0 } };
  guint8 width[256];
  char *out, *p;
  gsize i = 0;

  for (guint b = 0; b < 256; b++)
    {
      gunichar c = b < 0x80 || b >= 0xA0 ? b : cp1252_high[b - 0x80];

      width[b] = c == 0 && b != 0 ? 0 : (guint8) g_unichar_to_utf8 (c, utf8[b]);
    }

  /* Three bytes out per byte in, and the last one's four-byte copy. */
  p = out = g_malloc (length * 3 + 2);
  while (i < length)
    {
      guchar b;

      while (i + 8 <= length)
        {
          guint64 word;

          memcpy (&word, bytes + i, 8);
          if (word & G_GUINT64_CONSTANT (0x8080808080808080))
            break;
          memcpy (p, &word, 8);
          p += 8;
          i += 8;
        }
      if (i >= length)
        break;
      b = bytes[i++];
      if (b < 0x80)
        *p++ = (char) b;
      else if (width[b] == 0)
        {
          g_free (out);
          return NULL;
        }
      else
        {
          memcpy (p, utf8[b], 4);
          p += width[b];
        }
    }
  *p = '\0';
  *out_length = p - out;
  return out;
}

static const char *
detect_line_ends (const char *text,
                  gsize       length)
{
  gsize crlf = 0, lf = 0, cr = 0;

  /* strcspn() skips to the next line end in vector steps: the text has no
   * NUL before its end (checked when read). */
  for (gsize i = strcspn (text, "\r\n"); i < length; i += 1 + strcspn (text + i + 1, "\r\n"))
    {
      if (text[i] == '\r')
        {
          if (i + 1 < length && text[i + 1] == '\n')
            {
              crlf++;
              i++;
            }
          else
            cr++;
        }
      else if (text[i] == '\n')
        lf++;
    }
  if (crlf + lf + cr == 0)
    return "none";
  if (crlf > 0 && lf == 0 && cr == 0)
    return "CRLF";
  if (lf > 0 && crlf == 0 && cr == 0)
    return "LF";
  if (cr > 0 && crlf == 0 && lf == 0)
    return "CR";
  return "mixed";
}

CabDrugTextFile *
cab_drug_text_file_read (const char  *path,
                         GError     **error)
{
  g_autoptr(CabDrugTextFile) file = g_new0 (CabDrugTextFile, 1);
  g_autoptr(GFile) gfile = g_file_new_for_path (path);
  g_autoptr(GFileInfo) info = NULL;
  g_autofree char *raw = NULL;
  const guchar *bytes;
  gsize length = 0;
  gboolean ascii = TRUE;

  file->name = g_path_get_basename (path);

  /* Size checked before anything is allocated (hostile input, rule 3). */
  info = g_file_query_info (gfile, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NONE, NULL, error);
  if (info == NULL)
    return NULL;
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_set_error (error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_INVALID,
                   "%s is not a regular file", file->name);
      return NULL;
    }
  if (g_file_info_get_size (info) > CAB_DRUG_MAX_FILE_SIZE)
    {
      g_set_error (error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_INVALID,
                   "%s is larger than %d MiB: not a release file",
                   file->name, CAB_DRUG_MAX_FILE_SIZE / (1024 * 1024));
      return NULL;
    }
  if (!g_file_get_contents (path, &raw, &length, error))
    return NULL;
  if (length > CAB_DRUG_MAX_FILE_SIZE)
    {
      g_set_error (error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_INVALID,
                   "%s grew beyond %d MiB while read", file->name,
                   CAB_DRUG_MAX_FILE_SIZE / (1024 * 1024));
      return NULL;
    }

  bytes = (const guchar *) raw;
  if (memchr (raw, '\0', length) != NULL)
    {
      /* UTF-16 or a binary file: neither of the encodings releases use. */
      g_set_error (error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_ENCODING,
                   "%s holds NUL bytes: neither UTF-8 nor Windows-1252 text", file->name);
      return NULL;
    }
  if (length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF)
    {
      if (!g_utf8_validate (raw + 3, length - 3, NULL))
        {
          g_set_error (error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_ENCODING,
                       "%s starts with a UTF-8 mark but is not valid UTF-8", file->name);
          return NULL;
        }
      file->encoding = "UTF-8";
      file->length = length - 3;
      file->text = g_memdup2 (raw + 3, length - 3 + 1);
      file->text[file->length] = '\0';
    }
  else
    {
      for (gsize i = 0; i < length && ascii; i++)
        ascii = bytes[i] < 0x80;

      if (ascii)
        file->encoding = "ASCII";
      else if (g_utf8_validate (raw, length, NULL))
        file->encoding = "UTF-8";
      else
        {
          file->text = decode_cp1252 (bytes, length, &file->length);
          if (file->text == NULL)
            {
              g_set_error (error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_ENCODING,
                           "%s is neither UTF-8 nor Windows-1252 text", file->name);
              return NULL;
            }
          file->encoding = "Windows-1252";
        }
      if (file->text == NULL)
        {
          file->text = g_steal_pointer (&raw);
          file->length = length;
        }
    }

  file->line_ends = detect_line_ends (file->text, file->length);
  file->cursor = file->text;
  return g_steal_pointer (&file);
}

void
cab_drug_text_file_free (CabDrugTextFile *file)
{
  if (file == NULL)
    return;
  g_free (file->name);
  g_free (file->text);
  g_free (file);
}

char *
cab_drug_text_file_next_line (CabDrugTextFile *file)
{
  char *end = file->text + file->length;

  while (file->cursor < end)
    {
      char *line = file->cursor;
      char *p = line;

      /* No NUL before the end (checked when read): strcspn() stops at it. */
      p += strcspn (p, "\r\n");
      /* The next line starts after CRLF, LF or a lone CR. */
      file->cursor = p;
      if (p < end && *p == '\r')
        {
          file->cursor = p + 1;
          if (file->cursor < end && *file->cursor == '\n')
            file->cursor++;
        }
      else if (p < end)
        file->cursor = p + 1;
      if (p < end)
        *p = '\0';
      file->line_number++;

      if (*line != '\0')
        return line;
    }
  return NULL;
}

guint
cab_drug_split_fields (char   *line,
                       char  **fields,
                       guint   max_fields)
{
  guint n = 0;

  for (char *field = line;;)
    {
      char *tab = strchr (field, '\t');

      if (tab != NULL)
        *tab = '\0';
      if (n < max_fields)
        fields[n] = field;
      n++;
      if (tab == NULL)
        return n;
      field = tab + 1;
    }
}

gboolean
cab_drug_text_file_next (CabDrugTextFile  *file,
                         char            **fields,
                         guint             max_fields,
                         guint            *n_fields)
{
  char *line = cab_drug_text_file_next_line (file);

  if (line == NULL)
    return FALSE;
  *n_fields = cab_drug_split_fields (line, fields, max_fields);
  return TRUE;
}

/* Salts written before the substance ("ACÉTATE DE CYPROTÉRONE"), folded. */
static const char * const salt_words[] = {
  "acetate", "besilate", "besylate", "bitartrate", "bromhydrate", "butyrate",
  "chlorhydrate", "citrate", "dichlorhydrate", "dihydrochlorure", "dimesilate",
  "dipropionate", "embonate", "fumarate", "furoate", "gluconate", "hemifumarate",
  "hemisuccinate", "hemitartrate", "hydrobromure", "hydrochlorure",
  "hydrogenomaleate", "hydrogenosulfate", "hydrogenotartrate", "lactate",
  "maleate", "mesilate", "mesylate", "nitrate", "oxalate", "pamoate",
  "phosphate", "propionate", "succinate", "sulfate", "tartrate", "tosilate",
  "valerate",
};

/* Water of crystallisation written after it ("... MONOHYDRATÉ"), folded. */
static const char * const hydrate_words[] = {
  "anhydre", "dihydrate", "hemihydrate", "heptahydrate", "hexahydrate",
  "hydrate", "monohydrate", "pentahydrate", "sesquihydrate", "tetrahydrate",
  "trihydrate",
};

static gboolean
word_in (const char         *word,
         const char * const *list,
         gsize               n)
{
  for (gsize i = 0; i < n; i++)
    if (g_str_equal (word, list[i]))
      return TRUE;
  return FALSE;
}

char *
cab_drug_substance_key (const char *name)
{
  GString *bare;
  g_autofree char *folded = NULL;
  g_auto(GStrv) words = NULL;
  guint first = 0, last;
  int depth = 0;

  if (name == NULL)
    return g_strdup ("");

  /* The salt or form in parentheses goes: "METFORMINE (CHLORHYDRATE DE)". */
  bare = g_string_sized_new (strlen (name));
  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == '(')
        depth++;
      else if (*p == ')')
        depth = MAX (depth - 1, 0);
      else if (depth == 0)
        g_string_append_c (bare, *p);
    }
  folded = cab_store_fold (bare->str, FALSE);
  g_string_free (bare, TRUE);

  words = g_strsplit (g_strstrip (folded), " ", -1);
  last = g_strv_length (words);
  /* "METFORMINE BASE": the free base; "... MONOHYDRATÉ": its water. */
  while (last > 1 && (g_str_equal (words[last - 1], "base") ||
                      word_in (words[last - 1], hydrate_words, G_N_ELEMENTS (hydrate_words))))
    last--;
  /* "CHLORHYDRATE DE METFORMINE", "ACÉTATE D'ABIRATÉRONE": the same salt,
   * written first. */
  if (last >= 3 && word_in (words[0], salt_words, G_N_ELEMENTS (salt_words)) &&
      (g_str_equal (words[1], "de") || g_str_equal (words[1], "d")))
    first = 2;

  {
    GString *key = g_string_new (NULL);

    for (guint i = first; i < last; i++)
      {
        if (*words[i] == '\0')
          continue;
        if (key->len > 0)
          g_string_append_c (key, ' ');
        g_string_append (key, words[i]);
      }
    return g_string_free (key, FALSE);
  }
}
