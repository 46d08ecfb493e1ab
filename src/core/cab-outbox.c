/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-outbox"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "cab-json-read.h"
#include "cab-outbox-private.h"

/*
 * CabOutbox: the object, its settings, the kinds, and the user actions
 * (retry, cancel, release, edit, resolve). Enqueueing is in the kinds' files
 * (cab-outbox-publish.c, cab-outbox-visibility.c), draining in
 * cab-outbox-drain.c.
 */

G_DEFINE_FINAL_TYPE (CabOutbox, cab_outbox, G_TYPE_OBJECT)

G_DEFINE_QUARK (cab-outbox-error-quark, cab_outbox_error)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define MASK(state) (1u << CAB_OUTBOX_STATE_##state)

/* ---------------------------------------------------------------- auxiliary */

static const CabOutboxKind * const kinds[] = {
  &cab_outbox_kind_publish,
  &cab_outbox_kind_visibility,
  &cab_outbox_kind_create,
  &cab_outbox_kind_eprescription,
};

const CabOutboxKind *
cab_outbox_kind_lookup (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (kinds); i++)
    if (g_str_equal (kinds[i]->name, name))
      return kinds[i];
  return NULL;
}

static void
sender_slot_free (CabOutboxSenderSlot *slot)
{
  if (slot->destroy != NULL)
    slot->destroy (slot->user_data);
  g_free (slot);
}

CabOutboxSenderSlot *
cab_outbox_sender_lookup (CabOutbox  *self,
                          const char *kind)
{
  for (guint i = 0; kind != NULL && i < self->senders->len; i++)
    {
      CabOutboxSenderSlot *slot = g_ptr_array_index (self->senders, i);

      if (g_str_equal (slot->sender.kind, kind))
        return slot;
    }
  return NULL;
}

void
cab_outbox_add_kind (CabOutbox             *self,
                     const CabOutboxSender *sender,
                     gpointer               user_data,
                     GDestroyNotify         destroy)
{
  CabOutboxSenderSlot *slot;

  g_return_if_fail (CAB_IS_OUTBOX (self));
  g_return_if_fail (sender != NULL && sender->kind != NULL && sender->send != NULL);
  g_return_if_fail (cab_outbox_kind_lookup (sender->kind) == NULL);
  g_return_if_fail (cab_outbox_sender_lookup (self, sender->kind) == NULL);

  slot = g_new0 (CabOutboxSenderSlot, 1);
  slot->sender = *sender;
  slot->user_data = user_data;
  slot->destroy = destroy;
  g_ptr_array_add (self->senders, slot);
  /* Entries of this kind waiting since before may go now. */
  cab_outbox_wake (self);
}

void
cab_outbox_add_local_effects (CabOutbox                   *self,
                              const CabOutboxLocalEffects *effects)
{
  g_return_if_fail (CAB_IS_OUTBOX (self));
  g_return_if_fail (effects != NULL && effects->kind != NULL);

  g_mutex_lock (&self->effects_lock);
  for (guint i = 0; i < self->effects->len; i++)
    if (g_str_equal (((CabOutboxLocalEffects *) g_ptr_array_index (self->effects, i))->kind, effects->kind))
      {
        g_mutex_unlock (&self->effects_lock);
        return;
      }
  g_ptr_array_add (self->effects, g_memdup2 (effects, sizeof *effects));
  g_mutex_unlock (&self->effects_lock);
}

/* A copy of @kind's local effects; FALSE when it has none. */
static gboolean
local_effects (CabOutbox             *self,
               const char            *kind,
               CabOutboxLocalEffects *out)
{
  gboolean found = FALSE;

  g_mutex_lock (&self->effects_lock);
  for (guint i = 0; kind != NULL && i < self->effects->len && !found; i++)
    {
      CabOutboxLocalEffects *e = g_ptr_array_index (self->effects, i);

      if (g_str_equal (e->kind, kind))
        {
          *out = *e;
          found = TRUE;
        }
    }
  g_mutex_unlock (&self->effects_lock);
  return found;
}

/* CabStoreOutboxHook: the entry's kind takes its local effect back. */
static gboolean
cancelled_hook (struct _CabStoreConn  *writer,
                const CabOutboxEntry  *entry,
                gpointer               data,
                GError               **error)
{
  CabOutboxLocalEffects effects;

  if (!local_effects (data, entry->kind, &effects) || effects.cancelled == NULL)
    return TRUE;
  return effects.cancelled (writer, entry, error);
}

