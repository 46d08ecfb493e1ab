/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-sandbox-pdf"

#include <cairo.h>
#include <cairo-pdf.h>
#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#include "sandbox-pdf.h"
#include "sandbox-gen-text.h"

/* Draws the sandbox's medical documents with cairo's PDF backend. Layout
 * runs twice over the same text: the first pass only measures, to know the
 * page count printed in every footer ("Page n / N"); the second draws. All
 * text comes from a GRand seeded by the recipe, restarted for each pass, so
 * both passes and every run produce the same bytes. No global state. */

#define PAGE_W      595.0
#define PAGE_H      842.0
#define MARGIN_L    56.0
#define MARGIN_R    56.0
#define TEXT_W      (PAGE_W - MARGIN_L - MARGIN_R)
#define BODY_BOTTOM 780.0
#define BODY_SIZE   10.0
#define LINE_H      13.5

typedef struct
{
  cairo_t           *cr;
  gboolean           draw;
  int                page;
  int                n_pages;       /* known in the drawing pass */
  double             y;
  GRand             *rand;
  JsonObject        *recipe;
  cairo_font_face_t *regular;
  cairo_font_face_t *bold;
  cairo_font_face_t *italic;
  cairo_font_face_t *serif;
  double             space_w;

  /* From the recipe */
  const char        *kind;
  const char        *title;
  const char        *type_display;
  const char        *date;          /* dateTime */
  JsonObject        *org;
  JsonObject        *author;
  JsonObject        *patient;
  int                target_pages;
  char              *patient_name;  /* "Mme MARTIN Hélène" */
  char              *patient_short; /* "Mme Martin" */
  char              *running;       /* header of the following pages */
  SandboxTextVars    vars;
} Pdf;

/* ----------------------------------------------------------------------- */
/* Recipe access                                                           */
/* ----------------------------------------------------------------------- */

static const char *
get_str (JsonObject *object,
         const char *member,
         const char *fallback)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return fallback;
  return json_node_get_string (node);
}

static JsonObject *
get_obj (JsonObject *object,
         const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

static JsonArray *
get_arr (JsonObject *object,
         const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  return json_node_get_array (node);
}

static gint64
get_int (JsonObject *object,
         const char *member,
         gint64      fallback)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return fallback;
  return json_node_get_int (node);
}

static const char *
arr_str (JsonArray *array,
         guint      i)
{
  JsonNode *node = json_array_get_element (array, i);

  return json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : "";
}

/* ----------------------------------------------------------------------- */
/* Dates and names                                                         */
/* ----------------------------------------------------------------------- */

static const char * const months[] = {
  "janvier", "février", "mars", "avril", "mai", "juin", "juillet",
  "août", "septembre", "octobre", "novembre", "décembre",
};

static gboolean
parse_ymd (const char *text,
           int        *y,
           int        *m,
           int        *d)
{
  return text != NULL && sscanf (text, "%4d-%2d-%2d", y, m, d) == 3 && *m >= 1 && *m <= 12;
}

/* "20 juin 2022" */
static char *
long_date (const char *text)
{
  int y, m, d;

  if (!parse_ymd (text, &y, &m, &d))
    return g_strdup (text ? text : "");
  return g_strdup_printf ("%d%s %s %d", d, d == 1 ? "er" : "", months[m - 1], y);
}

/* "20/06/2022" */
static char *
short_date (const char *text)
{
  int y, m, d;

  if (!parse_ymd (text, &y, &m, &d))
    return g_strdup (text ? text : "");
  return g_strdup_printf ("%02d/%02d/%04d", d, m, y);
}

static int
age_at (const char *birth,
        const char *when)
{
  int by, bm, bd, y, m, d;

  if (!parse_ymd (birth, &by, &bm, &bd) || !parse_ymd (when, &y, &m, &d))
    return 0;
  return y - by - (m < bm || (m == bm && d < bd) ? 1 : 0);
}

/* "2 59 08 75 114 117 | 14" the way the INS is printed. */
static char *
format_nir (const char *nir)
{
  if (nir == NULL || strlen (nir) != 15)
    return g_strdup (nir ? nir : "");
  return g_strdup_printf ("%.1s %.2s %.2s %.2s %.3s %.3s %.2s",
                          nir, nir + 1, nir + 3, nir + 5, nir + 7, nir + 10, nir + 13);
}

static char *
given_names (JsonObject *patient,
             gboolean    first_only)
{
  JsonArray *given = get_arr (patient, "given");
  GString *out = g_string_new (NULL);

  for (guint i = 0; given != NULL && i < json_array_get_length (given); i++)
    {
      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, arr_str (given, i));
      if (first_only)
        break;
    }
  return g_string_free (out, FALSE);
}

/* ----------------------------------------------------------------------- */
/* Drawing primitives                                                      */
/* ----------------------------------------------------------------------- */

static void
set_font (Pdf               *pdf,
          cairo_font_face_t *face,
          double             size)
{
  cairo_set_font_face (pdf->cr, face);
  cairo_set_font_size (pdf->cr, size);
}

static double
text_width (Pdf        *pdf,
            const char *text)
{
  cairo_text_extents_t extents;

  cairo_text_extents (pdf->cr, text, &extents);
  return extents.x_advance;
}

static void
show (Pdf        *pdf,
      double      x,
      double      y,
      const char *text)
{
  if (!pdf->draw || text == NULL || *text == '\0')
    return;
  cairo_move_to (pdf->cr, x, y);
  cairo_show_text (pdf->cr, text);
}

static void
show_right (Pdf        *pdf,
            double      right,
            double      y,
            const char *text)
{
  if (pdf->draw)
    show (pdf, right - text_width (pdf, text), y, text);
}

static void
color (Pdf    *pdf,
       double  r,
       double  g,
       double  b)
{
  cairo_set_source_rgb (pdf->cr, r, g, b);
}

