/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-followup"

#include "config.h"

#include <math.h>

#include "cab-followup-enums.h"
#include "cab-followup-items-private.h"

/* ================================================================ status */

struct _CabFollowupStatus
{
  GObject                   parent_instance;
  CabFollowupRules         *rules;     /* keeps rule and measure alive */
  const CabFollowupRule    *rule;
  char                     *patient_id;
  char                     *loinc;
  CabFollowupState          state;
  guint32                   last_day;
  guint32                   due_day;
  char                     *last_date;
  char                     *due_date;
  double                    last_value;
  double                    last_diastolic;
  char                     *last_value_text;
  gboolean                  unit_known;
  gboolean                  out_of_target;
  char                     *observation_id;
};

G_DEFINE_FINAL_TYPE (CabFollowupStatus, cab_followup_status, G_TYPE_OBJECT)

enum {
  STATUS_PROP_0,
  STATUS_PROP_PATIENT_ID,
  STATUS_PROP_MEASURE_ID,
  STATUS_PROP_STATE,
  STATUS_PROP_LAST_DATE,
  STATUS_PROP_DUE_DATE,
  STATUS_PROP_OUT_OF_TARGET,
  STATUS_N_PROPS
};

static GParamSpec *status_props[STATUS_N_PROPS];

static void
cab_followup_status_finalize (GObject *object)
{
  CabFollowupStatus *self = CAB_FOLLOWUP_STATUS (object);

  g_clear_object (&self->rules);
  g_free (self->patient_id);
  g_free (self->loinc);
  g_free (self->last_date);
  g_free (self->due_date);
  g_free (self->last_value_text);
  g_free (self->observation_id);
  G_OBJECT_CLASS (cab_followup_status_parent_class)->finalize (object);
}

static void
cab_followup_status_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  CabFollowupStatus *self = CAB_FOLLOWUP_STATUS (object);

  switch (prop_id)
    {
    case STATUS_PROP_PATIENT_ID:
      g_value_set_string (value, self->patient_id);
      break;
    case STATUS_PROP_MEASURE_ID:
      g_value_set_string (value, self->rule->measure->id);
      break;
    case STATUS_PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case STATUS_PROP_LAST_DATE:
      g_value_set_string (value, self->last_date);
      break;
    case STATUS_PROP_DUE_DATE:
      g_value_set_string (value, self->due_date);
      break;
    case STATUS_PROP_OUT_OF_TARGET:
      g_value_set_boolean (value, self->out_of_target);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_followup_status_class_init (CabFollowupStatusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cab_followup_status_finalize;
  object_class->get_property = cab_followup_status_get_property;

  status_props[STATUS_PROP_PATIENT_ID] =
    g_param_spec_string ("patient-id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  status_props[STATUS_PROP_MEASURE_ID] =
    g_param_spec_string ("measure-id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  status_props[STATUS_PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, CAB_TYPE_FOLLOWUP_STATE, CAB_FOLLOWUP_STATE_NEVER,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  status_props[STATUS_PROP_LAST_DATE] =
    g_param_spec_string ("last-date", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  status_props[STATUS_PROP_DUE_DATE] =
    g_param_spec_string ("due-date", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  status_props[STATUS_PROP_OUT_OF_TARGET] =
    g_param_spec_boolean ("out-of-target", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, STATUS_N_PROPS, status_props);
}

static void
cab_followup_status_init (CabFollowupStatus *self)
{
  self->last_value = NAN;
  self->last_diastolic = NAN;
}

CabFollowupStatus *
cab_followup_status_new (CabFollowupRules            *rules,
                         const char                  *patient_id,
                         const CabFollowupAssessment *a,
                         const char                  *loinc)
{
  CabFollowupStatus *self = g_object_new (CAB_TYPE_FOLLOWUP_STATUS, NULL);

  self->rules = g_object_ref (rules);
  self->rule = a->rule;
  self->patient_id = g_strdup (patient_id);
  self->loinc = g_strdup (loinc != NULL ? loinc : a->rule->measure->codes[0]);
  self->state = a->state;
  self->last_day = a->last_day;
  self->due_day = a->due_day;
  self->last_date = cab_followup_format_day (a->last_day);
  self->due_date = cab_followup_format_day (a->due_day);
  self->last_value = a->last_value;
  self->last_diastolic = a->last_diastolic;
  self->last_value_text = cab_followup_format_value (a->rule->measure, a->last_value,
                                                     a->last_diastolic, FALSE);
  self->unit_known = a->unit_known;
  self->out_of_target = a->out_of_target;
  self->observation_id = g_strdup (a->observation_id);
  return self;
}

int
cab_followup_status_compare (CabFollowupStatus *a,
                             CabFollowupStatus *b)
{
  if (a->state != b->state)
    return a->state > b->state ? -1 : 1;
  if (a->due_day != b->due_day)
    return a->due_day < b->due_day ? -1 : 1;
  return 0;
}

const char *
cab_followup_status_get_patient_id (CabFollowupStatus *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_STATUS (self), NULL);
  return self->patient_id;
}

const CabFollowupMeasure *
cab_followup_status_get_measure (CabFollowupStatus *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_STATUS (self), NULL);
  return self->rule->measure;
}

const CabFollowupRule *
cab_followup_status_get_rule (CabFollowupStatus *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_STATUS (self), NULL);
  return self->rule;
}

const char *
cab_followup_status_get_measure_id (CabFollowupStatus *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_STATUS (self), NULL);
  return self->rule->measure->id;
}

const char *
cab_followup_status_get_condition (CabFollowupStatus *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_STATUS (self), NULL);
  return self->rule->condition;
}

