/* test-portal-api.c: every endpoint and error code of the real portal.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "server-test-util.h"

#define TODAY "2026-12-14"

static CdTestPortal *portal;
static SoupSession *session;
static const char *url;
static char *admin_token;
static char *viewer_token;
static char *nordwache_token;
static GHashTable *used_devices;

static TestResponse *
get (const char *path,
     const char *token)
{
  return test_call (session, url, "GET", path, token, NULL, -1, NULL);
}

static TestResponse *
post_change (const char *path,
             const char *token,
             const char *body,
             const char *key,
             const char *if_match)
{
  const char *headers[7] = { NULL };
  guint n = 0;

  if (key != NULL)
    {
      headers[n++] = "Idempotency-Key";
      headers[n++] = key;
    }
  if (if_match != NULL)
    {
      headers[n++] = "If-Match";
      headers[n++] = if_match;
    }
  return test_call (session, url, "POST", path, token, body, -1, headers);
}

static TestResponse *
book (const char *device_id,
      const char *module,
      const char *token)
{
  g_autofree char *path = g_strdup_printf ("/devices/%s/bookings", device_id);
  g_autofree char *body = g_strdup_printf ("{\"module\":\"%s\"}", module);
  g_autofree char *key = test_new_key ();

  return post_change (path, token, body, key, NULL);
}

static TestResponse *
booking_action (const char *device_id,
                const char *booking_id,
                const char *action)
{
  g_autofree char *path = g_strdup_printf ("/devices/%s/bookings/%s/%s",
                                           device_id, booking_id, action);
  g_autofree char *key = test_new_key ();

  return post_change (path, admin_token, NULL, key, NULL);
}

/* Every device of the admin's tenant in list order. */
static JsonArray *
all_devices (const char *query)
{
  g_autoptr(TestResponse) response = NULL;
  g_autofree char *path = g_strdup_printf ("/devices?limit=1000%s%s",
                                           query ? "&" : "", query ? query : "");
  JsonObject *object;

  response = get (path, admin_token);
  g_assert_cmpuint (response->status, ==, 200);
  object = test_object (response);
  g_assert_true (json_object_get_null_member (object, "next_cursor"));
  return json_array_ref (json_object_get_array_member (object, "items"));
}

static TestResponse *
get_device (const char *device_id,
            const char *token)
{
  g_autofree char *path = g_strdup_printf ("/devices/%s", device_id);

  return get (path, token);
}

static gboolean
summary_has_module (JsonObject *device,
                    const char *module)
{
  JsonArray *modules = json_object_get_array_member (device, "modules");

  for (guint i = 0; i < json_array_get_length (modules); i++)
    if (g_strcmp0 (json_object_get_string_member (
                     json_array_get_object_element (modules, i), "code"),
                   module) == 0)
      return TRUE;
  return FALSE;
}

typedef enum
{
  WANT_NO_LICENSE,
  WANT_ACTIVE,
  WANT_CANCELLED,
  WANT_CANCELLED_WITH_PENDING,
} Want;

/* An unused device of the admin's tenant that fits; without_module, when
 * set, must not be active or pending on it. */
static char *
find_device (Want        want,
             const char *license_type,
             const char *without_module)
{
  g_autoptr(JsonArray) devices = all_devices (NULL);

  for (guint i = 0; i < json_array_get_length (devices); i++)
    {
      JsonObject *device = json_array_get_object_element (devices, i);
      const char *id = json_object_get_string_member (device, "id");
      JsonObject *license = NULL;
      const char *state = NULL;

      if (g_hash_table_contains (used_devices, id))
        continue;
      if (!json_object_get_null_member (device, "license"))
        {
          license = json_object_get_object_member (device, "license");
          state = json_object_get_string_member (license, "state");
        }

      if (want == WANT_NO_LICENSE && license != NULL)
        continue;
      if (want != WANT_NO_LICENSE && license == NULL)
        continue;
      if (want == WANT_ACTIVE && g_strcmp0 (state, "active") != 0)
        continue;
      if ((want == WANT_CANCELLED || want == WANT_CANCELLED_WITH_PENDING)
          && g_strcmp0 (state, "cancelled") != 0)
        continue;
      if (license_type != NULL
          && g_strcmp0 (json_object_get_string_member (license, "type"),
                        license_type) != 0)
        continue;
      if (without_module != NULL && summary_has_module (device, without_module))
        continue;
      if (want == WANT_CANCELLED_WITH_PENDING)
        {
          JsonArray *modules = json_object_get_array_member (device, "modules");
          gboolean pending = FALSE;

          for (guint j = 0; j < json_array_get_length (modules); j++)
            if (g_strcmp0 (json_object_get_string_member (
                             json_array_get_object_element (modules, j),
                             "state"), "cancellation_pending") == 0)
              pending = TRUE;
          if (!pending)
            continue;
        }

      g_hash_table_add (used_devices, g_strdup (id));
      return g_strdup (id);
    }

  g_assert_not_reached ();
}

static gint64
device_revision (const char *device_id)
{
  g_autoptr(TestResponse) response = get_device (device_id, admin_token);

  g_assert_cmpuint (response->status, ==, 200);
  return json_object_get_int_member (test_object (response), "revision");
}

/* Auth */

static void
test_sign_in_wrong_password (void)
{
  g_autoptr(TestResponse) response = NULL;

  response = test_call (session, url, "POST", "/auth/token", NULL,
                        "{\"grant_type\":\"password\",\"username\":"
                        "\"admin@muster.example\",\"password\":\"nope\"}",
                        -1, NULL);
  test_assert_problem (response, 400, "invalid_grant");
  g_clear_pointer (&response, test_response_free);

  response = test_call (session, url, "POST", "/auth/token", NULL,
                        "{\"grant_type\":\"password\",\"username\":"
                        "\"nobody@muster.example\",\"password\":\"demo\"}",
                        -1, NULL);
  test_assert_problem (response, 400, "invalid_grant");
  g_clear_pointer (&response, test_response_free);

  response = test_call (session, url, "POST", "/auth/token", NULL,
                        "{\"grant_type\":\"magic\"}", -1, NULL);
  test_assert_problem (response, 400, "invalid_request");
  g_clear_pointer (&response, test_response_free);

  response = test_call (session, url, "POST", "/auth/token", NULL,
                        "{\"grant_type\":\"password\",\"username\":"
                        "\"admin@muster.example\",\"password\":42}", -1, NULL);
  test_assert_problem (response, 400, "invalid_request");
}

static void
test_refresh_rotation (void)
{
  g_autoptr(TestResponse) response = NULL;
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *body = NULL;
  g_autofree char *new_refresh = NULL;
  g_autofree char *new_access = NULL;
  JsonObject *object;

  access = test_sign_in (session, url, "admin@muster.example", &refresh);
  body = g_strdup_printf ("{\"grant_type\":\"refresh_token\","
                          "\"refresh_token\":\"%s\"}", refresh);

  response = test_call (session, url, "POST", "/auth/token", NULL, body, -1,
                        NULL);
  g_assert_cmpuint (response->status, ==, 200);
  object = test_object (response);
  new_refresh = g_strdup (json_object_get_string_member (object,
                                                         "refresh_token"));
  new_access = g_strdup (json_object_get_string_member (object,
                                                        "access_token"));
  g_assert_cmpint (json_object_get_int_member (object, "expires_in"), ==, 900);
  g_assert_cmpstr (new_refresh, !=, refresh);
  g_assert_cmpstr (new_access, !=, access);
  g_clear_pointer (&response, test_response_free);

  /* The old one is single-use. */
  response = test_call (session, url, "POST", "/auth/token", NULL, body, -1,
                        NULL);
  test_assert_problem (response, 400, "invalid_grant");
  g_clear_pointer (&response, test_response_free);

  response = get ("/me", new_access);
  g_assert_cmpuint (response->status, ==, 200);
}

static void
test_revoke (void)
{
  g_autoptr(TestResponse) response = NULL;
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *body = NULL;
  g_autofree char *grant = NULL;
  g_autofree char *key = test_new_key ();

  access = test_sign_in (session, url, "admin@muster.example", &refresh);
  body = g_strdup_printf ("{\"refresh_token\":\"%s\"}", refresh);

  response = test_call (session, url, "POST", "/auth/revoke", NULL, body, -1,
                        NULL);
  test_assert_problem (response, 401, "unauthorized");
  g_clear_pointer (&response, test_response_free);

  response = test_call (session, url, "POST", "/auth/revoke", access, body,
                        -1, NULL);
  g_assert_cmpuint (response->status, ==, 204);
  g_clear_pointer (&response, test_response_free);

  grant = g_strdup_printf ("{\"grant_type\":\"refresh_token\","
                           "\"refresh_token\":\"%s\"}", refresh);
  response = test_call (session, url, "POST", "/auth/token", NULL, grant, -1,
                        NULL);
  test_assert_problem (response, 400, "invalid_grant");
  g_clear_pointer (&response, test_response_free);

  /* Signing out ends the access token issued with it, too. */
  response = get ("/me", access);
  test_assert_problem (response, 401, "unauthorized");
}

static void
test_unauthorized (void)
{
  static const char * const paths[] = {
    "/me", "/license-types", "/modules", "/devices",
    "/devices/00000000-0000-4000-8000-000000000000",
    "/devices/00000000-0000-4000-8000-000000000000/events",
  };

  static const char * const changes[] = {
    "/auth/revoke",
    "/devices/00000000-0000-4000-8000-000000000000/bookings",
    "/devices/00000000-0000-4000-8000-000000000000/bookings/"
      "00000000-0000-4000-8000-000000000001/cancel",
    "/devices/00000000-0000-4000-8000-000000000000/bookings/"
      "00000000-0000-4000-8000-000000000001/withdraw-cancellation",
  };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(TestResponse) missing = get (paths[i], NULL);
      g_autoptr(TestResponse) bad = get (paths[i], "not-a-token");

      test_assert_problem (missing, 401, "unauthorized");
      test_assert_problem (bad, 401, "unauthorized");
    }

  /* Changes too, before anything else about them is looked at. */
  for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
    {
      g_autofree char *key = test_new_key ();
      g_autoptr(TestResponse) missing = NULL;
      g_autoptr(TestResponse) bad = NULL;

      missing = post_change (changes[i], NULL, "{\"module\":\"tickets\"}",
                             key, NULL);
      bad = post_change (changes[i], "not-a-token", "{\"refresh_token\":\"x\"}",
                         key, NULL);
      test_assert_problem (missing, 401, "unauthorized");
      test_assert_problem (bad, 401, "unauthorized");
    }

  /* Error titles follow Accept-Language, German by default. */
  {
    const char *english[] = { "Accept-Language", "en", NULL };
    g_autoptr(TestResponse) de = get ("/me", NULL);
    g_autoptr(TestResponse) en = test_call (session, url, "GET", "/me", NULL,
                                            NULL, -1, english);

    g_assert_cmpstr (json_object_get_string_member (test_object (de),
                                                    "title"),
                     ==, "Anmeldung erforderlich");
    g_assert_cmpstr (json_object_get_string_member (test_object (en),
                                                    "title"),
                     ==, "Authentication required");
  }
}

