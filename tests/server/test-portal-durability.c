/* test-portal-durability.c: crashes, restarts and a later today.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "server-test-util.h"

#define TODAY "2026-12-14"

typedef struct
{
  char *device_id;
  char *module;
} Target;

static void
target_free (gpointer data)
{
  Target *target = data;

  g_free (target->device_id);
  g_free (target->module);
  g_free (target);
}

/* (device, module) pairs that can be booked now, one per device. */
static GPtrArray *
bookable_targets (SoupSession *session,
                  const char  *url,
                  const char  *token,
                  guint        max)
{
  g_autoptr(TestResponse) list = NULL;
  GPtrArray *targets = g_ptr_array_new_with_free_func (target_free);
  JsonArray *items;

  list = test_call (session, url, "GET", "/devices?limit=1000", token, NULL,
                    -1, NULL);
  g_assert_cmpuint (list->status, ==, 200);
  items = json_object_get_array_member (test_object (list), "items");
  for (guint i = 0; i < json_array_get_length (items) && targets->len < max; i++)
    {
      const char *id = json_object_get_string_member (
        json_array_get_object_element (items, i), "id");
      g_autofree char *path = g_strdup_printf ("/devices/%s", id);
      g_autoptr(TestResponse) detail = NULL;
      JsonArray *bookable;
      Target *target;

      detail = test_call (session, url, "GET", path, token, NULL, -1, NULL);
      g_assert_cmpuint (detail->status, ==, 200);
      bookable = json_object_get_array_member (test_object (detail),
                                               "bookable");
      if (json_array_get_length (bookable) == 0)
        continue;

      target = g_new0 (Target, 1);
      target->device_id = g_strdup (id);
      target->module = g_strdup (json_array_get_string_element (bookable, 0));
      g_ptr_array_add (targets, target);
    }

  return targets;
}

typedef struct
{
  CdTestPortal *portal;
  SoupSession  *session;
  GMainLoop    *loop;
  GPtrArray    *targets;
  char         *url;
  char         *auth;
  guint         next;
  guint         in_flight;
  guint         kill_after;
  gboolean      killed;
  GPtrArray    *created;     /* booking ids answered with 201 */
  GPtrArray    *created_on;  /* their device ids */
} Stream;

static void send_next (Stream *stream);

static void
on_booked (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Stream *stream = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source),
                                                            result);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  const char *device_id = g_object_get_data (G_OBJECT (msg), "device-id");

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                            &error);
  stream->in_flight--;

  if (error == NULL && soup_message_get_status (msg) == 201)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      gsize size = 0;
      const char *data = g_bytes_get_data (body, &size);

      g_assert_true (json_parser_load_from_data (parser, data, (gssize) size,
                                                 NULL));
      g_ptr_array_add (stream->created, g_strdup (json_object_get_string_member (
        json_node_get_object (json_parser_get_root (parser)), "id")));
      g_ptr_array_add (stream->created_on, g_strdup (device_id));
    }
  else if (!stream->killed)
    {
      g_assert_no_error (error);
      g_assert_cmpuint (soup_message_get_status (msg), ==, 201);
    }

  /* Crash while other bookings are on their way. */
  if (!stream->killed && stream->created->len >= stream->kill_after)
    {
      cd_test_portal_kill (stream->portal);
      stream->killed = TRUE;
    }

  if (!stream->killed)
    send_next (stream);
  if (stream->in_flight == 0 && (stream->killed
                                 || stream->next >= stream->targets->len))
    g_main_loop_quit (stream->loop);
}

static void
send_next (Stream *stream)
{
  while (stream->in_flight < 4 && stream->next < stream->targets->len)
    {
      Target *target = g_ptr_array_index (stream->targets, stream->next++);
      g_autofree char *api = g_strdup_printf ("%s/api/v1/devices/%s/bookings",
                                              stream->url, target->device_id);
      g_autofree char *body = g_strdup_printf ("{\"module\":\"%s\"}",
                                               target->module);
      g_autofree char *key = test_new_key ();
      g_autoptr(SoupMessage) msg = soup_message_new ("POST", api);
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

      soup_message_headers_replace (headers, "Authorization", stream->auth);
      soup_message_headers_replace (headers, "Idempotency-Key", key);
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
      g_object_set_data_full (G_OBJECT (msg), "device-id",
                              g_strdup (target->device_id), g_free);
      stream->in_flight++;
      soup_session_send_and_read_async (stream->session, msg,
                                        G_PRIORITY_DEFAULT, NULL, on_booked,
                                        stream);
    }
}

