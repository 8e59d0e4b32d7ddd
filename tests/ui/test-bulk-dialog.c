/* test-bulk-dialog.c: the bulk dialog previews what will happen to each
 * device (its own end date, or why it is skipped) and the change of the
 * monthly cost, changes after one confirmation, shows partial failures
 * and retries them without changing anything twice, can be stopped or
 * closed mid-run, and refuses viewers; the pending cancellations view
 * lists what is about to end, by date.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "cd-bulk-dialog.h"
#include "cd-format.h"
#include "cd-pending-view.h"
#include "cd-portal-json.h"
#include "cd-test-portal.h"
#include "cd-ui-test.h"

#define TODAY "2026-12-14"

static gboolean german;
static CdTestPortal *portal;
static CdPortalClient *client;
static GListModel *all_devices;
static GListModel *modules;
static GListModel *license_types;

/* A proxy in front of the portal: it can drop the answers to changes of
 * some devices (the change is made, the client never hears of it) and
 * hold every change request until released. */

typedef struct
{
  SoupServer  *server;       /* (owned) */
  SoupSession *session;      /* (owned): to the portal */
  char        *url;          /* (owned) */
  GHashTable  *dropped;      /* (owned) device ids */
  gboolean     hold;
  GQueue       held;         /* of Forward */
  guint        n_changes;    /* change requests received */
} Proxy;

typedef struct
{
  Proxy             *proxy;
  SoupServerMessage *message;   /* (owned) */
  SoupMessage       *upstream;  /* (owned) */
  gboolean           drop;
} Forward;

static Proxy *proxy;

static void
copy_header (const char *name,
             const char *value,
             gpointer    user_data)
{
  if (g_ascii_strcasecmp (name, "Host") == 0
      || g_ascii_strcasecmp (name, "Connection") == 0
      || g_ascii_strcasecmp (name, "Content-Length") == 0
      || g_ascii_strcasecmp (name, "Transfer-Encoding") == 0)
    return;
  soup_message_headers_append (user_data, name, value);
}

static void
on_upstream_ready (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Forward *forward = user_data;
  SoupMessageHeaders *upstream_headers =
    soup_message_get_response_headers (forward->upstream);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                            &error);
  g_assert_no_error (error);

  if (forward->drop)
    {
      g_autoptr(GIOStream) stream =
        soup_server_message_steal_connection (forward->message);

      g_io_stream_close (stream, NULL, NULL);
    }
  else
    {
      gsize length;
      const char *data = g_bytes_get_data (body, &length);

      soup_message_headers_foreach (
        upstream_headers, copy_header,
        soup_server_message_get_response_headers (forward->message));
      soup_server_message_set_status (
        forward->message, soup_message_get_status (forward->upstream), NULL);
      soup_server_message_set_response (
        forward->message,
        soup_message_headers_get_content_type (upstream_headers, NULL),
        SOUP_MEMORY_COPY, data, length);
      soup_server_message_unpause (forward->message);
    }

  g_object_unref (forward->message);
  g_object_unref (forward->upstream);
  g_free (forward);
}

static void
forward_start (Forward *forward)
{
  soup_session_send_and_read_async (forward->proxy->session,
                                    forward->upstream, G_PRIORITY_DEFAULT,
                                    NULL, on_upstream_ready, forward);
}

static void
proxy_release (void)
{
  Forward *forward;

  proxy->hold = FALSE;
  while ((forward = g_queue_pop_head (&proxy->held)) != NULL)
    forward_start (forward);
}

/* The device id of "POST .../devices/{id}/bookings..." or NULL. */
static char *
change_device_id (const char *method,
                  const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  guint n = g_strv_length (parts);

  if (!g_str_equal (method, "POST"))
    return NULL;
  for (guint i = 0; i + 2 < n; i++)
    if (g_str_equal (parts[i], "devices")
        && g_str_equal (parts[i + 2], "bookings"))
      return g_strdup (parts[i + 1]);

  return NULL;
}

static void
on_proxy_request (SoupServer        *server,
                  SoupServerMessage *message,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  const char *method = soup_server_message_get_method (message);
  GUri *uri = soup_server_message_get_uri (message);
  g_autofree char *device_id = change_device_id (method, path);
  g_autofree char *url = NULL;
  g_autoptr(GBytes) body = NULL;
  Forward *forward;

  url = g_strconcat (cd_test_portal_get_url (portal), path,
                     g_uri_get_query (uri) != NULL ? "?" : "",
                     g_uri_get_query (uri) != NULL ? g_uri_get_query (uri) : "",
                     NULL);
  forward = g_new0 (Forward, 1);
  forward->proxy = proxy;
  forward->message = g_object_ref (message);
  forward->upstream = soup_message_new (method, url);
  soup_message_headers_foreach (
    soup_server_message_get_request_headers (message), copy_header,
    soup_message_get_request_headers (forward->upstream));
  body = soup_message_body_flatten (
    soup_server_message_get_request_body (message));
  if (g_bytes_get_size (body) > 0)
    soup_message_set_request_body_from_bytes (
      forward->upstream,
      soup_message_headers_get_content_type (
        soup_server_message_get_request_headers (message), NULL),
      body);

  if (device_id != NULL)
    {
      proxy->n_changes++;
      forward->drop = g_hash_table_contains (proxy->dropped, device_id);
    }

  soup_server_message_pause (message);
  if (device_id != NULL && proxy->hold)
    g_queue_push_tail (&proxy->held, forward);
  else
    forward_start (forward);
}

