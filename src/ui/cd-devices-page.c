/* cd-devices-page.c: Administration > Devices, the list of every device.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cd-bulk-dialog.h"
#include "cd-csv-export.h"
#include "cd-device-list-model.h"
#include "cd-device-row.h"
#include "cd-devices-page.h"
#include "cd-error-text.h"
#include "cd-format.h"
#include "cd-pending-view.h"
#include "cd-primary-menu-button.h"

struct _CdDevicesPage
{
  AdwBin               parent_instance;

  CdPortalClient      *client;            /* (owned) (nullable) */
  CdDeviceLoader      *loader;            /* (owned) (nullable) */
  GCancellable        *cancellable;       /* (owned) (nullable) */
  GSettings           *settings;          /* (owned) */
  GError              *error;             /* (owned) (nullable) */

  GListStore          *license_types;     /* (owned) of CdLicenseType */
  GListStore          *modules;           /* (owned) of CdModule */
  guint                n_catalogues_pending;
  gboolean             catalogues_loaded;

  CdDeviceListModel   *shown;             /* (owned) sorted, filtered */
  GPtrArray           *spare_rows;        /* (owned) of (owned) CdDeviceRow */
  GtkCustomFilter     *filter;            /* (owned) */
  GtkMultiSelection   *selection;         /* (owned) */

  char                *license_filter;    /* (owned) "" all, "none", a code */
  gboolean             pending_only;
  char                *sort_order;        /* (owned) */

  /* The list summary says that a module was cancelled but not until
   * when; the detail of the shown devices tells, fetched a moment after
   * they scroll into view. */
  GHashTable          *details_wanted;    /* (owned) set of CdDevice */
  GHashTable          *details_loading;   /* (owned) set of device ids */
  guint                details_timeout_id;

  /* Kept across a refresh so the user finds the list as it was. */
  GHashTable          *restore_ids;       /* (owned) (nullable) set of ids */
  double               restore_scroll;
  guint                restore_tick_id;
  guint                restore_ticks;

  /* Windows opened from the page, closed with it or on sign-out. */
  CdBulkDialog        *bulk_dialog;       /* (nullable) weak */
  CdPendingView       *pending_view;      /* (nullable) weak */

  AdwWindowTitle      *window_title;
  GtkMenuButton       *filter_button;
  GtkSearchBar        *search_bar;
  GtkSearchEntry      *search_entry;
  GtkStack            *state_stack;
  GtkSpinner          *loading_spinner;
  GtkLabel            *loading_label;
  GtkRevealer         *progress_revealer;
  GtkProgressBar      *progress_bar;
  GtkLabel            *progress_label;
  GtkScrolledWindow   *scrolled_window;
  GtkListView         *list_view;
  GtkActionBar        *selection_bar;
  GtkLabel            *selection_label;
  GtkLabel            *viewer_label;
  GtkButton           *bulk_book_button;
  GtkButton           *bulk_cancel_button;
  AdwStatusPage       *no_match_page;
  AdwStatusPage       *error_page;
};

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_LICENSE_FILTER,
  PROP_PENDING_ONLY,
  PROP_SORT_ORDER,
  N_PROPS
};

enum {
  DEVICE_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CdDevicesPage, cd_devices_page, ADW_TYPE_BIN)

static gboolean
has_filters (CdDevicesPage *self)
{
  return cd_device_list_model_get_searching (self->shown) ||
         self->license_filter[0] != '\0' ||
         self->pending_only;
}

static gboolean
can_change (CdDevicesPage *self)
{
  CdAccount *account;

  g_assert (CD_IS_DEVICES_PAGE (self));

  if (self->client == NULL)
    return FALSE;

  account = cd_portal_client_get_account (self->client);

  return account != NULL
         && cd_account_get_role (account) == CD_ACCOUNT_ROLE_ADMIN;
}

/* The selection bar and the bulk actions follow the selection and the
 * account's role. */
static void
update_selection (CdDevicesPage *self)
{
  g_autoptr(GtkBitset) selected = NULL;
  g_autofree char *count = NULL;
  g_autofree char *text = NULL;
  const char *tooltip = NULL;
  CdAccount *account = NULL;
  guint n_selected;
  gboolean admin;

  g_assert (CD_IS_DEVICES_PAGE (self));

  selected = gtk_selection_model_get_selection (
    GTK_SELECTION_MODEL (self->selection));
  n_selected = (guint) gtk_bitset_get_size (selected);
  admin = can_change (self);

  count = cd_format_count (n_selected);
  /* TRANSLATORS: in the bar under the device list, "12 devices selected" */
  text = g_strdup_printf (ngettext ("%s device selected",
                                    "%s devices selected", n_selected),
                          count);
  gtk_label_set_text (self->selection_label, text);

  /* One selected device is the one a click just opened, not a choice. */
  gtk_action_bar_set_revealed (self->selection_bar, n_selected >= 2);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "devices.bulk-book",
                                 admin && n_selected > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "devices.bulk-cancel",
                                 admin && n_selected > 0);

  /* An insensitive button tells a viewer why it cannot be used. */
  if (self->client != NULL)
    account = cd_portal_client_get_account (self->client);
  if (account != NULL && !admin)
    tooltip = gtk_label_get_label (self->viewer_label);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->bulk_book_button), tooltip);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->bulk_cancel_button), tooltip);
  gtk_widget_set_visible (GTK_WIDGET (self->viewer_label), tooltip != NULL);
}

static void
update_actions (CdDevicesPage *self,
                gboolean       loading,
                guint          n_shown)
{
  gboolean ready;

  g_assert (CD_IS_DEVICES_PAGE (self));

  /* Half a list would make a misleading file or overview. */
  ready = self->client != NULL && self->error == NULL && !loading;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "devices.refresh",
                                 self->client != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "devices.export-csv",
                                 ready && n_shown > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "devices.show-pending",
                                 ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "devices.select-all",
                                 n_shown > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "devices.unselect-all",
                                 n_shown > 0);
}