static char *
rebase_hook (struct _CabStoreConn  *writer,
             const CabOutboxEntry  *entry,
             gpointer               data,
             GError               **error)
{
  CabOutboxRebaseFunc rebase = data;

  return rebase (writer, entry, error);
}

gboolean
cab_outbox_has_kind (CabOutbox  *self,
                     const char *kind)
{
  g_return_val_if_fail (CAB_IS_OUTBOX (self), FALSE);

  return cab_outbox_kind_lookup (kind) != NULL || cab_outbox_sender_lookup (self, kind) != NULL;
}

void
cab_outbox_queued (CabOutbox *self)
{
  g_return_if_fail (CAB_IS_OUTBOX (self));

  cab_outbox_emit_changed (self);
  cab_outbox_wake (self);
}

void
cab_outbox_send_result_clear (CabOutboxSendResult *result)
{
  g_clear_pointer (&result->server_id, g_free);
  g_clear_pointer (&result->message, g_free);
  g_clear_pointer (&result->conflict, g_free);
  g_clear_pointer (&result->code, g_free);
  g_clear_pointer (&result->detail, g_free);
}

void
cab_outbox_request_free (CabOutboxRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->method);
  g_free (request->path);
  g_clear_pointer (&request->headers, g_hash_table_unref);
  g_free (request->content_type);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_free (request);
}

static gboolean
emit_changed_idle (gpointer data)
{
  g_signal_emit (data, signals[CHANGED], 0);
  return G_SOURCE_REMOVE;
}

/* Always deferred to the outbox's context: never run the drain (and its
 * client) on the calling worker thread. */
static void
defer (CabOutbox   *self,
       GSourceFunc  func)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (source, "[cab-outbox] defer");
  g_source_set_callback (source, func, g_object_ref (self), g_object_unref);
  g_source_attach (source, self->context);
}

void
cab_outbox_emit_changed (CabOutbox *self)
{
  /* Enqueue and user actions run on worker threads: signal where the UI is. */
  if (g_main_context_is_owner (self->context))
    g_signal_emit (self, signals[CHANGED], 0);
  else
    defer (self, emit_changed_idle);
}

static gboolean
pump_idle (gpointer data)
{
  cab_outbox_pump (data);
  return G_SOURCE_REMOVE;
}

void
cab_outbox_wake (CabOutbox *self)
{
  defer (self, pump_idle);
}

void
cab_outbox_notify_queued (CabOutbox *self)
{
  g_return_if_fail (CAB_IS_OUTBOX (self));

  cab_outbox_emit_changed (self);
  cab_outbox_wake (self);
}

/* User actions report wrong states in the outbox's own terms. */
static gboolean
translate_state_error (GError **error)
{
  if (error != NULL && *error != NULL &&
      g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
    {
      g_autofree char *message = g_strdup ((*error)->message);

      g_clear_error (error);
      g_set_error (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_WRONG_STATE,
                   _("This action is not possible now (%s)"), message);
    }
  return FALSE;
}

/* --------------------------------------------------------- GObject overrides */

static void
cab_outbox_dispose (GObject *object)
{
  CabOutbox *self = CAB_OUTBOX (object);

  cab_outbox_drain_dispose (self);

  G_OBJECT_CLASS (cab_outbox_parent_class)->dispose (object);
}

static void
cab_outbox_finalize (GObject *object)
{
  CabOutbox *self = CAB_OUTBOX (object);

  g_clear_object (&self->store);
  g_clear_object (&self->client);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->files_dir);
  g_free (self->author);
  g_free (self->custodian);
  g_clear_pointer (&self->senders, g_ptr_array_unref);
  g_clear_pointer (&self->effects, g_ptr_array_unref);
  g_mutex_clear (&self->effects_lock);

  G_OBJECT_CLASS (cab_outbox_parent_class)->finalize (object);
}