static void
proxy_start (void)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  proxy = g_new0 (Proxy, 1);
  proxy->server = soup_server_new (NULL, NULL);
  proxy->session = soup_session_new ();
  proxy->dropped = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          NULL);
  soup_server_add_handler (proxy->server, NULL, on_proxy_request, NULL, NULL);
  soup_server_listen_local (proxy->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY,
                            &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (proxy->server);
  proxy->url = g_strdup_printf ("http://127.0.0.1:%d",
                                g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
proxy_stop (void)
{
  g_assert_true (g_queue_is_empty (&proxy->held));
  soup_server_disconnect (proxy->server);
  g_clear_object (&proxy->server);
  g_clear_object (&proxy->session);
  g_clear_pointer (&proxy->dropped, g_hash_table_unref);
  g_free (proxy->url);
  g_clear_pointer (&proxy, g_free);
}

/* Calls */

typedef struct
{
  gboolean  finished;
  gpointer  result;
  GError   *error;
} CallWait;

static gboolean
call_finished (gpointer user_data)
{
  CallWait *wait = user_data;

  return wait->finished;
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CallWait *wait = user_data;

  wait->result = cd_portal_client_list_devices_finish (
    CD_PORTAL_CLIENT (source), result, NULL, NULL, &wait->error);
  wait->finished = TRUE;
}

static void
on_modules_listed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CallWait *wait = user_data;

  wait->result = cd_portal_client_list_modules_finish (
    CD_PORTAL_CLIENT (source), result, &wait->error);
  wait->finished = TRUE;
}

static void
on_license_types_listed (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  CallWait *wait = user_data;

  wait->result = cd_portal_client_list_license_types_finish (
    CD_PORTAL_CLIENT (source), result, &wait->error);
  wait->finished = TRUE;
}

static void
on_detail (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CallWait *wait = user_data;

  wait->result = cd_portal_client_get_device_finish (
    CD_PORTAL_CLIENT (source), result, &wait->error);
  wait->finished = TRUE;
}

static CdDevice *
fetch_detail (CdDevice *device)
{
  CallWait wait = { 0 };

  cd_portal_client_get_device_async (client, cd_device_get_id (device), NULL,
                                     on_detail, &wait);
  g_assert_true (cd_ui_test_wait_until (call_finished, &wait, 20000));
  g_assert_no_error (wait.error);

  return wait.result;
}

static void
on_events (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CallWait *wait = user_data;

  wait->result = cd_portal_client_list_events_finish (
    CD_PORTAL_CLIENT (source), result, &wait->error);
  wait->finished = TRUE;
}

/* How often the portal's history says @code was booked on @device. */
static guint
count_booked (CdDevice   *device,
              const char *code)
{
  g_autoptr(GListModel) events = NULL;
  CallWait wait = { 0 };
  guint count = 0;

  cd_portal_client_list_events_async (client, cd_device_get_id (device), NULL,
                                      on_events, &wait);
  g_assert_true (cd_ui_test_wait_until (call_finished, &wait, 20000));
  g_assert_no_error (wait.error);
  events = wait.result;

  for (guint i = 0; i < g_list_model_get_n_items (events); i++)
    {
      g_autoptr(CdEvent) event = g_list_model_get_item (events, i);

      if (cd_event_get_action (event) == CD_EVENT_ACTION_MODULE_BOOKED
          && g_strcmp0 (cd_event_get_module_code (event), code) == 0)
        count++;
    }

  return count;
}

/* The booking counts of @devices now, to compare with later: a device
 * may have had the module before, ended since. */
static GArray *
booked_counts (GPtrArray  *devices,
               const char *code)
{
  GArray *counts = g_array_new (FALSE, TRUE, sizeof (guint));

  for (guint i = 0; i < devices->len; i++)
    {
      guint count = count_booked (devices->pdata[i], code);

      g_array_append_val (counts, count);
    }

  return counts;
}

/* How many bookings of @code device @i of @devices got since @before. */
static guint
booked_since (GArray     *before,
              GPtrArray  *devices,
              guint       i,
              const char *code)
{
  return count_booked (devices->pdata[i], code)
         - g_array_index (before, guint, i);
}

static CdModule *
find_module (const char *code)
{
  for (guint i = 0; i < g_list_model_get_n_items (modules); i++)
    {
      g_autoptr(CdModule) module = g_list_model_get_item (modules, i);

      if (g_str_equal (cd_module_get_code (module), code))
        return module;
    }

  g_assert_not_reached ();
}

/* The contract's term rule, computed here from the license's own numbers
 * (term start, term and notice months), not with the app's or the
 * portal's code. */

static void
add_months (const GDate *date,
            int          months,
            GDate       *result)
{
  int index = (int) g_date_get_year (date) * 12
              + (int) g_date_get_month (date) - 1 + months;
  int year = index / 12;
  int month = index % 12 + 1;
  int last = g_date_get_days_in_month (month, year);

  g_date_clear (result, 1);
  g_date_set_dmy (result, MIN ((int) g_date_get_day (date), last), month,
                  year);
}

static void
term_end (const GDate *start,
          int          term_months,
          int          index,
          GDate       *result)
{
  add_months (start, (index + 1) * term_months, result);
  g_date_subtract_days (result, 1);
}

static void
contract_next_possible_end (CdLicense *license,
                            GDate     *result)
{
  const GDate *start = cd_license_get_term_start (license);
  int term_months = cd_license_get_term_months (license);
  GDate today, next_start, current_end, after_end, deadline;
  int index = 0;

  g_date_clear (&today, 1);
  g_date_set_parse (&today, TODAY);
  g_assert_true (g_date_valid (&today));

  for (;;)
    {
      add_months (start, (index + 1) * term_months, &next_start);
      if (g_date_compare (&next_start, &today) > 0)
        break;
      index++;
    }
  term_end (start, term_months, index, &current_end);

  after_end = current_end;
  g_date_add_days (&after_end, 1);
  add_months (&after_end, -cd_license_get_notice_months (license), &deadline);
  g_date_subtract_days (&deadline, 1);

  if (g_date_compare (&today, &deadline) <= 0)
    *result = current_end;
  else
    term_end (start, term_months, index + 1, result);

  if (cd_license_get_ends_on (license) != NULL
      && g_date_compare (cd_license_get_ends_on (license), result) < 0)
    *result = *cd_license_get_ends_on (license);
}

/* The dialog */

static CdBulkDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (CD_IS_BULK_DIALOG (window) && gtk_widget_get_mapped (GTK_WIDGET (window)))
        return CD_BULK_DIALOG (window);
    }

  return NULL;
}

