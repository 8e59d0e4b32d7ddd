/* cd-portal-client-private.h: test hooks of CdPortalClient.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cd-portal-client.h"

G_BEGIN_DECLS

/* The SoupSession I/O timeout in seconds (default 15). */
void cd_portal_client_set_timeout_for_testing      (CdPortalClient *self,
                                                    guint           seconds);
/* Replaces the access token, e.g. with a bogus one to provoke a 401. */
void cd_portal_client_set_access_token_for_testing (CdPortalClient *self,
                                                    const char     *access_token);
/* The current access token (NULL when signed out), so tests can look for
 * it where it must not be, e.g. in the log. */
const char *cd_portal_client_get_access_token_for_testing (CdPortalClient *self);
/* Number of requests sent (attempts, retries included). */
guint cd_portal_client_get_n_sent_for_testing      (CdPortalClient *self);
/* The Accept-Language ("de" or "en") for a list of language names. */
const char *cd_portal_client_pick_language (const char * const *language_names);

G_END_DECLS
