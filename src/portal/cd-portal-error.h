/* cd-portal-error.h: the error domain of every portal client failure.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CD_PORTAL_ERROR (cd_portal_error_quark ())

/**
 * CdPortalError:
 *
 * Why a portal request failed. The first block mirrors the contract's
 * problem codes one to one; the second block are failures the client
 * detects itself. The GError message is the server's problem detail or an
 * English technical text; the UI maps the code to translated text.
 *
 * - @CD_PORTAL_ERROR_NETWORK: no connection, connection dropped, body cut
 *   short (after the automatic retries).
 * - @CD_PORTAL_ERROR_TIMEOUT: the portal did not answer in time (after the
 *   automatic retries).
 * - @CD_PORTAL_ERROR_TLS: the certificate or TLS handshake failed; there is
 *   deliberately no way to accept such a server anyway.
 * - @CD_PORTAL_ERROR_UNEXPECTED_RESPONSE: the portal answered something the
 *   contract does not allow (malformed or wrong-typed JSON, unknown status,
 *   a redirect, an answer that is not HTTP).
 * - @CD_PORTAL_ERROR_SERVER_ERROR: a 5xx answer (after the retries for
 *   502/503/504).
 * - @CD_PORTAL_ERROR_INSECURE_URL: `http://` to a host that is not loopback.
 * - @CD_PORTAL_ERROR_INVALID_URL: the address cannot be parsed.
 * - @CD_PORTAL_ERROR_SESSION_EXPIRED: the refresh token was refused; sign in
 *   again. #CdPortalClient::session-expired has been emitted.
 * - @CD_PORTAL_ERROR_NOT_A_PORTAL: the address answers, but not like a
 *   portal (sign-in or resume got no contract answer, a redirect included).
 * - @CD_PORTAL_ERROR_NOT_SIGNED_IN: a call that needs a session was made
 *   before sign-in/resume or after sign-out.
 */
typedef enum
{
  CD_PORTAL_ERROR_INVALID_REQUEST,
  CD_PORTAL_ERROR_IDEMPOTENCY_KEY_REQUIRED,
  CD_PORTAL_ERROR_UNAUTHORIZED,
  CD_PORTAL_ERROR_INVALID_GRANT,
  CD_PORTAL_ERROR_FORBIDDEN,
  CD_PORTAL_ERROR_NOT_FOUND,
  CD_PORTAL_ERROR_ALREADY_BOOKED,
  CD_PORTAL_ERROR_BOOKING_NOT_ACTIVE,
  CD_PORTAL_ERROR_PRECONDITION_FAILED,
  CD_PORTAL_ERROR_PAYLOAD_TOO_LARGE,
  CD_PORTAL_ERROR_NO_LICENSE,
  CD_PORTAL_ERROR_LICENSE_NOT_ACTIVE,
  CD_PORTAL_ERROR_UNKNOWN_MODULE,
  CD_PORTAL_ERROR_MODULE_NOT_AVAILABLE,
  CD_PORTAL_ERROR_WITHDRAWAL_NOT_POSSIBLE,
  CD_PORTAL_ERROR_IDEMPOTENCY_KEY_REUSED,
  CD_PORTAL_ERROR_RATE_LIMITED,

  CD_PORTAL_ERROR_NETWORK,
  CD_PORTAL_ERROR_TIMEOUT,
  CD_PORTAL_ERROR_TLS,
  CD_PORTAL_ERROR_UNEXPECTED_RESPONSE,
  CD_PORTAL_ERROR_SERVER_ERROR,
  CD_PORTAL_ERROR_INSECURE_URL,
  CD_PORTAL_ERROR_INVALID_URL,
  CD_PORTAL_ERROR_SESSION_EXPIRED,
  CD_PORTAL_ERROR_NOT_A_PORTAL,
  CD_PORTAL_ERROR_NOT_SIGNED_IN,
} CdPortalError;

GQuark      cd_portal_error_quark           (void);

/* Each getter accepts any GError; for other domains they return NULL/-1. */
const char *cd_portal_error_get_title       (const GError *error);
const char *cd_portal_error_get_detail      (const GError *error);
int         cd_portal_error_get_retry_after (const GError *error);
guint       cd_portal_error_get_http_status (const GError *error);

const char *cd_portal_error_code_to_string  (CdPortalError code);

G_END_DECLS
