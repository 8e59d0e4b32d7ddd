/* cd-device-page.c: one device, with its license and add-on modules.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "cd-book-module-dialog.h"
#include "cd-booking-row.h"
#include "cd-device-page.h"
#include "cd-error-text.h"
#include "cd-format.h"
#include "cd-primary-menu-button.h"

typedef enum
{
  CHANGE_BOOK,
  CHANGE_CANCEL,
  CHANGE_WITHDRAW,
} ChangeKind;

typedef struct _Change Change;

/* One change the user asked for. It is kept after a network failure so
 * that "Retry" sends the very same request, Idempotency-Key included. */
struct _Change
{
  ChangeKind  kind;
  CdDevice   *device;           /* (owned) the device the page was given */
  char       *target;           /* (owned) module code or booking id */
  char       *module_name;      /* (owned) for messages */
  gint64      revision;         /* the revision the user saw */
  char       *idempotency_key;  /* (owned) */
  GDate      *shown_end;        /* (owned) (nullable) the end date the user
                                 * confirmed a cancellation with */
};

struct _CdDevicePage
{
  AdwBin              parent_instance;

  CdPortalClient     *client;              /* (owned) (nullable) */
  CdDevice           *device;              /* (owned) (nullable) from the list */
  CdDevice           *detail;              /* (owned) (nullable) fresh detail */
  GListModel         *license_types;       /* (owned) (nullable) of CdLicenseType */
  GListModel         *modules;             /* (owned) (nullable) of CdModule */
  GListModel         *events;              /* (owned) (nullable) of CdEvent */
  Change             *change;              /* (owned) (nullable) */
  GCancellable       *cancellable;         /* (owned) loads for the shown device */
  GCancellable       *catalog_cancellable; /* (owned) catalogues of the client */
  GCancellable       *change_cancellable;  /* (owned) changes, until dispose */
  CdBookModuleDialog *book_dialog;         /* (nullable) weak */
  AdwToast           *undo_toast;          /* (owned) (nullable) */

  guint               busy : 1;            /* a change is in flight */
  guint               loading_license_types : 1;
  guint               loading_modules : 1;
  guint               tab_chosen : 1;

  AdwWindowTitle     *title;
  AdwToastOverlay    *toast_overlay;
  GtkRevealer        *banner_revealer;
  GtkLabel           *banner_label;
  GtkWidget          *retry_button;
  GtkNotebook        *notebook;

  GtkLabel           *name_label;
  GtkLabel           *model_label;
  GtkLabel           *platform_label;
  GtkLabel           *serial_label;
  GtkLabel           *app_version_label;
  GtkLabel           *last_seen_label;

  GtkWidget          *license_state_row;
  GtkLabel           *license_state_label;
  GtkWidget          *license_type_row;
  GtkLabel           *license_type_label;
  GtkWidget          *term_row;
  GtkLabel           *term_label;
  GtkWidget          *current_term_end_row;
  GtkLabel           *current_term_end_label;
  GtkWidget          *notice_deadline_row;
  GtkLabel           *notice_deadline_label;
  GtkWidget          *next_possible_end_row;
  GtkLabel           *next_possible_end_label;

  GtkLabel           *modules_hint_label;
  GtkSpinner         *busy_spinner;
  GtkStack           *bookings_stack;
  GtkListBox         *bookings_list;
  GtkStack           *history_stack;
  GtkListBox         *events_list;
};

G_DEFINE_FINAL_TYPE (CdDevicePage, cd_device_page, ADW_TYPE_BIN)

static void load_device         (CdDevicePage *self);
static void send_change         (CdDevicePage *self);
static void refresh_left_device (CdDevicePage *self,
                                 Change       *change);

static void
change_clear (Change *change)
{
  g_clear_object (&change->device);
  g_free (change->target);
  g_free (change->module_name);
  g_free (change->idempotency_key);
  g_clear_pointer (&change->shown_end, g_date_free);
}

/* Shared by the page (to retry it) and the request in flight. */
static Change *
change_ref (Change *change)
{
  return g_rc_box_acquire (change);
}

static void
change_unref (Change *change)
{
  g_rc_box_release_full (change, (GDestroyNotify) change_clear);
}

/* One request of a change on its way to the portal. */
typedef struct
{
  CdDevicePage *page;    /* (owned) */
  Change       *change;  /* (owned) */
} ChangeCall;

static void
change_call_free (ChangeCall *call)
{
  g_clear_object (&call->page);
  g_clear_pointer (&call->change, change_unref);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChangeCall, change_call_free)

/* The device's freshest state: the detail once it is loaded. */
static CdDevice *
shown_device (CdDevicePage *self)
{
  return self->detail != NULL ? self->detail : self->device;
}

static gboolean
can_change (CdDevicePage *self)
{
  CdAccount *account;

  if (self->client == NULL)
    return FALSE;

  account = cd_portal_client_get_account (self->client);

  return account != NULL
         && cd_account_get_role (account) == CD_ACCOUNT_ROLE_ADMIN;
}

/* (transfer none): the catalogue keeps its modules alive. */
static CdModule *
lookup_module (CdDevicePage *self,
               const char   *module_code)
{
  guint n_modules;

  if (self->modules == NULL)
    return NULL;

  n_modules = g_list_model_get_n_items (self->modules);
  for (guint i = 0; i < n_modules; i++)
    {
      g_autoptr(CdModule) module = g_list_model_get_item (self->modules, i);

      if (g_strcmp0 (cd_module_get_code (module), module_code) == 0)
        return module;
    }

  return NULL;
}

static const char *
module_name (CdDevicePage *self,
             const char   *module_code)
{
  CdModule *module = lookup_module (self, module_code);

  return module != NULL ? cd_module_get_name (module) : module_code;
}

static const char *
license_type_name (CdDevicePage *self,
                   const char   *type_code)
{
  guint n_types;

  if (self->license_types == NULL)
    return type_code;

  n_types = g_list_model_get_n_items (self->license_types);
  for (guint i = 0; i < n_types; i++)
    {
      g_autoptr(CdLicenseType) type = g_list_model_get_item (self->license_types,
                                                             i);

      if (g_strcmp0 (cd_license_type_get_code (type), type_code) == 0)
        return cd_license_type_get_name (type);
    }

  return type_code;
}

static void
show_message (CdDevicePage *self,
              const char   *message,
              gboolean      offer_retry)
{
  g_assert (CD_IS_DEVICE_PAGE (self));

  gtk_label_set_text (self->banner_label, message);
  gtk_widget_set_visible (self->retry_button, offer_retry);
  gtk_revealer_set_reveal_child (self->banner_revealer, TRUE);
}

