/* test-bulk-flow.c: the bulk actions, the CSV export and the pending
 * cancellations as a user reaches them from the device list of the real
 * window, against the local portal, in English and German.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cd-application.h"
#include "cd-bulk-dialog.h"
#include "cd-device-page.h"
#include "cd-device-row.h"
#include "cd-devices-page.h"
#include "cd-pending-view.h"
#include "cd-primary-menu-button.h"
#include "cd-sign-in-page.h"
#include "cd-test-portal.h"
#include "cd-ui-test.h"
#include "cd-window.h"

#define TODAY "2026-12-14"

static gboolean        german;
static CdTestPortal   *portal;
static CdApplication  *app;
static CdWindow       *window;
static CdDevicesPage  *page;

/* A session of its own, to ask the portal what it really stores. */
static CdPortalClient *checker;
static guint           portal_total;

/* Async calls */

static CdPortalClient *
sign_in_as (const char *username)
{
  return cd_ui_test_sign_in (cd_test_portal_get_url (portal), username);
}

static CdDevice *
fetch_detail (CdDevice *device)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CdDevice *detail;

  cd_portal_client_get_device_async (checker, cd_device_get_id (device), NULL,
                                     cd_ui_test_store_result, &result);
  detail = cd_portal_client_get_device_finish (checker,
                                               cd_ui_test_await (&result),
                                               &error);
  g_assert_no_error (error);

  return detail;
}

static guint
fetch_total (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;
  guint total = 0;

  cd_portal_client_list_devices_async (checker, NULL, NULL, NULL, 1, NULL,
                                       cd_ui_test_store_result, &result);
  items = cd_portal_client_list_devices_finish (checker,
                                                cd_ui_test_await (&result),
                                                &cursor, &total, &error);
  g_assert_no_error (error);

  return total;
}

/* The module's name in the user's language, as the portal gives it. */
static char *
fetch_module_name (const char *code)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) modules = NULL;
  g_autoptr(GError) error = NULL;

  cd_portal_client_list_modules_async (checker, NULL, cd_ui_test_store_result,
                                       &result);
  modules = cd_portal_client_list_modules_finish (checker,
                                                  cd_ui_test_await (&result),
                                                  &error);
  g_assert_no_error (error);

  for (guint i = 0; i < g_list_model_get_n_items (modules); i++)
    {
      g_autoptr(CdModule) module = g_list_model_get_item (modules, i);

      if (g_str_equal (cd_module_get_code (module), code))
        return g_strdup (cd_module_get_name (module));
    }

  g_assert_not_reached ();
}

/* What the window shows */

static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  g_autofree char *file = g_strdup_printf ("%s-%s.png", name,
                                           german ? "de" : "en");

  /* A window that just changed pages has not drawn them yet. */
  cd_ui_test_iterate (200);
  g_free (cd_ui_test_screenshot (widget, file));
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (g_type_is_a (G_OBJECT_TYPE (toplevel), type)
          && gtk_widget_get_mapped (GTK_WIDGET (toplevel)))
        return toplevel;
    }

  return NULL;
}

typedef struct {
  GType      type;
  GtkWindow *found;
} ToplevelWait;

static gboolean
toplevel_is_shown (gpointer user_data)
{
  ToplevelWait *wait = user_data;

  wait->found = find_toplevel (wait->type);

  return wait->found != NULL;
}

static GtkWindow *
wait_for_toplevel (GType type)
{
  ToplevelWait wait = { type, NULL };

  if (!cd_ui_test_wait_until (toplevel_is_shown, &wait, 10000))
    g_error ("No %s was shown", g_type_name (type));

  return wait.found;
}

static gboolean
toplevel_is_gone (gpointer user_data)
{
  return find_toplevel ((GType) GPOINTER_TO_SIZE (user_data)) == NULL;
}

static gboolean
page_is_shown (gpointer user_data)
{
  GtkWidget *widget = user_data;

  return gtk_widget_get_mapped (widget);
}

/* The device list */

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

