/* bench-device-page.c: times reading GET /devices pages, json-glib's way
 * and the pull reader's, on the same pages of the real portal.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsoup/soup.h>

#include "cd-portal-json.h"
#include "cd-test-portal.h"

#define TODAY "2026-12-14"

typedef enum
{
  READ_TREE,       /* cd_portal_json_parse () alone */
  READ_JSON_GLIB,  /* and cd_portal_json_read_device_page (): before */
  READ_PULL,       /* cd_portal_json_pull_device_page (): now */
  N_READS
} Read;

static GBytes *
send_or_die (SoupSession *session,
             SoupMessage *message)
{
  g_autoptr(GError) error = NULL;
  GBytes *body = soup_session_send_and_read (session, message, NULL, &error);

  if (body == NULL || soup_message_get_status (message) != SOUP_STATUS_OK)
    {
      fprintf (stderr, "bench-device-page: %s\n",
               error != NULL ? error->message : "not 200 OK");
      exit (1);
    }

  return body;
}

static char *
sign_in (SoupSession *session,
         const char  *url)
{
  static const char request[] =
    "{\"grant_type\":\"password\",\"username\":\"admin@muster.example\","
    "\"password\":\"demo\"}";
  g_autofree char *token_url = g_strconcat (url, "/api/v1/auth/token", NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("POST", token_url);
  g_autoptr(GBytes) request_body = g_bytes_new_static (request,
                                                       strlen (request));
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;
  gint64 expires_in;
  gsize length;
  const char *data;

  soup_message_set_request_body_from_bytes (message, "application/json",
                                            request_body);
  body = send_or_die (session, message);
  data = g_bytes_get_data (body, &length);
  root = cd_portal_json_parse (data, length, NULL);
  if (root == NULL ||
      !cd_portal_json_read_token (root, &access, &refresh, &expires_in, NULL))
    {
      fprintf (stderr, "bench-device-page: no token\n");
      exit (1);
    }

  return g_steal_pointer (&access);
}

/* Every page at limit=1000, as the app's loader asks for them. */
static GPtrArray *
fetch_pages (SoupSession *session,
             const char  *url,
             const char  *token)
{
  GPtrArray *pages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree char *authorization = g_strconcat ("Bearer ", token, NULL);
  g_autofree char *cursor = NULL;

  do
    {
      g_autofree char *escaped = NULL;
      g_autofree char *page_url = NULL;
      g_autoptr(SoupMessage) message = NULL;
      g_autoptr(GListModel) devices = NULL;
      g_autoptr(GError) error = NULL;
      GBytes *body;
      const char *data;
      gsize length;
      guint total;

      escaped = cursor != NULL ? g_uri_escape_string (cursor, NULL, TRUE)
                               : NULL;
      page_url = g_strdup_printf ("%s/api/v1/devices?limit=1000%s%s", url,
                                  escaped != NULL ? "&cursor=" : "",
                                  escaped != NULL ? escaped : "");
      message = soup_message_new ("GET", page_url);
      soup_message_headers_replace (soup_message_get_request_headers (message),
                                    "Authorization", authorization);
      body = send_or_die (session, message);
      g_ptr_array_add (pages, body);

      g_clear_pointer (&cursor, g_free);
      data = g_bytes_get_data (body, &length);
      devices = cd_portal_json_pull_device_page (data, length, &cursor,
                                                 &total, &error);
      if (devices == NULL)
        {
          fprintf (stderr, "bench-device-page: %s\n", error->message);
          exit (1);
        }
    }
  while (cursor != NULL);

  return pages;
}

/* Seconds to read every page one way, as read_body () does: the tree is
 * freed, the devices are the result and are not. */
static double
read_pages (GPtrArray *pages,
            Read       read,
            guint     *n_devices)
{
  double seconds = 0;

  *n_devices = 0;
  for (guint i = 0; i < pages->len; i++)
    {
      g_autoptr(GListModel) devices = NULL;
      g_autofree char *cursor = NULL;
      gsize length;
      const char *data = g_bytes_get_data (pages->pdata[i], &length);
      gint64 start = g_get_monotonic_time ();
      guint total;

      if (read == READ_PULL)
        devices = cd_portal_json_pull_device_page (data, length, &cursor,
                                                   &total, NULL);
      else
        {
          g_autoptr(JsonNode) root = cd_portal_json_parse (data, length,
                                                           NULL);

          if (read == READ_JSON_GLIB)
            devices = cd_portal_json_read_device_page (root, &cursor, &total,
                                                       NULL);
        }
      seconds += (g_get_monotonic_time () - start) / 1e6;

      if (devices != NULL)
        *n_devices += g_list_model_get_n_items (devices);
    }

  return seconds;
}

int
main (int   argc,
      char *argv[])
{
  static const char * const labels[N_READS] = {
    "json-glib tree alone:           ",
    "json-glib tree + readers (was): ",
    "pull reader (GET /devices now): ",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CdTestPortal) portal = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  g_autofree char *token = NULL;
  guint n_devices = argc > 1 ? (guint) atoi (argv[1]) : 100000;
  double best[N_READS] = { 0 };
  guint64 n_bytes = 0;
  guint n_read = 0;

  portal = cd_test_portal_start (TODAY, n_devices, NULL, &error);
  if (portal == NULL)
    {
      fprintf (stderr, "bench-device-page: %s\n", error->message);
      return 1;
    }
  session = soup_session_new ();
  token = sign_in (session, cd_test_portal_get_url (portal));
  pages = fetch_pages (session, cd_test_portal_get_url (portal), token);
  for (guint i = 0; i < pages->len; i++)
    n_bytes += g_bytes_get_size (pages->pdata[i]);

  /* Three passes, each way in turn; the best counts, since the machine
   * is shared. */
  for (guint pass = 0; pass < 3; pass++)
    {
      for (Read read = READ_TREE; read < N_READS; read++)
        {
          double seconds = read_pages (pages, read, &n_read);

          if (read != READ_TREE && n_read != n_devices)
            {
              fprintf (stderr, "bench-device-page: read %u of %u devices\n",
                       n_read, n_devices);
              return 1;
            }
          if (pass == 0 || seconds < best[read])
            best[read] = seconds;
        }
    }

  printf ("read %u devices, %u pages of 1000 (%.1f MB), best of 3:\n",
          n_devices, pages->len, n_bytes / 1e6);
  for (Read read = READ_TREE; read < N_READS; read++)
    printf ("  %s%.3f s (%.2f ms a page)\n", labels[read], best[read],
            best[read] * 1000 / MAX (pages->len, 1));

  return 0;
}
