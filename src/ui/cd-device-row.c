/* cd-device-row.c: one device in the device list.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "cd-device-row.h"
#include "cd-format.h"
#include "cd-module-tags.h"
#include "cd-row-text.h"

struct _CdDeviceRow
{
  GtkWidget       parent_instance;

  CdDevice       *device;         /* (owned) (nullable) */
  gulong          notify_id;
  GListModel     *license_types;  /* (owned) (nullable) */
  GListModel     *modules;        /* (owned) (nullable) */

  /* A flat grid of few widgets (cd-device-row.ui): GTK 4.8's list view
   * makes and binds about two hundred rows at a time, and every widget in
   * them counts. */
  CdRowText      *name_label;
  CdRowText      *model_label;
  CdModuleTags   *module_tags;
  CdRowText      *license_label;
  CdRowText      *term_end_label;
  CdRowText      *pending_label;
  CdRowText      *last_seen_label;
};

enum {
  PROP_0,
  PROP_DEVICE,
  PROP_LICENSE_TYPES,
  PROP_MODULES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CdDeviceRow, cd_device_row, GTK_TYPE_WIDGET)

static const char *
lookup_license_type_name (CdDeviceRow *self,
                          const char  *code)
{
  guint n_items;

  g_assert (CD_IS_DEVICE_ROW (self));

  n_items = self->license_types != NULL
            ? g_list_model_get_n_items (self->license_types) : 0;
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(CdLicenseType) type = g_list_model_get_item (self->license_types,
                                                             i);

      if (g_strcmp0 (cd_license_type_get_code (type), code) == 0)
        return cd_license_type_get_name (type);
    }

  /* A type the catalogue does not know yet: its code beats nothing. */
  return code;
}

static const char *
lookup_module_name (CdDeviceRow *self,
                    const char  *code)
{
  guint n_items;

  g_assert (CD_IS_DEVICE_ROW (self));

  n_items = self->modules != NULL ? g_list_model_get_n_items (self->modules) : 0;
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(CdModule) module = g_list_model_get_item (self->modules, i);

      if (g_strcmp0 (cd_module_get_code (module), code) == 0)
        return cd_module_get_name (module);
    }

  return code;
}

/* The license column: the type on the first line, its term end dimmed
 * on the second. Two plain texts: markup would be parsed at every bind. */
static void
sync_license (CdDeviceRow *self)
{
  CdLicense *license = cd_device_get_license (self->device);
  g_autofree char *date = NULL;
  g_autofree char *term_end = NULL;

  g_assert (CD_IS_DEVICE_ROW (self));

  if (license == NULL)
    {
      cd_row_text_set_text (self->license_label, _("No license"));
      gtk_widget_add_css_class (GTK_WIDGET (self->license_label), "no-license");
      gtk_widget_set_visible (GTK_WIDGET (self->term_end_label), FALSE);
      return;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->license_label), "no-license");
  cd_row_text_set_text (self->license_label,
                            lookup_license_type_name (
                              self, cd_license_get_type_code (license)));

  switch (cd_license_get_state (license))
    {
    case CD_LICENSE_STATE_CANCELLED:
      date = cd_format_date (cd_license_get_ends_on (license));
      /* TRANSLATORS: a cancelled license; %s is a date */
      term_end = date != NULL ? g_strdup_printf (_("Ends on %s"), date) : NULL;
      break;

    case CD_LICENSE_STATE_ENDED:
      term_end = g_strdup (_("License ended"));
      break;

    case CD_LICENSE_STATE_ACTIVE:
    default:
      date = cd_format_date (cd_license_get_current_term_end (license));
      /* TRANSLATORS: the end of the license's current term; %s is a date */
      term_end = date != NULL ? g_strdup_printf (_("Term ends %s"), date) : NULL;
      break;
    }

  cd_row_text_set_text (self->term_end_label, term_end);
  gtk_widget_set_visible (GTK_WIDGET (self->term_end_label), term_end != NULL);
}

static void
sync_modules (CdDeviceRow *self)
{
  guint n_modules = cd_device_get_n_modules (self->device);

  g_assert (CD_IS_DEVICE_ROW (self));

  cd_module_tags_clear (self->module_tags);
  for (guint i = 0; i < n_modules; i++)
    {
      const char *code = cd_device_get_module_code (self->device, i);

      cd_module_tags_append (self->module_tags,
                             lookup_module_name (self, code),
                             cd_device_get_module_state (self->device, i)
                               == CD_BOOKING_STATE_CANCELLATION_PENDING);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->module_tags), n_modules > 0);
}

