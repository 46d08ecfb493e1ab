/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include "cab-inbox-item.h"

#include <string.h>

struct _CabInboxItem
{
  GObject        parent_instance;

  CabMailRow    *row;
  CabMatchState  match_state;
  CabMatchReason match_reason;
  char          *sender;
  char          *date_text;
  char          *type_labels;
  gboolean       has_problem;
  gboolean       unread;
};

G_DEFINE_FINAL_TYPE (CabInboxItem, cab_inbox_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_SUBJECT,
  PROP_SENDER,
  PROP_STATUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

CabMatchState
cab_match_state_from_string (const char *text)
{
  for (CabMatchState s = CAB_MATCH_AUTO; s <= CAB_MATCH_NONE; s++)
    if (g_strcmp0 (text, cab_match_state_to_string (s)) == 0)
      return s;
  return CAB_MATCH_NONE;
}

CabMatchReason
cab_match_reason_from_string (const char *text)
{
  for (CabMatchReason r = CAB_MATCH_REASON_INS_QUALIFIED; r <= CAB_MATCH_REASON_NO_TRAITS; r++)
    if (g_strcmp0 (text, cab_match_reason_to_string (r)) == 0)
      return r;
  return CAB_MATCH_REASON_NO_TRAITS;
}

/* The stored From is "Name <address>" (the parser's display form): the
 * name alone, unquoted; the address when there is no name. */
static char *
sender_name (const CabMailRow *row)
{
  g_autofree char *name = NULL;
  const char *open;

  if (row->from_display == NULL || *row->from_display == '\0')
    return g_strdup (row->from_address ? row->from_address : "");
  open = strrchr (row->from_display, '<');
  name = open != NULL ? g_strndup (row->from_display, open - row->from_display) : g_strdup (row->from_display);
  g_strstrip (name);
  if (strlen (name) >= 2 && name[0] == '"' && name[strlen (name) - 1] == '"')
    {
      name[strlen (name) - 1] = '\0';
      memmove (name, name + 1, strlen (name));
    }
  if (*name == '\0')
    return g_strdup (row->from_address ? row->from_address : row->from_display);
  return g_steal_pointer (&name);
}

static char *
format_date (gint64 date, GDateTime *now, GTimeZone *tz)
{
  g_autoptr(GDateTime) utc = NULL, local = NULL;

  if (date <= 0 || (utc = g_date_time_new_from_unix_utc (date)) == NULL)
    return g_strdup ("");
  local = g_date_time_to_timezone (utc, tz);
  if (g_date_time_get_year (local) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now))
    return g_date_time_format (local, "%H:%M");
  /* The house format for days (docs/architecture.md, "Dates shown to users"). */
  return g_date_time_format (local, "%d/%m/%Y");
}

CabInboxItem *
cab_inbox_item_new (CabMailRow *row,
                    gboolean    patient_qualified,
                    gboolean    unread,
                    GDateTime  *now,
                    GTimeZone  *tz)
{
  CabInboxItem *self = g_object_new (CAB_TYPE_INBOX_ITEM, NULL);
  g_autoptr(GString) labels = g_string_new (NULL);

  self->row = row;
  self->unread = unread;
  self->match_state = cab_match_state_from_string (row->match_state);
  self->match_reason = cab_match_reason_from_string (row->match_reason);
  /* Filed without a person only while the identity is qualified: shown as
   * a proposal as soon as it is not (principle 4). */
  if (self->match_state == CAB_MATCH_AUTO && !patient_qualified)
    {
      self->match_state = CAB_MATCH_PROPOSED;
      self->match_reason = CAB_MATCH_REASON_NOT_QUALIFIED;
    }
  self->sender = sender_name (row);
  self->date_text = format_date (row->date, now, tz);
  self->has_problem = row->xdm_error != NULL;
  for (guint i = 0; i < row->documents->len; i++)
    {
      CabMailDocument *d = g_ptr_array_index (row->documents, i);
      const char *label = d->type_display != NULL && *d->type_display ? d->type_display : NULL;

      self->has_problem |= !d->hash_ok;
      if (label != NULL && strstr (labels->str, label) == NULL)
        g_string_append_printf (labels, "%s%s", labels->len ? ", " : "", label);
    }
  self->type_labels = labels->len ? g_strdup (labels->str) : NULL;
  return self;
}

gint64
cab_inbox_item_get_id (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), 0);
  return self->row->id;
}

const CabMailRow *
cab_inbox_item_get_row (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), NULL);
  return self->row;
}

const char *
cab_inbox_item_get_subject (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), NULL);
  return self->row->subject ? self->row->subject : "";
}

const char *
cab_inbox_item_get_sender (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), NULL);
  return self->sender;
}

const char *
cab_inbox_item_get_status (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), NULL);
  return self->row->status ? self->row->status : "new";
}

CabMatchState
cab_inbox_item_get_match_state (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), CAB_MATCH_NONE);
  return self->match_state;
}

CabMatchReason
cab_inbox_item_get_match_reason (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), CAB_MATCH_REASON_NO_TRAITS);
  return self->match_reason;
}

const char *
cab_inbox_item_get_patient_id (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), NULL);
  if (self->match_state != CAB_MATCH_AUTO && self->match_state != CAB_MATCH_PROPOSED)
    return NULL;
  return self->row->match_patient_id;
}

const char *
cab_inbox_item_get_date_text (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), NULL);
  return self->date_text;
}

const char *
cab_inbox_item_get_type_labels (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), NULL);
  return self->type_labels;
}

guint
cab_inbox_item_get_n_documents (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), 0);
  return self->row->documents->len;
}

gboolean
cab_inbox_item_get_has_problem (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), FALSE);
  return self->has_problem;
}

gboolean
cab_inbox_item_get_unread (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), FALSE);
  return self->unread;
}

static void
cab_inbox_item_finalize (GObject *object)
{
  CabInboxItem *self = CAB_INBOX_ITEM (object);

  cab_mail_row_free (self->row);
  g_free (self->sender);
  g_free (self->date_text);
  g_free (self->type_labels);
  G_OBJECT_CLASS (cab_inbox_item_parent_class)->finalize (object);
}

static void
cab_inbox_item_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CabInboxItem *self = CAB_INBOX_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, cab_inbox_item_get_id (self));
      break;
    case PROP_SUBJECT:
      g_value_set_string (value, cab_inbox_item_get_subject (self));
      break;
    case PROP_SENDER:
      g_value_set_string (value, cab_inbox_item_get_sender (self));
      break;
    case PROP_STATUS:
      g_value_set_string (value, cab_inbox_item_get_status (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_inbox_item_class_init (CabInboxItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cab_inbox_item_finalize;
  object_class->get_property = cab_inbox_item_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0,
                                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUBJECT] = g_param_spec_string ("subject", NULL, NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SENDER] = g_param_spec_string ("sender", NULL, NULL, NULL,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cab_inbox_item_init (CabInboxItem *self)
{
}
