/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-sandbox"

#include "sandbox-search.h"
#include "sandbox-util.h"

#include <stdlib.h>
#include <string.h>

typedef enum
{
  K_ID,
  K_LASTUPDATED,
  K_TOKEN,
  K_REF,
  K_DATE,
  K_PATIENT,
  K_PATIENT_IDENT,
} Kind;

typedef struct
{
  const char *types;   /* ",A,B," or NULL for every type */
  const char *name;
  Kind        kind;
  const char *tok;     /* tok.param */
} ParamDef;

#define CLINICAL ",DocumentReference,Observation,Condition,MedicationRequest,List,"

static const ParamDef params[] = {
  { NULL, "_id", K_ID, NULL },
  { NULL, "_lastUpdated", K_LASTUPDATED, NULL },
  { ",Patient,Practitioner,PractitionerRole,Organization,Consent," CLINICAL, "identifier", K_TOKEN, "identifier" },
  { ",Patient,", "general-practitioner", K_REF, "general-practitioner" },
  { ",Patient,PractitionerRole,", "organization", K_REF, "organization" },
  { ",Patient,", "gender", K_TOKEN, "gender" },
  { ",Patient,", "birthdate", K_DATE, "birthdate" },
  { ",PractitionerRole,", "practitioner", K_REF, "practitioner" },
  { CLINICAL, "patient", K_PATIENT, NULL },
  { CLINICAL, "subject", K_PATIENT, NULL },
  { CLINICAL, "patient.identifier", K_PATIENT_IDENT, NULL },
  { ",AuditEvent,Consent,AllergyIntolerance,", "patient", K_PATIENT, NULL },
  { ",AllergyIntolerance,", "patient.identifier", K_PATIENT_IDENT, NULL },
  { ",AllergyIntolerance,", "clinical-status", K_TOKEN, "clinical-status" },
  { ",Consent,", "patient.identifier", K_PATIENT_IDENT, NULL },
  { ",DocumentReference,Observation,MedicationRequest,List,Consent,", "status", K_TOKEN, "status" },
  { ",DocumentReference,AuditEvent,", "type", K_TOKEN, "type" },
  { ",DocumentReference,Observation,Condition,Consent,", "category", K_TOKEN, "category" },
  { ",Observation,Condition,MedicationRequest,List,", "code", K_TOKEN, "code" },
  { ",DocumentReference,Observation,Condition,List,AuditEvent,Consent,", "date", K_DATE, "date" },
  { ",DocumentReference,", "creation", K_DATE, "creation" },
  { ",DocumentReference,", "period", K_DATE, "period" },
  { ",DocumentReference,", "security-label", K_TOKEN, "security-label" },
  { ",DocumentReference,", "author", K_REF, "author" },
  { ",DocumentReference,", "custodian", K_REF, "custodian" },
  { ",DocumentReference,", "format", K_TOKEN, "format" },
  { ",DocumentReference,", "setting", K_TOKEN, "setting" },
  { ",DocumentReference,", "facility", K_TOKEN, "facility" },
  { ",DocumentReference,", "event", K_TOKEN, "event" },
  { ",DocumentReference,", "isArchived", K_TOKEN, "isarchived" },
  { ",DocumentReference,", "relatesto", K_REF, "relatesto" },
  { ",DocumentReference,", "contenttype", K_TOKEN, "contenttype" },
  { ",Observation,", "performer", K_REF, "performer" },
  { ",Condition,", "onset-date", K_DATE, "date" },
  { ",Condition,", "clinical-status", K_TOKEN, "clinical-status" },
  { ",Condition,", "verification-status", K_TOKEN, "verification-status" },
  { ",Condition,", "recorded-date", K_DATE, "recorded-date" },
  { ",MedicationRequest,", "authored", K_DATE, "date" },
  { ",MedicationRequest,", "authoredon", K_DATE, "date" },
  { ",MedicationRequest,", "intent", K_TOKEN, "intent" },
  { ",MedicationRequest,", "requester", K_REF, "requester" },
  { ",List,", "source", K_REF, "source" },
  { ",List,", "item", K_REF, "item" },
  { ",AuditEvent,", "agent", K_REF, "agent" },
  { ",AuditEvent,", "entity", K_REF, "entity" },
  { ",AuditEvent,", "action", K_TOKEN, "action" },
  { ",AuditEvent,", "subtype", K_TOKEN, "subtype" },
  { ",Consent,", "actor", K_REF, "actor" },
  { ",Consent,", "scope", K_TOKEN, "scope" },
};

