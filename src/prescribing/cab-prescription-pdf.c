/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-prescribing"

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include "cab-prescription-id.h"
#include "cab-prescription-pdf.h"

/* A4 in points, margins of 15 mm. */
#define PAGE_WIDTH   595.276
#define PAGE_HEIGHT  841.890
#define MARGIN       42.5
#define CONTENT_WIDTH (PAGE_WIDTH - 2 * MARGIN)
#define QR_SIZE      88.0
#define FOOTER_HEIGHT 118.0
#define FONT_FAMILY  "DejaVu Sans"

/* The official wording of the bizone form's two zones (Cerfa 12541). */
#define ZONE_ALD_TITLE \
  "Prescriptions relatives au traitement de l’affection de longue durée reconnue (liste ou hors liste)"
#define ZONE_ALD_SUBTITLE "(AFFECTION EXONÉRANTE)"
#define ZONE_OTHER_TITLE "Prescriptions SANS RAPPORT avec l’affection de longue durée"
#define ZONE_OTHER_SUBTITLE "(MALADIES INTERCURRENTES)"

typedef struct
{
  const CabPrescriptionPrint *print;
  cairo_t     *cr;
  double       y;
  guint        page;
  char        *id_display;
} Painter;

static const char * const months[] = {
  "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
  "septembre", "octobre", "novembre", "décembre",
};

char *
cab_prescription_format_date_long (const char *date)
{
  int y, m, d;

  if (date == NULL || strlen (date) < 10)
    return g_strdup (date != NULL ? date : "");
  y = atoi (date);
  m = atoi (date + 5);
  d = atoi (date + 8);
  if (m < 1 || m > 12 || d < 1 || d > 31)
    return g_strdup (date);
  return g_strdup_printf ("%d%s %s %d", d, d == 1 ? "er" : "", months[m - 1], y);
}

/* "07/03/1980", partial dates kept partial. */
static char *
format_date_short (const char *date)
{
  gsize len = date != NULL ? strlen (date) : 0;

  if (len == 10)
    return g_strdup_printf ("%.2s/%.2s/%.4s", date + 8, date + 5, date);
  if (len == 7)
    return g_strdup_printf ("%.2s/%.4s", date + 5, date);
  return g_strdup (date != NULL ? date : "");
}

/* ------------------------------------------------------------------ text */

static PangoLayout *
layout_new (Painter    *p,
            const char *font,
            double      width)
{
  PangoLayout *layout = pango_cairo_create_layout (p->cr);
  g_autofree char *desc_text = g_strconcat (FONT_FAMILY " ", font, NULL);
  PangoFontDescription *desc = pango_font_description_from_string (desc_text);

  /* Sizes in points, as on paper (pango's default is 96 dpi). */
  pango_cairo_context_set_resolution (pango_layout_get_context (layout), 72);
  pango_layout_context_changed (layout);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  /* A negative width: one line, never wrapped (identifiers). */
  pango_layout_set_width (layout, width > 0 ? (int) (width * PANGO_SCALE) : -1);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  return layout;
}

/* Draws @text at (@x, @y) within @width; returns its height. */
static double
draw_text (Painter        *p,
           double          x,
           double          y,
           double          width,
           const char     *font,
           PangoAlignment  align,
           const char     *text)
{
  g_autoptr(PangoLayout) layout = layout_new (p, font, width);
  int w, h;

  pango_layout_set_alignment (layout, align);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_size (layout, &w, &h);
  cairo_move_to (p->cr, x, y);
  pango_cairo_show_layout (p->cr, layout);
  return (double) h / PANGO_SCALE;
}

/* One unwrapped line ending at @right. */
static void
draw_text_right (Painter    *p,
                 double      right,
                 double      y,
                 const char *font,
                 const char *text)
{
  g_autoptr(PangoLayout) layout = layout_new (p, font, -1);
  int w, h;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_size (layout, &w, &h);
  cairo_move_to (p->cr, right - (double) w / PANGO_SCALE, y);
  pango_cairo_show_layout (p->cr, layout);
}

