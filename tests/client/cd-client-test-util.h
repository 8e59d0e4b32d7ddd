/* cd-client-test-util.h: synchronous wrappers for the client tests.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cd-portal.h"
#include "cd-portal-client-private.h"
#include "cd-test-portal.h"

G_BEGIN_DECLS

/* The fixed server date of every client test. */
#define TEST_TODAY "2026-12-01"

static inline void
on_test_async_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static inline GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

#define RUN_ASYNC(call_async, call_finish, client, ...)                 \
  ({                                                                    \
    g_autoptr(GAsyncResult) _result = NULL;                             \
    call_async (client, __VA_ARGS__, on_test_async_done, &_result);     \
    wait_for (&_result);                                                \
    call_finish;                                                        \
  })

static inline CdAccount *
sync_sign_in (CdPortalClient  *client,
              const char      *username,
              const char      *password,
              GError         **error)
{
  return RUN_ASYNC (cd_portal_client_sign_in_async,
                    cd_portal_client_sign_in_finish (client, _result, error),
                    client, username, password, NULL);
}

static inline CdAccount *
sync_resume (CdPortalClient  *client,
             const char      *refresh_token,
             GError         **error)
{
  return RUN_ASYNC (cd_portal_client_resume_async,
                    cd_portal_client_resume_finish (client, _result, error),
                    client, refresh_token, NULL);
}

static inline gboolean
sync_sign_out (CdPortalClient  *client,
               GError         **error)
{
  return RUN_ASYNC (cd_portal_client_sign_out_async,
                    cd_portal_client_sign_out_finish (client, _result, error),
                    client, NULL);
}

static inline CdAccount *
sync_get_me (CdPortalClient  *client,
             GError         **error)
{
  return RUN_ASYNC (cd_portal_client_get_me_async,
                    cd_portal_client_get_me_finish (client, _result, error),
                    client, NULL);
}

static inline GListModel *
sync_list_license_types (CdPortalClient  *client,
                         GError         **error)
{
  return RUN_ASYNC (cd_portal_client_list_license_types_async,
                    cd_portal_client_list_license_types_finish (client, _result,
                                                                error),
                    client, NULL);
}

static inline GListModel *
sync_list_modules (CdPortalClient  *client,
                   GError         **error)
{
  return RUN_ASYNC (cd_portal_client_list_modules_async,
                    cd_portal_client_list_modules_finish (client, _result,
                                                          error),
                    client, NULL);
}

static inline GListModel *
sync_list_devices (CdPortalClient  *client,
                   const char      *query,
                   const char      *license,
                   const char      *cursor,
                   guint            limit,
                   char           **next_cursor,
                   guint           *total,
                   GError         **error)
{
  return RUN_ASYNC (cd_portal_client_list_devices_async,
                    cd_portal_client_list_devices_finish (client, _result,
                                                          next_cursor, total,
                                                          error),
                    client, query, license, cursor, limit, NULL);
}

static inline CdDevice *
sync_get_device (CdPortalClient  *client,
                 const char      *device_id,
                 GError         **error)
{
  return RUN_ASYNC (cd_portal_client_get_device_async,
                    cd_portal_client_get_device_finish (client, _result,
                                                        error),
                    client, device_id, NULL);
}

static inline GListModel *
sync_list_events (CdPortalClient  *client,
                  const char      *device_id,
                  GError         **error)
{
  return RUN_ASYNC (cd_portal_client_list_events_async,
                    cd_portal_client_list_events_finish (client, _result,
                                                         error),
                    client, device_id, NULL);
}

static inline CdBooking *
sync_book_module (CdPortalClient  *client,
                  const char      *device_id,
                  const char      *module_code,
                  gint64           if_match_revision,
                  const char      *idempotency_key,
                  gint64          *new_revision,
                  GError         **error)
{
  return RUN_ASYNC (cd_portal_client_book_module_async,
                    cd_portal_client_book_module_finish (client, _result,
                                                         new_revision, error),
                    client, device_id, module_code, if_match_revision,
                    idempotency_key, NULL);
}

static inline CdBooking *
sync_cancel_booking (CdPortalClient  *client,
                     const char      *device_id,
                     const char      *booking_id,
                     gint64           if_match_revision,
                     const char      *idempotency_key,
                     gint64          *new_revision,
                     GError         **error)
{
  return RUN_ASYNC (cd_portal_client_cancel_booking_async,
                    cd_portal_client_cancel_booking_finish (client, _result,
                                                            new_revision,
                                                            error),
                    client, device_id, booking_id, if_match_revision,
                    idempotency_key, NULL);
}

static inline CdBooking *
sync_withdraw_cancellation (CdPortalClient  *client,
                            const char      *device_id,
                            const char      *booking_id,
                            gint64           if_match_revision,
                            const char      *idempotency_key,
                            gint64          *new_revision,
                            GError         **error)
{
  return RUN_ASYNC (cd_portal_client_withdraw_cancellation_async,
                    cd_portal_client_withdraw_cancellation_finish (client,
                                                                   _result,
                                                                   new_revision,
                                                                   error),
                    client, device_id, booking_id, if_match_revision,
                    idempotency_key, NULL);
}

/* A client of @url, signed in as @username (password "demo"). */
static inline CdPortalClient *
signed_in_client (const char *url,
                  const char *username)
{
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  client = cd_portal_client_new (url, &error);
  g_assert_no_error (error);
  account = sync_sign_in (client, username, "demo", &error);
  g_assert_no_error (error);
  g_assert_nonnull (account);

  return g_steal_pointer (&client);
}

static inline CdTestPortal *
start_portal (guint               n_devices,
              const char * const *extra_args)
{
  g_autoptr(GError) error = NULL;
  CdTestPortal *portal = cd_test_portal_start (TEST_TODAY, n_devices,
                                               extra_args, &error);

  g_assert_no_error (error);
  g_assert_nonnull (portal);
  return portal;
}

G_END_DECLS
