/* cd-portal-client.c: the app's only way to the portal (HTTP, JSON, session).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-portal"

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "cd-portal-client.h"
#include "cd-portal-client-private.h"
#include "cd-portal-error-private.h"
#include "cd-portal-json.h"
#include "cd-portal-private.h"

#define DEFAULT_TIMEOUT_SECONDS 15
#define MAX_RETRIES 3
/* Far above any contract answer (a page of 1000 devices is ~0.5 MiB). */
#define MAX_RESPONSE_SIZE (32 * 1024 * 1024)
#define READ_CHUNK_SIZE (64 * 1024)
/* To the one portal: the bulk job's four changes, the list and a page. */
#define MAX_CONNECTIONS 6

/* Backoff before retry 1, 2 and 3. */
static const guint retry_delays_ms[MAX_RETRIES] = { 200, 600, 1500 };

struct _CdPortalClient
{
  GObject       parent_instance;

  char         *portal_url;       /* (owned) */
  char         *api_root;         /* (owned) no trailing slash */
  const char   *accept_language;
  SoupSession  *session;          /* (owned) */
  GCancellable *cancellable;      /* (owned) for the client's own work */

  char         *access_token;     /* (owned) (nullable) */
  char         *refresh_token;    /* (owned) (nullable) */
  CdAccount    *account;          /* (owned) (nullable) */

  gboolean      refreshing;
  GPtrArray    *refresh_waiters;  /* (owned) of GTask */

  guint         n_sent;
};

G_DEFINE_FINAL_TYPE (CdPortalClient, cd_portal_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PORTAL_URL,
  PROP_ACCOUNT,
  PROP_SIGNED_IN,
  N_PROPS
};

enum {
  REFRESH_TOKEN_CHANGED,
  SESSION_EXPIRED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* One request of the contract, retried as a whole. */
typedef enum
{
  REQUEST_NEEDS_AUTH     = 1 << 0,
  /* The first request to an address: a non-contract answer is NOT_A_PORTAL. */
  REQUEST_FIRST_CONTACT  = 1 << 1,
  /* The body is {"refresh_token": <current>}, built at each attempt. */
  REQUEST_REVOKE_BODY    = 1 << 2,
  /* Sending it twice can do harm: the portal uses up a refresh token on the
   * first arrival, so a repeat after a lost answer is refused and would end
   * a session that is fine. Repeated only when it cannot have arrived. */
  REQUEST_NOT_REPEATABLE = 1 << 3,
} RequestFlags;

typedef struct _Request Request;

/* Turns a 2xx document into the call's result; @root is NULL for 204. */
typedef gpointer (*RequestReadFunc) (Request   *request,
                                     JsonNode  *root,
                                     GError   **error);

/* The same from the body's bytes, for documents too big for a tree. */
typedef gpointer (*RequestReadDataFunc) (Request     *request,
                                         const char  *data,
                                         gsize        length,
                                         GError     **error);

struct _Request
{
  char            *method;           /* (owned) */
  char            *path;             /* (owned) below the API root */
  char            *query;            /* (owned) (nullable) encoded */
  GBytes          *body;             /* (owned) (nullable) JSON */
  char            *idempotency_key;  /* (owned) (nullable) */
  gint64           if_match;         /* -1 for none */
  RequestFlags     flags;
  RequestReadFunc  read;
  RequestReadDataFunc read_data;     /* (nullable) instead of read */
  GDestroyNotify   free_result;

  guint            n_retries;
  gboolean         refreshed;
  char            *sent_token;       /* (owned) (nullable) */
  gint64           started_us;
  SoupMessage     *message;          /* (owned) (nullable) current attempt */
  GInputStream    *stream;           /* (owned) (nullable) its body */
  GByteArray      *received;         /* (owned) (nullable) body so far */
  GSource         *wait_source;      /* (owned) (nullable) backoff timer */
  GSource         *cancel_source;    /* (owned) (nullable) */

  /* Results beside the returned pointer. */
  gint64           etag_revision;
  char            *next_cursor;      /* (owned) (nullable) */
  guint            total;
};

static void request_send (GTask *task);

static void
request_free (Request *request)
{
  g_clear_pointer (&request->method, g_free);
  g_clear_pointer (&request->path, g_free);
  g_clear_pointer (&request->query, g_free);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_clear_pointer (&request->idempotency_key, g_free);
  g_clear_pointer (&request->sent_token, g_free);
  g_clear_object (&request->message);
  g_clear_object (&request->stream);
  g_clear_pointer (&request->received, g_byte_array_unref);
  if (request->wait_source != NULL)
    g_source_destroy (request->wait_source);
  g_clear_pointer (&request->wait_source, g_source_unref);
  if (request->cancel_source != NULL)
    g_source_destroy (request->cancel_source);
  g_clear_pointer (&request->cancel_source, g_source_unref);
  g_clear_pointer (&request->next_cursor, g_free);
  g_free (request);
}

static Request *
request_new (const char      *method,
             const char      *path,
             RequestFlags     flags,
             RequestReadFunc  read,
             GDestroyNotify   free_result)
{
  Request *request = g_new0 (Request, 1);

  request->method = g_strdup (method);
  request->path = g_strdup (path);
  request->flags = flags;
  request->read = read;
  request->free_result = free_result;
  request->if_match = -1;
  request->etag_revision = -1;

  return request;
}

static void
request_set_json_body (Request    *request,
                       JsonNode   *root)
{
  g_autofree char *text = json_to_string (root, FALSE);
  gsize length = strlen (text);

  request->body = g_bytes_new_take (g_steal_pointer (&text), length);
}

static JsonNode *
new_string_object (const char *first_name,
                  ...)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char *name;
  va_list args;

