/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-outbox"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "cab-core-enums.h"
#include "cab-json-read.h"
#include "cab-outbox.h"
#include "cab-outbox-item.h"
#include "cab-outbox-describe.h"
#include "cab-text.h"

struct _CabOutboxItem
{
  GObject         parent_instance;

  gint64          id;
  CabOutboxKind   kind;
  CabOutboxState  state;
  char           *title;
  char           *subtitle;
  char           *detail;       /* the payload's "detail" (a message's addresses), or NULL */
  char           *patient_id;
  char           *patient_label;
  char           *document_title;
  char           *type_code;
  char           *mine_title;
  char           *mine_visibility;
  char           *server_title;
  char           *server_visibility;
  gint64          read_at;
  gboolean        is_receipt;
  char            key[24];      /* the id as text, for cab_model_items_reuse() */
};

G_DEFINE_FINAL_TYPE (CabOutboxItem, cab_outbox_item, G_TYPE_OBJECT)

/* 100 recipients of CAB_MIME_MAX_ADDRESS bytes, ", " between them. */
#define MAX_DETAIL (100 * 256)

enum {
  PROP_0,
  PROP_ID,
  PROP_KIND,
  PROP_STATE,
  PROP_TITLE,
  PROP_SUBTITLE,
  PROP_PATIENT_ID,
  PROP_PATIENT_LABEL,
  PROP_STATE_TEXT,
  PROP_CAN_EDIT,
  PROP_CAN_RETRY,
  PROP_CAN_CANCEL,
  PROP_CAN_RELEASE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---------------------------------------------------------------------- */
/* reading payloads, safely                                               */

static char *
visibility_text (gboolean masked,
                 gboolean hidden,
                 gboolean archived)
{
  GString *s = g_string_new (NULL);

  if (masked)
    g_string_append (s, _("masked from professionals"));
  if (hidden)
    g_string_append_printf (s, "%s%s", s->len > 0 ? ", " : "", _("hidden from the patient"));
  if (archived)
    g_string_append_printf (s, "%s%s", s->len > 0 ? ", " : "", _("archived"));
  if (s->len == 0)
    g_string_append (s, _("visible to all"));

  return g_string_free (s, FALSE);
}

/* The health space's copy after a 412: its title and visibility. */
static void
describe_server (CabOutboxItem *self,
                 const char    *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *doc = cab_json_parse_object (parser, json);
  JsonArray *labels = cab_json_read_array (doc, "securityLabel");
  JsonArray *extensions = cab_json_read_array (doc, "extension");
  gboolean masked = FALSE, hidden = FALSE, archived = FALSE;
  const char *text = cab_json_read_string (doc, "description");

  for (guint i = 0; labels != NULL && i < json_array_get_length (labels); i++)
    {
      JsonArray *codings = cab_json_read_array (cab_json_array_read_object (labels, i), "coding");

      for (guint j = 0; codings != NULL && j < json_array_get_length (codings); j++)
        {
          const char *code = cab_json_read_string (cab_json_array_read_object (codings, j), "code");

          masked |= g_strcmp0 (code, "MASQUE_PS") == 0;
          hidden |= g_strcmp0 (code, "INVISIBLE_PATIENT") == 0;
        }
    }
  for (guint i = 0; extensions != NULL && i < json_array_get_length (extensions); i++)
    {
      JsonObject *e = cab_json_array_read_object (extensions, i);

      if (e != NULL && g_str_has_suffix (cab_json_read_string (e, "url") ?: "", "isArchived"))
        archived = cab_json_read_boolean (e, "valueBoolean", FALSE);
    }

  if (text == NULL)
    {
      JsonNode *type = doc != NULL ? json_object_get_member (doc, "type") : NULL;

      if (type != NULL && JSON_NODE_HOLDS_OBJECT (type))
        text = cab_json_read_string (json_node_get_object (type), "text");
    }

  self->server_title = g_strdup (text != NULL ? text : "—");
  self->server_visibility = doc != NULL ? visibility_text (masked, hidden, archived) : g_strdup ("—");
}

/* The user's version, from the entry's payload. */
static void
describe_payload (CabOutboxItem *self,
                  JsonObject    *p)
{
  const char *title = cab_json_read_string (p, "title");
  const char *detail = cab_json_read_string_at_most (p, "detail", MAX_DETAIL);

  /* What a kind says under its title (a message: the addresses of the
   * recipients its title names). From the payload: one line, bounded. */
  if (detail != NULL && *detail != '\0' && cab_text_is_one_line (detail, MAX_DETAIL))
    self->detail = g_strdup (detail);
  if (self->kind == CAB_OUTBOX_KIND_PUBLISH && p != NULL)
    {
      self->document_title = g_strdup (title != NULL ? title : "");
      self->type_code = g_strdup (cab_json_read_string (p, "type_code"));
    }

  /* A read receipt is built from the request it answers (src/mail). */
  if (self->kind == CAB_OUTBOX_KIND_MAIL)
    self->is_receipt = p == NULL || json_object_has_member (p, "mdn");

  /* A visibility change leaves the title as it is. */
  self->mine_title = g_strdup (title != NULL ? title : _("unchanged"));
  if (self->kind == CAB_OUTBOX_KIND_VISIBILITY && p != NULL)
    self->mine_visibility = visibility_text (cab_json_read_boolean (p, "masked", FALSE),
                                             cab_json_read_boolean (p, "hidden", FALSE),
                                             cab_json_read_boolean (p, "archived", FALSE));
  else
    self->mine_visibility = g_strdup ("—");
}

/* ---------------------------------------------------------------------- */
/* GObject overrides                                                      */

static void
cab_outbox_item_finalize (GObject *object)
{
  CabOutboxItem *self = CAB_OUTBOX_ITEM (object);

  g_free (self->title);
  g_free (self->subtitle);
  g_free (self->detail);
  g_free (self->patient_id);
  g_free (self->patient_label);
  g_free (self->document_title);
  g_free (self->type_code);
  g_free (self->mine_title);
  g_free (self->mine_visibility);
  g_free (self->server_title);
  g_free (self->server_visibility);

  G_OBJECT_CLASS (cab_outbox_item_parent_class)->finalize (object);
}

static void
cab_outbox_item_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CabOutboxItem *self = CAB_OUTBOX_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_SUBTITLE:
      g_value_set_string (value, self->subtitle);
      break;
    case PROP_PATIENT_ID:
      g_value_set_string (value, self->patient_id);
      break;
    case PROP_PATIENT_LABEL:
      g_value_set_string (value, self->patient_label);
      break;
    case PROP_STATE_TEXT:
      g_value_set_string (value, cab_outbox_item_get_state_text (self));
      break;
    case PROP_CAN_EDIT:
      g_value_set_boolean (value, cab_outbox_item_get_can_edit (self));
      break;
    case PROP_CAN_RETRY:
      g_value_set_boolean (value, cab_outbox_item_get_can_retry (self));
      break;
    case PROP_CAN_CANCEL:
      g_value_set_boolean (value, cab_outbox_item_get_can_cancel (self));
      break;
    case PROP_CAN_RELEASE:
      g_value_set_boolean (value, cab_outbox_item_get_can_release (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_outbox_item_class_init (CabOutboxItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = cab_outbox_item_finalize;
  object_class->get_property = cab_outbox_item_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, CAB_TYPE_OUTBOX_KIND,
                                             CAB_OUTBOX_KIND_OTHER, flags);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, CAB_TYPE_OUTBOX_STATE,
                                              CAB_OUTBOX_STATE_PENDING, flags);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, flags);
  properties[PROP_SUBTITLE] = g_param_spec_string ("subtitle", NULL, NULL, NULL, flags);
  properties[PROP_PATIENT_ID] = g_param_spec_string ("patient-id", NULL, NULL, NULL, flags);
  properties[PROP_PATIENT_LABEL] = g_param_spec_string ("patient-label", NULL, NULL, NULL, flags);
  properties[PROP_STATE_TEXT] = g_param_spec_string ("state-text", NULL, NULL, NULL, flags);
  properties[PROP_CAN_EDIT] = g_param_spec_boolean ("can-edit", NULL, NULL, FALSE, flags);
  properties[PROP_CAN_RETRY] = g_param_spec_boolean ("can-retry", NULL, NULL, FALSE, flags);
  properties[PROP_CAN_CANCEL] = g_param_spec_boolean ("can-cancel", NULL, NULL, FALSE, flags);
  properties[PROP_CAN_RELEASE] = g_param_spec_boolean ("can-release", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cab_outbox_item_init (CabOutboxItem *self)
{
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

CabOutboxItem *
cab_outbox_item_new (const CabOutboxEntry *entry,
                     const char           *patient_label)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *payload;
  CabOutboxItem *self;
  GString *subtitle;

  g_return_val_if_fail (entry != NULL, NULL);

  self = g_object_new (CAB_TYPE_OUTBOX_ITEM, NULL);
  self->id = entry->id;
  g_snprintf (self->key, sizeof self->key, "%" G_GINT64_FORMAT, entry->id);
  self->kind = g_strcmp0 (entry->kind, "publish") == 0 ? CAB_OUTBOX_KIND_PUBLISH
             : g_strcmp0 (entry->kind, "visibility") == 0 ? CAB_OUTBOX_KIND_VISIBILITY
             : g_strcmp0 (entry->kind, "create") == 0 ? CAB_OUTBOX_KIND_CREATE
             : g_strcmp0 (entry->kind, "eprescription") == 0 ? CAB_OUTBOX_KIND_EPRESCRIPTION
             : g_strcmp0 (entry->kind, "mail") == 0 ? CAB_OUTBOX_KIND_MAIL
             : CAB_OUTBOX_KIND_OTHER;
  /* A state from a newer version reads as failed: the user can still act. */
  self->state = entry->state < CAB_OUTBOX_N_STATES ? entry->state : CAB_OUTBOX_STATE_FAILED;
  self->patient_id = g_strdup (entry->patient_id);
  self->patient_label = g_strdup (patient_label);
  /* The payload parsed once, for the title and the rest. */
  parser = json_parser_new ();
  payload = cab_json_parse_object (parser, entry->payload);
  self->title = cab_outbox_payload_describe (entry->kind, payload);
  if (self->title == NULL)
    self->title = g_strdup ("");

  describe_payload (self, payload);

  subtitle = g_string_new (patient_label != NULL ? patient_label : "");
  if (self->detail != NULL)
    g_string_append_printf (subtitle, "%s%s", subtitle->len > 0 ? " · " : "", self->detail);
  if (entry->attempts > 0)
    {
      g_autofree char *attempts = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u attempt", "%u attempts",
                                                                entry->attempts),
                                                   entry->attempts);

      g_string_append_printf (subtitle, "%s%s", subtitle->len > 0 ? " · " : "", attempts);
    }
  /* The error in the language shown now, whoever failed the send
   * (cab-outbox-error.h). */
  if (self->state != CAB_OUTBOX_STATE_DONE)
    {
      g_autofree char *last_error = cab_outbox_entry_dup_error (entry);

      if (last_error != NULL)
        g_string_append_printf (subtitle, "\n%s", last_error);
    }
  self->subtitle = g_string_free (subtitle, FALSE);

