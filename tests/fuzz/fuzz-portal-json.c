/* fuzz-portal-json.c: libFuzzer target for the portal's JSON readers.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cd-portal-json.h"
#include "device-compare.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

static void G_GNUC_NORETURN
disagree (const char   *what,
          const GError *tree_error,
          const GError *pull_error)
{
  fprintf (stderr, "device page readers disagree: %s\n"
           "  json-glib: %s\n  pull:      %s\n", what,
           tree_error != NULL ? tree_error->message : "(read)",
           pull_error != NULL ? pull_error->message : "(read)");
  abort ();
}

/* The pull reader of GET /devices must take a document exactly when
 * json-glib's path does (@parsed: cd_portal_json_parse () took it; @page
 * or @tree_error: what became of it), read the same devices, and refuse
 * for the same reason. */
static void
check_pulled_page (const guint8 *data,
                   size_t        size,
                   gboolean      parsed,
                   GListModel   *page,
                   const char   *cursor,
                   guint         total,
                   const GError *tree_error)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) pulled = NULL;
  g_autofree char *pulled_cursor = NULL;
  guint pulled_total = 0;
  const char *differs;

  pulled = cd_portal_json_pull_device_page ((const char *) data, size,
                                            &pulled_cursor, &pulled_total,
                                            &error);

  if ((page != NULL) != (pulled != NULL))
    disagree ("only one took the document", tree_error, error);

  if (page != NULL)
    {
      if (g_strcmp0 (cursor, pulled_cursor) != 0)
        disagree ("next_cursor", NULL, NULL);
      if (total != pulled_total)
        disagree ("total", NULL, NULL);
      if ((differs = compare_device_pages (page, pulled)) != NULL)
        disagree (differs, NULL, NULL);
      return;
    }

  if (!g_error_matches (error, CD_PORTAL_ERROR,
                        CD_PORTAL_ERROR_UNEXPECTED_RESPONSE))
    disagree ("error code", tree_error, error);

  /* No JSON: json-glib's words for that differ, the class may not. */
  if (!parsed)
    {
      if (!g_str_has_prefix (error->message,
                             "Unexpected response: not a JSON document"))
        disagree ("a document that is no JSON", tree_error, error);
      return;
    }

  if (strcmp (tree_error->message, error->message) != 0)
    disagree ("why the page was refused", tree_error, error);
}

/* Every reader sees every input: whatever the portal (or something
 * pretending to be it) sends, reading must fail cleanly or succeed; and
 * the two readers of a device page must agree. */
int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *cursor = NULL;
  g_autofree char *code = NULL;
  g_autofree char *title = NULL;
  g_autofree char *detail = NULL;
  g_autoptr(GObject) account = NULL;
  g_autoptr(GObject) types = NULL;
  g_autoptr(GObject) modules = NULL;
  g_autoptr(GObject) page = NULL;
  g_autoptr(GObject) device = NULL;
  g_autoptr(GObject) events = NULL;
  g_autoptr(GObject) booking = NULL;
  g_autoptr(GError) page_error = NULL;
  gint64 expires_in;
  guint total = 0;

  root = cd_portal_json_parse ((const char *) data, size, &page_error);
  if (root != NULL)
    page = G_OBJECT (cd_portal_json_read_device_page (root, &cursor, &total,
                                                      &page_error));
  check_pulled_page (data, size, root != NULL, G_LIST_MODEL (page), cursor,
                     total, page_error);
  if (root == NULL)
    return 0;

  cd_portal_json_read_token (root, &access, &refresh, &expires_in, NULL);
  account = G_OBJECT (cd_portal_json_read_account (root, NULL));
  types = G_OBJECT (cd_portal_json_read_license_types (root, NULL));
  modules = G_OBJECT (cd_portal_json_read_modules (root, NULL));
  device = G_OBJECT (cd_portal_json_read_device_detail (root, NULL));
  events = G_OBJECT (cd_portal_json_read_events (root, NULL));
  booking = G_OBJECT (cd_portal_json_read_booking (root, NULL));
  cd_portal_json_read_problem (root, &code, &title, &detail, NULL);

  /* The getters the UI calls must hold up on whatever was read, and so
   * must updating a listed device from its detail and back (a document
   * can be a page and a detail at once). */
  if (page != NULL)
    {
      GListModel *devices = G_LIST_MODEL (page);

      for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
        {
          g_autoptr(CdDevice) listed = g_list_model_get_item (devices, i);

          cd_device_has_pending_cancellation (listed);
          cd_device_get_earliest_pending_end (listed);
          if (device != NULL &&
              g_strcmp0 (cd_device_get_id (listed),
                         cd_device_get_id (CD_DEVICE (device))) == 0)
            {
              cd_device_update_from (listed, CD_DEVICE (device));
              cd_device_update_from (listed, CD_DEVICE (device));
              cd_device_update_from (CD_DEVICE (device), listed);
            }
        }
    }

  if (device != NULL)
    {
      CdDevice *d = CD_DEVICE (device);

      cd_device_has_pending_cancellation (d);
      cd_device_get_earliest_pending_end (d);
    }

  return 0;
}
