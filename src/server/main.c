/* main.c: coredinate-portal, the local portal program.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-server"

#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "cd-seed.h"
#include "cd-server.h"
#include "cd-store.h"
#include "cd-term.h"

static gboolean
on_quit_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static int
usage_error (GOptionContext *context,
             const char     *message)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  fprintf (stderr, "coredinate-portal: %s\n\n%s", message, help);
  return 2;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(CdServer) server = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *database = NULL;
  g_autofree char *today_text = NULL;
  g_autofree char *certificate_file = NULL;
  g_autofree char *key_file = NULL;
  gboolean seed_demo = FALSE;
  int n_devices = CD_SEED_DEFAULT_DEVICES;
  int access_lifetime = CD_SERVER_ACCESS_TOKEN_LIFETIME;
  CdStore *store;
  GDate today;
  const GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen,
      "Listen on ADDRESS:PORT (port 0 picks a free one)", "ADDRESS:PORT" },
    { "database", 0, 0, G_OPTION_ARG_FILENAME, &database,
      "The SQLite database (created when missing)", "PATH" },
    { "seed-demo", 0, 0, G_OPTION_ARG_NONE, &seed_demo,
      "Add the demo tenants unless the database has them", NULL },
    { "devices", 0, 0, G_OPTION_ARG_INT, &n_devices,
      "Number of demo devices (default 240)", "N" },
    { "today", 0, 0, G_OPTION_ARG_STRING, &today_text,
      "The portal's date (default: today in UTC)", "YYYY-MM-DD" },
    { "tls-certificate", 0, 0, G_OPTION_ARG_FILENAME, &certificate_file,
      "PEM certificate for HTTPS", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
      "PEM private key for HTTPS", "FILE" },
    { "access-token-lifetime", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT,
      &access_lifetime, "Access token lifetime in seconds (tests)",
      "SECONDS" },
    { NULL }
  };

  setlocale (LC_ALL, "");
  /* Standard output is for the URL line; GLib would print debug messages
   * there too, ahead of it. */
  g_log_writer_default_set_use_stderr (TRUE);

  context = g_option_context_new ("- the local COREDINATE portal");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
                                "Serves the portal licensing API from a "
                                "SQLite database. The first line on "
                                "standard output is the base URL.");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (context, error->message);
  if (argc > 1)
    return usage_error (context, "unexpected arguments");
  if (listen == NULL || database == NULL)
    return usage_error (context, "--listen and --database are required");
  {
    g_autofree char *host = NULL;
    guint port;

    if (!cd_server_parse_address (listen, &host, &port, &error))
      return usage_error (context, error->message);
  }
  if (n_devices < 0 || n_devices > 10000000)
    return usage_error (context, "--devices must be from 0 to 10000000");
  if (access_lifetime < 1 || access_lifetime > CD_SERVER_REFRESH_TOKEN_LIFETIME)
    return usage_error (context,
                        "--access-token-lifetime must be 1 s to 30 days");
  if ((certificate_file == NULL) != (key_file == NULL))
    return usage_error (context,
                        "--tls-certificate and --tls-key go together");

  /* The demo data reaches years back and the terms years ahead, and a
   * contract date has four digits: far off, either would break. */
  if (today_text != NULL)
    {
      if (!cd_date_parse (today_text, &today)
          || g_date_get_year (&today) < CD_SERVER_FIRST_YEAR
          || g_date_get_year (&today) > CD_SERVER_LAST_YEAR)
        return usage_error (context,
                            "--today must be a date YYYY-MM-DD from "
                            G_STRINGIFY (CD_SERVER_FIRST_YEAR) "-01-01 to "
                            G_STRINGIFY (CD_SERVER_LAST_YEAR) "-12-31");
    }
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      g_date_clear (&today, 1);
      g_date_set_dmy (&today, (GDateDay) g_date_time_get_day_of_month (now),
                      (GDateMonth) g_date_time_get_month (now),
                      (GDateYear) g_date_time_get_year (now));
    }

  if (certificate_file != NULL)
    {
      certificate = g_tls_certificate_new_from_files (certificate_file,
                                                      key_file, &error);
      if (certificate == NULL)
        {
          fprintf (stderr, "coredinate-portal: %s\n", error->message);
          return 2;
        }
    }

  store = cd_store_open (database, &error);
  if (store == NULL)
    {
      fprintf (stderr, "coredinate-portal: %s\n", error->message);
      return 1;
    }

  if (seed_demo && !cd_seed_demo (store, &today, (guint) n_devices, &error))
    {
      fprintf (stderr, "coredinate-portal: %s\n", error->message);
      cd_store_free (store);
      return 1;
    }

  server = cd_server_new (store, &today, certificate, &error);
  if (server != NULL)
    cd_server_set_access_token_lifetime (server, (guint) access_lifetime);
  if (server == NULL || !cd_server_listen (server, listen, &error))
    {
      fprintf (stderr, "coredinate-portal: %s\n", error->message);
      g_clear_pointer (&server, cd_server_free);
      cd_store_free (store);
      return 1;
    }

  /* Handlers first: whoever reads the URL may stop us right away. */
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  g_unix_signal_add (SIGINT, on_quit_signal, loop);

  printf ("%s\n", cd_server_get_url (server));
  fflush (stdout);

  g_main_loop_run (loop);

  g_clear_pointer (&server, cd_server_free);
  cd_store_free (store);
  return 0;
}
