/* cd-device-page.h: one device, with its license and add-on modules.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cd-portal.h"

G_BEGIN_DECLS

#define CD_TYPE_DEVICE_PAGE (cd_device_page_get_type ())

G_DECLARE_FINAL_TYPE (CdDevicePage, cd_device_page, CD, DEVICE_PAGE, AdwBin)

void cd_device_page_set_client (CdDevicePage   *self,
                                CdPortalClient *client);
void cd_device_page_set_device (CdDevicePage   *self,
                                CdDevice       *device);

G_END_DECLS
