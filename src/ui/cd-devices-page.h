/* cd-devices-page.h: Administration > Devices, the list of every device.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CD_TYPE_DEVICES_PAGE (cd_devices_page_get_type ())

G_DECLARE_FINAL_TYPE (CdDevicesPage, cd_devices_page, CD, DEVICES_PAGE, AdwBin)

G_END_DECLS
