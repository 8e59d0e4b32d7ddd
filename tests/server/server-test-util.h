/* server-test-util.h: small HTTP helpers for the portal's black-box tests.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "cd-test-portal.h"

G_BEGIN_DECLS

typedef struct
{
  guint               status;
  GBytes             *body;         /* (owned) */
  SoupMessageHeaders *headers;      /* (owned) response headers */
  JsonNode           *json;         /* (owned) (nullable) */
} TestResponse;

void          test_response_free     (TestResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestResponse, test_response_free)

SoupSession  *test_session_new       (void);
/* headers: NULL-terminated name, value pairs. body may be NULL. */
TestResponse *test_call              (SoupSession  *session,
                                      const char   *base_url,
                                      const char   *method,
                                      const char   *path,
                                      const char   *token,
                                      const char   *body,
                                      gssize        body_len,
                                      const char * const *headers);
/* Like test_call with the body read from a stream; body_len -1 sends it
 * chunked. NULL with error when no answer came (the connection ended). */
TestResponse *test_send              (SoupSession  *session,
                                      const char   *base_url,
                                      const char   *method,
                                      const char   *path,
                                      const char   *token,
                                      GInputStream *body,
                                      gssize        body_len,
                                      const char * const *headers,
                                      GError      **error);
/* Signs in with the password grant; asserts 200. */
char         *test_sign_in           (SoupSession  *session,
                                      const char   *base_url,
                                      const char   *username,
                                      char        **refresh_token);
JsonObject   *test_object            (TestResponse *response);
/* Asserts a problem+json answer with status and code. */
void          test_assert_problem    (TestResponse *response,
                                      guint         status,
                                      const char   *code);
char         *test_new_key           (void);

G_END_DECLS