static void
update_counts (CdDevicesPage *self)
{
  guint n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->shown));
  guint loaded = self->loader != NULL ? cd_device_loader_get_loaded (self->loader)
                                      : 0;
  guint total = self->loader != NULL ? cd_device_loader_get_total (self->loader)
                                     : 0;
  gboolean loading = self->loader != NULL &&
                     cd_device_loader_get_loading (self->loader);
  g_autofree char *shown_text = NULL;
  g_autofree char *count = NULL;

  g_assert (CD_IS_DEVICES_PAGE (self));

  if (self->client != NULL && self->error == NULL &&
      (!loading || n_shown > 0))
    {
      count = cd_format_count (n_shown);
      shown_text = g_strdup_printf (ngettext ("%s device", "%s devices",
                                              n_shown),
                                    count);
    }
  adw_window_title_set_subtitle (self->window_title,
                                 shown_text != NULL ? shown_text : "");

  if (loading && total > 0)
    {
      g_autofree char *loaded_text = cd_format_count (loaded);
      g_autofree char *total_text = cd_format_count (total);
      g_autofree char *progress = NULL;

      /* TRANSLATORS: loading progress, e.g. "12,000 of 100,000 devices" */
      progress = g_strdup_printf (ngettext ("%s of %s device",
                                            "%s of %s devices", total),
                                  loaded_text, total_text);
      gtk_label_set_text (self->progress_label, progress);
      gtk_label_set_text (self->loading_label, progress);
      gtk_progress_bar_set_fraction (self->progress_bar,
                                     MIN (1.0, (double) loaded / total));
    }
  else
    {
      gtk_label_set_text (self->loading_label, "");
    }

  gtk_revealer_set_reveal_child (self->progress_revealer,
                                 loading && loaded > 0 && loaded < total);
}

static void
update_state (CdDevicesPage *self)
{
  const char *state;
  guint n_loaded;
  guint n_shown;
  gboolean loading;

  g_assert (CD_IS_DEVICES_PAGE (self));

  n_loaded = self->loader != NULL
             ? g_list_model_get_n_items (cd_device_loader_get_model (self->loader))
             : 0;
  n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->shown));
  loading = self->n_catalogues_pending > 0 ||
            (self->loader != NULL && cd_device_loader_get_loading (self->loader));

  if (self->client == NULL)
    state = "signed-out";
  else if (self->error != NULL)
    state = "error";
  else if (n_shown > 0)
    state = "list";
  else if (loading && (n_loaded == 0 || !has_filters (self)))
    state = self->restore_ids != NULL ? "list" : "loading";
  else if (n_loaded == 0 && !loading)
    state = "empty";
  else
    state = "no-match";

  if (g_str_equal (state, "no-match"))
    {
      g_autofree char *description = NULL;
      const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

      if (cd_device_list_model_get_searching (self->shown))
        description = g_strdup_printf (_("No device matches “%s” with the "
                                         "chosen filters."), text);
      else
        description = g_strdup (_("No device matches the chosen filters."));
      adw_status_page_set_description (self->no_match_page, description);
    }

  gtk_spinner_set_spinning (self->loading_spinner,
                            g_str_equal (state, "loading"));
  gtk_stack_set_visible_child_name (self->state_stack, state);
  update_actions (self, loading, n_shown);

  update_counts (self);
}

static void
show_error (CdDevicesPage *self,
            const GError  *error)
{
  g_autofree char *text = NULL;
  gboolean offline;

  g_assert (CD_IS_DEVICES_PAGE (self));
  g_assert (error != NULL);

  g_clear_error (&self->error);
  self->error = g_error_copy (error);

  offline = g_error_matches (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_NETWORK);
  text = cd_error_text (error);
  adw_status_page_set_icon_name (self->error_page,
                                 offline ? "network-offline-symbolic"
                                         : "dialog-error-symbolic");
  adw_status_page_set_title (self->error_page,
                             offline ? _("Portal Unreachable")
                                     : _("Could Not Load Devices"));
  adw_status_page_set_description (self->error_page, text);

  g_clear_pointer (&self->restore_ids, g_hash_table_unref);
  if (self->loader != NULL)
    cd_device_loader_cancel (self->loader);

  update_state (self);
}

/* Filters and sort */

static void
set_search_text (CdDevicesPage *self,
                 const char    *text)
{
  g_assert (CD_IS_DEVICES_PAGE (self));

  cd_device_list_model_set_search (self->shown, text);
  update_state (self);
}

static void
set_license_filter (CdDevicesPage *self,
                    const char    *license_filter)
{
  g_assert (CD_IS_DEVICES_PAGE (self));

  if (license_filter == NULL)
    license_filter = "";

  if (g_strcmp0 (self->license_filter, license_filter) == 0)
    return;

  g_free (self->license_filter);
  self->license_filter = g_strdup (license_filter);
  cd_device_list_model_set_license_filter (self->shown, license_filter);
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LICENSE_FILTER]);
}

static void
set_pending_only (CdDevicesPage *self,
                  gboolean       pending_only)
{
  g_assert (CD_IS_DEVICES_PAGE (self));

  pending_only = !!pending_only;
  if (self->pending_only == pending_only)
    return;

  self->pending_only = pending_only;
  cd_device_list_model_set_pending_only (self->shown, pending_only);
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING_ONLY]);
}

static void
set_sort_order (CdDevicesPage *self,
                const char    *sort_order)
{
  CdDeviceSort sort = CD_DEVICE_SORT_NAME;

  g_assert (CD_IS_DEVICES_PAGE (self));

  if (sort_order == NULL || *sort_order == '\0')
    sort_order = "name";

  if (g_strcmp0 (self->sort_order, sort_order) == 0)
    return;

  g_free (self->sort_order);
  self->sort_order = g_strdup (sort_order);
  if (strcmp (sort_order, "term-end") == 0)
    sort = CD_DEVICE_SORT_TERM_END;
  else if (strcmp (sort_order, "last-seen") == 0)
    sort = CD_DEVICE_SORT_LAST_SEEN;
  cd_device_list_model_set_sort (self->shown, sort);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT_ORDER]);
}

