/* cd-test-portal.h: starts the real local portal for tests.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CdTestPortal CdTestPortal;

/* Spawns $CD_PORTAL_PROGRAM --listen 127.0.0.1:0 --database <tmp>/portal.db
 * --seed-demo --today TODAY [--devices N] [extra args], reads the base URL
 * from the first stdout line (with a timeout), returns NULL + error on
 * failure. n_devices 0 is the portal's default (240). The portal's stderr
 * goes to the test's stderr. Call it from the thread that lives as long as
 * the portal should (the main thread): the portal is killed when that
 * thread ends, so a crashed test leaves no portal behind.
 *
 * Useful extra args: "--access-token-lifetime", "SECONDS" makes access
 * tokens expire early. */
CdTestPortal *cd_test_portal_start        (const char          *today,
                                           guint                n_devices,
                                           const char * const  *extra_args,
                                           GError             **error);
/* "http://127.0.0.1:PORT"; the API root is <url>/api/v1. */
const char   *cd_test_portal_get_url      (CdTestPortal        *portal);
const char   *cd_test_portal_get_database (CdTestPortal        *portal);
/* Stops the portal (SIGTERM, or nothing if it was killed) and starts it
 * again on the same database with today (NULL keeps the old one). The URL
 * (port) changes. */
gboolean      cd_test_portal_restart      (CdTestPortal        *portal,
                                           const char          *today,
                                           GError             **error);
/* SIGKILL, no cleanup: simulates a crash. */
void          cd_test_portal_kill         (CdTestPortal        *portal);
/* SIGTERM, wait, delete the temporary directory. */
void          cd_test_portal_free         (CdTestPortal        *portal);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdTestPortal, cd_test_portal_free)

G_END_DECLS
