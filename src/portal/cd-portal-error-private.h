/* cd-portal-error-private.h: building CdPortalError values with details.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cd-portal-error.h"

G_BEGIN_DECLS

gboolean  cd_portal_error_code_from_problem (const char    *problem_code,
                                             CdPortalError *code);

/* @title, @detail nullable; @retry_after -1 when none; the message is
 * @detail, or @fallback_message when there is no detail. */
GError   *cd_portal_error_new_problem       (CdPortalError  code,
                                             guint          http_status,
                                             const char    *title,
                                             const char    *detail,
                                             int            retry_after,
                                             const char    *fallback_message);

G_END_DECLS
