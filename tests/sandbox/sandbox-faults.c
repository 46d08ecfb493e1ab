/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-sandbox"

#include "sandbox-faults.h"
#include "sandbox-util.h"

SandboxFaults *
sandbox_faults_new (guint32 seed)
{
  SandboxFaults *faults = g_new0 (SandboxFaults, 1);

  faults->error_statuses = g_array_new (FALSE, FALSE, sizeof (guint));
  faults->rand = g_rand_new_with_seed (seed);
  sandbox_faults_clear (faults);
  return faults;
}

void
sandbox_faults_free (SandboxFaults *faults)
{
  if (faults == NULL)
    return;
  g_array_unref (faults->error_statuses);
  g_rand_free (faults->rand);
  g_free (faults);
}

void
sandbox_faults_clear (SandboxFaults *faults)
{
  guint def = 500;

  faults->latency_ms = 0;
  faults->error_rate = 0;
  faults->retry_after = 1;
  faults->drop_rate = 0;
  faults->lose_answer_rate = 0;
  faults->expire_tokens = FALSE;
  faults->hostile = NULL;
  g_array_set_size (faults->error_statuses, 0);
  g_array_append_val (faults->error_statuses, def);
}

static gboolean
valid_status (gint64 status)
{
  return status >= 400 && status <= 599;
}

gboolean
sandbox_faults_set_statuses (SandboxFaults  *faults,
                             const char     *list,
                             GError        **error)
{
  g_auto(GStrv) parts = g_strsplit (list, ",", -1);
  g_autoptr(GArray) statuses = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; parts[i]; i++)
    {
      char *end = NULL;
      gint64 s = g_ascii_strtoll (g_strstrip (parts[i]), &end, 10);
      guint st = (guint) s;

      if (end == parts[i] || *end != '\0' || !valid_status (s))
        {
          g_set_error (error, SANDBOX_ERROR, 400, "Invalid error status '%s'", parts[i]);
          return FALSE;
        }
      g_array_append_val (statuses, st);
    }
  if (statuses->len == 0)
    {
      g_set_error_literal (error, SANDBOX_ERROR, 400, "No error status given");
      return FALSE;
    }
  g_array_set_size (faults->error_statuses, 0);
  g_array_append_vals (faults->error_statuses, statuses->data, statuses->len);
  return TRUE;
}

static gboolean
get_number (JsonObject *o, const char *member, double min, double max, double *out, GError **error)
{
  JsonNode *n = json_object_get_member (o, member);

  if (n == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) ||
      (json_node_get_value_type (n) != G_TYPE_INT64 && json_node_get_value_type (n) != G_TYPE_DOUBLE) ||
      json_node_get_double (n) < min || json_node_get_double (n) > max)
    {
      g_set_error (error, SANDBOX_ERROR, 400, "'%s' must be a number between %g and %g", member, min, max);
      return FALSE;
    }
  *out = json_node_get_double (n);
  return TRUE;
}

