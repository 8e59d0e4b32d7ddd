/* test-portal-json.c: the strict JSON readers, with good and bad documents.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cd-portal.h"
#include "cd-portal-client-private.h"
#include "cd-portal-error-private.h"
#include "cd-portal-json.h"
#include "device-compare.h"

static const char device_summary[] =
  "{\"id\":\"d-1\",\"name\":\"Streife 01\",\"model\":\"Galaxy XCover 6\","
  "\"platform\":\"android\",\"serial\":\"R58N123\",\"app_version\":\"4.2.0\","
  "\"last_seen_at\":\"2026-12-01T08:15:00Z\","
  "\"license\":{\"type\":\"standard\",\"state\":\"active\","
  "\"current_term_end\":\"2027-03-14\",\"next_possible_end\":\"2027-03-14\","
  "\"ends_on\":null},"
  "\"modules\":[{\"code\":\"gps\",\"state\":\"active\"},"
  "{\"code\":\"tickets\",\"state\":\"cancellation_pending\"}],"
  "\"unknown_extra\":{\"ignored\":[1,2,3]}}";

static const char device_detail[] =
  "{\"id\":\"d-1\",\"name\":\"Streife 01\",\"model\":\"Galaxy XCover 6\","
  "\"platform\":\"android\",\"serial\":\"R58N123\",\"app_version\":\"4.2.0\","
  "\"last_seen_at\":\"2026-12-01T08:15:00Z\","
  "\"license\":{\"type\":\"standard\",\"state\":\"active\","
  "\"current_term_end\":\"2027-03-14\",\"next_possible_end\":\"2027-03-14\","
  "\"ends_on\":null,\"term_start\":\"2025-03-15\",\"term_months\":24,"
  "\"notice_months\":3,\"notice_deadline\":\"2026-12-14\"},"
  "\"modules\":[{\"code\":\"gps\",\"state\":\"active\"},"
  "{\"code\":\"tickets\",\"state\":\"cancellation_pending\"}],"
  "\"revision\":7,"
  "\"bookings\":[{\"id\":\"b-1\",\"module\":\"gps\",\"state\":\"active\","
  "\"booked_on\":\"2025-03-15\",\"booked_by\":\"admin@muster.example\","
  "\"cancelled_on\":null,\"cancelled_by\":null,\"ends_on\":null},"
  "{\"id\":\"b-2\",\"module\":\"tickets\",\"state\":\"cancellation_pending\","
  "\"booked_on\":\"2025-04-01\",\"booked_by\":\"admin@muster.example\","
  "\"cancelled_on\":\"2026-11-30\",\"cancelled_by\":\"admin@muster.example\","
  "\"ends_on\":\"2027-03-14\"}],"
  "\"bookable\":[\"roster\",\"file-manager\"]}";

static JsonNode *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *root = cd_portal_json_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (root);
  return root;
}

static void
assert_date (const GDate *date,
             guint        year,
             guint        month,
             guint        day)
{
  g_assert_nonnull (date);
  g_assert_cmpuint (g_date_get_year (date), ==, year);
  g_assert_cmpuint (g_date_get_month (date), ==, month);
  g_assert_cmpuint (g_date_get_day (date), ==, day);
}

static void
test_token (void)
{
  g_autoptr(JsonNode) root = parse_ok (
    "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":900,"
    "\"refresh_token\":\"r\"}");
  g_autoptr(GError) error = NULL;
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;
  gint64 expires_in = 0;

  g_assert_true (cd_portal_json_read_token (root, &access, &refresh,
                                            &expires_in, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (access, ==, "a");
  g_assert_cmpstr (refresh, ==, "r");
  g_assert_cmpint (expires_in, ==, 900);
}

static void
test_account (void)
{
  g_autoptr(JsonNode) root = parse_ok (
    "{\"username\":\"leser@muster.example\",\"display_name\":\"Lea Leser\","
    "\"role\":\"viewer\",\"tenant\":{\"id\":\"t-1\","
    "\"name\":\"Muster Sicherheitsdienst GmbH\"}}");
  g_autoptr(GError) error = NULL;
  g_autoptr(CdAccount) account = cd_portal_json_read_account (root, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (cd_account_get_username (account), ==,
                   "leser@muster.example");
  g_assert_cmpstr (cd_account_get_display_name (account), ==, "Lea Leser");
  g_assert_cmpint (cd_account_get_role (account), ==, CD_ACCOUNT_ROLE_VIEWER);
  g_assert_false (cd_account_get_can_change (account));
  g_assert_cmpstr (cd_account_get_tenant_id (account), ==, "t-1");
  g_assert_cmpstr (cd_account_get_tenant_name (account), ==,
                   "Muster Sicherheitsdienst GmbH");
}

static void
test_catalogues (void)
{
  g_autoptr(JsonNode) types_root = parse_ok (
    "{\"items\":[{\"code\":\"standard\",\"name\":\"Standard\","
    "\"term_months\":24,\"notice_months\":3},{\"code\":\"flex\","
    "\"name\":\"Flex\",\"term_months\":1,\"notice_months\":0}]}");
  g_autoptr(JsonNode) modules_root = parse_ok (
    "{\"items\":[{\"code\":\"gps\",\"name\":\"GPS tracking\","
    "\"description\":\"Where the guard is\",\"available_for\":[\"standard\","
    "\"flex\"],\"monthly_price\":{\"amount_minor\":290,\"currency\":\"EUR\"}}]}");
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) types = NULL;
  g_autoptr(GListModel) modules = NULL;
  g_autoptr(CdLicenseType) flex = NULL;
  g_autoptr(CdModule) gps = NULL;

  types = cd_portal_json_read_license_types (types_root, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (types), ==, 2);
  flex = g_list_model_get_item (types, 1);
  g_assert_cmpstr (cd_license_type_get_code (flex), ==, "flex");
  g_assert_cmpuint (cd_license_type_get_term_months (flex), ==, 1);
  g_assert_cmpuint (cd_license_type_get_notice_months (flex), ==, 0);

  modules = cd_portal_json_read_modules (modules_root, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (modules), ==, 1);
  gps = g_list_model_get_item (modules, 0);
  g_assert_cmpstr (cd_module_get_name (gps), ==, "GPS tracking");
  g_assert_cmpint (cd_module_get_price_amount_minor (gps), ==, 290);
  g_assert_cmpstr (cd_module_get_price_currency (gps), ==, "EUR");
  g_assert_true (cd_module_is_available_for (gps, "flex"));
  g_assert_false (cd_module_is_available_for (gps, "manager"));
}

/* Both readers of a page, json-glib's and the pull reader, are held to
 * the same values. */
static void
test_device_page (void)
{
  g_autofree char *text = g_strdup_printf (
    "{\"items\":[%s],\"next_cursor\":\"v1.abc\",\"total\":3}", device_summary);
  g_autoptr(JsonNode) root = parse_ok (text);
  g_autoptr(GDateTime) expected_seen = g_date_time_new_utc (2026, 12, 1, 8,
                                                            15, 0);

  for (guint pass = 0; pass < 2; pass++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GListModel) page = NULL;
      g_autoptr(CdDevice) device = NULL;
      g_autofree char *cursor = NULL;
      CdLicense *license;
      CdBookingState state;
      guint total = 0;

      g_test_message ("%s", pass == 0 ? "json-glib" : "pull");
      if (pass == 0)
        page = cd_portal_json_read_device_page (root, &cursor, &total,
                                                &error);
      else
        page = cd_portal_json_pull_device_page (text, strlen (text), &cursor,
                                                &total, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (cursor, ==, "v1.abc");
      g_assert_cmpuint (total, ==, 3);
      g_assert_cmpuint (g_list_model_get_n_items (page), ==, 1);

      device = g_list_model_get_item (page, 0);
      g_assert_cmpstr (cd_device_get_id (device), ==, "d-1");
      g_assert_cmpstr (cd_device_get_name (device), ==, "Streife 01");
      g_assert_cmpstr (cd_device_get_model (device), ==, "Galaxy XCover 6");
      g_assert_cmpstr (cd_device_get_serial (device), ==, "R58N123");
      g_assert_cmpstr (cd_device_get_app_version (device), ==, "4.2.0");
      g_assert_cmpint (cd_device_get_platform (device), ==,
                       CD_PLATFORM_ANDROID);
      g_assert_true (g_date_time_equal (cd_device_get_last_seen_at (device),
                                        expected_seen));
      g_assert_false (cd_device_get_has_detail (device));
      g_assert_cmpint (cd_device_get_revision (device), ==, -1);
      g_assert_cmpuint (g_list_model_get_n_items (cd_device_get_bookings (device)),
                        ==, 0);

      license = cd_device_get_license (device);
      g_assert_nonnull (license);
      g_assert_cmpstr (cd_license_get_type_code (license), ==, "standard");
      g_assert_cmpint (cd_license_get_state (license), ==,
                       CD_LICENSE_STATE_ACTIVE);
      assert_date (cd_license_get_current_term_end (license), 2027, 3, 14);
      assert_date (cd_license_get_next_possible_end (license), 2027, 3, 14);
      g_assert_null (cd_license_get_ends_on (license));
      g_assert_false (cd_license_get_has_detail (license));
      g_assert_null (cd_license_get_term_start (license));
      g_assert_cmpint (cd_license_get_term_months (license), ==, -1);

      g_assert_cmpuint (cd_device_get_n_modules (device), ==, 2);
      g_assert_cmpstrv (cd_device_get_module_codes (device),
                        ((const char *[]) { "gps", "tickets", NULL }));
      g_assert_true (cd_device_lookup_module_state (device, "tickets",
                                                    &state));
      g_assert_cmpint (state, ==, CD_BOOKING_STATE_CANCELLATION_PENDING);
      g_assert_false (cd_device_lookup_module_state (device, "roster", NULL));
      g_assert_true (cd_device_has_pending_cancellation (device));
      g_assert_null (cd_device_get_earliest_pending_end (device));
    }
}

