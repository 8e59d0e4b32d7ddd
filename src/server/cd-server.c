/* cd-server.c: the local portal's HTTP API on a SoupServer.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-server"

#include "cd-server.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "cd-auth.h"
#include "cd-catalog.h"
#include "cd-json-out.h"
#include "cd-term.h"

#define API_ROOT "/api/v1"
#define IDEMPOTENCY_WINDOW (24 * 60 * 60)
#define MAX_JSON_DEPTH 32
#define MAX_QUERY_LENGTH 256

struct _CdServer
{
  SoupServer  *soup;             /* (owned) */
  CdStore     *store;            /* (unowned) */
  GDate        today;
  char         today_text[16];
  guint        access_lifetime;
  CdRateLimit *rate_limit;       /* (owned) */
  char        *dummy_hash;       /* (owned) (nullable) for unknown users */
  char        *url;              /* (owned) (nullable) */
};

typedef struct
{
  CdServer          *server;
  SoupServerMessage *msg;
  CdLang             lang;
  const char        *method;
  const char        *path;       /* below API_ROOT */
  GBytes            *body;       /* (owned) (nullable) */
  CdUserRecord       user;       /* filled in by authenticate () */
  guint              status;
} Request;

typedef enum
{
  CHANGE_BOOK,
  CHANGE_CANCEL,
  CHANGE_WITHDRAW,
} ChangeKind;

/* Responses */

static void
respond (Request    *request,
         guint       status,
         const char *content_type,
         GString    *body)
{
  gsize len = body ? body->len : 0;
  char *data = body ? g_string_free (body, FALSE) : NULL;

  request->status = status;
  soup_server_message_set_status (request->msg, status, NULL);
  if (content_type != NULL)
    soup_server_message_set_response (request->msg, content_type,
                                      SOUP_MEMORY_TAKE, data, len);
  else
    g_free (data);
}

static void
respond_json (Request *request,
              guint    status,
              GString *body)
{
  respond (request, status, "application/json", body);
}

static GString *
problem_body (Request    *request,
              CdProblem   problem,
              const char *detail)
{
  GString *body = g_string_new ("{");

  cd_json_out_key (body, "type", TRUE);
  g_string_append_printf (body, "\"urn:coredinate:portal:problem:%s\"",
                          cd_problem_get_code (problem));
  cd_json_out_key (body, "title", FALSE);
  cd_json_out_string (body, cd_problem_get_title (problem, request->lang));
  cd_json_out_key (body, "status", FALSE);
  g_string_append_printf (body, "%u", cd_problem_get_status (problem));
  cd_json_out_key (body, "detail", FALSE);
  cd_json_out_string (body, detail);
  cd_json_out_key (body, "code", FALSE);
  cd_json_out_string (body, cd_problem_get_code (problem));
  g_string_append_c (body, '}');
  return body;
}

/* detail_de and detail_en say what went wrong in this request. */
static void
respond_problem (Request    *request,
                 CdProblem   problem,
                 const char *detail_de,
                 const char *detail_en)
{
  SoupMessageHeaders *headers;
  const char *detail = request->lang == CD_LANG_EN ? detail_en : detail_de;

  headers = soup_server_message_get_response_headers (request->msg);
  if (problem == CD_PROBLEM_UNAUTHORIZED)
    soup_message_headers_replace (headers, "WWW-Authenticate",
                                  "Bearer realm=\"coredinate\"");
  respond (request, cd_problem_get_status (problem),
           "application/problem+json",
           problem_body (request, problem, detail));
}

static void
respond_internal (Request      *request,
                  const GError *error)
{
  /* Not bad input but a broken database or disk: tell the operator. */
  g_message ("%s %s failed: %s", request->method, request->path,
             error ? error->message : "unknown error");
  respond_problem (request, CD_PROBLEM_INTERNAL,
                   "Der Server konnte die Anfrage nicht ausführen.",
                   "The server could not carry out the request.");
}

static void
set_etag (Request *request,
          gint64   revision)
{
  g_autofree char *etag = g_strdup_printf ("\"%" G_GINT64_FORMAT "\"",
                                           revision);

  soup_message_headers_replace (
    soup_server_message_get_response_headers (request->msg), "ETag", etag);
}

/* Request bodies */

/* json-glib parses recursively; a deep document could overflow the stack
 * long before it reaches the size limit. */
static gboolean
json_depth_ok (const char *data,
               gsize       len)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > MAX_JSON_DEPTH)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

/* Parses the body as a JSON object; answers 400 and returns NULL when it
 * is not one. allow_empty accepts no body at all as an empty object. */
static JsonObject *
read_body_object (Request  *request,
                  gboolean  allow_empty,
                  JsonParser **parser_out)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  const char *data = NULL;
  gsize len = 0;
  JsonNode *root;

  if (request->body != NULL)
    data = g_bytes_get_data (request->body, &len);

  parser = json_parser_new_immutable ();
  if (len == 0 && allow_empty)
    {
      *parser_out = NULL;
      return json_object_new ();
    }

  if (len == 0 || !g_utf8_validate (data, (gssize) len, NULL)
      || memchr (data, '\0', len) != NULL || !json_depth_ok (data, len)
      || !json_parser_load_from_data (parser, data, (gssize) len, &error))
    {
      respond_problem (request, CD_PROBLEM_INVALID_REQUEST,
                       "Der Inhalt ist kein gültiges JSON.",
                       "The body is not valid JSON.");
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      respond_problem (request, CD_PROBLEM_INVALID_REQUEST,
                       "Der Inhalt muss ein JSON-Objekt sein.",
                       "The body must be a JSON object.");
      return NULL;
    }

  *parser_out = g_steal_pointer (&parser);
  return json_object_ref (json_node_get_object (root));
}

/* A member that must be a non-empty string; NULL after answering 400. */
static const char *
get_string_member (Request    *request,
                   JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  const char *value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING
      || (value = json_node_get_string (node)) == NULL || *value == '\0')
    {
      g_autofree char *de = g_strdup_printf ("Das Feld „%s“ fehlt oder ist "
                                             "kein Text.", name);
      g_autofree char *en = g_strdup_printf ("The field \"%s\" is missing or "
                                             "not a string.", name);

      respond_problem (request, CD_PROBLEM_INVALID_REQUEST, de, en);
      return NULL;
    }
  return value;
}

/* Authentication */

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
authenticate (Request *request)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  const char *header;
  gint64 user_id = 0;

  header = soup_message_headers_get_one (
    soup_server_message_get_request_headers (request->msg), "Authorization");
  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0
      || header[7] == '\0')
    {
      respond_problem (request, CD_PROBLEM_UNAUTHORIZED,
                       "Für diese Anfrage ist eine Anmeldung nötig.",
                       "This request needs a bearer token.");
      return FALSE;
    }

  hash = cd_auth_hash_token (header + 7);
  if (!cd_store_find_token (request->server->store, hash, "access",
                            g_get_real_time (), &user_id, NULL, &error))
    {
      respond_internal (request, error);
      return FALSE;
    }

  if (user_id == 0
      || !cd_store_find_user (request->server->store, NULL, user_id,
                              &request->user, &error))
    {
      if (error != NULL)
        {
          respond_internal (request, error);
          return FALSE;
        }
      respond_problem (request, CD_PROBLEM_UNAUTHORIZED,
                       "Die Anmeldung ist abgelaufen oder ungültig.",
                       "The access token is expired or invalid.");
      return FALSE;
    }

  return TRUE;
}

