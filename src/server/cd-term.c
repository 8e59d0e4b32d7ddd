/* cd-term.c: the license term rule and booking states, pure date logic.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-server"

#include "cd-term.h"

#include <string.h>

/* The rule works on plain year, month, day: it runs for every device of
 * every page, and GDate converts to and from Julian days at each step. */
typedef struct
{
  int year;
  int month;    /* 1-12 */
  int day;
} Ymd;

static int
days_in_month (int year,
               int month)
{
  static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

  if (month == 2 && g_date_is_leap_year ((GDateYear) year))
    return 29;
  return days[month - 1];
}

static Ymd
ymd_from_date (const GDate *date)
{
  Ymd ymd = { g_date_get_year (date), g_date_get_month (date),
              g_date_get_day (date) };

  return ymd;
}

static void
ymd_to_date (Ymd    ymd,
             GDate *out)
{
  g_date_clear (out, 1);
  g_date_set_dmy (out, (GDateDay) ymd.day, (GDateMonth) ymd.month,
                  (GDateYear) ymd.year);
}

static int
ymd_compare (Ymd a,
             Ymd b)
{
  if (a.year != b.year)
    return a.year < b.year ? -1 : 1;
  if (a.month != b.month)
    return a.month < b.month ? -1 : 1;
  return a.day < b.day ? -1 : a.day > b.day;
}

static Ymd
ymd_add_months (Ymd ymd,
                int n_months)
{
  int month_index = ymd.year * 12 + ymd.month - 1 + n_months;
  Ymd out;

  out.year = month_index / 12;
  out.month = month_index % 12 + 1;
  out.day = MIN (ymd.day, days_in_month (out.year, out.month));
  return out;
}

static Ymd
ymd_previous_day (Ymd ymd)
{
  if (ymd.day > 1)
    ymd.day--;
  else if (ymd.month > 1)
    {
      ymd.month--;
      ymd.day = days_in_month (ymd.year, ymd.month);
    }
  else
    {
      ymd.year--;
      ymd.month = 12;
      ymd.day = 31;
    }
  return ymd;
}

static Ymd
ymd_next_day (Ymd ymd)
{
  if (ymd.day < days_in_month (ymd.year, ymd.month))
    ymd.day++;
  else if (ymd.month < 12)
    {
      ymd.month++;
      ymd.day = 1;
    }
  else
    {
      ymd.year++;
      ymd.month = 1;
      ymd.day = 1;
    }
  return ymd;
}

void
cd_term_add_months (const GDate *date,
                    int          n_months,
                    GDate       *out)
{
  g_return_if_fail (date != NULL && g_date_valid (date));
  g_return_if_fail (out != NULL);

  ymd_to_date (ymd_add_months (ymd_from_date (date), n_months), out);
}

/* Start of term i: from term_start, not chained, so a term that started on
 * the 31st returns to the 31st after a short month. */
static Ymd
term_start_of (Ymd  term_start,
               guint term_months,
               int  i)
{
  return ymd_add_months (term_start, i * (int) term_months);
}

static Ymd
term_end_of (Ymd   term_start,
             guint term_months,
             int   i)
{
  return ymd_previous_day (term_start_of (term_start, term_months, i + 1));
}

void
cd_term_compute (const CdLicenseTerms *terms,
                 const GDate          *today,
                 CdTermDates          *out)
{
  Ymd start;
  Ymd now;
  Ymd term_end;
  Ymd deadline;
  Ymd next_end;
  int i = 0;

  g_return_if_fail (terms != NULL && g_date_valid (&terms->term_start));
  g_return_if_fail (terms->term_months > 0);
  g_return_if_fail (today != NULL && g_date_valid (today));
  g_return_if_fail (out != NULL);

  start = ymd_from_date (&terms->term_start);
  now = ymd_from_date (today);

  if (ymd_compare (now, start) > 0)
    {
      int months = (now.year - start.year) * 12 + now.month - start.month;

      /* The estimate is at most one term off in either direction. */
      i = MAX (0, months / (int) terms->term_months);
      while (i > 0
             && ymd_compare (term_start_of (start, terms->term_months, i),
                             now) > 0)
        i--;
      while (ymd_compare (term_start_of (start, terms->term_months, i + 1),
                          now) <= 0)
        i++;
    }

  term_end = term_end_of (start, terms->term_months, i);
  deadline = ymd_previous_day (ymd_add_months (ymd_next_day (term_end),
                                               -(int) terms->notice_months));
  if (ymd_compare (now, deadline) <= 0)
    next_end = term_end;
  else
    next_end = term_end_of (start, terms->term_months, i + 1);

  ymd_to_date (term_end, &out->current_term_end);
  ymd_to_date (deadline, &out->notice_deadline);
  ymd_to_date (next_end, &out->next_possible_end);

  if (g_date_valid (&terms->ends_on)
      && g_date_compare (&terms->ends_on, &out->next_possible_end) < 0)
    out->next_possible_end = terms->ends_on;
}