static void
test_device_detail (void)
{
  g_autoptr(JsonNode) root = parse_ok (device_detail);
  g_autoptr(GError) error = NULL;
  g_autoptr(CdDevice) device = NULL;
  g_autoptr(CdBooking) pending = NULL;
  CdLicense *license;

  device = cd_portal_json_read_device_detail (root, &error);
  g_assert_no_error (error);
  g_assert_true (cd_device_get_has_detail (device));
  g_assert_cmpint (cd_device_get_revision (device), ==, 7);
  g_assert_true (cd_device_is_bookable (device, "roster"));
  g_assert_false (cd_device_is_bookable (device, "gps"));

  license = cd_device_get_license (device);
  g_assert_true (cd_license_get_has_detail (license));
  assert_date (cd_license_get_term_start (license), 2025, 3, 15);
  assert_date (cd_license_get_notice_deadline (license), 2026, 12, 14);
  g_assert_cmpint (cd_license_get_term_months (license), ==, 24);
  g_assert_cmpint (cd_license_get_notice_months (license), ==, 3);

  g_assert_cmpuint (g_list_model_get_n_items (cd_device_get_bookings (device)),
                    ==, 2);
  pending = g_object_ref (cd_device_find_booking (device, "b-2"));
  g_assert_cmpint (cd_booking_get_state (pending), ==,
                   CD_BOOKING_STATE_CANCELLATION_PENDING);
  assert_date (cd_booking_get_cancelled_on (pending), 2026, 11, 30);
  g_assert_cmpstr (cd_booking_get_cancelled_by (pending), ==,
                   "admin@muster.example");
  assert_date (cd_device_get_earliest_pending_end (device), 2027, 3, 14);
  g_assert_null (cd_device_find_booking (device, "b-9"));
}

static void
test_events_and_problem (void)
{
  g_autoptr(JsonNode) events_root = parse_ok (
    "{\"items\":[{\"at\":\"2026-11-30T10:00:00Z\",\"actor\":\"admin@muster.example\","
    "\"action\":\"module_cancelled\",\"module\":\"tickets\","
    "\"ends_on\":\"2027-03-14\"},{\"at\":\"2025-04-01T09:00:00+02:00\","
    "\"actor\":\"admin@muster.example\",\"action\":\"module_booked\","
    "\"module\":\"tickets\",\"ends_on\":null}]}");
  g_autoptr(JsonNode) problem_root = parse_ok (
    "{\"type\":\"about:blank\",\"title\":\"Already booked\",\"status\":409,"
    "\"detail\":\"The module is booked.\",\"code\":\"already_booked\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) events = NULL;
  g_autoptr(CdEvent) booked = NULL;
  g_autofree char *code = NULL;
  g_autofree char *title = NULL;
  g_autofree char *detail = NULL;

  events = cd_portal_json_read_events (events_root, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (events), ==, 2);
  booked = g_list_model_get_item (events, 1);
  g_assert_cmpint (cd_event_get_action (booked), ==,
                   CD_EVENT_ACTION_MODULE_BOOKED);
  /* 09:00 at +02:00, kept as the same instant in UTC. */
  g_assert_cmpint (g_date_time_get_utc_offset (cd_event_get_at (booked)), ==,
                   0);
  g_assert_cmpint (g_date_time_get_hour (cd_event_get_at (booked)), ==, 7);
  g_assert_null (cd_event_get_ends_on (booked));

  g_assert_true (cd_portal_json_read_problem (problem_root, &code, &title,
                                              &detail, &error));
  g_assert_cmpstr (code, ==, "already_booked");
  g_assert_cmpstr (title, ==, "Already booked");
  g_assert_cmpstr (detail, ==, "The module is booked.");
}

typedef enum
{
  READ_TOKEN,
  READ_ACCOUNT,
  READ_LICENSE_TYPES,
  READ_MODULES,
  READ_DEVICE_PAGE,
  READ_DEVICE_DETAIL,
  READ_EVENTS,
  READ_BOOKING,
  READ_PROBLEM,
} Reader;

/* The pull reader of device pages takes @text exactly when json-glib's
 * path does, with the same devices, and refuses it for the same reason:
 * @page and @error are what cd_portal_json_read_device_page () made of
 * it, @parsed whether cd_portal_json_parse () took it. For a document of
 * another kind (@is_page FALSE) only the syntax must be judged alike. */
static void
assert_pull_agrees (const char   *text,
                    gsize         length,
                    gboolean      is_page,
                    gboolean      parsed,
                    GListModel   *page,
                    const char   *cursor,
                    guint         total,
                    const GError *error)
{
  g_autoptr(GError) pull_error = NULL;
  g_autoptr(GListModel) pulled = NULL;
  g_autofree char *pulled_cursor = NULL;
  guint pulled_total = 0;

  pulled = cd_portal_json_pull_device_page (text, length, &pulled_cursor,
                                            &pulled_total, &pull_error);
  g_assert_true ((pulled == NULL) != (pull_error == NULL));

  if (!parsed)
    {
      g_assert_error (pull_error, CD_PORTAL_ERROR,
                      CD_PORTAL_ERROR_UNEXPECTED_RESPONSE);
      g_assert_true (g_str_has_prefix (pull_error->message,
                                       "Unexpected response: not a JSON "
                                       "document"));
      return;
    }

  if (!is_page)
    {
      if (pull_error != NULL)
        g_assert_false (g_str_has_prefix (pull_error->message,
                                          "Unexpected response: not a JSON"));
      return;
    }

  if (page == NULL)
    {
      g_assert_nonnull (error);
      g_assert_error (pull_error, CD_PORTAL_ERROR,
                      CD_PORTAL_ERROR_UNEXPECTED_RESPONSE);
      g_assert_cmpstr (pull_error->message, ==, error->message);
      return;
    }

  g_assert_no_error (pull_error);
  g_assert_cmpstr (pulled_cursor, ==, cursor);
  g_assert_cmpuint (pulled_total, ==, total);
  g_assert_cmpstr (compare_device_pages (page, pulled), ==, NULL);
}

/* Runs @reader on @text; returns the error (NULL when it was read). A
 * device page is read by the pull reader too, which must agree. */
static GError *
run_reader (Reader      reader,
            const char *text,
            gsize       length)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GObject) object = NULL;
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *cursor = NULL;
  GError *error = NULL;
  gint64 expires_in;
  guint total = 0;

  if ((root = cd_portal_json_parse (text, length, &error)) == NULL)
    {
      assert_pull_agrees (text, length, reader == READ_DEVICE_PAGE, FALSE,
                          NULL, NULL, 0, error);
      return error;
    }

  switch (reader)
    {
    case READ_TOKEN:
      cd_portal_json_read_token (root, &access, &refresh, &expires_in, &error);
      break;
    case READ_ACCOUNT:
      object = G_OBJECT (cd_portal_json_read_account (root, &error));
      break;
    case READ_LICENSE_TYPES:
      object = G_OBJECT (cd_portal_json_read_license_types (root, &error));
      break;
    case READ_MODULES:
      object = G_OBJECT (cd_portal_json_read_modules (root, &error));
      break;
    case READ_DEVICE_PAGE:
      object = G_OBJECT (cd_portal_json_read_device_page (root, &cursor,
                                                          &total, &error));
      break;
    case READ_DEVICE_DETAIL:
      object = G_OBJECT (cd_portal_json_read_device_detail (root, &error));
      break;
    case READ_EVENTS:
      object = G_OBJECT (cd_portal_json_read_events (root, &error));
      break;
    case READ_BOOKING:
      object = G_OBJECT (cd_portal_json_read_booking (root, &error));
      break;
    case READ_PROBLEM:
      {
        g_autofree char *code = NULL;
        g_autofree char *title = NULL;
        g_autofree char *detail = NULL;

        cd_portal_json_read_problem (root, &code, &title, &detail, &error);
      }
      break;
    default:
      g_assert_not_reached ();
    }

  /* Never a half-filled object: either a result or an error. */
  g_assert_true ((object == NULL) != (error == NULL) ||
                 reader == READ_TOKEN || reader == READ_PROBLEM);

  assert_pull_agrees (text, length, reader == READ_DEVICE_PAGE, TRUE,
                      reader == READ_DEVICE_PAGE ? G_LIST_MODEL (object) : NULL,
                      cursor, total, error);
  return error;
}

/* Replaces the first @from in @text with @to. */
static char *
mutate (const char *text,
        const char *from,
        const char *to)
{
  const char *at = strstr (text, from);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, to,
                          at + strlen (from));
}