static void
test_rate_limit (void)
{
  const char *wrong = "{\"grant_type\":\"password\",\"username\":"
                      "\"leser@muster.example\",\"password\":\"wrong\"}";
  const char *right = "{\"grant_type\":\"password\",\"username\":"
                      "\"leser@muster.example\",\"password\":\"demo\"}";
  g_autoptr(TestResponse) response = NULL;
  guint64 retry_after = 0;

  for (guint i = 0; i < 5; i++)
    {
      g_clear_pointer (&response, test_response_free);
      response = test_call (session, url, "POST", "/auth/token", NULL, wrong,
                            -1, NULL);
      test_assert_problem (response, 400, "invalid_grant");
    }

  /* Even the right password waits now. */
  g_clear_pointer (&response, test_response_free);
  response = test_call (session, url, "POST", "/auth/token", NULL, right, -1,
                        NULL);
  test_assert_problem (response, 429, "rate_limited");
  g_assert_true (g_ascii_string_to_unsigned (
    soup_message_headers_get_one (response->headers, "Retry-After"), 10, 1,
    60, &retry_after, NULL));

  /* Other users are not affected. */
  g_free (test_sign_in (session, url, "admin@muster.example", NULL));
}

static void
test_me (void)
{
  static const struct {
    const char **token;
    const char  *username;
    const char  *role;
    const char  *tenant;
  } cases[] = {
    { (const char **) &admin_token, "admin@muster.example", "admin",
      "Muster Sicherheitsdienst GmbH" },
    { (const char **) &viewer_token, "leser@muster.example", "viewer",
      "Muster Sicherheitsdienst GmbH" },
    { (const char **) &nordwache_token, "admin@nordwache.example", "admin",
      "Nordwache GmbH" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TestResponse) response = get ("/me", *cases[i].token);
      JsonObject *me;
      JsonObject *tenant;

      g_assert_cmpuint (response->status, ==, 200);
      me = test_object (response);
      g_assert_cmpstr (json_object_get_string_member (me, "username"), ==,
                       cases[i].username);
      g_assert_cmpstr (json_object_get_string_member (me, "role"), ==,
                       cases[i].role);
      g_assert_cmpuint (strlen (json_object_get_string_member (
                          me, "display_name")), >, 0);
      tenant = json_object_get_object_member (me, "tenant");
      g_assert_cmpstr (json_object_get_string_member (tenant, "name"), ==,
                       cases[i].tenant);
      g_assert_nonnull (json_object_get_string_member (tenant, "id"));
    }
}

/* Catalogues */

static void
test_license_types (void)
{
  static const struct {
    const char *code;
    gint64      term_months;
    gint64      notice_months;
  } expected[] = {
    { "standard", 24, 3 },
    { "flex", 1, 0 },
    { "manager", 24, 3 },
  };
  g_autoptr(TestResponse) response = get ("/license-types", admin_token);
  JsonArray *items;

  g_assert_cmpuint (response->status, ==, 200);
  items = json_object_get_array_member (test_object (response), "items");
  g_assert_cmpuint (json_array_get_length (items), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      JsonObject *type = json_array_get_object_element (items, i);

      g_assert_cmpstr (json_object_get_string_member (type, "code"), ==,
                       expected[i].code);
      g_assert_cmpint (json_object_get_int_member (type, "term_months"), ==,
                       expected[i].term_months);
      g_assert_cmpint (json_object_get_int_member (type, "notice_months"), ==,
                       expected[i].notice_months);
      g_assert_nonnull (json_object_get_string_member (type, "name"));
    }
}

static const char *
module_name (const char *language,
             const char *code)
{
  const char *headers[] = { "Accept-Language", language, NULL };
  g_autoptr(TestResponse) response = NULL;
  JsonArray *items;
  static char name[128];

  response = test_call (session, url, "GET", "/modules", admin_token, NULL,
                        -1, headers);
  g_assert_cmpuint (response->status, ==, 200);
  items = json_object_get_array_member (test_object (response), "items");
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *module = json_array_get_object_element (items, i);

      if (g_strcmp0 (json_object_get_string_member (module, "code"), code) == 0)
        {
          g_strlcpy (name, json_object_get_string_member (module, "name"),
                     sizeof name);
          return name;
        }
    }
  g_assert_not_reached ();
}

static void
test_modules (void)
{
  static const char * const codes[] = {
    "flexible-forms", "lone-worker", "tickets", "roster", "key-management",
    "file-manager", "gps",
  };
  g_autoptr(TestResponse) response = get ("/modules", admin_token);
  JsonArray *items;

  g_assert_cmpuint (response->status, ==, 200);
  items = json_object_get_array_member (test_object (response), "items");
  g_assert_cmpuint (json_array_get_length (items), ==, G_N_ELEMENTS (codes));
  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      JsonObject *module = json_array_get_object_element (items, i);
      JsonArray *available = json_object_get_array_member (module,
                                                           "available_for");
      JsonObject *price = json_object_get_object_member (module,
                                                         "monthly_price");
      gboolean manager = FALSE;

      g_assert_cmpstr (json_object_get_string_member (module, "code"), ==,
                       codes[i]);
      g_assert_nonnull (json_object_get_string_member (module, "description"));
      g_assert_cmpint (json_object_get_int_member (price, "amount_minor"), >, 0);
      g_assert_cmpstr (json_object_get_string_member (price, "currency"), ==,
                       "EUR");
      for (guint j = 0; j < json_array_get_length (available); j++)
        if (g_strcmp0 (json_array_get_string_element (available, j),
                       "manager") == 0)
          manager = TRUE;
      g_assert_cmpint (manager, ==, strcmp (codes[i], "lone-worker") != 0
                                    && strcmp (codes[i], "gps") != 0);
    }

  g_assert_cmpstr (module_name ("de", "lone-worker"), ==,
                   "Alleinarbeiterschutz");
  g_assert_cmpstr (module_name ("en-US,en;q=0.8", "lone-worker"), ==,
                   "Lone worker protection");
  g_assert_cmpstr (module_name ("fr", "flexible-forms"), ==,
                   "Flexible Formulare");
}

/* Devices */

static void
check_order (JsonObject *before,
             JsonObject *after)
{
  int by_name = strcmp (json_object_get_string_member (before, "name"),
                        json_object_get_string_member (after, "name"));

  g_assert_true (by_name < 0
                 || (by_name == 0
                     && strcmp (json_object_get_string_member (before, "id"),
                                json_object_get_string_member (after, "id"))
                        < 0));
}

static void
test_paging (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                      g_free, NULL);
  g_autoptr(JsonArray) everything = all_devices (NULL);
  g_autofree char *cursor = NULL;
  JsonObject *previous = NULL;
  g_autoptr(JsonArray) keep = json_array_new ();
  guint pages = 0;

  g_assert_cmpuint (json_array_get_length (everything), ==, 240);

  do
    {
      g_autoptr(TestResponse) response = NULL;
      g_autofree char *path = NULL;
      g_autofree char *escaped = NULL;
      JsonObject *object;
      JsonArray *items;

      escaped = cursor ? g_uri_escape_string (cursor, NULL, TRUE) : NULL;
      path = g_strdup_printf ("/devices?limit=7%s%s",
                              escaped ? "&cursor=" : "", escaped ? escaped : "");
      response = get (path, admin_token);
      g_assert_cmpuint (response->status, ==, 200);
      object = test_object (response);
      g_assert_cmpint (json_object_get_int_member (object, "total"), ==, 240);
      items = json_object_get_array_member (object, "items");
      g_assert_cmpuint (json_array_get_length (items), <=, 7);

      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonObject *device = json_array_get_object_element (items, i);
          const char *id = json_object_get_string_member (device, "id");

          g_assert_false (g_hash_table_contains (seen, id));
          g_hash_table_add (seen, g_strdup (id));
          if (previous != NULL)
            check_order (previous, device);
          json_array_add_object_element (keep, json_object_ref (device));
          previous = device;
        }

      g_clear_pointer (&cursor, g_free);
      if (!json_object_get_null_member (object, "next_cursor"))
        cursor = g_strdup (json_object_get_string_member (object,
                                                          "next_cursor"));
      pages++;
    }
  while (cursor != NULL);

  g_assert_cmpuint (g_hash_table_size (seen), ==, 240);
  g_assert_cmpuint (pages, ==, 35);

  /* The same order as one big page. */
  for (guint i = 0; i < 240; i++)
    g_assert_cmpstr (
      json_object_get_string_member (json_array_get_object_element (keep, i),
                                     "id"), ==,
      json_object_get_string_member (
        json_array_get_object_element (everything, i), "id"));
}

/* Pages through the devices at limit; returns the number of pages and
 * asserts that only the last one has no cursor. */
static guint
count_pages (const char *token,
             guint       limit,
             gint64      total)
{
  g_autofree char *cursor = NULL;
  guint pages = 0;
  gint64 seen = 0;

  do
    {
      g_autoptr(TestResponse) response = NULL;
      g_autofree char *path = NULL;
      g_autofree char *escaped = NULL;
      JsonObject *object;
      guint n_items;

      escaped = cursor ? g_uri_escape_string (cursor, NULL, TRUE) : NULL;
      path = g_strdup_printf ("/devices?limit=%u%s%s", limit,
                              escaped ? "&cursor=" : "", escaped ? escaped : "");
      response = get (path, token);
      g_assert_cmpuint (response->status, ==, 200);
      object = test_object (response);
      g_assert_cmpint (json_object_get_int_member (object, "total"), ==, total);
      n_items = json_array_get_length (json_object_get_array_member (object,
                                                                     "items"));
      seen += n_items;
      pages++;

      g_clear_pointer (&cursor, g_free);
      if (!json_object_get_null_member (object, "next_cursor"))
        {
          cursor = g_strdup (json_object_get_string_member (object,
                                                            "next_cursor"));
          /* A cursor promises more: a page is never empty. */
          g_assert_cmpuint (n_items, ==, limit);
          g_assert_cmpint (seen, <, total);
        }
      else
        g_assert_cmpint (seen, ==, total);
    }
  while (cursor != NULL);

  return pages;
}

