/* test-sign-in.c: signing in, keeping the session in a real keyring,
 * signing out, and the sign-in page's errors, in English or German.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "cd-application.h"
#include "cd-credentials.h"
#include "cd-devices-page.h"
#include "cd-error-text.h"
#include "cd-primary-menu-button.h"
#include "cd-sign-in-page.h"
#include "cd-test-portal.h"
#include "cd-ui-test.h"
#include "cd-window.h"

#define ADMIN "admin@muster.example"
#define TENANT "Muster Sicherheitsdienst GmbH"

/* One application and one portal per process. */
static CdApplication *the_app;
static CdTestPortal  *the_portal;
static gboolean       german;

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

static const char *
suffix (void)
{
  return german ? "de" : "en";
}

static gboolean
transition_running (GtkWidget *widget)
{
  if (GTK_IS_STACK (widget)
      && gtk_stack_get_transition_running (GTK_STACK (widget)))
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (transition_running (child))
      return TRUE;

  return FALSE;
}

static gboolean
transitions_done (gpointer user_data)
{
  return !transition_running (user_data);
}

static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  g_autofree char *file = g_strdup_printf ("%s-%s.png", name, suffix ());

  g_assert_true (cd_ui_test_wait_until (transitions_done, widget, 5000));

  g_free (cd_ui_test_screenshot (widget, file));
}

static CdWindow *
current_window (void)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (the_app));

  return window != NULL ? CD_WINDOW (window) : NULL;
}

static gboolean
window_is_mapped (gpointer user_data)
{
  CdWindow *window = current_window ();

  return window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window));
}

/* A new window, as when the app starts again. */
static CdWindow *
open_window (void)
{
  g_application_activate (G_APPLICATION (the_app));
  g_assert_true (cd_ui_test_wait_until (window_is_mapped, NULL, 5000));

  return current_window ();
}

static void
close_window (CdWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  cd_ui_test_iterate (50);
}

static GtkWidget *
find_mapped (GtkWidget *root,
             GType      type)
{
  GtkWidget *found = cd_ui_test_find_by_type (root, type);

  return found != NULL && gtk_widget_get_mapped (found) ? found : NULL;
}

/* The page a user sees, once any transition has finished. */
static gboolean
sign_in_page_shown (gpointer user_data)
{
  GtkWidget *window = user_data;

  return find_mapped (window, CD_TYPE_SIGN_IN_PAGE) != NULL
         && find_mapped (window, CD_TYPE_DEVICES_PAGE) == NULL;
}

static gboolean
devices_page_shown (gpointer user_data)
{
  GtkWidget *window = user_data;

  return find_mapped (window, CD_TYPE_DEVICES_PAGE) != NULL
         && find_mapped (window, CD_TYPE_SIGN_IN_PAGE) == NULL;
}

static void
assert_page (CdWindow          *window,
             CdUiTestCondition  shown,
             const char        *what)
{
  g_autofree char *text = NULL;

  if (cd_ui_test_wait_until (shown, window, 20000))
    return;

  text = cd_ui_test_collect_text (GTK_WIDGET (window));
  g_error ("The %s page is not shown; the window shows:\n%s", what, text);
}

static GtkEditable *
field (CdWindow   *window,
       const char *title)
{
  GtkWidget *row = cd_ui_test_find_text (GTK_WIDGET (window), title);

  if (row == NULL)
    g_error ("No field “%s” is shown", title);
  while (row != NULL && !ADW_IS_ENTRY_ROW (row))
    row = gtk_widget_get_parent (row);
  g_assert_nonnull (row);

  return GTK_EDITABLE (row);
}

/* The field a message is about is marked: red, and invalid for screen
 * readers. */
static void
assert_field_marked (CdWindow   *window,
                     const char *title,
                     gboolean    marked)
{
  GtkWidget *row = GTK_WIDGET (field (window, title));

  if (marked)
    {
      if (!gtk_widget_has_css_class (row, "error"))
        g_error ("The field “%s” is not marked", title);
      gtk_test_accessible_assert_state (GTK_ACCESSIBLE (row),
                                        GTK_ACCESSIBLE_STATE_INVALID,
                                        GTK_ACCESSIBLE_INVALID_TRUE);
    }
  else
    {
      if (gtk_widget_has_css_class (row, "error"))
        g_error ("The field “%s” is marked", title);
      g_assert_false (gtk_test_accessible_has_state (GTK_ACCESSIBLE (row),
                                                     GTK_ACCESSIBLE_STATE_INVALID));
    }
}