const char *
cab_followup_status_get_loinc (CabFollowupStatus *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_STATUS (self), NULL);
  return self->loinc;
}

CabFollowupState
cab_followup_status_get_state (CabFollowupStatus *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_STATUS (self), CAB_FOLLOWUP_STATE_NEVER);
  return self->state;
}

const char *
cab_followup_status_get_last_date (CabFollowupStatus *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_STATUS (self), NULL);
  return self->last_date;
}

const char *
cab_followup_status_get_due_date (CabFollowupStatus *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_STATUS (self), NULL);
  return self->due_date;
}

guint32
cab_followup_status_get_last_day (CabFollowupStatus *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_STATUS (self), 0);
  return self->last_day;
}

guint32
cab_followup_status_get_due_day (CabFollowupStatus *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_STATUS (self), 0);
  return self->due_day;
}

double
cab_followup_status_get_last_value (CabFollowupStatus *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_STATUS (self), NAN);
  return self->last_value;
}

double
cab_followup_status_get_last_diastolic (CabFollowupStatus *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_STATUS (self), NAN);
  return self->last_diastolic;
}

const char *
cab_followup_status_get_last_value_text (CabFollowupStatus *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_STATUS (self), NULL);
  return self->last_value_text;
}

const char *
cab_followup_status_get_unit (CabFollowupStatus *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_STATUS (self), NULL);
  return self->rule->measure->unit;
}

gboolean
cab_followup_status_get_unit_known (CabFollowupStatus *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_STATUS (self), FALSE);
  return self->unit_known;
}

gboolean
cab_followup_status_get_out_of_target (CabFollowupStatus *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_STATUS (self), FALSE);
  return self->out_of_target;
}

const char *
cab_followup_status_get_observation_id (CabFollowupStatus *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_STATUS (self), NULL);
  return self->observation_id;
}

/* =============================================================== patient */

struct _CabFollowupPatient
{
  GObject             parent_instance;
  CabPatientRow      *row;
  GStrv               conditions;
  GPtrArray          *all;        /* CabFollowupStatus*, shared with filtered copies */
  GListStore         *shown;
  CabFollowupState    state;
  guint               n_overdue;
  guint               n_due;
  guint               n_never;
  guint32             first_due;
  gboolean            out_of_target;
  gint               *shared_refs; /* row and conditions are shared by filtered copies */
};

G_DEFINE_FINAL_TYPE (CabFollowupPatient, cab_followup_patient, G_TYPE_OBJECT)

