/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cab-test-log.h"

static GMutex lock;
static gboolean expecting;
static guint n_warnings;
static char *last_warning;
static char *tolerated_domain;
static char *tolerated_prefix;

static const char *
field (const GLogField *fields,
       gsize            n_fields,
       const char      *key)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, key))
      return fields[i].length < 0 ? fields[i].value : NULL;
  return NULL;
}

static GLogWriterOutput
writer (GLogLevelFlags   level,
        const GLogField *fields,
        gsize            n_fields,
        gpointer         user_data)
{
  const char *domain = field (fields, n_fields, "GLIB_DOMAIN");
  const char *message = field (fields, n_fields, "MESSAGE");
  g_autoptr(GMutexLocker) locker = NULL;

  if ((level & G_LOG_LEVEL_WARNING) == 0)
    return g_log_writer_default (level, fields, n_fields, user_data);

  locker = g_mutex_locker_new (&lock);
  if (expecting)
    {
      /* Said, so that a count that is off shows what was counted. */
      g_printerr ("# expected warning %u: %s: %s\n", n_warnings + 1, domain != NULL ? domain : "",
                  message != NULL ? message : "");
      n_warnings++;
      g_free (last_warning);
      last_warning = g_strdup (message);
      return G_LOG_WRITER_HANDLED;
    }
  if (tolerated_prefix != NULL && message != NULL && g_strcmp0 (domain, tolerated_domain) == 0 &&
      g_str_has_prefix (message, tolerated_prefix))
    return g_log_writer_standard_streams (level, fields, n_fields, user_data);
  g_clear_pointer (&locker, g_mutex_locker_free);
  return g_log_writer_default (level, fields, n_fields, user_data);
}

void
cab_test_log_init (void)
{
  g_log_set_writer_func (writer, NULL, NULL);
}

void
cab_test_log_expect_warnings (gboolean expect)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&lock);

  expecting = expect;
}

guint
cab_test_log_get_n_warnings (void)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&lock);

  return n_warnings;
}

char *
cab_test_log_dup_last_warning (void)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&lock);

  return g_strdup (last_warning);
}

void
cab_test_log_tolerate (const char *domain,
                       const char *prefix)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&lock);

  g_return_if_fail (tolerated_prefix == NULL);
  tolerated_domain = g_strdup (domain);
  tolerated_prefix = g_strdup (prefix);
}
