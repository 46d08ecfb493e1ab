/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-prescription-line-row"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "cab-prescription-rules.h"
#include "cab-prescription-line-row.h"

/* One line of the prescription being written: the medicine (DCI first,
 * brand in brackets), its dosage as widgets, renewals, non-substitution
 * and the ALD zone, and the dosage as the printed copy will say it, in
 * French, updated as the user types. */

struct _CabPrescriptionLineRow
{
  GtkListBoxRow        parent_instance;

  CabPrescriptionLine  line;
  CabLineFacts         facts;
  gboolean             mte_allowed;
  char                *french;
  char                *problem;
  gboolean             updating;

  GtkLabel            *number_label;
  GtkLabel            *title_label;
  GtkLabel            *subtitle_label;
  GtkImage            *alert_icon;
  GtkEntry            *quantity_entry;
  GtkEntry            *unit_entry;
  GtkToggleButton     *moment_buttons[4];
  GtkSpinButton       *times_spin;
  GtkSpinButton       *duration_spin;
  GtkDropDown         *duration_unit;
  GtkSpinButton       *renewals_spin;
  GtkToggleButton     *ns_buttons[3];   /* MTE, EFG, CIF */
  GtkLabel            *ns_reason_label;
  GtkWidget           *ald_box;
  GtkSwitch           *ald_switch;
  GtkLabel            *french_label;
  GtkLabel            *rule_label;
  GtkEntry            *text_entry;      /* a renewal's dosage as written */
  GtkWidget           *structured_box;
};

G_DEFINE_FINAL_TYPE (CabPrescriptionLineRow, cab_prescription_line_row, GTK_TYPE_LIST_BOX_ROW)

