/* cd-store.h: the local portal's SQLite database.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define CD_STORE_ERROR (cd_store_error_quark ())

typedef enum
{
  CD_STORE_ERROR_FAILED,
  CD_STORE_ERROR_TOO_NEW,
} CdStoreError;

#define CD_STORE_SCHEMA_VERSION 1

/* Keeps a big fleet's pages in memory rather than read through the
 * kernel each time. */
#define CD_STORE_CACHE_SQL \
  "PRAGMA cache_size = -131072; PRAGMA mmap_size = 1073741824;"

/* Looking a device up by id; bulk seeding builds it after the rows. */
#define CD_STORE_DEVICES_BY_ID_SQL \
  "CREATE UNIQUE INDEX devices_by_id ON devices (id);"

typedef struct _CdStore CdStore;

typedef struct
{
  gint64  id;
  gint64  tenant_id;
  char   *username;          /* (owned) */
  char   *display_name;      /* (owned) */
  char   *role;              /* (owned) "admin" or "viewer" */
  char   *password_hash;     /* (owned) */
  char   *tenant_name;       /* (owned) */
} CdUserRecord;

typedef struct
{
  char   *id;                /* (owned) */
  char   *name;              /* (owned) */
  char   *model;             /* (owned) */
  char   *platform;          /* (owned) */
  char   *serial;            /* (owned) */
  char   *app_version;       /* (owned) */
  char   *last_seen_at;      /* (owned) (nullable) */
  char   *license_type;      /* (owned) (nullable) no license when NULL */
  GDate   term_start;
  GDate   license_ends_on;   /* invalid when not cancelled */
  gint64  revision;
} CdDeviceRecord;

typedef struct
{
  char   *id;                /* (owned) (nullable) NULL in list summaries */
  char   *module;            /* (owned) */
  GDate   booked_on;
  char   *booked_by;         /* (owned) (nullable) */
  GDate   cancelled_on;
  char   *cancelled_by;      /* (owned) (nullable) */
  GDate   ends_on;
} CdBookingRecord;

typedef struct
{
  char   *at;                /* (owned) */
  char   *actor;             /* (owned) */
  char   *action;            /* (owned) */
  char   *module;            /* (owned) */
  GDate   ends_on;
} CdEventRecord;

typedef struct
{
  char   *method;            /* (owned) */
  char   *path;              /* (owned) */
  char   *body_hash;         /* (owned) */
  guint   status;
  char   *content_type;      /* (owned) */
  GBytes *body;              /* (owned) */
  char   *etag;              /* (owned) (nullable) */
  gint64  created_at;        /* unix seconds */
} CdIdempotencyRecord;

/* Called for each device of a page in order: once per booking whose
 * ends_on is not before the day given to the query (only module,
 * cancelled_on and ends_on are set), or once with booking NULL when it has
 * none. first is TRUE on the device's first call. The
 * records are borrowed and valid only during the call. */
typedef void (*CdDeviceRowFunc) (const CdDeviceRecord  *device,
                                 const CdBookingRecord *booking,
                                 gboolean               first,
                                 gpointer               user_data);

GQuark    cd_store_error_quark            (void);

CdStore  *cd_store_open                   (const char      *path,
                                           GError         **error);
void      cd_store_free                   (CdStore         *store);
sqlite3  *cd_store_get_db                 (CdStore         *store);
/* A cached prepared statement, reset and with bindings cleared. */
sqlite3_stmt *cd_store_prepare            (CdStore         *store,
                                           const char      *sql,
                                           GError         **error);

gboolean  cd_store_begin                  (CdStore         *store,
                                           GError         **error);
gboolean  cd_store_commit                 (CdStore         *store,
                                           GError         **error);
void      cd_store_rollback               (CdStore         *store);

/* Users and tokens */
gboolean  cd_store_find_user              (CdStore         *store,
                                           const char      *username,
                                           gint64           user_id,
                                           CdUserRecord    *out,
                                           GError         **error);
