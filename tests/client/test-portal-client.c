/* test-portal-client.c: every endpoint and problem code against the portal.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <libsoup/soup.h>
#include <string.h>

#include "cd-client-test-util.h"

#define ADMIN "admin@muster.example"
#define VIEWER "leser@muster.example"

static CdTestPortal *portal;

static void
count_signal (guint *count)
{
  (*count)++;
}

static CdPortalClient *
admin_client (void)
{
  return signed_in_client (cd_test_portal_get_url (portal), ADMIN);
}

/* Every device of the tenant, in the portal's order. */
static GListModel *
all_devices (CdPortalClient *client)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *next_cursor = NULL;
  GListModel *devices;
  guint total = 0;

  devices = sync_list_devices (client, NULL, NULL, NULL, 1000, &next_cursor,
                               &total, &error);
  g_assert_no_error (error);
  g_assert_null (next_cursor);
  g_assert_cmpuint (g_list_model_get_n_items (devices), ==, total);

  return devices;
}

typedef gboolean (*DevicePredicate) (CdDevice *device);

/* The @nth device (0-based) for which @predicate holds; NULL if none. */
static CdDevice *
find_device (CdPortalClient  *client,
             DevicePredicate  predicate,
             guint            nth)
{
  g_autoptr(GListModel) devices = all_devices (client);

  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (devices, i);

      if (predicate (device) && nth-- == 0)
        return g_steal_pointer (&device);
    }

  return NULL;
}

static gboolean
has_active_license (CdDevice *device,
                    const char *type_code)
{
  CdLicense *license = cd_device_get_license (device);

  return license != NULL &&
         cd_license_get_state (license) == CD_LICENSE_STATE_ACTIVE &&
         (type_code == NULL ||
          g_strcmp0 (cd_license_get_type_code (license), type_code) == 0);
}

static gboolean
is_standard_without_modules (CdDevice *device)
{
  return has_active_license (device, "standard") &&
         cd_device_get_n_modules (device) == 0;
}

static gboolean
is_unlicensed (CdDevice *device)
{
  return cd_device_get_license (device) == NULL;
}

static gboolean
is_license_cancelled (CdDevice *device)
{
  CdLicense *license = cd_device_get_license (device);

  return license != NULL &&
         cd_license_get_state (license) == CD_LICENSE_STATE_CANCELLED;
}

static gboolean
is_manager_without_gps (CdDevice *device)
{
  return has_active_license (device, "manager") &&
         !cd_device_lookup_module_state (device, "gps", NULL);
}

static CdDevice *
detail_of (CdPortalClient *client,
           CdDevice       *device)
{
  g_autoptr(GError) error = NULL;
  CdDevice *detail;

  detail = sync_get_device (client, cd_device_get_id (device), &error);
  g_assert_no_error (error);
  g_assert_true (cd_device_get_has_detail (detail));
  g_assert_cmpstr (cd_device_get_id (detail), ==, cd_device_get_id (device));

  return detail;
}

static void
test_sign_in (void)
{
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(CdAccount) me = NULL;
  g_autoptr(GError) error = NULL;
  guint token_changes = 0;

  client = cd_portal_client_new (cd_test_portal_get_url (portal), &error);
  g_assert_no_error (error);
  g_signal_connect_swapped (client, "refresh-token-changed",
                            G_CALLBACK (count_signal), &token_changes);

  /* A wrong password is refused and leaves no session. */
  account = sync_sign_in (client, ADMIN, "wrong", &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_INVALID_GRANT);
  g_assert_nonnull (cd_portal_error_get_title (error));
  g_assert_cmpuint (cd_portal_error_get_http_status (error), ==, 400);
  g_assert_null (account);
  g_assert_false (cd_portal_client_get_signed_in (client));
  g_assert_null (cd_portal_client_get_refresh_token (client));
  g_assert_cmpuint (token_changes, ==, 0);
  g_clear_error (&error);

  account = sync_sign_in (client, ADMIN, "demo", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cd_account_get_username (account), ==, ADMIN);
  g_assert_cmpint (cd_account_get_role (account), ==, CD_ACCOUNT_ROLE_ADMIN);
  g_assert_cmpstr (cd_account_get_tenant_name (account), ==,
                   "Muster Sicherheitsdienst GmbH");
  g_assert_true (cd_portal_client_get_account (client) == account);
  g_assert_true (cd_portal_client_get_signed_in (client));
  g_assert_nonnull (cd_portal_client_get_refresh_token (client));
  g_assert_cmpuint (token_changes, ==, 1);

  me = sync_get_me (client, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cd_account_get_tenant_id (me), ==,
                   cd_account_get_tenant_id (account));
}

