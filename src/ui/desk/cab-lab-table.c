/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-lab-table"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "cab-document-queries.h"
#include "cab-lab-table.h"
#include "cab-query.h"

/* ---------------------------------------------------------------------- */
/* one row                                                                */

#define CAB_TYPE_LAB_ITEM (cab_lab_item_get_type ())
G_DECLARE_FINAL_TYPE (CabLabItem, cab_lab_item, CAB, LAB_ITEM, GObject)

struct _CabLabItem
{
  GObject   parent_instance;

  char     *analysis;
  char     *value;
  char     *unit;
  char     *range;
  gboolean  abnormal;
};

G_DEFINE_FINAL_TYPE (CabLabItem, cab_lab_item, G_TYPE_OBJECT)

static void
cab_lab_item_finalize (GObject *object)
{
  CabLabItem *self = CAB_LAB_ITEM (object);

  g_free (self->analysis);
  g_free (self->value);
  g_free (self->unit);
  g_free (self->range);

  G_OBJECT_CLASS (cab_lab_item_parent_class)->finalize (object);
}

static void
cab_lab_item_class_init (CabLabItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cab_lab_item_finalize;
}

static void
cab_lab_item_init (CabLabItem *self)
{
}

/* Built once per result: binding a row only sets labels. */
static CabLabItem *
cab_lab_item_new (const CabObservationValue *value)
{
  CabLabItem *self = g_object_new (CAB_TYPE_LAB_ITEM, NULL);

  self->analysis = g_strdup (value->display != NULL ? value->display
                             : value->code != NULL ? value->code : "");
  self->value = cab_lab_format_value (value);
  self->unit = g_strdup (value->unit != NULL ? value->unit : "");
  self->range = cab_lab_format_range (value);
  self->abnormal = cab_lab_is_abnormal (value);
  return self;
}

/* ---------------------------------------------------------------------- */

struct _CabLabTable
{
  GtkWidget      parent_instance;

  GtkWidget     *box;
  GtkLabel      *summary_label;
  GtkColumnView *column_view;
  GListStore    *model;
  GCancellable  *loading_results;   /* the query in flight (its slot) */
  guint          n_abnormal;
  gboolean       loading;
};

G_DEFINE_FINAL_TYPE (CabLabTable, cab_lab_table, GTK_TYPE_WIDGET)

enum {
  LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---------------------------------------------------------------------- */
/* auxiliary functions                                                    */

char *
cab_lab_format_value (const CabObservationValue *value)
{
  g_return_val_if_fail (value != NULL, NULL);

  if (!isnan (value->value))
    return g_strdup_printf ("%g", value->value);
  return g_strdup (value->value_string != NULL ? value->value_string : "");
}

char *
cab_lab_format_range (const CabObservationValue *value)
{
  g_return_val_if_fail (value != NULL, NULL);

  if (!isnan (value->low) && !isnan (value->high))
    return g_strdup_printf ("%g – %g", value->low, value->high);
  if (!isnan (value->high))
    return g_strdup_printf ("< %g", value->high);
  if (!isnan (value->low))
    return g_strdup_printf ("> %g", value->low);
  return g_strdup ("");
}

gboolean
cab_lab_is_abnormal (const CabObservationValue *value)
{
  const char *flag;

  g_return_val_if_fail (value != NULL, FALSE);

  /* The lab's own flag wins; else compare with the range. */
  flag = value->interpretation;
  if (flag != NULL && flag[0] != '\0')
    return g_strcmp0 (flag, "N") != 0;

  if (isnan (value->value))
    return FALSE;
  return (!isnan (value->low) && value->value < value->low) ||
         (!isnan (value->high) && value->value > value->high);
}

/* A superseded query, and one still running when the table was cleared or
 * disposed, finishes cancelled: @user_data is only used after that check. */
static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  CabLabTable *self;
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;

  values = cab_document_query_observations_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    g_warning ("Cannot read the results of a lab report: %s", error->message);

  self = CAB_LAB_TABLE (user_data);
  g_clear_object (&self->loading_results);
  self->loading = FALSE;
  self->n_abnormal = 0;
  if (values != NULL)
    {
      items = g_ptr_array_new_full (values->len, g_object_unref);
      for (guint i = 0; i < values->len; i++)
        {
          CabLabItem *item = cab_lab_item_new (g_ptr_array_index (values, i));

          if (item->abnormal)
            self->n_abnormal++;
          g_ptr_array_add (items, item);
        }
      g_list_store_splice (self->model, 0, g_list_model_get_n_items (G_LIST_MODEL (self->model)),
                           items->pdata, items->len);
    }

  if (self->n_abnormal > 0)
    summary = g_strdup_printf (ngettext ("%u result out of range", "%u results out of range",
                                         self->n_abnormal),
                               self->n_abnormal);
  else
    summary = g_strdup (_("All results within range"));
  gtk_label_set_text (self->summary_label, summary);

  g_signal_emit (self, signals[LOADED], 0);
}

/* ---------------------------------------------------------------------- */
/* columns                                                                */

