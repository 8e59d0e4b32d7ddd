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

/* One name's recent failures. */
typedef struct
{
  char   *name;          /* (owned) name_key (), also the key in failures */
  GQueue  times;         /* gint64 *, oldest first, at most max_failures */
  GList   link;          /* in CdRateLimit.order */
} Entry;

struct _CdRateLimit
{
  guint       max_failures;
  guint       max_names;
  gint64      window_usec;
  GHashTable *failures;      /* (owned) name -> (owned) Entry */
  GQueue      order;         /* Entry by last failure, oldest first */
};

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_queue_clear_full (&entry->times, g_free);
  g_free (entry->name);
  g_free (entry);
}

CdRateLimit *
cd_rate_limit_new (guint max_failures,
                   guint window_seconds)
{
  CdRateLimit *limit;

  g_return_val_if_fail (max_failures > 0, NULL);

  limit = g_new0 (CdRateLimit, 1);
  limit->max_failures = max_failures;
  limit->max_names = CD_RATE_LIMIT_MAX_NAMES;
  limit->window_usec = (gint64) window_seconds * G_USEC_PER_SEC;
  limit->failures = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                           entry_free);
  g_queue_init (&limit->order);
  return limit;
}

void
cd_rate_limit_free (CdRateLimit *limit)
{
  if (limit == NULL)
    return;

  /* The entries own the links of order. */
  g_hash_table_unref (limit->failures);
  g_free (limit);
}

/* Names are kept as digests: a username in a request may be 64 KiB
 * long, and the limit keeps up to max_names of them. */
static char *
name_key (const char *name)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, -1);
}

static void
remove_entry (CdRateLimit *limit,
              Entry       *entry)
{
  g_queue_unlink (&limit->order, &entry->link);
  g_hash_table_remove (limit->failures, entry->name);
}

static gboolean
entry_locked (CdRateLimit *limit,
              Entry       *entry,
              gint64       now)
{
  guint in_window = 0;

  for (GList *l = entry->times.head; l != NULL; l = l->next)
    if (*(gint64 *) l->data > now - limit->window_usec)
      in_window++;
  return in_window >= limit->max_failures;
}

static Entry *
expire (CdRateLimit *limit,
        const char  *key,
        gint64       now)
{
  Entry *entry = g_hash_table_lookup (limit->failures, key);

  while (entry != NULL && !g_queue_is_empty (&entry->times)
         && *(gint64 *) g_queue_peek_head (&entry->times)
            <= now - limit->window_usec)
    g_free (g_queue_pop_head (&entry->times));

  if (entry != NULL && g_queue_is_empty (&entry->times))
    {
      remove_entry (limit, entry);
      entry = NULL;
    }
  return entry;
}

/* Keeps the number of names bounded without forgetting a lockout: first
 * the names whose failures have all left the window, then the oldest that
 * is not locked out. Only when every name is locked out does the oldest
 * lockout go, and getting there takes max_names * max_failures password
 * checks within one window. */
static void
evict (CdRateLimit *limit,
       gint64       now)
{
  Entry *entry;

  while ((entry = g_queue_peek_head (&limit->order)) != NULL
         && *(gint64 *) g_queue_peek_tail (&entry->times)
            <= now - limit->window_usec)
    remove_entry (limit, entry);

  while (g_hash_table_size (limit->failures) > limit->max_names)
    {
      GList *l;

      for (l = limit->order.head; l != NULL; l = l->next)
        if (!entry_locked (limit, l->data, now))
          break;
      remove_entry (limit, l != NULL ? l->data
                                     : g_queue_peek_head (&limit->order));
    }
}

guint
cd_rate_limit_check (CdRateLimit *limit,
                     const char  *name,
                     gint64       now)
{
  g_autofree char *key = NULL;
  Entry *entry;
  guint n_times;
  gint64 oldest;
  gint64 wait;

  g_return_val_if_fail (limit != NULL, 0);
  g_return_val_if_fail (name != NULL, 0);

  key = name_key (name);
  entry = expire (limit, key, now);
  if (entry == NULL)
    return 0;
  n_times = g_queue_get_length (&entry->times);
  if (n_times < limit->max_failures)
    return 0;

  /* Free again once the oldest counted failure leaves the window. */
  oldest = *(gint64 *) g_queue_peek_nth (&entry->times,
                                         n_times - limit->max_failures);
  wait = oldest + limit->window_usec - now;
  return (guint) MAX (1, (wait + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

void
cd_rate_limit_fail (CdRateLimit *limit,
                    const char  *name,
                    gint64       now)
{
  g_autofree char *key = NULL;
  Entry *entry;

  g_return_if_fail (limit != NULL);
  g_return_if_fail (name != NULL);

  key = name_key (name);
  entry = expire (limit, key, now);
  if (entry == NULL)
    {
      entry = g_new0 (Entry, 1);
      entry->name = g_steal_pointer (&key);
      entry->link.data = entry;
      g_hash_table_insert (limit->failures, entry->name, entry);
    }
  else
    g_queue_unlink (&limit->order, &entry->link);
  g_queue_push_tail_link (&limit->order, &entry->link);
  g_queue_push_tail (&entry->times, g_memdup2 (&now, sizeof now));

  /* Bound the memory a flood of one name can take... */
  while (g_queue_get_length (&entry->times) > limit->max_failures)
    g_free (g_queue_pop_head (&entry->times));

  /* ...and the number of names. */
  if (g_hash_table_size (limit->failures) > limit->max_names)
    evict (limit, now);
}

guint
cd_rate_limit_get_n_names (CdRateLimit *limit)
{
  g_return_val_if_fail (limit != NULL, 0);

  return g_hash_table_size (limit->failures);
}
