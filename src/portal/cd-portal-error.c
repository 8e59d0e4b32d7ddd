/* cd-portal-error.c: the CdPortalError domain with the problem's details.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-portal"

#include "cd-portal-error.h"
#include "cd-portal-error-private.h"

typedef struct
{
  char  *title;        /* (owned) (nullable) */
  char  *detail;       /* (owned) (nullable) */
  int    retry_after;  /* seconds, -1 when not given */
  guint  http_status;  /* 0 when no answer was received */
} CdPortalErrorPrivate;

static void
cd_portal_error_private_init (CdPortalErrorPrivate *priv)
{
  priv->retry_after = -1;
}

static void
cd_portal_error_private_copy (const CdPortalErrorPrivate *src,
                              CdPortalErrorPrivate       *dest)
{
  dest->title = g_strdup (src->title);
  dest->detail = g_strdup (src->detail);
  dest->retry_after = src->retry_after;
  dest->http_status = src->http_status;
}

static void
cd_portal_error_private_clear (CdPortalErrorPrivate *priv)
{
  g_clear_pointer (&priv->title, g_free);
  g_clear_pointer (&priv->detail, g_free);
}

G_DEFINE_EXTENDED_ERROR (CdPortalError, cd_portal_error)

static const char * const code_names[] = {
  [CD_PORTAL_ERROR_INVALID_REQUEST] = "invalid_request",
  [CD_PORTAL_ERROR_IDEMPOTENCY_KEY_REQUIRED] = "idempotency_key_required",
  [CD_PORTAL_ERROR_UNAUTHORIZED] = "unauthorized",
  [CD_PORTAL_ERROR_INVALID_GRANT] = "invalid_grant",
  [CD_PORTAL_ERROR_FORBIDDEN] = "forbidden",
  [CD_PORTAL_ERROR_NOT_FOUND] = "not_found",
  [CD_PORTAL_ERROR_ALREADY_BOOKED] = "already_booked",
  [CD_PORTAL_ERROR_BOOKING_NOT_ACTIVE] = "booking_not_active",
  [CD_PORTAL_ERROR_PRECONDITION_FAILED] = "precondition_failed",
  [CD_PORTAL_ERROR_PAYLOAD_TOO_LARGE] = "payload_too_large",
  [CD_PORTAL_ERROR_NO_LICENSE] = "no_license",
  [CD_PORTAL_ERROR_LICENSE_NOT_ACTIVE] = "license_not_active",
  [CD_PORTAL_ERROR_UNKNOWN_MODULE] = "unknown_module",
  [CD_PORTAL_ERROR_MODULE_NOT_AVAILABLE] = "module_not_available",
  [CD_PORTAL_ERROR_WITHDRAWAL_NOT_POSSIBLE] = "withdrawal_not_possible",
  [CD_PORTAL_ERROR_IDEMPOTENCY_KEY_REUSED] = "idempotency_key_reused",
  [CD_PORTAL_ERROR_RATE_LIMITED] = "rate_limited",
  [CD_PORTAL_ERROR_NETWORK] = "network",
  [CD_PORTAL_ERROR_TIMEOUT] = "timeout",
  [CD_PORTAL_ERROR_TLS] = "tls",
  [CD_PORTAL_ERROR_UNEXPECTED_RESPONSE] = "unexpected_response",
  [CD_PORTAL_ERROR_SERVER_ERROR] = "server_error",
  [CD_PORTAL_ERROR_INSECURE_URL] = "insecure_url",
  [CD_PORTAL_ERROR_INVALID_URL] = "invalid_url",
  [CD_PORTAL_ERROR_SESSION_EXPIRED] = "session_expired",
  [CD_PORTAL_ERROR_NOT_A_PORTAL] = "not_a_portal",
  [CD_PORTAL_ERROR_NOT_SIGNED_IN] = "not_signed_in",
};

/**
 * cd_portal_error_code_to_string:
 *
 * Returns: the contract's problem code for the first block of codes, a
 * client-side name like "network" for the others, NULL for no code.
 */
const char *
cd_portal_error_code_to_string (CdPortalError code)
{
  if ((guint) code >= G_N_ELEMENTS (code_names))
    return NULL;

  return code_names[code];
}

gboolean
cd_portal_error_code_from_problem (const char    *problem_code,
                                   CdPortalError *code)
{
  g_return_val_if_fail (problem_code != NULL, FALSE);

  for (guint i = 0; i <= CD_PORTAL_ERROR_RATE_LIMITED; i++)
    {
      if (g_strcmp0 (code_names[i], problem_code) == 0)
        {
          *code = i;
          return TRUE;
        }
    }

  return FALSE;
}

static CdPortalErrorPrivate *
get_private (const GError *error)
{
  if (error == NULL || error->domain != CD_PORTAL_ERROR)
    return NULL;

  return cd_portal_error_get_private (error);
}

/**
 * cd_portal_error_get_title:
 *
 * Returns: (nullable): the problem's title (in the Accept-Language), or
 * NULL when the error did not come from a problem document.
 */
const char *
cd_portal_error_get_title (const GError *error)
{
  CdPortalErrorPrivate *priv = get_private (error);

  return priv != NULL ? priv->title : NULL;
}

/**
 * cd_portal_error_get_detail:
 *
 * Returns: (nullable): the problem's detail, or NULL.
 */
const char *
cd_portal_error_get_detail (const GError *error)
{
  CdPortalErrorPrivate *priv = get_private (error);

  return priv != NULL ? priv->detail : NULL;
}

/**
 * cd_portal_error_get_retry_after:
 *
 * Returns: the seconds from Retry-After (RATE_LIMITED), or -1.
 */
int
cd_portal_error_get_retry_after (const GError *error)
{
  CdPortalErrorPrivate *priv = get_private (error);

  return priv != NULL ? priv->retry_after : -1;
}

/**
 * cd_portal_error_get_http_status:
 *
 * Returns: the HTTP status of the answer that failed, or 0 when there was
 * no answer (network, timeout, TLS, URL errors).
 */
guint
cd_portal_error_get_http_status (const GError *error)
{
  CdPortalErrorPrivate *priv = get_private (error);

  return priv != NULL ? priv->http_status : 0;
}

GError *
cd_portal_error_new_problem (CdPortalError  code,
                             guint          http_status,
                             const char    *title,
                             const char    *detail,
                             int            retry_after,
                             const char    *fallback_message)
{
  CdPortalErrorPrivate *priv;
  GError *error;

  error = g_error_new_literal (CD_PORTAL_ERROR, code,
                               detail != NULL && *detail != '\0'
                               ? detail : fallback_message);
  priv = cd_portal_error_get_private (error);
  priv->title = g_strdup (title);
  priv->detail = g_strdup (detail);
  priv->retry_after = retry_after;
  priv->http_status = http_status;

  return error;
}