enum {
  PATIENT_PROP_0,
  PATIENT_PROP_ID,
  PATIENT_PROP_STATE,
  PATIENT_PROP_N_OVERDUE,
  PATIENT_PROP_N_DUE,
  PATIENT_PROP_N_NEVER,
  PATIENT_PROP_OUT_OF_TARGET,
  PATIENT_N_PROPS
};

static GParamSpec *patient_props[PATIENT_N_PROPS];

static void
cab_followup_patient_finalize (GObject *object)
{
  CabFollowupPatient *self = CAB_FOLLOWUP_PATIENT (object);

  if (g_atomic_int_dec_and_test (self->shared_refs))
    {
      cab_patient_row_free (self->row);
      g_strfreev (self->conditions);
      g_free (self->shared_refs);
    }
  g_ptr_array_unref (self->all);
  g_clear_object (&self->shown);
  G_OBJECT_CLASS (cab_followup_patient_parent_class)->finalize (object);
}

static void
cab_followup_patient_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  CabFollowupPatient *self = CAB_FOLLOWUP_PATIENT (object);

  switch (prop_id)
    {
    case PATIENT_PROP_ID:
      g_value_set_string (value, self->row->id);
      break;
    case PATIENT_PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PATIENT_PROP_N_OVERDUE:
      g_value_set_uint (value, self->n_overdue);
      break;
    case PATIENT_PROP_N_DUE:
      g_value_set_uint (value, self->n_due);
      break;
    case PATIENT_PROP_N_NEVER:
      g_value_set_uint (value, self->n_never);
      break;
    case PATIENT_PROP_OUT_OF_TARGET:
      g_value_set_boolean (value, self->out_of_target);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_followup_patient_class_init (CabFollowupPatientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cab_followup_patient_finalize;
  object_class->get_property = cab_followup_patient_get_property;

  patient_props[PATIENT_PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  patient_props[PATIENT_PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, CAB_TYPE_FOLLOWUP_STATE, CAB_FOLLOWUP_STATE_OK,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  patient_props[PATIENT_PROP_N_OVERDUE] =
    g_param_spec_uint ("n-overdue", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  patient_props[PATIENT_PROP_N_DUE] =
    g_param_spec_uint ("n-due", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  patient_props[PATIENT_PROP_N_NEVER] =
    g_param_spec_uint ("n-never", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  patient_props[PATIENT_PROP_OUT_OF_TARGET] =
    g_param_spec_boolean ("out-of-target", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, PATIENT_N_PROPS, patient_props);
}

static void
cab_followup_patient_init (CabFollowupPatient *self)
{
  self->state = CAB_FOLLOWUP_STATE_OK;
}

static gboolean
measure_kept (const CabFollowupMeasure  *measure,
              const CabFollowupMeasure **measures)
{
  if (measures == NULL)
    return TRUE;
  for (guint i = 0; measures[i] != NULL; i++)
    if (measures[i] == measure)
      return TRUE;
  return FALSE;
}

static void
patient_show (CabFollowupPatient        *self,
              CabFollowupStates          states,
              const CabFollowupMeasure **measures)
{
  g_autoptr(GPtrArray) shown = g_ptr_array_new ();

  self->shown = g_list_store_new (CAB_TYPE_FOLLOWUP_STATUS);
  for (guint i = 0; i < self->all->len; i++)
    {
      CabFollowupStatus *status = g_ptr_array_index (self->all, i);

      if (!(states & (1u << status->state)) || !measure_kept (status->rule->measure, measures))
        continue;
      g_ptr_array_add (shown, status);
      if (shown->len == 1 || status->state > self->state)
        self->state = status->state;
      self->n_overdue += status->state == CAB_FOLLOWUP_STATE_OVERDUE;
      self->n_due += status->state == CAB_FOLLOWUP_STATE_DUE;
      self->n_never += status->state == CAB_FOLLOWUP_STATE_NEVER;
      self->out_of_target |= status->out_of_target;
      if (status->due_day != 0 && (self->first_due == 0 || status->due_day < self->first_due))
        self->first_due = status->due_day;
    }
  g_list_store_splice (self->shown, 0, 0, shown->pdata, shown->len);
}

CabFollowupPatient *
cab_followup_patient_new (CabPatientRow     *row,
                          char             **conditions,
                          GPtrArray         *all,
                          CabFollowupStates  states)
{
  CabFollowupPatient *self = g_object_new (CAB_TYPE_FOLLOWUP_PATIENT, NULL);

  self->row = row;
  self->conditions = conditions != NULL ? conditions : g_new0 (char *, 1);
  self->shared_refs = g_new (gint, 1);
  *self->shared_refs = 1;
  self->all = g_ptr_array_ref (all);
  patient_show (self, states, NULL);
  return self;
}

CabFollowupPatient *
cab_followup_patient_filtered (CabFollowupPatient        *other,
                               CabFollowupStates          states,
                               const CabFollowupMeasure **measures)
{
  CabFollowupPatient *self = g_object_new (CAB_TYPE_FOLLOWUP_PATIENT, NULL);

  g_atomic_int_inc (other->shared_refs);
  self->shared_refs = other->shared_refs;
  self->row = other->row;
  self->conditions = other->conditions;
  self->all = g_ptr_array_ref (other->all);
  patient_show (self, states, measures);
  return self;
}

int
cab_followup_patient_compare (CabFollowupPatient *a,
                              CabFollowupPatient *b)
{
  if (a->state != b->state)
    return a->state > b->state ? -1 : 1;
  /* The one waiting longest first; none (never measured) last. */
  if (a->first_due != b->first_due)
    {
      if (a->first_due == 0 || b->first_due == 0)
        return a->first_due == 0 ? 1 : -1;
      return a->first_due < b->first_due ? -1 : 1;
    }
  return 0;
}

const char *
cab_followup_patient_get_id (CabFollowupPatient *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PATIENT (self), NULL);
  return self->row->id;
}

const CabPatientRow *
cab_followup_patient_get_row (CabFollowupPatient *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PATIENT (self), NULL);
  return self->row;
}

const char * const *
cab_followup_patient_get_conditions (CabFollowupPatient *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PATIENT (self), NULL);
  return (const char * const *) self->conditions;
}

GListModel *
cab_followup_patient_get_measures (CabFollowupPatient *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PATIENT (self), NULL);
  return G_LIST_MODEL (self->shown);
}

GPtrArray *
cab_followup_patient_get_all (CabFollowupPatient *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PATIENT (self), NULL);
  return self->all;
}

CabFollowupStatus *
cab_followup_patient_lookup (CabFollowupPatient *self,
                             const char         *measure_id)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PATIENT (self), NULL);

  for (guint i = 0; measure_id != NULL && i < self->all->len; i++)
    {
      CabFollowupStatus *status = g_ptr_array_index (self->all, i);

      if (g_str_equal (status->rule->measure->id, measure_id))
        return status;
    }
  return NULL;
}

