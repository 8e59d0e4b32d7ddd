/* test-devices-page.c: the device list against the local portal: rows,
 * search, filters, opening a device, refresh, states, in English and German.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cd-device-row.h"
#include "cd-devices-page.h"
#include "cd-format.h"
#include "cd-portal.h"
#include "cd-row-text.h"
#include "cd-test-portal.h"
#include "cd-ui-test.h"

#define TODAY "2026-12-14"

/* One portal, client, window and page for the whole run, in test order. */
static CdTestPortal   *portal;
static CdPortalClient *client;
static GtkWindow      *window;
static CdDevicesPage  *page;
static gboolean        german;

/* What the portal itself says, fetched with the client. */
static GPtrArray      *expected_devices;   /* of CdDevice */
static GListModel     *license_types;

static guint
portal_count (const char *query,
              const char *license)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;
  guint total = 0;

  cd_portal_client_list_devices_async (client, query, license, NULL, 1,
                                       NULL, cd_ui_test_store_result, &result);
  items = cd_portal_client_list_devices_finish (client,
                                                cd_ui_test_await (&result),
                                                &cursor, &total, &error);
  g_assert_no_error (error);

  return total;
}

static void
fetch_expected (void)
{
  g_autoptr(GAsyncResult) types_result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;

  cd_portal_client_list_license_types_async (client, NULL,
                                             cd_ui_test_store_result,
                                             &types_result);
  license_types = cd_portal_client_list_license_types_finish (
    client, cd_ui_test_await (&types_result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (license_types), >, 0);

  expected_devices = g_ptr_array_new_with_free_func (g_object_unref);
  do
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GListModel) items = NULL;
      g_autofree char *previous = g_steal_pointer (&cursor);
      guint total = 0;

      cd_portal_client_list_devices_async (client, NULL, NULL, previous, 1000,
                                           NULL, cd_ui_test_store_result, &result);
      items = cd_portal_client_list_devices_finish (client,
                                                    cd_ui_test_await (&result),
                                                    &cursor, &total, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < g_list_model_get_n_items (items); i++)
        g_ptr_array_add (expected_devices, g_list_model_get_item (items, i));
    }
  while (cursor != NULL);

  g_assert_cmpuint (expected_devices->len, >, 0);
}

static CdDevice *
find_expected (const char *id)
{
  for (guint i = 0; i < expected_devices->len; i++)
    {
      CdDevice *device = g_ptr_array_index (expected_devices, i);

      if (g_strcmp0 (cd_device_get_id (device), id) == 0)
        return device;
    }

  return NULL;
}

static const char *
expected_license_label (CdDevice *device)
{
  CdLicense *license = cd_device_get_license (device);

  if (license == NULL)
    return german ? "Keine Lizenz" : "No license";

  for (guint i = 0; i < g_list_model_get_n_items (license_types); i++)
    {
      g_autoptr(CdLicenseType) type = g_list_model_get_item (license_types, i);

      if (g_strcmp0 (cd_license_type_get_code (type),
                     cd_license_get_type_code (license)) == 0)
        return cd_license_type_get_name (type);
    }

  g_assert_not_reached ();
}

static GListModel *
shown_devices (void)
{
  return cd_devices_page_get_selection (page);
}

static guint
n_shown (void)
{
  return g_list_model_get_n_items (shown_devices ());
}

typedef struct {
  guint count;
} CountWait;

static gboolean
shown_count_is (gpointer user_data)
{
  CountWait *wait = user_data;

  return n_shown () == wait->count;
}

static void
assert_shown_count (guint count)
{
  CountWait wait = { count };

  if (!cd_ui_test_wait_until (shown_count_is, &wait, 10000))
    g_error ("the list shows %u devices, expected %u", n_shown (), count);

  /* Let the list lay out its rows for what it now shows. */
  cd_ui_test_iterate (200);
}

