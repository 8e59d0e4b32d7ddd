/* test-device-page.c: the device page books, cancels and withdraws add-on
 * modules against the real local portal, in English and in German.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "cd-book-module-dialog.h"
#include "cd-booking-row.h"
#include "cd-device-page.h"
#include "cd-device-row.h"
#include "cd-error-text.h"
#include "cd-format.h"
#include "cd-portal.h"
#include "cd-test-portal.h"
#include "cd-ui-test.h"

#define TODAY "2026-12-14"
#define N_DEVICES 40
#define TIMEOUT_MS 20000

static gboolean german;

/* The text a user reads, in the language the test runs in. */
static const char *
tr (const char *english,
    const char *german_text)
{
  return german ? german_text : english;
}

/* The contract's term rule, written again here so that the test does not
 * trust the portal's own computation. */

static int
days_in_month (int year,
               int month)
{
  static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  gboolean leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

  return month == 2 && leap ? 29 : days[month - 1];
}

static GDate *
add_months (const GDate *date,
            int          months)
{
  int index = g_date_get_year (date) * 12 + (g_date_get_month (date) - 1)
              + months;
  int year = index / 12;
  int month = index % 12 + 1;
  int day = MIN ((int) g_date_get_day (date), days_in_month (year, month));

  return g_date_new_dmy (day, month, year);
}

static GDate *
add_days (const GDate *date,
          int          days)
{
  GDate *result = g_date_copy (date);

  if (days >= 0)
    g_date_add_days (result, days);
  else
    g_date_subtract_days (result, -days);

  return result;
}

/* The last day of term @term (0, 1, …) of a license. */
static GDate *
term_end (const GDate *term_start,
          int          term_months,
          int          term)
{
  g_autoptr(GDate) next_start = add_months (term_start,
                                            (term + 1) * term_months);

  return add_days (next_start, -1);
}

/* The dates of an active license on @today, by the contract's rule. */
typedef struct
{
  GDate *current_end;        /* (owned) */
  GDate *notice_deadline;    /* (owned) */
  GDate *next_possible_end;  /* (owned) */
} TermDates;

static void
term_dates_compute (TermDates   *dates,
                    const GDate *term_start,
                    int          term_months,
                    int          notice_months,
                    const GDate *today)
{
  g_autoptr(GDate) after_end = NULL;
  g_autoptr(GDate) notice_start = NULL;
  int term = 0;

  dates->current_end = term_end (term_start, term_months, term);
  while (g_date_compare (today, dates->current_end) > 0)
    {
      g_date_free (dates->current_end);
      dates->current_end = term_end (term_start, term_months, ++term);
    }

  after_end = add_days (dates->current_end, 1);
  notice_start = add_months (after_end, -notice_months);
  dates->notice_deadline = add_days (notice_start, -1);

  if (g_date_compare (today, dates->notice_deadline) <= 0)
    dates->next_possible_end = g_date_copy (dates->current_end);
  else
    dates->next_possible_end = term_end (term_start, term_months, term + 1);
}

static void
term_dates_clear (TermDates *dates)
{
  g_clear_pointer (&dates->current_end, g_date_free);
  g_clear_pointer (&dates->notice_deadline, g_date_free);
  g_clear_pointer (&dates->next_possible_end, g_date_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TermDates, term_dates_clear)

static GDate *
parse_today (void)
{
  int year;
  int month;
  int day;

  g_assert_cmpint (sscanf (TODAY, "%d-%d-%d", &year, &month, &day), ==, 3);
  g_assert_true (g_date_valid_dmy (day, month, year));

  return g_date_new_dmy (day, month, year);
}

/* The dates of @license on the test's day, computed by the test. */
static void
license_term_dates (TermDates *dates,
                    CdLicense *license)
{
  g_autoptr(GDate) today = parse_today ();

  term_dates_compute (dates, cd_license_get_term_start (license),
                      cd_license_get_term_months (license),
                      cd_license_get_notice_months (license), today);
}

/* The day a module cancelled on @today ends on, for an active license. */
static GDate *
expected_module_end (const GDate *term_start,
                     int          term_months,
                     int          notice_months,
                     const GDate *today)
{
  g_auto(TermDates) dates = { NULL, NULL, NULL };

  term_dates_compute (&dates, term_start, term_months, notice_months, today);

  return g_steal_pointer (&dates.next_possible_end);
}

static void
test_add_months_rule (void)
{
  g_autoptr(GDate) start = g_date_new_dmy (15, 3, 2025);
  g_autoptr(GDate) today = g_date_new_dmy (14, 12, 2026);
  g_autoptr(GDate) late = g_date_new_dmy (15, 12, 2026);
  g_autoptr(GDate) end_in_time = expected_module_end (start, 24, 3, today);
  g_autoptr(GDate) end_late = expected_module_end (start, 24, 3, late);
  g_autoptr(GDate) jan31 = g_date_new_dmy (31, 1, 2027);
  g_autoptr(GDate) feb = add_months (jan31, 1);

  /* The contract's worked example. */
  g_assert_cmpint (g_date_get_year (end_in_time), ==, 2027);
  g_assert_cmpint (g_date_get_month (end_in_time), ==, 3);
  g_assert_cmpint (g_date_get_day (end_in_time), ==, 14);
  g_assert_cmpint (g_date_get_year (end_late), ==, 2029);
  g_assert_cmpint (g_date_get_month (end_late), ==, 3);
  g_assert_cmpint (g_date_get_day (end_late), ==, 14);
  g_assert_cmpint (g_date_get_day (feb), ==, 28);
}

/* Waiting for the portal */

static GListModel *
list_devices (CdPortalClient *client)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *devices;

  cd_portal_client_list_devices_async (client, NULL, NULL, NULL, 1000, NULL,
                                       cd_ui_test_store_result, &result);
  devices = cd_portal_client_list_devices_finish (client,
                                                  cd_ui_test_await (&result),
                                                  NULL, NULL, &error);
  g_assert_no_error (error);

  return devices;
}

static CdDevice *
get_device (CdPortalClient *client,
            const char     *device_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CdDevice *device;

  cd_portal_client_get_device_async (client, device_id, NULL,
                                     cd_ui_test_store_result, &result);
  device = cd_portal_client_get_device_finish (client,
                                               cd_ui_test_await (&result),
                                               &error);
  g_assert_no_error (error);

  return device;
}

static GListModel *
list_events (CdPortalClient *client,
             const char     *device_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *events;

  cd_portal_client_list_events_async (client, device_id, NULL,
                                      cd_ui_test_store_result, &result);
  events = cd_portal_client_list_events_finish (client,
                                                cd_ui_test_await (&result),
                                                &error);
  g_assert_no_error (error);

  return events;
}

static CdModule *
find_module (CdPortalClient *client,
             const char     *module_code)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) modules = NULL;
  g_autoptr(GError) error = NULL;

  cd_portal_client_list_modules_async (client, NULL, cd_ui_test_store_result,
                                       &result);
  modules = cd_portal_client_list_modules_finish (client,
                                                  cd_ui_test_await (&result),
                                                  &error);
  g_assert_no_error (error);

  for (guint i = 0; i < g_list_model_get_n_items (modules); i++)
    {
      g_autoptr(CdModule) module = g_list_model_get_item (modules, i);

      if (g_strcmp0 (cd_module_get_code (module), module_code) == 0)
        return g_steal_pointer (&module);
    }

  g_error ("module %s is not in the catalogue", module_code);
}

static guint
count_bookings (CdDevice       *detail,
                const char     *module_code,
                CdBookingState  state)
{
  GListModel *bookings = cd_device_get_bookings (detail);
  guint count = 0;

  for (guint i = 0; i < g_list_model_get_n_items (bookings); i++)
    {
      g_autoptr(CdBooking) booking = g_list_model_get_item (bookings, i);

      if (g_strcmp0 (cd_booking_get_module_code (booking), module_code) == 0
          && cd_booking_get_state (booking) == state)
        count++;
    }

  return count;
}

static CdBooking *
first_booking (CdDevice       *detail,
               CdBookingState  state)
{
  GListModel *bookings = cd_device_get_bookings (detail);

  for (guint i = 0; i < g_list_model_get_n_items (bookings); i++)
    {
      g_autoptr(CdBooking) booking = g_list_model_get_item (bookings, i);

      if (cd_booking_get_state (booking) == state)
        return g_steal_pointer (&booking);
    }

  return NULL;
}

/* Fixture: a fresh portal, the page in a window, a second client */

typedef enum
{
  WANT_BOOKABLE,         /* active license, at least two bookable modules */
  WANT_ACTIVE_BOOKING,   /* active license with an active booking */
  WANT_NOTICE_BOOKING,   /* the same, with a notice period to honour */
  WANT_LATE_NOTICE,      /* an active booking whose notice misses the
                          * current term end */
  WANT_MIXED_BOOKINGS,   /* active license, active and pending bookings */
  WANT_NO_LICENSE,
  WANT_CANCELLED_LICENSE,  /* cancelled license with a pending booking */
  WANT_ENDED_LICENSE,
} Want;

typedef struct
{
  CdTestPortal   *portal;       /* (owned) */
  CdPortalClient *client;       /* (owned) the page's */
  CdPortalClient *other;        /* (owned) an admin behind the page's back */
  CdDevice       *list_device;  /* (owned) as the list holds it */
  CdDevice       *detail;       /* (owned) the detail when the test began */
  GtkWindow      *window;       /* (owned) */
  CdDevicePage   *page;         /* (unowned) */
  GtkWindow      *list_window;  /* (owned) (nullable) */
  GtkWidget      *list_row;     /* (unowned) the device's row of the list */
} Fixture;