/* Types the form and presses Enter in the password field. */
static void
fill_in_and_press_enter (CdWindow   *window,
                         const char *portal_url,
                         const char *username,
                         const char *password)
{
  GtkEditable *password_row = field (window, _("Password"));
  GtkWidget *text;

  g_assert_true (cd_ui_test_wait_until (transitions_done, window, 5000));
  gtk_editable_set_text (field (window, _("Portal Address")), portal_url);
  gtk_editable_set_text (field (window, _("User Name")), username);
  gtk_editable_set_text (password_row, password);

  text = cd_ui_test_find_by_type (GTK_WIDGET (password_row), GTK_TYPE_TEXT);
  g_assert_nonnull (text);
  gtk_widget_grab_focus (text);
  g_signal_emit_by_name (text, "activate");
}

static char *
error_text (CdPortalError code)
{
  g_autoptr(GError) error = g_error_new_literal (CD_PORTAL_ERROR, code, "x");

  return cd_error_text (error);
}

static void
assert_message (CdWindow   *window,
                const char *message)
{
  cd_ui_test_assert_shown (GTK_WIDGET (window), message);
}

/* Every session item in the keyring, as Seahorse would list them. */
static GList *
stored_sessions (void)
{
  g_autoptr(GError) error = NULL;
  GList *items;

  items = secret_password_search_sync (cd_credentials_get_schema (),
                                       SECRET_SEARCH_ALL
                                       | SECRET_SEARCH_UNLOCK
                                       | SECRET_SEARCH_LOAD_SECRETS,
                                       NULL, &error, NULL);
  g_assert_no_error (error);

  return items;
}

static guint
count_stored_sessions (void)
{
  GList *items = stored_sessions ();
  guint n = g_list_length (items);

  g_list_free_full (items, g_object_unref);

  return n;
}

static gboolean
no_session_stored (gpointer user_data)
{
  return count_stored_sessions () == 0;
}

static void
clear_keyring (void)
{
  g_autoptr(GError) error = NULL;

  secret_password_clear_sync (cd_credentials_get_schema (), NULL, &error, NULL);
  g_assert_no_error (error);
}

/* The one stored secret equals the window's current refresh token. */
static gboolean
stored_token_is_current (gpointer user_data)
{
  CdWindow *window = user_data;
  CdPortalClient *client = cd_window_get_client (window);
  GList *items;
  gboolean same = FALSE;

  if (client == NULL || cd_portal_client_get_refresh_token (client) == NULL)
    return FALSE;

  items = stored_sessions ();
  if (g_list_length (items) == 1)
    {
      g_autoptr(SecretValue) value = NULL;

      value = secret_retrievable_retrieve_secret_sync (items->data, NULL, NULL);
      same = value != NULL
             && g_strcmp0 (secret_value_get_text (value),
                           cd_portal_client_get_refresh_token (client)) == 0;
    }
  g_list_free_full (items, g_object_unref);

  return same;
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static gboolean
has_result (gpointer user_data)
{
  GAsyncResult **slot = user_data;

  return *slot != NULL;
}

/* Resumes a separate client with @token, as another program would. */
static CdPortalClient *
resume_elsewhere (const char  *token,
                  GError     **error)
{
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CdAccount) account = NULL;

  client = cd_portal_client_new (cd_test_portal_get_url (the_portal), NULL);
  g_assert_nonnull (client);
  cd_portal_client_resume_async (client, token, NULL, on_done, &result);
  g_assert_true (cd_ui_test_wait_until (has_result, &result, 20000));
  account = cd_portal_client_resume_finish (client, result, error);

  return account != NULL ? g_steal_pointer (&client) : NULL;
}

static void
sign_out_elsewhere (CdPortalClient *client)
{
  g_autoptr(GAsyncResult) result = NULL;

  cd_portal_client_sign_out_async (client, NULL, on_done, &result);
  g_assert_true (cd_ui_test_wait_until (has_result, &result, 20000));
  g_assert_true (cd_portal_client_sign_out_finish (client, result, NULL));
}

static void
forget_everything (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  g_settings_reset (settings, "portal-url");
  g_settings_reset (settings, "username");
  clear_keyring ();
}