static GtkActionBar *
selection_bar (void)
{
  return GTK_ACTION_BAR (cd_ui_test_find_by_type (GTK_WIDGET (page),
                                                  GTK_TYPE_ACTION_BAR));
}

static gboolean
bar_is_revealed (gpointer user_data)
{
  return gtk_action_bar_get_revealed (selection_bar ());
}

static gboolean
bar_is_hidden (gpointer user_data)
{
  return !gtk_action_bar_get_revealed (selection_bar ());
}

static gboolean
list_is_loaded (gpointer user_data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (page))
         && n_shown () == portal_total;
}

static void
wait_for_list (void)
{
  if (!cd_ui_test_wait_until (list_is_loaded, NULL, 60000))
    g_error ("The list shows %u of %u devices", n_shown (), portal_total);

  /* The loader reports the end right after the last page. */
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

  if (CD_IS_DEVICE_ROW (widget)
      && cd_device_row_get_device (CD_DEVICE_ROW (widget)) != NULL)
    {
      if (gtk_widget_compute_bounds (widget, viewport, &bounds)
          && bounds.origin.y >= 0
          && bounds.origin.y + bounds.size.height
             <= gtk_widget_get_height (viewport))
        g_ptr_array_add (rows, widget);
      return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_rows (child, viewport, rows);
}

typedef struct {
  CdDevice   *device;
  const char *text;
  char       *shown;
} RowWait;

/* Whether the row of the device, whole in view, shows the text. */
static gboolean
row_shows (gpointer user_data)
{
  RowWait *wait = user_data;
  GtkWidget *list_view = cd_ui_test_find_by_type (GTK_WIDGET (page),
                                                  GTK_TYPE_LIST_VIEW);
  GtkWidget *viewport = gtk_widget_get_parent (list_view);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  collect_rows (viewport, viewport, rows);
  for (guint i = 0; i < rows->len; i++)
    if (cd_device_row_get_device (rows->pdata[i]) == wait->device)
      {
        g_free (wait->shown);
        wait->shown = cd_ui_test_collect_text (rows->pdata[i]);

        return strstr (wait->shown, wait->text) != NULL;
      }

  return FALSE;
}

static guint
shown_position (CdDevice *device)
{
  for (guint i = 0; i < n_shown (); i++)
    {
      g_autoptr(CdDevice) item = g_list_model_get_item (shown_devices (), i);

      if (item == device)
        return i;
    }

  g_assert_not_reached ();
}

static void
assert_row_shows (CdDevice   *device,
                  const char *text)
{
  GtkWidget *list_view = cd_ui_test_find_by_type (GTK_WIDGET (page),
                                                  GTK_TYPE_LIST_VIEW);
  RowWait wait = { device, text, NULL };

  g_assert_true (gtk_widget_activate_action (list_view, "list.scroll-to-item",
                                             "u", shown_position (device)));
  if (!cd_ui_test_wait_until (row_shows, &wait, 10000))
    g_error ("The row of %s does not show “%s”; it shows:\n%s",
             cd_device_get_name (device), text,
             wait.shown != NULL ? wait.shown : "(not in view)");
  g_free (wait.shown);
}

static void
select_devices (GPtrArray *devices)
{
  GtkSelectionModel *selection = GTK_SELECTION_MODEL (shown_devices ());

  gtk_selection_model_unselect_all (selection);
  for (guint i = 0; i < devices->len; i++)
    gtk_selection_model_select_item (selection,
                                     shown_position (devices->pdata[i]),
                                     FALSE);
}

static char *
selected_text (guint n)
{
  return g_strdup_printf (german ? "%u Geräte ausgewählt"
                                 : "%u devices selected", n);
}

/* The bulk dialog's parts */

static void
choose_module (GtkWidget  *root,
               const char *name)
{
  GtkWidget *row = cd_ui_test_assert_shown (root, name);

  while (row != NULL && !ADW_IS_ACTION_ROW (row))
    row = gtk_widget_get_parent (row);
  g_assert_nonnull (row);
  adw_action_row_activate (ADW_ACTION_ROW (row));
}

/* "Name\nWhat happens" as the dialog lists it. */
static void
assert_dialog_row (const char *shown,
                   CdDevice   *device,
                   const char *text)
{
  g_autofree char *expected = g_strdup_printf ("%s\n%s\n",
                                               cd_device_get_name (device),
                                               text);

  if (strstr (shown, expected) == NULL)
    g_error ("Row “%s” not shown; the dialog shows:\n%s", expected, shown);
}

/* Menus */

static GtkMenuButton *
primary_menu_button (GtkWidget *root)
{
  GtkWidget *primary = cd_ui_test_find_by_type (root,
                                                CD_TYPE_PRIMARY_MENU_BUTTON);

  g_assert_nonnull (primary);

  return GTK_MENU_BUTTON (cd_ui_test_find_by_type (primary,
                                                   GTK_TYPE_MENU_BUTTON));
}

/* The menu item (a button of the popover) showing @label. */
static GtkWidget *
menu_item (GtkWidget  *popover,
           const char *label)
{
  GtkWidget *item = cd_ui_test_find_text (popover, label);

  while (item != NULL && g_signal_lookup ("clicked", G_OBJECT_TYPE (item)) == 0)
    item = gtk_widget_get_parent (item);

  return item;
}

/* Tests */

/* Several devices selected offer the bulk actions under the list; one
 * booking goes to the portal and shows in the rows at once. */
static void
test_bulk_book (void)
{
  g_autoptr(GPtrArray) bookable = g_ptr_array_new ();
  g_autoptr(GPtrArray) selected = g_ptr_array_new ();
  g_autoptr(GListModel) page_selected = NULL;
  g_autofree char *roster = fetch_module_name ("roster");
  g_autofree char *count_text = NULL;
  g_autofree char *button_text = NULL;
  g_autofree char *shown = NULL;
  GtkSelectionModel *selection = GTK_SELECTION_MODEL (shown_devices ());
  CdDevice *no_license = NULL;
  GtkWidget *button;
  GtkWindow *dialog;

  wait_for_list ();
  g_assert_false (gtk_action_bar_get_revealed (selection_bar ()));

  for (guint i = 0; i < n_shown (); i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (shown_devices (), i);
      CdLicense *license = cd_device_get_license (device);
      CdBookingState state;

      if (license == NULL && no_license == NULL)
        no_license = device;
      else if (license != NULL && bookable->len < 3
               && cd_license_get_state (license) == CD_LICENSE_STATE_ACTIVE
               && !cd_device_lookup_module_state (device, "roster", &state))
        g_ptr_array_add (bookable, device);
      else
        continue;
      g_ptr_array_add (selected, device);
    }
  g_assert_nonnull (no_license);
  g_assert_cmpuint (bookable->len, ==, 3);

  /* One selected device is the one a click opens: no bar for it. */
  gtk_selection_model_select_item (selection,
                                   shown_position (no_license), TRUE);
  cd_ui_test_iterate (100);
  g_assert_false (gtk_action_bar_get_revealed (selection_bar ()));

  /* Ctrl-clicking more shows the bar with the count. */
  select_devices (selected);
  g_assert_true (cd_ui_test_wait_until (bar_is_revealed, NULL, 5000));
  count_text = selected_text (selected->len);
  cd_ui_test_assert_shown (GTK_WIDGET (selection_bar ()), count_text);
  page_selected = cd_devices_page_get_selected_devices (page);
  g_assert_cmpuint (g_list_model_get_n_items (page_selected), ==,
                    selected->len);
  for (guint i = 0; i < selected->len; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (page_selected, i);

      g_assert_true (g_ptr_array_find (selected, device, NULL));
    }
  button = cd_ui_test_find_button (GTK_WIDGET (selection_bar ()),
                                   german ? "Modul kündigen…"
                                          : "Cancel Module…");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  screenshot (GTK_WIDGET (window), "bulk-flow-selection");

  /* The bar's button opens the dialog for exactly these devices. */
  cd_ui_test_click (GTK_WIDGET (selection_bar ()),
                    german ? "Modul buchen…" : "Book Module…");
  dialog = wait_for_toplevel (CD_TYPE_BULK_DIALOG);
  g_assert_true (gtk_window_get_transient_for (dialog) == GTK_WINDOW (window));
  g_assert_true (gtk_window_get_modal (dialog));
  cd_ui_test_assert_shown (GTK_WIDGET (dialog), count_text);
  choose_module (GTK_WIDGET (dialog), roster);
  cd_ui_test_click (GTK_WIDGET (dialog), german ? "Weiter" : "Continue");

  /* The preview says what happens to each device. */
  button_text = g_strdup_printf (german ? "Auf %u Geräten buchen"
                                        : "Book on %u Devices", bookable->len);
  cd_ui_test_assert_shown (GTK_WIDGET (dialog), button_text);
  shown = cd_ui_test_collect_text (GTK_WIDGET (dialog));
  for (guint i = 0; i < bookable->len; i++)
    assert_dialog_row (shown, bookable->pdata[i],
                       german ? "Wird gebucht" : "Will be booked");
  assert_dialog_row (shown, no_license,
                     german ? "Übersprungen: keine Lizenz"
                            : "Skipped: no license");
  screenshot (GTK_WIDGET (dialog), "bulk-flow-preview");

  cd_ui_test_click (GTK_WIDGET (dialog), button_text);
  cd_ui_test_assert_shown (GTK_WIDGET (dialog),
                           german ? "Auf 3 Geräten gebucht. 1 übersprungen."
                                  : "Booked on 3 devices. 1 skipped.");
  cd_ui_test_click (GTK_WIDGET (dialog), german ? "Schließen" : "Close");
  g_assert_true (cd_ui_test_wait_until (toplevel_is_gone,
                                        GSIZE_TO_POINTER (CD_TYPE_BULK_DIALOG),
                                        5000));

  /* The portal has the bookings, and the rows show them without a
   * reload: the list still shows the very same objects. */
  for (guint i = 0; i < bookable->len; i++)
    {
      CdDevice *device = bookable->pdata[i];
      g_autoptr(CdDevice) detail = fetch_detail (device);
      CdBookingState state;

      g_assert_true (cd_device_lookup_module_state (detail, "roster", &state));
      g_assert_cmpint (state, ==, CD_BOOKING_STATE_ACTIVE);
      assert_row_shows (device, roster);
    }
  g_assert_cmpuint (n_shown (), ==, portal_total);
  screenshot (GTK_WIDGET (window), "bulk-flow-booked");

  /* The selection stays for another action, until cleared. */
  g_assert_true (gtk_action_bar_get_revealed (selection_bar ()));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page),
                                             "devices.unselect-all", NULL));
  g_assert_true (cd_ui_test_wait_until (bar_is_hidden, NULL, 5000));
}

