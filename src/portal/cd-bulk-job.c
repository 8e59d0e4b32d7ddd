/* cd-bulk-job.c: one module change (book or cancel) over many devices.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-portal"

#include "config.h"

#include "cd-bulk-job.h"
#include "cd-portal-error.h"

/* Requests in flight at once: enough to hide latency, few enough not to
 * run into the portal's limits or starve the rest of the app. */
#define MAX_IN_FLIGHT 4

G_DEFINE_ENUM_TYPE (CdBulkAction, cd_bulk_action,
  G_DEFINE_ENUM_VALUE (CD_BULK_ACTION_BOOK, "book"),
  G_DEFINE_ENUM_VALUE (CD_BULK_ACTION_CANCEL, "cancel"))

G_DEFINE_ENUM_TYPE (CdBulkOutcome, cd_bulk_outcome,
  G_DEFINE_ENUM_VALUE (CD_BULK_OUTCOME_BOOK, "book"),
  G_DEFINE_ENUM_VALUE (CD_BULK_OUTCOME_CANCEL, "cancel"),
  G_DEFINE_ENUM_VALUE (CD_BULK_OUTCOME_SKIP, "skip"))

G_DEFINE_ENUM_TYPE (CdBulkSkipReason, cd_bulk_skip_reason,
  G_DEFINE_ENUM_VALUE (CD_BULK_SKIP_NONE, "none"),
  G_DEFINE_ENUM_VALUE (CD_BULK_SKIP_NO_LICENSE, "no-license"),
  G_DEFINE_ENUM_VALUE (CD_BULK_SKIP_LICENSE_CANCELLED, "license-cancelled"),
  G_DEFINE_ENUM_VALUE (CD_BULK_SKIP_LICENSE_ENDED, "license-ended"),
  G_DEFINE_ENUM_VALUE (CD_BULK_SKIP_ALREADY_BOOKED, "already-booked"),
  G_DEFINE_ENUM_VALUE (CD_BULK_SKIP_CANCELLATION_PENDING,
                       "cancellation-pending"),
  G_DEFINE_ENUM_VALUE (CD_BULK_SKIP_NOT_BOOKED, "not-booked"),
  G_DEFINE_ENUM_VALUE (CD_BULK_SKIP_NOT_AVAILABLE, "not-available"),
  G_DEFINE_ENUM_VALUE (CD_BULK_SKIP_UNREACHABLE, "unreachable"))

G_DEFINE_ENUM_TYPE (CdBulkStatus, cd_bulk_status,
  G_DEFINE_ENUM_VALUE (CD_BULK_STATUS_PLANNED, "planned"),
  G_DEFINE_ENUM_VALUE (CD_BULK_STATUS_RUNNING, "running"),
  G_DEFINE_ENUM_VALUE (CD_BULK_STATUS_DONE, "done"),
  G_DEFINE_ENUM_VALUE (CD_BULK_STATUS_FAILED, "failed"))

/* CdBulkItem */

struct _CdBulkItem
{
  GObject           parent_instance;

  CdDevice         *device;           /* (owned) */
  CdBulkOutcome     outcome;
  CdBulkSkipReason  skip_reason;
  GDate            *ends_on;          /* (owned) (nullable) */
  char             *booking_id;       /* (owned) (nullable) */
  char             *idempotency_key;  /* (owned) */
  CdBulkStatus      status;
  GError           *error;            /* (owned) (nullable) */
};

enum {
  ITEM_PROP_0,
  ITEM_PROP_DEVICE,
  ITEM_PROP_OUTCOME,
  ITEM_PROP_SKIP_REASON,
  ITEM_PROP_ENDS_ON,
  ITEM_PROP_STATUS,
  ITEM_PROP_ERROR,
  ITEM_N_PROPS
};

static GParamSpec *item_properties[ITEM_N_PROPS];

G_DEFINE_FINAL_TYPE (CdBulkItem, cd_bulk_item, G_TYPE_OBJECT)

static void
cd_bulk_item_finalize (GObject *object)
{
  CdBulkItem *self = CD_BULK_ITEM (object);

  g_clear_object (&self->device);
  g_clear_pointer (&self->ends_on, g_date_free);
  g_clear_pointer (&self->booking_id, g_free);
  g_clear_pointer (&self->idempotency_key, g_free);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (cd_bulk_item_parent_class)->finalize (object);
}