static void
rebuild_filter_menu (CdDevicesPage *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) license_section = g_menu_new ();
  g_autoptr(GMenu) pending_section = g_menu_new ();
  g_autoptr(GMenu) sort_section = g_menu_new ();
  guint n_types;

  g_assert (CD_IS_DEVICES_PAGE (self));

  g_menu_append (license_section, _("All Devices"),
                 "devices.license-filter::");
  n_types = g_list_model_get_n_items (G_LIST_MODEL (self->license_types));
  for (guint i = 0; i < n_types; i++)
    {
      g_autoptr(CdLicenseType) type =
        g_list_model_get_item (G_LIST_MODEL (self->license_types), i);
      g_autoptr(GMenuItem) item =
        g_menu_item_new (cd_license_type_get_name (type), NULL);

      g_menu_item_set_action_and_target_value (
        item, "devices.license-filter",
        g_variant_new_string (cd_license_type_get_code (type)));
      g_menu_append_item (license_section, item);
    }
  g_menu_append (license_section, _("No License"),
                 "devices.license-filter::none");
  g_menu_append_section (menu, _("License"), G_MENU_MODEL (license_section));

  g_menu_append (pending_section, _("Only Pending Cancellations"),
                 "devices.pending-only");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (pending_section));

  g_menu_append (sort_section, _("Name"), "devices.sort-order::name");
  g_menu_append (sort_section, _("Term End"), "devices.sort-order::term-end");
  g_menu_append (sort_section, _("Last Seen"),
                 "devices.sort-order::last-seen");
  g_menu_append_section (menu, _("Sort By"), G_MENU_MODEL (sort_section));

  gtk_menu_button_set_menu_model (self->filter_button, G_MENU_MODEL (menu));
}

/* Keeping the selection and scroll position across a refresh */

static void
remember_selection (CdDevicesPage *self)
{
  g_autoptr(GtkBitset) selected = NULL;
  GtkBitsetIter iter;
  guint position;

  g_assert (CD_IS_DEVICES_PAGE (self));

  g_clear_pointer (&self->restore_ids, g_hash_table_unref);
  self->restore_ids = g_hash_table_new_full (g_str_hash, g_str_equal,
                                             g_free, NULL);
  self->restore_scroll =
    gtk_adjustment_get_value (gtk_scrolled_window_get_vadjustment (
                                self->scrolled_window));

  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  for (gboolean valid = gtk_bitset_iter_init_first (&iter, selected, &position);
       valid;
       valid = gtk_bitset_iter_next (&iter, &position))
    {
      g_autoptr(CdDevice) device =
        g_list_model_get_item (G_LIST_MODEL (self->selection), position);

      if (device != NULL)
        g_hash_table_add (self->restore_ids,
                          g_strdup (cd_device_get_id (device)));
    }
}

static gboolean
on_restore_scroll_tick (GtkWidget     *widget,
                        GdkFrameClock *frame_clock,
                        gpointer       user_data)
{
  CdDevicesPage *self = CD_DEVICES_PAGE (widget);
  GtkAdjustment *adjustment =
    gtk_scrolled_window_get_vadjustment (self->scrolled_window);
  double reachable = gtk_adjustment_get_upper (adjustment) -
                     gtk_adjustment_get_page_size (adjustment);

  /* The list knows its height only after a layout or two. */
  gtk_adjustment_set_value (adjustment, MIN (self->restore_scroll, reachable));
  if (reachable >= self->restore_scroll || ++self->restore_ticks > 10)
    {
      self->restore_tick_id = 0;
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void
restore_selection (CdDevicesPage *self)
{
  g_autoptr(GtkBitset) selected = gtk_bitset_new_empty ();
  g_autoptr(GtkBitset) mask = NULL;
  GListModel *shown = G_LIST_MODEL (self->selection);
  guint n_items = g_list_model_get_n_items (shown);

  g_assert (CD_IS_DEVICES_PAGE (self));
  g_assert (self->restore_ids != NULL);

  if (g_hash_table_size (self->restore_ids) > 0)
    {
      for (guint i = 0; i < n_items; i++)
        {
          g_autoptr(CdDevice) device = g_list_model_get_item (shown, i);

          if (g_hash_table_contains (self->restore_ids,
                                     cd_device_get_id (device)))
            gtk_bitset_add (selected, i);
        }
    }

  mask = gtk_bitset_new_range (0, n_items);
  gtk_selection_model_set_selection (GTK_SELECTION_MODEL (self->selection),
                                     selected, mask);
  g_clear_pointer (&self->restore_ids, g_hash_table_unref);

  if (self->restore_tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->restore_tick_id);
  self->restore_ticks = 0;
  self->restore_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self),
                                                        on_restore_scroll_tick,
                                                        NULL, NULL);
}

/* Pending cancellation dates */

static gboolean
needs_pending_end (CdDevice *device)
{
  return cd_device_has_pending_cancellation (device) &&
         cd_device_get_earliest_pending_end (device) == NULL &&
         !cd_device_get_has_detail (device);
}

typedef struct {
  CdDevicesPage *page;    /* (owned) */
  CdDevice      *device;  /* (owned) */
} DetailRequest;

static void
detail_request_free (DetailRequest *request)
{
  g_clear_object (&request->page);
  g_clear_object (&request->device);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DetailRequest, detail_request_free)