static void
cab_outbox_class_init (CabOutboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cab_outbox_dispose;
  object_class->finalize = cab_outbox_finalize;

  /**
   * CabOutbox::changed:
   *
   * An entry was added or changed state: re-run cab_outbox_list_async().
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cab_outbox_init (CabOutbox *self)
{
  self->parallelism = 4;
  self->initial_backoff_ms = 1000;
  self->max_backoff_ms = 5 * 60 * 1000;
  self->horizon_ms = 15000;
  self->context = g_main_context_ref_thread_default ();
  self->senders = g_ptr_array_new_with_free_func ((GDestroyNotify) sender_slot_free);
  self->effects = g_ptr_array_new_with_free_func (g_free);
  g_mutex_init (&self->effects_lock);
  cab_outbox_drain_init (self);
}

/* ----------------------------------------------------------------- settings */

CabOutbox *
cab_outbox_new (CabStore      *store,
                CabFhirClient *client)
{
  CabOutbox *self;
  g_autofree char *dir = NULL;

  g_return_val_if_fail (CAB_IS_STORE (store), NULL);
  g_return_val_if_fail (client == NULL || CAB_IS_FHIR_CLIENT (client), NULL);

  self = g_object_new (CAB_TYPE_OUTBOX, NULL);
  self->store = g_object_ref (store);
  self->client = client != NULL ? g_object_ref (client) : NULL;
  /* The copies live beside the store, in the data dir. */
  dir = g_path_get_dirname (cab_store_get_path (store));
  self->files_dir = g_build_filename (dir, "outbox", NULL);
  return self;
}

CabStore *
cab_outbox_get_store (CabOutbox *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX (self), NULL);
  return self->store;
}

void
cab_outbox_set_client (CabOutbox     *self,
                       CabFhirClient *client)
{
  g_return_if_fail (CAB_IS_OUTBOX (self));
  g_return_if_fail (CAB_IS_FHIR_CLIENT (client));
  /* Once, before any drain: a drain keeps the client it started with. */
  g_return_if_fail (self->client == NULL);

  self->client = g_object_ref (client);
}

void
cab_outbox_set_parallelism (CabOutbox *self,
                            guint      n)
{
  g_return_if_fail (CAB_IS_OUTBOX (self));
  self->parallelism = CLAMP (n, 1, 64);
}

void
cab_outbox_set_backoff (CabOutbox *self,
                        guint      initial_ms,
                        guint      max_ms)
{
  g_return_if_fail (CAB_IS_OUTBOX (self));
  self->initial_backoff_ms = MAX (initial_ms, 1);
  self->max_backoff_ms = MAX (max_ms, self->initial_backoff_ms);
}

void
cab_outbox_set_drain_horizon (CabOutbox *self,
                              guint      ms)
{
  g_return_if_fail (CAB_IS_OUTBOX (self));
  self->horizon_ms = ms;
}

void
cab_outbox_set_author (CabOutbox  *self,
                       const char *practitioner,
                       const char *organization)
{
  g_return_if_fail (CAB_IS_OUTBOX (self));
  g_free (self->author);
  self->author = g_strdup (practitioner);
  g_free (self->custodian);
  self->custodian = g_strdup (organization);
}

/* ------------------------------------------------------------ user actions */

GPtrArray *
cab_outbox_list (CabOutbox  *self,
                 int         state,
                 GError    **error)
{
  g_return_val_if_fail (CAB_IS_OUTBOX (self), NULL);
  return cab_store_outbox_list (self->store, state, 0, error);
}

guint
cab_outbox_count_pending (CabOutbox *self)
{
  g_autoptr(GError) error = NULL;
  guint counts[CAB_OUTBOX_N_STATES];

  g_return_val_if_fail (CAB_IS_OUTBOX (self), 0);

  if (!cab_store_outbox_count (self->store, counts, &error))
    {
      g_warning ("%s", error->message);
      return 0;
    }
  return counts[CAB_OUTBOX_STATE_PENDING] + counts[CAB_OUTBOX_STATE_SENDING] +
         counts[CAB_OUTBOX_STATE_HELD];
}

static gboolean
transition (CabOutbox       *self,
            gint64           entry_id,
            guint            from_mask,
            CabOutboxState   to,
            gboolean         reset,
            GError         **error)
{
  /* Cancelling takes the entry's local effect back in the same transaction. */
  if (!cab_store_outbox_transition (self->store, entry_id, from_mask, to, reset,
                                    to == CAB_OUTBOX_STATE_CANCELLED ? cancelled_hook : NULL, self, error))
    return translate_state_error (error);
  cab_outbox_emit_changed (self);
  if (to == CAB_OUTBOX_STATE_PENDING)
    cab_outbox_wake (self);
  return TRUE;
}

