/* cd-primary-menu-button.c: the main menu button every page's header shows.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "cd-primary-menu-button.h"

struct _CdPrimaryMenuButton
{
  GtkWidget      parent_instance;

  GtkMenuButton *button;
};

G_DEFINE_FINAL_TYPE (CdPrimaryMenuButton, cd_primary_menu_button,
                     GTK_TYPE_WIDGET)

static void
cd_primary_menu_button_dispose (GObject *object)
{
  CdPrimaryMenuButton *self = CD_PRIMARY_MENU_BUTTON (object);

  gtk_widget_dispose_template (GTK_WIDGET (self),
                               CD_TYPE_PRIMARY_MENU_BUTTON);

  G_OBJECT_CLASS (cd_primary_menu_button_parent_class)->dispose (object);
}

static void
cd_primary_menu_button_class_init (CdPrimaryMenuButtonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cd_primary_menu_button_dispose;

  gtk_widget_class_set_template_from_resource (
    widget_class, "/com/coredinate/Admin/cd-primary-menu-button.ui");
  gtk_widget_class_bind_template_child (widget_class, CdPrimaryMenuButton,
                                        button);
  gtk_widget_class_set_layout_manager_type (widget_class,
                                            GTK_TYPE_BIN_LAYOUT);
}

static void
cd_primary_menu_button_init (CdPrimaryMenuButton *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