typedef enum { P_EQ, P_NE, P_GT, P_LT, P_GE, P_LE, P_SA, P_EB, P_AP } Prefix;

typedef struct
{
  char   *sys;     /* token system / reference type; NULL = any */
  char   *val;     /* token code / reference id / id; NULL = any */
  Prefix  prefix;
  gint64  lo, hi;
} Value;

typedef struct
{
  const ParamDef *def;
  GArray         *values;   /* Value, OR-ed */
} Clause;

typedef struct
{
  const char *expr;
  gboolean    desc;
  int         which;   /* 0 last_updated, 1 sort_date, 2 id */
} SortKey;

struct _SandboxQuery
{
  char      *type;
  GPtrArray *pairs;        /* name, value, name, value... (decoded), without _cursor */
  GPtrArray *clauses;      /* Clause*, AND-ed */
  GArray    *sort;         /* SortKey */
  guint      count;
  gboolean   count_only;
  GPtrArray *cursor;       /* char* per sort key, or NULL */
};

typedef struct
{
  gboolean is_int;
  gint64   i;
  char    *s;
} Bind;

static void
value_clear (gpointer data)
{
  Value *v = data;

  g_free (v->sys);
  g_free (v->val);
}

static void
clause_free (gpointer data)
{
  Clause *c = data;

  g_array_unref (c->values);
  g_free (c);
}

void
sandbox_query_free (SandboxQuery *q)
{
  if (q == NULL)
    return;
  g_free (q->type);
  g_ptr_array_unref (q->pairs);
  g_ptr_array_unref (q->clauses);
  g_array_unref (q->sort);
  g_clear_pointer (&q->cursor, g_ptr_array_unref);
  g_free (q);
}

/* ------------------------------------------------------------- parsing */

static const ParamDef *
find_param (const char *type, const char *name)
{
  g_autofree char *needle = g_strconcat (",", type, ",", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (params); i++)
    if (g_str_equal (params[i].name, name) &&
        (params[i].types == NULL || strstr (params[i].types, needle) != NULL))
      return &params[i];
  return NULL;
}

/* Splits on unescaped @sep, removing the backslash of "\," "\|" "\$" "\\". */
static GPtrArray *
split_escaped (const char *text, char sep)
{
  GPtrArray *parts = g_ptr_array_new_with_free_func (g_free);
  GString *cur = g_string_new (NULL);

  for (const char *p = text; ; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        {
          /* Keep escapes of other separators for the next split. */
          if (p[1] != sep)
            g_string_append_c (cur, '\\');
          g_string_append_c (cur, p[1]);
          p++;
        }
      else if (*p == sep || *p == '\0')
        {
          g_ptr_array_add (parts, g_string_free (cur, FALSE));
          if (*p == '\0')
            break;
          cur = g_string_new (NULL);
        }
      else
        g_string_append_c (cur, *p);
    }
  return parts;
}

static char *
unescape_value (const char *text)
{
  GString *s = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        p++;
      g_string_append_c (s, *p);
    }
  return g_string_free (s, FALSE);
}

static gboolean
parse_reference_value (const char *text, Value *v)
{
  g_autofree char *type = NULL;
  g_autofree char *id = NULL;

  if (!sandbox_parse_reference (text, &type, &id))
    return FALSE;
  v->sys = g_steal_pointer (&type);
  v->val = g_steal_pointer (&id);
  return TRUE;
}