/* The list's own Ctrl+A selects every shown device. */
static void
test_select_all (void)
{
  GtkWidget *list_view = cd_ui_test_find_by_type (GTK_WIDGET (page),
                                                  GTK_TYPE_LIST_VIEW);
  g_autoptr(GListModel) selected = NULL;
  g_autofree char *count_text = NULL;

  wait_for_list ();

  g_assert_true (gtk_widget_activate_action (list_view, "list.select-all",
                                             NULL));
  g_assert_true (cd_ui_test_wait_until (bar_is_revealed, NULL, 5000));
  count_text = selected_text (portal_total);
  cd_ui_test_assert_shown (GTK_WIDGET (selection_bar ()), count_text);
  selected = cd_devices_page_get_selected_devices (page);
  g_assert_cmpuint (g_list_model_get_n_items (selected), ==, portal_total);

  g_assert_true (gtk_widget_activate_action (list_view, "list.unselect-all",
                                             NULL));
  g_assert_true (cd_ui_test_wait_until (bar_is_hidden, NULL, 5000));
}

static gboolean
file_chooser_is_shown (gpointer user_data)
{
  GtkFileChooser **chooser = user_data;
  GtkWindow *found = find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG);

  *chooser = found != NULL ? GTK_FILE_CHOOSER (found) : NULL;

  return *chooser != NULL;
}

