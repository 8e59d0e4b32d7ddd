/* cd-format.h: dates, prices, counts and relative times in the user's
 * language.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "Mar 14, 2027" / "14.03.2027"; NULL gives NULL. */
char *cd_format_date           (const GDate *date);
/* A timestamp in local time: "Mar 14, 2027, 09:30" / "14.03.2027, 09:30". */
char *cd_format_date_time      (GDateTime   *date_time);
/* "€2.90" / "2,90 €"; other currencies use their ISO code. */
char *cd_format_price          (gint64       amount_minor,
                                const char  *currency);
/* "€2.90 per month" / "2,90 € pro Monat". */
char *cd_format_monthly_price  (gint64       amount_minor,
                                const char  *currency);
/* "12,000" / "12.000". */
char *cd_format_count          (guint64      count);
/* "just now", "5 minutes ago", "yesterday", "3 days ago", "4 months ago"
 * relative to @now (NULL: the current time); "in 4 days" when @then lies
 * more than a few minutes ahead; NULL @then gives "never". */
char *cd_format_relative_time  (GDateTime   *then,
                                GDateTime   *now);

G_END_DECLS
