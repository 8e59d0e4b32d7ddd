/* cd-window.c: the main window, which moves between the app's pages.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "cd-device-page.h"
#include "cd-devices-page.h"
#include "cd-window.h"

struct _CdWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;  /* (owned) */

  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  CdDevicesPage        *devices_page;
  CdDevicePage         *device_page;
};

G_DEFINE_FINAL_TYPE (CdWindow, cd_window, ADW_TYPE_APPLICATION_WINDOW)

static void
save_window_state (CdWindow *self)
{
  int width;
  int height;

  g_assert (CD_IS_WINDOW (self));

  /* The default size is the unmaximized size, which is what we restore. */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
}

static gboolean
cd_window_close_request (GtkWindow *window)
{
  save_window_state (CD_WINDOW (window));

  return GTK_WINDOW_CLASS (cd_window_parent_class)->close_request (window);
}

static void
on_devices_page_device_activated (CdWindow      *self,
                                  GObject       *device,
                                  CdDevicesPage *page)
{
  g_assert (CD_IS_WINDOW (self));

  cd_device_page_set_device (self->device_page, device);
  gtk_stack_set_visible_child_name (self->stack, "device");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", TRUE);
}

void
cd_window_go_back (CdWindow *self)
{
  g_return_if_fail (CD_IS_WINDOW (self));

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "device") != 0)
    return;

  gtk_stack_set_visible_child_name (self->stack, "devices");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->devices_page));
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  cd_window_go_back (CD_WINDOW (widget));
}

void
cd_window_add_toast (CdWindow *self,
                     AdwToast *toast)
{
  g_return_if_fail (CD_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
cd_window_dispose (GObject *object)
{
  CdWindow *self = CD_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CD_TYPE_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cd_window_parent_class)->dispose (object);
}

static void
cd_window_class_init (CdWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cd_window_dispose;
  window_class->close_request = cd_window_close_request;

  g_type_ensure (CD_TYPE_DEVICES_PAGE);
  g_type_ensure (CD_TYPE_DEVICE_PAGE);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/com/coredinate/Admin/cd-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CdWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, devices_page);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, device_page);
  gtk_widget_class_bind_template_callback (widget_class,
                                           on_devices_page_device_activated);

  gtk_widget_class_install_action (widget_class, "win.back", NULL,
                                   back_action);
}

static void
cd_window_init (CdWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings,
                                                   "window-width"),
                               g_settings_get_int (self->settings,
                                                   "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", FALSE);
}

CdWindow *
cd_window_new (CdApplication *application)
{
  g_return_val_if_fail (CD_IS_APPLICATION (application), NULL);

  return g_object_new (CD_TYPE_WINDOW,
                       "application", application,
                       NULL);
}
