/* test-csv-export.c: the CSV export reads back, with an RFC 4180 reader,
 * into the same devices, in English and German.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/resource.h>

#include "cd-csv-export.h"
#include "cd-portal-json.h"
#include "cd-test-portal.h"
#include "cd-ui-test.h"

static gboolean german;

static void
test_quote_field (void)
{
  const struct { const char *in, *out; } cases[] = {
    { "plain", "plain" },
    { "Pförtnerloge Süd", "Pförtnerloge Süd" },
    { "a,b", "\"a,b\"" },
    { "say \"hi\"", "\"say \"\"hi\"\"\"" },
    { "two\r\nlines", "\"two\r\nlines\"" },
    { "line\nfeed", "\"line\nfeed\"" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *quoted = cd_csv_export_quote_field (cases[i].in);

      g_assert_cmpstr (quoted, ==, cases[i].out);
    }
}

typedef struct
{
  const char *name;
  const char *model;
  const char *serial;
  const char *platform;
  const char *license_type;      /* NULL: no license */
  const char *license_state;
  const char *current_term_end;
  const char *next_possible_end;
  const char *modules[3][2];     /* code, state */
  const char *last_seen_at;
} Sample;

static const Sample samples[] = {
  { "Lager \"Alte Spinnerei\", Tor 2", "Zebra TC26", "21837465", "android",
    "standard", "active", "2027-03-14", "2027-03-14",
    { { "roster", "active" }, { "tickets", "cancellation_pending" } },
    "2026-12-01T09:30:00Z" },
  { "Pförtnerloge Süd", "Apple iPad (9. Generation)", "DMPX12345678", "ios",
    NULL, NULL, NULL, NULL, { { NULL } }, "2026-11-30T23:59:59Z" },
  { "Zeile eins\r\nZeile zwei, \"mit\" allem", "Crosscall Core-X5",
    "CX5ABC", "android",
    "flex", "cancelled", "2026-12-31", "2026-12-31",
    { { "gps", "cancellation_pending" } }, "2025-01-02T03:04:05Z" },
  { "Überseestadt Tor 1", "Samsung Galaxy XCover 6 Pro", "R5CT99", "android",
    "manager", "ended", "2024-06-30", "2024-06-30", { { NULL } },
    "2024-06-30T12:00:00Z" },
};

static const char modules_json[] =
  "{\"items\":["
  "{\"code\":\"roster\",\"name\":\"Roster\",\"description\":\"\","
  "\"available_for\":[\"standard\"],"
  "\"monthly_price\":{\"amount_minor\":290,\"currency\":\"EUR\"}},"
  "{\"code\":\"tickets\",\"name\":\"Ticket system\",\"description\":\"\","
  "\"available_for\":[\"standard\"],"
  "\"monthly_price\":{\"amount_minor\":190,\"currency\":\"EUR\"}}]}";

static const char license_types_json[] =
  "{\"items\":["
  "{\"code\":\"standard\",\"name\":\"Standard\",\"term_months\":24,"
  "\"notice_months\":3},"
  "{\"code\":\"flex\",\"name\":\"Flex\",\"term_months\":1,"
  "\"notice_months\":0}]}";

