/* test-portal-json.c: the strict JSON readers, with good and bad documents.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cd-portal.h"
#include "cd-portal-client-private.h"
#include "cd-portal-json.h"

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

static void
test_device_page (void)
{
  g_autofree char *text = g_strdup_printf (
    "{\"items\":[%s],\"next_cursor\":\"v1.abc\",\"total\":3}", device_summary);
  g_autoptr(JsonNode) root = parse_ok (text);
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) page = NULL;
  g_autoptr(CdDevice) device = NULL;
  g_autofree char *cursor = NULL;
  g_autoptr(GDateTime) expected_seen = NULL;
  CdLicense *license;
  CdBookingState state;
  guint total = 0;

  page = cd_portal_json_read_device_page (root, &cursor, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cursor, ==, "v1.abc");
  g_assert_cmpuint (total, ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (page), ==, 1);

  device = g_list_model_get_item (page, 0);
  g_assert_cmpstr (cd_device_get_id (device), ==, "d-1");
  g_assert_cmpstr (cd_device_get_name (device), ==, "Streife 01");
  g_assert_cmpint (cd_device_get_platform (device), ==, CD_PLATFORM_ANDROID);
  expected_seen = g_date_time_new_utc (2026, 12, 1, 8, 15, 0);
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
  g_assert_null (cd_license_get_ends_on (license));
  g_assert_null (cd_license_get_term_start (license));
  g_assert_cmpint (cd_license_get_term_months (license), ==, -1);

  g_assert_cmpuint (cd_device_get_n_modules (device), ==, 2);
  g_assert_cmpstrv (cd_device_get_module_codes (device),
                    ((const char *[]) { "gps", "tickets", NULL }));
  g_assert_true (cd_device_lookup_module_state (device, "tickets", &state));
  g_assert_cmpint (state, ==, CD_BOOKING_STATE_CANCELLATION_PENDING);
  g_assert_false (cd_device_lookup_module_state (device, "roster", NULL));
  g_assert_true (cd_device_has_pending_cancellation (device));
  g_assert_null (cd_device_get_earliest_pending_end (device));
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
  g_assert_cmpint (g_date_time_get_hour (cd_event_get_at (booked)), ==, 9);
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
} Reader;

/* Runs @reader on @text; returns the error (NULL when it was read). */
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
  guint total;

  if ((root = cd_portal_json_parse (text, length, &error)) == NULL)
    return error;

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
    default:
      g_assert_not_reached ();
    }

  /* Never a half-filled object: either a result or an error. */
  g_assert_true ((object == NULL) != (error == NULL) || reader == READ_TOKEN);
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
  g_test_add_func ("/portal-json/dates", test_dates);
  g_test_add_func ("/portal-json/update-from", test_update_from);
  g_test_add_func ("/portal-json/error-details", test_error_details);
  g_test_add_func ("/portal-client/url", test_portal_url);
  g_test_add_func ("/portal-client/idempotency-key", test_idempotency_key);

  return g_test_run ();
}
