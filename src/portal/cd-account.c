/* cd-account.c: the signed-in user and their tenant (GET /me).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-portal"

#include "cd-account.h"
#include "cd-portal-private.h"

struct _CdAccount
{
  GObject        parent_instance;

  char          *username;      /* (owned) */
  char          *display_name;  /* (owned) */
  CdAccountRole  role;
  char          *tenant_id;     /* (owned) */
  char          *tenant_name;   /* (owned) */
};

G_DEFINE_FINAL_TYPE (CdAccount, cd_account, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_USERNAME,
  PROP_DISPLAY_NAME,
  PROP_ROLE,
  PROP_TENANT_ID,
  PROP_TENANT_NAME,
  PROP_CAN_CHANGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cd_account_finalize (GObject *object)
{
  CdAccount *self = CD_ACCOUNT (object);

  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->tenant_id, g_free);
  g_clear_pointer (&self->tenant_name, g_free);

  G_OBJECT_CLASS (cd_account_parent_class)->finalize (object);
}

static void
cd_account_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  CdAccount *self = CD_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_ROLE:
      g_value_set_enum (value, self->role);
      break;
    case PROP_TENANT_ID:
      g_value_set_string (value, self->tenant_id);
      break;
    case PROP_TENANT_NAME:
      g_value_set_string (value, self->tenant_name);
      break;
    case PROP_CAN_CHANGE:
      g_value_set_boolean (value, cd_account_get_can_change (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_account_class_init (CdAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = cd_account_finalize;
  object_class->get_property = cd_account_get_property;

  properties[PROP_USERNAME] =
    g_param_spec_string ("username", NULL, NULL, NULL, flags);
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL, flags);
  properties[PROP_ROLE] =
    g_param_spec_enum ("role", NULL, NULL, CD_TYPE_ACCOUNT_ROLE,
                       CD_ACCOUNT_ROLE_VIEWER, flags);
  properties[PROP_TENANT_ID] =
    g_param_spec_string ("tenant-id", NULL, NULL, NULL, flags);
  properties[PROP_TENANT_NAME] =
    g_param_spec_string ("tenant-name", NULL, NULL, NULL, flags);
  properties[PROP_CAN_CHANGE] =
    g_param_spec_boolean ("can-change", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cd_account_init (CdAccount *self)
{
}

CdAccount *
cd_account_new (const char    *username,
                const char    *display_name,
                CdAccountRole  role,
                const char    *tenant_id,
                const char    *tenant_name)
{
  CdAccount *self = g_object_new (CD_TYPE_ACCOUNT, NULL);

  self->username = g_strdup (username);
  self->display_name = g_strdup (display_name);
  self->role = role;
  self->tenant_id = g_strdup (tenant_id);
  self->tenant_name = g_strdup (tenant_name);

  return self;
}

const char *
cd_account_get_username (CdAccount *self)
{
  g_return_val_if_fail (CD_IS_ACCOUNT (self), NULL);

  return self->username;
}

const char *
cd_account_get_display_name (CdAccount *self)
{
  g_return_val_if_fail (CD_IS_ACCOUNT (self), NULL);

  return self->display_name;
}

CdAccountRole
cd_account_get_role (CdAccount *self)
{
  g_return_val_if_fail (CD_IS_ACCOUNT (self), CD_ACCOUNT_ROLE_VIEWER);

  return self->role;
}

const char *
cd_account_get_tenant_id (CdAccount *self)
{
  g_return_val_if_fail (CD_IS_ACCOUNT (self), NULL);

  return self->tenant_id;
}

const char *
cd_account_get_tenant_name (CdAccount *self)
{
  g_return_val_if_fail (CD_IS_ACCOUNT (self), NULL);

  return self->tenant_name;
}

gboolean
cd_account_get_can_change (CdAccount *self)
{
  g_return_val_if_fail (CD_IS_ACCOUNT (self), FALSE);

  return self->role == CD_ACCOUNT_ROLE_ADMIN;
}
