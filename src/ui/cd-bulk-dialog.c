/* cd-bulk-dialog.c: books or cancels one module on many devices at once.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "cd-bulk-dialog.h"
#include "cd-error-text.h"
#include "cd-format.h"

struct _CdBulkDialog
{
  AdwWindow             parent_instance;

  AdwWindowTitle       *window_title;
  GtkButton            *cancel_button;
  GtkButton            *primary_button;
  GtkStack             *stack;
  GtkSpinner           *spinner;
  GtkLabel             *loading_label;
  AdwStatusPage        *error_page;
  AdwPreferencesGroup  *module_group;
  GtkLabel             *summary_label;
  GtkLabel             *cost_label;
  GtkProgressBar       *progress_bar;
  GtkButton            *retry_button;
  GtkListView          *list_view;

  CdPortalClient       *client;          /* (owned) */
  GListModel           *devices;         /* (owned) */
  CdBulkAction          action;
  GListModel           *modules;         /* (owned) (nullable) */
  GHashTable           *license_names;   /* (owned) code → name */
  GPtrArray            *module_checks;   /* (owned) GtkCheckButton, unowned */
  CdModule             *module;          /* (owned) (nullable): chosen */
  CdBulkJob            *job;             /* (owned) (nullable) */
  GCancellable         *cancellable;     /* (owned): until the dialog closes */
  GCancellable         *run_cancellable; /* (owned) (nullable): Stop */
  gboolean              run_started;
  GPtrArray            *bound_rows;      /* (owned) GtkListItem, unowned */
};

G_DEFINE_FINAL_TYPE (CdBulkDialog, cd_bulk_dialog, ADW_TYPE_WINDOW)

static void
show_loading (CdBulkDialog *self,
              const char   *text)
{
  gtk_label_set_text (self->loading_label, text);
  gtk_spinner_start (self->spinner);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  gtk_widget_set_sensitive (GTK_WIDGET (self->primary_button), FALSE);
}

static void
show_status (CdBulkDialog *self,
             const char   *icon_name,
             const char   *title,
             const char   *description)
{
  gtk_spinner_stop (self->spinner);
  adw_status_page_set_icon_name (self->error_page, icon_name);
  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, description);
  gtk_stack_set_visible_child_name (self->stack, "error");
  gtk_button_set_label (self->cancel_button, _("_Close"));
  gtk_widget_set_visible (GTK_WIDGET (self->primary_button), FALSE);
}

static void
show_error (CdBulkDialog *self,
            const GError *error)
{
  g_autofree char *text = cd_error_text (error);

  show_status (self, "dialog-error-symbolic",
               _("Could Not Check the Devices"), text);
}

static const char *
module_name (CdBulkDialog *self)
{
  return cd_module_get_name (self->module);
}

/* Rows */

