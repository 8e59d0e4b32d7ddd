/* test-bulk.c: a bulk booking through a faulty network books every device
 * exactly once, and the cancel preview shows each device's own end date.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libsoup/soup.h>
#include <stdio.h>

#include "cd-bulk-job.h"
#include "cd-client-test-util.h"
#include "cd-portal-json.h"

/* What the job promises: at most four requests in flight. */
#define MAX_IN_FLIGHT 4

/* Fault injection */

typedef enum
{
  FAULT_NONE,
  FAULT_DROP_ONCE,     /* first attempt: forward, then drop the connection */
  FAULT_503_ONCE,      /* first attempt: 503 without forwarding */
  FAULT_DROP_UNTIL_HEALED,  /* forward, then drop, until "healed" */
} Fault;

typedef struct
{
  SoupServer  *server;       /* (owned) */
  SoupSession *session;      /* (owned): to the portal */
  char        *upstream;     /* (owned) "http://127.0.0.1:PORT" */
  char        *url;          /* (owned) the proxy's own base URL */
  GHashTable  *faults;       /* (owned) device id → Fault */
  GHashTable  *attempts;     /* (owned) "METHOD path" → count */
  gboolean     healed;
  guint        n_dropped;
  guint        n_503;
  guint        n_forwarded_changes;

  /* Requests the proxy has received and not answered yet: the client's
   * requests in flight. */
  guint        in_flight;
  guint        max_in_flight;

  /* While set, change requests wait in "held" instead of going on. */
  gboolean     hold_changes;
  GQueue       held;         /* of Forward */
} Proxy;

typedef struct
{
  Proxy             *proxy;
  SoupServerMessage *message;   /* (owned) */
  SoupMessage       *upstream;  /* (owned) */
  gboolean           drop;
} Forward;

static void
copy_header (const char *name,
             const char *value,
             gpointer    user_data)
{
  SoupMessageHeaders *headers = user_data;

  if (g_ascii_strcasecmp (name, "Host") == 0
      || g_ascii_strcasecmp (name, "Connection") == 0
      || g_ascii_strcasecmp (name, "Content-Length") == 0
      || g_ascii_strcasecmp (name, "Transfer-Encoding") == 0)
    return;
  soup_message_headers_append (headers, name, value);
}