enum {
  CHANGED,
  REMOVE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const CabDosageMoments moment_flags[4] = {
  CAB_DOSAGE_MORNING, CAB_DOSAGE_NOON, CAB_DOSAGE_EVENING, CAB_DOSAGE_BEDTIME,
};

/* ---------------------------------------------------------------------- */
/* defaults from the form                                                 */

typedef struct
{
  const char      *needle;     /* found in the BDPM form, lower case */
  const char      *unit;
  guint            quarters;   /* quantity per intake, in quarters */
  guint            moments;
  guint            times_per_day;
  guint            duration;
  CabDurationUnit  duration_unit;
} FormDefault;

/* Most specific first: "granulés en sachet" is counted in sachets,
 * "solution buvable en gouttes" in drops. */
static const FormDefault form_defaults[] = {
  { "sachet",         "sachet",      4, 0, 3, 7, CAB_DURATION_DAY },
  { "goutte",         "goutte",      4, 0, 3, 7, CAB_DURATION_DAY },
  { "inhalation",     "bouffée",     8, 0, 2, 1, CAB_DURATION_MONTH },
  { "collyre",        "goutte",      4, 0, 3, 7, CAB_DURATION_DAY },
  { "transdermique",  "patch",       4, 0, 1, 1, CAB_DURATION_MONTH },
  { "suppositoire",   "suppositoire", 4, 0, 2, 5, CAB_DURATION_DAY },
  { "buvable",        "mL",         20, 0, 3, 7, CAB_DURATION_DAY },
  { "sirop",          "mL",         20, 0, 3, 7, CAB_DURATION_DAY },
  { "injectable",     "injection",   4, 0, 1, 1, CAB_DURATION_MONTH },
  { "crème",          "application", 4, 0, 2, 7, CAB_DURATION_DAY },
  { "pommade",        "application", 4, 0, 2, 7, CAB_DURATION_DAY },
  { "gel",            "application", 4, 0, 2, 7, CAB_DURATION_DAY },
  { "gélule",         "gélule",      4, CAB_DOSAGE_MORNING, 0, 1, CAB_DURATION_MONTH },
  { "capsule",        "capsule",     4, CAB_DOSAGE_MORNING, 0, 1, CAB_DURATION_MONTH },
  { "comprimé",       "comprimé",    4, CAB_DOSAGE_MORNING, 0, 1, CAB_DURATION_MONTH },
  { "lyophilisat",    "lyophilisat", 4, CAB_DOSAGE_MORNING, 0, 1, CAB_DURATION_MONTH },
  { "pastille",       "pastille",    4, 0, 3, 7, CAB_DURATION_DAY },
};

static const FormDefault default_default = { NULL, "dose", 4, 0, 1, 1, CAB_DURATION_MONTH };

static const FormDefault *
find_form_default (const char *form)
{
  g_autofree char *lower = form != NULL ? g_utf8_strdown (form, -1) : NULL;

  if (lower != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (form_defaults); i++)
      if (strstr (lower, form_defaults[i].needle) != NULL)
        return &form_defaults[i];
  return &default_default;
}

const char *
cab_dosage_unit_for_form (const char *form)
{
  return find_form_default (form)->unit;
}

/* ---------------------------------------------------------------------- */
/* the line from the widgets                                              */

static void
set_problem (CabPrescriptionLineRow *self,
             const char             *problem)
{
  g_free (self->problem);
  self->problem = g_strdup (problem);
}

static void
mark_error (GtkWidget *widget,
            gboolean   error)
{
  if (error)
    gtk_widget_add_css_class (widget, "error");
  else
    gtk_widget_remove_css_class (widget, "error");
}

static void
read_widgets (CabPrescriptionLineRow *self)
{
  CabDosage *d = &self->line.dosage;
  guint numerator = 0, denominator = 1, moments = 0;
  const char *unit = gtk_editable_get_text (GTK_EDITABLE (self->unit_entry));
  gboolean quantity_ok;

  set_problem (self, NULL);

  if (self->text_entry != NULL && gtk_widget_get_visible (GTK_WIDGET (self->text_entry)))
    {
      const char *text = gtk_editable_get_text (GTK_EDITABLE (self->text_entry));

      g_clear_pointer (&d->text, g_free);
      if (*text != '\0')
        d->text = g_utf8_substring (text, 0, MIN (g_utf8_strlen (text, -1), CAB_DOSAGE_MAX_TEXT));
      else
        set_problem (self, _("the dosage is empty"));
      mark_error (GTK_WIDGET (self->text_entry), *text == '\0');
    }
  else
    {
      quantity_ok = cab_dosage_parse_quantity (gtk_editable_get_text (GTK_EDITABLE (self->quantity_entry)),
                                               &numerator, &denominator);
      mark_error (GTK_WIDGET (self->quantity_entry), !quantity_ok);
      if (quantity_ok)
        {
          d->numerator = numerator;
          d->denominator = denominator;
        }
      else
        set_problem (self, _("the quantity is not a number of units (1, ½, 1½…)"));

      g_free (d->unit);
      d->unit = g_utf8_substring (unit, 0, MIN (g_utf8_strlen (unit, -1), CAB_DOSAGE_MAX_UNIT));

      for (guint i = 0; i < G_N_ELEMENTS (self->moment_buttons); i++)
        if (gtk_toggle_button_get_active (self->moment_buttons[i]))
          moments |= moment_flags[i];
      d->moments = moments;
      d->times_per_day = moments != 0 ? 0 : (guint) gtk_spin_button_get_value_as_int (self->times_spin);
      gtk_widget_set_sensitive (GTK_WIDGET (self->times_spin), moments == 0);
    }

  d->duration = (guint) gtk_spin_button_get_value_as_int (self->duration_spin);
  d->duration_unit = d->duration == 0 ? CAB_DURATION_NONE
                                      : (CabDurationUnit) (gtk_drop_down_get_selected (self->duration_unit) + 1);
  if (d->duration == 0)
    d->duration_unit = CAB_DURATION_NONE;
  self->line.renewals = (guint) gtk_spin_button_get_value_as_int (self->renewals_spin);

  self->line.non_substitutable = CAB_NON_SUBSTITUTABLE_NONE;
  for (guint i = 0; i < G_N_ELEMENTS (self->ns_buttons); i++)
    if (gtk_toggle_button_get_active (self->ns_buttons[i]))
      self->line.non_substitutable = CAB_NON_SUBSTITUTABLE_MTE + i;
  self->line.ald = self->facts.has_ald && gtk_switch_get_active (self->ald_switch);

  g_free (self->french);
  self->french = cab_dosage_to_french (d);
  gtk_label_set_text (self->french_label, self->french);
}

static void
widget_changed_cb (CabPrescriptionLineRow *self)
{
  if (self->updating)
    return;
  read_widgets (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* One justification at most: choosing one clears the others. */
static void
ns_toggled_cb (GtkToggleButton        *button,
               CabPrescriptionLineRow *self)
{
  if (self->updating)
    return;
  if (gtk_toggle_button_get_active (button))
    {
      self->updating = TRUE;
      for (guint i = 0; i < G_N_ELEMENTS (self->ns_buttons); i++)
        if (self->ns_buttons[i] != button)
          gtk_toggle_button_set_active (self->ns_buttons[i], FALSE);
      self->updating = FALSE;
    }
  widget_changed_cb (self);
}

static void
remove_clicked_cb (CabPrescriptionLineRow *self)
{
  g_signal_emit (self, signals[REMOVE], 0);
}

/* ---------------------------------------------------------------------- */
/* building                                                               */

static GtkWidget *
caption (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, "dim-label");
  return label;
}

static GtkSpinButton *
spin (double       max,
      const char  *tooltip,
      CabPrescriptionLineRow *self)
{
  GtkWidget *button = gtk_spin_button_new_with_range (0, max, 1);

  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (button), TRUE);
  gtk_editable_set_width_chars (GTK_EDITABLE (button), 2);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  g_signal_connect_swapped (button, "value-changed", G_CALLBACK (widget_changed_cb), self);
  return GTK_SPIN_BUTTON (button);
}

static void
build (CabPrescriptionLineRow *self)
{
  static const char *moment_labels[4] = { N_("Morning"), N_("Noon"), N_("Evening"), N_("Bedtime") };
  static const char *ns_codes[3] = { "MTE", "EFG", "CIF" };
  static const char *ns_tooltips[3] = {
    N_("Narrow therapeutic margin (closed list of substances)"),
    N_("Child under 6 with no suitable generic form"),
    N_("Formal contraindication to an excipient (recorded intolerance)"),
  };
  GtkWidget *box, *header, *button, *dosage, *moments, *options, *ns_row, *ns_box, *label;
  GtkStringList *units;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_add_css_class (box, "cab-prescription-line");
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (self), box);

