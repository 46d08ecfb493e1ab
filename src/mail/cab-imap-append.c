/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include <glib/gi18n-lib.h>

/* APPEND and SEARCH HEADER Message-ID for sent mail, over cab-imap.c's
 * session (its GIO TLS, deadlines and errors). */

#include "cab-imap-append.h"
#include "cab-imap-private.h"
#include "cab-mime-compose.h"

#include <string.h>

static int
append_once (mailimap *session, const char *mailbox, GBytes *message)
{
  struct mailimap_flag_list *flags = mailimap_flag_list_new_empty ();
  gsize size;
  const char *data = g_bytes_get_data (message, &size);
  int r;

  mailimap_flag_list_add (flags, mailimap_flag_new_seen ());
  r = mailimap_append (session, mailbox, flags, NULL, data, size);
  mailimap_flag_list_free (flags);
  return r;
}

gboolean
cab_imap_append (CabImap     *imap,
                 const char  *mailbox,
                 GBytes      *message,
                 GError     **error)
{
  mailimap *session = cab_imap_begin_command (imap, g_bytes_get_size (message));
  int r = append_once (session, mailbox, message);

  /* NO [TRYCREATE]: the folder does not exist yet (a new account). */
  if (r == MAILIMAP_ERROR_APPEND)
    {
      session = cab_imap_begin_command (imap, 0);
      mailimap_create (session, mailbox);
      session = cab_imap_begin_command (imap, g_bytes_get_size (message));
      r = append_once (session, mailbox, message);
    }
  return cab_imap_check_result (imap, r, "APPEND", error);
}

gboolean
cab_imap_find_message_id (CabImap    *imap,
                          const char *mailbox,
                          const char *message_id,
                          gboolean   *found,
                          GError    **error)
{
  mailimap *session;
  struct mailimap_search_key *key;
  clist *result = NULL;
  int r;

  *found = FALSE;
  if (!cab_mime_address_is_valid (message_id))
    {
      g_set_error (error, CAB_IMAP_ERROR, CAB_IMAP_ERROR_PROTOCOL, _("Not a Message-ID"));
      return FALSE;
    }
  session = cab_imap_begin_command (imap, 0);
  r = mailimap_examine (session, mailbox);
  if (r == MAILIMAP_ERROR_EXAMINE)
    return TRUE;  /* no such folder: nothing was ever appended */
  if (!cab_imap_check_result (imap, r, "EXAMINE", error))
    return FALSE;
  key = mailimap_search_key_new_header (g_strdup ("Message-ID"), g_strdup_printf ("<%s>", message_id));
  session = cab_imap_begin_command (imap, 0);
  r = mailimap_uid_search (session, NULL, key, &result);
  mailimap_search_key_free (key);
  if (!cab_imap_check_result (imap, r, "SEARCH", error))
    return FALSE;
  *found = result != NULL && clist_count (result) > 0;
  mailimap_search_result_free (result);
  return TRUE;
}