static gboolean
issue_tokens (Request      *request,
              gint64        user_id,
              const char   *grant_id,
              GString     **body_out,
              GError      **error)
{
  CdServer *server = request->server;
  g_autofree char *access = cd_auth_new_token ();
  g_autofree char *refresh = cd_auth_new_token ();
  g_autofree char *access_hash = cd_auth_hash_token (access);
  g_autofree char *refresh_hash = cd_auth_hash_token (refresh);
  gint64 now = g_get_real_time ();
  GString *body;

  if (!cd_store_insert_token (server->store, access_hash, "access", user_id,
                              grant_id,
                              now + (gint64) server->access_lifetime
                                    * G_USEC_PER_SEC,
                              error)
      || !cd_store_insert_token (server->store, refresh_hash, "refresh",
                                 user_id, grant_id,
                                 now + (gint64) CD_SERVER_REFRESH_TOKEN_LIFETIME
                                       * G_USEC_PER_SEC,
                                 error))
    return FALSE;

  body = g_string_new ("{");
  cd_json_out_key (body, "access_token", TRUE);
  cd_json_out_string (body, access);
  cd_json_out_key (body, "token_type", FALSE);
  cd_json_out_string (body, "Bearer");
  cd_json_out_key (body, "expires_in", FALSE);
  g_string_append_printf (body, "%u", server->access_lifetime);
  cd_json_out_key (body, "refresh_token", FALSE);
  cd_json_out_string (body, refresh);
  g_string_append_c (body, '}');
  *body_out = body;
  return TRUE;
}

static void
respond_tokens (Request *request,
                GString *body)
{
  SoupMessageHeaders *headers;

  headers = soup_server_message_get_response_headers (request->msg);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  respond_json (request, 200, body);
}

static void
password_grant (Request    *request,
                JsonObject *object)
{
  CdServer *server = request->server;
  g_autoptr(GError) error = NULL;
  g_auto(CdUserRecord) user = { 0 };
  g_autofree char *grant_id = NULL;
  const char *username;
  const char *password;
  GString *body = NULL;
  gboolean found;
  gboolean valid;
  guint wait;

  if ((username = get_string_member (request, object, "username")) == NULL
      || (password = get_string_member (request, object, "password")) == NULL)
    return;

  wait = cd_rate_limit_check (server->rate_limit, username,
                              g_get_monotonic_time ());
  if (wait > 0)
    {
      g_autofree char *seconds = g_strdup_printf ("%u", wait);

      soup_message_headers_replace (
        soup_server_message_get_response_headers (request->msg),
        "Retry-After", seconds);
      respond_problem (request, CD_PROBLEM_RATE_LIMITED,
                       "Zu viele fehlgeschlagene Anmeldungen; bitte später "
                       "erneut versuchen.",
                       "Too many failed sign-ins; try again later.");
      return;
    }

  found = cd_store_find_user (server->store, username, 0, &user, &error);
  if (error != NULL)
    {
      respond_internal (request, error);
      return;
    }

  /* Unknown users cost as much time as wrong passwords. */
  if (server->dummy_hash == NULL)
    server->dummy_hash = cd_auth_hash_password ("not a password", NULL);
  valid = cd_auth_check_password (password, found ? user.password_hash
                                                  : server->dummy_hash
                                                    ? server->dummy_hash
                                                    : "*")
          && found;
  if (!valid)
    {
      cd_rate_limit_fail (server->rate_limit, username,
                          g_get_monotonic_time ());
      respond_problem (request, CD_PROBLEM_INVALID_GRANT,
                       "Benutzername oder Passwort ist falsch.",
                       "The username or password is wrong.");
      return;
    }

  grant_id = cd_auth_new_uuid ();
  if (!cd_store_begin (server->store, &error)
      || !issue_tokens (request, user.id, grant_id, &body, &error)
      || !cd_store_commit (server->store, &error))
    {
      cd_store_rollback (server->store);
      if (body != NULL)
        g_string_free (body, TRUE);
      respond_internal (request, error);
      return;
    }

  respond_tokens (request, body);
}

static void
refresh_grant (Request    *request,
               JsonObject *object)
{
  CdServer *server = request->server;
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *grant_id = NULL;
  const char *refresh;
  GString *body = NULL;
  gint64 user_id = 0;

  if ((refresh = get_string_member (request, object, "refresh_token")) == NULL)
    return;

  hash = cd_auth_hash_token (refresh);
  if (!cd_store_begin (server->store, &error)
      || !cd_store_find_token (server->store, hash, "refresh",
                               g_get_real_time (),
                               &user_id, &grant_id, &error))
    goto fail;

  if (user_id == 0)
    {
      cd_store_rollback (server->store);
      respond_problem (request, CD_PROBLEM_INVALID_GRANT,
                       "Die Sitzung ist abgelaufen oder wurde beendet.",
                       "The refresh token is expired, used or revoked.");
      return;
    }

  /* Single use: the old refresh token goes in the same transaction that
   * makes the new one. */
  if (!cd_store_delete_token (server->store, hash, &error)
      || !issue_tokens (request, user_id, grant_id, &body, &error)
      || !cd_store_commit (server->store, &error))
    goto fail;

  respond_tokens (request, body);
  return;

fail:
  cd_store_rollback (server->store);
  if (body != NULL)
    g_string_free (body, TRUE);
  respond_internal (request, error);
}

static void
handle_token (Request *request)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonObject) object = NULL;
  const char *grant_type;

  object = read_body_object (request, FALSE, &parser);
  if (object == NULL)
    return;
  if ((grant_type = get_string_member (request, object, "grant_type")) == NULL)
    return;

  if (strcmp (grant_type, "password") == 0)
    password_grant (request, object);
  else if (strcmp (grant_type, "refresh_token") == 0)
    refresh_grant (request, object);
  else
    respond_problem (request, CD_PROBLEM_INVALID_REQUEST,
                     "Unbekannter grant_type.", "Unknown grant_type.");
}

static void
handle_revoke (Request *request)
{
  CdServer *server = request->server;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *grant_id = NULL;
  const char *refresh;
  gint64 user_id = 0;

  object = read_body_object (request, FALSE, &parser);
  if (object == NULL)
    return;
  if ((refresh = get_string_member (request, object, "refresh_token")) == NULL)
    return;

  /* Revoking ends the whole sign-in: the refresh token and the access
   * tokens issued with it. Unknown tokens are fine (RFC 7009). */
  hash = cd_auth_hash_token (refresh);
  if (!cd_store_find_token (server->store, hash, "refresh",
                            g_get_real_time (), &user_id, &grant_id, &error))
    {
      respond_internal (request, error);
      return;
    }
  if (user_id == request->user.id
      && !cd_store_delete_grant (server->store, grant_id, &error))
    {
      respond_internal (request, error);
      return;
    }

  respond (request, 204, NULL, NULL);
}

static void
handle_me (Request *request)
{
  GString *body = g_string_new ("{");

  cd_json_out_key (body, "username", TRUE);
  cd_json_out_string (body, request->user.username);
  cd_json_out_key (body, "display_name", FALSE);
  cd_json_out_string (body, request->user.display_name);
  cd_json_out_key (body, "role", FALSE);
  cd_json_out_string (body, request->user.role);
  cd_json_out_key (body, "tenant", FALSE);
  g_string_append_printf (body, "{\"id\":\"%" G_GINT64_FORMAT "\",\"name\":",
                          request->user.tenant_id);
  cd_json_out_string (body, request->user.tenant_name);
  g_string_append (body, "}}");
  respond_json (request, 200, body);
}

/* Catalogues */