static void
show_error (CdDevicePage *self,
            const GError *error,
            gboolean      offer_retry)
{
  g_autofree char *text = cd_error_text (error);

  show_message (self, text, offer_retry);
}

static void
hide_message (CdDevicePage *self)
{
  gtk_revealer_set_reveal_child (self->banner_revealer, FALSE);
}

static void
add_toast (CdDevicePage *self,
           AdwToast     *toast)
{
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
set_value (GtkLabel   *label,
           GtkWidget  *row,
           const char *value)
{
  gtk_label_set_text (label, value != NULL ? value : "");
  if (row != NULL)
    gtk_widget_set_visible (row, value != NULL);
}

static void
set_date_value (GtkLabel    *label,
                GtkWidget   *row,
                const GDate *date)
{
  g_autofree char *text = cd_format_date (date);

  set_value (label, row, text);
}

static char *
format_months (int months)
{
  if (months < 0)
    return NULL;

  /* TRANSLATORS: a term or notice period, e.g. "24 months" */
  return g_strdup_printf (ngettext ("%d month", "%d months", months), months);
}

/* "24 months from Mar 15, 2025": length and start in one row, so that the
 * module list stays in view on a small screen. */
static char *
format_term (CdLicense *license)
{
  g_autofree char *months = NULL;
  g_autofree char *start = NULL;

  months = format_months (cd_license_get_term_months (license));
  start = cd_format_date (cd_license_get_term_start (license));

  if (start == NULL)
    return g_steal_pointer (&months);

  if (months == NULL)
    return g_steal_pointer (&start);

  /* TRANSLATORS: a license term, "24 months from Mar 15, 2025" */
  return g_strdup_printf (_("%1$s from %2$s"), months, start);
}

/* Under the notice deadline. A deadline that has passed is why the next
 * possible end lies a term after the current term end, so it says so. */
static char *
format_notice_period (CdLicense *license)
{
  int months = cd_license_get_notice_months (license);
  const GDate *term_end = cd_license_get_current_term_end (license);
  const GDate *next_end = cd_license_get_next_possible_end (license);
  g_autofree char *period = NULL;
  gboolean passed;

  if (months < 0)
    return NULL;

  passed = term_end != NULL && next_end != NULL
           && g_date_valid (term_end) && g_date_valid (next_end)
           && g_date_compare (next_end, term_end) > 0;

  if (months == 0)
    return g_strdup (_("No notice period"));

  period = format_months (months);
  if (passed)
    /* TRANSLATORS: under the notice deadline, "Notice period: 3 months,
     * deadline passed" */
    return g_strdup_printf (_("Notice period: %s, deadline passed"), period);

  /* TRANSLATORS: under the notice deadline, "Notice period: 3 months" */
  return g_strdup_printf (_("Notice period: %s"), period);
}

static void
update_actions (CdDevicePage *self)
{
  CdLicense *license = NULL;
  gboolean idle;
  gboolean admin;
  gboolean license_active;
  gboolean has_bookable = FALSE;

  g_assert (CD_IS_DEVICE_PAGE (self));

  if (self->detail != NULL)
    {
      const char * const *bookable = cd_device_get_bookable (self->detail);

      license = cd_device_get_license (self->detail);
      has_bookable = bookable != NULL && bookable[0] != NULL;
    }

  admin = can_change (self);
  idle = !self->busy && self->detail != NULL;
  license_active = license != NULL
                   && cd_license_get_state (license) == CD_LICENSE_STATE_ACTIVE;

  /* The book dialog needs the catalogue for names and prices. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "device.book",
                                 admin && idle && license_active
                                 && has_bookable && self->modules != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "device.cancel",
                                 admin && idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "device.withdraw",
                                 admin && idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "device.retry",
                                 !self->busy && self->device != NULL);

  gtk_widget_set_visible (GTK_WIDGET (self->busy_spinner), self->busy);
  gtk_spinner_set_spinning (self->busy_spinner, self->busy);
}

static void
render_overview (CdDevicePage *self)
{
  CdDevice *device = shown_device (self);
  g_autofree char *last_seen = NULL;
  g_autofree char *last_seen_relative = NULL;
  g_autofree char *last_seen_text = NULL;
  GDateTime *last_seen_at;
  const char *platform;

  g_assert (CD_IS_DEVICE_PAGE (self));

  if (device == NULL)
    {
      adw_window_title_set_title (self->title, _("Device"));
      adw_window_title_set_subtitle (self->title, NULL);
      return;
    }

  adw_window_title_set_title (self->title, cd_device_get_name (device));
  adw_window_title_set_subtitle (self->title, cd_device_get_model (device));

  /* TRANSLATORS: operating system names */
  platform = cd_device_get_platform (device) == CD_PLATFORM_IOS
             ? _("iOS") : _("Android");

  last_seen_at = cd_device_get_last_seen_at (device);
  if (last_seen_at != NULL)
    {
      last_seen = cd_format_date_time (last_seen_at);
      last_seen_relative = cd_format_relative_time (last_seen_at, NULL);
      /* TRANSLATORS: "Dec 11, 2026, 09:30 (3 days ago)" */
      last_seen_text = g_strdup_printf (_("%s (%s)"), last_seen,
                                        last_seen_relative);
    }
  else
    last_seen_text = g_strdup (_("Never"));

  set_value (self->name_label, NULL, cd_device_get_name (device));
  set_value (self->model_label, NULL, cd_device_get_model (device));
  set_value (self->platform_label, NULL, platform);
  set_value (self->serial_label, NULL, cd_device_get_serial (device));
  set_value (self->app_version_label, NULL,
             cd_device_get_app_version (device));
  set_value (self->last_seen_label, NULL, last_seen_text);
}

static void
render_license (CdDevicePage *self)
{
  CdDevice *device = shown_device (self);
  CdLicense *license = device != NULL ? cd_device_get_license (device) : NULL;
  GtkWidget *state_widget = GTK_WIDGET (self->license_state_label);
  g_autofree char *state = NULL;
  g_autofree char *ends_on = NULL;
  g_autofree char *term = NULL;
  g_autofree char *notice_period = NULL;

  g_assert (CD_IS_DEVICE_PAGE (self));

  gtk_widget_remove_css_class (state_widget, "no-license");
  gtk_widget_remove_css_class (state_widget, "pending-cancellation");

  if (license == NULL)
    {
      set_value (self->license_state_label, self->license_state_row,
                 device != NULL ? _("No license") : NULL);
      gtk_widget_add_css_class (state_widget, "no-license");
      set_value (self->license_type_label, self->license_type_row, NULL);
      set_value (self->term_label, self->term_row, NULL);
      set_value (self->current_term_end_label, self->current_term_end_row,
                 NULL);
      set_value (self->notice_deadline_label, self->notice_deadline_row,
                 NULL);
      set_value (self->next_possible_end_label, self->next_possible_end_row,
                 NULL);
      return;
    }

  ends_on = cd_format_date (cd_license_get_ends_on (license));
  switch (cd_license_get_state (license))
    {
    case CD_LICENSE_STATE_ACTIVE:
      state = g_strdup (_("Active, renews automatically"));
      break;

    case CD_LICENSE_STATE_CANCELLED:
      /* TRANSLATORS: %s is a date like "Mar 14, 2027" */
      state = g_strdup_printf (_("Cancelled, ends on %s"),
                               ends_on != NULL ? ends_on : "?");
      gtk_widget_add_css_class (state_widget, "pending-cancellation");
      break;

    case CD_LICENSE_STATE_ENDED:
    default:
      if (ends_on != NULL)
        /* TRANSLATORS: %s is a date like "Mar 14, 2027" */
        state = g_strdup_printf (_("Ended on %s"), ends_on);
      else
        state = g_strdup (_("Ended"));
      gtk_widget_add_css_class (state_widget, "no-license");
      break;
    }

  term = format_term (license);
  notice_period = format_notice_period (license);

  set_value (self->license_state_label, self->license_state_row, state);
  set_value (self->license_type_label, self->license_type_row,
             license_type_name (self, cd_license_get_type_code (license)));
  set_value (self->term_label, self->term_row, term);
  set_date_value (self->current_term_end_label, self->current_term_end_row,
                  cd_license_get_current_term_end (license));
  set_date_value (self->notice_deadline_label, self->notice_deadline_row,
                  cd_license_get_notice_deadline (license));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->notice_deadline_row),
                               notice_period != NULL ? notice_period : "");
  set_date_value (self->next_possible_end_label, self->next_possible_end_row,
                  cd_license_get_next_possible_end (license));

  /* Notice only matters while the license still renews, and an ended
   * license has no term end ahead; showing those dates would suggest a
   * choice the admin no longer has. */
  if (cd_license_get_state (license) != CD_LICENSE_STATE_ACTIVE)
    set_value (self->notice_deadline_label, self->notice_deadline_row, NULL);

  if (cd_license_get_state (license) == CD_LICENSE_STATE_ENDED)
    {
      set_value (self->current_term_end_label, self->current_term_end_row,
                 NULL);
      set_value (self->next_possible_end_label, self->next_possible_end_row,
                 NULL);
    }
}

