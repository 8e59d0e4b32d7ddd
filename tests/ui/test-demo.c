/* test-demo.c: `--demo` starts the bundled portal, signs in and shows the
 * devices; the portal ends with the app, even when the app is killed;
 * `--portal` preselects the address.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <string.h>

#include "cd-application.h"
#include "cd-credentials.h"
#include "cd-device-page.h"
#include "cd-devices-page.h"
#include "cd-sign-in-page.h"
#include "cd-ui-test.h"
#include "cd-window.h"

typedef struct {
  CdApplication *app;         /* (unowned) */
  char          *portal_pid;  /* (owned) (nullable) */
  gboolean       checked;
} DemoRun;

/* For conditions no event announces (a process ending, the keyring):
 * look again every 50 ms. */
static gboolean
poll_until (CdUiTestCondition  condition,
            gpointer           user_data,
            guint              timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!condition (user_data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      cd_ui_test_iterate (50);
    }

  return TRUE;
}

static GtkWidget *
find_mapped (GtkWidget *root,
             GType      type)
{
  GtkWidget *found = cd_ui_test_find_by_type (root, type);

  return found != NULL && gtk_widget_get_mapped (found) ? found : NULL;
}

static gboolean
devices_page_shown (gpointer user_data)
{
  DemoRun *run = user_data;
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (run->app));

  return window != NULL
         && find_mapped (GTK_WIDGET (window), CD_TYPE_DEVICES_PAGE) != NULL
         && find_mapped (GTK_WIDGET (window), CD_TYPE_SIGN_IN_PAGE) == NULL;
}

static guint
count_stored_sessions (void)
{
  g_autoptr(GError) error = NULL;
  GList *items;
  guint n;

  items = secret_password_search_sync (cd_credentials_get_schema (),
                                       SECRET_SEARCH_ALL, NULL, &error, NULL);
  g_assert_no_error (error);
  n = g_list_length (items);
  g_list_free_full (items, g_object_unref);

  return n;
}

static gboolean
page_is_shown (gpointer user_data)
{
  GtkWidget *window = user_data;

  return find_mapped (window, CD_TYPE_DEVICE_PAGE) != NULL
         && find_mapped (window, CD_TYPE_DEVICES_PAGE) == NULL;
}

static gboolean
list_is_shown (gpointer user_data)
{
  GtkWidget *window = user_data;

  return find_mapped (window, CD_TYPE_DEVICES_PAGE) != NULL
         && find_mapped (window, CD_TYPE_DEVICE_PAGE) == NULL;
}

static gboolean
spinner_is_spinning (GtkWidget *widget)
{
  if (!gtk_widget_get_mapped (widget))
    return FALSE;
  if (GTK_IS_SPINNER (widget) && gtk_spinner_get_spinning (GTK_SPINNER (widget)))
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (spinner_is_spinning (child))
      return TRUE;

  return FALSE;
}

static gboolean
device_is_loaded (gpointer user_data)
{
  return !spinner_is_spinning (user_data);
}

/* Opens the first device of the list as a click on its row would. */
static void
open_first_device (GtkWindow *window)
{
  GtkWidget *devices_page;
  GtkWidget *list_view;
  GtkWidget *device_page;
  g_autoptr(CdDevice) device = NULL;
  g_autofree char *shown = NULL;

  devices_page = find_mapped (GTK_WIDGET (window), CD_TYPE_DEVICES_PAGE);
  g_assert_nonnull (devices_page);
  list_view = cd_ui_test_find_by_type (devices_page, GTK_TYPE_LIST_VIEW);
  g_assert_nonnull (list_view);
  device = g_list_model_get_item (
             cd_devices_page_get_selection (CD_DEVICES_PAGE (devices_page)), 0);
  g_assert_nonnull (device);

  g_signal_emit_by_name (list_view, "activate", 0);
  if (!cd_ui_test_wait_until (page_is_shown, window, 10000))
    {
      shown = cd_ui_test_collect_text (GTK_WIDGET (window));
      g_error ("The device page is not shown; the window shows:\n%s", shown);
    }
  device_page = find_mapped (GTK_WIDGET (window), CD_TYPE_DEVICE_PAGE);
  g_assert_nonnull (cd_ui_test_wait_for_text (device_page,
                                              cd_device_get_name (device),
                                              10000));
}

static void
assert_back_on_list (GtkWindow  *window,
                     const char *how)
{
  g_autofree char *shown = NULL;

  if (cd_ui_test_wait_until (list_is_shown, window, 10000))
    return;

  shown = cd_ui_test_collect_text (GTK_WIDGET (window));
  g_error ("%s did not go back to the list; the window shows:\n%s", how, shown);
}