static gboolean
device_fits (CdDevice *detail,
             Want      want)
{
  CdLicense *license = cd_device_get_license (detail);
  const char * const *bookable = cd_device_get_bookable (detail);
  g_autoptr(CdBooking) active = NULL;

  if (want == WANT_NO_LICENSE)
    return license == NULL;

  if (want == WANT_ENDED_LICENSE)
    return license != NULL
           && cd_license_get_state (license) == CD_LICENSE_STATE_ENDED;

  if (want == WANT_CANCELLED_LICENSE)
    {
      g_autoptr(CdBooking) pending =
        first_booking (detail, CD_BOOKING_STATE_CANCELLATION_PENDING);

      return license != NULL
             && cd_license_get_state (license) == CD_LICENSE_STATE_CANCELLED
             && pending != NULL;
    }

  if (license == NULL
      || cd_license_get_state (license) != CD_LICENSE_STATE_ACTIVE)
    return FALSE;

  if (want == WANT_BOOKABLE)
    return g_strv_length ((char **) bookable) >= 2;

  if (want == WANT_NOTICE_BOOKING && cd_license_get_notice_months (license) < 1)
    return FALSE;

  if (want == WANT_LATE_NOTICE)
    {
      g_auto(TermDates) dates = { NULL, NULL, NULL };

      license_term_dates (&dates, license);
      if (g_date_compare (dates.next_possible_end, dates.current_end) == 0)
        return FALSE;
    }

  if (want == WANT_MIXED_BOOKINGS)
    {
      g_autoptr(CdBooking) pending =
        first_booking (detail, CD_BOOKING_STATE_CANCELLATION_PENDING);

      if (pending == NULL)
        return FALSE;
    }

  active = first_booking (detail, CD_BOOKING_STATE_ACTIVE);

  return active != NULL;
}

static GListModel *
list_modules (CdPortalClient *client)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *modules;

  cd_portal_client_list_modules_async (client, NULL, cd_ui_test_store_result,
                                       &result);
  modules = cd_portal_client_list_modules_finish (client,
                                                  cd_ui_test_await (&result),
                                                  &error);
  g_assert_no_error (error);

  return modules;
}

static GListModel *
list_license_types (CdPortalClient *client)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *types;

  cd_portal_client_list_license_types_async (client, NULL,
                                             cd_ui_test_store_result, &result);
  types = cd_portal_client_list_license_types_finish (client,
                                                      cd_ui_test_await (&result),
                                                      &error);
  g_assert_no_error (error);

  return types;
}

/* The device list's row for the opened device, in a window of its own:
 * it shows the very object the list holds, as the devices page does. */
static void
show_list_row (Fixture *fixture)
{
  g_autoptr(GListModel) modules = list_modules (fixture->other);
  g_autoptr(GListModel) types = list_license_types (fixture->other);
  CdDeviceRow *row = cd_device_row_new ();

  cd_device_row_set_modules (row, modules);
  cd_device_row_set_license_types (row, types);
  cd_device_row_set_device (row, fixture->list_device);

  fixture->list_window = GTK_WINDOW (gtk_window_new ());
  g_object_ref_sink (fixture->list_window);
  gtk_window_set_default_size (fixture->list_window, 900, 80);
  gtk_window_set_child (fixture->list_window, GTK_WIDGET (row));
  fixture->list_row = GTK_WIDGET (row);
  gtk_window_present (fixture->list_window);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const char *username = data;
  g_autoptr(GError) error = NULL;
  const char *url;

  fixture->portal = cd_test_portal_start (TODAY, N_DEVICES, NULL, &error);
  g_assert_no_error (error);

  url = cd_test_portal_get_url (fixture->portal);
  fixture->client = cd_ui_test_sign_in (url, username);
  fixture->other = cd_ui_test_sign_in (url, "admin@muster.example");

  fixture->window = GTK_WINDOW (gtk_window_new ());
  g_object_ref_sink (fixture->window);
  gtk_window_set_default_size (fixture->window, 900, 960);
  fixture->page = g_object_new (CD_TYPE_DEVICE_PAGE, NULL);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->page));
  cd_device_page_set_client (fixture->page, fixture->client);
  gtk_window_present (fixture->window);
}

/* Picks a device of the seeded fleet that fits @want and opens it the way
 * the window does: with the summary object from the device list. */
static void
open_device (Fixture *fixture,
             Want     want)
{
  g_autoptr(GListModel) devices = list_devices (fixture->client);
  guint n_devices = g_list_model_get_n_items (devices);

  for (guint i = 0; i < n_devices; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (devices, i);
      g_autoptr(CdDevice) detail = get_device (fixture->other,
                                               cd_device_get_id (device));

      if (!device_fits (detail, want))
        continue;

      fixture->list_device = g_steal_pointer (&device);
      fixture->detail = g_steal_pointer (&detail);
      break;
    }

  g_assert_nonnull (fixture->list_device);
  g_assert_false (cd_device_get_has_detail (fixture->list_device));

  show_list_row (fixture);
  cd_device_page_set_device (fixture->page, fixture->list_device);
  gtk_notebook_set_current_page (
    GTK_NOTEBOOK (cd_ui_test_find_by_type (GTK_WIDGET (fixture->page),
                                           GTK_TYPE_NOTEBOOK)),
    1);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  if (fixture->list_window != NULL)
    gtk_window_destroy (fixture->list_window);
  cd_ui_test_iterate (50);

  g_clear_object (&fixture->window);
  g_clear_object (&fixture->list_window);
  g_clear_object (&fixture->list_device);
  g_clear_object (&fixture->detail);
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->other);
  g_clear_pointer (&fixture->portal, cd_test_portal_free);
}

/* Finding what the user sees */

static char *
strip_mnemonic (const char *label)
{
  GString *out = g_string_new (NULL);

  for (const char *p = label; p != NULL && *p != '\0'; p++)
    if (*p != '_')
      g_string_append_c (out, *p);

  return g_string_free (out, FALSE);
}

/* The mapped button whose label reads exactly @label. */
static GtkWidget *
find_button_exact (GtkWidget  *root,
                   const char *label)
{
  if (!gtk_widget_get_mapped (root))
    return NULL;

  if (GTK_IS_BUTTON (root))
    {
      g_autofree char *text = strip_mnemonic (gtk_button_get_label (GTK_BUTTON (root)));

      if (g_strcmp0 (text, label) == 0)
        return root;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button_exact (child, label);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkWindow *
find_window (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (g_type_is_a (G_OBJECT_TYPE (window), type)
          && gtk_widget_get_mapped (GTK_WIDGET (window)))
        return window;
    }

  return NULL;
}

typedef struct
{
  GType      type;
  GtkWindow *found;
} FindWindow;

static gboolean
window_is_shown (gpointer user_data)
{
  FindWindow *find = user_data;

  find->found = find_window (find->type);

  return find->found != NULL;
}

static GtkWindow *
wait_for_window (GType type)
{
  FindWindow find = { type, NULL };

  cd_ui_test_wait_until (window_is_shown, &find, TIMEOUT_MS);
  g_assert_nonnull (find.found);

  return find.found;
}

static gboolean
window_is_gone (gpointer user_data)
{
  GType *type = user_data;

  return find_window (*type) == NULL;
}

static void
wait_for_window_gone (GType type)
{
  g_assert_true (cd_ui_test_wait_until (window_is_gone, &type, TIMEOUT_MS));
}

static guint
count_windows (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint count = 0;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (g_type_is_a (G_OBJECT_TYPE (window), type)
          && gtk_widget_get_mapped (GTK_WIDGET (window)))
        count++;
    }

  return count;
}