static CdWindow *
sign_in_with_form (void)
{
  CdWindow *window = open_window ();

  assert_page (window, sign_in_page_shown, "sign-in");
  fill_in_and_press_enter (window, cd_test_portal_get_url (the_portal),
                           ADMIN, "demo");
  assert_page (window, devices_page_shown, "devices");

  return window;
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

/* Opens the page's main menu and looks for “Sign Out” in it. */
static gboolean
menu_offers_sign_out (GtkWidget *page)
{
  g_autofree char *label = without_mnemonic (_("_Sign Out"));
  g_autofree char *preferences = without_mnemonic (_("_Preferences"));
  GtkWidget *primary;
  GtkWidget *menu_button;
  GtkPopover *popover;
  gboolean found;

  g_assert_nonnull (page);
  primary = find_mapped (page, CD_TYPE_PRIMARY_MENU_BUTTON);
  g_assert_nonnull (primary);
  menu_button = cd_ui_test_find_by_type (primary, GTK_TYPE_MENU_BUTTON);
  g_assert_nonnull (menu_button);

  gtk_menu_button_popup (GTK_MENU_BUTTON (menu_button));
  popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button));
  g_assert_true (cd_ui_test_wait_until ((CdUiTestCondition) gtk_widget_get_mapped,
                                        popover, 5000));
  g_assert_nonnull (cd_ui_test_wait_for_text (GTK_WIDGET (popover),
                                              preferences, 5000));
  found = cd_ui_test_find_text (GTK_WIDGET (popover), label) != NULL;
  gtk_menu_button_popdown (GTK_MENU_BUTTON (menu_button));
  cd_ui_test_iterate (50);

  return found;
}

/* Opens the page's main menu and looks for the tenant in it. */
static gboolean
menu_offers_account (GtkWidget *page)
{
  g_autofree char *preferences = without_mnemonic (_("_Preferences"));
  GtkWidget *primary;
  GtkWidget *menu_button;
  GtkPopover *popover;
  gboolean found;

  g_assert_nonnull (page);
  primary = find_mapped (page, CD_TYPE_PRIMARY_MENU_BUTTON);
  g_assert_nonnull (primary);
  menu_button = cd_ui_test_find_by_type (primary, GTK_TYPE_MENU_BUTTON);
  g_assert_nonnull (menu_button);

  gtk_menu_button_popup (GTK_MENU_BUTTON (menu_button));
  popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button));
  g_assert_true (cd_ui_test_wait_until ((CdUiTestCondition) gtk_widget_get_mapped,
                                        popover, 5000));
  g_assert_nonnull (cd_ui_test_wait_for_text (GTK_WIDGET (popover),
                                              preferences, 5000));
  found = cd_ui_test_wait_for_text (GTK_WIDGET (popover), TENANT, 5000) != NULL;
  gtk_menu_button_popdown (GTK_MENU_BUTTON (menu_button));
  cd_ui_test_iterate (50);

  return found;
}

static void
test_form_shown (void)
{
  CdWindow *window;

  forget_everything ();
  window = open_window ();

  assert_page (window, sign_in_page_shown, "sign-in");
  assert_message (window, _("Sign In to Your Portal"));
  g_assert_nonnull (cd_ui_test_find_button (GTK_WIDGET (window),
                                            _("_Sign In")));
  g_assert_nonnull (cd_ui_test_find_button (GTK_WIDGET (window),
                                            _("Try the _Demo")));
  g_assert_false (menu_offers_sign_out (find_mapped (GTK_WIDGET (window),
                                                    CD_TYPE_SIGN_IN_PAGE)));
  if (german)
    g_assert_cmpstr (_("Sign In to Your Portal"), !=, "Sign In to Your Portal");

  screenshot (GTK_WIDGET (window), "sign-in");
  close_window (window);
}

static void
test_error_bad_address (void)
{
  g_autofree char *expected = error_text (CD_PORTAL_ERROR_INSECURE_URL);
  CdWindow *window;

  forget_everything ();
  window = open_window ();
  assert_page (window, sign_in_page_shown, "sign-in");

  fill_in_and_press_enter (window, "http://portal.example.com", ADMIN, "demo");
  assert_message (window, expected);
  g_assert_true (sign_in_page_shown (window));
  assert_field_marked (window, _("Portal Address"), TRUE);
  assert_field_marked (window, _("Password"), FALSE);
  screenshot (GTK_WIDGET (window), "sign-in-bad-address");

  /* Correcting the address takes the mark away. */
  gtk_editable_set_text (field (window, _("Portal Address")),
                         "https://portal.example.com");
  assert_field_marked (window, _("Portal Address"), FALSE);

  close_window (window);
}

/* Something that is no web address at all. */
static void
test_error_invalid_address (void)
{
  g_autofree char *expected = error_text (CD_PORTAL_ERROR_INVALID_URL);
  CdWindow *window;

  forget_everything ();
  window = open_window ();
  assert_page (window, sign_in_page_shown, "sign-in");

  fill_in_and_press_enter (window, "portal example com", ADMIN, "demo");
  assert_message (window, expected);
  g_assert_true (sign_in_page_shown (window));
  assert_field_marked (window, _("Portal Address"), TRUE);

  close_window (window);
}