static gboolean
parse_value (const ParamDef *def, const char *type, const char *text, Value *v, GError **error)
{
  static const char * const prefixes[] = { "eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap" };

  memset (v, 0, sizeof *v);
  switch (def->kind)
    {
    case K_ID:
      if (!sandbox_is_valid_id (text))
        goto invalid;
      v->val = g_strdup (text);
      return TRUE;

    case K_PATIENT:
      {
        g_autofree char *t = unescape_value (text);
        if (!parse_reference_value (t, v))
          goto invalid;
        if (v->sys != NULL && !g_str_equal (v->sys, "Patient"))
          {
            g_set_error (error, SANDBOX_ERROR, 400,
                         "Parameter '%s' must reference a Patient, not '%s'", def->name, text);
            return FALSE;
          }
        return TRUE;
      }

    case K_REF:
      {
        g_autofree char *t = unescape_value (text);
        if (!parse_reference_value (t, v))
          goto invalid;
        return TRUE;
      }

    case K_TOKEN:
    case K_PATIENT_IDENT:
      {
        g_autoptr(GPtrArray) parts = split_escaped (text, '|');
        if (parts->len == 1)
          v->val = unescape_value (g_ptr_array_index (parts, 0));
        else if (parts->len == 2)
          {
            /* "sys|code": both; "|code": no system; "sys|": any code. */
            v->sys = unescape_value (g_ptr_array_index (parts, 0));
            if (*(char *) g_ptr_array_index (parts, 1) != '\0')
              v->val = unescape_value (g_ptr_array_index (parts, 1));
          }
        else
          goto invalid;
        if (v->val == NULL && (v->sys == NULL || *v->sys == '\0'))
          goto invalid;
        return TRUE;
      }

    case K_DATE:
    case K_LASTUPDATED:
      v->prefix = P_EQ;
      if (g_ascii_isalpha (text[0]))
        {
          gboolean found = FALSE;
          for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
            if (strncmp (text, prefixes[i], 2) == 0)
              {
                v->prefix = (Prefix) i;
                found = TRUE;
              }
          if (!found)
            goto invalid;
          text += 2;
        }
      if (!sandbox_parse_date_range (text, &v->lo, &v->hi))
        goto invalid;
      return TRUE;
    }

invalid:
  value_clear (v);
  g_set_error (error, SANDBOX_ERROR, 400, "Invalid value '%s' for search parameter '%s' of %s",
               text, def->name, type);
  return FALSE;
}

static gboolean
parse_sort (SandboxQuery *q, const char *text, GError **error)
{
  g_auto(GStrv) keys = g_strsplit (text, ",", -1);
  gboolean has_id = FALSE;

  g_array_set_size (q->sort, 0);
  for (guint i = 0; keys[i]; i++)
    {
      const char *k = keys[i];
      SortKey key = { NULL, FALSE, 0 };

      if (*k == '-')
        {
          key.desc = TRUE;
          k++;
        }
      if (g_str_equal (k, "_lastUpdated"))
        key.expr = "r.last_updated", key.which = 0;
      else if (g_str_equal (k, "date"))
        key.expr = "r.sort_date", key.which = 1;
      else if (g_str_equal (k, "_id"))
        key.expr = "r.id", key.which = 2, has_id = TRUE;
      else
        {
          g_set_error (error, SANDBOX_ERROR, 400,
                       "Unsupported sort key '%s' (use _lastUpdated, date, _id)", keys[i]);
          return FALSE;
        }
      g_array_append_val (q->sort, key);
      if (has_id)
        break;  /* ids are unique: later keys never decide */
    }
  if (!has_id)
    {
      SortKey key = { "r.id", FALSE, 2 };
      g_array_append_val (q->sort, key);
    }
  return TRUE;
}