static void
add_nullable_string (JsonBuilder *builder,
                     const char  *member,
                     const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_sample (JsonBuilder  *builder,
            const Sample *sample,
            guint         index)
{
  g_autofree char *id = g_strdup_printf ("device-%u", index);

  json_builder_begin_object (builder);
  add_nullable_string (builder, "id", id);
  add_nullable_string (builder, "name", sample->name);
  add_nullable_string (builder, "model", sample->model);
  add_nullable_string (builder, "platform", sample->platform);
  add_nullable_string (builder, "serial", sample->serial);
  add_nullable_string (builder, "app_version", "5.4.2");
  add_nullable_string (builder, "last_seen_at", sample->last_seen_at);
  json_builder_set_member_name (builder, "license");
  if (sample->license_type == NULL)
    json_builder_add_null_value (builder);
  else
    {
      json_builder_begin_object (builder);
      add_nullable_string (builder, "type", sample->license_type);
      add_nullable_string (builder, "state", sample->license_state);
      add_nullable_string (builder, "current_term_end",
                           sample->current_term_end);
      add_nullable_string (builder, "next_possible_end",
                           sample->next_possible_end);
      /* A cancelled or ended license ends at the end it was cancelled
       * to. */
      add_nullable_string (builder, "ends_on",
                           g_strcmp0 (sample->license_state, "active") != 0
                             ? sample->next_possible_end : NULL);
      json_builder_end_object (builder);
    }
  json_builder_set_member_name (builder, "modules");
  json_builder_begin_array (builder);
  for (guint i = 0; i < G_N_ELEMENTS (sample->modules); i++)
    {
      if (sample->modules[i][0] == NULL)
        break;
      json_builder_begin_object (builder);
      add_nullable_string (builder, "code", sample->modules[i][0]);
      add_nullable_string (builder, "state", sample->modules[i][1]);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

/* Devices as the portal would list them: the samples, repeated to @n. */
static GListModel *
sample_devices (guint n)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;
  GListModel *devices;
  guint total;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "items");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    add_sample (builder, &samples[i % G_N_ELEMENTS (samples)], i);
  json_builder_end_array (builder);
  add_nullable_string (builder, "next_cursor", NULL);
  json_builder_set_member_name (builder, "total");
  json_builder_add_int_value (builder, n);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  devices = cd_portal_json_read_device_page (root, &cursor, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (devices), ==, n);

  return devices;
}

static GListModel *
read_catalogue (const char  *json,
                GListModel *(*reader) (JsonNode *, GError **))
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *model;

  root = cd_portal_json_parse (json, strlen (json), &error);
  g_assert_no_error (error);
  model = reader (root, &error);
  g_assert_no_error (error);

  return model;
}

typedef struct
{
  gboolean  finished;
  gboolean  ok;
  GError   *error;
  guint     n_progress;
  guint     last_done;
  guint     total;
} ExportWait;

static void
on_progress (guint    done,
             guint    total,
             gpointer user_data)
{
  ExportWait *wait = user_data;

  g_assert_cmpuint (done, >=, wait->last_done);
  g_assert_cmpuint (done, <=, total);
  wait->n_progress++;
  wait->last_done = done;
  wait->total = total;
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  ExportWait *wait = user_data;

  wait->ok = cd_csv_export_write_finish (result, &wait->error);
  wait->finished = TRUE;
}

static gboolean
export_finished (gpointer user_data)
{
  ExportWait *wait = user_data;

  return wait->finished;
}

/* Exports @devices to a temporary file and returns its records. */
static GPtrArray *
export_and_read (GListModel *devices,
                 GListModel *modules,
                 GListModel *license_types,
                 ExportWait *wait)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  dir = g_dir_make_tmp ("cd-csv-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "devices.csv", NULL);
  file = g_file_new_for_path (path);

  cd_csv_export_write_async (devices, modules, license_types, file, NULL,
                             on_progress, wait, on_written, wait);
  g_assert_true (cd_ui_test_wait_until (export_finished, wait, 20000));
  g_assert_no_error (wait->error);
  g_assert_true (wait->ok);

  g_file_get_contents (path, &text, &length, &error);
  g_assert_no_error (error);
  g_assert_true (g_utf8_validate (text, length, NULL));
  g_assert_cmpuint (strlen (text), ==, length);
  g_unlink (path);
  g_rmdir (dir);

  return cd_ui_test_read_csv (text);
}

static const char *
expected_state (const Sample *sample)
{
  if (sample->license_type == NULL)
    return german ? "Keine Lizenz" : "No license";
  if (g_str_equal (sample->license_state, "active"))
    return german ? "Aktiv" : "Active";
  if (g_str_equal (sample->license_state, "cancelled"))
    return german ? "Gekündigt" : "Cancelled";
  return german ? "Beendet" : "Ended";
}

static char *
expected_modules (const Sample *sample)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (sample->modules); i++)
    {
      const char *code = sample->modules[i][0];
      const char *name = code;

      if (code == NULL)
        break;
      if (g_str_equal (code, "roster"))
        name = "Roster";
      else if (g_str_equal (code, "tickets"))
        name = "Ticket system";
      if (text->len > 0)
        g_string_append (text, "; ");
      g_string_append (text, name);
      if (g_str_equal (sample->modules[i][1], "cancellation_pending"))
        g_string_append (text, german ? " (gekündigt)" : " (cancelled)");
    }

  return g_string_free (text, FALSE);
}

