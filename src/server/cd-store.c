/* cd-store.c: the local portal's SQLite database.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-server"

#include "cd-store.h"

#include "cd-term.h"

#include <string.h>

struct _CdStore
{
  sqlite3    *db;            /* (owned) */
  GHashTable *statements;    /* (owned) SQL text -> sqlite3_stmt */
  GHashTable *counts;        /* (owned) filter key -> gint64 total */
};

static const char schema_v1[] =
  "CREATE TABLE meta ("
  "  key TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT NOT NULL);"
  "CREATE TABLE tenants ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL);"
  "CREATE TABLE users ("
  "  id INTEGER PRIMARY KEY,"
  "  tenant_id INTEGER NOT NULL REFERENCES tenants (id),"
  "  username TEXT NOT NULL UNIQUE,"
  "  display_name TEXT NOT NULL,"
  "  role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),"
  "  password_hash TEXT NOT NULL);"
  "CREATE TABLE tokens ("
  "  hash TEXT PRIMARY KEY NOT NULL,"
  "  kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),"
  "  user_id INTEGER NOT NULL REFERENCES users (id),"
  "  grant_id TEXT NOT NULL,"
  "  expires_at INTEGER NOT NULL) WITHOUT ROWID;" /* unix microseconds */
  "CREATE INDEX tokens_by_grant ON tokens (grant_id);"
  /* Clustered in list order (tenant, name, id), so a page of the keyset
   * paging is one sequential read. booking_summary: see below. */
  "CREATE TABLE devices ("
  "  id TEXT NOT NULL,"
  "  tenant_id INTEGER NOT NULL REFERENCES tenants (id),"
  "  name TEXT NOT NULL,"
  "  model TEXT NOT NULL,"
  "  platform TEXT NOT NULL CHECK (platform IN ('android', 'ios')),"
  "  serial TEXT NOT NULL,"
  "  app_version TEXT NOT NULL,"
  "  last_seen_at TEXT,"
  "  license_type TEXT,"
  "  license_term_start TEXT,"
  "  license_ends_on TEXT,"
  "  revision INTEGER NOT NULL DEFAULT 1,"
  "  booking_summary TEXT NOT NULL DEFAULT '',"
  "  CHECK ((license_type IS NULL) = (license_term_start IS NULL)),"
  "  PRIMARY KEY (tenant_id, name, id)) WITHOUT ROWID;"
  CD_STORE_DEVICES_BY_ID_SQL
  /* Bookings and events live clustered by device: every read is "all of
   * one device", and a fleet of a million stays half the size without
   * separate indexes. */
  "CREATE TABLE bookings ("
  "  device_id TEXT NOT NULL REFERENCES devices (id),"
  "  module TEXT NOT NULL,"
  "  id TEXT NOT NULL,"
  "  booked_on TEXT NOT NULL,"
  "  booked_by TEXT NOT NULL,"
  "  cancelled_on TEXT,"
  "  cancelled_by TEXT,"
  "  ends_on TEXT,"
  "  PRIMARY KEY (device_id, module, id)) WITHOUT ROWID;"
  "CREATE TABLE events ("
  "  device_id TEXT NOT NULL REFERENCES devices (id),"
  "  seq INTEGER NOT NULL,"
  "  at TEXT NOT NULL,"
  "  actor TEXT NOT NULL,"
  "  action TEXT NOT NULL,"
  "  module TEXT NOT NULL,"
  "  ends_on TEXT,"
  "  PRIMARY KEY (device_id, seq)) WITHOUT ROWID;"
  "CREATE TABLE idempotency ("
  "  tenant_id INTEGER NOT NULL,"
  "  user_id INTEGER NOT NULL,"
  "  key TEXT NOT NULL,"
  "  method TEXT NOT NULL,"
  "  path TEXT NOT NULL,"
  "  body_hash TEXT NOT NULL,"
  "  status INTEGER NOT NULL,"
  "  content_type TEXT NOT NULL,"
  "  body BLOB NOT NULL,"
  "  etag TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  PRIMARY KEY (tenant_id, user_id, key)) WITHOUT ROWID;";

G_DEFINE_QUARK (cd-store-error-quark, cd_store_error)

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static gboolean
set_sqlite_error (CdStore  *store,
                  GError  **error)
{
  g_set_error (error, CD_STORE_ERROR, CD_STORE_ERROR_FAILED,
               "Database error: %s", sqlite3_errmsg (store->db));
  return FALSE;
}