  json_builder_begin_object (builder);
  va_start (args, first_name);
  for (name = first_name; name != NULL; name = va_arg (args, const char *))
    {
      json_builder_set_member_name (builder, name);
      json_builder_add_string_value (builder, va_arg (args, const char *));
    }
  va_end (args);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* Path segments are opaque ids; keep them one segment each. */
static char *
escape_segment (const char *segment)
{
  return g_uri_escape_string (segment, NULL, FALSE);
}

static void
append_query (GString    *query,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

  if (query->len > 0)
    g_string_append_c (query, '&');
  g_string_append_printf (query, "%s=%s", name, escaped);
}

/* Error classification ------------------------------------------------- */

static gboolean
status_is_retryable (guint status)
{
  return status == SOUP_STATUS_BAD_GATEWAY ||
         status == SOUP_STATUS_SERVICE_UNAVAILABLE ||
         status == SOUP_STATUS_GATEWAY_TIMEOUT;
}

static gboolean
is_tls_error (const GError *error)
{
  return error->domain == G_TLS_ERROR;
}

/* libsoup reports an answer it cannot read as HTTP (bad status line or
 * headers, unknown transfer encoding) in its own domain. The connection
 * worked, so the portal or something in front of it answers wrongly, and
 * asking again will not help. */
static gboolean
is_protocol_error (const GError *error)
{
  return error->domain == SOUP_SESSION_ERROR;
}

static GError *
error_from_transport (Request      *request,
                      const GError *error)
{
  if (is_tls_error (error))
    return g_error_new (CD_PORTAL_ERROR, CD_PORTAL_ERROR_TLS,
                        "Secure connection failed: %s", error->message);

  if (is_protocol_error (error))
    return g_error_new (CD_PORTAL_ERROR,
                        (request->flags & REQUEST_FIRST_CONTACT)
                        ? CD_PORTAL_ERROR_NOT_A_PORTAL
                        : CD_PORTAL_ERROR_UNEXPECTED_RESPONSE,
                        "Unexpected response to %s %s: %s", request->method,
                        request->path, error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (CD_PORTAL_ERROR, CD_PORTAL_ERROR_TIMEOUT,
                        "The portal did not answer in time: %s",
                        error->message);

  return g_error_new (CD_PORTAL_ERROR, CD_PORTAL_ERROR_NETWORK,
                      "Cannot reach the portal: %s", error->message);
}

static int
parse_retry_after (SoupMessageHeaders *headers)
{
  const char *value = soup_message_headers_get_one (headers, "Retry-After");
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) now = NULL;
  guint64 seconds;

  if (value == NULL)
    return -1;

  if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT, &seconds, NULL))
    return (int) seconds;

  if ((when = soup_date_time_new_from_http_string (value)) == NULL)
    return -1;

  now = g_date_time_new_now_utc ();
  return (int) MAX (0, g_date_time_difference (when, now) / G_TIME_SPAN_SECOND);
}

static CdPortalError
code_from_status (guint status)
{
  switch (status)
    {
    case SOUP_STATUS_BAD_REQUEST:
      return CD_PORTAL_ERROR_INVALID_REQUEST;
    case SOUP_STATUS_UNAUTHORIZED:
      return CD_PORTAL_ERROR_UNAUTHORIZED;
    case SOUP_STATUS_FORBIDDEN:
      return CD_PORTAL_ERROR_FORBIDDEN;
    case SOUP_STATUS_NOT_FOUND:
      return CD_PORTAL_ERROR_NOT_FOUND;
    case SOUP_STATUS_PRECONDITION_FAILED:
      return CD_PORTAL_ERROR_PRECONDITION_FAILED;
    case SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE:
      return CD_PORTAL_ERROR_PAYLOAD_TOO_LARGE;
    case 429: /* Too Many Requests; libsoup 3.2 has no name for it */
      return CD_PORTAL_ERROR_RATE_LIMITED;
    default:
      return status >= 500 ? CD_PORTAL_ERROR_SERVER_ERROR
                           : CD_PORTAL_ERROR_UNEXPECTED_RESPONSE;
    }
}

static GError *
error_from_status (Request            *request,
                   guint               status,
                   SoupMessageHeaders *headers,
                   GBytes             *body)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *problem_code = NULL;
  g_autofree char *title = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *fallback = NULL;
  CdPortalError code;
  gboolean is_problem = FALSE;
  gsize length = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &length) : NULL;

  /* Redirects are not followed (SOUP_MESSAGE_NO_REDIRECT): following one
   * would send the request, the access token included, wherever the
   * answer points, plain http:// too. The contract has none. */
  if (SOUP_STATUS_IS_REDIRECTION (status))
    {
      fallback = g_strdup_printf ("The portal answered %u %s to %s %s; "
                                  "redirects are not followed", status,
                                  soup_status_get_phrase (status),
                                  request->method, request->path);
      code = (request->flags & REQUEST_FIRST_CONTACT)
             ? CD_PORTAL_ERROR_NOT_A_PORTAL
             : CD_PORTAL_ERROR_UNEXPECTED_RESPONSE;
      return cd_portal_error_new_problem (code, status, NULL, NULL, -1,
                                          fallback);
    }

  if (data != NULL && length > 0)
    root = cd_portal_json_parse (data, length, NULL);
  if (root != NULL &&
      cd_portal_json_read_problem (root, &problem_code, &title, &detail, NULL))
    is_problem = cd_portal_error_code_from_problem (problem_code, &code);

  if (!is_problem)
    {
      if ((request->flags & REQUEST_FIRST_CONTACT) && status < 500)
        code = CD_PORTAL_ERROR_NOT_A_PORTAL;
      else
        code = code_from_status (status);
      g_clear_pointer (&title, g_free);
      g_clear_pointer (&detail, g_free);
    }

  fallback = g_strdup_printf ("The portal answered %u %s to %s %s", status,
                              soup_status_get_phrase (status),
                              request->method, request->path);

  return cd_portal_error_new_problem (code, status, title, detail,
                                      code == CD_PORTAL_ERROR_RATE_LIMITED
                                      ? parse_retry_after (headers) : -1,
                                      fallback);
}

static gint64
parse_etag_revision (SoupMessageHeaders *headers)
{
  const char *etag = soup_message_headers_get_one (headers, "ETag");
  g_autofree char *digits = NULL;
  guint64 revision;
  gsize length;

  if (etag == NULL)
    return -1;
  if (g_str_has_prefix (etag, "W/"))
    etag += 2;

  length = strlen (etag);
  if (length < 3 || etag[0] != '"' || etag[length - 1] != '"')
    return -1;

  digits = g_strndup (etag + 1, length - 2);
  if (!g_ascii_string_to_unsigned (digits, 10, 0, G_MAXINT64, &revision, NULL))
    return -1;

  return (gint64) revision;
}

/* Sending ------------------------------------------------------------- */

static void request_refresh_then_resend (GTask *task);

static gboolean
on_backoff_cancelled (GCancellable *cancellable,
                      gpointer      user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);

  g_source_destroy (request->wait_source);
  g_clear_pointer (&request->wait_source, g_source_unref);
  g_clear_pointer (&request->cancel_source, g_source_unref);
  g_task_return_error_if_cancelled (task);

  return G_SOURCE_REMOVE;
}

static gboolean
on_backoff_done (gpointer user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);

  g_clear_pointer (&request->wait_source, g_source_unref);
  if (request->cancel_source != NULL)
    g_source_destroy (request->cancel_source);
  g_clear_pointer (&request->cancel_source, g_source_unref);
  request_send (task);

  return G_SOURCE_REMOVE;
}

/* Retries after the backoff, or returns @error when the retries are used
 * up or when a request that must not be repeated @may_have_arrived. Takes
 * @error. */
