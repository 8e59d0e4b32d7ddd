/* cd-pending-view.c: the bookings about to end and the notice deadlines
 * coming up, across all devices.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "cd-error-text.h"
#include "cd-format.h"
#include "cd-pending-view.h"

/* Detail requests in flight at once. */
#define MAX_IN_FLIGHT 4

/* How far ahead notice deadlines are shown. */
#define DEADLINE_DAYS 30

struct _CdPendingView
{
  AdwWindow             parent_instance;

  AdwPreferencesGroup  *pending_group;
  AdwPreferencesGroup  *deadline_group;
  GtkSpinner           *spinner;

  CdPortalClient       *client;          /* (owned) */
  GListModel           *devices;         /* (owned) */
  GCancellable         *cancellable;     /* (owned) */
  GDate                 today;
  GHashTable           *module_names;    /* (owned) code → name */
  GHashTable           *license_types;   /* (owned) code → CdLicenseType */
  gboolean              catalogues_loaded;

  GPtrArray            *pending_devices; /* (owned) CdDevice to fetch */
  guint                 next;
  guint                 in_flight;
  GArray               *endings;         /* (owned) of Ending */
  guint                 n_unchecked;     /* details that could not load */
  GError               *unchecked_error; /* (owned) (nullable): the first */
  GPtrArray            *pending_rows;    /* (owned) unowned rows */
  GPtrArray            *deadline_rows;   /* (owned) unowned rows */
};

/* A booking with a pending cancellation, or a cancelled license
 * (module_code NULL), which takes the device's modules with it. */
typedef struct
{
  CdDevice *device;       /* (owned) */
  char     *module_code;  /* (owned) (nullable) */
  GDate     ends_on;
} Ending;

enum {
  DEVICE_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CdPendingView, cd_pending_view, ADW_TYPE_WINDOW)

static void
ending_clear (Ending *ending)
{
  g_clear_object (&ending->device);
  g_clear_pointer (&ending->module_code, g_free);
}

static int
compare_endings (gconstpointer a,
                 gconstpointer b)
{
  const Ending *ea = a;
  const Ending *eb = b;
  int order = g_date_compare (&ea->ends_on, &eb->ends_on);

  if (order != 0)
    return order;
  return g_utf8_collate (cd_device_get_name (ea->device),
                         cd_device_get_name (eb->device));
}

static void
on_row_activated (AdwActionRow  *row,
                  CdPendingView *self)
{
  CdDevice *device = g_object_get_data (G_OBJECT (row), "device");

  g_signal_emit (self, signals[DEVICE_ACTIVATED], 0, device);
}

static GtkWidget *
device_row_new (CdPendingView *self,
                CdDevice      *device,
                const char    *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 cd_device_get_name (device));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "device", g_object_ref (device),
                          g_object_unref);
  g_signal_connect_object (row, "activated", G_CALLBACK (on_row_activated),
                           self, 0);

  return row;
}

static void
clear_rows (AdwPreferencesGroup *group,
            GPtrArray           *rows)
{
  for (guint i = 0; i < rows->len; i++)
    adw_preferences_group_remove (group, g_ptr_array_index (rows, i));
  g_ptr_array_set_size (rows, 0);
}

static const char *
module_name (CdPendingView *self,
             const char    *code)
{
  const char *name = g_hash_table_lookup (self->module_names, code);

  return name != NULL ? name : code;
}

static const char *
license_type_name (CdPendingView *self,
                   CdDevice      *device)
{
  const char *code = cd_license_get_type_code (cd_device_get_license (device));
  CdLicenseType *type = g_hash_table_lookup (self->license_types, code);

  return type != NULL ? cd_license_type_get_name (type) : code;
}

/* Cancelled modules */