static gboolean
dialog_is_shown (gpointer user_data)
{
  CdBulkDialog **dialog = user_data;

  *dialog = find_dialog ();

  return *dialog != NULL;
}

static gboolean
dialog_is_gone (gpointer user_data)
{
  return find_dialog () == NULL;
}

static GtkWidget *
open_dialog (GtkWidget    *parent,
             CdPortalClient *as,
             GListStore   *devices,
             CdBulkAction  action)
{
  CdBulkDialog *dialog = NULL;

  cd_bulk_dialog_present (parent, as, G_LIST_MODEL (devices), action);
  g_assert_true (cd_ui_test_wait_until (dialog_is_shown, &dialog, 5000));

  return GTK_WIDGET (dialog);
}

static void
choose_module (GtkWidget  *root,
               const char *code)
{
  const char *name = cd_module_get_name (find_module (code));
  GtkWidget *row = cd_ui_test_assert_shown (root, name);

  while (row != NULL && !ADW_IS_ACTION_ROW (row))
    row = gtk_widget_get_parent (row);
  g_assert_nonnull (row);
  adw_action_row_activate (ADW_ACTION_ROW (row));
  cd_ui_test_click (root, german ? "Weiter" : "Continue");
}

/* "Name\nWhat happens\n" as the dialog lists it. */
static void
assert_row (const char *shown,
            CdDevice   *device,
            const char *text)
{
  g_autofree char *expected = g_strdup_printf ("%s\n%s\n",
                                               cd_device_get_name (device),
                                               text);

  if (strstr (shown, expected) == NULL)
    g_error ("Row “%s” not shown; the dialog shows:\n%s", expected, shown);
}

static void
assert_rows (GtkWidget  *root,
             GPtrArray  *devices,
             const char *text)
{
  g_autofree char *shown = cd_ui_test_collect_text (root);

  for (guint i = 0; i < devices->len; i++)
    assert_row (shown, g_ptr_array_index (devices, i), text);
}

static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  g_autofree char *file = g_strdup_printf ("%s-%s.png", name,
                                           german ? "de" : "en");

  cd_ui_test_iterate (100);
  g_free (cd_ui_test_screenshot (widget, file));
}

/* Picking devices */

typedef gboolean (*DevicePredicate) (CdDevice   *device,
                                     const char *code);

static gboolean
license_is (CdDevice       *device,
            CdLicenseState  state)
{
  CdLicense *license = cd_device_get_license (device);

  return license != NULL && cd_license_get_state (license) == state;
}

static gboolean
has_module (CdDevice       *device,
            const char     *code,
            CdBookingState  wanted)
{
  CdBookingState state;

  return cd_device_lookup_module_state (device, code, &state)
         && state == wanted;
}

static gboolean
can_book (CdDevice   *device,
          const char *code)
{
  CdBookingState state;

  return license_is (device, CD_LICENSE_STATE_ACTIVE)
         && cd_module_is_available_for (
              find_module (code),
              cd_license_get_type_code (cd_device_get_license (device)))
         && !cd_device_lookup_module_state (device, code, &state);
}

/* Up to @n devices not in @taken for which @predicate holds, added to
 * @taken; @n of them must exist. */
static GPtrArray *
pick (GPtrArray       *taken,
      DevicePredicate  predicate,
      const char      *code,
      guint            n)
{
  GPtrArray *picked = g_ptr_array_new ();

  for (guint i = 0; i < g_list_model_get_n_items (all_devices)
                    && picked->len < n; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (all_devices, i);

      if (g_ptr_array_find (taken, device, NULL) || !predicate (device, code))
        continue;
      g_ptr_array_add (picked, device);
      g_ptr_array_add (taken, device);
    }
  g_assert_cmpuint (picked->len, ==, n);

  return picked;
}

static gboolean
without_license (CdDevice   *device,
                 const char *code)
{
  return cd_device_get_license (device) == NULL;
}

static gboolean
with_active_module (CdDevice   *device,
                    const char *code)
{
  return license_is (device, CD_LICENSE_STATE_ACTIVE)
         && has_module (device, code, CD_BOOKING_STATE_ACTIVE);
}

static gboolean
with_cancelled_module (CdDevice   *device,
                       const char *code)
{
  return license_is (device, CD_LICENSE_STATE_ACTIVE)
         && has_module (device, code, CD_BOOKING_STATE_CANCELLATION_PENDING);
}

static gboolean
without_module (CdDevice   *device,
                const char *code)
{
  CdBookingState state;

  return license_is (device, CD_LICENSE_STATE_ACTIVE)
         && !cd_device_lookup_module_state (device, code, &state);
}

static gboolean
with_ended_license (CdDevice   *device,
                    const char *code)
{
  return license_is (device, CD_LICENSE_STATE_ENDED);
}

static gboolean
with_license_type_without (CdDevice   *device,
                           const char *code)
{
  return license_is (device, CD_LICENSE_STATE_ACTIVE)
         && !cd_module_is_available_for (
              find_module (code),
              cd_license_get_type_code (cd_device_get_license (device)));
}

/* A device the portal no longer knows, as an old list may still show it;
 * @modules: its "modules" JSON array. */
static CdDevice *
gone_device_with (const char *modules_json)
{
  g_autofree char *json = g_strdup_printf (
    "{\"items\":[{\"id\":\"no-such-device\",\"name\":\"Alte Wache Tor 9\","
    "\"model\":\"Zebra TC26\",\"platform\":\"android\",\"serial\":\"GONE01\","
    "\"app_version\":\"5.4.2\",\"last_seen_at\":\"2026-01-30T08:00:00Z\","
    "\"license\":null,\"modules\":%s}],\"next_cursor\":null,\"total\":1}",
    modules_json);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GListModel) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;
  guint total;

  root = cd_portal_json_parse (json, strlen (json), &error);
  g_assert_no_error (error);
  page = cd_portal_json_read_device_page (root, &cursor, &total, &error);
  g_assert_no_error (error);

  return g_list_model_get_item (page, 0);
}

