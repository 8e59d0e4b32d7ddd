/* cd-window.c: the main window: the session, and moving between pages.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "cd-credentials.h"
#include "cd-demo-portal.h"
#include "cd-device-page.h"
#include "cd-devices-page.h"
#include "cd-error-text.h"
#include "cd-primary-menu-button.h"
#include "cd-sign-in-page.h"
#include "cd-window.h"

struct _CdWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;         /* (owned) */
  GCancellable         *cancellable;      /* (owned) (nullable) resume, demo */

  /* The session. Its refresh token is kept in the keyring under
   * portal_url and username, unless it is the demo's. */
  CdPortalClient       *client;           /* (owned) (nullable) */
  char                 *portal_url;       /* (owned) (nullable) */
  char                 *username;         /* (owned) (nullable) */
  gboolean              remember;
  gboolean              keyring_warned;
  gulong                token_changed_id;
  gulong                expired_id;

  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  GtkSpinner           *resuming_spinner;
  CdSignInPage         *sign_in_page;
  CdDevicesPage        *devices_page;
  CdDevicePage         *device_page;
};

G_DEFINE_FINAL_TYPE (CdWindow, cd_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_CLIENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
save_window_state (CdWindow *self)
{
  int width;
  int height;

  g_assert (CD_IS_WINDOW (self));

  /* The default size is the unmaximized size, which is what we restore. */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
}

static gboolean
cd_window_close_request (GtkWindow *window)
{
  save_window_state (CD_WINDOW (window));

  return GTK_WINDOW_CLASS (cd_window_parent_class)->close_request (window);
}

/* The one text for a session that ended, from the one error mapping. */
static char *
session_ended_text (void)
{
  g_autoptr(GError) error = NULL;

  error = g_error_new_literal (CD_PORTAL_ERROR,
                               CD_PORTAL_ERROR_SESSION_EXPIRED,
                               "The refresh token was refused");

  return cd_error_text (error);
}

static void
warn_keyring (CdWindow     *self,
              const GError *error)
{
  g_assert (CD_IS_WINDOW (self));

  g_debug ("Keyring: %s", error->message);
  if (self->keyring_warned || self->toast_overlay == NULL)
    return;

  self->keyring_warned = TRUE;
  adw_toast_overlay_add_toast (
    self->toast_overlay,
    adw_toast_new (_("The keyring is not available, so you will have to "
                     "sign in again next time.")));
}

static void
on_token_stored (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CdWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cd_credentials_store_finish (result, &error))
    warn_keyring (self, error);
}

static void
on_token_cleared (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!cd_credentials_clear_finish (result, &error))
    g_debug ("Cannot remove the stored session: %s", error->message);
}

static void
forget_stored_session (void)
{
  cd_credentials_clear_async (NULL, on_token_cleared, NULL);
}

/* Tokens rotate, so the stored one follows every change. */
static void
store_refresh_token (CdWindow *self)
{
  const char *token;

  g_assert (CD_IS_WINDOW (self));

  if (!self->remember || self->client == NULL)
    return;

  token = cd_portal_client_get_refresh_token (self->client);
  if (token == NULL)
    forget_stored_session ();
  else
    cd_credentials_store_async (self->portal_url, self->username, token,
                                NULL, on_token_stored, g_object_ref (self));
}

static void
on_client_refresh_token_changed (CdWindow       *self,
                                 CdPortalClient *client)
{
  g_assert (CD_IS_WINDOW (self));

  store_refresh_token (self);
}

static void show_sign_in (CdWindow   *self,
                          const char *message,
                          gboolean    is_error);

static void
on_client_session_expired (CdWindow       *self,
                           CdPortalClient *client)
{
  g_autofree char *message = NULL;

  g_assert (CD_IS_WINDOW (self));

  if (self->remember)
    forget_stored_session ();

  message = session_ended_text ();
  show_sign_in (self, message, FALSE);
}