static void
request_retry_or_fail (GTask    *task,
                       GError   *error,
                       gboolean  may_have_arrived)
{
  Request *request = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (request->n_retries >= MAX_RETRIES ||
      (may_have_arrived && (request->flags & REQUEST_NOT_REPEATABLE)))
    {
      g_task_return_error (task, error);
      return;
    }

  g_error_free (error);

  request->wait_source = g_timeout_source_new (retry_delays_ms[request->n_retries]);
  request->n_retries++;
  g_source_set_callback (request->wait_source, on_backoff_done,
                         g_object_ref (task), g_object_unref);
  g_source_attach (request->wait_source, g_task_get_context (task));

  if (cancellable != NULL)
    {
      request->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (request->cancel_source,
                             G_SOURCE_FUNC (on_backoff_cancelled),
                             g_object_ref (task), g_object_unref);
      g_source_attach (request->cancel_source, g_task_get_context (task));
    }
}

/* Whether the call has a result to read (and to free), or only succeeds. */
static gboolean
request_has_result (Request *request)
{
  return request->read != NULL || request->read_data != NULL;
}

/* Turns a 2xx body into the call's result. */
static gpointer
read_body (Request  *request,
           GBytes   *body,
           guint     status,
           GError  **error)
{
  g_autoptr(JsonNode) root = NULL;
  gsize length = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &length) : NULL;
  gpointer result;

  if (request->read_data != NULL &&
      (status != SOUP_STATUS_NO_CONTENT || length > 0))
    {
      result = request->read_data (request, data, length, error);
      g_assert (result != NULL || error == NULL || *error != NULL);
      return result;
    }

  if (status != SOUP_STATUS_NO_CONTENT || length > 0)
    {
      if ((root = cd_portal_json_parse (data, length, error)) == NULL)
        return NULL;
    }

  if (!request_has_result (request))
    return GINT_TO_POINTER (TRUE);

  if (root == NULL)
    {
      g_set_error_literal (error, CD_PORTAL_ERROR,
                           CD_PORTAL_ERROR_UNEXPECTED_RESPONSE,
                           "Unexpected response: no content");
      return NULL;
    }

  result = request->read (request, root, error);
  g_assert (result != NULL || error == NULL || *error != NULL);

  return result;
}

static void
request_handle_success (GTask              *task,
                        guint               status,
                        SoupMessageHeaders *headers,
                        GBytes             *body)
{
  Request *request = g_task_get_task_data (task);
  GError *error = NULL;
  gpointer result;

  request->etag_revision = parse_etag_revision (headers);

  result = read_body (request, body, status, &error);
  if (result == NULL)
    {
      if (request->flags & REQUEST_FIRST_CONTACT)
        error->code = CD_PORTAL_ERROR_NOT_A_PORTAL;
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, result,
                         request_has_result (request) ? request->free_result
                                                      : NULL);
}

/* Whether libsoup began to send @message. Before that (no name, connection
 * refused, connect timeout) the portal cannot have seen it; from then on it
 * may have acted on it even when no answer came back. */
static gboolean
message_may_have_arrived (SoupMessage *message)
{
  SoupMessageMetrics *metrics = soup_message_get_metrics (message);

  return metrics == NULL ||
         soup_message_metrics_get_request_start (metrics) != 0;
}

static void
request_fail_transport (GTask  *task,
                        GError *error)
{
  Request *request = g_task_get_task_data (task);
  gint64 elapsed_ms = (g_get_monotonic_time () - request->started_us) / 1000;
  gboolean may_have_arrived;

  g_assert (request->message != NULL);

  may_have_arrived = message_may_have_arrived (request->message);
  g_debug ("%s %s failed after %" G_GINT64_FORMAT " ms: %s",
           request->method, request->path, elapsed_ms, error->message);

  g_clear_object (&request->message);
  g_clear_object (&request->stream);
  g_clear_pointer (&request->received, g_byte_array_unref);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, g_error_copy (error));
  else if (is_tls_error (error) || is_protocol_error (error))
    g_task_return_error (task, error_from_transport (request, error));
  else
    request_retry_or_fail (task, error_from_transport (request, error),
                           may_have_arrived);
}

static void
request_handle_response (GTask *task)
{
  CdPortalClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(SoupMessage) message = g_steal_pointer (&request->message);
  g_autoptr(GBytes) body = NULL;
  SoupMessageHeaders *headers;
  gint64 elapsed_ms;
  guint status;

  g_clear_object (&request->stream);
  body = g_byte_array_free_to_bytes (g_steal_pointer (&request->received));
  elapsed_ms = (g_get_monotonic_time () - request->started_us) / 1000;

  status = soup_message_get_status (message);
  headers = soup_message_get_response_headers (message);

  /* libsoup hands over a body cut short by a closed connection as if it
   * were complete; the announced length tells. (Compression is not asked
   * for, so the length is that of the body as received.) */
  if (soup_message_headers_get_encoding (headers) ==
        SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_one (headers, "Content-Encoding") == NULL &&
      soup_message_headers_get_content_length (headers) !=
        (goffset) (body != NULL ? g_bytes_get_size (body) : 0))
    {
      g_autoptr(GError) partial =
        g_error_new_literal (G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                             "The answer was cut short");

      g_debug ("%s %s %u %" G_GINT64_FORMAT " ms: body cut short",
               request->method, request->path, status, elapsed_ms);
      request_retry_or_fail (task, error_from_transport (request, partial),
                             TRUE);
      return;
    }

  g_debug ("%s %s %u %" G_GINT64_FORMAT " ms", request->method, request->path,
           status, elapsed_ms);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (status >= 200 && status < 300)
    {
      request_handle_success (task, status, headers, body);
      return;
    }

  /* A gateway may answer so after the portal acted on the request. */
  if (status_is_retryable (status))
    {
      request_retry_or_fail (task, error_from_status (request, status,
                                                      headers, body),
                             TRUE);
      return;
    }

  if (status == SOUP_STATUS_UNAUTHORIZED &&
      (request->flags & REQUEST_NEEDS_AUTH) && !request->refreshed)
    {
      request->refreshed = TRUE;

      /* Another request may have refreshed while this one was on its way. */
      if (self->access_token != NULL &&
          g_strcmp0 (self->access_token, request->sent_token) != 0)
        request_send (task);
      else
        request_refresh_then_resend (task);
      return;
    }

  g_task_return_error (task, error_from_status (request, status, headers,
                                                body));
}