static GtkWidget *
find_back_button (GtkWidget *root)
{
  if (GTK_IS_BUTTON (root) && gtk_widget_get_mapped (root)
      && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)),
                    "win.back") == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_back_button (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* A device opens from the list; the back button, Escape and Alt+Left
 * each return to the list. */
static void
check_navigation (GtkWindow *window)
{
  GtkWidget *back;

  open_first_device (window);
  g_assert_true (cd_ui_test_wait_until (device_is_loaded,
                                        find_mapped (GTK_WIDGET (window),
                                                     CD_TYPE_DEVICE_PAGE),
                                        20000));
  g_free (cd_ui_test_screenshot (GTK_WIDGET (window), "demo-device.png"));

  back = find_back_button (GTK_WIDGET (window));
  g_assert_nonnull (back);
  g_assert_true (gtk_widget_is_sensitive (back));
  gtk_widget_activate (back);
  assert_back_on_list (window, "The back button");
  /* The list has no back button: there is nothing to go back to. */
  g_assert_null (find_back_button (GTK_WIDGET (window)));

  open_first_device (window);
  cd_ui_test_press_keys ("Escape");
  assert_back_on_list (window, "Escape");

  open_first_device (window);
  cd_ui_test_press_keys ("alt+Left");
  assert_back_on_list (window, "Alt+Left");

  /* On the list Escape does not leave it. */
  cd_ui_test_press_keys ("Escape");
  cd_ui_test_iterate (200);
  g_assert_true (list_is_shown (window));
}

static gboolean
check_demo (gpointer user_data)
{
  DemoRun *run = user_data;
  CdDemoPortal *demo = cd_application_get_demo_portal (run->app);
  g_autofree char *database = NULL;
  g_autofree char *shown = NULL;
  GtkWindow *window;
  CdPortalClient *client;

  if (!cd_ui_test_wait_until (devices_page_shown, run, 120000))
    {
      window = gtk_application_get_active_window (GTK_APPLICATION (run->app));
      shown = window != NULL ? cd_ui_test_collect_text (GTK_WIDGET (window))
                             : g_strdup ("(no window)");
      g_error ("The demo did not reach the devices; the window shows:\n%s",
               shown);
    }

  window = gtk_application_get_active_window (GTK_APPLICATION (run->app));
  client = cd_window_get_client (CD_WINDOW (window));
  g_assert_nonnull (client);
  g_assert_cmpstr (cd_portal_client_get_portal_url (client), ==,
                   cd_demo_portal_get_url (demo));
  g_assert_true (g_str_has_prefix (cd_portal_client_get_portal_url (client),
                                   "http://127.0.0.1:"));
  g_assert_cmpstr (cd_account_get_username (cd_portal_client_get_account (client)),
                   ==, "admin@muster.example");

  database = g_build_filename (g_get_user_data_dir (), "coredinate-admin",
                               "demo.sqlite", NULL);
  g_assert_true (g_file_test (database, G_FILE_TEST_IS_REGULAR));

  /* A demo session is not kept: its portal's port is gone next time. */
  cd_ui_test_iterate (200);
  g_assert_cmpuint (count_stored_sessions (), ==, 0);

  g_free (cd_ui_test_screenshot (GTK_WIDGET (window), "demo-devices.png"));

  check_navigation (window);

  run->portal_pid = g_strdup (cd_demo_portal_get_identifier (demo));
  g_assert_nonnull (run->portal_pid);
  run->checked = TRUE;
  g_action_group_activate_action (G_ACTION_GROUP (run->app), "quit", NULL);

  return G_SOURCE_REMOVE;
}

static void
on_activate (GApplication *app,
             DemoRun      *run)
{
  static gboolean scheduled;

  if (!scheduled)
    g_idle_add (check_demo, run);
  scheduled = TRUE;
}

/* Gone, or a zombie that nobody has reaped yet. */
static gboolean
process_is_gone (gpointer user_data)
{
  pid_t pid = GPOINTER_TO_INT (user_data);
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  const char *state;

  if (kill (pid, 0) != 0 && errno == ESRCH)
    return TRUE;
  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return TRUE;

  state = strrchr (stat, ')');

  return state != NULL && state[1] == ' ' && state[2] == 'Z';
}

static void
test_demo_reaches_devices (void)
{
  char *argv[] = { (char *) "coredinate-admin", (char *) "--demo", NULL };
  g_autoptr(CdApplication) app = cd_application_new ();
  DemoRun run = { 0 };
  pid_t pid;
  int status;

  run.app = app;
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), &run);
  status = g_application_run (G_APPLICATION (app), 2, argv);

  g_assert_cmpint (status, ==, 0);
  g_assert_true (run.checked);

  /* The portal got SIGTERM when the app quit. */
  pid = (pid_t) g_ascii_strtoll (run.portal_pid, NULL, 10);
  g_assert_cmpint (pid, >, 0);
  g_assert_true (poll_until (process_is_gone, GINT_TO_POINTER (pid),
                                        10000));
  g_free (run.portal_pid);
}

