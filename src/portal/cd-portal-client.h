/* cd-portal-client.h: the app's only way to the portal (HTTP, JSON, session).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cd-account.h"
#include "cd-booking.h"
#include "cd-device.h"

G_BEGIN_DECLS

#define CD_TYPE_PORTAL_CLIENT (cd_portal_client_get_type ())

G_DECLARE_FINAL_TYPE (CdPortalClient, cd_portal_client, CD, PORTAL_CLIENT,
                      GObject)

/**
 * CdPortalClient:
 *
 * One client per signed-in account. All requests go through one
 * SoupSession (a 15 s timeout for connecting and for each wait on the
 * portal). Every call is a GTask `_async`/`_finish`
 * pair that takes a GCancellable; a cancelled call finishes with
 * G_IO_ERROR_CANCELLED, every other failure with a #CdPortalError.
 *
 * Session: sign_in or resume gives an access token and a refresh token.
 * The refresh token rotates (single use); after every sign-in and every
 * rotation, and when sign-out clears it, #CdPortalClient::refresh-token-changed
 * is emitted so the app can re-store cd_portal_client_get_refresh_token()
 * (NULL after sign-out or expiry) in the keyring. A request answered with
 * 401 is refreshed and retried once, transparently; concurrent requests
 * share one refresh. When the refresh token is refused,
 * #CdPortalClient::session-expired is emitted once and calls fail with
 * CD_PORTAL_ERROR_SESSION_EXPIRED.
 *
 * Retries: only after network errors (a body cut short included), timeouts
 * and 502/503/504, at most three times, after 0.2 s, 0.6 s and 1.5 s, each
 * time with the same Idempotency-Key, so a change is never made twice.
 * Token and revoke requests have no such key and a refresh token works
 * once, so they are retried only when no connection could be made (they
 * cannot have reached the portal). After any other failure, 502/503/504
 * included, the error is returned, a refresh keeps the session and the
 * user may try again; should the lost answer have rotated the token, that
 * next try is refused and ends the session. An answer that breaks the
 * contract (malformed or wrong-typed JSON, more than 32 MiB, not HTTP, a
 * 3xx redirect: redirects are never followed) is
 * CD_PORTAL_ERROR_UNEXPECTED_RESPONSE (CD_PORTAL_ERROR_NOT_A_PORTAL at
 * sign-in and resume) and not retried.
 *
 * Accept-Language: "de" or "en", the first of the user's languages
 * (g_get_language_names()) that the portal speaks, else "en".
 *
 * Logging: g_debug() one line per request (method, path, status, ms);
 * never a token, password, Authorization header or body.
 *
 * Properties (read-only): "portal-url" (string, as given), "account"
 * (CdAccount, NULL when not signed in), "signed-in" (gboolean).
 *
 * Signals: "refresh-token-changed" (no arguments), "session-expired"
 * (no arguments).
 */

CdPortalClient *
cd_portal_client_new (const char  *portal_url,
                      GError     **error);

const char *
cd_portal_client_get_portal_url (CdPortalClient *self);
CdAccount *
cd_portal_client_get_account (CdPortalClient *self);
gboolean
cd_portal_client_get_signed_in (CdPortalClient *self);
const char *
cd_portal_client_get_refresh_token (CdPortalClient *self);

/* A random UUID. Create one per change the user makes and pass the same
 * key again when the user retries that same change. Free with g_free(). */
char *
cd_portal_client_new_idempotency_key (void);

/* Password grant, then GET /me. Returns the account (also kept as
 * "account"). A wrong password is CD_PORTAL_ERROR_INVALID_GRANT. */
void
cd_portal_client_sign_in_async (CdPortalClient      *self,
                                const char          *username,
                                const char          *password,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data);
CdAccount *
cd_portal_client_sign_in_finish (CdPortalClient  *self,
                                 GAsyncResult    *result,
                                 GError         **error);

/* Refresh grant with a stored refresh token, then GET /me. A refused token
 * is CD_PORTAL_ERROR_INVALID_GRANT (session-expired is not emitted here:
 * there was no session yet). */
void
cd_portal_client_resume_async (CdPortalClient      *self,
                               const char          *refresh_token,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data);