static void
on_upstream_ready (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Forward *forward = user_data;
  SoupMessage *upstream = soup_session_get_async_result_message (
    SOUP_SESSION (source), result);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                            &error);
  g_assert_no_error (error);
  forward->proxy->in_flight--;

  if (forward->drop)
    {
      /* The portal has made the change; the client never hears of it. */
      g_autoptr(GIOStream) stream =
        soup_server_message_steal_connection (forward->message);

      forward->proxy->n_dropped++;
      g_io_stream_close (stream, NULL, NULL);
    }
  else
    {
      SoupMessageHeaders *headers =
        soup_server_message_get_response_headers (forward->message);
      gsize length;
      const char *data = g_bytes_get_data (body, &length);

      soup_message_headers_foreach (soup_message_get_response_headers (upstream),
                                    copy_header, headers);
      soup_server_message_set_status (forward->message,
                                      soup_message_get_status (upstream),
                                      NULL);
      soup_server_message_set_response (
        forward->message,
        soup_message_headers_get_content_type (
          soup_message_get_response_headers (upstream), NULL),
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

/* Lets the held change requests go on, and the next ones too. */
static void
proxy_release (Proxy *proxy)
{
  Forward *forward;

  proxy->hold_changes = FALSE;
  while ((forward = g_queue_pop_head (&proxy->held)) != NULL)
    forward_start (forward);
}

/* The device id in ".../devices/{id}/bookings..." or NULL. */
static char *
change_device_id (const char *method,
                  const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  guint n = g_strv_length (parts);

  if (!g_str_equal (method, "POST"))
    return NULL;
  for (guint i = 0; i + 2 < n; i++)
    if (g_str_equal (parts[i], "devices") && g_str_equal (parts[i + 2], "bookings"))
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
  Proxy *proxy = user_data;
  const char *method = soup_server_message_get_method (message);
  GUri *uri = soup_server_message_get_uri (message);
  g_autofree char *device_id = change_device_id (method, path);
  g_autofree char *attempt_key = g_strconcat (method, " ", path, NULL);
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) upstream = NULL;
  g_autoptr(GBytes) request_body = NULL;
  SoupMessageBody *body;
  Fault fault = FAULT_NONE;
  guint attempt;
  Forward *forward;

  attempt = GPOINTER_TO_UINT (g_hash_table_lookup (proxy->attempts,
                                                   attempt_key)) + 1;
  g_hash_table_insert (proxy->attempts, g_steal_pointer (&attempt_key),
                       GUINT_TO_POINTER (attempt));
  if (device_id != NULL)
    fault = GPOINTER_TO_UINT (g_hash_table_lookup (proxy->faults, device_id));

  if (fault == FAULT_503_ONCE && attempt == 1)
    {
      proxy->n_503++;
      soup_server_message_set_status (message, 503, NULL);
      return;
    }

  proxy->in_flight++;
  proxy->max_in_flight = MAX (proxy->max_in_flight, proxy->in_flight);

  url = g_strconcat (proxy->upstream, path,
                     g_uri_get_query (uri) != NULL ? "?" : "",
                     g_uri_get_query (uri) != NULL ? g_uri_get_query (uri) : "",
                     NULL);
  upstream = soup_message_new (method, url);
  soup_message_headers_foreach (soup_server_message_get_request_headers (message),
                                copy_header,
                                soup_message_get_request_headers (upstream));
  body = soup_server_message_get_request_body (message);
  request_body = soup_message_body_flatten (body);
  if (g_bytes_get_size (request_body) > 0)
    soup_message_set_request_body_from_bytes (
      upstream,
      soup_message_headers_get_content_type (
        soup_server_message_get_request_headers (message), NULL),
      request_body);

  if (device_id != NULL)
    proxy->n_forwarded_changes++;

  forward = g_new0 (Forward, 1);
  forward->proxy = proxy;
  forward->message = g_object_ref (message);
  forward->upstream = g_steal_pointer (&upstream);
  forward->drop = (fault == FAULT_DROP_ONCE && attempt == 1)
                  || (fault == FAULT_DROP_UNTIL_HEALED && !proxy->healed);

  soup_server_message_pause (message);
  if (device_id != NULL && proxy->hold_changes)
    g_queue_push_tail (&proxy->held, forward);
  else
    forward_start (forward);
}

static Proxy *
proxy_new (const char *upstream)
{
  Proxy *proxy = g_new0 (Proxy, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  proxy->server = soup_server_new (NULL, NULL);
  proxy->session = soup_session_new ();
  proxy->upstream = g_strdup (upstream);
  proxy->faults = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  proxy->attempts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           NULL);
  soup_server_add_handler (proxy->server, NULL, on_proxy_request, proxy, NULL);
  g_assert_true (soup_server_listen_local (proxy->server, 0,
                                           SOUP_SERVER_LISTEN_IPV4_ONLY,
                                           &error));
  g_assert_no_error (error);

  uris = soup_server_get_uris (proxy->server);
  proxy->url = g_strdup_printf ("http://127.0.0.1:%d",
                                g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return proxy;
}

static void
proxy_free (Proxy *proxy)
{
  g_assert_true (g_queue_is_empty (&proxy->held));
  soup_server_disconnect (proxy->server);
  g_clear_object (&proxy->server);
  g_clear_object (&proxy->session);
  g_clear_pointer (&proxy->faults, g_hash_table_unref);
  g_clear_pointer (&proxy->attempts, g_hash_table_unref);
  g_free (proxy->upstream);
  g_free (proxy->url);
  g_free (proxy);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Proxy, proxy_free)

/* Helpers */

static CdModule *
find_module (GListModel *modules,
             const char *code)
{
  for (guint i = 0; i < g_list_model_get_n_items (modules); i++)
    {
      g_autoptr(CdModule) module = g_list_model_get_item (modules, i);

      if (g_str_equal (cd_module_get_code (module), code))
        return g_steal_pointer (&module);
    }

  g_assert_not_reached ();
}

static guint
count_booked_events (CdPortalClient *client,
                     const char     *device_id,
                     const char     *module_code)
{
  g_autoptr(GListModel) events = NULL;
  g_autoptr(GError) error = NULL;
  guint count = 0;

  events = sync_list_events (client, device_id, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (events); i++)
    {
      g_autoptr(CdEvent) event = g_list_model_get_item (events, i);

      if (cd_event_get_action (event) == CD_EVENT_ACTION_MODULE_BOOKED
          && g_strcmp0 (cd_event_get_module_code (event), module_code) == 0)
        count++;
    }

  return count;
}

static guint
count_current_bookings (CdDevice   *detail,
                        const char *module_code)
{
  GListModel *bookings = cd_device_get_bookings (detail);
  guint count = 0;

  for (guint i = 0; i < g_list_model_get_n_items (bookings); i++)
    {
      g_autoptr(CdBooking) booking = g_list_model_get_item (bookings, i);

      if (g_str_equal (cd_booking_get_module_code (booking), module_code)
          && cd_booking_get_state (booking) != CD_BOOKING_STATE_ENDED)
        count++;
    }

  return count;
}

static gboolean
job_plan (CdBulkJob *job)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  cd_bulk_job_plan_async (job, NULL, on_test_async_done, &result);
  wait_for (&result);
  ok = cd_bulk_job_plan_finish (job, result, &error);
  g_assert_no_error (error);

  return ok;
}

static gboolean
job_run (CdBulkJob *job,
         gboolean   retry)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (retry)
    cd_bulk_job_retry_failed_async (job, NULL, on_test_async_done, &result);
  else
    cd_bulk_job_run_async (job, NULL, on_test_async_done, &result);
  wait_for (&result);
  ok = retry ? cd_bulk_job_retry_failed_finish (job, result, &error)
             : cd_bulk_job_run_finish (job, result, &error);
  g_assert_no_error (error);

  return ok;
}

static CdBulkItem *
item_for (CdBulkJob *job,
          CdDevice  *device)
{
  GListModel *items = cd_bulk_job_get_items (job);

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CdBulkItem) item = g_list_model_get_item (items, i);

      if (cd_bulk_item_get_device (item) == device)
        return item;
    }

  g_assert_not_reached ();
}

typedef struct
{
  guint last_done;
  guint n_notifies;
} Progress;

static void
on_done_notify (CdBulkJob  *job,
                GParamSpec *pspec,
                Progress   *progress)
{
  g_assert_cmpuint (cd_bulk_job_get_done (job), >=, progress->last_done);
  g_assert_cmpuint (cd_bulk_job_get_done (job), <=, cd_bulk_job_get_total (job));
  progress->last_done = cd_bulk_job_get_done (job);
  progress->n_notifies++;
}

/* Booking through faults */