/* An empty field is named, and marked. */
static void
test_error_empty_field (void)
{
  CdWindow *window;

  forget_everything ();
  window = open_window ();
  assert_page (window, sign_in_page_shown, "sign-in");

  fill_in_and_press_enter (window, cd_test_portal_get_url (the_portal), "",
                           "demo");
  assert_message (window, _("Enter your user name."));
  assert_field_marked (window, _("User Name"), TRUE);
  assert_field_marked (window, _("Portal Address"), FALSE);
  g_assert_cmpuint (count_stored_sessions (), ==, 0);

  close_window (window);
}

static void
on_tls_request (SoupServer        *server,
                SoupServerMessage *message,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
}

/* A server whose certificate no one vouches for is refused, and the
 * page says why instead of offering to go on anyway. */
static void
test_error_tls (void)
{
  g_autofree char *expected = error_text (CD_PORTAL_ERROR_TLS);
  g_autofree char *cert_file = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GError) error = NULL;
  GSList *uris;
  CdWindow *window;

  cert_file = g_build_filename (g_getenv ("CD_SOURCE_DIR"), "tests", "server",
                                "test-portal-cert.pem", NULL);
  key_file = g_build_filename (g_getenv ("CD_SOURCE_DIR"), "tests", "server",
                               "test-portal-key.pem", NULL);
  certificate = g_tls_certificate_new_from_files (cert_file, key_file, &error);
  g_assert_no_error (error);
  server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (server, NULL, on_tls_request, NULL, NULL);
  g_assert_true (soup_server_listen_local (server, 0,
                                           SOUP_SERVER_LISTEN_IPV4_ONLY
                                           | SOUP_SERVER_LISTEN_HTTPS,
                                           &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("https://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  forget_everything ();
  window = open_window ();
  assert_page (window, sign_in_page_shown, "sign-in");

  fill_in_and_press_enter (window, url, ADMIN, "demo");
  assert_message (window, expected);
  g_assert_true (sign_in_page_shown (window));
  assert_field_marked (window, _("Portal Address"), TRUE);
  g_assert_cmpuint (count_stored_sessions (), ==, 0);
  screenshot (GTK_WIDGET (window), "sign-in-tls");

  close_window (window);
}

static guint16
closed_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);

  return port;
}

static void
test_error_unreachable (void)
{
  g_autofree char *expected = error_text (CD_PORTAL_ERROR_NETWORK);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", closed_port ());
  CdWindow *window;

  forget_everything ();
  window = open_window ();
  assert_page (window, sign_in_page_shown, "sign-in");

  fill_in_and_press_enter (window, url, ADMIN, "demo");
  assert_message (window, expected);
  g_assert_true (sign_in_page_shown (window));

  close_window (window);
}

static void
on_web_page_request (SoupServer        *server,
                     SoupServerMessage *message,
                     const char        *path,
                     GHashTable        *query,
                     gpointer           user_data)
{
  static const char page[] = "<html><body>Welcome</body></html>";

  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "text/html", SOUP_MEMORY_STATIC,
                                    page, strlen (page));
}