static CdDevice *
gone_device (void)
{
  return gone_device_with ("[]");
}

static GListStore *
store_of (GPtrArray *devices)
{
  GListStore *store = g_list_store_new (CD_TYPE_DEVICE);

  for (guint i = 0; i < devices->len; i++)
    g_list_store_append (store, g_ptr_array_index (devices, i));

  return store;
}

/* Tests */

/* Booking: each device says whether it gets the module or why not, the
 * cost change is the module's price times the bookings; one click books. */
static void
test_bulk_book (void)
{
  g_autoptr(GPtrArray) taken = g_ptr_array_new ();
  g_autoptr(GPtrArray) bookable = pick (taken, can_book, "gps", 3);
  g_autoptr(GPtrArray) no_license = pick (taken, without_license, "gps", 1);
  g_autoptr(GPtrArray) already = pick (taken, with_active_module, "gps", 1);
  g_autoptr(GPtrArray) ended = pick (taken, with_ended_license, "gps", 1);
  g_autoptr(GPtrArray) manager = pick (taken, with_license_type_without,
                                       "gps", 1);
  g_autoptr(CdDevice) gone = gone_device ();
  g_autoptr(GListStore) selected = NULL;
  g_autoptr(GArray) before = NULL;
  CdModule *gps = find_module ("gps");
  GtkWidget *parent = gtk_window_new ();
  g_autofree char *shown = NULL;
  g_autofree char *price = NULL;
  g_autofree char *cost = NULL;
  g_autofree char *not_available = NULL;
  GtkWidget *root;

  before = booked_counts (bookable, "gps");
  g_ptr_array_add (taken, gone);
  selected = store_of (taken);

  gtk_window_present (GTK_WINDOW (parent));
  root = open_dialog (parent, client, selected, CD_BULK_ACTION_BOOK);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (root))
                 == GTK_WINDOW (parent));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (root)));

  cd_ui_test_assert_shown (root, german ? "8 Geräte ausgewählt"
                                        : "8 devices selected");
  screenshot (root, "bulk-module");
  choose_module (root, "gps");

  /* The preview. */
  cd_ui_test_assert_shown (root, german ? "Auf 3 Geräten buchen"
                                        : "Book on 3 Devices");
  assert_rows (root, bookable, german ? "Wird gebucht" : "Will be booked");
  assert_rows (root, no_license,
               german ? "Übersprungen: keine Lizenz" : "Skipped: no license");
  assert_rows (root, already, german ? "Übersprungen: bereits gebucht"
                                     : "Skipped: already booked");
  assert_rows (root, ended, german ? "Übersprungen: die Lizenz ist beendet"
                                   : "Skipped: the license has ended");
  not_available = g_strdup_printf (
    german ? "Übersprungen: mit einer %s-Lizenz nicht verfügbar"
           : "Skipped: not available with a %s license", "Manager");
  assert_rows (root, manager, not_available);
  shown = cd_ui_test_collect_text (root);
  assert_row (shown, gone,
              german ? "Übersprungen: Das Gerät ist im Portal nicht mehr "
                       "vorhanden."
                     : "Skipped: The device no longer exists on the portal.");
  g_assert_nonnull (strstr (shown, german ? "5 Geräte werden übersprungen"
                                          : "5 devices are skipped"));
  price = cd_format_price (3 * cd_module_get_price_amount_minor (gps),
                           cd_module_get_price_currency (gps));
  cost = g_strdup_printf (german ? "Die monatlichen Kosten steigen um %s."
                                 : "The monthly cost rises by %s.", price);
  g_assert_nonnull (strstr (shown, cost));
  screenshot (root, "bulk-preview");

  /* One confirmation books them, and the list's own objects show it. */
  cd_ui_test_click (root, german ? "Auf 3 Geräten buchen"
                                 : "Book on 3 Devices");
  cd_ui_test_assert_shown (root, german ? "Auf 3 Geräten gebucht. 5 übersprungen."
                                        : "Booked on 3 devices. 5 skipped.");
  assert_rows (root, bookable, german ? "Gebucht" : "Booked");
  for (guint i = 0; i < bookable->len; i++)
    {
      CdDevice *device = g_ptr_array_index (bookable, i);

      g_assert_true (has_module (device, "gps", CD_BOOKING_STATE_ACTIVE));
      g_assert_cmpuint (booked_since (before, bookable, i, "gps"), ==, 1);
    }
  g_assert_nonnull (cd_ui_test_find_text (root, cost));
  g_assert_null (cd_ui_test_find_button (
    root, german ? "Fehlgeschlagene erneut versuchen" : "Retry Failed"));
  screenshot (root, "bulk-done");

  cd_ui_test_click (root, german ? "Schließen" : "Close");
  g_assert_true (cd_ui_test_wait_until (dialog_is_gone, NULL, 5000));
  gtk_window_destroy (GTK_WINDOW (parent));
}

/* Cancelling: each booking ends on its own license's next possible end,
 * as the contract's rule gives it. */
