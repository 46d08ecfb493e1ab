/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include "cab-correspondent.h"
#include "cab-mail-enums.h"

/* One completion entry (cab-correspondent.h): a snapshot made on a pool
 * thread, read on the main thread; nothing in it changes after _new(). */

struct _CabCorrespondent
{
  GObject                  parent_instance;

  char                    *address;
  char                    *display_name;
  char                    *profession;
  char                    *organization;
  char                    *city;
  char                    *rpps;
  CabCorrespondentSources  sources;
  guint                    received_count;
  guint                    sent_count;
  gint64                   last_at;
};

G_DEFINE_FINAL_TYPE (CabCorrespondent, cab_correspondent, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ADDRESS,
  PROP_DISPLAY_NAME,
  PROP_PROFESSION,
  PROP_ORGANIZATION,
  PROP_CITY,
  PROP_RPPS,
  PROP_SOURCES,
  PROP_RECEIVED_COUNT,
  PROP_SENT_COUNT,
  PROP_LAST_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
dup_or_null (const char *text)
{
  return text != NULL && *text != '\0' ? g_strdup (text) : NULL;
}

CabCorrespondent *
cab_correspondent_new (const CabCorrespondentData *data)
{
  CabCorrespondent *self;

  g_return_val_if_fail (data != NULL && data->address != NULL, NULL);

  self = g_object_new (CAB_TYPE_CORRESPONDENT, NULL);
  self->address = g_strdup (data->address);
  self->display_name = dup_or_null (data->display_name);
  self->profession = dup_or_null (data->profession);
  self->organization = dup_or_null (data->organization);
  self->city = dup_or_null (data->city);
  self->rpps = dup_or_null (data->rpps);
  self->sources = data->sources;
  self->received_count = data->received_count;
  self->sent_count = data->sent_count;
  self->last_at = data->last_at;
  return self;
}

#define GETTER(type, name) \
  type cab_correspondent_get_##name (CabCorrespondent *self) \
  { \
    g_return_val_if_fail (CAB_IS_CORRESPONDENT (self), 0); \
    return self->name; \
  }

GETTER (const char *, address)
GETTER (const char *, display_name)
GETTER (const char *, profession)
GETTER (const char *, organization)
GETTER (const char *, city)
GETTER (const char *, rpps)
GETTER (CabCorrespondentSources, sources)
GETTER (guint, received_count)
GETTER (guint, sent_count)
GETTER (gint64, last_at)

#undef GETTER

const char *
cab_correspondent_get_title (CabCorrespondent *self)
{
  g_return_val_if_fail (CAB_IS_CORRESPONDENT (self), NULL);

  return self->display_name != NULL ? self->display_name : self->address;
}

/* ------------------------------------------------------- GObject overrides */

static void
cab_correspondent_finalize (GObject *object)
{
  CabCorrespondent *self = CAB_CORRESPONDENT (object);

  g_free (self->address);
  g_free (self->display_name);
  g_free (self->profession);
  g_free (self->organization);
  g_free (self->city);
  g_free (self->rpps);
  G_OBJECT_CLASS (cab_correspondent_parent_class)->finalize (object);
}

static void
cab_correspondent_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CabCorrespondent *self = CAB_CORRESPONDENT (object);

  switch (prop_id)
    {
    case PROP_ADDRESS: g_value_set_string (value, self->address); break;
    case PROP_DISPLAY_NAME: g_value_set_string (value, self->display_name); break;
    case PROP_PROFESSION: g_value_set_string (value, self->profession); break;
    case PROP_ORGANIZATION: g_value_set_string (value, self->organization); break;
    case PROP_CITY: g_value_set_string (value, self->city); break;
    case PROP_RPPS: g_value_set_string (value, self->rpps); break;
    case PROP_SOURCES: g_value_set_flags (value, self->sources); break;
    case PROP_RECEIVED_COUNT: g_value_set_uint (value, self->received_count); break;
    case PROP_SENT_COUNT: g_value_set_uint (value, self->sent_count); break;
    case PROP_LAST_AT: g_value_set_int64 (value, self->last_at); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_correspondent_class_init (CabCorrespondentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = cab_correspondent_finalize;
  object_class->get_property = cab_correspondent_get_property;

  properties[PROP_ADDRESS] = g_param_spec_string ("address", NULL, NULL, NULL, flags);
  properties[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL, flags);
  properties[PROP_PROFESSION] = g_param_spec_string ("profession", NULL, NULL, NULL, flags);
  properties[PROP_ORGANIZATION] = g_param_spec_string ("organization", NULL, NULL, NULL, flags);
  properties[PROP_CITY] = g_param_spec_string ("city", NULL, NULL, NULL, flags);
  properties[PROP_RPPS] = g_param_spec_string ("rpps", NULL, NULL, NULL, flags);
  properties[PROP_SOURCES] = g_param_spec_flags ("sources", NULL, NULL, CAB_TYPE_CORRESPONDENT_SOURCES,
                                                 CAB_CORRESPONDENT_SOURCE_NONE, flags);
  properties[PROP_RECEIVED_COUNT] = g_param_spec_uint ("received-count", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_SENT_COUNT] = g_param_spec_uint ("sent-count", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_LAST_AT] = g_param_spec_int64 ("last-at", NULL, NULL, 0, G_MAXINT64, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cab_correspondent_init (CabCorrespondent *self)
{
}
