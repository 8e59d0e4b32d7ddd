/* test-store.c: the store keeps tenants apart in every device query.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "cd-seed.h"
#include "cd-store.h"
#include "cd-term.h"

typedef struct
{
  char    *dir;
  char    *path;
  CdStore *store;
  gint64   muster;
  gint64   nordwache;
  char    *device_id;     /* a Muster device with bookings and events */
} Fixture;

static char *
query_text (CdStore    *store,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (cd_store_get_db (store), sql, -1,
                                       &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return text;
}

static gint64
query_int (CdStore    *store,
           const char *sql)
{
  g_autofree char *text = query_text (store, sql);

  g_assert_nonnull (text);
  return g_ascii_strtoll (text, NULL, 10);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  GDate today;

  fixture->dir = g_dir_make_tmp ("cd-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "portal.db", NULL);
  fixture->store = cd_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_true (cd_date_parse ("2026-12-14", &today));
  g_assert_true (cd_seed_demo (fixture->store, &today, 40, &error));
  g_assert_no_error (error);

  fixture->muster = query_int (fixture->store,
                               "SELECT id FROM tenants WHERE name LIKE"
                               " 'Muster%'");
  fixture->nordwache = query_int (fixture->store,
                                  "SELECT id FROM tenants WHERE name LIKE"
                                  " 'Nordwache%'");
  g_assert_cmpint (fixture->muster, !=, fixture->nordwache);
  fixture->device_id = query_text (fixture->store,
                                   "SELECT d.id FROM devices d"
                                   " WHERE d.tenant_id = (SELECT id FROM"
                                   " tenants WHERE name LIKE 'Muster%')"
                                   " AND EXISTS (SELECT 1 FROM bookings b"
                                   " WHERE b.device_id = d.id)"
                                   " AND EXISTS (SELECT 1 FROM events e"
                                   " WHERE e.device_id = d.id)"
                                   " ORDER BY d.id LIMIT 1");
  g_assert_nonnull (fixture->device_id);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (fixture->path, "-shm", NULL);

  cd_store_free (fixture->store);
  g_unlink (wal);
  g_unlink (shm);
  g_unlink (fixture->path);
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
  g_free (fixture->device_id);
}

/* The whole state of the device as the database has it. */
static char *
device_state (Fixture *fixture)
{
  g_autofree char *sql = g_strdup_printf (
    "SELECT (SELECT revision || '|' || booking_summary FROM devices"
    " WHERE id = '%1$s') || '|' || (SELECT group_concat (id || coalesce"
    " (cancelled_on, '-') || coalesce (ends_on, '-'), ';') FROM bookings"
    " WHERE device_id = '%1$s') || '|' || (SELECT count (*) FROM events"
    " WHERE device_id = '%1$s')", fixture->device_id);

  return query_text (fixture->store, sql);
}

static void
test_reads (Fixture       *fixture,
            gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) own_bookings = NULL;
  g_autoptr(GArray) other_bookings = NULL;
  g_autoptr(GArray) own_events = NULL;
  g_autoptr(GArray) other_events = NULL;

  own_bookings = cd_store_list_bookings (fixture->store, fixture->muster,
                                         fixture->device_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (own_bookings->len, >, 0);
  own_events = cd_store_list_events (fixture->store, fixture->muster,
                                     fixture->device_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (own_events->len, >, 0);

  /* The id alone is not enough: another tenant reads nothing. */
  other_bookings = cd_store_list_bookings (fixture->store, fixture->nordwache,
                                           fixture->device_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (other_bookings->len, ==, 0);
  other_events = cd_store_list_events (fixture->store, fixture->nordwache,
                                       fixture->device_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (other_events->len, ==, 0);
}

static void
test_writes (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(GArray) bookings = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = device_state (fixture);
  g_autofree char *after = NULL;
  CdBookingRecord booking = { 0 };
  CdBookingRecord changed;
  GDate today;

  g_assert_true (cd_date_parse ("2026-12-14", &today));
  bookings = cd_store_list_bookings (fixture->store, fixture->muster,
                                     fixture->device_id, &error);
  g_assert_no_error (error);
  changed = g_array_index (bookings, CdBookingRecord, 0);
  changed.cancelled_on = today;
  changed.ends_on = today;
  changed.cancelled_by = (char *) "Intruder";

  booking.id = (char *) "00000000-0000-4000-8000-00000000abcd";
  booking.module = (char *) "tickets";
  booking.booked_on = today;
  booking.booked_by = (char *) "Intruder";
  g_date_clear (&booking.cancelled_on, 1);
  g_date_clear (&booking.ends_on, 1);

  /* Every write with the wrong tenant fails and changes nothing. */
  g_assert_false (cd_store_bump_revision (fixture->store, fixture->nordwache,
                                          fixture->device_id, &error));
  g_assert_error (error, CD_STORE_ERROR, CD_STORE_ERROR_FAILED);
  g_clear_error (&error);

  g_assert_false (cd_store_update_booking (fixture->store, fixture->nordwache,
                                           fixture->device_id, &changed,
                                           &error));
  g_assert_error (error, CD_STORE_ERROR, CD_STORE_ERROR_FAILED);
  g_clear_error (&error);

  g_assert_false (cd_store_insert_booking (fixture->store, fixture->nordwache,
                                           fixture->device_id, &booking,
                                           &error));
  g_assert_error (error, CD_STORE_ERROR, CD_STORE_ERROR_FAILED);
  g_clear_error (&error);

  g_assert_false (cd_store_insert_event (fixture->store, fixture->nordwache,
                                         fixture->device_id,
                                         "2026-12-14T10:00:00Z", "Intruder",
                                         "module_booked", "tickets", NULL,
                                         &error));
  g_assert_error (error, CD_STORE_ERROR, CD_STORE_ERROR_FAILED);
  g_clear_error (&error);

  after = device_state (fixture);
  g_assert_cmpstr (after, ==, before);

  /* The same writes for the right tenant go through. */
  g_assert_true (cd_store_bump_revision (fixture->store, fixture->muster,
                                         fixture->device_id, &error));
  g_assert_no_error (error);
  g_assert_true (cd_store_update_booking (fixture->store, fixture->muster,
                                          fixture->device_id, &changed,
                                          &error));
  g_assert_no_error (error);
  g_assert_true (cd_store_insert_event (fixture->store, fixture->muster,
                                        fixture->device_id,
                                        "2026-12-14T10:00:00Z", "Anna",
                                        "module_cancelled", changed.module,
                                        &today, &error));
  g_assert_no_error (error);
  g_free (after);
  after = device_state (fixture);
  g_assert_cmpstr (after, !=, before);
}

static void
test_settings (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autofree char *journal = NULL;
  int rc;

  /* As the store serves, after seeding switched the journal for a while:
   * write-ahead log, a sync at every commit (FULL is 2), keys checked. */
  journal = query_text (fixture->store, "PRAGMA journal_mode");
  g_assert_cmpstr (journal, ==, "wal");
  g_assert_cmpint (query_int (fixture->store, "PRAGMA synchronous"), ==, 2);
  g_assert_cmpint (query_int (fixture->store, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (query_int (fixture->store, "PRAGMA user_version"), ==,
                   CD_STORE_SCHEMA_VERSION);

  /* The keys are enforced, not only declared. */
  rc = sqlite3_exec (cd_store_get_db (fixture->store),
                     "INSERT INTO bookings (device_id, module, id, booked_on,"
                     " booked_by) VALUES ('no-such-device', 'tickets', 'x',"
                     " '2026-12-14', 'Anna')", NULL, NULL, NULL);
  g_assert_cmpint (rc, ==, SQLITE_CONSTRAINT);
}

static void
test_reopen (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gint64 n_devices;
  GDate later;

  g_assert_true (cd_store_bump_revision (fixture->store, fixture->muster,
                                         fixture->device_id, &error));
  g_assert_no_error (error);
  before = device_state (fixture);
  n_devices = query_int (fixture->store, "SELECT count(*) FROM devices");

  /* Opened again and seeded again: the demo keeps its data and changes. */
  cd_store_free (fixture->store);
  fixture->store = cd_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_true (cd_date_parse ("2027-03-01", &later));
  g_assert_true (cd_seed_demo (fixture->store, &later, 500, &error));
  g_assert_no_error (error);

  after = device_state (fixture);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpint (query_int (fixture->store, "SELECT count(*) FROM devices"),
                   ==, n_devices);
  g_assert_cmpint (query_int (fixture->store, "PRAGMA user_version"), ==,
                   CD_STORE_SCHEMA_VERSION);
}

static void
test_refused_files (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cd-store-XXXXXX", &error);
  g_autofree char *newer = NULL;
  g_autofree char *text = NULL;
  sqlite3 *db = NULL;
  CdStore *store;

  g_assert_no_error (error);
  newer = g_build_filename (dir, "newer.db", NULL);
  text = g_build_filename (dir, "notes.txt", NULL);

  /* A database from a newer portal is left alone, not migrated down. */
  g_assert_cmpint (sqlite3_open (newer, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL,
                                 NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  store = cd_store_open (newer, &error);
  g_assert_null (store);
  g_assert_error (error, CD_STORE_ERROR, CD_STORE_ERROR_TOO_NEW);
  g_clear_error (&error);

  /* A file that is no database is an error, not a crash. */
  g_assert_true (g_file_set_contents (text, "Schichtplan KW 51\n", -1, NULL));
  store = cd_store_open (text, &error);
  g_assert_null (store);
  g_assert_error (error, CD_STORE_ERROR, CD_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "notes.txt"));

  g_unlink (newer);
  g_unlink (text);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/store/tenant/reads", Fixture, NULL, fixture_set_up,
              test_reads, fixture_tear_down);
  g_test_add ("/store/tenant/writes", Fixture, NULL, fixture_set_up,
              test_writes, fixture_tear_down);
  g_test_add ("/store/settings", Fixture, NULL, fixture_set_up,
              test_settings, fixture_tear_down);
  g_test_add ("/store/reopen", Fixture, NULL, fixture_set_up,
              test_reopen, fixture_tear_down);
  g_test_add_func ("/store/refused-files", test_refused_files);

  return g_test_run ();
}
