/* cd-account.h: the signed-in user and their tenant (GET /me).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "cd-portal-enums.h"

G_BEGIN_DECLS

#define CD_TYPE_ACCOUNT (cd_account_get_type ())

G_DECLARE_FINAL_TYPE (CdAccount, cd_account, CD, ACCOUNT, GObject)

/* Read-only properties: "username", "display-name", "role" (CdAccountRole),
 * "tenant-id", "tenant-name", "can-change" (TRUE for admins). */
const char    *cd_account_get_username     (CdAccount *self);
const char    *cd_account_get_display_name (CdAccount *self);
CdAccountRole  cd_account_get_role         (CdAccount *self);
const char    *cd_account_get_tenant_id    (CdAccount *self);
const char    *cd_account_get_tenant_name  (CdAccount *self);
gboolean       cd_account_get_can_change   (CdAccount *self);

G_END_DECLS