  describe_server (self, entry->conflict_json);

  return self;
}

gint64
cab_outbox_item_get_id (CabOutboxItem *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (self), 0);
  return self->id;
}

CabOutboxKind
cab_outbox_item_get_kind (CabOutboxItem *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (self), CAB_OUTBOX_KIND_OTHER);
  return self->kind;
}

CabOutboxState
cab_outbox_item_get_state (CabOutboxItem *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (self), CAB_OUTBOX_STATE_FAILED);
  return self->state;
}

const char *
cab_outbox_item_get_title (CabOutboxItem *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (self), NULL);
  return self->title;
}

const char *
cab_outbox_item_get_subtitle (CabOutboxItem *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (self), NULL);
  return self->subtitle;
}

const char *
cab_outbox_item_get_patient_id (CabOutboxItem *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (self), NULL);
  return self->patient_id;
}

const char *
cab_outbox_item_get_patient_label (CabOutboxItem *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (self), NULL);
  return self->patient_label;
}

void
cab_outbox_item_set_read_at (CabOutboxItem *self,
                             gint64         read_at)
{
  g_return_if_fail (CAB_IS_OUTBOX_ITEM (self));
  self->read_at = read_at;
}

gint64
cab_outbox_item_get_read_at (CabOutboxItem *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (self), 0);
  return self->read_at;
}