static void
test_bad_documents (void)
{
  static const struct {
    Reader      reader;
    const char *from;
    const char *to;
  } detail_mutations[] = {
    { READ_DEVICE_DETAIL, "\"id\":\"d-1\",", "" },
    { READ_DEVICE_DETAIL, "\"id\":\"d-1\"", "\"id\":true" },
    { READ_DEVICE_DETAIL, "\"name\":\"Streife 01\"", "\"name\":null" },
    { READ_DEVICE_DETAIL, "\"platform\":\"android\"", "\"platform\":\"symbian\"" },
    { READ_DEVICE_DETAIL, "\"last_seen_at\":\"2026-12-01T08:15:00Z\"",
      "\"last_seen_at\":\"yesterday\"" },
    { READ_DEVICE_DETAIL, "\"current_term_end\":\"2027-03-14\"",
      "\"current_term_end\":\"2027-02-30\"" },
    { READ_DEVICE_DETAIL, "\"current_term_end\":\"2027-03-14\"",
      "\"current_term_end\":20270314" },
    { READ_DEVICE_DETAIL, "\"term_months\":24", "\"term_months\":24.5" },
    { READ_DEVICE_DETAIL, "\"term_months\":24", "\"term_months\":\"24\"" },
    { READ_DEVICE_DETAIL, "\"term_start\":\"2025-03-15\",", "" },
    { READ_DEVICE_DETAIL, "\"revision\":7", "\"revision\":-1" },
    { READ_DEVICE_DETAIL, "\"revision\":7,", "" },
    { READ_DEVICE_DETAIL, "\"bookable\":[\"roster\"", "\"bookable\":[3" },
    { READ_DEVICE_DETAIL, "\"state\":\"cancellation_pending\",\"booked_on\"",
      "\"state\":\"paused\",\"booked_on\"" },
    { READ_DEVICE_DETAIL, "\"booked_on\":\"2025-03-15\"", "\"booked_on\":null" },
    { READ_DEVICE_DETAIL, "\"modules\":[{", "\"modules\":[7,{" },
    { READ_DEVICE_DETAIL, "\"license\":{", "\"license\":[{" },
    { READ_DEVICE_DETAIL, "\"bookings\":[", "\"bookings\":{\"x\":[" },
  };
  static const struct {
    Reader      reader;
    const char *text;
  } documents[] = {
    { READ_TOKEN, "{\"access_token\":\"a\",\"token_type\":\"MAC\","
                  "\"expires_in\":900,\"refresh_token\":\"r\"}" },
    { READ_TOKEN, "{\"access_token\":\"a\",\"token_type\":\"Bearer\","
                  "\"expires_in\":900}" },
    { READ_ACCOUNT, "{\"username\":\"u\",\"display_name\":\"U\","
                    "\"role\":\"owner\",\"tenant\":{\"id\":\"t\",\"name\":\"T\"}}" },
    { READ_ACCOUNT, "{\"username\":\"u\",\"display_name\":\"U\","
                    "\"role\":\"admin\",\"tenant\":\"t\"}" },
    { READ_LICENSE_TYPES, "{\"items\":{}}" },
    { READ_LICENSE_TYPES, "{\"items\":[{\"code\":\"flex\",\"name\":\"Flex\","
                          "\"term_months\":0,\"notice_months\":0}]}" },
    { READ_MODULES, "{\"items\":[{\"code\":\"gps\",\"name\":\"G\","
                    "\"description\":\"D\",\"available_for\":[],"
                    "\"monthly_price\":{\"amount_minor\":\"2.90\","
                    "\"currency\":\"EUR\"}}]}" },
    { READ_DEVICE_PAGE, "{\"items\":[],\"next_cursor\":null}" },
    { READ_DEVICE_PAGE, "{\"items\":[],\"next_cursor\":5,\"total\":0}" },
    { READ_DEVICE_PAGE, "{\"items\":[],\"next_cursor\":null,\"total\":-1}" },
    { READ_DEVICE_PAGE, "{\"items\":[null],\"next_cursor\":null,\"total\":1}" },
    { READ_EVENTS, "{\"items\":[{\"at\":\"2026-11-30\",\"actor\":\"a\","
                   "\"action\":\"module_booked\",\"module\":\"gps\","
                   "\"ends_on\":null}]}" },
    { READ_EVENTS, "{\"items\":[{\"at\":\"2026-11-30T10:00:00Z\",\"actor\":\"a\","
                   "\"action\":\"module_deleted\",\"module\":\"gps\","
                   "\"ends_on\":null}]}" },
    { READ_BOOKING, "[]" },
    { READ_BOOKING, "\"booking\"" },
    { READ_BOOKING, "{\"id\":\"b\"" },
    { READ_BOOKING, "" },
    { READ_BOOKING, "<html><body>Bad gateway</body></html>" },
  };
  g_autoptr(GString) deep = g_string_new (NULL);
  GError *error;

  for (guint i = 0; i < G_N_ELEMENTS (detail_mutations); i++)
    {
      g_autofree char *text = mutate (device_detail, detail_mutations[i].from,
                                      detail_mutations[i].to);

      g_test_message ("mutation %u: %s", i, detail_mutations[i].to);
      error = run_reader (detail_mutations[i].reader, text, strlen (text));
      g_assert_error (error, CD_PORTAL_ERROR,
                      CD_PORTAL_ERROR_UNEXPECTED_RESPONSE);
      g_clear_error (&error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    {
      g_test_message ("document %u: %s", i, documents[i].text);
      error = run_reader (documents[i].reader, documents[i].text,
                          strlen (documents[i].text));
      g_assert_error (error, CD_PORTAL_ERROR,
                      CD_PORTAL_ERROR_UNEXPECTED_RESPONSE);
      g_clear_error (&error);
    }

  /* Invalid UTF-8, an embedded NUL and nesting that would exhaust the
   * stack of a recursive parser. */
  error = run_reader (READ_BOOKING, "{\"id\":\"\xff\"}", 10);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_UNEXPECTED_RESPONSE);
  g_clear_error (&error);
  error = run_reader (READ_BOOKING, "{\"id\":\"a\0\"}", 11);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_UNEXPECTED_RESPONSE);
  g_clear_error (&error);
  for (guint i = 0; i < 100000; i++)
    g_string_append (deep, "{\"a\":[");
  error = run_reader (READ_BOOKING, deep->str, deep->len);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_UNEXPECTED_RESPONSE);
  g_clear_error (&error);

  /* The untouched documents still read. */
  g_assert_null (run_reader (READ_DEVICE_DETAIL, device_detail,
                             strlen (device_detail)));
}

static const char booking_document[] =
  "{\"id\":\"b-1\",\"module\":\"gps\",\"state\":\"active\","
  "\"booked_on\":\"2025-03-15\",\"booked_by\":\"Anna Admin\","
  "\"cancelled_on\":null,\"cancelled_by\":null,\"ends_on\":null%s}";

/* The booking document with @extra (", \"x\":…") as an unknown member. */
static GError *
read_booking_with (const char *extra)
{
  g_autofree char *text = g_strdup_printf (booking_document, extra);

  return run_reader (READ_BOOKING, text, strlen (text));
}

/* json-glib alone would take all of the refused ones; the member they are
 * in is unknown and would be ignored, so only the syntax can refuse them. */
static void
test_strict_syntax (void)
{
  static const char * const refused[] = {
    ",\"x\":'single'",
    ",\"x\":1 /* comment */",
    ",\"x\":0x10",
    ",\"x\":007",
    ",\"x\":.5",
    ",\"x\":1.",
    ",\"x\":1e",
    ",\"x\":+1",
    ",\"x\":NaN",
    ",\"x\":Infinity",
    ",\"x\":\"\\x41\"",
    ",\"x\":\"\\'\"",
    ",\"x\":\"raw\ttab\"",
    ",\"x\":\"nul \\u0000 inside\"",
    ",\"x\":\"short \\u12\"",
    /* json-glib would make bytes of these that are no UTF-8. */
    ",\"x\":\"\\ud800x\"",
    ",\"x\":\"\\udc00\"",
    /* json-glib would wrap these around: the first would read as 1. */
    ",\"x\":-18446744073709551615",
    ",\"x\":9223372036854775808",
    ",\"x\":truely",
    ",\"x\":nil",
    "}{\"second\":\"document\"",
    "} trailing",
  };
  static const char * const accepted[] = {
    "",
    ",\"x\":\"\\u00e4\\n\\t\\\"\\\\\\/\\b\\f\\r\"",
    ",\"x\":[-0, 0.5, -12.25e-3, 1E+9, 7]",
    ",\"x\":\"\\ud83d\\ude00\"",
    ",\"x\":[-9223372036854775808, 9223372036854775807, 1e400]",
    ",\"x\":{\"y\":[true, false, null]}",
    "} \r\n\t",
  };
  GError *error;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_test_message ("refused: %s", refused[i]);
      error = read_booking_with (refused[i]);
      g_assert_error (error, CD_PORTAL_ERROR,
                      CD_PORTAL_ERROR_UNEXPECTED_RESPONSE);
      g_clear_error (&error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autofree char *text = NULL;

      g_test_message ("accepted: %s", accepted[i]);
      /* "} …" ends the document itself; the format's "}" is then left. */
      if (accepted[i][0] == '}')
        {
          g_autofree char *body = g_strdup_printf (booking_document, "");

          text = g_strconcat (body, accepted[i] + 1, NULL);
          error = run_reader (READ_BOOKING, text, strlen (text));
        }
      else
        error = read_booking_with (accepted[i]);
      g_assert_no_error (error);
    }
}