static void
assert_integrity (const char *database)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (database, &db, SQLITE_OPEN_READONLY, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1,
                                       &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
test_sigkill (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdTestPortal) portal = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(SoupSession) session = NULL;
  g_autofree char *token = NULL;
  g_autofree char *url = NULL;
  Stream stream = { 0 };

  portal = cd_test_portal_start (TODAY, 0, NULL, &error);
  g_assert_no_error (error);

  g_main_context_push_thread_default (context);
  session = test_session_new ();
  url = g_strdup (cd_test_portal_get_url (portal));
  token = test_sign_in (session, url, "admin@muster.example", NULL);

  stream.portal = portal;
  stream.session = session;
  stream.loop = g_main_loop_new (context, FALSE);
  stream.targets = bookable_targets (session, url, token, 80);
  stream.url = url;
  stream.auth = g_strconcat ("Bearer ", token, NULL);
  stream.kill_after = 25;
  stream.created = g_ptr_array_new_with_free_func (g_free);
  stream.created_on = g_ptr_array_new_with_free_func (g_free);
  g_assert_cmpuint (stream.targets->len, >, stream.kill_after + 8);

  send_next (&stream);
  g_main_loop_run (stream.loop);
  g_assert_true (stream.killed);
  g_assert_cmpuint (stream.created->len, >=, stream.kill_after);

  g_clear_object (&session);
  g_main_context_pop_thread_default (context);

  /* The database survived the crash... */
  assert_integrity (cd_test_portal_get_database (portal));

  /* ...and every booking that was answered 201 is there. */
  g_assert_true (cd_test_portal_restart (portal, NULL, &error));
  g_assert_no_error (error);
  session = test_session_new ();
  g_free (url);
  url = g_strdup (cd_test_portal_get_url (portal));
  g_free (token);
  token = test_sign_in (session, url, "admin@muster.example", NULL);

  for (guint i = 0; i < stream.created->len; i++)
    {
      g_autofree char *path = g_strdup_printf (
        "/devices/%s", (char *) g_ptr_array_index (stream.created_on, i));
      g_autoptr(TestResponse) detail = NULL;
      JsonArray *bookings;
      gboolean found = FALSE;

      detail = test_call (session, url, "GET", path, token, NULL, -1, NULL);
      g_assert_cmpuint (detail->status, ==, 200);
      bookings = json_object_get_array_member (test_object (detail),
                                               "bookings");
      for (guint j = 0; j < json_array_get_length (bookings); j++)
        if (g_strcmp0 (json_object_get_string_member (
                         json_array_get_object_element (bookings, j), "id"),
                       g_ptr_array_index (stream.created, i)) == 0)
          found = TRUE;
      g_assert_true (found);
    }

  assert_integrity (cd_test_portal_get_database (portal));

  g_main_loop_unref (stream.loop);
  g_ptr_array_unref (stream.targets);
  g_ptr_array_unref (stream.created);
  g_ptr_array_unref (stream.created_on);
  g_free (stream.auth);
}

static void
day_after (const char *date,
           char       *out)
{
  GDate day;

  g_date_clear (&day, 1);
  g_date_set_parse (&day, date);
  g_assert_true (g_date_valid (&day));
  g_date_add_days (&day, 1);
  g_snprintf (out, 11, "%04u-%02u-%02u", (guint) g_date_get_year (&day),
              (guint) g_date_get_month (&day), (guint) g_date_get_day (&day));
}

/* The state of a booking in the device's detail; NULL when the detail
 * no longer lists it (ended). */
static char *
booking_state_of (SoupSession  *session,
                  CdTestPortal *portal,
                  const char   *token,
                  const char   *device_path,
                  const char   *booking_id)
{
  g_autoptr(TestResponse) detail = NULL;
  JsonArray *bookings;

  detail = test_call (session, cd_test_portal_get_url (portal), "GET",
                      device_path, token, NULL, -1, NULL);
  g_assert_cmpuint (detail->status, ==, 200);
  bookings = json_object_get_array_member (test_object (detail), "bookings");
  for (guint i = 0; i < json_array_get_length (bookings); i++)
    {
      JsonObject *booking = json_array_get_object_element (bookings, i);

      if (g_strcmp0 (json_object_get_string_member (booking, "id"),
                     booking_id) == 0)
        return g_strdup (json_object_get_string_member (booking, "state"));
    }
  return NULL;
}