static void
test_resume_and_sign_out (void)
{
  g_autoptr(CdPortalClient) first = admin_client ();
  g_autoptr(CdPortalClient) second = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = g_strdup (cd_portal_client_get_refresh_token (first));
  g_autofree char *rotated = NULL;
  guint token_changes = 0;

  /* The app starts again with the stored token: resume rotates it. */
  second = cd_portal_client_new (cd_test_portal_get_url (portal), &error);
  g_assert_no_error (error);
  g_signal_connect_swapped (second, "refresh-token-changed",
                            G_CALLBACK (count_signal), &token_changes);
  account = sync_resume (second, stored, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cd_account_get_username (account), ==, ADMIN);
  g_assert_cmpuint (token_changes, ==, 1);
  rotated = g_strdup (cd_portal_client_get_refresh_token (second));
  g_assert_cmpstr (rotated, !=, stored);
  g_clear_object (&account);

  /* A refresh token is single-use. */
  g_clear_object (&second);
  second = cd_portal_client_new (cd_test_portal_get_url (portal), &error);
  account = sync_resume (second, stored, &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_INVALID_GRANT);
  g_assert_null (account);
  g_clear_error (&error);

  /* Sign-out revokes the token and forgets the session. */
  account = sync_resume (second, rotated, &error);
  g_assert_no_error (error);
  g_clear_object (&account);
  g_free (rotated);
  rotated = g_strdup (cd_portal_client_get_refresh_token (second));
  token_changes = 0;
  g_signal_connect_swapped (second, "refresh-token-changed",
                            G_CALLBACK (count_signal), &token_changes);
  g_assert_true (sync_sign_out (second, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (token_changes, ==, 1);
  g_assert_null (cd_portal_client_get_refresh_token (second));
  g_assert_false (cd_portal_client_get_signed_in (second));

  account = sync_get_me (second, &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_NOT_SIGNED_IN);
  g_clear_error (&error);

  account = sync_resume (second, rotated, &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_INVALID_GRANT);
  g_assert_null (account);
}

static void
test_catalogues (void)
{
  g_autoptr(CdPortalClient) client = admin_client ();
  g_autoptr(GListModel) types = NULL;
  g_autoptr(GListModel) modules = NULL;
  g_autoptr(GError) error = NULL;
  gboolean seen_standard = FALSE, seen_lone_worker = FALSE;

  types = sync_list_license_types (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (types), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(CdLicenseType) type = g_list_model_get_item (types, i);

      if (g_str_equal (cd_license_type_get_code (type), "standard"))
        {
          seen_standard = TRUE;
          g_assert_cmpuint (cd_license_type_get_term_months (type), ==, 24);
          g_assert_cmpuint (cd_license_type_get_notice_months (type), ==, 3);
        }
    }
  g_assert_true (seen_standard);

  modules = sync_list_modules (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (modules), ==, 7);
  for (guint i = 0; i < 7; i++)
    {
      g_autoptr(CdModule) module = g_list_model_get_item (modules, i);

      g_assert_cmpint (cd_module_get_price_amount_minor (module), >, 0);
      g_assert_cmpstr (cd_module_get_price_currency (module), ==, "EUR");
      if (g_str_equal (cd_module_get_code (module), "lone-worker"))
        {
          seen_lone_worker = TRUE;
          /* LANG is en_US in tests: English names. */
          g_assert_cmpstr (cd_module_get_name (module), ==,
                           "Lone worker protection");
          g_assert_false (cd_module_is_available_for (module, "manager"));
          g_assert_true (cd_module_is_available_for (module, "standard"));
        }
    }
  g_assert_true (seen_lone_worker);
}

static void
test_german (void)
{
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(GListModel) modules = NULL;
  g_autoptr(GError) error = NULL;
  gboolean seen = FALSE;

  g_setenv ("LANGUAGE", "de_DE", TRUE);
  client = admin_client ();
  g_setenv ("LANGUAGE", "", TRUE);

  modules = sync_list_modules (client, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (modules); i++)
    {
      g_autoptr(CdModule) module = g_list_model_get_item (modules, i);

      if (g_str_equal (cd_module_get_code (module), "gps"))
        {
          seen = TRUE;
          g_assert_cmpstr (cd_module_get_name (module), ==, "GPS-Ortung");
        }
    }
  g_assert_true (seen);
}

static void
test_devices (void)
{
  g_autoptr(CdPortalClient) client = admin_client ();
  g_autoptr(GListModel) everything = all_devices (client);
  g_autoptr(GListModel) page1 = NULL;
  g_autoptr(GListModel) page2 = NULL;
  g_autoptr(GListModel) filtered = NULL;
  g_autoptr(GListModel) events = NULL;
  g_autoptr(CdDevice) first = NULL;
  g_autoptr(CdDevice) second_page_first = NULL;
  g_autoptr(CdDevice) detail = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;
  g_autofree char *cursor2 = NULL;
  g_autofree char *query = NULL;
  guint total = 0, n_all = g_list_model_get_n_items (everything);
  guint n_none = 0;

  g_assert_cmpuint (n_all, ==, 240);

  /* Paging: the second page follows the first. */
  page1 = sync_list_devices (client, NULL, NULL, NULL, 50, &cursor, &total,
                             &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, n_all);
  g_assert_cmpuint (g_list_model_get_n_items (page1), ==, 50);
  g_assert_nonnull (cursor);
  page2 = sync_list_devices (client, NULL, NULL, cursor, 50, &cursor2, &total,
                             &error);
  g_assert_no_error (error);
  second_page_first = g_list_model_get_item (page2, 0);
  first = g_list_model_get_item (everything, 50);
  g_assert_cmpstr (cd_device_get_id (second_page_first), ==,
                   cd_device_get_id (first));
  g_clear_object (&first);

  /* Filters. */
  for (guint i = 0; i < n_all; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (everything, i);

      n_none += cd_device_get_license (device) == NULL;
    }
  filtered = sync_list_devices (client, NULL, "none", NULL, 1000, NULL,
                                &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, n_none);
  g_assert_cmpuint (n_none, >, 0);
  g_clear_object (&filtered);

  first = g_list_model_get_item (everything, 0);
  query = g_utf8_strdown (cd_device_get_serial (first), -1);
  filtered = sync_list_devices (client, query, NULL, NULL, 0, NULL, &total,
                                &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, >=, 1);
  g_clear_object (&second_page_first);
  second_page_first = g_list_model_get_item (filtered, 0);
  g_assert_cmpstr (cd_device_get_id (second_page_first), ==,
                   cd_device_get_id (first));

  /* Detail and history. */
  detail = detail_of (client, first);
  g_assert_cmpint (cd_device_get_revision (detail), >=, 0);
  g_assert_cmpstr (cd_device_get_name (detail), ==, cd_device_get_name (first));
  events = sync_list_events (client, cd_device_get_id (first), &error);
  g_assert_no_error (error);
  g_assert_nonnull (events);

  /* Unknown device, bad cursor. */
  g_clear_object (&detail);
  detail = sync_get_device (client, "no-such-device", &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_NOT_FOUND);
  g_assert_null (detail);
  g_clear_error (&error);
  g_clear_object (&filtered);
  filtered = sync_list_devices (client, NULL, NULL, "garbage", 10, NULL, NULL,
                                &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_INVALID_REQUEST);
  g_assert_nonnull (cd_portal_error_get_detail (error));
  g_assert_cmpstr (error->message, ==, cd_portal_error_get_detail (error));
}

/* The strict readers take everything the portal sends: the detail and the
 * history of every demo device (all license types and states, bookings in
 * every state), and the details agree with the list. */
static void
test_every_device_reads (void)
{
  g_autoptr(CdPortalClient) client = admin_client ();
  g_autoptr(GListModel) devices = all_devices (client);
  guint n = g_list_model_get_n_items (devices);
  guint n_states[3] = { 0, };
  guint n_unlicensed = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (devices, i);
      g_autoptr(CdDevice) detail = detail_of (client, device);
      g_autoptr(GListModel) events = NULL;
      g_autoptr(GError) error = NULL;
      CdLicense *license = cd_device_get_license (detail);
      GListModel *bookings = cd_device_get_bookings (detail);

      events = sync_list_events (client, cd_device_get_id (device), &error);
      g_assert_no_error (error);
      g_assert_nonnull (events);

      g_assert_cmpuint (g_list_model_get_n_items (bookings), ==,
                        cd_device_get_n_modules (device));
      g_assert_true ((license == NULL) ==
                     (cd_device_get_license (device) == NULL));
      if (license == NULL)
        {
          n_unlicensed++;
          continue;
        }

      n_states[cd_license_get_state (license)]++;
      g_assert_true (cd_license_get_has_detail (license));
      g_assert_nonnull (cd_license_get_term_start (license));
      g_assert_nonnull (cd_license_get_notice_deadline (license));
      g_assert_nonnull (cd_license_get_current_term_end (license));
      g_assert_nonnull (cd_license_get_next_possible_end (license));
    }

  g_assert_cmpuint (n_unlicensed, >, 0);
  g_assert_cmpuint (n_states[CD_LICENSE_STATE_ACTIVE], >, 0);
  g_assert_cmpuint (n_states[CD_LICENSE_STATE_CANCELLED], >, 0);
  g_assert_cmpuint (n_states[CD_LICENSE_STATE_ENDED], >, 0);
}

static void
test_book_cancel_withdraw (void)
{
  g_autoptr(CdPortalClient) client = admin_client ();
  g_autoptr(CdDevice) device = find_device (client,
                                            is_standard_without_modules, 0);
  g_autoptr(CdDevice) detail = NULL;
  g_autoptr(CdDevice) after = NULL;
  g_autoptr(CdBooking) booking = NULL;
  g_autoptr(CdBooking) replayed = NULL;
  g_autoptr(CdBooking) cancelled = NULL;
  g_autoptr(CdBooking) withdrawn = NULL;
  g_autoptr(GListModel) events = NULL;
  g_autoptr(CdEvent) newest = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = cd_portal_client_new_idempotency_key ();
  g_autofree char *cancel_key = cd_portal_client_new_idempotency_key ();
  g_autofree char *withdraw_key = cd_portal_client_new_idempotency_key ();
  g_autofree char *other_key = cd_portal_client_new_idempotency_key ();
  gint64 revision, new_revision = -1, replay_revision = -1;
  const char *id;

  g_assert_nonnull (device);
  id = cd_device_get_id (device);
  detail = detail_of (client, device);
  revision = cd_device_get_revision (detail);
  g_assert_true (cd_device_is_bookable (detail, "roster"));

  booking = sync_book_module (client, id, "roster", revision, key,
                              &new_revision, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cd_booking_get_module_code (booking), ==, "roster");
  g_assert_cmpint (cd_booking_get_state (booking), ==, CD_BOOKING_STATE_ACTIVE);
  g_assert_cmpstr (cd_booking_get_booked_by (booking), ==,
                   cd_account_get_display_name (cd_portal_client_get_account (client)));
  g_assert_cmpint (new_revision, >, revision);

  /* The user retries the same change: replayed, not booked twice. */
  replayed = sync_book_module (client, id, "roster", revision, key,
                               &replay_revision, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cd_booking_get_id (replayed), ==,
                   cd_booking_get_id (booking));

  /* A new attempt to book the same module. */
  g_clear_object (&replayed);
  replayed = sync_book_module (client, id, "roster", -1, other_key, NULL,
                               &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_ALREADY_BOOKED);
  g_clear_error (&error);

  /* The key of another change. */
  replayed = sync_book_module (client, id, "tickets", -1, key, NULL, &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_IDEMPOTENCY_KEY_REUSED);
  g_clear_error (&error);

  /* The device changed since the user looked. */
  g_clear_object (&replayed);
  g_free (other_key);
  other_key = cd_portal_client_new_idempotency_key ();
  replayed = sync_cancel_booking (client, id, cd_booking_get_id (booking),
                                  revision, other_key, NULL, &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_PRECONDITION_FAILED);
  g_clear_error (&error);

  cancelled = sync_cancel_booking (client, id, cd_booking_get_id (booking),
                                   new_revision, cancel_key, &revision, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cd_booking_get_state (cancelled), ==,
                   CD_BOOKING_STATE_CANCELLATION_PENDING);
  g_assert_nonnull (cd_booking_get_ends_on (cancelled));
  g_assert_cmpint (revision, >, new_revision);

  g_free (other_key);
  other_key = cd_portal_client_new_idempotency_key ();
  replayed = sync_cancel_booking (client, id, cd_booking_get_id (booking), -1,
                                  other_key, NULL, &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_BOOKING_NOT_ACTIVE);
  g_clear_error (&error);

  after = detail_of (client, device);
  g_assert_true (cd_device_has_pending_cancellation (after));
  g_assert_nonnull (cd_device_get_earliest_pending_end (after));
  g_assert_true (g_date_compare (cd_device_get_earliest_pending_end (after),
                                 cd_booking_get_ends_on (cancelled)) == 0);

  withdrawn = sync_withdraw_cancellation (client, id,
                                          cd_booking_get_id (booking),
                                          revision, withdraw_key, NULL,
                                          &error);
  g_assert_no_error (error);
  g_assert_cmpint (cd_booking_get_state (withdrawn), ==,
                   CD_BOOKING_STATE_ACTIVE);
  g_assert_null (cd_booking_get_ends_on (withdrawn));

  g_clear_object (&replayed);
  g_free (other_key);
  other_key = cd_portal_client_new_idempotency_key ();
  replayed = sync_withdraw_cancellation (client, id,
                                         cd_booking_get_id (booking), -1,
                                         other_key, NULL, &error);
  g_assert_error (error, CD_PORTAL_ERROR,
                  CD_PORTAL_ERROR_WITHDRAWAL_NOT_POSSIBLE);
  g_clear_error (&error);

  /* The history says who did what, newest first. */
  events = sync_list_events (client, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (events), >=, 3);
  newest = g_list_model_get_item (events, 0);
  g_assert_cmpint (cd_event_get_action (newest), ==,
                   CD_EVENT_ACTION_CANCELLATION_WITHDRAWN);
  g_assert_cmpstr (cd_event_get_actor (newest), ==,
                   cd_account_get_display_name (cd_portal_client_get_account (client)));
  g_assert_cmpstr (cd_event_get_module_code (newest), ==, "roster");
}

static void
assert_book_fails (CdPortalClient  *client,
                   CdDevice        *device,
                   const char      *module_code,
                   const char      *key,
                   int              code)
{
  g_autoptr(CdBooking) booking = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *new_key = NULL;

  if (key == NULL)
    key = new_key = cd_portal_client_new_idempotency_key ();

  g_assert_nonnull (device);
  booking = sync_book_module (client, cd_device_get_id (device), module_code,
                              -1, key, NULL, &error);
  g_assert_error (error, CD_PORTAL_ERROR, code);
  g_assert_null (booking);
  g_assert_nonnull (cd_portal_error_get_title (error));
  g_assert_cmpuint (cd_portal_error_get_http_status (error), >=, 400);
}

static void
test_problem_codes (void)
{
  g_autoptr(CdPortalClient) client = admin_client ();
  g_autoptr(CdPortalClient) viewer = NULL;
  g_autoptr(CdDevice) standard = find_device (client,
                                              is_standard_without_modules, 1);
  g_autoptr(CdDevice) unlicensed = find_device (client, is_unlicensed, 0);
  g_autoptr(CdDevice) cancelled = find_device (client, is_license_cancelled, 0);
  g_autoptr(CdDevice) manager = find_device (client, is_manager_without_gps, 0);
  g_autoptr(CdDevice) gone = NULL;
  g_autoptr(GString) huge = g_string_new (NULL);

  assert_book_fails (client, unlicensed, "gps", NULL,
                     CD_PORTAL_ERROR_NO_LICENSE);
  assert_book_fails (client, cancelled, "gps", NULL,
                     CD_PORTAL_ERROR_LICENSE_NOT_ACTIVE);
  assert_book_fails (client, standard, "teleportation", NULL,
                     CD_PORTAL_ERROR_UNKNOWN_MODULE);
  assert_book_fails (client, manager, "gps", NULL,
                     CD_PORTAL_ERROR_MODULE_NOT_AVAILABLE);
  assert_book_fails (client, standard, "gps", "",
                     CD_PORTAL_ERROR_IDEMPOTENCY_KEY_REQUIRED);

  for (guint i = 0; i < 70 * 1024; i++)
    g_string_append_c (huge, 'x');
  assert_book_fails (client, standard, huge->str, NULL,
                     CD_PORTAL_ERROR_PAYLOAD_TOO_LARGE);

  viewer = signed_in_client (cd_test_portal_get_url (portal), VIEWER);
  assert_book_fails (viewer, standard, "gps", NULL,
                     CD_PORTAL_ERROR_FORBIDDEN);

  /* Another tenant's device does not exist for this one. */
  {
    g_autoptr(CdPortalClient) other =
      signed_in_client (cd_test_portal_get_url (portal),
                        "admin@nordwache.example");
    g_autoptr(GError) error = NULL;

    gone = sync_get_device (other, cd_device_get_id (standard), &error);
    g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_NOT_FOUND);
    g_assert_null (gone);
  }
}