CabFollowupState
cab_followup_patient_get_state (CabFollowupPatient *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PATIENT (self), CAB_FOLLOWUP_STATE_OK);
  return self->state;
}

guint
cab_followup_patient_get_n_overdue (CabFollowupPatient *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PATIENT (self), 0);
  return self->n_overdue;
}

guint
cab_followup_patient_get_n_due (CabFollowupPatient *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PATIENT (self), 0);
  return self->n_due;
}

guint
cab_followup_patient_get_n_never (CabFollowupPatient *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PATIENT (self), 0);
  return self->n_never;
}

gboolean
cab_followup_patient_get_out_of_target (CabFollowupPatient *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PATIENT (self), FALSE);
  return self->out_of_target;
}

/* ================================================================= point */

struct _CabFollowupPoint
{
  GObject   parent_instance;
  guint32   day;
  char     *date;
  double    value;
  double    diastolic;
  gboolean  unit_known;
  double    raw_value;
  char     *raw_unit;
  gboolean  out_of_target;
  char     *observation_id;
  char     *document_id;
};

G_DEFINE_FINAL_TYPE (CabFollowupPoint, cab_followup_point, G_TYPE_OBJECT)

enum {
  POINT_PROP_0,
  POINT_PROP_DATE,
  POINT_PROP_VALUE,
  POINT_PROP_DIASTOLIC,
  POINT_PROP_OUT_OF_TARGET,
  POINT_PROP_PENDING,
  POINT_N_PROPS
};