static void
set_client (CdWindow       *self,
            CdPortalClient *client,
            gboolean        remember)
{
  g_assert (CD_IS_WINDOW (self));
  g_assert (client == NULL || CD_IS_PORTAL_CLIENT (client));

  if (self->client == client)
    return;

  if (self->client != NULL)
    {
      g_clear_signal_handler (&self->token_changed_id, self->client);
      g_clear_signal_handler (&self->expired_id, self->client);
    }

  g_set_object (&self->client, client);
  self->remember = client != NULL && remember;

  if (client != NULL)
    {
      self->token_changed_id =
        g_signal_connect_swapped (client, "refresh-token-changed",
                                  G_CALLBACK (on_client_refresh_token_changed),
                                  self);
      self->expired_id =
        g_signal_connect_swapped (client, "session-expired",
                                  G_CALLBACK (on_client_session_expired),
                                  self);
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sign-out",
                                 client != NULL);
  cd_devices_page_set_client (self->devices_page, client);
  cd_device_page_set_client (self->device_page, client);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
}

static void
cancel_pending (CdWindow *self)
{
  g_assert (CD_IS_WINDOW (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_spinner_set_spinning (self->resuming_spinner, FALSE);
}

static void
show_sign_in (CdWindow   *self,
              const char *message,
              gboolean    is_error)
{
  g_assert (CD_IS_WINDOW (self));

  cancel_pending (self);
  set_client (self, NULL, FALSE);

  gtk_stack_set_visible_child_name (self->stack, "sign-in");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", FALSE);
  cd_sign_in_page_reset (self->sign_in_page);
  cd_sign_in_page_show_message (self->sign_in_page, message, is_error);
}

static void
show_session (CdWindow       *self,
              CdPortalClient *client,
              gboolean        remember)
{
  g_assert (CD_IS_WINDOW (self));
  g_assert (CD_IS_PORTAL_CLIENT (client));

  cancel_pending (self);
  set_client (self, client, remember);

  gtk_stack_set_visible_child_name (self->stack, "devices");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->devices_page));

  /* The token may have rotated before we listened to the signal. */
  store_refresh_token (self);
}

static void
on_sign_in_page_signed_in (CdWindow       *self,
                           CdPortalClient *client,
                           gboolean        remember,
                           CdSignInPage   *page)
{
  g_autofree char *username = NULL;

  g_assert (CD_IS_WINDOW (self));
  g_assert (CD_IS_PORTAL_CLIENT (client));

  if (remember)
    {
      username = g_strstrip (g_strdup (cd_sign_in_page_get_username (page)));
      g_free (self->portal_url);
      self->portal_url = g_strdup (cd_portal_client_get_portal_url (client));
      g_free (self->username);
      self->username = g_strdup (username);
      g_settings_set_string (self->settings, "portal-url", self->portal_url);
      g_settings_set_string (self->settings, "username", self->username);
    }

  show_session (self, client, remember);
}