void      cd_user_record_clear            (CdUserRecord    *user);
gboolean  cd_store_insert_token           (CdStore         *store,
                                           const char      *token_hash,
                                           const char      *kind,
                                           gint64           user_id,
                                           const char      *grant_id,
                                           gint64           expires_at,
                                           GError         **error);
/* Token times are unix microseconds. Finds an unexpired token; *user_id
 * = 0 when there is none. */
gboolean  cd_store_find_token             (CdStore         *store,
                                           const char      *token_hash,
                                           const char      *kind,
                                           gint64           now,
                                           gint64          *user_id,
                                           char           **grant_id,
                                           GError         **error);
gboolean  cd_store_delete_token           (CdStore         *store,
                                           const char      *token_hash,
                                           GError         **error);
gboolean  cd_store_delete_grant           (CdStore         *store,
                                           const char      *grant_id,
                                           GError         **error);

/* Devices */
gboolean  cd_store_list_devices           (CdStore         *store,
                                           gint64           tenant_id,
                                           const char      *q_casefolded,
                                           const char      *license,
                                           const char      *after_name,
                                           const char      *after_id,
                                           guint            limit,
                                           const char      *today,
                                           CdDeviceRowFunc  func,
                                           gpointer         user_data,
                                           GError         **error);
gboolean  cd_store_count_devices          (CdStore         *store,
                                           gint64           tenant_id,
                                           const char      *q_casefolded,
                                           const char      *license,
                                           gint64          *count,
                                           GError         **error);
/* FALSE without error when the tenant has no such device. */
gboolean  cd_store_get_device             (CdStore         *store,
                                           gint64           tenant_id,
                                           const char      *device_id,
                                           CdDeviceRecord  *out,
                                           GError         **error);
void      cd_device_record_clear          (CdDeviceRecord  *device);
gboolean  cd_store_bump_revision          (CdStore         *store,
                                           gint64           tenant_id,
                                           const char      *device_id,
                                           GError         **error);

/* Bookings and events. Every query also checks that the device is the
 * tenant's: a read finds nothing and a write fails otherwise, so
 * isolation does not rest on an earlier check alone. */
GArray   *cd_store_list_bookings          (CdStore         *store,
                                           gint64           tenant_id,
                                           const char      *device_id,
                                           GError         **error);
void      cd_booking_record_clear         (CdBookingRecord *booking);
gboolean  cd_store_insert_booking         (CdStore         *store,
                                           gint64           tenant_id,
                                           const char      *device_id,
                                           const CdBookingRecord *booking,
                                           GError         **error);
gboolean  cd_store_update_booking         (CdStore         *store,
                                           gint64           tenant_id,
                                           const char      *device_id,
                                           const CdBookingRecord *booking,
                                           GError         **error);
gboolean  cd_store_insert_event           (CdStore         *store,
                                           gint64           tenant_id,
                                           const char      *device_id,
                                           const char      *at,
                                           const char      *actor,
                                           const char      *action,
                                           const char      *module,
                                           const GDate     *ends_on,
                                           GError         **error);
GArray   *cd_store_list_events            (CdStore         *store,
                                           gint64           tenant_id,
                                           const char      *device_id,
                                           GError         **error);

/* Idempotency records, scoped per tenant and user. */
gboolean  cd_store_find_idempotency       (CdStore         *store,
                                           gint64           tenant_id,
                                           gint64           user_id,
                                           const char      *key,
                                           CdIdempotencyRecord *out,
                                           GError         **error);
void      cd_idempotency_record_clear     (CdIdempotencyRecord *record);
gboolean  cd_store_put_idempotency        (CdStore         *store,
                                           gint64           tenant_id,
                                           gint64           user_id,
                                           const char      *key,
                                           const CdIdempotencyRecord *record,
                                           GError         **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CdUserRecord, cd_user_record_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CdDeviceRecord, cd_device_record_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CdIdempotencyRecord,
                                  cd_idempotency_record_clear)

G_END_DECLS