static void
test_paging_full_last_page (void)
{
  /* When the total is a multiple of limit, the last full page says there
   * is no next one, so a client needs no extra round trip. */
  g_assert_cmpuint (count_pages (admin_token, 240, 240), ==, 1);
  g_assert_cmpuint (count_pages (admin_token, 120, 240), ==, 2);
  g_assert_cmpuint (count_pages (admin_token, 8, 240), ==, 30);
  g_assert_cmpuint (count_pages (admin_token, 239, 240), ==, 2);
  g_assert_cmpuint (count_pages (admin_token, 241, 240), ==, 1);
  g_assert_cmpuint (count_pages (nordwache_token, 3, 6), ==, 2);
  g_assert_cmpuint (count_pages (nordwache_token, 6, 6), ==, 1);
  g_assert_cmpuint (count_pages (nordwache_token, 1, 6), ==, 6);
}

/* The ids of every device that matches query, page by page at limit;
 * asserts that the total stays the same and no id comes twice. */
static GPtrArray *
page_ids (const char *query,
          guint       limit)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *cursor = NULL;
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  gint64 total = -1;

  do
    {
      g_autoptr(TestResponse) response = NULL;
      g_autofree char *path = NULL;
      g_autofree char *escaped = NULL;
      JsonObject *object;
      JsonArray *items;

      escaped = cursor ? g_uri_escape_string (cursor, NULL, TRUE) : NULL;
      path = g_strdup_printf ("/devices?limit=%u&%s%s%s", limit, query,
                              escaped ? "&cursor=" : "", escaped ? escaped : "");
      response = get (path, admin_token);
      g_assert_cmpuint (response->status, ==, 200);
      object = test_object (response);
      if (total < 0)
        total = json_object_get_int_member (object, "total");
      g_assert_cmpint (json_object_get_int_member (object, "total"), ==, total);
      items = json_object_get_array_member (object, "items");
      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          const char *id = json_object_get_string_member (
            json_array_get_object_element (items, i), "id");

          g_assert_false (g_hash_table_contains (seen, id));
          g_ptr_array_add (ids, g_strdup (id));
          g_hash_table_add (seen, g_ptr_array_index (ids, ids->len - 1));
        }

      g_clear_pointer (&cursor, g_free);
      if (!json_object_get_null_member (object, "next_cursor"))
        cursor = g_strdup (json_object_get_string_member (object,
                                                          "next_cursor"));
    }
  while (cursor != NULL);

  g_assert_cmpint (ids->len, ==, total);
  return ids;
}

static void
test_paging_filtered (void)
{
  static const char * const queries[] = {
    "license=flex", "q=streife", "license=standard&q=s%C3%BCd",
    "license=none",
  };

  /* Paging a filtered list finds what one big page of it has, in order. */
  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autoptr(JsonArray) everything = all_devices (queries[i]);
      g_autoptr(GPtrArray) paged = page_ids (queries[i], 3);

      g_test_message ("%s", queries[i]);
      g_assert_cmpuint (json_array_get_length (everything), >, 3);
      g_assert_cmpuint (paged->len, ==, json_array_get_length (everything));
      for (guint j = 0; j < paged->len; j++)
        g_assert_cmpstr (g_ptr_array_index (paged, j), ==,
                         json_object_get_string_member (
                           json_array_get_object_element (everything, j),
                           "id"));
    }
}

static gboolean
text_contains (JsonObject *device,
               const char *member,
               const char *folded_needle)
{
  g_autofree char *folded = g_utf8_casefold (
    json_object_get_string_member (device, member), -1);

  return strstr (folded, folded_needle) != NULL;
}

static void
check_filter (const char *query,
              const char *q,
              const char *license)
{
  g_autoptr(JsonArray) everything = all_devices (NULL);
  g_autoptr(JsonArray) filtered = all_devices (query);
  g_autoptr(TestResponse) response = NULL;
  g_autofree char *folded = q ? g_utf8_casefold (q, -1) : NULL;
  g_autofree char *path = g_strdup_printf ("/devices?limit=1&%s", query);
  guint expected = 0;
  guint j = 0;

  for (guint i = 0; i < json_array_get_length (everything); i++)
    {
      JsonObject *device = json_array_get_object_element (everything, i);
      gboolean match = TRUE;

      if (folded != NULL)
        match = text_contains (device, "name", folded)
                || text_contains (device, "serial", folded)
                || text_contains (device, "model", folded);
      if (license != NULL && strcmp (license, "none") == 0)
        match = match && json_object_get_null_member (device, "license");
      else if (license != NULL)
        match = match && !json_object_get_null_member (device, "license")
                && g_strcmp0 (json_object_get_string_member (
                                json_object_get_object_member (device,
                                                               "license"),
                                "type"), license) == 0;
      if (!match)
        continue;

      g_assert_cmpuint (j, <, json_array_get_length (filtered));
      g_assert_cmpstr (json_object_get_string_member (device, "id"), ==,
                       json_object_get_string_member (
                         json_array_get_object_element (filtered, j), "id"));
      j++;
      expected++;
    }

  g_assert_cmpuint (expected, ==, json_array_get_length (filtered));
  g_assert_cmpuint (expected, >, 0);

  /* total counts every match, not the page. */
  response = get (path, admin_token);
  g_assert_cmpuint (response->status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (test_object (response),
                                               "total"), ==, expected);
}

static void
test_filters (void)
{
  check_filter ("q=hafen", "hafen", NULL);
  check_filter ("q=S%C3%9CD", "SÜD", NULL);
  check_filter ("q=xcover", "xcover", NULL);
  check_filter ("q=r5ct", "r5ct", NULL);
  check_filter ("license=none", NULL, "none");
  check_filter ("license=flex", NULL, "flex");
  check_filter ("license=manager", NULL, "manager");
  check_filter ("license=standard&q=streife", "streife", "standard");

  /* Every filter has a total of its own, whichever was asked first, also
   * for characters no device has. */
  {
    static const char * const queries[] = {
      "q=%1E", "", "q=%1F", "license=flex&q=%1F", "q=%1Fflex", "license=flex",
    };
    static const gint64 expected[] = { 0, 240, 0, 0, 0, -1 };
    g_autoptr(JsonArray) flex = all_devices ("license=flex");

    for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
      {
        g_autofree char *path = g_strdup_printf ("/devices?limit=1&%s",
                                                 queries[i]);
        g_autoptr(TestResponse) response = get (path, admin_token);

        g_test_message ("%s", queries[i]);
        g_assert_cmpuint (response->status, ==, 200);
        g_assert_cmpint (json_object_get_int_member (test_object (response),
                                                     "total"), ==,
                         expected[i] >= 0
                         ? expected[i]
                         : (gint64) json_array_get_length (flex));
      }
  }
}

/* The list's modules are the detail's bookings, code and state, in order. */
static void
assert_modules_match_bookings (JsonObject *summary,
                               JsonObject *detail)
{
  JsonArray *modules = json_object_get_array_member (summary, "modules");
  JsonArray *bookings = json_object_get_array_member (detail, "bookings");

  g_assert_cmpuint (json_array_get_length (modules), ==,
                    json_array_get_length (bookings));
  for (guint i = 0; i < json_array_get_length (modules); i++)
    {
      JsonObject *module = json_array_get_object_element (modules, i);
      JsonObject *booking = json_array_get_object_element (bookings, i);

      g_assert_cmpstr (json_object_get_string_member (module, "code"), ==,
                       json_object_get_string_member (booking, "module"));
      g_assert_cmpstr (json_object_get_string_member (module, "state"), ==,
                       json_object_get_string_member (booking, "state"));
    }
}

/* The device's summary as the list shows it now. */
static JsonObject *
list_summary (const char *device_id)
{
  g_autoptr(JsonArray) devices = all_devices (NULL);

  for (guint i = 0; i < json_array_get_length (devices); i++)
    {
      JsonObject *device = json_array_get_object_element (devices, i);

      if (g_strcmp0 (json_object_get_string_member (device, "id"),
                     device_id) == 0)
        return json_object_ref (device);
    }
  g_assert_not_reached ();
}

static void
assert_list_matches_detail (const char *device_id)
{
  g_autoptr(JsonObject) summary = list_summary (device_id);
  g_autoptr(TestResponse) detail = get_device (device_id, admin_token);

  g_assert_cmpuint (detail->status, ==, 200);
  assert_modules_match_bookings (summary, test_object (detail));
}

/* Some notice deadlines fall within 30 days, so the app has something to
 * warn about, and seeded bookings come with their history. */
static void
check_demo_details (JsonArray *devices)
{
  guint deadlines_soon = 0;
  guint with_history = 0;

  for (guint i = 0; i < json_array_get_length (devices); i++)
    {
      JsonObject *summary = json_array_get_object_element (devices, i);
      const char *id = json_object_get_string_member (summary, "id");
      g_autoptr(TestResponse) detail = NULL;
      JsonObject *license;
      const char *deadline;

      detail = get_device (id, viewer_token);
      g_assert_cmpuint (detail->status, ==, 200);
      assert_modules_match_bookings (summary, test_object (detail));
      if (json_object_get_null_member (summary, "license"))
        continue;
      license = json_object_get_object_member (test_object (detail),
                                               "license");
      deadline = json_object_get_string_member (license, "notice_deadline");
      if (g_strcmp0 (json_object_get_string_member (license, "state"),
                     "active") == 0
          && strcmp (deadline, TODAY) >= 0 && strcmp (deadline, "2027-01-13") <= 0)
        deadlines_soon++;

      if (json_array_get_length (json_object_get_array_member (
            test_object (detail), "bookings")) > 0 && with_history < 5)
        {
          g_autofree char *path = g_strdup_printf ("/devices/%s/events", id);
          g_autoptr(TestResponse) events = get (path, viewer_token);
          JsonArray *items;
          const char *previous = NULL;

          g_assert_cmpuint (events->status, ==, 200);
          items = json_object_get_array_member (test_object (events), "items");
          g_assert_cmpuint (json_array_get_length (items), >, 0);
          for (guint j = 0; j < json_array_get_length (items); j++)
            {
              const char *at = json_object_get_string_member (
                json_array_get_object_element (items, j), "at");

              if (previous != NULL)
                g_assert_cmpstr (previous, >=, at);
              previous = at;
            }
          with_history++;
        }
    }

  g_assert_cmpuint (deadlines_soon, >=, 3);
  g_assert_cmpuint (with_history, ==, 5);
}