static void
handle_license_types (Request *request)
{
  const CdLicenseType *types;
  guint n_types;
  GString *body = g_string_new ("{\"items\":[");

  types = cd_catalog_license_types (&n_types);
  for (guint i = 0; i < n_types; i++)
    {
      g_string_append (body, i > 0 ? ",{" : "{");
      cd_json_out_key (body, "code", TRUE);
      cd_json_out_string (body, types[i].code);
      cd_json_out_key (body, "name", FALSE);
      cd_json_out_string (body, types[i].name[request->lang]);
      g_string_append_printf (body, ",\"term_months\":%u,\"notice_months\":%u}",
                              types[i].term_months, types[i].notice_months);
    }
  g_string_append (body, "]}");
  respond_json (request, 200, body);
}

static void
handle_modules (Request *request)
{
  const CdLicenseType *types;
  const CdModule *modules;
  guint n_types;
  guint n_modules;
  GString *body = g_string_new ("{\"items\":[");

  types = cd_catalog_license_types (&n_types);
  modules = cd_catalog_modules (&n_modules);
  for (guint i = 0; i < n_modules; i++)
    {
      gboolean first = TRUE;

      g_string_append (body, i > 0 ? ",{" : "{");
      cd_json_out_key (body, "code", TRUE);
      cd_json_out_string (body, modules[i].code);
      cd_json_out_key (body, "name", FALSE);
      cd_json_out_string (body, modules[i].name[request->lang]);
      cd_json_out_key (body, "description", FALSE);
      cd_json_out_string (body, modules[i].description[request->lang]);
      cd_json_out_key (body, "available_for", FALSE);
      g_string_append_c (body, '[');
      for (guint j = 0; j < n_types; j++)
        {
          if (!cd_catalog_module_available (&modules[i], types[j].code))
            continue;
          if (!first)
            g_string_append_c (body, ',');
          cd_json_out_string (body, types[j].code);
          first = FALSE;
        }
      g_string_append_printf (body, "],\"monthly_price\":{\"amount_minor\":%u,"
                              "\"currency\":\"EUR\"}}",
                              modules[i].monthly_price_minor);
    }
  g_string_append (body, "]}");
  respond_json (request, 200, body);
}

/* Devices */

static CdLicenseState
device_license_state (CdServer             *server,
                      const CdDeviceRecord *device)
{
  return cd_term_license_state (&device->license_ends_on, &server->today);
}

static void
fill_terms (const CdDeviceRecord *device,
            CdLicenseTerms       *terms)
{
  const CdLicenseType *type = cd_catalog_find_license_type (device->license_type);

  terms->term_start = device->term_start;
  terms->ends_on = device->license_ends_on;
  terms->term_months = type ? type->term_months : 1;
  terms->notice_months = type ? type->notice_months : 0;
}

static void
write_license (CdServer             *server,
               GString              *out,
               const CdDeviceRecord *device,
               gboolean              detail)
{
  CdLicenseTerms terms;
  CdTermDates dates;

  if (device->license_type == NULL || !g_date_valid (&device->term_start))
    {
      g_string_append_len (out, "null", 4);
      return;
    }

  fill_terms (device, &terms);
  cd_term_compute (&terms, &server->today, &dates);

  g_string_append_c (out, '{');
  cd_json_out_key (out, "type", TRUE);
  cd_json_out_string (out, device->license_type);
  cd_json_out_key (out, "state", FALSE);
  cd_json_out_string (out, cd_license_state_to_string (
                             device_license_state (server, device)));
  cd_json_out_key (out, "current_term_end", FALSE);
  cd_json_out_date (out, &dates.current_term_end);
  cd_json_out_key (out, "next_possible_end", FALSE);
  cd_json_out_date (out, &dates.next_possible_end);
  cd_json_out_key (out, "ends_on", FALSE);
  cd_json_out_date (out, &device->license_ends_on);
  if (detail)
    {
      cd_json_out_key (out, "term_start", FALSE);
      cd_json_out_date (out, &terms.term_start);
      g_string_append_printf (out, ",\"term_months\":%u,\"notice_months\":%u",
                              terms.term_months, terms.notice_months);
      cd_json_out_key (out, "notice_deadline", FALSE);
      cd_json_out_date (out, &dates.notice_deadline);
    }
  g_string_append_c (out, '}');
}

static CdBookingState
booking_state (CdServer              *server,
               const CdDeviceRecord  *device,
               const CdBookingRecord *booking)
{
  return cd_term_booking_state (&booking->cancelled_on, &booking->ends_on,
                                device_license_state (server, device),
                                &server->today);
}

static void
write_module (CdServer              *server,
              GString               *out,
              const CdDeviceRecord  *device,
              const CdBookingRecord *booking,
              gboolean               first)
{
  CdBookingState state = booking_state (server, device, booking);

  if (state == CD_BOOKING_STATE_ENDED)
    return;
  g_string_append (out, first ? "{\"code\":" : ",{\"code\":");
  cd_json_out_string (out, booking->module);
  g_string_append (out, ",\"state\":");
  cd_json_out_string (out, cd_booking_state_to_string (state));
  g_string_append_c (out, '}');
}

/* Writes the summary up to and including the opening of "modules". */
static void
write_summary_start (CdServer             *server,
                     GString              *out,
                     const CdDeviceRecord *device,
                     gboolean              detail)
{
  cd_json_out_key (out, "id", TRUE);
  cd_json_out_string (out, device->id);
  cd_json_out_key (out, "name", FALSE);
  cd_json_out_string (out, device->name);
  cd_json_out_key (out, "model", FALSE);
  cd_json_out_string (out, device->model);
  cd_json_out_key (out, "platform", FALSE);
  cd_json_out_string (out, device->platform);
  cd_json_out_key (out, "serial", FALSE);
  cd_json_out_string (out, device->serial);
  cd_json_out_key (out, "app_version", FALSE);
  cd_json_out_string (out, device->app_version);
  cd_json_out_key (out, "last_seen_at", FALSE);
  cd_json_out_string (out, device->last_seen_at);
  cd_json_out_key (out, "license", FALSE);
  write_license (server, out, device, detail);
  cd_json_out_key (out, "modules", FALSE);
  g_string_append_c (out, '[');
}

static void
write_summary_fields (CdServer             *server,
                      GString              *out,
                      const CdDeviceRecord *device,
                      GArray               *bookings,
                      gboolean              detail)
{
  gsize start;

  write_summary_start (server, out, device, detail);
  start = out->len;
  for (guint i = 0; i < bookings->len; i++)
    write_module (server, out, device,
                  &g_array_index (bookings, CdBookingRecord, i),
                  out->len == start);
  g_string_append_c (out, ']');
}

typedef struct
{
  CdServer *server;
  GString  *out;
  guint     limit;
  gboolean  more;            /* a device after the page exists */
  guint     n_items;
  gsize     modules_start;   /* where the open device's modules begin */
  GString  *last_name;       /* (owned) */
  GString  *last_id;         /* (owned) */
} PageBuilder;

static void
add_page_row (const CdDeviceRecord  *device,
              const CdBookingRecord *booking,
              gboolean               first,
              gpointer               user_data)
{
  PageBuilder *page = user_data;

  /* The store reads one device past the page: it only tells whether
   * there is a next page. */
  if (page->more || (first && page->n_items == page->limit))
    {
      page->more = TRUE;
      return;
    }

  if (first)
    {
      if (page->n_items > 0)
        g_string_append (page->out, "]},{");
      else
        g_string_append (page->out, "[{");
      write_summary_start (page->server, page->out, device, FALSE);
      page->modules_start = page->out->len;
      page->n_items++;
      g_string_assign (page->last_name, device->name);
      g_string_assign (page->last_id, device->id);
    }

  if (booking != NULL)
    write_module (page->server, page->out, device, booking,
                  page->out->len == page->modules_start);
}

static char *
base64url_encode (const char *text)
{
  char *encoded = g_base64_encode ((const guchar *) text, strlen (text));

  for (char *p = encoded; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        *p = '\0';
    }
  return encoded;
}