/* Says why the module controls cannot be used, when they cannot. */
static void
render_hint (CdDevicePage *self)
{
  CdDevice *device = shown_device (self);
  CdLicense *license = device != NULL ? cd_device_get_license (device) : NULL;
  g_autoptr(GPtrArray) reasons = g_ptr_array_new_null_terminated (2, NULL,
                                                                   TRUE);
  g_autofree char *hint = NULL;

  g_assert (CD_IS_DEVICE_PAGE (self));

  if (device != NULL && self->client != NULL && !can_change (self))
    g_ptr_array_add (reasons,
                     _("Only administrators can book or cancel modules."));

  if (device != NULL && license == NULL)
    g_ptr_array_add (reasons,
                     _("This device has no license. Modules can only be "
                       "booked on a device with a license."));
  else if (license != NULL
           && cd_license_get_state (license) == CD_LICENSE_STATE_CANCELLED)
    g_ptr_array_add (reasons,
                     _("The license has been cancelled, so no more modules "
                       "can be booked and cancellations cannot be "
                       "withdrawn."));
  else if (license != NULL
           && cd_license_get_state (license) == CD_LICENSE_STATE_ENDED)
    g_ptr_array_add (reasons,
                     _("The license has ended, so no modules can be "
                       "booked."));
  else if (self->detail != NULL)
    {
      const char * const *bookable = cd_device_get_bookable (self->detail);

      if (bookable == NULL || bookable[0] == NULL)
        g_ptr_array_add (reasons,
                         _("Every module available for this license is "
                           "already booked."));
    }

  hint = g_strjoinv ("\n", (char **) reasons->pdata);
  gtk_label_set_text (self->modules_hint_label, hint);
  gtk_widget_set_visible (GTK_WIDGET (self->modules_hint_label),
                          reasons->len > 0);
}

static void
render_bookings (CdDevicePage *self)
{
  GtkListBoxRow *row;
  GListModel *bookings;
  CdLicense *license;
  gboolean withdrawable;
  guint n_bookings;

  g_assert (CD_IS_DEVICE_PAGE (self));

  /* Row by row: the first child may be the placeholder, which stays. */
  while ((row = gtk_list_box_get_row_at_index (self->bookings_list, 0)))
    gtk_list_box_remove (self->bookings_list, GTK_WIDGET (row));

  if (self->detail == NULL)
    {
      gtk_stack_set_visible_child_name (self->bookings_stack, "loading");
      return;
    }

  /* The contract allows no withdrawal once the license is cancelled. */
  license = cd_device_get_license (self->detail);
  withdrawable = license != NULL
                 && cd_license_get_state (license) == CD_LICENSE_STATE_ACTIVE;

  bookings = cd_device_get_bookings (self->detail);
  n_bookings = g_list_model_get_n_items (bookings);
  for (guint i = 0; i < n_bookings; i++)
    {
      g_autoptr(CdBooking) booking = g_list_model_get_item (bookings, i);
      CdModule *module = lookup_module (self,
                                        cd_booking_get_module_code (booking));

      gtk_list_box_append (self->bookings_list,
                           cd_booking_row_new (booking, module, withdrawable));
    }

  gtk_stack_set_visible_child_name (self->bookings_stack, "list");
}