static void
test_demo_data (void)
{
  g_autoptr(JsonArray) devices = all_devices (NULL);
  g_autoptr(GHashTable) states = g_hash_table_new (g_str_hash, g_str_equal);
  guint without_license = 0;
  gboolean comma_quote = FALSE;
  gboolean umlaut = FALSE;

  for (guint i = 0; i < json_array_get_length (devices); i++)
    {
      JsonObject *device = json_array_get_object_element (devices, i);
      const char *name = json_object_get_string_member (device, "name");
      JsonArray *modules = json_object_get_array_member (device, "modules");

      if (strchr (name, ',') && strchr (name, '"'))
        comma_quote = TRUE;
      if (strstr (name, "ü") || strstr (name, "ö") || strstr (name, "ä"))
        umlaut = TRUE;
      if (json_object_get_null_member (device, "license"))
        without_license++;
      else
        g_hash_table_add (states, (gpointer) json_object_get_string_member (
          json_object_get_object_member (device, "license"), "state"));
      for (guint j = 0; j < json_array_get_length (modules); j++)
        g_hash_table_add (states, (gpointer) json_object_get_string_member (
          json_array_get_object_element (modules, j), "state"));
    }

  g_assert_true (comma_quote);
  g_assert_true (umlaut);
  check_demo_details (devices);
  g_assert_cmpuint (without_license, >=, 240 / 16);
  g_assert_cmpuint (without_license, <=, 240 / 5);
  g_assert_true (g_hash_table_contains (states, "active"));
  g_assert_true (g_hash_table_contains (states, "cancelled"));
  g_assert_true (g_hash_table_contains (states, "ended"));
  g_assert_true (g_hash_table_contains (states, "cancellation_pending"));
}

static void
test_bad_list_queries (void)
{
  static const char * const queries[] = {
    "limit=0", "limit=1001", "limit=abc", "limit=-1", "limit=5x", "limit=",
    "limit=+5", "cursor=garbage", "cursor=v1.%25%25.abc", "cursor=v1..x",
    "cursor=v1.QQ.zz", "cursor=", "license=gold", "license=", "q=%FF%FE",
  };

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autofree char *path = g_strdup_printf ("/devices?%s", queries[i]);
      g_autoptr(TestResponse) response = get (path, admin_token);

      g_test_message ("%s", queries[i]);
      test_assert_problem (response, 400, "invalid_request");
    }
}

static void
test_device_detail (void)
{
  g_autofree char *id = find_device (WANT_ACTIVE, "manager", NULL);
  g_autoptr(TestResponse) response = get_device (id, admin_token);
  g_autofree char *etag = NULL;
  JsonObject *device;
  JsonObject *license;
  JsonArray *bookable;
  JsonArray *bookings;

  g_assert_cmpuint (response->status, ==, 200);
  device = test_object (response);
  etag = g_strdup_printf ("\"%" G_GINT64_FORMAT "\"",
                          json_object_get_int_member (device, "revision"));
  g_assert_cmpstr (soup_message_headers_get_one (response->headers, "ETag"),
                   ==, etag);

  license = json_object_get_object_member (device, "license");
  g_assert_cmpstr (json_object_get_string_member (license, "type"), ==,
                   "manager");
  g_assert_cmpint (json_object_get_int_member (license, "term_months"), ==, 24);
  g_assert_cmpint (json_object_get_int_member (license, "notice_months"), ==, 3);
  g_assert_nonnull (json_object_get_string_member (license, "term_start"));
  g_assert_nonnull (json_object_get_string_member (license, "notice_deadline"));
  g_assert_cmpstr (json_object_get_string_member (license, "current_term_end"),
                   >=, TODAY);

  /* Bookable: available for manager and not active or pending. */
  bookable = json_object_get_array_member (device, "bookable");
  bookings = json_object_get_array_member (device, "bookings");
  for (guint i = 0; i < json_array_get_length (bookable); i++)
    {
      const char *code = json_array_get_string_element (bookable, i);

      g_assert_cmpstr (code, !=, "gps");
      g_assert_cmpstr (code, !=, "lone-worker");
      g_assert_false (summary_has_module (device, code));
    }
  g_assert_cmpuint (json_array_get_length (bookable)
                    + json_array_get_length (bookings), ==, 5);
  for (guint i = 0; i < json_array_get_length (bookings); i++)
    {
      JsonObject *booking = json_array_get_object_element (bookings, i);

      g_assert_cmpstr (json_object_get_string_member (booking, "state"), !=,
                       "ended");
      g_assert_true (json_object_has_member (booking, "cancelled_by"));
      g_assert_nonnull (json_object_get_string_member (booking, "booked_on"));
    }
}

static void
test_not_found (void)
{
  static const char * const paths[] = {
    "/devices/00000000-0000-4000-8000-000000000000",
    "/devices/00000000-0000-4000-8000-000000000000/events",
    "/devices/not-an-id", "/nothing", "/devices/x/y/z/w/v", "/me/too",
  };
  g_autoptr(TestResponse) outside = NULL;
  g_autoptr(TestResponse) wrong_method = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(TestResponse) response = get (paths[i], admin_token);

      test_assert_problem (response, 404, "not_found");
    }

  outside = test_call (session, url, "GET", "/../../etc/passwd", NULL, NULL,
                       -1, NULL);
  g_assert_cmpuint (outside->status, ==, 404);

  /* Documented choice: 405 with the generic invalid_request code. */
  wrong_method = test_call (session, url, "DELETE", "/devices", admin_token,
                            NULL, -1, NULL);
  g_assert_cmpuint (wrong_method->status, ==, 405);
  g_assert_cmpstr (json_object_get_string_member (test_object (wrong_method),
                                                  "code"), ==,
                   "invalid_request");
  g_assert_cmpstr (soup_message_headers_get_one (wrong_method->headers,
                                                 "Allow"), ==, "GET");
}

static void
test_tenant_isolation (void)
{
  g_autoptr(JsonArray) muster = all_devices (NULL);
  g_autoptr(TestResponse) nordwache = get ("/devices", nordwache_token);
  g_autofree char *muster_id = find_device (WANT_ACTIVE, "standard", "tickets");
  g_autofree char *events = g_strdup_printf ("/devices/%s/events", muster_id);
  g_autoptr(TestResponse) detail = get_device (muster_id, nordwache_token);
  g_autoptr(TestResponse) history = get (events, nordwache_token);
  g_autoptr(TestResponse) booking = book (muster_id, "tickets",
                                          nordwache_token);
  g_autoptr(TestResponse) cancel = NULL;
  g_autoptr(TestResponse) own = NULL;
  JsonArray *items;
  const char *nordwache_id;

  test_assert_problem (detail, 404, "not_found");
  test_assert_problem (history, 404, "not_found");
  test_assert_problem (booking, 404, "not_found");

  g_assert_cmpuint (nordwache->status, ==, 200);
  items = json_object_get_array_member (test_object (nordwache), "items");
  g_assert_cmpint (json_object_get_int_member (test_object (nordwache),
                                               "total"), ==, 6);
  g_assert_cmpuint (json_array_get_length (items), ==, 6);
  nordwache_id = json_object_get_string_member (
    json_array_get_object_element (items, 0), "id");
  for (guint i = 0; i < json_array_get_length (muster); i++)
    g_assert_cmpstr (json_object_get_string_member (
                       json_array_get_object_element (muster, i), "id"),
                     !=, nordwache_id);

  own = get_device (nordwache_id, admin_token);
  test_assert_problem (own, 404, "not_found");

  /* Nothing of it was booked. */
  g_assert_cmpint (device_revision (muster_id), ==, 1);
}

/* Changes */

