/* cd-seed.c: the deterministic demo data.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-server"

#include "cd-seed.h"

#include "cd-auth.h"
#include "cd-catalog.h"
#include "cd-term.h"

#include <string.h>

#define SEED 0x20261214u

typedef struct
{
  const char *name;
  const char *platform;
  const char *serial_prefix;
  gboolean    digits_only;
} SeedModel;

static const SeedModel models[] = {
  { "Samsung Galaxy XCover 6 Pro", "android", "R5CT", FALSE },
  { "Samsung Galaxy XCover 5", "android", "R58R", FALSE },
  { "Zebra TC26", "android", "21", TRUE },
  { "Crosscall Core-X5", "android", "CX5", FALSE },
  { "Samsung Galaxy Tab Active4 Pro", "android", "R52W", FALSE },
  { "Apple iPhone SE", "ios", "F", FALSE },
  { "Apple iPhone 13", "ios", "G", FALSE },
  { "Apple iPad (9. Generation)", "ios", "DMP", FALSE },
};

static const char * const places[] = {
  "Hafen", "Bürgerpark", "Mühlenweg", "Königstraße", "Hauptbahnhof",
  "Messe", "Klinikum Süd", "Rathaus", "Güterverkehrszentrum", "Flughafen",
  "Universität", "Logistikpark Ost", "Schlosspark", "Überseestadt",
  "Neustadt", "Zollhof", "Weserpark", "Straßenbahndepot",
};

static const char * const directions[] = {
  "Nord", "Süd", "Ost", "West", "Mitte", "Haupteingang", "Tor 1", "Tor 3",
};

static const char * const app_versions[] = {
  "5.4.2", "5.4.1", "5.3.0", "5.2.7", "4.9.12",
};

static const char * const actors[] = {
  "Anna Bergmann", "Anna Bergmann", "Anna Bergmann", "Jürgen Köhler",
};

/* A generated device, kept until all are made so they can be written in
 * list order: the devices table is clustered by (tenant, name, id). */
typedef struct
{
  char                 id[40];
  gint64               tenant_id;
  char                *name;          /* (owned) */
  char                *serial;        /* (owned) */
  char                *last_seen_at;  /* (owned) */
  char                *booking_summary; /* (owned) */
  const SeedModel     *model;
  const char          *app_version;
  const CdLicenseType *type;          /* (nullable) */
  GDate                term_start;
  GDate                ends_on;
} SeedDevice;

static void
seed_device_clear (gpointer data)
{
  SeedDevice *device = data;

  g_free (device->name);
  g_free (device->serial);
  g_free (device->last_seen_at);
  g_free (device->booking_summary);
}

static int
compare_seed_devices (gconstpointer a,
                      gconstpointer b)
{
  const SeedDevice *x = a;
  const SeedDevice *y = b;
  int by_name;

  if (x->tenant_id != y->tenant_id)
    return x->tenant_id < y->tenant_id ? -1 : 1;
  by_name = strcmp (x->name, y->name);
  return by_name != 0 ? by_name : strcmp (x->id, y->id);
}

typedef struct
{
  CdStore      *store;
  GArray       *devices;    /* (owned) of SeedDevice */
  GRand        *rand;       /* (owned) */
  GDate         today;
  sqlite3_stmt *insert_device;
  sqlite3_stmt *insert_booking;
  sqlite3_stmt *insert_event;
  guint32       next_device;
  guint32       next_booking;
  gint64        started;
} Seeder;

static void
seeder_clear (Seeder *seeder)
{
  g_clear_pointer (&seeder->rand, g_rand_free);
  g_clear_pointer (&seeder->devices, g_array_unref);
}

/* Seeded ids start with a running number, like time-ordered UUIDs, so a
 * million inserts append to the primary key instead of scattering. */