static void
test_bulk_book_exactly_once (void)
{
  g_autoptr(CdTestPortal) portal = start_portal (0, NULL);
  g_autoptr(CdPortalClient) direct = NULL;
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(GListModel) all = NULL;
  g_autoptr(GListModel) modules = NULL;
  g_autoptr(CdModule) roster = NULL;
  g_autoptr(GListStore) selected = g_list_store_new (CD_TYPE_DEVICE);
  g_autoptr(GHashTable) expected_skip = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) events_before = g_hash_table_new (NULL, NULL);
  g_autoptr(CdBulkJob) job = NULL;
  g_autoptr(GError) error = NULL;
  Progress progress = { 0 };
  guint n_bookable = 0;
  guint n_hard = 0;
  gboolean have_no_license = FALSE;
  gboolean have_booked = FALSE;
  gboolean have_ended = FALSE;
  guint n;

  direct = signed_in_client (cd_test_portal_get_url (portal),
                             "admin@muster.example");
  proxy = proxy_new (cd_test_portal_get_url (portal));
  client = signed_in_client (proxy->url, "admin@muster.example");

  all = sync_list_devices (direct, NULL, NULL, NULL, 1000, NULL, NULL, &error);
  g_assert_no_error (error);
  modules = sync_list_modules (direct, &error);
  g_assert_no_error (error);
  roster = find_module (modules, "roster");

  /* 50 devices that can get the roster, and a few that cannot, each for
   * its own reason. */
  for (guint i = 0; i < g_list_model_get_n_items (all); i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (all, i);
      CdLicense *license = cd_device_get_license (device);
      CdBookingState state;
      gboolean booked = cd_device_lookup_module_state (device, "roster", &state);

      if (license == NULL && !have_no_license)
        {
          have_no_license = TRUE;
          g_hash_table_insert (expected_skip, device,
                               GUINT_TO_POINTER (CD_BULK_SKIP_NO_LICENSE));
        }
      else if (license != NULL && booked && state == CD_BOOKING_STATE_ACTIVE
               && cd_license_get_state (license) == CD_LICENSE_STATE_ACTIVE
               && !have_booked)
        {
          have_booked = TRUE;
          g_hash_table_insert (expected_skip, device,
                               GUINT_TO_POINTER (CD_BULK_SKIP_ALREADY_BOOKED));
        }
      else if (license != NULL
               && cd_license_get_state (license) == CD_LICENSE_STATE_ENDED
               && !have_ended)
        {
          have_ended = TRUE;
          g_hash_table_insert (expected_skip, device,
                               GUINT_TO_POINTER (CD_BULK_SKIP_LICENSE_ENDED));
        }
      else if (license != NULL && !booked && n_bookable < 50
               && cd_license_get_state (license) == CD_LICENSE_STATE_ACTIVE)
        {
          Fault fault = FAULT_NONE;

          switch (n_bookable % 6)
            {
            case 0:
              fault = FAULT_DROP_ONCE;
              break;
            case 1:
              fault = FAULT_503_ONCE;
              break;
            case 2:
              if (n_bookable % 12 == 2)
                {
                  fault = FAULT_DROP_UNTIL_HEALED;
                  n_hard++;
                }
              break;
            default:
              break;
            }
          g_hash_table_insert (proxy->faults, g_strdup (cd_device_get_id (device)),
                               GUINT_TO_POINTER (fault));
          n_bookable++;
        }
      else
        continue;

      g_list_store_append (selected, device);
      g_hash_table_insert (events_before, device,
                           GUINT_TO_POINTER (count_booked_events (
                             direct, cd_device_get_id (device), "roster")));
    }
  g_assert_cmpuint (n_bookable, ==, 50);
  g_assert_true (have_no_license && have_booked && have_ended);
  n = g_list_model_get_n_items (G_LIST_MODEL (selected));
  g_assert_cmpuint (n, ==, 53);

  job = cd_bulk_job_new (client, CD_BULK_ACTION_BOOK, roster,
                         G_LIST_MODEL (selected));
  g_assert_true (job_plan (job));
  g_assert_cmpuint (cd_bulk_job_get_n_checked (job), ==, n);
  g_assert_cmpuint (cd_bulk_job_get_total (job), ==, 50);
  g_assert_cmpuint (cd_bulk_job_get_n_skipped (job), ==, 3);
  g_assert_cmpint (cd_bulk_job_get_monthly_change (job), ==,
                   50 * cd_module_get_price_amount_minor (roster));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (G_LIST_MODEL (selected), i);
      CdBulkItem *item = item_for (job, device);
      gpointer reason;

      if (g_hash_table_lookup_extended (expected_skip, device, NULL, &reason))
        {
          g_assert_cmpint (cd_bulk_item_get_outcome (item), ==, CD_BULK_OUTCOME_SKIP);
          g_assert_cmpint (cd_bulk_item_get_skip_reason (item), ==,
                           GPOINTER_TO_UINT (reason));
        }
      else
        g_assert_cmpint (cd_bulk_item_get_outcome (item), ==, CD_BULK_OUTCOME_BOOK);
    }

  /* First run: the devices whose connection always drops fail after the
   * client's own retries; everything else gets through. */
  g_signal_connect (job, "notify::done", G_CALLBACK (on_done_notify), &progress);
  g_assert_true (job_run (job, FALSE));
  g_assert_cmpuint (n_hard, >, 0);
  g_assert_cmpuint (cd_bulk_job_get_n_failed (job), ==, n_hard);
  g_assert_cmpuint (cd_bulk_job_get_n_changed (job), ==, 50 - n_hard);
  g_assert_cmpuint (cd_bulk_job_get_done (job), ==, 50);
  g_assert_cmpuint (progress.last_done, ==, 50);
  g_assert_cmpuint (proxy->n_503, >, 0);
  g_assert_cmpuint (proxy->n_dropped, >, 4 * n_hard);
  /* A few at a time, the client's own retries and the refresh after
   * each change included, never all 53 at once. */
  g_assert_cmpuint (proxy->max_in_flight, <=, MAX_IN_FLIGHT);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (G_LIST_MODEL (selected), i);
      CdBulkItem *item = item_for (job, device);
      Fault fault = GPOINTER_TO_UINT (g_hash_table_lookup (proxy->faults,
                                                           cd_device_get_id (device)));

      if (cd_bulk_item_get_outcome (item) != CD_BULK_OUTCOME_BOOK)
        continue;
      if (fault == FAULT_DROP_UNTIL_HEALED)
        {
          g_assert_cmpint (cd_bulk_item_get_status (item), ==, CD_BULK_STATUS_FAILED);
          g_assert_error (cd_bulk_item_get_error (item), CD_PORTAL_ERROR,
                          CD_PORTAL_ERROR_NETWORK);
        }
      else
        g_assert_cmpint (cd_bulk_item_get_status (item), ==, CD_BULK_STATUS_DONE);
    }

  /* Retry with the same keys once the network is back: the portal
   * replays the bookings it already made. */
  proxy->healed = TRUE;
  progress.last_done = 0;
  g_assert_true (job_run (job, TRUE));
  g_assert_cmpuint (progress.last_done, ==, 50);
  g_assert_cmpuint (cd_bulk_job_get_n_failed (job), ==, 0);
  g_assert_cmpuint (cd_bulk_job_get_n_changed (job), ==, 50);
  g_assert_cmpuint (proxy->max_in_flight, <=, MAX_IN_FLIGHT);

  /* Exactly one booking per device, checked on the portal itself; the
   * list's own device objects show the module now. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (G_LIST_MODEL (selected), i);
      const char *id = cd_device_get_id (device);
      g_autoptr(CdDevice) detail = sync_get_device (direct, id, &error);
      guint before = GPOINTER_TO_UINT (g_hash_table_lookup (events_before, device));
      guint after = count_booked_events (direct, id, "roster");
      CdBookingState state;

      g_assert_no_error (error);
      if (g_hash_table_contains (expected_skip, device))
        {
          g_assert_cmpuint (after, ==, before);
          continue;
        }
      g_assert_cmpuint (after, ==, before + 1);
      g_assert_cmpuint (count_current_bookings (detail, "roster"), ==, 1);
      g_assert_true (cd_device_lookup_module_state (device, "roster", &state));
      g_assert_cmpint (state, ==, CD_BOOKING_STATE_ACTIVE);
    }
}

/* Waiting without a fixed delay */