static void
collect_row_buttons (GtkWidget *widget,
                     gboolean   in_row,
                     GPtrArray *buttons)
{
  if (!gtk_widget_get_mapped (widget))
    return;

  in_row = in_row || CD_IS_BOOKING_ROW (widget);
  if (in_row && GTK_IS_BUTTON (widget))
    g_ptr_array_add (buttons, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_row_buttons (child, in_row, buttons);
}

/* Every button the user can see in the module rows. */
static GPtrArray *
booking_row_buttons (GtkWidget *root)
{
  GPtrArray *buttons = g_ptr_array_new ();

  collect_row_buttons (root, FALSE, buttons);

  return buttons;
}

/* The booking row showing @name, or NULL. */
static GtkWidget *
find_booking_row (GtkWidget  *root,
                  const char *name)
{
  if (!gtk_widget_get_mapped (root))
    return NULL;

  if (CD_IS_BOOKING_ROW (root))
    return cd_ui_test_find_text (root, name) != NULL ? root : NULL;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_booking_row (child, name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static guint
count_booking_rows (GtkWidget  *root,
                    const char *name)
{
  guint count = 0;

  if (!gtk_widget_get_mapped (root))
    return 0;

  if (CD_IS_BOOKING_ROW (root))
    return cd_ui_test_find_text (root, name) != NULL ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    count += count_booking_rows (child, name);

  return count;
}

typedef struct
{
  GtkWidget  *root;
  const char *name;
  const char *text;
  GtkWidget  *row;
} RowText;

static gboolean
row_shows_text (gpointer user_data)
{
  RowText *wait = user_data;

  wait->row = find_booking_row (wait->root, wait->name);

  return wait->row != NULL
         && (wait->text == NULL
             || cd_ui_test_find_text (wait->row, wait->text) != NULL);
}

/* Waits until the row of module @name shows @text (any row when NULL). */
static GtkWidget *
wait_for_row (Fixture    *fixture,
              const char *name,
              const char *text)
{
  RowText wait = { GTK_WIDGET (fixture->page), name, text, NULL };

  if (!cd_ui_test_wait_until (row_shows_text, &wait, TIMEOUT_MS))
    {
      g_autofree char *shown = cd_ui_test_collect_text (GTK_WIDGET (fixture->page));

      g_error ("no row of “%s” showing “%s”; the page shows:\n%s",
               name, text != NULL ? text : "", shown);
    }

  return wait.row;
}

typedef struct
{
  GtkWidget  *root;
  const char *text;
} GoneText;

static gboolean
text_is_gone (gpointer user_data)
{
  GoneText *gone = user_data;

  return cd_ui_test_find_text (gone->root, gone->text) == NULL;
}

static void
wait_for_text_gone (GtkWidget  *root,
                    const char *text)
{
  GoneText gone = { root, text };

  if (!cd_ui_test_wait_until (text_is_gone, &gone, TIMEOUT_MS))
    g_error ("“%s” is still shown", text);
}

static gboolean
widget_is_sensitive (gpointer user_data)
{
  return gtk_widget_is_sensitive (GTK_WIDGET (user_data));
}

static GtkWidget *
book_button (Fixture *fixture)
{
  GtkWidget *button = find_button_exact (GTK_WIDGET (fixture->page),
                                         tr ("Book Module", "Modul buchen"));

  g_assert_nonnull (button);

  return button;
}

static gboolean
book_button_is_sensitive (gpointer user_data)
{
  Fixture *fixture = user_data;

  return gtk_widget_is_sensitive (book_button (fixture));
}

/* Waits until the detail is loaded and the page lets an admin book. */
static void
wait_until_bookable (Fixture *fixture)
{
  GtkWidget *button = book_button (fixture);

  g_assert_true (cd_ui_test_wait_until (widget_is_sensitive, button,
                                        TIMEOUT_MS));
}

/* Opens the book dialog and chooses @module_code in it. */
static CdBookModuleDialog *
open_book_dialog (Fixture    *fixture,
                  const char *module_code)
{
  g_autoptr(CdModule) module = find_module (fixture->other, module_code);
  CdLicense *license = cd_device_get_license (fixture->detail);
  g_autofree char *earliest_end = NULL;
  g_autofree char *terms = NULL;
  GtkWidget *dialog;
  GtkWidget *name;
  GtkWidget *row;
  GtkWidget *check;

  wait_until_bookable (fixture);
  gtk_widget_activate (book_button (fixture));
  dialog = GTK_WIDGET (wait_for_window (CD_TYPE_BOOK_MODULE_DIALOG));

  name = cd_ui_test_assert_shown (dialog, cd_module_get_name (module));
  row = gtk_widget_get_ancestor (name, ADW_TYPE_ACTION_ROW);
  g_assert_nonnull (row);
  check = cd_ui_test_find_by_type (row, GTK_TYPE_CHECK_BUTTON);
  g_assert_nonnull (check);
  gtk_widget_activate (check);
  g_assert_cmpstr (cd_book_module_dialog_get_module_code (
                     CD_BOOK_MODULE_DIALOG (dialog)), ==, module_code);

  /* It says when the module could end at the earliest and what it costs;
   * the date is the license's next possible end. */
  earliest_end = cd_format_date (cd_license_get_next_possible_end (license));
  cd_ui_test_assert_shown (dialog, earliest_end);
  terms = cd_format_monthly_price (cd_module_get_price_amount_minor (module),
                                   cd_module_get_price_currency (module));
  cd_ui_test_assert_shown (dialog, terms);

  return CD_BOOK_MODULE_DIALOG (dialog);
}

static const char *
first_bookable (Fixture *fixture,
                guint    position)
{
  const char * const *bookable = cd_device_get_bookable (fixture->detail);

  g_assert_cmpuint (g_strv_length ((char **) bookable), >, position);

  return bookable[position];
}

/* A proxy between the page and the portal that can lose every answer
 * while still passing the requests on: the portal makes the change, the
 * page never hears of it. */

typedef struct
{
  GSocketService *service;      /* (owned) */
  GSocketClient  *connector;    /* (owned) */
  char           *upstream;     /* (owned) "127.0.0.1:PORT" of the portal */
  char           *url;          /* (owned) the proxy's own base URL */
  GPtrArray      *streams;      /* (owned) (element-type GIOStream) open ones */
  gboolean        lose_answers;
  guint           n_lost;
} FlakyProxy;

typedef struct
{
  FlakyProxy *proxy;
  GIOStream  *client;    /* (owned) */
  GIOStream  *upstream;  /* (owned) */
  guint8      buffer[4096];
} LostExchange;

static void
close_stream (GIOStream *stream)
{
  if (!g_io_stream_is_closed (stream))
    g_io_stream_close (stream, NULL, NULL);
}

static void
on_splice_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, NULL);
}

static void
on_spliced (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_io_stream_splice_finish (result, NULL);
}

/* The answer has started to come back: drop it and the connection. */
static void
on_answer_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  LostExchange *exchange = user_data;

  g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);
  exchange->proxy->n_lost++;
  close_stream (exchange->client);
  close_stream (exchange->upstream);
  g_object_unref (exchange->client);
  g_object_unref (exchange->upstream);
  g_free (exchange);
}

static gboolean
on_proxy_incoming (GSocketService    *service,
                   GSocketConnection *connection,
                   GObject           *source_object,
                   gpointer           user_data)
{
  FlakyProxy *proxy = user_data;
  g_autoptr(GSocketConnection) upstream = NULL;
  g_autoptr(GError) error = NULL;
  GIOStream *client = G_IO_STREAM (connection);

  upstream = g_socket_client_connect_to_host (proxy->connector,
                                              proxy->upstream, 0, NULL,
                                              &error);
  g_assert_no_error (error);
  g_ptr_array_add (proxy->streams, g_object_ref (client));
  g_ptr_array_add (proxy->streams, g_object_ref (upstream));

  if (!proxy->lose_answers)
    {
      g_io_stream_splice_async (client, G_IO_STREAM (upstream),
                                G_IO_STREAM_SPLICE_CLOSE_STREAM1
                                | G_IO_STREAM_SPLICE_CLOSE_STREAM2,
                                G_PRIORITY_DEFAULT, NULL, on_spliced, NULL);
    }
  else
    {
      LostExchange *exchange = g_new0 (LostExchange, 1);

      exchange->proxy = proxy;
      exchange->client = g_object_ref (client);
      exchange->upstream = g_object_ref (G_IO_STREAM (upstream));
      g_output_stream_splice_async (g_io_stream_get_output_stream (exchange->upstream),
                                    g_io_stream_get_input_stream (client),
                                    G_OUTPUT_STREAM_SPLICE_NONE,
                                    G_PRIORITY_DEFAULT, NULL,
                                    on_splice_done, NULL);
      g_input_stream_read_async (g_io_stream_get_input_stream (exchange->upstream),
                                 exchange->buffer, sizeof exchange->buffer,
                                 G_PRIORITY_DEFAULT, NULL,
                                 on_answer_read, exchange);
    }

  return TRUE;
}

static FlakyProxy *
flaky_proxy_new (const char *portal_url)
{
  FlakyProxy *proxy = g_new0 (FlakyProxy, 1);
  g_autoptr(GError) error = NULL;
  guint16 port;

  g_assert_true (g_str_has_prefix (portal_url, "http://"));
  proxy->upstream = g_strdup (portal_url + strlen ("http://"));
  proxy->streams = g_ptr_array_new_with_free_func (g_object_unref);
  proxy->connector = g_socket_client_new ();
  proxy->service = g_socket_service_new ();
  port = g_socket_listener_add_any_inet_port (
    G_SOCKET_LISTENER (proxy->service), NULL, &error);
  g_assert_no_error (error);
  proxy->url = g_strdup_printf ("http://127.0.0.1:%u", port);
  g_signal_connect (proxy->service, "incoming",
                    G_CALLBACK (on_proxy_incoming), proxy);
  g_socket_service_start (proxy->service);

  return proxy;
}

/* After the portal was restarted on another port. */
static void
flaky_proxy_set_upstream (FlakyProxy *proxy,
                          const char *portal_url)
{
  g_assert_true (g_str_has_prefix (portal_url, "http://"));
  g_free (proxy->upstream);
  proxy->upstream = g_strdup (portal_url + strlen ("http://"));
}

/* Also ends the connections that are open, so that the new mode applies
 * to the next request at once. */
static void
flaky_proxy_set_lose_answers (FlakyProxy *proxy,
                              gboolean    lose_answers)
{
  proxy->lose_answers = lose_answers;
  for (guint i = 0; i < proxy->streams->len; i++)
    close_stream (g_ptr_array_index (proxy->streams, i));
  g_ptr_array_set_size (proxy->streams, 0);
}

static void
flaky_proxy_free (FlakyProxy *proxy)
{
  g_socket_service_stop (proxy->service);
  g_socket_listener_close (G_SOCKET_LISTENER (proxy->service));
  flaky_proxy_set_lose_answers (proxy, FALSE);
  g_clear_object (&proxy->service);
  g_clear_object (&proxy->connector);
  g_clear_pointer (&proxy->streams, g_ptr_array_unref);
  g_free (proxy->upstream);
  g_free (proxy->url);
  g_free (proxy);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlakyProxy, flaky_proxy_free)

/* Tests */