static void
test_rate_limited (void)
{
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(GError) error = NULL;
  guint i;

  client = cd_portal_client_new (cd_test_portal_get_url (portal), &error);
  g_assert_no_error (error);

  for (i = 0; i < 10; i++)
    {
      g_autoptr(CdAccount) account = NULL;

      g_clear_error (&error);
      account = sync_sign_in (client, "admin@nordwache.example", "wrong",
                              &error);
      g_assert_null (account);
      if (!g_error_matches (error, CD_PORTAL_ERROR,
                            CD_PORTAL_ERROR_INVALID_GRANT))
        break;
    }

  g_assert_cmpuint (i, ==, 5);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_RATE_LIMITED);
  g_assert_cmpint (cd_portal_error_get_retry_after (error), >, 0);
  g_assert_cmpint (cd_portal_error_get_retry_after (error), <=, 60);
}

static void
test_refresh_on_401 (void)
{
  g_autoptr(CdPortalClient) client = admin_client ();
  g_autoptr(GError) error = NULL;
  g_autofree char *before = g_strdup (cd_portal_client_get_refresh_token (client));
  GAsyncResult *results[5] = { NULL, };
  guint token_changes = 0, expired = 0;

  g_signal_connect_swapped (client, "refresh-token-changed",
                            G_CALLBACK (count_signal), &token_changes);
  g_signal_connect_swapped (client, "session-expired",
                            G_CALLBACK (count_signal), &expired);

  /* Five requests with an expired access token share one refresh. */
  cd_portal_client_set_access_token_for_testing (client, "bogus");
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    cd_portal_client_get_me_async (client, NULL, on_test_async_done,
                                   &results[i]);
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_autoptr(CdAccount) account = NULL;

      wait_for (&results[i]);
      account = cd_portal_client_get_me_finish (client, results[i], &error);
      g_assert_no_error (error);
      g_assert_cmpstr (cd_account_get_username (account), ==, ADMIN);
      g_clear_object (&results[i]);
    }

  g_assert_cmpuint (token_changes, ==, 1);
  g_assert_cmpuint (expired, ==, 0);
  g_assert_cmpstr (cd_portal_client_get_refresh_token (client), !=, before);
}

