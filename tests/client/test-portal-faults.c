/* test-portal-faults.c: a fault-injecting proxy between client and portal.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <libsoup/soup.h>
#include <string.h>

#include "cd-client-test-util.h"

#define ADMIN "admin@muster.example"

typedef enum
{
  FAULT_NONE,
  /* Forwarded (the portal commits), then the connection is closed. */
  FAULT_DROP_AFTER_COMMIT,
  /* Not forwarded: 502, 503, 504 or 500 straight away. */
  FAULT_STATUS,
  /* Not forwarded, never answered. */
  FAULT_STALL,
  /* Forwarded, then never answered. */
  FAULT_STALL_AFTER_COMMIT,
  /* Forwarded, then half the body and the connection closed. */
  FAULT_TRUNCATE,
  /* Forwarded, then a 2xx with a broken document. */
  FAULT_MALFORMED,
  /* Forwarded, then a 2xx with a wrong-typed member. */
  FAULT_WRONG_TYPE,
  /* Not forwarded: a 401 problem. */
  FAULT_UNAUTHORIZED,
  /* Not forwarded: a 2xx that never seems to end (40 MiB). */
  FAULT_HUGE,
  /* Not forwarded: a redirect (302, 307, …) to the same path on the real
   * portal, another address where the request would succeed. */
  FAULT_REDIRECT,
  /* Not forwarded: something that is not HTTP, then closed. */
  FAULT_NOT_HTTP,
  /* Not forwarded: a 200 in a transfer encoding that does not exist. */
  FAULT_BAD_ENCODING,
} Fault;

typedef struct
{
  SoupServer  *server;      /* (owned) */
  SoupSession *session;     /* (owned) to the portal, used synchronously */
  char        *portal_url;  /* (owned) */
  char        *url;         /* (owned) the proxy's address */

  /* Applied to requests whose path ends with fault_path. */
  char        *fault_path;  /* (owned) (nullable) */
  Fault        faults[8];   /* in order; FAULT_NONE after the last */
  guint        fault_statuses[8];
  guint        n_faulted;   /* matching requests seen */
  GPtrArray   *stalled;     /* (owned) of SoupServerMessage */
} Proxy;

static CdTestPortal *portal;

static void
copy_header (const char *name,
             const char *value,
             gpointer    user_data)
{
  SoupMessageHeaders *to = user_data;

  if (g_ascii_strcasecmp (name, "Host") == 0 ||
      g_ascii_strcasecmp (name, "Connection") == 0 ||
      g_ascii_strcasecmp (name, "Content-Length") == 0 ||
      g_ascii_strcasecmp (name, "Transfer-Encoding") == 0)
    return;

  soup_message_headers_append (to, name, value);
}

/* Sends the request on to the portal; returns its answer. */
static GBytes *
forward (Proxy              *proxy,
         SoupServerMessage  *message,
         SoupMessage       **answer)
{
  GUri *uri = soup_server_message_get_uri (message);
  SoupMessageBody *request_body = soup_server_message_get_request_body (message);
  g_autoptr(GBytes) body = soup_message_body_flatten (request_body);
  g_autoptr(GError) error = NULL;
  g_autofree char *target = NULL;
  GBytes *response;

  target = g_strdup_printf ("%s%s%s%s", proxy->portal_url, g_uri_get_path (uri),
                            g_uri_get_query (uri) != NULL ? "?" : "",
                            g_uri_get_query (uri) != NULL
                            ? g_uri_get_query (uri) : "");
  *answer = soup_message_new (soup_server_message_get_method (message), target);
  soup_message_headers_foreach (soup_server_message_get_request_headers (message),
                                copy_header,
                                soup_message_get_request_headers (*answer));
  if (g_bytes_get_size (body) > 0)
    soup_message_set_request_body_from_bytes (*answer, NULL, body);

  response = soup_session_send_and_read (proxy->session, *answer, NULL, &error);
  g_assert_no_error (error);
  return response;
}

static void
reply_with (SoupServerMessage *message,
            SoupMessage       *answer,
            GBytes            *body)
{
  SoupMessageHeaders *from = soup_message_get_response_headers (answer);
  SoupMessageHeaders *to = soup_server_message_get_response_headers (message);
  const char *names[] = { "ETag", "Retry-After", "WWW-Authenticate",
                          "Idempotent-Replayed" };
  gsize length;
  const char *data = g_bytes_get_data (body, &length);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *value = soup_message_headers_get_one (from, names[i]);

      if (value != NULL)
        soup_message_headers_replace (to, names[i], value);
    }

  soup_server_message_set_status (message, soup_message_get_status (answer),
                                  NULL);
  soup_server_message_set_response (message,
                                    soup_message_headers_get_content_type (from,
                                                                           NULL),
                                    SOUP_MEMORY_COPY, data, length);
}

