/* cd-csv-export.c: writes a list of devices as an RFC 4180 CSV file.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "cd-csv-export.h"
#include "cd-format.h"
#include "cd-window.h"

/* Rows built per main loop iteration: about a millisecond of work. */
#define ROWS_PER_CHUNK 500

/* How long an export may take before a progress dialog appears. */
#define PROGRESS_DELAY_MS 300

char *
cd_csv_export_quote_field (const char *field)
{
  GString *quoted;

  if (field == NULL)
    return g_strdup ("");
  if (strpbrk (field, ",\"\r\n") == NULL)
    return g_strdup (field);

  quoted = g_string_sized_new (strlen (field) + 8);
  g_string_append_c (quoted, '"');
  for (const char *p = field; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (quoted, '"');
      g_string_append_c (quoted, *p);
    }
  g_string_append_c (quoted, '"');

  return g_string_free (quoted, FALSE);
}

static void
append_field (GString    *row,
              const char *field)
{
  g_autofree char *quoted = cd_csv_export_quote_field (field);

  if (row->len > 0 && row->str[row->len - 1] != '\n')
    g_string_append_c (row, ',');
  g_string_append (row, quoted);
}

static void
end_row (GString *text)
{
  g_string_append (text, "\r\n");
}

typedef struct
{
  GPtrArray           *devices;             /* (owned) of CdDevice */
  GPtrArray           *modules;             /* (owned) of CdModule */
  GHashTable          *module_names;        /* (owned) code → name */
  GHashTable          *license_type_names;  /* (owned) code → name */
  GFile               *file;                /* (owned) */
  GString             *text;                /* (owned) (nullable) */
  GBytes              *bytes;               /* (owned) (nullable) */
  guint                position;
  CdCsvExportProgress  progress;
  gpointer             progress_data;
} WriteData;

static void
write_data_free (WriteData *data)
{
  g_clear_pointer (&data->devices, g_ptr_array_unref);
  g_clear_pointer (&data->modules, g_ptr_array_unref);
  g_clear_pointer (&data->bytes, g_bytes_unref);
  g_clear_pointer (&data->module_names, g_hash_table_unref);
  g_clear_pointer (&data->license_type_names, g_hash_table_unref);
  g_clear_object (&data->file);
  if (data->text != NULL)
    g_string_free (data->text, TRUE);
  g_free (data);
}

static void
append_header (WriteData *data)
{
  GString *text = data->text;

  /* TRANSLATORS: column headers of the exported CSV file of devices. */
  append_field (text, _("Name"));
  append_field (text, _("Model"));
  append_field (text, _("Serial Number"));
  append_field (text, _("Platform"));
  append_field (text, _("License Type"));
  append_field (text, _("License State"));
  append_field (text, _("Current Term End"));
  append_field (text, _("Next Possible End"));
  append_field (text, _("Modules"));
  append_field (text, _("Last Seen (UTC)"));
  /* One column per module of the catalogue, to filter by in a
   * spreadsheet. */
  for (guint i = 0; i < data->modules->len; i++)
    append_field (text, cd_module_get_name (g_ptr_array_index (data->modules,
                                                               i)));
  end_row (text);
}

/* The cell of one module's column: empty when it is not booked. */
static const char *
module_state_text (CdDevice   *device,
                   const char *module_code)
{
  CdBookingState state;

  if (!cd_device_lookup_module_state (device, module_code, &state))
    return "";

  switch (state)
    {
    case CD_BOOKING_STATE_ACTIVE:
      return C_("module state", "Booked");
    case CD_BOOKING_STATE_CANCELLATION_PENDING:
      return C_("module state", "Cancelled");
    case CD_BOOKING_STATE_ENDED:
    default:
      return "";
    }
}

static void
append_date (GString     *text,
             const GDate *date)
{
  char buf[16] = "";

  /* An exchange format, not display: spreadsheets read ISO 8601 dates in
   * every locale. */
  if (date != NULL && g_date_valid (date))
    g_date_strftime (buf, sizeof buf, "%Y-%m-%d", date);
  append_field (text, buf);
}

static const char *
license_state_text (CdLicense *license)
{
  if (license == NULL)
    return _("No license");

  switch (cd_license_get_state (license))
    {
    case CD_LICENSE_STATE_ACTIVE:
      return C_("license state", "Active");
    case CD_LICENSE_STATE_CANCELLED:
      return C_("license state", "Cancelled");
    case CD_LICENSE_STATE_ENDED:
      return C_("license state", "Ended");
    default:
      g_assert_not_reached ();
    }
}

