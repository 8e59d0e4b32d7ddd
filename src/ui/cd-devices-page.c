/* cd-devices-page.c: Administration > Devices, the list of every device.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "cd-devices-page.h"
#include "cd-primary-menu-button.h"

struct _CdDevicesPage
{
  AdwBin  parent_instance;
};

enum {
  DEVICE_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CdDevicesPage, cd_devices_page, ADW_TYPE_BIN)

static void
cd_devices_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CD_TYPE_DEVICES_PAGE);

  G_OBJECT_CLASS (cd_devices_page_parent_class)->dispose (object);
}

static void
cd_devices_page_class_init (CdDevicesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cd_devices_page_dispose;

  /**
   * CdDevicesPage::device-activated:
   * @device: the device the user opened
   */
  signals[DEVICE_ACTIVATED] =
    g_signal_new ("device-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_OBJECT);

  g_type_ensure (CD_TYPE_PRIMARY_MENU_BUTTON);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/com/coredinate/Admin/cd-devices-page.ui");
}

static void
cd_devices_page_init (CdDevicesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
