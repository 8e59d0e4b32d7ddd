/* cd-sign-in-page.c: the form that signs in to a portal, or to the demo.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "cd-error-text.h"
#include "cd-portal.h"
#include "cd-primary-menu-button.h"
#include "cd-sign-in-page.h"

struct _CdSignInPage
{
  AdwBin                parent_instance;

  GCancellable         *cancellable;  /* (owned) (nullable) the sign-in */
  gboolean              busy;

  AdwPreferencesGroup  *form;
  AdwEntryRow          *portal_row;
  AdwEntryRow          *username_row;
  AdwPasswordEntryRow  *password_row;
  GtkLabel             *message_label;
  GtkBox               *status_box;
  GtkSpinner           *spinner;
  GtkLabel             *status_label;
};

G_DEFINE_FINAL_TYPE (CdSignInPage, cd_sign_in_page, ADW_TYPE_BIN)

enum {
  SIGNED_IN,
  DEMO_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  CdSignInPage   *page;      /* (owned) */
  CdPortalClient *client;    /* (owned) */
  gboolean        remember;
} SignIn;

static void
sign_in_free (SignIn *sign_in)
{
  g_clear_object (&sign_in->page);
  g_clear_object (&sign_in->client);
  g_free (sign_in);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SignIn, sign_in_free)

static void
set_row_invalid (GtkWidget *row,
                 gboolean   invalid)
{
  if (invalid)
    {
      gtk_widget_add_css_class (row, "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (row),
                                   GTK_ACCESSIBLE_STATE_INVALID,
                                   GTK_ACCESSIBLE_INVALID_TRUE, -1);
    }
  else
    {
      gtk_widget_remove_css_class (row, "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_STATE_INVALID);
    }
}

static void
clear_invalid_rows (CdSignInPage *self)
{
  g_assert (CD_IS_SIGN_IN_PAGE (self));

  set_row_invalid (GTK_WIDGET (self->portal_row), FALSE);
  set_row_invalid (GTK_WIDGET (self->username_row), FALSE);
  set_row_invalid (GTK_WIDGET (self->password_row), FALSE);
}

/* Marks the field the message is about, and puts the cursor there. */
static void
mark_invalid_row (CdSignInPage *self,
                  GtkWidget    *row)
{
  g_assert (CD_IS_SIGN_IN_PAGE (self));

  clear_invalid_rows (self);
  set_row_invalid (row, TRUE);
  gtk_widget_grab_focus (row);
}

/* Typing in a marked field takes the mark away. */
static void
on_row_changed (CdSignInPage *self,
                GtkEditable  *row)
{
  g_assert (CD_IS_SIGN_IN_PAGE (self));

  if (gtk_widget_has_css_class (GTK_WIDGET (row), "error"))
    set_row_invalid (GTK_WIDGET (row), FALSE);
}

void
cd_sign_in_page_show_message (CdSignInPage *self,
                              const char   *message,
                              gboolean      is_error)
{
  g_return_if_fail (CD_IS_SIGN_IN_PAGE (self));

  if (message == NULL)
    clear_invalid_rows (self);

  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
}

static void
release_focus (CdSignInPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus;

  g_assert (CD_IS_SIGN_IN_PAGE (self));

  if (root == NULL)
    return;

  focus = gtk_root_get_focus (root);
  if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self)))
    gtk_root_set_focus (root, NULL);
}

void
cd_sign_in_page_set_busy (CdSignInPage *self,
                          gboolean      busy,
                          const char   *status)
{
  g_return_if_fail (CD_IS_SIGN_IN_PAGE (self));

  /* An entry that turns insensitive while focused keeps blinking its
   * cursor; let go of the focus properly first. */
  if (busy)
    release_focus (self);

  self->busy = busy;
  gtk_widget_set_sensitive (GTK_WIDGET (self->form), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in-page.sign-in",
                                 !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in-page.demo",
                                 !busy);
  gtk_label_set_text (self->status_label, status != NULL ? status : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_box), busy);
  gtk_spinner_set_spinning (self->spinner, busy);

  if (busy)
    cd_sign_in_page_show_message (self, NULL, FALSE);
}

