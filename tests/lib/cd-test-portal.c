/* cd-test-portal.c: starts the real local portal for tests.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-test"

#include "cd-test-portal.h"

#include <errno.h>
#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

struct _CdTestPortal
{
  GSubprocess  *process;     /* (owned) (nullable) */
  char         *tmp_dir;     /* (owned) */
  char         *database;    /* (owned) */
  char         *url;         /* (owned) (nullable) */
  char         *today;       /* (owned) */
  guint         n_devices;
  GStrv         extra_args;  /* (owned) (nullable) */
};

static guint
start_timeout_ms (void)
{
  const char *env = g_getenv ("CD_TEST_PORTAL_TIMEOUT");
  guint64 seconds = 0;

  if (env != NULL && g_ascii_string_to_unsigned (env, 10, 1, 3600,
                                                 &seconds, NULL))
    return (guint) seconds * 1000;

  return 120 * 1000;
}

/* Reads one line from fd, giving up after timeout_ms in total. */
static char *
read_first_line (int      fd,
                 guint    timeout_ms,
                 GError **error)
{
  g_autoptr(GString) line = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;
      char c;
      ssize_t n;
      int r;

      if (left_ms <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "The portal did not print its URL in time");
          return NULL;
        }

      r = poll (&pfd, 1, (int) left_ms);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        continue;

      n = read (fd, &c, 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "The portal exited before printing its URL");
          return NULL;
        }
      if (c == '\n')
        return g_string_free (g_steal_pointer (&line), FALSE);
      g_string_append_c (line, c);
    }
}

/* In the child before exec: a test that aborts must not leave its portal
 * running, holding the test's stderr open until meson's timeout. */
static void
die_with_parent (gpointer user_data)
{
  pid_t parent = GPOINTER_TO_INT (user_data);

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != parent)
    _exit (1);
}

static gboolean
spawn_portal (CdTestPortal  *portal,
              GError       **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *line = NULL;
  const char *program = g_getenv ("CD_PORTAL_PROGRAM");
  GInputStream *out;

  g_assert (portal->process == NULL);

  if (program == NULL || *program == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "CD_PORTAL_PROGRAM is not set");
      return FALSE;
    }

  g_ptr_array_add (argv, g_strdup (program));
  g_ptr_array_add (argv, g_strdup ("--listen"));
  g_ptr_array_add (argv, g_strdup ("127.0.0.1:0"));
  g_ptr_array_add (argv, g_strdup ("--database"));
  g_ptr_array_add (argv, g_strdup (portal->database));
  g_ptr_array_add (argv, g_strdup ("--seed-demo"));
  g_ptr_array_add (argv, g_strdup ("--today"));
  g_ptr_array_add (argv, g_strdup (portal->today));
  if (portal->n_devices > 0)
    {
      g_ptr_array_add (argv, g_strdup ("--devices"));
      g_ptr_array_add (argv, g_strdup_printf ("%u", portal->n_devices));
    }
  for (guint i = 0; portal->extra_args && portal->extra_args[i]; i++)
    g_ptr_array_add (argv, g_strdup (portal->extra_args[i]));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent,
                                         GINT_TO_POINTER (getpid ()), NULL);
  process = g_subprocess_launcher_spawnv (launcher,
                                          (const char * const *) argv->pdata,
                                          error);
  if (process == NULL)
    return FALSE;

  out = g_subprocess_get_stdout_pipe (process);
  line = read_first_line (g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (out)),
                          start_timeout_ms (), error);
  if (line == NULL || !g_str_has_prefix (line, "http"))
    {
      if (line != NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     "The portal printed no URL: %s", line);
      g_subprocess_force_exit (process);
      g_subprocess_wait (process, NULL, NULL);
      return FALSE;
    }

  g_clear_pointer (&portal->url, g_free);
  portal->url = g_steal_pointer (&line);
  portal->process = g_steal_pointer (&process);

  return TRUE;
}

static void
stop_portal (CdTestPortal *portal,
             int           signum)
{
  if (portal->process == NULL)
    return;

  g_subprocess_send_signal (portal->process, signum);
  g_subprocess_wait (portal->process, NULL, NULL);
  g_clear_object (&portal->process);
}

CdTestPortal *
cd_test_portal_start (const char          *today,
                      guint                n_devices,
                      const char * const  *extra_args,
                      GError             **error)
{
  g_autoptr(CdTestPortal) portal = NULL;
  g_autofree char *tmp_dir = NULL;

  g_return_val_if_fail (today != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  tmp_dir = g_dir_make_tmp ("cd-portal-XXXXXX", error);
  if (tmp_dir == NULL)
    return NULL;

  portal = g_new0 (CdTestPortal, 1);
  portal->database = g_build_filename (tmp_dir, "portal.db", NULL);
  portal->tmp_dir = g_steal_pointer (&tmp_dir);
  portal->today = g_strdup (today);
  portal->n_devices = n_devices;
  portal->extra_args = g_strdupv ((char **) extra_args);

  if (!spawn_portal (portal, error))
    return NULL;

  return g_steal_pointer (&portal);
}

const char *
cd_test_portal_get_url (CdTestPortal *portal)
{
  g_return_val_if_fail (portal != NULL, NULL);

  return portal->url;
}

const char *
cd_test_portal_get_database (CdTestPortal *portal)
{
  g_return_val_if_fail (portal != NULL, NULL);

  return portal->database;
}

gboolean
cd_test_portal_restart (CdTestPortal  *portal,
                        const char    *today,
                        GError       **error)
{
  g_return_val_if_fail (portal != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stop_portal (portal, SIGTERM);

  if (today != NULL)
    {
      g_free (portal->today);
      portal->today = g_strdup (today);
    }

  return spawn_portal (portal, error);
}

void
cd_test_portal_kill (CdTestPortal *portal)
{
  g_return_if_fail (portal != NULL);

  stop_portal (portal, SIGKILL);
}

void
cd_test_portal_free (CdTestPortal *portal)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (portal == NULL)
    return;

  stop_portal (portal, SIGTERM);

  dir = g_dir_open (portal->tmp_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (portal->tmp_dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (portal->tmp_dir);

  g_free (portal->tmp_dir);
  g_free (portal->database);
  g_free (portal->url);
  g_free (portal->today);
  g_strfreev (portal->extra_args);
  g_free (portal);
}