  /* Name: number, DCI first, the brand in brackets, then the form. */
  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  gtk_box_append (GTK_BOX (box), header);
  self->number_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->number_label), "cab-line-number");
  gtk_widget_set_valign (GTK_WIDGET (self->number_label), GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->number_label));
  label = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (header), label);
  self->title_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->title_label, 0);
  gtk_label_set_wrap (self->title_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->title_label), "heading");
  gtk_box_append (GTK_BOX (label), GTK_WIDGET (self->title_label));
  self->subtitle_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->subtitle_label, 0);
  gtk_label_set_ellipsize (self->subtitle_label, PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (GTK_WIDGET (self->subtitle_label), "dim-label");
  gtk_box_append (GTK_BOX (label), GTK_WIDGET (self->subtitle_label));
  self->alert_icon = GTK_IMAGE (gtk_image_new ());
  gtk_widget_set_visible (GTK_WIDGET (self->alert_icon), FALSE);
  gtk_widget_set_valign (GTK_WIDGET (self->alert_icon), GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->alert_icon));
  button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_START);
  gtk_widget_set_tooltip_text (button, _("Remove this line (Delete)"));
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (remove_clicked_cb), self);
  gtk_box_append (GTK_BOX (header), button);

  /* Dosage: quantity, unit, moments or times a day, duration. */
  dosage = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (dosage, "cab-line-dosage");
  gtk_box_append (GTK_BOX (box), dosage);
  self->structured_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (dosage), self->structured_box);
  self->quantity_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_editable_set_width_chars (GTK_EDITABLE (self->quantity_entry), 3);
  gtk_editable_set_max_width_chars (GTK_EDITABLE (self->quantity_entry), 4);
  gtk_entry_set_max_length (self->quantity_entry, 8);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->quantity_entry), _("Quantity per intake: 1, ½, 1½…"));
  g_signal_connect_swapped (self->quantity_entry, "changed", G_CALLBACK (widget_changed_cb), self);
  gtk_box_append (GTK_BOX (self->structured_box), GTK_WIDGET (self->quantity_entry));
  self->unit_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_editable_set_width_chars (GTK_EDITABLE (self->unit_entry), 9);
  gtk_editable_set_max_width_chars (GTK_EDITABLE (self->unit_entry), 12);
  gtk_entry_set_max_length (self->unit_entry, CAB_DOSAGE_MAX_UNIT);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->unit_entry), _("Unit, as printed (in French)"));
  g_signal_connect_swapped (self->unit_entry, "changed", G_CALLBACK (widget_changed_cb), self);
  gtk_box_append (GTK_BOX (self->structured_box), GTK_WIDGET (self->unit_entry));

  moments = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (moments, "linked");
  gtk_box_append (GTK_BOX (self->structured_box), moments);
  for (guint i = 0; i < G_N_ELEMENTS (self->moment_buttons); i++)
    {
      self->moment_buttons[i] = GTK_TOGGLE_BUTTON (gtk_toggle_button_new_with_label (_(moment_labels[i])));
      g_signal_connect_swapped (self->moment_buttons[i], "toggled", G_CALLBACK (widget_changed_cb), self);
      gtk_box_append (GTK_BOX (moments), GTK_WIDGET (self->moment_buttons[i]));
    }
  gtk_box_append (GTK_BOX (self->structured_box), caption (_("or")));
  self->times_spin = spin (CAB_DOSAGE_MAX_TIMES_PER_DAY, _("Times a day, when no moment is chosen"), self);
  gtk_box_append (GTK_BOX (self->structured_box), GTK_WIDGET (self->times_spin));
  gtk_box_append (GTK_BOX (self->structured_box), caption (_("a day")));

  self->text_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (self->text_entry), TRUE);
  gtk_entry_set_max_length (self->text_entry, CAB_DOSAGE_MAX_TEXT);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->text_entry), _("Dosage as written in the current treatment"));
  gtk_widget_set_visible (GTK_WIDGET (self->text_entry), FALSE);
  g_signal_connect_swapped (self->text_entry, "changed", G_CALLBACK (widget_changed_cb), self);
  gtk_box_append (GTK_BOX (dosage), GTK_WIDGET (self->text_entry));

  /* Duration, renewals, ALD zone. */
  options = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (box), options);
  gtk_box_append (GTK_BOX (options), caption (_("for")));
  self->duration_spin = spin (CAB_DOSAGE_MAX_DURATION, _("Duration (0: none)"), self);
  gtk_box_append (GTK_BOX (options), GTK_WIDGET (self->duration_spin));
  units = gtk_string_list_new ((const char *[]) { _("days"), _("weeks"), _("months"), NULL });
  self->duration_unit = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (units), NULL));
  gtk_widget_set_valign (GTK_WIDGET (self->duration_unit), GTK_ALIGN_CENTER);
  g_signal_connect_swapped (self->duration_unit, "notify::selected", G_CALLBACK (widget_changed_cb), self);
  gtk_box_append (GTK_BOX (options), GTK_WIDGET (self->duration_unit));

  label = caption (_("Renewals"));
  gtk_widget_set_margin_start (label, 12);
  gtk_box_append (GTK_BOX (options), label);
  self->renewals_spin = spin (CAB_PRESCRIPTION_MAX_RENEWALS, _("Times the pharmacist may dispense it again"), self);
  gtk_box_append (GTK_BOX (options), GTK_WIDGET (self->renewals_spin));

  self->ald_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_margin_start (self->ald_box, 12);
  gtk_box_append (GTK_BOX (options), self->ald_box);
  gtk_box_append (GTK_BOX (self->ald_box), caption (_("ALD zone")));
  self->ald_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->ald_switch), GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->ald_switch),
                               _("Prescribed for the long-term condition (upper zone of the bizone form)"));
  g_signal_connect_swapped (self->ald_switch, "notify::active", G_CALLBACK (widget_changed_cb), self);
  gtk_box_append (GTK_BOX (self->ald_box), GTK_WIDGET (self->ald_switch));

  /* Non-substitution: a justification that cannot apply is greyed, with its reason beside. */
  ns_row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (box), ns_row);
  gtk_box_append (GTK_BOX (ns_row), caption (_("Non-substitutable")));
  ns_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (ns_box, "linked");
  gtk_widget_set_valign (ns_box, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (ns_row), ns_box);
  for (guint i = 0; i < G_N_ELEMENTS (self->ns_buttons); i++)
    {
      self->ns_buttons[i] = GTK_TOGGLE_BUTTON (gtk_toggle_button_new_with_label (ns_codes[i]));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->ns_buttons[i]), _(ns_tooltips[i]));
      g_signal_connect (self->ns_buttons[i], "toggled", G_CALLBACK (ns_toggled_cb), self);
      gtk_box_append (GTK_BOX (ns_box), GTK_WIDGET (self->ns_buttons[i]));
    }

  self->ns_reason_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->ns_reason_label, 0);
  gtk_label_set_wrap (self->ns_reason_label, TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->ns_reason_label), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->ns_reason_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->ns_reason_label), "caption");
  gtk_box_append (GTK_BOX (ns_row), GTK_WIDGET (self->ns_reason_label));

  /* What the printed copy will say. */
  self->french_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->french_label, 0);
  gtk_label_set_wrap (self->french_label, TRUE);
  gtk_label_set_selectable (self->french_label, FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->french_label), "cab-line-french");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->french_label));

  self->rule_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->rule_label, 0);
  gtk_label_set_wrap (self->rule_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->rule_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->rule_label), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->rule_label));
}

