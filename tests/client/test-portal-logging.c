/* test-portal-logging.c: the client logs each request, and never a secret.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cd-client-test-util.h"

#define ADMIN "admin@muster.example"
#define PASSWORD "demo"
/* Access tokens expire this soon, so a request gets a 401 and refreshes. */
#define ACCESS_TOKEN_LIFETIME "3"
#define ACCESS_TOKEN_WAIT_MS 4000

/* One logged message, from any domain at any level. */
typedef struct
{
  GLogLevelFlags  level;
  char           *domain;   /* (owned) (nullable) */
  char           *message;  /* (owned) (nullable) */
  char           *fields;   /* (owned) every field as "KEY=value\n" */
} Record;

static GMutex records_lock;
static GPtrArray *records;  /* (owned) of Record */

static void
record_free (Record *record)
{
  g_free (record->domain);
  g_free (record->message);
  g_free (record->fields);
  g_free (record);
}

static char *
field_text (const GLogField *field)
{
  if (field->length < 0)
    return g_strdup (field->value);

  return g_strndup (field->value, field->length);
}

/* Keeps everything that is logged; lets the default writer show all but
 * debug and info, so warnings stay fatal and the TAP output stays clean. */
static GLogWriterOutput
record_log (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  Record *record = g_new0 (Record, 1);
  g_autoptr(GString) all = g_string_new (NULL);

  record->level = log_level & G_LOG_LEVEL_MASK;
  for (gsize i = 0; i < n_fields; i++)
    {
      g_autofree char *value = field_text (&fields[i]);

      if (g_str_equal (fields[i].key, "MESSAGE"))
        record->message = g_strdup (value);
      else if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        record->domain = g_strdup (value);
      g_string_append_printf (all, "%s=%s\n", fields[i].key, value);
    }
  record->fields = g_string_free (g_steal_pointer (&all), FALSE);

  g_mutex_lock (&records_lock);
  g_ptr_array_add (records, record);
  g_mutex_unlock (&records_lock);

  if (log_level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
    return G_LOG_WRITER_HANDLED;

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

/* Every token the client ever held: after sign-in and each rotation. */
static void
on_refresh_token_changed (CdPortalClient *client,
                          GPtrArray      *secrets)
{
  const char *tokens[] = {
    cd_portal_client_get_access_token_for_testing (client),
    cd_portal_client_get_refresh_token (client),
  };

  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    if (tokens[i] != NULL)
      g_ptr_array_add (secrets, g_strdup (tokens[i]));
}

/* A licensed device on which "roster" can be booked. */
static char *
bookable_device (CdPortalClient *client)
{
  g_autoptr(GListModel) devices = NULL;
  g_autoptr(GError) error = NULL;

  devices = sync_list_devices (client, NULL, NULL, NULL, 1000, NULL, NULL,
                               &error);
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (devices, i);
      CdLicense *license = cd_device_get_license (device);

      if (license != NULL &&
          cd_license_get_state (license) == CD_LICENSE_STATE_ACTIVE &&
          !cd_device_lookup_module_state (device, "roster", NULL))
        return g_strdup (cd_device_get_id (device));
    }

  return NULL;
}

static void
test_requests_logged_without_secrets (void)
{
  const char * const args[] = { "--access-token-lifetime",
                                ACCESS_TOKEN_LIFETIME, NULL };
  g_autoptr(CdTestPortal) portal = start_portal (20, args);
  g_autoptr(GPtrArray) secrets = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) logged = NULL;
  g_autoptr(GRegex) request_line = NULL;
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(CdDevice) detail = NULL;
  g_autoptr(CdBooking) booking = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *device_id = NULL;
  g_autofree char *booking_line = NULL;
  g_autofree char *key = cd_portal_client_new_idempotency_key ();
  guint n_access_tokens, n_refreshes = 0;
  gboolean booked_after_refresh = FALSE;

  client = cd_portal_client_new (cd_test_portal_get_url (portal), &error);
  g_assert_no_error (error);
  g_signal_connect (client, "refresh-token-changed",
                    G_CALLBACK (on_refresh_token_changed), secrets);

  g_mutex_lock (&records_lock);
  g_ptr_array_set_size (records, 0);
  g_mutex_unlock (&records_lock);

  account = sync_sign_in (client, ADMIN, PASSWORD, &error);
  g_assert_no_error (error);
  device_id = bookable_device (client);
  g_assert_nonnull (device_id);
  detail = sync_get_device (client, device_id, &error);
  g_assert_no_error (error);
  n_access_tokens = secrets->len;

  /* The access token expires on the portal: the booking gets a 401, the
   * client refreshes and sends the booking again. */
  g_usleep (ACCESS_TOKEN_WAIT_MS * G_TIME_SPAN_MILLISECOND);
  booking = sync_book_module (client, device_id, "roster",
                              cd_device_get_revision (detail), key, NULL,
                              &error);
  g_assert_no_error (error);
  g_assert_nonnull (booking);
  g_assert_cmpuint (secrets->len, >, n_access_tokens);

  g_assert_true (sync_sign_out (client, &error));
  g_assert_no_error (error);

  /* Each secret is a real one: long enough that finding it means a leak. */
  g_assert_cmpuint (secrets->len, >=, 4);
  for (guint i = 0; i < secrets->len; i++)
    g_assert_cmpuint (strlen (g_ptr_array_index (secrets, i)), >=, 16);
  g_ptr_array_add (secrets, g_strdup (PASSWORD));

  /* Taken out of the writer's hands: failing below logs, too. */
  g_mutex_lock (&records_lock);
  logged = g_steal_pointer (&records);
  records = g_ptr_array_new_with_free_func ((GDestroyNotify) record_free);
  g_mutex_unlock (&records_lock);

  request_line = g_regex_new ("^(GET|POST) /[^ ?]* [1-5][0-9][0-9] [0-9]+ ms$",
                              0, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < logged->len; i++)
    {
      Record *record = g_ptr_array_index (logged, i);
      g_autofree char *folded = g_ascii_strdown (record->fields, -1);

      /* No message anywhere holds a secret or the header that carries one. */
      for (guint j = 0; j < secrets->len; j++)
        {
          const char *secret = g_ptr_array_index (secrets, j);

          if (strstr (record->fields, secret) != NULL)
            g_error ("A log message holds a secret: %s", record->message);
        }
      g_assert_null (strstr (folded, "bearer"));
      g_assert_null (strstr (folded, "authorization"));

      /* The client's debug lines are one per request: method, path
       * (without the query), status, milliseconds. */
      if (g_strcmp0 (record->domain, "cd-portal") == 0 &&
          record->level == G_LOG_LEVEL_DEBUG)
        {
          g_assert_nonnull (record->message);
          if (!g_regex_match (request_line, record->message, 0, NULL))
            g_error ("Not a request line: %s", record->message);
          g_ptr_array_add (lines, g_strdup (record->message));
        }
    }

  g_assert_cmpuint (lines->len, ==,
                    cd_portal_client_get_n_sent_for_testing (client));

  /* Sign-in, then /me; the refresh after a 401; the booking sent again;
   * sign-out last. */
  g_assert_cmpuint (lines->len, >=, 8);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (lines, 0),
                                   "POST /auth/token 200 "));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (lines, 1),
                                   "GET /me 200 "));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (lines, lines->len - 1),
                                   "POST /auth/revoke 204 "));

  booking_line = g_strdup_printf ("POST /devices/%s/bookings ", device_id);
  for (guint i = 0; i + 2 < lines->len; i++)
    {
      const char *line = g_ptr_array_index (lines, i);
      const char *refresh = g_ptr_array_index (lines, i + 1);
      const char *again = g_ptr_array_index (lines, i + 2);

      if (strstr (line, " 401 ") == NULL)
        continue;

      g_assert_true (g_str_has_prefix (refresh, "POST /auth/token 200 "));
      n_refreshes++;
      if (g_str_has_prefix (line, booking_line) &&
          g_str_has_prefix (again, booking_line) &&
          strstr (again, " 201 ") != NULL)
        booked_after_refresh = TRUE;
    }
  g_assert_cmpuint (n_refreshes, >=, 1);
  g_assert_true (booked_after_refresh);
}

int
main (int   argc,
      char *argv[])
{
  /* Before anything can log: a writer can only be set once. */
  records = g_ptr_array_new_with_free_func ((GDestroyNotify) record_free);
  g_log_set_writer_func (record_log, NULL, NULL);
  g_log_set_debug_enabled (TRUE);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/portal-logging/requests-without-secrets",
                   test_requests_logged_without_secrets);

  return g_test_run ();
}