/* Writes a raw answer on the stolen connection and closes it. */
static void
write_raw_and_close (SoupServerMessage *message,
                     const char        *head,
                     const char        *body,
                     gsize              body_length)
{
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (message);
  GOutputStream *output = g_io_stream_get_output_stream (stream);

  if (head != NULL)
    {
      g_output_stream_write_all (output, head, strlen (head), NULL, NULL, NULL);
      g_output_stream_write_all (output, body, body_length, NULL, NULL, NULL);
    }
  g_io_stream_close (stream, NULL, NULL);
}

static void
on_proxy_request (SoupServer        *server,
                  SoupServerMessage *message,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  Proxy *proxy = user_data;
  g_autoptr(SoupMessage) answer = NULL;
  g_autoptr(GBytes) body = NULL;
  Fault fault = FAULT_NONE;
  guint status = 0;

  if (proxy->fault_path != NULL && g_str_has_suffix (path, proxy->fault_path))
    {
      guint i = MIN (proxy->n_faulted, G_N_ELEMENTS (proxy->faults) - 1);

      fault = proxy->faults[i];
      status = proxy->fault_statuses[i];
      proxy->n_faulted++;
    }

  switch (fault)
    {
    case FAULT_NONE:
      body = forward (proxy, message, &answer);
      reply_with (message, answer, body);
      break;

    case FAULT_DROP_AFTER_COMMIT:
      body = forward (proxy, message, &answer);
      write_raw_and_close (message, NULL, NULL, 0);
      break;

    case FAULT_STATUS:
      soup_server_message_set_status (message, status, NULL);
      soup_server_message_set_response (message, "text/plain",
                                        SOUP_MEMORY_STATIC, "down", 4);
      break;

    case FAULT_STALL_AFTER_COMMIT:
      body = forward (proxy, message, &answer);
      G_GNUC_FALLTHROUGH;
    case FAULT_STALL:
      soup_server_message_pause (message);
      g_ptr_array_add (proxy->stalled, g_object_ref (message));
      break;

    case FAULT_TRUNCATE:
      {
        g_autofree char *head = NULL;
        gsize length;
        const char *data;

        body = forward (proxy, message, &answer);
        data = g_bytes_get_data (body, &length);
        head = g_strdup_printf ("HTTP/1.1 %u Whatever\r\n"
                                "Content-Type: application/json\r\n"
                                "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                                "Connection: close\r\n\r\n",
                                soup_message_get_status (answer), length);
        write_raw_and_close (message, head, data, length / 2);
      }
      break;

    case FAULT_MALFORMED:
      body = forward (proxy, message, &answer);
      g_clear_pointer (&body, g_bytes_unref);
      body = g_bytes_new_static ("{\"id\":\"b-1\",\"module\":", 21);
      reply_with (message, answer, body);
      break;

    case FAULT_WRONG_TYPE:
      {
        g_autofree char *text = NULL;
        gsize length;
        const char *data;
        char *state;

        body = forward (proxy, message, &answer);
        data = g_bytes_get_data (body, &length);
        text = g_strndup (data, length);
        state = strstr (text, "\"state\":\"active\"");
        g_assert_nonnull (state);
        memcpy (state, "\"state\":12345678", 16);
        g_clear_pointer (&body, g_bytes_unref);
        body = g_bytes_new (text, strlen (text));
        reply_with (message, answer, body);
      }
      break;

    case FAULT_UNAUTHORIZED:
      {
        static const char problem[] =
          "{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
          "\"detail\":\"The access token is not valid.\","
          "\"code\":\"unauthorized\"}";

        soup_server_message_set_status (message, 401, NULL);
        soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                      "WWW-Authenticate", "Bearer");
        soup_server_message_set_response (message, "application/problem+json",
                                          SOUP_MEMORY_STATIC, problem,
                                          strlen (problem));
      }
      break;

    case FAULT_HUGE:
      {
        gsize length = 40 * 1024 * 1024;
        char *huge = g_malloc (length);

        memset (huge, ' ', length);
        huge[0] = '{';
        huge[length - 1] = '}';
        soup_server_message_set_status (message, 200, NULL);
        soup_server_message_set_response (message, "application/json",
                                          SOUP_MEMORY_TAKE, huge, length);
      }
      break;

    case FAULT_REDIRECT:
      {
        GUri *uri = soup_server_message_get_uri (message);
        g_autofree char *location = NULL;

        location = g_strdup_printf ("%s%s%s%s", proxy->portal_url, path,
                                    g_uri_get_query (uri) != NULL ? "?" : "",
                                    g_uri_get_query (uri) != NULL
                                    ? g_uri_get_query (uri) : "");
        soup_server_message_set_redirect (message, status, location);
      }
      break;

    case FAULT_NOT_HTTP:
      {
        static const char banner[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n\r\n";

        write_raw_and_close (message, banner, "", 0);
      }
      break;

    case FAULT_BAD_ENCODING:
      {
        static const char head[] = "HTTP/1.1 200 OK\r\n"
                                   "Content-Type: application/json\r\n"
                                   "Transfer-Encoding: bogus\r\n"
                                   "Connection: close\r\n\r\n";

        write_raw_and_close (message, head, "{}", 2);
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

static Proxy *
proxy_new (const char *portal_url)
{
  Proxy *proxy = g_new0 (Proxy, 1);
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;

  proxy->portal_url = g_strdup (portal_url);
  proxy->session = soup_session_new ();
  proxy->stalled = g_ptr_array_new_with_free_func (g_object_unref);
  proxy->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (proxy->server, NULL, on_proxy_request, proxy, NULL);
  soup_server_listen_local (proxy->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY,
                            &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (proxy->server);
  proxy->url = g_strdup_printf ("http://127.0.0.1:%d",
                                g_uri_get_port (uris->data));

  return proxy;
}

/* Answers every stalled request with 503 at last. */
static void
proxy_release_stalled (Proxy *proxy)
{
  for (guint i = 0; i < proxy->stalled->len; i++)
    {
      SoupServerMessage *message = g_ptr_array_index (proxy->stalled, i);

      soup_server_message_set_status (message, 503, NULL);
      soup_server_message_unpause (message);
    }
  g_ptr_array_set_size (proxy->stalled, 0);
}

static void
proxy_free (Proxy *proxy)
{
  proxy_release_stalled (proxy);
  soup_server_disconnect (proxy->server);
  g_clear_object (&proxy->server);
  g_clear_object (&proxy->session);
  g_clear_pointer (&proxy->stalled, g_ptr_array_unref);
  g_clear_pointer (&proxy->portal_url, g_free);
  g_clear_pointer (&proxy->url, g_free);
  g_clear_pointer (&proxy->fault_path, g_free);
  g_free (proxy);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Proxy, proxy_free)

static void
proxy_set_faults (Proxy      *proxy,
                  const char *path_suffix,
                  const Fault faults[],
                  const guint statuses[],
                  guint       n_faults)
{
  g_assert_cmpuint (n_faults, <, G_N_ELEMENTS (proxy->faults));

  g_free (proxy->fault_path);
  proxy->fault_path = g_strdup (path_suffix);
  memset (proxy->faults, 0, sizeof proxy->faults);
  memset (proxy->fault_statuses, 0, sizeof proxy->fault_statuses);
  for (guint i = 0; i < n_faults; i++)
    {
      proxy->faults[i] = faults[i];
      proxy->fault_statuses[i] = statuses != NULL ? statuses[i] : 0;
    }
  proxy->n_faulted = 0;
}

static guint count_bookings (CdPortalClient *direct,
                             const char     *device_id,
                             const char     *module_code);

/* A device with an active license on which "roster" was never booked;
 * each scenario books it, so the next one gets another device. @direct
 * talks to the portal without the proxy. */
static char *
fresh_device (CdPortalClient *direct)
{
  g_autoptr(GListModel) devices = NULL;
  g_autoptr(GError) error = NULL;

  devices = sync_list_devices (direct, NULL, NULL, NULL, 1000, NULL, NULL,
                               &error);
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (devices, i);
      CdLicense *license = cd_device_get_license (device);

      if (license != NULL &&
          cd_license_get_state (license) == CD_LICENSE_STATE_ACTIVE &&
          !cd_device_lookup_module_state (device, "roster", NULL) &&
          count_bookings (direct, cd_device_get_id (device), "roster") == 0)
        return g_strdup (cd_device_get_id (device));
    }

  return NULL;
}

/* How often @module_code was booked on the device, from its history. */
static guint
count_bookings (CdPortalClient *direct,
                const char     *device_id,
                const char     *module_code)
{
  g_autoptr(GListModel) events = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  events = sync_list_events (direct, device_id, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (events); i++)
    {
      g_autoptr(CdEvent) event = g_list_model_get_item (events, i);

      if (cd_event_get_action (event) == CD_EVENT_ACTION_MODULE_BOOKED &&
          g_str_equal (cd_event_get_module_code (event), module_code))
        n++;
    }

  return n;
}

typedef struct
{
  const char *name;
  Fault       faults[4];
  guint       statuses[4];
  guint       n_faults;
  int         error_code;       /* -1: the booking succeeds */
  guint       bookings_after;   /* on the portal, after the call */
  guint       min_sent;
  guint       max_sent;
  /* Send the revision the user saw as If-Match (else none): a retry after
   * the portal committed carries a revision that is stale by then, and
   * must still be replayed, not refused with 412. */
  gboolean    if_match;
} Scenario;

static const Scenario scenarios[] = {
  { "drop-after-commit-once", { FAULT_DROP_AFTER_COMMIT }, { 0 }, 1,
    -1, 1, 2, 2, TRUE },
  { "drop-after-commit-once-no-if-match", { FAULT_DROP_AFTER_COMMIT }, { 0 },
    1, -1, 1, 2, 2 },
  { "drop-after-commit-always",
    { FAULT_DROP_AFTER_COMMIT, FAULT_DROP_AFTER_COMMIT,
      FAULT_DROP_AFTER_COMMIT, FAULT_DROP_AFTER_COMMIT }, { 0 }, 4,
    CD_PORTAL_ERROR_NETWORK, 1, 4, 4, TRUE },
  { "503-twice", { FAULT_STATUS, FAULT_STATUS }, { 503, 503 }, 2,
    -1, 1, 3, 3 },
  { "502-504", { FAULT_STATUS, FAULT_STATUS }, { 502, 504 }, 2,
    -1, 1, 3, 3 },
  { "503-always", { FAULT_STATUS, FAULT_STATUS, FAULT_STATUS, FAULT_STATUS },
    { 503, 503, 503, 503 }, 4, CD_PORTAL_ERROR_SERVER_ERROR, 0, 4, 4 },
  { "500-not-retried", { FAULT_STATUS }, { 500 }, 1,
    CD_PORTAL_ERROR_SERVER_ERROR, 0, 1, 1 },
  { "stall-after-commit-once", { FAULT_STALL_AFTER_COMMIT }, { 0 }, 1,
    -1, 1, 2, 2, TRUE },
  { "stall-always", { FAULT_STALL, FAULT_STALL, FAULT_STALL, FAULT_STALL },
    { 0 }, 4, CD_PORTAL_ERROR_TIMEOUT, 0, 4, 4 },
  /* A connection closed mid-body is a dropped connection: retried, and a
   * network failure in the end. */
  { "truncate-once", { FAULT_TRUNCATE }, { 0 }, 1, -1, 1, 2, 2, TRUE },
  { "truncate-always",
    { FAULT_TRUNCATE, FAULT_TRUNCATE, FAULT_TRUNCATE, FAULT_TRUNCATE },
    { 0 }, 4, CD_PORTAL_ERROR_NETWORK, 1, 4, 4, TRUE },
  /* A complete answer that is a broken or wrong document: not retried. */
  { "malformed", { FAULT_MALFORMED }, { 0 }, 1,
    CD_PORTAL_ERROR_UNEXPECTED_RESPONSE, 1, 1, 1, TRUE },
  { "wrong-type", { FAULT_WRONG_TYPE }, { 0 }, 1,
    CD_PORTAL_ERROR_UNEXPECTED_RESPONSE, 1, 1, 1 },
  /* Answers libsoup cannot read as HTTP: not retried either. */
  { "not-http", { FAULT_NOT_HTTP }, { 0 }, 1,
    CD_PORTAL_ERROR_UNEXPECTED_RESPONSE, 0, 1, 1 },
  { "bad-encoding", { FAULT_BAD_ENCODING }, { 0 }, 1,
    CD_PORTAL_ERROR_UNEXPECTED_RESPONSE, 0, 1, 1 },
  /* Redirects are reported, never followed: libsoup would follow a 302
   * with a GET (Authorization kept) to the real portal. */
  { "redirect-302", { FAULT_REDIRECT }, { 302 }, 1,
    CD_PORTAL_ERROR_UNEXPECTED_RESPONSE, 0, 1, 1 },
  { "redirect-307", { FAULT_REDIRECT }, { 307 }, 1,
    CD_PORTAL_ERROR_UNEXPECTED_RESPONSE, 0, 1, 1, TRUE },
};

static void
run_scenario (gconstpointer data)
{
  const Scenario *scenario = data;
  g_autoptr(CdPortalClient) direct = NULL;
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(Proxy) proxy = proxy_new (cd_test_portal_get_url (portal));
  g_autofree char *device_id = NULL;
  g_autoptr(CdBooking) booking = NULL;
  g_autoptr(CdBooking) retried = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = cd_portal_client_new_idempotency_key ();
  g_autofree char *suffix = NULL;
  guint sent_before;
  gint64 revision = -1;
  gint64 seen_revision = -1;

  direct = signed_in_client (cd_test_portal_get_url (portal), ADMIN);
  client = signed_in_client (proxy->url, ADMIN);
  cd_portal_client_set_timeout_for_testing (client, 1);

  device_id = fresh_device (direct);
  g_assert_nonnull (device_id);

  if (scenario->if_match)
    {
      g_autoptr(CdDevice) detail = sync_get_device (direct, device_id,
                                                    &error);

      g_assert_no_error (error);
      seen_revision = cd_device_get_revision (detail);
      g_assert_cmpint (seen_revision, >=, 0);
    }

  suffix = g_strdup_printf ("/devices/%s/bookings", device_id);
  proxy_set_faults (proxy, suffix, scenario->faults, scenario->statuses,
                    scenario->n_faults);

  sent_before = cd_portal_client_get_n_sent_for_testing (client);
  booking = sync_book_module (client, device_id, "roster", seen_revision, key,
                              &revision, &error);
  g_assert_cmpuint (cd_portal_client_get_n_sent_for_testing (client) -
                    sent_before, >=, scenario->min_sent);
  g_assert_cmpuint (cd_portal_client_get_n_sent_for_testing (client) -
                    sent_before, <=, scenario->max_sent);

  if (scenario->error_code < 0)
    {
      g_assert_no_error (error);
      g_assert_cmpstr (cd_booking_get_module_code (booking), ==, "roster");
      g_assert_cmpint (revision, >, 0);
      g_assert_cmpint (revision, >, seen_revision);
    }
  else
    {
      g_assert_error (error, CD_PORTAL_ERROR, scenario->error_code);
      g_assert_null (booking);
    }

  /* Exactly once (or not at all when nothing reached the portal). */
  g_assert_cmpuint (count_bookings (direct, device_id, "roster"), ==,
                    scenario->bookings_after);

  /* The user retries the same change once the portal is fine again, with
   * what they saw before: it is still booked exactly once. */
  proxy_set_faults (proxy, NULL, NULL, NULL, 0);
  g_clear_error (&error);
  retried = sync_book_module (client, device_id, "roster", seen_revision, key,
                              NULL, &error);
  g_assert_no_error (error);
  if (booking != NULL)
    g_assert_cmpstr (cd_booking_get_id (retried), ==,
                     cd_booking_get_id (booking));
  g_assert_cmpuint (count_bookings (direct, device_id, "roster"), ==, 1);
}

static void
count_signal (guint *count)
{
  (*count)++;
}

static void
test_get_faults (void)
{
  g_autoptr(Proxy) proxy = proxy_new (cd_test_portal_get_url (portal));
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(GListModel) modules = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  const Fault truncate[] = { FAULT_TRUNCATE, FAULT_TRUNCATE, FAULT_TRUNCATE,
                             FAULT_TRUNCATE };
  const Fault unauthorized[] = { FAULT_UNAUTHORIZED, FAULT_UNAUTHORIZED };
  const Fault malformed[] = { FAULT_MALFORMED };
  const Fault huge[] = { FAULT_HUGE };
  const Fault redirect[] = { FAULT_REDIRECT };
  const guint found[] = { 302 };
  guint expired = 0;

  client = signed_in_client (proxy->url, ADMIN);
  g_signal_connect_swapped (client, "session-expired",
                            G_CALLBACK (count_signal), &expired);

  /* A body cut short is a network failure after the retries. */
  proxy_set_faults (proxy, "/modules", truncate, NULL, 4);
  modules = sync_list_modules (client, &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_NETWORK);
  g_clear_error (&error);

  proxy_set_faults (proxy, "/modules", malformed, NULL, 1);
  modules = sync_list_modules (client, &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_UNEXPECTED_RESPONSE);
  g_clear_error (&error);

  /* An answer too large for any contract document is refused. */
  proxy_set_faults (proxy, "/modules", huge, NULL, 1);
  modules = sync_list_modules (client, &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_UNEXPECTED_RESPONSE);
  g_clear_error (&error);

  /* A redirect to the real portal, where the request would work, is not
   * followed: the access token goes nowhere else. */
  proxy_set_faults (proxy, "/modules", redirect, found, 1);
  modules = sync_list_modules (client, &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_UNEXPECTED_RESPONSE);
  g_assert_cmpuint (cd_portal_error_get_http_status (error), ==, 302);
  g_assert_null (modules);
  g_assert_cmpuint (proxy->n_faulted, ==, 1);
  g_clear_error (&error);

  /* 401 even with a fresh token: refreshed once, then reported. */
  proxy_set_faults (proxy, "/me", unauthorized, NULL, 2);
  account = sync_get_me (client, &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_UNAUTHORIZED);
  g_assert_cmpstr (cd_portal_error_get_detail (error), ==,
                   "The access token is not valid.");
  g_assert_true (cd_portal_client_get_signed_in (client));
  g_assert_cmpuint (expired, ==, 0);
}

/* Token and revoke requests ------------------------------------------ */

typedef struct
{
  Proxy          *proxy;    /* (owned) */
  CdPortalClient *client;   /* (owned) signed in through the proxy */
  char           *stored;   /* (owned) the refresh token after sign-in */
  guint           expired;
  guint           token_changes;
} Session;

static void
session_free (Session *session)
{
  g_clear_object (&session->client);
  g_clear_pointer (&session->proxy, proxy_free);
  g_clear_pointer (&session->stored, g_free);
  g_free (session);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Session, session_free)

static Session *
session_new (void)
{
  Session *session = g_new0 (Session, 1);

  session->proxy = proxy_new (cd_test_portal_get_url (portal));
  session->client = signed_in_client (session->proxy->url, ADMIN);
  cd_portal_client_set_timeout_for_testing (session->client, 1);
  session->stored =
    g_strdup (cd_portal_client_get_refresh_token (session->client));
  g_signal_connect_swapped (session->client, "session-expired",
                            G_CALLBACK (count_signal), &session->expired);
  g_signal_connect_swapped (session->client, "refresh-token-changed",
                            G_CALLBACK (count_signal),
                            &session->token_changes);

  return session;
}

/* Makes the next request refresh, with @fault on POST /auth/token; returns
 * that request's error. */
static GError *
refresh_with_fault (Session *session,
                    Fault    fault,
                    guint    status)
{
  g_autoptr(CdAccount) account = NULL;
  GError *error = NULL;
  guint sent_before = cd_portal_client_get_n_sent_for_testing (session->client);

  proxy_set_faults (session->proxy, "/auth/token", &fault, &status, 1);
  cd_portal_client_set_access_token_for_testing (session->client, "bogus");
  account = sync_get_me (session->client, &error);
  g_assert_null (account);
  g_assert_nonnull (error);

  /* GET /me (401) and one refresh, which is not sent again. */
  g_assert_cmpuint (session->proxy->n_faulted, ==, 1);
  g_assert_cmpuint (cd_portal_client_get_n_sent_for_testing (session->client) -
                    sent_before, ==, 2);

  proxy_set_faults (session->proxy, NULL, NULL, NULL, 0);
  return error;
}

static void
assert_session_kept (Session *session)
{
  g_assert_cmpuint (session->expired, ==, 0);
  g_assert_cmpuint (session->token_changes, ==, 0);
  g_assert_true (cd_portal_client_get_signed_in (session->client));
  g_assert_cmpstr (cd_portal_client_get_refresh_token (session->client), ==,
                   session->stored);
}

/* The portal rotates the refresh token, the answer is lost on the way. */
static void
test_refresh_drop_after_commit (void)
{
  g_autoptr(Session) session = session_new ();
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  error = refresh_with_fault (session, FAULT_DROP_AFTER_COMMIT, 0);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_NETWORK);
  assert_session_kept (session);
  g_clear_error (&error);

  /* The lost answer held the only valid refresh token; the kept one is
   * used up. So the user's next try is refused, and only that ends the
   * session, once. */
  account = sync_get_me (session->client, &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_SESSION_EXPIRED);
  g_assert_null (account);
  g_assert_cmpuint (session->expired, ==, 1);
  g_assert_false (cd_portal_client_get_signed_in (session->client));
  g_assert_null (cd_portal_client_get_refresh_token (session->client));
}

/* The portal rotates the refresh token and the answer never comes. */
static void
test_refresh_stall_after_commit (void)
{
  g_autoptr(Session) session = session_new ();
  g_autoptr(GError) error = NULL;

  error = refresh_with_fault (session, FAULT_STALL_AFTER_COMMIT, 0);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_TIMEOUT);
  assert_session_kept (session);
}

/* Something in front of the portal answers 503 without asking it: the
 * token is still good, so the user's next try works. */
static void
test_refresh_unavailable (void)
{
  g_autoptr(Session) session = session_new ();
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  error = refresh_with_fault (session, FAULT_STATUS, 503);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_SERVER_ERROR);
  assert_session_kept (session);
  g_clear_error (&error);

  account = sync_get_me (session->client, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cd_account_get_username (account), ==, ADMIN);
  g_assert_cmpuint (session->expired, ==, 0);
  g_assert_cmpuint (session->token_changes, ==, 1);
  g_assert_cmpstr (cd_portal_client_get_refresh_token (session->client), !=,
                   session->stored);
}