static void
collect_rows (GtkWidget *widget,
              GtkWidget *viewport,
              GPtrArray *rows)
{
  graphene_rect_t bounds;

  if (!gtk_widget_get_mapped (widget))
    return;

  if (CD_IS_DEVICE_ROW (widget) &&
      cd_device_row_get_device (CD_DEVICE_ROW (widget)) != NULL)
    {
      /* The list keeps a few rows ready outside the viewport. */
      if (gtk_widget_compute_bounds (widget, viewport, &bounds) &&
          bounds.origin.y >= 0 &&
          bounds.origin.y + bounds.size.height <= gtk_widget_get_height (viewport))
        g_ptr_array_add (rows, widget);
      return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_rows (child, viewport, rows);
}

/* The rows a user can see right now, whole. */
static GPtrArray *
visible_rows (void)
{
  GPtrArray *rows = g_ptr_array_new ();
  GtkWidget *list_view = cd_ui_test_find_by_type (GTK_WIDGET (page),
                                                  GTK_TYPE_LIST_VIEW);
  GtkWidget *viewport = gtk_widget_get_parent (list_view);

  collect_rows (viewport, viewport, rows);

  return rows;
}

/* Every visible row shows its license in the same column and the same
 * type size: rows that GTK made afresh and rows it reused look alike. */
static void
assert_rows_alike (void)
{
  g_autoptr(GPtrArray) rows = visible_rows ();
  double first_x = -1;
  int first_height = -1;

  g_assert_cmpuint (rows->len, >, 1);
  for (guint i = 0; i < rows->len; i++)
    {
      CdDeviceRow *row = g_ptr_array_index (rows, i);
      CdDevice *device = cd_device_row_get_device (row);
      GtkWidget *license = NULL;
      PangoLayout *layout = NULL;
      double x = 0;
      double y = 0;
      int height = 0;

      for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (row));
           child != NULL && license == NULL;
           child = gtk_widget_get_next_sibling (child))
        if (CD_IS_ROW_TEXT (child) &&
            g_strcmp0 (cd_row_text_get_text (CD_ROW_TEXT (child)),
                       expected_license_label (device)) == 0)
          license = child;

      g_assert_nonnull (license);
      g_assert_true (gtk_widget_translate_coordinates (license, GTK_WIDGET (row),
                                                       0, 0, &x, &y));
      layout = gtk_widget_create_pango_layout (license, "Standard");
      pango_layout_get_pixel_size (layout, NULL, &height);
      g_object_unref (layout);

      if (first_x < 0)
        {
          first_x = x;
          first_height = height;
        }
      g_assert_cmpfloat_with_epsilon (x, first_x, 0.5);
      g_assert_cmpint (height, ==, first_height);
    }
}

static gboolean
list_is_loaded (gpointer user_data)
{
  g_autoptr(GPtrArray) rows = visible_rows ();

  return n_shown () == expected_devices->len && rows->len > 0;
}

static char *
expected_count_text (guint count)
{
  g_autofree char *number = cd_format_count (count);

  return g_strdup_printf (german ? "%s Geräte" : "%s devices", number);
}

static void
assert_text_shown (const char *text)
{
  cd_ui_test_assert_shown (GTK_WIDGET (window), text);
}

static void
test_list_shows_devices (void)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *count_text = NULL;

  g_assert_true (cd_ui_test_wait_until (list_is_loaded, NULL, 30000));
  assert_text_shown (german ? "Geräte" : "Devices");
  count_text = expected_count_text (expected_devices->len);
  assert_text_shown (count_text);

  rows = visible_rows ();
  g_assert_cmpuint (rows->len, >=, 5);
  for (guint i = 0; i < rows->len; i++)
    {
      CdDeviceRow *row = g_ptr_array_index (rows, i);
      CdDevice *device = cd_device_row_get_device (row);
      CdDevice *expected = find_expected (cd_device_get_id (device));
      g_autofree char *text = cd_ui_test_collect_text (GTK_WIDGET (row));

      g_assert_nonnull (expected);
      g_assert_nonnull (strstr (text, cd_device_get_name (expected)));
      g_assert_nonnull (strstr (text, cd_device_get_serial (expected)));
      g_assert_nonnull (strstr (text, cd_device_get_model (expected)));
      if (strstr (text, expected_license_label (expected)) == NULL)
        g_error ("row of %s shows\n%s\nbut not the license “%s”",
                 cd_device_get_name (expected), text,
                 expected_license_label (expected));
    }

  /* Sorted by name, as the settings say by default. */
  for (guint i = 1; i < MIN (n_shown (), 50); i++)
    {
      g_autoptr(CdDevice) a = g_list_model_get_item (shown_devices (), i - 1);
      g_autoptr(CdDevice) b = g_list_model_get_item (shown_devices (), i);
      g_autofree char *key_a = g_utf8_casefold (cd_device_get_name (a), -1);
      g_autofree char *key_b = g_utf8_casefold (cd_device_get_name (b), -1);

      g_assert_cmpint (g_utf8_collate (key_a, key_b), <=, 0);
    }

  g_free (cd_ui_test_screenshot (GTK_WIDGET (window),
                                 german ? "devices-de.png" : "devices-en.png"));
}

