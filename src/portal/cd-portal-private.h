/* cd-portal-private.h: constructors and helpers shared inside src/portal.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cd-portal.h"

G_BEGIN_DECLS

/* Module summary as listed in a device summary. */
typedef struct
{
  char           *code;     /* (owned) */
  CdBookingState  state;
  GDate          *ends_on;  /* (owned) (nullable) */
} CdModuleSummary;

void            cd_module_summary_clear  (CdModuleSummary *summary);

gboolean        cd_portal_date_equal     (const GDate   *a,
                                          const GDate   *b);
GDate          *cd_portal_date_dup       (const GDate   *date);

CdAccount      *cd_account_new           (const char    *username,
                                          const char    *display_name,
                                          CdAccountRole  role,
                                          const char    *tenant_id,
                                          const char    *tenant_name);

CdLicenseType  *cd_license_type_new      (const char    *code,
                                          const char    *name,
                                          guint          term_months,
                                          guint          notice_months);

CdModule       *cd_module_new            (const char    *code,
                                          const char    *name,
                                          const char    *description,
                                          const char * const *available_for,
                                          gint64         price_amount_minor,
                                          const char    *price_currency);

/* Dates are copied; the detail-only values are NULL / -1 for a summary. */
CdLicense      *cd_license_new           (const char    *type_code,
                                          CdLicenseState state,
                                          const GDate   *current_term_end,
                                          const GDate   *next_possible_end,
                                          const GDate   *ends_on,
                                          gboolean       has_detail,
                                          const GDate   *term_start,
                                          int            term_months,
                                          int            notice_months,
                                          const GDate   *notice_deadline);

CdBooking      *cd_booking_new           (const char    *id,
                                          const char    *module_code,
                                          CdBookingState state,
                                          const GDate   *booked_on,
                                          const char    *booked_by,
                                          const GDate   *cancelled_on,
                                          const char    *cancelled_by,
                                          const GDate   *ends_on);

CdEvent        *cd_event_new             (GDateTime     *at,
                                          const char    *actor,
                                          CdEventAction  action,
                                          const char    *module_code,
                                          const GDate   *ends_on);

/* Takes @modules (an array of CdModuleSummary with a clear func). */
CdDevice       *cd_device_new_summary    (const char    *id,
                                          const char    *name,
                                          const char    *model,
                                          CdPlatform     platform,
                                          const char    *serial,
                                          const char    *app_version,
                                          GDateTime     *last_seen_at,
                                          CdLicense     *license,
                                          GArray        *modules);

/* Turns a summary into a detail: takes @bookings (a GPtrArray of
 * CdBooking) and copies @bookable. */
void            cd_device_set_detail     (CdDevice      *self,
                                          gint64         revision,
                                          GPtrArray     *bookings,
                                          const char * const *bookable);

gboolean        cd_license_summary_equal (CdLicense     *a,
                                          CdLicense     *b);

gboolean        cd_device_modules_equal  (CdDevice      *a,
                                          CdDevice      *b);

G_END_DECLS