static void
test_sign_in_drop_after_commit (void)
{
  g_autoptr(Proxy) proxy = proxy_new (cd_test_portal_get_url (portal));
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  const Fault drop[] = { FAULT_DROP_AFTER_COMMIT };

  client = cd_portal_client_new (proxy->url, &error);
  g_assert_no_error (error);
  proxy_set_faults (proxy, "/auth/token", drop, NULL, 1);

  account = sync_sign_in (client, ADMIN, "demo", &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_NETWORK);
  g_assert_null (account);
  g_assert_cmpuint (proxy->n_faulted, ==, 1);
  g_assert_cmpuint (cd_portal_client_get_n_sent_for_testing (client), ==, 1);
  g_assert_false (cd_portal_client_get_signed_in (client));
  g_assert_null (cd_portal_client_get_refresh_token (client));
  g_clear_error (&error);

  /* The user signs in again. */
  account = sync_sign_in (client, ADMIN, "demo", &error);
  g_assert_no_error (error);
  g_assert_true (cd_portal_client_get_signed_in (client));
}

static void
test_resume_drop_after_commit (void)
{
  g_autoptr(Proxy) proxy = proxy_new (cd_test_portal_get_url (portal));
  g_autoptr(CdPortalClient) first = NULL;
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  const Fault drop[] = { FAULT_DROP_AFTER_COMMIT };

  first = signed_in_client (cd_test_portal_get_url (portal), ADMIN);
  stored = g_strdup (cd_portal_client_get_refresh_token (first));
  client = cd_portal_client_new (proxy->url, &error);
  g_assert_no_error (error);
  proxy_set_faults (proxy, "/auth/token", drop, NULL, 1);

  account = sync_resume (client, stored, &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_NETWORK);
  g_assert_cmpuint (proxy->n_faulted, ==, 1);
  g_assert_cmpuint (cd_portal_client_get_n_sent_for_testing (client), ==, 1);
  g_clear_error (&error);

  /* As with a refresh, the stored token was used up by the lost answer. */
  account = sync_resume (client, stored, &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_INVALID_GRANT);
  g_assert_null (account);
}