static void
on_demo_portal_started (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  CdWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  url = cd_demo_portal_start_finish (CD_DEMO_PORTAL (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->cancellable);

  if (url == NULL)
    {
      /* The demo's errors are already sentences for users. */
      cd_sign_in_page_set_busy (self->sign_in_page, FALSE, NULL);
      cd_sign_in_page_show_message (self->sign_in_page, error->message, TRUE);
      return;
    }

  cd_sign_in_page_sign_in (self->sign_in_page, url, CD_DEMO_PORTAL_USERNAME,
                           CD_DEMO_PORTAL_PASSWORD, FALSE);
}

static void
start_demo (CdWindow *self)
{
  GtkApplication *app;
  CdDemoPortal *demo_portal;

  g_assert (CD_IS_WINDOW (self));

  app = gtk_window_get_application (GTK_WINDOW (self));
  g_assert (CD_IS_APPLICATION (app));

  show_sign_in (self, NULL, FALSE);
  cd_sign_in_page_set_busy (self->sign_in_page, TRUE,
                            _("Starting the demo portal…"));

  demo_portal = cd_application_get_demo_portal (CD_APPLICATION (app));
  self->cancellable = g_cancellable_new ();
  cd_demo_portal_start_async (demo_portal, self->cancellable,
                              on_demo_portal_started, self);
}

static void
on_sign_in_page_demo_requested (CdWindow     *self,
                                CdSignInPage *page)
{
  g_assert (CD_IS_WINDOW (self));

  start_demo (self);
}

static void
on_session_resumed (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  CdWindow *self = user_data;
  CdPortalClient *client = CD_PORTAL_CLIENT (source);
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  account = cd_portal_client_resume_finish (client, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (g_error_matches (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_INVALID_GRANT))
    {
      /* Revoked or expired on the server: it will never work again. */
      forget_stored_session ();
      message = session_ended_text ();
      show_sign_in (self, message, FALSE);
      return;
    }
  if (error != NULL)
    {
      /* Kept: the portal may be back later. */
      message = cd_error_text (error);
      show_sign_in (self, message, TRUE);
      return;
    }

  show_session (self, client, TRUE);
}

static void
on_token_looked_up (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  CdWindow *self = user_data;
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *message = NULL;

  token = cd_credentials_lookup_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    {
      g_debug ("Keyring: %s", error->message);
      self->keyring_warned = TRUE;
      show_sign_in (self,
                    _("The keyring is not available, so you have to sign "
                      "in each time."),
                    FALSE);
      return;
    }
  if (token == NULL)
    {
      show_sign_in (self, NULL, FALSE);
      return;
    }

  client = cd_portal_client_new (self->portal_url, &error);
  if (client == NULL)
    {
      message = cd_error_text (error);
      show_sign_in (self, message, TRUE);
      return;
    }

  cd_portal_client_resume_async (client, token, self->cancellable,
                                 on_session_resumed, self);
  secret_password_wipe (token);
}

static void
resume_session (CdWindow *self)
{
  g_assert (CD_IS_WINDOW (self));
  g_assert (self->portal_url != NULL && self->username != NULL);

  cancel_pending (self);
  gtk_stack_set_visible_child_name (self->stack, "resuming");
  gtk_spinner_set_spinning (self->resuming_spinner, TRUE);

  self->cancellable = g_cancellable_new ();
  cd_credentials_lookup_async (self->portal_url, self->username,
                               self->cancellable, on_token_looked_up, self);
}

/* Signs in silently when the keyring has the last session, else asks. */
static void
start (CdWindow *self)
{
  CdApplication *app;
  const char *requested_url = NULL;
  g_autofree char *portal_url = NULL;
  g_autofree char *username = NULL;

  g_assert (CD_IS_WINDOW (self));

  app = CD_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  requested_url = cd_application_get_portal_url (app);
  portal_url = g_settings_get_string (self->settings, "portal-url");
  username = g_settings_get_string (self->settings, "username");

  cd_sign_in_page_set_portal_url (self->sign_in_page,
                                  requested_url != NULL ? requested_url
                                                        : portal_url);
  cd_sign_in_page_set_username (self->sign_in_page, username);

  if (cd_application_get_demo (app))
    {
      start_demo (self);
      return;
    }

  if (*portal_url != '\0' && *username != '\0'
      && (requested_url == NULL || g_strcmp0 (requested_url, portal_url) == 0))
    {
      g_free (self->portal_url);
      self->portal_url = g_steal_pointer (&portal_url);
      g_free (self->username);
      self->username = g_steal_pointer (&username);
      resume_session (self);
      return;
    }

  show_sign_in (self, NULL, FALSE);
}

static void
on_signed_out (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CdWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  /* The local session is gone either way; the server may be down. */
  if (!cd_portal_client_sign_out_finish (CD_PORTAL_CLIENT (source), result,
                                         &error))
    g_debug ("Revoking the session failed: %s", error->message);

  if (self->sign_in_page != NULL)
    cd_sign_in_page_reset (self->sign_in_page);
}

static void
sign_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CdWindow *self = CD_WINDOW (widget);
  g_autoptr(CdPortalClient) client = NULL;
  gboolean remember;

  if (self->client == NULL)
    return;

  client = g_object_ref (self->client);
  remember = self->remember;
  show_sign_in (self, NULL, FALSE);

  if (remember)
    forget_stored_session ();

  /* Busy until the server has revoked the token, so signing in again
   * cannot race the revocation. */
  cd_sign_in_page_set_busy (self->sign_in_page, TRUE, _("Signing out…"));
  cd_portal_client_sign_out_async (client, NULL, on_signed_out,
                                   g_object_ref (self));
}

static void
on_devices_page_device_activated (CdWindow      *self,
                                  CdDevice      *device,
                                  CdDevicesPage *page)
{
  g_assert (CD_IS_WINDOW (self));

  cd_device_page_set_device (self->device_page, device);
  gtk_stack_set_visible_child_name (self->stack, "device");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", TRUE);
}

void
cd_window_go_back (CdWindow *self)
{
  g_return_if_fail (CD_IS_WINDOW (self));

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "device") != 0)
    return;

  gtk_stack_set_visible_child_name (self->stack, "devices");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->devices_page));
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  cd_window_go_back (CD_WINDOW (widget));
}