static void
test_booking_lifecycle (void)
{
  g_autofree char *id = find_device (WANT_ACTIVE, "standard", "roster");
  g_autofree char *booking_id = NULL;
  g_autofree char *events_path = g_strdup_printf ("/devices/%s/events", id);
  g_autofree char *etag = NULL;
  g_autoptr(TestResponse) detail = get_device (id, admin_token);
  g_autoptr(TestResponse) response = NULL;
  g_autoptr(TestResponse) events = NULL;
  JsonObject *booking;
  JsonObject *license;
  JsonArray *items;
  const char *next_possible_end;
  gint64 revision;

  revision = json_object_get_int_member (test_object (detail), "revision");
  license = json_object_get_object_member (test_object (detail), "license");
  next_possible_end = json_object_get_string_member (license,
                                                     "next_possible_end");

  response = book (id, "roster", admin_token);
  g_assert_cmpuint (response->status, ==, 201);
  booking = test_object (response);
  booking_id = g_strdup (json_object_get_string_member (booking, "id"));
  g_assert_cmpstr (json_object_get_string_member (booking, "module"), ==,
                   "roster");
  g_assert_cmpstr (json_object_get_string_member (booking, "state"), ==,
                   "active");
  g_assert_cmpstr (json_object_get_string_member (booking, "booked_on"), ==,
                   TODAY);
  g_assert_cmpstr (json_object_get_string_member (booking, "booked_by"), ==,
                   "Anna Bergmann");
  g_assert_true (json_object_get_null_member (booking, "ends_on"));
  etag = g_strdup_printf ("\"%" G_GINT64_FORMAT "\"", revision + 1);
  g_assert_cmpstr (soup_message_headers_get_one (response->headers, "ETag"),
                   ==, etag);
  g_assert_cmpint (device_revision (id), ==, revision + 1);
  g_clear_pointer (&response, test_response_free);
  assert_list_matches_detail (id);

  response = book (id, "roster", admin_token);
  test_assert_problem (response, 409, "already_booked");
  g_clear_pointer (&response, test_response_free);

  response = booking_action (id, booking_id, "cancel");
  g_assert_cmpuint (response->status, ==, 200);
  booking = test_object (response);
  g_assert_cmpstr (json_object_get_string_member (booking, "state"), ==,
                   "cancellation_pending");
  g_assert_cmpstr (json_object_get_string_member (booking, "cancelled_on"),
                   ==, TODAY);
  g_assert_cmpstr (json_object_get_string_member (booking, "ends_on"), ==,
                   next_possible_end);
  g_clear_pointer (&response, test_response_free);
  assert_list_matches_detail (id);
  {
    g_autoptr(JsonObject) summary = list_summary (id);

    g_assert_true (summary_has_module (summary, "roster"));
  }

  /* Still pending, so still not bookable again. */
  response = book (id, "roster", admin_token);
  test_assert_problem (response, 409, "already_booked");
  g_clear_pointer (&response, test_response_free);

  response = booking_action (id, booking_id, "cancel");
  test_assert_problem (response, 409, "booking_not_active");
  g_clear_pointer (&response, test_response_free);

  response = booking_action (id, booking_id, "withdraw-cancellation");
  g_assert_cmpuint (response->status, ==, 200);
  booking = test_object (response);
  g_assert_cmpstr (json_object_get_string_member (booking, "state"), ==,
                   "active");
  g_assert_true (json_object_get_null_member (booking, "ends_on"));
  g_assert_true (json_object_get_null_member (booking, "cancelled_on"));
  g_clear_pointer (&response, test_response_free);
  assert_list_matches_detail (id);

  response = booking_action (id, booking_id, "withdraw-cancellation");
  test_assert_problem (response, 422, "withdrawal_not_possible");
  g_clear_pointer (&response, test_response_free);

  response = booking_action (id, "00000000-0000-4000-8000-000000000000",
                             "cancel");
  test_assert_problem (response, 404, "not_found");

  g_assert_cmpint (device_revision (id), ==, revision + 3);

  events = get (events_path, admin_token);
  g_assert_cmpuint (events->status, ==, 200);
  items = json_object_get_array_member (test_object (events), "items");
  g_assert_cmpuint (json_array_get_length (items), >=, 3);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (items, 0), "action"),
                   ==, "cancellation_withdrawn");
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (items, 1), "action"),
                   ==, "module_cancelled");
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (items, 1), "ends_on"),
                   ==, next_possible_end);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (items, 2), "action"),
                   ==, "module_booked");
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *event = json_array_get_object_element (items, i);

      g_assert_cmpstr (json_object_get_string_member (event, "module"), ==,
                       "roster");
      g_assert_cmpstr (json_object_get_string_member (event, "actor"), ==,
                       "Anna Bergmann");
      g_assert_true (g_str_has_prefix (json_object_get_string_member (event,
                                                                      "at"),
                                       TODAY "T"));
    }
}

static void
test_booking_rules (void)
{
  g_autofree char *unlicensed = find_device (WANT_NO_LICENSE, NULL, NULL);
  g_autofree char *cancelled = find_device (WANT_CANCELLED_WITH_PENDING, NULL,
                                            NULL);
  g_autofree char *manager = find_device (WANT_ACTIVE, "manager", NULL);
  g_autoptr(TestResponse) response = NULL;
  g_autoptr(TestResponse) detail = NULL;
  JsonArray *bookings;

  response = book (unlicensed, "tickets", admin_token);
  test_assert_problem (response, 422, "no_license");
  g_clear_pointer (&response, test_response_free);

  response = book (cancelled, "tickets", admin_token);
  test_assert_problem (response, 422, "license_not_active");
  g_clear_pointer (&response, test_response_free);

  response = book (manager, "gps", admin_token);
  test_assert_problem (response, 422, "module_not_available");
  g_clear_pointer (&response, test_response_free);

  response = book (manager, "lone-worker", admin_token);
  test_assert_problem (response, 422, "module_not_available");
  g_clear_pointer (&response, test_response_free);

  response = book (manager, "teleportation", admin_token);
  test_assert_problem (response, 422, "unknown_module");
  g_clear_pointer (&response, test_response_free);

  /* A pending booking of a cancelled license cannot come back. */
  detail = get_device (cancelled, admin_token);
  bookings = json_object_get_array_member (test_object (detail), "bookings");
  for (guint i = 0; i < json_array_get_length (bookings); i++)
    {
      JsonObject *booking = json_array_get_object_element (bookings, i);

      if (g_strcmp0 (json_object_get_string_member (booking, "state"),
                     "cancellation_pending") != 0)
        continue;
      response = booking_action (cancelled,
                                 json_object_get_string_member (booking, "id"),
                                 "withdraw-cancellation");
      test_assert_problem (response, 422, "withdrawal_not_possible");
      g_clear_pointer (&response, test_response_free);
      response = booking_action (cancelled,
                                 json_object_get_string_member (booking, "id"),
                                 "cancel");
      test_assert_problem (response, 409, "booking_not_active");
      g_clear_pointer (&response, test_response_free);
    }

  g_assert_cmpint (device_revision (manager), ==, 1);
  g_assert_cmpint (device_revision (cancelled), ==, 1);
}

static void
test_bad_bodies (void)
{
  static const char * const bodies[] = {
    "", "{", "[]", "\"tickets\"", "{\"module\":7}", "{\"module\":null}",
    "{\"module\":[\"tickets\"]}", "{\"modul\":\"tickets\"}", "{\"module\":\"\"}",
    "{\"module\":\"tickets\"", "nul", "\xff\xfe{}",
  };
  g_autofree char *id = find_device (WANT_ACTIVE, "flex", "tickets");
  g_autofree char *path = g_strdup_printf ("/devices/%s/bookings", id);
  g_autofree char *deep = NULL;
  g_autoptr(GString) nested = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autofree char *key = test_new_key ();
      g_autoptr(TestResponse) response = post_change (path, admin_token,
                                                      bodies[i], key, NULL);

      g_test_message ("body %u", i);
      test_assert_problem (response, 400, "invalid_request");
    }

  /* Deep nesting within the size limit must not overflow anything. */
  for (guint i = 0; i < 30000; i++)
    g_string_append_c (nested, '[');
  {
    g_autofree char *key = test_new_key ();
    g_autoptr(TestResponse) response = post_change (path, admin_token,
                                                    nested->str, key, NULL);

    test_assert_problem (response, 400, "invalid_request");
  }

  g_assert_cmpint (device_revision (id), ==, 1);
}

static void
test_payload_too_large (void)
{
  g_autofree char *id = find_device (WANT_ACTIVE, "flex", "roster");
  g_autofree char *path = g_strdup_printf ("/devices/%s/bookings", id);
  g_autofree char *key = test_new_key ();
  g_autoptr(GString) body = g_string_new ("{\"module\":\"roster\",\"x\":\"");
  g_autoptr(TestResponse) response = NULL;

  while (body->len <= 64 * 1024)
    g_string_append (body, "aaaaaaaaaaaaaaaa");
  g_string_append (body, "\"}");

  response = post_change (path, admin_token, body->str, key, NULL);
  test_assert_problem (response, 413, "payload_too_large");
  g_clear_pointer (&response, test_response_free);

  response = test_call (session, url, "POST", "/auth/token", NULL, body->str,
                        -1, NULL);
  test_assert_problem (response, 413, "payload_too_large");

  g_assert_cmpint (device_revision (id), ==, 1);
}

/* A chunked POST of body; NULL with error when the portal ended the
 * connection without an answer. */
static TestResponse *
post_chunked (SoupSession  *client,
              const char   *path,
              GBytes       *body,
              GError      **error)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (body);
  g_autofree char *key = test_new_key ();
  const char *headers[] = { "Idempotency-Key", key, NULL };

  return test_send (client, url, "POST", path, admin_token, stream, -1,
                    headers, error);
}

static GBytes *
padded_body (const char *module,
             gsize       size)
{
  GString *body = g_string_new (NULL);

  g_string_append_printf (body, "{\"module\":\"%s\",\"x\":\"", module);
  while (body->len + 2 < size)
    g_string_append_c (body, 'a');
  g_string_append (body, "\"}");
  return g_string_free_to_bytes (body);
}

