/* cd-preferences-dialog.c: the Preferences window.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "cd-preferences-dialog.h"

struct _CdPreferencesDialog
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;  /* (owned) */

  AdwComboRow          *sort_row;
};

G_DEFINE_FINAL_TYPE (CdPreferencesDialog, cd_preferences_dialog,
                     ADW_TYPE_PREFERENCES_WINDOW)

/* Same order as the choices in the row's model in the .ui file. */
static const char * const sort_orders[] = { "name", "term-end", "last-seen" };

static gboolean
sort_order_to_selected (GValue   *value,
                        GVariant *variant,
                        gpointer  user_data)
{
  const char *order = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (sort_orders); i++)
    {
      if (g_str_equal (order, sort_orders[i]))
        {
          g_value_set_uint (value, i);
          return TRUE;
        }
    }

  return FALSE;
}

static GVariant *
selected_to_sort_order (const GValue       *value,
                        const GVariantType *expected_type,
                        gpointer            user_data)
{
  guint selected = g_value_get_uint (value);

  if (selected >= G_N_ELEMENTS (sort_orders))
    return NULL;

  return g_variant_new_string (sort_orders[selected]);
}

static void
cd_preferences_dialog_dispose (GObject *object)
{
  CdPreferencesDialog *self = CD_PREFERENCES_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self),
                               CD_TYPE_PREFERENCES_DIALOG);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cd_preferences_dialog_parent_class)->dispose (object);
}

static void
cd_preferences_dialog_class_init (CdPreferencesDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cd_preferences_dialog_dispose;

  gtk_widget_class_set_template_from_resource (
    widget_class, "/com/coredinate/Admin/cd-preferences-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CdPreferencesDialog,
                                        sort_row);
}

static void
cd_preferences_dialog_init (CdPreferencesDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_settings_bind_with_mapping (self->settings, "sort-order",
                                self->sort_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                sort_order_to_selected,
                                selected_to_sort_order,
                                NULL, NULL);
}

CdPreferencesDialog *
cd_preferences_dialog_new (GtkWindow *parent)
{
  return g_object_new (CD_TYPE_PREFERENCES_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
}