static void
on_device_detail_loaded (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(DetailRequest) request = user_data;
  g_autoptr(CdDevice) detail = NULL;
  g_autoptr(GError) error = NULL;
  CdDevicesPage *self = request->page;

  detail = cd_portal_client_get_device_finish (CD_PORTAL_CLIENT (object),
                                               result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_hash_table_remove (self->details_loading,
                       cd_device_get_id (request->device));

  /* The row only misses a date; the list stays usable without it. */
  if (detail == NULL)
    {
      g_debug ("No detail for device %s: %s",
               cd_device_get_id (request->device), error->message);
      return;
    }

  cd_device_update_from (request->device, detail);
}

static gboolean
on_details_timeout (gpointer user_data)
{
  CdDevicesPage *self = CD_DEVICES_PAGE (user_data);
  GHashTableIter iter;
  CdDevice *device;

  self->details_timeout_id = 0;

  if (self->client == NULL || self->cancellable == NULL)
    return G_SOURCE_REMOVE;

  g_hash_table_iter_init (&iter, self->details_wanted);
  while (g_hash_table_iter_next (&iter, (gpointer *) &device, NULL))
    {
      DetailRequest *request;

      if (!needs_pending_end (device) ||
          g_hash_table_contains (self->details_loading,
                                 cd_device_get_id (device)))
        continue;

      request = g_new0 (DetailRequest, 1);
      request->page = g_object_ref (self);
      request->device = g_object_ref (device);
      g_hash_table_add (self->details_loading,
                        g_strdup (cd_device_get_id (device)));
      cd_portal_client_get_device_async (self->client,
                                         cd_device_get_id (device),
                                         self->cancellable,
                                         on_device_detail_loaded, request);
    }
  g_hash_table_remove_all (self->details_wanted);

  return G_SOURCE_REMOVE;
}

static void
want_pending_end (CdDevicesPage *self,
                  CdDevice      *device)
{
  g_assert (CD_IS_DEVICES_PAGE (self));

  if (device == NULL || !needs_pending_end (device))
    return;

  g_hash_table_add (self->details_wanted, g_object_ref (device));

  /* Rows flying past while scrolling fast are not worth a request. */
  g_clear_handle_id (&self->details_timeout_id, g_source_remove);
  self->details_timeout_id = g_timeout_add (250, on_details_timeout, self);
}

static void
stop_details (CdDevicesPage *self)
{
  g_assert (CD_IS_DEVICES_PAGE (self));

  g_clear_handle_id (&self->details_timeout_id, g_source_remove);
  g_hash_table_remove_all (self->details_wanted);
  g_hash_table_remove_all (self->details_loading);
}

/* Loading */

static void
on_loader_progress (CdDevicesPage  *self,
                    GParamSpec     *pspec,
                    CdDeviceLoader *loader)
{
  g_assert (CD_IS_DEVICES_PAGE (self));

  update_state (self);
}

static void
on_loader_finished (CdDevicesPage  *self,
                    const GError   *error,
                    CdDeviceLoader *loader)
{
  g_assert (CD_IS_DEVICES_PAGE (self));

  if (error != NULL)
    {
      show_error (self, error);
      return;
    }

  if (self->restore_ids != NULL)
    restore_selection (self);

  update_state (self);
}

static void
on_filter_items_changed (CdDevicesPage *self,
                         guint          position,
                         guint          removed,
                         guint          added,
                         GListModel    *shown)
{
  g_assert (CD_IS_DEVICES_PAGE (self));

  update_state (self);
}

static void
catalogue_done (CdDevicesPage *self)
{
  g_assert (CD_IS_DEVICES_PAGE (self));
  g_assert (self->n_catalogues_pending > 0);

  self->n_catalogues_pending--;
  if (self->n_catalogues_pending == 0 && self->error == NULL)
    {
      self->catalogues_loaded = TRUE;
      rebuild_filter_menu (self);
    }

  update_state (self);
}

static void
replace_store (GListStore *store,
               GListModel *items)
{
  g_autoptr(GPtrArray) array = g_ptr_array_new_with_free_func (g_object_unref);
  guint n_items = g_list_model_get_n_items (items);

  for (guint i = 0; i < n_items; i++)
    g_ptr_array_add (array, g_list_model_get_item (items, i));

  g_list_store_splice (store, 0,
                       g_list_model_get_n_items (G_LIST_MODEL (store)),
                       array->pdata, array->len);
}

static void
on_license_types_loaded (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(CdDevicesPage) self = user_data;
  g_autoptr(GListModel) license_types = NULL;
  g_autoptr(GError) error = NULL;

  license_types = cd_portal_client_list_license_types_finish (
    CD_PORTAL_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (license_types != NULL)
    replace_store (self->license_types, license_types);
  else if (self->error == NULL)
    show_error (self, error);

  catalogue_done (self);
}

static void
on_modules_loaded (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CdDevicesPage) self = user_data;
  g_autoptr(GListModel) modules = NULL;
  g_autoptr(GError) error = NULL;

  modules = cd_portal_client_list_modules_finish (CD_PORTAL_CLIENT (object),
                                                  result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (modules != NULL)
    replace_store (self->modules, modules);
  else if (self->error == NULL)
    show_error (self, error);

  catalogue_done (self);
}

static void
stop_loading (CdDevicesPage *self)
{
  g_assert (CD_IS_DEVICES_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->n_catalogues_pending = 0;
  stop_details (self);

  if (self->loader != NULL)
    {
      GListModel *devices = cd_device_loader_get_model (self->loader);

      g_signal_handlers_disconnect_by_data (self->loader, self);
      g_signal_handlers_disconnect_by_data (devices, self);
      cd_device_loader_cancel (self->loader);
      g_clear_object (&self->loader);
    }

  if (self->restore_tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->restore_tick_id);
      self->restore_tick_id = 0;
    }
  g_clear_pointer (&self->restore_ids, g_hash_table_unref);
  cd_device_list_model_set_source (self->shown, NULL);
}

static void
start_loading (CdDevicesPage *self,
               gboolean       keep_view)
{
  g_assert (CD_IS_DEVICES_PAGE (self));
  g_assert (self->client != NULL);

  g_clear_error (&self->error);
  if (self->cancellable == NULL)
    self->cancellable = g_cancellable_new ();

  if (!self->catalogues_loaded && self->n_catalogues_pending == 0)
    {
      self->n_catalogues_pending = 2;
      cd_portal_client_list_license_types_async (self->client,
                                                 self->cancellable,
                                                 on_license_types_loaded,
                                                 g_object_ref (self));
      cd_portal_client_list_modules_async (self->client, self->cancellable,
                                           on_modules_loaded,
                                           g_object_ref (self));
    }

  if (self->loader == NULL)
    {
      GListModel *devices;

      self->loader = cd_device_loader_new (self->client);
      devices = cd_device_loader_get_model (self->loader);

      g_signal_connect_object (self->loader, "notify::loaded",
                               G_CALLBACK (on_loader_progress),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->loader, "notify::total",
                               G_CALLBACK (on_loader_progress),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->loader, "notify::loading",
                               G_CALLBACK (on_loader_progress),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->loader, "finished",
                               G_CALLBACK (on_loader_finished),
                               self, G_CONNECT_SWAPPED);
      cd_device_list_model_set_source (self->shown, devices);
      cd_device_loader_load (self->loader);
    }
  else
    {
      if (keep_view && self->restore_ids == NULL &&
          g_list_model_get_n_items (G_LIST_MODEL (self->shown)) > 0)
        remember_selection (self);
      cd_device_loader_reload (self->loader);
    }

  update_state (self);
}

/* Signal handlers and actions */

static void
on_search_entry_search_changed (CdDevicesPage  *self,
                                GtkSearchEntry *entry)
{
  g_assert (CD_IS_DEVICES_PAGE (self));

  set_search_text (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
on_search_entry_activate (CdDevicesPage  *self,
                          GtkSearchEntry *entry)
{
  g_assert (CD_IS_DEVICES_PAGE (self));

  /* Enter applies the search at once and moves on to the results. */
  set_search_text (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
  if (g_list_model_get_n_items (G_LIST_MODEL (self->shown)) > 0)
    gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

static void
on_search_entry_stop_search (CdDevicesPage  *self,
                             GtkSearchEntry *entry)
{
  g_assert (CD_IS_DEVICES_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  set_search_text (self, NULL);
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

static void
activate_device (CdDevicesPage *self,
                 CdDevice      *device)
{
  g_assert (CD_IS_DEVICES_PAGE (self));

  if (device != NULL)
    g_signal_emit (self, signals[DEVICE_ACTIVATED], 0, device);
}

static void
on_list_view_activate (CdDevicesPage *self,
                       guint          position,
                       GtkListView   *list_view)
{
  g_autoptr(CdDevice) device = NULL;

  g_assert (CD_IS_DEVICES_PAGE (self));

  device = g_list_model_get_item (G_LIST_MODEL (self->selection), position);
  activate_device (self, device);
}

static void
on_row_click_pressed (CdDevicesPage *self,
                      int            n_press,
                      double         x,
                      double         y,
                      GtkGesture    *gesture)
{
  GdkModifierType state;

  g_assert (CD_IS_DEVICES_PAGE (self));

  state = gtk_event_controller_get_current_event_state (
    GTK_EVENT_CONTROLLER (gesture));

  /* A plain click opens the device; Ctrl- and Shift-clicks are left to
   * the list, which selects with them. */
  if (n_press == 1 && (state & (GDK_CONTROL_MASK | GDK_SHIFT_MASK)) == 0)
    gtk_gesture_set_state (gesture, GTK_EVENT_SEQUENCE_CLAIMED);
  else
    gtk_gesture_set_state (gesture, GTK_EVENT_SEQUENCE_DENIED);
}

static void
on_row_click_released (CdDevicesPage *self,
                       int            n_press,
                       double         x,
                       double         y,
                       GtkGesture    *gesture)
{
  GtkWidget *row;
  GtkListItem *list_item;

  g_assert (CD_IS_DEVICES_PAGE (self));

  row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  list_item = g_object_get_data (G_OBJECT (row), "cd-list-item");
  if (list_item != NULL &&
      gtk_list_item_get_position (list_item) != GTK_INVALID_LIST_POSITION)
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection),
                                     gtk_list_item_get_position (list_item),
                                     TRUE);

  activate_device (self, cd_device_row_get_device (CD_DEVICE_ROW (row)));
}

/* GTK 4.8's list view makes new rows for the items of a change and
 * throws away those of removed items, up to two hundred each time the
 * search changes; the page keeps thrown-away rows for the next ones. */
#define MAX_SPARE_ROWS 256

static CdDeviceRow *
create_row (CdDevicesPage *self)
{
  CdDeviceRow *row = cd_device_row_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  cd_device_row_set_license_types (row, G_LIST_MODEL (self->license_types));
  cd_device_row_set_modules (row, G_LIST_MODEL (self->modules));

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click),
                                              GTK_PHASE_CAPTURE);
  g_signal_connect_object (click, "pressed",
                           G_CALLBACK (on_row_click_pressed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (click, "released",
                           G_CALLBACK (on_row_click_released),
                           self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (row), GTK_EVENT_CONTROLLER (click));

  return row;
}

static void
on_factory_setup (CdDevicesPage            *self,
                  GtkListItem              *list_item,
                  GtkSignalListItemFactory *factory)
{
  CdDeviceRow *row;

  if (self->spare_rows->len > 0)
    row = g_ptr_array_steal_index_fast (self->spare_rows,
                                        self->spare_rows->len - 1);
  else
    row = g_object_ref_sink (create_row (self));

  /* The list item lets go of its child before "teardown"; this reference
   * keeps the row for it. */
  g_object_set_data_full (G_OBJECT (list_item), "cd-device-row", row,
                          g_object_unref);
  g_object_set_data (G_OBJECT (row), "cd-list-item", list_item);
  gtk_list_item_set_child (list_item, GTK_WIDGET (row));
}

static void
on_factory_teardown (CdDevicesPage            *self,
                     GtkListItem              *list_item,
                     GtkSignalListItemFactory *factory)
{
  g_autoptr(GtkWidget) row = g_object_steal_data (G_OBJECT (list_item),
                                                  "cd-device-row");

  if (row == NULL || gtk_widget_get_parent (row) != NULL ||
      self->spare_rows == NULL || self->spare_rows->len >= MAX_SPARE_ROWS)
    return;

  g_object_set_data (G_OBJECT (row), "cd-list-item", NULL);
  g_ptr_array_add (self->spare_rows, g_steal_pointer (&row));
}

static void
on_factory_bind (CdDevicesPage            *self,
                 GtkListItem              *list_item,
                 GtkSignalListItemFactory *factory)
{
  CdDeviceRow *row = CD_DEVICE_ROW (gtk_list_item_get_child (list_item));
  CdDevice *device = gtk_list_item_get_item (list_item);

  cd_device_row_set_device (row, device);
  want_pending_end (self, device);
}

static void
on_factory_unbind (CdDevicesPage            *self,
                   GtkListItem              *list_item,
                   GtkSignalListItemFactory *factory)
{
  CdDeviceRow *row = CD_DEVICE_ROW (gtk_list_item_get_child (list_item));
  CdDevice *device = cd_device_row_get_device (row);

  if (device != NULL)
    g_hash_table_remove (self->details_wanted, device);
  cd_device_row_set_device (row, NULL);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  cd_devices_page_refresh (CD_DEVICES_PAGE (widget));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CdDevicesPage *self = CD_DEVICES_PAGE (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
clear_search_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CdDevicesPage *self = CD_DEVICES_PAGE (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  set_search_text (self, NULL);
  set_license_filter (self, "");
  set_pending_only (self, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

/* The list view selects all with Ctrl+A itself while it has the focus;
 * the page's own binding covers the buttons around it. A focused search
 * entry keeps Ctrl+A for its text, as it sees the key first. */
static void
select_all_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CdDevicesPage *self = CD_DEVICES_PAGE (widget);

  gtk_selection_model_select_all (GTK_SELECTION_MODEL (self->selection));
}

static void
unselect_all_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CdDevicesPage *self = CD_DEVICES_PAGE (widget);

  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
}

static void
on_selection_selection_changed (CdDevicesPage     *self,
                                guint              position,
                                guint              n_items,
                                GtkSelectionModel *selection)
{
  g_assert (CD_IS_DEVICES_PAGE (self));

  update_selection (self);
}

/* A filter that hides selected devices drops them from the selection
 * without a "selection-changed". */
static void
on_selection_items_changed (CdDevicesPage *self,
                            guint          position,
                            guint          removed,
                            guint          added,
                            GListModel    *selection)
{
  g_assert (CD_IS_DEVICES_PAGE (self));

  if (removed > 0)
    update_selection (self);
}

static void
on_client_account_changed (CdDevicesPage  *self,
                           GParamSpec     *pspec,
                           CdPortalClient *client)
{
  g_assert (CD_IS_DEVICES_PAGE (self));

  update_selection (self);
}

static void
bulk_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CdDevicesPage *self = CD_DEVICES_PAGE (widget);
  g_autoptr(GListModel) devices = NULL;
  CdBulkAction action;
  CdBulkDialog *dialog;

  if (!can_change (self))
    return;

  devices = cd_devices_page_get_selected_devices (self);
  if (g_list_model_get_n_items (devices) == 0)
    return;

  action = g_str_equal (action_name, "devices.bulk-cancel")
           ? CD_BULK_ACTION_CANCEL : CD_BULK_ACTION_BOOK;
  /* The dialog changes these very objects in place, so the rows show the
   * new modules as each device is done; no reload is needed. */
  dialog = cd_bulk_dialog_present (widget, self->client, devices, action);
  g_set_weak_pointer (&self->bulk_dialog, dialog);
}

static void
export_csv_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CdDevicesPage *self = CD_DEVICES_PAGE (widget);

  if (self->client == NULL)
    return;

  /* What the user sees, after search and filters, in the shown order. */
  cd_csv_export_run (widget, self->client, G_LIST_MODEL (self->shown));
}

static void
on_pending_view_device_activated (CdDevicesPage *self,
                                  CdDevice      *device,
                                  CdPendingView *view)
{
  g_assert (CD_IS_DEVICES_PAGE (self));

  /* The view's devices are the list's own, so the device page's changes
   * show in the list too. The view has served its purpose and would
   * cover the device. */
  activate_device (self, device);
  gtk_window_destroy (GTK_WINDOW (view));
}

static void
show_pending_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CdDevicesPage *self = CD_DEVICES_PAGE (widget);
  CdPendingView *view;

  if (self->client == NULL || self->loader == NULL)
    return;

  if (self->pending_view != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->pending_view));
      return;
    }

  /* Every device, whatever the search and filters hide. */
  view = cd_pending_view_present (widget, self->client,
                                  cd_device_loader_get_model (self->loader));
  g_signal_connect_object (view, "device-activated",
                           G_CALLBACK (on_pending_view_device_activated), self,
                           G_CONNECT_SWAPPED);
  g_set_weak_pointer (&self->pending_view, view);
}

/* They act for the account that opened them. */
static void
close_windows (CdDevicesPage *self)
{
  g_assert (CD_IS_DEVICES_PAGE (self));

  if (self->bulk_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->bulk_dialog));
  g_clear_weak_pointer (&self->bulk_dialog);
  if (self->pending_view != NULL)
    gtk_window_destroy (GTK_WINDOW (self->pending_view));
  g_clear_weak_pointer (&self->pending_view);
}

static gboolean
cd_devices_page_grab_focus (GtkWidget *widget)
{
  CdDevicesPage *self = CD_DEVICES_PAGE (widget);

  if (gtk_search_bar_get_search_mode (self->search_bar) &&
      g_list_model_get_n_items (G_LIST_MODEL (self->shown)) == 0)
    return gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));

  if (g_str_equal (gtk_stack_get_visible_child_name (self->state_stack),
                   "list"))
    return gtk_widget_grab_focus (GTK_WIDGET (self->list_view));

  return GTK_WIDGET_CLASS (cd_devices_page_parent_class)->grab_focus (widget);
}