gboolean
sandbox_faults_merge_json (SandboxFaults  *faults,
                           JsonObject     *o,
                           GError        **error)
{
  double latency = faults->latency_ms, error_rate = faults->error_rate;
  double retry = faults->retry_after, drop = faults->drop_rate, lose = faults->lose_answer_rate;
  g_autoptr(GArray) statuses = NULL;
  JsonNode *n;
  gboolean expire = faults->expire_tokens;
  const char *hostile = faults->hostile;

  if (!get_number (o, "latency_ms", 0, 600000, &latency, error) ||
      !get_number (o, "error_rate", 0, 1, &error_rate, error) ||
      !get_number (o, "retry_after", 0, 86400, &retry, error) ||
      !get_number (o, "drop_rate", 0, 1, &drop, error) ||
      !get_number (o, "lose_answer_rate", 0, 1, &lose, error))
    return FALSE;
  if ((n = json_object_get_member (o, "expire_tokens")) != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_BOOLEAN)
        {
          g_set_error_literal (error, SANDBOX_ERROR, 400, "'expire_tokens' must be a boolean");
          return FALSE;
        }
      expire = json_node_get_boolean (n);
    }
  if ((n = json_object_get_member (o, "hostile")) != NULL)
    {
      static const char * const modes[] = { "invalid-json", "outcome-200", "redirect", NULL };
      const char *mode = JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
                         ? json_node_get_string (n) : NULL;

      hostile = NULL;
      for (guint i = 0; mode != NULL && modes[i] != NULL; i++)
        if (g_str_equal (mode, modes[i]))
          hostile = modes[i];
      if (hostile == NULL && !JSON_NODE_HOLDS_NULL (n))
        {
          g_set_error_literal (error, SANDBOX_ERROR, 400,
                               "'hostile' must be null, \"invalid-json\", \"outcome-200\" or \"redirect\"");
          return FALSE;
        }
    }
  if ((n = json_object_get_member (o, "error_statuses")) != NULL)
    {
      JsonArray *a = JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;

      statuses = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
        {
          JsonNode *e = json_array_get_element (a, i);
          guint s;

          if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_INT64 ||
              !valid_status (json_node_get_int (e)))
            break;
          s = (guint) json_node_get_int (e);
          g_array_append_val (statuses, s);
        }
      if (a == NULL || statuses->len == 0 || statuses->len != json_array_get_length (a))
        {
          g_set_error_literal (error, SANDBOX_ERROR, 400,
                               "'error_statuses' must be a non-empty array of HTTP error statuses");
          return FALSE;
        }
    }

  faults->latency_ms = (guint) latency;
  faults->error_rate = error_rate;
  faults->retry_after = (guint) retry;
  faults->drop_rate = drop;
  faults->lose_answer_rate = lose;
  faults->expire_tokens = expire;
  faults->hostile = hostile;
  if (statuses != NULL)
    {
      g_array_set_size (faults->error_statuses, 0);
      g_array_append_vals (faults->error_statuses, statuses->data, statuses->len);
    }
  return TRUE;
}

char *
sandbox_faults_to_json (SandboxFaults *faults)
{
  GString *s = g_string_new (NULL);
  char rate[G_ASCII_DTOSTR_BUF_SIZE], drop[G_ASCII_DTOSTR_BUF_SIZE], lose[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_dtostr (rate, sizeof rate, faults->error_rate);
  g_ascii_dtostr (drop, sizeof drop, faults->drop_rate);
  g_ascii_dtostr (lose, sizeof lose, faults->lose_answer_rate);
  g_string_append_printf (s, "{\"latency_ms\":%u,\"error_rate\":%s,\"error_statuses\":[",
                          faults->latency_ms, rate);
  for (guint i = 0; i < faults->error_statuses->len; i++)
    g_string_append_printf (s, "%s%u", i ? "," : "", g_array_index (faults->error_statuses, guint, i));
  g_string_append_printf (s, "],\"retry_after\":%u,\"drop_rate\":%s,\"lose_answer_rate\":%s,"
                          "\"expire_tokens\":%s",
                          faults->retry_after, drop, lose, faults->expire_tokens ? "true" : "false");
  if (faults->hostile != NULL)
    g_string_append_printf (s, ",\"hostile\":\"%s\"}", faults->hostile);
  else
    g_string_append (s, ",\"hostile\":null}");
  return g_string_free (s, FALSE);
}

SandboxFaultAction
sandbox_faults_decide (SandboxFaults *faults,
                       guint         *status)
{
  if (faults->drop_rate > 0 && g_rand_double (faults->rand) < faults->drop_rate)
    return SANDBOX_FAULT_DROP;
  if (faults->error_rate > 0 && g_rand_double (faults->rand) < faults->error_rate)
    {
      guint i = g_rand_int_range (faults->rand, 0, faults->error_statuses->len);
      *status = g_array_index (faults->error_statuses, guint, i);
      return SANDBOX_FAULT_ERROR;
    }
  return SANDBOX_FAULT_NONE;
}

gboolean
sandbox_faults_lose_answer (SandboxFaults *faults)
{
  return faults->lose_answer_rate > 0 && g_rand_double (faults->rand) < faults->lose_answer_rate;
}