typedef gboolean (*Condition) (gpointer user_data);

static gboolean
on_wait_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;

  return G_SOURCE_REMOVE;
}

/* Runs the main loop until @condition holds; fails the test after 30 s,
 * which only a hang reaches. */
static void
wait_until (Condition condition,
            gpointer  user_data)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (30, on_wait_timeout, &timed_out);

  while (!condition (user_data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (id);
}

/* Runs the main loop for @ms: to see that nothing more happens. */
static void
run_loop_for (guint ms)
{
  gboolean over = FALSE;

  g_timeout_add (ms, on_wait_timeout, &over);
  while (!over)
    g_main_context_iteration (NULL, TRUE);
}

/* The job's own count of changes under way: items sent and not yet
 * answered (their refresh included). The client's HTTP session may queue
 * some of them before they reach the network. */
typedef struct
{
  CdBulkJob *job;
  Proxy     *proxy;
  guint      running;
  guint      max_running;
  guint      ever_running;
} Watch;

static void
on_item_status (CdBulkItem *item,
                GParamSpec *pspec,
                Watch      *watch)
{
  GListModel *items = cd_bulk_job_get_items (watch->job);

  watch->running = 0;
  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CdBulkItem) other = g_list_model_get_item (items, i);

      if (cd_bulk_item_get_status (other) == CD_BULK_STATUS_RUNNING)
        watch->running++;
    }
  watch->max_running = MAX (watch->max_running, watch->running);
  if (cd_bulk_item_get_status (item) == CD_BULK_STATUS_RUNNING)
    watch->ever_running++;
}

static void
watch_items (Watch *watch)
{
  GListModel *items = cd_bulk_job_get_items (watch->job);

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CdBulkItem) item = g_list_model_get_item (items, i);

      g_signal_connect (item, "notify::status", G_CALLBACK (on_item_status),
                        watch);
    }
}

typedef struct
{
  CdPortalClient *client;
  guint           sent_before;
  guint           max_outstanding;
  guint           n_notified;
} PlanWatch;

/* Each answer: requests sent minus answers had, before this one, is what
 * was outstanding. */
static void
on_n_checked (CdBulkJob  *job,
              GParamSpec *pspec,
              PlanWatch  *plan)
{
  guint sent = cd_portal_client_get_n_sent_for_testing (plan->client)
               - plan->sent_before;
  guint outstanding = sent - (cd_bulk_job_get_n_checked (job) - 1);

  g_assert_cmpuint (outstanding, <=, MAX_IN_FLIGHT);
  plan->max_outstanding = MAX (plan->max_outstanding, outstanding);
  plan->n_notified++;
}

/* Four changes under way, and at least one of them held at the proxy. */
static gboolean
four_running (gpointer user_data)
{
  Watch *watch = user_data;

  return watch->running == MAX_IN_FLIGHT
         && !g_queue_is_empty (&watch->proxy->held);
}

static gboolean
result_ready (gpointer user_data)
{
  GAsyncResult **result = user_data;

  return *result != NULL;
}

/* @n devices of @all with an active license that the module can be
 * booked on and that do not have it. */
static GListStore *
bookable_devices (GListModel *all,
                  CdModule   *module,
                  guint       n)
{
  GListStore *selected = g_list_store_new (CD_TYPE_DEVICE);

  for (guint i = 0; i < g_list_model_get_n_items (all)
                    && g_list_model_get_n_items (G_LIST_MODEL (selected)) < n;
       i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (all, i);
      CdLicense *license = cd_device_get_license (device);
      CdBookingState state;

      if (license != NULL
          && cd_license_get_state (license) == CD_LICENSE_STATE_ACTIVE
          && cd_module_is_available_for (module,
                                         cd_license_get_type_code (license))
          && !cd_device_lookup_module_state (device,
                                             cd_module_get_code (module),
                                             &state))
        g_list_store_append (selected, device);
    }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (selected)), ==, n);

  return selected;
}

typedef struct
{
  CdTestPortal   *portal;   /* (owned) */
  CdPortalClient *direct;   /* (owned): straight to the portal */
  Proxy          *proxy;    /* (owned) */
  CdPortalClient *client;   /* (owned): through the proxy */
  GListModel     *all;      /* (owned) */
  CdModule       *roster;   /* (owned) */
} Fleet;

