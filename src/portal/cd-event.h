/* cd-event.h: one entry of a device's change history.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "cd-portal-enums.h"

G_BEGIN_DECLS

#define CD_TYPE_EVENT (cd_event_get_type ())

G_DECLARE_FINAL_TYPE (CdEvent, cd_event, CD, EVENT, GObject)

/* Read-only properties: "at" (GDateTime, UTC), "actor" (who did it, as the
 * portal names them),
 * "action" (CdEventAction), "module-code", "ends-on" (GDate, nullable). */
GDateTime     *cd_event_get_at          (CdEvent *self);
const char    *cd_event_get_actor       (CdEvent *self);
CdEventAction  cd_event_get_action      (CdEvent *self);
const char    *cd_event_get_module_code (CdEvent *self);
const GDate   *cd_event_get_ends_on     (CdEvent *self);

G_END_DECLS
