/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-sandbox"

#include "sandbox-util.h"

#include <string.h>

G_DEFINE_QUARK (sandbox-error-quark, sandbox_error)

static const char * const known_types[] = {
  "Patient", "Practitioner", "PractitionerRole", "Organization",
  "DocumentReference", "Binary", "List", "Observation", "Condition",
  "MedicationRequest", "AllergyIntolerance", "AuditEvent", "Consent", NULL,
};

/* Types whose instances belong to one patient's compartment. */
static const char * const compartment_types[] = {
  "Patient", "DocumentReference", "List", "Observation", "Condition",
  "MedicationRequest", "AllergyIntolerance", "AuditEvent", "Consent", "Binary", NULL,
};

gint64
sandbox_now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* Howard Hinnant's civil calendar algorithms: no allocation, fast enough for
 * indexing hundreds of thousands of dates at start-up. */
static gint64
days_from_civil (gint64 y, unsigned m, unsigned d)
{
  y -= m <= 2;
  gint64 era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned) (y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (gint64) doe - 719468;
}

static void
civil_from_days (gint64 z, gint64 *year, unsigned *month, unsigned *day)
{
  z += 719468;
  gint64 era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned) (z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  gint64 y = (gint64) yoe + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp + (mp < 10 ? 3 : -9);
  *year = y + (m <= 2);
  *month = m;
  *day = d;
}

static void
split_ms (gint64 ms, gint64 *y, unsigned *mo, unsigned *d,
          unsigned *h, unsigned *mi, unsigned *s, unsigned *frac)
{
  gint64 days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
  gint64 rest = ms - days * 86400000;

  civil_from_days (days, y, mo, d);
  *h = (unsigned) (rest / 3600000);
  *mi = (unsigned) (rest / 60000 % 60);
  *s = (unsigned) (rest / 1000 % 60);
  *frac = (unsigned) (rest % 1000);
}

char *
sandbox_format_instant (gint64 ms)
{
  gint64 y;
  unsigned mo, d, h, mi, s, frac;

  split_ms (ms, &y, &mo, &d, &h, &mi, &s, &frac);
  return g_strdup_printf ("%04" G_GINT64_FORMAT "-%02u-%02uT%02u:%02u:%02u.%03uZ",
                          y, mo, d, h, mi, s, frac);
}

char *
sandbox_format_http_date (gint64 ms)
{
  static const char * const wdays[] = { "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed" };
  static const char * const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  gint64 y;
  unsigned mo, d, h, mi, s, frac;
  gint64 days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);

  split_ms (ms, &y, &mo, &d, &h, &mi, &s, &frac);
  return g_strdup_printf ("%s, %02u %s %04" G_GINT64_FORMAT " %02u:%02u:%02u GMT",
                          wdays[((days % 7) + 7) % 7], d, months[mo - 1], y, h, mi, s);
}

static gboolean
read_digits (const char **p, guint n, int *out)
{
  int v = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit ((*p)[i]))
        return FALSE;
      v = v * 10 + ((*p)[i] - '0');
    }
  *p += n;
  *out = v;
  return TRUE;
}

gboolean
sandbox_parse_date_range (const char *text,
                          gint64     *lo,
                          gint64     *hi)
{
  const char *p = text;
  int year, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  gint64 ms = 0, span;
  gint64 offset_ms = 0;

  if (text == NULL || !read_digits (&p, 4, &year))
    return FALSE;

  if (*p == '\0')
    {
      *lo = days_from_civil (year, 1, 1) * 86400000;
      *hi = days_from_civil (year + 1, 1, 1) * 86400000;
      return TRUE;
    }
  if (*p++ != '-' || !read_digits (&p, 2, &month) || month < 1 || month > 12)
    return FALSE;
  if (*p == '\0')
    {
      *lo = days_from_civil (year, month, 1) * 86400000;
      *hi = days_from_civil (month == 12 ? year + 1 : year, month == 12 ? 1 : month + 1, 1) * 86400000;
      return TRUE;
    }
  if (*p++ != '-' || !read_digits (&p, 2, &day) || day < 1 || day > 31)
    return FALSE;
  if (*p == '\0')
    {
      *lo = days_from_civil (year, month, day) * 86400000;
      *hi = *lo + 86400000;
      return TRUE;
    }
  if (*p++ != 'T' || !read_digits (&p, 2, &hour) || hour > 24 ||
      *p++ != ':' || !read_digits (&p, 2, &minute) || minute > 59)
    return FALSE;
  span = 60000;
  if (*p == ':')
    {
      p++;
      if (!read_digits (&p, 2, &second) || second > 60)
        return FALSE;
      span = 1000;
      if (*p == '.')
        {
          guint n = 0;
          gint64 scale = 100;

          p++;
          while (g_ascii_isdigit (*p))
            {
              if (n < 3)
                {
                  ms += (*p - '0') * scale;
                  scale /= 10;
                }
              n++;
              p++;
            }
          if (n == 0)
            return FALSE;
          span = n >= 3 ? 1 : (n == 2 ? 10 : 100);
        }
    }
  if (*p == 'Z')
    p++;
  else if (*p == '+' || *p == '-')
    {
      int sign = *p == '-' ? -1 : 1;
      int oh, om;

      p++;
      if (!read_digits (&p, 2, &oh) || *p++ != ':' || !read_digits (&p, 2, &om))
        return FALSE;
      offset_ms = sign * ((gint64) oh * 3600000 + (gint64) om * 60000);
    }
  if (*p != '\0')
    return FALSE;

  *lo = days_from_civil (year, month, day) * 86400000
        + (gint64) hour * 3600000 + (gint64) minute * 60000 + (gint64) second * 1000
        + ms - offset_ms;
  *hi = *lo + span;
  return TRUE;
}