static void
test_chunked_too_large (void)
{
  g_autofree char *id = find_device (WANT_ACTIVE, "flex", "tickets");
  g_autofree char *path = g_strdup_printf ("/devices/%s/bookings", id);
  g_autoptr(SoupSession) client = test_session_new ();
  g_autoptr(GBytes) big = padded_body ("tickets", 1024 * 1024);
  g_autoptr(GBytes) huge = padded_body ("tickets",
                                        9 * 1024 * 1024);
  g_autoptr(GBytes) small = padded_body ("tickets", 60 * 1024);
  g_autoptr(TestResponse) response = NULL;
  g_autoptr(TestResponse) after = NULL;
  g_autoptr(GError) error = NULL;

  /* Counted as it arrives: refused with 413 and the connection closed,
   * not kept in memory in full. */
  response = post_chunked (client, path, big, &error);
  g_assert_no_error (error);
  test_assert_problem (response, 413, "payload_too_large");
  g_assert_cmpstr (soup_message_headers_get_one (response->headers,
                                                 "Connection"), ==, "close");
  g_clear_pointer (&response, test_response_free);

  /* The portal goes on serving, on the same session too. */
  after = test_call (client, url, "GET", "/me", admin_token, NULL, -1, NULL);
  g_assert_cmpuint (after->status, ==, 200);
  g_assert_cmpint (device_revision (id), ==, 1);

  /* A body far past the limit is not read to its end: no answer. */
  {
    g_autoptr(SoupSession) fresh = test_session_new ();

    response = post_chunked (fresh, path, huge, &error);
    g_assert_null (response);
    g_assert_nonnull (error);
    g_clear_error (&error);
  }

  /* A chunked body within the limit is read like any other. */
  response = post_chunked (client, path, small, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (response->status, ==, 201);
  g_assert_cmpstr (json_object_get_string_member (test_object (response),
                                                  "module"), ==, "tickets");
  g_assert_cmpint (device_revision (id), ==, 2);
}

/* A viewer's change on its own tenant's device: 403, and nothing
 * changes. */
static void
assert_viewer_refused (const char *device_id,
                       const char *path,
                       const char *body)
{
  g_autofree char *key = test_new_key ();
  g_autoptr(TestResponse) before = get_device (device_id, admin_token);
  g_autoptr(TestResponse) response = NULL;
  g_autoptr(TestResponse) after = NULL;

  g_assert_cmpuint (before->status, ==, 200);
  response = post_change (path, viewer_token, body, key, NULL);
  test_assert_problem (response, 403, "forbidden");
  after = get_device (device_id, admin_token);
  g_assert_cmpuint (after->status, ==, 200);
  g_assert_cmpmem (g_bytes_get_data (before->body, NULL),
                   g_bytes_get_size (before->body),
                   g_bytes_get_data (after->body, NULL),
                   g_bytes_get_size (after->body));
}

static void
test_viewer_forbidden (void)
{
  g_autofree char *id = find_device (WANT_ACTIVE, "standard", "tickets");
  g_autofree char *book_path = g_strdup_printf ("/devices/%s/bookings", id);
  g_autofree char *cancel_path = NULL;
  g_autofree char *withdraw_path = NULL;
  g_autoptr(TestResponse) booked = NULL;
  g_autoptr(TestResponse) cancelled = NULL;
  g_autoptr(TestResponse) detail = NULL;
  const char *booking_id;

  assert_viewer_refused (id, book_path, "{\"module\":\"tickets\"}");
  detail = get_device (id, viewer_token);
  g_assert_cmpuint (detail->status, ==, 200);
  g_assert_false (summary_has_module (test_object (detail), "tickets"));
  g_assert_cmpint (json_object_get_int_member (test_object (detail),
                                               "revision"), ==, 1);

  /* Cancelling and withdrawing are changes as well. */
  booked = book (id, "tickets", admin_token);
  g_assert_cmpuint (booked->status, ==, 201);
  booking_id = json_object_get_string_member (test_object (booked), "id");
  cancel_path = g_strdup_printf ("/devices/%s/bookings/%s/cancel", id,
                                 booking_id);
  withdraw_path = g_strdup_printf (
    "/devices/%s/bookings/%s/withdraw-cancellation", id, booking_id);
  assert_viewer_refused (id, cancel_path, NULL);

  cancelled = booking_action (id, booking_id, "cancel");
  g_assert_cmpuint (cancelled->status, ==, 200);
  assert_viewer_refused (id, withdraw_path, NULL);
  g_assert_cmpint (device_revision (id), ==, 3);
}

/* A device of Nordwache, as its admin lists it. */
static char *
nordwache_device (void)
{
  g_autoptr(TestResponse) response = get ("/devices", nordwache_token);
  JsonArray *items;

  g_assert_cmpuint (response->status, ==, 200);
  items = json_object_get_array_member (test_object (response), "items");
  g_assert_cmpuint (json_array_get_length (items), >, 0);
  return g_strdup (json_object_get_string_member (
    json_array_get_object_element (items, 0), "id"));
}

static void
test_viewer_other_tenant (void)
{
  g_autofree char *other = nordwache_device ();
  g_autofree char *own = find_device (WANT_ACTIVE, "standard", "roster");
  g_autofree char *cancel = g_strdup_printf (
    "/devices/%s/bookings/00000000-0000-4000-8000-000000000000/cancel", other);
  g_autofree char *key = test_new_key ();
  g_autoptr(TestResponse) response = NULL;

  /* Another tenant's device does not exist for a viewer either: 404, not
   * the 403 that would tell it does. */
  response = book (other, "roster", viewer_token);
  test_assert_problem (response, 404, "not_found");
  g_clear_pointer (&response, test_response_free);

  response = post_change (cancel, viewer_token, NULL, key, NULL);
  test_assert_problem (response, 404, "not_found");
  g_clear_pointer (&response, test_response_free);

  /* Without a key too: the device is looked up first. */
  response = post_change (cancel, viewer_token, NULL, NULL, NULL);
  test_assert_problem (response, 404, "not_found");
  g_clear_pointer (&response, test_response_free);

  response = book ("not-an-id", "roster", viewer_token);
  test_assert_problem (response, 404, "not_found");
  g_clear_pointer (&response, test_response_free);

  /* Its own tenant's device: 403. */
  response = book (own, "roster", viewer_token);
  test_assert_problem (response, 403, "forbidden");
  g_clear_pointer (&response, test_response_free);

  g_assert_cmpint (device_revision (own), ==, 1);
  {
    g_autoptr(TestResponse) detail = get_device (other, nordwache_token);

    g_assert_cmpuint (detail->status, ==, 200);
    g_assert_cmpint (json_object_get_int_member (test_object (detail),
                                                 "revision"), ==, 1);
  }
}

static void
test_idempotency (void)
{
  g_autofree char *id = find_device (WANT_ACTIVE, "standard", "key-management");
  g_autofree char *path = g_strdup_printf ("/devices/%s/bookings", id);
  g_autofree char *key = test_new_key ();
  g_autofree char *long_key = g_strnfill (65, 'k');
  g_autofree char *max_key = g_strnfill (64, 'k');
  const char *body = "{\"module\":\"key-management\"}";
  g_autoptr(TestResponse) first = NULL;
  g_autoptr(TestResponse) again = NULL;
  g_autoptr(TestResponse) response = NULL;
  g_autoptr(TestResponse) detail = NULL;
  JsonArray *bookings;
  guint n_bookings = 0;
  gsize size1, size2;
  const char *data1, *data2;

  response = post_change (path, admin_token, body, NULL, NULL);
  test_assert_problem (response, 400, "idempotency_key_required");
  g_clear_pointer (&response, test_response_free);

  response = post_change (path, admin_token, body, long_key, NULL);
  test_assert_problem (response, 400, "idempotency_key_required");
  g_clear_pointer (&response, test_response_free);

  response = post_change (path, admin_token, body, "bad\tkey", NULL);
  test_assert_problem (response, 400, "idempotency_key_required");
  g_clear_pointer (&response, test_response_free);

  first = post_change (path, admin_token, body, key, NULL);
  g_assert_cmpuint (first->status, ==, 201);
  g_assert_null (soup_message_headers_get_one (first->headers,
                                               "Idempotent-Replayed"));

  again = post_change (path, admin_token, body, key, NULL);
  g_assert_cmpuint (again->status, ==, 201);
  g_assert_cmpstr (soup_message_headers_get_one (again->headers,
                                                 "Idempotent-Replayed"),
                   ==, "true");
  g_assert_cmpstr (soup_message_headers_get_one (again->headers, "ETag"), ==,
                   soup_message_headers_get_one (first->headers, "ETag"));
  data1 = g_bytes_get_data (first->body, &size1);
  data2 = g_bytes_get_data (again->body, &size2);
  g_assert_cmpmem (data1, size1, data2, size2);

  detail = get_device (id, admin_token);
  bookings = json_object_get_array_member (test_object (detail), "bookings");
  for (guint i = 0; i < json_array_get_length (bookings); i++)
    if (g_strcmp0 (json_object_get_string_member (
                     json_array_get_object_element (bookings, i), "module"),
                   "key-management") == 0)
      n_bookings++;
  g_assert_cmpuint (n_bookings, ==, 1);
  g_assert_cmpint (json_object_get_int_member (test_object (detail),
                                               "revision"), ==, 2);

  /* The same key for something else. */
  response = post_change (path, admin_token, "{\"module\":\"tickets\"}", key,
                          NULL);
  test_assert_problem (response, 422, "idempotency_key_reused");
  g_clear_pointer (&response, test_response_free);

  response = post_change ("/devices/00000000-0000-4000-8000-000000000000"
                          "/bookings", admin_token, body, key, NULL);
  test_assert_problem (response, 422, "idempotency_key_reused");
  g_clear_pointer (&response, test_response_free);

  /* Keys are per user: another tenant's admin may use the same one. */
  response = post_change (path, nordwache_token, body, key, NULL);
  test_assert_problem (response, 404, "not_found");
  g_clear_pointer (&response, test_response_free);

  response = post_change (path, admin_token, "{\"module\":\"tickets\"}",
                          max_key, NULL);
  g_assert_cmpuint (response->status, !=, 400);
  g_clear_pointer (&response, test_response_free);

  /* A refusal is replayed too: the retry of a 409 stays a 409. */
  {
    g_autofree char *other_key = test_new_key ();
    g_autoptr(TestResponse) refused = NULL;
    g_autoptr(TestResponse) refused_again = NULL;

    refused = post_change (path, admin_token, body, other_key, NULL);
    test_assert_problem (refused, 409, "already_booked");
    refused_again = post_change (path, admin_token, body, other_key, NULL);
    test_assert_problem (refused_again, 409, "already_booked");
    g_assert_cmpstr (soup_message_headers_get_one (refused_again->headers,
                                                   "Idempotent-Replayed"),
                     ==, "true");
  }
}

static void
test_if_match (void)
{
  g_autofree char *id = find_device (WANT_ACTIVE, "standard", "file-manager");
  g_autofree char *path = g_strdup_printf ("/devices/%s/bookings", id);
  g_autofree char *key1 = test_new_key ();
  g_autofree char *key2 = test_new_key ();
  const char *body = "{\"module\":\"file-manager\"}";
  g_autoptr(TestResponse) stale = NULL;
  g_autoptr(TestResponse) current = NULL;
  g_autoptr(TestResponse) detail = NULL;

  g_assert_cmpint (device_revision (id), ==, 1);

  stale = post_change (path, admin_token, body, key1, "\"7\"");
  test_assert_problem (stale, 412, "precondition_failed");

  detail = get_device (id, admin_token);
  g_assert_false (summary_has_module (test_object (detail), "file-manager"));
  g_assert_cmpint (json_object_get_int_member (test_object (detail),
                                               "revision"), ==, 1);

  /* Retrying the same change with a fresh If-Match and the same key. */
  current = post_change (path, admin_token, body, key1, "\"1\"");
  g_assert_cmpuint (current->status, ==, 201);
  g_assert_null (soup_message_headers_get_one (current->headers,
                                               "Idempotent-Replayed"));
  g_assert_cmpstr (soup_message_headers_get_one (current->headers, "ETag"),
                   ==, "\"2\"");
  g_clear_pointer (&stale, test_response_free);

  /* Now stale again: the change is not applied twice. */
  stale = post_change (path, admin_token, body, key2, "\"1\"");
  test_assert_problem (stale, 412, "precondition_failed");
  g_assert_cmpint (device_revision (id), ==, 2);
}

static void
test_if_match_weak (void)
{
  g_autofree char *id = find_device (WANT_ACTIVE, "standard", "tickets");
  g_autofree char *path = g_strdup_printf ("/devices/%s/bookings", id);
  g_autofree char *key1 = test_new_key ();
  g_autofree char *key2 = test_new_key ();
  g_autofree char *key3 = test_new_key ();
  const char *body = "{\"module\":\"tickets\"}";
  g_autoptr(TestResponse) response = NULL;

  g_assert_cmpint (device_revision (id), ==, 1);

  /* If-Match compares strongly: a weak tag never matches, not even the
   * current revision's. */
  response = post_change (path, admin_token, body, key1, "W/\"1\"");
  test_assert_problem (response, 412, "precondition_failed");
  g_clear_pointer (&response, test_response_free);

  response = post_change (path, admin_token, body, key2, "w/\"1\"");
  test_assert_problem (response, 412, "precondition_failed");
  g_clear_pointer (&response, test_response_free);
  g_assert_cmpint (device_revision (id), ==, 1);

  /* The strong tag in a list does. */
  response = post_change (path, admin_token, body, key1,
                          "W/\"1\", \"1\"");
  g_assert_cmpuint (response->status, ==, 201);
  g_clear_pointer (&response, test_response_free);
  g_assert_cmpint (device_revision (id), ==, 2);

  /* And * matches any revision. */
  {
    g_autofree char *cancel = NULL;
    g_autoptr(TestResponse) detail = get_device (id, admin_token);
    JsonArray *bookings = json_object_get_array_member (test_object (detail),
                                                        "bookings");
    const char *booking_id = NULL;

    for (guint i = 0; i < json_array_get_length (bookings); i++)
      {
        JsonObject *booking = json_array_get_object_element (bookings, i);

        if (g_strcmp0 (json_object_get_string_member (booking, "module"),
                       "tickets") == 0)
          booking_id = json_object_get_string_member (booking, "id");
      }
    g_assert_nonnull (booking_id);
    cancel = g_strdup_printf ("/devices/%s/bookings/%s/cancel", id,
                              booking_id);
    response = post_change (cancel, admin_token, NULL, key3, "*");
    g_assert_cmpuint (response->status, ==, 200);
    g_assert_cmpstr (soup_message_headers_get_one (response->headers, "ETag"),
                     ==, "\"3\"");
    g_clear_pointer (&response, test_response_free);

    /* However long the list, wherever the current tag is in it. */
    {
      g_autoptr(GString) tags = g_string_new (NULL);
      g_autofree char *withdraw = g_strdup_printf (
        "/devices/%s/bookings/%s/withdraw-cancellation", id, booking_id);
      g_autofree char *key4 = test_new_key ();
      g_autofree char *key5 = test_new_key ();

      for (guint i = 100; i < 140; i++)
        g_string_append_printf (tags, "\"%u\", ", i);
      response = post_change (withdraw, admin_token, NULL, key4, tags->str);
      test_assert_problem (response, 412, "precondition_failed");
      g_clear_pointer (&response, test_response_free);

      g_string_append (tags, "\"3\"");
      response = post_change (withdraw, admin_token, NULL, key5, tags->str);
      g_assert_cmpuint (response->status, ==, 200);
      g_assert_cmpstr (soup_message_headers_get_one (response->headers,
                                                     "ETag"), ==, "\"4\"");
    }
  }
}

typedef struct
{
  GMainLoop *loop;
  guint      pending;
  guint      created;
  guint      conflicts;
  guint      other;
} Race;

static void
on_race_response (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Race *race = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source),
                                                            result);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                            &error);
  g_assert_no_error (error);
  switch (soup_message_get_status (msg))
    {
    case 201:
      race->created++;
      break;
    case 409:
      race->conflicts++;
      break;
    default:
      race->other++;
      break;
    }
  if (--race->pending == 0)
    g_main_loop_quit (race->loop);
}

