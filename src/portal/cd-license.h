/* cd-license.h: the license of one device, with its term dates.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "cd-portal-enums.h"

G_BEGIN_DECLS

#define CD_TYPE_LICENSE (cd_license_get_type ())

G_DECLARE_FINAL_TYPE (CdLicense, cd_license, CD, LICENSE, GObject)

/* Read-only properties: "type-code", "state" (CdLicenseState),
 * "current-term-end", "next-possible-end", "ends-on" (GDate, G_TYPE_DATE),
 * and, only when "has-detail" is TRUE (read from GET /devices/{id}):
 * "term-start", "notice-deadline" (GDate), "term-months", "notice-months"
 * (int, -1 without detail).
 *
 * Date getters return NULL when the contract value is null or absent
 * (ends-on of a license that was not cancelled; detail-only dates of a
 * list summary). */
const char     *cd_license_get_type_code         (CdLicense *self);
CdLicenseState  cd_license_get_state             (CdLicense *self);
gboolean        cd_license_get_has_detail        (CdLicense *self);
const GDate    *cd_license_get_term_start        (CdLicense *self);
int             cd_license_get_term_months       (CdLicense *self);
int             cd_license_get_notice_months     (CdLicense *self);
const GDate    *cd_license_get_current_term_end  (CdLicense *self);
const GDate    *cd_license_get_notice_deadline   (CdLicense *self);
const GDate    *cd_license_get_next_possible_end (CdLicense *self);
const GDate    *cd_license_get_ends_on           (CdLicense *self);

gboolean        cd_license_equal                 (CdLicense *a,
                                                  CdLicense *b);

G_END_DECLS
