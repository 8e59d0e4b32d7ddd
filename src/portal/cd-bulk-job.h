/* cd-bulk-job.h: one module change (book or cancel) over many devices.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cd-device.h"
#include "cd-module.h"
#include "cd-portal-client.h"

G_BEGIN_DECLS

/**
 * CdBulkAction:
 * @CD_BULK_ACTION_BOOK: book a module on every device
 * @CD_BULK_ACTION_CANCEL: cancel a module's booking on every device
 */
typedef enum
{
  CD_BULK_ACTION_BOOK,
  CD_BULK_ACTION_CANCEL,
} CdBulkAction;

/**
 * CdBulkOutcome:
 * @CD_BULK_OUTCOME_BOOK: the module will be booked
 * @CD_BULK_OUTCOME_CANCEL: the booking will be cancelled; it ends on the
 *   item's "ends-on" (the license's next possible end)
 * @CD_BULK_OUTCOME_SKIP: nothing will change; "skip-reason" says why
 *
 * What the preview says will happen to one device.
 */
typedef enum
{
  CD_BULK_OUTCOME_BOOK,
  CD_BULK_OUTCOME_CANCEL,
  CD_BULK_OUTCOME_SKIP,
} CdBulkOutcome;

/**
 * CdBulkSkipReason:
 * @CD_BULK_SKIP_NONE: not skipped
 * @CD_BULK_SKIP_NO_LICENSE: the device has no license
 * @CD_BULK_SKIP_LICENSE_CANCELLED: the license is cancelled (book only)
 * @CD_BULK_SKIP_LICENSE_ENDED: the license has ended
 * @CD_BULK_SKIP_ALREADY_BOOKED: the module is booked already (book only)
 * @CD_BULK_SKIP_CANCELLATION_PENDING: the module's booking is already
 *   cancelled and ends on "ends-on"
 * @CD_BULK_SKIP_NOT_BOOKED: the module is not booked (cancel only)
 * @CD_BULK_SKIP_NOT_AVAILABLE: the module is not available for the
 *   device's license type (book only)
 * @CD_BULK_SKIP_UNREACHABLE: the device's details could not be fetched;
 *   "error" says why
 */
typedef enum
{
  CD_BULK_SKIP_NONE,
  CD_BULK_SKIP_NO_LICENSE,
  CD_BULK_SKIP_LICENSE_CANCELLED,
  CD_BULK_SKIP_LICENSE_ENDED,
  CD_BULK_SKIP_ALREADY_BOOKED,
  CD_BULK_SKIP_CANCELLATION_PENDING,
  CD_BULK_SKIP_NOT_BOOKED,
  CD_BULK_SKIP_NOT_AVAILABLE,
  CD_BULK_SKIP_UNREACHABLE,
} CdBulkSkipReason;

/**
 * CdBulkStatus:
 * @CD_BULK_STATUS_PLANNED: nothing sent yet (or skipped, see outcome)
 * @CD_BULK_STATUS_RUNNING: the request is on its way
 * @CD_BULK_STATUS_DONE: the change was made
 * @CD_BULK_STATUS_FAILED: the change failed; "error" says why
 */
typedef enum
{
  CD_BULK_STATUS_PLANNED,
  CD_BULK_STATUS_RUNNING,
  CD_BULK_STATUS_DONE,
  CD_BULK_STATUS_FAILED,
} CdBulkStatus;

#define CD_TYPE_BULK_ACTION (cd_bulk_action_get_type ())
#define CD_TYPE_BULK_OUTCOME (cd_bulk_outcome_get_type ())
#define CD_TYPE_BULK_SKIP_REASON (cd_bulk_skip_reason_get_type ())
#define CD_TYPE_BULK_STATUS (cd_bulk_status_get_type ())

GType cd_bulk_action_get_type      (void) G_GNUC_CONST;
GType cd_bulk_outcome_get_type     (void) G_GNUC_CONST;
GType cd_bulk_skip_reason_get_type (void) G_GNUC_CONST;
GType cd_bulk_status_get_type      (void) G_GNUC_CONST;

#define CD_TYPE_BULK_ITEM (cd_bulk_item_get_type ())

G_DECLARE_FINAL_TYPE (CdBulkItem, cd_bulk_item, CD, BULK_ITEM, GObject)

/**
 * CdBulkItem:
 *
 * One device of a bulk job: the plan for it and, once the job runs, its
 * result. Read-only properties: "device" (the CdDevice the caller gave,
 * updated in place after a change), "outcome" (CdBulkOutcome),
 * "skip-reason" (CdBulkSkipReason), "ends-on" (GDate, nullable: for a
 * cancel the device's own end date, for a pending cancellation the
 * booking's), "status" (CdBulkStatus), "error" (GError, nullable: why the
 * details could not be fetched or the change failed).
 */
CdDevice         *cd_bulk_item_get_device      (CdBulkItem *self);
CdBulkOutcome     cd_bulk_item_get_outcome     (CdBulkItem *self);
CdBulkSkipReason  cd_bulk_item_get_skip_reason (CdBulkItem *self);
const GDate      *cd_bulk_item_get_ends_on     (CdBulkItem *self);
CdBulkStatus      cd_bulk_item_get_status      (CdBulkItem *self);
const GError     *cd_bulk_item_get_error       (CdBulkItem *self);
/* The booking to cancel (CD_BULK_OUTCOME_CANCEL), else NULL. */
const char       *cd_bulk_item_get_booking_id  (CdBulkItem *self);
/* TRUE when the change failed for a reason that may pass (network,
 * timeout, a server error, rate limiting): retrying it may succeed. A
 * refusal (forbidden, booked or cancelled meanwhile) gives FALSE. */