gboolean
sandbox_parse_reference (const char  *text,
                         char       **type,
                         char       **id)
{
  g_auto(GStrv) parts = NULL;
  guint n;

  *type = NULL;
  *id = NULL;
  if (text == NULL || *text == '\0')
    return FALSE;

  parts = g_strsplit (text, "/", -1);
  n = g_strv_length (parts);
  /* Drop a trailing _history/N. */
  if (n >= 4 && g_str_equal (parts[n - 2], "_history"))
    n -= 2;
  if (n == 1)
    {
      if (!sandbox_is_valid_id (parts[0]))
        return FALSE;
      *id = g_strdup (parts[0]);
      return TRUE;
    }
  if (parts[n - 1][0] == '\0' || parts[n - 2][0] == '\0')
    return FALSE;
  *type = g_strdup (parts[n - 2]);
  *id = g_strdup (parts[n - 1]);
  return TRUE;
}

gboolean
sandbox_is_valid_id (const char *id)
{
  gsize len = 0;

  if (id == NULL)
    return FALSE;
  for (const char *p = id; *p; p++, len++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return FALSE;
  return len >= 1 && len <= 64;
}

gboolean
sandbox_is_known_type (const char *type)
{
  return type != NULL && g_strv_contains (known_types, type);
}

gboolean
sandbox_is_compartment_type (const char *type)
{
  return type != NULL && g_strv_contains (compartment_types, type);
}

char *
sandbox_json_to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

char *
sandbox_object_to_string (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);
  return sandbox_json_to_string (node);
}

JsonObject *
sandbox_parse_object (const char  *data,
                      gssize       length,
                      GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (data == NULL || length == 0)
    {
      g_set_error_literal (error, SANDBOX_ERROR, 400, "The request body is empty");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      g_set_error (error, SANDBOX_ERROR, 400, "The request body is not valid JSON: %s",
                   local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, SANDBOX_ERROR, 400, "The request body is not a JSON object");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

const char *
sandbox_json_get_string (JsonObject *object,
                         const char *member)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;
  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

JsonObject *
sandbox_json_get_object (JsonObject *object,
                         const char *member)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;
  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

JsonArray *
sandbox_json_get_array (JsonObject *object,
                        const char *member)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;
  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  return json_node_get_array (node);
}

const char *
sandbox_issue_code_for_status (guint status)
{
  switch (status)
    {
    case 400: return "invalid";
    case 401: return "login";
    case 403: return "forbidden";
    case 404: return "not-found";
    case 405: return "not-supported";
    case 409: return "conflict";
    case 410: return "deleted";
    case 412: return "conflict";
    case 422: return "processing";
    case 429: return "throttled";
    case 503: return "transient";
    default:  return status >= 500 ? "exception" : "processing";
    }
}

char *
sandbox_outcome_new (guint       status,
                     const char *severity,
                     const char *diagnostics)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "resourceType");
  json_builder_add_string_value (b, "OperationOutcome");
  json_builder_set_member_name (b, "issue");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "severity");
  json_builder_add_string_value (b, severity ? severity : "error");
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, sandbox_issue_code_for_status (status));
  json_builder_set_member_name (b, "diagnostics");
  json_builder_add_string_value (b, diagnostics ? diagnostics : "");
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return sandbox_json_to_string (root);
}

char *
sandbox_base64url_encode (const char *text)
{
  char *s = g_base64_encode ((const guchar *) text, strlen (text));

  for (char *p = s; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }
  return s;
}

char *
sandbox_base64url_decode (const char *text)
{
  GString *s = g_string_new (text);
  g_autofree guchar *raw = NULL;
  gsize len = 0;

  for (gsize i = 0; i < s->len; i++)
    {
      if (s->str[i] == '-')
        s->str[i] = '+';
      else if (s->str[i] == '_')
        s->str[i] = '/';
      else if (!g_ascii_isalnum (s->str[i]))
        {
          g_string_free (s, TRUE);
          return NULL;
        }
    }
  while (s->len % 4 != 0)
    g_string_append_c (s, '=');
  raw = g_base64_decode (s->str, &len);
  g_string_free (s, TRUE);
  if (raw == NULL || memchr (raw, '\0', len) != NULL || !g_utf8_validate ((char *) raw, len, NULL))
    return NULL;
  return g_strndup ((char *) raw, len);
}

char *
sandbox_sha1_base64 (GBytes *bytes)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize len = sizeof digest;
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  g_checksum_update (sum, data, size);
  g_checksum_get_digest (sum, digest, &len);
  return g_base64_encode (digest, len);
}

char *
sandbox_new_id (void)
{
  return g_uuid_string_random ();
}