static void
show_endings (CdPendingView *self)
{
  clear_rows (self->pending_group, self->pending_rows);
  g_array_sort (self->endings, compare_endings);

  for (guint i = 0; i < self->endings->len; i++)
    {
      Ending *ending = &g_array_index (self->endings, Ending, i);
      g_autofree char *date = cd_format_date (&ending->ends_on);
      g_autofree char *subtitle = NULL;
      GtkWidget *row;

      if (ending->module_code != NULL)
        /* TRANSLATORS: a module name and the date its booking ends,
         * "Roster – ends on Mar 14, 2027". */
        subtitle = g_strdup_printf (_("%s – ends on %s"),
                                    module_name (self, ending->module_code),
                                    date);
      else if (cd_device_get_n_modules (ending->device) > 0)
        /* TRANSLATORS: a license type name and the date the cancelled
         * license ends, "Standard license – ends on Mar 14, 2027, with
         * all its modules". */
        subtitle = g_strdup_printf (_("%s license – ends on %s, with all "
                                      "its modules"),
                                    license_type_name (self, ending->device),
                                    date);
      else
        /* TRANSLATORS: a license type name and the date the cancelled
         * license ends, "Standard license – ends on Mar 14, 2027". */
        subtitle = g_strdup_printf (_("%s license – ends on %s"),
                                    license_type_name (self, ending->device),
                                    date);
      row = device_row_new (self, ending->device, subtitle);
      adw_preferences_group_add (self->pending_group, row);
      g_ptr_array_add (self->pending_rows, row);
    }

  if (self->n_unchecked > 0)
    {
      g_autofree char *reason = cd_error_text (self->unchecked_error);
      g_autofree char *text = NULL;

      /* TRANSLATORS: %u devices whose end dates are unknown, then why,
       * "2 devices could not be checked: The portal cannot be reached." */
      text = g_strdup_printf (ngettext ("%u device could not be checked: %s",
                                        "%u devices could not be checked: %s",
                                        self->n_unchecked),
                              self->n_unchecked, reason);
      adw_preferences_group_set_description (self->pending_group, text);
    }
  else
    adw_preferences_group_set_description (
      self->pending_group,
      self->endings->len == 0 ? _("No module or license is cancelled.")
                              : NULL);
}

static void fetch_more (CdPendingView *self);

static void
add_endings (CdPendingView *self,
             CdDevice      *device)
{
  GListModel *bookings = cd_device_get_bookings (device);

  for (guint i = 0; i < g_list_model_get_n_items (bookings); i++)
    {
      g_autoptr(CdBooking) booking = g_list_model_get_item (bookings, i);
      Ending ending = { 0 };

      if (cd_booking_get_state (booking) != CD_BOOKING_STATE_CANCELLATION_PENDING
          || cd_booking_get_ends_on (booking) == NULL)
        continue;

      ending.device = g_object_ref (device);
      ending.module_code = g_strdup (cd_booking_get_module_code (booking));
      ending.ends_on = *cd_booking_get_ends_on (booking);
      g_array_append_val (self->endings, ending);
    }
}

typedef struct
{
  CdPendingView *view;    /* (owned) */
  CdDevice      *device;  /* (owned) */
} DetailStep;