static void
test_later_today (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdTestPortal) portal = NULL;
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(TestResponse) list = NULL;
  g_autoptr(TestResponse) replayed = NULL;
  g_autoptr(TestResponse) first = NULL;
  g_autoptr(TestResponse) after = NULL;
  g_autofree char *token = NULL;
  g_autofree char *device_id = NULL;
  g_autofree char *booking_id = NULL;
  g_autofree char *ends_on = NULL;
  g_autofree char *path = NULL;
  g_autofree char *cancel_path = NULL;
  g_autofree char *key = test_new_key ();
  const char *headers[] = { "Idempotency-Key", key, NULL };
  char later[16];
  JsonArray *items;

  portal = cd_test_portal_start (TODAY, 0, NULL, &error);
  g_assert_no_error (error);
  token = test_sign_in (session, cd_test_portal_get_url (portal),
                        "admin@muster.example", NULL);

  /* A flex device: cancelling ends its module within a month. */
  list = test_call (session, cd_test_portal_get_url (portal), "GET",
                    "/devices?limit=1000&license=flex", token, NULL, -1, NULL);
  items = json_object_get_array_member (test_object (list), "items");
  for (guint i = 0; i < json_array_get_length (items) && booking_id == NULL; i++)
    {
      JsonObject *device = json_array_get_object_element (items, i);
      g_autoptr(TestResponse) detail = NULL;
      JsonArray *bookings;

      if (g_strcmp0 (json_object_get_string_member (
                       json_object_get_object_member (device, "license"),
                       "state"), "active") != 0)
        continue;
      g_free (path);
      path = g_strdup_printf ("/devices/%s",
                              json_object_get_string_member (device, "id"));
      detail = test_call (session, cd_test_portal_get_url (portal), "GET",
                          path, token, NULL, -1, NULL);
      bookings = json_object_get_array_member (test_object (detail),
                                               "bookings");
      for (guint j = 0; j < json_array_get_length (bookings); j++)
        {
          JsonObject *booking = json_array_get_object_element (bookings, j);

          if (g_strcmp0 (json_object_get_string_member (booking, "state"),
                         "active") == 0)
            {
              device_id = g_strdup (json_object_get_string_member (device,
                                                                   "id"));
              booking_id = g_strdup (json_object_get_string_member (booking,
                                                                    "id"));
              break;
            }
        }
    }
  g_assert_nonnull (booking_id);

  cancel_path = g_strdup_printf ("/devices/%s/bookings/%s/cancel", device_id,
                                 booking_id);
  first = test_call (session, cd_test_portal_get_url (portal), "POST",
                     cancel_path, token, NULL, -1, headers);
  g_assert_cmpuint (first->status, ==, 200);
  ends_on = g_strdup (json_object_get_string_member (test_object (first),
                                                     "ends_on"));
  g_assert_cmpstr (ends_on, >=, TODAY);
  g_assert_cmpstr (ends_on, <=, "2027-01-14");

  /* On ends_on itself the module is still usable... */
  g_assert_true (cd_test_portal_restart (portal, ends_on, &error));
  g_assert_no_error (error);
  g_free (token);
  token = test_sign_in (session, cd_test_portal_get_url (portal),
                        "admin@muster.example", NULL);
  {
    g_autofree char *state = booking_state_of (session, portal, token, path,
                                               booking_id);

    g_assert_cmpstr (state, ==, "cancellation_pending");
  }

  /* ...the day after it has ended; replays survive too. */
  day_after (ends_on, later);
  g_assert_true (cd_test_portal_restart (portal, later, &error));
  g_assert_no_error (error);
  g_free (token);
  token = test_sign_in (session, cd_test_portal_get_url (portal),
                        "admin@muster.example", NULL);

  after = test_call (session, cd_test_portal_get_url (portal), "GET", path,
                     token, NULL, -1, NULL);
  g_assert_cmpuint (after->status, ==, 200);
  items = json_object_get_array_member (test_object (after), "bookings");
  for (guint j = 0; j < json_array_get_length (items); j++)
    g_assert_cmpstr (json_object_get_string_member (
                       json_array_get_object_element (items, j), "id"),
                     !=, booking_id);

  /* The list agrees. */
  {
    g_autoptr(TestResponse) later_list = NULL;
    g_autofree char *module = g_strdup (json_object_get_string_member (
      test_object (first), "module"));
    JsonArray *devices;
    gboolean seen = FALSE;

    later_list = test_call (session, cd_test_portal_get_url (portal), "GET",
                            "/devices?limit=1000&license=flex", token, NULL,
                            -1, NULL);
    devices = json_object_get_array_member (test_object (later_list),
                                            "items");
    for (guint i = 0; i < json_array_get_length (devices); i++)
      {
        JsonObject *device = json_array_get_object_element (devices, i);
        JsonArray *modules = json_object_get_array_member (device, "modules");

        if (g_strcmp0 (json_object_get_string_member (device, "id"),
                       device_id) != 0)
          continue;
        seen = TRUE;
        for (guint j = 0; j < json_array_get_length (modules); j++)
          g_assert_cmpstr (json_object_get_string_member (
                             json_array_get_object_element (modules, j),
                             "code"), !=, module);
      }
    g_assert_true (seen);
  }

  replayed = test_call (session, cd_test_portal_get_url (portal), "POST",
                        cancel_path, token, NULL, -1, headers);
  g_assert_cmpuint (replayed->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_one (replayed->headers,
                                                 "Idempotent-Replayed"),
                   ==, "true");

  /* The ended booking does not come back: booking the module again makes
   * a new one. */
  {
    g_autofree char *book_path = g_strdup_printf ("/devices/%s/bookings",
                                                  device_id);
    g_autofree char *body = g_strdup_printf (
      "{\"module\":\"%s\"}",
      json_object_get_string_member (test_object (first), "module"));
    g_autofree char *book_key = test_new_key ();
    const char *book_headers[] = { "Idempotency-Key", book_key, NULL };
    g_autoptr(TestResponse) booked = NULL;

    booked = test_call (session, cd_test_portal_get_url (portal), "POST",
                        book_path, token, body, -1, book_headers);
    g_assert_cmpuint (booked->status, ==, 201);
    g_assert_cmpstr (json_object_get_string_member (test_object (booked),
                                                    "id"), !=, booking_id);
    g_assert_cmpstr (json_object_get_string_member (test_object (booked),
                                                    "booked_on"), ==, later);
    g_assert_cmpstr (json_object_get_string_member (test_object (booked),
                                                    "state"), ==, "active");
  }
}