static void
test_timestamps (void)
{
  static const char * const refused[] = {
    "2026-12-01T08:15:00",
    "2026-12-01 08:15:00Z",
    "2026-W48-2T08:15:00Z",
    "2026-335T08:15:00Z",
    "20261201T081500Z",
    "2026-12-01T08:15Z",
    "2026-12-01T08:15:00+0200",
    "2026-12-01T08:15:00+02",
    "2026-12-01T08:15:00.Z",
    "2026-12-01T08:15:00ZZ",
    "2026-13-01T08:15:00Z",
    "2026-12-01T25:15:00Z",
    "0001-01-01T00:00:00+01:00",
    "",
  };
  static const struct {
    const char *text;
    int         hour;
    int         minute;
  } accepted[] = {
    { "2026-12-01T08:15:00Z", 8, 15 },
    { "2026-12-01t08:15:00z", 8, 15 },
    { "2026-12-01T10:15:00.25+02:00", 8, 15 },
    { "2026-12-01T03:45:00-04:30", 8, 15 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *text = NULL;
      GError *error;

      text = mutate (device_detail, "2026-12-01T08:15:00Z", refused[i]);
      g_test_message ("refused: %s", refused[i]);
      error = run_reader (READ_DEVICE_DETAIL, text, strlen (text));
      g_assert_error (error, CD_PORTAL_ERROR,
                      CD_PORTAL_ERROR_UNEXPECTED_RESPONSE);
      g_clear_error (&error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autofree char *text = NULL;
      g_autoptr(CdDevice) device = NULL;
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(GError) error = NULL;
      GDateTime *seen;

      text = mutate (device_detail, "2026-12-01T08:15:00Z", accepted[i].text);
      g_test_message ("accepted: %s", accepted[i].text);
      root = parse_ok (text);
      device = cd_portal_json_read_device_detail (root, &error);
      g_assert_no_error (error);
      seen = cd_device_get_last_seen_at (device);
      g_assert_cmpint (g_date_time_get_utc_offset (seen), ==, 0);
      g_assert_cmpint (g_date_time_get_year (seen), ==, 2026);
      g_assert_cmpint (g_date_time_get_day_of_month (seen), ==, 1);
      g_assert_cmpint (g_date_time_get_hour (seen), ==, accepted[i].hour);
      g_assert_cmpint (g_date_time_get_minute (seen), ==, accepted[i].minute);
    }
}

/* What the contract allows to be null, or not, and other values a reader
 * must refuse although their type is right. */
static void
test_contract_values (void)
{
  static const struct {
    Reader      reader;
    const char *from;
    const char *to;
    gboolean    accepted;
  } mutations[] = {
    /* Term dates always exist; ends_on only for a cancelled license. */
    { READ_DEVICE_DETAIL, "\"current_term_end\":\"2027-03-14\"",
      "\"current_term_end\":null", FALSE },
    { READ_DEVICE_DETAIL, "\"next_possible_end\":\"2027-03-14\"",
      "\"next_possible_end\":null", FALSE },
    { READ_DEVICE_DETAIL, "\"notice_deadline\":\"2026-12-14\"",
      "\"notice_deadline\":null", FALSE },
    { READ_DEVICE_DETAIL, "\"state\":\"active\",\"current_term_end\"",
      "\"state\":\"cancelled\",\"current_term_end\"", FALSE },
    { READ_DEVICE_DETAIL,
      "\"state\":\"active\",\"current_term_end\":\"2027-03-14\","
      "\"next_possible_end\":\"2027-03-14\",\"ends_on\":null",
      "\"state\":\"cancelled\",\"current_term_end\":\"2027-03-14\","
      "\"next_possible_end\":\"2027-03-14\",\"ends_on\":\"2027-03-14\"",
      TRUE },
    { READ_DEVICE_DETAIL, "\"license\":{\"type\":\"standard\"",
      "\"license\":{\"type\":\"\"", FALSE },
    /* A pending cancellation has its date and its end. */
    { READ_DEVICE_DETAIL, "\"cancelled_on\":\"2026-11-30\"",
      "\"cancelled_on\":null", FALSE },
    { READ_DEVICE_DETAIL, "\"ends_on\":\"2027-03-14\"}],\"bookable\"",
      "\"ends_on\":null}],\"bookable\"", FALSE },
    { READ_DEVICE_DETAIL, "\"booked_by\":\"admin@muster.example\"",
      "\"booked_by\":null", TRUE },
    /* Codes are never empty. */
    { READ_DEVICE_DETAIL, "{\"code\":\"gps\"", "{\"code\":\"\"", FALSE },
    { READ_DEVICE_DETAIL, "\"module\":\"gps\"", "\"module\":\"\"", FALSE },
    { READ_DEVICE_DETAIL, "\"bookable\":[\"roster\"", "\"bookable\":[\"\"",
      FALSE },
    /* Integers: in range, never a float, a string or a boolean. */
    { READ_DEVICE_DETAIL, "\"revision\":7",
      "\"revision\":9223372036854775807", TRUE },
    { READ_DEVICE_DETAIL, "\"revision\":7",
      "\"revision\":9223372036854775808", FALSE },
    { READ_DEVICE_DETAIL, "\"revision\":7",
      "\"revision\":99999999999999999999999", FALSE },
    { READ_DEVICE_DETAIL, "\"revision\":7", "\"revision\":7.0", FALSE },
    { READ_DEVICE_DETAIL, "\"revision\":7", "\"revision\":1e400", FALSE },
    { READ_DEVICE_DETAIL, "\"revision\":7", "\"revision\":true", FALSE },
    { READ_DEVICE_DETAIL, "\"term_months\":24", "\"term_months\":-24", FALSE },
    { READ_DEVICE_DETAIL, "\"term_months\":24", "\"term_months\":1201",
      FALSE },
    { READ_DEVICE_DETAIL, "\"notice_months\":3", "\"notice_months\":-1",
      FALSE },
  };
  static const struct {
    Reader      reader;
    const char *text;
    gboolean    accepted;
  } documents[] = {
    /* Tokens go into a header: visible ASCII only. */
    { READ_TOKEN, "{\"access_token\":\"a\\r\\nX-Evil: 1\",\"token_type\":"
                  "\"Bearer\",\"expires_in\":900,\"refresh_token\":\"r\"}",
      FALSE },
    { READ_TOKEN, "{\"access_token\":\"a b\",\"token_type\":\"Bearer\","
                  "\"expires_in\":900,\"refresh_token\":\"r\"}", FALSE },
    { READ_TOKEN, "{\"access_token\":\"\",\"token_type\":\"Bearer\","
                  "\"expires_in\":900,\"refresh_token\":\"r\"}", FALSE },
    { READ_TOKEN, "{\"access_token\":\"a\",\"token_type\":\"Bearer\","
                  "\"expires_in\":900,\"refresh_token\":\"r\\u00e4\"}",
      FALSE },
    { READ_TOKEN, "{\"access_token\":\"a\",\"token_type\":\"Bearer\","
                  "\"expires_in\":-1,\"refresh_token\":\"r\"}", FALSE },
    { READ_TOKEN, "{\"access_token\":\"eyJ.a-b_c~d+e/f=\",\"token_type\":"
                  "\"bearer\",\"expires_in\":900,\"refresh_token\":\"r\"}",
      TRUE },
    /* Prices. */
    { READ_MODULES, "{\"items\":[{\"code\":\"gps\",\"name\":\"G\","
                    "\"description\":\"D\",\"available_for\":[],"
                    "\"monthly_price\":{\"amount_minor\":-1,"
                    "\"currency\":\"EUR\"}}]}", FALSE },
    { READ_MODULES, "{\"items\":[{\"code\":\"gps\",\"name\":\"G\","
                    "\"description\":\"D\",\"available_for\":[],"
                    "\"monthly_price\":{\"amount_minor\":2147483648,"
                    "\"currency\":\"EUR\"}}]}", FALSE },
    { READ_MODULES, "{\"items\":[{\"code\":\"gps\",\"name\":\"G\","
                    "\"description\":\"D\",\"available_for\":[],"
                    "\"monthly_price\":{\"amount_minor\":290,"
                    "\"currency\":\"eur\"}}]}", FALSE },
    { READ_MODULES, "{\"items\":[{\"code\":\"gps\",\"name\":\"G\","
                    "\"description\":\"D\",\"available_for\":[],"
                    "\"monthly_price\":{\"amount_minor\":290,"
                    "\"currency\":\"EURO\"}}]}", FALSE },
    { READ_MODULES, "{\"items\":[{\"code\":\"\",\"name\":\"G\","
                    "\"description\":\"D\",\"available_for\":[],"
                    "\"monthly_price\":{\"amount_minor\":290,"
                    "\"currency\":\"EUR\"}}]}", FALSE },
    { READ_MODULES, "{\"items\":[{\"code\":\"gps\",\"name\":\"G\","
                    "\"description\":\"D\",\"available_for\":[\"\"],"
                    "\"monthly_price\":{\"amount_minor\":0,"
                    "\"currency\":\"EUR\"}}]}", FALSE },
    { READ_LICENSE_TYPES, "{\"items\":[{\"code\":\"\",\"name\":\"Flex\","
                          "\"term_months\":1,\"notice_months\":0}]}", FALSE },
    /* Paging: total counts the page too; a cursor is never empty. */
    { READ_DEVICE_PAGE, "{\"items\":[],\"next_cursor\":null,"
                        "\"total\":2147483648}", FALSE },
    { READ_DEVICE_PAGE, "{\"items\":[],\"next_cursor\":\"\",\"total\":0}",
      FALSE },
    { READ_DEVICE_PAGE, "{\"items\":[],\"next_cursor\":null,\"total\":0,"
                        "\"unknown\":[{\"deep\":{}}]}", TRUE },
    /* Events name their module. */
    { READ_EVENTS, "{\"items\":[{\"at\":\"2026-11-30T10:00:00Z\",\"actor\":"
                   "\"a\",\"action\":\"module_booked\",\"module\":\"\","
                   "\"ends_on\":null}]}", FALSE },
    { READ_EVENTS, "{\"items\":[{\"at\":\"2026-11-30T10:00:00Z\",\"actor\":"
                   "\"a\",\"action\":\"module_booked\",\"module\":null,"
                   "\"ends_on\":null}]}", FALSE },
  };
  g_autofree char *page = NULL;
  GError *error;

  for (guint i = 0; i < G_N_ELEMENTS (mutations); i++)
    {
      g_autofree char *text = mutate (device_detail, mutations[i].from,
                                      mutations[i].to);

      g_test_message ("mutation %u: %s", i, mutations[i].to);
      error = run_reader (mutations[i].reader, text, strlen (text));
      if (mutations[i].accepted)
        g_assert_no_error (error);
      else
        g_assert_error (error, CD_PORTAL_ERROR,
                        CD_PORTAL_ERROR_UNEXPECTED_RESPONSE);
      g_clear_error (&error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    {
      g_test_message ("document %u: %s", i, documents[i].text);
      error = run_reader (documents[i].reader, documents[i].text,
                          strlen (documents[i].text));
      if (documents[i].accepted)
        g_assert_no_error (error);
      else
        g_assert_error (error, CD_PORTAL_ERROR,
                        CD_PORTAL_ERROR_UNEXPECTED_RESPONSE);
      g_clear_error (&error);
    }

  /* A page of one device whose total says there is none. */
  page = g_strdup_printf ("{\"items\":[%s],\"next_cursor\":null,\"total\":0}",
                          device_summary);
  error = run_reader (READ_DEVICE_PAGE, page, strlen (page));
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_UNEXPECTED_RESPONSE);
  g_clear_error (&error);
}

/* Every problem code of the contract, as the contract spells it. */
static void
test_problem_code_names (void)
{
  static const struct {
    const char    *name;
    CdPortalError  code;
  } codes[] = {
    { "invalid_request", CD_PORTAL_ERROR_INVALID_REQUEST },
    { "idempotency_key_required", CD_PORTAL_ERROR_IDEMPOTENCY_KEY_REQUIRED },
    { "unauthorized", CD_PORTAL_ERROR_UNAUTHORIZED },
    { "invalid_grant", CD_PORTAL_ERROR_INVALID_GRANT },
    { "forbidden", CD_PORTAL_ERROR_FORBIDDEN },
    { "not_found", CD_PORTAL_ERROR_NOT_FOUND },
    { "already_booked", CD_PORTAL_ERROR_ALREADY_BOOKED },
    { "booking_not_active", CD_PORTAL_ERROR_BOOKING_NOT_ACTIVE },
    { "precondition_failed", CD_PORTAL_ERROR_PRECONDITION_FAILED },
    { "payload_too_large", CD_PORTAL_ERROR_PAYLOAD_TOO_LARGE },
    { "no_license", CD_PORTAL_ERROR_NO_LICENSE },
    { "license_not_active", CD_PORTAL_ERROR_LICENSE_NOT_ACTIVE },
    { "unknown_module", CD_PORTAL_ERROR_UNKNOWN_MODULE },
    { "module_not_available", CD_PORTAL_ERROR_MODULE_NOT_AVAILABLE },
    { "withdrawal_not_possible", CD_PORTAL_ERROR_WITHDRAWAL_NOT_POSSIBLE },
    { "idempotency_key_reused", CD_PORTAL_ERROR_IDEMPOTENCY_KEY_REUSED },
    { "rate_limited", CD_PORTAL_ERROR_RATE_LIMITED },
  };
  CdPortalError code;

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_test_message ("%s", codes[i].name);
      g_assert_true (cd_portal_error_code_from_problem (codes[i].name, &code));
      g_assert_cmpint (code, ==, codes[i].code);
      g_assert_cmpstr (cd_portal_error_code_to_string (code), ==,
                       codes[i].name);
    }

  /* The client's own codes are no problem codes a portal may send. */
  g_assert_false (cd_portal_error_code_from_problem ("network", &code));
  g_assert_false (cd_portal_error_code_from_problem ("session_expired",
                                                     &code));
  g_assert_false (cd_portal_error_code_from_problem ("Already_Booked", &code));
  g_assert_false (cd_portal_error_code_from_problem ("", &code));
}

static void
test_accept_language (void)
{
  static const struct {
    const char *names[6];
    const char *expected;
  } cases[] = {
    { { "de_DE.UTF-8", "de_DE", "de.UTF-8", "de", "C", NULL }, "de" },
    { { "de_AT@euro", "de_AT", "de@euro", "de", "C", NULL }, "de" },
    { { "en_US.UTF-8", "en_US", "en.UTF-8", "en", "C", NULL }, "en" },
    { { "en_GB", "en", "C", NULL }, "en" },
    { { "C", NULL }, "en" },
    { { "POSIX", NULL }, "en" },
    /* LANGUAGE=fr:de: the first language the portal speaks. */
    { { "fr_FR", "fr", "de_DE", "de", "C", NULL }, "de" },
    { { "fr_FR", "fr", "C", NULL }, "en" },
    { { "dsb_DE", "dsb", "C", NULL }, "en" },
    { { "nds_DE", "nds", "de", "C", NULL }, "de" },
    { { NULL }, "en" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u: %s", i, cases[i].names[0]);
      g_assert_cmpstr (cd_portal_client_pick_language (cases[i].names), ==,
                       cases[i].expected);
    }
}

/* The fuzzer's seeds are good documents, so it starts from what the
 * portal sends: each one is read by at least one reader. */
static void
test_fuzz_seeds (void)
{
  const char *source_dir = g_getenv ("CD_SOURCE_DIR");
  g_autofree char *corpus = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;
  guint n_seeds = 0;

  g_assert_nonnull (source_dir);
  corpus = g_build_filename (source_dir, "tests", "fuzz", "corpus", NULL);
  dir = g_dir_open (corpus, 0, &error);
  g_assert_no_error (error);

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (corpus, name, NULL);
      g_autofree char *text = NULL;
      gsize length;
      guint n_read = 0;

      g_assert_true (g_file_get_contents (path, &text, &length, &error));
      g_assert_no_error (error);
      for (Reader reader = READ_TOKEN; reader <= READ_PROBLEM; reader++)
        {
          g_autoptr(GError) reader_error = run_reader (reader, text, length);

          n_read += reader_error == NULL;
        }
      g_test_message ("%s: read by %u readers", name, n_read);
      g_assert_cmpuint (n_read, >=, 1);
      n_seeds++;
    }

  g_assert_cmpuint (n_seeds, >=, READ_PROBLEM + 1);
}

static void
test_dates (void)
{
  GDate date;

  g_assert_true (cd_portal_json_parse_date ("2028-02-29", &date));
  assert_date (&date, 2028, 2, 29);
  g_assert_false (cd_portal_json_parse_date ("2027-02-29", &date));
  g_assert_false (cd_portal_json_parse_date ("2027-1-05", &date));
  g_assert_false (cd_portal_json_parse_date ("2027-01-05T00:00:00Z", &date));
  g_assert_false (cd_portal_json_parse_date ("+027-01-05", &date));
  g_assert_false (cd_portal_json_parse_date ("0000-01-05", &date));
  g_assert_false (cd_portal_json_parse_date ("", &date));
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           GPtrArray  *notified)
{
  g_ptr_array_add (notified, g_strdup (pspec->name));
}

static void
count_call (guint *count)
{
  (*count)++;
}

static CdDevice *
read_detail (const char *text)
{
  g_autoptr(JsonNode) root = parse_ok (text);
  g_autoptr(GError) error = NULL;
  CdDevice *device = cd_portal_json_read_device_detail (root, &error);

  g_assert_no_error (error);
  return device;
}

static void
test_update_from (void)
{
  g_autoptr(CdDevice) device = read_detail (device_detail);
  g_autoptr(CdDevice) renamed = NULL;
  g_autoptr(CdDevice) withdrawn = NULL;
  g_autoptr(CdDevice) summary = NULL;
  g_autoptr(GPtrArray) notified = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *text = NULL;
  g_autofree char *text2 = NULL;
  g_autofree char *summary_text = NULL;
  g_autoptr(JsonNode) summary_root = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *bookings = cd_device_get_bookings (device);
  CdLicense *license = cd_device_get_license (device);
  guint bookings_changed = 0;

  g_signal_connect (device, "notify", G_CALLBACK (on_notify), notified);
  g_signal_connect_swapped (bookings, "items-changed",
                            G_CALLBACK (count_call), &bookings_changed);

  /* The same values: no notification at all. */
  renamed = read_detail (device_detail);
  cd_device_update_from (device, renamed);
  g_assert_cmpuint (notified->len, ==, 0);
  g_assert_true (cd_device_get_license (device) == license);
  g_clear_object (&renamed);

  /* A new name notifies "name" only. */
  text = mutate (device_detail, "Streife 01", "Streife 02");
  renamed = read_detail (text);
  cd_device_update_from (device, renamed);
  g_assert_cmpuint (notified->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (notified, 0), ==, "name");
  g_assert_cmpstr (cd_device_get_name (device), ==, "Streife 02");
  g_assert_cmpuint (bookings_changed, ==, 0);
  g_ptr_array_set_size (notified, 0);

  /* A withdrawn cancellation changes the modules and the bookings. */
  text2 = mutate (text, "{\"code\":\"tickets\",\"state\":\"cancellation_pending\"}",
                  "{\"code\":\"tickets\",\"state\":\"active\"}");
  g_free (text);
  text = mutate (text2, "\"revision\":7", "\"revision\":8");
  g_free (text2);
  text2 = mutate (text, "\"state\":\"cancellation_pending\",\"booked_on\"",
                  "\"state\":\"active\",\"booked_on\"");
  withdrawn = read_detail (text2);
  cd_device_update_from (device, withdrawn);
  g_assert_false (cd_device_has_pending_cancellation (device));
  g_assert_null (cd_device_get_earliest_pending_end (device));
  g_assert_cmpint (cd_device_get_revision (device), ==, 8);
  g_assert_true (cd_device_get_bookings (device) == bookings);
  g_assert_cmpuint (bookings_changed, ==, 1);
  g_assert_true (g_ptr_array_find_with_equal_func (notified, "revision",
                                                   g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (notified,
                                                   "has-pending-cancellation",
                                                   g_str_equal, NULL));
  g_assert_false (g_ptr_array_find_with_equal_func (notified, "name",
                                                    g_str_equal, NULL));
  g_assert_false (g_ptr_array_find_with_equal_func (notified, "license",
                                                    g_str_equal, NULL));
  g_ptr_array_set_size (notified, 0);

  /* A list summary that agrees keeps the detail... */
  summary_text = g_strdup_printf ("{\"items\":[%s],\"next_cursor\":null,"
                                  "\"total\":1}", device_summary);
  g_free (text);
  text = mutate (summary_text, "\"state\":\"cancellation_pending\"}",
                 "\"state\":\"active\"}");
  g_free (text2);
  text2 = mutate (text, "Streife 01", "Streife 02");
  summary_root = parse_ok (text2);
  {
    g_autoptr(GListModel) page = NULL;
    g_autofree char *cursor = NULL;
    guint total;

    page = cd_portal_json_read_device_page (summary_root, &cursor, &total,
                                            &error);
    g_assert_no_error (error);
    summary = g_list_model_get_item (page, 0);
  }
  cd_device_update_from (device, summary);
  g_assert_cmpuint (notified->len, ==, 0);
  g_assert_true (cd_device_get_has_detail (device));
  g_clear_object (&summary);

  /* ...one that differs drops it, so nothing stale stays. */
  g_clear_pointer (&summary_root, json_node_unref);
  summary_root = parse_ok (summary_text);
  {
    g_autoptr(GListModel) page = NULL;
    g_autofree char *cursor = NULL;
    guint total;

    page = cd_portal_json_read_device_page (summary_root, &cursor, &total,
                                            &error);
    g_assert_no_error (error);
    summary = g_list_model_get_item (page, 0);
  }
  cd_device_update_from (device, summary);
  g_assert_false (cd_device_get_has_detail (device));
  g_assert_cmpint (cd_device_get_revision (device), ==, -1);
  g_assert_cmpuint (g_list_model_get_n_items (bookings), ==, 0);
  g_assert_true (cd_device_has_pending_cancellation (device));
  g_assert_cmpstr (cd_device_get_name (device), ==, "Streife 01");
}

static void
test_portal_url (void)
{
  static const struct {
    const char *url;
    int         code;  /* -1: accepted */
  } cases[] = {
    { "https://portal.example.com", -1 },
    { "  https://portal.example.com/  ", -1 },
    { "https://portal.example.com:8443/lizenzen", -1 },
    { "http://127.0.0.1:43121", -1 },
    { "http://[::1]:43121", -1 },
    { "http://localhost:43121", -1 },
    { "http://portal.example.com", CD_PORTAL_ERROR_INSECURE_URL },
    { "http://192.168.1.10:8080", CD_PORTAL_ERROR_INSECURE_URL },
    { "http://localhost.example.com", CD_PORTAL_ERROR_INSECURE_URL },
    { "portal.example.com", CD_PORTAL_ERROR_INVALID_URL },
    { "ftp://portal.example.com", CD_PORTAL_ERROR_INVALID_URL },
    { "https://", CD_PORTAL_ERROR_INVALID_URL },
    { "https://user:pw@portal.example.com", CD_PORTAL_ERROR_INVALID_URL },
    { "", CD_PORTAL_ERROR_INVALID_URL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CdPortalClient) client = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", cases[i].url);
      client = cd_portal_client_new (cases[i].url, &error);
      if (cases[i].code < 0)
        {
          g_assert_no_error (error);
          g_assert_nonnull (client);
          g_assert_false (cd_portal_client_get_signed_in (client));
          g_assert_cmpuint (cd_portal_client_get_n_sent_for_testing (client),
                            ==, 0);
        }
      else
        {
          g_assert_error (error, CD_PORTAL_ERROR, cases[i].code);
          g_assert_null (client);
        }
    }
}

static void
test_idempotency_key (void)
{
  g_autofree char *a = cd_portal_client_new_idempotency_key ();
  g_autofree char *b = cd_portal_client_new_idempotency_key ();

  g_assert_true (g_uuid_string_is_valid (a));
  g_assert_cmpstr (a, !=, b);
}

static void
test_error_details (void)
{
  g_autoptr(GError) plain = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                 "elsewhere");
  g_autoptr(GError) local = g_error_new_literal (CD_PORTAL_ERROR,
                                                 CD_PORTAL_ERROR_NETWORK,
                                                 "no route");

  /* Other domains and client-side errors carry no problem details. */
  g_assert_null (cd_portal_error_get_title (plain));
  g_assert_null (cd_portal_error_get_detail (plain));
  g_assert_cmpint (cd_portal_error_get_retry_after (plain), ==, -1);
  g_assert_null (cd_portal_error_get_title (local));
  g_assert_cmpint (cd_portal_error_get_retry_after (local), ==, -1);
  g_assert_cmpuint (cd_portal_error_get_http_status (local), ==, 0);

  g_assert_cmpstr (cd_portal_error_code_to_string (CD_PORTAL_ERROR_ALREADY_BOOKED),
                   ==, "already_booked");
  g_assert_cmpstr (cd_portal_error_code_to_string (CD_PORTAL_ERROR_RATE_LIMITED),
                   ==, "rate_limited");
  g_assert_null (cd_portal_error_code_to_string (1000));
}

/* The pull reader of GET /devices ---------------------------------------
 * Each case goes through run_reader (), which reads it with both readers
 * and holds them to the same answer; the checks here say what that
 * answer must be. */

/* @device_summary with @from replaced by @to, as a page of one. */
static char *
page_with (const char *from,
           const char *to)
{
  g_autofree char *device = mutate (device_summary, from, to);

  return g_strdup_printf ("{\"items\":[%s],\"next_cursor\":null,"
                          "\"total\":1}", device);
}

/* Reads @text with both readers; the pull reader's page, which must be
 * one. */
static GListModel *
pull_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;
  GListModel *page;
  guint total;

  error = run_reader (READ_DEVICE_PAGE, text, strlen (text));
  g_assert_no_error (error);
  page = cd_portal_json_pull_device_page (text, strlen (text), &cursor,
                                          &total, &error);
  g_assert_no_error (error);
  return page;
}

static void
assert_accepted (const char *text)
{
  g_object_unref (pull_ok (text));
}

static void
assert_refused (const char *text)
{
  g_autoptr(GError) error = run_reader (READ_DEVICE_PAGE, text,
                                        strlen (text));

  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_UNEXPECTED_RESPONSE);
}

