/* test-device-list-model.c: the device list's order, search and filters,
 * and that what it tells a view always matches what it holds.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cd-device-list-model.h"
#include "cd-portal-json.h"

/* What a list view does: it keeps its own copy of the items, changed
 * by each items-changed, and reads the added items while it hears of
 * them. */
typedef struct {
  GPtrArray *items;      /* of (owned) CdDevice */
  guint      n_changes;
} Mirror;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Mirror     *mirror)
{
  g_assert_cmpuint (position + removed, <=, mirror->items->len);
  g_ptr_array_remove_range (mirror->items, position, removed);

  for (guint i = 0; i < added; i++)
    {
      CdDevice *device = g_list_model_get_item (model, position + i);

      g_assert_nonnull (device);
      g_ptr_array_insert (mirror->items, (int) (position + i), device);
    }

  g_assert_cmpuint (mirror->items->len, ==, g_list_model_get_n_items (model));
  mirror->n_changes++;
}

static void
mirror_init (Mirror     *mirror,
             GListModel *model)
{
  mirror->items = g_ptr_array_new_with_free_func (g_object_unref);
  mirror->n_changes = 0;
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed),
                    mirror);
}

static void
mirror_clear (Mirror     *mirror,
              GListModel *model)
{
  g_signal_handlers_disconnect_by_data (model, mirror);
  g_clear_pointer (&mirror->items, g_ptr_array_unref);
}

static void
assert_mirrored (Mirror     *mirror,
                 GListModel *model)
{
  guint n_items = g_list_model_get_n_items (model);

  g_assert_cmpuint (mirror->items->len, ==, n_items);
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (model, i);

      g_assert_true (device == g_ptr_array_index (mirror->items, i));
    }
}

/* The names, in the order shown, joined with "|". */
static char *
shown_names (GListModel *model)
{
  GString *names = g_string_new (NULL);
  guint n_items = g_list_model_get_n_items (model);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (model, i);

      if (i > 0)
        g_string_append_c (names, '|');
      g_string_append (names, cd_device_get_name (device));
    }

  return g_string_free (names, FALSE);
}

static char *
device_json (const char *id,
             const char *name,
             const char *serial,
             const char *model,
             const char *last_seen,
             const char *license)
{
  return g_strdup_printf ("{\"id\":\"%s\",\"name\":\"%s\",\"model\":\"%s\","
                          "\"platform\":\"android\",\"serial\":\"%s\","
                          "\"app_version\":\"4.2.0\","
                          "\"last_seen_at\":\"%s\",\"license\":%s,"
                          "\"modules\":[]}",
                          id, name, model, serial, last_seen,
                          license != NULL ? license : "null");
}

static char *
license_json (const char *type,
              const char *state,
              const char *term_end,
              const char *ends_on)
{
  g_autofree char *ends = ends_on != NULL ? g_strdup_printf ("\"%s\"", ends_on)
                                          : g_strdup ("null");

  return g_strdup_printf ("{\"type\":\"%s\",\"state\":\"%s\","
                          "\"current_term_end\":\"%s\","
                          "\"next_possible_end\":\"%s\",\"ends_on\":%s}",
                          type, state, term_end, term_end, ends);
}

/* Reads a device page made of the given summaries, as the loader would. */
static GListModel *
read_page (const char * const *summaries)
{
  g_autoptr(GString) json = g_string_new ("{\"items\":[");
  g_autoptr(JsonNode) root = NULL;
  guint n_summaries = g_strv_length ((char **) summaries);
  g_autoptr(GError) error = NULL;
  g_autofree char *next_cursor = NULL;
  GListModel *page;
  guint total = 0;

  for (guint i = 0; summaries[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (json, ',');
      g_string_append (json, summaries[i]);
    }
  g_string_append_printf (json, "],\"next_cursor\":null,\"total\":%u}",
                          n_summaries);

  root = cd_portal_json_parse (json->str, json->len, &error);
  g_assert_no_error (error);
  page = cd_portal_json_read_device_page (root, &next_cursor, &total, &error);
  g_assert_no_error (error);

  return page;
}

static void
append_page (GListStore         *store,
             const char * const *summaries)
{
  g_autoptr(GListModel) page = read_page (summaries);
  guint n_items = g_list_model_get_n_items (page);
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n_items; i++)
    g_ptr_array_add (devices, g_list_model_get_item (page, i));

  g_list_store_splice (store, g_list_model_get_n_items (G_LIST_MODEL (store)),
                       0, devices->pdata, devices->len);
}

