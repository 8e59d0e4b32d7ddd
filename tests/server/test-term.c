/* test-term.c: table tests for the license term rule and booking states.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cd-term.h"

static void
parse (const char *text,
       GDate      *out)
{
  if (text == NULL)
    {
      g_date_clear (out, 1);
      return;
    }
  g_assert_true (cd_date_parse (text, out));
}

static void
assert_date (const GDate *date,
             const char  *expected)
{
  char buf[16];

  g_assert_true (g_date_valid (date));
  cd_date_format (date, buf);
  g_assert_cmpstr (buf, ==, expected);
}

static void
test_add_months (void)
{
  static const struct {
    const char *date;
    int         n;
    const char *expected;
  } cases[] = {
    { "2025-01-31", 1, "2025-02-28" },
    { "2024-01-31", 1, "2024-02-29" },
    { "2024-02-29", 12, "2025-02-28" },
    { "2024-02-29", 48, "2028-02-29" },
    { "2025-03-31", -1, "2025-02-28" },
    { "2025-05-31", 1, "2025-06-30" },
    { "2025-12-15", 1, "2026-01-15" },
    { "2025-01-15", -1, "2024-12-15" },
    { "2025-03-15", 24, "2027-03-15" },
    { "2027-03-15", -3, "2026-12-15" },
    { "2025-08-10", 0, "2025-08-10" },
    { "2025-01-31", -13, "2023-12-31" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GDate date;
      GDate out;

      parse (cases[i].date, &date);
      cd_term_add_months (&date, cases[i].n, &out);
      assert_date (&out, cases[i].expected);
    }
}

static void
test_term_dates (void)
{
  static const struct {
    const char *what;
    const char *term_start;
    guint       term_months;
    guint       notice_months;
    const char *ends_on;
    const char *today;
    const char *current_term_end;
    const char *notice_deadline;
    const char *next_possible_end;
  } cases[] = {
    { "worked example, on the notice deadline",
      "2025-03-15", 24, 3, NULL, "2026-12-14",
      "2027-03-14", "2026-12-14", "2027-03-14" },
    { "worked example, the day after the deadline",
      "2025-03-15", 24, 3, NULL, "2026-12-15",
      "2027-03-14", "2026-12-14", "2029-03-14" },
    { "today on a term's last day",
      "2025-03-15", 24, 3, NULL, "2027-03-14",
      "2027-03-14", "2026-12-14", "2029-03-14" },
    { "today on a term's first day",
      "2025-03-15", 24, 3, NULL, "2027-03-15",
      "2029-03-14", "2028-12-14", "2029-03-14" },
    { "today on the very first day",
      "2025-03-15", 24, 3, NULL, "2025-03-15",
      "2027-03-14", "2026-12-14", "2027-03-14" },
    { "term start in the future is term 0",
      "2027-01-10", 24, 3, NULL, "2026-12-14",
      "2029-01-09", "2028-10-09", "2029-01-09" },
    { "term start on the 31st, February term",
      "2025-01-31", 1, 0, NULL, "2025-02-28",
      "2025-03-30", "2025-03-30", "2025-03-30" },
    { "term start on the 31st, last day of term 0",
      "2025-01-31", 1, 0, NULL, "2025-02-27",
      "2025-02-27", "2025-02-27", "2025-02-27" },
    { "flex with zero notice, last day of a term",
      "2026-11-03", 1, 0, NULL, "2026-12-02",
      "2026-12-02", "2026-12-02", "2026-12-02" },
    { "flex with zero notice, first day of the next term",
      "2026-11-03", 1, 0, NULL, "2026-12-03",
      "2027-01-02", "2027-01-02", "2027-01-02" },
    { "flex ten years on, not chained from clamped starts",
      "2015-01-31", 1, 0, NULL, "2026-12-14",
      "2026-12-30", "2026-12-30", "2026-12-30" },
    { "leap day start",
      "2024-02-29", 24, 3, NULL, "2026-03-01",
      "2028-02-28", "2027-11-28", "2028-02-28" },
    { "leap day start, last day of term 0",
      "2024-02-29", 24, 3, NULL, "2026-02-27",
      "2026-02-27", "2025-11-27", "2028-02-28" },
    { "manager term from the 31st",
      "2024-08-31", 24, 3, NULL, "2026-12-14",
      "2028-08-30", "2028-05-30", "2028-08-30" },
    { "notice deadline clamps to a short month",
      "2024-06-01", 24, 3, NULL, "2026-02-27",
      "2026-05-31", "2026-02-28", "2026-05-31" },
    { "term end on New Year's Eve",
      "2025-01-01", 12, 3, NULL, "2026-06-01",
      "2026-12-31", "2026-09-30", "2026-12-31" },
    { "term end on a leap day",
      "2023-03-01", 12, 1, NULL, "2024-02-29",
      "2024-02-29", "2024-01-31", "2025-02-28" },
    { "flex on the first of a month",
      "2025-03-01", 1, 0, NULL, "2025-03-01",
      "2025-03-31", "2025-03-31", "2025-03-31" },
    { "cancelled license ends before the later term end",
      "2025-03-15", 24, 3, "2027-03-14", "2026-12-20",
      "2027-03-14", "2026-12-14", "2027-03-14" },
    { "cancelled license with an ends_on before the term end",
      "2025-03-15", 24, 3, "2026-12-31", "2026-12-14",
      "2027-03-14", "2026-12-14", "2026-12-31" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      CdLicenseTerms terms;
      CdTermDates dates;
      GDate today;

      g_test_message ("%s", cases[i].what);
      parse (cases[i].term_start, &terms.term_start);
      terms.term_months = cases[i].term_months;
      terms.notice_months = cases[i].notice_months;
      parse (cases[i].ends_on, &terms.ends_on);
      parse (cases[i].today, &today);

      cd_term_compute (&terms, &today, &dates);
      assert_date (&dates.current_term_end, cases[i].current_term_end);
      assert_date (&dates.notice_deadline, cases[i].notice_deadline);
      assert_date (&dates.next_possible_end, cases[i].next_possible_end);
    }
}

static void
test_license_state (void)
{
  static const struct {
    const char     *ends_on;
    const char     *today;
    CdLicenseState  expected;
  } cases[] = {
    { NULL, "2026-12-14", CD_LICENSE_STATE_ACTIVE },
    { "2027-03-14", "2026-12-14", CD_LICENSE_STATE_CANCELLED },
    { "2026-12-14", "2026-12-14", CD_LICENSE_STATE_CANCELLED },
    { "2026-12-13", "2026-12-14", CD_LICENSE_STATE_ENDED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GDate ends_on;
      GDate today;

      parse (cases[i].ends_on, &ends_on);
      parse (cases[i].today, &today);
      g_assert_cmpint (cd_term_license_state (&ends_on, &today), ==,
                       cases[i].expected);
    }

  g_assert_cmpstr (cd_license_state_to_string (CD_LICENSE_STATE_CANCELLED),
                   ==, "cancelled");
}

static void
test_booking_state (void)
{
  static const struct {
    const char     *cancelled_on;
    const char     *ends_on;
    CdLicenseState  license;
    const char     *today;
    CdBookingState  expected;
  } cases[] = {
    { NULL, NULL, CD_LICENSE_STATE_ACTIVE, "2026-12-14",
      CD_BOOKING_STATE_ACTIVE },
    { "2026-12-01", "2027-03-14", CD_LICENSE_STATE_ACTIVE, "2026-12-14",
      CD_BOOKING_STATE_CANCELLATION_PENDING },
    { "2026-12-01", "2027-03-14", CD_LICENSE_STATE_ACTIVE, "2027-03-14",
      CD_BOOKING_STATE_CANCELLATION_PENDING },
    { "2026-12-01", "2027-03-14", CD_LICENSE_STATE_ACTIVE, "2027-03-15",
      CD_BOOKING_STATE_ENDED },
    { NULL, NULL, CD_LICENSE_STATE_CANCELLED, "2026-12-14",
      CD_BOOKING_STATE_ACTIVE },
    { NULL, NULL, CD_LICENSE_STATE_ENDED, "2026-12-14",
      CD_BOOKING_STATE_ENDED },
    { "2026-12-01", "2027-03-14", CD_LICENSE_STATE_ENDED, "2026-12-14",
      CD_BOOKING_STATE_ENDED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GDate cancelled_on;
      GDate ends_on;
      GDate today;

      parse (cases[i].cancelled_on, &cancelled_on);
      parse (cases[i].ends_on, &ends_on);
      parse (cases[i].today, &today);
      g_assert_cmpint (cd_term_booking_state (&cancelled_on, &ends_on,
                                              cases[i].license, &today),
                       ==, cases[i].expected);
    }

  g_assert_cmpstr (cd_booking_state_to_string (
                     CD_BOOKING_STATE_CANCELLATION_PENDING),
                   ==, "cancellation_pending");
}

static void
test_date_parse (void)
{
  static const char * const bad[] = {
    "", "2026-2-14", "2026-02-30", "2026-13-01", "0000-01-01", "2026/02/14",
    "2026-02-14x", "x026-02-14", "2025-02-29",
  };
  GDate date;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (cd_date_parse (bad[i], &date));
      g_assert_false (g_date_valid (&date));
    }

  g_assert_true (cd_date_parse ("2024-02-29", &date));
  assert_date (&date, "2024-02-29");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/term/add-months", test_add_months);
  g_test_add_func ("/term/dates", test_term_dates);
  g_test_add_func ("/term/license-state", test_license_state);
  g_test_add_func ("/term/booking-state", test_booking_state);
  g_test_add_func ("/term/date-parse", test_date_parse);

  return g_test_run ();
}