static void
test_bulk_cancel (void)
{
  g_autoptr(GPtrArray) taken = g_ptr_array_new ();
  g_autoptr(GPtrArray) cancellable = g_ptr_array_new ();
  g_autoptr(GPtrArray) not_booked = pick (taken, without_module, "tickets", 1);
  g_autoptr(GPtrArray) pending = pick (taken, with_cancelled_module,
                                       "tickets", 1);
  g_autoptr(GPtrArray) no_license = pick (taken, without_license, "tickets",
                                          1);
  g_autoptr(GHashTable) dates = g_hash_table_new (NULL, NULL);
  g_autoptr(GListStore) selected = NULL;
  g_autoptr(CdDevice) pending_detail = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *button = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *pending_date = NULL;
  g_autofree char *pending_text = NULL;
  GtkWidget *root;

  /* Bookings to cancel whose end dates differ. */
  for (guint i = 0; i < g_list_model_get_n_items (all_devices)
                    && cancellable->len < 3; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (all_devices, i);
      g_autoptr(CdDevice) detail = NULL;
      gpointer julian;
      GDate end;

      if (g_ptr_array_find (taken, device, NULL)
          || !with_active_module (device, "tickets"))
        continue;
      detail = fetch_detail (device);
      contract_next_possible_end (cd_device_get_license (detail), &end);
      julian = GUINT_TO_POINTER (g_date_get_julian (&end));
      if (g_hash_table_contains (dates, julian))
        continue;
      g_hash_table_add (dates, julian);
      g_ptr_array_add (cancellable, device);
      g_ptr_array_add (taken, device);
    }
  g_assert_cmpuint (cancellable->len, ==, 3);
  selected = store_of (taken);

  root = open_dialog (NULL, client, selected, CD_BULK_ACTION_CANCEL);
  choose_module (root, "tickets");

  button = g_strdup_printf (german ? "Auf %u Geräten kündigen"
                                   : "Cancel on %u Devices", cancellable->len);
  cd_ui_test_assert_shown (root, button);
  /* "Cancel" beside "Cancel on 3 Devices" would read as doing it: the
   * way out says "Close". */
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (cd_ui_test_find_by_type (
                     root, GTK_TYPE_BUTTON))),
                   ==, german ? "_Schließen" : "_Close");
  shown = cd_ui_test_collect_text (root);
  for (guint i = 0; i < cancellable->len; i++)
    {
      CdDevice *device = g_ptr_array_index (cancellable, i);
      g_autoptr(CdDevice) detail = fetch_detail (device);
      g_autofree char *date = NULL;
      g_autofree char *text = NULL;
      GDate end;

      contract_next_possible_end (cd_device_get_license (detail), &end);
      date = cd_format_date (&end);
      text = g_strdup_printf (german ? "Wird gekündigt, endet am %s"
                                     : "Will be cancelled, ends on %s", date);
      assert_row (shown, device, text);
    }
  assert_row (shown, g_ptr_array_index (not_booked, 0),
              german ? "Übersprungen: nicht gebucht" : "Skipped: not booked");
  assert_row (shown, g_ptr_array_index (no_license, 0),
              german ? "Übersprungen: keine Lizenz" : "Skipped: no license");
  pending_detail = fetch_detail (g_ptr_array_index (pending, 0));
  for (guint i = 0; i < g_list_model_get_n_items (
                          cd_device_get_bookings (pending_detail)); i++)
    {
      g_autoptr(CdBooking) booking = g_list_model_get_item (
        cd_device_get_bookings (pending_detail), i);

      if (g_str_equal (cd_booking_get_module_code (booking), "tickets"))
        pending_date = cd_format_date (cd_booking_get_ends_on (booking));
    }
  g_assert_nonnull (pending_date);
  pending_text = g_strdup_printf (german ? "Übersprungen: bereits gekündigt, "
                                          "endet am %s"
                                        : "Skipped: already cancelled, ends "
                                          "on %s", pending_date);
  assert_row (shown, g_ptr_array_index (pending, 0), pending_text);
  g_assert_nonnull (strstr (shown, german ? "bis dahin bleibt das Modul nutzbar"
                                          : "until then the module stays usable"));
  screenshot (root, "bulk-cancel-preview");

  cd_ui_test_click (root, button);
  summary = g_strdup_printf (german ? "Auf %u Geräten gekündigt. 3 übersprungen."
                                    : "Cancelled on %u devices. 3 skipped.",
                             cancellable->len);
  cd_ui_test_assert_shown (root, summary);
  for (guint i = 0; i < cancellable->len; i++)
    g_assert_true (cd_device_has_pending_cancellation (
      g_ptr_array_index (cancellable, i)));
  screenshot (root, "bulk-cancel-done");

  gtk_window_destroy (GTK_WINDOW (root));
  cd_ui_test_iterate (50);
}

/* Lost answers fail some devices; the result lists them, and Retry sends
 * them again with the same keys, so each device has one booking. */
static void
test_bulk_partial_failure (void)
{
  g_autoptr(CdPortalClient) through_proxy =
    cd_ui_test_sign_in (proxy->url, "admin@muster.example");
  g_autoptr(GPtrArray) taken = g_ptr_array_new ();
  g_autoptr(GPtrArray) fine = pick (taken, can_book, "file-manager", 4);
  g_autoptr(GPtrArray) failing = pick (taken, can_book, "file-manager", 2);
  g_autoptr(GListStore) selected = store_of (taken);
  g_autoptr(GArray) before = booked_counts (taken, "file-manager");
  g_autofree char *failed_text = NULL;
  GtkWidget *root;

  for (guint i = 0; i < failing->len; i++)
    g_hash_table_add (proxy->dropped,
                      g_strdup (cd_device_get_id (failing->pdata[i])));

  root = open_dialog (NULL, through_proxy, selected, CD_BULK_ACTION_BOOK);
  choose_module (root, "file-manager");
  cd_ui_test_assert_shown (root, german ? "Auf 6 Geräten buchen"
                                        : "Book on 6 Devices");
  cd_ui_test_click (root, german ? "Auf 6 Geräten buchen"
                                 : "Book on 6 Devices");

  cd_ui_test_assert_shown (root, german ? "Auf 4 Geräten gebucht. 2 fehlgeschlagen."
                                        : "Booked on 4 devices. 2 failed.");
  failed_text = g_strdup_printf (
    german ? "Fehlgeschlagen: %s" : "Failed: %s",
    german ? "Das Portal ist nicht erreichbar. Prüfen Sie Ihre "
             "Netzwerkverbindung und versuchen Sie es erneut."
           : "The portal cannot be reached. Check your network connection "
             "and try again.");
  assert_rows (root, failing, failed_text);
  assert_rows (root, fine, german ? "Gebucht" : "Booked");
  cd_ui_test_assert_shown (root, german ? "erneut gesendet werden"
                                        : "can be sent again");
  screenshot (root, "bulk-partial-failure");

  /* The network is back: Retry replays what the portal already did. */
  g_hash_table_remove_all (proxy->dropped);
  cd_ui_test_click (root, german ? "Fehlgeschlagene erneut versuchen"
                                 : "Retry Failed");
  cd_ui_test_assert_shown (root, german ? "Auf 6 Geräten gebucht."
                                        : "Booked on 6 devices.");
  assert_rows (root, failing, german ? "Gebucht" : "Booked");
  for (guint i = 0; i < taken->len; i++)
    g_assert_cmpuint (booked_since (before, taken, i, "file-manager"), ==, 1);
  g_assert_null (cd_ui_test_find_button (
    root, german ? "Fehlgeschlagene erneut versuchen" : "Retry Failed"));

  gtk_window_destroy (GTK_WINDOW (root));
  cd_ui_test_iterate (50);
}