gboolean
cab_outbox_retry (CabOutbox  *self,
                  gint64      entry_id,
                  GError    **error)
{
  g_return_val_if_fail (CAB_IS_OUTBOX (self), FALSE);
  /* A pending entry in backoff is tried now too. */
  return transition (self, entry_id, MASK (FAILED) | MASK (CONFLICT) | MASK (PENDING),
                     CAB_OUTBOX_STATE_PENDING, TRUE, error);
}

gboolean
cab_outbox_cancel (CabOutbox  *self,
                   gint64      entry_id,
                   GError    **error)
{
  g_return_val_if_fail (CAB_IS_OUTBOX (self), FALSE);
  return transition (self, entry_id,
                     MASK (PENDING) | MASK (HELD) | MASK (FAILED) | MASK (CONFLICT),
                     CAB_OUTBOX_STATE_CANCELLED, FALSE, error);
}

gboolean
cab_outbox_release (CabOutbox  *self,
                    gint64      entry_id,
                    GError    **error)
{
  g_return_val_if_fail (CAB_IS_OUTBOX (self), FALSE);
  return transition (self, entry_id, MASK (HELD), CAB_OUTBOX_STATE_PENDING, TRUE, error);
}

gboolean
cab_outbox_edit_publish (CabOutbox   *self,
                         gint64       entry_id,
                         const char  *title,
                         const char  *type_code,
                         GError     **error)
{
  g_autoptr(CabOutboxEntry) entry = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *payload = NULL;
  const CabDocumentType *type = NULL;
  JsonObject *p;

  g_return_val_if_fail (CAB_IS_OUTBOX (self), FALSE);

  if (type_code != NULL && (type = cab_document_type_lookup (type_code)) == NULL)
    {
      g_set_error (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_BAD_TYPE,
                   _("“%s” is not a document type that can be published"), type_code);
      return FALSE;
    }
  if (!(entry = cab_store_outbox_get (self->store, entry_id, error)))
    return FALSE;
  if (g_strcmp0 (entry->kind, "publish") != 0 ||
      entry->payload == NULL || !json_parser_load_from_data (parser, entry->payload, -1, NULL) ||
      json_parser_get_root (parser) == NULL || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error_literal (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_WRONG_STATE,
                           _("Only a document waiting to be published can be edited"));
      return FALSE;
    }

  p = json_node_get_object (json_parser_get_root (parser));
  if (title != NULL && *title != '\0')
    json_object_set_string_member (p, "title", title);
  if (type != NULL)
    json_object_set_string_member (p, "type_code", type->code);
  payload = json_to_string (json_parser_get_root (parser), FALSE);

  /* The state check is repeated under the write lock: a drain may claim it meanwhile. */
  if (!cab_store_outbox_update_payload (self->store, entry_id,
                                        MASK (PENDING) | MASK (HELD) | MASK (FAILED),
                                        payload, entry->state,
                                        title != NULL && *title != '\0' ? title : NULL,
                                        type != NULL ? type->code : NULL,
                                        type != NULL ? type->display : NULL, error))
    return translate_state_error (error);

  cab_outbox_emit_changed (self);
  if (entry->state == CAB_OUTBOX_STATE_PENDING)
    cab_outbox_wake (self);
  return TRUE;
}

