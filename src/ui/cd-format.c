/* cd-format.c: dates, prices, counts and relative times in the user's
 * language.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-ui"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "cd-format.h"

char *
cd_format_date (const GDate *date)
{
  g_autoptr(GDateTime) date_time = NULL;

  if (date == NULL || !g_date_valid (date))
    return NULL;

  date_time = g_date_time_new_utc (g_date_get_year (date),
                                   g_date_get_month (date),
                                   g_date_get_day (date),
                                   0, 0, 0);

  /* TRANSLATORS: a date, as g_date_time_format() takes it; German uses
   * "%d.%m.%Y" */
  return g_date_time_format (date_time, _("%b %-d, %Y"));
}

char *
cd_format_date_time (GDateTime *date_time)
{
  g_autoptr(GDateTime) local = NULL;

  if (date_time == NULL)
    return NULL;

  local = g_date_time_to_local (date_time);

  /* TRANSLATORS: a date and time, as g_date_time_format() takes it; German
   * uses "%d.%m.%Y, %H:%M" */
  return g_date_time_format (local, _("%b %-d, %Y, %H:%M"));
}

char *
cd_format_count (guint64 count)
{
  /* TRANSLATORS: the separator between groups of three digits, as in
   * 12,000; German uses a dot */
  const char *separator = C_("thousands separator", ",");
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, count);
  GString *out = g_string_new (NULL);
  gsize length = strlen (digits);

  for (gsize i = 0; i < length; i++)
    {
      if (i > 0 && (length - i) % 3 == 0)
        g_string_append (out, separator);
      g_string_append_c (out, digits[i]);
    }

  return g_string_free (out, FALSE);
}

static const char *
currency_symbol (const char *currency)
{
  static const struct { const char *code; const char *symbol; } symbols[] = {
    { "EUR", "€" },
    { "USD", "$" },
    { "GBP", "£" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (symbols); i++)
    {
      if (g_strcmp0 (currency, symbols[i].code) == 0)
        return symbols[i].symbol;
    }

  return NULL;
}

char *
cd_format_price (gint64      amount_minor,
                 const char *currency)
{
  /* TRANSLATORS: the decimal separator in prices, as in 2.90; German uses
   * a comma */
  const char *decimal = C_("decimal separator", ".");
  const char *symbol = currency_symbol (currency);
  guint64 magnitude = amount_minor < 0 ? -(guint64) amount_minor : (guint64) amount_minor;
  g_autofree char *units = cd_format_count (magnitude / 100);
  g_autofree char *amount = NULL;

  amount = g_strdup_printf ("%s%s%s%02u",
                            amount_minor < 0 ? "−" : "",
                            units, decimal, (guint) (magnitude % 100));

  if (symbol != NULL)
    /* TRANSLATORS: a price; %1$s is the currency symbol (€), %2$s the
     * amount; German puts the symbol after the amount: "%2$s %1$s" */
    return g_strdup_printf (_("%1$s%2$s"), symbol, amount);

  /* TRANSLATORS: a price; %1$s is a currency code (CHF), %2$s the amount;
   * German puts the code after the amount: "%2$s %1$s" */
  return g_strdup_printf (_("%1$s %2$s"), currency != NULL ? currency : "", amount);
}

char *
cd_format_monthly_price (gint64      amount_minor,
                         const char *currency)
{
  g_autofree char *price = cd_format_price (amount_minor, currency);

  /* TRANSLATORS: %s is a price such as €2.90 */
  return g_strdup_printf (_("%s per month"), price);
}

#define SKEW_TOLERATED (5 * G_TIME_SPAN_MINUTE)

/* A time after now, when the clocks disagree or a date lies ahead. */
static char *
format_ahead (GTimeSpan span)
{
  gint64 minutes = span / G_TIME_SPAN_MINUTE;
  gint64 hours = span / G_TIME_SPAN_HOUR;
  gint64 days = span / G_TIME_SPAN_DAY;

  g_assert (span > 0);

  if (hours < 1)
    return g_strdup_printf (ngettext ("in %d minute", "in %d minutes",
                                      (gulong) minutes),
                            (int) minutes);

  if (days < 1)
    return g_strdup_printf (ngettext ("in %d hour", "in %d hours",
                                      (gulong) hours),
                            (int) hours);

  if (days < 2)
    return g_strdup (_("tomorrow"));

  if (days < 31)
    return g_strdup_printf (ngettext ("in %d day", "in %d days",
                                      (gulong) days),
                            (int) days);

  if (days < 365)
    return g_strdup_printf (ngettext ("in %d month", "in %d months",
                                      (gulong) (days / 30)),
                            (int) (days / 30));

  return g_strdup_printf (ngettext ("in %d year", "in %d years",
                                    (gulong) (days / 365)),
                          (int) (days / 365));
}

char *
cd_format_relative_time (GDateTime *then,
                         GDateTime *now)
{
  g_autoptr(GDateTime) current = NULL;
  GTimeSpan span;
  gint64 minutes;
  gint64 hours;
  gint64 days;

  if (then == NULL)
    return g_strdup (_("never"));

  current = now != NULL ? g_date_time_ref (now) : g_date_time_new_now_utc ();
  span = g_date_time_difference (current, then);
  minutes = span / G_TIME_SPAN_MINUTE;
  hours = span / G_TIME_SPAN_HOUR;
  days = span / G_TIME_SPAN_DAY;

  /* A few minutes between this computer's clock and the portal's are not
   * worth an "in 2 minutes"; more than that would make "just now" a lie. */
  if (span < -SKEW_TOLERATED)
    return format_ahead (-span);

  if (minutes < 1)
    return g_strdup (_("just now"));

  if (hours < 1)
    return g_strdup_printf (ngettext ("%d minute ago", "%d minutes ago",
                                      (gulong) minutes),
                            (int) minutes);

  if (days < 1)
    return g_strdup_printf (ngettext ("%d hour ago", "%d hours ago",
                                      (gulong) hours),
                            (int) hours);

  if (days < 2)
    return g_strdup (_("yesterday"));

  if (days < 31)
    return g_strdup_printf (ngettext ("%d day ago", "%d days ago",
                                      (gulong) days),
                            (int) days);

  if (days < 365)
    return g_strdup_printf (ngettext ("%d month ago", "%d months ago",
                                      (gulong) (days / 30)),
                            (int) (days / 30));

  return g_strdup_printf (ngettext ("%d year ago", "%d years ago",
                                    (gulong) (days / 365)),
                          (int) (days / 365));
}