static char *
item_text (CdBulkDialog *self,
           CdBulkItem   *item)
{
  g_autofree char *ends_on = cd_format_date (cd_bulk_item_get_ends_on (item));
  const GError *error = cd_bulk_item_get_error (item);
  g_autofree char *error_text = NULL;
  CdDevice *device = cd_bulk_item_get_device (item);
  CdLicense *license = cd_device_get_license (device);
  const char *license_name = NULL;

  switch (cd_bulk_item_get_status (item))
    {
    case CD_BULK_STATUS_RUNNING:
      return g_strdup (self->action == CD_BULK_ACTION_BOOK
                       ? _("Booking…") : _("Cancelling…"));
    case CD_BULK_STATUS_DONE:
      if (cd_bulk_item_get_outcome (item) == CD_BULK_OUTCOME_BOOK)
        return g_strdup (_("Booked"));
      /* TRANSLATORS: %s is a date, e.g. "Mar 14, 2027". */
      return g_strdup_printf (_("Cancelled, ends on %s"), ends_on);
    case CD_BULK_STATUS_FAILED:
      error_text = cd_error_text (error);
      /* TRANSLATORS: %s explains why a change failed. */
      return g_strdup_printf (_("Failed: %s"), error_text);
    case CD_BULK_STATUS_PLANNED:
    default:
      break;
    }

  /* Planned once a run has ended: stopped on purpose, not failed. */
  if (self->run_started && self->run_cancellable == NULL
      && cd_bulk_item_get_outcome (item) != CD_BULK_OUTCOME_SKIP)
    return g_strdup (self->action == CD_BULK_ACTION_BOOK
                     ? _("Not booked: stopped before it was sent")
                     : _("Not cancelled: stopped before it was sent"));

  switch (cd_bulk_item_get_outcome (item))
    {
    case CD_BULK_OUTCOME_BOOK:
      return g_strdup (_("Will be booked"));
    case CD_BULK_OUTCOME_CANCEL:
      /* TRANSLATORS: %s is this device's own end date, "Mar 14, 2027". */
      return g_strdup_printf (_("Will be cancelled, ends on %s"), ends_on);
    case CD_BULK_OUTCOME_SKIP:
    default:
      break;
    }

  switch (cd_bulk_item_get_skip_reason (item))
    {
    case CD_BULK_SKIP_NO_LICENSE:
      return g_strdup (_("Skipped: no license"));
    case CD_BULK_SKIP_LICENSE_CANCELLED:
      return g_strdup (_("Skipped: the license is cancelled"));
    case CD_BULK_SKIP_LICENSE_ENDED:
      return g_strdup (_("Skipped: the license has ended"));
    case CD_BULK_SKIP_ALREADY_BOOKED:
      return g_strdup (_("Skipped: already booked"));
    case CD_BULK_SKIP_CANCELLATION_PENDING:
      /* TRANSLATORS: %s is the date the booking ends, "Mar 14, 2027". */
      return g_strdup_printf (_("Skipped: already cancelled, ends on %s"),
                              ends_on);
    case CD_BULK_SKIP_NOT_BOOKED:
      return g_strdup (_("Skipped: not booked"));
    case CD_BULK_SKIP_NOT_AVAILABLE:
      if (license != NULL)
        license_name = g_hash_table_lookup (self->license_names,
                                            cd_license_get_type_code (license));
      if (license_name == NULL && license != NULL)
        license_name = cd_license_get_type_code (license);
      /* TRANSLATORS: %s is a license type name, e.g. "Manager". */
      return g_strdup_printf (_("Skipped: not available with a %s license"),
                              license_name);
    case CD_BULK_SKIP_UNREACHABLE:
      error_text = cd_error_text (error);
      /* TRANSLATORS: %s explains why the device could not be checked. */
      return g_strdup_printf (_("Skipped: %s"), error_text);
    case CD_BULK_SKIP_NONE:
    default:
      g_assert_not_reached ();
    }
}

/* The row's icon and the style class that colours it (NULL: none). */
static const char *
item_icon_name (CdBulkItem  *item,
                const char **style)
{
  *style = NULL;

  switch (cd_bulk_item_get_status (item))
    {
    case CD_BULK_STATUS_RUNNING:
      return "content-loading-symbolic";
    case CD_BULK_STATUS_DONE:
      *style = "success";
      return "object-select-symbolic";
    case CD_BULK_STATUS_FAILED:
      *style = "error";
      return "dialog-error-symbolic";
    case CD_BULK_STATUS_PLANNED:
    default:
      break;
    }

  switch (cd_bulk_item_get_outcome (item))
    {
    case CD_BULK_OUTCOME_BOOK:
      return "list-add-symbolic";
    case CD_BULK_OUTCOME_CANCEL:
      return "list-remove-symbolic";
    case CD_BULK_OUTCOME_SKIP:
    default:
      break;
    }

  /* Not checked is not the same as checked and not applicable. */
  if (cd_bulk_item_get_skip_reason (item) == CD_BULK_SKIP_UNREACHABLE)
    {
      *style = "warning";
      return "dialog-warning-symbolic";
    }

  return "action-unavailable-symbolic";
}

static void
set_style (GtkWidget  *widget,
           const char *style)
{
  const char *styles[] = { "success", "warning", "error" };

  for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
    {
      if (g_strcmp0 (style, styles[i]) == 0)
        gtk_widget_add_css_class (widget, styles[i]);
      else
        gtk_widget_remove_css_class (widget, styles[i]);
    }
}

typedef struct
{
  GtkImage *icon;
  GtkLabel *title;
  GtkLabel *subtitle;
  GtkLabel *serial;
} RowWidgets;