static void
test_session_expired (void)
{
  g_autoptr(CdPortalClient) client = admin_client ();
  g_autoptr(CdPortalClient) thief = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GListModel) modules = NULL;
  g_autoptr(GError) error = NULL;
  guint expired = 0, token_changes = 0;

  g_signal_connect_swapped (client, "session-expired",
                            G_CALLBACK (count_signal), &expired);
  g_signal_connect_swapped (client, "refresh-token-changed",
                            G_CALLBACK (count_signal), &token_changes);

  /* Someone else used the refresh token, so it no longer works here. */
  thief = cd_portal_client_new (cd_test_portal_get_url (portal), &error);
  account = sync_resume (thief, cd_portal_client_get_refresh_token (client),
                         &error);
  g_assert_no_error (error);
  g_clear_object (&account);

  cd_portal_client_set_access_token_for_testing (client, "bogus");
  account = sync_get_me (client, &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_SESSION_EXPIRED);
  g_assert_null (account);
  g_assert_cmpuint (expired, ==, 1);
  g_assert_cmpuint (token_changes, ==, 1);
  g_assert_null (cd_portal_client_get_refresh_token (client));
  g_assert_false (cd_portal_client_get_signed_in (client));
  g_clear_error (&error);

  modules = sync_list_modules (client, &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_NOT_SIGNED_IN);
  g_assert_cmpuint (expired, ==, 1);
}

