/* cd-devices-page.h: Administration > Devices, the list of every device.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cd-portal.h"

G_BEGIN_DECLS

#define CD_TYPE_DEVICES_PAGE (cd_devices_page_get_type ())

G_DECLARE_FINAL_TYPE (CdDevicesPage, cd_devices_page, CD, DEVICES_PAGE, AdwBin)

/* Signal "device-activated" (CdDevice *device): the user opened @device
 * (Enter or a click on its row, or a row of the pending cancellations).
 *
 * Page actions: "devices.bulk-book" and "devices.bulk-cancel" open the
 * bulk dialog for the selected devices (administrators only; the bar under
 * the list offers them once two or more devices are selected),
 * "devices.export-csv" exports the shown list (after search and filters),
 * "devices.show-pending" opens the pending cancellations of all devices,
 * "devices.select-all" (Ctrl+A) and "devices.unselect-all" (Shift+Ctrl+A)
 * change the selection, "devices.search" (Ctrl+F) and "devices.refresh"
 * (F5, Ctrl+R). */

/* Sets the signed-in client and loads its devices; NULL (signed out)
 * cancels, clears the list and shows the empty state. */
void            cd_devices_page_set_client           (CdDevicesPage  *self,
                                                      CdPortalClient *client);
CdPortalClient *cd_devices_page_get_client           (CdDevicesPage  *self);

/* The GtkMultiSelection over the shown (filtered and sorted) devices, for
 * bulk actions. (transfer none) */
GListModel     *cd_devices_page_get_selection        (CdDevicesPage  *self);

/* A new GListModel (GListStore) of the selected CdDevice objects, the
 * list's own, in the shown order. (transfer full) */
GListModel     *cd_devices_page_get_selected_devices (CdDevicesPage  *self);

/* Loads the list again, keeping the selection and the scroll position. */
void            cd_devices_page_refresh              (CdDevicesPage  *self);

G_END_DECLS