/* A web server that is not a portal: the user typed the wrong address. */
static void
test_error_not_a_portal (void)
{
  g_autofree char *expected = error_text (CD_PORTAL_ERROR_NOT_A_PORTAL);
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  GSList *uris;
  CdWindow *window;

  soup_server_add_handler (server, NULL, on_web_page_request, NULL, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY,
                                           &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  forget_everything ();
  window = open_window ();
  assert_page (window, sign_in_page_shown, "sign-in");

  fill_in_and_press_enter (window, url, ADMIN, "demo");
  assert_message (window, expected);
  g_assert_true (sign_in_page_shown (window));

  close_window (window);
}

static void
test_error_wrong_password (void)
{
  g_autofree char *expected = error_text (CD_PORTAL_ERROR_INVALID_GRANT);
  CdWindow *window;

  forget_everything ();
  window = open_window ();
  assert_page (window, sign_in_page_shown, "sign-in");

  fill_in_and_press_enter (window, cd_test_portal_get_url (the_portal),
                           ADMIN, "wrong-password");
  assert_message (window, expected);
  if (german)
    g_assert_nonnull (strstr (expected, "Passwort"));

  g_assert_true (sign_in_page_shown (window));
  g_assert_cmpstr (gtk_editable_get_text (field (window, _("Password"))), ==, "");
  assert_field_marked (window, _("Password"), TRUE);
  assert_field_marked (window, _("Portal Address"), FALSE);
  g_assert_cmpuint (count_stored_sessions (), ==, 0);

  screenshot (GTK_WIDGET (window), "sign-in-wrong-password");
  close_window (window);
}

/* Five wrong passwords within a minute lock the user name for a while;
 * the page says how long. Another user than the other tests use. */
static void
test_error_rate_limited (void)
{
  g_autoptr(GError) rate_limited = NULL;
  g_autofree char *generic = NULL;
  g_autofree char *wrong = error_text (CD_PORTAL_ERROR_INVALID_GRANT);
  g_autofree char *shown = NULL;
  g_autofree char *prefix = NULL;
  GtkWidget *label = NULL;
  GtkWidget *password;
  GtkWidget *spinner;
  CdWindow *window;

  rate_limited = g_error_new_literal (CD_PORTAL_ERROR,
                                      CD_PORTAL_ERROR_RATE_LIMITED, "x");
  generic = cd_error_text (rate_limited);
  /* “Too many failed attempts.”, whatever the wait time. */
  prefix = g_strndup (generic, strcspn (generic, ".") + 1);

  forget_everything ();
  window = open_window ();
  assert_page (window, sign_in_page_shown, "sign-in");

  password = GTK_WIDGET (field (window, _("Password")));
  for (guint i = 0; i < 6; i++)
    {
      fill_in_and_press_enter (window, cd_test_portal_get_url (the_portal),
                               "leser@muster.example", "wrong-password");
      /* The form is busy, with a spinner, until the portal has answered. */
      g_assert_false (gtk_widget_is_sensitive (password));
      g_assert_nonnull (cd_ui_test_find_text (GTK_WIDGET (window),
                                              _("Signing in…")));
      spinner = find_mapped (find_mapped (GTK_WIDGET (window),
                                          CD_TYPE_SIGN_IN_PAGE),
                             GTK_TYPE_SPINNER);
      g_assert_nonnull (spinner);
      g_assert_true (gtk_spinner_get_spinning (GTK_SPINNER (spinner)));
      g_assert_true (cd_ui_test_wait_until (
                       (CdUiTestCondition) gtk_widget_is_sensitive,
                       password, 20000));
      label = cd_ui_test_find_text (GTK_WIDGET (window), prefix);
      if (label != NULL)
        break;
      g_assert_nonnull (cd_ui_test_find_text (GTK_WIDGET (window), wrong));
    }

  if (label == NULL)
    {
      shown = cd_ui_test_collect_text (GTK_WIDGET (window));
      g_error ("No rate-limit message; the window shows:\n%s", shown);
    }
  /* The wait time, in seconds or minutes. */
  g_assert_true (strpbrk (gtk_label_get_text (GTK_LABEL (label)),
                          "0123456789") != NULL);

  close_window (window);
}

static void
test_sign_in_stores_token (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(SecretValue) value = NULL;
  g_autofree char *portal_url = NULL;
  g_autofree char *username = NULL;
  CdWindow *window;
  GList *items;

  forget_everything ();
  window = sign_in_with_form ();

  g_assert_true (poll_until (stored_token_is_current, window, 10000));
  items = stored_sessions ();
  g_assert_cmpuint (g_list_length (items), ==, 1);
  attributes = secret_retrievable_get_attributes (items->data);
  g_assert_cmpstr (g_hash_table_lookup (attributes, "portal"), ==,
                   cd_test_portal_get_url (the_portal));
  g_assert_cmpstr (g_hash_table_lookup (attributes, "username"), ==, ADMIN);
  value = secret_retrievable_retrieve_secret_sync (items->data, NULL, NULL);
  g_assert_cmpstr (secret_value_get_text (value), !=, "demo");
  g_assert_cmpuint (strlen (secret_value_get_text (value)), >=, 16);
  g_list_free_full (items, g_object_unref);

  portal_url = g_settings_get_string (settings, "portal-url");
  username = g_settings_get_string (settings, "username");
  g_assert_cmpstr (portal_url, ==, cd_test_portal_get_url (the_portal));
  g_assert_cmpstr (username, ==, ADMIN);

  close_window (window);
}

static void
test_header_shows_account (void)
{
  GtkWidget *primary;
  GtkWidget *menu_button;
  GtkWidget *avatar;
  GtkPopover *popover;
  const char *tooltip;
  CdWindow *window;

  /* Signed in from the keyring, or through the form. */
  window = open_window ();
  if (!cd_ui_test_wait_until (devices_page_shown, window, 20000))
    {
      close_window (window);
      forget_everything ();
      window = sign_in_with_form ();
    }

  primary = find_mapped (find_mapped (GTK_WIDGET (window),
                                      CD_TYPE_DEVICES_PAGE),
                         CD_TYPE_PRIMARY_MENU_BUTTON);
  g_assert_nonnull (primary);
  menu_button = cd_ui_test_find_by_type (primary, GTK_TYPE_MENU_BUTTON);
  g_assert_nonnull (menu_button);

  avatar = find_mapped (menu_button, ADW_TYPE_AVATAR);
  g_assert_nonnull (avatar);
  g_assert_cmpstr (adw_avatar_get_text (ADW_AVATAR (avatar)), !=, "");
  tooltip = gtk_widget_get_tooltip_text (menu_button);
  g_assert_nonnull (tooltip);
  g_assert_nonnull (strstr (tooltip, TENANT));
  g_assert_nonnull (strstr (tooltip, C_("role", "Administrator")));

  gtk_menu_button_popup (GTK_MENU_BUTTON (menu_button));
  popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button));
  g_assert_true (cd_ui_test_wait_until ((CdUiTestCondition) gtk_widget_get_mapped,
                                        popover, 5000));
  g_assert_nonnull (cd_ui_test_wait_for_text (GTK_WIDGET (popover), TENANT, 5000));
  g_assert_nonnull (cd_ui_test_find_text (GTK_WIDGET (popover),
                                          C_("role", "Administrator")));
  g_assert_nonnull (cd_ui_test_find_text (GTK_WIDGET (popover),
                                          adw_avatar_get_text (ADW_AVATAR (avatar))));
  screenshot (gtk_popover_get_child (popover), "primary-menu");
  gtk_menu_button_popdown (GTK_MENU_BUTTON (menu_button));
  cd_ui_test_iterate (50);
  g_assert_true (menu_offers_sign_out (primary));

  close_window (window);
}

