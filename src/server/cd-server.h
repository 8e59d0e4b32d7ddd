/* cd-server.h: the local portal's HTTP API on a SoupServer.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cd-store.h"

G_BEGIN_DECLS

#define CD_SERVER_MAX_BODY (64 * 1024)
/* An oversized body is read and thrown away up to here so the client gets
 * its 413; past it the connection is dropped. */
#define CD_SERVER_MAX_DRAIN (8 * 1024 * 1024)
#define CD_SERVER_ACCESS_TOKEN_LIFETIME (15 * 60)
#define CD_SERVER_REFRESH_TOKEN_LIFETIME (30 * 24 * 60 * 60)
/* The years --today may name. */
#define CD_SERVER_FIRST_YEAR 1970
#define CD_SERVER_LAST_YEAR 2999

typedef struct _CdServer CdServer;

/* store is borrowed and must outlive the server. tls_certificate may be
 * NULL for plain HTTP. */
CdServer   *cd_server_new                       (CdStore          *store,
                                                 const GDate      *today,
                                                 GTlsCertificate  *tls_certificate,
                                                 GError          **error);
void        cd_server_free                      (CdServer         *server);
void        cd_server_set_access_token_lifetime (CdServer         *server,
                                                 guint             seconds);
/* Splits "HOST:PORT" or "[V6]:PORT" with a numeric host. */
gboolean    cd_server_parse_address             (const char       *address,
                                                 char            **host,
                                                 guint            *port,
                                                 GError          **error);
/* address is "HOST:PORT" or "[V6]:PORT"; port 0 picks a free one. */
gboolean    cd_server_listen                    (CdServer         *server,
                                                 const char       *address,
                                                 GError          **error);
/* The base URL after listening, e.g. "http://127.0.0.1:43121". */
const char *cd_server_get_url                   (CdServer         *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdServer, cd_server_free)

G_END_DECLS
