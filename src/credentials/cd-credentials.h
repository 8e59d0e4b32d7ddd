/* cd-credentials.h: the session's refresh token in the Secret Service.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsecret/secret.h>

G_BEGIN_DECLS

/* Only the refresh token is ever stored, never a password. The app keeps
 * one session, so storing replaces every secret stored before under this
 * schema. Items carry the attributes "portal" (the address as the user
 * gave it) and "username", which the Flatpak secret portal also needs. */

const SecretSchema *cd_credentials_get_schema    (void) G_GNUC_CONST;

void                cd_credentials_store_async   (const char           *portal_url,
                                                  const char           *username,
                                                  const char           *refresh_token,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean            cd_credentials_store_finish  (GAsyncResult         *result,
                                                  GError              **error);

/* Finishes with NULL and no error when nothing is stored. Free the token
 * with g_free(). */
void                cd_credentials_lookup_async  (const char           *portal_url,
                                                  const char           *username,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
char               *cd_credentials_lookup_finish (GAsyncResult         *result,
                                                  GError              **error);

/* Removes every secret of this schema (there is at most one session). */
void                cd_credentials_clear_async   (GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean            cd_credentials_clear_finish  (GAsyncResult         *result,
                                                  GError              **error);

G_END_DECLS