static void
test_concurrent_bookings (void)
{
  g_autofree char *id = find_device (WANT_ACTIVE, "flex", "flexible-forms");
  g_autofree char *api = g_strdup_printf ("%s/api/v1/devices/%s/bookings", url,
                                          id);
  g_autofree char *auth = g_strconcat ("Bearer ", admin_token, NULL);
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func (g_object_unref);
  Race race = { 0 };

  g_main_context_push_thread_default (context);
  race.loop = g_main_loop_new (context, FALSE);

  /* Twenty clients, each with its own connection and key. */
  for (guint i = 0; i < 20; i++)
    {
      SoupSession *client = test_session_new ();
      g_autoptr(SoupMessage) msg = soup_message_new ("POST", api);
      g_autoptr(GBytes) body = g_bytes_new_static (
        "{\"module\":\"flexible-forms\"}", 27);
      g_autofree char *key = test_new_key ();

      g_ptr_array_add (sessions, client);
      soup_message_headers_replace (soup_message_get_request_headers (msg),
                                    "Authorization", auth);
      soup_message_headers_replace (soup_message_get_request_headers (msg),
                                    "Idempotency-Key", key);
      soup_message_set_request_body_from_bytes (msg, "application/json", body);
      race.pending++;
      soup_session_send_and_read_async (client, msg, G_PRIORITY_DEFAULT, NULL,
                                        on_race_response, &race);
    }

  g_main_loop_run (race.loop);
  g_main_loop_unref (race.loop);
  g_main_context_pop_thread_default (context);

  g_assert_cmpuint (race.created, ==, 1);
  g_assert_cmpuint (race.conflicts, ==, 19);
  g_assert_cmpuint (race.other, ==, 0);
  g_assert_cmpint (device_revision (id), ==, 2);
}

/* A header value that libsoup will send: anything but NUL, CR and LF. */
static char *
random_header_value (GRand *rand)
{
  static const char * const plausible[] = {
    "\"1\"", "W/\"1\"", "*", "\"-1\"", "\"99999999999999999999\"", "\"\"",
    "\"1\", \"2\"", "de", "en", "en-US,en;q=0.8", "fr;q=1", ",,,", "",
    "Bearer", "Bearer ", "Basic YWRtaW46ZGVtbw==", "bearer x", "k", " ",
  };
  GString *value = g_string_new (NULL);
  guint length;

  switch (g_rand_int_range (rand, 0, 5))
    {
    case 0:
      g_string_append (value, plausible[g_rand_int_range (
        rand, 0, G_N_ELEMENTS (plausible))]);
      break;
    case 1:
      /* Printable ASCII. */
      length = (guint) g_rand_int_range (rand, 0, 80);
      for (guint i = 0; i < length; i++)
        g_string_append_c (value, (char) g_rand_int_range (rand, 0x20, 0x7f));
      break;
    case 2:
      /* Control characters, DEL and bytes that are not UTF-8. */
      length = (guint) g_rand_int_range (rand, 1, 40);
      for (guint i = 0; i < length; i++)
        {
          guint8 b;

          do
            b = (guint8) g_rand_int_range (rand, 1, 256);
          while (b == '\r' || b == '\n'
                 || (b >= 0x20 && b < 0x7f && g_rand_boolean (rand)));
          g_string_append_c (value, (char) b);
        }
      break;
    case 3:
      /* Overlong: far past any sensible key, tag or token. */
      length = (guint) g_rand_int_range (rand, 65, 6000);
      for (guint i = 0; i < length; i++)
        g_string_append_c (value, (char) g_rand_int_range (rand, 0x21, 0x7f));
      break;
    default:
      g_string_append (value, "Zürich \xf0\x9f\x98\x80 \xe2\x80\xae");
      break;
    }
  return g_string_free (value, FALSE);
}

static char *
nested (guint       depth,
        const char *inner)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append (text, i % 2 ? "[" : "{\"module\":");
  g_string_append (text, inner);
  for (guint i = depth; i > 0; i--)
    g_string_append (text, (i - 1) % 2 ? "]" : "}");
  return g_string_free (text, FALSE);
}

/* JSON that parses but is wrong for every endpoint in some way. */
static GPtrArray *
wrong_json_bodies (void)
{
  static const char * const fixed[] = {
    "{}", "[]", "null", "true", "0", "\"tickets\"", "{\"\":\"\"}",
    "{\"module\":7}", "{\"module\":true}", "{\"module\":null}",
    "{\"module\":[]}", "{\"module\":{}}", "{\"module\":[\"tickets\"]}",
    "{\"module\":\"\\u0000\"}", "{\"module\":\"tickets\\u0000\"}",
    "{\"module\":\"\\ud800\"}", "{\"module\":\"\\udfff\\ud800\"}",
    "{\"module\":1e999}", "{\"module\":-0.0e-999}",
    "{\"module\":123456789012345678901234567890}",
    "{\"module\":\"tickets\",\"module\":7}", "[{\"module\":\"tickets\"}]",
    "{\"module\":\"gps\",\"extra\":{\"a\":[1,2,{\"b\":null}]}}",
    "{\"grant_type\":7}", "{\"grant_type\":\"password\"}",
    "{\"grant_type\":\"password\",\"username\":\"\\u0000\","
      "\"password\":\"\\u0000\"}",
    "{\"grant_type\":\"password\",\"username\":[],\"password\":{}}",
    "{\"grant_type\":\"refresh_token\",\"refresh_token\":null}",
    "{\"grant_type\":\"refresh_token\",\"refresh_token\":\"\\u0000\"}",
    "{\"grant_type\":\"\\u0000password\"}", "{\"refresh_token\":[\"x\"]}",
    "{\"refresh_token\":\"\\u0000\"}", "{\"refresh_token\":1.5}",
  };
  GPtrArray *bodies = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *huge = g_strnfill (60 * 1024, 'x');
  g_autofree char *escapes = NULL;
  GString *many = g_string_new ("{");

  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    g_ptr_array_add (bodies, g_strdup (fixed[i]));

  g_ptr_array_add (bodies, g_strdup_printf ("{\"module\":\"%s\"}", huge));
  g_ptr_array_add (bodies, g_strdup_printf ("{\"%s\":1}", huge));
  g_ptr_array_add (bodies, g_strdup_printf (
    "{\"grant_type\":\"refresh_token\",\"refresh_token\":\"%s\"}", huge));
  g_ptr_array_add (bodies, g_strdup_printf ("{\"refresh_token\":\"%s\"}",
                                            huge));
  g_ptr_array_add (bodies, g_strdup_printf (
    "{\"grant_type\":\"password\",\"username\":\"%.2000s\","
    "\"password\":\"%s\"}", huge, huge + 4000));

  escapes = g_strnfill (6 * 2000, ' ');
  for (guint i = 0; i < 2000; i++)
    memcpy (escapes + 6 * i, "\\u0000", 6);
  g_ptr_array_add (bodies, g_strdup_printf ("{\"module\":\"%s\"}", escapes));

  /* At, just past and far past the depth the portal accepts. */
  g_ptr_array_add (bodies, nested (31, "\"tickets\""));
  g_ptr_array_add (bodies, nested (33, "\"tickets\""));
  g_ptr_array_add (bodies, nested (5000, "null"));

  for (guint i = 0; i < 3000; i++)
    g_string_append_printf (many, "%s\"k%u\":%u", i ? "," : "", i, i);
  g_string_append_c (many, '}');
  g_ptr_array_add (bodies, g_string_free (many, FALSE));

  return bodies;
}