static void
cd_bulk_item_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  CdBulkItem *self = CD_BULK_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_DEVICE:
      g_value_set_object (value, self->device);
      break;
    case ITEM_PROP_OUTCOME:
      g_value_set_enum (value, self->outcome);
      break;
    case ITEM_PROP_SKIP_REASON:
      g_value_set_enum (value, self->skip_reason);
      break;
    case ITEM_PROP_ENDS_ON:
      g_value_set_boxed (value, self->ends_on);
      break;
    case ITEM_PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case ITEM_PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_bulk_item_class_init (CdBulkItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cd_bulk_item_finalize;
  object_class->get_property = cd_bulk_item_get_property;

  item_properties[ITEM_PROP_DEVICE] =
    g_param_spec_object ("device", NULL, NULL, CD_TYPE_DEVICE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_OUTCOME] =
    g_param_spec_enum ("outcome", NULL, NULL, CD_TYPE_BULK_OUTCOME,
                       CD_BULK_OUTCOME_SKIP,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_SKIP_REASON] =
    g_param_spec_enum ("skip-reason", NULL, NULL, CD_TYPE_BULK_SKIP_REASON,
                       CD_BULK_SKIP_NONE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_ENDS_ON] =
    g_param_spec_boxed ("ends-on", NULL, NULL, G_TYPE_DATE,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, CD_TYPE_BULK_STATUS,
                       CD_BULK_STATUS_PLANNED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, ITEM_N_PROPS,
                                     item_properties);
}

static void
cd_bulk_item_init (CdBulkItem *self)
{
  self->outcome = CD_BULK_OUTCOME_SKIP;
  self->idempotency_key = cd_portal_client_new_idempotency_key ();
}

static CdBulkItem *
cd_bulk_item_new_skipped (CdDevice         *device,
                          CdBulkSkipReason  reason,
                          const GError     *error)
{
  CdBulkItem *self = g_object_new (CD_TYPE_BULK_ITEM, NULL);

  self->device = g_object_ref (device);
  self->outcome = CD_BULK_OUTCOME_SKIP;
  self->skip_reason = reason;
  self->error = error != NULL ? g_error_copy (error) : NULL;

  return self;
}

static void
set_ends_on (CdBulkItem  *self,
             const GDate *date)
{
  g_clear_pointer (&self->ends_on, g_date_free);
  if (date != NULL && g_date_valid (date))
    {
      self->ends_on = g_date_new ();
      *self->ends_on = *date;
    }
}

/* The booking of @module_code on @detail that has not ended, if any.
 * (transfer none): the detail's bookings model keeps it alive. */
static CdBooking *
find_current_booking (CdDevice   *detail,
                      const char *module_code)
{
  GListModel *bookings = cd_device_get_bookings (detail);
  guint n = g_list_model_get_n_items (bookings);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdBooking) booking = g_list_model_get_item (bookings, i);

      if (g_strcmp0 (cd_booking_get_module_code (booking), module_code) == 0
          && cd_booking_get_state (booking) != CD_BOOKING_STATE_ENDED)
        return booking;
    }

  return NULL;
}

