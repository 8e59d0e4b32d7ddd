/* cd-device-loader.c: pages the whole device list into a GListStore.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-portal"

#include "cd-device-loader.h"
#include "cd-portal-error.h"

#define MAX_PAGE_SIZE 1000

struct _CdDeviceLoader
{
  GObject         parent_instance;

  CdPortalClient *client;       /* (owned) */
  GListStore     *devices;      /* (owned) of CdDevice */
  GHashTable     *by_id;        /* (owned) id → CdDevice in devices */
  GHashTable     *previous;     /* (owned) (nullable) id → CdDevice, reload */
  GCancellable   *cancellable;  /* (owned) (nullable) while loading */
  GHashTable     *cursors;      /* (owned) the cursors asked for so far */
  guint           total;
  guint           page_size;
  gboolean        loaded_all;
};

G_DEFINE_FINAL_TYPE (CdDeviceLoader, cd_device_loader, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_MODEL,
  PROP_LOADED,
  PROP_TOTAL,
  PROP_LOADING,
  PROP_PAGE_SIZE,
  N_PROPS
};

enum {
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void load_page (CdDeviceLoader *self,
                       const char     *cursor);

static void
cd_device_loader_dispose (GObject *object)
{
  CdDeviceLoader *self = CD_DEVICE_LOADER (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (cd_device_loader_parent_class)->dispose (object);
}

static void
cd_device_loader_finalize (GObject *object)
{
  CdDeviceLoader *self = CD_DEVICE_LOADER (object);

  g_clear_object (&self->client);
  g_clear_object (&self->devices);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->previous, g_hash_table_unref);
  g_clear_pointer (&self->cursors, g_hash_table_unref);

  G_OBJECT_CLASS (cd_device_loader_parent_class)->finalize (object);
}

static void
cd_device_loader_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CdDeviceLoader *self = CD_DEVICE_LOADER (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_MODEL:
      g_value_set_object (value, self->devices);
      break;
    case PROP_LOADED:
      g_value_set_uint (value, cd_device_loader_get_loaded (self));
      break;
    case PROP_TOTAL:
      g_value_set_uint (value, self->total);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->cancellable != NULL);
      break;
    case PROP_PAGE_SIZE:
      g_value_set_uint (value, self->page_size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_device_loader_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CdDeviceLoader *self = CD_DEVICE_LOADER (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_PAGE_SIZE:
      cd_device_loader_set_page_size (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_device_loader_class_init (CdDeviceLoaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                      G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = cd_device_loader_dispose;
  object_class->finalize = cd_device_loader_finalize;
  object_class->get_property = cd_device_loader_get_property;
  object_class->set_property = cd_device_loader_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, CD_TYPE_PORTAL_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);
  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL, flags);
  properties[PROP_LOADED] =
    g_param_spec_uint ("loaded", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_TOTAL] =
    g_param_spec_uint ("total", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE, flags);
  properties[PROP_PAGE_SIZE] =
    g_param_spec_uint ("page-size", NULL, NULL, 1, MAX_PAGE_SIZE,
                       MAX_PAGE_SIZE,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                       G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CdDeviceLoader::finished:
   * @error: (nullable): why the load stopped, NULL on success
   */
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
cd_device_loader_init (CdDeviceLoader *self)
{
  self->devices = g_list_store_new (CD_TYPE_DEVICE);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->cursors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         NULL);
  self->page_size = MAX_PAGE_SIZE;
}

CdDeviceLoader *
cd_device_loader_new (CdPortalClient *client)
{
  g_return_val_if_fail (CD_IS_PORTAL_CLIENT (client), NULL);

  return g_object_new (CD_TYPE_DEVICE_LOADER, "client", client, NULL);
}

/**
 * cd_device_loader_get_client:
 *
 * Returns: (transfer none): the client.
 */
CdPortalClient *
cd_device_loader_get_client (CdDeviceLoader *self)
{
  g_return_val_if_fail (CD_IS_DEVICE_LOADER (self), NULL);

  return self->client;
}

/**
 * cd_device_loader_get_model:
 *
 * Returns: (transfer none): the devices, the same model for the lifetime
 * of @self.
 */
GListModel *
cd_device_loader_get_model (CdDeviceLoader *self)
{
  g_return_val_if_fail (CD_IS_DEVICE_LOADER (self), NULL);

  return G_LIST_MODEL (self->devices);
}

guint
cd_device_loader_get_loaded (CdDeviceLoader *self)
{
  g_return_val_if_fail (CD_IS_DEVICE_LOADER (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->devices));
}

guint
cd_device_loader_get_total (CdDeviceLoader *self)
{
  g_return_val_if_fail (CD_IS_DEVICE_LOADER (self), 0);

  return self->total;
}

gboolean
cd_device_loader_get_loading (CdDeviceLoader *self)
{
  g_return_val_if_fail (CD_IS_DEVICE_LOADER (self), FALSE);

  return self->cancellable != NULL;
}

guint
cd_device_loader_get_page_size (CdDeviceLoader *self)
{
  g_return_val_if_fail (CD_IS_DEVICE_LOADER (self), 0);

  return self->page_size;
}

void
cd_device_loader_set_page_size (CdDeviceLoader *self,
                                guint           page_size)
{
  g_return_if_fail (CD_IS_DEVICE_LOADER (self));
  g_return_if_fail (page_size >= 1 && page_size <= MAX_PAGE_SIZE);

  if (self->page_size == page_size)
    return;

  self->page_size = page_size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE_SIZE]);
}

static void
set_total (CdDeviceLoader *self,
           guint           total)
{
  if (self->total == total)
    return;

  self->total = total;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
}

static void
stop_loading (CdDeviceLoader *self)
{
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->previous, g_hash_table_unref);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
append_page (CdDeviceLoader *self,
             GListModel     *page)
{
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = g_list_model_get_n_items (page);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (page, i);
      const char *id = cd_device_get_id (device);
      CdDevice *kept;

      /* The portal pages by a stable order; a device that moved between
       * pages while loading is shown once. */
      if (g_hash_table_contains (self->by_id, id))
        continue;

      kept = self->previous != NULL ? g_hash_table_lookup (self->previous, id)
                                    : NULL;
      if (kept != NULL)
        {
          cd_device_update_from (kept, device);
          g_set_object (&device, kept);
        }

      g_hash_table_insert (self->by_id, (gpointer) cd_device_get_id (device),
                           device);
      g_ptr_array_add (devices, g_steal_pointer (&device));
    }

