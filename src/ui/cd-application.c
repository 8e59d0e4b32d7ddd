/* cd-application.c: application start-up, command line and app actions.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "cd-application.h"
#include "cd-preferences-dialog.h"
#include "cd-window.h"

struct _CdApplication
{
  AdwApplication  parent_instance;

  char           *portal_url;  /* (owned) (nullable) from --portal */
  gboolean        demo;        /* --demo was given */
  CdDemoPortal   *demo_portal; /* (owned) (nullable) started on demand */
};

G_DEFINE_FINAL_TYPE (CdApplication, cd_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and exit"), NULL },
  { "portal", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Sign in to the portal at URL"), N_("URL") },
  { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Start the bundled local portal with demo data and sign in to it"), NULL },
  { NULL }
};

static CdWindow *
get_or_create_window (CdApplication *self)
{
  GtkWindow *window;

  g_assert (CD_IS_APPLICATION (self));

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL)
    window = GTK_WINDOW (cd_window_new (self));

  return CD_WINDOW (window);
}

static int
cd_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  CdApplication *self = CD_APPLICATION (app);
  const char *portal_url = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", "coredinate-admin", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_lookup (options, "portal", "&s", &portal_url))
    {
      g_free (self->portal_url);
      self->portal_url = g_strdup (portal_url);
    }

  self->demo = g_variant_dict_contains (options, "demo");

  return -1;
}

static void
cd_application_activate (GApplication *app)
{
  CdWindow *window = get_or_create_window (CD_APPLICATION (app));

  gtk_window_present (GTK_WINDOW (window));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  CdApplication *self = user_data;
  GList *windows;

  /* Closing the windows first lets each one save its state. */
  windows = gtk_application_get_windows (GTK_APPLICATION (self));
  while (windows != NULL)
    {
      gtk_window_destroy (GTK_WINDOW (windows->data));
      windows = gtk_application_get_windows (GTK_APPLICATION (self));
    }

  g_application_quit (G_APPLICATION (self));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  CdApplication *self = user_data;
  static const char *developers[] = { "COREDINATE Admin developers", NULL };
  GtkWindow *parent;

  parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  adw_show_about_window (parent,
                         "application-name", _("COREDINATE Admin"),
                         "application-icon", APP_ID,
                         "developer-name", _("COREDINATE Admin developers"),
                         "version", PACKAGE_VERSION,
                         "comments", _("Manage the licenses and add-on modules "
                                       "of your company’s devices."),
                         "developers", developers,
                         /* TRANSLATORS: your name and e-mail, one per line */
                         "translator-credits", _("translator-credits"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  CdApplication *self = user_data;
  CdPreferencesDialog *dialog;
  GtkWindow *parent;

  parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  dialog = cd_preferences_dialog_new (parent);
  gtk_window_present (GTK_WINDOW (dialog));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
  { "preferences", preferences_action },
};

static void
cd_application_startup (GApplication *app)
{
  CdApplication *self = CD_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *back_accels[] = { "Escape", "<Alt>Left", "Back", NULL };

  G_APPLICATION_CLASS (cd_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit",
                                         quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self),
                                         "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.back",
                                         back_accels);
}

static void
cd_application_shutdown (GApplication *app)
{
  CdApplication *self = CD_APPLICATION (app);

  /* The demo portal ends with the app (and gets SIGTERM from the kernel
   * too if the app is killed). */
  if (self->demo_portal != NULL)
    cd_demo_portal_stop (self->demo_portal);
  g_clear_object (&self->demo_portal);

  G_APPLICATION_CLASS (cd_application_parent_class)->shutdown (app);
}

static void
cd_application_finalize (GObject *object)
{
  CdApplication *self = CD_APPLICATION (object);

  g_clear_object (&self->demo_portal);
  g_clear_pointer (&self->portal_url, g_free);

  G_OBJECT_CLASS (cd_application_parent_class)->finalize (object);
}

static void
cd_application_class_init (CdApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = cd_application_finalize;

  app_class->handle_local_options = cd_application_handle_local_options;
  app_class->activate = cd_application_activate;
  app_class->startup = cd_application_startup;
  app_class->shutdown = cd_application_shutdown;
}

static void
cd_application_init (CdApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), NULL);
  g_application_set_option_context_summary (
    G_APPLICATION (self),
    _("Manage the licenses and add-on modules of COREDINATE devices."));
}

CdApplication *
cd_application_new (void)
{
  return g_object_new (CD_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", "/com/coredinate/Admin",
                       NULL);
}

/**
 * cd_application_get_portal_url:
 *
 * Returns: (nullable): the address given with `--portal`, if any
 */
const char *
cd_application_get_portal_url (CdApplication *self)
{
  g_return_val_if_fail (CD_IS_APPLICATION (self), NULL);

  return self->portal_url;
}

gboolean
cd_application_get_demo (CdApplication *self)
{
  g_return_val_if_fail (CD_IS_APPLICATION (self), FALSE);

  return self->demo;
}

/**
 * cd_application_get_demo_portal:
 *
 * Returns: (transfer none): the bundled demo portal, not started yet
 *   until someone calls cd_demo_portal_start_async()
 */
CdDemoPortal *
cd_application_get_demo_portal (CdApplication *self)
{
  g_return_val_if_fail (CD_IS_APPLICATION (self), NULL);

  if (self->demo_portal == NULL)
    self->demo_portal = cd_demo_portal_new ();

  return self->demo_portal;
}