CdBulkItem *
cd_bulk_item_plan (CdBulkAction  action,
                   CdModule     *module,
                   CdDevice     *device,
                   CdDevice     *detail)
{
  CdLicense *license;
  CdBooking *booking;
  const char *module_code;
  CdBulkItem *self;

  g_return_val_if_fail (CD_IS_MODULE (module), NULL);
  g_return_val_if_fail (CD_IS_DEVICE (device), NULL);
  g_return_val_if_fail (CD_IS_DEVICE (detail), NULL);

  module_code = cd_module_get_code (module);
  license = cd_device_get_license (detail);
  booking = find_current_booking (detail, module_code);
  self = cd_bulk_item_new_skipped (device, CD_BULK_SKIP_NONE, NULL);

  if (license == NULL)
    self->skip_reason = CD_BULK_SKIP_NO_LICENSE;
  else if (cd_license_get_state (license) == CD_LICENSE_STATE_ENDED)
    self->skip_reason = CD_BULK_SKIP_LICENSE_ENDED;
  else if (booking != NULL
           && cd_booking_get_state (booking)
                == CD_BOOKING_STATE_CANCELLATION_PENDING)
    {
      self->skip_reason = CD_BULK_SKIP_CANCELLATION_PENDING;
      set_ends_on (self, cd_booking_get_ends_on (booking));
    }
  else if (action == CD_BULK_ACTION_BOOK)
    {
      if (cd_license_get_state (license) == CD_LICENSE_STATE_CANCELLED)
        self->skip_reason = CD_BULK_SKIP_LICENSE_CANCELLED;
      else if (booking != NULL)
        self->skip_reason = CD_BULK_SKIP_ALREADY_BOOKED;
      else if (!cd_module_is_available_for (module,
                                            cd_license_get_type_code (license)))
        self->skip_reason = CD_BULK_SKIP_NOT_AVAILABLE;
      else
        self->outcome = CD_BULK_OUTCOME_BOOK;
    }
  else
    {
      /* A cancellation ends the booking at the license's next possible
       * end, which already accounts for a cancelled license's ends-on. */
      if (booking == NULL)
        self->skip_reason = CD_BULK_SKIP_NOT_BOOKED;
      else
        {
          self->outcome = CD_BULK_OUTCOME_CANCEL;
          self->booking_id = g_strdup (cd_booking_get_id (booking));
          set_ends_on (self, cd_license_get_next_possible_end (license));
        }
    }

  return self;
}

static void
cd_bulk_item_set_status (CdBulkItem   *self,
                         CdBulkStatus  status,
                         const GError *error)
{
  g_assert (CD_IS_BULK_ITEM (self));

  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  self->status = status;

  g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_ERROR]);
  g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_STATUS]);
}

CdDevice *
cd_bulk_item_get_device (CdBulkItem *self)
{
  g_return_val_if_fail (CD_IS_BULK_ITEM (self), NULL);

  return self->device;
}

CdBulkOutcome
cd_bulk_item_get_outcome (CdBulkItem *self)
{
  g_return_val_if_fail (CD_IS_BULK_ITEM (self), CD_BULK_OUTCOME_SKIP);

  return self->outcome;
}

CdBulkSkipReason
cd_bulk_item_get_skip_reason (CdBulkItem *self)
{
  g_return_val_if_fail (CD_IS_BULK_ITEM (self), CD_BULK_SKIP_NONE);

  return self->skip_reason;
}

const GDate *
cd_bulk_item_get_ends_on (CdBulkItem *self)
{
  g_return_val_if_fail (CD_IS_BULK_ITEM (self), NULL);

  return self->ends_on;
}

CdBulkStatus
cd_bulk_item_get_status (CdBulkItem *self)
{
  g_return_val_if_fail (CD_IS_BULK_ITEM (self), CD_BULK_STATUS_PLANNED);

  return self->status;
}

const GError *
cd_bulk_item_get_error (CdBulkItem *self)
{
  g_return_val_if_fail (CD_IS_BULK_ITEM (self), NULL);

  return self->error;
}

const char *
cd_bulk_item_get_booking_id (CdBulkItem *self)
{
  g_return_val_if_fail (CD_IS_BULK_ITEM (self), NULL);

  return self->booking_id;
}

/* Only failures that may pass on their own are worth sending again; a
 * refusal (a viewer, a module booked meanwhile) would only repeat. */
static gboolean
error_is_transient (const GError *error)
{
  if (error == NULL || error->domain != CD_PORTAL_ERROR)
    return FALSE;

  switch (error->code)
    {
    case CD_PORTAL_ERROR_NETWORK:
    case CD_PORTAL_ERROR_TIMEOUT:
    case CD_PORTAL_ERROR_SERVER_ERROR:
    case CD_PORTAL_ERROR_UNEXPECTED_RESPONSE:
    case CD_PORTAL_ERROR_RATE_LIMITED:
      return TRUE;
    default:
      return FALSE;
    }
}