/* The cell of @code's own column. */
static const char *
expected_module_cell (const Sample *sample,
                      const char   *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (sample->modules); i++)
    {
      if (sample->modules[i][0] == NULL)
        break;
      if (!g_str_equal (sample->modules[i][0], code))
        continue;
      if (g_str_equal (sample->modules[i][1], "cancellation_pending"))
        return german ? "Gekündigt" : "Cancelled";
      return german ? "Gebucht" : "Booked";
    }

  return "";
}

static void
test_export_reads_back (void)
{
  g_autoptr(GListModel) devices = sample_devices (1203);
  g_autoptr(GListModel) modules =
    read_catalogue (modules_json, cd_portal_json_read_modules);
  g_autoptr(GListModel) license_types =
    read_catalogue (license_types_json, cd_portal_json_read_license_types);
  g_autoptr(GPtrArray) records = NULL;
  ExportWait wait = { 0 };
  char **header;

  records = export_and_read (devices, modules, license_types, &wait);

  /* Progress came in several steps, up to every device. */
  g_assert_cmpuint (wait.n_progress, >, 1);
  g_assert_cmpuint (wait.last_done, ==, 1203);
  g_assert_cmpuint (wait.total, ==, 1203);

  g_assert_cmpuint (records->len, ==, 1 + 1203);
  header = g_ptr_array_index (records, 0);
  g_assert_cmpuint (g_strv_length (header), ==, 12);
  g_assert_cmpstr (header[0], ==, "Name");
  g_assert_cmpstr (header[2], ==, german ? "Seriennummer" : "Serial Number");
  g_assert_cmpstr (header[4], ==, german ? "Lizenztyp" : "License Type");
  g_assert_cmpstr (header[8], ==, german ? "Zusatzmodule" : "Modules");
  /* A column per module of the catalogue, by its name. */
  g_assert_cmpstr (header[10], ==, "Roster");
  g_assert_cmpstr (header[11], ==, "Ticket system");

  for (guint i = 0; i < 1203; i++)
    {
      const Sample *sample = &samples[i % G_N_ELEMENTS (samples)];
      char **record = g_ptr_array_index (records, i + 1);
      g_autofree char *modules_text = expected_modules (sample);
      const char *type_name = sample->license_type;
      g_autoptr(GDateTime) seen = NULL;
      g_autofree char *seen_text = NULL;

      if (g_strcmp0 (type_name, "standard") == 0)
        type_name = "Standard";
      else if (g_strcmp0 (type_name, "flex") == 0)
        type_name = "Flex";
      seen = g_date_time_new_from_iso8601 (sample->last_seen_at, NULL);
      seen_text = g_date_time_format (seen, "%Y-%m-%d %H:%M:%S");

      g_assert_cmpuint (g_strv_length (record), ==, 12);
      g_assert_cmpstr (record[0], ==, sample->name);
      g_assert_cmpstr (record[1], ==, sample->model);
      g_assert_cmpstr (record[2], ==, sample->serial);
      g_assert_cmpstr (record[3], ==,
                       g_str_equal (sample->platform, "ios") ? "iOS" : "Android");
      g_assert_cmpstr (record[4], ==, type_name != NULL ? type_name : "");
      g_assert_cmpstr (record[5], ==, expected_state (sample));
      g_assert_cmpstr (record[6], ==,
                       sample->current_term_end ? sample->current_term_end : "");
      g_assert_cmpstr (record[7], ==,
                       sample->next_possible_end ? sample->next_possible_end : "");
      g_assert_cmpstr (record[8], ==, modules_text);
      g_assert_cmpstr (record[9], ==, seen_text);
      g_assert_cmpstr (record[10], ==, expected_module_cell (sample, "roster"));
      g_assert_cmpstr (record[11], ==, expected_module_cell (sample,
                                                             "tickets"));
    }
}

static void
test_export_without_catalogues (void)
{
  g_autoptr(GListModel) devices = sample_devices (4);
  g_autoptr(GPtrArray) records = NULL;
  ExportWait wait = { 0 };
  char **record;

  records = export_and_read (devices, NULL, NULL, &wait);

  g_assert_cmpuint (records->len, ==, 5);
  record = g_ptr_array_index (records, 1);
  /* Without the catalogue there are no module columns to name. */
  g_assert_cmpuint (g_strv_length (record), ==, 10);
  g_assert_cmpstr (record[4], ==, "standard");
  g_assert_cmpstr (record[8], ==,
                   german ? "roster; tickets (gekündigt)"
                          : "roster; tickets (cancelled)");
}