static CdDevice *
first_device (GListModel *page)
{
  g_assert_cmpuint (g_list_model_get_n_items (page), >=, 1);
  return g_list_model_get_item (page, 0);
}

static void
test_pull_escapes (void)
{
  static const struct {
    const char *json;
    const char *text;
  } accepted[] = {
    { "\\u00e4\\n\\t\\\"\\\\\\/\\b\\f\\r", "\xc3\xa4\n\t\"\\/\b\f\r" },
    { "\\ud83d\\ude00 \\uD834\\uDD1E", "\xf0\x9f\x98\x80 \xf0\x9d\x84\x9e" },
    { "\\udbff\\udfff", "\xf4\x8f\xbf\xbf" },
    { "\\u20ac\\uFFFF\\u0001", "\xe2\x82\xac\xef\xbf\xbf\x01" },
    { "raw \xc3\xa4 \xe2\x82\xac \xf0\x9f\x98\x80 \x7f",
      "raw \xc3\xa4 \xe2\x82\xac \xf0\x9f\x98\x80 \x7f" },
    { "", "" },
  };
  /* Each in a known member and in an unknown one. */
  static const char * const refused[] = {
    "\\ud800x",          /* a high surrogate alone */
    "\\ud800",
    "\\ud800\\n",
    "\\ud800\\u0041",    /* followed by no low one */
    "\\ud800\\ud800",
    "\\udc00",           /* a low surrogate alone */
    "\\udc00\\ud800",
    "\\u0000",
    "\\u00e",
    "\\x41",
    "\\'",
    "\\U00e4",
    "tab\there",
    "\x01",
    "\xff",
    "\xc0\xaf",          /* overlong */
    "\xed\xa0\x80",      /* a surrogate in UTF-8 */
    "\xf4\x90\x80\x80",  /* above U+10FFFF */
    "\xe2\x82",          /* cut short */
  };

  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autofree char *name = g_strdup_printf ("\"name\":\"%s\"",
                                               accepted[i].json);
      g_autofree char *text = page_with ("\"name\":\"Streife 01\"", name);
      g_autoptr(GListModel) page = NULL;
      g_autoptr(CdDevice) device = NULL;

      g_test_message ("accepted: %s", accepted[i].json);
      page = pull_ok (text);
      device = first_device (page);
      g_assert_cmpstr (cd_device_get_name (device), ==, accepted[i].text);
    }

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *name = g_strdup_printf ("\"name\":\"%s\"", refused[i]);
      g_autofree char *extra = g_strdup_printf ("\"x\":\"%s\",\"name\"",
                                                refused[i]);
      g_autofree char *known = page_with ("\"name\":\"Streife 01\"", name);
      g_autofree char *unknown = page_with ("\"name\"", extra);
      g_autofree char *shown = g_strescape (refused[i], NULL);

      g_test_message ("refused: %s", shown);
      assert_refused (known);
      assert_refused (unknown);
    }

  /* Member names are decoded before they are looked at. */
  {
    g_autofree char *text = page_with ("\"name\":\"Streife 01\"",
                                       "\"n\\u0061me\":\"Streife \\u00e4\"");
    g_autoptr(GListModel) page = pull_ok (text);
    g_autoptr(CdDevice) device = first_device (page);

    g_assert_cmpstr (cd_device_get_name (device), ==, "Streife \xc3\xa4");
  }
}