static gboolean
exec_sql (CdStore     *store,
          const char  *sql,
          GError     **error)
{
  if (sqlite3_exec (store->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return set_sqlite_error (store, error);
  return TRUE;
}

/* contains(haystack, needle): needle is already casefolded. Used by q. */
static void
contains_func (sqlite3_context  *context,
               int               argc,
               sqlite3_value   **argv)
{
  const char *haystack = (const char *) sqlite3_value_text (argv[0]);
  const char *needle = (const char *) sqlite3_value_text (argv[1]);
  g_autofree char *folded = NULL;

  if (haystack == NULL || needle == NULL)
    {
      sqlite3_result_int (context, 0);
      return;
    }

  if (!g_utf8_validate (haystack, -1, NULL))
    {
      sqlite3_result_int (context, 0);
      return;
    }

  folded = g_utf8_casefold (haystack, -1);
  sqlite3_result_int (context, strstr (folded, needle) != NULL);
}

static gboolean
migrate (CdStore  *store,
         GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  int version;

  if (sqlite3_prepare_v2 (store->db, "PRAGMA user_version", -1, &stmt,
                          NULL) != SQLITE_OK)
    return set_sqlite_error (store, error);
  sqlite3_step (stmt);
  version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  if (version > CD_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, CD_STORE_ERROR, CD_STORE_ERROR_TOO_NEW,
                   "The database has schema version %d; this portal knows "
                   "up to %d", version, CD_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  if (version == CD_STORE_SCHEMA_VERSION)
    {
      /* Version 1 took its final shape before the first release; a file
       * from a build before that would fail on every page instead. */
      if (sqlite3_prepare_v2 (store->db,
                              "SELECT booking_summary FROM devices LIMIT 0;",
                              -1, &stmt, NULL) != SQLITE_OK
          || sqlite3_finalize (stmt) != SQLITE_OK
          || sqlite3_prepare_v2 (store->db, "SELECT seq FROM events LIMIT 0;",
                                 -1, &stmt, NULL) != SQLITE_OK)
        {
          sqlite3_finalize (stmt);
          g_set_error (error, CD_STORE_ERROR, CD_STORE_ERROR_FAILED,
                       "The database was made by a development build of the "
                       "portal; remove it to start afresh");
          return FALSE;
        }
      sqlite3_finalize (stmt);
      return TRUE;
    }

  /* Each step moves one version up inside one transaction, so a crash
   * in the middle leaves the old version intact. */
  if (!exec_sql (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (version < 1 && !exec_sql (store, schema_v1, error))
    goto fail;
  if (!exec_sql (store, "PRAGMA user_version = 1", error))
    goto fail;
  return exec_sql (store, "COMMIT", error);

fail:
  exec_sql (store, "ROLLBACK", NULL);
  return FALSE;
}

/* Runs a statement that returns no rows, then resets it. */
static gboolean
step_done (CdStore       *store,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (store, error);
  return TRUE;
}

/* Like step_done for a write that must change exactly one row: none
 * means the device is not the tenant's, which the caller should have
 * ruled out, so it is an error rather than a silent no-op. */
static gboolean
step_one_change (CdStore       *store,
                 sqlite3_stmt  *stmt,
                 GError       **error)
{
  if (!step_done (store, stmt, error))
    return FALSE;
  if (sqlite3_changes (store->db) != 1)
    {
      g_set_error (error, CD_STORE_ERROR, CD_STORE_ERROR_FAILED,
                   "Database error: %d rows changed where one was meant to",
                   sqlite3_changes (store->db));
      return FALSE;
    }
  return TRUE;
}

/* Expired tokens and idempotency records past their replay window are
 * dead weight; drop them at each start. */
static gboolean
purge_expired (CdStore  *store,
               GError  **error)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  sqlite3_stmt *stmt;

  stmt = cd_store_prepare (store, "DELETE FROM tokens WHERE expires_at <= ?",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now * G_USEC_PER_SEC);
  if (!step_done (store, stmt, error))
    return FALSE;

  stmt = cd_store_prepare (store,
                           "DELETE FROM idempotency WHERE created_at <= ?",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now - 24 * 60 * 60);
  return step_done (store, stmt, error);
}

CdStore *
cd_store_open (const char  *path,
               GError     **error)
{
  CdStore *store;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Before SQLite starts: no global lock around every allocation. */
  sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);

  store = g_new0 (CdStore, 1);
  store->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             finalize_statement);
  store->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         g_free);

  if (sqlite3_open_v2 (path, &store->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                       | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      g_set_error (error, CD_STORE_ERROR, CD_STORE_ERROR_FAILED,
                   "Cannot open the database %s: %s", path,
                   store->db ? sqlite3_errmsg (store->db) : "out of memory");
      cd_store_free (store);
      return NULL;
    }

  sqlite3_busy_timeout (store->db, 5000);
  sqlite3_create_function (store->db, "cd_contains", 2,
                           SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                           contains_func, NULL, NULL);

  if (!exec_sql (store, "PRAGMA journal_mode = WAL;"
                        "PRAGMA synchronous = FULL;"
                        "PRAGMA foreign_keys = ON;"
                        CD_STORE_CACHE_SQL, error)
      || !migrate (store, error)
      || !purge_expired (store, error))
    {
      g_prefix_error (error, "%s: ", path);
      cd_store_free (store);
      return NULL;
    }

  return store;
}

void
cd_store_free (CdStore *store)
{
  if (store == NULL)
    return;

  g_clear_pointer (&store->statements, g_hash_table_unref);
  g_clear_pointer (&store->counts, g_hash_table_unref);
  if (store->db != NULL)
    sqlite3_close (store->db);
  g_free (store);
}

sqlite3 *
cd_store_get_db (CdStore *store)
{
  g_return_val_if_fail (store != NULL, NULL);

  return store->db;
}

sqlite3_stmt *
cd_store_prepare (CdStore     *store,
                  const char  *sql,
                  GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  stmt = g_hash_table_lookup (store->statements, sql);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  if (sqlite3_prepare_v3 (store->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                          &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (store, error);
      return NULL;
    }

  g_hash_table_insert (store->statements, g_strdup (sql), stmt);
  return stmt;
}

gboolean
cd_store_begin (CdStore  *store,
                GError  **error)
{
  g_return_val_if_fail (store != NULL, FALSE);

  return exec_sql (store, "BEGIN IMMEDIATE", error);
}

gboolean
cd_store_commit (CdStore  *store,
                 GError  **error)
{
  g_return_val_if_fail (store != NULL, FALSE);

  if (!exec_sql (store, "COMMIT", error))
    {
      cd_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

void
cd_store_rollback (CdStore *store)
{
  g_return_if_fail (store != NULL);

  if (!sqlite3_get_autocommit (store->db))
    sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static void
column_date (sqlite3_stmt *stmt,
             int           column,
             GDate        *out)
{
  cd_date_parse ((const char *) sqlite3_column_text (stmt, column), out);
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
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

gboolean
cd_store_find_user (CdStore       *store,
                    const char    *username,
                    gint64         user_id,
                    CdUserRecord  *out,
                    GError       **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  stmt = cd_store_prepare (store,
                           "SELECT u.id, u.tenant_id, u.username,"
                           " u.display_name, u.role, u.password_hash, t.name"
                           " FROM users u JOIN tenants t ON t.id = u.tenant_id"
                           " WHERE u.username = ?1 OR u.id = ?2",
                           error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, username);
  sqlite3_bind_int64 (stmt, 2, username != NULL ? -1 : user_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      out->id = sqlite3_column_int64 (stmt, 0);
      out->tenant_id = sqlite3_column_int64 (stmt, 1);
      out->username = column_dup (stmt, 2);
      out->display_name = column_dup (stmt, 3);
      out->role = column_dup (stmt, 4);
      out->password_hash = column_dup (stmt, 5);
      out->tenant_name = column_dup (stmt, 6);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_sqlite_error (store, error);
  return rc == SQLITE_ROW;
}

void
cd_user_record_clear (CdUserRecord *user)
{
  g_clear_pointer (&user->username, g_free);
  g_clear_pointer (&user->display_name, g_free);
  g_clear_pointer (&user->role, g_free);
  g_clear_pointer (&user->password_hash, g_free);
  g_clear_pointer (&user->tenant_name, g_free);
}

gboolean
cd_store_insert_token (CdStore     *store,
                       const char  *token_hash,
                       const char  *kind,
                       gint64       user_id,
                       const char  *grant_id,
                       gint64       expires_at,
                       GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (store != NULL, FALSE);

  stmt = cd_store_prepare (store,
                           "INSERT INTO tokens (hash, kind, user_id, grant_id,"
                           " expires_at) VALUES (?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, token_hash);
  bind_text (stmt, 2, kind);
  sqlite3_bind_int64 (stmt, 3, user_id);
  bind_text (stmt, 4, grant_id);
  sqlite3_bind_int64 (stmt, 5, expires_at);
  return step_done (store, stmt, error);
}

gboolean
cd_store_find_token (CdStore     *store,
                     const char  *token_hash,
                     const char  *kind,
                     gint64       now,
                     gint64      *user_id,
                     char       **grant_id,
                     GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (user_id != NULL, FALSE);

  *user_id = 0;
  stmt = cd_store_prepare (store,
                           "SELECT user_id, grant_id FROM tokens"
                           " WHERE hash = ? AND kind = ? AND expires_at > ?",
                           error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, token_hash);
  bind_text (stmt, 2, kind);
  sqlite3_bind_int64 (stmt, 3, now);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *user_id = sqlite3_column_int64 (stmt, 0);
      if (grant_id != NULL)
        *grant_id = column_dup (stmt, 1);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_sqlite_error (store, error);
  return TRUE;
}

gboolean
cd_store_delete_token (CdStore     *store,
                       const char  *token_hash,
                       GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (store != NULL, FALSE);

  stmt = cd_store_prepare (store, "DELETE FROM tokens WHERE hash = ?", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, token_hash);
  return step_done (store, stmt, error);
}

gboolean
cd_store_delete_grant (CdStore     *store,
                       const char  *grant_id,
                       GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (store != NULL, FALSE);

  stmt = cd_store_prepare (store, "DELETE FROM tokens WHERE grant_id = ?",
                           error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, grant_id);
  return step_done (store, stmt, error);
}

#define DEVICE_COLUMNS \
  "d.id, d.name, d.model, d.platform, d.serial, d.app_version," \
  " d.last_seen_at, d.license_type, d.license_term_start," \
  " d.license_ends_on, d.revision, d.booking_summary"

static void
read_device (sqlite3_stmt   *stmt,
             CdDeviceRecord *out)
{
  out->id = column_dup (stmt, 0);
  out->name = column_dup (stmt, 1);
  out->model = column_dup (stmt, 2);
  out->platform = column_dup (stmt, 3);
  out->serial = column_dup (stmt, 4);
  out->app_version = column_dup (stmt, 5);
  out->last_seen_at = column_dup (stmt, 6);
  out->license_type = column_dup (stmt, 7);
  column_date (stmt, 8, &out->term_start);
  column_date (stmt, 9, &out->license_ends_on);
  out->revision = sqlite3_column_int64 (stmt, 10);
}

static void
append_filter_sql (GString    *sql,
                   const char *q_casefolded,
                   const char *license)
{
  if (q_casefolded != NULL)
    g_string_append (sql, " AND (cd_contains (d.name, ?3)"
                          " OR cd_contains (d.serial, ?3)"
                          " OR cd_contains (d.model, ?3))");
  if (license != NULL && strcmp (license, "none") == 0)
    g_string_append (sql, " AND d.license_type IS NULL");
  else if (license != NULL)
    g_string_append (sql, " AND d.license_type = ?4");
}

static void
bind_filter (sqlite3_stmt *stmt,
             gint64        tenant_id,
             const char   *q_casefolded,
             const char   *license)
{
  sqlite3_bind_int64 (stmt, 1, tenant_id);
  if (q_casefolded != NULL)
    bind_text (stmt, 3, q_casefolded);
  if (license != NULL && strcmp (license, "none") != 0)
    bind_text (stmt, 4, license);
}

/* Splits "module,cancelled_on,ends_on" into the buffers. */
static gboolean
parse_summary_entry (const char *entry,
                     gsize       len,
                     char       *module,
                     char       *cancelled_on,
                     char       *ends_on)
{
  const char *first = memchr (entry, ',', len);
  const char *second;
  gsize module_len;
  gsize cancelled_len;
  gsize ends_len;

  if (first == NULL)
    return FALSE;
  second = memchr (first + 1, ',', len - (gsize) (first + 1 - entry));
  if (second == NULL)
    return FALSE;

  module_len = (gsize) (first - entry);
  cancelled_len = (gsize) (second - first - 1);
  ends_len = len - (gsize) (second + 1 - entry);
  if (module_len == 0 || module_len >= 64 || cancelled_len >= 16
      || ends_len >= 16)
    return FALSE;

  memcpy (module, entry, module_len);
  module[module_len] = '\0';
  memcpy (cancelled_on, first + 1, cancelled_len);
  cancelled_on[cancelled_len] = '\0';
  memcpy (ends_on, second + 1, ends_len);
  ends_on[ends_len] = '\0';
  return TRUE;
}

gboolean
cd_store_list_devices (CdStore         *store,
                       gint64           tenant_id,
                       const char      *q_casefolded,
                       const char      *license,
                       const char      *after_name,
                       const char      *after_id,
                       guint            limit,
                       const char      *today,
                       CdDeviceRowFunc  func,
                       gpointer         user_data,
                       GError         **error)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail ((after_name == NULL) == (after_id == NULL), FALSE);

  /* One page of devices in keyset order: a straight scan of the clustered
   * table, bookings included through each row's summary. */
  g_string_append (sql, "SELECT " DEVICE_COLUMNS " FROM devices d"
                        " WHERE d.tenant_id = ?1");
  if (after_name != NULL)
    g_string_append (sql, " AND (d.name, d.id) > (?5, ?6)");
  append_filter_sql (sql, q_casefolded, license);
  g_string_append (sql, " ORDER BY d.name, d.id LIMIT ?2");

  stmt = cd_store_prepare (store, sql->str, error);
  if (stmt == NULL)
    return FALSE;

  bind_filter (stmt, tenant_id, q_casefolded, license);
  sqlite3_bind_int (stmt, 2, (int) limit);
  if (after_name != NULL)
    {
      bind_text (stmt, 5, after_name);
      bind_text (stmt, 6, after_id);
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CdDeviceRecord device = { 0 };
      const char *summary;
      gboolean first = TRUE;

      /* Borrowed straight from the row: a page is 1000 devices, and
       * copying each field showed up in the profile. */
      device.id = (char *) sqlite3_column_text (stmt, 0);
      device.name = (char *) sqlite3_column_text (stmt, 1);
      device.model = (char *) sqlite3_column_text (stmt, 2);
      device.platform = (char *) sqlite3_column_text (stmt, 3);
      device.serial = (char *) sqlite3_column_text (stmt, 4);
      device.app_version = (char *) sqlite3_column_text (stmt, 5);
      device.last_seen_at = (char *) sqlite3_column_text (stmt, 6);
      device.license_type = (char *) sqlite3_column_text (stmt, 7);
      column_date (stmt, 8, &device.term_start);
      column_date (stmt, 9, &device.license_ends_on);
      device.revision = sqlite3_column_int64 (stmt, 10);
      summary = (const char *) sqlite3_column_text (stmt, 11);

      while (summary != NULL && *summary != '\0')
        {
          CdBookingRecord booking = { 0 };
          char module[64];
          char cancelled_on[16];
          char ends_on[16];
          const char *end = strchr (summary, ';');
          gsize len = end ? (gsize) (end - summary) : strlen (summary);

          if (!parse_summary_entry (summary, len, module, cancelled_on,
                                    ends_on))
            {
              g_set_error (error, CD_STORE_ERROR, CD_STORE_ERROR_FAILED,
                           "Damaged booking summary of device %s", device.id);
              sqlite3_reset (stmt);
              return FALSE;
            }
          summary = end ? end + 1 : summary + len;

          booking.module = module;
          cd_date_parse (cancelled_on, &booking.cancelled_on);
          cd_date_parse (ends_on, &booking.ends_on);
          if (*ends_on != '\0' && strcmp (ends_on, today) < 0)
            continue;
          func (&device, &booking, first, user_data);
          first = FALSE;
        }
      if (first)
        func (&device, NULL, TRUE, user_data);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    return set_sqlite_error (store, error);
  return TRUE;
}

gboolean
cd_store_count_devices (CdStore     *store,
                        gint64       tenant_id,
                        const char  *q_casefolded,
                        const char  *license,
                        gint64      *count,
                        GError     **error)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autofree char *key = NULL;
  gint64 *cached;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (count != NULL, FALSE);

  /* Devices are only ever added by seeding, before serving, so a count
   * stays valid for the life of the process. The license is a known code
   * and q, which may hold any character, comes last behind a mark of its
   * own: no two filters share a key. */
  key = g_strdup_printf ("%" G_GINT64_FORMAT "\x1f%s\x1f%c%s", tenant_id,
                         license ? license : "", q_casefolded ? 'q' : '-',
                         q_casefolded ? q_casefolded : "");
  cached = g_hash_table_lookup (store->counts, key);
  if (cached != NULL)
    {
      *count = *cached;
      return TRUE;
    }

  g_string_append (sql, "SELECT count(*) FROM devices d WHERE d.tenant_id = ?1");
  append_filter_sql (sql, q_casefolded, license);
  stmt = cd_store_prepare (store, sql->str, error);
  if (stmt == NULL)
    return FALSE;

  bind_filter (stmt, tenant_id, q_casefolded, license);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *count = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return set_sqlite_error (store, error);

  if (g_hash_table_size (store->counts) > 1000)
    g_hash_table_remove_all (store->counts);
  g_hash_table_insert (store->counts, g_steal_pointer (&key),
                       g_memdup2 (count, sizeof *count));
  return TRUE;
}

gboolean
cd_store_get_device (CdStore         *store,
                     gint64           tenant_id,
                     const char      *device_id,
                     CdDeviceRecord  *out,
                     GError         **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  stmt = cd_store_prepare (store,
                           "SELECT " DEVICE_COLUMNS " FROM devices d"
                           " WHERE d.id = ? AND d.tenant_id = ?", error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, device_id);
  sqlite3_bind_int64 (stmt, 2, tenant_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    read_device (stmt, out);
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_sqlite_error (store, error);
  return rc == SQLITE_ROW;
}

void
cd_device_record_clear (CdDeviceRecord *device)
{
  g_clear_pointer (&device->id, g_free);
  g_clear_pointer (&device->name, g_free);
  g_clear_pointer (&device->model, g_free);
  g_clear_pointer (&device->platform, g_free);
  g_clear_pointer (&device->serial, g_free);
  g_clear_pointer (&device->app_version, g_free);
  g_clear_pointer (&device->last_seen_at, g_free);
  g_clear_pointer (&device->license_type, g_free);
}

gboolean
cd_store_bump_revision (CdStore     *store,
                        gint64       tenant_id,
                        const char  *device_id,
                        GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (store != NULL, FALSE);

  stmt = cd_store_prepare (store,
                           "UPDATE devices SET revision = revision + 1"
                           " WHERE id = ? AND tenant_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, device_id);
  sqlite3_bind_int64 (stmt, 2, tenant_id);
  return step_one_change (store, stmt, error);
}

GArray *
cd_store_list_bookings (CdStore     *store,
                        gint64       tenant_id,
                        const char  *device_id,
                        GError     **error)
{
  g_autoptr(GArray) bookings = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);

  stmt = cd_store_prepare (store,
                           "SELECT b.id, b.module, b.booked_on, b.booked_by,"
                           " b.cancelled_on, b.cancelled_by, b.ends_on"
                           " FROM bookings b JOIN devices d"
                           " ON d.id = b.device_id AND d.tenant_id = ?2"
                           " WHERE b.device_id = ?1"
                           " ORDER BY b.module, b.id", error);
  if (stmt == NULL)
    return NULL;

  bookings = g_array_new (FALSE, TRUE, sizeof (CdBookingRecord));
  g_array_set_clear_func (bookings, (GDestroyNotify) cd_booking_record_clear);

  bind_text (stmt, 1, device_id);
  sqlite3_bind_int64 (stmt, 2, tenant_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CdBookingRecord booking = { 0 };

      booking.id = column_dup (stmt, 0);
      booking.module = column_dup (stmt, 1);
      column_date (stmt, 2, &booking.booked_on);
      booking.booked_by = column_dup (stmt, 3);
      column_date (stmt, 4, &booking.cancelled_on);
      booking.cancelled_by = column_dup (stmt, 5);
      column_date (stmt, 6, &booking.ends_on);
      g_array_append_val (bookings, booking);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (store, error);
      return NULL;
    }
  return g_steal_pointer (&bookings);
}

void
cd_booking_record_clear (CdBookingRecord *booking)
{
  g_clear_pointer (&booking->id, g_free);
  g_clear_pointer (&booking->module, g_free);
  g_clear_pointer (&booking->booked_by, g_free);
  g_clear_pointer (&booking->cancelled_by, g_free);
}

/* A copy of a device's bookings for the list, kept in the device row so a
 * page needs no lookup per device: "module,cancelled_on,ends_on" entries
 * ordered by module and id, joined by ';', empty for NULL. Every booking
 * write refreshes it in the same transaction. */
#define BOOKING_SUMMARY_SQL \
  "(SELECT coalesce (group_concat (module || ',' || coalesce (cancelled_on," \
  " '') || ',' || coalesce (ends_on, ''), ';'), '') FROM (SELECT module," \
  " cancelled_on, ends_on FROM bookings WHERE device_id = ?1" \
  " ORDER BY module, id))"

static gboolean
refresh_booking_summary (CdStore     *store,
                         gint64       tenant_id,
                         const char  *device_id,
                         GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = cd_store_prepare (store,
                           "UPDATE devices SET booking_summary = "
                           BOOKING_SUMMARY_SQL
                           " WHERE id = ?1 AND tenant_id = ?2",
                           error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, device_id);
  sqlite3_bind_int64 (stmt, 2, tenant_id);
  return step_one_change (store, stmt, error);
}

gboolean
cd_store_insert_booking (CdStore               *store,
                         gint64                 tenant_id,
                         const char            *device_id,
                         const CdBookingRecord *booking,
                         GError               **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (booking != NULL && booking->id != NULL, FALSE);

  /* Only onto a device of the tenant: otherwise no row. */
  stmt = cd_store_prepare (store,
                           "INSERT INTO bookings (id, device_id, module,"
                           " booked_on, booked_by, cancelled_on, cancelled_by,"
                           " ends_on) SELECT ?1, d.id, ?3, ?4, ?5, ?6, ?7, ?8"
                           " FROM devices d WHERE d.id = ?2"
                           " AND d.tenant_id = ?9", error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, booking->id);
  bind_text (stmt, 2, device_id);
  bind_text (stmt, 3, booking->module);
  bind_date (stmt, 4, &booking->booked_on);
  bind_text (stmt, 5, booking->booked_by);
  bind_date (stmt, 6, &booking->cancelled_on);
  bind_text (stmt, 7, booking->cancelled_by);
  bind_date (stmt, 8, &booking->ends_on);
  sqlite3_bind_int64 (stmt, 9, tenant_id);
  return step_one_change (store, stmt, error)
         && refresh_booking_summary (store, tenant_id, device_id, error);
}

gboolean
cd_store_update_booking (CdStore               *store,
                         gint64                 tenant_id,
                         const char            *device_id,
                         const CdBookingRecord *booking,
                         GError               **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (booking != NULL && booking->id != NULL, FALSE);

  stmt = cd_store_prepare (store,
                           "UPDATE bookings SET cancelled_on = ?1,"
                           " cancelled_by = ?2, ends_on = ?3"
                           " WHERE device_id = ?4 AND module = ?5 AND id = ?6"
                           " AND EXISTS (SELECT 1 FROM devices d"
                           " WHERE d.id = ?4 AND d.tenant_id = ?7)", error);
  if (stmt == NULL)
    return FALSE;

  bind_date (stmt, 1, &booking->cancelled_on);
  bind_text (stmt, 2, booking->cancelled_by);
  bind_date (stmt, 3, &booking->ends_on);
  bind_text (stmt, 4, device_id);
  bind_text (stmt, 5, booking->module);
  bind_text (stmt, 6, booking->id);
  sqlite3_bind_int64 (stmt, 7, tenant_id);
  return step_one_change (store, stmt, error)
         && refresh_booking_summary (store, tenant_id, device_id, error);
}

gboolean
cd_store_insert_event (CdStore      *store,
                       gint64        tenant_id,
                       const char   *device_id,
                       const char   *at,
                       const char   *actor,
                       const char   *action,
                       const char   *module,
                       const GDate  *ends_on,
                       GError      **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (store != NULL, FALSE);

  stmt = cd_store_prepare (store,
                           "INSERT INTO events (device_id, seq, at, actor,"
                           " action, module, ends_on) SELECT d.id, (SELECT"
                           " coalesce (max (seq), 0) + 1 FROM events"
                           " WHERE device_id = ?1), ?2, ?3, ?4, ?5, ?6"
                           " FROM devices d WHERE d.id = ?1"
                           " AND d.tenant_id = ?7",
                           error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, device_id);
  bind_text (stmt, 2, at);
  bind_text (stmt, 3, actor);
  bind_text (stmt, 4, action);
  bind_text (stmt, 5, module);
  bind_date (stmt, 6, ends_on);
  sqlite3_bind_int64 (stmt, 7, tenant_id);
  return step_one_change (store, stmt, error);
}

static void
event_record_clear (CdEventRecord *event)
{
  g_clear_pointer (&event->at, g_free);
  g_clear_pointer (&event->actor, g_free);
  g_clear_pointer (&event->action, g_free);
  g_clear_pointer (&event->module, g_free);
}

GArray *
cd_store_list_events (CdStore     *store,
                      gint64       tenant_id,
                      const char  *device_id,
                      GError     **error)
{
  g_autoptr(GArray) events = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);

  stmt = cd_store_prepare (store,
                           "SELECT e.at, e.actor, e.action, e.module,"
                           " e.ends_on FROM events e JOIN devices d"
                           " ON d.id = e.device_id AND d.tenant_id = ?2"
                           " WHERE e.device_id = ?1"
                           " ORDER BY e.seq DESC", error);
  if (stmt == NULL)
    return NULL;

  events = g_array_new (FALSE, TRUE, sizeof (CdEventRecord));
  g_array_set_clear_func (events, (GDestroyNotify) event_record_clear);

  bind_text (stmt, 1, device_id);
  sqlite3_bind_int64 (stmt, 2, tenant_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CdEventRecord event = { 0 };

      event.at = column_dup (stmt, 0);
      event.actor = column_dup (stmt, 1);
      event.action = column_dup (stmt, 2);
      event.module = column_dup (stmt, 3);
      column_date (stmt, 4, &event.ends_on);
      g_array_append_val (events, event);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (store, error);
      return NULL;
    }
  return g_steal_pointer (&events);
}

gboolean
cd_store_find_idempotency (CdStore              *store,
                           gint64                tenant_id,
                           gint64                user_id,
                           const char           *key,
                           CdIdempotencyRecord  *out,
                           GError              **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  stmt = cd_store_prepare (store,
                           "SELECT method, path, body_hash, status,"
                           " content_type, body, etag, created_at"
                           " FROM idempotency WHERE tenant_id = ?"
                           " AND user_id = ? AND key = ?", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, tenant_id);
  sqlite3_bind_int64 (stmt, 2, user_id);
  bind_text (stmt, 3, key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      out->method = column_dup (stmt, 0);
      out->path = column_dup (stmt, 1);
      out->body_hash = column_dup (stmt, 2);
      out->status = (guint) sqlite3_column_int (stmt, 3);
      out->content_type = column_dup (stmt, 4);
      out->body = g_bytes_new (sqlite3_column_blob (stmt, 5),
                               (gsize) sqlite3_column_bytes (stmt, 5));
      out->etag = column_dup (stmt, 6);
      out->created_at = sqlite3_column_int64 (stmt, 7);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_sqlite_error (store, error);
  return rc == SQLITE_ROW;
}

void
cd_idempotency_record_clear (CdIdempotencyRecord *record)
{
  g_clear_pointer (&record->method, g_free);
  g_clear_pointer (&record->path, g_free);
  g_clear_pointer (&record->body_hash, g_free);
  g_clear_pointer (&record->content_type, g_free);
  g_clear_pointer (&record->body, g_bytes_unref);
  g_clear_pointer (&record->etag, g_free);
}

gboolean
cd_store_put_idempotency (CdStore                   *store,
                          gint64                     tenant_id,
                          gint64                     user_id,
                          const char                *key,
                          const CdIdempotencyRecord *record,
                          GError                   **error)
{
  sqlite3_stmt *stmt;
  gsize size = 0;
  gconstpointer data;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (record != NULL && record->body != NULL, FALSE);

  /* REPLACE: a record older than the replay window may be overwritten. */
  stmt = cd_store_prepare (store,
                           "INSERT OR REPLACE INTO idempotency (tenant_id,"
                           " user_id, key, method, path, body_hash, status,"
                           " content_type, body, etag, created_at)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;

  data = g_bytes_get_data (record->body, &size);
  sqlite3_bind_int64 (stmt, 1, tenant_id);
  sqlite3_bind_int64 (stmt, 2, user_id);
  bind_text (stmt, 3, key);
  bind_text (stmt, 4, record->method);
  bind_text (stmt, 5, record->path);
  bind_text (stmt, 6, record->body_hash);
  sqlite3_bind_int (stmt, 7, (int) record->status);
  bind_text (stmt, 8, record->content_type);
  sqlite3_bind_blob (stmt, 9, size ? data : "", (int) size, SQLITE_TRANSIENT);
  bind_text (stmt, 10, record->etag);
  sqlite3_bind_int64 (stmt, 11, record->created_at);
  return step_done (store, stmt, error);
}
