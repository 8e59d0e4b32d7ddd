/* test-bulk-dialog.c: the bulk dialog previews each device's own end date
 * and why devices are skipped, books after one confirmation and sums up;
 * the pending cancellations view lists what is about to end.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cd-bulk-dialog.h"
#include "cd-format.h"
#include "cd-pending-view.h"
#include "cd-test-portal.h"
#include "cd-ui-test.h"

#define TODAY "2026-12-14"

static gboolean german;
static CdTestPortal *portal;
static CdPortalClient *client;
static GListModel *all_devices;

typedef struct
{
  gboolean  finished;
  gpointer  result;
  GError   *error;
} CallWait;

static gboolean
call_finished (gpointer user_data)
{
  CallWait *wait = user_data;

  return wait->finished;
}

static void
on_signed_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  CallWait *wait = user_data;

  wait->result = cd_portal_client_sign_in_finish (CD_PORTAL_CLIENT (source),
                                                  result, &wait->error);
  wait->finished = TRUE;
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CallWait *wait = user_data;

  wait->result = cd_portal_client_list_devices_finish (
    CD_PORTAL_CLIENT (source), result, NULL, NULL, &wait->error);
  wait->finished = TRUE;
}

static void
on_detail (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CallWait *wait = user_data;

  wait->result = cd_portal_client_get_device_finish (
    CD_PORTAL_CLIENT (source), result, &wait->error);
  wait->finished = TRUE;
}

static CdDevice *
fetch_detail (CdDevice *device)
{
  CallWait wait = { 0 };

  cd_portal_client_get_device_async (client, cd_device_get_id (device), NULL,
                                     on_detail, &wait);
  g_assert_true (cd_ui_test_wait_until (call_finished, &wait, 20000));
  g_assert_no_error (wait.error);

  return wait.result;
}

static CdBulkDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (CD_IS_BULK_DIALOG (window) && gtk_widget_get_mapped (GTK_WIDGET (window)))
        return CD_BULK_DIALOG (window);
    }

  return NULL;
}

static gboolean
dialog_is_shown (gpointer user_data)
{
  CdBulkDialog **dialog = user_data;

  *dialog = find_dialog ();

  return *dialog != NULL;
}

static GtkWidget *
wait_for_text (GtkWidget  *root,
               const char *text)
{
  GtkWidget *found = cd_ui_test_wait_for_text (root, text, 20000);

  if (found == NULL)
    {
      g_autofree char *shown = cd_ui_test_collect_text (root);

      g_error ("“%s” is not shown; the dialog shows:\n%s", text, shown);
    }

  return found;
}

static void
click (GtkWidget  *root,
       const char *label)
{
  GtkWidget *button = cd_ui_test_find_button (root, label);

  if (button == NULL)
    {
      g_autofree char *shown = cd_ui_test_collect_text (root);

      g_error ("No button “%s”; the dialog shows:\n%s", label, shown);
    }
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static void
choose_module (GtkWidget  *root,
               const char *name)
{
  GtkWidget *row = wait_for_text (root, name);

  while (row != NULL && !ADW_IS_ACTION_ROW (row))
    row = gtk_widget_get_parent (row);
  g_assert_nonnull (row);
  adw_action_row_activate (ADW_ACTION_ROW (row));
}

/* "Name\nWhat happens" as the dialog lists it. */
static void
assert_row (const char *shown,
            CdDevice   *device,
            const char *text)
{
  g_autofree char *expected = g_strdup_printf ("%s\n%s\n",
                                               cd_device_get_name (device),
                                               text);

  if (strstr (shown, expected) == NULL)
    g_error ("Row “%s” not shown; the dialog shows:\n%s", expected, shown);
}

static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  g_autofree char *file = g_strdup_printf ("%s-%s.png", name,
                                           german ? "de" : "en");

  cd_ui_test_iterate (100);
  g_free (cd_ui_test_screenshot (widget, file));
}