static void
hrule (Pdf    *pdf,
       double  y,
       double  width)
{
  if (!pdf->draw)
    return;
  cairo_set_line_width (pdf->cr, width);
  cairo_move_to (pdf->cr, MARGIN_L, y);
  cairo_line_to (pdf->cr, PAGE_W - MARGIN_R, y);
  cairo_stroke (pdf->cr);
}

static void
draw_footer (Pdf *pdf)
{
  char page[32];

  color (pdf, 0.45, 0.45, 0.45);
  hrule (pdf, 796, 0.5);
  set_font (pdf, pdf->regular, 7.5);
  g_snprintf (page, sizeof page, "Page %d / %d", pdf->page, pdf->n_pages);
  show (pdf, MARGIN_L, 808, get_str (pdf->org, "name", ""));
  show (pdf, MARGIN_L, 818, pdf->type_display);
  show_right (pdf, PAGE_W - MARGIN_R, 808, page);
  show_right (pdf, PAGE_W - MARGIN_R, 818, pdf->running);
  color (pdf, 0, 0, 0);
}

static void
draw_letterhead (Pdf *pdf)
{
  const char *service = get_str (pdf->org, "service", NULL);
  char line[256];
  double y = 58, room;

  /* The organisation's name shrinks rather than run into the author's. */
  set_font (pdf, pdf->bold, 10.5);
  room = TEXT_W - text_width (pdf, get_str (pdf->author, "name", "")) - 24;
  color (pdf, 0.08, 0.24, 0.47);
  set_font (pdf, pdf->bold, 14);
  if (text_width (pdf, get_str (pdf->org, "name", "")) > room)
    set_font (pdf, pdf->bold, 14 * room / text_width (pdf, get_str (pdf->org, "name", "")));
  show (pdf, MARGIN_L, y, get_str (pdf->org, "name", ""));
  set_font (pdf, pdf->regular, 8.5);
  color (pdf, 0.2, 0.2, 0.2);
  if (service != NULL)
    {
      set_font (pdf, pdf->italic, 9);
      show (pdf, MARGIN_L, y += 13, service);
      set_font (pdf, pdf->regular, 8.5);
    }
  show (pdf, MARGIN_L, y += 13, get_str (pdf->org, "line", ""));
  show (pdf, MARGIN_L, y += 11, get_str (pdf->org, "city", ""));
  g_snprintf (line, sizeof line, "Tél. %s", get_str (pdf->org, "phone", ""));
  show (pdf, MARGIN_L, y += 11, line);
  g_snprintf (line, sizeof line, "FINESS %s", get_str (pdf->org, "finess", ""));
  show (pdf, MARGIN_L, y += 11, line);

  /* The author, top right. */
  y = 58;
  color (pdf, 0, 0, 0);
  set_font (pdf, pdf->bold, 10.5);
  show_right (pdf, PAGE_W - MARGIN_R, y, get_str (pdf->author, "name", ""));
  set_font (pdf, pdf->regular, 8.5);
  show_right (pdf, PAGE_W - MARGIN_R, y += 13, get_str (pdf->author, "title", ""));
  g_snprintf (line, sizeof line, "RPPS %s", get_str (pdf->author, "rpps", ""));
  show_right (pdf, PAGE_W - MARGIN_R, y += 11, line);
  g_snprintf (line, sizeof line, "MSSanté : %s", get_str (pdf->author, "mail", ""));
  show_right (pdf, PAGE_W - MARGIN_R, y += 11, line);

  color (pdf, 0.08, 0.24, 0.47);
  hrule (pdf, 126, 1.2);
  color (pdf, 0, 0, 0);
  pdf->y = 146;
}

static void
begin_page (Pdf *pdf)
{
  if (pdf->page > 0 && pdf->draw)
    cairo_show_page (pdf->cr);
  pdf->page++;
  if (pdf->page == 1)
    draw_letterhead (pdf);
  else
    {
      set_font (pdf, pdf->regular, 8);
      color (pdf, 0.35, 0.35, 0.35);
      show (pdf, MARGIN_L, 46, get_str (pdf->org, "name", ""));
      show_right (pdf, PAGE_W - MARGIN_R, 46, pdf->title);
      hrule (pdf, 52, 0.5);
      color (pdf, 0, 0, 0);
      pdf->y = 74;
    }
  if (pdf->draw)
    draw_footer (pdf);
}

static void
need (Pdf    *pdf,
      double  height)
{
  if (pdf->y + height > BODY_BOTTOM)
    begin_page (pdf);
}

/* Left-aligned wrapped text; each line starts a new page when needed. */
static void
paragraph_full (Pdf               *pdf,
                const char        *text,
                cairo_font_face_t *face,
                double             size,
                double             indent,
                double             line_h)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);
  GString *line = g_string_new (NULL);
  double width = 0, max = TEXT_W - indent, space;

  set_font (pdf, face, size);
  space = text_width (pdf, " ");
  for (guint i = 0; words[i] != NULL; i++)
    {
      double w = text_width (pdf, words[i]);

      if (line->len > 0 && width + space + w > max)
        {
          need (pdf, line_h);
          set_font (pdf, face, size);
          pdf->y += line_h;
          show (pdf, MARGIN_L + indent, pdf->y, line->str);
          g_string_truncate (line, 0);
          width = 0;
        }
      if (line->len > 0)
        {
          g_string_append_c (line, ' ');
          width += space;
        }
      g_string_append (line, words[i]);
      width += w;
    }
  if (line->len > 0)
    {
      need (pdf, line_h);
      set_font (pdf, face, size);
      pdf->y += line_h;
      show (pdf, MARGIN_L + indent, pdf->y, line->str);
    }
  g_string_free (line, TRUE);
  pdf->y += 4;
}

static void
paragraph (Pdf        *pdf,
           const char *text)
{
  paragraph_full (pdf, text, pdf->serif, BODY_SIZE, 0, LINE_H);
}

