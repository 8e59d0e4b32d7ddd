/* cd-event.c: one entry of a device's change history.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-portal"

#include "cd-event.h"
#include "cd-portal-private.h"

struct _CdEvent
{
  GObject        parent_instance;

  GDateTime     *at;           /* (owned) */
  char          *actor;        /* (owned) */
  CdEventAction  action;
  char          *module_code;  /* (owned) */
  GDate         *ends_on;      /* (owned) (nullable) */
};

G_DEFINE_FINAL_TYPE (CdEvent, cd_event, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_AT,
  PROP_ACTOR,
  PROP_ACTION,
  PROP_MODULE_CODE,
  PROP_ENDS_ON,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cd_event_finalize (GObject *object)
{
  CdEvent *self = CD_EVENT (object);

  g_clear_pointer (&self->at, g_date_time_unref);
  g_clear_pointer (&self->actor, g_free);
  g_clear_pointer (&self->module_code, g_free);
  g_clear_pointer (&self->ends_on, g_date_free);

  G_OBJECT_CLASS (cd_event_parent_class)->finalize (object);
}

static void
cd_event_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  CdEvent *self = CD_EVENT (object);

  switch (prop_id)
    {
    case PROP_AT:
      g_value_set_boxed (value, self->at);
      break;
    case PROP_ACTOR:
      g_value_set_string (value, self->actor);
      break;
    case PROP_ACTION:
      g_value_set_enum (value, self->action);
      break;
    case PROP_MODULE_CODE:
      g_value_set_string (value, self->module_code);
      break;
    case PROP_ENDS_ON:
      g_value_set_boxed (value, self->ends_on);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_event_class_init (CdEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = cd_event_finalize;
  object_class->get_property = cd_event_get_property;

  properties[PROP_AT] =
    g_param_spec_boxed ("at", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_ACTOR] =
    g_param_spec_string ("actor", NULL, NULL, NULL, flags);
  properties[PROP_ACTION] =
    g_param_spec_enum ("action", NULL, NULL, CD_TYPE_EVENT_ACTION,
                       CD_EVENT_ACTION_MODULE_BOOKED, flags);
  properties[PROP_MODULE_CODE] =
    g_param_spec_string ("module-code", NULL, NULL, NULL, flags);
  properties[PROP_ENDS_ON] =
    g_param_spec_boxed ("ends-on", NULL, NULL, G_TYPE_DATE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cd_event_init (CdEvent *self)
{
}

CdEvent *
cd_event_new (GDateTime     *at,
              const char    *actor,
              CdEventAction  action,
              const char    *module_code,
              const GDate   *ends_on)
{
  CdEvent *self = g_object_new (CD_TYPE_EVENT, NULL);

  self->at = g_date_time_ref (at);
  self->actor = g_strdup (actor);
  self->action = action;
  self->module_code = g_strdup (module_code);
  self->ends_on = cd_portal_date_dup (ends_on);

  return self;
}

GDateTime *
cd_event_get_at (CdEvent *self)
{
  g_return_val_if_fail (CD_IS_EVENT (self), NULL);

  return self->at;
}

const char *
cd_event_get_actor (CdEvent *self)
{
  g_return_val_if_fail (CD_IS_EVENT (self), NULL);

  return self->actor;
}

CdEventAction
cd_event_get_action (CdEvent *self)
{
  g_return_val_if_fail (CD_IS_EVENT (self), CD_EVENT_ACTION_MODULE_BOOKED);

  return self->action;
}

const char *
cd_event_get_module_code (CdEvent *self)
{
  g_return_val_if_fail (CD_IS_EVENT (self), NULL);

  return self->module_code;
}

const GDate *
cd_event_get_ends_on (CdEvent *self)
{
  g_return_val_if_fail (CD_IS_EVENT (self), NULL);

  return self->ends_on;
}
