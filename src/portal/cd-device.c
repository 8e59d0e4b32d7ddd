/* cd-device.c: a phone or tablet, as listed and as shown in detail.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-portal"

#include "cd-device.h"
#include "cd-portal-private.h"

struct _CdDevice
{
  GObject     parent_instance;

  char       *id;            /* (owned) */
  char       *name;          /* (owned) */
  char       *model;         /* (owned) */
  CdPlatform  platform;
  char       *serial;        /* (owned) */
  char       *app_version;   /* (owned) */
  GDateTime  *last_seen_at;  /* (owned) */
  CdLicense  *license;       /* (owned) (nullable) */
  GArray     *modules;       /* (owned) of CdModuleSummary */
  GStrv       module_codes;  /* (owned) */

  gboolean    has_detail;
  gint64      revision;
  GListStore *bookings;      /* (owned) of CdBooking */
  GStrv       bookable;      /* (owned) */
};

G_DEFINE_FINAL_TYPE (CdDevice, cd_device, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_MODEL,
  PROP_PLATFORM,
  PROP_SERIAL,
  PROP_APP_VERSION,
  PROP_LAST_SEEN_AT,
  PROP_LICENSE,
  PROP_MODULE_CODES,
  PROP_HAS_PENDING_CANCELLATION,
  PROP_EARLIEST_PENDING_END,
  PROP_HAS_DETAIL,
  PROP_REVISION,
  PROP_BOOKINGS,
  PROP_BOOKABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
cd_module_summary_clear (CdModuleSummary *summary)
{
  g_clear_pointer (&summary->code, g_free);
  g_clear_pointer (&summary->ends_on, g_date_free);
}

gboolean
cd_portal_date_equal (const GDate *a,
                      const GDate *b)
{
  if (a == NULL || b == NULL)
    return a == b;

  return g_date_compare (a, b) == 0;
}

GDate *
cd_portal_date_dup (const GDate *date)
{
  return date != NULL ? g_date_copy (date) : NULL;
}

static GArray *
module_summaries_new (void)
{
  GArray *modules = g_array_new (FALSE, TRUE, sizeof (CdModuleSummary));

  g_array_set_clear_func (modules, (GDestroyNotify) cd_module_summary_clear);
  return modules;
}

static GStrv
module_codes_from_summaries (GArray *modules)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < modules->len; i++)
    g_strv_builder_add (builder,
                        g_array_index (modules, CdModuleSummary, i).code);

  return g_strv_builder_end (builder);
}

static void
cd_device_finalize (GObject *object)
{
  CdDevice *self = CD_DEVICE (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->serial, g_free);
  g_clear_pointer (&self->app_version, g_free);
  g_clear_pointer (&self->last_seen_at, g_date_time_unref);
  g_clear_object (&self->license);
  g_clear_pointer (&self->modules, g_array_unref);
  g_clear_pointer (&self->module_codes, g_strfreev);
  g_clear_object (&self->bookings);
  g_clear_pointer (&self->bookable, g_strfreev);

  G_OBJECT_CLASS (cd_device_parent_class)->finalize (object);
}

