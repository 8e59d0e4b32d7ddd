/* cd-portal-enums.c: GType registration of the contract's enumerations.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-portal"

#include "cd-portal-enums.h"

#define DEFINE_ENUM_TYPE(TypeName, type_name, ...)                         \
  GType                                                                    \
  type_name##_get_type (void)                                              \
  {                                                                        \
    static gsize type_id;                                                  \
    static const GEnumValue values[] = { __VA_ARGS__, { 0, NULL, NULL } }; \
                                                                           \
    if (g_once_init_enter (&type_id))                                      \
      g_once_init_leave (&type_id,                                         \
                         g_enum_register_static (g_intern_static_string    \
                                                   (#TypeName), values));  \
    return type_id;                                                        \
  }

#define VALUE(value, nick) { value, #value, nick }

DEFINE_ENUM_TYPE (CdPlatform, cd_platform,
                  VALUE (CD_PLATFORM_ANDROID, "android"),
                  VALUE (CD_PLATFORM_IOS, "ios"))

DEFINE_ENUM_TYPE (CdLicenseState, cd_license_state,
                  VALUE (CD_LICENSE_STATE_ACTIVE, "active"),
                  VALUE (CD_LICENSE_STATE_CANCELLED, "cancelled"),
                  VALUE (CD_LICENSE_STATE_ENDED, "ended"))

DEFINE_ENUM_TYPE (CdBookingState, cd_booking_state,
                  VALUE (CD_BOOKING_STATE_ACTIVE, "active"),
                  VALUE (CD_BOOKING_STATE_CANCELLATION_PENDING,
                         "cancellation_pending"),
                  VALUE (CD_BOOKING_STATE_ENDED, "ended"))

DEFINE_ENUM_TYPE (CdEventAction, cd_event_action,
                  VALUE (CD_EVENT_ACTION_MODULE_BOOKED, "module_booked"),
                  VALUE (CD_EVENT_ACTION_MODULE_CANCELLED, "module_cancelled"),
                  VALUE (CD_EVENT_ACTION_CANCELLATION_WITHDRAWN,
                         "cancellation_withdrawn"))

DEFINE_ENUM_TYPE (CdAccountRole, cd_account_role,
                  VALUE (CD_ACCOUNT_ROLE_ADMIN, "admin"),
                  VALUE (CD_ACCOUNT_ROLE_VIEWER, "viewer"))