static char *
modules_text (WriteData *data,
              CdDevice  *device)
{
  GString *text = g_string_new (NULL);
  guint n = cd_device_get_n_modules (device);

  for (guint i = 0; i < n; i++)
    {
      const char *code = cd_device_get_module_code (device, i);
      const char *name = g_hash_table_lookup (data->module_names, code);

      if (name == NULL)
        name = code;
      if (text->len > 0)
        g_string_append (text, "; ");
      if (cd_device_get_module_state (device, i)
          == CD_BOOKING_STATE_CANCELLATION_PENDING)
        /* TRANSLATORS: a module in the CSV export whose booking has been
         * cancelled and ends at the license's term end. */
        g_string_append_printf (text, _("%s (cancelled)"), name);
      else
        g_string_append (text, name);
    }

  return g_string_free (text, FALSE);
}

static void
append_device (WriteData *data,
               CdDevice  *device)
{
  GString *text = data->text;
  CdLicense *license = cd_device_get_license (device);
  GDateTime *last_seen = cd_device_get_last_seen_at (device);
  g_autofree char *modules = modules_text (data, device);
  g_autofree char *last_seen_text = NULL;

  append_field (text, cd_device_get_name (device));
  append_field (text, cd_device_get_model (device));
  append_field (text, cd_device_get_serial (device));
  append_field (text,
                cd_device_get_platform (device) == CD_PLATFORM_IOS
                  ? "iOS" : "Android");

  if (license != NULL)
    {
      const char *code = cd_license_get_type_code (license);
      const char *name = g_hash_table_lookup (data->license_type_names, code);

      append_field (text, name != NULL ? name : code);
    }
  else
    append_field (text, "");
  append_field (text, license_state_text (license));
  append_date (text, license ? cd_license_get_current_term_end (license) : NULL);
  append_date (text, license ? cd_license_get_next_possible_end (license) : NULL);
  append_field (text, modules);

  if (last_seen != NULL)
    {
      g_autoptr(GDateTime) utc = g_date_time_to_utc (last_seen);

      last_seen_text = g_date_time_format (utc, "%Y-%m-%d %H:%M:%S");
    }
  append_field (text, last_seen_text);
  for (guint i = 0; i < data->modules->len; i++)
    {
      CdModule *module = g_ptr_array_index (data->modules, i);

      append_field (text, module_state_text (device,
                                             cd_module_get_code (module)));
    }
  end_row (text);
}

/* Writes @bytes to a hidden file next to @file, then renames it over
 * @file: whatever fails, @file is either complete or as it was, and no
 * temporary file is left behind. Inside Flatpak @file is in the document
 * portal, which allows such a file next to the chosen one. */
static gboolean
save_bytes (GFile         *file,
            GBytes        *bytes,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GFile) parent = g_file_get_parent (file);
  g_autofree char *basename = g_file_get_basename (file);
  g_autoptr(GFile) temp = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length;
  const char *contents = g_bytes_get_data (bytes, &length);

  if (parent == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                           "No folder to write into");
      return FALSE;
    }

  for (guint attempt = 0; stream == NULL && attempt < 10; attempt++)
    {
      g_autofree char *name = g_strdup_printf (".%s.%08x.part", basename,
                                               g_random_int ());

      g_clear_object (&temp);
      g_clear_error (&local_error);
      temp = g_file_get_child (parent, name);
      stream = g_file_create (temp, G_FILE_CREATE_NONE, cancellable,
                              &local_error);
      if (stream == NULL
          && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        break;
    }
  if (stream == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!g_output_stream_write_all (G_OUTPUT_STREAM (stream), contents, length,
                                  NULL, cancellable, &local_error)
      || !g_output_stream_close (G_OUTPUT_STREAM (stream), cancellable,
                                 &local_error)
      || !g_file_move (temp, file, G_FILE_COPY_OVERWRITE, cancellable,
                       NULL, NULL, &local_error))
    {
      g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, NULL);
      g_file_delete (temp, NULL, NULL);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

static void
save_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  WriteData *data = task_data;
  GError *error = NULL;

  if (save_bytes (data->file, data->bytes, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static gboolean
write_chunk (gpointer user_data)
{
  GTask *task = user_data;
  WriteData *data = g_task_get_task_data (task);
  guint end = MIN (data->position + ROWS_PER_CHUNK, data->devices->len);
  gsize length;

  if (g_task_return_error_if_cancelled (task))
    return G_SOURCE_REMOVE;

  for (; data->position < end; data->position++)
    append_device (data, g_ptr_array_index (data->devices, data->position));

  if (data->progress != NULL)
    data->progress (data->position, data->devices->len, data->progress_data);

  if (data->position < data->devices->len)
    return G_SOURCE_CONTINUE;

  /* The rows are built here, on the main loop, where the devices live;
   * only the finished bytes go to the thread. */
  length = data->text->len;
  data->bytes = g_bytes_new_take (
    g_string_free (g_steal_pointer (&data->text), FALSE), length);
  g_task_run_in_thread (task, save_in_thread);

  return G_SOURCE_REMOVE;
}

static GHashTable *
module_names_by_code (GListModel *modules)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal,
                                             g_free, g_free);
  guint n = modules != NULL ? g_list_model_get_n_items (modules) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdModule) module = g_list_model_get_item (modules, i);

      g_hash_table_insert (names, g_strdup (cd_module_get_code (module)),
                           g_strdup (cd_module_get_name (module)));
    }

  return names;
}

