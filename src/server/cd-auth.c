/* cd-auth.c: password hashes, random tokens and the sign-in rate limit.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-server"

#include "cd-auth.h"

#include <crypt.h>
#include <gio/gio.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>

static void
fill_random (guint8 *buf,
             gsize   size)
{
  gsize done = 0;

  while (done < size)
    {
      ssize_t n = getrandom (buf + done, size - done, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        g_error ("getrandom failed: %s", g_strerror (errno));
      done += (gsize) n;
    }
}

char *
cd_auth_hash_password (const char  *password,
                       GError     **error)
{
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  guint8 salt[32];
  struct crypt_data data;
  const char *hash;

  g_return_val_if_fail (password != NULL, NULL);

  fill_random (salt, sizeof salt);
  if (crypt_gensalt_rn ("$y$", 0, (const char *) salt, sizeof salt,
                        setting, sizeof setting) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Cannot make a yescrypt salt: %s", g_strerror (errno));
      return NULL;
    }

  memset (&data, 0, sizeof data);
  hash = crypt_r (password, setting, &data);
  if (hash == NULL || hash[0] == '*')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Cannot hash the password: %s", g_strerror (errno));
      return NULL;
    }

  return g_strdup (hash);
}

gboolean
cd_auth_check_password (const char *password,
                        const char *hash)
{
  struct crypt_data *data;
  const char *computed;
  gboolean same = FALSE;

  g_return_val_if_fail (password != NULL, FALSE);
  g_return_val_if_fail (hash != NULL, FALSE);

  data = g_new0 (struct crypt_data, 1);
  computed = crypt_r (password, hash, data);
  if (computed != NULL && computed[0] != '*'
      && strlen (computed) == strlen (hash))
    {
      guint8 diff = 0;

      /* Constant time, so the comparison tells nothing about the hash. */
      for (gsize i = 0; hash[i] != '\0'; i++)
        diff |= (guint8) (computed[i] ^ hash[i]);
      same = diff == 0;
    }

  explicit_bzero (data, sizeof *data);
  g_free (data);
  return same;
}

char *
cd_auth_new_token (void)
{
  guint8 bytes[32];
  g_autofree char *text = NULL;

  fill_random (bytes, sizeof bytes);
  text = g_base64_encode (bytes, sizeof bytes);
  explicit_bzero (bytes, sizeof bytes);

  for (char *p = text; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        *p = '\0';
    }

  return g_steal_pointer (&text);
}

char *
cd_auth_new_uuid (void)
{
  guint8 b[16];

  fill_random (b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                          "%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                          b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                          b[15]);
}

char *
cd_auth_hash_token (const char *token)
{
  g_return_val_if_fail (token != NULL, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}

struct _CdRateLimit
{
  guint       max_failures;
  gint64      window_usec;
  GHashTable *failures;      /* (owned) name -> GQueue of gint64 times */
};

static void
free_queue (gpointer data)
{
  g_queue_free_full (data, g_free);
}

CdRateLimit *
cd_rate_limit_new (guint max_failures,
                   guint window_seconds)
{
  CdRateLimit *limit;

  g_return_val_if_fail (max_failures > 0, NULL);

  limit = g_new0 (CdRateLimit, 1);
  limit->max_failures = max_failures;
  limit->window_usec = (gint64) window_seconds * G_USEC_PER_SEC;
  limit->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           free_queue);
  return limit;
}

void
cd_rate_limit_free (CdRateLimit *limit)
{
  if (limit == NULL)
    return;

  g_hash_table_unref (limit->failures);
  g_free (limit);
}

static GQueue *
expire (CdRateLimit *limit,
        const char  *name,
        gint64       now)
{
  GQueue *times = g_hash_table_lookup (limit->failures, name);

  while (times != NULL && !g_queue_is_empty (times)
         && *(gint64 *) g_queue_peek_head (times) <= now - limit->window_usec)
    g_free (g_queue_pop_head (times));

  if (times != NULL && g_queue_is_empty (times))
    {
      g_hash_table_remove (limit->failures, name);
      times = NULL;
    }
  return times;
}

guint
cd_rate_limit_check (CdRateLimit *limit,
                     const char  *name,
                     gint64       now)
{
  GQueue *times;
  gint64 oldest;
  gint64 wait;

  g_return_val_if_fail (limit != NULL, 0);
  g_return_val_if_fail (name != NULL, 0);

  times = expire (limit, name, now);
  if (times == NULL || g_queue_get_length (times) < limit->max_failures)
    return 0;

  /* Free again once the oldest counted failure leaves the window. */
  oldest = *(gint64 *) g_queue_peek_nth (times, g_queue_get_length (times)
                                                - limit->max_failures);
  wait = oldest + limit->window_usec - now;
  return (guint) MAX (1, (wait + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

void
cd_rate_limit_fail (CdRateLimit *limit,
                    const char  *name,
                    gint64       now)
{
  GQueue *times;

  g_return_if_fail (limit != NULL);
  g_return_if_fail (name != NULL);

  times = expire (limit, name, now);
  if (times == NULL)
    {
      times = g_queue_new ();
      g_hash_table_insert (limit->failures, g_strdup (name), times);
    }
  g_queue_push_tail (times, g_memdup2 (&now, sizeof now));

  /* Bound the memory a flood of one name can take. */
  while (g_queue_get_length (times) > limit->max_failures)
    g_free (g_queue_pop_head (times));

  /* And the number of names. */
  if (g_hash_table_size (limit->failures) > 100000)
    g_hash_table_remove_all (limit->failures);
}