static void
test_access_token_lifetime (void)
{
  const char * const args[] = { "--access-token-lifetime", "1", NULL };
  g_autoptr(CdTestPortal) short_lived = start_portal (20, args);
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  guint token_changes = 0;

  client = signed_in_client (cd_test_portal_get_url (short_lived), ADMIN);
  g_signal_connect_swapped (client, "refresh-token-changed",
                            G_CALLBACK (count_signal), &token_changes);

  /* The access token expires on the server; the client refreshes. */
  g_usleep (2100 * G_TIME_SPAN_MILLISECOND);
  account = sync_get_me (client, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cd_account_get_username (account), ==, ADMIN);
  g_assert_cmpuint (token_changes, ==, 1);
}

static void
on_not_a_portal (SoupServer        *server,
                 SoupServerMessage *message,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  static const char page[] = "<html><body>Welcome to nginx!</body></html>";
  guint status = GPOINTER_TO_UINT (user_data);

  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "text/html", SOUP_MEMORY_STATIC,
                                    page, strlen (page));
}

static void
test_not_a_portal (void)
{
  const guint statuses[] = { 200, 404, 405 };

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
      g_autoptr(CdPortalClient) client = NULL;
      g_autoptr(CdAccount) account = NULL;
      g_autoptr(GError) error = NULL;
      g_autoslist(GUri) uris = NULL;
      g_autofree char *url = NULL;

      soup_server_add_handler (server, NULL, on_not_a_portal,
                               GUINT_TO_POINTER (statuses[i]), NULL);
      g_assert_true (soup_server_listen_local (server, 0,
                                               SOUP_SERVER_LISTEN_IPV4_ONLY,
                                               &error));
      uris = soup_server_get_uris (server);
      url = g_strdup_printf ("http://127.0.0.1:%d",
                             g_uri_get_port (uris->data));

      client = cd_portal_client_new (url, &error);
      g_assert_no_error (error);
      account = sync_sign_in (client, ADMIN, "demo", &error);
      g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_NOT_A_PORTAL);
      g_assert_null (account);
    }
}