/* Case- and accent-insensitive, as a user expects from a search field. */
static char *
fold (const char *text)
{
  g_autofree char *decomposed = g_utf8_normalize (text, -1, G_NORMALIZE_NFKD);
  g_autoptr(GString) plain = g_string_new (NULL);

  for (const char *p = decomposed; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_ismark (c))
        g_string_append_unichar (plain, c);
    }

  return g_utf8_casefold (plain->str, -1);
}

static guint
expected_matches (const char *query)
{
  g_autofree char *needle = fold (query);
  guint count = 0;

  for (guint i = 0; i < expected_devices->len; i++)
    {
      CdDevice *device = g_ptr_array_index (expected_devices, i);
      g_autofree char *name = fold (cd_device_get_name (device));
      g_autofree char *serial = fold (cd_device_get_serial (device));
      g_autofree char *model = fold (cd_device_get_model (device));

      if (strstr (name, needle) || strstr (serial, needle) ||
          strstr (model, needle))
        count++;
    }

  return count;
}

static GtkEditable *
search_entry (void)
{
  return GTK_EDITABLE (cd_ui_test_find_by_type (GTK_WIDGET (page),
                                                GTK_TYPE_SEARCH_ENTRY));
}

static gboolean
search_entry_is_mapped (gpointer user_data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (search_entry ()));
}

static void
search_for (const char *query)
{
  gtk_editable_set_text (search_entry (), query);
}

static void
test_search (void)
{
  CdDevice *some = g_ptr_array_index (expected_devices,
                                      expected_devices->len / 2);
  g_autofree char *serial_part = g_ascii_strdown (cd_device_get_serial (some)
                                                  + 2, 6);
  guint total = expected_devices->len;
  guint n_sud = expected_matches ("sud");
  guint n_koenig = expected_matches ("KONIGSTRASSE");

  g_assert_true (cd_ui_test_wait_until (list_is_loaded, NULL, 30000));

  /* Ctrl+F's action opens the search bar with the entry. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page),
                                             "devices.search", NULL));
  g_assert_true (cd_ui_test_wait_until (search_entry_is_mapped, NULL, 5000));

  /* A serial, typed in lower case. */
  search_for (serial_part);
  assert_shown_count (expected_matches (serial_part));
  g_assert_cmpuint (n_shown (), >=, 1);
  g_assert_cmpuint (n_shown (), <, total);
  assert_text_shown (cd_device_get_name (some));

  /* Accents and case do not matter: "sud" finds "Süd". */
  g_assert_cmpuint (n_sud, >, 0);
  search_for ("sud");
  assert_shown_count (n_sud);
  assert_text_shown ("Süd");
  g_assert_cmpuint (n_koenig, >, 0);
  search_for ("KONIGSTRASSE");
  assert_shown_count (n_koenig);
  assert_text_shown ("Königstraße");

  /* No match, then the page's own button clears the search. */
  search_for ("no such device zzz");
  assert_shown_count (0);
  assert_text_shown (german ? "Keine passenden Geräte" : "No Matching Devices");
  g_free (cd_ui_test_screenshot (GTK_WIDGET (window),
                                 german ? "devices-no-match-de.png"
                                        : "devices-no-match-en.png"));
  gtk_widget_activate (cd_ui_test_find_button (GTK_WIDGET (window),
                                               german ? "Suche zurücksetzen"
                                                      : "Clear Search"));
  assert_shown_count (total);
  g_assert_cmpstr (gtk_editable_get_text (search_entry ()), ==, "");

  search_for ("sud");
  assert_shown_count (n_sud);
  search_for ("");
  assert_shown_count (total);
  cd_ui_test_iterate (200);
  assert_rows_alike ();
}

/* Something that ends unless someone acts: a cancelled module or a
 * cancelled license. */
static gboolean
is_ending (CdDevice *device)
{
  CdLicense *license = cd_device_get_license (device);

  return cd_device_has_pending_cancellation (device) ||
         (license != NULL &&
          cd_license_get_state (license) == CD_LICENSE_STATE_CANCELLED);
}

static guint
expected_pending (void)
{
  guint count = 0;

  for (guint i = 0; i < expected_devices->len; i++)
    if (is_ending (g_ptr_array_index (expected_devices, i)))
      count++;

  return count;
}

typedef struct {
  CdDevice *device;
  char     *text;
} RowText;

