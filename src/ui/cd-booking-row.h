/* cd-booking-row.h: one booked add-on module in the device's module list.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cd-portal.h"

G_BEGIN_DECLS

#define CD_TYPE_BOOKING_ROW (cd_booking_row_get_type ())

G_DECLARE_FINAL_TYPE (CdBookingRow, cd_booking_row, CD, BOOKING_ROW, GtkListBoxRow)

GtkWidget *cd_booking_row_new         (CdBooking    *booking,
                                       CdModule     *module,
                                       gboolean      withdrawable);
CdBooking *cd_booking_row_get_booking (CdBookingRow *self);

G_END_DECLS