static void
test_license_ended (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdTestPortal) portal = NULL;
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(TestResponse) list = NULL;
  g_autoptr(TestResponse) after = NULL;
  g_autoptr(TestResponse) later_list = NULL;
  g_autoptr(TestResponse) refused = NULL;
  g_autofree char *token = NULL;
  g_autofree char *device_id = NULL;
  g_autofree char *ends_on = NULL;
  g_autofree char *path = NULL;
  g_autofree char *book_path = NULL;
  g_autofree char *key = test_new_key ();
  const char *headers[] = { "Idempotency-Key", key, NULL };
  char later[16];
  JsonArray *items;
  JsonObject *device;
  JsonObject *license;
  gboolean seen = FALSE;

  portal = cd_test_portal_start (TODAY, 0, NULL, &error);
  g_assert_no_error (error);
  token = test_sign_in (session, cd_test_portal_get_url (portal),
                        "admin@muster.example", NULL);

  /* A cancelled license with modules still running until it ends. */
  list = test_call (session, cd_test_portal_get_url (portal), "GET",
                    "/devices?limit=1000", token, NULL, -1, NULL);
  items = json_object_get_array_member (test_object (list), "items");
  for (guint i = 0; i < json_array_get_length (items) && device_id == NULL;
       i++)
    {
      device = json_array_get_object_element (items, i);
      if (json_object_get_null_member (device, "license"))
        continue;
      license = json_object_get_object_member (device, "license");
      if (g_strcmp0 (json_object_get_string_member (license, "state"),
                     "cancelled") != 0
          || json_array_get_length (json_object_get_array_member (
               device, "modules")) == 0)
        continue;
      device_id = g_strdup (json_object_get_string_member (device, "id"));
      ends_on = g_strdup (json_object_get_string_member (license, "ends_on"));
    }
  g_assert_nonnull (device_id);
  g_assert_nonnull (ends_on);
  g_assert_cmpstr (ends_on, >=, TODAY);

  /* On the license's last day it and its modules still run. */
  g_assert_true (cd_test_portal_restart (portal, ends_on, &error));
  g_assert_no_error (error);
  g_free (token);
  token = test_sign_in (session, cd_test_portal_get_url (portal),
                        "admin@muster.example", NULL);
  {
    g_autofree char *last_day = g_strdup_printf ("/devices/%s", device_id);
    g_autoptr(TestResponse) on_last_day = NULL;

    on_last_day = test_call (session, cd_test_portal_get_url (portal), "GET",
                             last_day, token, NULL, -1, NULL);
    g_assert_cmpuint (on_last_day->status, ==, 200);
    g_assert_cmpstr (json_object_get_string_member (
                       json_object_get_object_member (
                         test_object (on_last_day), "license"), "state"),
                     ==, "cancelled");
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                        test_object (on_last_day), "bookings")), >, 0);
  }

  /* The day after the license's last day. */
  day_after (ends_on, later);
  g_assert_true (cd_test_portal_restart (portal, later, &error));
  g_assert_no_error (error);
  g_free (token);
  token = test_sign_in (session, cd_test_portal_get_url (portal),
                        "admin@muster.example", NULL);

  path = g_strdup_printf ("/devices/%s", device_id);
  after = test_call (session, cd_test_portal_get_url (portal), "GET", path,
                     token, NULL, -1, NULL);
  g_assert_cmpuint (after->status, ==, 200);
  device = test_object (after);
  license = json_object_get_object_member (device, "license");
  g_assert_cmpstr (json_object_get_string_member (license, "state"), ==,
                   "ended");
  g_assert_cmpstr (json_object_get_string_member (license, "ends_on"), ==,
                   ends_on);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      device, "modules")), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      device, "bookings")), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      device, "bookable")), ==, 0);

  /* The list agrees. */
  later_list = test_call (session, cd_test_portal_get_url (portal), "GET",
                          "/devices?limit=1000", token, NULL, -1, NULL);
  items = json_object_get_array_member (test_object (later_list), "items");
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      device = json_array_get_object_element (items, i);
      if (g_strcmp0 (json_object_get_string_member (device, "id"),
                     device_id) != 0)
        continue;
      seen = TRUE;
      license = json_object_get_object_member (device, "license");
      g_assert_cmpstr (json_object_get_string_member (license, "state"), ==,
                       "ended");
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                          device, "modules")), ==, 0);
    }
  g_assert_true (seen);

  /* Nothing can be booked onto it any more. */
  book_path = g_strdup_printf ("/devices/%s/bookings", device_id);
  refused = test_call (session, cd_test_portal_get_url (portal), "POST",
                       book_path, token, "{\"module\":\"tickets\"}", -1,
                       headers);
  test_assert_problem (refused, 422, "license_not_active");
}

/* The portal's stderr with G_MESSAGES_DEBUG=cd-server, after it stopped. */
typedef struct
{
  GSubprocess *process;    /* (owned) */
  char        *dir;        /* (owned) */
  char        *database;   /* (owned) */
  char        *url;        /* (owned) */
} LoggedPortal;

/* In the child: an aborted test leaves no portal behind holding the
 * test's pipes. */
static void
die_with_test (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != GPOINTER_TO_INT (user_data))
    _exit (1);
}