/* Nesting counts from the root, which is level 1, up to 64 levels. */
static void
test_pull_nesting (void)
{
  for (guint levels = 62; levels <= 65; levels++)
    {
      g_autoptr(GString) root_extra = g_string_new ("{\"x\":");
      g_autoptr(GString) device_extra = g_string_new ("\"x\":");
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;

      /* Root (1), "x" holds levels 2 to @levels. */
      for (guint i = 2; i <= levels; i++)
        g_string_append (root_extra, i % 2 ? "{\"a\":" : "[");
      g_string_append (root_extra, "null");
      for (guint i = levels; i >= 2; i--)
        g_string_append (root_extra, i % 2 ? "}" : "]");
      g_string_append (root_extra, ",\"items\":[],\"next_cursor\":null,"
                       "\"total\":0}");
      g_test_message ("%u levels at the root", levels);
      error = run_reader (READ_DEVICE_PAGE, root_extra->str, root_extra->len);
      if (levels <= 64)
        g_assert_no_error (error);
      else
        g_assert_error (error, CD_PORTAL_ERROR,
                        CD_PORTAL_ERROR_UNEXPECTED_RESPONSE);
      g_clear_error (&error);

      /* Root (1), items (2), the device (3), "x" from level 4 on, with
       * an empty array at the last level. */
      for (guint i = 4; i < levels; i++)
        g_string_append (device_extra, i % 2 ? "{\"b\":0,\"a\":" : "[\"s\",");
      g_string_append (device_extra, "[]");
      for (guint i = levels - 1; i >= 4; i--)
        g_string_append (device_extra, i % 2 ? "}" : "]");
      g_string_append (device_extra, ",\"name\"");
      text = page_with ("\"name\"", device_extra->str);
      g_test_message ("%u levels in a device", levels);
      error = run_reader (READ_DEVICE_PAGE, text, strlen (text));
      if (levels <= 64)
        g_assert_no_error (error);
      else
        g_assert_error (error, CD_PORTAL_ERROR,
                        CD_PORTAL_ERROR_UNEXPECTED_RESPONSE);
    }

  /* Far too deep, and empty containers with space in them. */
  {
    g_autoptr(GString) deep = g_string_new ("{\"items\":[],\"x\":");
    g_autofree char *spaced = page_with ("\"name\"",
                                         "\"x\" : [ { } , [ ] , { \"a\" : [ "
                                         "] } ] ,\r\n\t\"name\"");

    for (guint i = 0; i < 100000; i++)
      g_string_append (deep, "[{\"a\":");
    assert_refused (deep->str);
    assert_accepted (spaced);
  }
}