gboolean
cd_bulk_item_get_can_retry (CdBulkItem *self)
{
  g_return_val_if_fail (CD_IS_BULK_ITEM (self), FALSE);

  return self->status == CD_BULK_STATUS_FAILED
         && error_is_transient (self->error);
}

/* CdBulkJob */

struct _CdBulkJob
{
  GObject          parent_instance;

  CdPortalClient  *client;        /* (owned) */
  CdBulkAction     action;
  CdModule        *module;        /* (owned) */
  GListModel      *devices;       /* (owned) */
  GListStore      *items;         /* (owned) of CdBulkItem */

  GDate           *first_end;     /* (owned) (nullable) */
  GDate           *last_end;      /* (owned) (nullable) */

  GTask           *task;          /* (owned) (nullable): plan or run */
  guint            next;          /* the next position to start */
  guint            in_flight;
  guint            in_flight_changes;

  gboolean         planned;
  guint            n_checked;
  guint            done;
  guint            total;
  guint            n_changed;
  guint            n_skipped;
  guint            n_failed;
};

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_ACTION,
  PROP_MODULE,
  PROP_DEVICES,
  PROP_ITEMS,
  PROP_PLANNED,
  PROP_N_CHECKED,
  PROP_RUNNING,
  PROP_DONE,
  PROP_TOTAL,
  PROP_N_CHANGED,
  PROP_N_SKIPPED,
  PROP_N_FAILED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CdBulkJob, cd_bulk_job, G_TYPE_OBJECT)

static void
cd_bulk_job_dispose (GObject *object)
{
  CdBulkJob *self = CD_BULK_JOB (object);

  g_clear_object (&self->client);
  g_clear_object (&self->module);
  g_clear_object (&self->devices);
  g_clear_object (&self->items);

  G_OBJECT_CLASS (cd_bulk_job_parent_class)->dispose (object);
}

static void
cd_bulk_job_finalize (GObject *object)
{
  CdBulkJob *self = CD_BULK_JOB (object);

  g_clear_pointer (&self->first_end, g_date_free);
  g_clear_pointer (&self->last_end, g_date_free);

  G_OBJECT_CLASS (cd_bulk_job_parent_class)->finalize (object);
}

