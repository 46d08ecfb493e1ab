/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-outbox"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "cab-json-read.h"
#include "cab-outbox.h"
#include "cab-outbox-describe.h"
#include "cab-text.h"

/*
 * An entry's title, made when it is shown, in the language shown then
 * (docs/architecture.md, "Recipient names"): from the payload's fields, not
 * from text translated when the entry was queued, which would stay in the
 * language of that moment (a message queued by cabinetctl under LANG=en,
 * shown by the app in French). Payload members are read with their type
 * checked (cab-json-read.h): a damaged payload gives an empty description,
 * never a critical.
 */

/* The bounds the mail library writes within (cab-mime-compose.h): a name
 * is a display name, an address a path, a subject a header line. */
#define MAX_NAME       200
#define MAX_ADDRESS    254
#define MAX_SUBJECT    998
#define MAX_RECIPIENTS 100

/* Who a message goes to, as the Outbox says it: the name picked where
 * there is one that is a clean line, else the address ("to_names" is as
 * long as "to", "" for none: cab-mail-recipients.h). NULL when "to" holds
 * no usable address: not a message this version can describe. */
static char *
message_recipients (JsonObject *p)
{
  JsonArray *to = cab_json_read_array (p, "to");
  JsonArray *names = cab_json_read_array (p, "to_names");
  g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func (g_free);
  guint n = to != NULL ? json_array_get_length (to) : 0;

  if (names != NULL && json_array_get_length (names) != n)
    names = NULL;
  for (guint i = 0; i < n && shown->len < MAX_RECIPIENTS; i++)
    {
      const char *address = cab_json_array_read_string (to, i);
      const char *name = names != NULL ? cab_json_array_read_string (names, i) : NULL;
      g_autofree char *stripped = name != NULL && strlen (name) <= MAX_NAME
                                  ? g_strstrip (g_strdup (name)) : NULL;

      if (stripped != NULL && *stripped != '\0' && cab_text_is_one_line (stripped, MAX_NAME))
        g_ptr_array_add (shown, g_steal_pointer (&stripped));
      else if (address != NULL && *address != '\0' && cab_text_is_one_line (address, MAX_ADDRESS))
        g_ptr_array_add (shown, g_strdup (address));
    }
  if (shown->len == 0)
    return NULL;
  g_ptr_array_add (shown, NULL);
  return g_strjoinv (", ", (char **) shown->pdata);
}

/* A "create" entry's summary in the reader's language: "summaries" by
 * language code ("en", "fr"), the first of the reader's languages found,
 * else English; an entry queued before "summaries" has its "summary" only,
 * in the language it was written in. */
static const char *
create_summary (JsonObject *p)
{
  JsonObject *summaries = cab_json_read_object (p, "summaries");
  const char * const *languages = g_get_language_names ();
  const char *summary;

  for (guint i = 0; summaries != NULL && languages[i] != NULL; i++)
    {
      char code[3] = { languages[i][0], languages[i][0] != '\0' ? languages[i][1] : '\0', '\0' };

      if (g_ascii_isalpha (code[0]) && g_ascii_isalpha (code[1]) &&
          (summary = cab_json_read_string (summaries, code)) != NULL &&
          cab_text_is_one_line (summary, MAX_SUBJECT))
        return summary;
    }
  if (summaries != NULL && (summary = cab_json_read_string (summaries, "en")) != NULL &&
      cab_text_is_one_line (summary, MAX_SUBJECT))
    return summary;
  return cab_json_read_string (p, "summary");
}

/* A "mail" entry (src/mail): a message, or a read receipt (its "mdn"). An
 * entry queued before titles were made here may lack the fields: its
 * stored "summary" is shown then, in the language it was written in. */
