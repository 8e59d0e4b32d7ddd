/* cd-device-loader.h: pages the whole device list into a GListStore.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cd-device.h"
#include "cd-portal-client.h"

G_BEGIN_DECLS

#define CD_TYPE_DEVICE_LOADER (cd_device_loader_get_type ())

G_DECLARE_FINAL_TYPE (CdDeviceLoader, cd_device_loader, CD, DEVICE_LOADER,
                      GObject)

/**
 * CdDeviceLoader:
 *
 * Pages through GET /devices (1000 per page) and appends each page to
 * "model" (a GListStore of CdDevice, in the portal's order) with one
 * items-changed per page.
 *
 * Properties (read-only unless noted): "client" (construct-only),
 * "model" (GListModel), "loaded" (guint, devices in the model), "total"
 * (guint, as reported by the portal), "loading" (gboolean), "page-size"
 * (guint, read-write, 1-1000, default 1000).
 *
 * Signal "finished" (GError *error_or_null): the load ended, with NULL on
 * success; a portal that hands out a cursor a second time ends it with
 * CD_PORTAL_ERROR_UNEXPECTED_RESPONSE rather than loading for ever. A
 * cancelled load (cd_device_loader_cancel(), reload, dispose) does not
 * emit it; "loading" just turns FALSE.
 *
 * Reload: cancels, clears the model and loads again, but reuses the
 * CdDevice objects it had for the ids that come back (updated in place
 * with cd_device_update_from()), so whoever holds a device keeps a live
 * object. The model is cleared, so a view should re-select its item by id
 * (cd_device_loader_find_device()) after "finished".
 */

CdDeviceLoader *cd_device_loader_new         (CdPortalClient *client);

CdPortalClient *cd_device_loader_get_client  (CdDeviceLoader *self);
GListModel     *cd_device_loader_get_model   (CdDeviceLoader *self);
guint           cd_device_loader_get_loaded  (CdDeviceLoader *self);
guint           cd_device_loader_get_total   (CdDeviceLoader *self);
gboolean        cd_device_loader_get_loading (CdDeviceLoader *self);
guint           cd_device_loader_get_page_size (CdDeviceLoader *self);
void            cd_device_loader_set_page_size (CdDeviceLoader *self,
                                                guint           page_size);

/* Starts loading into an empty model; does nothing while loading or when
 * already loaded (use reload). */
void            cd_device_loader_load        (CdDeviceLoader *self);
void            cd_device_loader_cancel      (CdDeviceLoader *self);
void            cd_device_loader_reload      (CdDeviceLoader *self);

/* The device with @device_id in the model, or NULL. (transfer none) */
CdDevice       *cd_device_loader_find_device (CdDeviceLoader *self,
                                              const char     *device_id);

G_END_DECLS