static void
update_row (CdBulkDialog *self,
            GtkListItem  *list_item)
{
  RowWidgets *row = g_object_get_data (G_OBJECT (list_item), "row");
  CdBulkItem *item = gtk_list_item_get_item (list_item);
  g_autofree char *text = NULL;
  const char *style;

  if (item == NULL)
    return;

  text = item_text (self, item);
  gtk_image_set_from_icon_name (row->icon, item_icon_name (item, &style));
  set_style (GTK_WIDGET (row->icon), style);
  gtk_label_set_text (row->title,
                      cd_device_get_name (cd_bulk_item_get_device (item)));
  gtk_label_set_text (row->subtitle, text);
  /* Demo and real fleets repeat names ("Empfang Mitte"); the serial
   * tells the devices apart. */
  gtk_label_set_text (row->serial,
                      cd_device_get_serial (cd_bulk_item_get_device (item)));

  /* An error is read, not skimmed: full contrast, not dimmed. */
  if (cd_bulk_item_get_status (item) == CD_BULK_STATUS_FAILED)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (row->subtitle), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (row->subtitle), "error");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (row->subtitle), "error");
      gtk_widget_add_css_class (GTK_WIDGET (row->subtitle), "dim-label");
    }
}

static void
on_factory_setup (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item,
                  CdBulkDialog             *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  RowWidgets *row = g_new0 (RowWidgets, 1);

  row->icon = GTK_IMAGE (gtk_image_new ());
  row->title = GTK_LABEL (gtk_label_new (NULL));
  row->subtitle = GTK_LABEL (gtk_label_new (NULL));
  row->serial = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (row->serial), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (row->serial), "caption");
  gtk_widget_set_valign (GTK_WIDGET (row->serial), GTK_ALIGN_CENTER);
  gtk_label_set_xalign (row->title, 0);
  gtk_label_set_ellipsize (row->title, PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (row->subtitle, 0);
  gtk_label_set_wrap (row->subtitle, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (row->subtitle), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (row->subtitle), "caption");
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);

  gtk_box_append (GTK_BOX (labels), GTK_WIDGET (row->title));
  gtk_box_append (GTK_BOX (labels), GTK_WIDGET (row->subtitle));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (row->icon));
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_box_append (GTK_BOX (box), labels);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (row->serial));
  gtk_list_item_set_child (list_item, box);
  gtk_list_item_set_activatable (list_item, FALSE);
  g_object_set_data_full (G_OBJECT (list_item), "row", row, g_free);
}

static void
on_item_status_notify (CdBulkItem  *item,
                       GParamSpec  *pspec,
                       GtkListItem *list_item)
{
  CdBulkDialog *self = g_object_get_data (G_OBJECT (list_item), "dialog");

  update_row (self, list_item);
}

static void
on_factory_bind (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 CdBulkDialog             *self)
{
  CdBulkItem *item = gtk_list_item_get_item (list_item);

  g_object_set_data (G_OBJECT (list_item), "dialog", self);
  g_signal_connect_object (item, "notify::status",
                           G_CALLBACK (on_item_status_notify), list_item, 0);
  g_ptr_array_add (self->bound_rows, list_item);
  update_row (self, list_item);
}

/* For a change of what every planned row says (the run started). */
static void
update_bound_rows (CdBulkDialog *self)
{
  for (guint i = 0; i < self->bound_rows->len; i++)
    update_row (self, g_ptr_array_index (self->bound_rows, i));
}

static void
on_factory_unbind (GtkSignalListItemFactory *factory,
                   GtkListItem              *list_item,
                   CdBulkDialog             *self)
{
  CdBulkItem *item = gtk_list_item_get_item (list_item);

  g_ptr_array_remove_fast (self->bound_rows, list_item);
  if (item != NULL)
    g_signal_handlers_disconnect_by_func (item, on_item_status_notify,
                                          list_item);
}

/* Preview, progress and summary */