static void
bullet (Pdf        *pdf,
        const char *text)
{
  /* Room for the first line, so the bullet and its text share a page. */
  need (pdf, LINE_H);
  set_font (pdf, pdf->serif, BODY_SIZE);
  show (pdf, MARGIN_L + 4, pdf->y + LINE_H, "•");
  paragraph_full (pdf, text, pdf->serif, BODY_SIZE, 14, LINE_H);
  pdf->y -= 3;
}

static void
heading (Pdf        *pdf,
         const char *text)
{
  need (pdf, 18 + 3 * LINE_H);
  pdf->y += 18;
  color (pdf, 0.08, 0.24, 0.47);
  set_font (pdf, pdf->bold, 10.5);
  show (pdf, MARGIN_L, pdf->y, text);
  if (pdf->draw)
    {
      cairo_set_line_width (pdf->cr, 0.6);
      cairo_move_to (pdf->cr, MARGIN_L, pdf->y + 3);
      cairo_line_to (pdf->cr, MARGIN_L + text_width (pdf, text), pdf->y + 3);
      cairo_stroke (pdf->cr);
    }
  color (pdf, 0, 0, 0);
  pdf->y += 2;
}

static void
gen_paragraph (Pdf             *pdf,
               SandboxTextBank  bank,
               guint            min,
               guint            max)
{
  g_autofree char *text = sandbox_text_paragraph (pdf->rand, bank,
                                                  g_rand_int_range (pdf->rand, min, max + 1), &pdf->vars);
  paragraph (pdf, text);
}

static void
list_or (Pdf        *pdf,
         JsonArray  *items,
         const char *empty)
{
  if (items == NULL || json_array_get_length (items) == 0)
    {
      paragraph (pdf, empty);
      return;
    }
  for (guint i = 0; i < json_array_get_length (items); i++)
    bullet (pdf, arr_str (items, i));
  pdf->y += 4;
}

/* ----------------------------------------------------------------------- */
/* Common blocks                                                           */
/* ----------------------------------------------------------------------- */

static void
draw_title_block (Pdf *pdf)
{
  const char *recipient = get_str (pdf->recipe, "recipient", NULL);
  g_autofree char *when = long_date (pdf->date);
  g_autofree char *place = NULL;
  const char *city = get_str (pdf->org, "city", "");
  const char *space = strchr (city, ' ');
  char line[256];
  double w;

  /* "Nantes, le 20 juin 2022" from "44000 Nantes Cedex 1". */
  place = g_strdup (space ? space + 1 : city);
  if (strstr (place, " Cedex") != NULL)
    *strstr (place, " Cedex") = '\0';
  set_font (pdf, pdf->regular, 9.5);
  g_snprintf (line, sizeof line, "%s, le %s", place, when);
  show_right (pdf, PAGE_W - MARGIN_R, pdf->y, line);
  if (recipient != NULL)
    {
      set_font (pdf, pdf->regular, 9);
      show (pdf, MARGIN_L, pdf->y, "Destinataire :");
      set_font (pdf, pdf->bold, 9);
      show (pdf, MARGIN_L + 66, pdf->y, recipient);
    }
  pdf->y += 30;

  /* Centred on one line when it fits, a smaller size first. */
  set_font (pdf, pdf->bold, 15);
  w = text_width (pdf, pdf->title);
  if (w > TEXT_W)
    {
      set_font (pdf, pdf->bold, 12.5);
      w = text_width (pdf, pdf->title);
    }
  if (w > TEXT_W)
    {
      pdf->y -= 16;
      paragraph_full (pdf, pdf->title, pdf->bold, 12.5, 0, 16);
    }
  else
    show (pdf, MARGIN_L + (TEXT_W - w) / 2, pdf->y, pdf->title);
  pdf->y += 14;
}

static void
draw_patient_block (Pdf *pdf)
{
  JsonObject *p = pdf->patient;
  const char *status = get_str (p, "identity_status", "PROV");
  const char *ins = get_str (p, "ins", NULL);
  const char *birth = get_str (p, "birth_date", "");
  gboolean female = g_strcmp0 (get_str (p, "sex", ""), "F") == 0;
  g_autofree char *birth_upper = g_utf8_strup (get_str (p, "birth_family", ""), -1);
  g_autofree char *birth_text = short_date (birth);
  g_autofree char *given = given_names (p, FALSE);
  char line[512];
  double top = pdf->y, x = MARGIN_L + 10;

  if (pdf->draw)
    {
      cairo_set_source_rgb (pdf->cr, 0.94, 0.95, 0.97);
      cairo_rectangle (pdf->cr, MARGIN_L, top, TEXT_W, 58);
      cairo_fill (pdf->cr);
      cairo_set_source_rgb (pdf->cr, 0.7, 0.74, 0.8);
      cairo_set_line_width (pdf->cr, 0.6);
      cairo_rectangle (pdf->cr, MARGIN_L, top, TEXT_W, 58);
      cairo_stroke (pdf->cr);
      cairo_set_source_rgb (pdf->cr, 0, 0, 0);
    }
  set_font (pdf, pdf->bold, 11);
  show (pdf, x, top + 16, pdf->patient_name);
  set_font (pdf, pdf->regular, 9);
  g_snprintf (line, sizeof line, "Nom de naissance : %s — Prénom(s) : %s — Sexe : %s",
              birth_upper, given, female ? "F" : "M");
  show (pdf, x, top + 30, line);
  g_snprintf (line, sizeof line, "%s le %s (%d ans) — IPP %s", female ? "Née" : "Né", birth_text,
              age_at (birth, pdf->date), get_str (p, "ipp", ""));
  show (pdf, x, top + 42, line);
  if (g_strcmp0 (status, "QUAL") == 0 && ins != NULL)
    {
      g_autofree char *nir = format_nir (ins);

      g_snprintf (line, sizeof line, "INS (NIR) : %s — OID %s — Identité qualifiée",
                  nir, get_str (p, "ins_oid", "1.2.250.1.213.1.4.8"));
      set_font (pdf, pdf->bold, 9);
    }
  else
    {
      g_snprintf (line, sizeof line, "Identité non qualifiée (statut %s) — INS non communiqué", status);
      set_font (pdf, pdf->italic, 9);
    }
  show (pdf, x, top + 54, line);
  pdf->y = top + 62;
}