static GtkWidget *
create_event_row (CdDevicePage *self,
                  CdEvent      *event)
{
  g_autofree char *title = NULL;
  g_autofree char *at = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *ends_on = NULL;
  const char *name;
  GtkWidget *row;

  g_assert (CD_IS_DEVICE_PAGE (self));
  g_assert (CD_IS_EVENT (event));

  name = module_name (self, cd_event_get_module_code (event));
  ends_on = cd_format_date (cd_event_get_ends_on (event));

  switch (cd_event_get_action (event))
    {
    case CD_EVENT_ACTION_MODULE_BOOKED:
      /* TRANSLATORS: %s is a module name */
      title = g_strdup_printf (_("Booked “%s”"), name);
      break;

    case CD_EVENT_ACTION_MODULE_CANCELLED:
      if (ends_on != NULL)
        /* TRANSLATORS: %1$s is a module name, %2$s a date */
        title = g_strdup_printf (_("Cancelled “%1$s”, ends on %2$s"),
                                 name, ends_on);
      else
        /* TRANSLATORS: %s is a module name */
        title = g_strdup_printf (_("Cancelled “%s”"), name);
      break;

    case CD_EVENT_ACTION_CANCELLATION_WITHDRAWN:
    default:
      /* TRANSLATORS: %s is a module name */
      title = g_strdup_printf (_("Withdrew the cancellation of “%s”"), name);
      break;
    }

  at = cd_format_date_time (cd_event_get_at (event));
  /* TRANSLATORS: when and by whom, "Dec 14, 2026, 09:30 · admin@example.com" */
  subtitle = g_strdup_printf (_("%s · %s"), at, cd_event_get_actor (event));

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  return row;
}

static void
render_events (CdDevicePage *self)
{
  GtkListBoxRow *row;
  guint n_events;

  g_assert (CD_IS_DEVICE_PAGE (self));

  while ((row = gtk_list_box_get_row_at_index (self->events_list, 0)))
    gtk_list_box_remove (self->events_list, GTK_WIDGET (row));

  if (self->events == NULL)
    {
      gtk_stack_set_visible_child_name (self->history_stack, "loading");
      return;
    }

  n_events = g_list_model_get_n_items (self->events);
  for (guint i = 0; i < n_events; i++)
    {
      g_autoptr(CdEvent) event = g_list_model_get_item (self->events, i);

      gtk_list_box_append (self->events_list, create_event_row (self, event));
    }

  gtk_stack_set_visible_child_name (self->history_stack,
                                    n_events > 0 ? "list" : "empty");
}

static void
render (CdDevicePage *self)
{
  render_overview (self);
  render_license (self);
  render_hint (self);
  render_bookings (self);
  render_events (self);
  update_actions (self);
}

/* Loading */

static void
on_license_types_loaded (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(CdDevicePage) self = user_data;
  g_autoptr(GListModel) license_types = NULL;
  g_autoptr(GError) error = NULL;

  license_types =
    cd_portal_client_list_license_types_finish (CD_PORTAL_CLIENT (source),
                                                result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->loading_license_types = FALSE;
  if (error != NULL)
    {
      /* The page still works with type codes; say what failed anyway. */
      show_error (self, error, TRUE);
      return;
    }

  g_set_object (&self->license_types, license_types);
  render_license (self);
}

static void
on_modules_loaded (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CdDevicePage) self = user_data;
  g_autoptr(GListModel) modules = NULL;
  g_autoptr(GError) error = NULL;

  modules = cd_portal_client_list_modules_finish (CD_PORTAL_CLIENT (source),
                                                  result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->loading_modules = FALSE;
  if (error != NULL)
    {
      show_error (self, error, TRUE);
      return;
    }

  g_set_object (&self->modules, modules);
  render_bookings (self);
  render_events (self);
  update_actions (self);
}

/* The catalogues change rarely, so they are loaded once per client. */
static void
load_catalogues (CdDevicePage *self)
{
  g_assert (CD_IS_DEVICE_PAGE (self));

  if (self->client == NULL)
    return;

  if (self->license_types == NULL && !self->loading_license_types)
    {
      self->loading_license_types = TRUE;
      cd_portal_client_list_license_types_async (self->client,
                                                 self->catalog_cancellable,
                                                 on_license_types_loaded,
                                                 g_object_ref (self));
    }

  if (self->modules == NULL && !self->loading_modules)
    {
      self->loading_modules = TRUE;
      cd_portal_client_list_modules_async (self->client,
                                           self->catalog_cancellable,
                                           on_modules_loaded,
                                           g_object_ref (self));
    }
}

static void
apply_detail (CdDevicePage *self,
              CdDevice     *detail)
{
  g_assert (CD_IS_DEVICE_PAGE (self));
  g_assert (CD_IS_DEVICE (detail));

  /* The list row shows the same object, so it follows without a reload. */
  cd_device_update_from (self->device, detail);
  g_set_object (&self->detail, detail);

  render_overview (self);
  render_license (self);
  render_hint (self);
  render_bookings (self);
  update_actions (self);
}

static void
on_detail_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CdDevicePage) self = user_data;
  g_autoptr(CdDevice) detail = NULL;
  g_autoptr(GError) error = NULL;

  detail = cd_portal_client_get_device_finish (CD_PORTAL_CLIENT (source),
                                               result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    {
      show_error (self, error, TRUE);
      return;
    }

  apply_detail (self, detail);
}

static void
on_events_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CdDevicePage) self = user_data;
  g_autoptr(GListModel) events = NULL;
  g_autoptr(GError) error = NULL;

  events = cd_portal_client_list_events_finish (CD_PORTAL_CLIENT (source),
                                                result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    {
      show_error (self, error, TRUE);
      return;
    }

  g_set_object (&self->events, events);
  render_events (self);
}

static void
load_events (CdDevicePage *self)
{
  g_assert (CD_IS_DEVICE_PAGE (self));

  cd_portal_client_list_events_async (self->client,
                                      cd_device_get_id (self->device),
                                      self->cancellable,
                                      on_events_loaded,
                                      g_object_ref (self));
}

/* Starts over for the current device and client: summary now, detail,
 * catalogues and history when they arrive. */