static void
on_response_chunk (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GBytes) chunk = NULL;
  g_autoptr(GError) error = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                            &error);
  if (chunk == NULL)
    {
      request_fail_transport (task, error);
      return;
    }

  if (g_bytes_get_size (chunk) == 0)
    {
      request_handle_response (task);
      return;
    }

  if (request->received->len + g_bytes_get_size (chunk) > MAX_RESPONSE_SIZE)
    {
      g_debug ("%s %s %u %" G_GINT64_FORMAT " ms: body over %u MiB",
               request->method, request->path,
               soup_message_get_status (request->message),
               (g_get_monotonic_time () - request->started_us) / 1000,
               MAX_RESPONSE_SIZE / (1024 * 1024));
      g_clear_object (&request->message);
      g_clear_object (&request->stream);
      g_clear_pointer (&request->received, g_byte_array_unref);
      g_task_return_new_error (task, CD_PORTAL_ERROR,
                               CD_PORTAL_ERROR_UNEXPECTED_RESPONSE,
                               "Unexpected response: larger than %u MiB",
                               MAX_RESPONSE_SIZE / (1024 * 1024));
      return;
    }

  g_byte_array_append (request->received, g_bytes_get_data (chunk, NULL),
                       g_bytes_get_size (chunk));
  g_input_stream_read_bytes_async (request->stream, READ_CHUNK_SIZE,
                                   G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task),
                                   on_response_chunk, g_object_ref (task));
}

/* Reads the body in chunks, so an endless answer cannot exhaust memory. */
static void
on_request_sent (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  request->stream = soup_session_send_finish (SOUP_SESSION (source), result,
                                              &error);
  if (request->stream == NULL)
    {
      request_fail_transport (task, error);
      return;
    }

  request->received = g_byte_array_new ();
  g_input_stream_read_bytes_async (request->stream, READ_CHUNK_SIZE,
                                   G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task),
                                   on_response_chunk, g_object_ref (task));
}

static void
request_send (GTask *task)
{
  CdPortalClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autofree char *uri = NULL;
  SoupMessageHeaders *headers;

  if (g_task_return_error_if_cancelled (task))
    return;

  if ((request->flags & REQUEST_NEEDS_AUTH) && self->access_token == NULL)
    {
      g_task_return_new_error (task, CD_PORTAL_ERROR,
                               CD_PORTAL_ERROR_NOT_SIGNED_IN,
                               "Not signed in to the portal");
      return;
    }

  uri = g_strconcat (self->api_root, request->path,
                     request->query != NULL ? "?" : NULL, request->query,
                     NULL);
  request->message = soup_message_new (request->method, uri);
  if (request->message == NULL)
    {
      g_task_return_new_error (task, CD_PORTAL_ERROR,
                               CD_PORTAL_ERROR_INVALID_URL,
                               "Cannot build a request for %s",
                               request->path);
      return;
    }

  soup_message_add_flags (request->message,
                          SOUP_MESSAGE_NO_REDIRECT |
                          SOUP_MESSAGE_COLLECT_METRICS);

  headers = soup_message_get_request_headers (request->message);
  soup_message_headers_replace (headers, "Accept",
                                "application/json, application/problem+json");
  soup_message_headers_replace (headers, "Accept-Language",
                                self->accept_language);

  g_clear_pointer (&request->sent_token, g_free);
  if (request->flags & REQUEST_NEEDS_AUTH)
    {
      g_autofree char *authorization =
        g_strconcat ("Bearer ", self->access_token, NULL);

      request->sent_token = g_strdup (self->access_token);
      soup_message_headers_replace (headers, "Authorization", authorization);
    }

  if (request->idempotency_key != NULL)
    soup_message_headers_replace (headers, "Idempotency-Key",
                                  request->idempotency_key);

  if (request->if_match >= 0)
    {
      g_autofree char *if_match =
        g_strdup_printf ("\"%" G_GINT64_FORMAT "\"", request->if_match);

      soup_message_headers_replace (headers, "If-Match", if_match);
    }

  if (request->flags & REQUEST_REVOKE_BODY)
    {
      g_autoptr(JsonNode) root =
        new_string_object ("refresh_token", self->refresh_token, NULL);

      g_clear_pointer (&request->body, g_bytes_unref);
      request_set_json_body (request, root);
    }

  if (request->body != NULL)
    soup_message_set_request_body_from_bytes (request->message,
                                              "application/json",
                                              request->body);

  self->n_sent++;
  request->started_us = g_get_monotonic_time ();
  soup_session_send_async (self->session, request->message,
                           G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                           on_request_sent, g_object_ref (task));
}

/* Starts @request (taken) as a GTask with @source_tag. */
static void
request_run (CdPortalClient      *self,
             Request             *request,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);
  request_send (task);
}

static gpointer
request_finish (CdPortalClient  *self,
                GAsyncResult    *result,
                gpointer         source_tag,
                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static Request *
request_from_result (GAsyncResult *result)
{
  return g_task_get_task_data (G_TASK (result));
}

/* Tokens -------------------------------------------------------------- */

typedef struct
{
  char *access_token;   /* (owned) */
  char *refresh_token;  /* (owned) */
} Tokens;

static void
tokens_free (Tokens *tokens)
{
  g_clear_pointer (&tokens->access_token, g_free);
  g_clear_pointer (&tokens->refresh_token, g_free);
  g_free (tokens);
}

static gpointer
read_tokens (Request   *request,
             JsonNode  *root,
             GError   **error)
{
  Tokens *tokens = g_new0 (Tokens, 1);
  gint64 expires_in;

  if (!cd_portal_json_read_token (root, &tokens->access_token,
                                  &tokens->refresh_token, &expires_in, error))
    {
      tokens_free (tokens);
      return NULL;
    }

  return tokens;
}

static Request *
token_request_new (const char *first_name,
                   ...)
{
  Request *request = request_new ("POST", "/auth/token",
                                   REQUEST_NOT_REPEATABLE, read_tokens,
                                   (GDestroyNotify) tokens_free);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  const char *name;
  va_list args;

  json_builder_begin_object (builder);
  va_start (args, first_name);
  for (name = first_name; name != NULL; name = va_arg (args, const char *))
    {
      json_builder_set_member_name (builder, name);
      json_builder_add_string_value (builder, va_arg (args, const char *));
    }
  va_end (args);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  request_set_json_body (request, root);
  return request;
}

static void
set_account (CdPortalClient *self,
             CdAccount      *account)
{
  gboolean was_signed_in = cd_portal_client_get_signed_in (self);

  if (g_set_object (&self->account, account))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT]);
  if (was_signed_in != cd_portal_client_get_signed_in (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
}

static void
set_tokens (CdPortalClient *self,
            const char     *access_token,
            const char     *refresh_token)
{
  g_free (self->access_token);
  self->access_token = g_strdup (access_token);

  if (g_strcmp0 (self->refresh_token, refresh_token) != 0)
    {
      g_free (self->refresh_token);
      self->refresh_token = g_strdup (refresh_token);
      g_signal_emit (self, signals[REFRESH_TOKEN_CHANGED], 0);
    }
}

static void
forget_session (CdPortalClient *self)
{
  set_tokens (self, NULL, NULL);
  set_account (self, NULL);
}

static void
on_refresh_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CdPortalClient) self = CD_PORTAL_CLIENT (source);
  g_autoptr(GPtrArray) waiters = NULL;
  g_autoptr(GError) error = NULL;
  Tokens *tokens;

  tokens = request_finish (self, result, on_refresh_done, &error);
  self->refreshing = FALSE;
  waiters = g_steal_pointer (&self->refresh_waiters);
  self->refresh_waiters = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < waiters->len; i++)
    {
      Request *waiting = g_task_get_task_data (g_ptr_array_index (waiters, i));

      if (waiting->cancel_source != NULL)
        g_source_destroy (waiting->cancel_source);
      g_clear_pointer (&waiting->cancel_source, g_source_unref);
    }

  if (tokens != NULL)
    {
      set_tokens (self, tokens->access_token, tokens->refresh_token);
      tokens_free (tokens);
      for (guint i = 0; i < waiters->len; i++)
        request_send (g_ptr_array_index (waiters, i));
      return;
    }

  /* Only the portal's own refusal ends the session. After a lost answer
   * the token may or may not be used up; keeping the session lets the user
   * try again, and if it was used up, that try gets the refusal. */
  if (g_error_matches (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_INVALID_GRANT) ||
      g_error_matches (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_UNAUTHORIZED))
    {
      g_clear_error (&error);
      g_set_error_literal (&error, CD_PORTAL_ERROR,
                           CD_PORTAL_ERROR_SESSION_EXPIRED,
                           "The session has expired; sign in again");
      if (self->refresh_token != NULL)
        {
          forget_session (self);
          g_signal_emit (self, signals[SESSION_EXPIRED], 0);
        }
    }

  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *waiter = g_ptr_array_index (waiters, i);

      if (!g_task_return_error_if_cancelled (waiter))
        g_task_return_error (waiter, g_error_copy (error));
    }
}

