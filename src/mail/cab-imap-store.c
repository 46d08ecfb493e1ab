/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

/* One message's flags, read and conditionally replaced (UID FETCH FLAGS
 * MODSEQ, UID STORE (UNCHANGEDSINCE) FLAGS), over cab-imap.c's session:
 * the triage keywords' transport (docs/architecture.md, "Triage"). */

#include "cab-imap-private.h"

#include <string.h>

gboolean
cab_imap_fetch_uid_flags (CabImap       *imap,
                          guint32        uid,
                          CabImapFlags **flags,
                          GError       **error)
{
  mailimap *session = cab_imap_begin_command (imap, 256);
  struct mailimap_fetch_type *type = mailimap_fetch_type_new_fetch_att_list_empty ();
  struct mailimap_set *set = mailimap_set_new_single (uid);
  clist *result = NULL;
  int r;

  *flags = NULL;
  mailimap_fetch_type_new_fetch_att_list_add (type, mailimap_fetch_att_new_uid ());
  mailimap_fetch_type_new_fetch_att_list_add (type, mailimap_fetch_att_new_flags ());
  if (mailimap_has_condstore (session))
    mailimap_fetch_type_new_fetch_att_list_add (type, mailimap_fetch_att_new_modseq ());
  r = mailimap_uid_fetch (session, set, type, &result);
  mailimap_fetch_type_free (type);
  mailimap_set_free (set);
  if (!cab_imap_check_result (imap, r, "UID FETCH FLAGS", error))
    return FALSE;
  for (clistiter *it = clist_begin (result); it != NULL && *flags == NULL; it = clist_next (it))
    {
      CabImapFlags *f = cab_imap_flags_from_att (clist_content (it));

      /* A server may add others' FETCH answers: only this UID counts. */
      if (f->uid == uid)
        *flags = f;
      else
        cab_imap_flags_free (f);
    }
  mailimap_fetch_list_free (result);
  return TRUE;
}

/* A flag as IMAP writes it: "\Seen" or a keyword atom (RFC 3501
 * flag-keyword); anything else cannot go into a command line. */
static gboolean
flag_is_sendable (const char *flag)
{
  const char *p = flag[0] == '\\' ? flag + 1 : flag;

  if (*p == '\0' || strlen (flag) > 128)
    return FALSE;
  for (; *p != '\0'; p++)
    if (*p <= 0x20 || *p >= 0x7f || strchr ("(){%*\"\\]", *p) != NULL)
      return FALSE;
  return TRUE;
}

gboolean
cab_imap_store_uid_flags (CabImap             *imap,
                          guint32              uid,
                          guint64              unchanged_since,
                          const char * const  *flags,
                          GError             **error)
{
  g_autoptr(GString) command = g_string_new (NULL);
  mailimap *session;
  int r;

  /* Written by hand: libetpan 1.9.4's UNCHANGEDSINCE omits the space
   * before the modifier ("STORE 1(UNCHANGEDSINCE"), which Dovecot refuses. */
  g_string_append_printf (command, "UID STORE %u", uid);
  if (unchanged_since > 0)
    g_string_append_printf (command, " (UNCHANGEDSINCE %" G_GUINT64_FORMAT ")", unchanged_since);
  g_string_append (command, " FLAGS (");
  for (guint i = 0, n = 0; flags != NULL && flags[i] != NULL && i < CAB_IMAP_MAX_KEYWORDS; i++)
    {
      if (g_ascii_strcasecmp (flags[i], "\\Recent") == 0)
        continue;   /* the server's alone */
      if (!flag_is_sendable (flags[i]))
        {
          g_set_error (error, CAB_IMAP_ERROR, CAB_IMAP_ERROR_PROTOCOL,
                       "UID STORE: the message carries a flag that cannot be written back");
          return FALSE;
        }
      g_string_append_printf (command, "%s%s", n++ > 0 ? " " : "", flags[i]);
    }
  g_string_append_c (command, ')');
  session = cab_imap_begin_command (imap, 256);
  r = mailimap_custom_command (session, command->str);
  return cab_imap_check_result (imap, r, "UID STORE", error);
}
