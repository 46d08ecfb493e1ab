/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-prescription-warning"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "cab-prescription-line-row.h"
#include "cab-prescription-warning.h"

static const char *level_classes[] = { "cab-interaction-ci", "cab-interaction-ad", "cab-interaction-pe", "cab-interaction-pc" };

/* "line 2", or NULL when @cis is not a line. */
static char *
line_name (GPtrArray  *lines,
           const char *cis)
{
  for (guint i = 0; lines != NULL && i < lines->len; i++)
    if (g_strcmp0 (cab_prescription_line_row_get_line (g_ptr_array_index (lines, i))->medicine.cis, cis) == 0)
      return g_strdup_printf (_("line %u"), i + 1);
  return NULL;
}

static GtkWidget *
label_new (const char *text,
           const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

/* A row: icon, a badge with the level's code and name, a title, then
 * the text lines. */
static GtkWidget *
warning_row (const char  *css_class,
             const char  *icon_name,
             const char  *badge,
             const char  *level_name,
             const char  *title,
             const char **texts)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *icon = gtk_image_new_from_icon_name (icon_name);
  GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GString *all = g_string_new (NULL);
  GtkWidget *label;

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_add_css_class (row, "cab-prescription-warning");
  gtk_widget_add_css_class (row, css_class);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_widget_add_css_class (icon, "cab-warning-icon");
  gtk_box_append (GTK_BOX (box), icon);
  gtk_widget_set_hexpand (column, TRUE);
  gtk_box_append (GTK_BOX (box), column);
  gtk_box_append (GTK_BOX (column), top);

  label = gtk_label_new (badge);
  gtk_widget_add_css_class (label, "cab-warning-badge");
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (top), label);
  label = label_new (level_name, "cab-warning-level");
  gtk_box_append (GTK_BOX (top), label);
  g_string_append_printf (all, "%s — %s: ", badge, level_name);

  label = label_new (title, "heading");
  gtk_box_append (GTK_BOX (column), label);
  g_string_append (all, title);

  for (guint i = 0; texts != NULL && texts[i] != NULL; i++)
    {
      if (*texts[i] == '\0')
        continue;
      label = label_new (texts[i], i > 0 ? "dim-label" : NULL);
      gtk_box_append (GTK_BOX (column), label);
      g_string_append_printf (all, "\n%s", texts[i]);
    }

  g_object_set_data_full (G_OBJECT (row), "cab-warning-text", g_string_free (all, FALSE), g_free);
  return row;
}

/* The thesaurus often writes its level's name then the conduct as the
 * description ("Precaution d'emploi Ne pas utiliser…"), and the conduct
 * again on its own: the badge already says the level, so such a
 * description is not shown twice. NULL when nothing is left of it. */
static char *
description_beyond_conduct (const CabDrugInteraction *x)
{
  static const char * const level_words[] = {
    "CONTRE-INDICATION", "Association DECONSEILLEE", "Precaution d'emploi", "A prendre en compte",
  };
  g_autofree char *rest = NULL;

  if (x->description == NULL)
    return NULL;
  if (x->conduct == NULL || !g_str_has_suffix (x->description, x->conduct))
    return g_strdup (x->description);
  rest = g_strstrip (g_strndup (x->description, strlen (x->description) - strlen (x->conduct)));
  for (guint i = 0; i < G_N_ELEMENTS (level_words); i++)
    if (g_ascii_strcasecmp (rest, level_words[i]) == 0)
      return NULL;
  return *rest != '\0' ? g_steal_pointer (&rest) : NULL;
}

GtkWidget *
cab_prescription_warning_new_interaction (const CabDrugInteraction *x,
                                          GPtrArray                *lines)
{
  g_autofree char *where_a = line_name (lines, x->cis_a);
  g_autofree char *where_b = x->b_is_current ? g_strdup (_("current treatment")) : line_name (lines, x->cis_b);
  g_autofree char *title = NULL;
  g_autofree char *conduct = NULL;
  g_autofree char *description = description_beyond_conduct (x);
  const char *texts[4] = { NULL, NULL, NULL, NULL };
  guint level = MIN ((guint) x->level, G_N_ELEMENTS (level_classes) - 1);
  guint n = 0;

  /* "A (line 1) + B (current treatment)"; the thesaurus's name when it
   * matched through a class ("AINS"). */
  title = g_strdup_printf ("%s%s%s%s%s + %s%s%s%s%s",
                           x->substance_a,
                           g_strcmp0 (x->protagonist_a, x->substance_a) != 0 && x->protagonist_a != NULL ? " / " : "",
                           g_strcmp0 (x->protagonist_a, x->substance_a) != 0 && x->protagonist_a != NULL ? x->protagonist_a : "",
                           where_a != NULL ? " — " : "", where_a != NULL ? where_a : "",
                           x->substance_b,
                           g_strcmp0 (x->protagonist_b, x->substance_b) != 0 && x->protagonist_b != NULL ? " / " : "",
                           g_strcmp0 (x->protagonist_b, x->substance_b) != 0 && x->protagonist_b != NULL ? x->protagonist_b : "",
                           where_b != NULL ? " — " : "", where_b != NULL ? where_b : "");
  if (description != NULL)
    texts[n++] = description;
  if (x->conduct != NULL)
    texts[n++] = conduct = g_strdup_printf (_("Conduct: %s"), x->conduct);
  if (x->mechanism != NULL)
    texts[n++] = x->mechanism;

  return warning_row (level_classes[level],
                      level <= CAB_INTERACTION_AD ? "dialog-warning-symbolic" : "dialog-information-symbolic",
                      cab_interaction_level_to_code (x->level),
                      cab_interaction_level_to_label (x->level),
                      title, texts);
}

GtkWidget *
cab_prescription_warning_new_allergy (const CabDrugAllergyMatch *match,
                                      GPtrArray                 *lines)
{
  const CabAllergy *a = match->allergy;
  g_autofree char *where = line_name (lines, match->cis);
  g_autofree char *title = NULL;
  g_autofree char *recorded = NULL;
  const char *texts[2] = { NULL, NULL };
  gboolean intolerance = g_strcmp0 (a->type, "intolerance") == 0;

  title = g_strdup_printf ("%s%s%s", match->substance, where != NULL ? " — " : "", where != NULL ? where : "");
  if (g_strcmp0 (a->criticality, "high") == 0)
    recorded = g_strdup_printf (intolerance ? _("Recorded intolerance to %s, high criticality.")
                                            : _("Recorded allergy to %s, high criticality."),
                                a->substance != NULL ? a->substance : "?");
  else
    recorded = g_strdup_printf (intolerance ? _("Recorded intolerance to %s.") : _("Recorded allergy to %s."),
                                a->substance != NULL ? a->substance : "?");
  texts[0] = recorded;

  return warning_row ("cab-allergy", "dialog-error-symbolic", _("ALLERGY"),
                      intolerance ? _("Intolerance") : _("Allergy"), title, texts);
}

GtkWidget *
cab_prescription_warning_new_unchecked (const CabDrugUnchecked *unchecked,
                                        GPtrArray              *lines)
{
  g_autofree char *where = line_name (lines, unchecked->cis);
  g_autofree char *title = g_strdup_printf (_("Not checked for interactions — %s"),
                                            where != NULL ? where : unchecked->cis);
  const char *texts[2] = { unchecked->reason, NULL };

  return warning_row ("cab-unchecked", "dialog-question-symbolic", "?", _("Unchecked"), title, texts);
}

char *
cab_prescription_warning_dup_text (GtkListBoxRow *row)
{
  return g_strdup (g_object_get_data (G_OBJECT (row), "cab-warning-text"));
}