gboolean
cab_outbox_resolve_conflict (CabOutbox            *self,
                             gint64                entry_id,
                             CabOutboxResolution   resolution,
                             GError              **error)
{
  g_autoptr(CabOutboxEntry) entry = NULL;
  g_autofree char *payload = NULL;

  g_return_val_if_fail (CAB_IS_OUTBOX (self), FALSE);

  if (!(entry = cab_store_outbox_get (self->store, entry_id, error)))
    return FALSE;
  if (entry->state != CAB_OUTBOX_STATE_CONFLICT || entry->conflict_json == NULL)
    {
      g_set_error_literal (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_WRONG_STATE,
                           _("This entry has no conflict to resolve"));
      return FALSE;
    }

  /* A kind of another library (mail keywords): its own hooks say what the
   * server's version means here and how to send mine again. */
  if (cab_outbox_kind_lookup (entry->kind) == NULL)
    {
      CabOutboxLocalEffects effects = { 0 };

      if (!local_effects (self, entry->kind, &effects) ||
          (resolution == CAB_OUTBOX_KEEP_MINE && effects.rebase == NULL))
        {
          g_set_error_literal (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_WRONG_STATE,
                               _("This conflict cannot be resolved here"));
          return FALSE;
        }
      if (resolution == CAB_OUTBOX_KEEP_SERVER
          ? !cab_store_outbox_keep_server (self->store, entry_id, NULL, _("Kept the server’s version"),
                                           cancelled_hook, self, error)
          : !cab_store_outbox_rebase (self->store, entry_id, rebase_hook, effects.rebase, error))
        return translate_state_error (error);
      cab_outbox_emit_changed (self);
      if (resolution == CAB_OUTBOX_KEEP_MINE)
        cab_outbox_wake (self);
      return TRUE;
    }

  if (resolution == CAB_OUTBOX_KEEP_SERVER)
    {
      if (!cab_store_outbox_keep_server (self->store, entry_id, entry->conflict_json,
                                         _("Kept the version in the health space"), NULL, NULL, error))
        return translate_state_error (error);
      cab_outbox_emit_changed (self);
      return TRUE;
    }

  payload = cab_outbox_visibility_rebase (entry->payload, entry->conflict_json);
  if (payload == NULL)
    {
      g_set_error_literal (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_WRONG_STATE,
                           _("The queued action is damaged"));
      return FALSE;
    }
  if (!cab_store_outbox_update_payload (self->store, entry_id, MASK (CONFLICT), payload,
                                        CAB_OUTBOX_STATE_PENDING, NULL, NULL, NULL, error))
    return translate_state_error (error);

  cab_outbox_emit_changed (self);
  cab_outbox_wake (self);
  return TRUE;
}

/* ------------------------------------------------------------ async wrappers */

/* What an async wrapper asks its worker to do. */
typedef enum
{
  ASYNC_PUBLISH,
  ASYNC_VISIBILITY,
  ASYNC_LIST,
  ASYNC_ACT,
  ASYNC_EDIT,
} AsyncOp;

typedef struct
{
  AsyncOp   op;
  char     *patient_id;
  char     *path;
  char     *type_code;
  char     *title;
  char     *document_id;
  gboolean  hold;
  gboolean  masked, hidden, archived;
  int       state;
  gint64    entry_id;
  CabOutboxAction action;
  gboolean  retry;
  gboolean  saved;     /* set by the worker, read once the task is done */
} AsyncData;

static void
async_data_free (AsyncData *data)
{
  g_free (data->patient_id);
  g_free (data->path);
  g_free (data->type_code);
  g_free (data->title);
  g_free (data->document_id);
  g_free (data);
}

static gboolean
act (CabOutbox        *self,
     gint64            id,
     CabOutboxAction   action,
     GError          **error)
{
  switch (action)
    {
    case CAB_OUTBOX_ACTION_RETRY:
      return cab_outbox_retry (self, id, error);
    case CAB_OUTBOX_ACTION_CANCEL:
      return cab_outbox_cancel (self, id, error);
    case CAB_OUTBOX_ACTION_RELEASE:
      return cab_outbox_release (self, id, error);
    case CAB_OUTBOX_ACTION_KEEP_MINE:
      return cab_outbox_resolve_conflict (self, id, CAB_OUTBOX_KEEP_MINE, error);
    case CAB_OUTBOX_ACTION_KEEP_SERVER:
      return cab_outbox_resolve_conflict (self, id, CAB_OUTBOX_KEEP_SERVER, error);
    default:
      g_assert_not_reached ();
    }
}

static void
async_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CabOutbox *self = source_object;
  AsyncData *data = task_data;
  GError *error = NULL;
  gint64 id = 0;

  switch (data->op)
    {
    case ASYNC_PUBLISH:
      if (cab_outbox_publish_document (self, data->patient_id, data->path, data->type_code,
                                       data->title, data->hold, &id, &error))
        g_task_return_int (task, id);
      else
        g_task_return_error (task, error);
      break;
    case ASYNC_VISIBILITY:
      if (cab_outbox_set_visibility (self, data->document_id, data->masked, data->hidden,
                                     data->archived, &id, &error))
        g_task_return_int (task, id);
      else
        g_task_return_error (task, error);
      break;
    case ASYNC_ACT:
      if (act (self, data->entry_id, data->action, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
      break;
    case ASYNC_EDIT:
      if (!cab_outbox_edit_publish (self, data->entry_id, data->title, data->type_code, &error))
        {
          g_task_return_error (task, error);
          break;
        }
      data->saved = TRUE;
      if (data->retry && !cab_outbox_retry (self, data->entry_id, &error))
        g_task_return_error (task, error);
      else
        g_task_return_boolean (task, TRUE);
      break;
    case ASYNC_LIST:
      {
        GPtrArray *entries = cab_outbox_list (self, data->state, &error);

        if (entries == NULL)
          g_task_return_error (task, error);
        else
          g_task_return_pointer (task, entries, (GDestroyNotify) g_ptr_array_unref);
      }
    }
}

static void
run_async (CabOutbox           *self,
           AsyncData           *data,
           gpointer             tag,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, tag);
  g_task_set_task_data (task, data, (GDestroyNotify) async_data_free);
  g_task_run_in_thread (task, async_thread);
}

