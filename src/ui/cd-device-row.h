/* cd-device-row.h: one device in the device list.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cd-portal.h"

G_BEGIN_DECLS

#define CD_TYPE_DEVICE_ROW (cd_device_row_get_type ())

G_DECLARE_FINAL_TYPE (CdDeviceRow, cd_device_row, CD, DEVICE_ROW, GtkWidget)

/* Properties: "device" (CdDevice, nullable: the row follows its
 * notifications), "license-types" (GListModel of CdLicenseType) and
 * "modules" (GListModel of CdModule), the catalogues that give the shown
 * names. */
CdDeviceRow *cd_device_row_new               (void);

CdDevice    *cd_device_row_get_device        (CdDeviceRow *self);
void         cd_device_row_set_device        (CdDeviceRow *self,
                                              CdDevice    *device);
void         cd_device_row_set_license_types (CdDeviceRow *self,
                                              GListModel  *license_types);
void         cd_device_row_set_modules       (CdDeviceRow *self,
                                              GListModel  *modules);

G_END_DECLS