/* No password, token or secret lands anywhere on disk or in GSettings. */
static void
search_files (const char *path,
              const char *needle,
              guint      *n_files)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          search_files (child, needle, n_files);
          continue;
        }
      if (!g_file_test (child, G_FILE_TEST_IS_REGULAR)
          || !g_file_get_contents (child, &contents, &length, NULL))
        continue;

      (*n_files)++;
      if (memmem (contents, length, needle, strlen (needle)) != NULL)
        g_error ("A secret was written to %s", child);
    }
}

static void
test_no_secrets_on_disk (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) keys = NULL;
  const char *home = g_getenv ("CD_TEST_HOME");
  CdWindow *window;
  guint n_files = 0;

  g_assert_nonnull (home);

  forget_everything ();
  window = sign_in_with_form ();
  g_assert_true (poll_until (stored_token_is_current, window, 10000));
  g_ptr_array_add (tokens,
                   g_strdup (cd_portal_client_get_refresh_token (
                               cd_window_get_client (window))));
  close_window (window);

  /* A silent sign-in rotates the token: search for both. */
  window = open_window ();
  assert_page (window, devices_page_shown, "devices");
  g_assert_true (poll_until (stored_token_is_current, window, 10000));
  g_ptr_array_add (tokens,
                   g_strdup (cd_portal_client_get_refresh_token (
                               cd_window_get_client (window))));
  g_assert_cmpstr (tokens->pdata[0], !=, tokens->pdata[1]);
  close_window (window);

  /* The password too, and the tokens; "demo" is the demo admin's. */
  g_ptr_array_add (tokens, g_strdup ("demo"));
  for (guint i = 0; i < tokens->len; i++)
    {
      n_files = 0;
      search_files (home, tokens->pdata[i], &n_files);
      /* The keyring file at least; proof that the walk saw something. */
      g_assert_cmpuint (n_files, >, 0);
    }

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (settings, keys[i]);
      g_autofree char *printed = g_variant_print (value, FALSE);

      for (guint j = 0; j < tokens->len; j++)
        if (strstr (printed, tokens->pdata[j]) != NULL)
          g_error ("GSettings key %s holds a secret: %s", keys[i], printed);
    }
}

static void
test_resume_without_asking (void)
{
  g_autofree char *first_token = NULL;
  CdWindow *window;

  forget_everything ();
  window = sign_in_with_form ();
  g_assert_true (poll_until (stored_token_is_current, window, 10000));
  first_token = g_strdup (cd_portal_client_get_refresh_token (
                            cd_window_get_client (window)));
  close_window (window);

  window = open_window ();
  /* The sign-in page is never shown on the way. */
  g_assert_null (find_mapped (GTK_WIDGET (window), CD_TYPE_SIGN_IN_PAGE));
  assert_page (window, devices_page_shown, "devices");
  g_assert_cmpstr (cd_account_get_username (cd_portal_client_get_account (
                     cd_window_get_client (window))), ==, ADMIN);

  /* The rotated token replaced the used one in the keyring. */
  g_assert_true (poll_until (stored_token_is_current, window, 10000));
  g_assert_cmpstr (cd_portal_client_get_refresh_token (
                     cd_window_get_client (window)), !=, first_token);

  close_window (window);
}