static void
test_book_adds_row (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(CdModule) module = NULL;
  g_autoptr(CdDevice) after = NULL;
  g_autofree char *toast = NULL;
  CdBookModuleDialog *dialog;
  const char *module_code;
  GtkWidget *button;
  GtkWidget *row;

  open_device (fixture, WANT_BOOKABLE);
  cd_ui_test_assert_shown (GTK_WIDGET (fixture->page),
                           tr ("License & Modules", "Lizenz & Module"));

  module_code = first_bookable (fixture, 0);
  module = find_module (fixture->other, module_code);
  g_assert_null (find_booking_row (GTK_WIDGET (fixture->page),
                                   cd_module_get_name (module)));
  cd_ui_test_assert_shown (fixture->list_row, cd_device_get_name (fixture->detail));
  g_assert_null (cd_ui_test_find_text (fixture->list_row,
                                       cd_module_get_name (module)));

  dialog = open_book_dialog (fixture, module_code);
  g_free (cd_ui_test_screenshot (GTK_WIDGET (dialog),
                                 german ? "device-book-dialog-de.png"
                                        : "device-book-dialog-en.png"));
  button = find_button_exact (GTK_WIDGET (dialog), tr ("Book", "Buchen"));
  g_assert_nonnull (button);
  gtk_widget_activate (button);
  wait_for_window_gone (CD_TYPE_BOOK_MODULE_DIALOG);

  row = wait_for_row (fixture, cd_module_get_name (module),
                      tr ("Active", "Aktiv"));
  g_assert_nonnull (find_button_exact (row, tr ("Cancel", "Kündigen")));
  toast = german ? g_strdup_printf ("„%s“ gebucht", cd_module_get_name (module))
                 : g_strdup_printf ("“%s” booked", cd_module_get_name (module));
  cd_ui_test_assert_shown (GTK_WIDGET (fixture->page), toast);

  /* The device's row in the list shows the module, without a reload. */
  cd_ui_test_assert_shown (fixture->list_row, cd_module_get_name (module));

  after = get_device (fixture->other, cd_device_get_id (fixture->list_device));
  g_assert_cmpuint (count_bookings (after, module_code,
                                    CD_BOOKING_STATE_ACTIVE), ==, 1);
}

/* The position of the list box row that shows @text, or -1. */
static int
row_index_of_text (GtkWidget  *root,
                   const char *text)
{
  GtkWidget *label = cd_ui_test_find_text (root, text);
  GtkWidget *row;

  if (label == NULL)
    return -1;

  row = gtk_widget_get_ancestor (label, GTK_TYPE_LIST_BOX_ROW);
  g_assert_nonnull (row);

  return gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row));
}

static void
test_cancel_and_undo (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(CdBooking) booking = NULL;
  g_autoptr(CdModule) module = NULL;
  g_auto(TermDates) dates = { NULL, NULL, NULL };
  g_autofree char *end_text = NULL;
  g_autofree char *term_end_text = NULL;
  g_autofree char *pending_text = NULL;
  g_autofree char *list_text = NULL;
  g_autofree char *toast_text = NULL;
  g_autofree char *cancelled_text = NULL;
  g_autofree char *withdrawn_text = NULL;
  g_autofree char *confirm_end = NULL;
  g_autofree char *confirm_reason = NULL;
  g_autofree char *notice_text = NULL;
  g_autoptr(CdDevice) after = NULL;
  const char *actor;
  GtkWindow *confirm;
  GtkWidget *history;
  GtkWidget *row;
  GtkWidget *button;
  int cancelled_index;
  int withdrawn_index;

  /* A device whose notice deadline for the current term has passed: the
   * module ends a whole term later than the current term end. */
  open_device (fixture, WANT_LATE_NOTICE);

  booking = first_booking (fixture->detail, CD_BOOKING_STATE_ACTIVE);
  module = find_module (fixture->other, cd_booking_get_module_code (booking));
  license_term_dates (&dates, cd_device_get_license (fixture->detail));
  end_text = cd_format_date (dates.next_possible_end);
  term_end_text = cd_format_date (dates.current_end);
  g_assert_cmpstr (end_text, !=, term_end_text);
  g_test_message ("%s on %s, term ends %s, module ends %s",
                  cd_module_get_code (module),
                  cd_device_get_name (fixture->detail), term_end_text,
                  end_text);

  row = wait_for_row (fixture, cd_module_get_name (module),
                      tr ("Active", "Aktiv"));
  wait_until_bookable (fixture);

  /* The license part says the deadline has passed. */
  notice_text = german
                ? g_strdup_printf ("Kündigungsfrist: %d Monate, abgelaufen",
                                   cd_license_get_notice_months (
                                     cd_device_get_license (fixture->detail)))
                : g_strdup_printf ("Notice period: %d months, deadline passed",
                                   cd_license_get_notice_months (
                                     cd_device_get_license (fixture->detail)));
  cd_ui_test_assert_shown (GTK_WIDGET (fixture->page), notice_text);

  button = find_button_exact (row, tr ("Cancel", "Kündigen"));
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  gtk_widget_activate (button);

  /* The confirmation names the module, the device and the end date. */
  confirm = wait_for_window (ADW_TYPE_MESSAGE_DIALOG);
  cd_ui_test_assert_shown (GTK_WIDGET (confirm), cd_module_get_name (module));
  cd_ui_test_assert_shown (GTK_WIDGET (confirm), cd_device_get_name (fixture->detail));
  /* ... and why it is a term later than the current term end. */
  confirm_end = german
                ? g_strdup_printf ("endet am %s und bleibt bis dahin nutzbar",
                                   end_text)
                : g_strdup_printf ("will end on %s and stays usable until "
                                   "then", end_text);
  confirm_reason = german
                   ? g_strdup_printf ("die am %s endet, ist bereits abgelaufen",
                                      term_end_text)
                   : g_strdup_printf ("which ends on %s, has passed",
                                      term_end_text);
  cd_ui_test_assert_shown (GTK_WIDGET (confirm), confirm_end);
  cd_ui_test_assert_shown (GTK_WIDGET (confirm), confirm_reason);
  g_free (cd_ui_test_screenshot (GTK_WIDGET (confirm),
                                 german ? "device-cancel-confirm-de.png"
                                        : "device-cancel-confirm-en.png"));
  button = find_button_exact (GTK_WIDGET (confirm),
                              tr ("Cancel Module", "Kündigen"));
  g_assert_nonnull (button);
  gtk_widget_activate (button);
  wait_for_window_gone (ADW_TYPE_MESSAGE_DIALOG);

  pending_text = german
                 ? g_strdup_printf ("Gekündigt zum %s, bis dahin nutzbar",
                                    end_text)
                 : g_strdup_printf ("Cancelled, usable until %s", end_text);
  row = wait_for_row (fixture, cd_module_get_name (module), pending_text);
  g_assert_nonnull (find_button_exact (row, tr ("Withdraw cancellation",
                                                "Kündigung zurücknehmen")));

  /* The device's row in the list says so too. */
  list_text = german ? g_strdup_printf ("Kündigung vorgemerkt zum %s",
                                        end_text)
                     : g_strdup_printf ("Cancellation pending: ends %s",
                                        end_text);
  cd_ui_test_assert_shown (fixture->list_row, list_text);

  after = get_device (fixture->other, cd_device_get_id (fixture->list_device));
  g_assert_cmpuint (count_bookings (after, cd_module_get_code (module),
                                    CD_BOOKING_STATE_CANCELLATION_PENDING),
                    ==, 1);

  /* Undo in the toast withdraws the cancellation. */
  toast_text = german
               ? g_strdup_printf ("„%s“ gekündigt, nutzbar bis %s",
                                  cd_module_get_name (module), end_text)
               : g_strdup_printf ("“%s” cancelled, usable until %s",
                                  cd_module_get_name (module), end_text);
  cd_ui_test_assert_shown (GTK_WIDGET (fixture->page), toast_text);
  button = find_button_exact (GTK_WIDGET (fixture->page),
                              tr ("Undo", "Rückgängig"));
  g_assert_nonnull (button);
  g_assert_true (cd_ui_test_wait_until (widget_is_sensitive, button,
                                        TIMEOUT_MS));
  g_free (cd_ui_test_screenshot (GTK_WIDGET (fixture->window),
                                 german ? "device-modules-de.png"
                                        : "device-modules-en.png"));
  gtk_widget_activate (button);

  row = wait_for_row (fixture, cd_module_get_name (module),
                      tr ("Active", "Aktiv"));
  g_assert_nonnull (find_button_exact (row, tr ("Cancel", "Kündigen")));
  g_assert_null (cd_ui_test_find_text (row, pending_text));
  wait_for_text_gone (fixture->list_row, list_text);
  g_assert_nonnull (cd_ui_test_find_text (fixture->list_row,
                                          cd_module_get_name (module)));

  /* The history lists both changes, newest first, with who made them. */
  gtk_notebook_set_current_page (
    GTK_NOTEBOOK (cd_ui_test_find_by_type (GTK_WIDGET (fixture->page),
                                           GTK_TYPE_NOTEBOOK)),
    2);
  history = cd_ui_test_find_by_type (
    gtk_notebook_get_nth_page (
      GTK_NOTEBOOK (cd_ui_test_find_by_type (GTK_WIDGET (fixture->page),
                                             GTK_TYPE_NOTEBOOK)),
      2),
    GTK_TYPE_LIST_BOX);
  g_assert_nonnull (history);
  cancelled_text = german
                   ? g_strdup_printf ("„%s“ gekündigt zum %s",
                                      cd_module_get_name (module), end_text)
                   : g_strdup_printf ("Cancelled “%s”, ends on %s",
                                      cd_module_get_name (module), end_text);
  withdrawn_text = german
                   ? g_strdup_printf ("Kündigung von „%s“ zurückgenommen",
                                      cd_module_get_name (module))
                   : g_strdup_printf ("Withdrew the cancellation of “%s”",
                                      cd_module_get_name (module));
  cd_ui_test_assert_shown (history, withdrawn_text);
  cd_ui_test_assert_shown (history, cancelled_text);
  withdrawn_index = row_index_of_text (history, withdrawn_text);
  cancelled_index = row_index_of_text (history, cancelled_text);
  g_assert_cmpint (withdrawn_index, ==, 0);
  g_assert_cmpint (cancelled_index, ==, 1);

  actor = cd_account_get_display_name (
    cd_portal_client_get_account (fixture->client));
  g_assert_nonnull (actor);
  row = gtk_widget_get_ancestor (cd_ui_test_find_text (history,
                                                       cancelled_text),
                                 GTK_TYPE_LIST_BOX_ROW);
  g_assert_nonnull (cd_ui_test_find_text (row, actor));
  row = gtk_widget_get_ancestor (cd_ui_test_find_text (history,
                                                       withdrawn_text),
                                 GTK_TYPE_LIST_BOX_ROW);
  g_assert_nonnull (cd_ui_test_find_text (row, actor));

  g_free (cd_ui_test_screenshot (GTK_WIDGET (fixture->window),
                                 german ? "device-history-de.png"
                                        : "device-history-en.png"));
}