/* "Booked on 5 devices. 2 failed. 1 skipped." */
static char *
result_text (CdBulkDialog *self)
{
  guint changed = cd_bulk_job_get_n_changed (self->job);
  guint failed = cd_bulk_job_get_n_failed (self->job);
  guint not_sent = cd_bulk_job_get_n_not_sent (self->job);
  guint skipped = cd_bulk_job_get_n_skipped (self->job);
  GString *text = g_string_new (NULL);

  if (changed == 0)
    g_string_append (text, self->action == CD_BULK_ACTION_BOOK
                             ? _("Nothing was booked.")
                             : _("Nothing was cancelled."));
  else if (self->action == CD_BULK_ACTION_BOOK)
    g_string_append_printf (text, ngettext ("Booked on %u device.",
                                            "Booked on %u devices.",
                                            changed), changed);
  else
    g_string_append_printf (text, ngettext ("Cancelled on %u device.",
                                            "Cancelled on %u devices.",
                                            changed), changed);

  if (failed > 0)
    {
      g_string_append_c (text, ' ');
      /* TRANSLATORS: part of the result, "Booked on 5 devices. 2 failed." */
      g_string_append_printf (text, ngettext ("%u failed.", "%u failed.",
                                              failed), failed);
    }
  if (not_sent > 0)
    {
      g_string_append_c (text, ' ');
      /* TRANSLATORS: part of the result after the user stopped. */
      g_string_append_printf (text, ngettext ("%u not sent.", "%u not sent.",
                                              not_sent), not_sent);
    }
  if (skipped > 0)
    {
      g_string_append_c (text, ' ');
      /* TRANSLATORS: part of the result, "Booked on 5 devices. 3 skipped." */
      g_string_append_printf (text, ngettext ("%u skipped.", "%u skipped.",
                                              skipped), skipped);
    }

  return g_string_free (text, FALSE);
}

/* What the result means for the bill, and what can still be done. */
static char *
result_detail (CdBulkDialog *self)
{
  guint changed = cd_bulk_job_get_n_changed (self->job);
  gint64 price = cd_module_get_price_amount_minor (self->module);
  const char *currency = cd_module_get_price_currency (self->module);
  g_autofree char *amount = cd_format_price (price * changed, currency);
  GString *text = g_string_new (NULL);

  if (changed > 0 && self->action == CD_BULK_ACTION_BOOK)
    g_string_append_printf (text, _("The monthly cost rises by %s."), amount);
  else if (changed > 0)
    /* TRANSLATORS: %s is an amount of money, "€15.00". */
    g_string_append_printf (text, _("The monthly cost falls by %s once the "
                                    "bookings end."), amount);

  if (cd_bulk_job_get_n_not_sent (self->job) > 0)
    {
      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, _("The rest can still be sent. Nothing is "
                               "changed twice."));
    }
  else if (cd_bulk_job_get_n_retryable (self->job) > 0)
    {
      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, _("The failed changes can be sent again. "
                               "Nothing is changed twice."));
    }

  return g_string_free (text, FALSE);
}

static void
update_progress (CdBulkDialog *self)
{
  guint total = cd_bulk_job_get_total (self->job);
  guint done = cd_bulk_job_get_done (self->job);
  g_autofree char *progress = NULL;

  /* TRANSLATORS: progress of a bulk change, "12 of 48". */
  progress = g_strdup_printf (_("%u of %u"), done, total);
  gtk_progress_bar_set_fraction (self->progress_bar,
                                 total > 0 ? (double) done / total : 1.0);
  gtk_progress_bar_set_text (self->progress_bar, progress);
}

static void
update_summary (CdBulkDialog *self)
{
  g_autofree char *summary = NULL;
  g_autofree char *detail = NULL;
  guint not_sent;

  update_progress (self);
  if (cd_bulk_job_get_running (self->job))
    return;

  summary = result_text (self);
  detail = result_detail (self);
  not_sent = cd_bulk_job_get_n_not_sent (self->job);
  gtk_label_set_text (self->summary_label, summary);
  gtk_label_set_text (self->cost_label, detail);
  gtk_widget_set_visible (GTK_WIDGET (self->cost_label), *detail != '\0');
  gtk_button_set_label (self->retry_button,
                        not_sent > 0 ? _("C_ontinue") : _("_Retry Failed"));
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button),
                          not_sent > 0
                          || cd_bulk_job_get_n_retryable (self->job) > 0);
}

static void
on_job_counts_notify (CdBulkDialog *self)
{
  if (self->run_cancellable != NULL)
    update_progress (self);
}

