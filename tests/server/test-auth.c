/* test-auth.c: the sign-in rate limit keeps lockouts under a name spray.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cd-auth.h"

#define SECOND G_USEC_PER_SEC

static void
test_lockout (void)
{
  g_autoptr(CdRateLimit) limit = cd_rate_limit_new (5, 60);
  gint64 start = 1000 * SECOND;

  for (guint i = 0; i < 4; i++)
    cd_rate_limit_fail (limit, "victim", start + i * SECOND);
  g_assert_cmpuint (cd_rate_limit_check (limit, "victim", start + 4 * SECOND),
                    ==, 0);

  cd_rate_limit_fail (limit, "victim", start + 4 * SECOND);
  /* Free once the first failure is 60 s old. */
  g_assert_cmpuint (cd_rate_limit_check (limit, "victim", start + 5 * SECOND),
                    ==, 55);
  g_assert_cmpuint (cd_rate_limit_check (limit, "other", start + 5 * SECOND),
                    ==, 0);
  g_assert_cmpuint (cd_rate_limit_check (limit, "victim", start + 60 * SECOND),
                    ==, 0);
  g_assert_cmpuint (cd_rate_limit_get_n_names (limit), ==, 1);
  g_assert_cmpuint (cd_rate_limit_check (limit, "victim", start + 65 * SECOND),
                    ==, 0);
  g_assert_cmpuint (cd_rate_limit_get_n_names (limit), ==, 0);
}

static void
test_spray_keeps_lockout (void)
{
  g_autoptr(CdRateLimit) limit = cd_rate_limit_new (5, 60);
  gint64 start = 1000 * SECOND;
  guint n_spray = CD_RATE_LIMIT_MAX_NAMES + 100;

  for (guint i = 0; i < 5; i++)
    cd_rate_limit_fail (limit, "victim", start);
  g_assert_cmpuint (cd_rate_limit_check (limit, "victim", start), >, 0);

  /* More names than the limit tracks, each failing once, all after the
   * victim's lockout. */
  for (guint i = 0; i < n_spray; i++)
    {
      char name[32];

      g_snprintf (name, sizeof name, "spray-%u", i);
      cd_rate_limit_fail (limit, name, start + SECOND);
    }

  g_assert_cmpuint (cd_rate_limit_get_n_names (limit), <=,
                    CD_RATE_LIMIT_MAX_NAMES);
  g_assert_cmpuint (cd_rate_limit_check (limit, "victim", start + 2 * SECOND),
                    >, 0);
  /* The oldest of the spray made room, the newest is kept. */
  g_assert_cmpuint (cd_rate_limit_get_n_names (limit), >=,
                    CD_RATE_LIMIT_MAX_NAMES - 1);

  /* Expired names go first: after the window a new name makes room
   * without touching a fresh lockout. */
  for (guint i = 0; i < 5; i++)
    cd_rate_limit_fail (limit, "late", start + 61 * SECOND);
  g_assert_cmpuint (cd_rate_limit_check (limit, "late", start + 62 * SECOND),
                    >, 0);
  g_assert_cmpuint (cd_rate_limit_get_n_names (limit), ==, 1);
}

static void
test_long_names (void)
{
  g_autoptr(CdRateLimit) limit = cd_rate_limit_new (5, 60);
  g_autofree char *name = g_strnfill (60 * 1024, 'a');
  g_autofree char *almost = g_strdup (name);
  gint64 start = 1000 * SECOND;

  /* A username may be as long as a request body: every byte tells two
   * names apart, not a prefix. */
  almost[60 * 1024 - 1] = 'b';
  for (guint i = 0; i < 5; i++)
    cd_rate_limit_fail (limit, name, start);

  g_assert_cmpuint (cd_rate_limit_check (limit, name, start + SECOND), ==, 59);
  g_assert_cmpuint (cd_rate_limit_check (limit, almost, start + SECOND), ==,
                    0);
  g_assert_cmpuint (cd_rate_limit_get_n_names (limit), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/auth/rate-limit/lockout", test_lockout);
  g_test_add_func ("/auth/rate-limit/spray-keeps-lockout",
                   test_spray_keeps_lockout);
  g_test_add_func ("/auth/rate-limit/long-names", test_long_names);

  return g_test_run ();
}