/* A fleet in the portal's byte order of names, which is not the order a
 * person expects. */
static GListStore *
make_fleet (void)
{
  GListStore *store = g_list_store_new (CD_TYPE_DEVICE);
  g_autofree char *standard = license_json ("standard", "active",
                                            "2027-03-14", NULL);
  g_autofree char *flex = license_json ("flex", "active", "2026-12-31", NULL);
  g_autofree char *cancelled = license_json ("standard", "cancelled",
                                             "2027-03-14", "2027-01-31");
  g_autofree char *ended = license_json ("manager", "ended", "2026-06-30",
                                         "2026-06-30");
  g_autofree char *beta = device_json ("d-1", "Beta Tor", "R58B", "XCover 5",
                                       "2026-12-01T08:00:00Z", standard);
  g_autofree char *streife = device_json ("d-2", "Streife S\xc3\xbc" "d",
                                          "R58S", "XCover 6 Pro",
                                          "2026-12-02T08:00:00Z", flex);
  g_autofree char *lower = device_json ("d-3", "alpha Wache", "FQ0A",
                                        "iPhone SE", "2026-11-01T08:00:00Z",
                                        NULL);
  g_autofree char *umlaut = device_json ("d-4", "\xc3\x84u\xc3\x9f" "eres Tor",
                                         "R58C", "TC26",
                                         "2026-12-03T08:00:00Z", cancelled);
  g_autofree char *old = device_json ("d-5", "Zentrale", "FQ0Z", "iPad",
                                      "2025-01-01T08:00:00Z", ended);
  const char * const first_page[] = { beta, streife, NULL };
  const char * const second_page[] = { lower, umlaut, old, NULL };

  append_page (store, first_page);
  append_page (store, second_page);

  return store;
}

static void
test_fold (void)
{
  g_autofree char *umlauts = cd_device_list_model_fold ("Gerät SÜD");
  g_autofree char *sharp_s = cd_device_list_model_fold ("Straße");
  g_autofree char *ascii = cd_device_list_model_fold ("R58N-XCover");

  g_assert_cmpstr (umlauts, ==, "gerat sud");
  g_assert_cmpstr (sharp_s, ==, "strasse");
  g_assert_cmpstr (ascii, ==, "r58n-xcover");
}

static void
test_name_order (void)
{
  g_autoptr(GListStore) fleet = make_fleet ();
  g_autoptr(CdDeviceListModel) model = cd_device_list_model_new ();
  g_autofree char *names = NULL;
  Mirror mirror;

  mirror_init (&mirror, G_LIST_MODEL (model));
  cd_device_list_model_set_source (model, G_LIST_MODEL (fleet));
  assert_mirrored (&mirror, G_LIST_MODEL (model));

  /* Case and accents do not decide: "alpha" before "Äußeres" before
   * "Beta", although the portal's byte order puts capitals first and
   * umlauts last. */
  names = shown_names (G_LIST_MODEL (model));
  g_assert_cmpstr (names, ==,
                   "alpha Wache|\xc3\x84u\xc3\x9f" "eres Tor|Beta Tor|"
                   "Streife S\xc3\xbc" "d|Zentrale");

  mirror_clear (&mirror, G_LIST_MODEL (model));
}