static void
on_detail_ready (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  DetailStep *step = user_data;
  g_autoptr(CdPendingView) self = step->view;
  g_autoptr(CdDevice) device = step->device;
  g_autoptr(CdDevice) detail = NULL;
  g_autoptr(GError) error = NULL;

  g_free (step);
  detail = cd_portal_client_get_device_finish (CD_PORTAL_CLIENT (source),
                                               result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->in_flight--;
  if (g_error_matches (error, CD_PORTAL_ERROR,
                       CD_PORTAL_ERROR_SESSION_EXPIRED))
    {
      g_autofree char *text = cd_error_text (error);

      g_cancellable_cancel (self->cancellable);
      gtk_spinner_stop (self->spinner);
      adw_preferences_group_set_description (self->pending_group, text);
      return;
    }

  /* One device that cannot be checked must not hide all the others. */
  if (detail == NULL)
    {
      if (self->unchecked_error == NULL)
        self->unchecked_error = g_steal_pointer (&error);
      self->n_unchecked++;
    }
  else
    {
      /* The list's own object gets the fresh detail too. */
      cd_device_update_from (device, detail);
      add_endings (self, device);
    }
  fetch_more (self);
}

static void
fetch_more (CdPendingView *self)
{
  g_autofree char *progress = NULL;

  while (self->next < self->pending_devices->len
         && self->in_flight < MAX_IN_FLIGHT)
    {
      CdDevice *device = g_ptr_array_index (self->pending_devices, self->next++);
      DetailStep *step;

      /* A detail the list already has needs no request. */
      if (cd_device_get_has_detail (device))
        {
          add_endings (self, device);
          continue;
        }

      step = g_new0 (DetailStep, 1);
      step->view = g_object_ref (self);
      step->device = g_object_ref (device);
      self->in_flight++;
      cd_portal_client_get_device_async (self->client,
                                         cd_device_get_id (device),
                                         self->cancellable,
                                         on_detail_ready, step);
    }

  if (self->in_flight > 0)
    {
      /* TRANSLATORS: progress while the end dates are fetched. */
      progress = g_strdup_printf (_("Checking %u of %u devices…"),
                                  self->next - self->in_flight,
                                  self->pending_devices->len);
      adw_preferences_group_set_description (self->pending_group, progress);
      return;
    }

  gtk_spinner_stop (self->spinner);
  show_endings (self);
}

/* Notice deadlines */

typedef struct
{
  CdDevice *device;     /* (owned) */
  GDate     deadline;
  GDate     term_end;
} Deadline;

static void
deadline_clear (Deadline *entry)
{
  g_clear_object (&entry->device);
}

static int
compare_deadlines (gconstpointer a,
                   gconstpointer b)
{
  const Deadline *da = a;
  const Deadline *db = b;
  int order = g_date_compare (&da->deadline, &db->deadline);

  if (order != 0)
    return order;
  return g_utf8_collate (cd_device_get_name (da->device),
                         cd_device_get_name (db->device));
}

static void
fill_deadlines (CdPendingView *self)
{
  g_autoptr(GArray) found = g_array_new (FALSE, TRUE, sizeof (Deadline));
  guint n = g_list_model_get_n_items (self->devices);
  GDate horizon = self->today;

  g_assert (self->catalogues_loaded);

  g_array_set_clear_func (found, (GDestroyNotify) deadline_clear);
  clear_rows (self->deadline_group, self->deadline_rows);
  g_date_add_days (&horizon, DEADLINE_DAYS);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (self->devices, i);
      CdLicense *license = cd_device_get_license (device);
      const GDate *term_end;
      const GDate *next_end;
      CdLicenseType *type;
      Deadline entry = { 0 };

      if (license == NULL
          || cd_license_get_state (license) != CD_LICENSE_STATE_ACTIVE)
        continue;
      term_end = cd_license_get_current_term_end (license);
      next_end = cd_license_get_next_possible_end (license);
      type = g_hash_table_lookup (self->license_types,
                                  cd_license_get_type_code (license));
      /* Once the portal's next possible end moved past the current term
       * end, the deadline for it has passed. */
      if (term_end == NULL || next_end == NULL || type == NULL
          || g_date_compare (term_end, next_end) != 0)
        continue;

      if (cd_license_get_notice_deadline (license) != NULL)
        entry.deadline = *cd_license_get_notice_deadline (license);
      else
        {
          /* The contract's rule, with the notice period of the type's
           * catalogue entry; GDate clamps to the end of shorter months. */
          entry.deadline = *term_end;
          g_date_add_days (&entry.deadline, 1);
          g_date_subtract_months (&entry.deadline,
                                  cd_license_type_get_notice_months (type));
          g_date_subtract_days (&entry.deadline, 1);
        }

      if (g_date_compare (&entry.deadline, &self->today) < 0
          || g_date_compare (&entry.deadline, &horizon) > 0)
        continue;

      entry.term_end = *term_end;
      entry.device = g_steal_pointer (&device);
      g_array_append_val (found, entry);
    }

  g_array_sort (found, compare_deadlines);

  for (guint i = 0; i < found->len; i++)
    {
      Deadline *entry = &g_array_index (found, Deadline, i);
      CdLicense *license = cd_device_get_license (entry->device);
      CdLicenseType *type = g_hash_table_lookup (self->license_types,
                                                 cd_license_get_type_code (license));
      g_autofree char *deadline = cd_format_date (&entry->deadline);
      g_autofree char *ends_on = cd_format_date (&entry->term_end);
      g_autofree char *subtitle = NULL;
      GtkWidget *row;

      /* TRANSLATORS: a license type name, the notice deadline and the
       * term end it reaches: "Standard license – cancel by Dec 14, 2026
       * to end on Mar 14, 2027". */
      subtitle = g_strdup_printf (_("%s license – cancel by %s to end on %s"),
                                  cd_license_type_get_name (type),
                                  deadline, ends_on);
      row = device_row_new (self, entry->device, subtitle);
      adw_preferences_group_add (self->deadline_group, row);
      g_ptr_array_add (self->deadline_rows, row);
    }

  adw_preferences_group_set_description (
    self->deadline_group,
    self->deadline_rows->len == 0
      ? _("No notice deadline falls within the next 30 days.") : NULL);
}