static gboolean
valid_id (const char *id)
{
  gsize len = 0;

  for (const char *p = id; *p != '\0'; p++, len++)
    if (!g_ascii_isxdigit (*p) && *p != '-')
      return FALSE;
  return len > 0 && len <= 64;
}

/* A cursor is "v1.<base64url name>.<id>" of the last device of a page. */
static gboolean
decode_cursor (const char  *cursor,
               char       **name_out,
               char       **id_out)
{
  g_autoptr(GString) b64 = NULL;
  g_autofree guchar *name = NULL;
  const char *dot;
  gsize name_len = 0;

  if (!g_str_has_prefix (cursor, "v1."))
    return FALSE;
  cursor += 3;
  dot = strchr (cursor, '.');
  if (dot == NULL || dot == cursor || !valid_id (dot + 1))
    return FALSE;

  b64 = g_string_new_len (cursor, dot - cursor);
  for (gsize i = 0; i < b64->len; i++)
    {
      char c = b64->str[i];

      if (c == '-')
        b64->str[i] = '+';
      else if (c == '_')
        b64->str[i] = '/';
      else if (!g_ascii_isalnum (c))
        return FALSE;
    }
  if (b64->len % 4 == 1)
    return FALSE;
  while (b64->len % 4 != 0)
    g_string_append_c (b64, '=');

  name = g_base64_decode (b64->str, &name_len);
  if (name == NULL || name_len == 0
      || memchr (name, '\0', name_len) != NULL
      || !g_utf8_validate ((const char *) name, (gssize) name_len, NULL))
    return FALSE;

  *name_out = g_strndup ((const char *) name, name_len);
  *id_out = g_strdup (dot + 1);
  return TRUE;
}

static void
handle_device_list (Request    *request,
                    GHashTable *query)
{
  CdServer *server = request->server;
  g_autoptr(GError) error = NULL;
  g_autofree char *after_name = NULL;
  g_autofree char *after_id = NULL;
  g_autofree char *q_folded = NULL;
  const char *limit_text = query ? g_hash_table_lookup (query, "limit") : NULL;
  const char *cursor = query ? g_hash_table_lookup (query, "cursor") : NULL;
  const char *q = query ? g_hash_table_lookup (query, "q") : NULL;
  const char *license = query ? g_hash_table_lookup (query, "license") : NULL;
  PageBuilder page = { 0 };
  guint64 limit = 200;
  gint64 total = 0;

  if (limit_text != NULL
      && (!g_ascii_string_to_unsigned (limit_text, 10, 1, 1000, &limit, NULL)
          || !g_ascii_isdigit (limit_text[0])))
    {
      respond_problem (request, CD_PROBLEM_INVALID_REQUEST,
                       "limit muss eine Zahl von 1 bis 1000 sein.",
                       "limit must be a number from 1 to 1000.");
      return;
    }
  if (cursor != NULL && !decode_cursor (cursor, &after_name, &after_id))
    {
      respond_problem (request, CD_PROBLEM_INVALID_REQUEST,
                       "Der Cursor ist ungültig.", "The cursor is invalid.");
      return;
    }
  if (q != NULL && (strlen (q) > MAX_QUERY_LENGTH
                    || !g_utf8_validate (q, -1, NULL)))
    {
      respond_problem (request, CD_PROBLEM_INVALID_REQUEST,
                       "Der Suchtext ist ungültig.",
                       "The search text is invalid.");
      return;
    }
  if (license != NULL && strcmp (license, "none") != 0
      && cd_catalog_find_license_type (license) == NULL)
    {
      respond_problem (request, CD_PROBLEM_INVALID_REQUEST,
                       "Unbekannter Lizenztyp im Filter.",
                       "Unknown license type in the filter.");
      return;
    }

  if (q != NULL && *q != '\0')
    q_folded = g_utf8_casefold (q, -1);

  page.server = server;
  page.limit = (guint) limit;
  page.last_name = g_string_new (NULL);
  page.last_id = g_string_new (NULL);
  page.out = g_string_sized_new (512 * (gsize) limit);
  g_string_append (page.out, "{\"items\":");
  if (!cd_store_count_devices (server->store, request->user.tenant_id,
                               q_folded, license, &total, &error)
      || !cd_store_list_devices (server->store, request->user.tenant_id,
                                 q_folded, license, after_name, after_id,
                                 (guint) limit + 1, server->today_text,
                                 add_page_row, &page, &error))
    {
      g_string_free (page.out, TRUE);
      g_string_free (page.last_name, TRUE);
      g_string_free (page.last_id, TRUE);
      respond_internal (request, error);
      return;
    }

  g_string_append (page.out, page.n_items > 0 ? "]}]" : "[]");
  cd_json_out_key (page.out, "next_cursor", FALSE);
  if (page.more)
    {
      g_autofree char *name64 = base64url_encode (page.last_name->str);

      g_string_append_printf (page.out, "\"v1.%s.%s\"", name64,
                              page.last_id->str);
    }
  else
    g_string_append (page.out, "null");
  g_string_append_printf (page.out, ",\"total\":%" G_GINT64_FORMAT "}", total);

  g_string_free (page.last_name, TRUE);
  g_string_free (page.last_id, TRUE);
  respond_json (request, 200, page.out);
}

static void
write_booking (CdServer              *server,
               GString               *out,
               const CdDeviceRecord  *device,
               const CdBookingRecord *booking)
{
  g_string_append_c (out, '{');
  cd_json_out_key (out, "id", TRUE);
  cd_json_out_string (out, booking->id);
  cd_json_out_key (out, "module", FALSE);
  cd_json_out_string (out, booking->module);
  cd_json_out_key (out, "state", FALSE);
  cd_json_out_string (out, cd_booking_state_to_string (
                             booking_state (server, device, booking)));
  cd_json_out_key (out, "booked_on", FALSE);
  cd_json_out_date (out, &booking->booked_on);
  cd_json_out_key (out, "booked_by", FALSE);
  cd_json_out_string (out, booking->booked_by);
  cd_json_out_key (out, "cancelled_on", FALSE);
  cd_json_out_date (out, &booking->cancelled_on);
  cd_json_out_key (out, "cancelled_by", FALSE);
  cd_json_out_string (out, booking->cancelled_by);
  cd_json_out_key (out, "ends_on", FALSE);
  cd_json_out_date (out, &booking->ends_on);
  g_string_append_c (out, '}');
}

/* TRUE when a module is active or pending on the device. */
static gboolean
module_in_use (CdServer             *server,
               const CdDeviceRecord *device,
               GArray               *bookings,
               const char           *module)
{
  for (guint i = 0; i < bookings->len; i++)
    {
      const CdBookingRecord *booking =
        &g_array_index (bookings, CdBookingRecord, i);

      if (strcmp (booking->module, module) == 0
          && booking_state (server, device, booking) != CD_BOOKING_STATE_ENDED)
        return TRUE;
    }
  return FALSE;
}

static gboolean
license_bookable (CdServer             *server,
                  const CdDeviceRecord *device)
{
  return device->license_type != NULL
         && device_license_state (server, device) == CD_LICENSE_STATE_ACTIVE;
}