static void
test_export_empty_list (void)
{
  g_autoptr(GListStore) devices = g_list_store_new (CD_TYPE_DEVICE);
  g_autoptr(GPtrArray) records = NULL;
  ExportWait wait = { 0 };

  records = export_and_read (G_LIST_MODEL (devices), NULL, NULL, &wait);

  g_assert_cmpuint (records->len, ==, 1);
}

static GtkFileChooser *
find_file_chooser (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (GTK_IS_FILE_CHOOSER (window)
          && gtk_widget_get_mapped (GTK_WIDGET (window)))
        return GTK_FILE_CHOOSER (window);
    }

  return NULL;
}

static gboolean
file_chooser_is_shown (gpointer user_data)
{
  GtkFileChooser **chooser = user_data;

  *chooser = find_file_chooser ();

  return *chooser != NULL;
}

static gboolean
file_exists (gpointer user_data)
{
  return g_file_test (user_data, G_FILE_TEST_EXISTS);
}

/* The menu entry's path: a file chooser suggesting the translated name,
 * then the file written there with the catalogue's names. */
static void
test_export_run (void)
{
  g_autoptr(GListModel) devices = sample_devices (40);
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *suggested = NULL;
  GtkFileChooser *chooser = NULL;
  GtkWidget *parent = gtk_window_new ();
  char **record;

  dir = g_dir_make_tmp ("cd-csv-run-XXXXXX", &error);
  g_assert_no_error (error);
  folder = g_file_new_for_path (dir);

  gtk_window_present (GTK_WINDOW (parent));
  cd_csv_export_run (parent, NULL, devices);
  g_assert_true (cd_ui_test_wait_until (file_chooser_is_shown, &chooser, 5000));

  suggested = gtk_file_chooser_get_current_name (chooser);
  g_assert_cmpstr (suggested, ==, german ? "geraete.csv" : "devices.csv");
  g_free (cd_ui_test_screenshot (GTK_WIDGET (chooser),
                                 german ? "csv-chooser-de.png"
                                        : "csv-chooser-en.png"));

  g_assert_true (gtk_file_chooser_set_current_folder (chooser, folder, &error));
  g_assert_no_error (error);
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);

  path = g_build_filename (dir, suggested, NULL);
  g_assert_true (cd_ui_test_wait_until (file_exists, path, 5000));
  cd_ui_test_iterate (200);
  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  records = cd_ui_test_read_csv (text);
  g_assert_cmpuint (records->len, ==, 41);
  record = g_ptr_array_index (records, 1);
  g_assert_cmpstr (record[0], ==, samples[0].name);

  g_unlink (path);
  g_rmdir (dir);
  gtk_window_destroy (GTK_WINDOW (parent));
}

/* A second, independent reader: Python's csv module, strict, reads the
 * file the app wrote; its records must be the ones ours reads. */