/* Stop sends no more; what was sent finishes and shows; Continue sends
 * the rest, each once. */
static void
test_bulk_stop (void)
{
  g_autoptr(CdPortalClient) through_proxy =
    cd_ui_test_sign_in (proxy->url, "admin@muster.example");
  g_autoptr(GPtrArray) taken = g_ptr_array_new ();
  g_autoptr(GPtrArray) devices = pick (taken, can_book, "key-management", 8);
  g_autoptr(GListStore) selected = store_of (taken);
  g_autoptr(GArray) before = booked_counts (devices, "key-management");
  guint n_booked = 0;
  GtkWidget *root;

  root = open_dialog (NULL, through_proxy, selected, CD_BULK_ACTION_BOOK);
  choose_module (root, "key-management");
  cd_ui_test_assert_shown (root, german ? "Auf 8 Geräten buchen"
                                        : "Book on 8 Devices");

  proxy->hold = TRUE;
  proxy->n_changes = 0;
  cd_ui_test_click (root, german ? "Auf 8 Geräten buchen"
                                 : "Book on 8 Devices");
  cd_ui_test_assert_shown (root, german ? "Wird gebucht…" : "Booking…");
  cd_ui_test_click (root, german ? "Anhalten" : "Stop");
  cd_ui_test_assert_shown (root, german ? "Wird nach den bereits gesendeten Änderungen "
                                          "angehalten…"
                                        : "Stopping after the changes already sent…");
  proxy_release ();

  cd_ui_test_assert_shown (root, german ? "Auf 4 Geräten gebucht. 4 nicht gesendet."
                                        : "Booked on 4 devices. 4 not sent.");
  g_assert_cmpuint (proxy->n_changes, ==, 4);
  for (guint i = 0; i < devices->len; i++)
    n_booked += booked_since (before, devices, i, "key-management");
  g_assert_cmpuint (n_booked, ==, 4);
  cd_ui_test_assert_shown (root, german ? "Nicht gebucht: vor dem Senden angehalten"
                                        : "Not booked: stopped before it was sent");
  screenshot (root, "bulk-stopped");

  cd_ui_test_click (root, german ? "Weiter" : "Continue");
  cd_ui_test_assert_shown (root, german ? "Auf 8 Geräten gebucht."
                                        : "Booked on 8 devices.");
  g_assert_cmpuint (proxy->n_changes, ==, 8);
  for (guint i = 0; i < devices->len; i++)
    g_assert_cmpuint (booked_since (before, devices, i, "key-management"), ==,
                      1);

  gtk_window_destroy (GTK_WINDOW (root));
  cd_ui_test_iterate (50);
}

typedef struct
{
  GPtrArray  *devices;
  const char *code;
  guint       n_shown;
} ShownWait;

static gboolean
devices_show_module (gpointer user_data)
{
  ShownWait *wait = user_data;
  guint n = 0;

  for (guint i = 0; i < wait->devices->len; i++)
    n += has_module (wait->devices->pdata[i], wait->code,
                     CD_BOOKING_STATE_ACTIVE);

  return n == wait->n_shown;
}

/* Closing mid-run does not crash; what was sent is done, and the list's
 * device objects show it. */
static void
test_bulk_close_mid_run (void)
{
  g_autoptr(CdPortalClient) through_proxy =
    cd_ui_test_sign_in (proxy->url, "admin@muster.example");
  g_autoptr(GPtrArray) taken = g_ptr_array_new ();
  g_autoptr(GPtrArray) devices = pick (taken, can_book, "flexible-forms", 6);
  g_autoptr(GListStore) selected = store_of (taken);
  g_autoptr(GArray) before = booked_counts (devices, "flexible-forms");
  ShownWait wait = { devices, "flexible-forms", 4 };
  guint n_booked = 0;
  GtkWidget *root;

  root = open_dialog (NULL, through_proxy, selected, CD_BULK_ACTION_BOOK);
  choose_module (root, "flexible-forms");
  cd_ui_test_assert_shown (root, german ? "Auf 6 Geräten buchen"
                                        : "Book on 6 Devices");

  proxy->hold = TRUE;
  proxy->n_changes = 0;
  cd_ui_test_click (root, german ? "Auf 6 Geräten buchen"
                                 : "Book on 6 Devices");
  cd_ui_test_assert_shown (root, german ? "Wird gebucht…" : "Booking…");
  gtk_window_close (GTK_WINDOW (root));
  g_assert_true (cd_ui_test_wait_until (dialog_is_gone, NULL, 5000));
  proxy_release ();

  g_assert_true (cd_ui_test_wait_until (devices_show_module, &wait, 30000));
  cd_ui_test_iterate (300);
  g_assert_cmpuint (proxy->n_changes, ==, 4);
  for (guint i = 0; i < devices->len; i++)
    {
      guint count = booked_since (before, devices, i, "flexible-forms");

      g_assert_cmpuint (count, ==,
                        has_module (devices->pdata[i], "flexible-forms",
                                    CD_BOOKING_STATE_ACTIVE) ? 1 : 0);
      n_booked += count;
    }
  g_assert_cmpuint (n_booked, ==, 4);
}