static void
draw_signature (Pdf *pdf)
{
  need (pdf, 64);
  pdf->y += 28;
  set_font (pdf, pdf->regular, 9.5);
  show_right (pdf, PAGE_W - MARGIN_R, pdf->y, get_str (pdf->author, "name", ""));
  set_font (pdf, pdf->italic, 8.5);
  show_right (pdf, PAGE_W - MARGIN_R, pdf->y + 12, get_str (pdf->author, "title", ""));
  show_right (pdf, PAGE_W - MARGIN_R, pdf->y + 24, "Document signé électroniquement");
  pdf->y += 30;
}

/* ----------------------------------------------------------------------- */
/* Bodies                                                                  */
/* ----------------------------------------------------------------------- */

#define COL_VALUE (MARGIN_L + 290)
#define COL_UNIT  (MARGIN_L + 310)
#define COL_RANGE (MARGIN_L + 395)

static void
table_header (Pdf        *pdf,
              const char *title)
{
  heading (pdf, title);
  pdf->y += 4;
  set_font (pdf, pdf->italic, 8);
  color (pdf, 0.4, 0.4, 0.4);
  show (pdf, MARGIN_L, pdf->y + 6, "Analyse");
  show_right (pdf, COL_VALUE, pdf->y + 6, "Résultat");
  show (pdf, COL_UNIT, pdf->y + 6, "Unité");
  show (pdf, COL_RANGE, pdf->y + 6, "Valeurs de référence");
  color (pdf, 0, 0, 0);
  pdf->y += 8;
}

/* One result; out-of-range values in bold on a tinted line with an arrow. */
static void
table_row (Pdf        *pdf,
           const char *label,
           const char *value,
           const char *unit,
           const char *range,
           const char *flag)
{
  gboolean out = flag != NULL && *flag != '\0';

  need (pdf, 16);
  pdf->y += 15;
  if (out && pdf->draw)
    {
      cairo_set_source_rgb (pdf->cr, 0.99, 0.93, 0.9);
      cairo_rectangle (pdf->cr, MARGIN_L - 4, pdf->y - 11, TEXT_W + 8, 15);
      cairo_fill (pdf->cr);
      cairo_set_source_rgb (pdf->cr, 0, 0, 0);
    }
  set_font (pdf, out ? pdf->bold : pdf->regular, 9.5);
  show (pdf, MARGIN_L, pdf->y, label);
  show_right (pdf, COL_VALUE, pdf->y, value);
  set_font (pdf, pdf->regular, 8.5);
  show (pdf, COL_UNIT + 8, pdf->y, unit);
  show (pdf, COL_RANGE, pdf->y, range);
  if (out)
    {
      set_font (pdf, pdf->bold, 9.5);
      show (pdf, COL_VALUE + 4, pdf->y, *flag == 'H' ? "↑" : "↓");
    }
}

/* A hospital's daily blood tests, as long reports append them. */
static void
annex_lab (Pdf        *pdf,
           const char *when)
{
  static const struct { const char *label; const char *unit; double low, high, mean, sd; int decimals; } tests[] = {
    { "Hémoglobine", "g/dL", 12, 16, 12.6, 1.2, 1 },
    { "Leucocytes", "G/L", 4, 10, 8.5, 2.5, 1 },
    { "Plaquettes", "G/L", 150, 400, 240, 60, 0 },
    { "Sodium", "mmol/L", 136, 145, 138, 3, 0 },
    { "Potassium", "mmol/L", 3.5, 5.0, 4.2, 0.45, 1 },
    { "Créatinine", "µmol/L", 45, 104, 98, 25, 0 },
    { "Protéine C réactive", "mg/L", 0, 5, 18, 15, 0 },
  };
  g_autofree char *title = g_strdup_printf ("Bilan biologique du %s", when);

  table_header (pdf, title);
  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    {
      double v = MAX (0, tests[i].mean + tests[i].sd * (g_rand_double (pdf->rand) * 2 - 1) * 1.6);
      char value[32], range[48];
      char *comma;

      g_snprintf (value, sizeof value, "%.*f", tests[i].decimals, v);
      if ((comma = strchr (value, '.')) != NULL)
        *comma = ',';
      g_snprintf (range, sizeof range, "%g – %g", tests[i].low, tests[i].high);
      for (char *c = range; *c; c++)
        if (*c == '.')
          *c = ',';
      table_row (pdf, tests[i].label, value, tests[i].unit, range,
                 v > tests[i].high ? "H" : v < tests[i].low ? "L" : "");
    }
}

/* Earlier visits, one dated note each, back in time, until the document
 * reaches the length its recipe asks for. */
static void
fill_dated_notes (Pdf *pdf)
{
  int y, m, d;
  GDate date;

  g_date_clear (&date, 1);
  if (!parse_ymd (pdf->date, &y, &m, &d))
    y = 2025, m = 1, d = 1;
  g_date_set_dmy (&date, d, m, y);
  while (pdf->page < pdf->target_pages)
    {
      g_autofree char *exam = NULL, *conclusion = NULL, *text = NULL;
      char when[16];

      g_date_subtract_days (&date, g_rand_int_range (pdf->rand, 40, 200));
      g_snprintf (when, sizeof when, "%02u/%02u/%04u", g_date_get_day (&date),
                  g_date_get_month (&date), g_date_get_year (&date));
      exam = sandbox_text_paragraph (pdf->rand, TEXT_EXAM, g_rand_int_range (pdf->rand, 1, 3), &pdf->vars);
      conclusion = sandbox_text_paragraph (pdf->rand, TEXT_CONCLUSION, 1, &pdf->vars);
      text = g_strdup_printf ("%s : %s %s", when, exam, conclusion);
      paragraph (pdf, text);
    }
}