static void
test_book_twice_books_once (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(CdModule) module = NULL;
  g_autoptr(CdDevice) after = NULL;
  g_autoptr(GListModel) events = NULL;
  g_autoptr(CdBookModuleDialog) dialog = NULL;
  g_autoptr(GPtrArray) row_buttons = NULL;
  const char *module_code;
  GtkWidget *confirm;
  guint n_booked = 0;

  open_device (fixture, WANT_BOOKABLE);
  module_code = first_bookable (fixture, 1);
  module = find_module (fixture->other, module_code);

  dialog = g_object_ref (open_book_dialog (fixture, module_code));

  /* "Book Module" again brings up the same dialog, not a second one. */
  gtk_widget_activate (book_button (fixture));
  cd_ui_test_iterate (100);
  g_assert_cmpuint (count_windows (CD_TYPE_BOOK_MODULE_DIALOG), ==, 1);

  /* A double click: two clicks before the first answer arrives. The
   * dialog closes on the first, the second still reaches it; then one
   * more response, as a key press would give. */
  confirm = find_button_exact (GTK_WIDGET (dialog), tr ("Book", "Buchen"));
  g_assert_nonnull (confirm);
  g_object_ref (confirm);
  g_signal_emit_by_name (confirm, "clicked");
  g_signal_emit_by_name (confirm, "clicked");
  g_signal_emit_by_name (dialog, "response::book", "book");
  g_object_unref (confirm);

  /* While the booking is on its way nothing can be changed. */
  g_assert_false (gtk_widget_is_sensitive (book_button (fixture)));
  row_buttons = booking_row_buttons (GTK_WIDGET (fixture->page));
  g_assert_cmpuint (row_buttons->len, >, 0);
  for (guint i = 0; i < row_buttons->len; i++)
    g_assert_false (gtk_widget_is_sensitive (row_buttons->pdata[i]));

  wait_for_row (fixture, cd_module_get_name (module), tr ("Active", "Aktiv"));
  wait_until_bookable (fixture);
  /* Anything still on its way has had the time to arrive. */
  cd_ui_test_iterate (500);

  g_assert_cmpuint (count_booking_rows (GTK_WIDGET (fixture->page),
                                        cd_module_get_name (module)), ==, 1);
  /* A second request would have been refused as already booked. */
  g_assert_null (cd_ui_test_find_text (GTK_WIDGET (fixture->page),
                                       tr ("changed in the meantime",
                                           "zwischenzeitlich geändert")));

  after = get_device (fixture->other, cd_device_get_id (fixture->list_device));
  g_assert_cmpuint (count_bookings (after, module_code,
                                    CD_BOOKING_STATE_ACTIVE), ==, 1);

  events = list_events (fixture->other,
                        cd_device_get_id (fixture->list_device));
  for (guint i = 0; i < g_list_model_get_n_items (events); i++)
    {
      g_autoptr(CdEvent) event = g_list_model_get_item (events, i);

      if (cd_event_get_action (event) == CD_EVENT_ACTION_MODULE_BOOKED
          && g_strcmp0 (cd_event_get_module_code (event), module_code) == 0)
        n_booked++;
    }
  g_assert_cmpuint (n_booked, ==, 1);
}

static void
test_stale_revision (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(CdModule) theirs = NULL;
  g_autoptr(CdModule) ours = NULL;
  g_autoptr(CdBooking) booking = NULL;
  g_autoptr(CdDevice) after = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = cd_portal_client_new_idempotency_key ();
  CdBookModuleDialog *dialog;
  GtkWidget *button;

  open_device (fixture, WANT_BOOKABLE);
  theirs = find_module (fixture->other, first_bookable (fixture, 0));
  ours = find_module (fixture->other, first_bookable (fixture, 1));
  wait_until_bookable (fixture);

  /* Someone else books a module after the page loaded the device. */
  cd_portal_client_book_module_async (fixture->other,
                                      cd_device_get_id (fixture->list_device),
                                      cd_module_get_code (theirs), -1, key,
                                      NULL, cd_ui_test_store_result, &result);
  booking = cd_portal_client_book_module_finish (fixture->other,
                                                 cd_ui_test_await (&result),
                                                 NULL, &error);
  g_assert_no_error (error);
  g_assert_null (find_booking_row (GTK_WIDGET (fixture->page),
                                   cd_module_get_name (theirs)));

  dialog = open_book_dialog (fixture, cd_module_get_code (ours));
  button = find_button_exact (GTK_WIDGET (dialog), tr ("Book", "Buchen"));
  gtk_widget_activate (button);

  /* The user is told, and the page shows the current state. */
  cd_ui_test_assert_shown (GTK_WIDGET (fixture->page),
                           tr ("This device was changed in the meantime",
                               "Das Gerät wurde zwischenzeitlich geändert"));
  wait_for_row (fixture, cd_module_get_name (theirs), tr ("Active", "Aktiv"));
  g_assert_null (find_booking_row (GTK_WIDGET (fixture->page),
                                   cd_module_get_name (ours)));

  after = get_device (fixture->other, cd_device_get_id (fixture->list_device));
  g_assert_cmpuint (count_bookings (after, cd_module_get_code (ours),
                                    CD_BOOKING_STATE_ACTIVE), ==, 0);
  g_free (cd_ui_test_screenshot (GTK_WIDGET (fixture->window),
                                 german ? "device-stale-de.png"
                                        : "device-stale-en.png"));
}

static void
test_network_error_offers_retry (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GError) network_error = NULL;
  g_autofree char *message = NULL;
  CdBookModuleDialog *dialog;
  GtkWidget *retry;

  open_device (fixture, WANT_BOOKABLE);
  dialog = open_book_dialog (fixture, first_bookable (fixture, 0));

  /* The portal goes away between loading the page and booking. */
  cd_test_portal_kill (fixture->portal);
  gtk_widget_activate (find_button_exact (GTK_WIDGET (dialog),
                                          tr ("Book", "Buchen")));

  network_error = g_error_new_literal (CD_PORTAL_ERROR,
                                       CD_PORTAL_ERROR_NETWORK, "test");
  message = cd_error_text (network_error);
  cd_ui_test_assert_shown (GTK_WIDGET (fixture->page), message);
  retry = find_button_exact (GTK_WIDGET (fixture->page),
                             tr ("Retry", "Erneut versuchen"));
  g_assert_nonnull (retry);
  g_assert_true (gtk_widget_is_sensitive (retry));

  /* The page keeps what it showed. */
  g_assert_nonnull (cd_ui_test_find_text (GTK_WIDGET (fixture->page),
                                          cd_device_get_name (fixture->detail)));
  g_assert_nonnull (find_button_exact (GTK_WIDGET (fixture->page),
                                       tr ("Book Module", "Modul buchen")));
  g_free (cd_ui_test_screenshot (GTK_WIDGET (fixture->window),
                                 german ? "device-network-de.png"
                                        : "device-network-en.png"));
}

static guint
count_events (CdPortalClient *client,
              const char     *device_id,
              CdEventAction   action,
              const char     *module_code)
{
  g_autoptr(GListModel) events = list_events (client, device_id);
  guint count = 0;

  for (guint i = 0; i < g_list_model_get_n_items (events); i++)
    {
      g_autoptr(CdEvent) event = g_list_model_get_item (events, i);

      if (cd_event_get_action (event) == action
          && g_strcmp0 (cd_event_get_module_code (event), module_code) == 0)
        count++;
    }

  return count;
}

/* The answer to a booking is lost; the portal has booked. "Retry" must
 * send the same Idempotency-Key: the portal then replays its answer,
 * where a new key would be refused as already booked. */
static void
test_retry_after_lost_answer (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(FlakyProxy) proxy = NULL;
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) network_error = NULL;
  g_autoptr(CdModule) module = NULL;
  g_autoptr(CdDevice) after = NULL;
  g_autofree char *message = NULL;
  CdBookModuleDialog *dialog;
  const char *device_id;
  GtkWidget *retry;

  proxy = flaky_proxy_new (cd_test_portal_get_url (fixture->portal));
  client = cd_portal_client_new (proxy->url, &error);
  g_assert_no_error (error);
  cd_portal_client_sign_in_async (client, "admin@muster.example", "demo",
                                  NULL, cd_ui_test_store_result, &result);
  account = cd_portal_client_sign_in_finish (client, cd_ui_test_await (&result),
                                             &error);
  g_assert_no_error (error);
  cd_device_page_set_client (fixture->page, client);

  open_device (fixture, WANT_BOOKABLE);
  device_id = cd_device_get_id (fixture->list_device);
  module = find_module (fixture->other, first_bookable (fixture, 0));
  dialog = open_book_dialog (fixture, cd_module_get_code (module));

  flaky_proxy_set_lose_answers (proxy, TRUE);
  gtk_widget_activate (find_button_exact (GTK_WIDGET (dialog),
                                          tr ("Book", "Buchen")));

  network_error = g_error_new_literal (CD_PORTAL_ERROR,
                                       CD_PORTAL_ERROR_NETWORK, "test");
  message = cd_error_text (network_error);
  cd_ui_test_assert_shown (GTK_WIDGET (fixture->page), message);
  g_assert_cmpuint (proxy->n_lost, >=, 1);
  g_assert_null (find_booking_row (GTK_WIDGET (fixture->page),
                                   cd_module_get_name (module)));

  /* The portal did book, once, although every answer was lost. */
  after = get_device (fixture->other, device_id);
  g_assert_cmpuint (count_bookings (after, cd_module_get_code (module),
                                    CD_BOOKING_STATE_ACTIVE), ==, 1);

  flaky_proxy_set_lose_answers (proxy, FALSE);
  retry = find_button_exact (GTK_WIDGET (fixture->page),
                             tr ("Retry", "Erneut versuchen"));
  g_assert_nonnull (retry);
  gtk_widget_activate (retry);

  wait_for_row (fixture, cd_module_get_name (module), tr ("Active", "Aktiv"));
  g_assert_null (cd_ui_test_find_text (GTK_WIDGET (fixture->page),
                                       tr ("changed in the meantime",
                                           "zwischenzeitlich geändert")));
  wait_for_text_gone (GTK_WIDGET (fixture->page), message);

  g_clear_object (&after);
  after = get_device (fixture->other, device_id);
  g_assert_cmpuint (count_bookings (after, cd_module_get_code (module),
                                    CD_BOOKING_STATE_ACTIVE), ==, 1);
  g_assert_cmpuint (count_events (fixture->other, device_id,
                                  CD_EVENT_ACTION_MODULE_BOOKED,
                                  cd_module_get_code (module)), ==, 1);

  /* The page must not keep a client that goes away with this test. */
  cd_device_page_set_client (fixture->page, NULL);
}