static gboolean
file_exists (gpointer user_data)
{
  return g_file_test (user_data, G_FILE_TEST_EXISTS);
}

/* Case- and accent-insensitive, as the search field matches. */
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

static gboolean
device_matches (CdDevice   *device,
                const char *query)
{
  g_autofree char *needle = fold (query);
  g_autofree char *name = fold (cd_device_get_name (device));
  g_autofree char *serial = fold (cd_device_get_serial (device));
  g_autofree char *model = fold (cd_device_get_model (device));

  return strstr (name, needle) != NULL || strstr (serial, needle) != NULL
         || strstr (model, needle) != NULL;
}

typedef struct {
  const char *query;
  guint       expected;
} SearchWait;

static gboolean
search_applied (gpointer user_data)
{
  SearchWait *wait = user_data;

  return n_shown () == wait->expected;
}

/* The export writes the list as shown: after a search, only the matches,
 * in the shown order. */
static void
test_export_shown (void)
{
  GtkEditable *entry;
  GtkFileChooser *chooser = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *suggested = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *toast = NULL;
  SearchWait wait = { "sud", 0 };

  wait_for_list ();

  for (guint i = 0; i < n_shown (); i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (shown_devices (), i);

      if (device_matches (device, wait.query))
        wait.expected++;
    }
  g_assert_cmpuint (wait.expected, >, 0);
  g_assert_cmpuint (wait.expected, <, portal_total);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page),
                                             "devices.search", NULL));
  entry = GTK_EDITABLE (cd_ui_test_find_by_type (GTK_WIDGET (page),
                                                 GTK_TYPE_SEARCH_ENTRY));
  gtk_editable_set_text (entry, wait.query);
  g_assert_true (cd_ui_test_wait_until (search_applied, &wait, 10000));

  dir = g_dir_make_tmp ("cd-bulk-flow-XXXXXX", &error);
  g_assert_no_error (error);
  folder = g_file_new_for_path (dir);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page),
                                             "devices.export-csv", NULL));
  g_assert_true (cd_ui_test_wait_until (file_chooser_is_shown, &chooser,
                                        10000));
  suggested = gtk_file_chooser_get_current_name (chooser);
  g_assert_cmpstr (suggested, ==, german ? "geraete.csv" : "devices.csv");

  /* The chooser reads its first folder before it takes another. */
  cd_ui_test_iterate (300);
  g_assert_true (gtk_file_chooser_set_current_folder (chooser, folder,
                                                      &error));
  g_assert_no_error (error);
  cd_ui_test_iterate (300);
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);

  path = g_build_filename (dir, suggested, NULL);
  g_assert_true (cd_ui_test_wait_until (file_exists, path, 10000));
  toast = g_strdup_printf (german ? "%u Geräte exportiert"
                                  : "Exported %u devices", wait.expected);
  cd_ui_test_assert_shown (GTK_WIDGET (window), toast);

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  records = cd_ui_test_read_csv (text);
  g_assert_cmpuint (records->len, ==, 1 + wait.expected);
  for (guint i = 0; i < wait.expected; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (shown_devices (), i);
      char **record = g_ptr_array_index (records, i + 1);

      g_assert_true (device_matches (device, wait.query));
      g_assert_cmpstr (record[0], ==, cd_device_get_name (device));
      g_assert_cmpstr (record[1], ==, cd_device_get_model (device));
      g_assert_cmpstr (record[2], ==, cd_device_get_serial (device));
    }
  screenshot (GTK_WIDGET (window), "bulk-flow-exported");

  g_unlink (path);
  g_rmdir (dir);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page),
                                             "devices.clear-search", NULL));
  wait_for_list ();
}