/* The portal's pid, read from the app's children in /proc. */
static pid_t
find_child (pid_t parent)
{
  g_autofree char *path = NULL;
  g_autofree char *children = NULL;

  path = g_strdup_printf ("/proc/%d/task/%d/children", parent, parent);
  if (!g_file_get_contents (path, &children, NULL, NULL))
    return 0;

  return (pid_t) g_ascii_strtoll (children, NULL, 10);
}

typedef struct {
  pid_t app;
  pid_t portal;
} Processes;

static gboolean
portal_started (gpointer user_data)
{
  Processes *processes = user_data;

  processes->portal = find_child (processes->app);

  return processes->portal > 0;
}

static void
test_portal_dies_with_app (void)
{
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *program = NULL;
  Processes processes = { 0 };

  program = g_build_filename (g_getenv ("CD_BUILD_DIR"), "src",
                              "coredinate-admin", NULL);
  app = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                          program, "--demo", NULL);
  g_assert_no_error (error);

  processes.app = (pid_t) g_ascii_strtoll (g_subprocess_get_identifier (app),
                                           NULL, 10);
  g_assert_true (poll_until (portal_started, &processes, 60000));
  g_assert_true (kill (processes.portal, 0) == 0);

  /* No chance to clean up: only the kernel can end the portal now. */
  g_subprocess_force_exit (app);
  g_subprocess_wait (app, NULL, NULL);

  g_assert_true (poll_until (process_is_gone,
                                        GINT_TO_POINTER (processes.portal),
                                        10000));
}

static gboolean
check_demo_button (gpointer user_data)
{
  DemoRun *run = user_data;
  g_autofree char *label = NULL;
  g_autofree char *shown = NULL;
  GtkWindow *window;
  GtkWidget *page;
  GtkWidget *button;
  CdPortalClient *client;

  window = gtk_application_get_active_window (GTK_APPLICATION (run->app));
  g_assert_nonnull (window);
  page = cd_ui_test_find_by_type (GTK_WIDGET (window), CD_TYPE_SIGN_IN_PAGE);
  g_assert_nonnull (page);
  if (!cd_ui_test_wait_until ((CdUiTestCondition) gtk_widget_get_mapped,
                              page, 10000))
    {
      shown = cd_ui_test_collect_text (GTK_WIDGET (window));
      g_error ("The sign-in page is not shown; the window shows:\n%s", shown);
    }

  button = cd_ui_test_find_button (page, _("Try the _Demo"));
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");

  if (!cd_ui_test_wait_until (devices_page_shown, run, 120000))
    {
      shown = cd_ui_test_collect_text (GTK_WIDGET (window));
      g_error ("The demo did not reach the devices; the window shows:\n%s",
               shown);
    }
  client = cd_window_get_client (CD_WINDOW (window));
  g_assert_nonnull (client);
  g_assert_cmpstr (cd_portal_client_get_portal_url (client), ==,
                   cd_demo_portal_get_url (cd_application_get_demo_portal (
                                             run->app)));
  g_assert_cmpstr (cd_account_get_username (cd_portal_client_get_account (client)),
                   ==, "admin@muster.example");

  run->checked = TRUE;
  g_action_group_activate_action (G_ACTION_GROUP (run->app), "quit", NULL);

  return G_SOURCE_REMOVE;
}

static void
on_activate_demo_button (GApplication *app,
                         DemoRun      *run)
{
  g_idle_add (check_demo_button, run);
}

/* “Try the Demo” on the sign-in page does what --demo does. */
static void
test_demo_button (void)
{
  char *argv[] = { (char *) "coredinate-admin", NULL };
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(CdApplication) app = cd_application_new ();
  DemoRun run = { 0 };
  int status;

  g_settings_reset (settings, "portal-url");
  g_settings_reset (settings, "username");
  run.app = app;
  g_signal_connect_after (app, "activate",
                          G_CALLBACK (on_activate_demo_button), &run);
  status = g_application_run (G_APPLICATION (app), 1, argv);

  g_assert_cmpint (status, ==, 0);
  g_assert_true (run.checked);
}