static void
body_consultation (Pdf *pdf)
{
  gboolean specialist = json_object_has_member (pdf->recipe, "specialist");

  if (specialist)
    {
      heading (pdf, "Courrier");
      gen_paragraph (pdf, TEXT_SPECIALIST, 3, 5);
    }
  else
    {
      heading (pdf, "Motif de consultation");
      gen_paragraph (pdf, TEXT_MOTIVE, 1, 2);
    }
  heading (pdf, "Antécédents");
  list_or (pdf, get_arr (pdf->recipe, "conditions"), "Pas d'antécédent notable.");
  heading (pdf, "Traitement en cours");
  list_or (pdf, get_arr (pdf->recipe, "treatment"), "Aucun traitement au long cours.");
  heading (pdf, "Examen clinique");
  gen_paragraph (pdf, TEXT_EXAM, 3, 5);
  if (pdf->page < pdf->target_pages)
    {
      heading (pdf, "Consultations antérieures");
      fill_dated_notes (pdf);
    }
  heading (pdf, "Conclusion");
  gen_paragraph (pdf, TEXT_CONCLUSION, 1, 2);
  heading (pdf, "Conduite à tenir");
  gen_paragraph (pdf, TEXT_PLAN, 2, 3);
}

static void
draw_stay_dates (Pdf *pdf)
{
  g_autofree char *start = short_date (get_str (pdf->recipe, "stay_start", NULL));
  g_autofree char *end = short_date (get_str (pdf->recipe, "stay_end", NULL));
  g_autofree char *text = g_strdup_printf ("Hospitalisation en %s du %s au %s. Motif : %s.",
                                           get_str (pdf->recipe, "service", "médecine"), start, end,
                                           get_str (pdf->recipe, "reason", "bilan"));
  paragraph_full (pdf, text, pdf->bold, 9.5, 0, LINE_H);
}

static void
body_discharge (Pdf *pdf)
{
  heading (pdf, "Séjour");
  draw_stay_dates (pdf);
  heading (pdf, "Synthèse du séjour");
  gen_paragraph (pdf, TEXT_DISCHARGE, 3, 4);
  while (pdf->page < pdf->target_pages)
    gen_paragraph (pdf, TEXT_EVOLUTION, 4, 6);
  heading (pdf, "Traitement de sortie");
  list_or (pdf, get_arr (pdf->recipe, "treatment"), "Pas de traitement à la sortie.");
  heading (pdf, "Suivi");
  gen_paragraph (pdf, TEXT_FOLLOW_UP, 2, 3);
}

static void
body_hospital (Pdf *pdf)
{
  GDate start, end;
  int y, m, d, stay_days = 5;

  g_date_clear (&start, 1);
  g_date_clear (&end, 1);
  if (parse_ymd (get_str (pdf->recipe, "stay_start", NULL), &y, &m, &d))
    {
      g_date_set_dmy (&start, d, m, y);
      if (parse_ymd (get_str (pdf->recipe, "stay_end", NULL), &y, &m, &d))
        {
          g_date_set_dmy (&end, d, m, y);
          stay_days = CLAMP (g_date_days_between (&start, &end) + 1, 1, 90);
        }
    }
  else
    g_date_set_dmy (&start, 1, 1, 2025);

  heading (pdf, "Séjour");
  draw_stay_dates (pdf);
  heading (pdf, "Antécédents");
  list_or (pdf, get_arr (pdf->recipe, "conditions"), "Pas d'antécédent notable.");
  heading (pdf, "Mode de vie");
  gen_paragraph (pdf, TEXT_LIFESTYLE, 2, 3);
  heading (pdf, "Histoire de la maladie");
  {
    g_autofree char *intro = sandbox_text_sentence (pdf->rand, TEXT_HISTORY_INTRO, &pdf->vars);
    g_autofree char *rest = sandbox_text_paragraph (pdf->rand, TEXT_HISTORY, g_rand_int_range (pdf->rand, 2, 5),
                                                    &pdf->vars);
    g_autofree char *text = g_strconcat (intro, " ", rest, NULL);
    paragraph (pdf, text);
  }
  heading (pdf, "Examen clinique d'entrée");
  gen_paragraph (pdf, TEXT_EXAM, 4, 6);
  heading (pdf, "Examens complémentaires");
  gen_paragraph (pdf, TEXT_INVESTIGATIONS, 3, 4);
  heading (pdf, "Évolution dans le service");
  for (int day = 1; day <= stay_days; day++)
    {
      g_autofree char *note = sandbox_text_paragraph (pdf->rand, TEXT_EVOLUTION,
                                                      g_rand_int_range (pdf->rand, 2, 5), &pdf->vars);
      g_autofree char *text = g_strdup_printf ("J%d : %s", day, note);
      paragraph (pdf, text);
    }
  /* Long reports carry the stay's blood tests as an annex. */
  for (int k = 0; pdf->page < pdf->target_pages; k++)
    {
      GDate date = start;
      char when[32];

      g_date_add_days (&date, (k / 2) % stay_days);
      g_snprintf (when, sizeof when, "%02u/%02u/%04u%s", g_date_get_day (&date), g_date_get_month (&date),
                  g_date_get_year (&date), k % 2 ? " à 18 h" : " à 7 h");
      if (k == 0)
        {
          pdf->y += 6;
          heading (pdf, "Annexe : résultats biologiques du séjour");
        }
      annex_lab (pdf, when);
    }
  heading (pdf, "Conclusion");
  gen_paragraph (pdf, TEXT_DISCHARGE, 2, 3);
  heading (pdf, "Traitement de sortie");
  list_or (pdf, get_arr (pdf->recipe, "treatment"), "Pas de traitement à la sortie.");
  heading (pdf, "Suivi proposé");
  gen_paragraph (pdf, TEXT_FOLLOW_UP, 2, 4);
}

