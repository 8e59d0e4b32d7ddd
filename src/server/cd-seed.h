/* cd-seed.h: the deterministic demo data.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cd-store.h"

G_BEGIN_DECLS

#define CD_SEED_DEFAULT_DEVICES 240

/* Seeds the demo tenants, users, devices, bookings and events in one
 * transaction. Does nothing when the database already has them, so the
 * demo keeps its changes across runs. */
gboolean cd_seed_demo (CdStore      *store,
                       const GDate  *today,
                       guint         n_devices,
                       GError      **error);

G_END_DECLS