char *
cab_outbox_item_dup_read_text (CabOutboxItem *self)
{
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *date = NULL;

  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (self), NULL);

  if (self->read_at <= 0)
    return NULL;
  when = g_date_time_new_from_unix_local (self->read_at);
  /* Translators: when a read receipt says a sent message was displayed, strftime format */
  date = g_date_time_format (when, _("%d/%m/%Y %H:%M"));
  /* Translators: a sent message's read receipt came back: "Read on 05/12/2026 14:03" */
  return g_strdup_printf (_("Read on %s"), date);
}

const char *
cab_outbox_item_get_key (CabOutboxItem *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (self), NULL);
  return self->key;
}

gboolean
cab_outbox_item_same (CabOutboxItem *a,
                      CabOutboxItem *b)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (a) && CAB_IS_OUTBOX_ITEM (b), FALSE);

  /* Every field: what shows and what the actions and the edit form take. */
  return a->id == b->id && a->kind == b->kind && a->state == b->state && a->read_at == b->read_at &&
         g_strcmp0 (a->title, b->title) == 0 && g_strcmp0 (a->subtitle, b->subtitle) == 0 &&
         g_strcmp0 (a->patient_id, b->patient_id) == 0 && g_strcmp0 (a->patient_label, b->patient_label) == 0 &&
         g_strcmp0 (a->document_title, b->document_title) == 0 && g_strcmp0 (a->type_code, b->type_code) == 0 &&
         g_strcmp0 (a->mine_title, b->mine_title) == 0 &&
         g_strcmp0 (a->mine_visibility, b->mine_visibility) == 0 &&
         g_strcmp0 (a->server_title, b->server_title) == 0 &&
         g_strcmp0 (a->server_visibility, b->server_visibility) == 0;
}