static Fleet *
fleet_new (void)
{
  Fleet *fleet = g_new0 (Fleet, 1);
  g_autoptr(GListModel) modules = NULL;
  g_autoptr(GError) error = NULL;

  fleet->portal = start_portal (0, NULL);
  fleet->direct = signed_in_client (cd_test_portal_get_url (fleet->portal),
                                    "admin@muster.example");
  fleet->proxy = proxy_new (cd_test_portal_get_url (fleet->portal));
  fleet->client = signed_in_client (fleet->proxy->url,
                                    "admin@muster.example");
  fleet->all = sync_list_devices (fleet->direct, NULL, NULL, NULL, 1000, NULL,
                                  NULL, &error);
  g_assert_no_error (error);
  modules = sync_list_modules (fleet->direct, &error);
  g_assert_no_error (error);
  fleet->roster = find_module (modules, "roster");

  return fleet;
}

static void
fleet_free (Fleet *fleet)
{
  g_clear_object (&fleet->roster);
  g_clear_object (&fleet->all);
  g_clear_object (&fleet->client);
  g_clear_pointer (&fleet->proxy, proxy_free);
  g_clear_object (&fleet->direct);
  g_clear_pointer (&fleet->portal, cd_test_portal_free);
  g_free (fleet);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fleet, fleet_free)

/* How often the portal's history says @module was booked on each device. */
static GArray *
booked_counts (Fleet      *fleet,
               GListModel *devices)
{
  GArray *counts = g_array_new (FALSE, TRUE, sizeof (guint));

  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (devices, i);
      guint count = count_booked_events (fleet->direct,
                                         cd_device_get_id (device), "roster");

      g_array_append_val (counts, count);
    }

  return counts;
}

/* Requests go four at a time: with the portal holding every change, the
 * fifth is not sent before one of the first four is answered. */