/* Another device of the list than the one the test opened, one that
 * modules can be booked on. */
static CdDevice *
other_list_device (Fixture *fixture)
{
  g_autoptr(GListModel) devices = list_devices (fixture->other);

  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (devices, i);
      g_autoptr(CdDevice) detail = NULL;

      if (g_strcmp0 (cd_device_get_id (device),
                     cd_device_get_id (fixture->list_device)) == 0)
        continue;

      detail = get_device (fixture->other, cd_device_get_id (device));
      if (device_fits (detail, WANT_BOOKABLE))
        return g_steal_pointer (&device);
    }

  g_error ("the fleet has only one device");
}

/* The answer to a booking is lost and the user opens another device
 * instead of retrying: the list must still learn that the portal booked. */
static void
test_lost_answer_then_leave (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(FlakyProxy) proxy = NULL;
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) network_error = NULL;
  g_autoptr(CdModule) module = NULL;
  g_autoptr(CdDevice) next_device = NULL;
  g_autofree char *message = NULL;
  CdBookModuleDialog *dialog;

  proxy = flaky_proxy_new (cd_test_portal_get_url (fixture->portal));
  client = cd_portal_client_new (proxy->url, &error);
  g_assert_no_error (error);
  cd_portal_client_sign_in_async (client, "admin@muster.example", "demo",
                                  NULL, cd_ui_test_store_result, &result);
  account = cd_portal_client_sign_in_finish (client, cd_ui_test_await (&result),
                                             &error);
  g_assert_no_error (error);
  cd_device_page_set_client (fixture->page, client);

  open_device (fixture, WANT_BOOKABLE);
  module = find_module (fixture->other, first_bookable (fixture, 0));
  dialog = open_book_dialog (fixture, cd_module_get_code (module));

  flaky_proxy_set_lose_answers (proxy, TRUE);
  gtk_widget_activate (find_button_exact (GTK_WIDGET (dialog),
                                          tr ("Book", "Buchen")));
  network_error = g_error_new_literal (CD_PORTAL_ERROR,
                                       CD_PORTAL_ERROR_NETWORK, "test");
  message = cd_error_text (network_error);
  cd_ui_test_assert_shown (GTK_WIDGET (fixture->page), message);
  g_assert_null (cd_ui_test_find_text (fixture->list_row,
                                       cd_module_get_name (module)));

  flaky_proxy_set_lose_answers (proxy, FALSE);
  next_device = other_list_device (fixture);
  cd_device_page_set_device (fixture->page, next_device);

  cd_ui_test_assert_shown (fixture->list_row, cd_module_get_name (module));
  cd_ui_test_assert_shown (GTK_WIDGET (fixture->page), cd_device_get_name (next_device));

  cd_device_page_set_client (fixture->page, NULL);
}

/* The user opens another device while a cancellation is on its way: the
 * result is told with the device's name, and no Undo that the page could
 * not show. */
static void
test_change_finishes_elsewhere (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(CdBooking) booking = NULL;
  g_autoptr(CdModule) module = NULL;
  g_autoptr(CdDevice) next_device = NULL;
  g_auto(TermDates) dates = { NULL, NULL, NULL };
  g_autofree char *end_text = NULL;
  g_autofree char *toast_text = NULL;
  g_autofree char *list_text = NULL;
  GtkWindow *confirm;
  GtkWidget *row;
  GtkWidget *button;

  open_device (fixture, WANT_ACTIVE_BOOKING);
  booking = first_booking (fixture->detail, CD_BOOKING_STATE_ACTIVE);
  module = find_module (fixture->other, cd_booking_get_module_code (booking));
  license_term_dates (&dates, cd_device_get_license (fixture->detail));
  end_text = cd_format_date (dates.next_possible_end);
  next_device = other_list_device (fixture);

  row = wait_for_row (fixture, cd_module_get_name (module),
                      tr ("Active", "Aktiv"));
  button = find_button_exact (row, tr ("Cancel", "Kündigen"));
  g_assert_nonnull (button);
  g_assert_true (cd_ui_test_wait_until (widget_is_sensitive, button,
                                        TIMEOUT_MS));
  gtk_widget_activate (button);
  confirm = wait_for_window (ADW_TYPE_MESSAGE_DIALOG);
  button = find_button_exact (GTK_WIDGET (confirm),
                              tr ("Cancel Module", "Kündigen"));
  g_assert_nonnull (button);

  /* The click sends the request; the next device opens before the
   * answer can arrive. */
  g_signal_emit_by_name (button, "clicked");
  cd_device_page_set_device (fixture->page, next_device);

  toast_text = german
               ? g_strdup_printf ("„%s“ auf „%s“ gekündigt, nutzbar bis %s",
                                  cd_module_get_name (module),
                                  cd_device_get_name (fixture->detail),
                                  end_text)
               : g_strdup_printf ("“%s” on “%s” cancelled, usable until %s",
                                  cd_module_get_name (module),
                                  cd_device_get_name (fixture->detail),
                                  end_text);
  cd_ui_test_assert_shown (GTK_WIDGET (fixture->page), toast_text);
  g_assert_null (find_button_exact (GTK_WIDGET (fixture->page),
                                    tr ("Undo", "Rückgängig")));

  list_text = german ? g_strdup_printf ("Kündigung vorgemerkt zum %s",
                                        end_text)
                     : g_strdup_printf ("Cancellation pending: ends %s",
                                        end_text);
  cd_ui_test_assert_shown (fixture->list_row, list_text);

  /* The page is the next device's, and usable once the change is done. */
  cd_ui_test_assert_shown (GTK_WIDGET (fixture->page), cd_device_get_name (next_device));
  g_assert_true (cd_ui_test_wait_until (book_button_is_sensitive, fixture,
                                        TIMEOUT_MS));
}

/* The page was loaded before a notice deadline, the cancellation is
 * confirmed after it: the portal's end is a term later than the one the
 * confirmation showed, and the user must be told. */
static void
test_deadline_passed_meanwhile (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(FlakyProxy) proxy = NULL;
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CdBooking) booking = NULL;
  g_autoptr(CdModule) module = NULL;
  g_auto(TermDates) dates = { NULL, NULL, NULL };
  g_autoptr(GDate) later = NULL;
  g_autoptr(GDate) later_end = NULL;
  g_autofree char *shown_text = NULL;
  g_autofree char *later_text = NULL;
  g_autofree char *later_iso = NULL;
  g_autofree char *pending_text = NULL;
  g_autofree char *warning = NULL;
  GtkWindow *confirm;
  GtkWidget *row;
  GtkWidget *button;
  CdLicense *license;

  proxy = flaky_proxy_new (cd_test_portal_get_url (fixture->portal));
  client = cd_portal_client_new (proxy->url, &error);
  g_assert_no_error (error);
  cd_portal_client_sign_in_async (client, "admin@muster.example", "demo",
                                  NULL, cd_ui_test_store_result, &result);
  account = cd_portal_client_sign_in_finish (client, cd_ui_test_await (&result),
                                             &error);
  g_assert_no_error (error);
  cd_device_page_set_client (fixture->page, client);

  open_device (fixture, WANT_NOTICE_BOOKING);
  booking = first_booking (fixture->detail, CD_BOOKING_STATE_ACTIVE);
  module = find_module (fixture->other, cd_booking_get_module_code (booking));
  license = cd_device_get_license (fixture->detail);
  license_term_dates (&dates, license);
  shown_text = cd_format_date (dates.next_possible_end);

  /* The day after the notice deadline, the module ends a term later. */
  later = add_days (dates.notice_deadline, 1);
  later_end = expected_module_end (cd_license_get_term_start (license),
                                   cd_license_get_term_months (license),
                                   cd_license_get_notice_months (license),
                                   later);
  later_text = cd_format_date (later_end);
  g_assert_cmpstr (later_text, !=, shown_text);
  later_iso = g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (later),
                               g_date_get_month (later),
                               g_date_get_day (later));

  row = wait_for_row (fixture, cd_module_get_name (module),
                      tr ("Active", "Aktiv"));
  button = find_button_exact (row, tr ("Cancel", "Kündigen"));
  g_assert_nonnull (button);
  g_assert_true (cd_ui_test_wait_until (widget_is_sensitive, button,
                                        TIMEOUT_MS));
  gtk_widget_activate (button);
  confirm = wait_for_window (ADW_TYPE_MESSAGE_DIALOG);
  cd_ui_test_assert_shown (GTK_WIDGET (confirm), shown_text);

  /* Time passes while the confirmation is open. */
  g_assert_true (cd_test_portal_restart (fixture->portal, later_iso, &error));
  g_assert_no_error (error);
  flaky_proxy_set_upstream (proxy, cd_test_portal_get_url (fixture->portal));
  flaky_proxy_set_lose_answers (proxy, FALSE);

  button = find_button_exact (GTK_WIDGET (confirm),
                              tr ("Cancel Module", "Kündigen"));
  g_assert_nonnull (button);
  gtk_widget_activate (button);

  pending_text = german
                 ? g_strdup_printf ("Gekündigt zum %s, bis dahin nutzbar",
                                    later_text)
                 : g_strdup_printf ("Cancelled, usable until %s", later_text);
  wait_for_row (fixture, cd_module_get_name (module), pending_text);
  warning = german
            ? g_strdup_printf ("„%s“ endet am %s, nicht am %s: Seit dem Laden "
                               "der Seite ist eine Kündigungsfrist abgelaufen.",
                               cd_module_get_name (module), later_text,
                               shown_text)
            : g_strdup_printf ("“%s” ends on %s, not on %s: a notice deadline "
                               "passed since the page was loaded.",
                               cd_module_get_name (module), later_text,
                               shown_text);
  cd_ui_test_assert_shown (GTK_WIDGET (fixture->page), warning);
  g_free (cd_ui_test_screenshot (GTK_WIDGET (fixture->window),
                                 german ? "device-deadline-passed-de.png"
                                        : "device-deadline-passed-en.png"));

  cd_device_page_set_client (fixture->page, NULL);
}