static GString *
device_detail_body (CdServer             *server,
                    const CdDeviceRecord *device,
                    GArray               *bookings)
{
  const CdModule *modules;
  guint n_modules;
  gboolean first = TRUE;
  GString *out = g_string_new ("{");

  write_summary_fields (server, out, device, bookings, TRUE);
  g_string_append_printf (out, ",\"revision\":%" G_GINT64_FORMAT,
                          device->revision);

  cd_json_out_key (out, "bookings", FALSE);
  g_string_append_c (out, '[');
  for (guint i = 0; i < bookings->len; i++)
    {
      const CdBookingRecord *booking =
        &g_array_index (bookings, CdBookingRecord, i);

      if (booking_state (server, device, booking) == CD_BOOKING_STATE_ENDED)
        continue;
      if (!first)
        g_string_append_c (out, ',');
      write_booking (server, out, device, booking);
      first = FALSE;
    }
  g_string_append_c (out, ']');

  cd_json_out_key (out, "bookable", FALSE);
  g_string_append_c (out, '[');
  first = TRUE;
  modules = cd_catalog_modules (&n_modules);
  for (guint i = 0; license_bookable (server, device) && i < n_modules; i++)
    {
      if (!cd_catalog_module_available (&modules[i], device->license_type)
          || module_in_use (server, device, bookings, modules[i].code))
        continue;
      if (!first)
        g_string_append_c (out, ',');
      cd_json_out_string (out, modules[i].code);
      first = FALSE;
    }
  g_string_append (out, "]}");
  return out;
}

/* Loads the device of the request's tenant; answers 404 when there is
 * none, also when it belongs to another tenant. */
static gboolean
load_device (Request        *request,
             const char     *device_id,
             CdDeviceRecord *device,
             GArray        **bookings)
{
  g_autoptr(GError) error = NULL;
  gboolean found = FALSE;

  if (valid_id (device_id))
    found = cd_store_get_device (request->server->store,
                                 request->user.tenant_id, device_id, device,
                                 &error);
  if (error != NULL)
    {
      respond_internal (request, error);
      return FALSE;
    }
  if (!found)
    {
      respond_problem (request, CD_PROBLEM_NOT_FOUND,
                       "Dieses Gerät gibt es nicht.",
                       "There is no such device.");
      return FALSE;
    }

  if (bookings != NULL)
    {
      *bookings = cd_store_list_bookings (request->server->store,
                                          request->user.tenant_id, device_id,
                                          &error);
      if (*bookings == NULL)
        {
          respond_internal (request, error);
          return FALSE;
        }
    }
  return TRUE;
}

static void
handle_device (Request    *request,
               const char *device_id)
{
  g_auto(CdDeviceRecord) device = { 0 };
  g_autoptr(GArray) bookings = NULL;

  if (!load_device (request, device_id, &device, &bookings))
    return;

  set_etag (request, device.revision);
  respond_json (request, 200,
                device_detail_body (request->server, &device, bookings));
}

static void
handle_events (Request    *request,
               const char *device_id)
{
  g_auto(CdDeviceRecord) device = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) events = NULL;
  GString *body;

  if (!load_device (request, device_id, &device, NULL))
    return;

  events = cd_store_list_events (request->server->store,
                                 request->user.tenant_id, device_id, &error);
  if (events == NULL)
    {
      respond_internal (request, error);
      return;
    }

  body = g_string_new ("{\"items\":[");
  for (guint i = 0; i < events->len; i++)
    {
      const CdEventRecord *event = &g_array_index (events, CdEventRecord, i);

      g_string_append (body, i > 0 ? ",{" : "{");
      cd_json_out_key (body, "at", TRUE);
      cd_json_out_string (body, event->at);
      cd_json_out_key (body, "actor", FALSE);
      cd_json_out_string (body, event->actor);
      cd_json_out_key (body, "action", FALSE);
      cd_json_out_string (body, event->action);
      cd_json_out_key (body, "module", FALSE);
      cd_json_out_string (body, event->module);
      cd_json_out_key (body, "ends_on", FALSE);
      cd_json_out_date (body, &event->ends_on);
      g_string_append_c (body, '}');
    }
  g_string_append (body, "]}");
  respond_json (request, 200, body);
}

/* Changes */

static gboolean
valid_idempotency_key (const char *key)
{
  gsize len = 0;

  if (key == NULL)
    return FALSE;
  for (const char *p = key; *p != '\0'; p++, len++)
    if ((guchar) *p < 0x20 || (guchar) *p > 0x7e)
      return FALSE;
  return len >= 1 && len <= 64;
}

/* If-Match: "<revision>" or *. A weak tag never matches: If-Match uses
 * the strong comparison (RFC 9110, 13.1.1). */
static gboolean
if_match_ok (const char *header,
             gint64      revision)
{
  g_autofree char *expected = NULL;
  g_auto(GStrv) tags = NULL;

  if (header == NULL)
    return TRUE;

  expected = g_strdup_printf ("\"%" G_GINT64_FORMAT "\"", revision);
  tags = g_strsplit (header, ",", -1);
  for (guint i = 0; tags[i] != NULL; i++)
    {
      const char *tag = g_strstrip (tags[i]);

      if (strcmp (tag, "*") == 0 || strcmp (tag, expected) == 0)
        return TRUE;
    }
  return FALSE;
}

static const CdBookingRecord *
find_booking (GArray     *bookings,
              const char *booking_id)
{
  for (guint i = 0; i < bookings->len; i++)
    {
      const CdBookingRecord *booking =
        &g_array_index (bookings, CdBookingRecord, i);

      if (strcmp (booking->id, booking_id) == 0)
        return booking;
    }
  return NULL;
}

static char *
event_timestamp (CdServer *server)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  /* The day is the portal's today, so events agree with booked_on even
   * when today is overridden. */
  return g_strdup_printf ("%sT%02d:%02d:%02dZ", server->today_text,
                          g_date_time_get_hour (now),
                          g_date_time_get_minute (now),
                          g_date_time_get_second (now));
}

typedef struct
{
  CdProblem   problem;       /* CD_N_PROBLEMS when the change applies */
  const char *detail_de;
  const char *detail_en;
  guint       status;
  GString    *body;          /* (owned) (nullable) the answer on success */
  gint64      revision;
} ChangeResult;

static void
reject (ChangeResult *result,
        CdProblem     problem,
        const char   *detail_de,
        const char   *detail_en)
{
  result->problem = problem;
  result->detail_de = detail_de;
  result->detail_en = detail_en;
}

static gboolean
apply_book (Request              *request,
            const CdDeviceRecord *device,
            GArray               *bookings,
            const char           *module_code,
            ChangeResult         *result,
            GError              **error)
{
  CdServer *server = request->server;
  CdBookingRecord booking = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *at = NULL;
  const CdModule *module = cd_catalog_find_module (module_code);

  if (module == NULL)
    {
      reject (result, CD_PROBLEM_UNKNOWN_MODULE,
              "Dieses Zusatzmodul gibt es nicht.",
              "There is no such add-on module.");
      return TRUE;
    }
  if (device->license_type == NULL)
    {
      reject (result, CD_PROBLEM_NO_LICENSE,
              "Das Gerät hat keine Lizenz.", "The device has no license.");
      return TRUE;
    }
  if (!license_bookable (server, device))
    {
      reject (result, CD_PROBLEM_LICENSE_NOT_ACTIVE,
              "Die Lizenz des Geräts ist gekündigt oder beendet.",
              "The device's license is cancelled or has ended.");
      return TRUE;
    }
  if (!cd_catalog_module_available (module, device->license_type))
    {
      reject (result, CD_PROBLEM_MODULE_NOT_AVAILABLE,
              "Dieses Zusatzmodul gibt es nicht für diese Lizenz.",
              "This add-on module is not available with this license.");
      return TRUE;
    }
  if (module_in_use (server, device, bookings, module->code))
    {
      reject (result, CD_PROBLEM_ALREADY_BOOKED,
              "Das Zusatzmodul ist auf diesem Gerät schon gebucht.",
              "The add-on module is already booked on this device.");
      return TRUE;
    }

  id = cd_auth_new_uuid ();
  booking.id = id;
  booking.module = (char *) module->code;
  booking.booked_on = server->today;
  booking.booked_by = request->user.display_name;
  g_date_clear (&booking.cancelled_on, 1);
  g_date_clear (&booking.ends_on, 1);
  at = event_timestamp (server);

  if (!cd_store_insert_booking (server->store, request->user.tenant_id,
                                device->id, &booking, error)
      || !cd_store_insert_event (server->store, request->user.tenant_id,
                                 device->id, at,
                                 request->user.display_name, "module_booked",
                                 module->code, NULL, error))
    return FALSE;

  result->status = 201;
  result->body = g_string_new (NULL);
  write_booking (server, result->body, device, &booking);
  return TRUE;
}