static void
logged_portal_start (LoggedPortal *portal)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;

  portal->dir = g_dir_make_tmp ("cd-portal-log-XXXXXX", &error);
  g_assert_no_error (error);
  portal->database = g_build_filename (portal->dir, "portal.db", NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "cd-server",
                                TRUE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_test,
                                         GINT_TO_POINTER (getpid ()), NULL);
  portal->process = g_subprocess_launcher_spawn (
    launcher, &error, g_getenv ("CD_PORTAL_PROGRAM"), "--listen",
    "127.0.0.1:0", "--database", portal->database, "--seed-demo",
    "--devices", "20", "--today", TODAY, NULL);
  g_assert_no_error (error);

  /* The URL is still the first line, debug messages or not. */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (
    portal->process));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (out),
                                               FALSE);
  portal->url = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (portal->url, "http://127.0.0.1:"));
}

/* Stops the portal; its log lines. */
static GStrv
logged_portal_stop (LoggedPortal *portal)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) log = NULL;
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();
  g_autofree char *wal = g_strconcat (portal->database, "-wal", NULL);
  g_autofree char *shm = g_strconcat (portal->database, "-shm", NULL);

  g_subprocess_send_signal (portal->process, SIGTERM);
  g_output_stream_splice (sink, g_subprocess_get_stderr_pipe (portal->process),
                          G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (portal->process, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (portal->process));
  g_assert_cmpint (g_subprocess_get_exit_status (portal->process), ==, 0);

  g_unlink (wal);
  g_unlink (shm);
  g_unlink (portal->database);
  g_rmdir (portal->dir);
  g_clear_object (&portal->process);
  g_clear_pointer (&portal->dir, g_free);
  g_clear_pointer (&portal->database, g_free);
  g_clear_pointer (&portal->url, g_free);

  log = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (sink));
  {
    g_autofree char *text = g_strndup (g_bytes_get_data (log, NULL),
                                       g_bytes_get_size (log));

    g_test_message ("portal log:\n%s", text);
    return g_strsplit (text, "\n", -1);
  }
}

typedef struct
{
  const char *method;
  char       *path;         /* (owned) */
  guint       status;
} Logged;

static void
expect (GArray     *expected,
        const char *method,
        const char *path,
        guint       status)
{
  Logged logged = { method, g_strconcat ("/api/v1", path, NULL), status };

  g_array_append_val (expected, logged);
}

static void
logged_clear (gpointer data)
{
  g_free (((Logged *) data)->path);
}