static void
test_random_input (void)
{
  static const char * const methods[] = { "GET", "POST", "PUT", "DELETE",
                                          "PATCH" };
  static const char * const header_names[] = { "Idempotency-Key", "If-Match",
                                               "Accept-Language",
                                               "Authorization" };
  g_autofree char *id = find_device (WANT_ACTIVE, "standard", NULL);
  g_autofree char *other = nordwache_device ();
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) bodies = wrong_json_bodies ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261214);
  g_autoptr(TestResponse) alive = NULL;
  g_autoptr(TestResponse) detail = NULL;
  g_autofree char *booking_id = NULL;
  const char *device_ids[] = { id, other, "not-an-id" };
  guint statuses[6] = { 0 };

  /* A booking that exists, so cancel and withdraw reach the rules. */
  {
    g_autoptr(TestResponse) booked = book (id, "roster", admin_token);

    g_assert_cmpuint (booked->status, ==, 201);
    booking_id = g_strdup (json_object_get_string_member (
      test_object (booked), "id"));
  }

  /* Every route. */
  g_ptr_array_add (paths, g_strdup ("/auth/token"));
  g_ptr_array_add (paths, g_strdup ("/auth/revoke"));
  g_ptr_array_add (paths, g_strdup ("/me"));
  g_ptr_array_add (paths, g_strdup ("/license-types"));
  g_ptr_array_add (paths, g_strdup ("/modules"));
  g_ptr_array_add (paths, g_strdup ("/devices"));
  for (guint i = 0; i < G_N_ELEMENTS (device_ids); i++)
    {
      const char *device = device_ids[i];

      g_ptr_array_add (paths, g_strdup_printf ("/devices/%s", device));
      g_ptr_array_add (paths, g_strdup_printf ("/devices/%s/events", device));
      g_ptr_array_add (paths, g_strdup_printf ("/devices/%s/bookings",
                                               device));
      g_ptr_array_add (paths, g_strdup_printf ("/devices/%s/bookings/%s/cancel",
                                               device, booking_id));
      g_ptr_array_add (paths, g_strdup_printf (
        "/devices/%s/bookings/%s/withdraw-cancellation", device, booking_id));
    }

  for (guint round = 0; round < 2000; round++)
    {
      g_autoptr(GByteArray) bytes = g_byte_array_new ();
      g_autoptr(TestResponse) response = NULL;
      g_autoptr(GInputStream) stream = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *path = NULL;
      const char *method = methods[g_rand_int_range (rand, 0, 5)];
      const char *token = NULL;
      gssize body_len;

      switch (g_rand_int_range (rand, 0, 4))
        {
        case 0:
          token = admin_token;
          break;
        case 1:
          token = viewer_token;
          break;
        case 2:
          token = nordwache_token;
          break;
        default:
          break;
        }

      /* Any of the headers the portal reads, with any value; a random
       * Authorization replaces the token. */
      for (guint i = 0; i < G_N_ELEMENTS (header_names); i++)
        {
          if (g_rand_int_range (rand, 0, 3) == 0)
            continue;
          if (strcmp (header_names[i], "Idempotency-Key") == 0
              && g_rand_boolean (rand))
            {
              g_ptr_array_add (headers, g_strdup (header_names[i]));
              g_ptr_array_add (headers, test_new_key ());
              continue;
            }
          if (strcmp (header_names[i], "Authorization") == 0
              && (token != NULL || g_rand_boolean (rand)))
            continue;
          g_ptr_array_add (headers, g_strdup (header_names[i]));
          g_ptr_array_add (headers, random_header_value (rand));
        }
      g_ptr_array_add (headers, NULL);

      /* Random bytes, JSON that is wrong, or none. */
      switch (g_rand_int_range (rand, 0, 5))
        {
        case 0:
        case 1:
          {
            guint length = (guint) g_rand_int_range (rand, 0, 600);

            for (guint i = 0; i < length; i++)
              {
                guint8 b = (guint8) g_rand_int_range (rand, 0, 256);

                g_byte_array_append (bytes, &b, 1);
              }
          }
          break;
        case 2:
        case 3:
          {
            const char *json = g_ptr_array_index (
              bodies, g_rand_int_range (rand, 0, bodies->len));

            g_byte_array_append (bytes, (const guint8 *) json, strlen (json));
          }
          break;
        default:
          break;
        }

      if (round % 8 == 7)
        {
          g_autofree char *junk = g_uri_escape_bytes (
            bytes->len > 0 ? bytes->data : (const guint8 *) "",
            MIN (bytes->len, 80), NULL);

          path = g_strdup_printf ("/devices?q=%s&cursor=v1.%s.%s&limit=%u"
                                  "&license=%s", junk, junk, junk, round,
                                  junk);
          method = "GET";
        }
      else
        path = g_strdup (g_ptr_array_index (
          paths, g_rand_int_range (rand, 0, paths->len)));

      /* Sometimes chunked, as the length is not known up front. */
      body_len = g_rand_int_range (rand, 0, 4) == 0 ? -1 : (gssize) bytes->len;
      if (bytes->len > 0 || body_len < 0)
        stream = g_memory_input_stream_new_from_data (
          g_memdup2 (bytes->data, bytes->len), bytes->len, g_free);

      response = test_send (session, url, method, path, token, stream,
                            body_len, (const char * const *) headers->pdata,
                            &error);
      g_assert_no_error (error);
      g_assert_cmpuint (response->status, >=, 200);
      g_assert_cmpuint (response->status, <, 500);
      statuses[response->status / 100]++;
    }

  g_test_message ("answers: %u 2xx, %u 3xx, %u 4xx", statuses[2], statuses[3],
                  statuses[4]);
  /* The mix reached the handlers, not only the first checks. */
  g_assert_cmpuint (statuses[2], >, 0);
  g_assert_cmpuint (statuses[4], >, 0);

  alive = get ("/me", admin_token);
  g_assert_cmpuint (alive->status, ==, 200);
  detail = get_device (id, viewer_token);
  g_assert_cmpuint (detail->status, ==, 200);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  portal = cd_test_portal_start (TODAY, 0, NULL, &error);
  g_assert_no_error (error);
  url = cd_test_portal_get_url (portal);
  session = test_session_new ();
  used_devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  admin_token = test_sign_in (session, url, "admin@muster.example", NULL);
  viewer_token = test_sign_in (session, url, "leser@muster.example", NULL);
  nordwache_token = test_sign_in (session, url, "admin@nordwache.example",
                                  NULL);

  g_test_add_func ("/server/auth/wrong-password", test_sign_in_wrong_password);
  g_test_add_func ("/server/auth/refresh-rotation", test_refresh_rotation);
  g_test_add_func ("/server/auth/revoke", test_revoke);
  g_test_add_func ("/server/auth/unauthorized", test_unauthorized);
  g_test_add_func ("/server/auth/rate-limit", test_rate_limit);
  g_test_add_func ("/server/me", test_me);
  g_test_add_func ("/server/catalogue/license-types", test_license_types);
  g_test_add_func ("/server/catalogue/modules", test_modules);
  g_test_add_func ("/server/devices/paging", test_paging);
  g_test_add_func ("/server/devices/paging-full-last-page",
                   test_paging_full_last_page);
  g_test_add_func ("/server/devices/filters", test_filters);
  g_test_add_func ("/server/devices/paging-filtered", test_paging_filtered);
  g_test_add_func ("/server/devices/demo-data", test_demo_data);
  g_test_add_func ("/server/devices/bad-queries", test_bad_list_queries);
  g_test_add_func ("/server/devices/detail", test_device_detail);
  g_test_add_func ("/server/devices/not-found", test_not_found);
  g_test_add_func ("/server/devices/tenant-isolation", test_tenant_isolation);
  g_test_add_func ("/server/changes/lifecycle", test_booking_lifecycle);
  g_test_add_func ("/server/changes/rules", test_booking_rules);
  g_test_add_func ("/server/changes/bad-bodies", test_bad_bodies);
  g_test_add_func ("/server/changes/payload-too-large", test_payload_too_large);
  g_test_add_func ("/server/changes/chunked-too-large", test_chunked_too_large);
  g_test_add_func ("/server/changes/viewer-forbidden", test_viewer_forbidden);
  g_test_add_func ("/server/changes/viewer-other-tenant",
                   test_viewer_other_tenant);
  g_test_add_func ("/server/changes/idempotency", test_idempotency);
  g_test_add_func ("/server/changes/if-match", test_if_match);
  g_test_add_func ("/server/changes/if-match-weak", test_if_match_weak);
  g_test_add_func ("/server/changes/concurrent", test_concurrent_bookings);
  g_test_add_func ("/server/robustness/random-input", test_random_input);

  status = g_test_run ();

  g_clear_object (&session);
  g_clear_pointer (&portal, cd_test_portal_free);
  g_clear_pointer (&used_devices, g_hash_table_unref);
  g_free (admin_token);
  g_free (viewer_token);
  g_free (nordwache_token);
  return status;
}