  if (devices->len == 0)
    return;

  g_list_store_splice (self->devices,
                       g_list_model_get_n_items (G_LIST_MODEL (self->devices)),
                       0, devices->pdata, devices->len);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
}

static void
on_page_loaded (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CdPortalClient *client = CD_PORTAL_CLIENT (source);
  g_autoptr(CdDeviceLoader) self = user_data;
  g_autoptr(GListModel) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *next_cursor = NULL;
  guint total = 0;

  page = cd_portal_client_list_devices_finish (client, result, &next_cursor,
                                               &total, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (page == NULL)
    {
      g_debug ("Loading devices stopped: %s", error->message);
      stop_loading (self);
      g_signal_emit (self, signals[FINISHED], 0, error);
      return;
    }

  set_total (self, total);

  /* A portal that hands out a cursor it gave before would have the loader
   * go round in circles for ever. */
  if (next_cursor != NULL && g_hash_table_contains (self->cursors,
                                                    next_cursor))
    {
      append_page (self, page);
      g_autoptr(GError) loop =
        g_error_new_literal (CD_PORTAL_ERROR,
                             CD_PORTAL_ERROR_UNEXPECTED_RESPONSE,
                             "Unexpected response: the device list "
                             "repeats a page");

      g_debug ("Loading devices stopped: %s", loop->message);
      stop_loading (self);
      g_signal_emit (self, signals[FINISHED], 0, loop);
      return;
    }

  /* The next page is asked for first: the portal makes it while the
   * list takes this one in. */
  if (next_cursor != NULL && g_list_model_get_n_items (page) > 0)
    {
      load_page (self, next_cursor);
      append_page (self, page);
      return;
    }

  append_page (self, page);
  self->loaded_all = TRUE;
  stop_loading (self);
  g_signal_emit (self, signals[FINISHED], 0, NULL);
}

static void
load_page (CdDeviceLoader *self,
           const char     *cursor)
{
  g_assert (CD_IS_DEVICE_LOADER (self));
  g_assert (self->cancellable != NULL);

  if (cursor == NULL)
    g_hash_table_remove_all (self->cursors);
  else
    g_hash_table_add (self->cursors, g_strdup (cursor));

  cd_portal_client_list_devices_async (self->client, NULL, NULL, cursor,
                                       self->page_size, self->cancellable,
                                       on_page_loaded, g_object_ref (self));
}

void
cd_device_loader_load (CdDeviceLoader *self)
{
  g_return_if_fail (CD_IS_DEVICE_LOADER (self));

  if (self->cancellable != NULL || self->loaded_all)
    return;

  if (g_list_model_get_n_items (G_LIST_MODEL (self->devices)) > 0)
    {
      g_hash_table_remove_all (self->by_id);
      g_list_store_remove_all (self->devices);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
    }

  self->cancellable = g_cancellable_new ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
  load_page (self, NULL);
}

void
cd_device_loader_cancel (CdDeviceLoader *self)
{
  g_return_if_fail (CD_IS_DEVICE_LOADER (self));

  if (self->cancellable == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  stop_loading (self);
}

void
cd_device_loader_reload (CdDeviceLoader *self)
{
  guint n;

  g_return_if_fail (CD_IS_DEVICE_LOADER (self));

  cd_device_loader_cancel (self);

  /* Keep the objects so holders of a device see it updated in place. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->devices));
  self->previous = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          g_object_unref);
  for (guint i = 0; i < n; i++)
    {
      CdDevice *device = g_list_model_get_item (G_LIST_MODEL (self->devices), i);

      g_hash_table_insert (self->previous,
                           (gpointer) cd_device_get_id (device), device);
    }

  self->loaded_all = FALSE;
  g_hash_table_remove_all (self->by_id);
  g_list_store_remove_all (self->devices);
  if (n > 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);

  self->cancellable = g_cancellable_new ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
  load_page (self, NULL);
}

/**
 * cd_device_loader_find_device:
 *
 * Returns: (transfer none) (nullable): the device with @device_id.
 */
CdDevice *
cd_device_loader_find_device (CdDeviceLoader *self,
                              const char     *device_id)
{
  g_return_val_if_fail (CD_IS_DEVICE_LOADER (self), NULL);
  g_return_val_if_fail (device_id != NULL, NULL);

  return g_hash_table_lookup (self->by_id, device_id);
}