CdAccount *
cd_portal_client_resume_finish (CdPortalClient  *self,
                                GAsyncResult    *result,
                                GError         **error);

/* Revokes the refresh token and forgets the session. The local session is
 * forgotten even when the revoke request fails (the error is still
 * returned so the caller may log it). */
void
cd_portal_client_sign_out_async (CdPortalClient      *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
gboolean
cd_portal_client_sign_out_finish (CdPortalClient  *self,
                                  GAsyncResult    *result,
                                  GError         **error);

void
cd_portal_client_get_me_async (CdPortalClient      *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data);
CdAccount *
cd_portal_client_get_me_finish (CdPortalClient  *self,
                                GAsyncResult    *result,
                                GError         **error);

/* Returns a GListModel of CdLicenseType. */
void
cd_portal_client_list_license_types_async (CdPortalClient      *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
GListModel *
cd_portal_client_list_license_types_finish (CdPortalClient  *self,
                                            GAsyncResult    *result,
                                            GError         **error);

/* Returns a GListModel of CdModule. */
void
cd_portal_client_list_modules_async (CdPortalClient      *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
GListModel *
cd_portal_client_list_modules_finish (CdPortalClient  *self,
                                      GAsyncResult    *result,
                                      GError         **error);

/* One page of GET /devices. @query (nullable): name/serial/model contains;
 * @license (nullable): a license type code or "none"; @cursor (nullable):
 * the next_cursor of the previous page; @limit: 1-1000, 0 for the
 * portal's default. Returns a GListModel of CdDevice (summaries);
 * @next_cursor gets NULL on the last page; @total counts all matches. */
void
cd_portal_client_list_devices_async (CdPortalClient      *self,
                                     const char          *query,
                                     const char          *license,
                                     const char          *cursor,
                                     guint                limit,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
GListModel *
cd_portal_client_list_devices_finish (CdPortalClient  *self,
                                      GAsyncResult    *result,
                                      char           **next_cursor,
                                      guint           *total,
                                      GError         **error);

/* GET /devices/{id}: a CdDevice with "has-detail" TRUE. */
void
cd_portal_client_get_device_async (CdPortalClient      *self,
                                   const char          *device_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
CdDevice *
cd_portal_client_get_device_finish (CdPortalClient  *self,
                                    GAsyncResult    *result,
                                    GError         **error);

/* GET /devices/{id}/events: a GListModel of CdEvent, newest first. */
void
cd_portal_client_list_events_async (CdPortalClient      *self,
                                    const char          *device_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
GListModel *
cd_portal_client_list_events_finish (CdPortalClient  *self,
                                     GAsyncResult    *result,
                                     GError         **error);

/* Changes. @if_match_revision: the device revision the user saw (sends
 * If-Match), or -1 for none. @idempotency_key: from
 * cd_portal_client_new_idempotency_key(), reused when the user retries the
 * same change. The finish functions return the booking and put the
 * device's new revision (from the ETag; -1 if the answer had none) into
 * @new_revision (nullable). */
void
cd_portal_client_book_module_async (CdPortalClient      *self,
                                    const char          *device_id,
                                    const char          *module_code,
                                    gint64               if_match_revision,
                                    const char          *idempotency_key,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
CdBooking *
cd_portal_client_book_module_finish (CdPortalClient  *self,
                                     GAsyncResult    *result,
                                     gint64          *new_revision,
                                     GError         **error);

void
cd_portal_client_cancel_booking_async (CdPortalClient      *self,
                                       const char          *device_id,
                                       const char          *booking_id,
                                       gint64               if_match_revision,
                                       const char          *idempotency_key,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
CdBooking *
cd_portal_client_cancel_booking_finish (CdPortalClient  *self,
                                        GAsyncResult    *result,
                                        gint64          *new_revision,
                                        GError         **error);

void
cd_portal_client_withdraw_cancellation_async (CdPortalClient      *self,
                                              const char          *device_id,
                                              const char          *booking_id,
                                              gint64               if_match_revision,
                                              const char          *idempotency_key,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
CdBooking *
cd_portal_client_withdraw_cancellation_finish (CdPortalClient  *self,
                                               GAsyncResult    *result,
                                               gint64          *new_revision,
                                               GError         **error);

G_END_DECLS