/* A viewer is told why, before choosing anything. */
static void
test_bulk_viewer (void)
{
  g_autoptr(CdPortalClient) viewer =
    cd_ui_test_sign_in (cd_test_portal_get_url (portal),
                        "leser@muster.example");
  g_autoptr(GPtrArray) taken = g_ptr_array_new ();
  g_autoptr(GPtrArray) devices = pick (taken, can_book, "roster", 2);
  g_autoptr(GListStore) selected = store_of (taken);
  GtkWidget *root;

  root = open_dialog (NULL, viewer, selected, CD_BULK_ACTION_BOOK);
  cd_ui_test_assert_shown (root, german ? "Nur Administratoren können Zusatzmodule "
                                          "ändern"
                                        : "Only Administrators Can Change Modules");
  g_assert_null (cd_ui_test_find_button (root, german ? "Weiter"
                                                      : "Continue"));
  g_assert_null (cd_ui_test_find_text (
    root, cd_module_get_name (find_module ("roster"))));
  screenshot (root, "bulk-viewer");

  cd_ui_test_click (root, german ? "Schließen" : "Close");
  g_assert_true (cd_ui_test_wait_until (dialog_is_gone, NULL, 5000));
}

static void
on_device_activated (CdPendingView *view,
                     CdDevice      *device,
                     CdDevice     **activated)
{
  *activated = device;
}

static char *
license_type_name (CdDevice *device)
{
  const char *code = cd_license_get_type_code (cd_device_get_license (device));

  for (guint i = 0; i < g_list_model_get_n_items (license_types); i++)
    {
      g_autoptr(CdLicenseType) type = g_list_model_get_item (license_types, i);

      if (g_str_equal (cd_license_type_get_code (type), code))
        return g_strdup (cd_license_type_get_name (type));
    }

  g_assert_not_reached ();
}

static int
compare_dates (gconstpointer a,
               gconstpointer b)
{
  return g_date_compare (a, b);
}

static guint
count_text (const char *text,
            const char *part)
{
  guint n = 0;

  for (const char *p = text; (p = strstr (p, part)) != NULL; p += strlen (part))
    n++;

  return n;
}

static void
test_pending_view (void)
{
  const char *ends_marker = german ? "endet am " : "ends on ";
  const char *deadline_marker = german ? "-Lizenz – bis "
                                       : " license – cancel by ";
  g_autoptr(GArray) expected_ends = g_array_new (FALSE, FALSE, sizeof (GDate));
  g_autofree char *shown = NULL;
  g_autofree char *license_text = NULL;
  g_autofree char *type_name = NULL;
  g_autofree char *end_date = NULL;
  CdPendingView *view;
  CdDevice *activated = NULL;
  CdDevice *pending = NULL;
  CdDevice *license_cancelled = NULL;
  const char *p;
  GtkWidget *row;
  GDate today;
  GDate horizon;
  guint n_expected = 0;

  /* What ends, by date: every cancelled booking (dates from the
   * details) and every cancelled license. */
  for (guint i = 0; i < g_list_model_get_n_items (all_devices); i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (all_devices, i);
      CdLicense *license = cd_device_get_license (device);

      if (license_is (device, CD_LICENSE_STATE_CANCELLED))
        {
          g_array_append_val (expected_ends, *cd_license_get_ends_on (license));
          if (license_cancelled == NULL)
            license_cancelled = device;
        }
      if (cd_device_has_pending_cancellation (device))
        {
          g_autoptr(CdDevice) detail = fetch_detail (device);
          GListModel *bookings = cd_device_get_bookings (detail);

          if (pending == NULL)
            pending = device;
          for (guint b = 0; b < g_list_model_get_n_items (bookings); b++)
            {
              g_autoptr(CdBooking) booking = g_list_model_get_item (bookings,
                                                                    b);

              if (cd_booking_get_state (booking)
                  == CD_BOOKING_STATE_CANCELLATION_PENDING)
                g_array_append_val (expected_ends,
                                    *cd_booking_get_ends_on (booking));
            }
        }
    }
  g_assert_nonnull (pending);
  g_assert_nonnull (license_cancelled);
  g_array_sort (expected_ends, compare_dates);

  view = cd_pending_view_present (NULL, client, all_devices);
  g_date_clear (&today, 1);
  g_date_set_parse (&today, TODAY);
  cd_pending_view_set_today (view, &today);
  g_signal_connect (view, "device-activated", G_CALLBACK (on_device_activated),
                    &activated);

  /* A cancelled license is listed with its own end date. */
  type_name = license_type_name (license_cancelled);
  end_date = cd_format_date (cd_license_get_ends_on (
    cd_device_get_license (license_cancelled)));
  license_text = g_strdup_printf (german ? "%s-Lizenz – endet am %s"
                                         : "%s license – ends on %s",
                                  type_name, end_date);
  cd_ui_test_assert_shown (GTK_WIDGET (view), license_text);
  cd_ui_test_assert_shown (GTK_WIDGET (view), deadline_marker);
  shown = cd_ui_test_collect_text (GTK_WIDGET (view));
  g_assert_null (strstr (shown, german ? "geprüft" : "Checking"));
  screenshot (GTK_WIDGET (view), "pending-view");

  /* Every ending, in the order of its date (the list box has every row,
   * in view or not). */
  g_assert_cmpuint (count_text (shown, ends_marker), ==, expected_ends->len);
  p = shown;
  for (guint i = 0; i < expected_ends->len; i++)
    {
      g_autofree char *date = cd_format_date (&g_array_index (expected_ends,
                                                              GDate, i));
      g_autofree char *text = g_strconcat (ends_marker, date, NULL);

      p = strstr (p, text);
      if (p == NULL)
        g_error ("Ending %u (%s) is not in date order; the view shows:\n%s",
                 i, date, shown);
      p += strlen (text);
    }

  /* One deadline row per active license whose notice deadline, as the
   * portal's detail states it, falls within the next 30 days and which
   * the portal still honours (its next possible end is this term's
   * end). */
  horizon = today;
  g_date_add_days (&horizon, 30);
  for (guint i = 0; i < g_list_model_get_n_items (all_devices); i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (all_devices, i);
      g_autoptr(CdDevice) detail = NULL;
      CdLicense *license;
      const GDate *deadline;

      if (!license_is (device, CD_LICENSE_STATE_ACTIVE))
        continue;
      detail = fetch_detail (device);
      license = cd_device_get_license (detail);
      deadline = cd_license_get_notice_deadline (license);
      if (deadline != NULL && g_date_compare (deadline, &today) >= 0
          && g_date_compare (deadline, &horizon) <= 0
          && g_date_compare (cd_license_get_next_possible_end (license),
                             cd_license_get_current_term_end (license)) == 0)
        n_expected++;
    }
  g_assert_cmpuint (n_expected, >, 0);
  g_assert_cmpuint (count_text (shown, deadline_marker), ==, n_expected);
  {
    GtkWidget *scrolled = cd_ui_test_find_by_type (GTK_WIDGET (view),
                                                   GTK_TYPE_SCROLLED_WINDOW);
    GtkAdjustment *adjustment =
      gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
    screenshot (GTK_WIDGET (view), "pending-view-deadlines");
  }

  row = cd_ui_test_find_text (GTK_WIDGET (view), cd_device_get_name (pending));
  while (row != NULL && !ADW_IS_ACTION_ROW (row))
    row = gtk_widget_get_parent (row);
  g_assert_nonnull (row);
  g_signal_emit_by_name (row, "activate");
  /* Demo names repeat ("Empfang Mitte"), so the row found may be
   * another device of the same name. */
  g_assert_nonnull (activated);
  g_assert_cmpstr (cd_device_get_name (activated), ==,
                   cd_device_get_name (pending));

  gtk_window_destroy (GTK_WINDOW (view));
  cd_ui_test_iterate (50);
}