static GParamSpec *point_props[POINT_N_PROPS];

static void
cab_followup_point_finalize (GObject *object)
{
  CabFollowupPoint *self = CAB_FOLLOWUP_POINT (object);

  g_free (self->date);
  g_free (self->raw_unit);
  g_free (self->observation_id);
  g_free (self->document_id);
  G_OBJECT_CLASS (cab_followup_point_parent_class)->finalize (object);
}

static void
cab_followup_point_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CabFollowupPoint *self = CAB_FOLLOWUP_POINT (object);

  switch (prop_id)
    {
    case POINT_PROP_DATE:
      g_value_set_string (value, self->date);
      break;
    case POINT_PROP_VALUE:
      g_value_set_double (value, self->value);
      break;
    case POINT_PROP_DIASTOLIC:
      g_value_set_double (value, self->diastolic);
      break;
    case POINT_PROP_OUT_OF_TARGET:
      g_value_set_boolean (value, self->out_of_target);
      break;
    case POINT_PROP_PENDING:
      g_value_set_boolean (value, cab_followup_point_get_pending (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_followup_point_class_init (CabFollowupPointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cab_followup_point_finalize;
  object_class->get_property = cab_followup_point_get_property;

  point_props[POINT_PROP_DATE] =
    g_param_spec_string ("date", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  point_props[POINT_PROP_VALUE] =
    g_param_spec_double ("value", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  point_props[POINT_PROP_DIASTOLIC] =
    g_param_spec_double ("diastolic", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  point_props[POINT_PROP_OUT_OF_TARGET] =
    g_param_spec_boolean ("out-of-target", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  point_props[POINT_PROP_PENDING] =
    g_param_spec_boolean ("pending", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, POINT_N_PROPS, point_props);
}

static void
cab_followup_point_init (CabFollowupPoint *self)
{
}

CabFollowupPoint *
cab_followup_point_new (const CabFollowupMeasure *measure,
                        const CabFollowupRule    *rule,
                        const CabFollowupReading *reading,
                        double                    raw_value,
                        const char               *raw_unit)
{
  CabFollowupPoint *self = g_object_new (CAB_TYPE_FOLLOWUP_POINT, NULL);

  self->day = reading->day;
  self->date = cab_followup_format_day (reading->day);
  self->value = reading->value;
  self->diastolic = reading->diastolic;
  self->unit_known = reading->unit_known;
  self->raw_value = raw_value;
  self->raw_unit = g_strdup (raw_unit);
  self->out_of_target = rule != NULL && reading->unit_known &&
                        cab_followup_out_of_target (rule, reading->value, reading->diastolic);
  self->observation_id = g_strdup (reading->observation_id);
  self->document_id = g_strdup (reading->document_id);
  return self;
}

const char *
cab_followup_point_get_date (CabFollowupPoint *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_POINT (self), NULL);
  return self->date;
}

guint32
cab_followup_point_get_day (CabFollowupPoint *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_POINT (self), 0);
  return self->day;
}

double
cab_followup_point_get_value (CabFollowupPoint *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_POINT (self), NAN);
  return self->value;
}

double
cab_followup_point_get_diastolic (CabFollowupPoint *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_POINT (self), NAN);
  return self->diastolic;
}

gboolean
cab_followup_point_get_unit_known (CabFollowupPoint *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_POINT (self), FALSE);
  return self->unit_known;
}

double
cab_followup_point_get_raw_value (CabFollowupPoint *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_POINT (self), NAN);
  return self->raw_value;
}

const char *
cab_followup_point_get_raw_unit (CabFollowupPoint *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_POINT (self), NULL);
  return self->raw_unit;
}

gboolean
cab_followup_point_get_out_of_target (CabFollowupPoint *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_POINT (self), FALSE);
  return self->out_of_target;
}

const char *
cab_followup_point_get_observation_id (CabFollowupPoint *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_POINT (self), NULL);
  return self->observation_id;
}

const char *
cab_followup_point_get_document_id (CabFollowupPoint *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_POINT (self), NULL);
  return self->document_id;
}

