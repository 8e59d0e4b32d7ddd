/* cd-auth.h: password hashes, random tokens and the sign-in rate limit.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A yescrypt hash of password, NULL with error on failure. */
char     *cd_auth_hash_password   (const char  *password,
                                   GError     **error);
gboolean  cd_auth_check_password  (const char  *password,
                                   const char  *hash);
/* 32 random bytes from getrandom(2), base64url without padding. */
char     *cd_auth_new_token       (void);
/* A random version 4 UUID, lower-case. */
char     *cd_auth_new_uuid        (void);
/* Lower-case hex SHA-256 of text; what the database keeps of a token. */
char     *cd_auth_hash_token      (const char  *token);

/* How many names the sign-in rate limit tracks at most. */
#define CD_RATE_LIMIT_MAX_NAMES 100000

typedef struct _CdRateLimit CdRateLimit;

CdRateLimit *cd_rate_limit_new    (guint        max_failures,
                                   guint        window_seconds);
void      cd_rate_limit_free      (CdRateLimit *limit);
/* 0 when name may try now, else the seconds to wait. now is monotonic
 * microseconds. */
guint     cd_rate_limit_check     (CdRateLimit *limit,
                                   const char  *name,
                                   gint64       now);
void      cd_rate_limit_fail      (CdRateLimit *limit,
                                   const char  *name,
                                   gint64       now);
/* The number of names with failures being tracked. */
guint     cd_rate_limit_get_n_names (CdRateLimit *limit);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdRateLimit, cd_rate_limit_free)

G_END_DECLS