/* A device whose end dates cannot be loaded is said, and the others are
 * still listed. */
static void
test_pending_view_unchecked (void)
{
  g_autoptr(GListStore) devices = g_list_store_new (CD_TYPE_DEVICE);
  g_autoptr(CdDevice) gone = gone_device_with (
    "[{\"code\":\"roster\",\"state\":\"cancellation_pending\"}]");
  CdDevice *pending = NULL;
  CdPendingView *view;

  for (guint i = 0; i < g_list_model_get_n_items (all_devices)
                    && pending == NULL; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (all_devices, i);

      if (cd_device_has_pending_cancellation (device)
          && !license_is (device, CD_LICENSE_STATE_CANCELLED))
        pending = device;
    }
  g_assert_nonnull (pending);
  g_list_store_append (devices, gone);
  g_list_store_append (devices, pending);

  view = cd_pending_view_present (NULL, client, G_LIST_MODEL (devices));
  cd_ui_test_assert_shown (GTK_WIDGET (view),
                           german ? "1 Gerät konnte nicht geprüft werden: Das Gerät "
                                    "ist im Portal nicht mehr vorhanden."
                                  : "1 device could not be checked: The device no "
                                    "longer exists on the portal.");
  cd_ui_test_assert_shown (GTK_WIDGET (view), cd_device_get_name (pending));
  g_assert_null (cd_ui_test_find_text (GTK_WIDGET (view),
                                       cd_device_get_name (gone)));

  gtk_window_destroy (GTK_WINDOW (view));
  cd_ui_test_iterate (50);
}

int
main (int   argc,
      char *argv[])
{
  const char *language = g_getenv ("LANGUAGE");
  g_autoptr(GError) error = NULL;
  CallWait wait = { 0 };
  int status;

  german = language != NULL && g_str_has_prefix (language, "de");
  cd_ui_test_init (&argc, &argv);

  portal = cd_test_portal_start (TODAY, 0, NULL, &error);
  g_assert_no_error (error);
  client = cd_ui_test_sign_in (cd_test_portal_get_url (portal),
                               "admin@muster.example");
  proxy_start ();

  cd_portal_client_list_devices_async (client, NULL, NULL, NULL, 1000, NULL,
                                       on_listed, &wait);
  g_assert_true (cd_ui_test_wait_until (call_finished, &wait, 20000));
  g_assert_no_error (wait.error);
  all_devices = wait.result;

  wait = (CallWait) { 0 };
  cd_portal_client_list_modules_async (client, NULL, on_modules_listed, &wait);
  g_assert_true (cd_ui_test_wait_until (call_finished, &wait, 20000));
  g_assert_no_error (wait.error);
  modules = wait.result;

  wait = (CallWait) { 0 };
  cd_portal_client_list_license_types_async (client, NULL,
                                             on_license_types_listed, &wait);
  g_assert_true (cd_ui_test_wait_until (call_finished, &wait, 20000));
  g_assert_no_error (wait.error);
  license_types = wait.result;

  g_test_add_func ("/bulk-dialog/book", test_bulk_book);
  g_test_add_func ("/bulk-dialog/cancel", test_bulk_cancel);
  g_test_add_func ("/bulk-dialog/partial-failure", test_bulk_partial_failure);
  g_test_add_func ("/bulk-dialog/stop", test_bulk_stop);
  g_test_add_func ("/bulk-dialog/close-mid-run", test_bulk_close_mid_run);
  g_test_add_func ("/bulk-dialog/viewer", test_bulk_viewer);
  g_test_add_func ("/bulk-dialog/pending-view", test_pending_view);
  g_test_add_func ("/bulk-dialog/pending-view-unchecked",
                   test_pending_view_unchecked);

  status = g_test_run ();

  g_clear_object (&modules);
  g_clear_object (&license_types);
  g_clear_object (&all_devices);
  g_clear_object (&client);
  proxy_stop ();
  g_clear_pointer (&portal, cd_test_portal_free);

  return status;
}