/* A request waiting for the shared refresh is cancelled: it returns now,
 * the refresh goes on for the others (and rotates the token anyway). */
static gboolean
on_refresh_wait_cancelled (GCancellable *cancellable,
                           gpointer      user_data)
{
  GTask *task = user_data;
  CdPortalClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);

  g_clear_pointer (&request->cancel_source, g_source_unref);
  g_task_return_error_if_cancelled (task);
  g_ptr_array_remove (self->refresh_waiters, task);

  return G_SOURCE_REMOVE;
}

/* One refresh for all requests that got a 401 meanwhile. */
static void
request_refresh_then_resend (GTask *task)
{
  CdPortalClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  Request *refresh;

  g_assert (request->cancel_source == NULL);

  if (self->refresh_token == NULL)
    {
      g_task_return_new_error (task, CD_PORTAL_ERROR,
                               CD_PORTAL_ERROR_SESSION_EXPIRED,
                               "The session has expired; sign in again");
      return;
    }

  g_ptr_array_add (self->refresh_waiters, g_object_ref (task));
  if (cancellable != NULL)
    {
      request->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (request->cancel_source,
                             G_SOURCE_FUNC (on_refresh_wait_cancelled),
                             g_object_ref (task), g_object_unref);
      g_source_attach (request->cancel_source, g_task_get_context (task));
    }

  if (self->refreshing)
    return;

  self->refreshing = TRUE;
  refresh = token_request_new ("grant_type", "refresh_token",
                               "refresh_token", self->refresh_token, NULL);
  request_run (self, refresh, on_refresh_done, self->cancellable,
               on_refresh_done, g_object_ref (self));
}

/* GObject ------------------------------------------------------------- */

static void
cd_portal_client_dispose (GObject *object)
{
  CdPortalClient *self = CD_PORTAL_CLIENT (object);

  g_cancellable_cancel (self->cancellable);
  if (self->session != NULL)
    soup_session_abort (self->session);

  G_OBJECT_CLASS (cd_portal_client_parent_class)->dispose (object);
}

static void
cd_portal_client_finalize (GObject *object)
{
  CdPortalClient *self = CD_PORTAL_CLIENT (object);

  g_clear_pointer (&self->portal_url, g_free);
  g_clear_pointer (&self->api_root, g_free);
  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->access_token, g_free);
  g_clear_pointer (&self->refresh_token, g_free);
  g_clear_object (&self->account);
  g_clear_pointer (&self->refresh_waiters, g_ptr_array_unref);

  G_OBJECT_CLASS (cd_portal_client_parent_class)->finalize (object);
}

