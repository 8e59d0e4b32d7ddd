/* server-test-util.c: small HTTP helpers for the portal's black-box tests.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "server-test-util.h"

#include <string.h>

void
test_response_free (TestResponse *response)
{
  if (response == NULL)
    return;

  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_clear_pointer (&response->json, json_node_unref);
  g_free (response);
}

SoupSession *
test_session_new (void)
{
  return g_object_new (SOUP_TYPE_SESSION, "timeout", 30, "max-conns", 64,
                       "max-conns-per-host", 64, NULL);
}

TestResponse *
test_send (SoupSession         *session,
           const char          *base_url,
           const char          *method,
           const char          *path,
           const char          *token,
           GInputStream        *body,
           gssize               body_len,
           const char * const  *headers,
           GError             **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autofree char *url = g_strconcat (base_url, "/api/v1", path, NULL);
  SoupMessageHeaders *request_headers;
  TestResponse *response;
  const char *content_type;

  msg = soup_message_new (method, url);
  g_assert_nonnull (msg);
  request_headers = soup_message_get_request_headers (msg);
  if (token != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (request_headers, "Authorization", value);
    }
  for (guint i = 0; headers != NULL && headers[i] != NULL; i += 2)
    soup_message_headers_replace (request_headers, headers[i], headers[i + 1]);
  if (body != NULL)
    soup_message_set_request_body (msg, "application/json", body, body_len);

  answer = soup_session_send_and_read (session, msg, NULL, error);
  if (answer == NULL)
    return NULL;

  response = g_new0 (TestResponse, 1);
  response->body = g_steal_pointer (&answer);
  response->status = soup_message_get_status (msg);
  response->headers =
    soup_message_headers_ref (soup_message_get_response_headers (msg));

  content_type = soup_message_headers_get_content_type (response->headers,
                                                        NULL);
  if (content_type != NULL
      && (strcmp (content_type, "application/json") == 0
          || strcmp (content_type, "application/problem+json") == 0))
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) json_error = NULL;
      gsize size = 0;
      const char *data = g_bytes_get_data (response->body, &size);

      g_assert_true (json_parser_load_from_data (parser, data, (gssize) size,
                                                 &json_error));
      g_assert_no_error (json_error);
      response->json = json_node_ref (json_parser_get_root (parser));
    }

  return response;
}

TestResponse *
test_call (SoupSession         *session,
           const char          *base_url,
           const char          *method,
           const char          *path,
           const char          *token,
           const char          *body,
           gssize               body_len,
           const char * const  *headers)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  TestResponse *response;

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = NULL;

      if (body_len < 0)
        body_len = (gssize) strlen (body);
      bytes = g_bytes_new (body, (gsize) body_len);
      stream = g_memory_input_stream_new_from_bytes (bytes);
    }

  response = test_send (session, base_url, method, path, token, stream,
                        body_len, headers, &error);
  g_assert_no_error (error);
  return response;
}

char *
test_sign_in (SoupSession  *session,
              const char   *base_url,
              const char   *username,
              char        **refresh_token)
{
  g_autoptr(TestResponse) response = NULL;
  g_autofree char *body = NULL;
  JsonObject *object;

  body = g_strdup_printf ("{\"grant_type\":\"password\",\"username\":\"%s\","
                          "\"password\":\"demo\"}", username);
  response = test_call (session, base_url, "POST", "/auth/token", NULL, body,
                        -1, NULL);
  g_assert_cmpuint (response->status, ==, 200);
  object = test_object (response);
  g_assert_cmpstr (json_object_get_string_member (object, "token_type"), ==,
                   "Bearer");
  if (refresh_token != NULL)
    *refresh_token = g_strdup (json_object_get_string_member (object,
                                                              "refresh_token"));
  return g_strdup (json_object_get_string_member (object, "access_token"));
}

JsonObject *
test_object (TestResponse *response)
{
  g_assert_nonnull (response->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (response->json));
  return json_node_get_object (response->json);
}

void
test_assert_problem (TestResponse *response,
                     guint         status,
                     const char   *code)
{
  JsonObject *object;

  g_assert_cmpuint (response->status, ==, status);
  g_assert_cmpstr (soup_message_headers_get_content_type (response->headers,
                                                          NULL),
                   ==, "application/problem+json");
  object = test_object (response);
  g_assert_cmpstr (json_object_get_string_member (object, "code"), ==, code);
  g_assert_cmpint (json_object_get_int_member (object, "status"), ==, status);
  g_assert_nonnull (json_object_get_string_member (object, "type"));
  g_assert_nonnull (json_object_get_string_member (object, "title"));
  g_assert_true (json_object_has_member (object, "detail"));
  if (status == 401)
    g_assert_true (g_str_has_prefix (
      soup_message_headers_get_one (response->headers, "WWW-Authenticate"),
      "Bearer"));
}

char *
test_new_key (void)
{
  return g_uuid_string_random ();
}