static void
test_bulk_book (void)
{
  g_autoptr(GListStore) selected = g_list_store_new (CD_TYPE_DEVICE);
  g_autoptr(GPtrArray) bookable = g_ptr_array_new ();
  GtkWidget *parent = gtk_window_new ();
  CdDevice *no_license = NULL;
  CdDevice *already = NULL;
  CdDevice *ended = NULL;
  CdBulkDialog *dialog = NULL;
  GtkWidget *root;
  g_autofree char *shown = NULL;
  g_autofree char *price = NULL;
  g_autofree char *expected = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (all_devices); i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (all_devices, i);
      CdLicense *license = cd_device_get_license (device);
      CdBookingState state;
      gboolean booked = cd_device_lookup_module_state (device, "roster", &state);

      if (license == NULL && no_license == NULL)
        no_license = device;
      else if (license != NULL && booked && state == CD_BOOKING_STATE_ACTIVE
               && cd_license_get_state (license) == CD_LICENSE_STATE_ACTIVE
               && already == NULL)
        already = device;
      else if (license != NULL && ended == NULL
               && cd_license_get_state (license) == CD_LICENSE_STATE_ENDED)
        ended = device;
      else if (license != NULL && !booked && bookable->len < 5
               && cd_license_get_state (license) == CD_LICENSE_STATE_ACTIVE)
        g_ptr_array_add (bookable, device);
      else
        continue;
      g_list_store_append (selected, device);
    }
  g_assert_nonnull (no_license);
  g_assert_nonnull (already);
  g_assert_nonnull (ended);
  g_assert_cmpuint (bookable->len, ==, 5);

  gtk_window_present (GTK_WINDOW (parent));
  cd_bulk_dialog_present (parent, client, G_LIST_MODEL (selected),
                          CD_BULK_ACTION_BOOK);
  g_assert_true (cd_ui_test_wait_until (dialog_is_shown, &dialog, 5000));
  root = GTK_WIDGET (dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog))
                 == GTK_WINDOW (parent));

  /* Choose the module. */
  choose_module (root, german ? "Dienstplan" : "Roster");
  wait_for_text (root, german ? "8 Geräte ausgewählt" : "8 devices selected");
  screenshot (root, "bulk-module");
  click (root, german ? "Weiter" : "Continue");

  /* The preview: what happens to each device, and why some are skipped. */
  wait_for_text (root, german ? "Auf 5 Geräten buchen" : "Book on 5 Devices");
  shown = cd_ui_test_collect_text (root);
  for (guint i = 0; i < bookable->len; i++)
    assert_row (shown, g_ptr_array_index (bookable, i),
                german ? "Wird gebucht" : "Will be booked");
  assert_row (shown, no_license,
              german ? "Übersprungen: keine Lizenz" : "Skipped: no license");
  assert_row (shown, already,
              german ? "Übersprungen: bereits gebucht" : "Skipped: already booked");
  assert_row (shown, ended,
              german ? "Übersprungen: die Lizenz ist beendet"
                     : "Skipped: the license has ended");
  g_assert_nonnull (strstr (shown, german ? "3 Geräte werden übersprungen"
                                          : "3 devices are skipped"));
  price = cd_format_price (5 * 190, "EUR");
  expected = g_strdup_printf (german ? "Die monatlichen Kosten steigen um %s."
                                     : "The monthly cost rises by %s.", price);
  g_assert_nonnull (strstr (shown, expected));
  screenshot (root, "bulk-preview");

  /* One confirmation books them. */
  click (root, german ? "Auf 5 Geräten buchen" : "Book on 5 Devices");
  wait_for_text (root, german ? "5 gebucht, 3 übersprungen, 0 fehlgeschlagen"
                              : "5 booked, 3 skipped, 0 failed");
  g_clear_pointer (&shown, g_free);
  shown = cd_ui_test_collect_text (root);
  for (guint i = 0; i < bookable->len; i++)
    {
      CdDevice *device = g_ptr_array_index (bookable, i);
      CdBookingState state;

      assert_row (shown, device, german ? "Gebucht" : "Booked");
      /* The list's own objects show the module now. */
      g_assert_true (cd_device_lookup_module_state (device, "roster", &state));
      g_assert_cmpint (state, ==, CD_BOOKING_STATE_ACTIVE);
    }
  g_assert_null (cd_ui_test_find_button (root, german ? "Fehlgeschlagene erneut versuchen"
                                                      : "Retry Failed"));
  screenshot (root, "bulk-done");

  click (root, german ? "Schließen" : "Close");
  cd_ui_test_iterate (100);
  g_assert_null (find_dialog ());
  gtk_window_destroy (GTK_WINDOW (parent));
}