/* What the patient's facts and the medicine allow, shown where it applies:
 * a justification that cannot apply is greyed with its reason. */
static void
apply_facts (CabPrescriptionLineRow *self)
{
  g_autoptr(GString) reasons = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (self->ns_buttons); i++)
    {
      const char *reason = NULL;
      gboolean allowed = cab_prescription_line_row_ns_allowed (self, CAB_NON_SUBSTITUTABLE_MTE + i, &reason);

      gtk_widget_set_sensitive (GTK_WIDGET (self->ns_buttons[i]), allowed);
      if (!allowed)
        {
          /* TRANSLATORS: a non-substitution code and why it cannot apply: "EFG: child under 6 only" */
          g_autofree char *tip = g_strdup_printf (_("%s: %s"),
                                                  cab_non_substitutable_to_string (CAB_NON_SUBSTITUTABLE_MTE + i),
                                                  reason);
          gtk_widget_set_tooltip_text (GTK_WIDGET (self->ns_buttons[i]), tip);
          if (reasons->len > 0)
            g_string_append (reasons, " · ");
          g_string_append (reasons, tip);
        }
    }
  gtk_label_set_text (self->ns_reason_label, reasons->str);
  gtk_widget_set_visible (self->ald_box, self->facts.has_ald);
}

static void
set_medicine (CabPrescriptionLineRow *self,
              const CabDrug          *drug)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  CabMedicine *m = &self->line.medicine;

  m->cis = g_strdup (drug->cis);
  m->dci = cab_drug_dup_dci (drug);
  m->brand = g_strdup (drug->name);
  m->form = g_strdup (drug->form);
  for (guint i = 0; drug->substances != NULL && i < drug->substances->len; i++)
    {
      const CabDrugSubstance *s = g_ptr_array_index (drug->substances, i);

      if (g_strcmp0 (s->nature, "FT") == 0)
        continue;
      if (m->strength == NULL && s->strength != NULL)
        m->strength = g_strdup (s->strength);
      if (names->len < CAB_PRESCRIPTION_MAX_SUBSTANCES)
        g_ptr_array_add (names, g_strdup (s->name));
      if (cab_substance_is_mte (s->name))
        self->mte_allowed = TRUE;
    }
  g_ptr_array_add (names, NULL);
  m->substances = (char **) g_ptr_array_steal (names, NULL);

  title = g_markup_printf_escaped ("%s <span weight=\"normal\">[%s]</span>",
                                   m->dci != NULL && *m->dci != '\0' ? m->dci : drug->name, drug->name);
  gtk_label_set_markup (self->title_label, title);
  subtitle = g_strdup_printf ("%s%s%s", drug->form != NULL ? drug->form : "",
                              drug->commercialised ? "" : " · ",
                              drug->commercialised ? "" : _("not marketed"));
  gtk_label_set_text (self->subtitle_label, subtitle);
}

