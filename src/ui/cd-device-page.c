/* cd-device-page.c: one device, with its license and add-on modules.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "cd-device-page.h"
#include "cd-primary-menu-button.h"

struct _CdDevicePage
{
  AdwBin    parent_instance;

  GObject  *device;  /* (owned) (nullable) */
};

G_DEFINE_FINAL_TYPE (CdDevicePage, cd_device_page, ADW_TYPE_BIN)

void
cd_device_page_set_device (CdDevicePage *self,
                           GObject      *device)
{
  g_return_if_fail (CD_IS_DEVICE_PAGE (self));
  g_return_if_fail (device == NULL || G_IS_OBJECT (device));

  g_set_object (&self->device, device);
}

static void
cd_device_page_dispose (GObject *object)
{
  CdDevicePage *self = CD_DEVICE_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CD_TYPE_DEVICE_PAGE);
  g_clear_object (&self->device);

  G_OBJECT_CLASS (cd_device_page_parent_class)->dispose (object);
}

static void
cd_device_page_class_init (CdDevicePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cd_device_page_dispose;

  g_type_ensure (CD_TYPE_PRIMARY_MENU_BUTTON);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/com/coredinate/Admin/cd-device-page.ui");
}

static void
cd_device_page_init (CdDevicePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