static void
test_sign_out (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdPortalClient) probe = NULL;
  g_autofree char *token = NULL;
  GtkWidget *button;
  CdWindow *window;

  forget_everything ();
  window = sign_in_with_form ();
  g_assert_true (poll_until (stored_token_is_current, window, 10000));
  token = g_strdup (cd_portal_client_get_refresh_token (
                      cd_window_get_client (window)));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window),
                                             "win.sign-out", NULL));
  assert_page (window, sign_in_page_shown, "sign-in");
  g_assert_null (cd_window_get_client (window));

  /* Signing in is possible again once the server has revoked the token. */
  button = cd_ui_test_find_button (GTK_WIDGET (window), _("_Sign In"));
  g_assert_nonnull (button);
  g_assert_true (cd_ui_test_wait_until ((CdUiTestCondition) gtk_widget_is_sensitive,
                                        button, 20000));
  g_assert_true (poll_until (no_session_stored, NULL, 10000));
  g_assert_cmpstr (gtk_editable_get_text (field (window, _("User Name"))),
                   ==, ADMIN);

  probe = resume_elsewhere (token, &error);
  g_assert_null (probe);
  g_assert_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_INVALID_GRANT);

  /* Signed out, the menu has no account and no Sign Out; signed in
   * again in the same window, both are back. */
  g_assert_false (menu_offers_sign_out (find_mapped (GTK_WIDGET (window),
                                                    CD_TYPE_SIGN_IN_PAGE)));
  fill_in_and_press_enter (window, cd_test_portal_get_url (the_portal),
                           ADMIN, "demo");
  assert_page (window, devices_page_shown, "devices");
  g_assert_true (menu_offers_account (find_mapped (GTK_WIDGET (window),
                                                   CD_TYPE_DEVICES_PAGE)));

  close_window (window);
}

static void
test_revoked_token (void)
{
  g_autoptr(CdPortalClient) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *expected = error_text (CD_PORTAL_ERROR_SESSION_EXPIRED);
  CdWindow *window;

  forget_everything ();
  window = sign_in_with_form ();
  g_assert_true (poll_until (stored_token_is_current, window, 10000));
  token = g_strdup (cd_portal_client_get_refresh_token (
                      cd_window_get_client (window)));
  close_window (window);

  /* Someone else uses the single-use token, then signs out. */
  other = resume_elsewhere (token, &error);
  g_assert_no_error (error);
  sign_out_elsewhere (other);

  window = open_window ();
  assert_page (window, sign_in_page_shown, "sign-in");
  assert_message (window, expected);
  g_assert_cmpstr (gtk_editable_get_text (field (window, _("User Name"))),
                   ==, ADMIN);
  g_assert_cmpstr (gtk_editable_get_text (field (window, _("Portal Address"))),
                   ==, cd_test_portal_get_url (the_portal));
  g_assert_true (poll_until (no_session_stored, NULL, 10000));

  screenshot (GTK_WIDGET (window), "sign-in-session-ended");
  close_window (window);
}

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

/* A portal that accepts connections and never answers keeps the silent
 * sign-in waiting, so its status page can be seen. */
static void
test_resuming_shows_status (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GAsyncResult) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  guint16 port;
  CdWindow *window;

  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);

  forget_everything ();
  g_settings_set_string (settings, "portal-url", url);
  g_settings_set_string (settings, "username", ADMIN);
  cd_credentials_store_async (url, ADMIN, "a-token-that-is-never-checked",
                              NULL, on_stored, &stored);
  g_assert_true (cd_ui_test_wait_until (has_result, &stored, 10000));
  g_assert_true (cd_credentials_store_finish (stored, NULL));

  window = open_window ();
  assert_message (window, _("Signing In…"));
  g_assert_null (find_mapped (GTK_WIDGET (window), CD_TYPE_SIGN_IN_PAGE));
  g_assert_null (find_mapped (GTK_WIDGET (window), CD_TYPE_DEVICES_PAGE));
  g_assert_nonnull (find_mapped (GTK_WIDGET (window), GTK_TYPE_SPINNER));

  screenshot (GTK_WIDGET (window), "resuming");
  close_window (window);
  forget_everything ();
}