/* Loading */

static void
start_endings (CdPendingView *self)
{
  guint n = g_list_model_get_n_items (self->devices);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (self->devices, i);
      CdLicense *license = cd_device_get_license (device);

      /* The summary has the license's own end date already. */
      if (license != NULL
          && cd_license_get_state (license) == CD_LICENSE_STATE_CANCELLED
          && cd_license_get_ends_on (license) != NULL)
        {
          Ending ending = { 0 };

          ending.device = g_object_ref (device);
          ending.ends_on = *cd_license_get_ends_on (license);
          g_array_append_val (self->endings, ending);
        }

      if (cd_device_has_pending_cancellation (device))
        g_ptr_array_add (self->pending_devices, g_steal_pointer (&device));
    }

  gtk_spinner_start (self->spinner);
  fetch_more (self);
}

static void
on_license_types_ready (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(CdPendingView) self = user_data;
  g_autoptr(GListModel) types = NULL;
  g_autoptr(GError) error = NULL;

  types = cd_portal_client_list_license_types_finish (
    CD_PORTAL_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (types == NULL)
    {
      g_autofree char *text = cd_error_text (error);

      adw_preferences_group_set_description (self->deadline_group, text);
      return;
    }

  for (guint i = 0; i < g_list_model_get_n_items (types); i++)
    {
      CdLicenseType *type = g_list_model_get_item (types, i);

      g_hash_table_insert (self->license_types,
                           g_strdup (cd_license_type_get_code (type)), type);
    }
  self->catalogues_loaded = TRUE;

  fill_deadlines (self);
  start_endings (self);
}

static void
on_modules_ready (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CdPendingView) self = user_data;
  g_autoptr(GListModel) modules = NULL;
  g_autoptr(GError) error = NULL;

  modules = cd_portal_client_list_modules_finish (CD_PORTAL_CLIENT (source),
                                                  result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Without the catalogue the codes stand in for the names. */
  for (guint i = 0; modules != NULL && i < g_list_model_get_n_items (modules); i++)
    {
      g_autoptr(CdModule) module = g_list_model_get_item (modules, i);

      g_hash_table_insert (self->module_names,
                           g_strdup (cd_module_get_code (module)),
                           g_strdup (cd_module_get_name (module)));
    }

  cd_portal_client_list_license_types_async (self->client, self->cancellable,
                                             on_license_types_ready,
                                             g_object_ref (self));
}

static void
cd_pending_view_dispose (GObject *object)
{
  CdPendingView *self = CD_PENDING_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CD_TYPE_PENDING_VIEW);

  g_clear_object (&self->client);
  g_clear_object (&self->devices);
  g_clear_pointer (&self->pending_devices, g_ptr_array_unref);
  g_clear_pointer (&self->endings, g_array_unref);

  G_OBJECT_CLASS (cd_pending_view_parent_class)->dispose (object);
}

