/* cd-module.c: one add-on module of the catalogue (Zusatzmodul).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-portal"

#include "cd-module.h"
#include "cd-portal-private.h"

struct _CdModule
{
  GObject   parent_instance;

  char     *code;            /* (owned) */
  char     *name;            /* (owned) */
  char     *description;     /* (owned) */
  GStrv     available_for;   /* (owned) */
  gint64    price_amount_minor;
  char     *price_currency;  /* (owned) */
};

G_DEFINE_FINAL_TYPE (CdModule, cd_module, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CODE,
  PROP_NAME,
  PROP_DESCRIPTION,
  PROP_AVAILABLE_FOR,
  PROP_PRICE_AMOUNT_MINOR,
  PROP_PRICE_CURRENCY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cd_module_finalize (GObject *object)
{
  CdModule *self = CD_MODULE (object);

  g_clear_pointer (&self->code, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->available_for, g_strfreev);
  g_clear_pointer (&self->price_currency, g_free);

  G_OBJECT_CLASS (cd_module_parent_class)->finalize (object);
}

static void
cd_module_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CdModule *self = CD_MODULE (object);

  switch (prop_id)
    {
    case PROP_CODE:
      g_value_set_string (value, self->code);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;
    case PROP_AVAILABLE_FOR:
      g_value_set_boxed (value, self->available_for);
      break;
    case PROP_PRICE_AMOUNT_MINOR:
      g_value_set_int64 (value, self->price_amount_minor);
      break;
    case PROP_PRICE_CURRENCY:
      g_value_set_string (value, self->price_currency);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_module_class_init (CdModuleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = cd_module_finalize;
  object_class->get_property = cd_module_get_property;

  properties[PROP_CODE] =
    g_param_spec_string ("code", NULL, NULL, NULL, flags);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL, flags);
  properties[PROP_AVAILABLE_FOR] =
    g_param_spec_boxed ("available-for", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_PRICE_AMOUNT_MINOR] =
    g_param_spec_int64 ("price-amount-minor", NULL, NULL,
                        G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_PRICE_CURRENCY] =
    g_param_spec_string ("price-currency", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cd_module_init (CdModule *self)
{
}

CdModule *
cd_module_new (const char         *code,
               const char         *name,
               const char         *description,
               const char * const *available_for,
               gint64              price_amount_minor,
               const char         *price_currency)
{
  CdModule *self = g_object_new (CD_TYPE_MODULE, NULL);

  self->code = g_strdup (code);
  self->name = g_strdup (name);
  self->description = g_strdup (description);
  self->available_for = g_strdupv ((char **) available_for);
  if (self->available_for == NULL)
    self->available_for = g_new0 (char *, 1);
  self->price_amount_minor = price_amount_minor;
  self->price_currency = g_strdup (price_currency);

  return self;
}

const char *
cd_module_get_code (CdModule *self)
{
  g_return_val_if_fail (CD_IS_MODULE (self), NULL);

  return self->code;
}

const char *
cd_module_get_name (CdModule *self)
{
  g_return_val_if_fail (CD_IS_MODULE (self), NULL);

  return self->name;
}

const char *
cd_module_get_description (CdModule *self)
{
  g_return_val_if_fail (CD_IS_MODULE (self), NULL);

  return self->description;
}

const char * const *
cd_module_get_available_for (CdModule *self)
{
  g_return_val_if_fail (CD_IS_MODULE (self), NULL);

  return (const char * const *) self->available_for;
}

gint64
cd_module_get_price_amount_minor (CdModule *self)
{
  g_return_val_if_fail (CD_IS_MODULE (self), 0);

  return self->price_amount_minor;
}

const char *
cd_module_get_price_currency (CdModule *self)
{
  g_return_val_if_fail (CD_IS_MODULE (self), NULL);

  return self->price_currency;
}

gboolean
cd_module_is_available_for (CdModule   *self,
                            const char *license_type_code)
{
  g_return_val_if_fail (CD_IS_MODULE (self), FALSE);
  g_return_val_if_fail (license_type_code != NULL, FALSE);

  return g_strv_contains ((const char * const *) self->available_for,
                          license_type_code);
}
