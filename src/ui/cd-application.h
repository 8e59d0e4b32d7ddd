/* cd-application.h: the COREDINATE Admin application object.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cd-demo-portal.h"

G_BEGIN_DECLS

#define CD_TYPE_APPLICATION (cd_application_get_type ())

G_DECLARE_FINAL_TYPE (CdApplication, cd_application, CD, APPLICATION,
                      AdwApplication)

CdApplication *cd_application_new             (void);
const char    *cd_application_get_portal_url  (CdApplication *self);
gboolean       cd_application_get_demo        (CdApplication *self);
CdDemoPortal  *cd_application_get_demo_portal (CdApplication *self);

G_END_DECLS