static gboolean
session_expired_seen (gpointer user_data)
{
  return *(gboolean *) user_data;
}

static void
on_session_expired (CdPortalClient *client,
                    gboolean       *seen)
{
  *seen = TRUE;
}

/* The access token runs out and the refresh token has been used up
 * elsewhere: the next request ends the session. */
static void
test_session_expired (void)
{
  const char * const extra[] = { "--access-token-lifetime", "1", NULL };
  g_autoptr(CdTestPortal) portal = NULL;
  g_autoptr(CdPortalClient) other = NULL;
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = error_text (CD_PORTAL_ERROR_SESSION_EXPIRED);
  CdTestPortal *saved = the_portal;
  gboolean expired = FALSE;
  CdWindow *window;

  portal = cd_test_portal_start ("2027-03-01", 5, extra, &error);
  g_assert_no_error (error);
  the_portal = portal;

  forget_everything ();
  window = sign_in_with_form ();
  g_assert_true (poll_until (stored_token_is_current, window, 10000));
  client = g_object_ref (cd_window_get_client (window));
  g_signal_connect (client, "session-expired",
                    G_CALLBACK (on_session_expired), &expired);

  other = resume_elsewhere (cd_portal_client_get_refresh_token (client),
                            &error);
  g_assert_no_error (error);
  sign_out_elsewhere (other);
  cd_ui_test_iterate (1500);

  /* Any request will do; the pages may have made one already. */
  if (!expired)
    {
      cd_portal_client_get_me_async (client, NULL, on_done, &result);
      g_assert_true (cd_ui_test_wait_until (has_result, &result, 20000));
      account = cd_portal_client_get_me_finish (client, result, &error);
      g_assert_null (account);
      g_assert_true (g_error_matches (error, CD_PORTAL_ERROR,
                                      CD_PORTAL_ERROR_SESSION_EXPIRED)
                     || g_error_matches (error, CD_PORTAL_ERROR,
                                         CD_PORTAL_ERROR_NOT_SIGNED_IN));
    }
  g_assert_true (cd_ui_test_wait_until (session_expired_seen, &expired, 1000));

  assert_page (window, sign_in_page_shown, "sign-in");
  assert_message (window, expected);
  g_assert_null (cd_window_get_client (window));
  g_assert_cmpstr (gtk_editable_get_text (field (window, _("User Name"))),
                   ==, ADMIN);
  g_assert_true (poll_until (no_session_stored, NULL, 10000));

  g_signal_handlers_disconnect_by_func (client, on_session_expired, &expired);
  close_window (window);
  the_portal = saved;
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

  the_portal = cd_test_portal_start ("2027-03-01", 20, NULL, &error);
  g_assert_no_error (error);

  the_app = cd_application_new ();
  g_application_register (G_APPLICATION (the_app), NULL, &error);
  g_assert_no_error (error);
  /* Keeps the application alive between tests that close its window. */
  g_application_hold (G_APPLICATION (the_app));

  g_test_add_func ("/sign-in/form-shown", test_form_shown);
  g_test_add_func ("/sign-in/error/bad-address", test_error_bad_address);
  g_test_add_func ("/sign-in/error/invalid-address",
                   test_error_invalid_address);
  g_test_add_func ("/sign-in/error/empty-field", test_error_empty_field);
  g_test_add_func ("/sign-in/error/tls", test_error_tls);
  g_test_add_func ("/sign-in/error/unreachable", test_error_unreachable);
  g_test_add_func ("/sign-in/error/wrong-password", test_error_wrong_password);
  g_test_add_func ("/sign-in/error/rate-limited", test_error_rate_limited);
  g_test_add_func ("/sign-in/error/not-a-portal", test_error_not_a_portal);
  g_test_add_func ("/sign-in/stores-token", test_sign_in_stores_token);
  g_test_add_func ("/sign-in/header-shows-account", test_header_shows_account);
  g_test_add_func ("/sign-in/no-secrets-on-disk", test_no_secrets_on_disk);
  g_test_add_func ("/sign-in/resume-without-asking",
                   test_resume_without_asking);
  g_test_add_func ("/sign-in/sign-out", test_sign_out);
  g_test_add_func ("/sign-in/revoked-token", test_revoked_token);
  g_test_add_func ("/sign-in/session-expired", test_session_expired);
  g_test_add_func ("/sign-in/resuming-shows-status",
                   test_resuming_shows_status);

  status = g_test_run ();

  g_application_release (G_APPLICATION (the_app));
  g_clear_object (&the_app);
  g_clear_pointer (&the_portal, cd_test_portal_free);

  return status;
}