static void
sync_pending (CdDeviceRow *self)
{
  CdLicense *license = cd_device_get_license (self->device);
  g_autofree char *date = NULL;
  g_autofree char *text = NULL;
  g_autofree char *marked = NULL;

  g_assert (CD_IS_DEVICE_ROW (self));

  if (cd_device_has_pending_cancellation (self->device))
    {
      date = cd_format_date (cd_device_get_earliest_pending_end (self->device));
      if (date != NULL)
        /* TRANSLATORS: a module of this device was cancelled and can be
         * used until %s (a date) */
        text = g_strdup_printf (_("Cancellation pending: ends %s"), date);
      else
        text = g_strdup (_("Cancellation pending"));
    }
  else if (license != NULL &&
           cd_license_get_state (license) == CD_LICENSE_STATE_CANCELLED)
    {
      date = cd_format_date (cd_license_get_ends_on (license));
      /* TRANSLATORS: the device's license was cancelled and ends on %s (a
       * date), and its modules with it */
      text = date != NULL ? g_strdup_printf (_("License cancelled: ends %s"),
                                             date)
                          : g_strdup (_("License cancelled"));
    }
  else
    {
      gtk_widget_set_visible (GTK_WIDGET (self->pending_label), FALSE);
      return;
    }

  /* The warning sign stands where the pending marker's icon would be. */
  marked = g_strconcat ("\u26a0\u2009", text, NULL);
  cd_row_text_set_text (self->pending_label, marked);
  gtk_widget_set_visible (GTK_WIDGET (self->pending_label), TRUE);
}

static void
sync_last_seen (CdDeviceRow *self)
{
  GDateTime *last_seen = cd_device_get_last_seen_at (self->device);
  g_autofree char *relative = cd_format_relative_time (last_seen, NULL);

  g_assert (CD_IS_DEVICE_ROW (self));

  cd_row_text_set_text (self->last_seen_label, relative);
}

/* The exact time is made when asked for: setting a tooltip's text asks
 * the display server where the pointer is, for each of the hundreds of
 * rows the list binds while scrolling. */
static gboolean
on_last_seen_query_tooltip (CdDeviceRow *self,
                            int          x,
                            int          y,
                            gboolean     keyboard_mode,
                            GtkTooltip  *tooltip,
                            GtkWidget   *label)
{
  GDateTime *last_seen;
  g_autofree char *exact = NULL;

  g_assert (CD_IS_DEVICE_ROW (self));

  if (self->device == NULL)
    return FALSE;

  last_seen = cd_device_get_last_seen_at (self->device);
  if (last_seen == NULL)
    return FALSE;

  exact = cd_format_date_time (last_seen);
  gtk_tooltip_set_text (tooltip, exact);

  return TRUE;
}

static void
sync_all (CdDeviceRow *self)
{
  g_autofree char *model = NULL;

  g_assert (CD_IS_DEVICE_ROW (self));

  if (self->device == NULL)
    return;

  cd_row_text_set_text (self->name_label, cd_device_get_name (self->device));
  model = g_strdup_printf ("%s · %s",
                           cd_device_get_model (self->device),
                           cd_device_get_serial (self->device));
  cd_row_text_set_text (self->model_label, model);

  sync_license (self);
  sync_modules (self);
  sync_pending (self);
  sync_last_seen (self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  cd_device_get_name (self->device),
                                  -1);
}

static void
on_device_notify (CdDeviceRow *self,
                  GParamSpec  *pspec,
                  CdDevice    *device)
{
  g_assert (CD_IS_DEVICE_ROW (self));

  /* One change often notifies several properties; the row is small enough
   * that syncing all of it each time stays cheap. */
  sync_all (self);
}

static void
on_catalogue_items_changed (CdDeviceRow *self,
                            guint        position,
                            guint        removed,
                            guint        added,
                            GListModel  *catalogue)
{
  g_assert (CD_IS_DEVICE_ROW (self));

  /* The catalogues may arrive after the first devices. */
  sync_all (self);
}

static void
cd_device_row_dispose (GObject *object)
{
  CdDeviceRow *self = CD_DEVICE_ROW (object);

  cd_device_row_set_device (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CD_TYPE_DEVICE_ROW);
  g_clear_object (&self->license_types);
  g_clear_object (&self->modules);

  G_OBJECT_CLASS (cd_device_row_parent_class)->dispose (object);
}