static void
test_export_python_reader (void)
{
  g_autoptr(GListModel) devices = sample_devices (12);
  g_autoptr(GListModel) mods =
    read_catalogue (modules_json, cd_portal_json_read_modules);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *script =
    "import csv, json, sys\n"
    "with open(sys.argv[1], newline='', encoding='utf-8', errors='strict')"
    " as f:\n"
    "    rows = list(csv.reader(f, strict=True))\n"
    "raw = open(sys.argv[1], 'rb').read()\n"
    "assert raw.count(b'\\r\\n') >= len(rows)\n"
    "json.dump(rows, sys.stdout, ensure_ascii=True)\n";
  ExportWait wait = { 0 };
  JsonArray *rows;
  int status;

  g_assert_nonnull (python);
  dir = g_dir_make_tmp ("cd-csv-py-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "devices.csv", NULL);
  file = g_file_new_for_path (path);
  cd_csv_export_write_async (devices, mods, NULL, file, NULL, NULL, NULL,
                             on_written, &wait);
  g_assert_true (cd_ui_test_wait_until (export_finished, &wait, 20000));
  g_assert_no_error (wait.error);
  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  records = cd_ui_test_read_csv (text);

  g_spawn_sync (NULL,
                (char *[]) { python, (char *) "-c", (char *) script, path,
                             NULL },
                NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("Python's csv reader refused the file: %s", err);

  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  rows = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (rows), ==, records->len);
  for (guint i = 0; i < records->len; i++)
    {
      char **record = g_ptr_array_index (records, i);
      JsonArray *row = json_array_get_array_element (rows, i);

      g_assert_cmpuint (json_array_get_length (row), ==,
                        g_strv_length (record));
      for (guint f = 0; record[f] != NULL; f++)
        g_assert_cmpstr (json_array_get_string_element (row, f), ==,
                         record[f]);
    }
  /* Commas, quotes, CR LF and umlauts came through. */
  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    g_assert_cmpstr (json_array_get_string_element (
                       json_array_get_array_element (rows, i + 1), 0),
                     ==, samples[i].name);

  g_unlink (path);
  g_rmdir (dir);
}

/* Write errors: a full disk is simulated with a file size limit, which
 * makes writes fail part-way, as a disk that fills up does. */

static struct rlimit saved_limit;

static void
limit_file_size (rlim_t bytes)
{
  struct rlimit limit;

  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved_limit), ==, 0);
  limit = saved_limit;
  limit.rlim_cur = bytes;
  /* Past the limit a write fails with EFBIG instead of killing us. */
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
}

static void
unlimit_file_size (void)
{
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved_limit), ==, 0);
}

/* The names in @dir, sorted, joined by spaces. */
static char *
dir_listing (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (handle);
  while ((name = g_dir_read_name (handle)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (names, NULL);

  return g_strjoinv (" ", (char **) names->pdata);
}

static GError *
export_failing (GListModel *devices,
                GFile      *file)
{
  ExportWait wait = { 0 };

  cd_csv_export_write_async (devices, NULL, NULL, file, NULL, NULL, NULL,
                             on_written, &wait);
  g_assert_true (cd_ui_test_wait_until (export_finished, &wait, 20000));
  g_assert_false (wait.ok);
  g_assert_nonnull (wait.error);

  return wait.error;
}

/* A write that fails part-way leaves no half file, neither a new one nor
 * over an old one, and no temporary file. */
static void
test_export_write_error (void)
{
  g_autoptr(GListModel) devices = sample_devices (1203);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *text = NULL;
  g_autofree char *message = NULL;
  const char *old = "Name\r\nvorher\r\n";

  dir = g_dir_make_tmp ("cd-csv-full-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "geraete.csv", NULL);
  file = g_file_new_for_path (path);

  /* A new file. */
  limit_file_size (64 * 1024);
  error = export_failing (devices, file);
  unlimit_file_size ();
  g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  listing = dir_listing (dir);
  g_assert_cmpstr (listing, ==, "");

  message = cd_csv_export_error_text (file, error);
  g_assert_true (g_str_has_prefix (message,
                                   german ? "„geraete.csv“ wurde nicht "
                                            "gespeichert. Die Datei konnte "
                                            "nicht geschrieben werden"
                                          : "“geraete.csv” was not saved. The "
                                            "file could not be written"));
  g_clear_error (&error);

  /* Over an older file, which stays as it was. */
  g_file_set_contents (path, old, -1, &error);
  g_assert_no_error (error);
  limit_file_size (64 * 1024);
  error = export_failing (devices, file);
  unlimit_file_size ();
  g_clear_error (&error);
  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, old);
  g_clear_pointer (&listing, g_free);
  listing = dir_listing (dir);
  g_assert_cmpstr (listing, ==, "geraete.csv");

  /* A folder that is gone meanwhile. */
  g_unlink (path);
  g_rmdir (dir);
  error = export_failing (devices, file);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_pointer (&message, g_free);
  message = cd_csv_export_error_text (file, error);
  g_assert_cmpstr (message, ==,
                   german ? "„geraete.csv“ wurde nicht gespeichert. Den "
                            "Ordner gibt es nicht mehr. Wählen Sie einen "
                            "anderen Ordner."
                          : "“geraete.csv” was not saved. The folder no "
                            "longer exists. Choose another folder.");
}

/* What a read-only folder or a full disk says. Tests run as root here,
 * whom no folder refuses, so these errors are made up, as GIO reports
 * them. */
static void
test_export_error_texts (void)
{
  g_autoptr(GFile) file = g_file_new_for_path ("/srv/export/devices.csv");
  const struct { int code; const char *en, *de; } cases[] = {
    { G_IO_ERROR_PERMISSION_DENIED,
      "“devices.csv” was not saved. You cannot save files in this folder. "
      "Choose another folder.",
      "„devices.csv“ wurde nicht gespeichert. In diesem Ordner können Sie "
      "keine Dateien speichern. Wählen Sie einen anderen Ordner." },
    { G_IO_ERROR_READ_ONLY,
      "“devices.csv” was not saved. You cannot save files in this folder. "
      "Choose another folder.",
      "„devices.csv“ wurde nicht gespeichert. In diesem Ordner können Sie "
      "keine Dateien speichern. Wählen Sie einen anderen Ordner." },
    { G_IO_ERROR_NO_SPACE,
      "“devices.csv” was not saved. There is not enough free space on the "
      "disk. Free some space or choose another place.",
      "„devices.csv“ wurde nicht gespeichert. Auf dem Datenträger ist nicht "
      "genug Platz frei. Schaffen Sie Platz oder wählen Sie einen anderen "
      "Ort." },
    { G_IO_ERROR_IS_DIRECTORY,
      "“devices.csv” was not saved. There is a folder or special file of "
      "this name. Choose another name.",
      "„devices.csv“ wurde nicht gespeichert. Es gibt schon einen Ordner "
      "oder eine besondere Datei mit diesem Namen. Wählen Sie einen anderen "
      "Namen." },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR,
                                                     cases[i].code,
                                                     "Operation failed");
      g_autofree char *text = cd_csv_export_error_text (file, error);

      g_assert_cmpstr (text, ==, german ? cases[i].de : cases[i].en);
    }
}

static GtkWindow *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window)
          && gtk_widget_get_mapped (GTK_WIDGET (window)))
        return window;
    }

  return NULL;
}