static gboolean
apply_cancel (Request               *request,
              const CdDeviceRecord  *device,
              const CdBookingRecord *found,
              ChangeResult          *result,
              GError               **error)
{
  CdServer *server = request->server;
  CdBookingRecord booking = *found;
  CdLicenseTerms terms;
  CdTermDates dates;
  g_autofree char *at = NULL;

  if (booking_state (server, device, found) != CD_BOOKING_STATE_ACTIVE
      || device->license_type == NULL)
    {
      reject (result, CD_PROBLEM_BOOKING_NOT_ACTIVE,
              "Die Buchung ist schon gekündigt oder beendet.",
              "The booking is already cancelled or has ended.");
      return TRUE;
    }

  fill_terms (device, &terms);
  cd_term_compute (&terms, &server->today, &dates);
  booking.cancelled_on = server->today;
  booking.cancelled_by = request->user.display_name;
  booking.ends_on = dates.next_possible_end;
  at = event_timestamp (server);

  if (!cd_store_update_booking (server->store, request->user.tenant_id,
                                device->id, &booking, error)
      || !cd_store_insert_event (server->store, request->user.tenant_id,
                                 device->id, at,
                                 request->user.display_name,
                                 "module_cancelled", booking.module,
                                 &booking.ends_on, error))
    return FALSE;

  result->status = 200;
  result->body = g_string_new (NULL);
  write_booking (server, result->body, device, &booking);
  return TRUE;
}

static gboolean
apply_withdraw (Request               *request,
                const CdDeviceRecord  *device,
                const CdBookingRecord *found,
                ChangeResult          *result,
                GError               **error)
{
  CdServer *server = request->server;
  CdBookingRecord booking = *found;
  g_autofree char *at = NULL;

  if (booking_state (server, device, found)
      != CD_BOOKING_STATE_CANCELLATION_PENDING
      || !license_bookable (server, device))
    {
      reject (result, CD_PROBLEM_WITHDRAWAL_NOT_POSSIBLE,
              "Die Kündigung kann nicht zurückgenommen werden.",
              "The cancellation cannot be withdrawn.");
      return TRUE;
    }

  g_date_clear (&booking.cancelled_on, 1);
  booking.cancelled_by = NULL;
  g_date_clear (&booking.ends_on, 1);
  at = event_timestamp (server);

  if (!cd_store_update_booking (server->store, request->user.tenant_id,
                                device->id, &booking, error)
      || !cd_store_insert_event (server->store, request->user.tenant_id,
                                 device->id, at,
                                 request->user.display_name,
                                 "cancellation_withdrawn", booking.module,
                                 NULL, error))
    return FALSE;

  result->status = 200;
  result->body = g_string_new (NULL);
  write_booking (server, result->body, device, &booking);
  return TRUE;
}

static void
replay (Request                   *request,
        const CdIdempotencyRecord *record)
{
  SoupMessageHeaders *headers;
  gsize size = 0;
  const char *data = g_bytes_get_data (record->body, &size);

  headers = soup_server_message_get_response_headers (request->msg);
  soup_message_headers_replace (headers, "Idempotent-Replayed", "true");
  if (record->etag != NULL)
    soup_message_headers_replace (headers, "ETag", record->etag);
  respond (request, record->status, record->content_type,
           g_string_new_len (size ? data : "", (gssize) size));
}

static void
handle_change (Request    *request,
               ChangeKind  kind,
               const char *device_id,
               const char *booking_id)
{
  CdServer *server = request->server;
  SoupMessageHeaders *headers;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) bookings = NULL;
  g_auto(CdIdempotencyRecord) previous = { 0 };
  g_auto(CdDeviceRecord) device = { 0 };
  g_autofree char *body_hash = NULL;
  g_autofree char *etag = NULL;
  CdIdempotencyRecord record = { 0 };
  ChangeResult result = { .problem = CD_N_PROBLEMS };
  const char *key;
  const char *module = NULL;
  const char *data = NULL;
  gsize len = 0;
  gboolean found;

  if (strcmp (request->user.role, "admin") != 0)
    {
      g_auto(CdDeviceRecord) visible = { 0 };

      /* Another tenant's device is 404 for everyone, never 403: a viewer
       * must not learn that it exists. */
      if (!load_device (request, device_id, &visible, NULL))
        return;
      respond_problem (request, CD_PROBLEM_FORBIDDEN,
                       "Nur Administratoren dürfen Zusatzmodule buchen "
                       "oder kündigen.",
                       "Only administrators may book or cancel add-on "
                       "modules.");
      return;
    }

  headers = soup_server_message_get_request_headers (request->msg);
  key = soup_message_headers_get_one (headers, "Idempotency-Key");
  if (!valid_idempotency_key (key))
    {
      respond_problem (request, CD_PROBLEM_IDEMPOTENCY_KEY_REQUIRED,
                       "Änderungen brauchen einen Idempotency-Key aus 1 bis "
                       "64 druckbaren ASCII-Zeichen.",
                       "Changes need an Idempotency-Key of 1 to 64 printable "
                       "ASCII characters.");
      return;
    }

  if (request->body != NULL)
    data = g_bytes_get_data (request->body, &len);
  body_hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                           (const guchar *) (data ? data : ""),
                                           len);

  found = cd_store_find_idempotency (server->store, request->user.tenant_id,
                                     request->user.id, key, &previous, &error);
  if (error != NULL)
    {
      respond_internal (request, error);
      return;
    }
  if (found && previous.created_at > now_seconds () - IDEMPOTENCY_WINDOW)
    {
      if (strcmp (previous.method, request->method) == 0
          && strcmp (previous.path, request->path) == 0
          && strcmp (previous.body_hash, body_hash) == 0)
        replay (request, &previous);
      else
        respond_problem (request, CD_PROBLEM_IDEMPOTENCY_KEY_REUSED,
                         "Dieser Idempotency-Key gehört zu einer anderen "
                         "Änderung.",
                         "This Idempotency-Key belongs to another change.");
      return;
    }

  object = read_body_object (request, kind != CHANGE_BOOK, &parser);
  if (object == NULL)
    return;
  if (kind == CHANGE_BOOK
      && (module = get_string_member (request, object, "module")) == NULL)
    return;

  /* From here on one transaction: the change, its event and its
   * idempotency record commit together, before the answer. */
  if (!cd_store_begin (server->store, &error))
    {
      respond_internal (request, error);
      return;
    }

  if (!load_device (request, device_id, &device, &bookings))
    {
      cd_store_rollback (server->store);
      return;
    }

  if (!if_match_ok (soup_message_headers_get_one (headers, "If-Match"),
                    device.revision))
    reject (&result, CD_PROBLEM_PRECONDITION_FAILED,
            "Das Gerät wurde inzwischen geändert; bitte neu laden.",
            "The device has changed in the meantime; reload it.");
  else if (kind == CHANGE_BOOK)
    {
      if (!apply_book (request, &device, bookings, module, &result, &error))
        goto fail;
    }
  else
    {
      const CdBookingRecord *booking = find_booking (bookings, booking_id);

      if (booking == NULL)
        {
          cd_store_rollback (server->store);
          respond_problem (request, CD_PROBLEM_NOT_FOUND,
                           "Diese Buchung gibt es auf dem Gerät nicht.",
                           "There is no such booking on the device.");
          return;
        }
      if (kind == CHANGE_CANCEL
          && !apply_cancel (request, &device, booking, &result, &error))
        goto fail;
      if (kind == CHANGE_WITHDRAW
          && !apply_withdraw (request, &device, booking, &result, &error))
        goto fail;
    }

  if (result.problem == CD_N_PROBLEMS)
    {
      if (!cd_store_bump_revision (server->store, request->user.tenant_id,
                                   device.id, &error))
        goto fail;
      device.revision++;
      etag = g_strdup_printf ("\"%" G_GINT64_FORMAT "\"", device.revision);
      record.content_type = (char *) "application/json";
    }
  else
    {
      etag = g_strdup_printf ("\"%" G_GINT64_FORMAT "\"", device.revision);
      result.status = cd_problem_get_status (result.problem);
      result.body = problem_body (request, result.problem,
                                  request->lang == CD_LANG_EN
                                  ? result.detail_en : result.detail_de);
      record.content_type = (char *) "application/problem+json";
    }

  /* The first answer is what a retry gets, refusals by the rules
   * included. A stale If-Match is not kept: the same change with a fresh
   * If-Match is what the client sends next, with the same key. */
  if (result.problem != CD_PROBLEM_PRECONDITION_FAILED)
    {
      gboolean stored;

      record.method = (char *) request->method;
      record.path = (char *) request->path;
      record.body_hash = body_hash;
      record.status = result.status;
      record.body = g_bytes_new (result.body->str, result.body->len);
      record.etag = etag;
      record.created_at = now_seconds ();
      stored = cd_store_put_idempotency (server->store,
                                         request->user.tenant_id,
                                         request->user.id, key, &record,
                                         &error);
      g_bytes_unref (record.body);
      if (!stored)
        goto fail;
    }
  if (!cd_store_commit (server->store, &error))
    goto fail;

  soup_message_headers_replace (
    soup_server_message_get_response_headers (request->msg), "ETag", etag);
  respond (request, result.status, record.content_type,
           g_steal_pointer (&result.body));
  return;