static void
on_elsewhere (SoupServer        *server,
              SoupServerMessage *message,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  guint *n_requests = user_data;

  (*n_requests)++;
  soup_server_message_set_status (message, 200, NULL);
  soup_server_message_set_response (message, "application/json",
                                    SOUP_MEMORY_STATIC, "{}", 2);
}

typedef struct
{
  const char *target;   /* where to send the client */
  guint       status;
} Redirect;

static void
on_redirect (SoupServer        *server,
             SoupServerMessage *message,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  Redirect *redirect = user_data;
  g_autofree char *location = g_strconcat (redirect->target, path, NULL);

  soup_server_message_set_redirect (message, redirect->status, location);
}

static char *
listen_on_loopback (SoupServer *server)
{
  g_autoslist(GUri) uris = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (soup_server_listen_local (server, 0,
                                           SOUP_SERVER_LISTEN_IPV4_ONLY,
                                           &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);

  return g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
}

/* An address that redirects elsewhere, e.g. from https:// to http://: the
 * client sends nothing there (libsoup would follow 301, 302 and 303 with a
 * GET, headers included), and says it is no portal. */
static void
test_redirect_not_followed (void)
{
  const guint statuses[] = { 301, 302, 303, 307, 308 };
  g_autoptr(SoupServer) elsewhere = soup_server_new (NULL, NULL);
  g_autofree char *elsewhere_url = NULL;
  guint n_elsewhere = 0;

  soup_server_add_handler (elsewhere, NULL, on_elsewhere, &n_elsewhere, NULL);
  elsewhere_url = listen_on_loopback (elsewhere);

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
      g_autoptr(CdPortalClient) client = NULL;
      g_autoptr(CdAccount) account = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *url = NULL;
      Redirect redirect = { elsewhere_url, statuses[i] };

      soup_server_add_handler (server, NULL, on_redirect, &redirect, NULL);
      url = listen_on_loopback (server);

      client = cd_portal_client_new (url, &error);
      g_assert_no_error (error);
      account = sync_sign_in (client, ADMIN, "demo", &error);
      g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_NOT_A_PORTAL);
      g_assert_cmpuint (cd_portal_error_get_http_status (error), ==,
                        statuses[i]);
      g_assert_null (account);
      g_assert_false (cd_portal_client_get_signed_in (client));
      g_assert_cmpuint (cd_portal_client_get_n_sent_for_testing (client), ==,
                        1);
      g_assert_cmpuint (n_elsewhere, ==, 0);
    }
}