static char *
describe_message (JsonObject *p)
{
  g_autofree char *who = message_recipients (p);
  const char *subject = cab_json_read_string (p, "subject");

  if (who == NULL)
    return NULL;
  if (cab_json_read_object (p, "mdn") != NULL)
    return g_strdup_printf (_("Read receipt to %s"), who);
  /* The queue always writes a subject: without one, not a message. */
  if (subject == NULL)
    return NULL;
  if (!cab_text_is_one_line (subject, MAX_SUBJECT))
    subject = "";
  return g_strdup_printf (_("Message “%s” to %s"), subject, who);
}

/* A "mailflags" entry (src/mail, cab-mail-flags.c): a message marked read
 * or unread ("seen"), or a triage action ("action", the undo log's names
 * in cab-mail-triage.c). An entry queued before titles were made here has
 * a stored "summary" and no "action": NULL, and the summary is shown. */
static char *
describe_flags (JsonObject *p)
{
  static const struct { const char *action; const char *title; } actions[] = {
    { "choose",  N_("Inbox: patient chosen") },
    { "file",    N_("Inbox: message filed") },
    { "assign",  N_("Inbox: message assigned") },
    { "handle",  N_("Inbox: message handled") },
    { "reopen",  N_("Inbox: message reopened") },
    { "dismiss", N_("Inbox: document dismissed") },
    { "undo",    N_("Inbox: action undone") },
  };
  const char *action = cab_json_read_string (p, "action");
  gboolean seen = cab_json_read_boolean (p, "seen", TRUE);

  /* "seen" is a boolean when both fallbacks give the same answer. */
  if (p != NULL && seen == cab_json_read_boolean (p, "seen", FALSE))
    return g_strdup (seen ? _("Inbox: message read") : _("Inbox: message marked unread"));
  if (action == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    if (g_str_equal (action, actions[i].action))
      return g_strdup (_(actions[i].title));
  /* An action from a newer version. */
  return g_strdup (_("Inbox: triage"));
}

char *
cab_outbox_entry_describe (const CabOutboxEntry *entry)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_return_val_if_fail (entry != NULL, NULL);

  return cab_outbox_payload_describe (entry->kind, cab_json_parse_object (parser, entry->payload));
}

char *
cab_outbox_payload_describe (const char *kind,
                             JsonObject *p)
{
  if (g_strcmp0 (kind, "publish") == 0)
    {
      const char *title = cab_json_read_string (p, "title");
      return g_strdup_printf (_("Publish “%s”"), title != NULL ? title : "");
    }
  if (g_strcmp0 (kind, "eprescription") == 0)
    {
      const char *label = cab_json_read_string (p, "label");
      return g_strdup_printf (_("Register e-prescription %s"), label != NULL ? label : "");
    }
  if (g_strcmp0 (kind, "visibility") == 0 && p != NULL)
    {
      GString *s = g_string_new (_("Change visibility:"));

      if (cab_json_read_boolean (p, "masked", FALSE))
        g_string_append_printf (s, " %s", _("masked from professionals"));
      if (cab_json_read_boolean (p, "hidden", FALSE))
        g_string_append_printf (s, " %s", _("hidden from the patient"));
      if (cab_json_read_boolean (p, "archived", FALSE))
        g_string_append_printf (s, " %s", _("archived"));
      if (s->len == strlen (_("Change visibility:")))
        g_string_append_printf (s, " %s", _("visible to all"));
      return g_string_free (s, FALSE);
    }
  if (g_strcmp0 (kind, "create") == 0 && p != NULL)
    {
      const char *summary = create_summary (p);

      return g_strdup_printf (_("Send “%s”"), summary != NULL ? summary : "");
    }
  if (g_strcmp0 (kind, "mail") == 0)
    {
      char *message = describe_message (p);

      if (message != NULL)
        return message;
    }
  if (g_strcmp0 (kind, "mailflags") == 0)
    {
      char *flags = describe_flags (p);

      if (flags != NULL)
        return flags;
    }
  /* Kinds registered by other libraries say what they are in their payload. */
  if (cab_json_read_string (p, "summary") != NULL)
    return g_strdup (cab_json_read_string (p, "summary"));
  return g_strdup (kind != NULL ? kind : "");
}