static void
body_operative (Pdf *pdf)
{
  heading (pdf, "Indication");
  paragraph (pdf, get_str (pdf->recipe, "reason", "Indication opératoire posée en consultation."));
  heading (pdf, "Intervention");
  paragraph (pdf, "Cholécystectomie par voie cœlioscopique. Opérateur : signataire. Anesthésie générale.");
  heading (pdf, "Compte rendu");
  {
    g_autofree char *steps = sandbox_text_all (pdf->rand, TEXT_OPERATIVE, &pdf->vars);
    paragraph (pdf, steps);
  }
  heading (pdf, "Suites et consignes");
  gen_paragraph (pdf, TEXT_POSTOP, 3, 4);
  if (pdf->page < pdf->target_pages)
    {
      heading (pdf, "Suites opératoires");
      for (int day = 1; pdf->page < pdf->target_pages; day++)
        {
          g_autofree char *note = sandbox_text_paragraph (pdf->rand, TEXT_EVOLUTION,
                                                          g_rand_int_range (pdf->rand, 2, 4), &pdf->vars);
          g_autofree char *text = g_strdup_printf ("J%d : %s", day, note);
          paragraph (pdf, text);
        }
    }
}

static void
body_er (Pdf *pdf)
{
  heading (pdf, "Motif de recours");
  paragraph (pdf, get_str (pdf->recipe, "reason", "Consultation non programmée."));
  heading (pdf, "Antécédents");
  list_or (pdf, get_arr (pdf->recipe, "conditions"), "Pas d'antécédent notable.");
  heading (pdf, "Examen clinique");
  gen_paragraph (pdf, TEXT_EXAM, 3, 5);
  heading (pdf, "Prise en charge");
  gen_paragraph (pdf, TEXT_ER_CARE, 3, 4);
  while (pdf->page < pdf->target_pages)
    gen_paragraph (pdf, TEXT_ER_CARE, 3, 5);
  heading (pdf, "Orientation");
  paragraph (pdf, "Retour à domicile. Ordonnance et consignes remises au patient.");
}

static void
body_imaging (Pdf *pdf)
{
  const char *modality = get_str (pdf->recipe, "modality", "CR");
  const char *uid = get_str (pdf->recipe, "study_uid", NULL);
  SandboxTextBank bank = TEXT_IMG_CR;
  const char *technique = "Clichés de face et de profil.";

  if (g_str_equal (modality, "US"))
    bank = TEXT_IMG_US, technique = "Examen réalisé avec une sonde convexe, patient à jeun.";
  else if (g_str_equal (modality, "CT"))
    bank = TEXT_IMG_CT, technique = "Acquisition hélicoïdale après injection de produit de contraste iodé, sans incident.";
  else if (g_str_equal (modality, "MR"))
    bank = TEXT_IMG_MR, technique = "Séquences T1, T2 et FLAIR dans les trois plans, sans injection.";
  else if (g_str_equal (modality, "MG"))
    bank = TEXT_IMG_MG, technique = "Incidences de face et oblique externe bilatérales, complétées par une échographie.";

  heading (pdf, "Examen");
  paragraph_full (pdf, get_str (pdf->recipe, "exam", "Imagerie"), pdf->bold, BODY_SIZE, 0, LINE_H);
  heading (pdf, "Indication");
  paragraph (pdf, get_str (pdf->recipe, "indication", "Bilan."));
  heading (pdf, "Technique");
  paragraph (pdf, technique);
  heading (pdf, "Résultats");
  gen_paragraph (pdf, bank, 3, 4);
  heading (pdf, "Conclusion");
  if (bank == TEXT_IMG_MG)
    paragraph (pdf, "Mammographie normale, classification ACR 1 bilatérale. Prochain dépistage dans deux ans.");
  else
    gen_paragraph (pdf, TEXT_IMG_CONCLUSION, 1, 2);
  if (uid != NULL)
    {
      g_autofree char *text = g_strdup_printf ("Images disponibles sur le réseau d'imagerie — "
                                               "Study Instance UID : %s", uid);
      pdf->y += 8;
      paragraph_full (pdf, text, pdf->italic, 8, 0, 11);
    }
}

static void
body_lab (Pdf *pdf)
{
  JsonArray *rows = get_arr (pdf->recipe, "lab_rows");
  const char *section = NULL;
  g_autofree char *sampled = short_date (pdf->date);
  g_autofree char *intro = g_strdup_printf ("Prélèvement du %s au laboratoire. Dossier n° %s-%06u.",
                                            sampled, get_str (pdf->patient, "ipp", "0"),
                                            (guint) (get_int (pdf->recipe, "seed", 0) % 1000000));

  paragraph_full (pdf, intro, pdf->regular, 9, 0, LINE_H);
  for (guint i = 0; rows != NULL && i < json_array_get_length (rows); i++)
    {
      JsonNode *node = json_array_get_element (rows, i);
      JsonObject *row = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *row_section = get_str (row, "section", "Résultats");

      if (section == NULL || !g_str_equal (section, row_section))
        {
          section = row_section;
          table_header (pdf, section);
        }
      table_row (pdf, get_str (row, "label", ""), get_str (row, "value", ""), get_str (row, "unit", ""),
                 get_str (row, "range", ""), get_str (row, "flag", ""));
    }
  while (pdf->page < pdf->target_pages)
    gen_paragraph (pdf, TEXT_LAB_COMMENT, 3, 5);
  heading (pdf, "Commentaire du biologiste");
  gen_paragraph (pdf, TEXT_LAB_COMMENT, 2, 3);
  paragraph_full (pdf, "Les résultats hors des valeurs de référence sont indiqués en gras.",
                  pdf->italic, 8, 0, 11);
}