static void
cd_device_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CdDevice *self = CD_DEVICE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;
    case PROP_PLATFORM:
      g_value_set_enum (value, self->platform);
      break;
    case PROP_SERIAL:
      g_value_set_string (value, self->serial);
      break;
    case PROP_APP_VERSION:
      g_value_set_string (value, self->app_version);
      break;
    case PROP_LAST_SEEN_AT:
      g_value_set_boxed (value, self->last_seen_at);
      break;
    case PROP_LICENSE:
      g_value_set_object (value, self->license);
      break;
    case PROP_MODULE_CODES:
      g_value_set_boxed (value, self->module_codes);
      break;
    case PROP_HAS_PENDING_CANCELLATION:
      g_value_set_boolean (value, cd_device_has_pending_cancellation (self));
      break;
    case PROP_EARLIEST_PENDING_END:
      g_value_set_boxed (value, cd_device_get_earliest_pending_end (self));
      break;
    case PROP_HAS_DETAIL:
      g_value_set_boolean (value, self->has_detail);
      break;
    case PROP_REVISION:
      g_value_set_int64 (value, self->revision);
      break;
    case PROP_BOOKINGS:
      g_value_set_object (value, self->bookings);
      break;
    case PROP_BOOKABLE:
      g_value_set_boxed (value, self->bookable);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_device_class_init (CdDeviceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                      G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = cd_device_finalize;
  object_class->get_property = cd_device_get_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_MODEL] =
    g_param_spec_string ("model", NULL, NULL, NULL, flags);
  properties[PROP_PLATFORM] =
    g_param_spec_enum ("platform", NULL, NULL, CD_TYPE_PLATFORM,
                       CD_PLATFORM_ANDROID, flags);
  properties[PROP_SERIAL] =
    g_param_spec_string ("serial", NULL, NULL, NULL, flags);
  properties[PROP_APP_VERSION] =
    g_param_spec_string ("app-version", NULL, NULL, NULL, flags);
  properties[PROP_LAST_SEEN_AT] =
    g_param_spec_boxed ("last-seen-at", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_LICENSE] =
    g_param_spec_object ("license", NULL, NULL, CD_TYPE_LICENSE, flags);
  properties[PROP_MODULE_CODES] =
    g_param_spec_boxed ("module-codes", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_HAS_PENDING_CANCELLATION] =
    g_param_spec_boolean ("has-pending-cancellation", NULL, NULL, FALSE,
                          flags);
  properties[PROP_EARLIEST_PENDING_END] =
    g_param_spec_boxed ("earliest-pending-end", NULL, NULL, G_TYPE_DATE,
                        flags);
  properties[PROP_HAS_DETAIL] =
    g_param_spec_boolean ("has-detail", NULL, NULL, FALSE, flags);
  properties[PROP_REVISION] =
    g_param_spec_int64 ("revision", NULL, NULL, -1, G_MAXINT64, -1, flags);
  properties[PROP_BOOKINGS] =
    g_param_spec_object ("bookings", NULL, NULL, G_TYPE_LIST_MODEL, flags);
  properties[PROP_BOOKABLE] =
    g_param_spec_boxed ("bookable", NULL, NULL, G_TYPE_STRV, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cd_device_init (CdDevice *self)
{
  self->modules = module_summaries_new ();
  self->module_codes = g_new0 (char *, 1);
  self->revision = -1;
  self->bookings = g_list_store_new (CD_TYPE_BOOKING);
  self->bookable = g_new0 (char *, 1);
}

CdDevice *
cd_device_new_summary (const char *id,
                       const char *name,
                       const char *model,
                       CdPlatform  platform,
                       const char *serial,
                       const char *app_version,
                       GDateTime  *last_seen_at,
                       CdLicense  *license,
                       GArray     *modules)
{
  CdDevice *self = g_object_new (CD_TYPE_DEVICE, NULL);

  g_assert (modules != NULL);

  self->id = g_strdup (id);
  self->name = g_strdup (name);
  self->model = g_strdup (model);
  self->platform = platform;
  self->serial = g_strdup (serial);
  self->app_version = g_strdup (app_version);
  self->last_seen_at = g_date_time_ref (last_seen_at);
  self->license = license != NULL ? g_object_ref (license) : NULL;
  g_clear_pointer (&self->modules, g_array_unref);
  self->modules = modules;
  g_strfreev (self->module_codes);
  self->module_codes = module_codes_from_summaries (modules);

  return self;
}

void
cd_device_set_detail (CdDevice           *self,
                      gint64              revision,
                      GPtrArray          *bookings,
                      const char * const *bookable)
{
  g_autoptr(GPtrArray) owned_bookings = bookings;

  g_assert (CD_IS_DEVICE (self));
  g_assert (bookings != NULL);

  self->has_detail = TRUE;
  self->revision = revision;
  g_list_store_splice (self->bookings, 0,
                       g_list_model_get_n_items (G_LIST_MODEL (self->bookings)),
                       owned_bookings->pdata, owned_bookings->len);
  g_strfreev (self->bookable);
  self->bookable = g_strdupv ((char **) bookable);
  if (self->bookable == NULL)
    self->bookable = g_new0 (char *, 1);
}

const char *
cd_device_get_id (CdDevice *self)
{
  g_return_val_if_fail (CD_IS_DEVICE (self), NULL);

  return self->id;
}

const char *
cd_device_get_name (CdDevice *self)
{
  g_return_val_if_fail (CD_IS_DEVICE (self), NULL);

  return self->name;
}

const char *
cd_device_get_model (CdDevice *self)
{
  g_return_val_if_fail (CD_IS_DEVICE (self), NULL);

  return self->model;
}

CdPlatform
cd_device_get_platform (CdDevice *self)
{
  g_return_val_if_fail (CD_IS_DEVICE (self), CD_PLATFORM_ANDROID);

  return self->platform;
}

const char *
cd_device_get_serial (CdDevice *self)
{
  g_return_val_if_fail (CD_IS_DEVICE (self), NULL);

  return self->serial;
}

const char *
cd_device_get_app_version (CdDevice *self)
{
  g_return_val_if_fail (CD_IS_DEVICE (self), NULL);

  return self->app_version;
}

GDateTime *
cd_device_get_last_seen_at (CdDevice *self)
{
  g_return_val_if_fail (CD_IS_DEVICE (self), NULL);

  return self->last_seen_at;
}

/**
 * cd_device_get_license:
 *
 * Returns: (transfer none) (nullable): the license, NULL for none.
 */
CdLicense *
cd_device_get_license (CdDevice *self)
{
  g_return_val_if_fail (CD_IS_DEVICE (self), NULL);

  return self->license;
}

const char * const *
cd_device_get_module_codes (CdDevice *self)
{
  g_return_val_if_fail (CD_IS_DEVICE (self), NULL);

  return (const char * const *) self->module_codes;
}

guint
cd_device_get_n_modules (CdDevice *self)
{
  g_return_val_if_fail (CD_IS_DEVICE (self), 0);

  return self->modules->len;
}

const char *
cd_device_get_module_code (CdDevice *self,
                           guint     position)
{
  g_return_val_if_fail (CD_IS_DEVICE (self), NULL);
  g_return_val_if_fail (position < self->modules->len, NULL);

  return g_array_index (self->modules, CdModuleSummary, position).code;
}

CdBookingState
cd_device_get_module_state (CdDevice *self,
                            guint     position)
{
  g_return_val_if_fail (CD_IS_DEVICE (self), CD_BOOKING_STATE_ENDED);
  g_return_val_if_fail (position < self->modules->len,
                        CD_BOOKING_STATE_ENDED);

  return g_array_index (self->modules, CdModuleSummary, position).state;
}

/**
 * cd_device_lookup_module_state:
 * @state: (out) (optional): the state of the module's booking
 *
 * Returns: whether @module_code has a booking that has not ended.
 */
gboolean
cd_device_lookup_module_state (CdDevice       *self,
                               const char     *module_code,
                               CdBookingState *state)
{
  g_return_val_if_fail (CD_IS_DEVICE (self), FALSE);
  g_return_val_if_fail (module_code != NULL, FALSE);

  for (guint i = 0; i < self->modules->len; i++)
    {
      const CdModuleSummary *summary =
        &g_array_index (self->modules, CdModuleSummary, i);

      if (g_strcmp0 (summary->code, module_code) == 0)
        {
          if (state != NULL)
            *state = summary->state;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * cd_device_has_pending_cancellation:
 *
 * Returns: whether a module of the device is cancelled but still usable.
 */
gboolean
cd_device_has_pending_cancellation (CdDevice *self)
{
  g_return_val_if_fail (CD_IS_DEVICE (self), FALSE);

  for (guint i = 0; i < self->modules->len; i++)
    {
      if (g_array_index (self->modules, CdModuleSummary, i).state ==
          CD_BOOKING_STATE_CANCELLATION_PENDING)
        return TRUE;
    }

  return FALSE;
}

/**
 * cd_device_get_earliest_pending_end:
 *
 * Returns: (nullable): see the "earliest-pending-end" property.
 */
const GDate *
cd_device_get_earliest_pending_end (CdDevice *self)
{
  const GDate *earliest = NULL;

  g_return_val_if_fail (CD_IS_DEVICE (self), NULL);

  if (self->has_detail)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->bookings));

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(CdBooking) booking =
            g_list_model_get_item (G_LIST_MODEL (self->bookings), i);
          const GDate *ends_on = cd_booking_get_ends_on (booking);

          if (cd_booking_get_state (booking) !=
              CD_BOOKING_STATE_CANCELLATION_PENDING || ends_on == NULL)
            continue;
          if (earliest == NULL || g_date_compare (ends_on, earliest) < 0)
            earliest = ends_on;
        }

      return earliest;
    }

  for (guint i = 0; i < self->modules->len; i++)
    {
      const CdModuleSummary *summary =
        &g_array_index (self->modules, CdModuleSummary, i);

      if (summary->state != CD_BOOKING_STATE_CANCELLATION_PENDING ||
          summary->ends_on == NULL)
        continue;
      if (earliest == NULL || g_date_compare (summary->ends_on, earliest) < 0)
        earliest = summary->ends_on;
    }

  return earliest;
}

