/* cd-pending-view.h: the bookings about to end and the notice deadlines
 * coming up, across all devices.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cd-portal.h"

G_BEGIN_DECLS

#define CD_TYPE_PENDING_VIEW (cd_pending_view_get_type ())

G_DECLARE_FINAL_TYPE (CdPendingView, cd_pending_view, CD, PENDING_VIEW, AdwWindow)

/* Signal "device-activated" (CdDevice *device): the user activated a row
 * of @device, so the caller can open it.
 *
 * Lists (a) every booking with a pending cancellation and every cancelled
 * license, sorted by end date (device, module or license, end date; the
 * per-booking dates come from each device's details, fetched a few at a
 * time; a device whose details cannot be fetched is counted and said, the
 * others are still shown), and (b) the license notice
 * deadlines within the next 30 days (device, license type, deadline and
 * the end it reaches). "today" (GDate) is the local date unless set. */

/* Opens the view over @parent's window for @devices (a GListModel of
 * CdDevice, e.g. the device loader's model). (transfer none) */
CdPendingView *cd_pending_view_present   (GtkWidget      *parent,
                                          CdPortalClient *client,
                                          GListModel     *devices);

/* Uses @today instead of the local date (before the view is filled: the
 * portal's date in tests), and fills the view again. */
void           cd_pending_view_set_today (CdPendingView  *self,
                                          const GDate    *today);

G_END_DECLS
