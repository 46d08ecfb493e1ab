/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-outbox"

#include "config.h"

#include <errno.h>
#include <string.h>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "cab-outbox-private.h"

/*
 * The threads that run the send hooks of kinds with their own transport
 * (a mail's MIME, TLS and SMTP submission, its Sent copy), apart from GIO's
 * shared pool and at a lower scheduling priority: see docs/architecture.md,
 * "Sending threads". The pool is exclusive: its threads are never lent to
 * another pool, so their lowered priority (which an unprivileged thread
 * cannot raise back) stays with sending.
 */

/* The outbox's default parallelism: four sends at once, no queueing; a
 * larger parallelism waits here, each attempt's deadline counted from its
 * start. */
#define SENDER_THREADS 4

/* nice 10: a sending thread gets about a tenth of a core that a normal
 * thread (the UI's main thread) also wants, and all of an idle one. */
#define SENDER_NICE 10

typedef struct
{
  GTask           *task;
  GTaskThreadFunc  func;
} SenderJob;

static void
lower_priority (void)
{
#ifdef __linux__
  /* On Linux the "process" of PRIO_PROCESS is a thread when given its id. */
  if (setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), SENDER_NICE) != 0)
    g_debug ("Sending threads keep their priority: %s", g_strerror (errno));
#endif
}

static void
sender_thread (gpointer data,
               gpointer pool_data)
{
  static GPrivate lowered = G_PRIVATE_INIT (NULL);
  SenderJob *job = data;

  if (g_private_get (&lowered) == NULL)
    {
      lower_priority ();
      g_private_set (&lowered, GINT_TO_POINTER (1));
    }

  job->func (job->task, g_task_get_source_object (job->task), g_task_get_task_data (job->task),
             g_task_get_cancellable (job->task));
  g_object_unref (job->task);
  g_free (job);
}

static GThreadPool *
sender_pool (void)
{
  static GThreadPool *pool;

  if (g_once_init_enter (&pool))
    {
      g_autoptr(GError) error = NULL;
      GThreadPool *new_pool = g_thread_pool_new (sender_thread, NULL, SENDER_THREADS, TRUE, &error);

      /* An exclusive pool starts its threads now: only out of threads. */
      if (new_pool == NULL)
        g_error ("Cannot start the outbox's sending threads: %s", error->message);
      g_once_init_leave (&pool, new_pool);
    }

  return pool;
}

void
cab_outbox_senders_run (GTask           *task,
                        GTaskThreadFunc  func)
{
  SenderJob *job;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (func != NULL);

  job = g_new0 (SenderJob, 1);
  job->task = g_object_ref (task);
  job->func = func;
  /* The pool's threads are running: a push only queues. */
  if (!g_thread_pool_push (sender_pool (), job, &error))
    g_error ("Cannot queue a send: %s", error->message);
}