static void
load_device (CdDevicePage *self)
{
  g_assert (CD_IS_DEVICE_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  g_clear_object (&self->detail);
  g_clear_object (&self->events);
  render (self);

  if (self->client == NULL || self->device == NULL)
    return;

  load_catalogues (self);
  cd_portal_client_get_device_async (self->client,
                                     cd_device_get_id (self->device),
                                     self->cancellable,
                                     on_detail_loaded,
                                     g_object_ref (self));
  load_events (self);
}

/* Changes */

typedef struct
{
  CdDevicePage *page;    /* (owned) */
  CdDevice     *device;  /* (owned) */
} Refresh;

static void
refresh_free (Refresh *refresh)
{
  g_clear_object (&refresh->page);
  g_clear_object (&refresh->device);
  g_free (refresh);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Refresh, refresh_free)

static void
on_refreshed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(Refresh) refresh = user_data;
  CdDevicePage *self = refresh->page;
  g_autoptr(CdDevice) fresh = NULL;
  g_autoptr(GError) error = NULL;

  fresh = cd_portal_client_get_device_finish (CD_PORTAL_CLIENT (source),
                                              result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->busy = FALSE;

  if (refresh->device != self->device)
    {
      /* The user moved on; the list still gets the new state. */
      if (fresh != NULL)
        cd_device_update_from (refresh->device, fresh);
      update_actions (self);
      return;
    }

  if (error != NULL)
    {
      show_error (self, error, TRUE);
      update_actions (self);
      return;
    }

  apply_detail (self, fresh);
  load_events (self);
}

/* After a change (or a refused one) the page and the list show what the
 * portal has now. The page stays busy until then, so no change is made
 * against a revision the user has not seen. */
static void
refresh_after_change (CdDevicePage *self,
                      CdDevice     *device)
{
  Refresh *refresh;

  g_assert (CD_IS_DEVICE_PAGE (self));
  g_assert (CD_IS_DEVICE (device));

  refresh = g_new0 (Refresh, 1);
  refresh->page = g_object_ref (self);
  refresh->device = g_object_ref (device);

  cd_portal_client_get_device_async (self->client,
                                     cd_device_get_id (device),
                                     self->change_cancellable,
                                     on_refreshed,
                                     refresh);
}

static gboolean
is_retryable (const GError *error)
{
  return g_error_matches (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_NETWORK)
         || g_error_matches (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_TIMEOUT)
         || g_error_matches (error, CD_PORTAL_ERROR,
                             CD_PORTAL_ERROR_SERVER_ERROR);
}

static gboolean
is_conflict (const GError *error)
{
  return g_error_matches (error, CD_PORTAL_ERROR,
                          CD_PORTAL_ERROR_PRECONDITION_FAILED)
         || g_error_matches (error, CD_PORTAL_ERROR,
                             CD_PORTAL_ERROR_ALREADY_BOOKED)
         || g_error_matches (error, CD_PORTAL_ERROR,
                             CD_PORTAL_ERROR_BOOKING_NOT_ACTIVE);
}

/* What went wrong with @change; when the page shows another device by
 * now, the message says which device and module it is about. */
static void
show_change_error (CdDevicePage *self,
                   Change       *change,
                   const GError *error,
                   gboolean      offer_retry)
{
  g_autofree char *text = NULL;
  g_autofree char *message = NULL;

  g_assert (CD_IS_DEVICE_PAGE (self));
  g_assert (error != NULL);

  if (change->device == self->device)
    {
      if (is_conflict (error))
        text = g_strdup (_("This device was changed in the meantime. The "
                           "page now shows its current state; please check "
                           "it and try again."));
      else
        text = cd_error_text (error);

      show_message (self, text, offer_retry);
      return;
    }

  if (is_conflict (error))
    text = g_strdup (_("The device was changed in the meantime. Open it to "
                       "check its current state."));
  else
    text = cd_error_text (error);

  /* A change that can be retried may have been made; one that was
   * refused was not. */
  if (offer_retry)
    /* TRANSLATORS: %1$s is a module name, %2$s a device name, %3$s says
     * what went wrong */
    message = g_strdup_printf (_("The portal has not confirmed the change "
                                 "of “%1$s” on “%2$s”. %3$s"),
                               change->module_name,
                               cd_device_get_name (change->device), text);
  else
    /* TRANSLATORS: %1$s is a module name, %2$s a device name, %3$s says
     * why */
    message = g_strdup_printf (_("The change of “%1$s” on “%2$s” was not "
                                 "made. %3$s"),
                               change->module_name,
                               cd_device_get_name (change->device), text);
  show_message (self, message, offer_retry);
}

static void
on_undo_toast_dismissed (CdDevicePage *self,
                         AdwToast     *toast)
{
  if (self->undo_toast == toast)
    g_clear_object (&self->undo_toast);
}

/* A change that finishes after the user opened another device is told
 * with the device's name, and without Undo: the page could not show what
 * the Undo would act on. */
static AdwToast *
new_moved_on_toast (Change    *change,
                    CdBooking *booking)
{
  g_autofree char *ends_on = NULL;
  const char *device_name;

  g_assert (change != NULL);

  device_name = cd_device_get_name (change->device);
  switch (change->kind)
    {
    case CHANGE_BOOK:
      /* TRANSLATORS: %1$s is a module name, %2$s a device name */
      return adw_toast_new_format (_("“%1$s” booked on “%2$s”"),
                                   change->module_name, device_name);

    case CHANGE_CANCEL:
      ends_on = cd_format_date (cd_booking_get_ends_on (booking));
      /* TRANSLATORS: %1$s is a module name, %2$s a device name, %3$s a
       * date */
      return adw_toast_new_format (_("“%1$s” on “%2$s” cancelled, usable "
                                     "until %3$s"),
                                   change->module_name, device_name,
                                   ends_on != NULL ? ends_on : "?");

    case CHANGE_WITHDRAW:
    default:
      /* TRANSLATORS: %1$s is a module name, %2$s a device name */
      return adw_toast_new_format (_("Cancellation of “%1$s” on “%2$s” "
                                     "withdrawn"),
                                   change->module_name, device_name);
    }
}

/* The portal sets the end by its own date. Once that has passed a notice
 * deadline since the page was loaded, the module runs longer than the
 * confirmation said: that must not go unnoticed. */
static void
warn_if_end_moved (CdDevicePage *self,
                   Change       *change,
                   CdBooking    *booking)
{
  const GDate *ends_on = cd_booking_get_ends_on (booking);
  g_autofree char *ends_on_text = NULL;
  g_autofree char *shown_text = NULL;
  g_autofree char *message = NULL;

  g_assert (CD_IS_DEVICE_PAGE (self));

  if (change->shown_end == NULL || ends_on == NULL || !g_date_valid (ends_on)
      || g_date_compare (ends_on, change->shown_end) == 0)
    return;

  ends_on_text = cd_format_date (ends_on);
  shown_text = cd_format_date (change->shown_end);
  /* TRANSLATORS: %1$s is a module name, %2$s the date it really ends on,
   * %3$s the date the confirmation showed */
  message = g_strdup_printf (_("“%1$s” ends on %2$s, not on %3$s: a notice "
                               "deadline passed since the page was loaded. "
                               "Withdraw the cancellation if you want to "
                               "keep the module."),
                             change->module_name, ends_on_text, shown_text);
  show_message (self, message, FALSE);
}

static void
toast_change_done (CdDevicePage *self,
                   Change       *change,
                   CdBooking    *booking)
{
  g_autofree char *ends_on = NULL;
  AdwToast *toast;

  g_assert (CD_IS_DEVICE_PAGE (self));

  if (change->device != self->device)
    {
      add_toast (self, new_moved_on_toast (change, booking));
      return;
    }

  switch (change->kind)
    {
    case CHANGE_BOOK:
      /* TRANSLATORS: %s is a module name */
      toast = adw_toast_new_format (_("“%s” booked"), change->module_name);
      break;

    case CHANGE_CANCEL:
      ends_on = cd_format_date (cd_booking_get_ends_on (booking));
      warn_if_end_moved (self, change, booking);
      /* TRANSLATORS: %1$s is a module name, %2$s a date */
      toast = adw_toast_new_format (_("“%1$s” cancelled, usable until %2$s"),
                                    change->module_name,
                                    ends_on != NULL ? ends_on : "?");
      adw_toast_set_button_label (toast, _("_Undo"));
      adw_toast_set_action_name (toast, "device.withdraw");
      adw_toast_set_action_target_value (toast,
                                         g_variant_new_string (change->target));
      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
      g_set_object (&self->undo_toast, toast);
      g_signal_connect_object (toast, "dismissed",
                               G_CALLBACK (on_undo_toast_dismissed), self,
                               G_CONNECT_SWAPPED);
      break;

    case CHANGE_WITHDRAW:
    default:
      /* TRANSLATORS: %s is a module name */
      toast = adw_toast_new_format (_("Cancellation of “%s” withdrawn"),
                                    change->module_name);
      break;
    }

  add_toast (self, toast);
}

static void
dismiss_undo_toast (CdDevicePage *self)
{
  g_autoptr(AdwToast) toast = g_steal_pointer (&self->undo_toast);

  if (toast != NULL)
    adw_toast_dismiss (toast);
}

static void
on_change_sent (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ChangeCall) call = user_data;
  CdDevicePage *self = call->page;
  Change *change = call->change;
  CdPortalClient *client = CD_PORTAL_CLIENT (source);
  g_autoptr(CdBooking) booking = NULL;
  g_autoptr(GError) error = NULL;

  switch (change->kind)
    {
    case CHANGE_BOOK:
      booking = cd_portal_client_book_module_finish (client, result, NULL,
                                                     &error);
      break;

    case CHANGE_CANCEL:
      booking = cd_portal_client_cancel_booking_finish (client, result, NULL,
                                                        &error);
      break;

    case CHANGE_WITHDRAW:
    default:
      booking = cd_portal_client_withdraw_cancellation_finish (client, result,
                                                               NULL, &error);
      break;
    }

  /* Cancelled on dispose or when the client changed. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || change != self->change)
    return;

  if (error != NULL && is_retryable (error))
    {
      /* Kept: "Retry" sends the same request with the same key. */
      g_debug ("Change not confirmed, offering to retry: %s", error->message);
      self->busy = FALSE;
      show_change_error (self, change, error, TRUE);
      update_actions (self);
      return;
    }

  g_clear_pointer (&self->change, change_unref);

  if (error != NULL)
    show_change_error (self, change, error, FALSE);
  else
    toast_change_done (self, change, booking);

  refresh_after_change (self, change->device);
}

