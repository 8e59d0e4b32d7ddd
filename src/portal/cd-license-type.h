/* cd-license-type.h: one entry of the license type catalogue.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CD_TYPE_LICENSE_TYPE (cd_license_type_get_type ())

G_DECLARE_FINAL_TYPE (CdLicenseType, cd_license_type, CD, LICENSE_TYPE, GObject)

/* Read-only properties: "code", "name" (localised by Accept-Language),
 * "term-months", "notice-months". */
const char *cd_license_type_get_code          (CdLicenseType *self);
const char *cd_license_type_get_name          (CdLicenseType *self);
guint       cd_license_type_get_term_months   (CdLicenseType *self);
guint       cd_license_type_get_notice_months (CdLicenseType *self);

G_END_DECLS