static char *
decode_component (const char *text, gsize len)
{
  g_autofree char *raw = g_strndup (text, len);
  char *decoded = g_uri_unescape_string (raw, NULL);

  return decoded;
}

SandboxQuery *
sandbox_query_parse (const char         *type,
                     const char         *raw_query,
                     SandboxQueryFlags   flags,
                     GError            **error)
{
  g_autoptr(SandboxQuery) q = g_new0 (SandboxQuery, 1);
  g_autofree char *cursor = NULL;
  g_autofree char *sort = NULL;
  gboolean names_patient = FALSE, has_status = FALSE;
  const char *p = raw_query ? raw_query : "";

  q->type = g_strdup (type);
  q->pairs = g_ptr_array_new_with_free_func (g_free);
  q->clauses = g_ptr_array_new_with_free_func (clause_free);
  q->sort = g_array_new (FALSE, FALSE, sizeof (SortKey));
  q->count = SANDBOX_DEFAULT_COUNT;

  while (*p)
    {
      const char *amp = strchr (p, '&');
      gsize len = amp ? (gsize) (amp - p) : strlen (p);
      const char *eq = memchr (p, '=', len);
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (len == 0)
        {
          p++;
          continue;
        }
      name = decode_component (p, eq ? (gsize) (eq - p) : len);
      value = eq ? decode_component (eq + 1, len - (eq - p) - 1) : g_strdup ("");
      p += len + (amp ? 1 : 0);
      if (name == NULL || value == NULL)
        {
          g_set_error_literal (error, SANDBOX_ERROR, 400, "Malformed query string");
          return NULL;
        }

      if (g_str_equal (name, "_cursor"))
        {
          g_free (cursor);
          cursor = g_steal_pointer (&value);
          continue;
        }
      g_ptr_array_add (q->pairs, g_strdup (name));
      g_ptr_array_add (q->pairs, g_strdup (value));

      if (g_str_equal (name, "_format") || g_str_equal (name, "_pretty") || g_str_equal (name, "_total"))
        continue;
      if (g_str_equal (name, "_count") || g_str_equal (name, "_sort") || g_str_equal (name, "_summary"))
        {
          if (flags & SANDBOX_QUERY_CONDITIONAL)
            {
              g_set_error (error, SANDBOX_ERROR, 400, "'%s' is not allowed in a conditional create", name);
              return NULL;
            }
          if (g_str_equal (name, "_count"))
            {
              char *end = NULL;
              gint64 n = g_ascii_strtoll (value, &end, 10);
              if (*value == '\0' || *end != '\0' || n < 0)
                {
                  g_set_error (error, SANDBOX_ERROR, 400, "Invalid _count '%s'", value);
                  return NULL;
                }
              q->count = (guint) MIN (n, SANDBOX_MAX_COUNT);
              q->count_only = n == 0;
            }
          else if (g_str_equal (name, "_sort"))
            {
              g_free (sort);
              sort = g_strdup (value);
            }
          else if (g_str_equal (value, "count"))
            q->count_only = TRUE;
          else if (!g_str_equal (value, "false"))
            {
              g_set_error (error, SANDBOX_ERROR, 400, "Unsupported _summary '%s' (only count)", value);
              return NULL;
            }
          continue;
        }

      {
        const ParamDef *def;
        Clause *clause;
        g_autoptr(GPtrArray) alternatives = NULL;

        if (strchr (name, ':') != NULL)
          {
            g_set_error (error, SANDBOX_ERROR, 400, "Search modifiers are not supported ('%s')", name);
            return NULL;
          }
        def = find_param (type, name);
        if (def == NULL)
          {
            g_set_error (error, SANDBOX_ERROR, 400, "Unknown search parameter '%s' for %s", name, type);
            return NULL;
          }
        clause = g_new0 (Clause, 1);
        clause->def = def;
        clause->values = g_array_new (FALSE, FALSE, sizeof (Value));
        g_array_set_clear_func (clause->values, value_clear);
        g_ptr_array_add (q->clauses, clause);

        alternatives = split_escaped (value, ',');
        for (guint i = 0; i < alternatives->len; i++)
          {
            Value v;
            if (!parse_value (def, type, g_ptr_array_index (alternatives, i), &v, error))
              return NULL;
            g_array_append_val (clause->values, v);
          }
        if (def->kind == K_PATIENT || def->kind == K_PATIENT_IDENT)
          names_patient = TRUE;
        if (g_str_equal (name, "status"))
          has_status = TRUE;
      }
    }

  if (!parse_sort (q, sort ? sort : "_lastUpdated", error))
    return NULL;

  if (g_str_equal (type, "DocumentReference") && !(flags & SANDBOX_QUERY_CONDITIONAL) &&
      (!names_patient || !has_status))
    {
      g_set_error_literal (error, SANDBOX_ERROR, 400,
                           "A DocumentReference search must name the patient "
                           "(patient, subject or patient.identifier) and a status");
      return NULL;
    }

  if (cursor != NULL)
    {
      g_autofree char *decoded = sandbox_base64url_decode (cursor);
      g_auto(GStrv) parts = decoded ? g_strsplit (decoded, "\n", -1) : NULL;

      if (parts == NULL || g_strv_length (parts) != q->sort->len)
        {
          g_set_error_literal (error, SANDBOX_ERROR, 400, "Invalid or stale _cursor");
          return NULL;
        }
      q->cursor = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; parts[i]; i++)
        g_ptr_array_add (q->cursor, g_strdup (parts[i]));
    }

  return g_steal_pointer (&q);
}