gboolean          cd_bulk_item_get_can_retry   (CdBulkItem *self);

/* The pure planning rule for one device. @detail must have "has-detail"
 * TRUE (from GET /devices/{id}); @module is the catalogue entry of the
 * module to book or cancel. Returns a new item for @device (the caller's
 * object, usually a list summary) planned from @detail. */
CdBulkItem       *cd_bulk_item_plan            (CdBulkAction  action,
                                                CdModule     *module,
                                                CdDevice     *device,
                                                CdDevice     *detail);

#define CD_TYPE_BULK_JOB (cd_bulk_job_get_type ())

G_DECLARE_FINAL_TYPE (CdBulkJob, cd_bulk_job, CD, BULK_JOB, GObject)

/**
 * CdBulkJob:
 *
 * Books or cancels one module on a list of devices. First plan
 * (cd_bulk_job_plan_async: fetches each device's details, a few at a
 * time, and plans every device with cd_bulk_item_plan), then run
 * (cd_bulk_job_run_async: at most four requests in flight, so a large
 * fleet neither floods the portal nor waits for one device at a time).
 * Each device
 * gets one Idempotency-Key for the job's lifetime, so
 * cd_bulk_job_retry_failed_async never books or cancels twice, even when
 * the first answer was lost. After a change the job fetches the device's
 * detail again and updates the caller's CdDevice with
 * cd_device_update_from(), so list rows update in place.
 *
 * Properties (read-only): "client", "action", "module" (CdModule, all
 * construct-only), "items" (GListModel of CdBulkItem, in the order of
 * the devices given), "planned" (gboolean), "running" (gboolean),
 * "done" (guint: changes finished, made or failed), "total" (guint:
 * changes to make), "n-changed", "n-skipped", "n-failed" (guint).
 */
CdBulkJob    *cd_bulk_job_new                  (CdPortalClient  *client,
                                                CdBulkAction     action,
                                                CdModule        *module,
                                                GListModel      *devices);

CdPortalClient *cd_bulk_job_get_client         (CdBulkJob       *self);
CdBulkAction  cd_bulk_job_get_action           (CdBulkJob       *self);
CdModule     *cd_bulk_job_get_module           (CdBulkJob       *self);
GListModel   *cd_bulk_job_get_items            (CdBulkJob       *self);
gboolean      cd_bulk_job_get_planned          (CdBulkJob       *self);
guint         cd_bulk_job_get_n_checked        (CdBulkJob       *self);
gboolean      cd_bulk_job_get_running          (CdBulkJob       *self);
guint         cd_bulk_job_get_done             (CdBulkJob       *self);
guint         cd_bulk_job_get_total            (CdBulkJob       *self);
guint         cd_bulk_job_get_n_changed        (CdBulkJob       *self);
guint         cd_bulk_job_get_n_skipped        (CdBulkJob       *self);
guint         cd_bulk_job_get_n_failed         (CdBulkJob       *self);
/* The failed items cd_bulk_job_retry_failed_async would send again. */
guint         cd_bulk_job_get_n_retryable      (CdBulkJob       *self);
/* Planned changes not sent yet: all of them before the run, the rest
 * after a stopped run. */
guint         cd_bulk_job_get_n_not_sent       (CdBulkJob       *self);

/* The change of the monthly cost once everything planned is done, in the
 * module's minor currency units: positive for bookings; for cancels
 * negative, and each saving only starts after that device's end date. */
gint64        cd_bulk_job_get_monthly_change   (CdBulkJob       *self);

/* The earliest and latest end date of the planned cancels (NULL when
 * there are none). */
const GDate  *cd_bulk_job_get_first_end        (CdBulkJob       *self);
const GDate  *cd_bulk_job_get_last_end         (CdBulkJob       *self);

/* Fetches every device's detail (at most four at a time) and plans each
 * device. A device whose detail cannot be fetched is skipped with
 * CD_BULK_SKIP_UNREACHABLE; the plan itself fails only when cancelled or
 * when the session ended (CD_PORTAL_ERROR_SESSION_EXPIRED). */
void          cd_bulk_job_plan_async           (CdBulkJob       *self,
                                                GCancellable    *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer         user_data);
gboolean      cd_bulk_job_plan_finish          (CdBulkJob       *self,
                                                GAsyncResult    *result,
                                                GError         **error);

/* Makes every planned change not sent yet (at most four requests in
 * flight, the refresh of a changed device included). Finishes TRUE once
 * every item is done or failed (see "n-failed"). Cancelling stops it
 * from sending more; the changes already sent are not cancelled but
 * finish and update their items and devices, then the run finishes with
 * G_IO_ERROR_CANCELLED, the unsent items still planned: run again to
 * send them. */
void          cd_bulk_job_run_async            (CdBulkJob       *self,
                                                GCancellable    *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer         user_data);
gboolean      cd_bulk_job_run_finish           (CdBulkJob       *self,
                                                GAsyncResult    *result,
                                                GError         **error);

/* Sends the retryable failed items (cd_bulk_item_get_can_retry) again
 * with their original Idempotency-Keys, so a change whose answer was lost
 * is not made twice, together with any items a stopped run left unsent.
 * Cancelling works as for cd_bulk_job_run_async. */
void          cd_bulk_job_retry_failed_async   (CdBulkJob       *self,
                                                GCancellable    *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer         user_data);
gboolean      cd_bulk_job_retry_failed_finish  (CdBulkJob       *self,
                                                GAsyncResult    *result,
                                                GError         **error);

G_END_DECLS