gboolean
cab_followup_point_get_pending (CabFollowupPoint *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_POINT (self), FALSE);
  /* The outbox names a resource it has not sent yet "local-<key>". */
  return self->observation_id != NULL && g_str_has_prefix (self->observation_id, "local-");
}

/* ===================================================== medication events */

struct _CabFollowupMedicationEvent
{
  GObject                    parent_instance;
  guint32                    day;
  char                      *date;
  CabFollowupMedicationKind  kind;
  char                      *display;
  char                      *code;
  char                      *request_id;
};

G_DEFINE_FINAL_TYPE (CabFollowupMedicationEvent, cab_followup_medication_event, G_TYPE_OBJECT)

enum {
  MED_PROP_0,
  MED_PROP_DATE,
  MED_PROP_KIND,
  MED_PROP_DISPLAY,
  MED_N_PROPS
};

static GParamSpec *med_props[MED_N_PROPS];

static void
cab_followup_medication_event_finalize (GObject *object)
{
  CabFollowupMedicationEvent *self = CAB_FOLLOWUP_MEDICATION_EVENT (object);

  g_free (self->date);
  g_free (self->display);
  g_free (self->code);
  g_free (self->request_id);
  G_OBJECT_CLASS (cab_followup_medication_event_parent_class)->finalize (object);
}

static void
cab_followup_medication_event_get_property (GObject    *object,
                                            guint       prop_id,
                                            GValue     *value,
                                            GParamSpec *pspec)
{
  CabFollowupMedicationEvent *self = CAB_FOLLOWUP_MEDICATION_EVENT (object);

  switch (prop_id)
    {
    case MED_PROP_DATE:
      g_value_set_string (value, self->date);
      break;
    case MED_PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case MED_PROP_DISPLAY:
      g_value_set_string (value, self->display);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_followup_medication_event_class_init (CabFollowupMedicationEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cab_followup_medication_event_finalize;
  object_class->get_property = cab_followup_medication_event_get_property;

  med_props[MED_PROP_DATE] =
    g_param_spec_string ("date", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  med_props[MED_PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, CAB_TYPE_FOLLOWUP_MEDICATION_KIND, CAB_FOLLOWUP_MEDICATION_START,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  med_props[MED_PROP_DISPLAY] =
    g_param_spec_string ("display", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, MED_N_PROPS, med_props);
}

static void
cab_followup_medication_event_init (CabFollowupMedicationEvent *self)
{
}

CabFollowupMedicationEvent *
cab_followup_medication_event_new (guint32                    day,
                                   CabFollowupMedicationKind  kind,
                                   const char                *display,
                                   const char                *code,
                                   const char                *request_id)
{
  CabFollowupMedicationEvent *self = g_object_new (CAB_TYPE_FOLLOWUP_MEDICATION_EVENT, NULL);

  self->day = day;
  self->date = cab_followup_format_day (day);
  self->kind = kind;
  self->display = g_strdup (display);
  self->code = g_strdup (code);
  self->request_id = g_strdup (request_id);
  return self;
}

const char *
cab_followup_medication_event_get_date (CabFollowupMedicationEvent *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_MEDICATION_EVENT (self), NULL);
  return self->date;
}

guint32
cab_followup_medication_event_get_day (CabFollowupMedicationEvent *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_MEDICATION_EVENT (self), 0);
  return self->day;
}

CabFollowupMedicationKind
cab_followup_medication_event_get_kind (CabFollowupMedicationEvent *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_MEDICATION_EVENT (self), CAB_FOLLOWUP_MEDICATION_START);
  return self->kind;
}

const char *
cab_followup_medication_event_get_display (CabFollowupMedicationEvent *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_MEDICATION_EVENT (self), NULL);
  return self->display;
}

const char *
cab_followup_medication_event_get_code (CabFollowupMedicationEvent *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_MEDICATION_EVENT (self), NULL);
  return self->code;
}

const char *
cab_followup_medication_event_get_request_id (CabFollowupMedicationEvent *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_MEDICATION_EVENT (self), NULL);
  return self->request_id;
}
