/* cd-portal.h: the portal client's umbrella header.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cd-account.h"
#include "cd-booking.h"
#include "cd-device.h"
#include "cd-device-loader.h"
#include "cd-event.h"
#include "cd-license.h"
#include "cd-license-type.h"
#include "cd-module.h"
#include "cd-portal-client.h"
#include "cd-portal-enums.h"
#include "cd-portal-error.h"
