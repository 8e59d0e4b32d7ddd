/* cd-book-module-dialog.h: asks which add-on module to book on a device.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cd-portal.h"

G_BEGIN_DECLS

#define CD_TYPE_BOOK_MODULE_DIALOG (cd_book_module_dialog_get_type ())

G_DECLARE_FINAL_TYPE (CdBookModuleDialog, cd_book_module_dialog,
                      CD, BOOK_MODULE_DIALOG, AdwMessageDialog)

GtkWidget  *cd_book_module_dialog_new             (GtkWindow          *parent,
                                                   const char         *device_name,
                                                   GPtrArray          *modules,
                                                   const GDate        *earliest_end);
const char *cd_book_module_dialog_get_module_code (CdBookModuleDialog *self);

G_END_DECLS