/* The labels a stored line was written with. */
static void
set_medicine_from_line (CabPrescriptionLineRow    *self,
                        const CabPrescriptionLine *line)
{
  const CabMedicine *m = &line->medicine;
  g_autofree char *title = NULL;

  cab_medicine_copy (m, &self->line.medicine);
  for (guint i = 0; m->substances != NULL && m->substances[i] != NULL; i++)
    if (cab_substance_is_mte (m->substances[i]))
      self->mte_allowed = TRUE;
  title = g_markup_printf_escaped ("%s <span weight=\"normal\">[%s]</span>",
                                   m->dci != NULL ? m->dci : "", m->brand != NULL ? m->brand : "");
  gtk_label_set_markup (self->title_label, title);
  gtk_label_set_text (self->subtitle_label, m->form != NULL ? m->form : "");
}

static void
cab_prescription_line_row_finalize (GObject *object)
{
  CabPrescriptionLineRow *self = CAB_PRESCRIPTION_LINE_ROW (object);

  cab_medicine_clear (&self->line.medicine);
  cab_dosage_clear (&self->line.dosage);
  g_free (self->line.quantity);
  g_free (self->french);
  g_free (self->problem);

  G_OBJECT_CLASS (cab_prescription_line_row_parent_class)->finalize (object);
}