static void
cd_pending_view_finalize (GObject *object)
{
  CdPendingView *self = CD_PENDING_VIEW (object);

  g_clear_object (&self->cancellable);
  g_clear_error (&self->unchecked_error);
  g_clear_pointer (&self->module_names, g_hash_table_unref);
  g_clear_pointer (&self->license_types, g_hash_table_unref);
  g_clear_pointer (&self->pending_rows, g_ptr_array_unref);
  g_clear_pointer (&self->deadline_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (cd_pending_view_parent_class)->finalize (object);
}

static void
cd_pending_view_class_init (CdPendingViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cd_pending_view_dispose;
  object_class->finalize = cd_pending_view_finalize;

  /**
   * CdPendingView::device-activated:
   * @device: the device of the activated row
   */
  signals[DEVICE_ACTIVATED] =
    g_signal_new ("device-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, CD_TYPE_DEVICE);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/com/coredinate/Admin/cd-pending-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CdPendingView,
                                        pending_group);
  gtk_widget_class_bind_template_child (widget_class, CdPendingView,
                                        deadline_group);
  gtk_widget_class_bind_template_child (widget_class, CdPendingView, spinner);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0,
                                       "window.close", NULL);
}

static void
cd_pending_view_init (CdPendingView *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->module_names = g_hash_table_new_full (g_str_hash, g_str_equal,
                                              g_free, g_free);
  self->license_types = g_hash_table_new_full (g_str_hash, g_str_equal,
                                               g_free, g_object_unref);
  self->pending_devices = g_ptr_array_new_with_free_func (g_object_unref);
  self->endings = g_array_new (FALSE, TRUE, sizeof (Ending));
  g_array_set_clear_func (self->endings, (GDestroyNotify) ending_clear);
  self->pending_rows = g_ptr_array_new ();
  self->deadline_rows = g_ptr_array_new ();

  g_date_clear (&self->today, 1);
  g_date_set_dmy (&self->today, g_date_time_get_day_of_month (now),
                  g_date_time_get_month (now), g_date_time_get_year (now));
}

CdPendingView *
cd_pending_view_present (GtkWidget      *parent,
                         CdPortalClient *client,
                         GListModel     *devices)
{
  CdPendingView *self;
  GtkRoot *root;

  g_return_val_if_fail (parent == NULL || GTK_IS_WIDGET (parent), NULL);
  g_return_val_if_fail (CD_IS_PORTAL_CLIENT (client), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (devices), NULL);

  self = g_object_new (CD_TYPE_PENDING_VIEW, NULL);
  self->client = g_object_ref (client);
  self->devices = g_object_ref (devices);

  root = parent != NULL ? gtk_widget_get_root (parent) : NULL;
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (self), GTK_WINDOW (root));

  gtk_spinner_start (self->spinner);
  gtk_window_present (GTK_WINDOW (self));

  cd_portal_client_list_modules_async (client, self->cancellable,
                                       on_modules_ready, g_object_ref (self));

  return self;
}

void
cd_pending_view_set_today (CdPendingView *self,
                           const GDate   *today)
{
  g_return_if_fail (CD_IS_PENDING_VIEW (self));
  g_return_if_fail (today != NULL && g_date_valid (today));

  self->today = *today;
  if (self->catalogues_loaded)
    fill_deadlines (self);
}
