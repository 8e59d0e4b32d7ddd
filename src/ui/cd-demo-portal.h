/* cd-demo-portal.h: the bundled local portal with demo data, as a child.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CD_TYPE_DEMO_PORTAL (cd_demo_portal_get_type ())

G_DECLARE_FINAL_TYPE (CdDemoPortal, cd_demo_portal, CD, DEMO_PORTAL, GObject)

#define CD_DEMO_PORTAL_USERNAME "admin@muster.example"
#define CD_DEMO_PORTAL_PASSWORD "demo"

CdDemoPortal *cd_demo_portal_new          (void);

/* Starts the portal (once; later calls finish with the same address) and
 * finishes with its base URL when it is ready. Errors are translated
 * sentences that can be shown as they are. */
void          cd_demo_portal_start_async  (CdDemoPortal         *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
char         *cd_demo_portal_start_finish (CdDemoPortal         *self,
                                           GAsyncResult         *result,
                                           GError              **error);

/* (nullable): the base URL while the portal runs */
const char   *cd_demo_portal_get_url      (CdDemoPortal         *self);
/* (nullable): the process id as a string while it runs */
const char   *cd_demo_portal_get_identifier (CdDemoPortal       *self);
/* Sends SIGTERM; the portal also gets SIGTERM when the app dies. */
void          cd_demo_portal_stop         (CdDemoPortal         *self);

G_END_DECLS