void
cab_outbox_publish_document_async (CabOutbox           *self,
                                   const char          *patient_id,
                                   const char          *pdf_path,
                                   const char          *type_code,
                                   const char          *title,
                                   gboolean             hold,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  AsyncData *data;

  g_return_if_fail (CAB_IS_OUTBOX (self));
  g_return_if_fail (patient_id != NULL && pdf_path != NULL);

  data = g_new0 (AsyncData, 1);
  data->op = ASYNC_PUBLISH;
  data->patient_id = g_strdup (patient_id);
  data->path = g_strdup (pdf_path);
  data->type_code = g_strdup (type_code);
  data->title = g_strdup (title);
  data->hold = hold;
  run_async (self, data, cab_outbox_publish_document_async, cancellable, callback, user_data);
}

void
cab_outbox_set_visibility_async (CabOutbox           *self,
                                 const char          *document_id,
                                 gboolean             masked,
                                 gboolean             hidden,
                                 gboolean             archived,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  AsyncData *data;

  g_return_if_fail (CAB_IS_OUTBOX (self));
  g_return_if_fail (document_id != NULL);

  data = g_new0 (AsyncData, 1);
  data->op = ASYNC_VISIBILITY;
  data->document_id = g_strdup (document_id);
  data->masked = masked;
  data->hidden = hidden;
  data->archived = archived;
  run_async (self, data, cab_outbox_set_visibility_async, cancellable, callback, user_data);
}

gint64
cab_outbox_enqueue_finish (CabOutbox     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (CAB_IS_OUTBOX (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  return g_task_propagate_int (G_TASK (result), error);
}

void
cab_outbox_list_async (CabOutbox           *self,
                       int                  state,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  AsyncData *data;

  g_return_if_fail (CAB_IS_OUTBOX (self));

  data = g_new0 (AsyncData, 1);
  data->op = ASYNC_LIST;
  data->state = state;
  run_async (self, data, cab_outbox_list_async, cancellable, callback, user_data);
}

GPtrArray *
cab_outbox_list_finish (CabOutbox     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (CAB_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cab_outbox_act_async (CabOutbox           *self,
                      gint64               entry_id,
                      CabOutboxAction      action,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  AsyncData *data;

  g_return_if_fail (CAB_IS_OUTBOX (self));
  g_return_if_fail (action <= CAB_OUTBOX_ACTION_KEEP_SERVER);

  data = g_new0 (AsyncData, 1);
  data->op = ASYNC_ACT;
  data->entry_id = entry_id;
  data->action = action;
  run_async (self, data, cab_outbox_act_async, cancellable, callback, user_data);
}

gboolean
cab_outbox_act_finish (CabOutbox     *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (CAB_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cab_outbox_edit_publish_async (CabOutbox           *self,
                               gint64               entry_id,
                               const char          *title,
                               const char          *type_code,
                               gboolean             retry,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  AsyncData *data;

  g_return_if_fail (CAB_IS_OUTBOX (self));

  data = g_new0 (AsyncData, 1);
  data->op = ASYNC_EDIT;
  data->entry_id = entry_id;
  data->title = g_strdup (title);
  data->type_code = g_strdup (type_code);
  data->retry = retry;
  run_async (self, data, cab_outbox_edit_publish_async, cancellable, callback, user_data);
}

gboolean
cab_outbox_edit_publish_finish (CabOutbox     *self,
                                GAsyncResult  *result,
                                gboolean      *saved,
                                GError       **error)
{
  AsyncData *data;

  g_return_val_if_fail (CAB_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (saved != NULL)
    *saved = data->saved;
  return g_task_propagate_boolean (G_TASK (result), error);
}
