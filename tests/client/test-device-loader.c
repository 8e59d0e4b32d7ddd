/* test-device-loader.c: paging 10,000 devices into a list store.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <libsoup/soup.h>
#include <string.h>

#include "cd-client-test-util.h"

#define N_DEVICES 10000

static CdTestPortal *portal;

typedef struct
{
  GArray   *loaded_values;  /* (owned) of guint, each notify::loaded */
  GArray   *total_values;   /* (owned) of guint, the total at each */
  guint     n_splices;
  gboolean  only_appends;
  guint     n_finished;
  GError   *error;          /* (owned) (nullable) from ::finished */
} Progress;

static void
on_loaded_notify (CdDeviceLoader *loader,
                  GParamSpec     *pspec,
                  Progress       *progress)
{
  guint loaded = cd_device_loader_get_loaded (loader);
  guint total = cd_device_loader_get_total (loader);

  g_array_append_val (progress->loaded_values, loaded);
  g_array_append_val (progress->total_values, total);
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Progress   *progress)
{
  progress->n_splices++;
  if (removed != 0 || position + added != g_list_model_get_n_items (model))
    progress->only_appends = FALSE;
}

static void
on_finished (CdDeviceLoader *loader,
             const GError   *error,
             Progress       *progress)
{
  progress->n_finished++;
  g_clear_error (&progress->error);
  if (error != NULL)
    progress->error = g_error_copy (error);
}

static void
progress_init (Progress       *progress,
               CdDeviceLoader *loader)
{
  memset (progress, 0, sizeof *progress);
  progress->loaded_values = g_array_new (FALSE, FALSE, sizeof (guint));
  progress->total_values = g_array_new (FALSE, FALSE, sizeof (guint));
  progress->only_appends = TRUE;

  g_signal_connect (loader, "notify::loaded", G_CALLBACK (on_loaded_notify),
                    progress);
  g_signal_connect (cd_device_loader_get_model (loader), "items-changed",
                    G_CALLBACK (on_items_changed), progress);
  g_signal_connect (loader, "finished", G_CALLBACK (on_finished), progress);
}

static void
progress_clear (Progress       *progress,
                CdDeviceLoader *loader)
{
  g_signal_handlers_disconnect_by_data (loader, progress);
  g_signal_handlers_disconnect_by_data (cd_device_loader_get_model (loader),
                                        progress);
  g_clear_pointer (&progress->loaded_values, g_array_unref);
  g_clear_pointer (&progress->total_values, g_array_unref);
  g_clear_error (&progress->error);
}

static void
wait_finished (Progress *progress)
{
  while (progress->n_finished == 0)
    g_main_context_iteration (NULL, TRUE);
}

static void
assert_complete_and_ordered (CdDeviceLoader *loader)
{
  GListModel *model = cd_device_loader_get_model (loader);
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                     g_free, NULL);
  g_autoptr(CdDevice) previous = NULL;
  guint n = g_list_model_get_n_items (model);

  g_assert_cmpuint (n, ==, cd_device_loader_get_total (loader));
  g_assert_cmpuint (n, ==, cd_device_loader_get_loaded (loader));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (model, i);
      const char *id = cd_device_get_id (device);

      g_assert_true (g_hash_table_add (ids, g_strdup (id)));
      g_assert_true (cd_device_loader_find_device (loader, id) == device);
      if (previous != NULL)
        {
          int by_name = strcmp (cd_device_get_name (previous),
                                cd_device_get_name (device));

          g_assert_true (by_name < 0 ||
                         (by_name == 0 &&
                          strcmp (cd_device_get_id (previous), id) < 0));
        }
      g_set_object (&previous, device);
    }
}

static void
test_load_all (void)
{
  g_autoptr(CdPortalClient) client = signed_in_client (cd_test_portal_get_url (portal),
                                                       "admin@muster.example");
  g_autoptr(CdDeviceLoader) loader = cd_device_loader_new (client);
  Progress progress;

  progress_init (&progress, loader);
  g_assert_false (cd_device_loader_get_loading (loader));

  cd_device_loader_load (loader);
  g_assert_true (cd_device_loader_get_loading (loader));
  wait_finished (&progress);

  g_assert_no_error (progress.error);
  g_assert_cmpuint (progress.n_finished, ==, 1);
  g_assert_false (cd_device_loader_get_loading (loader));
  g_assert_cmpuint (cd_device_loader_get_total (loader), ==, N_DEVICES);
  assert_complete_and_ordered (loader);

  /* One splice per page of 1000, only appends, progress monotone. */
  g_assert_cmpuint (progress.n_splices, ==, N_DEVICES / 1000);
  g_assert_true (progress.only_appends);
  g_assert_cmpuint (progress.loaded_values->len, ==, N_DEVICES / 1000);
  for (guint i = 1; i < progress.loaded_values->len; i++)
    g_assert_cmpuint (g_array_index (progress.loaded_values, guint, i - 1),
                      <, g_array_index (progress.loaded_values, guint, i));
  /* Loaded n of 10,000 from the first page on: the total is known when
   * the first devices show, and the model grows by a page each time. */
  for (guint i = 0; i < progress.loaded_values->len; i++)
    {
      g_assert_cmpuint (g_array_index (progress.total_values, guint, i), ==,
                        N_DEVICES);
      g_assert_cmpuint (g_array_index (progress.loaded_values, guint, i), ==,
                        (i + 1) * 1000);
    }
  g_assert_cmpuint (g_array_index (progress.loaded_values, guint,
                                   progress.loaded_values->len - 1),
                    ==, N_DEVICES);

  /* Loading again while loaded does nothing. */
  cd_device_loader_load (loader);
  g_assert_false (cd_device_loader_get_loading (loader));

  progress_clear (&progress, loader);
}

