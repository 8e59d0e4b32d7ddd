/* test-credentials.c: the refresh token in a real gnome-keyring.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cd-credentials.h"

static GAsyncResult *
wait_for_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static void
store (const char *portal_url,
       const char *username,
       const char *token)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cd_credentials_store_async (portal_url, username, token, NULL,
                              on_done, &result);
  g_assert_true (cd_credentials_store_finish (wait_for_result (&result),
                                              &error));
  g_assert_no_error (error);
}

static char *
lookup (const char *portal_url,
        const char *username)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *token;

  cd_credentials_lookup_async (portal_url, username, NULL, on_done, &result);
  token = cd_credentials_lookup_finish (wait_for_result (&result), &error);
  g_assert_no_error (error);

  return token;
}

static void
clear (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cd_credentials_clear_async (NULL, on_done, &result);
  g_assert_true (cd_credentials_clear_finish (wait_for_result (&result),
                                              &error));
  g_assert_no_error (error);
}

/* Every item of the schema, as a keyring manager would list them. */
static GList *
all_items (void)
{
  g_autoptr(GError) error = NULL;
  GList *items;

  items = secret_password_search_sync (cd_credentials_get_schema (),
                                       SECRET_SEARCH_ALL
                                       | SECRET_SEARCH_UNLOCK
                                       | SECRET_SEARCH_LOAD_SECRETS,
                                       NULL, &error, NULL);
  g_assert_no_error (error);

  return items;
}

static void
test_store_and_lookup (void)
{
  GList *items;
  SecretRetrievable *item;
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(SecretValue) value = NULL;
  g_autofree char *label = NULL;
  g_autofree char *token = NULL;
  g_autofree char *other = NULL;

  clear ();
  store ("http://127.0.0.1:8080", "admin@muster.example", "token-one");

  token = lookup ("http://127.0.0.1:8080", "admin@muster.example");
  g_assert_cmpstr (token, ==, "token-one");
  other = lookup ("http://127.0.0.1:8080", "leser@muster.example");
  g_assert_null (other);

  items = all_items ();
  g_assert_cmpuint (g_list_length (items), ==, 1);
  item = items->data;
  attributes = secret_retrievable_get_attributes (item);
  g_assert_cmpstr (g_hash_table_lookup (attributes, "portal"), ==,
                   "http://127.0.0.1:8080");
  g_assert_cmpstr (g_hash_table_lookup (attributes, "username"), ==,
                   "admin@muster.example");
  g_assert_cmpstr (g_hash_table_lookup (attributes, "xdg:schema"), ==,
                   "com.coredinate.Admin.Session");
  label = secret_retrievable_get_label (item);
  g_assert_cmpstr (label, ==,
                   "COREDINATE Admin: admin@muster.example on 127.0.0.1");
  value = secret_retrievable_retrieve_secret_sync (item, NULL, NULL);
  g_assert_nonnull (value);
  g_assert_cmpstr (secret_value_get_text (value), ==, "token-one");
  g_list_free_full (items, g_object_unref);
}

static void
test_store_replaces (void)
{
  GList *items;
  g_autofree char *token = NULL;
  g_autofree char *old = NULL;

  clear ();
  store ("https://portal.example", "admin@muster.example", "token-one");
  store ("https://portal.example", "admin@muster.example", "token-two");
  store ("https://other.example", "leser@muster.example", "token-three");

  items = all_items ();
  g_assert_cmpuint (g_list_length (items), ==, 1);
  g_list_free_full (items, g_object_unref);

  token = lookup ("https://other.example", "leser@muster.example");
  g_assert_cmpstr (token, ==, "token-three");
  old = lookup ("https://portal.example", "admin@muster.example");
  g_assert_null (old);
}

static void
test_clear (void)
{
  GList *items;
  g_autofree char *token = NULL;

  store ("https://portal.example", "admin@muster.example", "token-one");
  clear ();

  token = lookup ("https://portal.example", "admin@muster.example");
  g_assert_null (token);
  items = all_items ();
  g_assert_cmpuint (g_list_length (items), ==, 0);

  /* Clearing an empty keyring is not an error. */
  clear ();
}

/* Operations started together run in order: the last one wins. */
static void
test_operations_in_order (void)
{
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) cleared = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GAsyncResult) cleared_again = NULL;
  g_autoptr(GAsyncResult) last = NULL;
  g_autoptr(GAsyncResult) looked_up = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  GList *items;

  clear ();
  cd_credentials_store_async ("https://portal.example", "admin@muster.example",
                              "token-one", NULL, on_done, &first);
  cd_credentials_clear_async (NULL, on_done, &cleared);
  cd_credentials_store_async ("https://portal.example", "admin@muster.example",
                              "token-two", NULL, on_done, &second);
  cd_credentials_clear_async (NULL, on_done, &cleared_again);
  cd_credentials_store_async ("https://portal.example", "admin@muster.example",
                              "token-three", NULL, on_done, &last);
  cd_credentials_lookup_async ("https://portal.example", "admin@muster.example",
                               NULL, on_done, &looked_up);

  token = cd_credentials_lookup_finish (wait_for_result (&looked_up), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, "token-three");

  g_assert_true (cd_credentials_store_finish (first, NULL));
  g_assert_true (cd_credentials_clear_finish (cleared, NULL));
  g_assert_true (cd_credentials_store_finish (second, NULL));
  g_assert_true (cd_credentials_clear_finish (cleared_again, NULL));
  g_assert_true (cd_credentials_store_finish (last, NULL));

  items = all_items ();
  g_assert_cmpuint (g_list_length (items), ==, 1);
  g_list_free_full (items, g_object_unref);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/credentials/store-and-lookup", test_store_and_lookup);
  g_test_add_func ("/credentials/store-replaces", test_store_replaces);
  g_test_add_func ("/credentials/clear", test_clear);
  g_test_add_func ("/credentials/operations-in-order",
                   test_operations_in_order);

  return g_test_run ();
}