static void
show_preview (CdBulkDialog *self)
{
  guint total = cd_bulk_job_get_total (self->job);
  guint skipped = cd_bulk_job_get_n_skipped (self->job);
  gint64 change = cd_bulk_job_get_monthly_change (self->job);
  const char *currency = cd_module_get_price_currency (self->module);
  g_autofree char *price = cd_format_price (ABS (change), currency);
  g_autofree char *summary = NULL;
  g_autofree char *skipped_text = NULL;
  g_autofree char *cost = NULL;
  g_autofree char *button = NULL;

  if (self->action == CD_BULK_ACTION_BOOK)
    {
      summary = g_strdup_printf (ngettext ("%s will be booked on %u device.",
                                           "%s will be booked on %u devices.",
                                           total),
                                 module_name (self), total);
      /* TRANSLATORS: %s is an amount of money, "€139.20". */
      cost = total > 0 ? g_strdup_printf (_("The monthly cost rises by %s."),
                                          price)
                       : g_strdup ("");
      button = g_strdup_printf (ngettext ("_Book on %u Device",
                                          "_Book on %u Devices", total),
                                total);
    }
  else
    {
      g_autofree char *first = cd_format_date (cd_bulk_job_get_first_end (self->job));
      g_autofree char *last = cd_format_date (cd_bulk_job_get_last_end (self->job));

      summary = g_strdup_printf (ngettext ("%s will be cancelled on %u device.",
                                           "%s will be cancelled on %u devices.",
                                           total),
                                 module_name (self), total);
      if (total == 0)
        cost = g_strdup ("");
      else if (g_strcmp0 (first, last) == 0)
        /* TRANSLATORS: %s is an amount of money, then a date. */
        cost = g_strdup_printf (_("The monthly cost falls by %s once the "
                                  "bookings end on %s. Until then each "
                                  "module stays usable."), price, first);
      else
        /* TRANSLATORS: an amount of money, then two dates. */
        cost = g_strdup_printf (_("The monthly cost falls by %s in total. "
                                  "Each device’s saving starts after its own "
                                  "end date, between %s and %s; until then "
                                  "the module stays usable."),
                                price, first, last);
      button = g_strdup_printf (ngettext ("_Cancel on %u Device",
                                          "_Cancel on %u Devices", total),
                                total);
      gtk_widget_remove_css_class (GTK_WIDGET (self->primary_button),
                                   "suggested-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->primary_button),
                                "destructive-action");
    }

  if (skipped > 0)
    {
      g_autofree char *with_skipped = NULL;

      skipped_text = g_strdup_printf (ngettext ("%u device is skipped.",
                                                "%u devices are skipped.",
                                                skipped), skipped);
      with_skipped = g_strconcat (summary, " ", skipped_text, NULL);
      g_free (summary);
      summary = g_steal_pointer (&with_skipped);
    }

  gtk_label_set_text (self->summary_label, summary);
  gtk_label_set_text (self->cost_label, cost);
  gtk_widget_set_visible (GTK_WIDGET (self->cost_label), *cost != '\0');
  gtk_button_set_label (self->primary_button,
                        total > 0 ? button : _("Nothing to Change"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->primary_button), total > 0);

  gtk_spinner_stop (self->spinner);
  gtk_stack_set_visible_child_name (self->stack, "devices");
}

static void
show_finished (CdBulkDialog *self)
{
  g_clear_object (&self->run_cancellable);
  update_summary (self);
  update_bound_rows (self);
  gtk_button_set_label (self->cancel_button, _("_Close"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->primary_button), FALSE);
}

static void
on_job_run_ready (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CdBulkDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  CdBulkJob *job = CD_BULK_JOB (source);

  if (g_async_result_is_tagged (result, cd_bulk_job_run_async))
    cd_bulk_job_run_finish (job, result, &error);
  else
    cd_bulk_job_retry_failed_finish (job, result, &error);

  /* Closed meanwhile: the list's rows show what was done. */
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  /* Stopped by the user (the only other way a run ends with an error):
   * the results show what was done and what was not sent. */
  show_finished (self);
}