static void
cd_devices_page_dispose (GObject *object)
{
  CdDevicesPage *self = CD_DEVICES_PAGE (object);

  close_windows (self);
  stop_loading (self);
  gtk_widget_dispose_template (GTK_WIDGET (object), CD_TYPE_DEVICES_PAGE);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_func (self->client,
                                          on_client_account_changed, self);
  g_clear_object (&self->client);
  g_clear_object (&self->selection);
  g_clear_object (&self->shown);
  g_clear_pointer (&self->spare_rows, g_ptr_array_unref);
  g_clear_object (&self->license_types);
  g_clear_object (&self->modules);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->details_wanted, g_hash_table_unref);
  g_clear_pointer (&self->details_loading, g_hash_table_unref);

  G_OBJECT_CLASS (cd_devices_page_parent_class)->dispose (object);
}

static void
cd_devices_page_finalize (GObject *object)
{
  CdDevicesPage *self = CD_DEVICES_PAGE (object);

  g_clear_error (&self->error);
  g_clear_pointer (&self->license_filter, g_free);
  g_clear_pointer (&self->sort_order, g_free);

  G_OBJECT_CLASS (cd_devices_page_parent_class)->finalize (object);
}

static void
cd_devices_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CdDevicesPage *self = CD_DEVICES_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    case PROP_LICENSE_FILTER:
      g_value_set_string (value, self->license_filter);
      break;

    case PROP_PENDING_ONLY:
      g_value_set_boolean (value, self->pending_only);
      break;

    case PROP_SORT_ORDER:
      g_value_set_string (value, self->sort_order);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_devices_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  CdDevicesPage *self = CD_DEVICES_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      cd_devices_page_set_client (self, g_value_get_object (value));
      break;

    case PROP_LICENSE_FILTER:
      set_license_filter (self, g_value_get_string (value));
      break;

    case PROP_PENDING_ONLY:
      set_pending_only (self, g_value_get_boolean (value));
      break;

    case PROP_SORT_ORDER:
      set_sort_order (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_devices_page_class_init (CdDevicesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cd_devices_page_dispose;
  object_class->finalize = cd_devices_page_finalize;
  object_class->get_property = cd_devices_page_get_property;
  object_class->set_property = cd_devices_page_set_property;
  widget_class->grab_focus = cd_devices_page_grab_focus;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL,
                         CD_TYPE_PORTAL_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  /* "" shows every device, "none" those without a license, else a type. */
  properties[PROP_LICENSE_FILTER] =
    g_param_spec_string ("license-filter", NULL, NULL,
                         "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  properties[PROP_PENDING_ONLY] =
    g_param_spec_boolean ("pending-only", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);
  /* As the GSettings key: "name", "term-end" or "last-seen". */
  properties[PROP_SORT_ORDER] =
    g_param_spec_string ("sort-order", NULL, NULL,
                         "name",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CdDevicesPage::device-activated:
   * @device: the device the user opened
   */
  signals[DEVICE_ACTIVATED] =
    g_signal_new ("device-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, CD_TYPE_DEVICE);

  g_type_ensure (CD_TYPE_PRIMARY_MENU_BUTTON);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/com/coredinate/Admin/cd-devices-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CdDevicesPage,
                                        window_title);
  gtk_widget_class_bind_template_child (widget_class, CdDevicesPage,
                                        filter_button);
  gtk_widget_class_bind_template_child (widget_class, CdDevicesPage,
                                        search_bar);
  gtk_widget_class_bind_template_child (widget_class, CdDevicesPage,
                                        search_entry);
  gtk_widget_class_bind_template_child (widget_class, CdDevicesPage,
                                        state_stack);
  gtk_widget_class_bind_template_child (widget_class, CdDevicesPage,
                                        loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, CdDevicesPage,
                                        loading_label);
  gtk_widget_class_bind_template_child (widget_class, CdDevicesPage,
                                        progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, CdDevicesPage,
                                        progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CdDevicesPage,
                                        progress_label);
  gtk_widget_class_bind_template_child (widget_class, CdDevicesPage,
                                        scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, CdDevicesPage,
                                        list_view);
  gtk_widget_class_bind_template_child (widget_class, CdDevicesPage,
                                        selection_bar);
  gtk_widget_class_bind_template_child (widget_class, CdDevicesPage,
                                        selection_label);
  gtk_widget_class_bind_template_child (widget_class, CdDevicesPage,
                                        viewer_label);
  gtk_widget_class_bind_template_child (widget_class, CdDevicesPage,
                                        bulk_book_button);
  gtk_widget_class_bind_template_child (widget_class, CdDevicesPage,
                                        bulk_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CdDevicesPage,
                                        no_match_page);
  gtk_widget_class_bind_template_child (widget_class, CdDevicesPage,
                                        error_page);
  gtk_widget_class_bind_template_callback (widget_class,
                                           on_search_entry_search_changed);
  gtk_widget_class_bind_template_callback (widget_class,
                                           on_search_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class,
                                           on_search_entry_stop_search);
  gtk_widget_class_bind_template_callback (widget_class,
                                           on_list_view_activate);

  gtk_widget_class_install_action (widget_class, "devices.refresh", NULL,
                                   refresh_action);
  gtk_widget_class_install_action (widget_class, "devices.search", NULL,
                                   search_action);
  gtk_widget_class_install_action (widget_class, "devices.clear-search", NULL,
                                   clear_search_action);
  gtk_widget_class_install_action (widget_class, "devices.select-all", NULL,
                                   select_all_action);
  gtk_widget_class_install_action (widget_class, "devices.unselect-all", NULL,
                                   unselect_all_action);
  gtk_widget_class_install_action (widget_class, "devices.bulk-book", NULL,
                                   bulk_action);
  gtk_widget_class_install_action (widget_class, "devices.bulk-cancel", NULL,
                                   bulk_action);
  gtk_widget_class_install_action (widget_class, "devices.export-csv", NULL,
                                   export_csv_action);
  gtk_widget_class_install_action (widget_class, "devices.show-pending", NULL,
                                   show_pending_action);
  gtk_widget_class_install_property_action (widget_class,
                                            "devices.license-filter",
                                            "license-filter");
  gtk_widget_class_install_property_action (widget_class,
                                            "devices.pending-only",
                                            "pending-only");
  gtk_widget_class_install_property_action (widget_class,
                                            "devices.sort-order",
                                            "sort-order");

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0,
                                       "devices.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r,
                                       GDK_CONTROL_MASK,
                                       "devices.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f,
                                       GDK_CONTROL_MASK,
                                       "devices.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a,
                                       GDK_CONTROL_MASK,
                                       "devices.select-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_A,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "devices.unselect-all", NULL);
}

static void
cd_devices_page_init (CdDevicesPage *self)
{
  GtkListItemFactory *factory;

  self->license_filter = g_strdup ("");
  self->license_types = g_list_store_new (CD_TYPE_LICENSE_TYPE);
  self->modules = g_list_store_new (CD_TYPE_MODULE);
  self->details_wanted = g_hash_table_new_full (g_direct_hash, g_direct_equal,
                                                g_object_unref, NULL);
  self->details_loading = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                 g_free, NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->shown = cd_device_list_model_new ();
  self->spare_rows = g_ptr_array_new_with_free_func (g_object_unref);
  self->selection = gtk_multi_selection_new (
    g_object_ref (G_LIST_MODEL (self->shown)));
  g_signal_connect_object (self->shown, "items-changed",
                           G_CALLBACK (on_filter_items_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "selection-changed",
                           G_CALLBACK (on_selection_selection_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "items-changed",
                           G_CALLBACK (on_selection_items_changed),
                           self, G_CONNECT_SWAPPED);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect_object (factory, "setup", G_CALLBACK (on_factory_setup),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (factory, "bind", G_CALLBACK (on_factory_bind),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (on_factory_unbind),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (factory, "teardown",
                           G_CALLBACK (on_factory_teardown),
                           self, G_CONNECT_SWAPPED);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view,
                           GTK_SELECTION_MODEL (self->selection));

  gtk_search_bar_connect_entry (self->search_bar,
                                GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));

  set_sort_order (self, "name");
  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "sort-order", self, "sort-order",
                   G_SETTINGS_BIND_DEFAULT);

  rebuild_filter_menu (self);
  update_state (self);
  update_selection (self);
}

/**
 * cd_devices_page_set_client:
 * @client: (nullable): the signed-in client, or %NULL after sign-out
 *
 * Shows the devices of @client, loading them at once.
 */
void
cd_devices_page_set_client (CdDevicesPage  *self,
                            CdPortalClient *client)
{
  g_return_if_fail (CD_IS_DEVICES_PAGE (self));
  g_return_if_fail (client == NULL || CD_IS_PORTAL_CLIENT (client));

  if (self->client == client)
    return;

  close_windows (self);
  stop_loading (self);
  g_clear_error (&self->error);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_func (self->client,
                                          on_client_account_changed, self);
  g_set_object (&self->client, client);
  if (client != NULL)
    g_signal_connect_object (client, "notify::account",
                             G_CALLBACK (on_client_account_changed), self,
                             G_CONNECT_SWAPPED);

  /* Another account may see other catalogues, in another language. */
  self->catalogues_loaded = FALSE;
  g_list_store_remove_all (self->license_types);
  g_list_store_remove_all (self->modules);
  rebuild_filter_menu (self);

  if (self->client != NULL)
    start_loading (self, FALSE);
  else
    update_state (self);
  update_selection (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
}

/**
 * cd_devices_page_get_client:
 *
 * Returns: (transfer none) (nullable): the client the page shows
 */
CdPortalClient *
cd_devices_page_get_client (CdDevicesPage *self)
{
  g_return_val_if_fail (CD_IS_DEVICES_PAGE (self), NULL);

  return self->client;
}

/**
 * cd_devices_page_get_selection:
 *
 * Returns: (transfer none): the GtkMultiSelection of the shown devices
 */
GListModel *
cd_devices_page_get_selection (CdDevicesPage *self)
{
  g_return_val_if_fail (CD_IS_DEVICES_PAGE (self), NULL);

  return G_LIST_MODEL (self->selection);
}

/**
 * cd_devices_page_get_selected_devices:
 *
 * Returns: (transfer full): a new GListModel of the selected CdDevice
 *   objects, in the shown order
 */
GListModel *
cd_devices_page_get_selected_devices (CdDevicesPage *self)
{
  g_autoptr(GtkBitset) selected = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  GListStore *store;
  GtkBitsetIter iter;
  guint position;

  g_return_val_if_fail (CD_IS_DEVICES_PAGE (self), NULL);

  selected = gtk_selection_model_get_selection (
    GTK_SELECTION_MODEL (self->selection));
  devices = g_ptr_array_new_full ((guint) gtk_bitset_get_size (selected),
                                  g_object_unref);
  for (gboolean valid = gtk_bitset_iter_init_first (&iter, selected, &position);
       valid;
       valid = gtk_bitset_iter_next (&iter, &position))
    {
      CdDevice *device = g_list_model_get_item (G_LIST_MODEL (self->selection),
                                                position);

      if (device != NULL)
        g_ptr_array_add (devices, device);
    }

  store = g_list_store_new (CD_TYPE_DEVICE);
  g_list_store_splice (store, 0, 0, devices->pdata, devices->len);

  return G_LIST_MODEL (store);
}

void
cd_devices_page_refresh (CdDevicesPage *self)
{
  g_return_if_fail (CD_IS_DEVICES_PAGE (self));

  if (self->client == NULL)
    return;

  start_loading (self, TRUE);
}