gboolean
cd_device_get_has_detail (CdDevice *self)
{
  g_return_val_if_fail (CD_IS_DEVICE (self), FALSE);

  return self->has_detail;
}

gint64
cd_device_get_revision (CdDevice *self)
{
  g_return_val_if_fail (CD_IS_DEVICE (self), -1);

  return self->revision;
}

/**
 * cd_device_get_bookings:
 *
 * Returns: (transfer none): a GListModel of CdBooking, the same object for
 * the lifetime of @self.
 */
GListModel *
cd_device_get_bookings (CdDevice *self)
{
  g_return_val_if_fail (CD_IS_DEVICE (self), NULL);

  return G_LIST_MODEL (self->bookings);
}

const char * const *
cd_device_get_bookable (CdDevice *self)
{
  g_return_val_if_fail (CD_IS_DEVICE (self), NULL);

  return (const char * const *) self->bookable;
}

gboolean
cd_device_is_bookable (CdDevice   *self,
                       const char *module_code)
{
  g_return_val_if_fail (CD_IS_DEVICE (self), FALSE);
  g_return_val_if_fail (module_code != NULL, FALSE);

  return g_strv_contains ((const char * const *) self->bookable, module_code);
}

/**
 * cd_device_find_booking:
 *
 * Returns: (transfer none) (nullable): the booking with @booking_id.
 */