static void
body_prescription (Pdf *pdf)
{
  JsonArray *lines = get_arr (pdf->recipe, "medications");
  gboolean any_ald = FALSE;
  gint64 weight = get_int (pdf->recipe, "weight_kg", 0);

  if (weight > 0)
    {
      char text[64];

      g_snprintf (text, sizeof text, "Poids : %" G_GINT64_FORMAT " kg", weight);
      paragraph_full (pdf, text, pdf->regular, 9, 0, LINE_H);
    }
  for (guint i = 0; lines != NULL && i < json_array_get_length (lines); i++)
    {
      JsonObject *line = json_node_get_object (json_array_get_element (lines, i));
      any_ald |= json_object_get_boolean_member_with_default (line, "ald", FALSE);
    }

  /* Bizone layout when part of the treatment belongs to the ALD. */
  for (int zone = any_ald ? 0 : 1; zone < 2; zone++)
    {
      if (any_ald)
        {
          heading (pdf, zone == 0 ? "Prescriptions relatives au traitement de l'affection de longue durée"
                                  : "Prescriptions sans rapport avec l'affection de longue durée");
          if (zone == 0)
            paragraph_full (pdf, "(AFFECTION EXONÉRANTE)", pdf->italic, 8, 0, 11);
          else
            paragraph_full (pdf, "(MALADIES INTERCURRENTES)", pdf->italic, 8, 0, 11);
        }
      else
        pdf->y += 10;
      for (guint i = 0; lines != NULL && i < json_array_get_length (lines); i++)
        {
          JsonObject *line = json_node_get_object (json_array_get_element (lines, i));
          gboolean ald = json_object_get_boolean_member_with_default (line, "ald", FALSE);
          g_autofree char *duration = NULL;
          const char *d = get_str (line, "duration", "");

          if (any_ald && ald != (zone == 0))
            continue;
          duration = g_strdup_printf ("Durée : %s%s", d, g_str_equal (d, "3 mois") ? " — à renouveler une fois" : "");
          need (pdf, 3 * LINE_H + 8);
          pdf->y += 6;
          paragraph_full (pdf, get_str (line, "name", ""), pdf->bold, 10, 0, LINE_H);
          paragraph_full (pdf, get_str (line, "dosage", ""), pdf->serif, 10, 14, LINE_H);
          paragraph_full (pdf, duration, pdf->italic, 9, 14, LINE_H);
        }
      if (zone == 0)
        {
          color (pdf, 0.4, 0.4, 0.4);
          hrule (pdf, pdf->y + 6, 0.5);
          color (pdf, 0, 0, 0);
          pdf->y += 8;
        }
    }
  pdf->y += 6;
  paragraph_full (pdf, "Ordonnance numérique : identifiant unique et QR code transmis à l'Assurance Maladie.",
                  pdf->italic, 8, 0, 11);
}

static void
body_vsm (Pdf *pdf)
{
  heading (pdf, "Pathologies en cours");
  list_or (pdf, get_arr (pdf->recipe, "conditions"), "Aucune pathologie chronique connue.");
  heading (pdf, "Allergies et intolérances");
  paragraph (pdf, "Aucune allergie médicamenteuse connue à ce jour.");
  heading (pdf, "Traitements au long cours");
  list_or (pdf, get_arr (pdf->recipe, "treatment"), "Aucun traitement au long cours.");
  heading (pdf, "Mode de vie et facteurs de risque");
  gen_paragraph (pdf, TEXT_LIFESTYLE, 2, 3);
  heading (pdf, "Vaccinations");
  paragraph (pdf, "Vaccinations à jour selon le calendrier vaccinal en vigueur.");
  heading (pdf, "Points de vigilance");
  gen_paragraph (pdf, TEXT_PLAN, 2, 3);
  if (pdf->page < pdf->target_pages)
    {
      heading (pdf, "Historique des consultations");
      fill_dated_notes (pdf);
    }
}

static void
body_vaccination (Pdf *pdf)
{
  g_autofree char *when = long_date (pdf->date);
  g_autofree char *text = NULL;

  heading (pdf, "Vaccination réalisée");
  paragraph_full (pdf, get_str (pdf->recipe, "vaccine", "Vaccin"), pdf->bold, BODY_SIZE, 0, LINE_H);
  text = g_strdup_printf ("Numéro de lot : %s. Site d'injection : deltoïde %s. Date d'administration : %s.",
                          get_str (pdf->recipe, "lot", "—"),
                          g_rand_boolean (pdf->rand) ? "gauche" : "droit", when);
  paragraph (pdf, text);
  heading (pdf, "Surveillance");
  paragraph (pdf, "Surveillance de quinze minutes après l'injection sans réaction immédiate. "
                  "Informations données sur les effets indésirables possibles (douleur au point d'injection, fébricule).");
}

static void
body_certificate (Pdf *pdf)
{
  g_autofree char *when = long_date (pdf->date);
  g_autofree char *birth = short_date (get_str (pdf->patient, "birth_date", ""));
  gboolean female = g_strcmp0 (get_str (pdf->patient, "sex", ""), "F") == 0;
  g_autofree char *text = NULL;

  pdf->y += 10;
  text = g_strdup_printf ("Je soussigné(e), %s, certifie avoir examiné ce jour, %s, %s, %s le %s.",
                          get_str (pdf->author, "name", ""), when, pdf->patient_name,
                          female ? "née" : "né", birth);
  paragraph (pdf, text);
  if (strstr (pdf->title, "sport") != NULL)
    paragraph (pdf, "L'examen clinique ne révèle pas de contre-indication apparente à la pratique "
                    "du sport, y compris en compétition.");
  else
    paragraph (pdf, "Son état de santé justifie une dispense d'activité pendant sept jours à compter de ce jour.");
  paragraph (pdf, "Certificat établi à la demande de l'intéressé(e) et remis en main propre pour faire valoir ce que de droit.");
}

/* ----------------------------------------------------------------------- */
/* Passes                                                                  */
/* ----------------------------------------------------------------------- */

