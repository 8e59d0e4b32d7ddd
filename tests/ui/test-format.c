/* test-format.c: dates, prices, counts, relative times and error texts read
 * right in English and in German.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "cd-error-text.h"
#include "cd-format.h"
#include "cd-portal-error.h"

static gboolean german;

#define expect(en, de) (german ? (de) : (en))

static void
test_date (void)
{
  g_autoptr(GDate) date = g_date_new_dmy (14, G_DATE_MARCH, 2027);
  g_autoptr(GDate) first = g_date_new_dmy (1, G_DATE_FEBRUARY, 2028);
  g_autofree char *text = cd_format_date (date);
  g_autofree char *text_first = cd_format_date (first);

  g_assert_cmpstr (text, ==, expect ("Mar 14, 2027", "14.03.2027"));
  g_assert_cmpstr (text_first, ==, expect ("Feb 1, 2028", "01.02.2028"));
  g_assert_null (cd_format_date (NULL));
}

static void
test_price (void)
{
  g_autofree char *small = cd_format_price (290, "EUR");
  g_autofree char *large = cd_format_price (123456, "EUR");
  g_autofree char *other = cd_format_price (500, "CHF");
  g_autofree char *monthly = cd_format_monthly_price (290, "EUR");

  g_assert_cmpstr (small, ==, expect ("€2.90", "2,90 €"));
  g_assert_cmpstr (large, ==, expect ("€1,234.56", "1.234,56 €"));
  g_assert_cmpstr (other, ==, expect ("CHF 5.00", "5,00 CHF"));
  g_assert_cmpstr (monthly, ==, expect ("€2.90 per month", "2,90 € pro Monat"));
}

static void
test_count (void)
{
  g_autofree char *zero = cd_format_count (0);
  g_autofree char *thousands = cd_format_count (12000);
  g_autofree char *millions = cd_format_count (1000000);

  g_assert_cmpstr (zero, ==, "0");
  g_assert_cmpstr (thousands, ==, expect ("12,000", "12.000"));
  g_assert_cmpstr (millions, ==, expect ("1,000,000", "1.000.000"));
}

static void
test_relative_time (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 12, 14, 12, 0, 0);
  g_autoptr(GDateTime) seconds = g_date_time_add_seconds (now, -20);
  g_autoptr(GDateTime) minutes = g_date_time_add_minutes (now, -5);
  g_autoptr(GDateTime) days = g_date_time_add_days (now, -3);
  g_autoptr(GDateTime) one_day = g_date_time_add_hours (now, -30);
  g_autoptr(GDateTime) months = g_date_time_add_days (now, -125);
  g_autofree char *t_seconds = cd_format_relative_time (seconds, now);
  g_autofree char *t_minutes = cd_format_relative_time (minutes, now);
  g_autofree char *t_days = cd_format_relative_time (days, now);
  g_autofree char *t_one_day = cd_format_relative_time (one_day, now);
  g_autofree char *t_months = cd_format_relative_time (months, now);
  g_autofree char *t_never = cd_format_relative_time (NULL, now);

  g_assert_cmpstr (t_seconds, ==, expect ("just now", "gerade eben"));
  g_assert_cmpstr (t_minutes, ==, expect ("5 minutes ago", "vor 5 Minuten"));
  g_assert_cmpstr (t_days, ==, expect ("3 days ago", "vor 3 Tagen"));
  g_assert_cmpstr (t_one_day, ==, expect ("yesterday", "gestern"));
  g_assert_cmpstr (t_months, ==, expect ("4 months ago", "vor 4 Monaten"));
  g_assert_cmpstr (t_never, ==, expect ("never", "nie"));
}

/* A clock a little behind the portal's still reads "just now"; a time
 * days ahead (a wrong clock) must not. */