static void
send_change (CdDevicePage *self)
{
  Change *change = self->change;
  const char *device_id;
  ChangeCall *call;

  g_assert (CD_IS_DEVICE_PAGE (self));
  g_assert (change != NULL);
  g_assert (!self->busy);

  self->busy = TRUE;
  hide_message (self);
  update_actions (self);

  call = g_new0 (ChangeCall, 1);
  call->page = g_object_ref (self);
  call->change = change_ref (change);

  device_id = cd_device_get_id (change->device);
  switch (change->kind)
    {
    case CHANGE_BOOK:
      cd_portal_client_book_module_async (self->client, device_id,
                                          change->target, change->revision,
                                          change->idempotency_key,
                                          self->change_cancellable,
                                          on_change_sent, call);
      break;

    case CHANGE_CANCEL:
      cd_portal_client_cancel_booking_async (self->client, device_id,
                                             change->target,
                                             change->revision,
                                             change->idempotency_key,
                                             self->change_cancellable,
                                             on_change_sent, call);
      break;

    case CHANGE_WITHDRAW:
    default:
      cd_portal_client_withdraw_cancellation_async (self->client, device_id,
                                                    change->target,
                                                    change->revision,
                                                    change->idempotency_key,
                                                    self->change_cancellable,
                                                    on_change_sent, call);
      break;
    }
}

/* A new change replaces one that waited for a retry. @shown_end is the
 * end date the user was shown, for a cancellation. */
static void
start_change (CdDevicePage *self,
              ChangeKind    kind,
              const char   *target,
              const char   *name,
              const GDate  *shown_end)
{
  Change *change;

  g_assert (CD_IS_DEVICE_PAGE (self));
  g_assert (self->detail != NULL);

  if (self->busy || !can_change (self))
    return;

  /* Its Undo would act on a state that is about to change. */
  dismiss_undo_toast (self);

  change = g_rc_box_new0 (Change);
  change->kind = kind;
  change->device = g_object_ref (self->device);
  change->target = g_strdup (target);
  change->module_name = g_strdup (name);
  change->revision = cd_device_get_revision (self->detail);
  change->idempotency_key = cd_portal_client_new_idempotency_key ();
  if (shown_end != NULL && g_date_valid (shown_end))
    change->shown_end = g_date_copy (shown_end);

  if (self->change != NULL && self->change->device != self->device)
    refresh_left_device (self, self->change);
  g_clear_pointer (&self->change, change_unref);
  self->change = change;

  send_change (self);
}

static void
on_book_dialog_response (CdDevicePage       *self,
                         const char         *response,
                         CdBookModuleDialog *dialog)
{
  const char *module_code;

  g_assert (CD_IS_DEVICE_PAGE (self));

  module_code = cd_book_module_dialog_get_module_code (dialog);
  if (module_code == NULL || self->detail == NULL || self->busy)
    return;

  start_change (self, CHANGE_BOOK, module_code,
                module_name (self, module_code), NULL);
}