static void
cab_prescription_line_row_class_init (CabPrescriptionLineRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cab_prescription_line_row_finalize;

  /* The line changed (any field). */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The user asked to remove the line. */
  signals[REMOVE] = g_signal_new ("remove-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cab_prescription_line_row_init (CabPrescriptionLineRow *self)
{
  build (self);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), FALSE);
}

static CabPrescriptionLineRow *
row_new (const CabDrug      *drug,
         const CabLineFacts *facts)
{
  CabPrescriptionLineRow *self = g_object_new (CAB_TYPE_PRESCRIPTION_LINE_ROW, NULL);

  self->facts = *facts;
  set_medicine (self, drug);
  apply_facts (self);
  return self;
}

GtkWidget *
cab_prescription_line_row_new (const CabDrug      *drug,
                               const CabLineFacts *facts)
{
  CabPrescriptionLineRow *self;
  const FormDefault *def;
  g_autofree char *quantity = NULL;

  g_return_val_if_fail (drug != NULL && facts != NULL, NULL);

  self = row_new (drug, facts);
  def = find_form_default (drug->form);
  quantity = cab_dosage_format_quantity (def->quarters, 4);

  self->updating = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->quantity_entry), quantity);
  gtk_editable_set_text (GTK_EDITABLE (self->unit_entry), def->unit);
  for (guint i = 0; i < G_N_ELEMENTS (self->moment_buttons); i++)
    gtk_toggle_button_set_active (self->moment_buttons[i], (def->moments & moment_flags[i]) != 0);
  gtk_spin_button_set_value (self->times_spin, def->times_per_day);
  gtk_spin_button_set_value (self->duration_spin, def->duration);
  gtk_drop_down_set_selected (self->duration_unit, def->duration_unit - 1);
  /* A chronic treatment's line in the ALD zone by default. */
  gtk_switch_set_active (self->ald_switch, facts->has_ald);
  self->updating = FALSE;
  read_widgets (self);
  return GTK_WIDGET (self);
}

