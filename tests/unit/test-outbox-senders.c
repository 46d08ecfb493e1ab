/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The outbox's sending threads (src/core/cab-outbox-senders.c): the work
 * runs on one of them, at nice 10, and its task returns on the thread of
 * the task's context, handed back without that context's lock
 * (docs/architecture.md, "Sending threads").
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

#include "cab-outbox-private.h"
#include "cab-test-log.h"

#define N_JOBS 9   /* more than the four threads: some wait their turn */

typedef struct
{
  GThread *caller;
  GThread *worker;
  int      nice;
  guint    n_returned;
  gboolean returned_on_caller;
} Job;

static void
work (gpointer data, GCancellable *cancellable)
{
  Job *job = data;

  job->worker = g_thread_self ();
#ifdef __linux__
  errno = 0;
  job->nice = getpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid));
#endif
  g_usleep (2000);
}

static void
done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  g_assert_true (g_task_propagate_boolean (G_TASK (result), &error));
  g_assert_no_error (error);
  job->returned_on_caller = g_thread_self () == job->caller;
  job->n_returned++;
}

static void
test_senders_return_on_caller (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  Job jobs[N_JOBS] = { 0 };
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint n_done = 0;

  /* A context of the test's own, as a drain's may be. */
  g_main_context_push_thread_default (context);
  for (guint i = 0; i < N_JOBS; i++)
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, done_cb, NULL);

      jobs[i].caller = g_thread_self ();
      g_task_set_task_data (task, &jobs[i], NULL);
      cab_outbox_senders_run (task, work);
    }
  while (n_done < N_JOBS && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (context, TRUE);
      n_done = 0;
      for (guint i = 0; i < N_JOBS; i++)
        n_done += jobs[i].n_returned;
    }
  g_main_context_pop_thread_default (context);

  for (guint i = 0; i < N_JOBS; i++)
    {
      g_assert_cmpuint (jobs[i].n_returned, ==, 1);
      g_assert_true (jobs[i].returned_on_caller);
      g_assert_nonnull (jobs[i].worker);
      g_assert_true (jobs[i].worker != jobs[i].caller);
#ifdef __linux__
      g_assert_cmpint (jobs[i].nice, ==, 10);
#endif
    }
}

/* A task whose context is not iterated until well after its work is done
 * still returns, once, when it is. */
static void
test_senders_late_iteration (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GTask) task = NULL;
  Job job = { 0 };
  gint64 deadline;

  g_main_context_push_thread_default (context);
  task = g_task_new (NULL, NULL, done_cb, NULL);
  job.caller = g_thread_self ();
  g_task_set_task_data (task, &job, NULL);
  cab_outbox_senders_run (task, work);
  g_clear_object (&task);
  g_usleep (100000);
  g_assert_cmpuint (job.n_returned, ==, 0);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (job.n_returned == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, TRUE);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
  g_assert_cmpuint (job.n_returned, ==, 1);
  g_assert_true (job.returned_on_caller);
}

static void
refused_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  g_assert_false (g_task_propagate_boolean (G_TASK (result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_test_message ("%s", error->message);
  job->returned_on_caller = g_thread_self () == job->caller;
  job->n_returned++;
}

/* Out of file descriptors (the pipe that hands a send back cannot be
 * opened): the send does not start, its task returns an error to retry
 * later, on the caller's thread, with a warning in the log; the process
 * goes on, and sends again once descriptors are free. A real EMFILE: the
 * soft limit lowered to the lowest free descriptor. */
static void
test_senders_out_of_fds (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GTask) task = NULL;
  struct rlimit saved, low;
  Job job = { 0 }, after = { 0 };
  g_autofree char *warning = NULL;
  gint64 deadline;
  int lowest;

  g_main_context_push_thread_default (context);
  lowest = dup (0);
  g_assert_cmpint (lowest, >=, 0);
  close (lowest);
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  low = saved;
  low.rlim_cur = (rlim_t) lowest;

  task = g_task_new (NULL, NULL, refused_cb, NULL);
  job.caller = g_thread_self ();
  g_task_set_task_data (task, &job, NULL);
  cab_test_log_expect_warnings (TRUE);
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &low), ==, 0);
  cab_outbox_senders_run (task, work);
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  cab_test_log_expect_warnings (FALSE);
  warning = cab_test_log_dup_last_warning ();
  g_clear_object (&task);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (job.n_returned == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, TRUE);
  g_assert_cmpuint (job.n_returned, ==, 1);
  g_assert_true (job.returned_on_caller);
  g_assert_null (job.worker);
  g_assert_nonnull (warning);
  g_test_message ("log: %s", warning);
  g_assert_nonnull (strstr (warning, "Cannot start a send"));
  g_assert_nonnull (strstr (warning, g_strerror (EMFILE)));

  /* Descriptors free again: sends go. */
  task = g_task_new (NULL, NULL, done_cb, NULL);
  after.caller = g_thread_self ();
  g_task_set_task_data (task, &after, NULL);
  cab_outbox_senders_run (task, work);
  g_clear_object (&task);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (after.n_returned == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  g_assert_cmpuint (after.n_returned, ==, 1);
  g_assert_nonnull (after.worker);
}

int
main (int argc, char *argv[])
{
  cab_test_log_init ();
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/outbox/senders/out-of-fds", test_senders_out_of_fds);
  g_test_add_func ("/outbox/senders/return-on-caller", test_senders_return_on_caller);
  g_test_add_func ("/outbox/senders/late-iteration", test_senders_late_iteration);
  return g_test_run ();
}
