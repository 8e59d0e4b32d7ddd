/* bench-devices.c: how fast the device list loads, searches and scrolls
 * with many devices, against the local portal.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cd-device-list-model.h"
#include "cd-device-row.h"
#include "cd-devices-page.h"
#include "cd-portal.h"
#include "cd-test-portal.h"
#include "cd-ui-test.h"

typedef struct {
  CdDevicesPage *page;
  GtkWindow     *window;
  GListModel    *shown;
  guint          total;

  gint64         first_page_at;    /* first devices reached the list */
  gint64         first_rows_at;    /* first frame that painted rows */

  guint          n_paints;
  gint64         last_paint_at;

  /* Scrolling */
  GArray        *frame_times;      /* of gint64, after-paint times */
  guint          scroll_steps;
  guint          steps_done;
  double         step;
  gboolean       scrolling;
} Bench;

static guint
portal_total (CdPortalClient *client)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;
  guint total = 0;

  cd_portal_client_list_devices_async (client, NULL, NULL, NULL, 1, NULL,
                                       cd_ui_test_store_result, &result);
  items = cd_portal_client_list_devices_finish (client,
                                                cd_ui_test_await (&result),
                                                &cursor,
                                                &total, &error);
  g_assert_no_error (error);

  return total;
}

static gboolean
has_visible_row (GtkWidget *widget)
{
  if (!gtk_widget_get_mapped (widget))
    return FALSE;

  if (CD_IS_DEVICE_ROW (widget))
    return cd_device_row_get_device (CD_DEVICE_ROW (widget)) != NULL;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_visible_row (child))
      return TRUE;

  return FALSE;
}

static void
on_shown_items_changed (GListModel *shown,
                        guint       position,
                        guint       removed,
                        guint       added,
                        Bench      *bench)
{
  if (bench->first_page_at == 0 && added > 0)
    bench->first_page_at = g_get_monotonic_time ();
}

static void
on_after_paint (GdkFrameClock *frame_clock,
                Bench         *bench)
{
  gint64 now = g_get_monotonic_time ();

  if (bench->first_page_at != 0 && bench->first_rows_at == 0 &&
      has_visible_row (GTK_WIDGET (bench->page)))
    bench->first_rows_at = now;

  if (bench->scrolling)
    g_array_append_val (bench->frame_times, now);

  bench->n_paints++;
  bench->last_paint_at = now;
}

static gboolean
all_loaded (gpointer user_data)
{
  Bench *bench = user_data;

  return g_list_model_get_n_items (bench->shown) == bench->total &&
         bench->first_rows_at != 0;
}

static guint
read_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;

  line = strstr (status, "VmRSS:");
  return line != NULL ? (guint) strtoul (line + strlen ("VmRSS:"), NULL, 10)
                      : 0;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);

  return g_array_index (values, double, values->len / 2);
}

static GtkSearchEntry *
find_search_entry (Bench *bench)
{
  return GTK_SEARCH_ENTRY (cd_ui_test_find_by_type (GTK_WIDGET (bench->page),
                                                    GTK_TYPE_SEARCH_ENTRY));
}

/* Each text is what the entry holds after one keystroke. */
static const char * const keystrokes[] = {
  "h", "ha", "haf", "hafe", "hafen", "hafe", "haf", "ha", "h", "",
  "s", "sü", "süd", "sü", "s", "",
  "k", "kö", "kön", "köni", "könig", "königs", "",
  "r", "r5", "r58", "r5", "r", "",
  "x", "xc", "xco", "xcov", "xco", "xc", "x", "",
  "m", "mi", "mit", "mitt", "mitte", "",
};

/* With CD_PERF_CTL naming the control fifo of `perf record --control
 * fifo:…` and CD_PERF_PHASE one of "load", "search" and "jump", only that phase
 * is recorded. */
static void
perf_phase (const char *phase,
            gboolean    start)
{
  const char *fifo = g_getenv ("CD_PERF_CTL");
  FILE *control;

  if (fifo == NULL || g_strcmp0 (g_getenv ("CD_PERF_PHASE"), phase) != 0)
    return;

  control = fopen (fifo, "w");
  if (control == NULL)
    return;
  fprintf (control, "%s\n", start ? "enable" : "disable");
  fclose (control);
}

typedef struct {
  guint n_paints;
  Bench *bench;
} PaintWait;

static gboolean
painted_since (gpointer user_data)
{
  PaintWait *wait = user_data;

  return wait->bench->n_paints > wait->n_paints;
}