typedef enum
{
  COLUMN_ANALYSIS,
  COLUMN_VALUE,
  COLUMN_UNIT,
  COLUMN_RANGE,
} Column;

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), column == COLUMN_VALUE ? 1.0 : 0.0);
  if (column == COLUMN_ANALYSIS)
    {
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_width_chars (GTK_LABEL (label), 10);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 24);
    }
  if (column == COLUMN_VALUE)
    gtk_widget_add_css_class (label, "numeric");
  if (column == COLUMN_RANGE || column == COLUMN_UNIT)
    gtk_widget_add_css_class (label, "dim-label");
  gtk_list_item_set_child (list_item, label);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  CabLabItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *label = gtk_list_item_get_child (list_item);
  const char *text = NULL;

  switch (column)
    {
    case COLUMN_ANALYSIS: text = item->analysis; break;
    case COLUMN_VALUE:    text = item->value; break;
    case COLUMN_UNIT:     text = item->unit; break;
    case COLUMN_RANGE:    text = item->range; break;
    default:              g_assert_not_reached ();
    }
  gtk_label_set_text (GTK_LABEL (label), text);

  if (item->abnormal && (column == COLUMN_VALUE || column == COLUMN_ANALYSIS))
    gtk_widget_add_css_class (label, "cab-lab-abnormal");
  else
    gtk_widget_remove_css_class (label, "cab-lab-abnormal");

  if (column == COLUMN_VALUE)
    gtk_widget_set_tooltip_text (label, item->abnormal ? _("Out of the reference range") : NULL);
}

static void
add_column (CabLabTable *self,
            const char  *title,
            Column       column,
            gboolean     expand)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) col = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), GINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, g_object_ref (factory));
  gtk_column_view_column_set_expand (col, expand);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_append_column (self->column_view, col);
}

/* ---------------------------------------------------------------------- */
/* GObject overrides                                                      */

static void
cab_lab_table_dispose (GObject *object)
{
  CabLabTable *self = CAB_LAB_TABLE (object);

  cab_query_cancel (&self->loading_results);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (cab_lab_table_parent_class)->dispose (object);
}

static void
cab_lab_table_class_init (CabLabTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_lab_table_dispose;

  signals[LOADED] =
    g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cablabtable");
}

static void
cab_lab_table_init (CabLabTable *self)
{
  GtkWidget *title;
  GtkWidget *scrolled;
  GtkNoSelection *selection;

  self->model = g_list_store_new (CAB_TYPE_LAB_ITEM);

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  gtk_widget_add_css_class (self->box, "cab-lab-table");

  title = gtk_label_new (_("Results"));
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_add_css_class (title, "heading");
  gtk_box_append (GTK_BOX (self->box), title);

  self->summary_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->summary_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->summary_label), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->summary_label), "dim-label");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->summary_label));

  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->model)));
  self->column_view = GTK_COLUMN_VIEW (gtk_column_view_new (GTK_SELECTION_MODEL (selection)));
  gtk_column_view_set_show_row_separators (self->column_view, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->column_view), "data-table");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->column_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Lab results"), -1);
  add_column (self, _("Analysis"), COLUMN_ANALYSIS, TRUE);
  add_column (self, _("Value"), COLUMN_VALUE, FALSE);
  add_column (self, _("Unit"), COLUMN_UNIT, FALSE);
  add_column (self, _("Reference range"), COLUMN_RANGE, FALSE);

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_AUTOMATIC, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->column_view));
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_widget_add_css_class (scrolled, "card");
  gtk_box_append (GTK_BOX (self->box), scrolled);
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

GtkWidget *
cab_lab_table_new (void)
{
  return g_object_new (CAB_TYPE_LAB_TABLE, NULL);
}

void
cab_lab_table_clear (CabLabTable *self)
{
  g_return_if_fail (CAB_IS_LAB_TABLE (self));

  cab_query_cancel (&self->loading_results);
  g_list_store_remove_all (self->model);
  self->n_abnormal = 0;
  self->loading = FALSE;
}

void
cab_lab_table_load (CabLabTable *self,
                    CabStore    *store,
                    const char  *document_id)
{
  g_return_if_fail (CAB_IS_LAB_TABLE (self));
  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (document_id != NULL);

  cab_lab_table_clear (self);
  self->loading = TRUE;
  cab_document_query_observations_async (store, document_id, cab_query_supersede (&self->loading_results),
                                         load_cb, self);
}

guint
cab_lab_table_get_n_results (CabLabTable *self,
                             guint       *n_abnormal)
{
  g_return_val_if_fail (CAB_IS_LAB_TABLE (self), 0);

  if (n_abnormal != NULL)
    *n_abnormal = self->n_abnormal;
  return g_list_model_get_n_items (G_LIST_MODEL (self->model));
}

gboolean
cab_lab_table_get_loading (CabLabTable *self)
{
  g_return_val_if_fail (CAB_IS_LAB_TABLE (self), FALSE);

  return self->loading;
}