/* A self-signed certificate no system trusts. */
static const char untrusted_pem[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIIBfzCCASWgAwIBAgIULcngE7jDk6Q7PIt0fu6N9T5kNRswCgYIKoZIzj0EAwIw\n"
  "FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwMzIwMDEyOVoYDzIxMjYxMTA5\n"
  "MjAwMTI5WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO\n"
  "PQMBBwNCAAQKIAp52eXajCb9nkcjBKJ92TK113A0CUn7WBVA59EfaWWy/EAYMe9N\n"
  "LoBa2Osr5n2Prr+6bbswvMh+pw9TrCUNo1MwUTAdBgNVHQ4EFgQUE2SdytN22TLi\n"
  "3lIs5+h+nFLR9sIwHwYDVR0jBBgwFoAUE2SdytN22TLi3lIs5+h+nFLR9sIwDwYD\n"
  "VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEAjQKapu80y0r7lpvDR1EV\n"
  "xJU7qQjlW9IGeVZla2Ci96kCIF0/eXrlqx4VORb9fgKVNMY5vwvq1zIkUlqdy5Nd\n"
  "DVDi\n"
  "-----END CERTIFICATE-----\n"
  "-----BEGIN PRIVATE KEY-----\n"
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgWJNgKpFQz9U2VA20\n"
  "co+qiQM8x18+TWBrxXi1OzA55JWhRANCAAQKIAp52eXajCb9nkcjBKJ92TK113A0\n"
  "CUn7WBVA59EfaWWy/EAYMe9NLoBa2Osr5n2Prr+6bbswvMh+pw9TrCUN\n"
  "-----END PRIVATE KEY-----\n";

static void
test_tls_refused (void)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autofree char *url = NULL;

  certificate = g_tls_certificate_new_from_pem (untrusted_pem, -1, &error);
  g_assert_no_error (error);
  server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (server, NULL, on_not_a_portal,
                           GUINT_TO_POINTER (200), NULL);
  g_assert_true (soup_server_listen_local (server, 0,
                                           SOUP_SERVER_LISTEN_IPV4_ONLY |
                                           SOUP_SERVER_LISTEN_HTTPS,
                                           &error));
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("https://127.0.0.1:%d", g_uri_get_port (uris->data));

  client = cd_portal_client_new (url, &error);
  g_assert_no_error (error);
  account = sync_sign_in (client, ADMIN, "demo", &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_TLS);
  g_assert_null (account);
  /* Not retried, and there is no way to accept the certificate anyway. */
  g_assert_cmpuint (cd_portal_client_get_n_sent_for_testing (client), ==, 1);
}