/* The model alone, without a view: what filtering itself costs. */
static double
bench_model_search (Bench  *bench,
                    double *worst)
{
  g_autoptr(GListStore) snapshot = g_list_store_new (CD_TYPE_DEVICE);
  g_autoptr(CdDeviceListModel) model = cd_device_list_model_new ();
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  guint n_items = g_list_model_get_n_items (bench->shown);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (bench->shown, i);

      g_list_store_append (snapshot, device);
    }
  cd_device_list_model_set_source (model, G_LIST_MODEL (snapshot));

  *worst = 0;
  for (guint i = 0; i < G_N_ELEMENTS (keystrokes); i++)
    {
      gint64 start = g_get_monotonic_time ();
      double ms;

      cd_device_list_model_set_search (model, keystrokes[i]);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (times, ms);
      *worst = MAX (*worst, ms);
    }

  return median (times);
}

/* The page: from the search entry's report of a keystroke until the
 * frame that shows the result has been painted. */
static double
bench_search (Bench  *bench,
              double *worst,
              double *sync_median)
{
  GtkSearchEntry *entry = find_search_entry (bench);
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) sync_times = g_array_new (FALSE, FALSE, sizeof (double));
  guint search_changed = g_signal_lookup ("search-changed",
                                          GTK_TYPE_SEARCH_ENTRY);

  gtk_widget_activate_action (GTK_WIDGET (bench->page), "devices.search", NULL);
  cd_ui_test_iterate (200);

  *worst = 0;
  for (guint i = 0; i < G_N_ELEMENTS (keystrokes); i++)
    {
      PaintWait wait = { bench->n_paints, bench };
      gint64 start;
      double ms;

      /* The entry waits a moment before it reports a change (or at once,
       * when emptied); filtering starts at that report, so that is when
       * the clock starts. */
      g_signal_handlers_block_matched (entry, G_SIGNAL_MATCH_ID,
                                       search_changed, 0, NULL, NULL, NULL);
      gtk_editable_set_text (GTK_EDITABLE (entry), keystrokes[i]);
      g_signal_handlers_unblock_matched (entry, G_SIGNAL_MATCH_ID,
                                         search_changed, 0, NULL, NULL, NULL);

      start = g_get_monotonic_time ();
      g_signal_emit (entry, search_changed, 0);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (sync_times, ms);

      wait.n_paints = bench->n_paints;
      g_assert_true (cd_ui_test_wait_until (painted_since, &wait, 10000));
      ms = (bench->last_paint_at - start) / 1000.0;
      g_array_append_val (times, ms);
      *worst = MAX (*worst, ms);

      /* Let it settle, as between two real keystrokes. */
      cd_ui_test_iterate (30);
    }

  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  cd_ui_test_iterate (300);

  *sync_median = median (sync_times);

  return median (times);
}

/* The list's own scrolled window (status pages have theirs too). */
static GtkScrolledWindow *
list_scroller (GtkWidget *page)
{
  GtkWidget *list_view = cd_ui_test_find_by_type (page, GTK_TYPE_LIST_VIEW);

  return GTK_SCROLLED_WINDOW (gtk_widget_get_parent (list_view));
}