static void
cd_bulk_job_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CdBulkJob *self = CD_BULK_JOB (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_ACTION:
      g_value_set_enum (value, self->action);
      break;
    case PROP_MODULE:
      g_value_set_object (value, self->module);
      break;
    case PROP_DEVICES:
      g_value_set_object (value, self->devices);
      break;
    case PROP_ITEMS:
      g_value_set_object (value, self->items);
      break;
    case PROP_PLANNED:
      g_value_set_boolean (value, self->planned);
      break;
    case PROP_N_CHECKED:
      g_value_set_uint (value, self->n_checked);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, cd_bulk_job_get_running (self));
      break;
    case PROP_DONE:
      g_value_set_uint (value, self->done);
      break;
    case PROP_TOTAL:
      g_value_set_uint (value, self->total);
      break;
    case PROP_N_CHANGED:
      g_value_set_uint (value, self->n_changed);
      break;
    case PROP_N_SKIPPED:
      g_value_set_uint (value, self->n_skipped);
      break;
    case PROP_N_FAILED:
      g_value_set_uint (value, self->n_failed);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_bulk_job_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  CdBulkJob *self = CD_BULK_JOB (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_ACTION:
      self->action = g_value_get_enum (value);
      break;
    case PROP_MODULE:
      self->module = g_value_dup_object (value);
      break;
    case PROP_DEVICES:
      self->devices = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_bulk_job_class_init (CdBulkJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                   G_PARAM_STATIC_STRINGS;
  GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                   G_PARAM_STATIC_STRINGS;

  object_class->dispose = cd_bulk_job_dispose;
  object_class->finalize = cd_bulk_job_finalize;
  object_class->get_property = cd_bulk_job_get_property;
  object_class->set_property = cd_bulk_job_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, CD_TYPE_PORTAL_CLIENT, co);
  properties[PROP_ACTION] =
    g_param_spec_enum ("action", NULL, NULL, CD_TYPE_BULK_ACTION,
                       CD_BULK_ACTION_BOOK, co);
  properties[PROP_MODULE] =
    g_param_spec_object ("module", NULL, NULL, CD_TYPE_MODULE, co);
  properties[PROP_DEVICES] =
    g_param_spec_object ("devices", NULL, NULL, G_TYPE_LIST_MODEL, co);
  properties[PROP_ITEMS] =
    g_param_spec_object ("items", NULL, NULL, G_TYPE_LIST_MODEL, ro);
  properties[PROP_PLANNED] =
    g_param_spec_boolean ("planned", NULL, NULL, FALSE, ro);
  properties[PROP_N_CHECKED] =
    g_param_spec_uint ("n-checked", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE, ro);
  properties[PROP_DONE] =
    g_param_spec_uint ("done", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_TOTAL] =
    g_param_spec_uint ("total", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_CHANGED] =
    g_param_spec_uint ("n-changed", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_SKIPPED] =
    g_param_spec_uint ("n-skipped", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_FAILED] =
    g_param_spec_uint ("n-failed", NULL, NULL, 0, G_MAXUINT, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cd_bulk_job_init (CdBulkJob *self)
{
  self->items = g_list_store_new (CD_TYPE_BULK_ITEM);
}

CdBulkJob *
cd_bulk_job_new (CdPortalClient *client,
                 CdBulkAction    action,
                 CdModule       *module,
                 GListModel     *devices)
{
  g_return_val_if_fail (CD_IS_PORTAL_CLIENT (client), NULL);
  g_return_val_if_fail (CD_IS_MODULE (module), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (devices), NULL);
  g_return_val_if_fail (g_list_model_get_item_type (devices) == CD_TYPE_DEVICE
                        || g_type_is_a (CD_TYPE_DEVICE,
                                        g_list_model_get_item_type (devices)),
                        NULL);

  return g_object_new (CD_TYPE_BULK_JOB,
                       "client", client,
                       "action", action,
                       "module", module,
                       "devices", devices,
                       NULL);
}

CdPortalClient *
cd_bulk_job_get_client (CdBulkJob *self)
{
  g_return_val_if_fail (CD_IS_BULK_JOB (self), NULL);

  return self->client;
}

CdBulkAction
cd_bulk_job_get_action (CdBulkJob *self)
{
  g_return_val_if_fail (CD_IS_BULK_JOB (self), CD_BULK_ACTION_BOOK);

  return self->action;
}

CdModule *
cd_bulk_job_get_module (CdBulkJob *self)
{
  g_return_val_if_fail (CD_IS_BULK_JOB (self), NULL);

  return self->module;
}

GListModel *
cd_bulk_job_get_items (CdBulkJob *self)
{
  g_return_val_if_fail (CD_IS_BULK_JOB (self), NULL);

  return G_LIST_MODEL (self->items);
}

gboolean
cd_bulk_job_get_planned (CdBulkJob *self)
{
  g_return_val_if_fail (CD_IS_BULK_JOB (self), FALSE);

  return self->planned;
}

gboolean
cd_bulk_job_get_running (CdBulkJob *self)
{
  g_return_val_if_fail (CD_IS_BULK_JOB (self), FALSE);

  return self->task != NULL && self->planned;
}

guint
cd_bulk_job_get_n_checked (CdBulkJob *self)
{
  g_return_val_if_fail (CD_IS_BULK_JOB (self), 0);

  return self->n_checked;
}

guint
cd_bulk_job_get_done (CdBulkJob *self)
{
  g_return_val_if_fail (CD_IS_BULK_JOB (self), 0);

  return self->done;
}

guint
cd_bulk_job_get_total (CdBulkJob *self)
{
  g_return_val_if_fail (CD_IS_BULK_JOB (self), 0);

  return self->total;
}

guint
cd_bulk_job_get_n_changed (CdBulkJob *self)
{
  g_return_val_if_fail (CD_IS_BULK_JOB (self), 0);

  return self->n_changed;
}

guint
cd_bulk_job_get_n_skipped (CdBulkJob *self)
{
  g_return_val_if_fail (CD_IS_BULK_JOB (self), 0);

  return self->n_skipped;
}

guint
cd_bulk_job_get_n_failed (CdBulkJob *self)
{
  g_return_val_if_fail (CD_IS_BULK_JOB (self), 0);

  return self->n_failed;
}

guint
cd_bulk_job_get_n_retryable (CdBulkJob *self)
{
  guint n;
  guint count = 0;

  g_return_val_if_fail (CD_IS_BULK_JOB (self), 0);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->items));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdBulkItem) item = g_list_model_get_item (
        G_LIST_MODEL (self->items), i);

      if (cd_bulk_item_get_can_retry (item))
        count++;
    }

  return count;
}

