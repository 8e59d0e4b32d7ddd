/* test-window.c: the main window opens, in English and in German, with its
 * menu, shortcuts and remembered size.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "cd-application.h"
#include "cd-preferences-dialog.h"
#include "cd-primary-menu-button.h"
#include "cd-ui-test.h"
#include "cd-window.h"

typedef struct {
  CdApplication *app;     /* (owned) */
  GtkWindow     *window;  /* (unowned) */
} Fixture;

static gboolean
window_is_mapped (gpointer user_data)
{
  Fixture *fixture = user_data;

  fixture->window =
    gtk_application_get_active_window (GTK_APPLICATION (fixture->app));

  return fixture->window != NULL && gtk_widget_get_mapped (GTK_WIDGET (fixture->window));
}

/* One application per process: it owns a D-Bus object path. */
static CdApplication *the_app;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->app = the_app;
  g_application_activate (G_APPLICATION (fixture->app));

  g_assert_true (cd_ui_test_wait_until (window_is_mapped, fixture, 5000));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  cd_ui_test_iterate (50);
}

/* Without a stored session the window opens on the sign-in page. */
static void
test_window_shows_sign_in (Fixture       *fixture,
                           gconstpointer  data)
{
  const char *expected = data;
  GtkWidget *title;
  g_autofree char *shown = NULL;

  title = cd_ui_test_wait_for_text (GTK_WIDGET (fixture->window), expected, 2000);
  shown = cd_ui_test_collect_text (GTK_WIDGET (fixture->window));
  if (title == NULL)
    g_error ("“%s” is not shown; the window shows:\n%s", expected, shown);

  g_free (cd_ui_test_screenshot (GTK_WIDGET (fixture->window),
                                 g_str_has_prefix (expected, "Beim")
                                   ? "window-de.png" : "window-en.png"));
}

static void
test_window_actions (Fixture       *fixture,
                     gconstpointer  data)
{
  GtkApplication *app = GTK_APPLICATION (fixture->app);
  g_auto(GStrv) quit = gtk_application_get_accels_for_action (app, "app.quit");
  g_auto(GStrv) help = gtk_application_get_accels_for_action (app,
                                                              "win.show-help-overlay");
  g_auto(GStrv) back = gtk_application_get_accels_for_action (app, "win.back");

  g_assert_true (g_strv_contains ((const char * const *) quit, "<Control>q"));
  g_assert_true (g_strv_contains ((const char * const *) help, "<Control>question"));
  g_assert_true (g_strv_contains ((const char * const *) back, "Escape"));
  g_assert_true (g_strv_contains ((const char * const *) back, "<Alt>Left"));

  g_assert_nonnull (gtk_application_window_get_help_overlay (
                      GTK_APPLICATION_WINDOW (fixture->window)));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "preferences"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "about"));
}

static void
screenshot_menu (GtkPopover *popover)
{
  const char *language = g_getenv ("LANGUAGE");
  gboolean german = language != NULL && g_str_has_prefix (language, "de");

  g_free (cd_ui_test_screenshot (gtk_popover_get_child (popover),
                                 german ? "main-menu-de.png"
                                        : "main-menu-en.png"));
}

/* Labels show mnemonics without their underscore. */
static char *
without_mnemonic (const char *label)
{
  GString *out = g_string_new (NULL);

  for (const char *c = label; *c != '\0'; c++)
    if (*c != '_')
      g_string_append_c (out, *c);

  return g_string_free (out, FALSE);
}

typedef struct {
  GType      type;
  GtkWidget *found;  /* (unowned) */
} FindToplevel;

static gboolean
toplevel_is_shown (gpointer user_data)
{
  FindToplevel *find = user_data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  find->found = NULL;
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);

      if (g_type_is_a (G_OBJECT_TYPE (toplevel), find->type)
          && gtk_widget_get_mapped (toplevel))
        find->found = toplevel;
    }

  return find->found != NULL;
}

static GtkWidget *
wait_for_toplevel (GType type)
{
  FindToplevel find = { type, NULL };

  if (!cd_ui_test_wait_until (toplevel_is_shown, &find, 5000))
    g_error ("No %s window was opened", g_type_name (type));

  return find.found;
}