static void
on_client_signed_in (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(SignIn) sign_in = user_data;
  CdSignInPage *self = sign_in->page;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  account = cd_portal_client_sign_in_finish (CD_PORTAL_CLIENT (source),
                                             result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->cancellable);
  cd_sign_in_page_set_busy (self, FALSE, NULL);

  if (error != NULL)
    {
      g_debug ("Sign-in failed: %s", error->message);
      message = cd_error_text (error);
      cd_sign_in_page_show_message (self, message, TRUE);

      if (g_error_matches (error, CD_PORTAL_ERROR,
                           CD_PORTAL_ERROR_INVALID_GRANT))
        {
          gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
          mark_invalid_row (self, GTK_WIDGET (self->password_row));
        }
      else if (g_error_matches (error, CD_PORTAL_ERROR,
                                CD_PORTAL_ERROR_NOT_A_PORTAL)
               || g_error_matches (error, CD_PORTAL_ERROR,
                                   CD_PORTAL_ERROR_TLS))
        {
          mark_invalid_row (self, GTK_WIDGET (self->portal_row));
        }
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  g_signal_emit (self, signals[SIGNED_IN], 0, sign_in->client,
                 sign_in->remember);
}

void
cd_sign_in_page_sign_in (CdSignInPage *self,
                         const char   *portal_url,
                         const char   *username,
                         const char   *password,
                         gboolean      remember)
{
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  SignIn *sign_in;

  g_return_if_fail (CD_IS_SIGN_IN_PAGE (self));
  g_return_if_fail (portal_url != NULL);
  g_return_if_fail (username != NULL);
  g_return_if_fail (password != NULL);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  client = cd_portal_client_new (portal_url, &error);
  if (client == NULL)
    {
      cd_sign_in_page_set_busy (self, FALSE, NULL);
      message = cd_error_text (error);
      cd_sign_in_page_show_message (self, message, TRUE);
      mark_invalid_row (self, GTK_WIDGET (self->portal_row));
      return;
    }

  cd_sign_in_page_set_busy (self, TRUE, _("Signing in…"));

  sign_in = g_new0 (SignIn, 1);
  sign_in->page = g_object_ref (self);
  sign_in->client = g_object_ref (client);
  sign_in->remember = remember;
  self->cancellable = g_cancellable_new ();
  cd_portal_client_sign_in_async (client, username, password,
                                  self->cancellable,
                                  on_client_signed_in, sign_in);
}

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CdSignInPage *self = CD_SIGN_IN_PAGE (widget);
  g_autofree char *portal_url = NULL;
  g_autofree char *username = NULL;
  const char *password;

  if (self->busy)
    return;

  portal_url = g_strstrip (g_strdup (cd_sign_in_page_get_portal_url (self)));
  username = g_strstrip (g_strdup (cd_sign_in_page_get_username (self)));
  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  if (*portal_url == '\0')
    {
      cd_sign_in_page_show_message (self,
                                    _("Enter the address of your portal."),
                                    TRUE);
      mark_invalid_row (self, GTK_WIDGET (self->portal_row));
      return;
    }
  if (*username == '\0')
    {
      cd_sign_in_page_show_message (self, _("Enter your user name."), TRUE);
      mark_invalid_row (self, GTK_WIDGET (self->username_row));
      return;
    }
  if (*password == '\0')
    {
      cd_sign_in_page_show_message (self, _("Enter your password."), TRUE);
      mark_invalid_row (self, GTK_WIDGET (self->password_row));
      return;
    }

  cd_sign_in_page_sign_in (self, portal_url, username, password, TRUE);
}

static void
demo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CdSignInPage *self = CD_SIGN_IN_PAGE (widget);

  if (self->busy)
    return;

  g_signal_emit (self, signals[DEMO_REQUESTED], 0);
}

void
cd_sign_in_page_reset (CdSignInPage *self)
{
  g_return_if_fail (CD_IS_SIGN_IN_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  cd_sign_in_page_set_busy (self, FALSE, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");

  if (*cd_sign_in_page_get_portal_url (self) == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->portal_row));
  else if (*cd_sign_in_page_get_username (self) == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->username_row));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

void
cd_sign_in_page_set_portal_url (CdSignInPage *self,
                                const char   *portal_url)
{
  g_return_if_fail (CD_IS_SIGN_IN_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->portal_row),
                         portal_url != NULL ? portal_url : "");
}

const char *
cd_sign_in_page_get_portal_url (CdSignInPage *self)
{
  g_return_val_if_fail (CD_IS_SIGN_IN_PAGE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->portal_row));
}

void
cd_sign_in_page_set_username (CdSignInPage *self,
                              const char   *username)
{
  g_return_if_fail (CD_IS_SIGN_IN_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->username_row),
                         username != NULL ? username : "");
}

const char *
cd_sign_in_page_get_username (CdSignInPage *self)
{
  g_return_val_if_fail (CD_IS_SIGN_IN_PAGE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->username_row));
}

/* Enter in any field signs in. */
static void
on_row_entry_activated (CdSignInPage *self,
                        AdwEntryRow  *row)
{
  g_assert (CD_IS_SIGN_IN_PAGE (self));

  gtk_widget_activate_action (GTK_WIDGET (self), "sign-in-page.sign-in", NULL);
}

static void
cd_sign_in_page_unmap (GtkWidget *widget)
{
  release_focus (CD_SIGN_IN_PAGE (widget));

  GTK_WIDGET_CLASS (cd_sign_in_page_parent_class)->unmap (widget);
}

static void
cd_sign_in_page_dispose (GObject *object)
{
  CdSignInPage *self = CD_SIGN_IN_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), CD_TYPE_SIGN_IN_PAGE);

  G_OBJECT_CLASS (cd_sign_in_page_parent_class)->dispose (object);
}

static void
cd_sign_in_page_class_init (CdSignInPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cd_sign_in_page_dispose;
  widget_class->unmap = cd_sign_in_page_unmap;

  signals[SIGNED_IN] =
    g_signal_new ("signed-in",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, CD_TYPE_PORTAL_CLIENT, G_TYPE_BOOLEAN);
  signals[DEMO_REQUESTED] =
    g_signal_new ("demo-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  g_type_ensure (CD_TYPE_PRIMARY_MENU_BUTTON);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/com/coredinate/Admin/cd-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CdSignInPage, form);
  gtk_widget_class_bind_template_child (widget_class, CdSignInPage,
                                        portal_row);
  gtk_widget_class_bind_template_child (widget_class, CdSignInPage,
                                        username_row);
  gtk_widget_class_bind_template_child (widget_class, CdSignInPage,
                                        password_row);
  gtk_widget_class_bind_template_child (widget_class, CdSignInPage,
                                        message_label);
  gtk_widget_class_bind_template_child (widget_class, CdSignInPage,
                                        status_box);
  gtk_widget_class_bind_template_child (widget_class, CdSignInPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, CdSignInPage,
                                        status_label);
  gtk_widget_class_bind_template_callback (widget_class,
                                           on_row_entry_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_row_changed);

  gtk_widget_class_install_action (widget_class, "sign-in-page.sign-in", NULL,
                                   sign_in_action);
  gtk_widget_class_install_action (widget_class, "sign-in-page.demo", NULL,
                                   demo_action);
}

static void
cd_sign_in_page_init (CdSignInPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