static void
test_pages_merge (void)
{
  g_autoptr(GListStore) store = g_list_store_new (CD_TYPE_DEVICE);
  g_autoptr(CdDeviceListModel) model = cd_device_list_model_new ();
  g_autoptr(GPtrArray) summaries = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *names = NULL;
  Mirror mirror;

  mirror_init (&mirror, G_LIST_MODEL (model));
  cd_device_list_model_set_source (model, G_LIST_MODEL (store));
  cd_device_list_model_set_search (model, "tor");

  /* Pages of the portal's order arrive one by one, while searching. */
  for (guint page = 0; page < 6; page++)
    {
      g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);

      for (guint i = 0; i < 20; i++)
        {
          guint n = page * 20 + i;
          g_autofree char *id = g_strdup_printf ("d-%03u", n);
          /* Capitals, then lower case: the byte order of the portal. */
          g_autofree char *name = g_strdup_printf ("%s %03u",
                                                   n < 60 ? "Tor" : "tor",
                                                   (n * 37) % 120);

          g_ptr_array_add (items, device_json (id, name, id, "TC26",
                                               "2026-12-01T08:00:00Z",
                                               NULL));
        }
      g_ptr_array_add (items, NULL);
      append_page (store, (const char * const *) items->pdata);
      assert_mirrored (&mirror, G_LIST_MODEL (model));
    }

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 120);
  for (guint i = 1; i < 120; i++)
    {
      g_autoptr(CdDevice) before = g_list_model_get_item (G_LIST_MODEL (model),
                                                          i - 1);
      g_autoptr(CdDevice) after = g_list_model_get_item (G_LIST_MODEL (model),
                                                         i);
      const char *a = cd_device_get_name (before) + strlen ("tor ");
      const char *b = cd_device_get_name (after) + strlen ("tor ");

      g_assert_cmpint (strcmp (a, b), <, 0);
    }

  /* Devices leave the source: the view hears of each. */
  g_list_store_remove (store, 0);
  assert_mirrored (&mirror, G_LIST_MODEL (model));
  g_list_store_splice (store, 10, 30, NULL, 0);
  assert_mirrored (&mirror, G_LIST_MODEL (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 89);

  cd_device_list_model_set_source (model, NULL);
  assert_mirrored (&mirror, G_LIST_MODEL (model));
  names = shown_names (G_LIST_MODEL (model));
  g_assert_cmpstr (names, ==, "");

  mirror_clear (&mirror, G_LIST_MODEL (model));
}

static void
test_search (void)
{
  g_autoptr(GListStore) fleet = make_fleet ();
  g_autoptr(CdDeviceListModel) model = cd_device_list_model_new ();
  struct {
    const char *text;
    const char *names;
  } searches[] = {
    /* Accents and case ignored, on both sides. */
    { "sud", "Streife S\xc3\xbc" "d" },
    { "S\xc3\x9c" "D", "Streife S\xc3\xbc" "d" },
    { "aussere", "\xc3\x84u\xc3\x9f" "eres Tor" },
    /* Typing on narrows, deleting widens again. */
    { "t", "\xc3\x84u\xc3\x9f" "eres Tor|Beta Tor|"
           "Streife S\xc3\xbc" "d|Zentrale" },
    { "to", "\xc3\x84u\xc3\x9f" "eres Tor|Beta Tor" },
    { "tor", "\xc3\x84u\xc3\x9f" "eres Tor|Beta Tor" },
    { "to", "\xc3\x84u\xc3\x9f" "eres Tor|Beta Tor" },
    /* Serial and model count too. */
    { "fq0", "alpha Wache|Zentrale" },
    { "xcover 6", "Streife S\xc3\xbc" "d" },
    /* A match does not span two fields. */
    { "tor r58", "" },
    { "zzz", "" },
    { "", "alpha Wache|\xc3\x84u\xc3\x9f" "eres Tor|Beta Tor|"
          "Streife S\xc3\xbc" "d|Zentrale" },
  };
  Mirror mirror;

  mirror_init (&mirror, G_LIST_MODEL (model));
  cd_device_list_model_set_source (model, G_LIST_MODEL (fleet));

  for (guint i = 0; i < G_N_ELEMENTS (searches); i++)
    {
      g_autofree char *names = NULL;

      cd_device_list_model_set_search (model, searches[i].text);
      assert_mirrored (&mirror, G_LIST_MODEL (model));
      names = shown_names (G_LIST_MODEL (model));
      g_assert_cmpstr (names, ==, searches[i].names);
      g_assert_true (cd_device_list_model_get_searching (model) ==
                     (searches[i].text[0] != '\0'));
    }

  mirror_clear (&mirror, G_LIST_MODEL (model));
}