static void
test_bulk_four_at_a_time (void)
{
  g_autoptr(Fleet) fleet = fleet_new ();
  g_autoptr(GListStore) selected = bookable_devices (fleet->all,
                                                     fleet->roster, 12);
  g_autoptr(GArray) before = booked_counts (fleet, G_LIST_MODEL (selected));
  g_autoptr(GArray) after = NULL;
  g_autoptr(CdBulkJob) job = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Watch watch = { 0 };
  PlanWatch plan = { 0 };

  /* The details for the preview: four asked for at once, and never more
   * asked than answered plus four. */
  job = cd_bulk_job_new (fleet->client, CD_BULK_ACTION_BOOK, fleet->roster,
                         G_LIST_MODEL (selected));
  plan.client = fleet->client;
  plan.sent_before = cd_portal_client_get_n_sent_for_testing (fleet->client);
  g_signal_connect (job, "notify::n-checked", G_CALLBACK (on_n_checked),
                    &plan);
  cd_bulk_job_plan_async (job, NULL, on_test_async_done, &result);
  g_assert_cmpuint (cd_portal_client_get_n_sent_for_testing (fleet->client)
                    - plan.sent_before, ==, MAX_IN_FLIGHT);
  wait_until (result_ready, &result);
  g_assert_true (cd_bulk_job_plan_finish (job, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (plan.max_outstanding, ==, MAX_IN_FLIGHT);
  g_assert_cmpuint (plan.n_notified, ==, 12);
  g_assert_cmpuint (fleet->proxy->max_in_flight, <=, MAX_IN_FLIGHT);
  g_assert_cmpuint (cd_bulk_job_get_total (job), ==, 12);

  watch.job = job;
  watch.proxy = fleet->proxy;
  watch_items (&watch);
  fleet->proxy->hold_changes = TRUE;
  fleet->proxy->max_in_flight = 0;
  cd_bulk_job_run_async (job, NULL, on_test_async_done, &result);
  wait_until (four_running, &watch);
  run_loop_for (300);
  g_assert_cmpuint (watch.running, ==, MAX_IN_FLIGHT);
  g_assert_cmpuint (watch.ever_running, ==, MAX_IN_FLIGHT);
  /* All four reached the portal's side at once: the client's connections
   * do not hold them back. */
  g_assert_cmpuint (g_queue_get_length (&fleet->proxy->held), ==,
                    MAX_IN_FLIGHT);
  g_assert_cmpuint (fleet->proxy->n_forwarded_changes, <=, MAX_IN_FLIGHT);
  g_assert_cmpuint (cd_bulk_job_get_done (job), ==, 0);

  proxy_release (fleet->proxy);
  wait_until (result_ready, &result);
  g_assert_true (cd_bulk_job_run_finish (job, result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cd_bulk_job_get_n_changed (job), ==, 12);
  g_assert_cmpuint (watch.ever_running, ==, 12);
  g_assert_cmpuint (watch.max_running, ==, MAX_IN_FLIGHT);
  g_assert_cmpuint (fleet->proxy->max_in_flight, <=, MAX_IN_FLIGHT);
  g_assert_cmpuint (fleet->proxy->n_forwarded_changes, ==, 12);

  after = booked_counts (fleet, G_LIST_MODEL (selected));
  for (guint i = 0; i < after->len; i++)
    g_assert_cmpuint (g_array_index (after, guint, i), ==,
                      g_array_index (before, guint, i) + 1);
}

/* Stopping a run sends no more, lets the changes already sent finish and
 * show, and leaves the rest to send later, each still exactly once. */
static void
test_bulk_stop_mid_run (void)
{
  g_autoptr(Fleet) fleet = fleet_new ();
  g_autoptr(GListStore) selected = bookable_devices (fleet->all,
                                                     fleet->roster, 10);
  g_autoptr(GArray) before = booked_counts (fleet, G_LIST_MODEL (selected));
  g_autoptr(GArray) after = NULL;
  g_autoptr(GCancellable) stop = g_cancellable_new ();
  g_autoptr(CdBulkJob) job = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *items;
  Watch watch = { 0 };
  guint n_done = 0;
  guint n_planned = 0;

  job = cd_bulk_job_new (fleet->client, CD_BULK_ACTION_BOOK, fleet->roster,
                         G_LIST_MODEL (selected));
  g_assert_true (job_plan (job));

  watch.job = job;
  watch.proxy = fleet->proxy;
  watch_items (&watch);
  fleet->proxy->hold_changes = TRUE;
  cd_bulk_job_run_async (job, stop, on_test_async_done, &result);
  wait_until (four_running, &watch);
  g_cancellable_cancel (stop);
  run_loop_for (300);
  g_assert_cmpuint (watch.ever_running, ==, MAX_IN_FLIGHT);
  g_assert_null (result);

  /* The four sent get their answers; then the run ends as stopped. */
  proxy_release (fleet->proxy);
  wait_until (result_ready, &result);
  g_assert_false (cd_bulk_job_run_finish (job, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (fleet->proxy->n_forwarded_changes, ==, MAX_IN_FLIGHT);
  g_assert_cmpuint (cd_bulk_job_get_n_changed (job), ==, MAX_IN_FLIGHT);
  g_assert_cmpuint (cd_bulk_job_get_n_failed (job), ==, 0);
  g_assert_cmpuint (cd_bulk_job_get_n_not_sent (job), ==, 10 - MAX_IN_FLIGHT);

  items = cd_bulk_job_get_items (job);
  after = booked_counts (fleet, G_LIST_MODEL (selected));
  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CdBulkItem) item = g_list_model_get_item (items, i);
      CdDevice *device = cd_bulk_item_get_device (item);
      guint added = g_array_index (after, guint, i)
                    - g_array_index (before, guint, i);
      CdBookingState state;

      /* The list's own object shows what the portal has. */
      if (cd_bulk_item_get_status (item) == CD_BULK_STATUS_DONE)
        {
          n_done++;
          g_assert_cmpuint (added, ==, 1);
          g_assert_true (cd_device_lookup_module_state (device, "roster",
                                                        &state));
        }
      else
        {
          n_planned++;
          g_assert_cmpint (cd_bulk_item_get_status (item), ==,
                           CD_BULK_STATUS_PLANNED);
          g_assert_cmpuint (added, ==, 0);
          g_assert_false (cd_device_lookup_module_state (device, "roster",
                                                         &state));
        }
    }
  g_assert_cmpuint (n_done, ==, MAX_IN_FLIGHT);
  g_assert_cmpuint (n_planned, ==, 10 - MAX_IN_FLIGHT);

  /* Going on sends the rest, and only the rest. */
  g_assert_true (job_run (job, TRUE));
  g_assert_cmpuint (cd_bulk_job_get_n_changed (job), ==, 10);
  g_assert_cmpuint (cd_bulk_job_get_n_not_sent (job), ==, 0);
  g_assert_cmpuint (fleet->proxy->n_forwarded_changes, ==, 10);
  g_clear_pointer (&after, g_array_unref);
  after = booked_counts (fleet, G_LIST_MODEL (selected));
  for (guint i = 0; i < after->len; i++)
    g_assert_cmpuint (g_array_index (after, guint, i), ==,
                      g_array_index (before, guint, i) + 1);
}

/* A refusal is shown, but not sent again: it would only repeat. */
static void
test_bulk_refusal_not_retried (void)
{
  g_autoptr(Fleet) fleet = fleet_new ();
  g_autoptr(GListStore) selected = bookable_devices (fleet->all,
                                                     fleet->roster, 3);
  g_autoptr(CdDevice) taken = g_list_model_get_item (G_LIST_MODEL (selected),
                                                     1);
  g_autoptr(CdBooking) booking = NULL;
  g_autoptr(CdBulkJob) job = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = cd_portal_client_new_idempotency_key ();
  CdBulkItem *item;
  guint sent;

  job = cd_bulk_job_new (fleet->client, CD_BULK_ACTION_BOOK, fleet->roster,
                         G_LIST_MODEL (selected));
  g_assert_true (job_plan (job));
  g_assert_cmpuint (cd_bulk_job_get_total (job), ==, 3);

  /* Someone else books it between the preview and the confirmation. */
  booking = sync_book_module (fleet->direct, cd_device_get_id (taken),
                              "roster", -1, key, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (job_run (job, FALSE));
  g_assert_cmpuint (cd_bulk_job_get_n_changed (job), ==, 2);
  g_assert_cmpuint (cd_bulk_job_get_n_failed (job), ==, 1);
  item = item_for (job, taken);
  g_assert_error (cd_bulk_item_get_error (item), CD_PORTAL_ERROR,
                  CD_PORTAL_ERROR_ALREADY_BOOKED);
  g_assert_false (cd_bulk_item_get_can_retry (item));
  g_assert_cmpuint (cd_bulk_job_get_n_retryable (job), ==, 0);

  sent = fleet->proxy->n_forwarded_changes;
  g_assert_true (job_run (job, TRUE));
  g_assert_cmpuint (fleet->proxy->n_forwarded_changes, ==, sent);
  g_assert_cmpuint (cd_bulk_job_get_n_failed (job), ==, 1);
  g_assert_cmpuint (count_booked_events (fleet->direct,
                                         cd_device_get_id (taken), "roster"),
                    ==, 1);
}

/* A device whose details cannot be fetched is skipped and says why; the
 * others are planned as usual. */
static void
test_bulk_unreachable_detail (void)
{
  g_autoptr(Fleet) fleet = fleet_new ();
  g_autoptr(GListStore) selected = bookable_devices (fleet->all,
                                                     fleet->roster, 2);
  const char gone_json[] =
    "{\"items\":[{\"id\":\"no-such-device\",\"name\":\"Verschwunden\","
    "\"model\":\"Zebra TC26\",\"platform\":\"android\",\"serial\":\"X1\","
    "\"app_version\":\"5.4.2\",\"last_seen_at\":\"2026-11-30T08:00:00Z\","
    "\"license\":null,\"modules\":[]}],\"next_cursor\":null,\"total\":1}";
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GListModel) page = NULL;
  g_autoptr(CdDevice) gone = NULL;
  g_autoptr(CdBulkJob) job = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;
  CdBulkItem *item;
  guint total;

  root = cd_portal_json_parse (gone_json, strlen (gone_json), &error);
  g_assert_no_error (error);
  page = cd_portal_json_read_device_page (root, &cursor, &total, &error);
  g_assert_no_error (error);
  gone = g_list_model_get_item (page, 0);
  g_list_store_insert (selected, 1, gone);

  job = cd_bulk_job_new (fleet->client, CD_BULK_ACTION_BOOK, fleet->roster,
                         G_LIST_MODEL (selected));
  g_assert_true (job_plan (job));
  g_assert_cmpuint (cd_bulk_job_get_n_checked (job), ==, 3);
  g_assert_cmpuint (cd_bulk_job_get_total (job), ==, 2);
  g_assert_cmpuint (cd_bulk_job_get_n_skipped (job), ==, 1);
  item = item_for (job, gone);
  g_assert_cmpint (cd_bulk_item_get_outcome (item), ==, CD_BULK_OUTCOME_SKIP);
  g_assert_cmpint (cd_bulk_item_get_skip_reason (item), ==,
                   CD_BULK_SKIP_UNREACHABLE);
  g_assert_error (cd_bulk_item_get_error (item), CD_PORTAL_ERROR,
                  CD_PORTAL_ERROR_NOT_FOUND);

  g_assert_true (job_run (job, FALSE));
  g_assert_cmpuint (cd_bulk_job_get_n_changed (job), ==, 2);
  g_assert_cmpint (cd_bulk_item_get_status (item), ==, CD_BULK_STATUS_PLANNED);
}

/* The contract's term rule, computed here from the license's own
 * numbers, not with the portal's code. */
static void
add_months (const GDate *date,
            int          months,
            GDate       *result)
{
  int index = (int) g_date_get_year (date) * 12
              + (int) g_date_get_month (date) - 1 + months;
  int year = index / 12;
  int month = index % 12 + 1;
  int day = g_date_get_day (date);
  int last = g_date_get_days_in_month (month, year);

  g_date_clear (result, 1);
  g_date_set_dmy (result, MIN (day, last), month, year);
}

static void
term_end (const GDate *term_start,
          int          term_months,
          int          index,
          GDate       *result)
{
  add_months (term_start, (index + 1) * term_months, result);
  g_date_subtract_days (result, 1);
}

static void
expected_next_possible_end (CdLicense   *license,
                            const GDate *today,
                            GDate       *result)
{
  const GDate *start = cd_license_get_term_start (license);
  int term_months = cd_license_get_term_months (license);
  int notice_months = cd_license_get_notice_months (license);
  GDate next_start, current_end, deadline, after_end;
  int index = 0;

  /* The term that contains today (term 0 before the start). */
  for (;;)
    {
      add_months (start, (index + 1) * term_months, &next_start);
      if (g_date_compare (&next_start, today) > 0)
        break;
      index++;
    }
  term_end (start, term_months, index, &current_end);

  after_end = current_end;
  g_date_add_days (&after_end, 1);
  add_months (&after_end, -notice_months, &deadline);
  g_date_subtract_days (&deadline, 1);

  if (g_date_compare (today, &deadline) <= 0)
    *result = current_end;
  else
    term_end (start, term_months, index + 1, result);

  if (cd_license_get_ends_on (license) != NULL
      && g_date_compare (cd_license_get_ends_on (license), result) < 0)
    *result = *cd_license_get_ends_on (license);
}

static void
test_add_months_rule (void)
{
  GDate start, result;

  g_date_clear (&start, 1);
  g_date_set_dmy (&start, 31, 1, 2027);
  add_months (&start, 1, &result);
  g_assert_cmpint (g_date_get_day (&result), ==, 28);
  g_assert_cmpint (g_date_get_month (&result), ==, 2);
  add_months (&start, -2, &result);
  g_assert_cmpint (g_date_get_day (&result), ==, 30);
  g_assert_cmpint (g_date_get_month (&result), ==, 11);
  g_assert_cmpint (g_date_get_year (&result), ==, 2026);

  /* The contract's worked example. */
  g_date_set_dmy (&start, 15, 3, 2025);
  term_end (&start, 24, 0, &result);
  g_assert_cmpint (g_date_get_day (&result), ==, 14);
  g_assert_cmpint (g_date_get_month (&result), ==, 3);
  g_assert_cmpint (g_date_get_year (&result), ==, 2027);
}

static void
test_bulk_cancel_own_end_dates (void)
{
  g_autoptr(CdTestPortal) portal = start_portal (0, NULL);
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(GListModel) all = NULL;
  g_autoptr(GListModel) modules = NULL;
  g_autoptr(GListStore) selected = g_list_store_new (CD_TYPE_DEVICE);
  g_autoptr(CdModule) module = NULL;
  g_autoptr(CdBulkJob) job = NULL;
  g_autoptr(GHashTable) end_dates = g_hash_table_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  const char *codes[] = { "flexible-forms", "tickets", "roster",
                          "key-management", "file-manager" };
  const char *best = NULL;
  guint best_count = 0;
  guint n_pending = 0;
  guint n_cancel = 0;
  guint year, month, day;
  GDate today;

  g_assert_true (sscanf (TEST_TODAY, "%u-%u-%u", &year, &month, &day) == 3);
  g_date_clear (&today, 1);
  g_date_set_dmy (&today, day, month, year);

  client = signed_in_client (cd_test_portal_get_url (portal),
                             "admin@muster.example");
  all = sync_list_devices (client, NULL, NULL, NULL, 1000, NULL, NULL, &error);
  g_assert_no_error (error);
  modules = sync_list_modules (client, &error);
  g_assert_no_error (error);

  /* The module booked on the most devices. */
  for (guint c = 0; c < G_N_ELEMENTS (codes); c++)
    {
      guint count = 0;

      for (guint i = 0; i < g_list_model_get_n_items (all); i++)
        {
          g_autoptr(CdDevice) device = g_list_model_get_item (all, i);
          CdBookingState state;

          if (cd_device_lookup_module_state (device, codes[c], &state)
              && state == CD_BOOKING_STATE_ACTIVE)
            count++;
        }
      if (count > best_count)
        {
          best = codes[c];
          best_count = count;
        }
    }
  g_assert_nonnull (best);
  g_assert_cmpuint (best_count, >=, 5);
  module = find_module (modules, best);

  for (guint i = 0; i < g_list_model_get_n_items (all) && i < 120; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (all, i);

      g_list_store_append (selected, device);
    }

  job = cd_bulk_job_new (client, CD_BULK_ACTION_CANCEL, module,
                         G_LIST_MODEL (selected));
  g_assert_true (job_plan (job));

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (selected)); i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (G_LIST_MODEL (selected), i);
      g_autoptr(CdDevice) detail = sync_get_device (client, cd_device_get_id (device),
                                                    &error);
      CdBulkItem *item = item_for (job, device);
      CdLicense *license = cd_device_get_license (detail);
      CdBookingState state;
      gboolean booked;
      GDate expected;

      g_assert_no_error (error);
      booked = cd_device_lookup_module_state (detail, best, &state);

      if (booked && state == CD_BOOKING_STATE_ACTIVE
          && cd_license_get_state (license) != CD_LICENSE_STATE_ENDED)
        {
          g_assert_cmpint (cd_bulk_item_get_outcome (item), ==,
                           CD_BULK_OUTCOME_CANCEL);
          expected_next_possible_end (license, &today, &expected);
          g_assert_nonnull (cd_bulk_item_get_ends_on (item));
          g_assert_cmpint (g_date_get_julian (cd_bulk_item_get_ends_on (item)), ==,
                           g_date_get_julian (&expected));
          g_hash_table_add (end_dates,
                            GUINT_TO_POINTER (g_date_get_julian (&expected)));
          n_cancel++;
        }
      else
        {
          g_assert_cmpint (cd_bulk_item_get_outcome (item), ==,
                           CD_BULK_OUTCOME_SKIP);
          if (license == NULL)
            g_assert_cmpint (cd_bulk_item_get_skip_reason (item), ==,
                             CD_BULK_SKIP_NO_LICENSE);
          else if (cd_license_get_state (license) == CD_LICENSE_STATE_ENDED)
            g_assert_cmpint (cd_bulk_item_get_skip_reason (item), ==,
                             CD_BULK_SKIP_LICENSE_ENDED);
          else if (booked && state == CD_BOOKING_STATE_CANCELLATION_PENDING)
            {
              g_assert_cmpint (cd_bulk_item_get_skip_reason (item), ==,
                               CD_BULK_SKIP_CANCELLATION_PENDING);
              n_pending++;
            }
          else
            g_assert_cmpint (cd_bulk_item_get_skip_reason (item), ==,
                             CD_BULK_SKIP_NOT_BOOKED);
        }
    }
  g_assert_cmpuint (n_cancel, ==, cd_bulk_job_get_total (job));
  g_assert_cmpuint (n_cancel, >, 0);
  /* Mixed license types and starts: not one date for all. */
  g_assert_cmpuint (g_hash_table_size (end_dates), >=, 2);
  g_assert_cmpint (cd_bulk_job_get_monthly_change (job), ==,
                   -(gint64) n_cancel * cd_module_get_price_amount_minor (module));

  /* Cancelling gives each booking the end date the preview showed. */
  g_assert_true (job_run (job, FALSE));
  g_assert_cmpuint (cd_bulk_job_get_n_changed (job), ==, n_cancel);
  g_assert_cmpuint (cd_bulk_job_get_n_failed (job), ==, 0);
  for (guint i = 0; i < g_list_model_get_n_items (cd_bulk_job_get_items (job)); i++)
    {
      g_autoptr(CdBulkItem) item = g_list_model_get_item (cd_bulk_job_get_items (job), i);
      CdDevice *device = cd_bulk_item_get_device (item);
      g_autoptr(CdDevice) detail = NULL;
      GListModel *bookings;
      gboolean found = FALSE;

      if (cd_bulk_item_get_outcome (item) != CD_BULK_OUTCOME_CANCEL)
        continue;
      detail = sync_get_device (client, cd_device_get_id (device), &error);
      g_assert_no_error (error);
      bookings = cd_device_get_bookings (detail);
      for (guint b = 0; b < g_list_model_get_n_items (bookings); b++)
        {
          g_autoptr(CdBooking) booking = g_list_model_get_item (bookings, b);

          if (!g_str_equal (cd_booking_get_module_code (booking), best))
            continue;
          found = TRUE;
          g_assert_cmpint (cd_booking_get_state (booking), ==,
                           CD_BOOKING_STATE_CANCELLATION_PENDING);
          g_assert_cmpint (g_date_get_julian (cd_booking_get_ends_on (booking)), ==,
                           g_date_get_julian (cd_bulk_item_get_ends_on (item)));
        }
      g_assert_true (found);
      g_assert_true (cd_device_has_pending_cancellation (device));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bulk/add-months-rule", test_add_months_rule);
  g_test_add_func ("/bulk/book-exactly-once", test_bulk_book_exactly_once);
  g_test_add_func ("/bulk/cancel-own-end-dates", test_bulk_cancel_own_end_dates);
  g_test_add_func ("/bulk/four-at-a-time", test_bulk_four_at_a_time);
  g_test_add_func ("/bulk/stop-mid-run", test_bulk_stop_mid_run);
  g_test_add_func ("/bulk/refusal-not-retried", test_bulk_refusal_not_retried);
  g_test_add_func ("/bulk/unreachable-detail", test_bulk_unreachable_detail);

  return g_test_run ();
}
