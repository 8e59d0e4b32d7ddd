/* cd-booking.h: one booking of an add-on module on a device.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "cd-portal-enums.h"

G_BEGIN_DECLS

#define CD_TYPE_BOOKING (cd_booking_get_type ())

G_DECLARE_FINAL_TYPE (CdBooking, cd_booking, CD, BOOKING, GObject)

/* Read-only properties: "id", "module-code", "state" (CdBookingState),
 * "booked-on", "cancelled-on", "ends-on" (GDate, G_TYPE_DATE),
 * "booked-by", "cancelled-by" (who did it, as the portal names them: the
 * local portal sends display names). Nullable ones return NULL. */
const char     *cd_booking_get_id           (CdBooking *self);
const char     *cd_booking_get_module_code  (CdBooking *self);
CdBookingState  cd_booking_get_state        (CdBooking *self);
const GDate    *cd_booking_get_booked_on    (CdBooking *self);
const char     *cd_booking_get_booked_by    (CdBooking *self);
const GDate    *cd_booking_get_cancelled_on (CdBooking *self);
const char     *cd_booking_get_cancelled_by (CdBooking *self);
const GDate    *cd_booking_get_ends_on      (CdBooking *self);

gboolean        cd_booking_equal            (CdBooking *a,
                                             CdBooking *b);

G_END_DECLS