GtkWidget *
cab_prescription_line_row_new_renewal (const CabDrug      *drug,
                                       const char         *dosage_text,
                                       const CabLineFacts *facts)
{
  CabPrescriptionLineRow *self;

  g_return_val_if_fail (drug != NULL && facts != NULL, NULL);

  if (dosage_text == NULL || *dosage_text == '\0')
    return cab_prescription_line_row_new (drug, facts);

  self = row_new (drug, facts);
  self->updating = TRUE;
  gtk_widget_set_visible (self->structured_box, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->text_entry), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (self->text_entry), dosage_text);
  gtk_editable_set_text (GTK_EDITABLE (self->unit_entry), cab_dosage_unit_for_form (drug->form));
  /* A renewal of a chronic treatment: three months, as usual. */
  gtk_spin_button_set_value (self->duration_spin, 3);
  gtk_drop_down_set_selected (self->duration_unit, CAB_DURATION_MONTH - 1);
  gtk_switch_set_active (self->ald_switch, facts->has_ald);
  self->updating = FALSE;
  read_widgets (self);
  return GTK_WIDGET (self);
}

GtkWidget *
cab_prescription_line_row_new_from_line (const CabPrescriptionLine *line,
                                         const CabLineFacts        *facts)
{
  CabPrescriptionLineRow *self;
  const CabDosage *d;

  g_return_val_if_fail (line != NULL && facts != NULL, NULL);

  self = g_object_new (CAB_TYPE_PRESCRIPTION_LINE_ROW, NULL);
  self->facts = *facts;
  set_medicine_from_line (self, line);
  apply_facts (self);
  d = &line->dosage;

  self->updating = TRUE;
  if (d->text != NULL)
    {
      gtk_widget_set_visible (self->structured_box, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->text_entry), TRUE);
      gtk_editable_set_text (GTK_EDITABLE (self->text_entry), d->text);
      gtk_editable_set_text (GTK_EDITABLE (self->unit_entry), cab_dosage_unit_for_form (line->medicine.form));
    }
  else
    {
      g_autofree char *quantity = cab_dosage_format_quantity (d->numerator, d->denominator);

      gtk_editable_set_text (GTK_EDITABLE (self->quantity_entry), quantity);
      gtk_editable_set_text (GTK_EDITABLE (self->unit_entry), d->unit != NULL ? d->unit : "");
      for (guint i = 0; i < G_N_ELEMENTS (self->moment_buttons); i++)
        gtk_toggle_button_set_active (self->moment_buttons[i], (d->moments & moment_flags[i]) != 0);
      gtk_spin_button_set_value (self->times_spin, d->times_per_day);
    }
  gtk_spin_button_set_value (self->duration_spin, d->duration_unit != CAB_DURATION_NONE ? d->duration : 0);
  if (d->duration_unit != CAB_DURATION_NONE)
    gtk_drop_down_set_selected (self->duration_unit, d->duration_unit - 1);
  gtk_spin_button_set_value (self->renewals_spin, line->renewals);
  if (line->non_substitutable != CAB_NON_SUBSTITUTABLE_NONE)
    gtk_toggle_button_set_active (self->ns_buttons[line->non_substitutable - CAB_NON_SUBSTITUTABLE_MTE], TRUE);
  gtk_switch_set_active (self->ald_switch, facts->has_ald && line->ald);
  self->updating = FALSE;
  read_widgets (self);
  return GTK_WIDGET (self);
}

const CabPrescriptionLine *
cab_prescription_line_row_get_line (CabPrescriptionLineRow *self)
{
  g_return_val_if_fail (CAB_IS_PRESCRIPTION_LINE_ROW (self), NULL);

  return &self->line;
}

const char *
cab_prescription_line_row_get_problem (CabPrescriptionLineRow *self)
{
  g_return_val_if_fail (CAB_IS_PRESCRIPTION_LINE_ROW (self), NULL);

  return self->problem;
}

const char *
cab_prescription_line_row_get_french (CabPrescriptionLineRow *self)
{
  g_return_val_if_fail (CAB_IS_PRESCRIPTION_LINE_ROW (self), NULL);

  return self->french;
}

void
cab_prescription_line_row_set_number (CabPrescriptionLineRow *self,
                                      guint                   number)
{
  g_autofree char *text = g_strdup_printf ("%u", number);

  g_return_if_fail (CAB_IS_PRESCRIPTION_LINE_ROW (self));

  gtk_label_set_text (self->number_label, text);
}