static void
make_uuid (GRand   *rand,
           guint32  sequence,
           char    *buf)
{
  guint32 w[3];

  for (guint i = 0; i < 3; i++)
    w[i] = g_rand_int (rand);
  w[0] = (w[0] & 0x0fffffffu) | 0x70000000u;
  w[1] = (w[1] & 0x3fffffffu) | 0x80000000u;
  g_snprintf (buf, 37, "%08x-%04x-%04x-%04x-%04x%08x",
              sequence, w[0] >> 16, w[0] & 0xffffu, w[1] >> 16,
              w[1] & 0xffffu, w[2]);
}

static char *
make_name (GRand *rand,
           guint  index)
{
  const char *place = places[g_rand_int_range (rand, 0, G_N_ELEMENTS (places))];
  const char *direction =
    directions[g_rand_int_range (rand, 0, G_N_ELEMENTS (directions))];
  guint number = (guint) g_rand_int_range (rand, 1, 40);

  /* A few fixed names first: the CSV export and sorting tests look for a
   * comma with quotes and for umlauts. */
  switch (index)
    {
    case 0:
      return g_strdup ("Lager \"Alte Spinnerei\", Tor 2");
    case 1:
      return g_strdup ("Empfang Nord");
    case 2:
      return g_strdup ("Pförtnerloge Süd");
    case 3:
      return g_strdup ("Objekt Hafen 3 – Streife");
    default:
      break;
    }

  switch (g_rand_int_range (rand, 0, 9))
    {
    case 0:
      return g_strdup_printf ("Objekt %s %u – Streife", place, number);
    case 1:
      return g_strdup_printf ("Empfang %s – %s", place, direction);
    case 2:
      return g_strdup_printf ("Revierfahrer %u", index);
    case 3:
      return g_strdup_printf ("Streife %s %u", place, number);
    case 4:
      return g_strdup_printf ("Pforte %s %s", place, direction);
    case 5:
      return g_strdup_printf ("Kontrollgang %s %u", place, number);
    case 6:
      return g_strdup_printf ("Leitstelle Tablet %u", number);
    case 7:
      return g_strdup_printf ("Schichtleitung %s %s", place, direction);
    default:
      return g_strdup_printf ("Werkschutz %s %u", place, number);
    }
}

static char *
make_serial (GRand           *rand,
             const SeedModel *model)
{
  static const char alnum[] = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  GString *serial = g_string_new (model->serial_prefix);

  while (serial->len < 12)
    {
      guint range = model->digits_only ? 10 : sizeof alnum - 1;

      g_string_append_c (serial, alnum[g_rand_int_range (rand, 0,
                                                         (gint32) range)]);
    }
  return g_string_free (serial, FALSE);
}

static void
days_before (const GDate *date,
             guint        days,
             GDate       *out)
{
  *out = *date;
  g_date_subtract_days (out, days);
}

static char *
make_timestamp (GRand       *rand,
                const GDate *date)
{
  return g_strdup_printf ("%04u-%02u-%02uT%02d:%02d:%02dZ",
                          (guint) g_date_get_year (date),
                          (guint) g_date_get_month (date),
                          (guint) g_date_get_day (date),
                          g_rand_int_range (rand, 6, 22),
                          g_rand_int_range (rand, 0, 60),
                          g_rand_int_range (rand, 0, 60));
}

static void
bind_date (sqlite3_stmt *stmt,
           int           index,
           const GDate  *date)
{
  char buf[16];

  if (date == NULL || !g_date_valid (date))
    {
      sqlite3_bind_null (stmt, index);
      return;
    }
  cd_date_format (date, buf);
  sqlite3_bind_text (stmt, index, buf, -1, SQLITE_TRANSIENT);
}

static gboolean
step (Seeder        *seeder,
      sqlite3_stmt  *stmt,
      GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, CD_STORE_ERROR, CD_STORE_ERROR_FAILED,
                   "Seeding failed: %s",
                   sqlite3_errmsg (cd_store_get_db (seeder->store)));
      return FALSE;
    }
  return TRUE;
}

/* A device's events are collected and written oldest first, so their
 * sequence numbers, which order the history, follow the time. */