const char *
sandbox_query_get_type (SandboxQuery *q)
{
  return q->type;
}

guint
sandbox_query_get_count (SandboxQuery *q)
{
  return q->count;
}

gboolean
sandbox_query_is_count_only (SandboxQuery *q)
{
  return q->count_only;
}

gboolean
sandbox_query_names_patient (SandboxQuery *q)
{
  for (guint i = 0; i < q->clauses->len; i++)
    {
      Clause *c = g_ptr_array_index (q->clauses, i);
      if (c->def->kind == K_PATIENT || c->def->kind == K_PATIENT_IDENT)
        return TRUE;
    }
  return FALSE;
}

/* ------------------------------------------------------------- SQL */

static void
bind_text (GArray *binds, const char *s)
{
  Bind b = { FALSE, 0, g_strdup (s) };
  g_array_append_val (binds, b);
}

static void
bind_int (GArray *binds, gint64 i)
{
  Bind b = { TRUE, i, NULL };
  g_array_append_val (binds, b);
}

static void
bind_clear (gpointer data)
{
  g_free (((Bind *) data)->s);
}

/* FHIR date matching of the resource range [lo, hi) against the value's. */
static void
date_condition (GString *sql, GArray *binds, const char *lo, const char *hi, Value *v)
{
  switch (v->prefix)
    {
    case P_EQ:
      g_string_append_printf (sql, "(%s >= ? AND %s <= ?)", lo, hi);
      bind_int (binds, v->lo); bind_int (binds, v->hi);
      break;
    case P_NE:
      g_string_append_printf (sql, "NOT (%s >= ? AND %s <= ?)", lo, hi);
      bind_int (binds, v->lo); bind_int (binds, v->hi);
      break;
    case P_GT:
      g_string_append_printf (sql, "%s > ?", hi);
      bind_int (binds, v->hi);
      break;
    case P_LT:
      g_string_append_printf (sql, "%s < ?", lo);
      bind_int (binds, v->lo);
      break;
    case P_GE:
      g_string_append_printf (sql, "(%s >= ? OR %s > ?)", lo, hi);
      bind_int (binds, v->lo); bind_int (binds, v->hi);
      break;
    case P_LE:
      g_string_append_printf (sql, "(%s <= ? OR %s < ?)", hi, lo);
      bind_int (binds, v->hi); bind_int (binds, v->lo);
      break;
    case P_SA:
      g_string_append_printf (sql, "%s >= ?", lo);
      bind_int (binds, v->hi);
      break;
    case P_EB:
      g_string_append_printf (sql, "%s <= ?", hi);
      bind_int (binds, v->lo);
      break;
    case P_AP:
      g_string_append_printf (sql, "(%s < ? AND %s > ?)", lo, hi);
      bind_int (binds, v->hi); bind_int (binds, v->lo);
      break;
    }
}