static void
cd_portal_client_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CdPortalClient *self = CD_PORTAL_CLIENT (object);

  switch (prop_id)
    {
    case PROP_PORTAL_URL:
      g_value_set_string (value, self->portal_url);
      break;
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    case PROP_SIGNED_IN:
      g_value_set_boolean (value, cd_portal_client_get_signed_in (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_portal_client_class_init (CdPortalClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                      G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = cd_portal_client_dispose;
  object_class->finalize = cd_portal_client_finalize;
  object_class->get_property = cd_portal_client_get_property;

  properties[PROP_PORTAL_URL] =
    g_param_spec_string ("portal-url", NULL, NULL, NULL, flags);
  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL, CD_TYPE_ACCOUNT, flags);
  properties[PROP_SIGNED_IN] =
    g_param_spec_boolean ("signed-in", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[REFRESH_TOKEN_CHANGED] =
    g_signal_new ("refresh-token-changed", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SESSION_EXPIRED] =
    g_signal_new ("session-expired", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

/**
 * cd_portal_client_pick_language:
 * @language_names: as g_get_language_names() returns them, most preferred
 *   first (e.g. "de_DE.UTF-8", "de_DE", "de", "C")
 *
 * The portal speaks German and English. The first of the user's languages
 * that is one of them wins, so "fr:de" gets German; "C" and a list of
 * only other languages get English, the language of the app's own texts.
 *
 * Returns: "de" or "en".
 */
const char *
cd_portal_client_pick_language (const char * const *language_names)
{
  g_return_val_if_fail (language_names != NULL, "en");

  for (guint i = 0; language_names[i] != NULL; i++)
    {
      const char *name = language_names[i];
      gsize length = strcspn (name, "_.@");

      if (length == 2 && g_ascii_strncasecmp (name, "de", 2) == 0)
        return "de";
      if ((length == 2 && g_ascii_strncasecmp (name, "en", 2) == 0) ||
          g_str_equal (name, "C") || g_str_equal (name, "POSIX"))
        return "en";
    }

  return "en";
}

static void
cd_portal_client_init (CdPortalClient *self)
{
  self->accept_language =
    cd_portal_client_pick_language (g_get_language_names ());
  self->cancellable = g_cancellable_new ();
  self->refresh_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  /* libsoup's default of two connections to a host would have the list,
   * a device page and a bulk change (four at a time) wait for each
   * other. */
  self->session = soup_session_new_with_options ("timeout",
                                                 DEFAULT_TIMEOUT_SECONDS,
                                                 "max-conns-per-host",
                                                 MAX_CONNECTIONS,
                                                 "max-conns",
                                                 MAX_CONNECTIONS,
                                                 "user-agent",
                                                 "coredinate-admin/"
                                                 PACKAGE_VERSION " ",
                                                 NULL);
  soup_session_remove_feature_by_type (self->session,
                                       SOUP_TYPE_CONTENT_DECODER);
}

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/**
 * cd_portal_client_new:
 * @portal_url: what the user typed, e.g. `https://portal.example.com`
 *
 * Checks the address without sending anything: it must be `https://`, or
 * `http://` to a loopback host (127.0.0.0/8, ::1, localhost).
 *
 * Returns: (transfer full): a client, or NULL with
 * CD_PORTAL_ERROR_INVALID_URL or CD_PORTAL_ERROR_INSECURE_URL.
 */
CdPortalClient *
cd_portal_client_new (const char  *portal_url,
                      GError     **error)
{
  g_autoptr(CdPortalClient) self = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *trimmed = NULL;
  g_autoptr(GUri) root = NULL;
  g_autofree char *path = NULL;
  g_autofree char *root_text = NULL;
  g_autofree char *scheme_lower = NULL;
  const char *scheme, *host;

  g_return_val_if_fail (portal_url != NULL, NULL);

  trimmed = g_strstrip (g_strdup (portal_url));
  uri = g_uri_parse (trimmed, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  host = uri != NULL ? g_uri_get_host (uri) : NULL;

  /* A refused address is not echoed: it may hold a password (user:pw@),
   * and the message may end up in a log. */
  if (uri == NULL || host == NULL || *host == '\0' ||
      g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL ||
      g_uri_get_fragment (uri) != NULL ||
      (g_ascii_strcasecmp (scheme, "https") != 0 &&
       g_ascii_strcasecmp (scheme, "http") != 0))
    {
      g_set_error_literal (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_INVALID_URL,
                           "Not a portal address: an https:// URL is needed");
      return NULL;
    }

  scheme_lower = g_ascii_strdown (scheme, -1);
  if (g_str_equal (scheme_lower, "http") && !host_is_loopback (host))
    {
      g_set_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_INSECURE_URL,
                   "“%s” is not encrypted; the portal needs https://",
                   trimmed);
      return NULL;
    }

  self = g_object_new (CD_TYPE_PORTAL_CLIENT, NULL);
  self->portal_url = g_strdup (trimmed);

  path = g_strdup (g_uri_get_path (uri));
  while (g_str_has_suffix (path, "/"))
    path[strlen (path) - 1] = '\0';
  root = g_uri_build (G_URI_FLAGS_NONE, scheme_lower, NULL, host,
                      g_uri_get_port (uri), path, NULL, NULL);
  root_text = g_uri_to_string (root);
  self->api_root = g_strconcat (root_text, "/api/v1", NULL);

  return g_steal_pointer (&self);
}

const char *
cd_portal_client_get_portal_url (CdPortalClient *self)
{
  g_return_val_if_fail (CD_IS_PORTAL_CLIENT (self), NULL);

  return self->portal_url;
}

/**
 * cd_portal_client_get_account:
 *
 * Returns: (transfer none) (nullable): the signed-in account.
 */
CdAccount *
cd_portal_client_get_account (CdPortalClient *self)
{
  g_return_val_if_fail (CD_IS_PORTAL_CLIENT (self), NULL);

  return self->account;
}

gboolean
cd_portal_client_get_signed_in (CdPortalClient *self)
{
  g_return_val_if_fail (CD_IS_PORTAL_CLIENT (self), FALSE);

  return self->account != NULL;
}

/**
 * cd_portal_client_get_refresh_token:
 *
 * Returns: (nullable): the current refresh token, to store in the keyring
 * only. NULL when not signed in.
 */
const char *
cd_portal_client_get_refresh_token (CdPortalClient *self)
{
  g_return_val_if_fail (CD_IS_PORTAL_CLIENT (self), NULL);

  return self->refresh_token;
}

char *
cd_portal_client_new_idempotency_key (void)
{
  return g_uuid_string_random ();
}

void
cd_portal_client_set_timeout_for_testing (CdPortalClient *self,
                                          guint           seconds)
{
  g_return_if_fail (CD_IS_PORTAL_CLIENT (self));

  g_object_set (self->session, "timeout", seconds, NULL);
}

void
cd_portal_client_set_access_token_for_testing (CdPortalClient *self,
                                               const char     *access_token)
{
  g_return_if_fail (CD_IS_PORTAL_CLIENT (self));

  g_free (self->access_token);
  self->access_token = g_strdup (access_token);
}

const char *
cd_portal_client_get_access_token_for_testing (CdPortalClient *self)
{
  g_return_val_if_fail (CD_IS_PORTAL_CLIENT (self), NULL);

  return self->access_token;
}

guint
cd_portal_client_get_n_sent_for_testing (CdPortalClient *self)
{
  g_return_val_if_fail (CD_IS_PORTAL_CLIENT (self), 0);

  return self->n_sent;
}

/* Sign-in and resume -------------------------------------------------- */

static gpointer
read_account (Request   *request,
              JsonNode  *root,
              GError   **error)
{
  return cd_portal_json_read_account (root, error);
}

static Request *
me_request_new (void)
{
  return request_new ("GET", "/me", REQUEST_NEEDS_AUTH, read_account,
                      g_object_unref);
}

static void
on_session_me (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  CdPortalClient *self = CD_PORTAL_CLIENT (source);
  g_autoptr(GTask) task = user_data;
  g_autoptr(CdAccount) account = NULL;
  GError *error = NULL;

  account = request_finish (self, result, on_session_me, &error);
  if (account == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  set_account (self, account);
  g_task_return_pointer (task, g_steal_pointer (&account), g_object_unref);
}

static void
on_session_tokens (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CdPortalClient *self = CD_PORTAL_CLIENT (source);
  g_autoptr(GTask) task = user_data;
  GCancellable *cancellable;
  Tokens *tokens;
  GError *error = NULL;

  tokens = request_finish (self, result, on_session_tokens, &error);
  if (tokens == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  set_tokens (self, tokens->access_token, tokens->refresh_token);
  tokens_free (tokens);

  cancellable = g_task_get_cancellable (task);
  request_run (self, me_request_new (), on_session_me, cancellable,
               on_session_me, g_steal_pointer (&task));
}

static void
start_session (CdPortalClient      *self,
               Request             *token_request,
               gpointer             source_tag,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  token_request->flags |= REQUEST_FIRST_CONTACT;
  request_run (self, token_request, on_session_tokens, cancellable,
               on_session_tokens, g_steal_pointer (&task));
}

void
cd_portal_client_sign_in_async (CdPortalClient      *self,
                                const char          *username,
                                const char          *password,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (CD_IS_PORTAL_CLIENT (self));
  g_return_if_fail (username != NULL);
  g_return_if_fail (password != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  start_session (self,
                 token_request_new ("grant_type", "password",
                                    "username", username,
                                    "password", password, NULL),
                 cd_portal_client_sign_in_async, cancellable, callback,
                 user_data);
}

/**
 * cd_portal_client_sign_in_finish:
 *
 * Returns: (transfer full): the account, or NULL with @error set.
 */
CdAccount *
cd_portal_client_sign_in_finish (CdPortalClient  *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  return request_finish (self, result, cd_portal_client_sign_in_async, error);
}

void
cd_portal_client_resume_async (CdPortalClient      *self,
                               const char          *refresh_token,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (CD_IS_PORTAL_CLIENT (self));
  g_return_if_fail (refresh_token != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  start_session (self,
                 token_request_new ("grant_type", "refresh_token",
                                    "refresh_token", refresh_token, NULL),
                 cd_portal_client_resume_async, cancellable, callback,
                 user_data);
}

/**
 * cd_portal_client_resume_finish:
 *
 * Returns: (transfer full): the account, or NULL with @error set.
 */
CdAccount *
cd_portal_client_resume_finish (CdPortalClient  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  return request_finish (self, result, cd_portal_client_resume_async, error);
}

static void
on_sign_out_revoked (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  CdPortalClient *self = CD_PORTAL_CLIENT (source);
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  forget_session (self);
  if (request_finish (self, result, on_sign_out_revoked, &error) == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, GINT_TO_POINTER (TRUE), NULL);
}

void
cd_portal_client_sign_out_async (CdPortalClient      *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CD_IS_PORTAL_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cd_portal_client_sign_out_async);

  if (self->refresh_token == NULL || self->access_token == NULL)
    {
      forget_session (self);
      g_task_return_pointer (task, GINT_TO_POINTER (TRUE), NULL);
      return;
    }

  request_run (self,
               request_new ("POST", "/auth/revoke",
                            REQUEST_NEEDS_AUTH | REQUEST_REVOKE_BODY |
                            REQUEST_NOT_REPEATABLE,
                            NULL, NULL),
               on_sign_out_revoked, cancellable, on_sign_out_revoked,
               g_steal_pointer (&task));
}

gboolean
cd_portal_client_sign_out_finish (CdPortalClient  *self,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  return request_finish (self, result, cd_portal_client_sign_out_async,
                         error) != NULL;
}

/* Reading ------------------------------------------------------------- */

void
cd_portal_client_get_me_async (CdPortalClient      *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (CD_IS_PORTAL_CLIENT (self));

  request_run (self, me_request_new (), cd_portal_client_get_me_async,
               cancellable, callback, user_data);
}

/**
 * cd_portal_client_get_me_finish:
 *
 * Returns: (transfer full): the account, or NULL with @error set.
 */
CdAccount *
cd_portal_client_get_me_finish (CdPortalClient  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  return request_finish (self, result, cd_portal_client_get_me_async, error);
}

static gpointer
read_license_types (Request   *request,
                    JsonNode  *root,
                    GError   **error)
{
  return cd_portal_json_read_license_types (root, error);
}

void
cd_portal_client_list_license_types_async (CdPortalClient      *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_return_if_fail (CD_IS_PORTAL_CLIENT (self));

  request_run (self,
               request_new ("GET", "/license-types", REQUEST_NEEDS_AUTH,
                            read_license_types, g_object_unref),
               cd_portal_client_list_license_types_async, cancellable,
               callback, user_data);
}

/**
 * cd_portal_client_list_license_types_finish:
 *
 * Returns: (transfer full): a GListModel of CdLicenseType.
 */
GListModel *
cd_portal_client_list_license_types_finish (CdPortalClient  *self,
                                            GAsyncResult    *result,
                                            GError         **error)
{
  return request_finish (self, result,
                         cd_portal_client_list_license_types_async, error);
}

static gpointer
read_modules (Request   *request,
              JsonNode  *root,
              GError   **error)
{
  return cd_portal_json_read_modules (root, error);
}

void
cd_portal_client_list_modules_async (CdPortalClient      *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (CD_IS_PORTAL_CLIENT (self));

  request_run (self,
               request_new ("GET", "/modules", REQUEST_NEEDS_AUTH,
                            read_modules, g_object_unref),
               cd_portal_client_list_modules_async, cancellable, callback,
               user_data);
}

/**
 * cd_portal_client_list_modules_finish:
 *
 * Returns: (transfer full): a GListModel of CdModule.
 */
GListModel *
cd_portal_client_list_modules_finish (CdPortalClient  *self,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  return request_finish (self, result, cd_portal_client_list_modules_async,
                         error);
}

/* Straight from the bytes: json-glib's tree of a thousand devices cost
 * three times as much as reading them. */
static gpointer
read_device_page (Request     *request,
                  const char  *data,
                  gsize        length,
                  GError     **error)
{
  return cd_portal_json_pull_device_page (data, length,
                                          &request->next_cursor,
                                          &request->total, error);
}

void
cd_portal_client_list_devices_async (CdPortalClient      *self,
                                     const char          *query,
                                     const char          *license,
                                     const char          *cursor,
                                     guint                limit,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GString) query_string = g_string_new (NULL);
  Request *request;

  g_return_if_fail (CD_IS_PORTAL_CLIENT (self));
  g_return_if_fail (limit <= 1000);

  if (limit > 0)
    {
      g_autofree char *text = g_strdup_printf ("%u", limit);

      append_query (query_string, "limit", text);
    }
  if (cursor != NULL)
    append_query (query_string, "cursor", cursor);
  if (query != NULL && *query != '\0')
    append_query (query_string, "q", query);
  if (license != NULL)
    append_query (query_string, "license", license);

  request = request_new ("GET", "/devices", REQUEST_NEEDS_AUTH, NULL,
                         g_object_unref);
  request->read_data = read_device_page;
  if (query_string->len > 0)
    request->query = g_string_free (g_steal_pointer (&query_string), FALSE);

  request_run (self, request, cd_portal_client_list_devices_async,
               cancellable, callback, user_data);
}

/**
 * cd_portal_client_list_devices_finish:
 * @next_cursor: (out) (optional) (nullable): the cursor of the next page
 * @total: (out) (optional): all matches
 *
 * Returns: (transfer full): a GListModel of CdDevice.
 */
GListModel *
cd_portal_client_list_devices_finish (CdPortalClient  *self,
                                      GAsyncResult    *result,
                                      char           **next_cursor,
                                      guint           *total,
                                      GError         **error)
{
  GListModel *devices;
  Request *request;

  devices = request_finish (self, result, cd_portal_client_list_devices_async,
                            error);
  if (devices == NULL)
    return NULL;

  request = request_from_result (result);
  if (next_cursor != NULL)
    *next_cursor = g_strdup (request->next_cursor);
  if (total != NULL)
    *total = request->total;

  return devices;
}

static gpointer
read_device_detail (Request   *request,
                    JsonNode  *root,
                    GError   **error)
{
  return cd_portal_json_read_device_detail (root, error);
}

void
cd_portal_client_get_device_async (CdPortalClient      *self,
                                   const char          *device_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (CD_IS_PORTAL_CLIENT (self));
  g_return_if_fail (device_id != NULL);

  id = escape_segment (device_id);
  path = g_strconcat ("/devices/", id, NULL);
  request_run (self,
               request_new ("GET", path, REQUEST_NEEDS_AUTH,
                            read_device_detail, g_object_unref),
               cd_portal_client_get_device_async, cancellable, callback,
               user_data);
}

/**
 * cd_portal_client_get_device_finish:
 *
 * Returns: (transfer full): the device with its detail.
 */
CdDevice *
cd_portal_client_get_device_finish (CdPortalClient  *self,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  return request_finish (self, result, cd_portal_client_get_device_async,
                         error);
}

static gpointer
read_events (Request   *request,
             JsonNode  *root,
             GError   **error)
{
  return cd_portal_json_read_events (root, error);
}

void
cd_portal_client_list_events_async (CdPortalClient      *self,
                                    const char          *device_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (CD_IS_PORTAL_CLIENT (self));
  g_return_if_fail (device_id != NULL);

  id = escape_segment (device_id);
  path = g_strconcat ("/devices/", id, "/events", NULL);
  request_run (self,
               request_new ("GET", path, REQUEST_NEEDS_AUTH, read_events,
                            g_object_unref),
               cd_portal_client_list_events_async, cancellable, callback,
               user_data);
}

/**
 * cd_portal_client_list_events_finish:
 *
 * Returns: (transfer full): a GListModel of CdEvent.
 */
GListModel *
cd_portal_client_list_events_finish (CdPortalClient  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  return request_finish (self, result, cd_portal_client_list_events_async,
                         error);
}

/* Changes ------------------------------------------------------------- */

static gpointer
read_booking (Request   *request,
              JsonNode  *root,
              GError   **error)
{
  return cd_portal_json_read_booking (root, error);
}

static void
run_change (CdPortalClient      *self,
            const char          *path,
            JsonNode            *body,
            gint64               if_match_revision,
            const char          *idempotency_key,
            gpointer             source_tag,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  Request *request = request_new ("POST", path, REQUEST_NEEDS_AUTH,
                                  read_booking, g_object_unref);

  if (body != NULL)
    request_set_json_body (request, body);
  request->if_match = if_match_revision;
  request->idempotency_key = g_strdup (idempotency_key);

  request_run (self, request, source_tag, cancellable, callback, user_data);
}

static CdBooking *
finish_change (CdPortalClient  *self,
               GAsyncResult    *result,
               gpointer         source_tag,
               gint64          *new_revision,
               GError         **error)
{
  CdBooking *booking = request_finish (self, result, source_tag, error);

  if (booking != NULL && new_revision != NULL)
    *new_revision = request_from_result (result)->etag_revision;

  return booking;
}

void
cd_portal_client_book_module_async (CdPortalClient      *self,
                                    const char          *device_id,
                                    const char          *module_code,
                                    gint64               if_match_revision,
                                    const char          *idempotency_key,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (CD_IS_PORTAL_CLIENT (self));
  g_return_if_fail (device_id != NULL);
  g_return_if_fail (module_code != NULL);
  g_return_if_fail (idempotency_key != NULL);

  id = escape_segment (device_id);
  path = g_strconcat ("/devices/", id, "/bookings", NULL);
  body = new_string_object ("module", module_code, NULL);
  run_change (self, path, body, if_match_revision, idempotency_key,
              cd_portal_client_book_module_async, cancellable, callback,
              user_data);
}

/**
 * cd_portal_client_book_module_finish:
 * @new_revision: (out) (optional): the device's revision after the change
 *
 * Returns: (transfer full): the new booking.
 */
CdBooking *
cd_portal_client_book_module_finish (CdPortalClient  *self,
                                     GAsyncResult    *result,
                                     gint64          *new_revision,
                                     GError         **error)
{
  return finish_change (self, result, cd_portal_client_book_module_async,
                        new_revision, error);
}

static char *
booking_path (const char *device_id,
              const char *booking_id,
              const char *action)
{
  g_autofree char *device = escape_segment (device_id);
  g_autofree char *booking = escape_segment (booking_id);

  return g_strconcat ("/devices/", device, "/bookings/", booking, "/",
                      action, NULL);
}

void
cd_portal_client_cancel_booking_async (CdPortalClient      *self,
                                       const char          *device_id,
                                       const char          *booking_id,
                                       gint64               if_match_revision,
                                       const char          *idempotency_key,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (CD_IS_PORTAL_CLIENT (self));
  g_return_if_fail (device_id != NULL);
  g_return_if_fail (booking_id != NULL);
  g_return_if_fail (idempotency_key != NULL);

  path = booking_path (device_id, booking_id, "cancel");
  run_change (self, path, NULL, if_match_revision, idempotency_key,
              cd_portal_client_cancel_booking_async, cancellable, callback,
              user_data);
}

/**
 * cd_portal_client_cancel_booking_finish:
 * @new_revision: (out) (optional): the device's revision after the change
 *
 * Returns: (transfer full): the booking, now cancellation-pending.
 */
CdBooking *
cd_portal_client_cancel_booking_finish (CdPortalClient  *self,
                                        GAsyncResult    *result,
                                        gint64          *new_revision,
                                        GError         **error)
{
  return finish_change (self, result, cd_portal_client_cancel_booking_async,
                        new_revision, error);
}

void
cd_portal_client_withdraw_cancellation_async (CdPortalClient      *self,
                                              const char          *device_id,
                                              const char          *booking_id,
                                              gint64               if_match_revision,
                                              const char          *idempotency_key,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (CD_IS_PORTAL_CLIENT (self));
  g_return_if_fail (device_id != NULL);
  g_return_if_fail (booking_id != NULL);
  g_return_if_fail (idempotency_key != NULL);

  path = booking_path (device_id, booking_id, "withdraw-cancellation");
  run_change (self, path, NULL, if_match_revision, idempotency_key,
              cd_portal_client_withdraw_cancellation_async, cancellable,
              callback, user_data);
}

/**
 * cd_portal_client_withdraw_cancellation_finish:
 * @new_revision: (out) (optional): the device's revision after the change
 *
 * Returns: (transfer full): the booking, active again.
 */
CdBooking *
cd_portal_client_withdraw_cancellation_finish (CdPortalClient  *self,
                                               GAsyncResult    *result,
                                               gint64          *new_revision,
                                               GError         **error)
{
  return finish_change (self, result,
                        cd_portal_client_withdraw_cancellation_async,
                        new_revision, error);
}