static void
test_viewer_cannot_change (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(CdBooking) active = NULL;
  g_autoptr(CdBooking) pending = NULL;
  g_autoptr(CdModule) active_module = NULL;
  g_autoptr(CdModule) pending_module = NULL;
  GtkWidget *row;
  GtkWidget *button;

  open_device (fixture, WANT_MIXED_BOOKINGS);
  active = first_booking (fixture->detail, CD_BOOKING_STATE_ACTIVE);
  pending = first_booking (fixture->detail,
                           CD_BOOKING_STATE_CANCELLATION_PENDING);
  active_module = find_module (fixture->other,
                               cd_booking_get_module_code (active));
  pending_module = find_module (fixture->other,
                                cd_booking_get_module_code (pending));

  /* Everything is shown ... */
  row = wait_for_row (fixture, cd_module_get_name (active_module), NULL);
  cd_ui_test_assert_shown (GTK_WIDGET (fixture->page),
                           tr ("Only administrators can book or cancel modules.",
                               "Nur Administratoren können Module buchen oder "
                               "kündigen."));
  cd_ui_test_assert_shown (GTK_WIDGET (fixture->page),
                           tr ("Next Possible End", "Nächstmögliches Ende"));

  /* ... but nothing can be changed. */
  g_assert_false (gtk_widget_is_sensitive (book_button (fixture)));
  button = find_button_exact (row, tr ("Cancel", "Kündigen"));
  g_assert_nonnull (button);
  g_assert_false (gtk_widget_is_sensitive (button));
  row = wait_for_row (fixture, cd_module_get_name (pending_module),
                      tr ("Cancelled, usable until", "Gekündigt zum"));
  button = find_button_exact (row, tr ("Withdraw cancellation",
                                       "Kündigung zurücknehmen"));
  g_assert_nonnull (button);
  g_assert_false (gtk_widget_is_sensitive (button));

  /* Not even the actions behind the buttons do anything. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "device.book",
                              NULL);
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "device.cancel",
                              "s", cd_booking_get_id (active));
  cd_ui_test_iterate (200);
  g_assert_null (find_window (CD_TYPE_BOOK_MODULE_DIALOG));
  g_assert_null (find_window (ADW_TYPE_MESSAGE_DIALOG));

  g_free (cd_ui_test_screenshot (GTK_WIDGET (fixture->window),
                                 german ? "device-viewer-de.png"
                                        : "device-viewer-en.png"));
}

static void
test_no_license (Fixture       *fixture,
                 gconstpointer  data)
{
  open_device (fixture, WANT_NO_LICENSE);

  cd_ui_test_assert_shown (GTK_WIDGET (fixture->page), tr ("No license", "Keine Lizenz"));
  cd_ui_test_assert_shown (GTK_WIDGET (fixture->page),
                           tr ("Modules can only be booked on a device with a license.",
                               "Module können nur auf einem Gerät mit Lizenz gebucht "
                               "werden."));
  /* Wait for the detail: "No modules booked" replaces the spinner. */
  cd_ui_test_assert_shown (GTK_WIDGET (fixture->page),
                           tr ("No modules booked", "Keine Module gebucht"));
  g_assert_false (gtk_widget_is_sensitive (book_button (fixture)));

  g_free (cd_ui_test_screenshot (GTK_WIDGET (fixture->window),
                                 german ? "device-no-license-de.png"
                                        : "device-no-license-en.png"));
}

static void
test_cancelled_license (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(CdBooking) booking = NULL;
  g_autoptr(CdModule) module = NULL;
  g_autofree char *ends_on = NULL;
  g_autofree char *state = NULL;
  GtkWidget *row;

  open_device (fixture, WANT_CANCELLED_LICENSE);
  booking = first_booking (fixture->detail,
                           CD_BOOKING_STATE_CANCELLATION_PENDING);
  module = find_module (fixture->other, cd_booking_get_module_code (booking));

  ends_on = cd_format_date (cd_license_get_ends_on (
                              cd_device_get_license (fixture->detail)));
  state = german ? g_strdup_printf ("Gekündigt, endet am %s", ends_on)
                 : g_strdup_printf ("Cancelled, ends on %s", ends_on);
  cd_ui_test_assert_shown (GTK_WIDGET (fixture->page), state);

  /* Nothing can be booked, and a pending cancellation stays: the page
   * says why instead of offering what the portal would refuse. */
  row = wait_for_row (fixture, cd_module_get_name (module),
                      tr ("Cancelled, usable until", "Gekündigt zum"));
  cd_ui_test_assert_shown (GTK_WIDGET (fixture->page),
                           tr ("The license has been cancelled",
                               "Die Lizenz ist gekündigt"));
  g_assert_false (gtk_widget_is_sensitive (book_button (fixture)));
  g_assert_null (find_button_exact (row, tr ("Withdraw cancellation",
                                             "Kündigung zurücknehmen")));
}

/* The shown label under @widget that reads neither @title nor
 * @subtitle, or NULL. */
static GtkWidget *
find_other_label (GtkWidget  *widget,
                  const char *title,
                  const char *subtitle)
{
  if (!gtk_widget_get_mapped (widget))
    return NULL;

  if (GTK_IS_LABEL (widget)
      && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), title) != 0
      && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), subtitle) != 0
      && *gtk_label_get_text (GTK_LABEL (widget)) != '\0')
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_other_label (child, title, subtitle);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The shown row whose title reads exactly @title, or NULL. */
static GtkWidget *
find_row_titled (GtkWidget  *widget,
                 const char *title)
{
  if (!gtk_widget_get_mapped (widget))
    return NULL;

  if (ADW_IS_ACTION_ROW (widget)
      && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)),
                    title) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row_titled (child, title);

      if (found != NULL)
        return found;
    }

  return NULL;
}

typedef struct
{
  GtkWidget  *root;
  const char *title;
  GtkWidget  *row;
} RowTitled;

static gboolean
row_titled_is_shown (gpointer user_data)
{
  RowTitled *wait = user_data;

  wait->row = find_row_titled (wait->root, wait->title);

  return wait->row != NULL;
}

/* What the license row titled @title shows as its value. */
static const char *
license_value (Fixture    *fixture,
               const char *title)
{
  RowTitled wait = { GTK_WIDGET (fixture->page), title, NULL };
  GtkWidget *label;

  if (!cd_ui_test_wait_until (row_titled_is_shown, &wait, TIMEOUT_MS))
    g_error ("no row titled “%s”", title);
  label = find_other_label (wait.row, title,
                            adw_action_row_get_subtitle (ADW_ACTION_ROW (wait.row)));
  g_assert_nonnull (label);

  return gtk_label_get_text (GTK_LABEL (label));
}