static void
test_sign_out_drop_after_commit (void)
{
  g_autoptr(Session) session = session_new ();
  g_autoptr(GError) error = NULL;
  const Fault drop[] = { FAULT_DROP_AFTER_COMMIT };
  guint sent_before = cd_portal_client_get_n_sent_for_testing (session->client);

  proxy_set_faults (session->proxy, "/auth/revoke", drop, NULL, 1);
  g_assert_false (sync_sign_out (session->client, &error));
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_NETWORK);
  g_assert_cmpuint (session->proxy->n_faulted, ==, 1);
  g_assert_cmpuint (cd_portal_client_get_n_sent_for_testing (session->client) -
                    sent_before, ==, 1);

  /* Signed out here all the same; the revoke did reach the portal. */
  g_assert_false (cd_portal_client_get_signed_in (session->client));
  g_assert_null (cd_portal_client_get_refresh_token (session->client));
  g_assert_cmpuint (session->expired, ==, 0);
}

/* A call waiting for the shared refresh is cancelled: it returns at once,
 * not when the refresh is done, and the refresh goes on for the others. */
static void
test_cancel_while_refreshing (void)
{
  g_autoptr(Session) session = session_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) cancelled_result = NULL;
  g_autoptr(GAsyncResult) other_result = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  const Fault stall[] = { FAULT_STALL };
  guint rounds = 0;

  /* Long enough that only the cancellation can end the wait here. */
  cd_portal_client_set_timeout_for_testing (session->client, 120);
  proxy_set_faults (session->proxy, "/auth/token", stall, NULL, 1);
  cd_portal_client_set_access_token_for_testing (session->client, "bogus");

  cd_portal_client_get_me_async (session->client, cancellable,
                                 on_test_async_done, &cancelled_result);
  while (session->proxy->stalled->len == 0)
    g_main_context_iteration (NULL, TRUE);

  /* The refresh hangs on the way; a second call joins it. */
  cd_portal_client_get_me_async (session->client, NULL, on_test_async_done,
                                 &other_result);
  while (rounds++ < 100)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (other_result);
  g_assert_null (cancelled_result);

  g_cancellable_cancel (cancellable);
  for (rounds = 0; cancelled_result == NULL && rounds < 100; rounds++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_nonnull (cancelled_result);
  account = cd_portal_client_get_me_finish (session->client, cancelled_result,
                                            &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (account);
  g_clear_error (&error);
  g_assert_null (other_result);

  /* Something in front of the portal gives up on the refresh at last: the
   * other call hears so, and the session is kept for the next try. */
  proxy_release_stalled (session->proxy);
  wait_for (&other_result);
  account = cd_portal_client_get_me_finish (session->client, other_result,
                                            &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_SERVER_ERROR);
  g_assert_null (account);
  assert_session_kept (session);
}

/* A device with an active booking of @module_code, booked directly. */
static char *
device_with_booking (CdPortalClient  *direct,
                     const char      *module_code,
                     char           **booking_id)
{
  g_autofree char *device_id = fresh_device (direct);
  g_autofree char *key = cd_portal_client_new_idempotency_key ();
  g_autoptr(CdBooking) booking = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (device_id);
  booking = sync_book_module (direct, device_id, module_code, -1, key, NULL,
                              &error);
  g_assert_no_error (error);
  *booking_id = g_strdup (cd_booking_get_id (booking));

  return g_steal_pointer (&device_id);
}

/* How many events of @action the device's history holds. */
static guint
count_events (CdPortalClient *direct,
              const char     *device_id,
              CdEventAction   action)
{
  g_autoptr(GListModel) events = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  events = sync_list_events (direct, device_id, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (events); i++)
    {
      g_autoptr(CdEvent) event = g_list_model_get_item (events, i);

      n += cd_event_get_action (event) == action;
    }

  return n;
}

/* Cancelling and withdrawing are changes like booking: the answer is lost
 * after the portal made the change, the client retries with the same key
 * and the stale revision, and the change is made once. */
static void
test_cancel_withdraw_drop_after_commit (void)
{
  g_autoptr(Proxy) proxy = proxy_new (cd_test_portal_get_url (portal));
  g_autoptr(CdPortalClient) direct = NULL;
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(CdDevice) detail = NULL;
  g_autoptr(CdBooking) cancelled = NULL;
  g_autoptr(CdBooking) withdrawn = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *device_id = NULL;
  g_autofree char *booking_id = NULL;
  g_autofree char *cancel_key = cd_portal_client_new_idempotency_key ();
  g_autofree char *withdraw_key = cd_portal_client_new_idempotency_key ();
  const Fault drop[] = { FAULT_DROP_AFTER_COMMIT };
  gint64 revision, new_revision = -1;
  guint sent_before;

  direct = signed_in_client (cd_test_portal_get_url (portal), ADMIN);
  client = signed_in_client (proxy->url, ADMIN);
  cd_portal_client_set_timeout_for_testing (client, 1);
  device_id = device_with_booking (direct, "roster", &booking_id);
  detail = sync_get_device (direct, device_id, &error);
  g_assert_no_error (error);
  revision = cd_device_get_revision (detail);

  proxy_set_faults (proxy, "/cancel", drop, NULL, 1);
  sent_before = cd_portal_client_get_n_sent_for_testing (client);
  cancelled = sync_cancel_booking (client, device_id, booking_id, revision,
                                   cancel_key, &new_revision, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (proxy->n_faulted, ==, 2);
  g_assert_cmpuint (cd_portal_client_get_n_sent_for_testing (client) -
                    sent_before, ==, 2);
  g_assert_cmpint (cd_booking_get_state (cancelled), ==,
                   CD_BOOKING_STATE_CANCELLATION_PENDING);
  g_assert_cmpint (new_revision, >, revision);
  g_assert_cmpuint (count_events (direct, device_id,
                                  CD_EVENT_ACTION_MODULE_CANCELLED), ==, 1);

  proxy_set_faults (proxy, "/withdraw-cancellation", drop, NULL, 1);
  withdrawn = sync_withdraw_cancellation (client, device_id, booking_id,
                                          new_revision, withdraw_key, NULL,
                                          &error);
  g_assert_no_error (error);
  g_assert_cmpuint (proxy->n_faulted, ==, 2);
  g_assert_cmpint (cd_booking_get_state (withdrawn), ==,
                   CD_BOOKING_STATE_ACTIVE);
  g_assert_cmpuint (count_events (direct, device_id,
                                  CD_EVENT_ACTION_CANCELLATION_WITHDRAWN),
                    ==, 1);
}

/* At first contact, an address that does not speak HTTP is no portal. */
static void
test_sign_in_not_http (void)
{
  g_autoptr(Proxy) proxy = proxy_new (cd_test_portal_get_url (portal));
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  const Fault not_http[] = { FAULT_NOT_HTTP };

  client = cd_portal_client_new (proxy->url, &error);
  g_assert_no_error (error);
  proxy_set_faults (proxy, "/auth/token", not_http, NULL, 1);

  account = sync_sign_in (client, ADMIN, "demo", &error);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_NOT_A_PORTAL);
  g_assert_null (account);
  g_assert_cmpuint (proxy->n_faulted, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  portal = start_portal (0, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    {
      g_autofree char *path = g_strdup_printf ("/portal-faults/booking/%s",
                                               scenarios[i].name);

      g_test_add_data_func (path, &scenarios[i], run_scenario);
    }
  g_test_add_func ("/portal-faults/reading", test_get_faults);
  g_test_add_func ("/portal-faults/token/refresh-drop-after-commit",
                   test_refresh_drop_after_commit);
  g_test_add_func ("/portal-faults/token/refresh-stall-after-commit",
                   test_refresh_stall_after_commit);
  g_test_add_func ("/portal-faults/token/refresh-unavailable",
                   test_refresh_unavailable);
  g_test_add_func ("/portal-faults/token/sign-in-drop-after-commit",
                   test_sign_in_drop_after_commit);
  g_test_add_func ("/portal-faults/token/resume-drop-after-commit",
                   test_resume_drop_after_commit);
  g_test_add_func ("/portal-faults/token/sign-out-drop-after-commit",
                   test_sign_out_drop_after_commit);
  g_test_add_func ("/portal-faults/token/sign-in-not-http",
                   test_sign_in_not_http);
  g_test_add_func ("/portal-faults/token/cancel-while-refreshing",
                   test_cancel_while_refreshing);
  g_test_add_func ("/portal-faults/cancel-withdraw-drop-after-commit",
                   test_cancel_withdraw_drop_after_commit);

  status = g_test_run ();
  cd_test_portal_free (portal);

  return status;
}
