/* cd-preferences-dialog.h: the Preferences window.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CD_TYPE_PREFERENCES_DIALOG (cd_preferences_dialog_get_type ())

G_DECLARE_FINAL_TYPE (CdPreferencesDialog, cd_preferences_dialog,
                      CD, PREFERENCES_DIALOG, AdwPreferencesWindow)

CdPreferencesDialog *cd_preferences_dialog_new (GtkWindow *parent);

G_END_DECLS
