/* cd-portal-json.h: strict readers of the portal's JSON documents.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cd-portal.h"

G_BEGIN_DECLS

/* Every reader checks each member it needs for presence and type, ignores
 * unknown members and fails with CD_PORTAL_ERROR_UNEXPECTED_RESPONSE,
 * never returning a half-filled object. */

/* Parses @data (not necessarily NUL-terminated); rejects invalid UTF-8,
 * anything that is not plain RFC 8259 JSON (json-glib alone would take
 * comments, single quotes, hex numbers, a second document, …), "\u0000",
 * a "\u" surrogate that is not half of a pair, an integer beyond 64 bits,
 * nesting deeper than 64 levels and a root that is not an object.
 * Timestamps must be RFC 3339 and are read into UTC; dates YYYY-MM-DD.
 * Of duplicate members the last one counts. */
JsonNode   *cd_portal_json_parse              (const char  *data,
                                               gsize        length,
                                               GError     **error);

gboolean    cd_portal_json_parse_date         (const char  *text,
                                               GDate       *date);

gboolean    cd_portal_json_read_token         (JsonNode    *root,
                                               char       **access_token,
                                               char       **refresh_token,
                                               gint64      *expires_in,
                                               GError     **error);
CdAccount  *cd_portal_json_read_account       (JsonNode    *root,
                                               GError     **error);
GListModel *cd_portal_json_read_license_types (JsonNode    *root,
                                               GError     **error);
GListModel *cd_portal_json_read_modules       (JsonNode    *root,
                                               GError     **error);
GListModel *cd_portal_json_read_device_page   (JsonNode    *root,
                                               char       **next_cursor,
                                               guint       *total,
                                               GError     **error);
/* The same as cd_portal_json_parse () and then
 * cd_portal_json_read_device_page (), read straight from @data without
 * building a tree: a page has a thousand devices. */
GListModel *cd_portal_json_pull_device_page   (const char  *data,
                                               gsize        length,
                                               char       **next_cursor,
                                               guint       *total,
                                               GError     **error);
CdDevice   *cd_portal_json_read_device_detail (JsonNode    *root,
                                               GError     **error);
GListModel *cd_portal_json_read_events        (JsonNode    *root,
                                               GError     **error);
CdBooking  *cd_portal_json_read_booking       (JsonNode    *root,
                                               GError     **error);

/* A problem document; @title and @detail get NULL when absent. */
gboolean    cd_portal_json_read_problem       (JsonNode    *root,
                                               char       **code,
                                               char       **title,
                                               char       **detail,
                                               GError     **error);

G_END_DECLS