static void
test_request_log (void)
{
  const char *wrong_password = "Falsches-Passwort-4711";
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(GArray) expected = g_array_new (FALSE, TRUE, sizeof (Logged));
  g_autoptr(GRegex) line_regex = NULL;
  g_autoptr(GPtrArray) secrets = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(TestResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *token = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *new_refresh = NULL;
  g_autofree char *body = NULL;
  g_autofree char *device_id = NULL;
  g_autofree char *book_path = NULL;
  g_autofree char *key = test_new_key ();
  g_autoptr(GString) big = g_string_new ("{\"module\":\"");
  const char *headers[] = { "Idempotency-Key", key, NULL };
  LoggedPortal portal = { 0 };
  guint n_logged = 0;

  g_array_set_clear_func (expected, logged_clear);
  logged_portal_start (&portal);

  /* Sign in, once wrong and once right, refresh, book, revoke. */
  body = g_strdup_printf ("{\"grant_type\":\"password\",\"username\":"
                          "\"admin@muster.example\",\"password\":\"%s\"}",
                          wrong_password);
  response = test_call (session, portal.url, "POST", "/auth/token", NULL, body,
                        -1, NULL);
  test_assert_problem (response, 400, "invalid_grant");
  g_clear_pointer (&response, test_response_free);
  expect (expected, "POST", "/auth/token", 400);

  token = test_sign_in (session, portal.url, "admin@muster.example", &refresh);
  expect (expected, "POST", "/auth/token", 200);

  g_free (body);
  body = g_strdup_printf ("{\"grant_type\":\"refresh_token\","
                          "\"refresh_token\":\"%s\"}", refresh);
  response = test_call (session, portal.url, "POST", "/auth/token", NULL, body,
                        -1, NULL);
  g_assert_cmpuint (response->status, ==, 200);
  g_ptr_array_add (secrets, g_strdup (json_object_get_string_member (
    test_object (response), "access_token")));
  new_refresh = g_strdup (json_object_get_string_member (
    test_object (response), "refresh_token"));
  g_clear_pointer (&response, test_response_free);
  expect (expected, "POST", "/auth/token", 200);

  /* Flexible forms go with every license type. */
  response = test_call (session, portal.url, "GET", "/devices?limit=1000",
                        token, NULL, -1, NULL);
  g_assert_cmpuint (response->status, ==, 200);
  {
    JsonArray *items = json_object_get_array_member (test_object (response),
                                                     "items");

    for (guint i = 0; i < json_array_get_length (items) && !device_id; i++)
      {
        JsonObject *device = json_array_get_object_element (items, i);
        JsonArray *modules = json_object_get_array_member (device, "modules");
        gboolean booked = FALSE;

        if (json_object_get_null_member (device, "license")
            || g_strcmp0 (json_object_get_string_member (
                            json_object_get_object_member (device, "license"),
                            "state"), "active") != 0)
          continue;
        for (guint j = 0; j < json_array_get_length (modules); j++)
          if (g_strcmp0 (json_object_get_string_member (
                           json_array_get_object_element (modules, j), "code"),
                         "flexible-forms") == 0)
            booked = TRUE;
        if (!booked)
          device_id = g_strdup (json_object_get_string_member (device, "id"));
      }
  }
  g_assert_nonnull (device_id);
  g_clear_pointer (&response, test_response_free);
  expect (expected, "GET", "/devices", 200);
  g_free (body);
  body = g_strdup ("{\"module\":\"flexible-forms\"}");

  book_path = g_strdup_printf ("/devices/%s/bookings", device_id);
  response = test_call (session, portal.url, "POST", book_path, token, body,
                        -1, headers);
  g_assert_cmpuint (response->status, ==, 201);
  g_clear_pointer (&response, test_response_free);
  expect (expected, "POST", book_path, 201);

  /* Bodies too large: announced, and chunked. */
  while (big->len <= 64 * 1024)
    g_string_append (big, "xxxxxxxxxxxxxxxx");
  g_string_append (big, "\"}");
  response = test_call (session, portal.url, "POST", book_path, token,
                        big->str, -1, headers);
  test_assert_problem (response, 413, "payload_too_large");
  g_clear_pointer (&response, test_response_free);
  expect (expected, "POST", book_path, 413);
  {
    g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (
      big->str, (gssize) big->len, NULL);

    response = test_send (session, portal.url, "POST", book_path, token,
                          stream, -1, headers, &error);
    g_assert_no_error (error);
    test_assert_problem (response, 413, "payload_too_large");
    g_clear_pointer (&response, test_response_free);
    expect (expected, "POST", book_path, 413);
  }

  g_free (body);
  body = g_strdup_printf ("{\"refresh_token\":\"%s\"}", new_refresh);
  response = test_call (session, portal.url, "POST", "/auth/revoke", token,
                        body, -1, NULL);
  g_assert_cmpuint (response->status, ==, 204);
  g_clear_pointer (&response, test_response_free);
  expect (expected, "POST", "/auth/revoke", 204);

  lines = logged_portal_stop (&portal);

  /* One line per request, in order: method, path, status, milliseconds. */
  line_regex = g_regex_new (" (GET|POST|PUT|DELETE|PATCH) (/\\S*) ([0-9]{3}) "
                            "[0-9]+\\.[0-9] ms", 0, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GMatchInfo) match = NULL;
      g_autofree char *method = NULL;
      g_autofree char *path = NULL;
      g_autofree char *status = NULL;
      Logged *want;

      if (!g_regex_match (line_regex, lines[i], 0, &match))
        {
          g_assert_null (strstr (lines[i], "/api/"));
          continue;
        }
      g_assert_cmpuint (n_logged, <, expected->len);
      want = &g_array_index (expected, Logged, n_logged++);
      method = g_match_info_fetch (match, 1);
      path = g_match_info_fetch (match, 2);
      status = g_match_info_fetch (match, 3);
      g_assert_cmpstr (method, ==, want->method);
      g_assert_cmpstr (path, ==, want->path);
      g_assert_cmpuint (g_ascii_strtoull (status, NULL, 10), ==, want->status);
    }
  g_assert_cmpuint (n_logged, ==, expected->len);

  /* Never a password, token or key. */
  g_ptr_array_add (secrets, g_strdup (wrong_password));
  g_ptr_array_add (secrets, g_strdup ("\"demo\""));
  g_ptr_array_add (secrets, g_strdup (token));
  g_ptr_array_add (secrets, g_strdup (refresh));
  g_ptr_array_add (secrets, g_strdup (new_refresh));
  g_ptr_array_add (secrets, g_strdup (key));
  g_ptr_array_add (secrets, g_strdup ("Bearer"));
  g_ptr_array_add (secrets, g_strdup ("xxxxxxxx"));
  g_ptr_array_add (secrets, g_strdup ("flexible-forms"));
  for (guint i = 0; lines[i] != NULL; i++)
    {
      for (guint j = 0; j < secrets->len; j++)
        g_assert_null (strstr (lines[i], g_ptr_array_index (secrets, j)));
      /* The demo password; "demo" appears in the seeding lines. */
      if (strstr (lines[i], "/api/") != NULL)
        g_assert_null (strstr (lines[i], "demo"));
    }
}