/* The first widget of @type that is shown; each page has its own header. */
static GtkWidget *
find_mapped (GtkWidget *root,
             GType      type)
{
  if (!gtk_widget_get_mapped (root))
    return NULL;
  if (g_type_is_a (G_OBJECT_TYPE (root), type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_mapped (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static guint
count_mapped (GtkWidget *root,
              GType      type)
{
  guint n = 0;

  if (!gtk_widget_get_mapped (root))
    return 0;
  if (g_type_is_a (G_OBJECT_TYPE (root), type))
    n++;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_mapped (child, type);

  return n;
}

static GtkPopover *
open_primary_menu (GtkWindow *window)
{
  GtkWidget *primary;
  GtkWidget *button;
  GtkPopover *popover;

  primary = find_mapped (GTK_WIDGET (window), CD_TYPE_PRIMARY_MENU_BUTTON);
  g_assert_nonnull (primary);
  button = cd_ui_test_find_by_type (primary, GTK_TYPE_MENU_BUTTON);
  g_assert_nonnull (button);

  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (button));
  g_assert_true (cd_ui_test_wait_until ((CdUiTestCondition) gtk_widget_get_mapped,
                                        popover, 5000));

  return popover;
}

/* Clicks the menu entry @label (with its mnemonic underscore). */
static void
click_menu_item (GtkPopover *popover,
                 const char *label)
{
  g_autofree char *text = without_mnemonic (label);
  GtkWidget *item;

  item = cd_ui_test_wait_for_text (GTK_WIDGET (popover), text, 5000);
  if (item == NULL)
    {
      g_autofree char *shown = cd_ui_test_collect_text (GTK_WIDGET (popover));

      g_error ("The main menu has no “%s”; it shows:\n%s", text, shown);
    }
  while (item != NULL && g_signal_lookup ("clicked", G_OBJECT_TYPE (item)) == 0)
    item = gtk_widget_get_parent (item);
  g_assert_nonnull (item);

  g_assert_true (gtk_widget_is_sensitive (item));
  g_signal_emit_by_name (item, "clicked");
}

/* The main menu offers what every GNOME app offers, and each entry opens
 * what it says. */
static void
test_window_primary_menu (Fixture       *fixture,
                          gconstpointer  data)
{
  GtkPopover *popover;
  GtkWidget *shown;

  popover = open_primary_menu (fixture->window);
  screenshot_menu (popover);
  /* Signed out there is no account section: one line, between the
   * general entries and Quit. */
  g_assert_cmpuint (count_mapped (GTK_WIDGET (popover), GTK_TYPE_SEPARATOR),
                    ==, 1);
  click_menu_item (popover, _("_Keyboard Shortcuts"));
  shown = wait_for_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);
  g_assert_nonnull (cd_ui_test_find_text (shown, C_("shortcut window", "Go Back")));
  gtk_window_destroy (GTK_WINDOW (shown));

  popover = open_primary_menu (fixture->window);
  click_menu_item (popover, _("_Preferences"));
  shown = wait_for_toplevel (CD_TYPE_PREFERENCES_DIALOG);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (shown))
                 == fixture->window);
  gtk_window_destroy (GTK_WINDOW (shown));

  popover = open_primary_menu (fixture->window);
  click_menu_item (popover, _("_About COREDINATE Admin"));
  shown = wait_for_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (shown)), ==,
                   PACKAGE_VERSION);
  gtk_window_destroy (GTK_WINDOW (shown));
  cd_ui_test_iterate (50);
}

/* Ctrl+? opens the shortcuts, pressed on the keyboard. */
static void
test_window_shortcuts_key (Fixture       *fixture,
                           gconstpointer  data)
{
  GtkWidget *shortcuts;

  g_assert_true (cd_ui_test_wait_until (
                   (CdUiTestCondition) gtk_window_is_active, fixture->window,
                   5000));
  cd_ui_test_press_keys ("ctrl+question");
  shortcuts = wait_for_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);
  gtk_window_destroy (GTK_WINDOW (shortcuts));
  cd_ui_test_iterate (50);
}

static gboolean
no_window_left (gpointer user_data)
{
  return gtk_application_get_windows (user_data) == NULL;
}

/* Ctrl+Q on the keyboard, and Quit in the menu, close the window. */
static void
test_window_quit (void)
{
  Fixture fixture = { the_app, NULL };

  g_application_activate (G_APPLICATION (the_app));
  g_assert_true (cd_ui_test_wait_until (window_is_mapped, &fixture, 5000));
  g_assert_true (cd_ui_test_wait_until (
                   (CdUiTestCondition) gtk_window_is_active, fixture.window,
                   5000));
  cd_ui_test_press_keys ("ctrl+q");
  g_assert_true (cd_ui_test_wait_until (no_window_left, the_app, 5000));

  g_application_activate (G_APPLICATION (the_app));
  g_assert_true (cd_ui_test_wait_until (window_is_mapped, &fixture, 5000));
  click_menu_item (open_primary_menu (fixture.window), _("_Quit"));
  g_assert_true (cd_ui_test_wait_until (no_window_left, the_app, 5000));
}

/* A maximized window comes back maximized, with its unmaximized size
 * kept for later. */