/* Whether the row of a device, found afresh, shows @text. */
static gboolean
row_shows (gpointer user_data)
{
  RowText *wait = user_data;
  g_autoptr(GPtrArray) rows = visible_rows ();

  for (guint i = 0; i < rows->len; i++)
    if (cd_device_row_get_device (rows->pdata[i]) == wait->device)
      {
        g_autofree char *text = cd_ui_test_collect_text (rows->pdata[i]);

        return strstr (text, wait->text) != NULL;
      }

  return FALSE;
}

/* What the row's marker should say, from the device's bookings and
 * license as the portal reports them: the earliest end of a cancelled
 * module, else the end of the cancelled license. */
static char *
expected_marker (const char *device_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CdDevice) detail = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *date = NULL;
  GListModel *bookings;
  CdLicense *license;
  GDate earliest;

  cd_portal_client_get_device_async (client, device_id, NULL,
                                     cd_ui_test_store_result, &result);
  detail = cd_portal_client_get_device_finish (client,
                                               cd_ui_test_await (&result),
                                               &error);
  g_assert_no_error (error);

  g_date_clear (&earliest, 1);
  bookings = cd_device_get_bookings (detail);
  for (guint i = 0; i < g_list_model_get_n_items (bookings); i++)
    {
      g_autoptr(CdBooking) booking = g_list_model_get_item (bookings, i);
      const GDate *ends_on = cd_booking_get_ends_on (booking);

      if (cd_booking_get_state (booking) ==
            CD_BOOKING_STATE_CANCELLATION_PENDING &&
          ends_on != NULL &&
          (!g_date_valid (&earliest) || g_date_compare (ends_on, &earliest) < 0))
        earliest = *ends_on;
    }

  if (g_date_valid (&earliest))
    {
      date = cd_format_date (&earliest);
      return g_strdup_printf (german ? "Kündigung vorgemerkt zum %s"
                                     : "Cancellation pending: ends %s", date);
    }

  license = cd_device_get_license (detail);
  g_assert_nonnull (license);
  g_assert_cmpint (cd_license_get_state (license), ==,
                   CD_LICENSE_STATE_CANCELLED);
  date = cd_format_date (cd_license_get_ends_on (license));

  return g_strdup_printf (german ? "Lizenz gekündigt zum %s"
                                 : "License cancelled: ends %s", date);
}

static gboolean
menu_has_label (GMenuModel *menu,
                const char *label)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *own = NULL;
      g_autoptr(GMenuModel) section = NULL;

      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_LABEL,
                                           "s", &own) &&
          g_strcmp0 (own, label) == 0)
        return TRUE;

      section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);
      if (section != NULL && menu_has_label (section, label))
        return TRUE;
    }

  return FALSE;
}

static gboolean
filter_menu_is_complete (gpointer user_data)
{
  GtkMenuButton *button = user_data;
  GMenuModel *menu = gtk_menu_button_get_menu_model (button);
  g_autoptr(CdLicenseType) first = g_list_model_get_item (license_types, 0);

  return menu != NULL && menu_has_label (menu, cd_license_type_get_name (first));
}

