/* cd-device.h: a phone or tablet, as listed and as shown in detail.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cd-booking.h"
#include "cd-license.h"
#include "cd-portal-enums.h"

G_BEGIN_DECLS

#define CD_TYPE_DEVICE (cd_device_get_type ())

G_DECLARE_FINAL_TYPE (CdDevice, cd_device, CD, DEVICE, GObject)

/* Read-only properties of every device (list summary):
 * "id", "name", "model", "platform" (CdPlatform), "serial", "app-version",
 * "last-seen-at" (GDateTime, UTC), "license" (CdLicense, NULL when the
 * device has no license), "module-codes" (GStrv: the modules whose booking
 * has not ended, in the portal's order), "has-pending-cancellation"
 * (gboolean), "earliest-pending-end" (GDate, nullable: the earliest
 * ends-on of the bookings with a pending cancellation; known from the
 * detail's bookings, or from a summary module's optional "ends_on"; NULL
 * when there is none or it is not known).
 *
 * Only filled when "has-detail" is TRUE (from GET /devices/{id}):
 * "revision" (gint64, -1 without detail), "bookings" (GListModel of
 * CdBooking; always a model, empty without detail), "bookable" (GStrv of
 * module codes that can be booked now; empty without detail).
 */
const char         *cd_device_get_id              (CdDevice   *self);
const char         *cd_device_get_name            (CdDevice   *self);
const char         *cd_device_get_model           (CdDevice   *self);
CdPlatform          cd_device_get_platform        (CdDevice   *self);
const char         *cd_device_get_serial          (CdDevice   *self);
const char         *cd_device_get_app_version     (CdDevice   *self);
GDateTime          *cd_device_get_last_seen_at    (CdDevice   *self);
CdLicense          *cd_device_get_license         (CdDevice   *self);

/* Module summaries: one entry per booking that has not ended. */
const char * const *cd_device_get_module_codes    (CdDevice   *self);
guint               cd_device_get_n_modules       (CdDevice   *self);
const char         *cd_device_get_module_code     (CdDevice   *self,
                                                   guint       position);
CdBookingState      cd_device_get_module_state    (CdDevice   *self,
                                                   guint       position);
gboolean            cd_device_lookup_module_state (CdDevice   *self,
                                                   const char *module_code,
                                                   CdBookingState *state);

gboolean            cd_device_has_pending_cancellation (CdDevice *self);
const GDate        *cd_device_get_earliest_pending_end (CdDevice *self);

gboolean            cd_device_get_has_detail      (CdDevice   *self);
gint64              cd_device_get_revision        (CdDevice   *self);
GListModel         *cd_device_get_bookings        (CdDevice   *self);
const char * const *cd_device_get_bookable        (CdDevice   *self);
gboolean            cd_device_is_bookable         (CdDevice   *self,
                                                   const char *module_code);
CdBooking          *cd_device_find_booking        (CdDevice   *self,
                                                   const char *booking_id);

/* Copies every field of @newer (same id) into @self and emits
 * GObject::notify only for the properties whose value changed, so a list
 * row bound to @self updates in place.
 *
 * A summary never leaves stale detail behind: when @newer has no detail
 * and its license or modules differ from @self, @self drops its detail
 * ("has-detail" FALSE, "revision" -1, empty bookings and bookable); when
 * they are equal, @self keeps its detail. The "bookings" model stays the
 * same object and is changed in place. */
void                cd_device_update_from         (CdDevice   *self,
                                                   CdDevice   *newer);

G_END_DECLS