static void
start_run (CdBulkDialog *self,
           gboolean      retry)
{
  g_assert (self->run_cancellable == NULL);

  self->run_cancellable = g_cancellable_new ();
  self->run_started = TRUE;
  update_bound_rows (self);

  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->cost_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->primary_button), FALSE);
  gtk_button_set_label (self->cancel_button, _("_Stop"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), TRUE);
  gtk_label_set_text (self->summary_label,
                      self->action == CD_BULK_ACTION_BOOK
                        ? _("Booking…") : _("Cancelling…"));

  if (retry)
    cd_bulk_job_retry_failed_async (self->job, self->run_cancellable,
                                    on_job_run_ready, g_object_ref (self));
  else
    cd_bulk_job_run_async (self->job, self->run_cancellable,
                           on_job_run_ready, g_object_ref (self));
  update_progress (self);
}

static void
stop_run (CdBulkDialog *self)
{
  g_assert (self->run_cancellable != NULL);

  g_cancellable_cancel (self->run_cancellable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), FALSE);
  gtk_label_set_text (self->summary_label,
                      _("Stopping after the changes already sent…"));
}

static void
on_job_plan_ready (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CdBulkDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cd_bulk_job_plan_finish (CD_BULK_JOB (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error);
      return;
    }

  show_preview (self);
}

static void
on_job_n_checked_notify (CdBulkDialog *self)
{
  g_autofree char *checked = cd_format_count (cd_bulk_job_get_n_checked (self->job));
  g_autofree char *total = cd_format_count (g_list_model_get_n_items (self->devices));
  g_autofree char *text = NULL;

  /* TRANSLATORS: progress while the devices' details are fetched,
   * "120 of 5,000 devices checked…". */
  text = g_strdup_printf (_("%s of %s devices checked…"), checked, total);
  gtk_label_set_text (self->loading_label, text);
}

static void
start_plan (CdBulkDialog *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;
  g_autofree char *title = NULL;
  g_autofree char *loading = NULL;
  guint n = g_list_model_get_n_items (self->devices);

  g_assert (self->module != NULL);

  self->job = cd_bulk_job_new (self->client, self->action, self->module,
                               self->devices);
  g_signal_connect_object (self->job, "notify::done",
                           G_CALLBACK (on_job_counts_notify), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "notify::n-failed",
                           G_CALLBACK (on_job_counts_notify), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "notify::n-checked",
                           G_CALLBACK (on_job_n_checked_notify), self,
                           G_CONNECT_SWAPPED);
  selection = gtk_no_selection_new (
    g_object_ref (cd_bulk_job_get_items (self->job)));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));

  title = g_strdup_printf (self->action == CD_BULK_ACTION_BOOK
                             /* TRANSLATORS: %s is a module name. */
                             ? _("Book %s") : _("Cancel %s"),
                           module_name (self));
  adw_window_title_set_title (self->window_title, title);
  loading = g_strdup_printf (ngettext ("Checking %u device…",
                                       "Checking %u devices…", n), n);
  show_loading (self, loading);

  cd_bulk_job_plan_async (self->job, self->cancellable, on_job_plan_ready,
                          g_object_ref (self));
}

/* Choosing the module */

static void
on_module_check_toggled (CdBulkDialog *self)
{
  gboolean any = FALSE;

  for (guint i = 0; i < self->module_checks->len; i++)
    any |= gtk_check_button_get_active (
      g_ptr_array_index (self->module_checks, i));

  gtk_widget_set_sensitive (GTK_WIDGET (self->primary_button), any);
}

/* For a cancel, only the modules booked on at least one of the devices. */
static gboolean
module_is_offered (CdBulkDialog *self,
                   CdModule     *module)
{
  guint n = g_list_model_get_n_items (self->devices);

  if (self->action == CD_BULK_ACTION_BOOK)
    return TRUE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (self->devices, i);
      CdBookingState state;

      if (cd_device_lookup_module_state (device, cd_module_get_code (module),
                                         &state))
        return TRUE;
    }

  return FALSE;
}

