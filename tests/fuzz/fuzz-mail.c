/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-mail"

/* Feeds arbitrary bytes through what a received message goes through:
 * MIME parsing, the IHE_XDM.zip of each zip attachment, its METADATA.XML,
 * and patient matching on what they say. Input starting with "PK" is read
 * as a zip directly, and input starting with "<" as METADATA.XML, so the
 * fuzzer reaches each layer without building the ones above. Built with
 * -fsanitize=fuzzer it is a libFuzzer target; otherwise fuzz-replay.c
 * replays the corpus (tests/fuzz/corpus-mail). */

#include <stdint.h>
#include <string.h>

#include "cab-mail-match.h"
#include "cab-mime.h"
#include "cab-xdm.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A practice of two, one qualified. */
static const CabMatchPatient practice[] = {
  { "p1", "261037505612351", TRUE, FALSE, "DUPONT", "MARTIN", "Marie", "1961-03-12", 'F' },
  { "p2", NULL, FALSE, FALSE, "DUPONT", NULL, "Marie", "1961-03-12", 'F' },
};

static void
check_xdm (GBytes *zip)
{
  g_autoptr(GError) error = NULL;
  /* Small limits: the fuzzer must not spend its time inflating. */
  CabXdmLimits limits = { .max_entries = 64, .max_entry_size = 4 << 20, .max_total_size = 8 << 20 };
  g_autoptr(CabXdm) xdm = cab_xdm_read (zip, &limits, &error);
  CabMatchTraits traits[8];
  guint n = 0;

  if (xdm == NULL)
    {
      g_assert_true (error != NULL && error->domain == CAB_XDM_ERROR);
      return;
    }
  for (guint i = 0; i < xdm->documents->len && n < G_N_ELEMENTS (traits); i++)
    {
      CabXdmDocument *doc = g_ptr_array_index (xdm->documents, i);

      /* A document whose hash checks out is there, with that hash. */
      if (doc->hash_ok)
        g_assert_true (doc->content != NULL && g_str_equal (doc->sha1, doc->declared_sha1));
      cab_xdm_document_get_traits (doc, &traits[n++]);
    }
  {
    g_autoptr(CabMatchResult) r = cab_match_compute (traits, n, practice, G_N_ELEMENTS (practice));

    /* Only the qualified holder of a valid INS is ever matched alone. */
    if (r->state == CAB_MATCH_AUTO)
      g_assert_cmpstr (r->patient_id, ==, "p1");
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(CabMimeMessage) message = NULL;

  if (size >= 2 && data[0] == 'P' && data[1] == 'K')
    {
      check_xdm (bytes);
      return 0;
    }
  if (size >= 1 && data[0] == '<')
    {
      g_autofree char *set_ins = NULL;
      g_autoptr(GPtrArray) docs = cab_xdm_parse_metadata ((const char *) data, size, &set_ins, &error);

      g_assert_true ((docs == NULL) == (error != NULL));
      return 0;
    }
  message = cab_mime_parse (bytes, &error);
  if (message == NULL)
    {
      g_assert_true (error != NULL && error->domain == CAB_MIME_ERROR);
      return 0;
    }
  g_assert_true (g_utf8_validate (message->body_text, -1, NULL));
  g_assert_true (message->subject == NULL || g_utf8_validate (message->subject, -1, NULL));
  for (guint i = 0; i < message->attachments->len; i++)
    {
      CabMimeAttachment *a = g_ptr_array_index (message->attachments, i);

      if (g_str_equal (a->content_type, "application/zip") ||
          (a->filename != NULL && g_str_has_suffix (a->filename, ".zip")))
        check_xdm (a->content);
    }
  return 0;
}
