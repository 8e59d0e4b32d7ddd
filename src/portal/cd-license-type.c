/* cd-license-type.c: one entry of the license type catalogue.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-portal"

#include "cd-license-type.h"
#include "cd-portal-private.h"

struct _CdLicenseType
{
  GObject  parent_instance;

  char    *code;  /* (owned) */
  char    *name;  /* (owned) */
  guint    term_months;
  guint    notice_months;
};

G_DEFINE_FINAL_TYPE (CdLicenseType, cd_license_type, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CODE,
  PROP_NAME,
  PROP_TERM_MONTHS,
  PROP_NOTICE_MONTHS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cd_license_type_finalize (GObject *object)
{
  CdLicenseType *self = CD_LICENSE_TYPE (object);

  g_clear_pointer (&self->code, g_free);
  g_clear_pointer (&self->name, g_free);

  G_OBJECT_CLASS (cd_license_type_parent_class)->finalize (object);
}

static void
cd_license_type_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CdLicenseType *self = CD_LICENSE_TYPE (object);

  switch (prop_id)
    {
    case PROP_CODE:
      g_value_set_string (value, self->code);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_TERM_MONTHS:
      g_value_set_uint (value, self->term_months);
      break;
    case PROP_NOTICE_MONTHS:
      g_value_set_uint (value, self->notice_months);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_license_type_class_init (CdLicenseTypeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = cd_license_type_finalize;
  object_class->get_property = cd_license_type_get_property;

  properties[PROP_CODE] =
    g_param_spec_string ("code", NULL, NULL, NULL, flags);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_TERM_MONTHS] =
    g_param_spec_uint ("term-months", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_NOTICE_MONTHS] =
    g_param_spec_uint ("notice-months", NULL, NULL, 0, G_MAXUINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cd_license_type_init (CdLicenseType *self)
{
}

CdLicenseType *
cd_license_type_new (const char *code,
                     const char *name,
                     guint       term_months,
                     guint       notice_months)
{
  CdLicenseType *self = g_object_new (CD_TYPE_LICENSE_TYPE, NULL);

  self->code = g_strdup (code);
  self->name = g_strdup (name);
  self->term_months = term_months;
  self->notice_months = notice_months;

  return self;
}

const char *
cd_license_type_get_code (CdLicenseType *self)
{
  g_return_val_if_fail (CD_IS_LICENSE_TYPE (self), NULL);

  return self->code;
}

const char *
cd_license_type_get_name (CdLicenseType *self)
{
  g_return_val_if_fail (CD_IS_LICENSE_TYPE (self), NULL);

  return self->name;
}

guint
cd_license_type_get_term_months (CdLicenseType *self)
{
  g_return_val_if_fail (CD_IS_LICENSE_TYPE (self), 0);

  return self->term_months;
}

guint
cd_license_type_get_notice_months (CdLicenseType *self)
{
  g_return_val_if_fail (CD_IS_LICENSE_TYPE (self), 0);

  return self->notice_months;
}