static gboolean
message_dialog_is_shown (gpointer user_data)
{
  return find_message_dialog () != NULL;
}

/* From the menu entry's path, a failed write says so, and why. */
static void
test_export_run_error (void)
{
  g_autoptr(GListModel) devices = sample_devices (1203);
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *shown = NULL;
  GtkFileChooser *chooser = NULL;
  GtkWidget *parent = gtk_window_new ();
  GtkWindow *dialog;

  dir = g_dir_make_tmp ("cd-csv-run-full-XXXXXX", &error);
  g_assert_no_error (error);
  folder = g_file_new_for_path (dir);

  gtk_window_present (GTK_WINDOW (parent));
  cd_csv_export_run (parent, NULL, devices);
  g_assert_true (cd_ui_test_wait_until (file_chooser_is_shown, &chooser,
                                        5000));
  /* The chooser reads its first folder before it takes another. */
  cd_ui_test_iterate (300);
  g_assert_true (gtk_file_chooser_set_current_folder (chooser, folder,
                                                      &error));
  g_assert_no_error (error);
  cd_ui_test_iterate (300);

  limit_file_size (64 * 1024);
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
  g_assert_true (cd_ui_test_wait_until (message_dialog_is_shown, NULL,
                                        20000));
  unlimit_file_size ();

  dialog = find_message_dialog ();
  shown = cd_ui_test_collect_text (GTK_WIDGET (dialog));
  g_assert_nonnull (strstr (shown, german ? "Geräte konnten nicht exportiert "
                                            "werden"
                                          : "Could Not Export Devices"));
  g_assert_nonnull (strstr (shown, german ? "„geraete.csv“ wurde nicht "
                                            "gespeichert."
                                          : "“devices.csv” was not saved."));
  g_free (cd_ui_test_screenshot (GTK_WIDGET (dialog),
                                 german ? "csv-write-error-de.png"
                                        : "csv-write-error-en.png"));
  listing = dir_listing (dir);
  g_assert_cmpstr (listing, ==, "");

  gtk_window_destroy (dialog);
  gtk_window_destroy (GTK_WINDOW (parent));
  g_rmdir (dir);
}

/* The demo fleet from the real portal, as the app lists it. */
typedef struct
{
  gboolean    finished;
  GListModel *result;
  GError     *error;
} CallWait;