static GHashTable *
license_type_names_by_code (GListModel *license_types)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal,
                                             g_free, g_free);
  guint n = license_types != NULL ? g_list_model_get_n_items (license_types)
                                  : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdLicenseType) type = g_list_model_get_item (license_types, i);

      g_hash_table_insert (names, g_strdup (cd_license_type_get_code (type)),
                           g_strdup (cd_license_type_get_name (type)));
    }

  return names;
}

void
cd_csv_export_write_async (GListModel           *devices,
                           GListModel           *modules,
                           GListModel           *license_types,
                           GFile                *file,
                           GCancellable         *cancellable,
                           CdCsvExportProgress   progress,
                           gpointer              progress_data,
                           GAsyncReadyCallback   callback,
                           gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  WriteData *data;
  guint n;

  g_return_if_fail (G_IS_LIST_MODEL (devices));
  g_return_if_fail (modules == NULL || G_IS_LIST_MODEL (modules));
  g_return_if_fail (license_types == NULL || G_IS_LIST_MODEL (license_types));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  n = g_list_model_get_n_items (devices);
  data = g_new0 (WriteData, 1);
  data->devices = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (data->devices, g_list_model_get_item (devices, i));
  data->modules = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; modules != NULL && i < g_list_model_get_n_items (modules);
       i++)
    g_ptr_array_add (data->modules, g_list_model_get_item (modules, i));
  data->module_names = module_names_by_code (modules);
  data->license_type_names = license_type_names_by_code (license_types);
  data->file = g_object_ref (file);
  data->text = g_string_sized_new (128 * (n + 1));
  data->progress = progress;
  data->progress_data = progress_data;
  append_header (data);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_csv_export_write_async);
  g_task_set_task_data (task, data, (GDestroyNotify) write_data_free);

  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, write_chunk,
                   g_steal_pointer (&task), g_object_unref);
}

gboolean
cd_csv_export_write_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Why the file was not written, in words a user can act on. */
char *
cd_csv_export_error_text (GFile        *file,
                          const GError *error)
{
  g_autofree char *name = NULL;
  g_autofree char *reason = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == G_IO_ERROR)
    {
      switch (error->code)
        {
        case G_IO_ERROR_PERMISSION_DENIED:
        case G_IO_ERROR_READ_ONLY:
          reason = g_strdup (_("You cannot save files in this folder. "
                               "Choose another folder."));
          break;
        case G_IO_ERROR_NO_SPACE:
          reason = g_strdup (_("There is not enough free space on the "
                               "disk. Free some space or choose another "
                               "place."));
          break;
        case G_IO_ERROR_NOT_FOUND:
          reason = g_strdup (_("The folder no longer exists. Choose "
                               "another folder."));
          break;
        case G_IO_ERROR_IS_DIRECTORY:
        case G_IO_ERROR_WOULD_MERGE:
        case G_IO_ERROR_NOT_REGULAR_FILE:
          reason = g_strdup (_("There is a folder or special file of this "
                               "name. Choose another name."));
          break;
        case G_IO_ERROR_FILENAME_TOO_LONG:
        case G_IO_ERROR_INVALID_FILENAME:
          reason = g_strdup (_("This file name cannot be used here. Choose "
                               "a shorter or simpler name."));
          break;
        default:
          break;
        }
    }
  if (reason == NULL)
    /* TRANSLATORS: %s is the system's own description of the problem,
     * e.g. "Error writing to file: File too large". */
    reason = g_strdup_printf (_("The file could not be written (%s). "
                                "Choose another place or try again."),
                              error->message);

  name = g_file_get_basename (file);

  /* TRANSLATORS: %s is a file name, then why it was not saved. */
  return g_strdup_printf (_("“%s” was not saved. %s"), name, reason);
}

/* The file chooser glue */