/* The main menu of the device list opens the pending cancellations of
 * every device; a row there opens its device in the window. */
static void
test_pending_cancellations (void)
{
  GtkMenuButton *menu_button;
  GtkWidget *popover;
  GtkWidget *item;
  GtkWidget *row;
  GtkWidget *device_page;
  GtkWindow *view;
  g_autoptr(CdDevice) pending = NULL;
  const char *pending_label = german ? "Ausstehende Kündigungen"
                                     : "Pending Cancellations";
  const char *export_label = german ? "Liste als CSV exportieren…"
                                    : "Export List as CSV…";

  wait_for_list ();

  for (guint i = 0; i < n_shown () && pending == NULL; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (shown_devices (), i);

      if (cd_device_has_pending_cancellation (device))
        pending = g_steal_pointer (&device);
    }
  g_assert_nonnull (pending);

  /* Both entries are in the list's main menu. */
  menu_button = primary_menu_button (GTK_WIDGET (page));
  gtk_menu_button_popup (menu_button);
  popover = GTK_WIDGET (gtk_menu_button_get_popover (menu_button));
  cd_ui_test_assert_shown (popover, pending_label);
  item = menu_item (popover, export_label);
  g_assert_nonnull (item);
  g_assert_true (gtk_widget_is_sensitive (item));
  screenshot (popover, "bulk-flow-menu");
  item = menu_item (popover, pending_label);
  g_assert_nonnull (item);
  g_assert_true (gtk_widget_is_sensitive (item));
  g_signal_emit_by_name (item, "clicked");

  view = wait_for_toplevel (CD_TYPE_PENDING_VIEW);
  g_assert_true (gtk_window_get_transient_for (view) == GTK_WINDOW (window));
  cd_ui_test_assert_shown (GTK_WIDGET (view), german ? "endet am" : "ends on");
  row = cd_ui_test_assert_shown (GTK_WIDGET (view), cd_device_get_name (pending));
  screenshot (GTK_WIDGET (view), "bulk-flow-pending");

  /* A row opens its device in the main window, instead of the view. */
  while (row != NULL && !ADW_IS_ACTION_ROW (row))
    row = gtk_widget_get_parent (row);
  g_assert_nonnull (row);
  g_signal_emit_by_name (row, "activate");
  g_assert_true (cd_ui_test_wait_until (toplevel_is_gone,
                                        GSIZE_TO_POINTER (CD_TYPE_PENDING_VIEW),
                                        5000));
  device_page = cd_ui_test_find_by_type (GTK_WIDGET (window),
                                         CD_TYPE_DEVICE_PAGE);
  g_assert_true (cd_ui_test_wait_until (page_is_shown, device_page, 5000));
  cd_ui_test_assert_shown (device_page, cd_device_get_name (pending));

  /* The list's entries do not belong in the device's menu. */
  menu_button = primary_menu_button (device_page);
  gtk_menu_button_popup (menu_button);
  popover = GTK_WIDGET (gtk_menu_button_get_popover (menu_button));
  cd_ui_test_assert_shown (popover, german ? "Einstellungen" : "Preferences");
  g_assert_null (cd_ui_test_find_text (popover, pending_label));
  g_assert_null (cd_ui_test_find_text (popover, export_label));
  gtk_menu_button_popdown (menu_button);

  cd_window_go_back (window);
  g_assert_true (cd_ui_test_wait_until (page_is_shown, page, 5000));
}