static void
test_window_maximized_remembered (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  Fixture fixture = { the_app, NULL };
  int width;
  int height;

  g_settings_set_int (settings, "window-width", 800);
  g_settings_set_int (settings, "window-height", 600);
  g_settings_set_boolean (settings, "window-maximized", TRUE);

  g_application_activate (G_APPLICATION (the_app));
  g_assert_true (cd_ui_test_wait_until (window_is_mapped, &fixture, 5000));
  g_assert_true (gtk_window_is_maximized (fixture.window));
  gtk_window_close (fixture.window);
  cd_ui_test_iterate (50);

  g_assert_true (g_settings_get_boolean (settings, "window-maximized"));
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 800);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 600);

  g_settings_set_boolean (settings, "window-maximized", FALSE);
  g_application_activate (G_APPLICATION (the_app));
  g_assert_true (cd_ui_test_wait_until (window_is_mapped, &fixture, 5000));
  g_assert_false (gtk_window_is_maximized (fixture.window));
  gtk_window_get_default_size (fixture.window, &width, &height);
  g_assert_cmpint (width, ==, 800);
  g_assert_cmpint (height, ==, 600);
  gtk_window_close (fixture.window);
  cd_ui_test_iterate (50);

  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
}

static char *
run_program (const char *option,
             int        *exit_status)
{
  g_autofree char *program = g_build_filename (g_getenv ("CD_BUILD_DIR"), "src",
                                               "coredinate-admin", NULL);
  const char *argv[] = { program, option, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  *exit_status = g_spawn_check_wait_status (status, NULL) ? 0 : 1;

  return g_strconcat (out, err, NULL);
}

/* --help documents every option; --version prints the version; neither
 * opens a window, and a wrong option is an error. */
static void
test_command_line (void)
{
  g_autofree char *help = NULL;
  g_autofree char *version = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *expected_version = NULL;
  int status;

  help = run_program ("--help", &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (help, "--version"));
  g_assert_nonnull (strstr (help, "--portal=URL"));
  g_assert_nonnull (strstr (help, "--demo"));
  g_assert_nonnull (strstr (help, "coredinate-admin"));

  version = run_program ("--version", &status);
  g_assert_cmpint (status, ==, 0);
  expected_version = g_strdup_printf ("coredinate-admin %s\n", PACKAGE_VERSION);
  g_assert_cmpstr (version, ==, expected_version);

  wrong = run_program ("--no-such-option", &status);
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (wrong, "--no-such-option"));
}

static void
test_window_size_remembered (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  CdApplication *app = the_app;
  Fixture fixture = { 0 };
  int width;
  int height;

  g_application_activate (G_APPLICATION (app));
  fixture.app = app;
  g_assert_true (cd_ui_test_wait_until (window_is_mapped, &fixture, 5000));

  gtk_window_set_default_size (fixture.window, 777, 555);
  gtk_window_close (fixture.window);
  cd_ui_test_iterate (50);

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 777);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 555);

  g_application_activate (G_APPLICATION (app));
  g_assert_true (cd_ui_test_wait_until (window_is_mapped, &fixture, 5000));
  gtk_window_get_default_size (fixture.window, &width, &height);
  g_assert_cmpint (width, ==, 777);
  g_assert_cmpint (height, ==, 555);
  gtk_window_destroy (fixture.window);
  cd_ui_test_iterate (50);
}

int
main (int   argc,
      char *argv[])
{
  const char *language = g_getenv ("LANGUAGE");
  gboolean german = language != NULL && g_str_has_prefix (language, "de");
  g_autoptr(GError) error = NULL;
  int status;

  cd_ui_test_init (&argc, &argv);

  the_app = cd_application_new ();
  g_application_register (G_APPLICATION (the_app), NULL, &error);
  g_assert_no_error (error);
  /* Keeps the application alive between tests that close its window. */
  g_application_hold (G_APPLICATION (the_app));

  g_test_add ("/window/shows-sign-in", Fixture,
              german ? "Beim Portal anmelden" : "Sign In to Your Portal",
              fixture_set_up, test_window_shows_sign_in, fixture_tear_down);
  g_test_add ("/window/actions", Fixture, NULL,
              fixture_set_up, test_window_actions, fixture_tear_down);
  g_test_add_func ("/window/size-remembered", test_window_size_remembered);
  g_test_add_func ("/window/maximized-remembered",
                   test_window_maximized_remembered);
  g_test_add ("/window/primary-menu", Fixture, NULL,
              fixture_set_up, test_window_primary_menu, fixture_tear_down);
  g_test_add ("/window/shortcuts-key", Fixture, NULL,
              fixture_set_up, test_window_shortcuts_key, fixture_tear_down);
  g_test_add_func ("/app/command-line", test_command_line);
  /* Last: it quits the application. */
  g_test_add_func ("/window/quit", test_window_quit);

  status = g_test_run ();

  g_application_release (G_APPLICATION (the_app));
  g_clear_object (&the_app);

  return status;
}