typedef struct
{
  GtkWidget            *parent;         /* (owned) */
  CdPortalClient       *client;         /* (owned) (nullable) */
  GListModel           *devices;        /* (owned) */
  GListModel           *modules;        /* (owned) (nullable) */
  GListModel           *license_types;  /* (owned) (nullable) */
  GFile                *file;           /* (owned) (nullable) */
  GObject              *chooser;        /* (owned) (nullable) */
  GCancellable         *cancellable;    /* (owned) */
  AdwMessageDialog     *progress_dialog;  /* (unowned) (nullable) */
  GtkProgressBar       *progress_bar;   /* (unowned) (nullable) */
  guint                 progress_timeout;
  guint                 done;
  guint                 total;
} ExportRun;

static void
export_run_free (ExportRun *run)
{
  g_clear_handle_id (&run->progress_timeout, g_source_remove);
  if (run->progress_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (run->progress_dialog));
  g_clear_object (&run->parent);
  g_clear_object (&run->client);
  g_clear_object (&run->devices);
  g_clear_object (&run->modules);
  g_clear_object (&run->license_types);
  g_clear_object (&run->file);
  g_clear_object (&run->chooser);
  g_clear_object (&run->cancellable);
  g_free (run);
}

static GtkWindow *
parent_window (ExportRun *run)
{
  GtkRoot *root = gtk_widget_get_root (run->parent);

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
on_progress_dialog_response (AdwMessageDialog *dialog,
                             const char       *response,
                             ExportRun        *run)
{
  /* The dialog closes itself after a response. */
  run->progress_dialog = NULL;
  run->progress_bar = NULL;
  g_cancellable_cancel (run->cancellable);
}

static void
update_progress_bar (ExportRun *run)
{
  g_autofree char *done = NULL;
  g_autofree char *total = NULL;
  g_autofree char *text = NULL;

  if (run->progress_bar == NULL)
    return;

  done = cd_format_count (run->done);
  total = cd_format_count (run->total);
  /* TRANSLATORS: progress of the CSV export, "1,500 of 20,000 devices". */
  text = g_strdup_printf (_("%s of %s devices"), done, total);
  gtk_progress_bar_set_fraction (run->progress_bar,
                                 run->total > 0
                                   ? (double) run->done / run->total : 1.0);
  gtk_progress_bar_set_text (run->progress_bar, text);
}

static gboolean
on_progress_timeout (gpointer user_data)
{
  ExportRun *run = user_data;
  AdwMessageDialog *dialog;

  run->progress_timeout = 0;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
    parent_window (run), _("Exporting Devices…"), NULL));
  adw_message_dialog_add_response (dialog, "cancel", _("_Cancel"));
  run->progress_bar = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_progress_bar_set_show_text (run->progress_bar, TRUE);
  update_progress_bar (run);
  adw_message_dialog_set_extra_child (dialog, GTK_WIDGET (run->progress_bar));
  g_signal_connect (dialog, "response",
                    G_CALLBACK (on_progress_dialog_response), run);
  run->progress_dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));

  return G_SOURCE_REMOVE;
}

static void
on_write_progress (guint    done,
                   guint    total,
                   gpointer user_data)
{
  ExportRun *run = user_data;

  run->done = done;
  run->total = total;
  update_progress_bar (run);
}

static void
show_error (ExportRun    *run,
            const GError *error)
{
  g_autofree char *text = cd_csv_export_error_text (run->file, error);
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
    parent_window (run), _("Could Not Export Devices"), text));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_export_written (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ExportRun *run = user_data;
  g_autoptr(GError) error = NULL;
  GtkWindow *window = parent_window (run);

  /* Success is only said once the file is complete under its name. */
  if (!cd_csv_export_write_finish (result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (run, error);
    }
  else if (CD_IS_WINDOW (window))
    {
      guint n = g_list_model_get_n_items (run->devices);
      g_autofree char *title = NULL;

      title = g_strdup_printf (ngettext ("Exported %u device",
                                         "Exported %u devices", n), n);
      cd_window_add_toast (CD_WINDOW (window), adw_toast_new (title));
    }

  export_run_free (run);
}

static void
export_run_write (ExportRun *run)
{
  run->progress_timeout = g_timeout_add (PROGRESS_DELAY_MS,
                                         on_progress_timeout, run);
  cd_csv_export_write_async (run->devices, run->modules, run->license_types,
                             run->file, run->cancellable,
                             on_write_progress, run,
                             on_export_written, run);
}

static void
on_license_types_ready (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  ExportRun *run = user_data;
  g_autoptr(GError) error = NULL;

  run->license_types = cd_portal_client_list_license_types_finish (
    CD_PORTAL_CLIENT (source), result, &error);
  if (error != NULL)
    g_debug ("Exporting license type codes: %s", error->message);

  export_run_write (run);
}

static void
on_modules_ready (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ExportRun *run = user_data;
  g_autoptr(GError) error = NULL;

  /* Without the catalogue the file still has every device, with codes
   * instead of names, which beats no file at all. */
  run->modules = cd_portal_client_list_modules_finish (
    CD_PORTAL_CLIENT (source), result, &error);
  if (error != NULL)
    g_debug ("Exporting module codes: %s", error->message);

  cd_portal_client_list_license_types_async (run->client, run->cancellable,
                                             on_license_types_ready, run);
}

static void
export_run_start (ExportRun *run)
{
  g_assert (run->file != NULL);

  if (run->client != NULL && cd_portal_client_get_signed_in (run->client))
    cd_portal_client_list_modules_async (run->client, run->cancellable,
                                         on_modules_ready, run);
  else
    export_run_write (run);
}

static const char *
suggested_name (void)
{
  /* TRANSLATORS: the suggested file name of the exported device list;
   * keep it ASCII, e.g. "geraete.csv". */
  return C_("file name", "devices.csv");
}

static GtkFileFilter *
csv_filter_new (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("CSV Files"));
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_filter_add_pattern (filter, "*.csv");

  return filter;
}