guint
cd_bulk_job_get_n_not_sent (CdBulkJob *self)
{
  g_return_val_if_fail (CD_IS_BULK_JOB (self), 0);

  return self->total - self->done - self->in_flight_changes;
}

gint64
cd_bulk_job_get_monthly_change (CdBulkJob *self)
{
  gint64 price;

  g_return_val_if_fail (CD_IS_BULK_JOB (self), 0);

  price = cd_module_get_price_amount_minor (self->module);

  return self->action == CD_BULK_ACTION_BOOK
           ? price * (gint64) self->total
           : -price * (gint64) self->total;
}

const GDate *
cd_bulk_job_get_first_end (CdBulkJob *self)
{
  g_return_val_if_fail (CD_IS_BULK_JOB (self), NULL);

  return self->first_end;
}

const GDate *
cd_bulk_job_get_last_end (CdBulkJob *self)
{
  g_return_val_if_fail (CD_IS_BULK_JOB (self), NULL);

  return self->last_end;
}

static void
notify_counts (CdBulkJob *self)
{
  GObject *object = G_OBJECT (self);

  g_object_freeze_notify (object);
  g_object_notify_by_pspec (object, properties[PROP_DONE]);
  g_object_notify_by_pspec (object, properties[PROP_TOTAL]);
  g_object_notify_by_pspec (object, properties[PROP_N_CHANGED]);
  g_object_notify_by_pspec (object, properties[PROP_N_SKIPPED]);
  g_object_notify_by_pspec (object, properties[PROP_N_FAILED]);
  g_object_thaw_notify (object);
}

/* Planning */

typedef struct
{
  GPtrArray *items;  /* (owned) of CdBulkItem or NULL, by position */
  GError    *fatal;  /* (owned) (nullable): ends the whole plan */
} PlanData;

static void
plan_data_free (PlanData *data)
{
  g_clear_pointer (&data->items, g_ptr_array_unref);
  g_clear_error (&data->fatal);
  g_free (data);
}

static void plan_start_more (CdBulkJob *self);

static void
plan_finish_up (CdBulkJob *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);
  PlanData *data = g_task_get_task_data (task);

  g_assert (self->in_flight == 0);

  if (data->fatal != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&data->fatal));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  self->total = 0;
  self->n_skipped = 0;
  for (guint i = 0; i < data->items->len; i++)
    {
      CdBulkItem *item = g_ptr_array_index (data->items, i);

      if (item->outcome == CD_BULK_OUTCOME_SKIP)
        self->n_skipped++;
      else
        self->total++;

      if (item->outcome == CD_BULK_OUTCOME_CANCEL && item->ends_on != NULL)
        {
          if (self->first_end == NULL
              || g_date_compare (item->ends_on, self->first_end) < 0)
            {
              g_clear_pointer (&self->first_end, g_date_free);
              self->first_end = g_date_copy (item->ends_on);
            }
          if (self->last_end == NULL
              || g_date_compare (item->ends_on, self->last_end) > 0)
            {
              g_clear_pointer (&self->last_end, g_date_free);
              self->last_end = g_date_copy (item->ends_on);
            }
        }
    }

  g_list_store_splice (self->items, 0, 0, data->items->pdata,
                       data->items->len);
  self->planned = TRUE;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLANNED]);
  notify_counts (self);

  g_task_return_boolean (task, TRUE);
}

typedef struct
{
  CdBulkJob *job;       /* (owned) */
  guint      position;
} PlanStep;