static gboolean
sign_in_is_idle (gpointer user_data)
{
  GtkWidget *sign_in_page = user_data;
  GtkWidget *spinner = cd_ui_test_find_by_type (sign_in_page,
                                                GTK_TYPE_SPINNER);

  return gtk_widget_get_mapped (sign_in_page)
         && (spinner == NULL
             || !gtk_spinner_get_spinning (GTK_SPINNER (spinner)));
}

static void
show_session (const char *username)
{
  GtkWidget *sign_in_page = cd_ui_test_find_by_type (GTK_WIDGET (window),
                                                     CD_TYPE_SIGN_IN_PAGE);

  g_assert_true (cd_ui_test_wait_until (sign_in_is_idle, sign_in_page,
                                        20000));
  cd_sign_in_page_sign_in (CD_SIGN_IN_PAGE (sign_in_page),
                           cd_test_portal_get_url (portal), username, "demo",
                           FALSE);
  wait_for_list ();
}

/* A viewer sees the selection, but the bulk actions say why they are
 * not theirs to use. */
static void
test_viewer (void)
{
  g_autoptr(GPtrArray) selected =
    g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *count_text = NULL;
  const char *reason = german
    ? "Nur Administratoren können Module buchen oder kündigen."
    : "Only administrators can book or cancel modules.";
  GtkWidget *book;
  GtkWidget *cancel;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window),
                                             "win.sign-out", NULL));
  show_session ("leser@muster.example");

  for (guint i = 0; i < 2; i++)
    g_ptr_array_add (selected, g_list_model_get_item (shown_devices (), i));
  select_devices (selected);
  g_assert_true (cd_ui_test_wait_until (bar_is_revealed, NULL, 5000));
  count_text = selected_text (2);
  cd_ui_test_assert_shown (GTK_WIDGET (selection_bar ()), count_text);

  book = cd_ui_test_find_button (GTK_WIDGET (selection_bar ()),
                                 german ? "Modul buchen…" : "Book Module…");
  cancel = cd_ui_test_find_button (GTK_WIDGET (selection_bar ()),
                                   german ? "Modul kündigen…"
                                          : "Cancel Module…");
  g_assert_nonnull (book);
  g_assert_nonnull (cancel);
  g_assert_false (gtk_widget_is_sensitive (book));
  g_assert_false (gtk_widget_is_sensitive (cancel));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (book), ==, reason);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (cancel), ==, reason);
  /* Also said where it is seen without pointing at a button. */
  cd_ui_test_assert_shown (GTK_WIDGET (selection_bar ()), reason);
  screenshot (GTK_WIDGET (window), "bulk-flow-viewer");

  /* Nor does the action itself open anything. */
  gtk_widget_activate_action (GTK_WIDGET (page), "devices.bulk-book", NULL);
  cd_ui_test_iterate (200);
  g_assert_null (find_toplevel (CD_TYPE_BULK_DIALOG));
}