static void
show_modules (CdBulkDialog *self)
{
  guint n = g_list_model_get_n_items (self->modules);
  GtkCheckButton *group = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdModule) module = g_list_model_get_item (self->modules, i);
      g_autofree char *price = NULL;
      GtkWidget *row;
      GtkWidget *check;

      if (!module_is_offered (self, module))
        continue;

      price = cd_format_monthly_price (cd_module_get_price_amount_minor (module),
                                       cd_module_get_price_currency (module));
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     cd_module_get_name (module));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), price);
      check = gtk_check_button_new ();
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_check_button_set_group (GTK_CHECK_BUTTON (check), group);
      group = GTK_CHECK_BUTTON (check);
      g_object_set_data_full (G_OBJECT (check), "module",
                              g_object_ref (module), g_object_unref);
      g_signal_connect_object (check, "toggled",
                               G_CALLBACK (on_module_check_toggled), self,
                               G_CONNECT_SWAPPED);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      adw_preferences_group_add (self->module_group, row);
      g_ptr_array_add (self->module_checks, check);
    }

  if (self->module_checks->len == 0)
    adw_preferences_group_set_description (
      self->module_group,
      _("None of the selected devices has a module booked."));

  gtk_spinner_stop (self->spinner);
  gtk_stack_set_visible_child_name (self->stack, "module");
  gtk_button_set_label (self->primary_button, _("C_ontinue"));
}

static void
on_license_types_ready (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(CdBulkDialog) self = user_data;
  g_autoptr(GListModel) types = NULL;
  g_autoptr(GError) error = NULL;

  types = cd_portal_client_list_license_types_finish (
    CD_PORTAL_CLIENT (source), result, &error);
  if (types == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error);
      return;
    }

  for (guint i = 0; i < g_list_model_get_n_items (types); i++)
    {
      g_autoptr(CdLicenseType) type = g_list_model_get_item (types, i);

      g_hash_table_insert (self->license_names,
                           g_strdup (cd_license_type_get_code (type)),
                           g_strdup (cd_license_type_get_name (type)));
    }

  show_modules (self);
}

static void
on_modules_ready (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CdBulkDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  self->modules = cd_portal_client_list_modules_finish (
    CD_PORTAL_CLIENT (source), result, &error);
  if (self->modules == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error);
      return;
    }

  cd_portal_client_list_license_types_async (self->client, self->cancellable,
                                             on_license_types_ready,
                                             g_object_ref (self));
}

/* Buttons */

static void
on_primary_button_clicked (CdBulkDialog *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);

  if (g_strcmp0 (page, "module") == 0)
    {
      for (guint i = 0; i < self->module_checks->len; i++)
        {
          GtkCheckButton *check = g_ptr_array_index (self->module_checks, i);

          if (gtk_check_button_get_active (check))
            g_set_object (&self->module,
                          g_object_get_data (G_OBJECT (check), "module"));
        }
      if (self->module != NULL)
        start_plan (self);
    }
  else if (g_strcmp0 (page, "devices") == 0 && self->job != NULL
           && cd_bulk_job_get_planned (self->job)
           && !cd_bulk_job_get_running (self->job))
    start_run (self, FALSE);
}

static void
on_retry_button_clicked (CdBulkDialog *self)
{
  if (self->job != NULL && !cd_bulk_job_get_running (self->job))
    start_run (self, TRUE);
}

static void
on_cancel_button_clicked (CdBulkDialog *self)
{
  if (self->run_cancellable != NULL)
    stop_run (self);
  else
    gtk_window_close (GTK_WINDOW (self));
}

static gboolean
cd_bulk_dialog_close_request (GtkWindow *window)
{
  CdBulkDialog *self = CD_BULK_DIALOG (window);

  /* Closing stops the run too. The changes already sent still finish,
   * and the device objects they update are the list's own, so the rows
   * show what was done. */
  g_cancellable_cancel (self->run_cancellable);
  g_cancellable_cancel (self->cancellable);

  return GTK_WINDOW_CLASS (cd_bulk_dialog_parent_class)->close_request (window);
}

static void
cd_bulk_dialog_dispose (GObject *object)
{
  CdBulkDialog *self = CD_BULK_DIALOG (object);

  g_cancellable_cancel (self->run_cancellable);
  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CD_TYPE_BULK_DIALOG);

  g_clear_object (&self->job);
  g_clear_object (&self->module);
  g_clear_object (&self->modules);
  g_clear_object (&self->devices);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (cd_bulk_dialog_parent_class)->dispose (object);
}

static void
cd_bulk_dialog_finalize (GObject *object)
{
  CdBulkDialog *self = CD_BULK_DIALOG (object);

  g_clear_pointer (&self->license_names, g_hash_table_unref);
  g_clear_pointer (&self->module_checks, g_ptr_array_unref);
  g_clear_pointer (&self->bound_rows, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->run_cancellable);

  G_OBJECT_CLASS (cd_bulk_dialog_parent_class)->finalize (object);
}