CdBooking *
cd_device_find_booking (CdDevice   *self,
                        const char *booking_id)
{
  guint n;

  g_return_val_if_fail (CD_IS_DEVICE (self), NULL);
  g_return_val_if_fail (booking_id != NULL, NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->bookings));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdBooking) booking =
        g_list_model_get_item (G_LIST_MODEL (self->bookings), i);

      if (g_strcmp0 (cd_booking_get_id (booking), booking_id) == 0)
        return booking;
    }

  return NULL;
}

gboolean
cd_device_modules_equal (CdDevice *a,
                         CdDevice *b)
{
  g_assert (CD_IS_DEVICE (a));
  g_assert (CD_IS_DEVICE (b));

  if (a->modules->len != b->modules->len)
    return FALSE;

  for (guint i = 0; i < a->modules->len; i++)
    {
      const CdModuleSummary *ma = &g_array_index (a->modules, CdModuleSummary, i);
      const CdModuleSummary *mb = &g_array_index (b->modules, CdModuleSummary, i);

      if (g_strcmp0 (ma->code, mb->code) != 0 || ma->state != mb->state ||
          !cd_portal_date_equal (ma->ends_on, mb->ends_on))
        return FALSE;
    }

  return TRUE;
}

static gboolean
bookings_equal (GListModel *a,
                GListModel *b)
{
  guint n = g_list_model_get_n_items (a);

  if (n != g_list_model_get_n_items (b))
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdBooking) ba = g_list_model_get_item (a, i);
      g_autoptr(CdBooking) bb = g_list_model_get_item (b, i);

      if (!cd_booking_equal (ba, bb))
        return FALSE;
    }

  return TRUE;
}