const char *
cab_outbox_item_get_state_text (CabOutboxItem *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (self), NULL);
  return cab_outbox_state_describe (self->state);
}

gboolean
cab_outbox_item_get_can_edit (CabOutboxItem *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (self), FALSE);

  /* Not sent yet, and a payload the form (or the composer) can be filled
   * from. "Sending" is not editable: the drain has it. */
  return ((self->kind == CAB_OUTBOX_KIND_PUBLISH && self->document_title != NULL) ||
          (self->kind == CAB_OUTBOX_KIND_MAIL && !self->is_receipt)) &&
         (self->state == CAB_OUTBOX_STATE_PENDING ||
          self->state == CAB_OUTBOX_STATE_HELD ||
          self->state == CAB_OUTBOX_STATE_FAILED);
}

gboolean
cab_outbox_item_get_is_receipt (CabOutboxItem *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (self), FALSE);
  return self->is_receipt;
}

gboolean
cab_outbox_item_get_can_retry (CabOutboxItem *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (self), FALSE);
  return self->state == CAB_OUTBOX_STATE_FAILED;
}

gboolean
cab_outbox_item_get_can_cancel (CabOutboxItem *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (self), FALSE);
  return self->state == CAB_OUTBOX_STATE_FAILED || self->state == CAB_OUTBOX_STATE_CONFLICT ||
         self->state == CAB_OUTBOX_STATE_PENDING || self->state == CAB_OUTBOX_STATE_HELD;
}

gboolean
cab_outbox_item_get_can_release (CabOutboxItem *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (self), FALSE);
  return self->state == CAB_OUTBOX_STATE_HELD;
}

const char *
cab_outbox_item_get_document_title (CabOutboxItem *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (self), NULL);
  return self->document_title;
}

const char *
cab_outbox_item_get_type_code (CabOutboxItem *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (self), NULL);
  return self->type_code;
}

const char *
cab_outbox_item_get_mine_title (CabOutboxItem *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (self), NULL);
  return self->mine_title;
}

const char *
cab_outbox_item_get_mine_visibility (CabOutboxItem *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (self), NULL);
  return self->mine_visibility;
}

const char *
cab_outbox_item_get_server_title (CabOutboxItem *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (self), NULL);
  return self->server_title;
}

const char *
cab_outbox_item_get_server_visibility (CabOutboxItem *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (self), NULL);
  return self->server_visibility;
}

const char *
cab_outbox_state_describe (CabOutboxState state)
{
  switch (state)
    {
    case CAB_OUTBOX_STATE_PENDING:   return _("Waiting to be sent");
    case CAB_OUTBOX_STATE_HELD:      return _("Held back");
    case CAB_OUTBOX_STATE_SENDING:   return _("Sending…");
    case CAB_OUTBOX_STATE_DONE:      return _("Sent");
    case CAB_OUTBOX_STATE_CONFLICT:  return _("Conflict");
    case CAB_OUTBOX_STATE_FAILED:    return _("Failed — needs you");
    case CAB_OUTBOX_STATE_CANCELLED: return _("Cancelled");
    case CAB_OUTBOX_N_STATES:
    default:                         return "";
    }
}
