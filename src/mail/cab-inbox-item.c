/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include "cab-inbox-item.h"

#include <string.h>

struct _CabInboxItem
{
  GObject        parent_instance;

  gint64         id;
  char           key[24];      /* the id as text, for cab_model_items_reuse() */
  gint64         date;
  char          *sender;
  char          *from_address;
  char          *subject;
  char          *status;
  CabMatchState  match_state;
  CabMatchReason match_reason;
  guint          match_disagreeing;
  char          *patient_id;
  GStrv          candidates;
  char          *date_text;
  char          *type_labels;
  char          *xdm_error;
  guint          n_documents;
  gboolean       has_problem;
  gboolean       smime_signed;
  gboolean       unread;
  char          *assignee;
  char          *assignee_display;
};

G_DEFINE_FINAL_TYPE (CabInboxItem, cab_inbox_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_SUBJECT,
  PROP_SENDER,
  PROP_STATUS,
  PROP_UNREAD,
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
  for (CabMatchReason r = CAB_MATCH_REASON_INS_QUALIFIED; r <= CAB_MATCH_REASON_FILED_MISMATCH; r++)
    if (g_strcmp0 (text, cab_match_reason_to_string (r)) == 0)
      return r;
  return CAB_MATCH_REASON_NO_TRAITS;
}

/* The stored From is "Name <address>" (the parser's display form): the
 * name alone, unquoted; the address when there is no name. */
static char *
sender_name (const char *display,
             const char *address)
{
  g_autofree char *name = NULL;
  const char *open;
  gsize len;

  if (display == NULL || *display == '\0')
    return g_strdup (address ? address : "");
  open = strrchr (display, '<');
  name = open != NULL ? g_strndup (display, open - display) : g_strdup (display);
  g_strstrip (name);
  len = strlen (name);
  if (len >= 2 && name[0] == '"' && name[len - 1] == '"')
    {
      name[len - 1] = '\0';
      memmove (name, name + 1, len - 1);
    }
  if (*name == '\0')
    return g_strdup (address ? address : display);
  return g_steal_pointer (&name);
}

/* Days since 1970-01-01 to the civil date (H. Hinnant's algorithm). */
static void
civil_from_days (gint64 z, int *year, int *month, int *day)
{
  gint64 era, doe, yoe, doy, mp;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *day = (int) (doy - (153 * mp + 2) / 5 + 1);
  *month = (int) (mp < 10 ? mp + 3 : mp - 9);
  *year = (int) (yoe + era * 400 + (*month <= 2));
}

/* "14:32" today, "03/12/2026" (the house format) another day. The zone's
 * offset now is used for every date: a message's day may be an hour off
 * across a DST change, which a list can bear (the reading pane shows the
 * exact time). */
static char *
format_date (gint64 date, gint64 today, gint64 utc_offset)
{
  gint64 local, day;
  int year, month, d;

  if (date <= 0)
    return g_strdup ("");
  local = date + utc_offset;
  day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  if (day == today)
    return g_strdup_printf ("%02d:%02d", (int) ((local - day * 86400) / 3600), (int) ((local - day * 86400) % 3600 / 60));
  civil_from_days (day, &year, &month, &d);
  return g_strdup_printf ("%02d/%02d/%04d", d, month, year);
}

/* "Dr Jean MARTIN", as cab_practitioner_display() writes it; NULL when the
 * store does not know the practitioner. */
static char *
assignee_display (const CabInboxItemData *data)
{
  GString *out;

  if (data->assignee == NULL || (data->assignee_family == NULL && data->assignee_given == NULL))
    return NULL;
  out = g_string_new (NULL);
  if (data->assignee_prefix != NULL && *data->assignee_prefix)
    g_string_append_printf (out, "%s ", data->assignee_prefix);
  if (data->assignee_given != NULL && *data->assignee_given)
    g_string_append_printf (out, "%s ", data->assignee_given);
  if (data->assignee_family != NULL && *data->assignee_family)
    {
      g_autofree char *family = g_utf8_strup (data->assignee_family, -1);
      g_string_append (out, family);
    }
  g_strstrip (out->str);
  out->len = strlen (out->str);
  if (out->len == 0)
    return (g_string_free (out, TRUE), NULL);
  return g_string_free (out, FALSE);
}