static void
on_plan_detail_ready (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  PlanStep *step = user_data;
  g_autoptr(CdBulkJob) self = step->job;
  PlanData *data = g_task_get_task_data (self->task);
  g_autoptr(CdDevice) device = NULL;
  g_autoptr(CdDevice) detail = NULL;
  g_autoptr(GError) error = NULL;
  CdBulkItem *item;

  device = g_list_model_get_item (self->devices, step->position);
  detail = cd_portal_client_get_device_finish (CD_PORTAL_CLIENT (source),
                                               result, &error);
  if (detail != NULL)
    {
      cd_device_update_from (device, detail);
      item = cd_bulk_item_plan (self->action, self->module, device, detail);
    }
  else
    {
      if (data->fatal == NULL
          && (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
              || g_error_matches (error, CD_PORTAL_ERROR,
                                  CD_PORTAL_ERROR_SESSION_EXPIRED)))
        data->fatal = g_error_copy (error);
      item = cd_bulk_item_new_skipped (device, CD_BULK_SKIP_UNREACHABLE,
                                       error);
    }
  g_ptr_array_index (data->items, step->position) = item;
  self->n_checked++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CHECKED]);

  g_free (step);
  self->in_flight--;
  plan_start_more (self);
}

static void
plan_start_more (CdBulkJob *self)
{
  PlanData *data = g_task_get_task_data (self->task);
  guint n = g_list_model_get_n_items (self->devices);

  while (data->fatal == NULL && self->next < n
         && self->in_flight < MAX_IN_FLIGHT)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (self->devices,
                                                          self->next);
      PlanStep *step = g_new0 (PlanStep, 1);

      step->job = g_object_ref (self);
      step->position = self->next++;
      self->in_flight++;
      cd_portal_client_get_device_async (self->client,
                                         cd_device_get_id (device),
                                         g_task_get_cancellable (self->task),
                                         on_plan_detail_ready, step);
    }

  if (self->in_flight == 0)
    plan_finish_up (self);
}