static void
book_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CdDevicePage *self = CD_DEVICE_PAGE (widget);
  g_autoptr(GPtrArray) modules = NULL;
  const char * const *bookable;
  CdLicense *license;
  GtkWidget *dialog;

  if (self->detail == NULL || self->busy || !can_change (self))
    return;

  if (self->book_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->book_dialog));
      return;
    }

  modules = g_ptr_array_new ();
  bookable = cd_device_get_bookable (self->detail);
  for (guint i = 0; bookable != NULL && bookable[i] != NULL; i++)
    {
      CdModule *module = lookup_module (self, bookable[i]);

      if (module != NULL)
        g_ptr_array_add (modules, module);
    }

  license = cd_device_get_license (self->detail);
  dialog = cd_book_module_dialog_new (
    GTK_WINDOW (gtk_widget_get_root (widget)),
    cd_device_get_name (self->detail),
    modules,
    license != NULL ? cd_license_get_next_possible_end (license) : NULL);
  g_signal_connect_object (dialog, "response::book",
                           G_CALLBACK (on_book_dialog_response), self,
                           G_CONNECT_SWAPPED);

  self->book_dialog = CD_BOOK_MODULE_DIALOG (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog),
                             (gpointer *) &self->book_dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_cancel_dialog_response (CdDevicePage     *self,
                           const char       *response,
                           AdwMessageDialog *dialog)
{
  const char *booking_id;
  const GDate *shown_end;
  CdBooking *booking;

  g_assert (CD_IS_DEVICE_PAGE (self));

  booking_id = g_object_get_data (G_OBJECT (dialog), "cd-booking-id");
  shown_end = g_object_get_data (G_OBJECT (dialog), "cd-shown-end");
  if (self->detail == NULL || self->busy)
    return;

  booking = cd_device_find_booking (self->detail, booking_id);
  if (booking == NULL)
    return;

  start_change (self, CHANGE_CANCEL, booking_id,
                module_name (self, cd_booking_get_module_code (booking)),
                shown_end);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CdDevicePage *self = CD_DEVICE_PAGE (widget);
  const char *booking_id = g_variant_get_string (parameter, NULL);
  g_autofree char *end = NULL;
  g_autofree char *term_end_text = NULL;
  const GDate *next_end;
  const GDate *term_end;
  CdBooking *booking;
  CdLicense *license;
  GtkWidget *dialog;
  const char *name;

  if (self->detail == NULL || self->busy || !can_change (self))
    return;

  booking = cd_device_find_booking (self->detail, booking_id);
  if (booking == NULL)
    return;

  name = module_name (self, cd_booking_get_module_code (booking));
  license = cd_device_get_license (self->detail);
  next_end = license != NULL ? cd_license_get_next_possible_end (license)
                             : NULL;
  term_end = license != NULL ? cd_license_get_current_term_end (license)
                             : NULL;
  end = cd_format_date (next_end);
  term_end_text = cd_format_date (term_end);

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                   _("Cancel Module?"), NULL);

  /* A module that runs a whole term longer than the admin may expect
   * says why. */
  if (end != NULL && term_end_text != NULL
      && g_date_compare (next_end, term_end) > 0)
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                    /* TRANSLATORS: %1$s is a module name,
                                     * %2$s a device name, %3$s and %4$s
                                     * dates */
                                    _("“%1$s” on “%2$s” will end on %3$s "
                                      "and stays usable until then. The "
                                      "notice deadline for the current "
                                      "term, which ends on %4$s, has "
                                      "passed."),
                                    name, cd_device_get_name (self->detail),
                                    end, term_end_text);
  else if (end != NULL)
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                    /* TRANSLATORS: %1$s is a module name,
                                     * %2$s a device name, %3$s a date */
                                    _("“%1$s” on “%2$s” will end on %3$s, "
                                      "the next possible end of the license "
                                      "term. The module stays usable until "
                                      "then."),
                                    name, cd_device_get_name (self->detail),
                                    end);
  else
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                    /* TRANSLATORS: %1$s is a module name,
                                     * %2$s a device name */
                                    _("“%1$s” on “%2$s” will end at the next "
                                      "possible end of the license term. The "
                                      "module stays usable until then."),
                                    name, cd_device_get_name (self->detail));

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "keep", _("_Keep Module"),
                                    "cancel-module", _("_Cancel Module"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog),
                                              "cancel-module",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog),
                                           "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_object_set_data_full (G_OBJECT (dialog), "cd-booking-id",
                          g_strdup (booking_id), g_free);
  if (next_end != NULL && g_date_valid (next_end))
    g_object_set_data_full (G_OBJECT (dialog), "cd-shown-end",
                            g_date_copy (next_end),
                            (GDestroyNotify) g_date_free);
  g_signal_connect_object (dialog, "response::cancel-module",
                           G_CALLBACK (on_cancel_dialog_response), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Withdrawing only undoes a cancellation, so it needs no confirmation; it
 * is also what the Undo of the cancellation toast does. */
static void
withdraw_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CdDevicePage *self = CD_DEVICE_PAGE (widget);
  const char *booking_id = g_variant_get_string (parameter, NULL);
  CdBooking *booking;

  if (self->detail == NULL || self->busy)
    return;

  booking = cd_device_find_booking (self->detail, booking_id);
  if (booking == NULL)
    return;

  start_change (self, CHANGE_WITHDRAW, booking_id,
                module_name (self, cd_booking_get_module_code (booking)),
                NULL);
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  CdDevicePage *self = CD_DEVICE_PAGE (widget);

  if (self->busy)
    return;

  hide_message (self);

  if (self->change != NULL)
    send_change (self);
  else
    load_device (self);
}

static void
dismiss_message_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  hide_message (CD_DEVICE_PAGE (widget));
}

static void
on_client_account_changed (CdDevicePage   *self,
                           GParamSpec     *pspec,
                           CdPortalClient *client)
{
  render_hint (self);
  update_actions (self);
}

/**
 * cd_device_page_set_client:
 * @self: the page
 * @client: (nullable): the signed-in portal client
 *
 * Whether changes are offered follows the client's account role. The
 * license type and module catalogues are loaded once per client.
 */