fail:
  cd_store_rollback (server->store);
  if (result.body != NULL)
    g_string_free (result.body, TRUE);
  respond_internal (request, error);
}

/* Routing */

static gboolean
method_is (Request    *request,
           const char *method)
{
  if (strcmp (request->method, method) == 0)
    return TRUE;

  soup_message_headers_replace (
    soup_server_message_get_response_headers (request->msg), "Allow", method);
  request->status = 405;
  return FALSE;
}

static void
respond_method_not_allowed (Request *request)
{
  g_autoptr(GString) body = NULL;

  /* 405 keeps the contract's problem shape with the generic code. */
  body = problem_body (request, CD_PROBLEM_INVALID_REQUEST,
                       request->lang == CD_LANG_EN
                       ? "This method is not allowed here."
                       : "Diese Methode ist hier nicht erlaubt.");
  g_string_replace (body, "\"status\":400", "\"status\":405", 1);
  respond (request, 405, "application/problem+json",
           g_steal_pointer (&body));
}

static void
route (Request    *request,
       GHashTable *query)
{
  g_auto(GStrv) parts = NULL;
  guint n;

  if (request->path[0] != '/')
    goto not_found;

  parts = g_strsplit (request->path + 1, "/", 8);
  n = g_strv_length (parts);

  if (n == 2 && strcmp (parts[0], "auth") == 0
      && strcmp (parts[1], "token") == 0)
    {
      if (!method_is (request, "POST"))
        goto wrong_method;
      handle_token (request);
      return;
    }

  if (!((n == 1 && (strcmp (parts[0], "me") == 0
                    || strcmp (parts[0], "license-types") == 0
                    || strcmp (parts[0], "modules") == 0
                    || strcmp (parts[0], "devices") == 0))
        || (n == 2 && strcmp (parts[0], "auth") == 0
            && strcmp (parts[1], "revoke") == 0)
        || (n >= 2 && n <= 5 && strcmp (parts[0], "devices") == 0
            && *parts[1] != '\0')))
    goto not_found;

  /* The rest of the shapes are checked once the caller is known, so
   * strangers learn nothing about which paths exist. */
  if (!authenticate (request))
    return;

  if (n == 2 && strcmp (parts[0], "auth") == 0)
    {
      if (!method_is (request, "POST"))
        goto wrong_method;
      handle_revoke (request);
    }
  else if (n == 1 && strcmp (parts[0], "me") == 0)
    {
      if (!method_is (request, "GET"))
        goto wrong_method;
      handle_me (request);
    }
  else if (n == 1 && strcmp (parts[0], "license-types") == 0)
    {
      if (!method_is (request, "GET"))
        goto wrong_method;
      handle_license_types (request);
    }
  else if (n == 1 && strcmp (parts[0], "modules") == 0)
    {
      if (!method_is (request, "GET"))
        goto wrong_method;
      handle_modules (request);
    }
  else if (n == 1)
    {
      if (!method_is (request, "GET"))
        goto wrong_method;
      handle_device_list (request, query);
    }
  else if (n == 2)
    {
      if (!method_is (request, "GET"))
        goto wrong_method;
      handle_device (request, parts[1]);
    }
  else if (n == 3 && strcmp (parts[2], "events") == 0)
    {
      if (!method_is (request, "GET"))
        goto wrong_method;
      handle_events (request, parts[1]);
    }
  else if (n == 3 && strcmp (parts[2], "bookings") == 0)
    {
      if (!method_is (request, "POST"))
        goto wrong_method;
      handle_change (request, CHANGE_BOOK, parts[1], NULL);
    }
  else if (n == 5 && strcmp (parts[2], "bookings") == 0
           && *parts[3] != '\0'
           && (strcmp (parts[4], "cancel") == 0
               || strcmp (parts[4], "withdraw-cancellation") == 0))
    {
      if (!method_is (request, "POST"))
        goto wrong_method;
      handle_change (request,
                     strcmp (parts[4], "cancel") == 0 ? CHANGE_CANCEL
                                                      : CHANGE_WITHDRAW,
                     parts[1], parts[3]);
    }
  else
    goto not_found;
  return;

wrong_method:
  respond_method_not_allowed (request);
  return;

not_found:
  respond_problem (request, CD_PROBLEM_NOT_FOUND,
                   "Diese Adresse gibt es nicht.", "There is no such path.");
}

/* A request body as it arrives. The server keeps no copy of its own
 * (accumulate is off), so a chunked body of any size costs at most
 * CD_SERVER_MAX_BODY of memory. */
typedef struct
{
  GByteArray *data;         /* (owned) (nullable) until the first chunk */
  guint64     received;
  gboolean    too_large;
  gint64      start;        /* monotonic, when the headers were read */
} RequestBody;

static void
request_body_free (gpointer data)
{
  RequestBody *body = data;

  g_clear_pointer (&body->data, g_byte_array_unref);
  g_free (body);
}