static void
layout (Pdf *pdf)
{
  guint32 seed = (guint32) get_int (pdf->recipe, "seed", 1);

  pdf->rand = g_rand_new_with_seed (seed);
  pdf->page = 0;
  begin_page (pdf);
  draw_title_block (pdf);
  draw_patient_block (pdf);

  if (g_str_equal (pdf->kind, "consultation"))
    body_consultation (pdf);
  else if (g_str_equal (pdf->kind, "discharge"))
    body_discharge (pdf);
  else if (g_str_equal (pdf->kind, "hospital"))
    body_hospital (pdf);
  else if (g_str_equal (pdf->kind, "operative"))
    body_operative (pdf);
  else if (g_str_equal (pdf->kind, "er"))
    body_er (pdf);
  else if (g_str_equal (pdf->kind, "imaging"))
    body_imaging (pdf);
  else if (g_str_equal (pdf->kind, "lab"))
    body_lab (pdf);
  else if (g_str_equal (pdf->kind, "prescription"))
    body_prescription (pdf);
  else if (g_str_equal (pdf->kind, "vsm"))
    body_vsm (pdf);
  else if (g_str_equal (pdf->kind, "vaccination"))
    body_vaccination (pdf);
  else if (g_str_equal (pdf->kind, "certificate"))
    body_certificate (pdf);
  else
    body_consultation (pdf);

  draw_signature (pdf);
  g_clear_pointer (&pdf->rand, g_rand_free);
}

static cairo_status_t
write_bytes (void                *closure,
             const unsigned char *data,
             unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static void
pdf_init (Pdf        *pdf,
          JsonObject *recipe)
{
  JsonObject *p;
  g_autofree char *family_upper = NULL, *given = NULL, *first = NULL;
  gboolean female;

  pdf->recipe = recipe;
  pdf->kind = get_str (recipe, "kind", "consultation");
  pdf->title = get_str (recipe, "title", "Document médical");
  pdf->type_display = get_str (recipe, "type_display", pdf->title);
  pdf->date = get_str (recipe, "date", "2025-01-01");
  pdf->org = get_obj (recipe, "organization");
  pdf->author = get_obj (recipe, "author");
  pdf->patient = p = get_obj (recipe, "patient");
  pdf->target_pages = CLAMP (get_int (recipe, "n_pages", 1), 1, 30);

  female = g_strcmp0 (get_str (p, "sex", ""), "F") == 0;
  family_upper = g_utf8_strup (get_str (p, "family", ""), -1);
  given = given_names (p, FALSE);
  first = given_names (p, TRUE);
  if (g_strcmp0 (get_str (p, "family", ""), get_str (p, "birth_family", "")) != 0)
    {
      g_autofree char *birth_upper = g_utf8_strup (get_str (p, "birth_family", ""), -1);
      pdf->patient_name = g_strdup_printf ("%s %s %s, née %s", female ? "Mme" : "M.", family_upper, given, birth_upper);
    }
  else
    pdf->patient_name = g_strdup_printf ("%s %s %s", female ? "Mme" : "M.", family_upper, given);
  pdf->patient_short = g_strdup_printf ("%s %s", female ? "Mme" : "M.", get_str (p, "family", ""));
  {
    g_autofree char *birth = short_date (get_str (p, "birth_date", ""));
    pdf->running = g_strdup_printf ("%s %s %s — %s", female ? "Mme" : "M.", family_upper, first, birth);
  }
  pdf->vars.patient = pdf->patient_short;
  pdf->vars.female = female;
  pdf->vars.age = age_at (get_str (p, "birth_date", ""), pdf->date);
  pdf->vars.reason = get_str (recipe, "reason", NULL);
  if (pdf->vars.reason == NULL)
    {
      JsonArray *conditions = get_arr (recipe, "conditions");

      if (conditions != NULL && json_array_get_length (conditions) > 0)
        pdf->vars.reason = arr_str (conditions, 0);
    }

  pdf->regular = cairo_toy_font_face_create ("DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  pdf->bold = cairo_toy_font_face_create ("DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  pdf->italic = cairo_toy_font_face_create ("DejaVu Sans", CAIRO_FONT_SLANT_ITALIC, CAIRO_FONT_WEIGHT_NORMAL);
  pdf->serif = cairo_toy_font_face_create ("DejaVu Serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
}

static void
pdf_clear (Pdf *pdf)
{
  g_clear_pointer (&pdf->regular, cairo_font_face_destroy);
  g_clear_pointer (&pdf->bold, cairo_font_face_destroy);
  g_clear_pointer (&pdf->italic, cairo_font_face_destroy);
  g_clear_pointer (&pdf->serif, cairo_font_face_destroy);
  g_clear_pointer (&pdf->patient_name, g_free);
  g_clear_pointer (&pdf->patient_short, g_free);
  g_clear_pointer (&pdf->running, g_free);
}

GBytes *
sandbox_pdf_render (JsonObject  *recipe,
                    GError     **error)
{
  Pdf pdf = { 0 };
  GByteArray *out;
  cairo_surface_t *surface;
  cairo_status_t status;
  char created[32];
  const char *date;

  g_return_val_if_fail (recipe != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  pdf_init (&pdf, recipe);
  out = g_byte_array_sized_new (16 * 1024);
  surface = cairo_pdf_surface_create_for_stream (write_bytes, out, PAGE_W, PAGE_H);

  /* A fixed creation date (the document's own) keeps the bytes stable. */
  date = pdf.date;
  g_strlcpy (created, date, sizeof created);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATE_DATE, created);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_MOD_DATE, created);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, pdf.title);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_AUTHOR, get_str (pdf.author, "name", ""));
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "cabinet-sandbox");
  pdf.cr = cairo_create (surface);

  /* Measure, then draw knowing the page count. */
  pdf.draw = FALSE;
  layout (&pdf);
  pdf.n_pages = pdf.page;
  pdf.draw = TRUE;
  layout (&pdf);
  g_assert (pdf.page == pdf.n_pages);

  cairo_destroy (pdf.cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  pdf_clear (&pdf);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not draw the PDF: %s",
                   cairo_status_to_string (status));
      g_byte_array_unref (out);
      return NULL;
    }
  return g_byte_array_free_to_bytes (out);
}
