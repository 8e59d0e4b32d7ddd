/* fuzz-portal-json.c: libFuzzer target for the portal's JSON readers.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cd-portal-json.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

/* Every reader sees every input: whatever the portal (or something
 * pretending to be it) sends, reading must fail cleanly or succeed. */
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
  gint64 expires_in;
  guint total;

  root = cd_portal_json_parse ((const char *) data, size, NULL);
  if (root == NULL)
    return 0;

  cd_portal_json_read_token (root, &access, &refresh, &expires_in, NULL);
  account = G_OBJECT (cd_portal_json_read_account (root, NULL));
  types = G_OBJECT (cd_portal_json_read_license_types (root, NULL));
  modules = G_OBJECT (cd_portal_json_read_modules (root, NULL));
  page = G_OBJECT (cd_portal_json_read_device_page (root, &cursor, &total,
                                                    NULL));
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