static void
test_filters (void)
{
  g_autoptr(GListStore) fleet = make_fleet ();
  g_autoptr(CdDeviceListModel) model = cd_device_list_model_new ();
  g_autofree char *none = NULL;
  g_autofree char *standard = NULL;
  g_autofree char *standard_searched = NULL;
  g_autofree char *ending = NULL;
  g_autofree char *all = NULL;
  Mirror mirror;

  mirror_init (&mirror, G_LIST_MODEL (model));
  cd_device_list_model_set_source (model, G_LIST_MODEL (fleet));

  cd_device_list_model_set_license_filter (model, "none");
  assert_mirrored (&mirror, G_LIST_MODEL (model));
  none = shown_names (G_LIST_MODEL (model));
  g_assert_cmpstr (none, ==, "alpha Wache");

  cd_device_list_model_set_license_filter (model, "standard");
  assert_mirrored (&mirror, G_LIST_MODEL (model));
  standard = shown_names (G_LIST_MODEL (model));
  g_assert_cmpstr (standard, ==, "\xc3\x84u\xc3\x9f" "eres Tor|Beta Tor");

  /* Filters and search together. */
  cd_device_list_model_set_search (model, "beta");
  standard_searched = shown_names (G_LIST_MODEL (model));
  g_assert_cmpstr (standard_searched, ==, "Beta Tor");

  cd_device_list_model_set_search (model, NULL);
  cd_device_list_model_set_license_filter (model, "");

  /* What is about to end: here a cancelled license. */
  cd_device_list_model_set_pending_only (model, TRUE);
  assert_mirrored (&mirror, G_LIST_MODEL (model));
  ending = shown_names (G_LIST_MODEL (model));
  g_assert_cmpstr (ending, ==, "\xc3\x84u\xc3\x9f" "eres Tor");
  cd_device_list_model_set_pending_only (model, FALSE);
  assert_mirrored (&mirror, G_LIST_MODEL (model));
  all = shown_names (G_LIST_MODEL (model));
  g_assert_cmpstr (all, ==,
                   "alpha Wache|\xc3\x84u\xc3\x9f" "eres Tor|Beta Tor|"
                   "Streife S\xc3\xbc" "d|Zentrale");

  mirror_clear (&mirror, G_LIST_MODEL (model));
}

static void
test_other_orders (void)
{
  g_autoptr(GListStore) fleet = make_fleet ();
  g_autoptr(CdDeviceListModel) model = cd_device_list_model_new ();
  g_autofree char *by_term_end = NULL;
  g_autofree char *by_last_seen = NULL;
  g_autofree char *by_name = NULL;
  Mirror mirror;

  mirror_init (&mirror, G_LIST_MODEL (model));
  cd_device_list_model_set_source (model, G_LIST_MODEL (fleet));

  /* Soonest end first: the flex term end, the cancelled license's end,
   * the standard term end; then the ended license, then no license. */
  cd_device_list_model_set_sort (model, CD_DEVICE_SORT_TERM_END);
  assert_mirrored (&mirror, G_LIST_MODEL (model));
  by_term_end = shown_names (G_LIST_MODEL (model));
  g_assert_cmpstr (by_term_end, ==,
                   "Streife S\xc3\xbc" "d|\xc3\x84u\xc3\x9f" "eres Tor|"
                   "Beta Tor|Zentrale|alpha Wache");

  cd_device_list_model_set_sort (model, CD_DEVICE_SORT_LAST_SEEN);
  assert_mirrored (&mirror, G_LIST_MODEL (model));
  by_last_seen = shown_names (G_LIST_MODEL (model));
  g_assert_cmpstr (by_last_seen, ==,
                   "\xc3\x84u\xc3\x9f" "eres Tor|Streife S\xc3\xbc" "d|"
                   "Beta Tor|alpha Wache|Zentrale");

  cd_device_list_model_set_sort (model, CD_DEVICE_SORT_NAME);
  assert_mirrored (&mirror, G_LIST_MODEL (model));
  by_name = shown_names (G_LIST_MODEL (model));
  g_assert_cmpstr (by_name, ==,
                   "alpha Wache|\xc3\x84u\xc3\x9f" "eres Tor|Beta Tor|"
                   "Streife S\xc3\xbc" "d|Zentrale");

  mirror_clear (&mirror, G_LIST_MODEL (model));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/device-list-model/fold", test_fold);
  g_test_add_func ("/device-list-model/name-order", test_name_order);
  g_test_add_func ("/device-list-model/pages-merge", test_pages_merge);
  g_test_add_func ("/device-list-model/search", test_search);
  g_test_add_func ("/device-list-model/filters", test_filters);
  g_test_add_func ("/device-list-model/other-orders", test_other_orders);

  return g_test_run ();
}