void
cab_prescription_line_row_set_alert (CabPrescriptionLineRow *self,
                                     int                     level,
                                     gboolean                allergy)
{
  static const char *classes[] = { "cab-interaction-ci", "cab-interaction-ad", "cab-interaction-pe", "cab-interaction-pc", "cab-allergy" };
  GtkWidget *icon;

  g_return_if_fail (CAB_IS_PRESCRIPTION_LINE_ROW (self));

  icon = GTK_WIDGET (self->alert_icon);
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (icon, classes[i]);
  if (allergy)
    {
      gtk_image_set_from_icon_name (self->alert_icon, "dialog-error-symbolic");
      gtk_widget_add_css_class (icon, "cab-allergy");
      gtk_widget_set_tooltip_text (icon, _("The patient is allergic or intolerant to this medicine"));
    }
  else if (level >= CAB_INTERACTION_CI && level <= CAB_INTERACTION_PC)
    {
      gtk_image_set_from_icon_name (self->alert_icon,
                                    level <= CAB_INTERACTION_AD ? "dialog-warning-symbolic"
                                                                : "dialog-information-symbolic");
      gtk_widget_add_css_class (icon, classes[level]);
      gtk_widget_set_tooltip_text (icon, cab_interaction_level_to_label (level));
    }
  gtk_widget_set_visible (icon, allergy || level >= 0);
}

void
cab_prescription_line_row_set_rule_error (CabPrescriptionLineRow *self,
                                          const char             *message)
{
  g_return_if_fail (CAB_IS_PRESCRIPTION_LINE_ROW (self));

  gtk_label_set_text (self->rule_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->rule_label), message != NULL);
}

void
cab_prescription_line_row_set_non_substitutable (CabPrescriptionLineRow *self,
                                                 CabNonSubstitutable     ns)
{
  g_return_if_fail (CAB_IS_PRESCRIPTION_LINE_ROW (self));

  if (ns == CAB_NON_SUBSTITUTABLE_NONE)
    {
      for (guint i = 0; i < G_N_ELEMENTS (self->ns_buttons); i++)
        gtk_toggle_button_set_active (self->ns_buttons[i], FALSE);
    }
  else
    gtk_toggle_button_set_active (self->ns_buttons[ns - CAB_NON_SUBSTITUTABLE_MTE], TRUE);
}

gboolean
cab_prescription_line_row_ns_allowed (CabPrescriptionLineRow *self,
                                      CabNonSubstitutable     ns,
                                      const char            **reason)
{
  const char *why = NULL;

  g_return_val_if_fail (CAB_IS_PRESCRIPTION_LINE_ROW (self), FALSE);

  switch (ns)
    {
    case CAB_NON_SUBSTITUTABLE_MTE:
      if (!self->mte_allowed)
        why = _("not on the narrow-margin list");
      break;
    case CAB_NON_SUBSTITUTABLE_EFG:
      if (!self->facts.under_six)
        why = _("child under 6 only");
      break;
    case CAB_NON_SUBSTITUTABLE_CIF:
      if (!self->facts.excipient_intolerance)
        why = _("no recorded intolerance");
      break;
    case CAB_NON_SUBSTITUTABLE_NONE:
    default:
      break;
    }
  if (reason != NULL)
    *reason = why;
  return why == NULL;
}

void
cab_prescription_line_row_set_ald (CabPrescriptionLineRow *self,
                                   gboolean                ald)
{
  g_return_if_fail (CAB_IS_PRESCRIPTION_LINE_ROW (self));

  gtk_switch_set_active (self->ald_switch, ald);
}

GtkWidget *
cab_prescription_line_row_get_ald_switch (CabPrescriptionLineRow *self)
{
  g_return_val_if_fail (CAB_IS_PRESCRIPTION_LINE_ROW (self), NULL);

  return GTK_WIDGET (self->ald_switch);
}

void
cab_prescription_line_row_focus_dosage (CabPrescriptionLineRow *self)
{
  g_return_if_fail (CAB_IS_PRESCRIPTION_LINE_ROW (self));

  if (gtk_widget_get_visible (GTK_WIDGET (self->text_entry)))
    gtk_widget_grab_focus (GTK_WIDGET (self->text_entry));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->quantity_entry));
}