static void
test_bad_arguments (void)
{
  static const char * const cases[][9] = {
    { "--bogus", NULL },
    { "--listen", "127.0.0.1:0", NULL },
    { "--listen", "nowhere:80", "--database", "x.db", NULL },
    { "--listen", "127.0.0.1:70000", "--database", "x.db", NULL },
    { "--listen", "127.0.0.1", "--database", "x.db", NULL },
    { "--today", "2026-02-30", "--listen", "127.0.0.1:0", NULL },
    { "--devices", "-5", NULL },
    { "--tls-key", "key.pem", "--listen", "127.0.0.1:0", NULL },
    /* Dates the demo data and the terms cannot reach from. */
    { "--today", "0001-01-05", "--listen", "127.0.0.1:0", "--database",
      "x.db", NULL },
    { "--today", "3000-01-01", "--listen", "127.0.0.1:0", "--database",
      "x.db", NULL },
    { "--devices", "10000001", "--listen", "127.0.0.1:0", "--database",
      "x.db", NULL },
    { "--tls-certificate", "none.pem", "--tls-key", "none.pem", "--listen",
      "127.0.0.1:0", "--database", "x.db", NULL },
  };
  const char *program = g_getenv ("CD_PORTAL_PROGRAM");

  g_assert_nonnull (program);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GError) error = NULL;

      g_ptr_array_add (argv, (gpointer) program);
      for (guint j = 0; cases[i][j] != NULL; j++)
        g_ptr_array_add (argv, (gpointer) cases[i][j]);
      g_ptr_array_add (argv, NULL);

      process = g_subprocess_newv ((const char * const *) argv->pdata,
                                   G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                   | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                   &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_wait (process, NULL, &error));
      g_assert_true (g_subprocess_get_if_exited (process));
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 2);
      g_assert_false (g_file_test ("x.db", G_FILE_TEST_EXISTS));
    }
}

static void
test_help (void)
{
  static const char * const options[] = {
    "--listen", "--database", "--seed-demo", "--devices", "--today",
    "--tls-certificate", "--tls-key",
  };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              g_getenv ("CD_PORTAL_PROGRAM"), "--help", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out,
                                                NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    g_assert_nonnull (strstr (out, options[i]));
}

/* A database the portal cannot use: exit 1 with the file named. */
static void
assert_database_refused (const char *database)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                              | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              g_getenv ("CD_PORTAL_PROGRAM"), "--listen",
                              "127.0.0.1:0", "--database", database,
                              "--seed-demo", "--devices", "10", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out,
                                                &err, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, database));
}

static void
test_bad_database (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cd-portal-db-XXXXXX", NULL);
  g_autofree char *text = g_build_filename (dir, "notes.txt", NULL);
  g_autofree char *newer = g_build_filename (dir, "newer.db", NULL);
  g_autofree char *missing = g_build_filename (dir, "no", "such", "dir",
                                               "portal.db", NULL);
  sqlite3 *db = NULL;

  g_assert_true (g_file_set_contents (text, "Dienstplan\n", -1, NULL));
  assert_database_refused (text);

  /* The schema is versioned: one from a newer portal is not touched. */
  g_assert_cmpint (sqlite3_open (newer, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 2", NULL, NULL,
                                 NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  assert_database_refused (newer);

  assert_database_refused (missing);

  g_unlink (text);
  g_unlink (newer);
  g_rmdir (dir);
}

static void
test_stop_signals (void)
{
  static const int signals[] = { SIGTERM, SIGINT };
  const char *program = g_getenv ("CD_PORTAL_PROGRAM");

  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      g_autofree char *dir = g_dir_make_tmp ("cd-portal-term-XXXXXX", NULL);
      g_autofree char *database = g_build_filename (dir, "portal.db", NULL);
      g_autofree char *wal = g_strconcat (database, "-wal", NULL);
      g_autofree char *shm = g_strconcat (database, "-shm", NULL);
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GDataInputStream) out = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *line = NULL;

      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                  program, "--listen", "127.0.0.1:0",
                                  "--database", database, "--seed-demo",
                                  "--devices", "10", NULL);
      g_assert_no_error (error);
      out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
      line = g_data_input_stream_read_line (out, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_str_has_prefix (line, "http://127.0.0.1:"));

      g_subprocess_send_signal (process, signals[i]);
      g_assert_true (g_subprocess_wait (process, NULL, &error));
      g_assert_true (g_subprocess_get_if_exited (process));
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

      /* Closed cleanly: the write-ahead log went into the database. */
      g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
      assert_integrity (database);

      g_unlink (wal);
      g_unlink (shm);
      g_unlink (database);
      g_rmdir (dir);
    }
}

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *data = NULL;
  gsize size = 0;

  if (!g_file_get_contents (path, &data, &size, NULL))
    return FALSE;
  return memmem (data, size, needle, strlen (needle)) != NULL;
}

static gint64
count_rows (sqlite3    *db,
            const char *sql,
            const char *text)
{
  sqlite3_stmt *stmt = NULL;
  gint64 count;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==,
                   SQLITE_OK);
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return count;
}

