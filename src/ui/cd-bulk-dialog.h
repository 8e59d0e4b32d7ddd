/* cd-bulk-dialog.h: books or cancels one module on many devices at once.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cd-bulk-job.h"
#include "cd-portal.h"

G_BEGIN_DECLS

#define CD_TYPE_BULK_DIALOG (cd_bulk_dialog_get_type ())

G_DECLARE_FINAL_TYPE (CdBulkDialog, cd_bulk_dialog, CD, BULK_DIALOG, AdwWindow)

/* Opens a modal dialog over @parent's window (@parent may be NULL): the
 * user picks the module, sees what will happen to each of @devices (a
 * GListModel of CdDevice) with each device's own end date and why devices
 * are skipped, plus the change of the monthly cost, confirms once and
 * watches the progress and the per-device results, with "Retry Failed".
 * The CdDevice objects of @devices are updated in place after a change.
 * Returns the dialog, which destroys itself when closed. (transfer none) */
CdBulkDialog *cd_bulk_dialog_present (GtkWidget      *parent,
                                      CdPortalClient *client,
                                      GListModel     *devices,
                                      CdBulkAction    action);

G_END_DECLS