void
cd_bulk_job_plan_async (CdBulkJob           *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  PlanData *data;
  guint n;

  g_return_if_fail (CD_IS_BULK_JOB (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (self->task == NULL);
  g_return_if_fail (!self->planned);

  n = g_list_model_get_n_items (self->devices);
  data = g_new0 (PlanData, 1);
  data->items = g_ptr_array_new_full (n, g_object_unref);
  g_ptr_array_set_size (data->items, n);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, cd_bulk_job_plan_async);
  g_task_set_task_data (self->task, data, (GDestroyNotify) plan_data_free);

  self->next = 0;
  plan_start_more (self);
}

gboolean
cd_bulk_job_plan_finish (CdBulkJob     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (CD_IS_BULK_JOB (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Running */

typedef struct
{
  CdBulkJob  *job;   /* (owned) */
  CdBulkItem *item;  /* (owned) */
} RunStep;

static void run_start_more (CdBulkJob *self);

static void
run_step_free (RunStep *step)
{
  g_clear_object (&step->job);
  g_clear_object (&step->item);
  g_free (step);
}

static void
run_step_finish (RunStep *step)
{
  CdBulkJob *self = g_object_ref (step->job);

  self->done++;
  self->in_flight--;
  self->in_flight_changes--;
  notify_counts (self);

  run_step_free (step);
  run_start_more (self);
  g_object_unref (self);
}

static void
on_run_refresh_ready (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  RunStep *step = user_data;
  g_autoptr(CdDevice) detail = NULL;
  g_autoptr(GError) error = NULL;

  /* The change is made either way; a failed refresh only leaves the row
   * as it was until the list is loaded again. */
  detail = cd_portal_client_get_device_finish (CD_PORTAL_CLIENT (source),
                                               result, &error);
  if (detail != NULL)
    cd_device_update_from (step->item->device, detail);
  else
    g_debug ("Could not refresh device %s after a bulk change: %s",
             cd_device_get_id (step->item->device), error->message);

  step->job->n_changed++;
  cd_bulk_item_set_status (step->item, CD_BULK_STATUS_DONE, NULL);
  run_step_finish (step);
}

static void
on_run_change_ready (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  RunStep *step = user_data;
  CdPortalClient *client = CD_PORTAL_CLIENT (source);
  g_autoptr(CdBooking) booking = NULL;
  g_autoptr(GError) error = NULL;

  if (step->item->outcome == CD_BULK_OUTCOME_BOOK)
    booking = cd_portal_client_book_module_finish (client, result, NULL,
                                                   &error);
  else
    booking = cd_portal_client_cancel_booking_finish (client, result, NULL,
                                                      &error);

  if (booking == NULL)
    {
      step->job->n_failed++;
      cd_bulk_item_set_status (step->item, CD_BULK_STATUS_FAILED, error);
      run_step_finish (step);
      return;
    }

  if (step->item->outcome == CD_BULK_OUTCOME_CANCEL)
    set_ends_on (step->item, cd_booking_get_ends_on (booking));

  /* Not with the run's cancellable: a stopped run still shows what it
   * changed, in the dialog and in the list's rows. */
  cd_portal_client_get_device_async (client,
                                     cd_device_get_id (step->item->device),
                                     NULL, on_run_refresh_ready, step);
}

static void
run_start_more (CdBulkJob *self)
{
  GCancellable *cancellable = g_task_get_cancellable (self->task);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->items));

  while (self->next < n && self->in_flight < MAX_IN_FLIGHT
         && !g_cancellable_is_cancelled (cancellable))
    {
      g_autoptr(CdBulkItem) item = g_list_model_get_item (
        G_LIST_MODEL (self->items), self->next++);
      const char *device_id = cd_device_get_id (item->device);
      RunStep *step;

      if (item->outcome == CD_BULK_OUTCOME_SKIP
          || item->status != CD_BULK_STATUS_PLANNED)
        continue;

      step = g_new0 (RunStep, 1);
      step->job = g_object_ref (self);
      step->item = g_object_ref (item);
      self->in_flight++;
      self->in_flight_changes++;
      cd_bulk_item_set_status (item, CD_BULK_STATUS_RUNNING, NULL);

      /* A change once sent is not cancelled: the portal may make it
       * anyway, and only its answer tells whether it did. Cancelling the
       * run stops it from sending more. */
      if (item->outcome == CD_BULK_OUTCOME_BOOK)
        cd_portal_client_book_module_async (self->client, device_id,
                                            cd_module_get_code (self->module),
                                            -1, item->idempotency_key,
                                            NULL, on_run_change_ready, step);
      else
        cd_portal_client_cancel_booking_async (self->client, device_id,
                                               item->booking_id,
                                               -1, item->idempotency_key,
                                               NULL, on_run_change_ready,
                                               step);
    }

  if (self->in_flight == 0)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->task);

      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
      if (!g_task_return_error_if_cancelled (task))
        g_task_return_boolean (task, TRUE);
    }
}

static void
run_start (CdBulkJob           *self,
           gpointer             source_tag,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  g_assert (CD_IS_BULK_JOB (self));
  g_assert (self->task == NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, source_tag);
  self->next = 0;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  run_start_more (self);
}

void
cd_bulk_job_run_async (CdBulkJob           *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (CD_IS_BULK_JOB (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (self->planned);
  g_return_if_fail (self->task == NULL);

  run_start (self, cd_bulk_job_run_async, cancellable, callback, user_data);
}

gboolean
cd_bulk_job_run_finish (CdBulkJob     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (CD_IS_BULK_JOB (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cd_bulk_job_retry_failed_async (CdBulkJob           *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  guint n;

  g_return_if_fail (CD_IS_BULK_JOB (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (self->planned);
  g_return_if_fail (self->task == NULL);

  /* Same items, same keys: a change whose answer was lost is replayed by
   * the portal instead of being made again. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->items));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdBulkItem) item = g_list_model_get_item (
        G_LIST_MODEL (self->items), i);

      if (cd_bulk_item_get_can_retry (item))
        {
          cd_bulk_item_set_status (item, CD_BULK_STATUS_PLANNED, NULL);
          self->done--;
          self->n_failed--;
        }
    }
  notify_counts (self);

  run_start (self, cd_bulk_job_retry_failed_async, cancellable, callback,
             user_data);
}

gboolean
cd_bulk_job_retry_failed_finish (CdBulkJob     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (CD_IS_BULK_JOB (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
