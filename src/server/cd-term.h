/* cd-term.h: the license term rule and booking states, pure date logic.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  CD_LICENSE_STATE_ACTIVE,
  CD_LICENSE_STATE_CANCELLED,
  CD_LICENSE_STATE_ENDED,
} CdLicenseState;

typedef enum
{
  CD_BOOKING_STATE_ACTIVE,
  CD_BOOKING_STATE_CANCELLATION_PENDING,
  CD_BOOKING_STATE_ENDED,
} CdBookingState;

/* The terms of one license as stored. ends_on is invalid (g_date_clear)
 * when the license has not been cancelled. */
typedef struct
{
  GDate term_start;
  guint term_months;
  guint notice_months;
  GDate ends_on;
} CdLicenseTerms;

/* What the rule derives at a given day. */
typedef struct
{
  GDate current_term_end;
  GDate notice_deadline;
  GDate next_possible_end;
} CdTermDates;

void            cd_term_add_months        (const GDate          *date,
                                           int                   n_months,
                                           GDate                *out);
void            cd_term_compute           (const CdLicenseTerms *terms,
                                           const GDate          *today,
                                           CdTermDates          *out);
CdLicenseState  cd_term_license_state     (const GDate          *ends_on,
                                           const GDate          *today);
CdBookingState  cd_term_booking_state     (const GDate          *cancelled_on,
                                           const GDate          *ends_on,
                                           CdLicenseState        license_state,
                                           const GDate          *today);

const char     *cd_license_state_to_string (CdLicenseState       state);
const char     *cd_booking_state_to_string (CdBookingState       state);

/* Strict YYYY-MM-DD; out is cleared and FALSE returned on anything else. */
gboolean        cd_date_parse             (const char           *text,
                                           GDate                *out);
/* Writes YYYY-MM-DD into buf (at least 11 bytes). */
void            cd_date_format            (const GDate          *date,
                                           char                 *buf);

G_END_DECLS
