/* cd-demo-portal.c: the bundled local portal with demo data, as a child.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cd-demo-portal.h"

/* Seeding a new database takes a moment on a slow disk. */
#define START_TIMEOUT_SECONDS 30

struct _CdDemoPortal
{
  GObject           parent_instance;

  GSubprocess      *process;         /* (owned) (nullable) */
  GDataInputStream *output;          /* (owned) (nullable) its stdout */
  GCancellable     *cancellable;     /* (owned) (nullable) reads stdout */
  GList            *pending;         /* (owned) GTasks waiting for the URL */
  char             *url;             /* (owned) (nullable) */
  char             *identifier;      /* (owned) (nullable) the pid */
  guint             timeout_id;
};

G_DEFINE_FINAL_TYPE (CdDemoPortal, cd_demo_portal, G_TYPE_OBJECT)

static void
child_setup (gpointer user_data)
{
  pid_t parent = GPOINTER_TO_INT (user_data);

  /* The portal must not outlive the app, even when the app is killed.
   * If the app died before prctl() took effect, go right away. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  if (getppid () != parent)
    raise (SIGTERM);
}

static void
complete_pending (CdDemoPortal *self,
                  const GError *error)
{
  GList *pending;

  g_assert (CD_IS_DEMO_PORTAL (self));

  pending = g_steal_pointer (&self->pending);
  for (GList *l = pending; l != NULL; l = l->next)
    {
      GTask *task = l->data;

      if (g_task_return_error_if_cancelled (task))
        continue;
      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_pointer (task, g_strdup (self->url), g_free);
    }
  g_list_free_full (pending, g_object_unref);
}

static void
fail_start (CdDemoPortal *self,
            GError       *error)
{
  g_autoptr(GError) owned_error = error;

  g_assert (CD_IS_DEMO_PORTAL (self));

  g_debug ("Demo portal failed: %s", owned_error->message);
  cd_demo_portal_stop (self);
  complete_pending (self, owned_error);
}

static void read_next_line (CdDemoPortal *self);

static void
on_output_line (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CdDemoPortal) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize length = 0;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                    result, &length, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (self->url != NULL)
    {
      /* Later output is only drained, so the pipe never fills up. */
      if (line != NULL)
        read_next_line (self);
      return;
    }

  if (error != NULL || line == NULL)
    {
      fail_start (self,
                  g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The demo portal stopped before it was "
                                 "ready.")));
      return;
    }

  g_strstrip (line);
  if (!g_str_has_prefix (line, "http://") && !g_str_has_prefix (line, "https://"))
    {
      fail_start (self,
                  g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("The demo portal did not report its "
                                 "address.")));
      return;
    }

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->url = g_steal_pointer (&line);
  g_debug ("Demo portal %s is ready", self->identifier);
  complete_pending (self, NULL);
  read_next_line (self);
}

static void
read_next_line (CdDemoPortal *self)
{
  g_assert (CD_IS_DEMO_PORTAL (self));
  g_assert (self->output != NULL);

  g_data_input_stream_read_line_async (self->output, G_PRIORITY_DEFAULT,
                                       self->cancellable, on_output_line,
                                       g_object_ref (self));
}

static gboolean
on_start_timeout (gpointer user_data)
{
  CdDemoPortal *self = user_data;

  self->timeout_id = 0;
  fail_start (self,
              g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           _("The demo portal did not start in time.")));

  return G_SOURCE_REMOVE;
}

static char *
find_program (void)
{
  const char *override = g_getenv ("CD_PORTAL_PROGRAM");

  if (override != NULL && *override != '\0')
    return g_strdup (override);

  return g_build_filename (LIBEXECDIR, PORTAL_PROGRAM, NULL);
}

static gboolean
spawn_portal (CdDemoPortal  *self,
              GError       **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *program = find_program ();
  g_autofree char *directory = NULL;
  g_autofree char *database = NULL;

  g_assert (CD_IS_DEMO_PORTAL (self));
  g_assert (self->process == NULL);

  directory = g_build_filename (g_get_user_data_dir (), "coredinate-admin",
                                NULL);
  if (g_mkdir_with_parents (directory, 0700) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The folder for the demo data could not be created."));
      return FALSE;
    }
  database = g_build_filename (directory, "demo.sqlite", NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup,
                                         GINT_TO_POINTER (getpid ()), NULL);
  self->process = g_subprocess_launcher_spawn (launcher, &local_error,
                                               program,
                                               "--listen", "127.0.0.1:0",
                                               "--database", database,
                                               "--seed-demo",
                                               NULL);
  if (self->process == NULL)
    {
      g_debug ("Cannot start %s: %s", program, local_error->message);
      /* TRANSLATORS: %s is the program's file name */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The demo portal (%s) could not be started."), program);
      return FALSE;
    }

  self->identifier = g_strdup (g_subprocess_get_identifier (self->process));
  self->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->process));
  self->cancellable = g_cancellable_new ();
  self->timeout_id = g_timeout_add_seconds (START_TIMEOUT_SECONDS,
                                            on_start_timeout, self);
  read_next_line (self);

  return TRUE;
}

void
cd_demo_portal_start_async (CdDemoPortal        *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CD_IS_DEMO_PORTAL (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_demo_portal_start_async);

  if (self->url != NULL)
    {
      g_task_return_pointer (task, g_strdup (self->url), g_free);
      return;
    }

  if (self->process == NULL && !spawn_portal (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->pending = g_list_append (self->pending, g_steal_pointer (&task));
}

char *
cd_demo_portal_start_finish (CdDemoPortal  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (CD_IS_DEMO_PORTAL (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
cd_demo_portal_get_url (CdDemoPortal *self)
{
  g_return_val_if_fail (CD_IS_DEMO_PORTAL (self), NULL);

  return self->url;
}

const char *
cd_demo_portal_get_identifier (CdDemoPortal *self)
{
  g_return_val_if_fail (CD_IS_DEMO_PORTAL (self), NULL);

  return self->identifier;
}

void
cd_demo_portal_stop (CdDemoPortal *self)
{
  g_return_if_fail (CD_IS_DEMO_PORTAL (self));

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->output);

  if (self->process != NULL)
    {
      g_debug ("Stopping demo portal %s", self->identifier);
      g_subprocess_send_signal (self->process, SIGTERM);
    }
  g_clear_object (&self->process);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->identifier, g_free);
}

static void
cd_demo_portal_dispose (GObject *object)
{
  CdDemoPortal *self = CD_DEMO_PORTAL (object);
  g_autoptr(GError) error = NULL;

  cd_demo_portal_stop (self);
  if (self->pending != NULL)
    {
      error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                   "The app is shutting down");
      complete_pending (self, error);
    }

  G_OBJECT_CLASS (cd_demo_portal_parent_class)->dispose (object);
}

static void
cd_demo_portal_class_init (CdDemoPortalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cd_demo_portal_dispose;
}

static void
cd_demo_portal_init (CdDemoPortal *self)
{
}

CdDemoPortal *
cd_demo_portal_new (void)
{
  return g_object_new (CD_TYPE_DEMO_PORTAL, NULL);
}
