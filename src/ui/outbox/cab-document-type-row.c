/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-document-type-row"

#include "config.h"

#include <glib/gi18n.h>

#include "cab-document-type-row.h"

struct _CabDocumentTypeRow
{
  AdwComboRow parent_instance;
};

G_DEFINE_FINAL_TYPE (CabDocumentTypeRow, cab_document_type_row, ADW_TYPE_COMBO_ROW)

static void
cab_document_type_row_class_init (CabDocumentTypeRowClass *klass)
{
}

static void
cab_document_type_row_init (CabDocumentTypeRow *self)
{
  const CabDocumentType *types = cab_document_types ();
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  for (guint i = 0; types[i].code != NULL; i++)
    gtk_string_list_append (names, types[i].display);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), _("T_ype"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (self), TRUE);
  adw_combo_row_set_model (ADW_COMBO_ROW (self), G_LIST_MODEL (names));
  /* The names are long: below the title rather than cut beside it. */
  adw_combo_row_set_use_subtitle (ADW_COMBO_ROW (self), TRUE);
}

GtkWidget *
cab_document_type_row_new (void)
{
  return g_object_new (CAB_TYPE_DOCUMENT_TYPE_ROW, NULL);
}

void
cab_document_type_row_set_code (AdwComboRow *row,
                                const char  *type_code)
{
  const CabDocumentType *types = cab_document_types ();

  g_return_if_fail (ADW_IS_COMBO_ROW (row));

  for (guint i = 0; types[i].code != NULL; i++)
    if (g_strcmp0 (types[i].code, type_code) == 0)
      {
        adw_combo_row_set_selected (row, i);
        return;
      }
}

const char *
cab_document_type_row_get_code (AdwComboRow *row)
{
  const CabDocumentType *types = cab_document_types ();
  guint selected;
  guint n = 0;

  g_return_val_if_fail (ADW_IS_COMBO_ROW (row), NULL);

  while (types[n].code != NULL)
    n++;
  selected = adw_combo_row_get_selected (row);

  return selected < n ? types[selected].code : NULL;
}
