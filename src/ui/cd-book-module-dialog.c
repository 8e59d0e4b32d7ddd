/* cd-book-module-dialog.c: asks which add-on module to book on a device.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "cd-book-module-dialog.h"
#include "cd-format.h"

struct _CdBookModuleDialog
{
  AdwMessageDialog  parent_instance;

  GPtrArray        *modules;       /* (owned) (element-type CdModule) */
  GDate            *earliest_end;  /* (owned) (nullable) */
  char             *module_code;   /* (owned) (nullable) the chosen one */
  GPtrArray        *checks;        /* (owned) (element-type GtkCheckButton) */

  GtkListBox       *modules_list;
  GtkLabel         *terms_label;
};

G_DEFINE_FINAL_TYPE (CdBookModuleDialog, cd_book_module_dialog,
                     ADW_TYPE_MESSAGE_DIALOG)

static CdModule *
find_module (CdBookModuleDialog *self,
             const char         *module_code)
{
  g_assert (CD_IS_BOOK_MODULE_DIALOG (self));

  for (guint i = 0; i < self->modules->len; i++)
    {
      CdModule *module = g_ptr_array_index (self->modules, i);

      if (g_strcmp0 (cd_module_get_code (module), module_code) == 0)
        return module;
    }

  return NULL;
}

/* The terms are what the user agrees to, so they name the chosen module. */
static void
update_terms (CdBookModuleDialog *self)
{
  g_autofree char *earliest_end = NULL;
  g_autofree char *price = NULL;
  g_autofree char *terms = NULL;
  CdModule *module;

  g_assert (CD_IS_BOOK_MODULE_DIALOG (self));

  module = find_module (self, self->module_code);
  earliest_end = cd_format_date (self->earliest_end);

  if (module == NULL && earliest_end != NULL)
    /* TRANSLATORS: %s is a date like "Mar 14, 2027" */
    terms = g_strdup_printf (_("Modules run with the license term and renew "
                               "with it. A module booked now and cancelled "
                               "today would end on %s at the earliest."),
                             earliest_end);
  else if (module == NULL)
    terms = g_strdup (_("Modules run with the license term and renew with "
                        "it."));
  else if (earliest_end == NULL)
    {
      price = cd_format_monthly_price (cd_module_get_price_amount_minor (module),
                                       cd_module_get_price_currency (module));
      /* TRANSLATORS: %s are a module name and a price per month */
      terms = g_strdup_printf (_("“%s” runs with the license term and renews "
                                 "with it. It costs %s."),
                               cd_module_get_name (module), price);
    }
  else
    {
      price = cd_format_monthly_price (cd_module_get_price_amount_minor (module),
                                       cd_module_get_price_currency (module));
      /* TRANSLATORS: %1$s is a module name, %2$s a date like
       * "Mar 14, 2027", %3$s a price per month like "€2.90 per month" */
      terms = g_strdup_printf (_("“%1$s” runs with the license term and "
                                 "renews with it. If you cancelled it today, "
                                 "it would end on %2$s at the earliest. "
                                 "It costs %3$s."),
                               cd_module_get_name (module), earliest_end,
                               price);
    }

  gtk_label_set_text (self->terms_label, terms);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "book",
                                           module != NULL);
}

static void
on_check_toggled (CdBookModuleDialog *self,
                  GtkCheckButton     *check)
{
  CdModule *module;

  g_assert (CD_IS_BOOK_MODULE_DIALOG (self));

  if (!gtk_check_button_get_active (check))
    return;

  module = g_object_get_data (G_OBJECT (check), "cd-module");
  g_free (self->module_code);
  self->module_code = g_strdup (cd_module_get_code (module));
  update_terms (self);
}

