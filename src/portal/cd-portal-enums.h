/* cd-portal-enums.h: the contract's enumerations, registered as GTypes.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * CdPlatform:
 * @CD_PLATFORM_ANDROID: an Android phone or tablet
 * @CD_PLATFORM_IOS: an iPhone or iPad
 *
 * The operating system of a device (contract: `platform`).
 */
typedef enum
{
  CD_PLATFORM_ANDROID,
  CD_PLATFORM_IOS,
} CdPlatform;

/**
 * CdLicenseState:
 * @CD_LICENSE_STATE_ACTIVE: the license runs and renews
 * @CD_LICENSE_STATE_CANCELLED: the license was cancelled and ends on ends-on
 * @CD_LICENSE_STATE_ENDED: the license has ended
 */
typedef enum
{
  CD_LICENSE_STATE_ACTIVE,
  CD_LICENSE_STATE_CANCELLED,
  CD_LICENSE_STATE_ENDED,
} CdLicenseState;

/**
 * CdBookingState:
 * @CD_BOOKING_STATE_ACTIVE: the module is booked and renews with the license
 * @CD_BOOKING_STATE_CANCELLATION_PENDING: cancelled, usable until ends-on
 * @CD_BOOKING_STATE_ENDED: the booking has ended
 */
typedef enum
{
  CD_BOOKING_STATE_ACTIVE,
  CD_BOOKING_STATE_CANCELLATION_PENDING,
  CD_BOOKING_STATE_ENDED,
} CdBookingState;

/**
 * CdEventAction:
 * @CD_EVENT_ACTION_MODULE_BOOKED: a module was booked
 * @CD_EVENT_ACTION_MODULE_CANCELLED: a booking was cancelled
 * @CD_EVENT_ACTION_CANCELLATION_WITHDRAWN: a cancellation was withdrawn
 */
typedef enum
{
  CD_EVENT_ACTION_MODULE_BOOKED,
  CD_EVENT_ACTION_MODULE_CANCELLED,
  CD_EVENT_ACTION_CANCELLATION_WITHDRAWN,
} CdEventAction;

/**
 * CdAccountRole:
 * @CD_ACCOUNT_ROLE_ADMIN: may book and cancel
 * @CD_ACCOUNT_ROLE_VIEWER: may only read
 */
typedef enum
{
  CD_ACCOUNT_ROLE_ADMIN,
  CD_ACCOUNT_ROLE_VIEWER,
} CdAccountRole;

#define CD_TYPE_PLATFORM (cd_platform_get_type ())
#define CD_TYPE_LICENSE_STATE (cd_license_state_get_type ())
#define CD_TYPE_BOOKING_STATE (cd_booking_state_get_type ())
#define CD_TYPE_EVENT_ACTION (cd_event_action_get_type ())
#define CD_TYPE_ACCOUNT_ROLE (cd_account_role_get_type ())

GType cd_platform_get_type      (void) G_GNUC_CONST;
GType cd_license_state_get_type (void) G_GNUC_CONST;
GType cd_booking_state_get_type (void) G_GNUC_CONST;
GType cd_event_action_get_type  (void) G_GNUC_CONST;
GType cd_account_role_get_type  (void) G_GNUC_CONST;

G_END_DECLS