static void
cd_bulk_dialog_class_init (CdBulkDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cd_bulk_dialog_dispose;
  object_class->finalize = cd_bulk_dialog_finalize;
  window_class->close_request = cd_bulk_dialog_close_request;

  gtk_widget_class_set_template_from_resource (
    widget_class, "/com/coredinate/Admin/cd-bulk-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CdBulkDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, CdBulkDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CdBulkDialog, primary_button);
  gtk_widget_class_bind_template_child (widget_class, CdBulkDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, CdBulkDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, CdBulkDialog, loading_label);
  gtk_widget_class_bind_template_child (widget_class, CdBulkDialog, error_page);
  gtk_widget_class_bind_template_child (widget_class, CdBulkDialog, module_group);
  gtk_widget_class_bind_template_child (widget_class, CdBulkDialog, summary_label);
  gtk_widget_class_bind_template_child (widget_class, CdBulkDialog, cost_label);
  gtk_widget_class_bind_template_child (widget_class, CdBulkDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CdBulkDialog, retry_button);
  gtk_widget_class_bind_template_child (widget_class, CdBulkDialog, list_view);
  gtk_widget_class_bind_template_callback (widget_class,
                                           on_primary_button_clicked);
  gtk_widget_class_bind_template_callback (widget_class,
                                           on_cancel_button_clicked);
  gtk_widget_class_bind_template_callback (widget_class,
                                           on_retry_button_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0,
                                       "window.close", NULL);
}

static void
cd_bulk_dialog_init (CdBulkDialog *self)
{
  g_autoptr(GtkListItemFactory) factory = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->license_names = g_hash_table_new_full (g_str_hash, g_str_equal,
                                               g_free, g_free);
  self->module_checks = g_ptr_array_new ();
  self->bound_rows = g_ptr_array_new ();

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect_object (factory, "setup", G_CALLBACK (on_factory_setup),
                           self, 0);
  g_signal_connect_object (factory, "bind", G_CALLBACK (on_factory_bind),
                           self, 0);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (on_factory_unbind),
                           self, 0);
  gtk_list_view_set_factory (self->list_view, factory);
}

CdBulkDialog *
cd_bulk_dialog_present (GtkWidget      *parent,
                        CdPortalClient *client,
                        GListModel     *devices,
                        CdBulkAction    action)
{
  CdBulkDialog *self;
  g_autofree char *subtitle = NULL;
  CdAccount *account;
  GtkRoot *root;
  guint n;

  g_return_val_if_fail (parent == NULL || GTK_IS_WIDGET (parent), NULL);
  g_return_val_if_fail (CD_IS_PORTAL_CLIENT (client), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (devices), NULL);

  self = g_object_new (CD_TYPE_BULK_DIALOG, NULL);
  self->client = g_object_ref (client);
  self->devices = g_object_ref (devices);
  self->action = action;

  root = parent != NULL ? gtk_widget_get_root (parent) : NULL;
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (self), GTK_WINDOW (root));

  n = g_list_model_get_n_items (devices);
  adw_window_title_set_title (self->window_title,
                              action == CD_BULK_ACTION_BOOK
                                ? _("Book Module") : _("Cancel Module"));
  subtitle = g_strdup_printf (ngettext ("%u device selected",
                                        "%u devices selected", n), n);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  /* "Cancel" next to "Cancel on 6 Devices" would read as doing it. */
  if (action == CD_BULK_ACTION_CANCEL)
    gtk_button_set_label (self->cancel_button, _("_Close"));
  gtk_window_present (GTK_WINDOW (self));

  account = cd_portal_client_get_account (client);
  if (account != NULL && !cd_account_get_can_change (account))
    {
      /* The list offers no bulk actions to a viewer; should one get here
       * anyway, say why before any choice is made. */
      show_status (self, "action-unavailable-symbolic",
                   _("Only Administrators Can Change Modules"),
                   _("Your account can see the devices but not book or "
                     "cancel modules. Ask an administrator of your "
                     "company to do it."));
      return self;
    }

  show_loading (self, _("Loading modules…"));
  cd_portal_client_list_modules_async (client, self->cancellable,
                                       on_modules_ready, g_object_ref (self));

  return self;
}
