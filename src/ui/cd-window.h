/* cd-window.h: the main window, which moves between the app's pages.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cd-application.h"
#include "cd-portal.h"

G_BEGIN_DECLS

#define CD_TYPE_WINDOW (cd_window_get_type ())

G_DECLARE_FINAL_TYPE (CdWindow, cd_window, CD, WINDOW, AdwApplicationWindow)

/* Property "client" (CdPortalClient, nullable, read-only): the session
 * while someone is signed in. */

CdWindow       *cd_window_new        (CdApplication *application);
void            cd_window_add_toast  (CdWindow      *self,
                                      AdwToast      *toast);
void            cd_window_go_back    (CdWindow      *self);
CdPortalClient *cd_window_get_client (CdWindow      *self);

G_END_DECLS