static void
test_bulk_cancel (void)
{
  g_autoptr(GListStore) selected = g_list_store_new (CD_TYPE_DEVICE);
  g_autoptr(GPtrArray) cancellable = g_ptr_array_new ();
  g_autoptr(GHashTable) dates = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                       g_free, NULL);
  CdBulkDialog *dialog = NULL;
  CdDevice *not_booked = NULL;
  GtkWidget *root;
  g_autofree char *shown = NULL;
  g_autofree char *button = NULL;
  g_autofree char *summary = NULL;

  /* Devices with tickets active, from different license types, so their
   * end dates differ, and one without tickets. */
  for (guint i = 0; i < g_list_model_get_n_items (all_devices); i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (all_devices, i);
      CdLicense *license = cd_device_get_license (device);
      CdBookingState state;
      gboolean booked = cd_device_lookup_module_state (device, "tickets", &state);
      g_autofree char *end = NULL;

      if (license == NULL
          || cd_license_get_state (license) != CD_LICENSE_STATE_ACTIVE)
        continue;
      if (!booked && not_booked == NULL)
        {
          not_booked = device;
          g_list_store_append (selected, device);
          continue;
        }
      if (!booked || state != CD_BOOKING_STATE_ACTIVE || cancellable->len >= 6)
        continue;
      end = cd_format_date (cd_license_get_next_possible_end (license));
      if (cancellable->len >= 3 && g_hash_table_contains (dates, end))
        continue;
      g_hash_table_add (dates, g_steal_pointer (&end));
      g_ptr_array_add (cancellable, device);
      g_list_store_append (selected, device);
    }
  g_assert_cmpuint (cancellable->len, >=, 3);
  g_assert_cmpuint (g_hash_table_size (dates), >=, 2);
  g_assert_nonnull (not_booked);

  cd_bulk_dialog_present (NULL, client, G_LIST_MODEL (selected),
                          CD_BULK_ACTION_CANCEL);
  g_assert_true (cd_ui_test_wait_until (dialog_is_shown, &dialog, 5000));
  root = GTK_WIDGET (dialog);

  choose_module (root, german ? "Ticketsystem" : "Ticket system");
  click (root, german ? "Weiter" : "Continue");

  button = g_strdup_printf (german ? "Auf %u Geräten kündigen"
                                   : "Cancel on %u Devices", cancellable->len);
  wait_for_text (root, button);
  shown = cd_ui_test_collect_text (root);

  /* Each device with its own end date, from its own license. */
  for (guint i = 0; i < cancellable->len; i++)
    {
      CdDevice *device = g_ptr_array_index (cancellable, i);
      g_autoptr(CdDevice) detail = fetch_detail (device);
      g_autofree char *date = cd_format_date (
        cd_license_get_next_possible_end (cd_device_get_license (detail)));
      g_autofree char *text = g_strdup_printf (german ? "Wird gekündigt, endet am %s"
                                                      : "Will be cancelled, ends on %s",
                                               date);

      assert_row (shown, device, text);
    }
  assert_row (shown, not_booked,
              german ? "Übersprungen: nicht gebucht" : "Skipped: not booked");
  g_assert_nonnull (strstr (shown, german ? "bis dahin bleibt das Modul nutzbar"
                                          : "until then the module stays usable"));
  screenshot (root, "bulk-cancel-preview");

  click (root, button);
  summary = g_strdup_printf (german ? "%u gekündigt, 1 übersprungen, 0 fehlgeschlagen"
                                    : "%u cancelled, 1 skipped, 0 failed",
                             cancellable->len);
  wait_for_text (root, summary);
  for (guint i = 0; i < cancellable->len; i++)
    g_assert_true (cd_device_has_pending_cancellation (
      g_ptr_array_index (cancellable, i)));
  screenshot (root, "bulk-cancel-done");

  gtk_window_destroy (GTK_WINDOW (dialog));
  cd_ui_test_iterate (50);
}

/* A change the portal refuses shows why, per device, and offers a retry
 * (a viewer may not book: every booking is forbidden). */