static void
test_secrets_at_rest (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdTestPortal) portal = NULL;
  g_autoptr(SoupSession) session = test_session_new ();
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *access_hash = NULL;
  g_autofree char *refresh_hash = NULL;
  g_autofree char *wal = NULL;
  const char *database;
  sqlite3 *db = NULL;

  portal = cd_test_portal_start (TODAY, 20, NULL, &error);
  g_assert_no_error (error);
  database = cd_test_portal_get_database (portal);
  wal = g_strconcat (database, "-wal", NULL);
  access = test_sign_in (session, cd_test_portal_get_url (portal),
                         "admin@muster.example", &refresh);
  access_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, access, -1);
  refresh_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, refresh,
                                                -1);

  /* Tokens are kept only as their hashes... */
  g_assert_cmpint (sqlite3_open_v2 (database, &db, SQLITE_OPEN_READONLY, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM tokens WHERE hash = ?"
                                   " AND kind = 'access'", access_hash), ==, 1);
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM tokens WHERE hash = ?"
                                   " AND kind = 'refresh'", refresh_hash), ==,
                   1);
  /* ...and passwords as yescrypt hashes. */
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM users", NULL), ==, 3);
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM users WHERE"
                                   " password_hash LIKE '$y$%'", NULL), ==, 3);
  sqlite3_close (db);

  /* Nowhere in the files, the write-ahead log included. */
  g_assert_true (file_contains (database, "admin@muster.example"));
  g_assert_false (file_contains (database, access));
  g_assert_false (file_contains (database, refresh));
  g_assert_false (file_contains (wal, access));
  g_assert_false (file_contains (wal, refresh));
}

static void
test_access_token_expiry (void)
{
  const char * const extra[] = { "--access-token-lifetime", "2", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CdTestPortal) portal = NULL;
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(TestResponse) fresh = NULL;
  g_autoptr(TestResponse) expired = NULL;
  g_autoptr(TestResponse) refreshed = NULL;
  g_autofree char *token = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *body = NULL;
  const char *url;

  portal = cd_test_portal_start (TODAY, 20, extra, &error);
  g_assert_no_error (error);
  url = cd_test_portal_get_url (portal);
  token = test_sign_in (session, url, "admin@muster.example", &refresh);

  fresh = test_call (session, url, "GET", "/me", token, NULL, -1, NULL);
  g_assert_cmpuint (fresh->status, ==, 200);

  g_usleep (2200 * 1000);
  expired = test_call (session, url, "GET", "/me", token, NULL, -1, NULL);
  test_assert_problem (expired, 401, "unauthorized");

  /* The refresh token still works and brings a fresh access token. */
  body = g_strdup_printf ("{\"grant_type\":\"refresh_token\","
                          "\"refresh_token\":\"%s\"}", refresh);
  refreshed = test_call (session, url, "POST", "/auth/token", NULL, body, -1,
                         NULL);
  g_assert_cmpuint (refreshed->status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (test_object (refreshed),
                                               "expires_in"), ==, 2);
}

static gboolean
accept_test_certificate (SoupMessage          *msg,
                         GTlsCertificate      *certificate,
                         GTlsCertificateFlags  errors,
                         gpointer              user_data)
{
  GTlsCertificate *expected = user_data;

  return g_tls_certificate_is_same (certificate, expected);
}

static void
test_https (void)
{
  /* A self-signed pair for 127.0.0.1, made once with openssl req -x509. */
  g_autofree char *cert = g_build_filename (g_getenv ("CD_SOURCE_DIR"), "tests",
                                            "server", "test-portal-cert.pem",
                                            NULL);
  g_autofree char *key = g_build_filename (g_getenv ("CD_SOURCE_DIR"), "tests",
                                           "server", "test-portal-key.pem",
                                           NULL);
  const char * const extra[] = { "--tls-certificate", cert, "--tls-key", key,
                                 NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CdTestPortal) portal = NULL;
  g_autoptr(GTlsCertificate) expected = NULL;
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *api = NULL;

  expected = g_tls_certificate_new_from_file (cert, &error);
  g_assert_no_error (error);
  portal = cd_test_portal_start (TODAY, 20, extra, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (cd_test_portal_get_url (portal),
                                   "https://127.0.0.1:"));

  api = g_strconcat (cd_test_portal_get_url (portal), "/api/v1/auth/token",
                     NULL);
  msg = soup_message_new ("POST", api);
  g_signal_connect (msg, "accept-certificate",
                    G_CALLBACK (accept_test_certificate), expected);
  body = g_bytes_new_static ("{\"grant_type\":\"password\",\"username\":"
                             "\"admin@muster.example\",\"password\":\"demo\"}",
                             strlen ("{\"grant_type\":\"password\",\"username\":"
                                     "\"admin@muster.example\",\"password\":"
                                     "\"demo\"}"));
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  g_clear_pointer (&body, g_bytes_unref);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (body, NULL),
                                  (gssize) g_bytes_get_size (body),
                                  "\"access_token\""));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/durability/sigkill", test_sigkill);
  g_test_add_func ("/server/durability/later-today", test_later_today);
  g_test_add_func ("/server/durability/license-ended", test_license_ended);
  g_test_add_func ("/server/logging/requests", test_request_log);
  g_test_add_func ("/server/durability/bad-arguments", test_bad_arguments);
  g_test_add_func ("/server/durability/help", test_help);
  g_test_add_func ("/server/durability/bad-database", test_bad_database);
  g_test_add_func ("/server/durability/stop-signals", test_stop_signals);
  g_test_add_func ("/server/storage/secrets-at-rest", test_secrets_at_rest);
  g_test_add_func ("/server/auth/access-token-expiry",
                   test_access_token_expiry);
  g_test_add_func ("/server/https", test_https);

  return g_test_run ();
}