static GtkWidget *
create_module_row (CdBookModuleDialog *self,
                   CdModule           *module,
                   GtkCheckButton     *group)
{
  g_autofree char *price = NULL;
  GtkWidget *row;
  GtkWidget *check;
  GtkWidget *price_label;

  g_assert (CD_IS_BOOK_MODULE_DIALOG (self));
  g_assert (CD_IS_MODULE (module));

  /* Short, so that names keep their room; the body says it is monthly. */
  price = cd_format_price (cd_module_get_price_amount_minor (module),
                           cd_module_get_price_currency (module));

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 cd_module_get_name (module));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               cd_module_get_description (module));

  check = gtk_check_button_new ();
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_check_button_set_group (GTK_CHECK_BUTTON (check), group);
  g_object_set_data_full (G_OBJECT (check), "cd-module",
                          g_object_ref (module), g_object_unref);
  g_signal_connect_object (check, "toggled", G_CALLBACK (on_check_toggled),
                           self, G_CONNECT_SWAPPED);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  g_ptr_array_add (self->checks, check);

  price_label = gtk_label_new (price);
  gtk_widget_add_css_class (price_label, "dim-label");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), price_label);

  return row;
}

static void
cd_book_module_dialog_dispose (GObject *object)
{
  CdBookModuleDialog *self = CD_BOOK_MODULE_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CD_TYPE_BOOK_MODULE_DIALOG);
  g_clear_pointer (&self->checks, g_ptr_array_unref);

  G_OBJECT_CLASS (cd_book_module_dialog_parent_class)->dispose (object);
}

static void
cd_book_module_dialog_finalize (GObject *object)
{
  CdBookModuleDialog *self = CD_BOOK_MODULE_DIALOG (object);

  g_clear_pointer (&self->modules, g_ptr_array_unref);
  g_clear_pointer (&self->earliest_end, g_date_free);
  g_clear_pointer (&self->module_code, g_free);

  G_OBJECT_CLASS (cd_book_module_dialog_parent_class)->finalize (object);
}

static void
cd_book_module_dialog_class_init (CdBookModuleDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cd_book_module_dialog_dispose;
  object_class->finalize = cd_book_module_dialog_finalize;

  gtk_widget_class_set_template_from_resource (
    widget_class, "/com/coredinate/Admin/cd-book-module-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CdBookModuleDialog,
                                        modules_list);
  gtk_widget_class_bind_template_child (widget_class, CdBookModuleDialog,
                                        terms_label);
}

static void
cd_book_module_dialog_init (CdBookModuleDialog *self)
{
  self->modules = g_ptr_array_new_with_free_func (g_object_unref);
  self->checks = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * cd_book_module_dialog_new:
 * @parent: the window the dialog belongs to
 * @device_name: the device the module would be booked on
 * @modules: (element-type CdModule): the modules that can be booked
 * @earliest_end: (nullable): the license's next possible end, the earliest
 *   day a module booked now could end
 *
 * The "book" response is enabled once a module is chosen; read it with
 * cd_book_module_dialog_get_module_code() in the response handler.
 */
GtkWidget *
cd_book_module_dialog_new (GtkWindow   *parent,
                           const char  *device_name,
                           GPtrArray   *modules,
                           const GDate *earliest_end)
{
  CdBookModuleDialog *self;
  GtkCheckButton *group = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (device_name != NULL, NULL);
  g_return_val_if_fail (modules != NULL, NULL);

  self = g_object_new (CD_TYPE_BOOK_MODULE_DIALOG,
                       "transient-for", parent,
                       NULL);

  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (self),
                                  /* TRANSLATORS: %s is a device name */
                                  _("Choose an add-on module for “%s”. "
                                    "Prices are per month."),
                                  device_name);

  if (earliest_end != NULL && g_date_valid (earliest_end))
    self->earliest_end = g_date_copy (earliest_end);

  for (guint i = 0; i < modules->len; i++)
    {
      CdModule *module = g_ptr_array_index (modules, i);
      GtkWidget *row;

      g_ptr_array_add (self->modules, g_object_ref (module));
      row = create_module_row (self, module, group);
      if (group == NULL)
        group = g_ptr_array_index (self->checks, 0);
      gtk_list_box_append (self->modules_list, row);
    }

  update_terms (self);

  return GTK_WIDGET (self);
}

/* The chosen module's code, or NULL. Still valid in the response handler
 * after the dialog was closed. */
const char *
cd_book_module_dialog_get_module_code (CdBookModuleDialog *self)
{
  g_return_val_if_fail (CD_IS_BOOK_MODULE_DIALOG (self), NULL);

  return self->module_code;
}