void
cd_device_page_set_client (CdDevicePage   *self,
                           CdPortalClient *client)
{
  g_return_if_fail (CD_IS_DEVICE_PAGE (self));
  g_return_if_fail (client == NULL || CD_IS_PORTAL_CLIENT (client));

  if (self->client == client)
    return;

  if (self->client != NULL)
    g_signal_handlers_disconnect_by_func (self->client,
                                          on_client_account_changed, self);

  /* The catalogues are per client: names come in its language and
   * tenant. */
  g_cancellable_cancel (self->catalog_cancellable);
  g_clear_object (&self->catalog_cancellable);
  self->catalog_cancellable = g_cancellable_new ();
  self->loading_license_types = FALSE;
  self->loading_modules = FALSE;
  g_clear_object (&self->license_types);
  g_clear_object (&self->modules);

  /* A change in flight or waiting for a retry was the old account's. */
  g_cancellable_cancel (self->change_cancellable);
  g_clear_object (&self->change_cancellable);
  self->change_cancellable = g_cancellable_new ();
  g_clear_pointer (&self->change, change_unref);
  self->busy = FALSE;

  g_set_object (&self->client, client);
  if (client != NULL)
    g_signal_connect_object (client, "notify::account",
                             G_CALLBACK (on_client_account_changed), self,
                             G_CONNECT_SWAPPED);

  hide_message (self);
  load_device (self);
}

static void
on_left_device_refreshed (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(CdDevice) device = user_data;
  g_autoptr(CdDevice) fresh = NULL;
  g_autoptr(GError) error = NULL;

  fresh = cd_portal_client_get_device_finish (CD_PORTAL_CLIENT (source),
                                              result, &error);
  if (fresh == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Device left with a change unconfirmed not reloaded: %s",
                 error->message);
      return;
    }

  cd_device_update_from (device, fresh);
}

/* The portal may have made a change whose answer was lost. When the user
 * leaves it without retrying, the list still learns what the portal has. */
static void
refresh_left_device (CdDevicePage *self,
                     Change       *change)
{
  g_assert (CD_IS_DEVICE_PAGE (self));
  g_assert (change != NULL);

  if (self->client == NULL)
    return;

  cd_portal_client_get_device_async (self->client,
                                     cd_device_get_id (change->device),
                                     self->change_cancellable,
                                     on_left_device_refreshed,
                                     g_object_ref (change->device));
}

/**
 * cd_device_page_set_device:
 * @self: the page
 * @device: (nullable): the device from the list
 *
 * Shows @device's summary at once and loads its detail and history. After
 * every change the page updates @device in place, so the list follows.
 */
void
cd_device_page_set_device (CdDevicePage *self,
                           CdDevice     *device)
{
  g_return_if_fail (CD_IS_DEVICE_PAGE (self));
  g_return_if_fail (device == NULL || CD_IS_DEVICE (device));

  g_set_object (&self->device, device);

  /* A change waiting for a retry belongs to the device it was made on. */
  if (!self->busy && self->change != NULL)
    {
      if (self->change->device != device)
        refresh_left_device (self, self->change);
      g_clear_pointer (&self->change, change_unref);
    }

  hide_message (self);
  dismiss_undo_toast (self);
  load_device (self);
}

/* Managing modules is what the page is mostly opened for, so it starts on
 * that tab; later devices keep the tab the user chose. The notebook can
 * only switch pages once it is in a window. */
static void
cd_device_page_root (GtkWidget *widget)
{
  CdDevicePage *self = CD_DEVICE_PAGE (widget);

  GTK_WIDGET_CLASS (cd_device_page_parent_class)->root (widget);

  if (!self->tab_chosen)
    {
      self->tab_chosen = TRUE;
      gtk_notebook_set_current_page (self->notebook, 1);
    }
}

static void
cd_device_page_dispose (GObject *object)
{
  CdDevicePage *self = CD_DEVICE_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->catalog_cancellable);
  g_cancellable_cancel (self->change_cancellable);

  if (self->book_dialog != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->book_dialog),
                                    (gpointer *) &self->book_dialog);
      gtk_window_destroy (GTK_WINDOW (self->book_dialog));
      self->book_dialog = NULL;
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), CD_TYPE_DEVICE_PAGE);

  if (self->client != NULL)
    g_signal_handlers_disconnect_by_func (self->client,
                                          on_client_account_changed, self);

  g_clear_pointer (&self->change, change_unref);
  g_clear_object (&self->undo_toast);
  g_clear_object (&self->detail);
  g_clear_object (&self->device);
  g_clear_object (&self->events);
  g_clear_object (&self->modules);
  g_clear_object (&self->license_types);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->catalog_cancellable);
  g_clear_object (&self->change_cancellable);

  G_OBJECT_CLASS (cd_device_page_parent_class)->dispose (object);
}

static void
cd_device_page_class_init (CdDevicePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cd_device_page_dispose;
  widget_class->root = cd_device_page_root;

  g_type_ensure (CD_TYPE_PRIMARY_MENU_BUTTON);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/com/coredinate/Admin/cd-device-page.ui");

#define BIND(name) \
  gtk_widget_class_bind_template_child (widget_class, CdDevicePage, name)
  BIND (title);
  BIND (toast_overlay);
  BIND (banner_revealer);
  BIND (banner_label);
  BIND (retry_button);
  BIND (notebook);
  BIND (name_label);
  BIND (model_label);
  BIND (platform_label);
  BIND (serial_label);
  BIND (app_version_label);
  BIND (last_seen_label);
  BIND (license_state_row);
  BIND (license_state_label);
  BIND (license_type_row);
  BIND (license_type_label);
  BIND (term_row);
  BIND (term_label);
  BIND (current_term_end_row);
  BIND (current_term_end_label);
  BIND (notice_deadline_row);
  BIND (notice_deadline_label);
  BIND (next_possible_end_row);
  BIND (next_possible_end_label);
  BIND (modules_hint_label);
  BIND (busy_spinner);
  BIND (bookings_stack);
  BIND (bookings_list);
  BIND (history_stack);
  BIND (events_list);
#undef BIND

  gtk_widget_class_install_action (widget_class, "device.book", NULL,
                                   book_action);
  gtk_widget_class_install_action (widget_class, "device.cancel", "s",
                                   cancel_action);
  gtk_widget_class_install_action (widget_class, "device.withdraw", "s",
                                   withdraw_action);
  gtk_widget_class_install_action (widget_class, "device.retry", NULL,
                                   retry_action);
  gtk_widget_class_install_action (widget_class, "device.dismiss-message",
                                   NULL, dismiss_message_action);
}

static void
cd_device_page_init (CdDevicePage *self)
{
  GtkWidget *placeholder;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->catalog_cancellable = g_cancellable_new ();
  self->change_cancellable = g_cancellable_new ();

  placeholder = gtk_label_new (_("No modules booked"));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_list_box_set_placeholder (self->bookings_list, placeholder);

  render (self);
}
