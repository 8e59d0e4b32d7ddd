/* test-window.c: the main window opens, in English and in German, with its
 * menu, shortcuts and remembered size.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cd-application.h"
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

  status = g_test_run ();

  g_application_release (G_APPLICATION (the_app));
  g_clear_object (&the_app);

  return status;
}
