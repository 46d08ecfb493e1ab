/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-outbox"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
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

/* A send on its way: held by its sending thread and by the source that
 * returns its task on the task's context, whichever lets go last frees it. */
typedef struct
{
  gatomicrefcount      ref;
  GTask               *task;      /* dropped on the task's context's thread */
  CabOutboxSenderWork  work;
  int                  done[2];   /* a pipe: the sending thread writes once when done */
} SenderJob;

static void
sender_job_unref (gpointer data)
{
  SenderJob *job = data;

  if (!g_atomic_ref_count_dec (&job->ref))
    return;
  g_close (job->done[0], NULL);
  g_close (job->done[1], NULL);
  g_clear_object (&job->task);
  g_free (job);
}

static void
lower_priority (void)
{
#ifdef __linux__
  /* On Linux the "process" of PRIO_PROCESS is a thread when given its id. */
  if (setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), SENDER_NICE) != 0)
    g_debug ("Sending threads keep their priority: %s", g_strerror (errno));
#endif
}

/* On the task's context's thread, once its sending thread is done. */
static gboolean
sender_done_cb (int          fd,
                GIOCondition condition,
                gpointer     data)
{
  SenderJob *job = data;
  g_autoptr(GTask) task = g_steal_pointer (&job->task);

  g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

static void
sender_thread (gpointer data,
               gpointer pool_data)
{
  static GPrivate lowered = G_PRIVATE_INIT (NULL);
  SenderJob *job = data;
  gssize n;

  if (g_private_get (&lowered) == NULL)
    {
      lower_priority ();
      g_private_set (&lowered, GINT_TO_POINTER (1));
    }

  job->work (g_task_get_task_data (job->task), g_task_get_cancellable (job->task));
  /* Not g_task_return_*() here: from this thread it attaches a source to
   * the task's context under that context's lock and wakes its thread, which
   * then preempts this one and waits for the lock it still holds. At nice 10
   * on a busy machine that wait lasted up to 113 ms of the main thread's
   * (docs/architecture.md, "Sending threads"). A byte down a pipe takes no
   * lock: the context's own thread returns the task. */
  do
    n = write (job->done[1], "", 1);
  while (n < 0 && errno == EINTR);
  if (n != 1)
    g_error ("Cannot hand a send back: %s", g_strerror (errno));
  sender_job_unref (job);
}

/* NULL with @error when the threads cannot be started (out of threads):
 * tried again at the next send. */
static GThreadPool *
sender_pool (GError **error)
{
  static GMutex lock;
  static GThreadPool *pool;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&lock);

  /* An exclusive pool starts its threads now: only out of threads. */
  if (pool == NULL)
    pool = g_thread_pool_new (sender_thread, NULL, SENDER_THREADS, TRUE, error);
  return pool;
}

/* The send could not start: its task says so, on the caller's thread (the
 * context's), and the drain keeps the entry pending with its backoff. The
 * log says why in the system's words, never what was being sent. */
static void
refuse (GTask       *task,
        const char  *what,
        GError      *error)
{
  g_warning ("%s: %s", what, error->message);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("Could not start sending (%s): it will be tried again"), error->message);
}

void
cab_outbox_senders_run (GTask               *task,
                        CabOutboxSenderWork  work)
{
  g_autoptr(GSource) source = NULL;
  g_autoptr(GError) error = NULL;
  GThreadPool *pool;
  SenderJob *job;

  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (work != NULL);

  /* Out of file descriptors (a busy desk, a leak elsewhere): this send
   * waits, the app goes on. */
  job = g_new0 (SenderJob, 1);
  if (!g_unix_open_pipe (job->done, FD_CLOEXEC, &error))
    {
      g_free (job);
      refuse (task, "Cannot start a send", error);
      return;
    }
  if ((pool = sender_pool (&error)) == NULL)
    {
      g_close (job->done[0], NULL);
      g_close (job->done[1], NULL);
      g_free (job);
      refuse (task, "Cannot start the outbox's sending threads", error);
      return;
    }
  /* One for the sending thread, one for the source. */
  g_atomic_ref_count_init (&job->ref);
  g_atomic_ref_count_inc (&job->ref);
  job->task = g_object_ref (task);
  job->work = work;

  /* Attached here, on the thread that owns the task's context. */
  source = g_unix_fd_source_new (job->done[0], G_IO_IN);
  g_source_set_static_name (source, "[cab-outbox] send done");
  g_source_set_callback (source, G_SOURCE_FUNC (sender_done_cb), job, sender_job_unref);
  g_source_attach (source, g_task_get_context (task));

  /* The pool's threads are running: a push only queues. */
  if (!g_thread_pool_push (pool, job, &error))
    {
      /* No thread holds the job: the source's reference goes with the
       * source, the thread's here. */
      g_source_destroy (source);
      sender_job_unref (job);
      refuse (task, "Cannot queue a send", error);
    }
}
