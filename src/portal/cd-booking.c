/* cd-booking.c: one booking of an add-on module on a device.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-portal"

#include "cd-booking.h"
#include "cd-portal-private.h"

struct _CdBooking
{
  GObject         parent_instance;

  char           *id;            /* (owned) */
  char           *module_code;   /* (owned) */
  CdBookingState  state;
  GDate          *booked_on;     /* (owned) (nullable) */
  char           *booked_by;     /* (owned) (nullable) */
  GDate          *cancelled_on;  /* (owned) (nullable) */
  char           *cancelled_by;  /* (owned) (nullable) */
  GDate          *ends_on;       /* (owned) (nullable) */
};

G_DEFINE_FINAL_TYPE (CdBooking, cd_booking, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_MODULE_CODE,
  PROP_STATE,
  PROP_BOOKED_ON,
  PROP_BOOKED_BY,
  PROP_CANCELLED_ON,
  PROP_CANCELLED_BY,
  PROP_ENDS_ON,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cd_booking_finalize (GObject *object)
{
  CdBooking *self = CD_BOOKING (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->module_code, g_free);
  g_clear_pointer (&self->booked_on, g_date_free);
  g_clear_pointer (&self->booked_by, g_free);
  g_clear_pointer (&self->cancelled_on, g_date_free);
  g_clear_pointer (&self->cancelled_by, g_free);
  g_clear_pointer (&self->ends_on, g_date_free);

  G_OBJECT_CLASS (cd_booking_parent_class)->finalize (object);
}

static void
cd_booking_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  CdBooking *self = CD_BOOKING (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_MODULE_CODE:
      g_value_set_string (value, self->module_code);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_BOOKED_ON:
      g_value_set_boxed (value, self->booked_on);
      break;
    case PROP_BOOKED_BY:
      g_value_set_string (value, self->booked_by);
      break;
    case PROP_CANCELLED_ON:
      g_value_set_boxed (value, self->cancelled_on);
      break;
    case PROP_CANCELLED_BY:
      g_value_set_string (value, self->cancelled_by);
      break;
    case PROP_ENDS_ON:
      g_value_set_boxed (value, self->ends_on);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_booking_class_init (CdBookingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = cd_booking_finalize;
  object_class->get_property = cd_booking_get_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_MODULE_CODE] =
    g_param_spec_string ("module-code", NULL, NULL, NULL, flags);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, CD_TYPE_BOOKING_STATE,
                       CD_BOOKING_STATE_ACTIVE, flags);
  properties[PROP_BOOKED_ON] =
    g_param_spec_boxed ("booked-on", NULL, NULL, G_TYPE_DATE, flags);
  properties[PROP_BOOKED_BY] =
    g_param_spec_string ("booked-by", NULL, NULL, NULL, flags);
  properties[PROP_CANCELLED_ON] =
    g_param_spec_boxed ("cancelled-on", NULL, NULL, G_TYPE_DATE, flags);
  properties[PROP_CANCELLED_BY] =
    g_param_spec_string ("cancelled-by", NULL, NULL, NULL, flags);
  properties[PROP_ENDS_ON] =
    g_param_spec_boxed ("ends-on", NULL, NULL, G_TYPE_DATE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cd_booking_init (CdBooking *self)
{
}

CdBooking *
cd_booking_new (const char     *id,
                const char     *module_code,
                CdBookingState  state,
                const GDate    *booked_on,
                const char     *booked_by,
                const GDate    *cancelled_on,
                const char     *cancelled_by,
                const GDate    *ends_on)
{
  CdBooking *self = g_object_new (CD_TYPE_BOOKING, NULL);

  self->id = g_strdup (id);
  self->module_code = g_strdup (module_code);
  self->state = state;
  self->booked_on = cd_portal_date_dup (booked_on);
  self->booked_by = g_strdup (booked_by);
  self->cancelled_on = cd_portal_date_dup (cancelled_on);
  self->cancelled_by = g_strdup (cancelled_by);
  self->ends_on = cd_portal_date_dup (ends_on);

  return self;
}

/**
 * cd_booking_equal:
 *
 * Returns: whether @a and @b hold the same values.
 */
gboolean
cd_booking_equal (CdBooking *a,
                  CdBooking *b)
{
  g_return_val_if_fail (CD_IS_BOOKING (a), FALSE);
  g_return_val_if_fail (CD_IS_BOOKING (b), FALSE);

  return g_strcmp0 (a->id, b->id) == 0 &&
         g_strcmp0 (a->module_code, b->module_code) == 0 &&
         a->state == b->state &&
         cd_portal_date_equal (a->booked_on, b->booked_on) &&
         g_strcmp0 (a->booked_by, b->booked_by) == 0 &&
         cd_portal_date_equal (a->cancelled_on, b->cancelled_on) &&
         g_strcmp0 (a->cancelled_by, b->cancelled_by) == 0 &&
         cd_portal_date_equal (a->ends_on, b->ends_on);
}

const char *
cd_booking_get_id (CdBooking *self)
{
  g_return_val_if_fail (CD_IS_BOOKING (self), NULL);

  return self->id;
}

const char *
cd_booking_get_module_code (CdBooking *self)
{
  g_return_val_if_fail (CD_IS_BOOKING (self), NULL);

  return self->module_code;
}

CdBookingState
cd_booking_get_state (CdBooking *self)
{
  g_return_val_if_fail (CD_IS_BOOKING (self), CD_BOOKING_STATE_ENDED);

  return self->state;
}

const GDate *
cd_booking_get_booked_on (CdBooking *self)
{
  g_return_val_if_fail (CD_IS_BOOKING (self), NULL);

  return self->booked_on;
}

const char *
cd_booking_get_booked_by (CdBooking *self)
{
  g_return_val_if_fail (CD_IS_BOOKING (self), NULL);

  return self->booked_by;
}

const GDate *
cd_booking_get_cancelled_on (CdBooking *self)
{
  g_return_val_if_fail (CD_IS_BOOKING (self), NULL);

  return self->cancelled_on;
}

const char *
cd_booking_get_cancelled_by (CdBooking *self)
{
  g_return_val_if_fail (CD_IS_BOOKING (self), NULL);

  return self->cancelled_by;
}

const GDate *
cd_booking_get_ends_on (CdBooking *self)
{
  g_return_val_if_fail (CD_IS_BOOKING (self), NULL);

  return self->ends_on;
}