CdLicenseState
cd_term_license_state (const GDate *ends_on,
                       const GDate *today)
{
  g_return_val_if_fail (ends_on != NULL, CD_LICENSE_STATE_ACTIVE);
  g_return_val_if_fail (today != NULL, CD_LICENSE_STATE_ACTIVE);

  if (!g_date_valid (ends_on))
    return CD_LICENSE_STATE_ACTIVE;
  if (g_date_compare (today, ends_on) > 0)
    return CD_LICENSE_STATE_ENDED;
  return CD_LICENSE_STATE_CANCELLED;
}

CdBookingState
cd_term_booking_state (const GDate    *cancelled_on,
                       const GDate    *ends_on,
                       CdLicenseState  license_state,
                       const GDate    *today)
{
  g_return_val_if_fail (cancelled_on != NULL, CD_BOOKING_STATE_ENDED);
  g_return_val_if_fail (ends_on != NULL, CD_BOOKING_STATE_ENDED);
  g_return_val_if_fail (today != NULL, CD_BOOKING_STATE_ENDED);

  if (license_state == CD_LICENSE_STATE_ENDED)
    return CD_BOOKING_STATE_ENDED;
  if (g_date_valid (ends_on) && g_date_compare (today, ends_on) > 0)
    return CD_BOOKING_STATE_ENDED;
  if (g_date_valid (cancelled_on))
    return CD_BOOKING_STATE_CANCELLATION_PENDING;
  return CD_BOOKING_STATE_ACTIVE;
}

const char *
cd_license_state_to_string (CdLicenseState state)
{
  switch (state)
    {
    case CD_LICENSE_STATE_ACTIVE:
      return "active";
    case CD_LICENSE_STATE_CANCELLED:
      return "cancelled";
    case CD_LICENSE_STATE_ENDED:
      return "ended";
    default:
      g_return_val_if_reached ("ended");
    }
}

const char *
cd_booking_state_to_string (CdBookingState state)
{
  switch (state)
    {
    case CD_BOOKING_STATE_ACTIVE:
      return "active";
    case CD_BOOKING_STATE_CANCELLATION_PENDING:
      return "cancellation_pending";
    case CD_BOOKING_STATE_ENDED:
      return "ended";
    default:
      g_return_val_if_reached ("ended");
    }
}

static guint
digits (const char *text,
        guint       n)
{
  guint value = 0;

  for (guint i = 0; i < n; i++)
    value = value * 10 + (guint) (text[i] - '0');
  return value;
}

gboolean
cd_date_parse (const char *text,
               GDate      *out)
{
  guint year;
  guint month;
  guint day;

  g_return_val_if_fail (out != NULL, FALSE);

  g_date_clear (out, 1);
  if (text == NULL || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  for (guint i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
      return FALSE;

  year = digits (text, 4);
  month = digits (text + 5, 2);
  day = digits (text + 8, 2);
  if (year < 1 || !g_date_valid_dmy ((GDateDay) day, (GDateMonth) month,
                                     (GDateYear) year))
    return FALSE;

  g_date_set_dmy (out, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
  return TRUE;
}

/* By hand: this runs several times for every device of every page. */
void
cd_date_format (const GDate *date,
                char        *buf)
{
  guint year;
  guint month;
  guint day;

  g_return_if_fail (date != NULL && g_date_valid (date));
  g_return_if_fail (buf != NULL);

  year = (guint) g_date_get_year (date) % 10000;
  month = (guint) g_date_get_month (date);
  day = (guint) g_date_get_day (date);
  buf[0] = (char) ('0' + year / 1000);
  buf[1] = (char) ('0' + year / 100 % 10);
  buf[2] = (char) ('0' + year / 10 % 10);
  buf[3] = (char) ('0' + year % 10);
  buf[4] = '-';
  buf[5] = (char) ('0' + month / 10);
  buf[6] = (char) ('0' + month % 10);
  buf[7] = '-';
  buf[8] = (char) ('0' + day / 10);
  buf[9] = (char) ('0' + day % 10);
  buf[10] = '\0';
}
