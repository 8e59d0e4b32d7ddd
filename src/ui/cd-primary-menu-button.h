/* cd-primary-menu-button.h: the main menu button every page's header shows.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CD_TYPE_PRIMARY_MENU_BUTTON (cd_primary_menu_button_get_type ())

G_DECLARE_FINAL_TYPE (CdPrimaryMenuButton, cd_primary_menu_button,
                      CD, PRIMARY_MENU_BUTTON, GtkWidget)

G_END_DECLS