static gboolean
is_bookable_standard (CdDevice *device)
{
  CdLicense *license = cd_device_get_license (device);

  return license != NULL &&
         cd_license_get_state (license) == CD_LICENSE_STATE_ACTIVE &&
         g_str_equal (cd_license_get_type_code (license), "standard") &&
         !cd_device_lookup_module_state (device, "file-manager", NULL);
}

static void
count_notify (guint *count)
{
  (*count)++;
}

static void
test_reload_keeps_objects (void)
{
  g_autoptr(CdPortalClient) client = signed_in_client (cd_test_portal_get_url (portal),
                                                       "admin@muster.example");
  g_autoptr(CdDeviceLoader) loader = cd_device_loader_new (client);
  g_autoptr(CdDevice) held = NULL;
  g_autoptr(CdBooking) booking = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = cd_portal_client_new_idempotency_key ();
  GListModel *model = cd_device_loader_get_model (loader);
  Progress progress;
  guint n_module_notifies = 0;

  progress_init (&progress, loader);
  cd_device_loader_set_page_size (loader, 700);
  cd_device_loader_load (loader);
  wait_finished (&progress);
  g_assert_no_error (progress.error);
  g_assert_cmpuint (progress.n_splices, ==, (N_DEVICES + 699) / 700);

  for (guint i = 0; i < g_list_model_get_n_items (model) && held == NULL; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (model, i);

      if (is_bookable_standard (device))
        held = g_steal_pointer (&device);
    }
  g_assert_nonnull (held);

  /* Someone books a module; the reload shows it on the same object. */
  booking = sync_book_module (client, cd_device_get_id (held), "file-manager",
                              -1, key, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect_swapped (held, "notify::module-codes",
                            G_CALLBACK (count_notify), &n_module_notifies);

  progress.n_finished = 0;
  cd_device_loader_reload (loader);
  g_assert_true (cd_device_loader_get_loading (loader));
  wait_finished (&progress);
  g_assert_no_error (progress.error);

  assert_complete_and_ordered (loader);
  g_assert_true (cd_device_loader_find_device (loader, cd_device_get_id (held))
                 == held);
  g_assert_true (g_strv_contains (cd_device_get_module_codes (held),
                                  "file-manager"));
  g_assert_cmpuint (n_module_notifies, ==, 1);

  progress_clear (&progress, loader);
}

static void
test_cancel_and_error (void)
{
  g_autoptr(CdPortalClient) client = signed_in_client (cd_test_portal_get_url (portal),
                                                       "admin@muster.example");
  g_autoptr(CdDeviceLoader) loader = cd_device_loader_new (client);
  g_autoptr(GError) error = NULL;
  Progress progress;
  guint idle_rounds = 0;

  progress_init (&progress, loader);

  /* A cancelled load is quiet: no "finished", not loading any more. */
  cd_device_loader_load (loader);
  cd_device_loader_cancel (loader);
  g_assert_false (cd_device_loader_get_loading (loader));
  while (idle_rounds++ < 200)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (progress.n_finished, ==, 0);

  /* A failing load says why. */
  g_assert_true (sync_sign_out (client, &error));
  g_assert_no_error (error);
  cd_device_loader_load (loader);
  wait_finished (&progress);
  g_assert_error (progress.error, CD_PORTAL_ERROR,
                  CD_PORTAL_ERROR_NOT_SIGNED_IN);
  g_assert_false (cd_device_loader_get_loading (loader));

  progress_clear (&progress, loader);
}

/* Cancelled after the first pages arrived, then started again: the load
 * starts over from an empty model and ends complete, each device once. */
static void
test_cancel_and_restart (void)
{
  g_autoptr(CdPortalClient) client = signed_in_client (cd_test_portal_get_url (portal),
                                                       "admin@muster.example");
  g_autoptr(CdDeviceLoader) loader = cd_device_loader_new (client);
  GListModel *model = cd_device_loader_get_model (loader);
  Progress progress;
  guint rounds;

  progress_init (&progress, loader);
  cd_device_loader_load (loader);
  while (cd_device_loader_get_loaded (loader) < 2000)
    g_main_context_iteration (NULL, TRUE);
  cd_device_loader_cancel (loader);
  g_assert_false (cd_device_loader_get_loading (loader));
  g_assert_cmpuint (cd_device_loader_get_loaded (loader), <, N_DEVICES);

  /* Nothing more arrives after the cancellation. */
  for (rounds = 0; rounds < 200; rounds++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (progress.n_finished, ==, 0);
  g_assert_cmpuint (progress.loaded_values->len, ==,
                    cd_device_loader_get_loaded (loader) / 1000);

  progress.only_appends = TRUE;
  cd_device_loader_load (loader);
  g_assert_true (cd_device_loader_get_loading (loader));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  wait_finished (&progress);
  g_assert_no_error (progress.error);
  g_assert_cmpuint (progress.n_finished, ==, 1);
  assert_complete_and_ordered (loader);
  g_assert_cmpuint (cd_device_loader_get_loaded (loader), ==, N_DEVICES);

  progress_clear (&progress, loader);
}

/* A fake portal whose device list hands out the same cursor again. */
static void
on_looping_portal (SoupServer        *server,
                   SoupServerMessage *message,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  guint *n_pages = user_data;
  g_autofree char *body = NULL;

  if (g_str_equal (path, "/api/v1/auth/token"))
    body = g_strdup ("{\"access_token\":\"a\",\"token_type\":\"Bearer\","
                     "\"expires_in\":900,\"refresh_token\":\"r\"}");
  else if (g_str_equal (path, "/api/v1/me"))
    body = g_strdup ("{\"username\":\"u\",\"display_name\":\"U\","
                     "\"role\":\"admin\",\"tenant\":{\"id\":\"t\","
                     "\"name\":\"T\"}}");
  else if (g_str_equal (path, "/api/v1/devices"))
    {
      (*n_pages)++;
      body = g_strdup_printf ("{\"items\":[{\"id\":\"d-%u\",\"name\":\"D%u\","
                              "\"model\":\"M\",\"platform\":\"ios\","
                              "\"serial\":\"S\",\"app_version\":\"1\","
                              "\"last_seen_at\":\"2026-12-01T08:00:00Z\","
                              "\"license\":null,\"modules\":[]}],"
                              "\"next_cursor\":\"%s\",\"total\":1000}",
                              *n_pages, *n_pages,
                              *n_pages < 3 ? "again" : "elsewhere");
    }

  if (body == NULL)
    {
      soup_server_message_set_status (message, 404, NULL);
      return;
    }

  soup_server_message_set_status (message, 200, NULL);
  soup_server_message_set_response (message, "application/json",
                                    SOUP_MEMORY_COPY, body, strlen (body));
}

static void
test_repeated_cursor (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(CdDeviceLoader) loader = NULL;
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autofree char *url = NULL;
  Progress progress;
  guint n_pages = 0;

  soup_server_add_handler (server, NULL, on_looping_portal, &n_pages, NULL);
  g_assert_true (soup_server_listen_local (server, 0,
                                           SOUP_SERVER_LISTEN_IPV4_ONLY,
                                           &error));
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  client = signed_in_client (url, "u");
  loader = cd_device_loader_new (client);

  /* The first page points at "again", and so does the second: the loader
   * stops there with an error instead of asking for ever. */
  progress_init (&progress, loader);
  cd_device_loader_load (loader);
  wait_finished (&progress);
  g_assert_error (progress.error, CD_PORTAL_ERROR,
                  CD_PORTAL_ERROR_UNEXPECTED_RESPONSE);
  g_assert_cmpuint (n_pages, ==, 2);
  g_assert_false (cd_device_loader_get_loading (loader));
  g_assert_cmpuint (cd_device_loader_get_loaded (loader), ==, 2);

  progress_clear (&progress, loader);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  portal = start_portal (N_DEVICES, NULL);

  g_test_add_func ("/device-loader/load-all", test_load_all);
  g_test_add_func ("/device-loader/reload-keeps-objects",
                   test_reload_keeps_objects);
  g_test_add_func ("/device-loader/cancel-and-error", test_cancel_and_error);
  g_test_add_func ("/device-loader/cancel-and-restart",
                   test_cancel_and_restart);
  g_test_add_func ("/device-loader/repeated-cursor", test_repeated_cursor);

  status = g_test_run ();
  cd_test_portal_free (portal);

  return status;
}