static void
token_condition (GString *sql, GArray *binds, Value *v)
{
  if (v->val != NULL)
    {
      g_string_append (sql, "(t.val = ?");
      bind_text (binds, v->val);
      if (v->sys != NULL && *v->sys == '\0')
        g_string_append (sql, " AND t.sys IS NULL");
      else if (v->sys != NULL)
        {
          g_string_append (sql, " AND t.sys = ?");
          bind_text (binds, v->sys);
        }
      g_string_append (sql, ")");
    }
  else
    {
      g_string_append (sql, "t.sys = ?");
      bind_text (binds, v->sys);
    }
}

static void
in_list (GString *sql, GArray *binds, const char *column, Clause *c)
{
  g_string_append_printf (sql, "%s IN (", column);
  for (guint i = 0; i < c->values->len; i++)
    {
      g_string_append (sql, i ? ", ?" : "?");
      bind_text (binds, g_array_index (c->values, Value, i).val);
    }
  g_string_append (sql, ")");
}

static void
build_where (SandboxQuery *q, const char *hide_blocked_for, GString *sql, GArray *binds)
{
  gboolean selective = FALSE;

  g_string_append (sql, "r.type = ? AND r.deleted = 0");
  bind_text (binds, q->type);

  for (guint i = 0; i < q->clauses->len; i++)
    {
      Clause *c = g_ptr_array_index (q->clauses, i);
      if (c->def->kind == K_ID || c->def->kind == K_PATIENT || c->def->kind == K_PATIENT_IDENT)
        selective = TRUE;
    }

  for (guint i = 0; i < q->clauses->len; i++)
    {
      Clause *c = g_ptr_array_index (q->clauses, i);

      g_string_append (sql, " AND ");
      switch (c->def->kind)
        {
        case K_ID:
          in_list (sql, binds, "r.id", c);
          break;

        case K_PATIENT:
          in_list (sql, binds, "r.patient_id", c);
          break;

        case K_LASTUPDATED:
          g_string_append (sql, "(");
          for (guint j = 0; j < c->values->len; j++)
            {
              if (j)
                g_string_append (sql, " OR ");
              date_condition (sql, binds, "r.last_updated", "(r.last_updated + 1)",
                              &g_array_index (c->values, Value, j));
            }
          g_string_append (sql, ")");
          break;

        case K_PATIENT_IDENT:
          g_string_append (sql, "r.patient_id IN (SELECT p.id FROM tok t JOIN res p ON p.rk = t.rk"
                                " WHERE p.type = 'Patient' AND p.deleted = 0 AND t.param = 'identifier' AND (");
          for (guint j = 0; j < c->values->len; j++)
            {
              if (j)
                g_string_append (sql, " OR ");
              token_condition (sql, binds, &g_array_index (c->values, Value, j));
            }
          g_string_append (sql, "))");
          break;

        case K_TOKEN:
        case K_REF:
        case K_DATE:
          /* Without a selective column constraint, let the token index drive. */
          if (!selective && c->def->kind != K_DATE)
            g_string_append (sql, "r.rk IN (SELECT t.rk FROM tok t WHERE t.param = ? AND (");
          else
            g_string_append (sql, "EXISTS (SELECT 1 FROM tok t WHERE t.rk = r.rk AND t.param = ? AND (");
          bind_text (binds, c->def->tok);
          for (guint j = 0; j < c->values->len; j++)
            {
              Value *v = &g_array_index (c->values, Value, j);
              if (j)
                g_string_append (sql, " OR ");
              if (c->def->kind == K_DATE)
                date_condition (sql, binds, "t.lo", "t.hi", v);
              else
                token_condition (sql, binds, v);
            }
          g_string_append (sql, "))");
          break;
        }
    }

  if (hide_blocked_for != NULL && !g_str_equal (q->type, "Patient") &&
      sandbox_is_compartment_type (q->type))
    {
      g_string_append (sql, " AND (r.patient_id IS NULL OR NOT EXISTS (SELECT 1 FROM blocks b"
                            " WHERE b.patient_id = r.patient_id AND b.practitioner = ?))");
      bind_text (binds, hide_blocked_for);
    }
}