static GtkMenuButton *
find_menu_button (GtkWidget  *root,
                  const char *tooltip)
{
  if (GTK_IS_MENU_BUTTON (root) &&
      g_strcmp0 (gtk_widget_get_tooltip_text (root), tooltip) == 0)
    return GTK_MENU_BUTTON (root);

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkMenuButton *found = find_menu_button (child, tooltip);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
test_filters (void)
{
  GtkMenuButton *filter_button = NULL;
  guint total = expected_devices->len;
  g_autoptr(GPtrArray) rows = NULL;

  g_assert_true (cd_ui_test_wait_until (list_is_loaded, NULL, 30000));

  /* The filter menu offers the portal's license types by name. */
  filter_button = find_menu_button (GTK_WIDGET (page),
                                    german ? "Filtern und sortieren"
                                           : "Filter and Sort");
  g_assert_nonnull (filter_button);
  g_assert_true (cd_ui_test_wait_until (filter_menu_is_complete,
                                        filter_button, 5000));
  g_assert_true (menu_has_label (gtk_menu_button_get_menu_model (filter_button),
                                 german ? "Keine Lizenz" : "No License"));

  for (guint i = 0; i < g_list_model_get_n_items (license_types); i++)
    {
      g_autoptr(CdLicenseType) type = g_list_model_get_item (license_types, i);
      const char *code = cd_license_type_get_code (type);

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page),
                                                 "devices.license-filter", "s",
                                                 code));
      assert_shown_count (portal_count (NULL, code));

      rows = visible_rows ();
      g_assert_cmpuint (rows->len, >, 0);
      for (guint j = 0; j < rows->len; j++)
        {
          g_autofree char *text = cd_ui_test_collect_text (rows->pdata[j]);

          g_assert_nonnull (strstr (text, cd_license_type_get_name (type)));
        }
      g_clear_pointer (&rows, g_ptr_array_unref);
    }

  /* Devices without a license, marked in red words. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page),
                                             "devices.license-filter", "s",
                                             "none"));
  assert_shown_count (portal_count (NULL, "none"));
  g_assert_cmpuint (n_shown (), >, 0);
  rows = visible_rows ();
  for (guint j = 0; j < rows->len; j++)
    {
      GtkWidget *label = cd_ui_test_find_text (rows->pdata[j],
                                               german ? "Keine Lizenz"
                                                      : "No license");

      g_assert_nonnull (label);
      g_assert_true (gtk_widget_has_css_class (label, "no-license"));
    }
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_free (cd_ui_test_screenshot (GTK_WIDGET (window),
                                 german ? "devices-no-license-de.png"
                                        : "devices-no-license-en.png"));

  /* Pending cancellations, with their end date marked on each row. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page),
                                             "devices.license-filter", "s",
                                             ""));
  assert_shown_count (total);
  g_assert_cmpuint (expected_pending (), >, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page),
                                             "devices.pending-only", NULL));
  assert_shown_count (expected_pending ());
  rows = visible_rows ();
  g_assert_cmpuint (rows->len, >, 0);
  for (guint j = 0; j < rows->len; j++)
    {
      RowText wait = { cd_device_row_get_device (rows->pdata[j]), NULL };

      /* A module's date comes with the device's detail, a moment later. */
      wait.text = expected_marker (cd_device_get_id (wait.device));
      g_assert_nonnull (wait.text);
      if (!cd_ui_test_wait_until (row_shows, &wait, 5000))
        g_error ("the row of %s does not show %s; the list shows:\n%s",
                 cd_device_get_name (wait.device), wait.text,
                 cd_ui_test_collect_text (GTK_WIDGET (page)));
      g_free (wait.text);
    }
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_free (cd_ui_test_screenshot (GTK_WIDGET (window),
                                 german ? "devices-pending-de.png"
                                        : "devices-pending-en.png"));
  assert_rows_alike ();

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page),
                                             "devices.pending-only", NULL));
  assert_shown_count (total);
}

static void
on_device_activated (CdDevicesPage *activated_page,
                     CdDevice      *device,
                     gpointer       user_data)
{
  CdDevice **out = user_data;

  g_set_object (out, device);
}

static void
test_enter_opens_device (void)
{
  g_autoptr(CdDevice) activated = NULL;
  g_autoptr(CdDevice) third = NULL;
  GtkWidget *list_view;
  gulong id;

  g_assert_true (cd_ui_test_wait_until (list_is_loaded, NULL, 30000));
  list_view = cd_ui_test_find_by_type (GTK_WIDGET (page), GTK_TYPE_LIST_VIEW);
  g_assert_nonnull (list_view);
  id = g_signal_connect (page, "device-activated",
                         G_CALLBACK (on_device_activated), &activated);

  /* Enter on a row runs the list's activate-item action for it. */
  third = g_list_model_get_item (shown_devices (), 2);
  g_assert_true (gtk_widget_activate_action (list_view, "list.activate-item",
                                             "u", 2));
  g_assert_true (activated == third);
  g_assert_nonnull (find_expected (cd_device_get_id (activated)));

  g_signal_handler_disconnect (page, id);
}

static gboolean
nothing_selected (gpointer user_data)
{
  g_autoptr(GtkBitset) selected =
    gtk_selection_model_get_selection (GTK_SELECTION_MODEL (shown_devices ()));

  return gtk_bitset_is_empty (selected);
}

static gboolean
two_selected (gpointer user_data)
{
  g_autoptr(GtkBitset) selected =
    gtk_selection_model_get_selection (GTK_SELECTION_MODEL (shown_devices ()));

  return gtk_bitset_get_size (selected) == 2 && n_shown () == expected_devices->len;
}