typedef struct
{
  char        *at;          /* (owned) */
  const char  *actor;
  const char  *action;
  const char  *module;
  GDate        ends_on;
} SeedEvent;

static void
seed_event_clear (gpointer data)
{
  g_free (((SeedEvent *) data)->at);
}

static int
compare_seed_events (gconstpointer a,
                     gconstpointer b)
{
  return strcmp (((const SeedEvent *) a)->at, ((const SeedEvent *) b)->at);
}

static void
add_event (GArray       *events,
           GRand        *rand,
           const GDate  *day,
           const char   *actor,
           const char   *action,
           const char   *module,
           const GDate  *ends_on)
{
  SeedEvent event = { 0 };

  event.at = make_timestamp (rand, day);
  event.actor = actor;
  event.action = action;
  event.module = module;
  if (ends_on != NULL)
    event.ends_on = *ends_on;
  else
    g_date_clear (&event.ends_on, 1);
  g_array_append_val (events, event);
}

static gboolean
write_events (Seeder      *seeder,
              const char  *device_id,
              GArray      *events,
              GError     **error)
{
  sqlite3_stmt *stmt = seeder->insert_event;

  g_array_sort (events, compare_seed_events);
  for (guint i = 0; i < events->len; i++)
    {
      const SeedEvent *event = &g_array_index (events, SeedEvent, i);

      sqlite3_bind_text (stmt, 1, device_id, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 2, (int) i + 1);
      sqlite3_bind_text (stmt, 3, event->at, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, event->actor, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, event->action, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, event->module, -1, SQLITE_STATIC);
      bind_date (stmt, 7, &event->ends_on);
      if (!step (seeder, stmt, error))
        return FALSE;
    }
  return TRUE;
}

static void
random_day_between (GRand       *rand,
                    const GDate *first,
                    const GDate *last,
                    GDate       *out)
{
  gint span = g_date_days_between (first, last);

  *out = *first;
  if (span > 0)
    g_date_add_days (out, (guint) g_rand_int_range (rand, 0, span + 1));
}