static sqlite3_stmt *
prepare (SandboxConn *conn, const char *sql, GArray *binds, GError **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (conn->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      sandbox_conn_set_error (conn, error);
      return NULL;
    }
  for (guint i = 0; i < binds->len; i++)
    {
      Bind *b = &g_array_index (binds, Bind, i);
      if (b->is_int)
        sqlite3_bind_int64 (stmt, i + 1, b->i);
      else
        sqlite3_bind_text (stmt, i + 1, b->s, -1, SQLITE_STATIC);
    }
  return stmt;
}

GPtrArray *
sandbox_query_named_patients (SandboxQuery *q,
                              SandboxConn  *conn)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < q->clauses->len; i++)
    {
      Clause *c = g_ptr_array_index (q->clauses, i);

      if (c->def->kind == K_PATIENT)
        {
          for (guint j = 0; j < c->values->len; j++)
            g_ptr_array_add (ids, g_strdup (g_array_index (c->values, Value, j).val));
        }
      else if (c->def->kind == K_PATIENT_IDENT)
        {
          g_autoptr(GString) sql = g_string_new ("SELECT DISTINCT p.id FROM tok t JOIN res p ON p.rk = t.rk"
                                                 " WHERE p.type = 'Patient' AND p.deleted = 0"
                                                 " AND t.param = 'identifier' AND (");
          g_autoptr(GArray) binds = g_array_new (FALSE, FALSE, sizeof (Bind));
          sqlite3_stmt *stmt;

          g_array_set_clear_func (binds, bind_clear);
          for (guint j = 0; j < c->values->len; j++)
            {
              if (j)
                g_string_append (sql, " OR ");
              token_condition (sql, binds, &g_array_index (c->values, Value, j));
            }
          g_string_append (sql, ")");
          stmt = prepare (conn, sql->str, binds, NULL);
          while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
            g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
          sqlite3_finalize (stmt);
        }
    }
  return ids;
}