static void
set_string (CdDevice   *self,
            char      **field,
            const char *value,
            guint       prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_detail_from (CdDevice *self,
                 CdDevice *newer)
{
  if (self->has_detail != newer->has_detail)
    {
      self->has_detail = newer->has_detail;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_DETAIL]);
    }

  if (self->revision != newer->revision)
    {
      self->revision = newer->revision;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVISION]);
    }

  if (!bookings_equal (G_LIST_MODEL (self->bookings),
                       G_LIST_MODEL (newer->bookings)))
    {
      guint n_new = g_list_model_get_n_items (G_LIST_MODEL (newer->bookings));
      g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < n_new; i++)
        g_ptr_array_add (items,
                         g_list_model_get_item (G_LIST_MODEL (newer->bookings), i));
      g_list_store_splice (self->bookings, 0,
                           g_list_model_get_n_items (G_LIST_MODEL (self->bookings)),
                           items->pdata, items->len);
    }

  if (!g_strv_equal ((const char * const *) self->bookable,
                     (const char * const *) newer->bookable))
    {
      g_strfreev (self->bookable);
      self->bookable = g_strdupv (newer->bookable);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BOOKABLE]);
    }
}

void
cd_device_update_from (CdDevice *self,
                       CdDevice *newer)
{
  gboolean keep_detail;
  gboolean had_pending;
  g_autoptr(GDate) old_earliest = NULL;

  g_return_if_fail (CD_IS_DEVICE (self));
  g_return_if_fail (CD_IS_DEVICE (newer));
  g_return_if_fail (g_strcmp0 (self->id, newer->id) == 0);

  if (self == newer)
    return;

  g_object_freeze_notify (G_OBJECT (self));

  had_pending = cd_device_has_pending_cancellation (self);
  old_earliest = cd_portal_date_dup (cd_device_get_earliest_pending_end (self));

  /* A summary agreeing with our detail means the detail is still current;
   * otherwise it must go, so nothing stale is ever shown. */
  keep_detail = !newer->has_detail && self->has_detail &&
                cd_license_summary_equal (self->license, newer->license) &&
                cd_device_modules_equal (self, newer);

  set_string (self, &self->name, newer->name, PROP_NAME);
  set_string (self, &self->model, newer->model, PROP_MODEL);
  set_string (self, &self->serial, newer->serial, PROP_SERIAL);
  set_string (self, &self->app_version, newer->app_version, PROP_APP_VERSION);

  if (self->platform != newer->platform)
    {
      self->platform = newer->platform;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLATFORM]);
    }

  if (!g_date_time_equal (self->last_seen_at, newer->last_seen_at))
    {
      g_date_time_unref (self->last_seen_at);
      self->last_seen_at = g_date_time_ref (newer->last_seen_at);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SEEN_AT]);
    }

  if (!keep_detail && !cd_license_equal (self->license, newer->license))
    {
      g_set_object (&self->license, newer->license);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LICENSE]);
    }

  if (!cd_device_modules_equal (self, newer))
    {
      g_array_set_size (self->modules, 0);
      for (guint i = 0; i < newer->modules->len; i++)
        {
          const CdModuleSummary *summary =
            &g_array_index (newer->modules, CdModuleSummary, i);
          CdModuleSummary copy = {
            g_strdup (summary->code),
            summary->state,
            cd_portal_date_dup (summary->ends_on),
          };

          g_array_append_val (self->modules, copy);
        }

      if (!g_strv_equal ((const char * const *) self->module_codes,
                         (const char * const *) newer->module_codes))
        {
          g_strfreev (self->module_codes);
          self->module_codes = g_strdupv (newer->module_codes);
          g_object_notify_by_pspec (G_OBJECT (self),
                                    properties[PROP_MODULE_CODES]);
        }
    }

  if (!keep_detail)
    set_detail_from (self, newer);

  if (had_pending != cd_device_has_pending_cancellation (self))
    g_object_notify_by_pspec (G_OBJECT (self),
                              properties[PROP_HAS_PENDING_CANCELLATION]);
  if (!cd_portal_date_equal (old_earliest,
                             cd_device_get_earliest_pending_end (self)))
    g_object_notify_by_pspec (G_OBJECT (self),
                              properties[PROP_EARLIEST_PENDING_END]);

  g_object_thaw_notify (G_OBJECT (self));
}