static gboolean
check_missing_program (gpointer user_data)
{
  DemoRun *run = user_data;
  g_autofree char *expected = NULL;
  g_autofree char *shown = NULL;
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (run->app));
  g_assert_nonnull (window);

  expected = g_strdup_printf (_("The demo portal (%s) could not be started."),
                              "/nonexistent/coredinate-portal");
  if (cd_ui_test_wait_for_text (GTK_WIDGET (window), expected, 10000) == NULL)
    {
      shown = cd_ui_test_collect_text (GTK_WIDGET (window));
      g_error ("“%s” is not shown; the window shows:\n%s", expected, shown);
    }
  g_assert_nonnull (find_mapped (GTK_WIDGET (window), CD_TYPE_SIGN_IN_PAGE));
  g_assert_null (cd_window_get_client (CD_WINDOW (window)));
  /* The form is usable again. */
  g_assert_true (gtk_widget_is_sensitive (
                   cd_ui_test_find_button (GTK_WIDGET (window),
                                           _("Try the _Demo"))));

  run->checked = TRUE;
  g_action_group_activate_action (G_ACTION_GROUP (run->app), "quit", NULL);

  return G_SOURCE_REMOVE;
}

static void
on_activate_missing_program (GApplication *app,
                             DemoRun      *run)
{
  g_idle_add (check_missing_program, run);
}

/* A missing portal program is said plainly on the sign-in page. */
static void
test_demo_missing_program (void)
{
  char *argv[] = { (char *) "coredinate-admin", (char *) "--demo", NULL };
  g_autofree char *program = g_strdup (g_getenv ("CD_PORTAL_PROGRAM"));
  g_autoptr(CdApplication) app = cd_application_new ();
  DemoRun run = { 0 };
  int status;

  g_setenv ("CD_PORTAL_PROGRAM", "/nonexistent/coredinate-portal", TRUE);
  run.app = app;
  g_signal_connect_after (app, "activate",
                          G_CALLBACK (on_activate_missing_program), &run);
  status = g_application_run (G_APPLICATION (app), 2, argv);
  g_setenv ("CD_PORTAL_PROGRAM", program, TRUE);

  g_assert_cmpint (status, ==, 0);
  g_assert_true (run.checked);
}

static gboolean
check_portal_option (gpointer user_data)
{
  DemoRun *run = user_data;
  GtkWindow *window;
  GtkWidget *page;
  g_autofree char *shown = NULL;

  window = gtk_application_get_active_window (GTK_APPLICATION (run->app));
  g_assert_nonnull (window);
  page = cd_ui_test_find_by_type (GTK_WIDGET (window), CD_TYPE_SIGN_IN_PAGE);
  g_assert_nonnull (page);
  if (!cd_ui_test_wait_until ((CdUiTestCondition) gtk_widget_get_mapped,
                              page, 10000))
    {
      shown = cd_ui_test_collect_text (GTK_WIDGET (window));
      g_error ("The sign-in page is not shown; the window shows:\n%s", shown);
    }

  g_assert_cmpstr (cd_sign_in_page_get_portal_url (CD_SIGN_IN_PAGE (page)), ==,
                   "https://portal.example.com");
  g_assert_cmpstr (cd_sign_in_page_get_username (CD_SIGN_IN_PAGE (page)), ==,
                   "leser@muster.example");
  g_assert_nonnull (cd_ui_test_find_text (GTK_WIDGET (window),
                                          "https://portal.example.com"));

  run->checked = TRUE;
  g_action_group_activate_action (G_ACTION_GROUP (run->app), "quit", NULL);

  return G_SOURCE_REMOVE;
}

static void
on_activate_portal_option (GApplication *app,
                           DemoRun      *run)
{
  g_idle_add (check_portal_option, run);
}

/* The address from the command line wins over the remembered one, and
 * the remembered session is not resumed at another address. */
static void
test_portal_option (void)
{
  char *argv[] = { (char *) "coredinate-admin",
                   (char *) "--portal", (char *) "https://portal.example.com",
                   NULL };
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(CdApplication) app = cd_application_new ();
  DemoRun run = { 0 };
  int status;

  g_settings_set_string (settings, "portal-url", "https://old.example.com");
  g_settings_set_string (settings, "username", "leser@muster.example");

  run.app = app;
  g_signal_connect_after (app, "activate",
                          G_CALLBACK (on_activate_portal_option), &run);
  status = g_application_run (G_APPLICATION (app), 3, argv);

  g_assert_cmpint (status, ==, 0);
  g_assert_true (run.checked);
}

int
main (int   argc,
      char *argv[])
{
  cd_ui_test_init (&argc, &argv);

  g_test_add_func ("/demo/reaches-devices", test_demo_reaches_devices);
  g_test_add_func ("/demo/portal-dies-with-app", test_portal_dies_with_app);
  g_test_add_func ("/demo/button", test_demo_button);
  g_test_add_func ("/demo/missing-program", test_demo_missing_program);
  g_test_add_func ("/app/portal-option", test_portal_option);

  return g_test_run ();
}