static gboolean
seed_bookings (Seeder               *seeder,
               const char           *device_id,
               const CdLicenseTerms *terms,
               const char           *license_type,
               const GDate          *license_cancelled_on,
               GPtrArray            *summary,
               GError              **error)
{
  g_autoptr(GArray) events = NULL;
  const CdModule *catalog;
  guint n_modules;
  GDate earliest;

  events = g_array_new (FALSE, TRUE, sizeof (SeedEvent));
  g_array_set_clear_func (events, seed_event_clear);

  catalog = cd_catalog_modules (&n_modules);
  days_before (&seeder->today, 700, &earliest);
  if (g_date_compare (&terms->term_start, &earliest) > 0)
    earliest = terms->term_start;
  if (g_date_compare (&earliest, &seeder->today) > 0)
    earliest = seeder->today;

  for (guint i = 0; i < n_modules; i++)
    {
      const CdModule *module = &catalog[i];
      const char *actor = actors[g_rand_int_range (seeder->rand, 0,
                                                   G_N_ELEMENTS (actors))];
      sqlite3_stmt *stmt = seeder->insert_booking;
      char id[40];
      GDate booked_on;
      GDate cancelled_on;
      GDate ends_on;

      if (!cd_catalog_module_available (module, license_type)
          || g_rand_int_range (seeder->rand, 0, 100) >= 30)
        continue;

      g_date_clear (&cancelled_on, 1);
      g_date_clear (&ends_on, 1);
      random_day_between (seeder->rand, &earliest, &seeder->today, &booked_on);
      if (license_cancelled_on != NULL
          && g_date_compare (&booked_on, license_cancelled_on) > 0)
        continue;

      if (license_cancelled_on != NULL)
        {
          cancelled_on = *license_cancelled_on;
          ends_on = terms->ends_on;
        }
      else if (g_rand_int_range (seeder->rand, 0, 100) < 30)
        {
          CdTermDates dates;

          random_day_between (seeder->rand, &booked_on, &seeder->today,
                              &cancelled_on);
          cd_term_compute (terms, &cancelled_on, &dates);
          ends_on = dates.next_possible_end;
        }

      make_uuid (seeder->rand, ++seeder->next_booking, id);
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, device_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, module->code, -1, SQLITE_STATIC);
      bind_date (stmt, 4, &booked_on);
      sqlite3_bind_text (stmt, 5, actor, -1, SQLITE_STATIC);
      bind_date (stmt, 6, &cancelled_on);
      if (g_date_valid (&cancelled_on))
        sqlite3_bind_text (stmt, 7, actor, -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (stmt, 7);
      bind_date (stmt, 8, &ends_on);
      if (!step (seeder, stmt, error))
        return FALSE;

      {
        char cancelled_text[16] = "";
        char ends_text[16] = "";

        if (g_date_valid (&cancelled_on))
          cd_date_format (&cancelled_on, cancelled_text);
        if (g_date_valid (&ends_on))
          cd_date_format (&ends_on, ends_text);
        g_ptr_array_add (summary, g_strdup_printf ("%s,%s,%s", module->code,
                                                   cancelled_text,
                                                   ends_text));
      }

      add_event (events, seeder->rand, &booked_on, actor, "module_booked",
                 module->code, NULL);
      if (g_date_valid (&cancelled_on))
        add_event (events, seeder->rand, &cancelled_on, actor,
                   "module_cancelled", module->code, &ends_on);
    }

  return write_events (seeder, device_id, events, error);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
seed_device (Seeder   *seeder,
             gint64    tenant_id,
             guint     index,
             GError  **error)
{
  SeedDevice device = { 0 };
  CdLicenseTerms terms;
  GDate cancelled_on;
  GDate last_seen;
  GRand *rand = seeder->rand;
  int roll;

  device.tenant_id = tenant_id;
  make_uuid (rand, ++seeder->next_device, device.id);
  device.name = make_name (rand, index);
  device.model = &models[g_rand_int_range (rand, 0, G_N_ELEMENTS (models))];
  device.serial = make_serial (rand, device.model);
  if (g_rand_int_range (rand, 0, 100) < 85)
    days_before (&seeder->today, (guint) g_rand_int_range (rand, 0, 90),
                 &last_seen);
  else
    days_before (&seeder->today, (guint) g_rand_int_range (rand, 120, 700),
                 &last_seen);
  device.last_seen_at = make_timestamp (rand, &last_seen);

  memset (&terms, 0, sizeof terms);
  g_date_clear (&terms.term_start, 1);
  g_date_clear (&terms.ends_on, 1);
  g_date_clear (&cancelled_on, 1);

  /* About one in eight has no license. */
  if (g_rand_int_range (rand, 0, 8) != 0)
    {
      guint n_types;
      const CdLicenseType *types = cd_catalog_license_types (&n_types);

      roll = g_rand_int_range (rand, 0, 100);
      device.type = &types[roll < 55 ? 0 : roll < 80 ? 1 : 2];
      terms.term_months = device.type->term_months;
      terms.notice_months = device.type->notice_months;
      days_before (&seeder->today, 0, &terms.term_start);
      g_date_add_days (&terms.term_start, 20);
      g_date_subtract_days (&terms.term_start,
                            (guint) g_rand_int_range (rand, 0, 5 * 365));

      roll = g_rand_int_range (rand, 0, 100);
      if (roll < 12 && g_date_compare (&terms.term_start, &seeder->today) < 0)
        {
          CdTermDates dates;
          GDate earliest;

          /* Cancelled recently (still running) or long ago (ended). */
          days_before (&seeder->today, roll < 7 ? 60 : 700, &earliest);
          if (g_date_compare (&earliest, &terms.term_start) < 0)
            earliest = terms.term_start;
          random_day_between (rand, &earliest, &seeder->today, &cancelled_on);
          cd_term_compute (&terms, &cancelled_on, &dates);
          terms.ends_on = dates.next_possible_end;
        }
    }

  device.app_version =
    app_versions[g_rand_int_range (rand, 0, G_N_ELEMENTS (app_versions))];
  device.term_start = terms.term_start;
  device.ends_on = terms.ends_on;

  if (device.type != NULL)
    {
      g_autoptr(GPtrArray) summary = g_ptr_array_new_with_free_func (g_free);

      if (!seed_bookings (seeder, device.id, &terms, device.type->code,
                          g_date_valid (&cancelled_on) ? &cancelled_on : NULL,
                          summary, error))
        {
          seed_device_clear (&device);
          return FALSE;
        }

      /* The same order the store keeps: by module. */
      g_ptr_array_sort (summary, compare_strings);
      g_ptr_array_add (summary, NULL);
      device.booking_summary = g_strjoinv (";", (char **) summary->pdata);
    }

  g_array_append_val (seeder->devices, device);
  return TRUE;
}

static gboolean
write_devices (Seeder  *seeder,
               GError **error)
{
  sqlite3_stmt *stmt = seeder->insert_device;

  g_array_sort (seeder->devices, compare_seed_devices);
  for (guint i = 0; i < seeder->devices->len; i++)
    {
      const SeedDevice *device = &g_array_index (seeder->devices, SeedDevice,
                                                 i);

      sqlite3_bind_text (stmt, 1, device->id, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, device->tenant_id);
      sqlite3_bind_text (stmt, 3, device->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, device->model->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, device->model->platform, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, device->serial, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 7, device->app_version, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 8, device->last_seen_at, -1, SQLITE_STATIC);
      if (device->type != NULL)
        sqlite3_bind_text (stmt, 9, device->type->code, -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (stmt, 9);
      bind_date (stmt, 10, device->type != NULL ? &device->term_start : NULL);
      bind_date (stmt, 11, &device->ends_on);
      sqlite3_bind_text (stmt, 12, device->booking_summary
                                   ? device->booking_summary : "",
                         -1, SQLITE_STATIC);
      if (!step (seeder, stmt, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
exec (CdStore     *store,
      const char  *sql,
      GError     **error)
{
  if (sqlite3_exec (cd_store_get_db (store), sql, NULL, NULL, NULL)
      != SQLITE_OK)
    {
      g_set_error (error, CD_STORE_ERROR, CD_STORE_ERROR_FAILED,
                   "Seeding failed: %s",
                   sqlite3_errmsg (cd_store_get_db (store)));
      return FALSE;
    }
  return TRUE;
}

static gboolean
add_user (CdStore     *store,
          gint64       tenant_id,
          const char  *username,
          const char  *display_name,
          const char  *role,
          GError     **error)
{
  g_autofree char *hash = NULL;
  sqlite3_stmt *stmt;
  int rc;

  hash = cd_auth_hash_password ("demo", error);
  if (hash == NULL)
    return FALSE;

  stmt = cd_store_prepare (store,
                           "INSERT INTO users (tenant_id, username,"
                           " display_name, role, password_hash)"
                           " VALUES (?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, tenant_id);
  sqlite3_bind_text (stmt, 2, username, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, display_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, role, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, hash, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, CD_STORE_ERROR, CD_STORE_ERROR_FAILED,
                   "Seeding failed: %s",
                   sqlite3_errmsg (cd_store_get_db (store)));
      return FALSE;
    }
  return TRUE;
}

static gboolean
already_seeded (CdStore  *store,
                gboolean *seeded,
                GError  **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = cd_store_prepare (store, "SELECT 1 FROM meta WHERE key = 'demo'",
                           error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  *seeded = rc == SQLITE_ROW;
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

static gboolean
seed_all (Seeder  *seeder,
          guint    n_devices,
          GError **error)
{
  CdStore *store = seeder->store;

  if (!exec (store,
             "PRAGMA cache_size = -524288;"
             "DROP INDEX devices_by_id;"
             "INSERT INTO tenants (id, name) VALUES"
             " (1, 'Muster Sicherheitsdienst GmbH'), (2, 'Nordwache GmbH');"
             "INSERT INTO meta (key, value) VALUES ('demo', '1');",
             error))
    return FALSE;

  if (!add_user (store, 1, "admin@muster.example", "Anna Bergmann", "admin",
                 error)
      || !add_user (store, 1, "leser@muster.example", "Jörg Lehmann",
                    "viewer", error)
      || !add_user (store, 2, "admin@nordwache.example", "Katrin Nordmann",
                    "admin", error))
    return FALSE;

  seeder->insert_device =
    cd_store_prepare (store,
                      "INSERT INTO devices (id, tenant_id, name, model,"
                      " platform, serial, app_version, last_seen_at,"
                      " license_type, license_term_start, license_ends_on,"
                      " booking_summary)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (seeder->insert_device == NULL)
    return FALSE;
  seeder->insert_booking =
    cd_store_prepare (store,
                      "INSERT INTO bookings (id, device_id, module, booked_on,"
                      " booked_by, cancelled_on, cancelled_by, ends_on)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (seeder->insert_booking == NULL)
    return FALSE;
  seeder->insert_event =
    cd_store_prepare (store,
                      "INSERT INTO events (device_id, seq, at, actor,"
                      " action, module, ends_on)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (seeder->insert_event == NULL)
    return FALSE;

  for (guint i = 0; i < n_devices; i++)
    if (!seed_device (seeder, 1, i, error))
      return FALSE;

  for (guint i = 0; i < 6; i++)
    if (!seed_device (seeder, 2, i + 4, error))
      return FALSE;

  g_debug ("Generated %u devices in %.1f s", n_devices,
           (g_get_monotonic_time () - seeder->started) / 1e6);

  /* In list order they append to the clustered table; a million inserts
   * in random name order would scatter over it. */
  return write_devices (seeder, error)
         && exec (store, CD_STORE_DEVICES_BY_ID_SQL, error);
}

gboolean
cd_seed_demo (CdStore      *store,
              const GDate  *today,
              guint         n_devices,
              GError      **error)
{
  Seeder seeder = { 0 };
  gboolean seeded = FALSE;
  gboolean ok;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (today != NULL && g_date_valid (today), FALSE);

  if (!already_seeded (store, &seeded, error))
    return FALSE;
  if (seeded)
    return TRUE;

  seeder.store = store;
  seeder.rand = g_rand_new_with_seed (SEED);
  seeder.devices = g_array_sized_new (FALSE, TRUE, sizeof (SeedDevice),
                                      n_devices + 6);
  g_array_set_clear_func (seeder.devices, seed_device_clear);
  seeder.today = *today;
  seeder.started = g_get_monotonic_time ();

  /* A rollback journal only keeps the pages a transaction overwrites, and
   * seeding writes new ones: the fleet is written once instead of to the
   * WAL and again into the database, as crash-safe. The seeded rows are
   * consistent by construction; checking each key against its parent
   * would cost more than writing them. */
  if (!exec (store, "PRAGMA journal_mode = DELETE;"
                    "PRAGMA foreign_keys = OFF;"
                    "PRAGMA temp_store = MEMORY;", error)
      || !cd_store_begin (store, error))
    {
      seeder_clear (&seeder);
      return FALSE;
    }

  ok = seed_all (&seeder, n_devices, error);
  g_debug ("Wrote the devices after %.1f s",
           (g_get_monotonic_time () - seeder.started) / 1e6);
  ok = ok && cd_store_commit (store, error);
  if (!ok)
    cd_store_rollback (store);
  g_debug ("Committed the demo data after %.1f s",
           (g_get_monotonic_time () - seeder.started) / 1e6);

  if (!exec (store, "PRAGMA journal_mode = WAL;"
                    "PRAGMA foreign_keys = ON;"
                    "PRAGMA temp_store = DEFAULT;"
                    CD_STORE_CACHE_SQL, ok ? error : NULL))
    ok = FALSE;

  seeder_clear (&seeder);
  return ok;
}