static gboolean
window_is_mapped (gpointer user_data)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (app));

  return active != NULL && gtk_widget_get_mapped (GTK_WIDGET (active));
}

int
main (int   argc,
      char *argv[])
{
  const char *language = g_getenv ("LANGUAGE");
  g_autoptr(GError) error = NULL;
  int status;

  german = language != NULL && g_str_has_prefix (language, "de");
  cd_ui_test_init (&argc, &argv);

  portal = cd_test_portal_start (TODAY, 0, NULL, &error);
  g_assert_no_error (error);
  checker = sign_in_as ("admin@muster.example");
  portal_total = fetch_total ();
  g_assert_cmpuint (portal_total, >, 0);

  /* The real application and window, signed in as a user would. */
  app = cd_application_new ();
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_hold (G_APPLICATION (app));
  g_application_activate (G_APPLICATION (app));
  g_assert_true (cd_ui_test_wait_until (window_is_mapped, NULL, 10000));
  window = CD_WINDOW (gtk_application_get_active_window (
    GTK_APPLICATION (app)));
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  page = CD_DEVICES_PAGE (cd_ui_test_find_by_type (GTK_WIDGET (window),
                                                   CD_TYPE_DEVICES_PAGE));
  show_session ("admin@muster.example");

  g_test_add_func ("/bulk-flow/book", test_bulk_book);
  g_test_add_func ("/bulk-flow/select-all", test_select_all);
  g_test_add_func ("/bulk-flow/export-shown", test_export_shown);
  g_test_add_func ("/bulk-flow/pending-cancellations",
                   test_pending_cancellations);
  g_test_add_func ("/bulk-flow/viewer", test_viewer);

  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  cd_ui_test_iterate (50);
  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  g_clear_object (&checker);
  g_clear_pointer (&portal, cd_test_portal_free);

  return status;
}