static void
test_modules_tab (Fixture       *fixture,
                  gconstpointer  data)
{
  g_auto(TermDates) dates = { NULL, NULL, NULL };
  CdLicense *license;
  GListModel *bookings;
  g_autofree char *term_start = NULL;
  g_autofree char *term = NULL;
  g_autofree char *notice = NULL;
  GtkWidget *notice_row;
  g_autofree char *current_end = NULL;
  g_autofree char *deadline = NULL;
  g_autofree char *next_end = NULL;
  guint n_active = 0;
  guint n_pending = 0;

  open_device (fixture, WANT_MIXED_BOOKINGS);
  license = cd_device_get_license (fixture->detail);
  license_term_dates (&dates, license);

  /* The license part, its dates as the contract's rule gives them. */
  /* One row per booking, with all a user needs to decide. */
  bookings = cd_device_get_bookings (fixture->detail);
  for (guint i = 0; i < g_list_model_get_n_items (bookings); i++)
    {
      g_autoptr(CdBooking) booking = g_list_model_get_item (bookings, i);
      g_autoptr(CdModule) module =
        find_module (fixture->other, cd_booking_get_module_code (booking));
      g_autofree char *price = NULL;
      g_autofree char *booked_on = NULL;
      g_autofree char *booked = NULL;
      GtkWidget *row;
      GtkWidget *button;

      row = wait_for_row (fixture, cd_module_get_name (module), NULL);
      g_assert_nonnull (cd_ui_test_find_text (row,
                                              cd_module_get_description (module)));
      price = cd_format_monthly_price (cd_module_get_price_amount_minor (module),
                                       cd_module_get_price_currency (module));
      g_assert_nonnull (cd_ui_test_find_text (row, price));
      booked_on = cd_format_date (cd_booking_get_booked_on (booking));
      booked = german
               ? g_strdup_printf ("Gebucht am %s von %s", booked_on,
                                  cd_booking_get_booked_by (booking))
               : g_strdup_printf ("Booked on %s by %s", booked_on,
                                  cd_booking_get_booked_by (booking));
      g_assert_nonnull (cd_ui_test_find_text (row, booked));

      if (cd_booking_get_state (booking) == CD_BOOKING_STATE_ACTIVE)
        {
          n_active++;
          g_assert_nonnull (cd_ui_test_find_text (row,
                                                  tr ("Active, renews with "
                                                      "the license",
                                                      "Aktiv, verlängert sich "
                                                      "mit der Lizenz")));
          button = find_button_exact (row, tr ("Cancel", "Kündigen"));
        }
      else
        {
          g_autofree char *ends_on =
            cd_format_date (cd_booking_get_ends_on (booking));
          g_autofree char *cancelled_on =
            cd_format_date (cd_booking_get_cancelled_on (booking));
          g_autofree char *state = NULL;
          g_autofree char *cancelled = NULL;

          n_pending++;
          state = german
                  ? g_strdup_printf ("Gekündigt zum %s, bis dahin nutzbar",
                                     ends_on)
                  : g_strdup_printf ("Cancelled, usable until %s", ends_on);
          cancelled = german
                      ? g_strdup_printf ("Gekündigt am %s von %s",
                                         cancelled_on,
                                         cd_booking_get_cancelled_by (booking))
                      : g_strdup_printf ("Cancelled on %s by %s",
                                         cancelled_on,
                                         cd_booking_get_cancelled_by (booking));
          g_assert_nonnull (cd_ui_test_find_text (row, state));
          g_assert_nonnull (cd_ui_test_find_text (row, cancelled));
          button = find_button_exact (row, tr ("Withdraw cancellation",
                                               "Kündigung zurücknehmen"));
        }

      g_assert_nonnull (button);
      g_assert_true (cd_ui_test_wait_until (widget_is_sensitive, button,
                                            TIMEOUT_MS));
    }

  g_assert_cmpuint (n_active, >, 0);
  g_assert_cmpuint (n_pending, >, 0);

  /* The license part, its dates as the contract's rule gives them. */
  term_start = cd_format_date (cd_license_get_term_start (license));
  g_assert_cmpint (cd_license_get_term_months (license), >, 1);
  g_assert_cmpint (cd_license_get_notice_months (license), >, 1);
  term = german ? g_strdup_printf ("%d Monate ab %s",
                                   cd_license_get_term_months (license),
                                   term_start)
                : g_strdup_printf ("%d months from %s",
                                   cd_license_get_term_months (license),
                                   term_start);
  notice = german ? g_strdup_printf ("Kündigungsfrist: %d Monate",
                                     cd_license_get_notice_months (license))
                  : g_strdup_printf ("Notice period: %d months",
                                     cd_license_get_notice_months (license));
  current_end = cd_format_date (dates.current_end);
  deadline = cd_format_date (dates.notice_deadline);
  next_end = cd_format_date (dates.next_possible_end);
  g_assert_cmpstr (license_value (fixture, tr ("State", "Status")), ==,
                   tr ("Active, renews automatically",
                       "Aktiv, verlängert sich automatisch"));
  g_assert_cmpstr (license_value (fixture, tr ("Term", "Laufzeit")), ==, term);
  g_assert_cmpstr (license_value (fixture, tr ("Current Term Ends",
                                               "Aktuelle Laufzeit endet")),
                   ==, current_end);
  g_assert_cmpstr (license_value (fixture, tr ("Notice Deadline",
                                               "Kündigung möglich bis")),
                   ==, deadline);
  notice_row = find_row_titled (GTK_WIDGET (fixture->page),
                                tr ("Notice Deadline",
                                    "Kündigung möglich bis"));
  g_assert_nonnull (cd_ui_test_find_text (notice_row, notice));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (notice_row)),
                   ==, notice);
  g_assert_cmpstr (license_value (fixture, tr ("Next Possible End",
                                               "Nächstmögliches Ende")),
                   ==, next_end);
  g_free (cd_ui_test_screenshot (GTK_WIDGET (fixture->window),
                                 german ? "device-modules-tab-de.png"
                                        : "device-modules-tab-en.png"));
}

static void
test_ended_license (Fixture       *fixture,
                    gconstpointer  data)
{
  CdLicense *license;
  g_autofree char *ends_on = NULL;
  g_autofree char *state = NULL;
  GtkWidget *page = GTK_WIDGET (fixture->page);

  open_device (fixture, WANT_ENDED_LICENSE);
  license = cd_device_get_license (fixture->detail);
  ends_on = cd_format_date (cd_license_get_ends_on (license));
  state = german ? g_strdup_printf ("Beendet am %s", ends_on)
                 : g_strdup_printf ("Ended on %s", ends_on);

  cd_ui_test_assert_shown (page, state);
  cd_ui_test_assert_shown (page, tr ("The license has ended, so no modules can be "
                                     "booked.",
                                     "Die Lizenz ist beendet, daher können keine "
                                     "Module gebucht werden."));
  cd_ui_test_assert_shown (page, tr ("No modules booked", "Keine Module gebucht"));
  g_assert_false (gtk_widget_is_sensitive (book_button (fixture)));

  /* An ended license has no end or notice ahead of it. */
  g_assert_null (cd_ui_test_find_text (page, tr ("Next Possible End",
                                                 "Nächstmögliches Ende")));
  g_assert_null (cd_ui_test_find_text (page, tr ("Notice Deadline",
                                                 "Kündigung möglich bis")));
  g_assert_null (cd_ui_test_find_text (page, tr ("Current Term Ends",
                                                 "Aktuelle Laufzeit endet")));
  g_free (cd_ui_test_screenshot (GTK_WIDGET (fixture->window),
                                 german ? "device-ended-de.png"
                                        : "device-ended-en.png"));
}

static void
test_overview (Fixture       *fixture,
               gconstpointer  data)
{
  GtkWidget *page = GTK_WIDGET (fixture->page);
  g_autofree char *last_seen = NULL;

  open_device (fixture, WANT_ACTIVE_BOOKING);
  gtk_notebook_set_current_page (
    GTK_NOTEBOOK (cd_ui_test_find_by_type (page, GTK_TYPE_NOTEBOOK)), 0);

  cd_ui_test_assert_shown (page, tr ("Overview", "Übersicht"));
  cd_ui_test_assert_shown (page, tr ("History", "Verlauf"));
  cd_ui_test_assert_shown (page, cd_device_get_name (fixture->detail));
  cd_ui_test_assert_shown (page, cd_device_get_model (fixture->detail));
  cd_ui_test_assert_shown (page, cd_device_get_serial (fixture->detail));
  cd_ui_test_assert_shown (page, cd_device_get_app_version (fixture->detail));
  cd_ui_test_assert_shown (page,
                           cd_device_get_platform (fixture->detail) == CD_PLATFORM_IOS
                           ? "iOS" : "Android");
  last_seen = cd_format_date_time (cd_device_get_last_seen_at (fixture->detail));
  g_assert_nonnull (last_seen);
  cd_ui_test_assert_shown (page, last_seen);
  g_free (cd_ui_test_screenshot (GTK_WIDGET (fixture->window),
                                 german ? "device-overview-de.png"
                                        : "device-overview-en.png"));
}

int
main (int   argc,
      char *argv[])
{
  const char *language = g_getenv ("LANGUAGE");

  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  german = language != NULL && g_str_has_prefix (language, "de");
  cd_ui_test_init (&argc, &argv);

  /* The application loads its style sheet; this test has no application. */
  gtk_css_provider_load_from_resource (css, "/com/coredinate/Admin/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_test_add_func ("/device-page/term-rule", test_add_months_rule);

#define ADD(path, user, func) \
  g_test_add ((path), Fixture, (user), fixture_set_up, (func), \
              fixture_tear_down)
  ADD ("/device-page/overview", "admin@muster.example", test_overview);
  ADD ("/device-page/book", "admin@muster.example", test_book_adds_row);
  ADD ("/device-page/cancel-and-undo", "admin@muster.example",
       test_cancel_and_undo);
  ADD ("/device-page/book-twice-books-once", "admin@muster.example",
       test_book_twice_books_once);
  ADD ("/device-page/stale-revision", "admin@muster.example",
       test_stale_revision);
  ADD ("/device-page/network-error", "admin@muster.example",
       test_network_error_offers_retry);
  ADD ("/device-page/retry-after-lost-answer", "admin@muster.example",
       test_retry_after_lost_answer);
  ADD ("/device-page/viewer", "leser@muster.example",
       test_viewer_cannot_change);
  ADD ("/device-page/cancelled-license", "admin@muster.example",
       test_cancelled_license);
  ADD ("/device-page/no-license", "admin@muster.example", test_no_license);
  ADD ("/device-page/modules-tab", "admin@muster.example", test_modules_tab);
  ADD ("/device-page/deadline-passed-meanwhile", "admin@muster.example",
       test_deadline_passed_meanwhile);
  ADD ("/device-page/lost-answer-then-leave", "admin@muster.example",
       test_lost_answer_then_leave);
  ADD ("/device-page/change-finishes-elsewhere", "admin@muster.example",
       test_change_finishes_elsewhere);
  ADD ("/device-page/ended-license", "admin@muster.example",
       test_ended_license);
#undef ADD

  return g_test_run ();
}