static void
test_relative_time_ahead (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 12, 4, 12, 0, 0);
  g_autoptr(GDateTime) skew = g_date_time_add_minutes (now, 2);
  g_autoptr(GDateTime) minutes = g_date_time_add_minutes (now, 20);
  g_autoptr(GDateTime) hours = g_date_time_add_hours (now, 3);
  g_autoptr(GDateTime) one_day = g_date_time_add_hours (now, 30);
  g_autoptr(GDateTime) days = g_date_time_add_days (now, 4);
  g_autoptr(GDateTime) years = g_date_time_add_days (now, 800);
  g_autofree char *t_skew = cd_format_relative_time (skew, now);
  g_autofree char *t_minutes = cd_format_relative_time (minutes, now);
  g_autofree char *t_hours = cd_format_relative_time (hours, now);
  g_autofree char *t_one_day = cd_format_relative_time (one_day, now);
  g_autofree char *t_days = cd_format_relative_time (days, now);
  g_autofree char *t_years = cd_format_relative_time (years, now);

  g_assert_cmpstr (t_skew, ==, expect ("just now", "gerade eben"));
  g_assert_cmpstr (t_minutes, ==, expect ("in 20 minutes", "in 20 Minuten"));
  g_assert_cmpstr (t_hours, ==, expect ("in 3 hours", "in 3 Stunden"));
  g_assert_cmpstr (t_one_day, ==, expect ("tomorrow", "morgen"));
  g_assert_cmpstr (t_days, ==, expect ("in 4 days", "in 4 Tagen"));
  g_assert_cmpstr (t_years, ==, expect ("in 2 years", "in 2 Jahren"));
}

static void
test_error_text (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                      g_free, NULL);
  static const CdPortalError distinct[] = {
    CD_PORTAL_ERROR_INVALID_GRANT,
    CD_PORTAL_ERROR_FORBIDDEN,
    CD_PORTAL_ERROR_NOT_FOUND,
    CD_PORTAL_ERROR_ALREADY_BOOKED,
    CD_PORTAL_ERROR_BOOKING_NOT_ACTIVE,
    CD_PORTAL_ERROR_PRECONDITION_FAILED,
    CD_PORTAL_ERROR_NO_LICENSE,
    CD_PORTAL_ERROR_LICENSE_NOT_ACTIVE,
    CD_PORTAL_ERROR_UNKNOWN_MODULE,
    CD_PORTAL_ERROR_MODULE_NOT_AVAILABLE,
    CD_PORTAL_ERROR_WITHDRAWAL_NOT_POSSIBLE,
    CD_PORTAL_ERROR_IDEMPOTENCY_KEY_REUSED,
    CD_PORTAL_ERROR_NETWORK,
    CD_PORTAL_ERROR_TIMEOUT,
    CD_PORTAL_ERROR_TLS,
    CD_PORTAL_ERROR_UNEXPECTED_RESPONSE,
    CD_PORTAL_ERROR_SERVER_ERROR,
    CD_PORTAL_ERROR_INSECURE_URL,
    CD_PORTAL_ERROR_INVALID_URL,
    CD_PORTAL_ERROR_NOT_A_PORTAL,
  };
  g_autoptr(GError) other = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                 "boom");
  g_autofree char *other_text = cd_error_text (other);

  /* Each of these needs its own advice, so no two may read the same. */
  for (guint i = 0; i < G_N_ELEMENTS (distinct); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (CD_PORTAL_ERROR,
                                                     distinct[i], "detail");
      char *text = cd_error_text (error);

      g_assert_nonnull (text);
      g_assert_cmpuint (strlen (text), >, 10);
      g_assert_false (g_hash_table_contains (seen, text));
      g_hash_table_add (seen, text);
    }

  g_assert_cmpstr (other_text, ==, expect ("Something went wrong. Try again later.",
                                           "Etwas ist schiefgegangen. Versuchen Sie "
                                           "es später erneut."));
}

static void
test_error_text_german_wording (void)
{
  g_autoptr(GError) error = g_error_new_literal (CD_PORTAL_ERROR,
                                                 CD_PORTAL_ERROR_NO_LICENSE, "x");
  g_autofree char *text = cd_error_text (error);

  if (german)
    g_assert_nonnull (strstr (text, "Lizenz"));
  else
    g_assert_nonnull (strstr (text, "license"));
}

int
main (int   argc,
      char *argv[])
{
  const char *language = g_getenv ("LANGUAGE");
  const char *locale_dir = g_getenv ("CD_LOCALE_DIR");

  german = language != NULL && g_str_has_prefix (language, "de");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, locale_dir != NULL ? locale_dir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/format/date", test_date);
  g_test_add_func ("/format/price", test_price);
  g_test_add_func ("/format/count", test_count);
  g_test_add_func ("/format/relative-time", test_relative_time);
  g_test_add_func ("/format/relative-time-ahead", test_relative_time_ahead);
  g_test_add_func ("/format/error-text", test_error_text);
  g_test_add_func ("/format/error-text-wording", test_error_text_german_wording);

  return g_test_run ();
}