static void
test_bulk_failures_shown (void)
{
  g_autoptr(CdPortalClient) viewer = NULL;
  g_autoptr(GListStore) selected = g_list_store_new (CD_TYPE_DEVICE);
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;
  CdBulkDialog *dialog = NULL;
  CallWait wait = { 0 };
  GtkWidget *root;

  viewer = cd_portal_client_new (cd_test_portal_get_url (portal), &error);
  g_assert_no_error (error);
  cd_portal_client_sign_in_async (viewer, "leser@muster.example", "demo",
                                  NULL, on_signed_in, &wait);
  g_assert_true (cd_ui_test_wait_until (call_finished, &wait, 20000));
  g_assert_no_error (wait.error);
  g_clear_object (&wait.result);

  for (guint i = 0; i < g_list_model_get_n_items (all_devices); i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (all_devices, i);
      CdLicense *license = cd_device_get_license (device);
      CdBookingState state;

      if (license != NULL
          && cd_license_get_state (license) == CD_LICENSE_STATE_ACTIVE
          && !cd_device_lookup_module_state (device, "file-manager", &state)
          && g_list_model_get_n_items (G_LIST_MODEL (selected)) < 3)
        g_list_store_append (selected, device);
    }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (selected)), ==, 3);

  cd_bulk_dialog_present (NULL, viewer, G_LIST_MODEL (selected),
                          CD_BULK_ACTION_BOOK);
  g_assert_true (cd_ui_test_wait_until (dialog_is_shown, &dialog, 5000));
  root = GTK_WIDGET (dialog);
  choose_module (root, german ? "Dateimanager" : "File manager");
  click (root, german ? "Weiter" : "Continue");
  wait_for_text (root, german ? "Auf 3 Geräten buchen" : "Book on 3 Devices");
  click (root, german ? "Auf 3 Geräten buchen" : "Book on 3 Devices");

  wait_for_text (root, german ? "0 gebucht, 0 übersprungen, 3 fehlgeschlagen"
                              : "0 booked, 0 skipped, 3 failed");
  shown = cd_ui_test_collect_text (root);
  g_assert_nonnull (strstr (shown, german ? "Fehlgeschlagen: " : "Failed: "));
  g_assert_nonnull (cd_ui_test_find_button (
    root, german ? "Fehlgeschlagene erneut versuchen" : "Retry Failed"));
  screenshot (root, "bulk-failed");

  /* Retrying sends them again and still reports the refusal. */
  click (root, german ? "Fehlgeschlagene erneut versuchen" : "Retry Failed");
  wait_for_text (root, german ? "0 gebucht, 0 übersprungen, 3 fehlgeschlagen"
                              : "0 booked, 0 skipped, 3 failed");
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (G_LIST_MODEL (selected), i);
      CdBookingState state;

      g_assert_false (cd_device_lookup_module_state (device, "file-manager",
                                                     &state));
    }

  gtk_window_destroy (GTK_WINDOW (dialog));
  cd_ui_test_iterate (50);
}

static void
on_device_activated (CdPendingView *view,
                     CdDevice      *device,
                     CdDevice     **activated)
{
  *activated = device;
}