gboolean
sandbox_query_run (SandboxQuery  *q,
                   SandboxConn   *conn,
                   const char    *hide_blocked_for,
                   GPtrArray    **rows,
                   gint64        *total,
                   gboolean      *has_more,
                   GError       **error)
{
  g_autoptr(GString) where = g_string_new (NULL);
  g_autoptr(GString) sql = NULL;
  g_autoptr(GArray) binds = g_array_new (FALSE, FALSE, sizeof (Bind));
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func ((GDestroyNotify) sandbox_row_free);
  sqlite3_stmt *stmt;
  int rc;

  g_array_set_clear_func (binds, bind_clear);
  build_where (q, hide_blocked_for, where, binds);

  sql = g_string_new ("SELECT count(*) FROM res r WHERE ");
  g_string_append (sql, where->str);
  stmt = prepare (conn, sql->str, binds, error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sandbox_conn_set_error (conn, error);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  *total = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  *has_more = FALSE;
  if (q->count_only)
    {
      *rows = g_steal_pointer (&result);
      return TRUE;
    }

  g_string_assign (sql, "SELECT " SANDBOX_ROW_COLUMNS " FROM res r WHERE ");
  g_string_append (sql, where->str);
  if (q->cursor != NULL)
    {
      /* Keyset: rows strictly after the last one in sort order, so changes
       * between pages neither shift nor skip anything. */
      g_string_append (sql, " AND (");
      for (guint i = 0; i < q->sort->len; i++)
        {
          SortKey *k = &g_array_index (q->sort, SortKey, i);
          if (i)
            g_string_append (sql, " OR ");
          g_string_append (sql, "(");
          for (guint j = 0; j < i; j++)
            {
              SortKey *kj = &g_array_index (q->sort, SortKey, j);
              g_string_append_printf (sql, "%s = ? AND ", kj->expr);
              if (kj->which == 2)
                bind_text (binds, g_ptr_array_index (q->cursor, j));
              else
                bind_int (binds, g_ascii_strtoll (g_ptr_array_index (q->cursor, j), NULL, 10));
            }
          g_string_append_printf (sql, "%s %s ?)", k->expr, k->desc ? "<" : ">");
          if (k->which == 2)
            bind_text (binds, g_ptr_array_index (q->cursor, i));
          else
            bind_int (binds, g_ascii_strtoll (g_ptr_array_index (q->cursor, i), NULL, 10));
        }
      g_string_append (sql, ")");
    }
  g_string_append (sql, " ORDER BY ");
  for (guint i = 0; i < q->sort->len; i++)
    {
      SortKey *k = &g_array_index (q->sort, SortKey, i);
      g_string_append_printf (sql, "%s%s%s", i ? ", " : "", k->expr, k->desc ? " DESC" : "");
    }
  g_string_append (sql, " LIMIT ?");
  bind_int (binds, (gint64) q->count + 1);

  stmt = prepare (conn, sql->str, binds, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (result->len == q->count)
        {
          *has_more = TRUE;
          break;
        }
      g_ptr_array_add (result, sandbox_row_from_stmt (stmt));
    }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      sandbox_conn_set_error (conn, error);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);
  *rows = g_steal_pointer (&result);
  return TRUE;
}

static void
append_pairs (SandboxQuery *q, GString *s)
{
  for (guint i = 0; i + 1 < q->pairs->len; i += 2)
    {
      g_autofree char *n = g_uri_escape_string (g_ptr_array_index (q->pairs, i), NULL, FALSE);
      g_autofree char *v = g_uri_escape_string (g_ptr_array_index (q->pairs, i + 1), ":/|,", FALSE);

      g_string_append_printf (s, "%s%s=%s", s->len ? "&" : "", n, v);
    }
}

char *
sandbox_query_self_string (SandboxQuery *q)
{
  GString *s = g_string_new (NULL);
  append_pairs (q, s);
  return g_string_free (s, FALSE);
}

char *
sandbox_query_next_string (SandboxQuery *q,
                           SandboxRow   *last)
{
  GString *s = g_string_new (NULL);
  g_autoptr(GString) cursor = g_string_new (NULL);
  g_autofree char *encoded = NULL;

  for (guint i = 0; i < q->sort->len; i++)
    {
      SortKey *k = &g_array_index (q->sort, SortKey, i);

      if (i)
        g_string_append_c (cursor, '\n');
      if (k->which == 0)
        g_string_append_printf (cursor, "%" G_GINT64_FORMAT, last->last_updated);
      else if (k->which == 1)
        g_string_append_printf (cursor, "%" G_GINT64_FORMAT, last->sort_date);
      else
        g_string_append (cursor, last->id);
    }
  encoded = sandbox_base64url_encode (cursor->str);
  append_pairs (q, s);
  g_string_append_printf (s, "%s_cursor=%s", s->len ? "&" : "", encoded);
  return g_string_free (s, FALSE);
}