static void
cd_device_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CdDeviceRow *self = CD_DEVICE_ROW (object);

  switch (prop_id)
    {
    case PROP_DEVICE:
      g_value_set_object (value, self->device);
      break;

    case PROP_LICENSE_TYPES:
      g_value_set_object (value, self->license_types);
      break;

    case PROP_MODULES:
      g_value_set_object (value, self->modules);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_device_row_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  CdDeviceRow *self = CD_DEVICE_ROW (object);

  switch (prop_id)
    {
    case PROP_DEVICE:
      cd_device_row_set_device (self, g_value_get_object (value));
      break;

    case PROP_LICENSE_TYPES:
      cd_device_row_set_license_types (self, g_value_get_object (value));
      break;

    case PROP_MODULES:
      cd_device_row_set_modules (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_device_row_class_init (CdDeviceRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cd_device_row_dispose;
  object_class->get_property = cd_device_row_get_property;
  object_class->set_property = cd_device_row_set_property;

  properties[PROP_DEVICE] =
    g_param_spec_object ("device", NULL, NULL,
                         CD_TYPE_DEVICE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  properties[PROP_LICENSE_TYPES] =
    g_param_spec_object ("license-types", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  properties[PROP_MODULES] =
    g_param_spec_object ("modules", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_GRID_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "device-row");

  g_type_ensure (CD_TYPE_ROW_TEXT);
  g_type_ensure (CD_TYPE_MODULE_TAGS);
  gtk_widget_class_set_template_from_resource (
    widget_class, "/com/coredinate/Admin/cd-device-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CdDeviceRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, CdDeviceRow, model_label);
  gtk_widget_class_bind_template_child (widget_class, CdDeviceRow, module_tags);
  gtk_widget_class_bind_template_child (widget_class, CdDeviceRow,
                                        license_label);
  gtk_widget_class_bind_template_child (widget_class, CdDeviceRow,
                                        term_end_label);
  gtk_widget_class_bind_template_child (widget_class, CdDeviceRow,
                                        pending_label);
  gtk_widget_class_bind_template_child (widget_class, CdDeviceRow,
                                        last_seen_label);
  gtk_widget_class_bind_template_callback (widget_class,
                                           on_last_seen_query_tooltip);
}

static void
cd_device_row_init (CdDeviceRow *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_grid_layout_set_column_spacing (GTK_GRID_LAYOUT (layout), 18);
  gtk_grid_layout_set_row_spacing (GTK_GRID_LAYOUT (layout), 3);
}

CdDeviceRow *
cd_device_row_new (void)
{
  return g_object_new (CD_TYPE_DEVICE_ROW, NULL);
}

/**
 * cd_device_row_get_device:
 *
 * Returns: (transfer none) (nullable): the shown device
 */
CdDevice *
cd_device_row_get_device (CdDeviceRow *self)
{
  g_return_val_if_fail (CD_IS_DEVICE_ROW (self), NULL);

  return self->device;
}

void
cd_device_row_set_device (CdDeviceRow *self,
                          CdDevice    *device)
{
  g_return_if_fail (CD_IS_DEVICE_ROW (self));
  g_return_if_fail (device == NULL || CD_IS_DEVICE (device));

  if (self->device == device)
    return;

  if (self->device != NULL)
    g_clear_signal_handler (&self->notify_id, self->device);
  g_set_object (&self->device, device);
  if (self->device != NULL)
    self->notify_id = g_signal_connect_object (self->device, "notify",
                                               G_CALLBACK (on_device_notify),
                                               self, G_CONNECT_SWAPPED);

  sync_all (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICE]);
}

void
cd_device_row_set_license_types (CdDeviceRow *self,
                                 GListModel  *license_types)
{
  g_return_if_fail (CD_IS_DEVICE_ROW (self));
  g_return_if_fail (license_types == NULL || G_IS_LIST_MODEL (license_types));

  if (self->license_types == license_types)
    return;

  if (self->license_types != NULL)
    g_signal_handlers_disconnect_by_data (self->license_types, self);
  g_set_object (&self->license_types, license_types);
  if (self->license_types != NULL)
    g_signal_connect_object (self->license_types, "items-changed",
                             G_CALLBACK (on_catalogue_items_changed),
                             self, G_CONNECT_SWAPPED);

  sync_all (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LICENSE_TYPES]);
}

void
cd_device_row_set_modules (CdDeviceRow *self,
                           GListModel  *modules)
{
  g_return_if_fail (CD_IS_DEVICE_ROW (self));
  g_return_if_fail (modules == NULL || G_IS_LIST_MODEL (modules));

  if (self->modules == modules)
    return;

  if (self->modules != NULL)
    g_signal_handlers_disconnect_by_data (self->modules, self);
  g_set_object (&self->modules, modules);
  if (self->modules != NULL)
    g_signal_connect_object (self->modules, "items-changed",
                             G_CALLBACK (on_catalogue_items_changed),
                             self, G_CONNECT_SWAPPED);

  sync_all (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODULES]);
}