static void
on_got_chunk (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  RequestBody *body = user_data;
  gsize size = g_bytes_get_size (chunk);

  body->received += size;
  if (body->received > CD_SERVER_MAX_DRAIN)
    {
      g_autoptr(GIOStream) stream = NULL;

      /* An oversized body is drained so that the client, done sending,
       * reads its 413; one this far past the limit is not worth the
       * bandwidth, so the connection just ends. */
      g_debug ("%s %s dropped after %" G_GUINT64_FORMAT " bytes of body",
               soup_server_message_get_method (msg),
               g_uri_get_path (soup_server_message_get_uri (msg)),
               body->received);
      stream = soup_server_message_steal_connection (msg);
      if (stream != NULL)
        g_io_stream_close_async (stream, G_PRIORITY_DEFAULT, NULL, NULL,
                                 NULL);
      return;
    }

  if (body->too_large)
    return;
  if (body->received > CD_SERVER_MAX_BODY)
    {
      body->too_large = TRUE;
      g_clear_pointer (&body->data, g_byte_array_unref);
      return;
    }

  if (body->data == NULL)
    body->data = g_byte_array_sized_new ((guint) size);
  g_byte_array_append (body->data, g_bytes_get_data (chunk, NULL),
                       (guint) size);
}

static void
respond_too_large (Request *request)
{
  /* The rest of such a body is thrown away as it arrives, and a client
   * that sends one is not worth keeping a connection open for. */
  soup_message_headers_replace (
    soup_server_message_get_response_headers (request->msg), "Connection",
    "close");
  respond_problem (request, CD_PROBLEM_PAYLOAD_TOO_LARGE,
                   "Der Inhalt ist größer als 64 KiB.",
                   "The body is larger than 64 KiB.");
}

static void
on_request (SoupServer        *soup,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  CdServer *server = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  RequestBody *body = g_object_get_data (G_OBJECT (msg), "cd-request-body");
  Request request = { 0 };
  gint64 start = body != NULL ? body->start : g_get_monotonic_time ();

  request.server = server;
  request.msg = msg;
  request.method = soup_server_message_get_method (msg);
  request.lang = cd_lang_from_header (
    soup_message_headers_get_one (headers, "Accept-Language"));

  if (body != NULL && body->too_large)
    {
      request.path = path;
      respond_too_large (&request);
    }
  else if (!g_str_has_prefix (path, API_ROOT "/"))
    {
      request.path = path;
      respond_problem (&request, CD_PROBLEM_NOT_FOUND,
                       "Diese Adresse gibt es nicht.",
                       "There is no such path.");
    }
  else
    {
      request.path = path + strlen (API_ROOT);
      if (body != NULL && body->data != NULL && body->data->len > 0)
        request.body = g_byte_array_free_to_bytes (
          g_steal_pointer (&body->data));
      route (&request, query);
    }

  g_debug ("%s %s %u %.1f ms", request.method, path, request.status,
           (g_get_monotonic_time () - start) / 1000.0);

  g_clear_pointer (&request.body, g_bytes_unref);
  cd_user_record_clear (&request.user);
}

/* Sets up reading the body, and refuses one announced as too large before
 * it is read. */
static void
on_early_request (SoupServer        *soup,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  GSocket *socket = soup_server_message_get_socket (msg);
  RequestBody *body;
  Request request = { 0 };

  /* Headers and a large body go out in separate writes; without this,
   * Nagle's algorithm meets the client's delayed ACK and every page of
   * devices waits 40 ms. */
  if (socket != NULL
      && g_socket_get_family (socket) != G_SOCKET_FAMILY_UNIX)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);

  body = g_new0 (RequestBody, 1);
  body->start = g_get_monotonic_time ();
  g_object_set_data_full (G_OBJECT (msg), "cd-request-body", body,
                          request_body_free);
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg),
                                    FALSE);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), body);

  if (soup_message_headers_get_content_length (headers) <= CD_SERVER_MAX_BODY)
    return;

  /* What still arrives of the body is counted and thrown away. */
  body->too_large = TRUE;
  request.server = user_data;
  request.msg = msg;
  request.method = soup_server_message_get_method (msg);
  request.path = path;
  request.lang = cd_lang_from_header (
    soup_message_headers_get_one (headers, "Accept-Language"));
  respond_too_large (&request);
  g_debug ("%s %s %u %.1f ms (refused before the body)", request.method, path,
           request.status, (g_get_monotonic_time () - body->start) / 1000.0);
}

CdServer *
cd_server_new (CdStore          *store,
               const GDate      *today,
               GTlsCertificate  *tls_certificate,
               GError          **error)
{
  CdServer *server;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (today != NULL && g_date_valid (today), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  server = g_new0 (CdServer, 1);
  server->store = store;
  server->today = *today;
  cd_date_format (today, server->today_text);
  server->access_lifetime = CD_SERVER_ACCESS_TOKEN_LIFETIME;
  server->rate_limit = cd_rate_limit_new (5, 60);
  server->soup = soup_server_new ("server-header", "coredinate-portal ",
                                  "tls-certificate", tls_certificate,
                                  NULL);

  soup_server_add_early_handler (server->soup, NULL, on_early_request,
                                 server, NULL);
  soup_server_add_handler (server->soup, NULL, on_request, server, NULL);
  return server;
}

void
cd_server_free (CdServer *server)
{
  if (server == NULL)
    return;

  if (server->soup != NULL)
    soup_server_disconnect (server->soup);
  g_clear_object (&server->soup);
  g_clear_pointer (&server->rate_limit, cd_rate_limit_free);
  g_free (server->dummy_hash);
  g_free (server->url);
  g_free (server);
}

void
cd_server_set_access_token_lifetime (CdServer *server,
                                     guint     seconds)
{
  g_return_if_fail (server != NULL);
  g_return_if_fail (seconds > 0);

  server->access_lifetime = seconds;
}

gboolean
cd_server_parse_address (const char  *address,
                         char       **host_out,
                         guint       *port_out,
                         GError     **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autofree char *host = NULL;
  const char *colon;
  guint64 port = 0;

  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (host_out != NULL && port_out != NULL, FALSE);

  colon = strrchr (address, ':');
  if (colon == NULL || colon == address
      || !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &port, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not ADDRESS:PORT", address);
      return FALSE;
    }

  host = g_strndup (address, colon - address);
  if (host[0] == '[' && host[strlen (host) - 1] == ']')
    {
      char *inner = g_strndup (host + 1, strlen (host) - 2);

      g_free (host);
      host = inner;
    }

  inet = g_inet_address_new_from_string (host);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a numeric IP address", host);
      return FALSE;
    }

  *host_out = g_steal_pointer (&host);
  *port_out = (guint) port;
  return TRUE;
}

gboolean
cd_server_listen (CdServer    *server,
                  const char  *address,
                  GError     **error)
{
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autofree char *host = NULL;
  GSList *listeners;
  guint port = 0;
  gboolean tls;

  g_return_val_if_fail (server != NULL, FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

  if (!cd_server_parse_address (address, &host, &port, error))
    return FALSE;

  socket_address = g_inet_socket_address_new_from_string (host, port);
  tls = soup_server_is_https (server->soup);
  if (!soup_server_listen (server->soup, socket_address,
                           tls ? SOUP_SERVER_LISTEN_HTTPS : 0, error))
    return FALSE;

  /* The port that port 0 picked, read from the socket: libsoup 3.2's
   * soup_server_get_uris () leaks the address it reads. */
  listeners = soup_server_get_listeners (server->soup);
  if (listeners != NULL)
    {
      g_autoptr(GSocketAddress) local = NULL;

      local = g_socket_get_local_address (listeners->data, NULL);
      if (G_IS_INET_SOCKET_ADDRESS (local))
        port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
    }
  g_slist_free (listeners);

  g_free (server->url);
  server->url = g_strdup_printf ("%s://%s%s%s:%u", tls ? "https" : "http",
                                 strchr (host, ':') ? "[" : "", host,
                                 strchr (host, ':') ? "]" : "", port);
  return TRUE;
}

const char *
cd_server_get_url (CdServer *server)
{
  g_return_val_if_fail (server != NULL, NULL);

  return server->url;
}