/* GtkFileDialog replaces GtkFileChooserNative from GTK 4.10 on; both use
 * the file chooser portal inside Flatpak. */
#if GTK_CHECK_VERSION (4, 10, 0)

static void
on_save_dialog_ready (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  ExportRun *run = user_data;
  g_autoptr(GError) error = NULL;

  run->file = gtk_file_dialog_save_finish (GTK_FILE_DIALOG (source), result,
                                           &error);
  if (run->file == NULL)
    {
      /* Dismissing the chooser is a choice, not a failure. */
      if (!g_error_matches (error, GTK_DIALOG_ERROR,
                            GTK_DIALOG_ERROR_DISMISSED)
          && !g_error_matches (error, GTK_DIALOG_ERROR,
                               GTK_DIALOG_ERROR_CANCELLED))
        g_debug ("The file chooser failed: %s", error->message);
      export_run_free (run);
      return;
    }

  export_run_start (run);
}

static void
choose_file (ExportRun *run)
{
  g_autoptr(GtkFileDialog) dialog = gtk_file_dialog_new ();
  g_autoptr(GtkFileFilter) filter = csv_filter_new ();
  g_autoptr(GListStore) filters = g_list_store_new (GTK_TYPE_FILE_FILTER);

  g_list_store_append (filters, filter);
  gtk_file_dialog_set_title (dialog, _("Export as CSV"));
  gtk_file_dialog_set_accept_label (dialog, _("_Export"));
  gtk_file_dialog_set_modal (dialog, TRUE);
  gtk_file_dialog_set_filters (dialog, G_LIST_MODEL (filters));
  gtk_file_dialog_set_default_filter (dialog, filter);
  gtk_file_dialog_set_initial_name (dialog, suggested_name ());

  run->chooser = G_OBJECT (g_object_ref (dialog));
  gtk_file_dialog_save (dialog, parent_window (run), run->cancellable,
                        on_save_dialog_ready, run);
}

#else

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  ExportRun *run = user_data;

  if (response != GTK_RESPONSE_ACCEPT)
    {
      export_run_free (run);
      return;
    }

  run->file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (run->file == NULL)
    {
      export_run_free (run);
      return;
    }

  export_run_start (run);
}

static void
choose_file (ExportRun *run)
{
  g_autoptr(GtkFileFilter) filter = csv_filter_new ();
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Export as CSV"),
                                         parent_window (run),
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"), _("_Cancel"));
  run->chooser = G_OBJECT (chooser);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser),
                                     suggested_name ());
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);

  g_signal_connect (chooser, "response",
                    G_CALLBACK (on_chooser_response), run);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

#endif

void
cd_csv_export_run (GtkWidget      *parent,
                   CdPortalClient *client,
                   GListModel     *devices)
{
  ExportRun *run;

  g_return_if_fail (GTK_IS_WIDGET (parent));
  g_return_if_fail (client == NULL || CD_IS_PORTAL_CLIENT (client));
  g_return_if_fail (G_IS_LIST_MODEL (devices));

  run = g_new0 (ExportRun, 1);
  run->parent = g_object_ref (parent);
  run->client = client != NULL ? g_object_ref (client) : NULL;
  run->devices = g_object_ref (devices);
  run->cancellable = g_cancellable_new ();

  choose_file (run);
}
