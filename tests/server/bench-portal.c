/* bench-portal.c: times seeding, paging and booking on the real portal.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server-test-util.h"

#define TODAY "2026-12-14"

typedef struct
{
  guint   n_devices;
  guint   n_pages;
  guint64 n_bytes;
  double  http_s;     /* requests and responses only */
  double  total_s;    /* including json-glib parsing */
} PagingRun;

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Reads the whole body in large reads into a buffer of the announced
 * size; soup_session_send_and_read () adds milliseconds per 400 KB page. */
static GBytes *
read_body (SoupSession *session,
           SoupMessage *msg)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) buffer = NULL;
  goffset length;
  gsize done = 0;

  stream = soup_session_send (session, msg, NULL, &error);
  g_assert_no_error (error);
  length = soup_message_headers_get_content_length (
    soup_message_get_response_headers (msg));
  buffer = g_byte_array_sized_new ((guint) MAX (length, 4096));
  for (;;)
    {
      gsize n = 0;

      g_byte_array_set_size (buffer, (guint) (done + 256 * 1024));
      g_input_stream_read_all (stream, buffer->data + done, 256 * 1024, &n,
                               NULL, &error);
      g_assert_no_error (error);
      done += n;
      if (n < 256 * 1024)
        break;
    }
  g_byte_array_set_size (buffer, (guint) done);
  return g_byte_array_free_to_bytes (g_steal_pointer (&buffer));
}

/* Pages through every device at limit=1000, as the app's loader does.
 * Devices with an active license and no modules go to targets, up to
 * max_targets. */
static PagingRun
page_through (SoupSession *session,
              const char  *url,
              const char  *auth,
              GPtrArray   *targets,
              guint        max_targets)
{
  g_autofree char *cursor = NULL;
  PagingRun run = { 0 };
  gint64 start = g_get_monotonic_time ();
  gint64 http_usec = 0;

  do
    {
      g_autoptr(SoupMessage) msg = NULL;
      g_autoptr(GBytes) body = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *page_url = NULL;
      g_autofree char *escaped = NULL;
      gint64 before = g_get_monotonic_time ();
      const char *data;
      gsize size = 0;
      JsonObject *object;
      JsonArray *items;

      escaped = cursor ? g_uri_escape_string (cursor, NULL, TRUE) : NULL;
      page_url = g_strdup_printf ("%s/api/v1/devices?limit=1000%s%s", url,
                                  escaped ? "&cursor=" : "",
                                  escaped ? escaped : "");
      msg = soup_message_new ("GET", page_url);
      soup_message_headers_replace (soup_message_get_request_headers (msg),
                                    "Authorization", auth);
      body = read_body (session, msg);
      g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
      http_usec += g_get_monotonic_time () - before;
      run.n_bytes += g_bytes_get_size (body);

      data = g_bytes_get_data (body, &size);
      g_assert_true (json_parser_load_from_data (parser, data, (gssize) size,
                                                 NULL));
      object = json_node_get_object (json_parser_get_root (parser));
      items = json_object_get_array_member (object, "items");
      run.n_devices += json_array_get_length (items);
      run.n_pages++;

      for (guint i = 0; targets != NULL && targets->len < max_targets
                        && i < json_array_get_length (items); i++)
        {
          JsonObject *device = json_array_get_object_element (items, i);

          if (json_object_get_null_member (device, "license")
              || g_strcmp0 (json_object_get_string_member (
                              json_object_get_object_member (device,
                                                             "license"),
                              "state"), "active") != 0
              || json_array_get_length (json_object_get_array_member (
                   device, "modules")) > 0)
            continue;
          g_ptr_array_add (targets,
                           g_strdup (json_object_get_string_member (device,
                                                                    "id")));
        }

      g_clear_pointer (&cursor, g_free);
      if (!json_object_get_null_member (object, "next_cursor"))
        cursor = g_strdup (json_object_get_string_member (object,
                                                          "next_cursor"));
    }
  while (cursor != NULL);

  run.http_s = http_usec / 1e6;
  run.total_s = (g_get_monotonic_time () - start) / 1e6;
  return run;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdTestPortal) portal = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *token = NULL;
  g_autofree char *auth = NULL;
  const char *url;
  guint n_devices = argc > 1 ? (guint) atoi (argv[1]) : 100000;
  guint n_bookings = argc > 2 ? (guint) atoi (argv[2]) : 500;
  PagingRun best = { 0 };
  gint64 start;
  double seed_s;
  double median = 0;
  double p95 = 0;

  start = g_get_monotonic_time ();
  portal = cd_test_portal_start (TODAY, n_devices, NULL, &error);
  if (portal == NULL)
    {
      fprintf (stderr, "bench-portal: %s\n", error->message);
      return 1;
    }
  seed_s = (g_get_monotonic_time () - start) / 1e6;
  url = cd_test_portal_get_url (portal);
  session = test_session_new ();
  token = test_sign_in (session, url, "admin@muster.example", NULL);
  auth = g_strconcat ("Bearer ", token, NULL);

  /* Three passes; the best counts, since the machine is shared. */
  for (guint pass = 0; pass < 3; pass++)
    {
      PagingRun run = page_through (session, url, auth,
                                    pass == 0 ? targets : NULL, n_bookings);

      g_assert_cmpuint (run.n_devices, ==, n_devices);
      if (pass == 0 || run.http_s < best.http_s)
        best = run;
    }

  /* A stream of bookings, one after the other, each its own commit. */
  for (guint i = 0; i < targets->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/devices/%s/bookings",
                                               (char *) targets->pdata[i]);
      g_autofree char *key = test_new_key ();
      const char *headers[] = { "Idempotency-Key", key, NULL };
      g_autoptr(TestResponse) response = NULL;
      gint64 before = g_get_monotonic_time ();
      double ms;

      response = test_call (session, url, "POST", path, token,
                            "{\"module\":\"tickets\"}", -1, headers);
      ms = (g_get_monotonic_time () - before) / 1000.0;
      g_assert_cmpuint (response->status, ==, 201);
      g_array_append_val (latencies, ms);
    }

  g_array_sort (latencies, compare_doubles);
  if (latencies->len > 0)
    {
      median = g_array_index (latencies, double, latencies->len / 2);
      p95 = g_array_index (latencies, double, (latencies->len * 95) / 100);
    }

  printf ("seed %u devices (incl. start): %.2f s\n", n_devices, seed_s);
  printf ("page %u devices, %u pages of 1000 (best of 3):\n",
          best.n_devices, best.n_pages);
  printf ("  HTTP (server + transfer):      %.3f s (%.0f devices/s, "
          "%.1f MB)\n", best.http_s, best.n_devices / best.http_s,
          best.n_bytes / 1e6);
  printf ("  with json-glib parsing:        %.3f s (%.0f devices/s)\n",
          best.total_s, best.n_devices / best.total_s);
  printf ("book %u modules one by one:     median %.2f ms, p95 %.2f ms\n",
          latencies->len, median, p95);
  return 0;
}