static void
test_pending_view (void)
{
  CdPendingView *view;
  CdDevice *pending = NULL;
  CdDevice *activated = NULL;
  GtkWidget *row;
  GDate today;
  GDate horizon;
  guint n_expected = 0;
  guint n_shown = 0;
  g_autofree char *shown = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (all_devices) && pending == NULL; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (all_devices, i);

      if (cd_device_has_pending_cancellation (device))
        pending = device;
    }
  g_assert_nonnull (pending);

  view = cd_pending_view_present (NULL, client, all_devices);
  g_date_clear (&today, 1);
  g_date_set_dmy (&today, 14, 12, 2026);
  cd_pending_view_set_today (view, &today);
  g_signal_connect (view, "device-activated", G_CALLBACK (on_device_activated),
                    &activated);

  wait_for_text (GTK_WIDGET (view), german ? "-Lizenz – bis zum" : "license – cancel by");
  wait_for_text (GTK_WIDGET (view), german ? "endet am" : "ends on");
  wait_for_text (GTK_WIDGET (view), cd_device_get_name (pending));
  shown = cd_ui_test_collect_text (GTK_WIDGET (view));
  g_assert_null (strstr (shown, german ? "geprüft" : "Checking"));

  /* One deadline row per active license whose notice deadline, as the
   * portal's detail states it, falls within the next 30 days and which
   * the portal still honours (its next possible end is this term's
   * end). */
  horizon = today;
  g_date_add_days (&horizon, 30);
  for (guint i = 0; i < g_list_model_get_n_items (all_devices); i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (all_devices, i);
      g_autoptr(CdDevice) detail = NULL;
      CdLicense *license = cd_device_get_license (device);
      const GDate *deadline;

      if (license == NULL
          || cd_license_get_state (license) != CD_LICENSE_STATE_ACTIVE)
        continue;
      detail = fetch_detail (device);
      license = cd_device_get_license (detail);
      deadline = cd_license_get_notice_deadline (license);
      if (deadline != NULL && g_date_compare (deadline, &today) >= 0
          && g_date_compare (deadline, &horizon) <= 0
          && g_date_compare (cd_license_get_next_possible_end (license),
                             cd_license_get_current_term_end (license)) == 0)
        n_expected++;
    }
  g_assert_cmpuint (n_expected, >, 0);
  for (const char *p = shown;
       (p = strstr (p, german ? "-Lizenz – bis zum " : " license – cancel by "));
       p++)
    n_shown++;
  g_assert_cmpuint (n_shown, ==, n_expected);
  screenshot (GTK_WIDGET (view), "pending-view");
  {
    GtkWidget *scrolled = cd_ui_test_find_by_type (GTK_WIDGET (view),
                                                   GTK_TYPE_SCROLLED_WINDOW);
    GtkAdjustment *adjustment =
      gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
    screenshot (GTK_WIDGET (view), "pending-view-deadlines");
  }

  row = cd_ui_test_find_text (GTK_WIDGET (view), cd_device_get_name (pending));
  while (row != NULL && !ADW_IS_ACTION_ROW (row))
    row = gtk_widget_get_parent (row);
  g_assert_nonnull (row);
  g_signal_emit_by_name (row, "activate");
  /* Demo names repeat ("Empfang Mitte"), so the row found may be
   * another device of the same name: still one with a cancellation. */
  g_assert_nonnull (activated);
  g_assert_cmpstr (cd_device_get_name (activated), ==,
                   cd_device_get_name (pending));
  g_assert_true (cd_device_has_pending_cancellation (activated));

  gtk_window_destroy (GTK_WINDOW (view));
  cd_ui_test_iterate (50);
}

int
main (int   argc,
      char *argv[])
{
  const char *language = g_getenv ("LANGUAGE");
  g_autoptr(GError) error = NULL;
  CallWait wait = { 0 };
  int status;

  german = language != NULL && g_str_has_prefix (language, "de");
  cd_ui_test_init (&argc, &argv);

  portal = cd_test_portal_start (TODAY, 0, NULL, &error);
  g_assert_no_error (error);
  client = cd_portal_client_new (cd_test_portal_get_url (portal), &error);
  g_assert_no_error (error);
  cd_portal_client_sign_in_async (client, "admin@muster.example", "demo",
                                  NULL, on_signed_in, &wait);
  g_assert_true (cd_ui_test_wait_until (call_finished, &wait, 20000));
  g_assert_no_error (wait.error);
  g_clear_object (&wait.result);

  wait = (CallWait) { 0 };
  cd_portal_client_list_devices_async (client, NULL, NULL, NULL, 1000, NULL,
                                       on_listed, &wait);
  g_assert_true (cd_ui_test_wait_until (call_finished, &wait, 20000));
  g_assert_no_error (wait.error);
  all_devices = wait.result;

  g_test_add_func ("/bulk-dialog/book", test_bulk_book);
  g_test_add_func ("/bulk-dialog/cancel", test_bulk_cancel);
  g_test_add_func ("/bulk-dialog/failures-shown", test_bulk_failures_shown);
  g_test_add_func ("/bulk-dialog/pending-view", test_pending_view);

  status = g_test_run ();

  g_clear_object (&all_devices);
  g_clear_object (&client);
  g_clear_pointer (&portal, cd_test_portal_free);

  return status;
}
