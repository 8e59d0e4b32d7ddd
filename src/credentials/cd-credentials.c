/* cd-credentials.c: the session's refresh token in the Secret Service.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-credentials"

#include "config.h"

#include <glib/gi18n.h>

#include "cd-credentials.h"

const SecretSchema *
cd_credentials_get_schema (void)
{
  static const SecretSchema schema = {
    "com.coredinate.Admin.Session", SECRET_SCHEMA_NONE,
    {
      { "portal", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "username", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

/* The label is what keyring managers such as Seahorse list. */
static char *
make_label (const char *portal_url,
            const char *username)
{
  g_autoptr(GUri) uri = NULL;
  const char *host = NULL;

  g_assert (portal_url != NULL);
  g_assert (username != NULL);

  uri = g_uri_parse (portal_url, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL)
    host = g_uri_get_host (uri);
  if (host == NULL || *host == '\0')
    host = portal_url;

  /* TRANSLATORS: the name of the stored session in the keyring, e.g.
   * “COREDINATE Admin: admin@muster.example on portal.example.com” */
  return g_strdup_printf (_("COREDINATE Admin: %s on %s"), username, host);
}

typedef enum
{
  OPERATION_STORE,
  OPERATION_LOOKUP,
  OPERATION_CLEAR,
} OperationKind;

typedef struct
{
  OperationKind  kind;
  char          *portal_url;     /* (owned) (nullable) */
  char          *username;       /* (owned) (nullable) */
  char          *refresh_token;  /* (owned) (nullable) wiped when freed */
} Operation;

static void
operation_free (Operation *operation)
{
  g_free (operation->portal_url);
  g_free (operation->username);
  if (operation->refresh_token != NULL)
    secret_password_wipe (operation->refresh_token);
  g_free (operation->refresh_token);
  g_free (operation);
}

/* One keyring operation at a time, in the order they were asked for:
 * a store and a clear racing each other could otherwise leave the wrong
 * token behind, and libsecret 0.20 returns a clear twice when another
 * clear removed the same item meanwhile. */
static GQueue   queue = G_QUEUE_INIT;   /* (owned) GTasks, not started */
static gboolean running;

static void run_next (void);

static void
on_store_stored (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);

  run_next ();
}

static void
on_store_cleared (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;
  Operation *operation = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  secret_password_clear_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      run_next ();
      return;
    }

  label = make_label (operation->portal_url, operation->username);
  secret_password_store (cd_credentials_get_schema (),
                         SECRET_COLLECTION_DEFAULT, label,
                         operation->refresh_token, cancellable,
                         on_store_stored, g_steal_pointer (&task),
                         "portal", operation->portal_url,
                         "username", operation->username,
                         NULL);
}

static void
on_lookup_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *secret;

  secret = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else
    {
      /* Callers get ordinary memory they can g_free(). */
      g_task_return_pointer (task, g_strdup (secret), g_free);
      secret_password_free (secret);
    }

  run_next ();
}

static void
on_clear_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* FALSE without an error only means there was nothing to remove. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);

  run_next ();
}

static void
run_next (void)
{
  GTask *task;
  Operation *operation;
  GCancellable *cancellable;

  running = FALSE;
  task = g_queue_pop_head (&queue);
  if (task == NULL)
    return;

  running = TRUE;
  operation = g_task_get_task_data (task);
  cancellable = g_task_get_cancellable (task);

  switch (operation->kind)
    {
    case OPERATION_STORE:
      /* No attributes: every item of the schema, i.e. also an older
       * session of another user or portal. */
      secret_password_clear (cd_credentials_get_schema (), cancellable,
                             on_store_cleared, task, NULL);
      break;

    case OPERATION_LOOKUP:
      secret_password_lookup (cd_credentials_get_schema (), cancellable,
                              on_lookup_done, task,
                              "portal", operation->portal_url,
                              "username", operation->username,
                              NULL);
      break;

    case OPERATION_CLEAR:
      secret_password_clear (cd_credentials_get_schema (), cancellable,
                             on_clear_done, task, NULL);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
enqueue (GTask         *task,
         OperationKind  kind,
         const char    *portal_url,
         const char    *username,
         const char    *refresh_token)
{
  Operation *operation;

  g_assert (G_IS_TASK (task));

  operation = g_new0 (Operation, 1);
  operation->kind = kind;
  operation->portal_url = g_strdup (portal_url);
  operation->username = g_strdup (username);
  operation->refresh_token = g_strdup (refresh_token);
  g_task_set_task_data (task, operation, (GDestroyNotify) operation_free);

  g_queue_push_tail (&queue, task);
  if (!running)
    run_next ();
}

/**
 * cd_credentials_store_async:
 *
 * Stores @refresh_token for @username at @portal_url, after removing any
 * secret stored before, so the keyring holds exactly one session.
 */
void
cd_credentials_store_async (const char          *portal_url,
                            const char          *username,
                            const char          *refresh_token,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (portal_url != NULL && *portal_url != '\0');
  g_return_if_fail (username != NULL && *username != '\0');
  g_return_if_fail (refresh_token != NULL && *refresh_token != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_credentials_store_async);
  enqueue (task, OPERATION_STORE, portal_url, username, refresh_token);
}

gboolean
cd_credentials_store_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == cd_credentials_store_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cd_credentials_lookup_async (const char          *portal_url,
                             const char          *username,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (portal_url != NULL);
  g_return_if_fail (username != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_credentials_lookup_async);
  enqueue (task, OPERATION_LOOKUP, portal_url, username, NULL);
}

char *
cd_credentials_lookup_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == cd_credentials_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cd_credentials_clear_async (GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_credentials_clear_async);
  enqueue (task, OPERATION_CLEAR, NULL, NULL, NULL);
}

gboolean
cd_credentials_clear_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == cd_credentials_clear_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