void
cd_window_add_toast (CdWindow *self,
                     AdwToast *toast)
{
  g_return_if_fail (CD_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/**
 * cd_window_get_client:
 *
 * Returns: (nullable) (transfer none): the signed-in client
 */
CdPortalClient *
cd_window_get_client (CdWindow *self)
{
  g_return_val_if_fail (CD_IS_WINDOW (self), NULL);

  return self->client;
}

static void
cd_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CdWindow *self = CD_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* After the construct properties: GtkWindow:maximized is one, and its
 * default would undo a maximize done in init. */
static void
cd_window_constructed (GObject *object)
{
  CdWindow *self = CD_WINDOW (object);

  G_OBJECT_CLASS (cd_window_parent_class)->constructed (object);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings,
                                                   "window-width"),
                               g_settings_get_int (self->settings,
                                                   "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
cd_window_dispose (GObject *object)
{
  CdWindow *self = CD_WINDOW (object);

  /* A focused entry that is torn down without losing the focus first
   * keeps its cursor blinking and warns. */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->client != NULL)
    {
      g_clear_signal_handler (&self->token_changed_id, self->client);
      g_clear_signal_handler (&self->expired_id, self->client);
      g_clear_object (&self->client);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), CD_TYPE_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cd_window_parent_class)->dispose (object);
}

static void
cd_window_finalize (GObject *object)
{
  CdWindow *self = CD_WINDOW (object);

  g_clear_pointer (&self->portal_url, g_free);
  g_clear_pointer (&self->username, g_free);

  G_OBJECT_CLASS (cd_window_parent_class)->finalize (object);
}

static void
cd_window_class_init (CdWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->get_property = cd_window_get_property;
  object_class->constructed = cd_window_constructed;
  object_class->dispose = cd_window_dispose;
  object_class->finalize = cd_window_finalize;
  window_class->close_request = cd_window_close_request;

  /**
   * CdWindow:client: (nullable)
   *
   * The signed-in portal client, NULL while nobody is signed in.
   */
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL,
                         CD_TYPE_PORTAL_CLIENT,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY
                         | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CD_TYPE_DEVICES_PAGE);
  g_type_ensure (CD_TYPE_DEVICE_PAGE);
  g_type_ensure (CD_TYPE_SIGN_IN_PAGE);
  g_type_ensure (CD_TYPE_PRIMARY_MENU_BUTTON);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/com/coredinate/Admin/cd-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CdWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CdWindow,
                                        resuming_spinner);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, sign_in_page);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, devices_page);
  gtk_widget_class_bind_template_child (widget_class, CdWindow, device_page);
  gtk_widget_class_bind_template_callback (widget_class,
                                           on_sign_in_page_signed_in);
  gtk_widget_class_bind_template_callback (widget_class,
                                           on_sign_in_page_demo_requested);
  gtk_widget_class_bind_template_callback (widget_class,
                                           on_devices_page_device_activated);

  gtk_widget_class_install_action (widget_class, "win.back", NULL,
                                   back_action);
  gtk_widget_class_install_action (widget_class, "win.sign-out", NULL,
                                   sign_out_action);
}

static void
cd_window_init (CdWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sign-out", FALSE);
}

CdWindow *
cd_window_new (CdApplication *application)
{
  CdWindow *self;

  g_return_val_if_fail (CD_IS_APPLICATION (application), NULL);

  self = g_object_new (CD_TYPE_WINDOW,
                       "application", application,
                       NULL);
  start (self);

  return self;
}
