/* cd-error-text.h: the one place that turns portal errors into translated,
 * actionable text for users.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A short translated sentence saying what went wrong and what to do, for
 * any GError the client returns (CdPortalError codes, and a generic text
 * for other domains). Never NULL. Must not be called for
 * G_IO_ERROR_CANCELLED: a cancellation is never shown. */
char *cd_error_text (const GError *error);

G_END_DECLS