CabInboxItem *
cab_inbox_item_new (const CabInboxItemData *data,
                    gint64                  today,
                    gint64                  utc_offset)
{
  CabInboxItem *self = g_object_new (CAB_TYPE_INBOX_ITEM, NULL);

  self->id = data->id;
  g_snprintf (self->key, sizeof self->key, "%" G_GINT64_FORMAT, data->id);
  self->date = data->date;
  self->sender = sender_name (data->from_display, data->from_address);
  self->from_address = g_strdup (data->from_address);
  self->subject = g_strdup (data->subject ? data->subject : "");
  self->status = g_strdup (data->status ? data->status : "new");
  self->match_state = cab_match_state_from_string (data->match_state);
  self->match_reason = cab_match_reason_from_string (data->match_reason);
  self->match_disagreeing = data->match_disagreeing;
  /* Filed without a person only while the identity is qualified: shown as
   * a proposal as soon as it is not (principle 4). */
  if (self->match_state == CAB_MATCH_AUTO && !data->patient_qualified)
    {
      self->match_state = CAB_MATCH_PROPOSED;
      self->match_reason = CAB_MATCH_REASON_NOT_QUALIFIED;
    }
  if (self->match_state == CAB_MATCH_AUTO || self->match_state == CAB_MATCH_PROPOSED)
    self->patient_id = g_strdup (data->match_patient_id);
  self->candidates = data->match_candidates != NULL && *data->match_candidates
                     ? g_strsplit (data->match_candidates, ",", -1) : g_new0 (char *, 1);
  self->date_text = format_date (data->date, today, utc_offset);
  self->type_labels = g_strdup (data->type_labels);
  self->xdm_error = g_strdup (data->xdm_error);
  self->n_documents = data->n_documents;
  self->has_problem = data->xdm_error != NULL || !data->documents_ok;
  self->smime_signed = data->smime_signed;
  self->unread = data->unread;
  self->assignee = g_strdup (data->assignee);
  self->assignee_display = assignee_display (data);
  return self;
}

gint64
cab_inbox_item_get_id (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), 0);
  return self->id;
}

const char *
cab_inbox_item_get_key (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), NULL);
  return self->key;
}

gint64
cab_inbox_item_get_date (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), 0);
  return self->date;
}

const char *
cab_inbox_item_get_subject (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), NULL);
  return self->subject;
}

const char *
cab_inbox_item_get_sender (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), NULL);
  return self->sender;
}

const char *
cab_inbox_item_get_from_address (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), NULL);
  return self->from_address;
}

const char *
cab_inbox_item_get_status (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), NULL);
  return self->status;
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

guint
cab_inbox_item_get_match_disagreeing (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), 0);
  return self->match_disagreeing;
}

const char *
cab_inbox_item_get_patient_id (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), NULL);
  return self->patient_id;
}

const char * const *
cab_inbox_item_get_candidates (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), NULL);
  return (const char * const *) self->candidates;
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
  return self->n_documents;
}

const char *
cab_inbox_item_get_xdm_error (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), NULL);
  return self->xdm_error;
}

gboolean
cab_inbox_item_get_has_problem (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), FALSE);
  return self->has_problem;
}

gboolean
cab_inbox_item_get_smime_signed (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), FALSE);
  return self->smime_signed;
}

gboolean
cab_inbox_item_get_unread (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), FALSE);
  /* Read by the inbox list's diff on a worker while the page may set it. */
  return g_atomic_int_get (&self->unread);
}

/* Bumped by every change to a shown item: an answer diffed on a worker
 * against the list as it was is applied only if nothing changed since
 * (cab-inbox-list.c). */
static gint n_changes;

guint
cab_inbox_item_get_n_changes (void)
{
  return (guint) g_atomic_int_get (&n_changes);
}

void
cab_inbox_item_set_unread (CabInboxItem *self,
                           gboolean      unread)
{
  g_return_if_fail (CAB_IS_INBOX_ITEM (self));

  unread = !!unread;
  if (g_atomic_int_get (&self->unread) == unread)
    return;
  g_atomic_int_inc (&n_changes);
  g_atomic_int_set (&self->unread, unread);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD]);
}

const char *
cab_inbox_item_get_assignee (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), NULL);
  return self->assignee;
}

const char *
cab_inbox_item_get_assignee_display (CabInboxItem *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ITEM (self), NULL);
  return self->assignee_display;
}

static void
cab_inbox_item_finalize (GObject *object)
{
  CabInboxItem *self = CAB_INBOX_ITEM (object);

  g_free (self->sender);
  g_free (self->from_address);
  g_free (self->subject);
  g_free (self->status);
  g_free (self->patient_id);
  g_strfreev (self->candidates);
  g_free (self->date_text);
  g_free (self->type_labels);
  g_free (self->xdm_error);
  g_free (self->assignee);
  g_free (self->assignee_display);
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
      g_value_set_int64 (value, self->id);
      break;
    case PROP_SUBJECT:
      g_value_set_string (value, self->subject);
      break;
    case PROP_SENDER:
      g_value_set_string (value, self->sender);
      break;
    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    case PROP_UNREAD:
      g_value_set_boolean (value, self->unread);
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
  properties[PROP_UNREAD] = g_param_spec_boolean ("unread", NULL, NULL, FALSE,
                                                  G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cab_inbox_item_init (CabInboxItem *self)
{
}