static gboolean
on_scroll_tick (GtkWidget     *widget,
                GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  Bench *bench = user_data;
  GtkScrolledWindow *scrolled =
    list_scroller (widget);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (scrolled);

  gtk_adjustment_set_value (adjustment,
                            gtk_adjustment_get_value (adjustment) + bench->step);
  bench->steps_done++;

  if (bench->steps_done >= bench->scroll_steps ||
      gtk_adjustment_get_value (adjustment) >=
        gtk_adjustment_get_upper (adjustment) -
        gtk_adjustment_get_page_size (adjustment))
    {
      bench->scrolling = FALSE;
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
scroll_done (gpointer user_data)
{
  Bench *bench = user_data;

  return !bench->scrolling;
}

/* Scrolls from the top towards the bottom, @step pixels per frame, for at
 * most @steps frames; returns the longest frame interval in ms. */
static double
bench_scroll (Bench  *bench,
              double  step,
              guint   steps,
              double *median_ms)
{
  GtkScrolledWindow *scrolled =
    list_scroller (GTK_WIDGET (bench->page));
  g_autoptr(GArray) intervals = g_array_new (FALSE, FALSE, sizeof (double));
  double worst = 0;

  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (scrolled), 0);
  cd_ui_test_iterate (300);

  g_array_set_size (bench->frame_times, 0);
  bench->step = step;
  bench->scroll_steps = steps;
  bench->steps_done = 0;
  bench->scrolling = TRUE;
  gtk_widget_add_tick_callback (GTK_WIDGET (bench->page), on_scroll_tick,
                                bench, NULL);
  g_assert_true (cd_ui_test_wait_until (scroll_done, bench, 600000));
  cd_ui_test_iterate (100);

  for (guint i = 1; i < bench->frame_times->len; i++)
    {
      double ms = (g_array_index (bench->frame_times, gint64, i) -
                   g_array_index (bench->frame_times, gint64, i - 1)) / 1000.0;

      g_array_append_val (intervals, ms);
      worst = MAX (worst, ms);
    }

  *median_ms = intervals->len > 0 ? median (intervals) : 0;

  return worst;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CdTestPortal) portal = NULL;
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkCssProvider) css = NULL;
  GdkFrameClock *frame_clock;
  Bench bench = { 0 };
  guint n_devices = 100000;
  gint64 start;
  gint64 loaded_at;
  double model_median;
  double model_worst;
  double search_median;
  double search_worst;
  double search_sync_median;
  double jump_worst;
  double jump_median;
  double smooth_worst;
  double smooth_median;
  GtkAdjustment *adjustment;
  guint rss_before;
  guint rss_after;

  cd_ui_test_init (&argc, &argv);
  if (argc > 1)
    n_devices = (guint) g_ascii_strtoull (argv[1], NULL, 10);

  g_print ("# seeding the local portal with %u devices…\n", n_devices);
  portal = cd_test_portal_start ("2026-12-14", n_devices, NULL, &error);
  g_assert_no_error (error);
  client = cd_ui_test_sign_in (cd_test_portal_get_url (portal),
                               "admin@muster.example");
  bench.total = portal_total (client);
  g_print ("# the portal lists %u devices\n", bench.total);

  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/com/coredinate/Admin/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  bench.frame_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  bench.window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (bench.window, 1000, 700);
  bench.page = g_object_new (CD_TYPE_DEVICES_PAGE, NULL);
  gtk_window_set_child (bench.window, GTK_WIDGET (bench.page));
  gtk_window_present (bench.window);
  cd_ui_test_iterate (500);

  bench.shown = cd_devices_page_get_selection (bench.page);
  g_signal_connect (bench.shown, "items-changed",
                    G_CALLBACK (on_shown_items_changed), &bench);
  frame_clock = gtk_widget_get_frame_clock (GTK_WIDGET (bench.window));
  g_signal_connect (frame_clock, "after-paint",
                    G_CALLBACK (on_after_paint), &bench);

  rss_before = read_rss_kib ();
  perf_phase ("load", TRUE);
  start = g_get_monotonic_time ();
  cd_devices_page_set_client (bench.page, client);
  g_assert_true (cd_ui_test_wait_until (all_loaded, &bench, 600000));
  loaded_at = g_get_monotonic_time ();
  perf_phase ("load", FALSE);
  /* Let the last pages settle before measuring memory. */
  cd_ui_test_iterate (500);
  rss_after = read_rss_kib ();

  model_median = bench_model_search (&bench, &model_worst);
  perf_phase ("search", TRUE);
  search_median = bench_search (&bench, &search_worst, &search_sync_median);
  perf_phase ("search", FALSE);

  adjustment = gtk_scrolled_window_get_vadjustment (
    list_scroller (GTK_WIDGET (bench.page)));
  perf_phase ("jump", TRUE);
  /* Top to bottom in 300 frames: every frame shows all new rows. */
  jump_worst = bench_scroll (&bench,
                             (gtk_adjustment_get_upper (adjustment) -
                              gtk_adjustment_get_page_size (adjustment)) / 300,
                             300, &jump_median);
  perf_phase ("jump", FALSE);
  /* Smooth scrolling, half a screen per frame, for 600 frames. */
  smooth_worst = bench_scroll (&bench,
                               gtk_adjustment_get_page_size (adjustment) / 2,
                               600, &smooth_median);

  g_print ("devices:                            %u\n", bench.total);
  g_print ("first page to first rows visible:   %.3f s (target < 0.3 s)\n",
           (bench.first_rows_at - bench.first_page_at) / 1e6);
  g_print ("first request to first rows:        %.3f s\n",
           (bench.first_rows_at - start) / 1e6);
  g_print ("all devices loaded:                 %.3f s (target < 3 s)\n",
           (loaded_at - start) / 1e6);
  g_print ("search keystroke refilter, median:  %.2f ms (target < 16 ms), "
           "worst %.2f ms, %u keystrokes (the model alone)\n",
           model_median, model_worst, (guint) G_N_ELEMENTS (keystrokes));
  g_print ("keystroke to painted frame, median: %.2f ms (target < 16 ms), "
           "worst %.2f ms; the list told in %.2f ms (median)\n",
           search_median, search_worst, search_sync_median);
  g_print ("RSS with all devices loaded:        %.1f MB (target < 300 MB), "
           "%.1f MB before loading\n",
           rss_after / 1024.0, rss_before / 1024.0);
  g_print ("scroll top to bottom in 300 jumps:  worst frame %.1f ms "
           "(target < 50 ms), median %.1f ms\n", jump_worst, jump_median);
  g_print ("smooth scroll, 600 frames:          worst frame %.1f ms "
           "(target < 50 ms), median %.1f ms\n", smooth_worst, smooth_median);

  g_signal_handlers_disconnect_by_data (frame_clock, &bench);
  g_signal_handlers_disconnect_by_data (bench.shown, &bench);
  gtk_window_destroy (bench.window);
  g_array_unref (bench.frame_times);

  return 0;
}
