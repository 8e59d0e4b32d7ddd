/* cd-primary-menu-button.c: the main menu button every page's header shows,
 * with who is signed in.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "cd-primary-menu-button.h"
#include "cd-window.h"

struct _CdPrimaryMenuButton
{
  GtkWidget       parent_instance;

  CdWindow       *window;   /* (unowned) (nullable) while rooted in one */
  CdPortalClient *client;   /* (owned) (nullable) the window's client */

  GtkMenuButton  *button;
  AdwAvatar      *avatar;
  GtkWidget      *account_box;
  AdwAvatar      *account_avatar;
  GtkLabel       *display_name_label;
  GtkLabel       *tenant_label;
  GtkLabel       *role_label;
};

G_DEFINE_FINAL_TYPE (CdPrimaryMenuButton, cd_primary_menu_button,
                     GTK_TYPE_WIDGET)

static const char *
role_text (CdAccountRole role)
{
  switch (role)
    {
    case CD_ACCOUNT_ROLE_ADMIN:
      /* TRANSLATORS: the role of a user who may book and cancel */
      return C_("role", "Administrator");
    case CD_ACCOUNT_ROLE_VIEWER:
      /* TRANSLATORS: the role of a user who may only look */
      return C_("role", "Viewer");
    default:
      return "";
    }
}

/* The menu's account slot exists only while Sign Out is enabled, and is
 * made anew each time; the template keeps account_box alive in between. */
static void
place_account_box (CdPrimaryMenuButton *self)
{
  GtkPopover *popover;

  g_assert (CD_IS_PRIMARY_MENU_BUTTON (self));

  if (gtk_widget_get_parent (self->account_box) != NULL)
    return;

  popover = gtk_menu_button_get_popover (self->button);
  gtk_popover_menu_add_child (GTK_POPOVER_MENU (popover), self->account_box,
                              "account");
}

static void
update_account (CdPrimaryMenuButton *self)
{
  CdAccount *account = NULL;
  g_autofree char *tooltip = NULL;
  const char *name;
  const char *role;

  g_assert (CD_IS_PRIMARY_MENU_BUTTON (self));

  if (self->client != NULL)
    account = cd_portal_client_get_account (self->client);

  gtk_widget_set_visible (GTK_WIDGET (self->avatar), account != NULL);
  gtk_widget_set_visible (self->account_box, account != NULL);
  if (account == NULL)
    {
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), _("Main Menu"));
      return;
    }

  place_account_box (self);

  name = cd_account_get_display_name (account);
  if (name == NULL || *name == '\0')
    name = cd_account_get_username (account);

  adw_avatar_set_text (self->avatar, name);
  adw_avatar_set_text (self->account_avatar, name);
  gtk_label_set_text (self->display_name_label, name);
  gtk_label_set_text (self->tenant_label, cd_account_get_tenant_name (account));
  role = role_text (cd_account_get_role (account));
  gtk_label_set_text (self->role_label, role);

  /* TRANSLATORS: tooltip of the main menu button: a person's name, their
   * company and their role, e.g. “Signed in as Anna Bergmann, Muster
   * GmbH (Administrator)” */
  tooltip = g_strdup_printf (_("Signed in as %1$s, %2$s (%3$s)"), name,
                             cd_account_get_tenant_name (account), role);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), tooltip);
}

static void
on_client_account_changed (CdPrimaryMenuButton *self,
                           GParamSpec          *pspec,
                           CdPortalClient      *client)
{
  update_account (self);
}

static void
set_client (CdPrimaryMenuButton *self,
            CdPortalClient      *client)
{
  g_assert (CD_IS_PRIMARY_MENU_BUTTON (self));

  if (self->client == client)
    return;

  if (self->client != NULL)
    g_signal_handlers_disconnect_by_func (self->client,
                                          on_client_account_changed, self);
  g_set_object (&self->client, client);
  if (client != NULL)
    g_signal_connect_object (client, "notify::account",
                             G_CALLBACK (on_client_account_changed), self,
                             G_CONNECT_SWAPPED);

  update_account (self);
}

static void
on_window_client_changed (CdPrimaryMenuButton *self,
                          GParamSpec          *pspec,
                          CdWindow            *window)
{
  set_client (self, cd_window_get_client (window));
}

static void
cd_primary_menu_button_root (GtkWidget *widget)
{
  CdPrimaryMenuButton *self = CD_PRIMARY_MENU_BUTTON (widget);
  GtkRoot *root;

  GTK_WIDGET_CLASS (cd_primary_menu_button_parent_class)->root (widget);

  root = gtk_widget_get_root (widget);
  if (!CD_IS_WINDOW (root))
    return;

  self->window = CD_WINDOW (root);
  g_signal_connect_object (self->window, "notify::client",
                           G_CALLBACK (on_window_client_changed), self,
                           G_CONNECT_SWAPPED);
  set_client (self, cd_window_get_client (self->window));
}

static void
cd_primary_menu_button_unroot (GtkWidget *widget)
{
  CdPrimaryMenuButton *self = CD_PRIMARY_MENU_BUTTON (widget);

  if (self->window != NULL)
    g_signal_handlers_disconnect_by_func (self->window,
                                          on_window_client_changed, self);
  self->window = NULL;
  set_client (self, NULL);

  GTK_WIDGET_CLASS (cd_primary_menu_button_parent_class)->unroot (widget);
}

static void
cd_primary_menu_button_dispose (GObject *object)
{
  CdPrimaryMenuButton *self = CD_PRIMARY_MENU_BUTTON (object);

  if (self->client != NULL)
    g_signal_handlers_disconnect_by_func (self->client,
                                          on_client_account_changed, self);
  g_clear_object (&self->client);

  gtk_widget_dispose_template (GTK_WIDGET (self),
                               CD_TYPE_PRIMARY_MENU_BUTTON);

  G_OBJECT_CLASS (cd_primary_menu_button_parent_class)->dispose (object);
}

static void
cd_primary_menu_button_class_init (CdPrimaryMenuButtonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cd_primary_menu_button_dispose;
  widget_class->root = cd_primary_menu_button_root;
  widget_class->unroot = cd_primary_menu_button_unroot;

  gtk_widget_class_set_template_from_resource (
    widget_class, "/com/coredinate/Admin/cd-primary-menu-button.ui");
  gtk_widget_class_bind_template_child (widget_class, CdPrimaryMenuButton,
                                        button);
  gtk_widget_class_bind_template_child (widget_class, CdPrimaryMenuButton,
                                        avatar);
  gtk_widget_class_bind_template_child (widget_class, CdPrimaryMenuButton,
                                        account_box);
  gtk_widget_class_bind_template_child (widget_class, CdPrimaryMenuButton,
                                        account_avatar);
  gtk_widget_class_bind_template_child (widget_class, CdPrimaryMenuButton,
                                        display_name_label);
  gtk_widget_class_bind_template_child (widget_class, CdPrimaryMenuButton,
                                        tenant_label);
  gtk_widget_class_bind_template_child (widget_class, CdPrimaryMenuButton,
                                        role_label);
  gtk_widget_class_set_layout_manager_type (widget_class,
                                            GTK_TYPE_BIN_LAYOUT);
}

static void
cd_primary_menu_button_init (CdPrimaryMenuButton *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_widget_set_visible (self->account_box, FALSE);
}