static void
test_connection_refused (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  guint16 port;

  /* A port that was free a moment ago: nothing listens there. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);

  client = cd_portal_client_new (url, &error);
  g_assert_no_error (error);
  account = sync_sign_in (client, ADMIN, "demo", &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_NETWORK);
  /* The first attempt and three retries. */
  g_assert_cmpuint (cd_portal_client_get_n_sent_for_testing (client), ==, 4);
}

static void
on_counted (SoupServer        *server,
            SoupServerMessage *message,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  guint *n_requests = user_data;

  (*n_requests)++;
  soup_server_message_set_status (message, 404, NULL);
}

/* A plain http:// address that is not loopback is refused before anything
 * is sent, although a server does listen there. */
static void
test_insecure_url (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) probe = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autofree char *reachable = NULL;
  guint n_requests = 0;
  guint port;
  /* 0.0.0.0 reaches this machine, but it is no loopback address. */
  const char * const refused[] = { "http://0.0.0.0", "HTTP://0.0.0.0",
                                   "http://0", "http://portal.invalid",
                                   "http://[::ffff:127.0.0.1]" };

  soup_server_add_handler (server, NULL, on_counted, &n_requests, NULL);
  g_assert_true (soup_server_listen_all (server, 0,
                                         SOUP_SERVER_LISTEN_IPV4_ONLY,
                                         &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  port = g_uri_get_port (uris->data);

  /* The server answers at the first address... */
  reachable = g_strdup_printf ("http://0.0.0.0:%u/api/v1/auth/token", port);
  probe = soup_message_new ("POST", reachable);
  soup_session_send_and_read_async (session, probe, G_PRIORITY_DEFAULT, NULL,
                                    on_test_async_done, &result);
  answer = soup_session_send_and_read_finish (session, wait_for (&result),
                                              &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (probe), ==, 404);
  g_assert_cmpuint (n_requests, ==, 1);

  /* ...but the client takes none of them, so it cannot send a thing. */
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(CdPortalClient) client = NULL;
      g_autofree char *url = g_strdup_printf ("%s:%u/lizenzen", refused[i],
                                              port);

      g_test_message ("%s", url);
      client = cd_portal_client_new (url, &error);
      g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_INSECURE_URL);
      g_assert_null (client);
      g_clear_error (&error);
    }

  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (n_requests, ==, 1);
}

static void
test_cancelled (void)
{
  g_autoptr(CdPortalClient) client = admin_client ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) devices = NULL;
  g_autoptr(GError) error = NULL;

  cd_portal_client_list_devices_async (client, NULL, NULL, NULL, 1000,
                                       cancellable, on_test_async_done,
                                       &result);
  g_cancellable_cancel (cancellable);
  wait_for (&result);
  devices = cd_portal_client_list_devices_finish (client, result, NULL, NULL,
                                                  &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (devices);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  portal = start_portal (0, NULL);

  g_test_add_func ("/portal-client/sign-in", test_sign_in);
  g_test_add_func ("/portal-client/resume-and-sign-out",
                   test_resume_and_sign_out);
  g_test_add_func ("/portal-client/catalogues", test_catalogues);
  g_test_add_func ("/portal-client/german", test_german);
  g_test_add_func ("/portal-client/devices", test_devices);
  g_test_add_func ("/portal-client/every-device-reads",
                   test_every_device_reads);
  g_test_add_func ("/portal-client/book-cancel-withdraw",
                   test_book_cancel_withdraw);
  g_test_add_func ("/portal-client/problem-codes", test_problem_codes);
  g_test_add_func ("/portal-client/rate-limited", test_rate_limited);
  g_test_add_func ("/portal-client/refresh-on-401", test_refresh_on_401);
  g_test_add_func ("/portal-client/session-expired", test_session_expired);
  g_test_add_func ("/portal-client/access-token-lifetime",
                   test_access_token_lifetime);
  g_test_add_func ("/portal-client/not-a-portal", test_not_a_portal);
  g_test_add_func ("/portal-client/redirect-not-followed",
                   test_redirect_not_followed);
  g_test_add_func ("/portal-client/connection-refused",
                   test_connection_refused);
  g_test_add_func ("/portal-client/insecure-url", test_insecure_url);
  g_test_add_func ("/portal-client/tls-refused", test_tls_refused);
  g_test_add_func ("/portal-client/cancelled", test_cancelled);

  status = g_test_run ();
  cd_test_portal_free (portal);

  return status;
}