static gboolean
call_finished (gpointer user_data)
{
  CallWait *wait = user_data;

  return wait->finished;
}

static void
on_signed_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  CallWait *wait = user_data;
  g_autoptr(CdAccount) account = NULL;

  account = cd_portal_client_sign_in_finish (CD_PORTAL_CLIENT (source),
                                             result, &wait->error);
  wait->finished = TRUE;
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CallWait *wait = user_data;
  g_autofree char *cursor = NULL;
  guint total;

  wait->result = cd_portal_client_list_devices_finish (
    CD_PORTAL_CLIENT (source), result, &cursor, &total, &wait->error);
  g_assert_null (cursor);
  wait->finished = TRUE;
}

static void
on_modules_listed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CallWait *wait = user_data;

  wait->result = cd_portal_client_list_modules_finish (
    CD_PORTAL_CLIENT (source), result, &wait->error);
  wait->finished = TRUE;
}

static void
test_export_demo_fleet (void)
{
  g_autoptr(CdTestPortal) portal = NULL;
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(GListModel) devices = NULL;
  g_autoptr(GListModel) modules = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  CallWait call = { 0 };
  ExportWait wait = { 0 };
  guint n;
  gboolean found_quoted = FALSE;
  gboolean found_umlaut = FALSE;

  portal = cd_test_portal_start ("2026-12-14", 0, NULL, &error);
  g_assert_no_error (error);
  client = cd_portal_client_new (cd_test_portal_get_url (portal), &error);
  g_assert_no_error (error);

  cd_portal_client_sign_in_async (client, "admin@muster.example", "demo",
                                  NULL, on_signed_in, &call);
  g_assert_true (cd_ui_test_wait_until (call_finished, &call, 20000));
  g_assert_no_error (call.error);

  call = (CallWait) { 0 };
  cd_portal_client_list_devices_async (client, NULL, NULL, NULL, 1000, NULL,
                                       on_listed, &call);
  g_assert_true (cd_ui_test_wait_until (call_finished, &call, 20000));
  g_assert_no_error (call.error);
  devices = g_steal_pointer (&call.result);

  call = (CallWait) { 0 };
  cd_portal_client_list_modules_async (client, NULL, on_modules_listed, &call);
  g_assert_true (cd_ui_test_wait_until (call_finished, &call, 20000));
  g_assert_no_error (call.error);
  modules = g_steal_pointer (&call.result);

  records = export_and_read (devices, modules, NULL, &wait);

  n = g_list_model_get_n_items (devices);
  g_assert_cmpuint (n, ==, 240);
  g_assert_cmpuint (records->len, ==, n + 1);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (devices, i);
      char **record = g_ptr_array_index (records, i + 1);

      g_assert_cmpstr (record[0], ==, cd_device_get_name (device));
      g_assert_cmpstr (record[1], ==, cd_device_get_model (device));
      g_assert_cmpstr (record[2], ==, cd_device_get_serial (device));
      found_quoted |= g_str_equal (record[0], "Lager \"Alte Spinnerei\", Tor 2");
      found_umlaut |= g_str_equal (record[0], "Pförtnerloge Süd");
    }
  g_assert_true (found_quoted);
  g_assert_true (found_umlaut);
}

int
main (int   argc,
      char *argv[])
{
  const char *language = g_getenv ("LANGUAGE");

  german = language != NULL && g_str_has_prefix (language, "de");
  cd_ui_test_init (&argc, &argv);

  g_test_add_func ("/csv-export/quote-field", test_quote_field);
  g_test_add_func ("/csv-export/reads-back", test_export_reads_back);
  g_test_add_func ("/csv-export/without-catalogues",
                   test_export_without_catalogues);
  g_test_add_func ("/csv-export/empty-list", test_export_empty_list);
  g_test_add_func ("/csv-export/run", test_export_run);
  g_test_add_func ("/csv-export/python-reader", test_export_python_reader);
  g_test_add_func ("/csv-export/write-error", test_export_write_error);
  g_test_add_func ("/csv-export/error-texts", test_export_error_texts);
  g_test_add_func ("/csv-export/run-error", test_export_run_error);
  g_test_add_func ("/csv-export/demo-fleet", test_export_demo_fleet);

  return g_test_run ();
}
