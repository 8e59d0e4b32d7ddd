/* cd-error-text.c: the one place that turns portal errors into translated,
 * actionable text for users.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-ui"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "cd-error-text.h"
#include "cd-portal-error.h"

static char *
rate_limited_text (const GError *error)
{
  int seconds = cd_portal_error_get_retry_after (error);
  int minutes;

  if (seconds <= 0)
    return g_strdup (_("Too many failed attempts. Wait a moment, then try again."));

  if (seconds < 60)
    return g_strdup_printf (ngettext ("Too many failed attempts. Try again in "
                                      "%d second.",
                                      "Too many failed attempts. Try again in "
                                      "%d seconds.",
                                      (gulong) seconds),
                            seconds);

  minutes = (seconds + 59) / 60;
  return g_strdup_printf (ngettext ("Too many failed attempts. Try again in "
                                    "%d minute.",
                                    "Too many failed attempts. Try again in "
                                    "%d minutes.",
                                    (gulong) minutes),
                          minutes);
}

static const char *
portal_error_text (CdPortalError code)
{
  switch (code)
    {
    case CD_PORTAL_ERROR_INVALID_REQUEST:
    case CD_PORTAL_ERROR_IDEMPOTENCY_KEY_REQUIRED:
    case CD_PORTAL_ERROR_PAYLOAD_TOO_LARGE:
      return _("The portal did not accept the request. Please report this "
               "problem to your administrator.");
    case CD_PORTAL_ERROR_UNAUTHORIZED:
    case CD_PORTAL_ERROR_SESSION_EXPIRED:
    case CD_PORTAL_ERROR_NOT_SIGNED_IN:
      return _("Your session has ended. Please sign in again.");
    case CD_PORTAL_ERROR_INVALID_GRANT:
      return _("The user name or password is wrong.");
    case CD_PORTAL_ERROR_FORBIDDEN:
      return _("Only administrators can book or cancel modules.");
    case CD_PORTAL_ERROR_NOT_FOUND:
      return _("The device no longer exists on the portal.");
    case CD_PORTAL_ERROR_ALREADY_BOOKED:
      return _("This module is already booked on the device.");
    case CD_PORTAL_ERROR_BOOKING_NOT_ACTIVE:
      return _("This module is no longer active, so it cannot be cancelled.");
    case CD_PORTAL_ERROR_PRECONDITION_FAILED:
      return _("The device was changed in the meantime. The current state "
               "has been loaded; please check it and try again.");
    case CD_PORTAL_ERROR_NO_LICENSE:
      return _("The device has no license. Modules can only be booked on a "
               "device with a license.");
    case CD_PORTAL_ERROR_LICENSE_NOT_ACTIVE:
      return _("The device’s license has been cancelled or has ended, so no "
               "modules can be booked.");
    case CD_PORTAL_ERROR_UNKNOWN_MODULE:
      return _("The portal does not offer this module.");
    case CD_PORTAL_ERROR_MODULE_NOT_AVAILABLE:
      return _("This module is not available with the device’s license type.");
    case CD_PORTAL_ERROR_WITHDRAWAL_NOT_POSSIBLE:
      return _("The cancellation cannot be withdrawn because the device’s "
               "license has been cancelled.");
    case CD_PORTAL_ERROR_IDEMPOTENCY_KEY_REUSED:
      return _("The portal refused a repeated request. Reload the device and "
               "try again.");
    case CD_PORTAL_ERROR_NETWORK:
      return _("The portal cannot be reached. Check your network connection "
               "and try again.");
    case CD_PORTAL_ERROR_TIMEOUT:
      return _("The portal did not answer in time. Try again later.");
    case CD_PORTAL_ERROR_TLS:
      return _("The portal’s certificate cannot be trusted, so no connection "
               "was made. Ask your administrator to check the address.");
    case CD_PORTAL_ERROR_UNEXPECTED_RESPONSE:
      return _("The portal sent an answer that cannot be read. Try again "
               "later.");
    case CD_PORTAL_ERROR_SERVER_ERROR:
      return _("The portal has a problem. Try again later.");
    case CD_PORTAL_ERROR_INSECURE_URL:
      return _("The address must start with https://. Plain http:// is only "
               "allowed for this computer.");
    case CD_PORTAL_ERROR_INVALID_URL:
      return _("This is not a valid address. Enter it like "
               "https://portal.example.com.");
    case CD_PORTAL_ERROR_NOT_A_PORTAL:
      return _("There is no COREDINATE portal at this address.");
    default:
      return NULL;
    }
}

char *
cd_error_text (const GError *error)
{
  const char *text = NULL;

  g_return_val_if_fail (error != NULL, NULL);
  g_return_val_if_fail (!g_error_matches (error, G_IO_ERROR,
                                          G_IO_ERROR_CANCELLED), NULL);

  if (error->domain == CD_PORTAL_ERROR)
    {
      if (error->code == CD_PORTAL_ERROR_RATE_LIMITED)
        return rate_limited_text (error);

      text = portal_error_text (error->code);
    }

  if (text == NULL)
    text = _("Something went wrong. Try again later.");

  return g_strdup (text);
}