static void
test_refresh_keeps_selection (void)
{
  GtkSelectionModel *selection = GTK_SELECTION_MODEL (shown_devices ());
  g_autoptr(CdDevice) first = NULL;
  g_autoptr(CdDevice) second = NULL;
  g_autoptr(GtkBitset) selected = NULL;
  g_autoptr(CdDevice) first_after = NULL;
  g_autoptr(CdDevice) second_after = NULL;
  g_autofree char *first_id = NULL;
  g_autofree char *second_id = NULL;

  g_assert_true (cd_ui_test_wait_until (list_is_loaded, NULL, 30000));

  first = g_list_model_get_item (G_LIST_MODEL (selection), 3);
  second = g_list_model_get_item (G_LIST_MODEL (selection), 7);
  first_id = g_strdup (cd_device_get_id (first));
  second_id = g_strdup (cd_device_get_id (second));
  gtk_selection_model_select_item (selection, 3, TRUE);
  gtk_selection_model_select_item (selection, 7, FALSE);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page),
                                             "devices.refresh", NULL));
  /* The reload really happened: the model was cleared meanwhile. */
  g_assert_true (cd_ui_test_wait_until (nothing_selected, NULL, 5000));
  g_assert_true (cd_ui_test_wait_until (two_selected, NULL, 30000));

  selected = gtk_selection_model_get_selection (selection);
  g_assert_true (gtk_bitset_contains (selected, 3));
  g_assert_true (gtk_bitset_contains (selected, 7));
  first_after = g_list_model_get_item (G_LIST_MODEL (selection), 3);
  second_after = g_list_model_get_item (G_LIST_MODEL (selection), 7);
  g_assert_cmpstr (cd_device_get_id (first_after), ==, first_id);
  g_assert_cmpstr (cd_device_get_id (second_after), ==, second_id);
}

static void
test_offline_and_signed_out (void)
{
  g_autoptr(CdTestPortal) doomed = NULL;
  g_autoptr(CdPortalClient) doomed_client = NULL;
  g_autoptr(GError) error = NULL;

  doomed = cd_test_portal_start (TODAY, 0, NULL, &error);
  g_assert_no_error (error);
  doomed_client = cd_ui_test_sign_in (cd_test_portal_get_url (doomed),
                                      "admin@muster.example");
  cd_test_portal_kill (doomed);

  cd_devices_page_set_client (page, doomed_client);
  assert_text_shown (german ? "Portal nicht erreichbar" : "Portal Unreachable");
  g_assert_nonnull (cd_ui_test_find_button (GTK_WIDGET (window),
                                            german ? "Erneut versuchen"
                                                   : "Retry"));
  g_free (cd_ui_test_screenshot (GTK_WIDGET (window),
                                 german ? "devices-offline-de.png"
                                        : "devices-offline-en.png"));

  cd_devices_page_set_client (page, NULL);
  assert_text_shown (german ? "Keine Geräte" : "No Devices");
  g_assert_cmpuint (n_shown (), ==, 0);

  /* Signing in again shows the list again. */
  cd_devices_page_set_client (page, client);
  g_assert_true (cd_ui_test_wait_until (list_is_loaded, NULL, 30000));
}

int
main (int   argc,
      char *argv[])
{
  const char *language = g_getenv ("LANGUAGE");
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkCssProvider) css = NULL;
  int status;

  german = language != NULL && g_str_has_prefix (language, "de");
  cd_ui_test_init (&argc, &argv);

  portal = cd_test_portal_start (TODAY, 0, NULL, &error);
  g_assert_no_error (error);
  client = cd_ui_test_sign_in (cd_test_portal_get_url (portal),
                               "admin@muster.example");
  fetch_expected ();

  /* The application loads its style sheet; this test has no application. */
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/com/coredinate/Admin/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 1000, 700);
  page = g_object_new (CD_TYPE_DEVICES_PAGE, NULL);
  gtk_window_set_child (window, GTK_WIDGET (page));
  gtk_window_present (window);
  cd_devices_page_set_client (page, client);

  g_test_add_func ("/devices-page/list", test_list_shows_devices);
  g_test_add_func ("/devices-page/search", test_search);
  g_test_add_func ("/devices-page/filters", test_filters);
  g_test_add_func ("/devices-page/enter-opens-device", test_enter_opens_device);
  g_test_add_func ("/devices-page/refresh-keeps-selection",
                   test_refresh_keeps_selection);
  g_test_add_func ("/devices-page/offline-and-signed-out",
                   test_offline_and_signed_out);

  status = g_test_run ();

  gtk_window_destroy (window);
  g_clear_object (&client);
  g_clear_pointer (&expected_devices, g_ptr_array_unref);
  g_clear_object (&license_types);
  cd_test_portal_free (portal);

  return status;
}