static void
test_pull_numbers (void)
{
  static const struct {
    const char *total;
    gint64      value;  /* -1: refused */
  } totals[] = {
    { "0", 0 },
    { "-0", 0 },
    { "2147483647", G_MAXINT32 },
    { "2147483648", -1 },
    { "-1", -1 },
    { "1.0", -1 },
    { "0.0", -1 },
    { "1e3", -1 },
    { "1E+0", -1 },
    { "1e400", -1 },
    { "9223372036854775807", -1 },
    { "9223372036854775808", -1 },
    { "-9223372036854775808", -1 },
    { "-9223372036854775809", -1 },
    { "18446744073709551617", -1 },
    /* json-glib alone reads these two as 1. */
    { "-18446744073709551615", -1 },
    { "-99999999999999999999999", -1 },
    { "01", -1 },
    { "+1", -1 },
    { "\"1\"", -1 },
    { "true", -1 },
    { "null", -1 },
    { "[1]", -1 },
  };
  static const struct {
    const char *id;
    const char *text;  /* NULL: refused */
  } ids[] = {
    { "42", "42" },
    { "-0", "0" },
    { "-42", "-42" },
    { "9223372036854775807", "9223372036854775807" },
    { "-9223372036854775808", "-9223372036854775808" },
    { "9223372036854775808", NULL },
    { "-18446744073709551615", NULL },
    { "4.2", NULL },
    { "1e2", NULL },
    { "\"\"", NULL },
    { "null", NULL },
    { "{}", NULL },
  };
  static const struct {
    const char *value;
    gboolean    accepted;
  } unknown[] = {
    { "-9223372036854775808", TRUE },
    { "1e400", TRUE },
    { "-0.0e-0", TRUE },
    { "123456789012345678901234567890.5", TRUE },
    { "9223372036854775808", FALSE },
    { "-18446744073709551615", FALSE },
    { "1.e5", FALSE },
    { "-", FALSE },
    { "- 1", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (totals); i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"items\":[],\"next_cursor\":"
                                               "null,\"total\":%s}",
                                               totals[i].total);
      g_autoptr(GError) error = NULL;

      g_test_message ("total: %s", totals[i].total);
      error = run_reader (READ_DEVICE_PAGE, text, strlen (text));
      if (totals[i].value < 0)
        {
          g_assert_error (error, CD_PORTAL_ERROR,
                          CD_PORTAL_ERROR_UNEXPECTED_RESPONSE);
        }
      else
        {
          g_autoptr(GListModel) page = NULL;
          g_autofree char *cursor = NULL;
          guint total = 1;

          g_assert_no_error (error);
          page = cd_portal_json_pull_device_page (text, strlen (text),
                                                  &cursor, &total, &error);
          g_assert_no_error (error);
          g_assert_cmpint (total, ==, totals[i].value);
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *id = g_strdup_printf ("\"id\":%s", ids[i].id);
      g_autofree char *text = page_with ("\"id\":\"d-1\"", id);

      g_test_message ("id: %s", ids[i].id);
      if (ids[i].text == NULL)
        assert_refused (text);
      else
        {
          g_autoptr(GListModel) page = pull_ok (text);
          g_autoptr(CdDevice) device = first_device (page);

          g_assert_cmpstr (cd_device_get_id (device), ==, ids[i].text);
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (unknown); i++)
    {
      g_autofree char *extra = g_strdup_printf ("\"x\":%s,\"name\"",
                                                unknown[i].value);
      g_autofree char *text = page_with ("\"name\"", extra);

      g_test_message ("unknown member: %s", unknown[i].value);
      if (unknown[i].accepted)
        assert_accepted (text);
      else
        assert_refused (text);
    }
}

/* Of duplicate members the last one counts, as json-glib has it, be the
 * first one wrong or right; and a member's name counts decoded. */
static void
test_pull_duplicates (void)
{
  static const struct {
    const char *from;
    const char *to;
    const char *name;  /* the device's name; NULL: refused */
  } devices[] = {
    { "\"name\":\"Streife 01\"", "\"name\":\"A\",\"name\":\"B\"", "B" },
    { "\"name\":\"Streife 01\"", "\"name\":7,\"name\":\"B\"", "B" },
    { "\"name\":\"Streife 01\"", "\"name\":\"B\",\"name\":7", NULL },
    { "\"name\":\"Streife 01\"", "\"name\":\"A\",\"n\\u0061me\":\"B\"", "B" },
    { "\"license\":{", "\"license\":5,\"license\":{", "Streife 01" },
    { "\"license\":{", "\"license\":{},\"license\":{", "Streife 01" },
    { "\"modules\":[", "\"modules\":[],\"modules\":7,\"modules\":[",
      "Streife 01" },
    { "\"modules\":[", "\"modules\":[7],\"modules\":[", "Streife 01" },
    { ",\"unknown_extra\"", ",\"modules\":null,\"unknown_extra\"", NULL },
    { "\"state\":\"active\",\"current_term_end\"",
      "\"state\":\"paused\",\"state\":\"active\",\"current_term_end\"",
      "Streife 01" },
    { "\"state\":\"active\",\"current_term_end\"",
      "\"state\":\"active\",\"state\":\"cancelled\",\"current_term_end\"",
      NULL },
    { "\"ends_on\":null", "\"ends_on\":\"2027-02-30\",\"ends_on\":null",
      "Streife 01" },
    { "{\"code\":\"gps\",\"state\":\"active\"}",
      "{\"code\":\"\",\"code\":\"gps\",\"state\":\"active\"}", "Streife 01" },
    { "{\"code\":\"gps\",\"state\":\"active\"}",
      "{\"code\":\"gps\",\"state\":\"active\",\"state\":\"ended!\"}", NULL },
  };
  static const struct {
    const char *text;
    gboolean    accepted;
  } pages[] = {
    { "{\"items\":[],\"next_cursor\":null,\"total\":\"x\",\"total\":1}", TRUE },
    { "{\"items\":[],\"next_cursor\":null,\"total\":1,\"total\":\"x\"}",
      FALSE },
    { "{\"items\":[],\"next_cursor\":\"\",\"next_cursor\":null,\"total\":0}",
      TRUE },
    { "{\"items\":[],\"next_cursor\":null,\"next_cursor\":\"\",\"total\":0}",
      FALSE },
    { "{\"items\":[5],\"items\":[],\"next_cursor\":null,\"total\":0}", TRUE },
    { "{\"items\":[],\"items\":[5],\"next_cursor\":null,\"total\":1}", FALSE },
    { "{\"items\":[],\"next_cursor\":null,\"total\":0,\"\":1,\"\":[]}", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (devices); i++)
    {
      g_autofree char *text = page_with (devices[i].from, devices[i].to);

      g_test_message ("device: %s", devices[i].to);
      if (devices[i].name == NULL)
        assert_refused (text);
      else
        {
          g_autoptr(GListModel) page = pull_ok (text);
          g_autoptr(CdDevice) device = first_device (page);

          g_assert_cmpstr (cd_device_get_name (device), ==, devices[i].name);
          g_assert_nonnull (cd_device_get_license (device));
          g_assert_cmpuint (cd_device_get_n_modules (device), ==, 2);
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_test_message ("page: %s", pages[i].text);
      if (pages[i].accepted)
        assert_accepted (pages[i].text);
      else
        assert_refused (pages[i].text);
    }

  /* Of two item lists the last is the page. */
  {
    g_autofree char *text = g_strdup_printf (
      "{\"items\":[%s],\"items\":[],\"next_cursor\":null,\"total\":0}",
      device_summary);
    g_autoptr(GListModel) page = pull_ok (text);

    g_assert_cmpuint (g_list_model_get_n_items (page), ==, 0);
  }
}

/* A page of devices that differ in everything a summary may hold. */
static char *
varied_page (guint n_devices)
{
  static const char * const licenses[] = {
    "null",
    "{\"type\":\"standard\",\"state\":\"active\",\"current_term_end\":"
    "\"2027-03-14\",\"next_possible_end\":\"2029-03-14\",\"ends_on\":null}",
    "{\"ends_on\":\"2027-03-14\",\"state\":\"cancelled\",\"type\":\"flex\","
    "\"next_possible_end\":\"2027-03-14\",\"current_term_end\":\"2027-01-31\","
    "\"term_start\":\"2020-01-01\"}",
    "{\"type\":\"manager\",\"state\":\"ended\",\"current_term_end\":"
    "\"2024-02-29\",\"next_possible_end\":\"2024-02-29\"}",
  };
  static const char * const modules[] = {
    "[]",
    "[{\"code\":\"gps\",\"state\":\"active\"}]",
    "[{\"code\":\"tickets\",\"state\":\"cancellation_pending\","
    "\"ends_on\":\"2027-03-14\"},{\"code\":\"roster\",\"state\":\"active\","
    "\"ends_on\":null},{\"code\":\"key-management\",\"state\":\"ended\"}]",
  };
  static const char * const seen[] = {
    "2026-12-01T08:15:00Z",
    "2026-12-01t08:15:00z",
    "2026-12-01T10:15:00.25+02:00",
    "2026-12-01T03:45:00.000001-04:30",
    "2028-02-29T23:59:59Z",
  };
  static const struct {
    const char *before;
    const char *after;
  } names[] = {
    { "Streife ", "" },
    { "Wache S\\u00fcd ", " \\ud83d\\udd11" },
    { "Tablet \\\"Nord\\\" ", "\\n" },
    { "Empfang \xc3\x84 ", "" },
  };
  g_autoptr(GString) text = g_string_new ("{\"items\":[");

  for (guint i = 0; i < n_devices; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s%u%s",
                                               names[i % 4].before, i,
                                               names[i % 4].after);

      if (i > 0)
        g_string_append (text, i % 5 ? "," : " ,\n ");
      if (i % 3 == 0)
        g_string_append_printf (text, "{\"id\":%u,", 1000 + i);
      else
        g_string_append_printf (text, "{ \"id\" : \"d-%u\" ,", i);
      g_string_append_printf (text,
                              "\"name\":\"%s\",\"model\":\"Model %u\","
                              "\"platform\":\"%s\",\"serial\":\"S%06u\","
                              "\"app_version\":\"4.%u.0\","
                              "\"last_seen_at\":\"%s\",\"license\":%s,"
                              "\"modules\":%s%s}",
                              name, i % 7, i % 2 ? "ios" : "android", i,
                              i % 4, seen[i % G_N_ELEMENTS (seen)],
                              licenses[i % G_N_ELEMENTS (licenses)],
                              modules[i % G_N_ELEMENTS (modules)],
                              i % 4 == 1 ? ",\"extra\":{\"a\":[1,2.5,"
                              "\"\\u00e4\",null,true,false,{}]}" : "");
    }
  g_string_append_printf (text, "],\"next_cursor\":\"v1.%u\",\"total\":%u}",
                          n_devices, n_devices + 5);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
test_pull_equal_devices (void)
{
  g_autofree char *text = varied_page (240);
  g_autoptr(GListModel) page = pull_ok (text);
  g_autoptr(CdDevice) first = NULL;
  g_autoptr(CdDevice) cancelled = NULL;
  g_autoptr(CdDevice) offset = NULL;
  g_autoptr(CdDevice) escaped = NULL;
  CdLicense *license;
  CdBookingState state;
  GDateTime *seen;

  /* run_reader () has compared every property of the 240 devices; these
   * make sure that what both read is what the page says. */
  g_assert_cmpuint (g_list_model_get_n_items (page), ==, 240);

  first = g_list_model_get_item (page, 0);
  g_assert_cmpstr (cd_device_get_id (first), ==, "1000");
  g_assert_null (cd_device_get_license (first));
  g_assert_cmpuint (cd_device_get_n_modules (first), ==, 0);

  cancelled = g_list_model_get_item (page, 2);
  g_assert_cmpstr (cd_device_get_id (cancelled), ==, "d-2");
  g_assert_cmpstr (cd_device_get_name (cancelled), ==, "Tablet \"Nord\" 2\n");
  license = cd_device_get_license (cancelled);
  g_assert_cmpint (cd_license_get_state (license), ==,
                   CD_LICENSE_STATE_CANCELLED);
  assert_date (cd_license_get_ends_on (license), 2027, 3, 14);
  assert_date (cd_license_get_current_term_end (license), 2027, 1, 31);
  g_assert_null (cd_license_get_term_start (license));
  g_assert_cmpuint (cd_device_get_n_modules (cancelled), ==, 3);
  g_assert_cmpstr (cd_device_get_module_code (cancelled, 2), ==,
                   "key-management");
  g_assert_cmpint (cd_device_get_module_state (cancelled, 2), ==,
                   CD_BOOKING_STATE_ENDED);
  g_assert_true (cd_device_lookup_module_state (cancelled, "tickets",
                                                &state));
  g_assert_cmpint (state, ==, CD_BOOKING_STATE_CANCELLATION_PENDING);
  assert_date (cd_device_get_earliest_pending_end (cancelled), 2027, 3, 14);
  g_assert_cmpint (cd_device_get_platform (cancelled), ==,
                   CD_PLATFORM_ANDROID);

  /* 03:45:00.000001 at -04:30 is 08:15:00.000001 UTC. */
  offset = g_list_model_get_item (page, 3);
  seen = cd_device_get_last_seen_at (offset);
  g_assert_cmpint (g_date_time_get_utc_offset (seen), ==, 0);
  g_assert_cmpint (g_date_time_get_hour (seen), ==, 8);
  g_assert_cmpint (g_date_time_get_minute (seen), ==, 15);
  g_assert_cmpint (g_date_time_get_microsecond (seen), ==, 1);

  escaped = g_list_model_get_item (page, 5);
  g_assert_cmpstr (cd_device_get_name (escaped), ==,
                   "Wache S\xc3\xbc" "d 5 \xf0\x9f\x94\x91");
  g_assert_cmpint (cd_device_get_platform (escaped), ==, CD_PLATFORM_IOS);
}

/* A page cut short anywhere is refused, never read past its end. */
static void
test_pull_truncated (void)
{
  g_autofree char *text = varied_page (6);
  gsize length = strlen (text);

  assert_accepted (text);

  for (gsize n = 0; n < length; n++)
    {
      /* Exactly @n bytes, so a read beyond them is caught by the memory
       * checkers. */
      g_autofree char *cut = g_memdup2 (text, n);
      g_autoptr(GError) error = NULL;

      error = run_reader (READ_DEVICE_PAGE, cut, n);
      g_assert_error (error, CD_PORTAL_ERROR,
                      CD_PORTAL_ERROR_UNEXPECTED_RESPONSE);
    }
}

/* Syntax comes first: a wrong member before a break in the JSON is not
 * what is told. */
static void
test_pull_messages (void)
{
  static const struct {
    const char *text;
    const char *message;
  } cases[] = {
    { "{\"items\":5,\"next_cursor\":null,\"total\":0,\"x\":[1,]}",
      "Unexpected response: not a JSON document (at byte 47)" },
    { "[]", "Unexpected response: not a JSON document (at byte 0)" },
    { "", "Unexpected response: not a JSON document (at byte 0)" },
    { "{\"items\":5,\"next_cursor\":null,\"total\":0}",
      "Unexpected response: “items” is missing or not an array" },
    { "{\"items\":[{}],\"next_cursor\":null,\"total\":-1}",
      "Unexpected response: “total” is missing or not an integer in range" },
    { "{\"items\":[{}],\"next_cursor\":null,\"total\":1}",
      "Unexpected response: “id” is missing or not an id" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GListModel) page = NULL;
      g_autofree char *cursor = NULL;
      guint total;

      g_test_message ("%s", cases[i].text);
      page = cd_portal_json_pull_device_page (cases[i].text,
                                              strlen (cases[i].text),
                                              &cursor, &total, &error);
      g_assert_null (page);
      g_assert_error (error, CD_PORTAL_ERROR,
                      CD_PORTAL_ERROR_UNEXPECTED_RESPONSE);
      g_assert_cmpstr (error->message, ==, cases[i].message);
      g_clear_error (&error);

      /* json-glib's path gives the same words, once it is JSON. */
      error = run_reader (READ_DEVICE_PAGE, cases[i].text,
                          strlen (cases[i].text));
      g_assert_error (error, CD_PORTAL_ERROR,
                      CD_PORTAL_ERROR_UNEXPECTED_RESPONSE);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/portal-json/token", test_token);
  g_test_add_func ("/portal-json/account", test_account);
  g_test_add_func ("/portal-json/catalogues", test_catalogues);
  g_test_add_func ("/portal-json/device-page", test_device_page);
  g_test_add_func ("/portal-json/device-detail", test_device_detail);
  g_test_add_func ("/portal-json/events-and-problem", test_events_and_problem);
  g_test_add_func ("/portal-json/bad-documents", test_bad_documents);
  g_test_add_func ("/portal-json/strict-syntax", test_strict_syntax);
  g_test_add_func ("/portal-json/timestamps", test_timestamps);
  g_test_add_func ("/portal-json/contract-values", test_contract_values);
  g_test_add_func ("/portal-json/fuzz-seeds", test_fuzz_seeds);
  g_test_add_func ("/portal-json/dates", test_dates);
  g_test_add_func ("/portal-json/update-from", test_update_from);
  g_test_add_func ("/portal-json/pull/escapes", test_pull_escapes);
  g_test_add_func ("/portal-json/pull/nesting", test_pull_nesting);
  g_test_add_func ("/portal-json/pull/numbers", test_pull_numbers);
  g_test_add_func ("/portal-json/pull/duplicates", test_pull_duplicates);
  g_test_add_func ("/portal-json/pull/equal-devices", test_pull_equal_devices);
  g_test_add_func ("/portal-json/pull/truncated", test_pull_truncated);
  g_test_add_func ("/portal-json/pull/messages", test_pull_messages);
  g_test_add_func ("/portal-json/error-details", test_error_details);
  g_test_add_func ("/portal-json/problem-code-names", test_problem_code_names);
  g_test_add_func ("/portal-client/url", test_portal_url);
  g_test_add_func ("/portal-client/idempotency-key", test_idempotency_key);
  g_test_add_func ("/portal-client/accept-language", test_accept_language);

  return g_test_run ();
}