static double
measure_text (Painter    *p,
              double      width,
              const char *font,
              const char *text)
{
  g_autoptr(PangoLayout) layout = layout_new (p, font, width);
  int w, h;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_size (layout, &w, &h);
  return (double) h / PANGO_SCALE;
}

/* ---------------------------------------------------------------- QR code */

static gboolean
draw_qr (cairo_t    *cr,
         const char *text,
         double      x,
         double      y,
         double      size,
         GError    **error)
{
  QRcode *qr = QRcode_encodeString (text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  double module;

  if (qr == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Cannot make the QR code: %s", g_strerror (errno));
      return FALSE;
    }
  /* A quiet zone of four modules on each side, as the standard wants. */
  module = size / (qr->width + 8);
  cairo_save (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, x, y, size, size);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  for (int row = 0; row < qr->width; row++)
    for (int col = 0; col < qr->width; col++)
      if (qr->data[row * qr->width + col] & 1)
        cairo_rectangle (cr, x + (col + 4) * module, y + (row + 4) * module, module, module);
  cairo_fill (cr);
  cairo_restore (cr);
  QRcode_free (qr);
  return TRUE;
}

/* ----------------------------------------------------------------- blocks */

static void
hline (Painter *p,
       double   y,
       double   width)
{
  cairo_save (p->cr);
  cairo_set_line_width (p->cr, width);
  cairo_move_to (p->cr, MARGIN, y);
  cairo_line_to (p->cr, PAGE_WIDTH - MARGIN, y);
  cairo_stroke (p->cr);
  cairo_restore (p->cr);
}

static gboolean
draw_header (Painter  *p,
             GError  **error)
{
  const CabPrescriptionPrint *print = p->print;
  const CabPrescriber *pr = print->prescriber;
  double text_width = CONTENT_WIDTH - QR_SIZE - 20;
  double y = MARGIN;
  g_autoptr(GString) details = g_string_new (NULL);
  g_autofree char *date = cab_prescription_format_date_long (print->rx->date);
  g_autofree char *dated = NULL;
  g_autofree char *number = g_strconcat ("N° ", p->id_display, NULL);

  y += draw_text (p, MARGIN, y, text_width, "Bold 14", PANGO_ALIGN_LEFT,
                  pr->display_name != NULL ? pr->display_name : "");
  if (pr->specialty != NULL)
    g_string_append_printf (details, "%s\n", pr->specialty);
  if (pr->rpps != NULL)
    g_string_append_printf (details, "N° RPPS : %s\n", pr->rpps);
  if (pr->practice_name != NULL)
    g_string_append_printf (details, "%s\n", pr->practice_name);
  if (pr->address != NULL)
    g_string_append_printf (details, "%s\n", pr->address);
  if (pr->phone != NULL)
    g_string_append_printf (details, "Tél. : %s\n", pr->phone);
  if (details->len > 0 && details->str[details->len - 1] == '\n')
    g_string_truncate (details, details->len - 1);
  y += 2 + draw_text (p, MARGIN, y + 2, text_width, "10", PANGO_ALIGN_LEFT, details->str);

  /* The identifier, scanned by the pharmacist, and in clear beneath. */
  if (!draw_qr (p->cr, print->rx->id, PAGE_WIDTH - MARGIN - QR_SIZE, MARGIN - 6, QR_SIZE, error))
    return FALSE;
  draw_text (p, PAGE_WIDTH - MARGIN - QR_SIZE - 60, MARGIN - 4 + QR_SIZE, QR_SIZE + 60,
             "9", PANGO_ALIGN_RIGHT, "Ordonnance numérique");
  draw_text_right (p, PAGE_WIDTH - MARGIN, MARGIN + 7 + QR_SIZE, "Mono Bold 9", number);

  y = MAX (y, MARGIN + QR_SIZE + 20) + 10;
  dated = g_strconcat ("Le ", date, NULL);
  y += draw_text (p, MARGIN, y, CONTENT_WIDTH, "11", PANGO_ALIGN_RIGHT, dated) + 10;
  p->y = y;
  return TRUE;
}

static const char *
sex_label (const char *gender)
{
  if (g_strcmp0 (gender, "female") == 0)
    return "F";
  if (g_strcmp0 (gender, "male") == 0)
    return "M";
  return "Indéterminé";
}

static void
draw_patient (Painter *p)
{
  const CabPatient *pat = p->print->patient;
  const CabPrescription *rx = p->print->rx;
  g_autofree char *family = g_utf8_strup (pat->family != NULL ? pat->family : "", -1);
  g_autofree char *birth = format_date_short (pat->birth_date);
  g_autoptr(GString) name = g_string_new (family);
  g_autoptr(GString) facts = g_string_new (NULL);
  double top = p->y, h;

  if (pat->birth_name != NULL && g_strcmp0 (pat->birth_name, pat->family) != 0)
    {
      g_autofree char *birth_name = g_utf8_strup (pat->birth_name, -1);
      g_string_append_printf (name, " (%s %s)", g_strcmp0 (pat->sex, "female") == 0 ? "née" : "né",
                              birth_name);
    }
  if (pat->given != NULL)
    g_string_append_printf (name, " %s", pat->given);

  g_string_append_printf (facts, "Sexe : %s", sex_label (pat->sex));
  if (pat->birth_date != NULL)
    g_string_append_printf (facts, "     Date de naissance : %s", birth);
  if (rx->weight_kg > 0)
    {
      char kg[G_ASCII_DTOSTR_BUF_SIZE];
      g_autofree char *text = NULL;

      g_ascii_formatd (kg, sizeof kg, "%.1f", rx->weight_kg);
      text = g_strdup (kg);
      /* French decimal comma, no ",0". */
      if (g_str_has_suffix (text, ".0"))
        text[strlen (text) - 2] = '\0';
      g_strdelimit (text, ".", ',');
      g_string_append_printf (facts, "     Poids : %s kg", text);
    }

  h = 8;
  h += draw_text (p, MARGIN + 10, top + h, CONTENT_WIDTH - 20, "Bold 13", PANGO_ALIGN_LEFT, name->str);
  h += 2 + draw_text (p, MARGIN + 10, top + h + 2, CONTENT_WIDTH - 20, "10.5", PANGO_ALIGN_LEFT, facts->str);
  h += 8;
  cairo_save (p->cr);
  cairo_set_line_width (p->cr, 0.8);
  cairo_rectangle (p->cr, MARGIN, top, CONTENT_WIDTH, h);
  cairo_stroke (p->cr);
  cairo_restore (p->cr);
  p->y = top + h + 18;
}

/* The text of one line: name, then its details in smaller type. */
static char *
line_details (const CabPrescriptionLine *line)
{
  g_autofree char *dosage = cab_dosage_to_french (&line->dosage);
  GString *s = g_string_new (dosage);

  if (line->quantity != NULL)
    g_string_append_printf (s, "\nQuantité à délivrer : %s", line->quantity);
  if (line->renewals == 1)
    g_string_append (s, "\nÀ renouveler 1 fois");
  else if (line->renewals > 1)
    g_string_append_printf (s, "\nÀ renouveler %u fois", line->renewals);
  return g_string_free (s, FALSE);
}

static double
line_height (Painter                   *p,
             const CabPrescriptionLine *line)
{
  g_autofree char *label = cab_prescription_line_label (line);
  g_autofree char *details = line_details (line);

  return measure_text (p, CONTENT_WIDTH - 24, "Bold 12", label) +
         measure_text (p, CONTENT_WIDTH - 24, "11", details) +
         (line->non_substitutable != CAB_NON_SUBSTITUTABLE_NONE ? 14 : 0) + 14;
}

static gboolean draw_footer (Painter *p, GError **error);

/* A new page when @needed does not fit above the footer. */
static gboolean
ensure_room (Painter  *p,
             double    needed,
             GError  **error)
{
  g_autofree char *header = NULL;

  if (p->y + needed <= PAGE_HEIGHT - MARGIN - FOOTER_HEIGHT)
    return TRUE;
  if (!draw_footer (p, error))
    return FALSE;
  cairo_show_page (p->cr);
  p->page++;
  header = g_strdup_printf ("Ordonnance N° %s — suite (page %u)", p->id_display, p->page);
  p->y = MARGIN;
  p->y += draw_text (p, MARGIN, p->y, CONTENT_WIDTH, "9", PANGO_ALIGN_LEFT, header) + 16;
  return TRUE;
}

static gboolean
draw_line (Painter                   *p,
           guint                      number,
           const CabPrescriptionLine *line,
           GError                   **error)
{
  g_autofree char *label = cab_prescription_line_label (line);
  g_autofree char *details = line_details (line);
  g_autofree char *index = g_strdup_printf ("%u.", number);

  if (!ensure_room (p, line_height (p, line), error))
    return FALSE;
  draw_text (p, MARGIN, p->y, 20, "Bold 12", PANGO_ALIGN_LEFT, index);
  p->y += draw_text (p, MARGIN + 20, p->y, CONTENT_WIDTH - 24, "Bold 12", PANGO_ALIGN_LEFT, label);
  if (line->non_substitutable != CAB_NON_SUBSTITUTABLE_NONE)
    {
      g_autofree char *ns = g_strdup_printf ("Non substituable (%s)",
                                             cab_non_substitutable_to_string (line->non_substitutable));
      p->y += draw_text (p, MARGIN + 20, p->y + 1, CONTENT_WIDTH - 24, "Bold Italic 10.5",
                         PANGO_ALIGN_LEFT, ns) + 1;
    }
  p->y += draw_text (p, MARGIN + 20, p->y + 1, CONTENT_WIDTH - 24, "11", PANGO_ALIGN_LEFT, details) + 14;
  return TRUE;
}

static gboolean
draw_zone_heading (Painter    *p,
                   const char *title,
                   const char *subtitle,
                   GError    **error)
{
  if (!ensure_room (p, 80, error))
    return FALSE;
  hline (p, p->y, 1.2);
  p->y += 6;
  p->y += draw_text (p, MARGIN, p->y, CONTENT_WIDTH, "Bold 10", PANGO_ALIGN_CENTER, title);
  p->y += draw_text (p, MARGIN, p->y, CONTENT_WIDTH, "Bold 9.5", PANGO_ALIGN_CENTER, subtitle) + 6;
  hline (p, p->y, 0.6);
  p->y += 14;
  return TRUE;
}

static gboolean
draw_lines (Painter  *p,
            gboolean  ald,
            guint    *number,
            GError  **error)
{
  const GPtrArray *lines = p->print->rx->lines;
  gboolean any = FALSE;

  for (guint i = 0; i < lines->len; i++)
    {
      const CabPrescriptionLine *line = g_ptr_array_index (lines, i);

      if (p->print->bizone && line->ald != ald)
        continue;
      any = TRUE;
      if (!draw_line (p, ++*number, line, error))
        return FALSE;
    }
  if (!any)
    p->y += draw_text (p, MARGIN + 20, p->y, CONTENT_WIDTH - 24, "Italic 10.5", PANGO_ALIGN_LEFT, "Néant") + 14;
  return TRUE;
}

static gboolean
draw_footer (Painter  *p,
             GError  **error)
{
  double top = PAGE_HEIGHT - MARGIN - FOOTER_HEIGHT + 10;
  double sign_width = 200;
  g_autoptr(GString) notice = g_string_new (NULL);

  /* Signature area, bottom right. */
  cairo_save (p->cr);
  cairo_set_line_width (p->cr, 0.6);
  cairo_set_source_rgb (p->cr, 0.35, 0.35, 0.35);
  cairo_rectangle (p->cr, PAGE_WIDTH - MARGIN - sign_width, top, sign_width, 72);
  cairo_stroke (p->cr);
  cairo_restore (p->cr);
  draw_text (p, PAGE_WIDTH - MARGIN - sign_width + 6, top + 4, sign_width - 12, "9",
             PANGO_ALIGN_LEFT, "Signature du prescripteur");

  draw_text (p, MARGIN, top + 4, CONTENT_WIDTH - sign_width - 16, "Bold 9", PANGO_ALIGN_LEFT,
             "Ordonnance numérique");
  {
    g_autofree char *number = g_strconcat ("N° ", p->id_display, NULL);
    g_autoptr(PangoLayout) layout = layout_new (p, "Mono 9", -1);

    pango_layout_set_text (layout, number, -1);
    cairo_move_to (p->cr, MARGIN, top + 17);
    pango_cairo_show_layout (p->cr, layout);
  }
  if (p->print->pending_registration)
    g_string_append (notice, "Enregistrement en attente : cette ordonnance sera enregistrée auprès "
                             "du service de l’ordonnance numérique dès le retour de la connexion. "
                             "Elle est valable dès maintenant.");
  else
    g_string_append (notice, "Le pharmacien retrouve cette ordonnance en scannant le QR code.");
  draw_text (p, MARGIN, top + 32, CONTENT_WIDTH - sign_width - 16, "8.5", PANGO_ALIGN_LEFT, notice->str);
  (void) error;
  return TRUE;
}

static gboolean
paint (Painter  *p,
       GError  **error)
{
  guint number = 0;

  if (!draw_header (p, error))
    return FALSE;
  draw_patient (p);

  if (p->print->bizone)
    {
      if (!draw_zone_heading (p, ZONE_ALD_TITLE, ZONE_ALD_SUBTITLE, error) ||
          !draw_lines (p, TRUE, &number, error) ||
          !draw_zone_heading (p, ZONE_OTHER_TITLE, ZONE_OTHER_SUBTITLE, error) ||
          !draw_lines (p, FALSE, &number, error))
        return FALSE;
    }
  else if (!draw_lines (p, FALSE, &number, error))
    return FALSE;

  if (!draw_footer (p, error))
    return FALSE;
  cairo_show_page (p->cr);
  return TRUE;
}

static cairo_status_t
append_bytes (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

GBytes *
cab_prescription_pdf_render (const CabPrescriptionPrint *print,
                             GError                    **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autofree char *title = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  Painter p = { 0 };
  gboolean ok;

  g_return_val_if_fail (print != NULL && print->rx != NULL && print->prescriber != NULL &&
                        print->patient != NULL, NULL);
  g_return_val_if_fail (cab_prescription_id_is_valid (print->rx->id), NULL);

  surface = cairo_pdf_surface_create_for_stream (append_bytes, out, PAGE_WIDTH, PAGE_HEIGHT);
  title = g_strconcat ("Ordonnance ", print->rx->id, NULL);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, title);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Cabinet");
  p.print = print;
  p.cr = cairo_create (surface);
  p.page = 1;
  p.id_display = cab_prescription_id_format (print->rx->id);
  cairo_set_source_rgb (p.cr, 0, 0, 0);

  ok = paint (&p, error);
  cairo_destroy (p.cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  g_free (p.id_display);
  if (!ok)
    return NULL;
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot draw the prescription: %s",
                   cairo_status_to_string (status));
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

gboolean
cab_prescription_pdf_write (const CabPrescriptionPrint *print,
                            const char                 *path,
                            GError                    **error)
{
  g_autoptr(GBytes) bytes = cab_prescription_pdf_render (print, error);

  if (bytes == NULL)
    return FALSE;
  /* Health data: private to the user from the first byte (docs/architecture.md,
   * "Rules for hostile input", rule 8). */
  return g_file_set_contents_full (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}
