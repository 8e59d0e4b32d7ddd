/* cd-portal-json.c: strict readers of the portal's JSON documents.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-portal"

#include <string.h>

#include "cd-json-pull.h"
#include "cd-portal-json.h"
#include "cd-portal-private.h"

#define MAX_DEPTH 64

static gboolean
fail (GError     **error,
      const char  *member,
      const char  *expected)
{
  g_set_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_UNEXPECTED_RESPONSE,
               "Unexpected response: “%s” is missing or not %s",
               member, expected);
  return FALSE;
}

/* The four hex digits at data[i], or -1. */
static gint32
hex4_at (const char *data,
         gsize       length,
         gsize       i)
{
  gint32 value = 0;

  if (length - i < 4)
    return -1;

  for (guint k = 0; k < 4; k++)
    {
      if (!g_ascii_isxdigit (data[i + k]))
        return -1;
      value = value * 16 + g_ascii_xdigit_value (data[i + k]);
    }

  return value;
}

/* Skips the string at data[*i] ('"'): escapes as RFC 8259 has them, no
 * raw control characters, no \u0000 (it would cut the C string short),
 * no surrogate escape that is not half of a pair: json-glib would turn
 * "\ud800x" into bytes that are not UTF-8. */
static gboolean
skip_string (const char *data,
             gsize       length,
             gsize      *i)
{
  g_assert (data[*i] == '"');

  for ((*i)++; *i < length; (*i)++)
    {
      guchar c = (guchar) data[*i];
      gint32 unit;

      if (c == '"')
        {
          (*i)++;
          return TRUE;
        }
      if (c < 0x20)
        return FALSE;
      if (c != '\\')
        continue;

      if (++(*i) >= length)
        return FALSE;
      if (memchr ("\"\\/bfnrt", data[*i], 8) != NULL)
        continue;
      if (data[*i] != 'u')
        return FALSE;
      unit = hex4_at (data, length, *i + 1);
      if (unit <= 0 || (unit >= 0xdc00 && unit <= 0xdfff))
        return FALSE;
      *i += 4;
      if (unit >= 0xd800 && unit <= 0xdbff)
        {
          gint32 low = -1;

          if (length - *i > 2 && data[*i + 1] == '\\' && data[*i + 2] == 'u')
            low = hex4_at (data, length, *i + 3);
          if (low < 0xdc00 || low > 0xdfff)
            return FALSE;
          *i += 6;
        }
    }

  return FALSE;
}

static gboolean
skip_digits (const char *data,
             gsize       length,
             gsize      *i)
{
  gsize start = *i;

  while (*i < length && g_ascii_isdigit (data[*i]))
    (*i)++;

  return *i > start;
}

/* Whether the digits data[start..end) of a negative or positive integer
 * fit in 64 bits. */
static gboolean
fits_int64 (const char *data,
            gsize       start,
            gsize       end,
            gboolean    negative)
{
  const char *limit = negative ? "9223372036854775808"
                               : "9223372036854775807";
  gsize n = end - start;

  if (n != strlen (limit))
    return n < strlen (limit);

  return strncmp (data + start, limit, n) <= 0;
}

/* Skips the number at data[*i]:
 * -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
 * An integer must fit in 64 bits: json-glib wraps it around silently, so
 * that -18446744073709551615 would read as 1. */
static gboolean
skip_number (const char *data,
             gsize       length,
             gsize      *i)
{
  gboolean negative = data[*i] == '-';
  gsize digits;

  if (negative)
    (*i)++;
  digits = *i;
  if (*i < length && data[*i] == '0')
    (*i)++;
  else if (!skip_digits (data, length, i))
    return FALSE;

  if ((*i >= length || (data[*i] != '.' && data[*i] != 'e' &&
                        data[*i] != 'E')) &&
      !fits_int64 (data, digits, *i, negative))
    return FALSE;

  if (*i < length && data[*i] == '.')
    {
      (*i)++;
      if (!skip_digits (data, length, i))
        return FALSE;
    }

  if (*i < length && (data[*i] == 'e' || data[*i] == 'E'))
    {
      (*i)++;
      if (*i < length && (data[*i] == '+' || data[*i] == '-'))
        (*i)++;
      if (!skip_digits (data, length, i))
        return FALSE;
    }

  /* "01", "1.", "0x10": not one JSON number. */
  return *i >= length || !(g_ascii_isalnum (data[*i]) || data[*i] == '.');
}

static gboolean
skip_literal (const char *data,
              gsize       length,
              gsize      *i)
{
  const char * const literals[] = { "true", "false", "null" };

  for (guint k = 0; k < G_N_ELEMENTS (literals); k++)
    {
      gsize n = strlen (literals[k]);

      if (length - *i >= n && strncmp (data + *i, literals[k], n) == 0 &&
          (length - *i == n || !g_ascii_isalnum (data[*i + n])))
        {
          *i += n;
          return TRUE;
        }
    }

  return FALSE;
}

/* json-glib's scanner takes more than JSON: single quotes, comments, hex
 * and octal numbers, "\x41", raw tabs in strings, a second document after
 * the first. The portal speaks RFC 8259, so anything else is refused here,
 * token by token; the grammar (commas, colons) is json-glib's to check.
 * json-glib also parses recursively, so deep nesting is refused too. */
static gboolean
check_syntax (const char *data,
              gsize       length)
{
  guint depth = 0;
  gboolean done = FALSE;
  gsize i = 0;

  while (i < length)
    {
      char c = data[i];

      if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        {
          i++;
          continue;
        }

      /* The root is one object and nothing follows it. */
      if (done || (depth == 0 && c != '{'))
        return FALSE;

      if (c == '{' || c == '[')
        {
          if (++depth > MAX_DEPTH)
            return FALSE;
          i++;
        }
      else if (c == '}' || c == ']')
        {
          done = --depth == 0;
          i++;
        }
      else if (c == ',' || c == ':')
        i++;
      else if (c == '"')
        {
          if (!skip_string (data, length, &i))
            return FALSE;
        }
      else if (c == '-' || g_ascii_isdigit (c))
        {
          if (!skip_number (data, length, &i))
            return FALSE;
        }
      else if (!skip_literal (data, length, &i))
        return FALSE;
    }

  return done;
}

JsonNode *
cd_portal_json_parse (const char  *data,
                      gsize        length,
                      GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length == 0 || length > G_MAXSSIZE ||
      !g_utf8_validate_len (data, length, NULL) ||
      memchr (data, '\0', length) != NULL ||
      !check_syntax (data, length))
    {
      g_set_error_literal (error, CD_PORTAL_ERROR,
                           CD_PORTAL_ERROR_UNEXPECTED_RESPONSE,
                           "Unexpected response: not a JSON document");
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) length,
                                   &local_error))
    {
      g_set_error (error, CD_PORTAL_ERROR, CD_PORTAL_ERROR_UNEXPECTED_RESPONSE,
                   "Unexpected response: invalid JSON (%s)",
                   local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, CD_PORTAL_ERROR,
                           CD_PORTAL_ERROR_UNEXPECTED_RESPONSE,
                           "Unexpected response: not a JSON object");
      return NULL;
    }

  return json_node_ref (root);
}

/* The value of @n digits (already checked to be digits) at @text. */
static guint
digits_value (const char *text,
              guint       n)
{
  guint value = 0;

  for (guint i = 0; i < n; i++)
    value = value * 10 + (guint) (text[i] - '0');

  return value;
}

/* Strictly YYYY-MM-DD, and a real day. */
gboolean
cd_portal_json_parse_date (const char *text,
                           GDate      *date)
{
  guint year, month, day;

  g_return_val_if_fail (date != NULL, FALSE);

  if (text == NULL || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;

  for (guint i = 0; i < 10; i++)
    {
      if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
        return FALSE;
    }

  /* Three dates a device, a thousand devices a page: no strtoull (). */
  year = digits_value (text, 4);
  month = digits_value (text + 5, 2);
  day = digits_value (text + 8, 2);
  if (year < 1 || !g_date_valid_dmy (day, month, year))
    return FALSE;

  g_date_clear (date, 1);
  g_date_set_dmy (date, day, month, year);
  return TRUE;
}

static JsonNode *
member (JsonObject *object,
        const char *name)
{
  return json_object_get_member (object, name);
}

static gboolean
is_null (JsonNode *node)
{
  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

static gboolean
is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
is_integer (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_INT64;
}

static JsonObject *
read_object (JsonObject  *object,
             const char  *name,
             GError     **error)
{
  JsonNode *node = member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (error, name, "an object");
      return NULL;
    }

  return json_node_get_object (node);
}

static JsonArray *
read_array (JsonObject  *object,
            const char  *name,
            GError     **error)
{
  JsonNode *node = member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      fail (error, name, "an array");
      return NULL;
    }

  return json_node_get_array (node);
}

/* A string; with @nullable, null gives NULL. */
static gboolean
read_string (JsonObject   *object,
             const char   *name,
             gboolean      nullable,
             const char  **value,
             GError      **error)
{
  JsonNode *node = member (object, name);

  if (nullable && node != NULL && JSON_NODE_HOLDS_NULL (node))
    {
      *value = NULL;
      return TRUE;
    }

  if (!is_string (node))
    return fail (error, name, nullable ? "a string or null" : "a string");

  *value = json_node_get_string (node);
  return TRUE;
}

/* A code of the contract (license type, module): a non-empty string. */
static gboolean
read_code (JsonObject  *object,
           const char  *name,
           const char **value,
           GError     **error)
{
  if (!read_string (object, name, FALSE, value, error))
    return FALSE;

  if (**value == '\0')
    return fail (error, name, "a code");

  return TRUE;
}

/* Tokens go into a header: visible ASCII only, so no CR or LF can end the
 * header early (libsoup would drop the header and complain). */
static gboolean
read_token (JsonObject  *object,
            const char  *name,
            const char **value,
            GError     **error)
{
  if (!read_string (object, name, FALSE, value, error))
    return FALSE;

  if (**value == '\0')
    return fail (error, name, "a token");
  for (const char *c = *value; *c != '\0'; c++)
    {
      if (*c < 0x21 || *c > 0x7e)
        return fail (error, name, "a token");
    }

  return TRUE;
}

/* ISO 4217: three capital letters. */
static gboolean
read_currency (JsonObject  *object,
               const char  *name,
               const char **value,
               GError     **error)
{
  if (!read_string (object, name, FALSE, value, error))
    return FALSE;

  if (strlen (*value) != 3 || !g_ascii_isupper ((*value)[0]) ||
      !g_ascii_isupper ((*value)[1]) || !g_ascii_isupper ((*value)[2]))
    return fail (error, name, "a currency code");

  return TRUE;
}

/* Ids are opaque: a non-empty string, or an integer kept as its text. */
static gboolean
read_id (JsonObject  *object,
         const char  *name,
         char       **value,
         GError     **error)
{
  JsonNode *node = member (object, name);

  if (is_integer (node))
    {
      *value = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      return TRUE;
    }

  if (!is_string (node) || *json_node_get_string (node) == '\0')
    return fail (error, name, "an id");

  *value = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
read_int (JsonObject  *object,
          const char  *name,
          gint64       min,
          gint64       max,
          gint64      *value,
          GError     **error)
{
  JsonNode *node = member (object, name);

  if (!is_integer (node) || json_node_get_int (node) < min ||
      json_node_get_int (node) > max)
    return fail (error, name, "an integer in range");

  *value = json_node_get_int (node);
  return TRUE;
}

/* Fills @date, or clears it (g_date_valid() FALSE) for a nullable null. */
static gboolean
read_date (JsonObject  *object,
           const char  *name,
           gboolean     nullable,
           GDate       *date,
           GError     **error)
{
  JsonNode *node = member (object, name);

  g_date_clear (date, 1);

  if (nullable && is_null (node))
    return TRUE;

  if (!is_string (node) ||
      !cd_portal_json_parse_date (json_node_get_string (node), date))
    return fail (error, name, nullable ? "a date or null" : "a date");

  return TRUE;
}

static const GDate *
valid_or_null (const GDate *date)
{
  return g_date_valid (date) ? date : NULL;
}

/* RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM), "T"
 * and "Z" in either case. g_date_time_new_from_iso8601() alone would also
 * take week and ordinal dates, the basic format and more. */
static gboolean
is_rfc3339 (const char *text)
{
  static const char shape[] = "dddd-dd-ddTdd:dd:dd";
  gsize length = strlen (text);
  gsize i;

  if (length < sizeof shape - 1)
    return FALSE;

  for (i = 0; i < sizeof shape - 1; i++)
    {
      gboolean matches;

      if (shape[i] == 'd')
        matches = g_ascii_isdigit (text[i]);
      else if (shape[i] == 'T')
        matches = g_ascii_toupper (text[i]) == 'T';
      else
        matches = text[i] == shape[i];

      if (!matches)
        return FALSE;
    }

  if (text[i] == '.')
    {
      gsize start = ++i;

      while (g_ascii_isdigit (text[i]))
        i++;
      if (i == start)
        return FALSE;
    }

  if (g_ascii_toupper (text[i]) == 'Z')
    return text[i + 1] == '\0';

  return (text[i] == '+' || text[i] == '-') && length - i == 6 &&
         g_ascii_isdigit (text[i + 1]) && g_ascii_isdigit (text[i + 2]) &&
         text[i + 3] == ':' &&
         g_ascii_isdigit (text[i + 4]) && g_ascii_isdigit (text[i + 5]);
}

/* The instant of an RFC 3339 timestamp, in UTC whatever offset it was
 * written with; NULL when @text is none. */
static GDateTime *
timestamp_from_text (const char *text)
{
  g_autoptr(GDateTime) parsed = NULL;
  g_autofree char *upper = NULL;

  if (!is_rfc3339 (text))
    return NULL;

  upper = g_ascii_strup (text, -1);
  parsed = g_date_time_new_from_iso8601 (upper, NULL);

  /* In UTC a time of year 1 or 9999 may fall outside GDateTime. */
  return parsed != NULL ? g_date_time_to_utc (parsed) : NULL;
}

static GDateTime *
read_timestamp (JsonObject  *object,
                const char  *name,
                GError     **error)
{
  JsonNode *node = member (object, name);
  GDateTime *utc = NULL;

  if (is_string (node))
    utc = timestamp_from_text (json_node_get_string (node));

  if (utc == NULL)
    fail (error, name, "an RFC 3339 timestamp");

  return utc;
}

static gboolean
read_enum (JsonObject  *object,
           const char  *name,
           GType        enum_type,
           int         *value,
           GError     **error)
{
  g_autoptr(GEnumClass) enum_class = g_type_class_ref (enum_type);
  JsonNode *node = member (object, name);
  GEnumValue *enum_value = NULL;

  if (is_string (node))
    enum_value = g_enum_get_value_by_nick (enum_class,
                                           json_node_get_string (node));

  if (enum_value == NULL)
    return fail (error, name, "a known value");

  *value = enum_value->value;
  return TRUE;
}

static GStrv
read_string_array (JsonObject  *object,
                   const char  *name,
                   GError     **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  if ((array = read_array (object, name, error)) == NULL)
    return NULL;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (!is_string (node) || *json_node_get_string (node) == '\0')
        {
          fail (error, name, "an array of strings");
          return NULL;
        }
      g_strv_builder_add (builder, json_node_get_string (node));
    }

  return g_strv_builder_end (builder);
}

/* The object at position @i of @array, or NULL with @error set. */
static JsonObject *
array_object (JsonArray   *array,
              guint        i,
              const char  *name,
              GError     **error)
{
  JsonNode *node = json_array_get_element (array, i);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (error, name, "an array of objects");
      return NULL;
    }

  return json_node_get_object (node);
}

static JsonObject *
root_object (JsonNode  *root,
             GError   **error)
{
  g_return_val_if_fail (root != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      fail (error, "(document)", "an object");
      return NULL;
    }

  return json_node_get_object (root);
}

gboolean
cd_portal_json_read_token (JsonNode  *root,
                           char     **access_token,
                           char     **refresh_token,
                           gint64    *expires_in,
                           GError   **error)
{
  JsonObject *object;
  const char *access, *refresh, *token_type;

  g_return_val_if_fail (access_token != NULL, FALSE);
  g_return_val_if_fail (refresh_token != NULL, FALSE);

  if ((object = root_object (root, error)) == NULL ||
      !read_token (object, "access_token", &access, error) ||
      !read_token (object, "refresh_token", &refresh, error) ||
      !read_string (object, "token_type", FALSE, &token_type, error) ||
      !read_int (object, "expires_in", 0, G_MAXINT32, expires_in, error))
    return FALSE;

  if (g_ascii_strcasecmp (token_type, "Bearer") != 0)
    return fail (error, "token_type", "“Bearer”");

  *access_token = g_strdup (access);
  *refresh_token = g_strdup (refresh);
  return TRUE;
}

CdAccount *
cd_portal_json_read_account (JsonNode  *root,
                             GError   **error)
{
  JsonObject *object, *tenant;
  const char *username, *display_name, *tenant_name;
  g_autofree char *tenant_id = NULL;
  int role;

  if ((object = root_object (root, error)) == NULL ||
      !read_string (object, "username", FALSE, &username, error) ||
      !read_string (object, "display_name", FALSE, &display_name, error) ||
      !read_enum (object, "role", CD_TYPE_ACCOUNT_ROLE, &role, error) ||
      (tenant = read_object (object, "tenant", error)) == NULL ||
      !read_id (tenant, "id", &tenant_id, error) ||
      !read_string (tenant, "name", FALSE, &tenant_name, error))
    return NULL;

  return cd_account_new (username, display_name, role, tenant_id,
                         tenant_name);
}

GListModel *
cd_portal_json_read_license_types (JsonNode  *root,
                                   GError   **error)
{
  g_autoptr(GListStore) store = g_list_store_new (CD_TYPE_LICENSE_TYPE);
  JsonObject *object;
  JsonArray *items;

  if ((object = root_object (root, error)) == NULL ||
      (items = read_array (object, "items", error)) == NULL)
    return NULL;

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      g_autoptr(CdLicenseType) license_type = NULL;
      JsonObject *item;
      const char *code, *name;
      gint64 term_months, notice_months;

      if ((item = array_object (items, i, "items", error)) == NULL ||
          !read_code (item, "code", &code, error) ||
          !read_string (item, "name", FALSE, &name, error) ||
          !read_int (item, "term_months", 1, 1200, &term_months, error) ||
          !read_int (item, "notice_months", 0, 1200, &notice_months, error))
        return NULL;

      license_type = cd_license_type_new (code, name, term_months,
                                          notice_months);
      g_list_store_append (store, license_type);
    }

  return G_LIST_MODEL (g_steal_pointer (&store));
}

GListModel *
cd_portal_json_read_modules (JsonNode  *root,
                             GError   **error)
{
  g_autoptr(GListStore) store = g_list_store_new (CD_TYPE_MODULE);
  JsonObject *object;
  JsonArray *items;

  if ((object = root_object (root, error)) == NULL ||
      (items = read_array (object, "items", error)) == NULL)
    return NULL;

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      g_autoptr(CdModule) module = NULL;
      g_auto(GStrv) available_for = NULL;
      JsonObject *item, *price;
      const char *code, *name, *description, *currency;
      gint64 amount_minor;

      if ((item = array_object (items, i, "items", error)) == NULL ||
          !read_code (item, "code", &code, error) ||
          !read_string (item, "name", FALSE, &name, error) ||
          !read_string (item, "description", FALSE, &description, error) ||
          (available_for = read_string_array (item, "available_for",
                                              error)) == NULL ||
          (price = read_object (item, "monthly_price", error)) == NULL ||
          !read_int (price, "amount_minor", 0, G_MAXINT32, &amount_minor,
                     error) ||
          !read_currency (price, "currency", &currency, error))
        return NULL;

      module = cd_module_new (code, name, description,
                              (const char * const *) available_for,
                              amount_minor, currency);
      g_list_store_append (store, module);
    }

  return G_LIST_MODEL (g_steal_pointer (&store));
}

static CdLicense *
read_license (JsonObject  *object,
              gboolean     detail,
              GError     **error)
{
  const char *type_code;
  int state;
  GDate current_term_end, next_possible_end, ends_on;
  GDate term_start, notice_deadline;
  gint64 term_months = -1, notice_months = -1;

  /* The term dates always exist for a license; only ends_on (set when
   * the license was cancelled) may be null. */
  if (!read_code (object, "type", &type_code, error) ||
      !read_enum (object, "state", CD_TYPE_LICENSE_STATE, &state, error) ||
      !read_date (object, "current_term_end", FALSE, &current_term_end,
                  error) ||
      !read_date (object, "next_possible_end", FALSE, &next_possible_end,
                  error) ||
      !read_date (object, "ends_on", TRUE, &ends_on, error))
    return NULL;

  if (state == CD_LICENSE_STATE_CANCELLED && !g_date_valid (&ends_on))
    {
      fail (error, "ends_on", "a date for a cancelled license");
      return NULL;
    }

  g_date_clear (&term_start, 1);
  g_date_clear (&notice_deadline, 1);
  if (detail &&
      (!read_date (object, "term_start", FALSE, &term_start, error) ||
       !read_int (object, "term_months", 1, 1200, &term_months, error) ||
       !read_int (object, "notice_months", 0, 1200, &notice_months, error) ||
       !read_date (object, "notice_deadline", FALSE, &notice_deadline,
                   error)))
    return NULL;

  return cd_license_new (type_code, state,
                         valid_or_null (&current_term_end),
                         valid_or_null (&next_possible_end),
                         valid_or_null (&ends_on),
                         detail,
                         valid_or_null (&term_start),
                         (int) term_months, (int) notice_months,
                         valid_or_null (&notice_deadline));
}

static CdDevice *
read_device (JsonObject  *object,
             gboolean     detail,
             GError     **error)
{
  g_autofree char *id = NULL;
  const char *name, *model, *serial, *app_version;
  g_autoptr(GDateTime) last_seen_at = NULL;
  g_autoptr(CdLicense) license = NULL;
  g_autoptr(GArray) modules = NULL;
  JsonNode *license_node;
  JsonArray *module_array;
  int platform;

  if (!read_id (object, "id", &id, error) ||
      !read_string (object, "name", FALSE, &name, error) ||
      !read_string (object, "model", FALSE, &model, error) ||
      !read_enum (object, "platform", CD_TYPE_PLATFORM, &platform, error) ||
      !read_string (object, "serial", FALSE, &serial, error) ||
      !read_string (object, "app_version", FALSE, &app_version, error) ||
      (last_seen_at = read_timestamp (object, "last_seen_at", error)) == NULL)
    return NULL;

  license_node = member (object, "license");
  if (license_node == NULL ||
      (!JSON_NODE_HOLDS_NULL (license_node) &&
       !JSON_NODE_HOLDS_OBJECT (license_node)))
    {
      fail (error, "license", "an object or null");
      return NULL;
    }
  if (JSON_NODE_HOLDS_OBJECT (license_node) &&
      (license = read_license (json_node_get_object (license_node), detail,
                               error)) == NULL)
    return NULL;

  if ((module_array = read_array (object, "modules", error)) == NULL)
    return NULL;

  modules = g_array_new (FALSE, TRUE, sizeof (CdModuleSummary));
  g_array_set_clear_func (modules, (GDestroyNotify) cd_module_summary_clear);
  for (guint i = 0; i < json_array_get_length (module_array); i++)
    {
      JsonObject *item;
      const char *code;
      int state;
      GDate ends_on;
      CdModuleSummary summary;

      if ((item = array_object (module_array, i, "modules", error)) == NULL ||
          !read_code (item, "code", &code, error) ||
          !read_enum (item, "state", CD_TYPE_BOOKING_STATE, &state, error) ||
          !read_date (item, "ends_on", TRUE, &ends_on, error))
        return NULL;

      summary.code = g_strdup (code);
      summary.state = state;
      summary.ends_on = cd_portal_date_dup (valid_or_null (&ends_on));
      g_array_append_val (modules, summary);
    }

  return cd_device_new_summary (id, name, model, platform, serial,
                                app_version, last_seen_at, license,
                                g_steal_pointer (&modules));
}

GListModel *
cd_portal_json_read_device_page (JsonNode  *root,
                                 char     **next_cursor,
                                 guint     *total,
                                 GError   **error)
{
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GListStore) store = NULL;
  JsonObject *object;
  JsonArray *items;
  const char *cursor;
  gint64 count;

  g_return_val_if_fail (next_cursor != NULL, NULL);
  g_return_val_if_fail (total != NULL, NULL);

  if ((object = root_object (root, error)) == NULL ||
      (items = read_array (object, "items", error)) == NULL ||
      !read_string (object, "next_cursor", TRUE, &cursor, error) ||
      !read_int (object, "total", 0, G_MAXINT32, &count, error))
    return NULL;

  /* An empty cursor would ask for the first page again. */
  if (cursor != NULL && *cursor == '\0')
    {
      fail (error, "next_cursor", "a cursor or null");
      return NULL;
    }

  /* "total" counts every match, this page included. */
  if (count < json_array_get_length (items))
    {
      fail (error, "total", "at least the page's size");
      return NULL;
    }

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item;
      CdDevice *device;

      if ((item = array_object (items, i, "items", error)) == NULL ||
          (device = read_device (item, FALSE, error)) == NULL)
        return NULL;

      g_ptr_array_add (devices, device);
    }

  store = g_list_store_new (CD_TYPE_DEVICE);
  g_list_store_splice (store, 0, 0, devices->pdata, devices->len);
  *next_cursor = g_strdup (cursor);
  *total = (guint) count;
  return G_LIST_MODEL (g_steal_pointer (&store));
}

/* The device page in one pass ---------------------------------------------
 *
 * GET /devices brings a thousand devices a page; json-glib's tree of them
 * costs more to build and free than reading them does. This reader pulls
 * the same values straight from the bytes and must agree with
 * cd_portal_json_parse () plus cd_portal_json_read_device_page () on
 * every document: what is accepted, the devices read, the message when
 * not (tests/fuzz/fuzz-portal-json.c checks both against each other).
 *
 * Duplicate members are taken as json-glib takes them: the last one
 * counts, whatever came before it, be it wrong or right. So each member is
 * only judged when its object has ended, and then in the order the
 * json-glib reader checks them, which gives the same first complaint.
 * Syntax comes first: a document that is no JSON is refused as such, even
 * when a member before the broken part was wrong already. */

/* What is wrong with a member, in fail ()'s words; member NULL: nothing. */
typedef struct
{
  const char *member;
  const char *expected;
} Problem;

static inline void
problem_set (Problem    *problem,
             const char *member,
             const char *expected)
{
  problem->member = member;
  problem->expected = expected;
}

/* The first of @problems that is one, or NULL. */
static const Problem *
first_problem (const Problem *problems,
               guint          n_problems)
{
  for (guint i = 0; i < n_problems; i++)
    {
      if (problems[i].member != NULL)
        return &problems[i];
    }

  return NULL;
}

typedef struct
{
  CdJsonPull  pull;
  GString    *text;            /* (owned) decoded strings, NUL after each */
  GEnumClass *platforms;       /* (owned) */
  GEnumClass *license_states;  /* (owned) */
  GEnumClass *booking_states;  /* (owned) */
} PageReader;

static void
page_reader_init (PageReader *reader,
                  const char *data,
                  gsize       length)
{
  cd_json_pull_init (&reader->pull, data, length);
  reader->text = g_string_sized_new (256);
  reader->platforms = g_type_class_ref (CD_TYPE_PLATFORM);
  reader->license_states = g_type_class_ref (CD_TYPE_LICENSE_STATE);
  reader->booking_states = g_type_class_ref (CD_TYPE_BOOKING_STATE);
}

static void
page_reader_clear (PageReader *reader)
{
  cd_json_pull_clear (&reader->pull);
  if (reader->text != NULL)
    g_string_free (reader->text, TRUE);
  reader->text = NULL;
  g_clear_pointer (&reader->platforms, g_type_class_unref);
  g_clear_pointer (&reader->license_states, g_type_class_unref);
  g_clear_pointer (&reader->booking_states, g_type_class_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PageReader, page_reader_clear)

static int
member_index (const char         *name,
              gsize               length,
              const char * const *names,
              guint               n_names)
{
  for (guint i = 0; i < n_names; i++)
    {
      if (strlen (names[i]) == length && memcmp (name, names[i], length) == 0)
        return (int) i;
    }

  return -1;
}

static inline const char *
text_at (PageReader *reader,
         gsize       offset)
{
  return reader->text->str + offset;
}

/* Decodes a string value into reader->text at *@offset; any other value
 * is skipped and gives FALSE. */
static gboolean
pull_text (PageReader *reader,
           gsize      *offset)
{
  if (cd_json_pull_peek (&reader->pull) != CD_JSON_PULL_STRING)
    {
      cd_json_pull_skip (&reader->pull);
      return FALSE;
    }

  *offset = reader->text->len;
  if (!cd_json_pull_read_string (&reader->pull, reader->text))
    return FALSE;
  g_string_append_c (reader->text, '\0');

  return TRUE;
}

static void
pull_string (PageReader *reader,
             const char *name,
             gsize      *offset,
             Problem    *problem)
{
  if (pull_text (reader, offset))
    problem_set (problem, NULL, NULL);
  else
    problem_set (problem, name, "a string");
}

static void
pull_code (PageReader *reader,
           const char *name,
           gsize      *offset,
           Problem    *problem)
{
  if (!pull_text (reader, offset))
    problem_set (problem, name, "a string");
  else if (*text_at (reader, *offset) == '\0')
    problem_set (problem, name, "a code");
  else
    problem_set (problem, NULL, NULL);
}

/* As read_id (): a non-empty string, or an integer kept as its text. */
static void
pull_id (PageReader *reader,
         const char *name,
         gsize      *offset,
         Problem    *problem)
{
  if (cd_json_pull_peek (&reader->pull) == CD_JSON_PULL_NUMBER)
    {
      gboolean is_integer = FALSE;
      gint64 value;

      if (cd_json_pull_read_number (&reader->pull, &is_integer, &value) &&
          is_integer)
        {
          *offset = reader->text->len;
          g_string_append_printf (reader->text, "%" G_GINT64_FORMAT, value);
          g_string_append_c (reader->text, '\0');
          problem_set (problem, NULL, NULL);
          return;
        }
    }
  else if (pull_text (reader, offset) && *text_at (reader, *offset) != '\0')
    {
      problem_set (problem, NULL, NULL);
      return;
    }

  problem_set (problem, name, "an id");
}

static void
pull_int (PageReader *reader,
          const char *name,
          gint64      min,
          gint64      max,
          gint64     *value,
          Problem    *problem)
{
  gboolean is_integer = FALSE;
  gint64 number = 0;

  if (cd_json_pull_peek (&reader->pull) == CD_JSON_PULL_NUMBER)
    cd_json_pull_read_number (&reader->pull, &is_integer, &number);
  else
    cd_json_pull_skip (&reader->pull);

  if (is_integer && number >= min && number <= max)
    {
      *value = number;
      problem_set (problem, NULL, NULL);
    }
  else
    problem_set (problem, name, "an integer in range");
}

static void
pull_enum (PageReader *reader,
           const char *name,
           GEnumClass *enum_class,
           int        *value,
           Problem    *problem)
{
  gsize mark = reader->text->len;
  GEnumValue *enum_value = NULL;
  gsize offset;

  if (pull_text (reader, &offset))
    enum_value = g_enum_get_value_by_nick (enum_class,
                                           text_at (reader, offset));
  g_string_truncate (reader->text, mark);

  if (enum_value == NULL)
    {
      problem_set (problem, name, "a known value");
      return;
    }

  *value = enum_value->value;
  problem_set (problem, NULL, NULL);
}

/* As read_date (): @date is cleared for a nullable null. */
static void
pull_date (PageReader *reader,
           const char *name,
           gboolean    nullable,
           GDate      *date,
           Problem    *problem)
{
  gsize mark = reader->text->len;
  gboolean read;
  gsize offset;

  g_date_clear (date, 1);

  if (nullable && cd_json_pull_peek (&reader->pull) == CD_JSON_PULL_NULL)
    {
      cd_json_pull_skip (&reader->pull);
      problem_set (problem, NULL, NULL);
      return;
    }

  read = pull_text (reader, &offset) &&
         cd_portal_json_parse_date (text_at (reader, offset), date);
  g_string_truncate (reader->text, mark);

  if (read)
    problem_set (problem, NULL, NULL);
  else
    problem_set (problem, name, nullable ? "a date or null" : "a date");
}

static void
pull_timestamp (PageReader  *reader,
                const char  *name,
                GDateTime  **value,
                Problem     *problem)
{
  gsize mark = reader->text->len;
  gsize offset;

  g_clear_pointer (value, g_date_time_unref);
  if (pull_text (reader, &offset))
    *value = timestamp_from_text (text_at (reader, offset));
  g_string_truncate (reader->text, mark);

  if (*value != NULL)
    problem_set (problem, NULL, NULL);
  else
    problem_set (problem, name, "an RFC 3339 timestamp");
}

/* Members in the order read_license () checks them. */
enum
{
  LICENSE_TYPE,
  LICENSE_STATE,
  LICENSE_CURRENT_TERM_END,
  LICENSE_NEXT_POSSIBLE_END,
  LICENSE_ENDS_ON,
  N_LICENSE_MEMBERS
};

static const char * const license_members[N_LICENSE_MEMBERS] = {
  "type", "state", "current_term_end", "next_possible_end", "ends_on",
};

/* The license object at the reader's position, or NULL with @problem. */
static CdLicense *
pull_license (PageReader *reader,
              Problem    *problem)
{
  Problem problems[N_LICENSE_MEMBERS] = {
    [LICENSE_TYPE] = { "type", "a string" },
    [LICENSE_STATE] = { "state", "a known value" },
    [LICENSE_CURRENT_TERM_END] = { "current_term_end", "a date" },
    [LICENSE_NEXT_POSSIBLE_END] = { "next_possible_end", "a date" },
  };
  const Problem *first;
  const char *name;
  gsize name_length;
  gsize type_code = 0;
  int state = 0;
  GDate current_term_end, next_possible_end, ends_on;

  g_date_clear (&current_term_end, 1);
  g_date_clear (&next_possible_end, 1);
  g_date_clear (&ends_on, 1);

  cd_json_pull_enter_object (&reader->pull);
  while (cd_json_pull_next_member (&reader->pull, &name, &name_length))
    {
      int index = member_index (name, name_length, license_members,
                                N_LICENSE_MEMBERS);
      Problem *member_problem = index >= 0 ? &problems[index] : NULL;

      switch (index)
        {
        case LICENSE_TYPE:
          pull_code (reader, "type", &type_code, member_problem);
          break;
        case LICENSE_STATE:
          pull_enum (reader, "state", reader->license_states, &state,
                     member_problem);
          break;
        case LICENSE_CURRENT_TERM_END:
          pull_date (reader, "current_term_end", FALSE, &current_term_end,
                     member_problem);
          break;
        case LICENSE_NEXT_POSSIBLE_END:
          pull_date (reader, "next_possible_end", FALSE, &next_possible_end,
                     member_problem);
          break;
        case LICENSE_ENDS_ON:
          pull_date (reader, "ends_on", TRUE, &ends_on, member_problem);
          break;
        default:
          cd_json_pull_skip (&reader->pull);
          break;
        }
    }

  if ((first = first_problem (problems, N_LICENSE_MEMBERS)) != NULL)
    {
      *problem = *first;
      return NULL;
    }

  if (state == CD_LICENSE_STATE_CANCELLED && !g_date_valid (&ends_on))
    {
      problem_set (problem, "ends_on", "a date for a cancelled license");
      return NULL;
    }

  problem_set (problem, NULL, NULL);
  return cd_license_new (text_at (reader, type_code), state,
                         valid_or_null (&current_term_end),
                         valid_or_null (&next_possible_end),
                         valid_or_null (&ends_on),
                         FALSE, NULL, -1, -1, NULL);
}

enum
{
  MODULE_CODE,
  MODULE_STATE,
  MODULE_ENDS_ON,
  N_MODULE_MEMBERS
};

static const char * const module_members[N_MODULE_MEMBERS] = {
  "code", "state", "ends_on",
};

/* One module summary object into @modules, or FALSE with @problem. */
static gboolean
pull_module (PageReader *reader,
             GArray     *modules,
             Problem    *problem)
{
  Problem problems[N_MODULE_MEMBERS] = {
    [MODULE_CODE] = { "code", "a string" },
    [MODULE_STATE] = { "state", "a known value" },
  };
  gsize mark = reader->text->len;
  const Problem *first;
  const char *name;
  gsize name_length;
  gsize code = 0;
  int state = 0;
  GDate ends_on;
  CdModuleSummary summary;

  g_date_clear (&ends_on, 1);

  cd_json_pull_enter_object (&reader->pull);
  while (cd_json_pull_next_member (&reader->pull, &name, &name_length))
    {
      int index = member_index (name, name_length, module_members,
                                N_MODULE_MEMBERS);
      Problem *member_problem = index >= 0 ? &problems[index] : NULL;

      switch (index)
        {
        case MODULE_CODE:
          pull_code (reader, "code", &code, member_problem);
          break;
        case MODULE_STATE:
          pull_enum (reader, "state", reader->booking_states, &state,
                     member_problem);
          break;
        case MODULE_ENDS_ON:
          pull_date (reader, "ends_on", TRUE, &ends_on, member_problem);
          break;
        default:
          cd_json_pull_skip (&reader->pull);
          break;
        }
    }

  if ((first = first_problem (problems, N_MODULE_MEMBERS)) != NULL)
    {
      *problem = *first;
      return FALSE;
    }

  summary.code = g_strdup (text_at (reader, code));
  summary.state = state;
  summary.ends_on = cd_portal_date_dup (valid_or_null (&ends_on));
  g_array_append_val (modules, summary);
  g_string_truncate (reader->text, mark);

  return TRUE;
}

/* The modules array at the reader's position, or NULL with @problem. */
static GArray *
pull_modules (PageReader *reader,
              Problem    *problem)
{
  g_autoptr(GArray) modules = g_array_new (FALSE, TRUE,
                                           sizeof (CdModuleSummary));

  g_array_set_clear_func (modules, (GDestroyNotify) cd_module_summary_clear);
  problem_set (problem, NULL, NULL);

  cd_json_pull_enter_array (&reader->pull);
  while (cd_json_pull_next_element (&reader->pull))
    {
      /* The first bad module is the one told; the rest is only checked
       * to be JSON. */
      if (problem->member != NULL)
        cd_json_pull_skip (&reader->pull);
      else if (cd_json_pull_peek (&reader->pull) != CD_JSON_PULL_OBJECT)
        {
          cd_json_pull_skip (&reader->pull);
          problem_set (problem, "modules", "an array of objects");
        }
      else
        pull_module (reader, modules, problem);
    }

  return problem->member == NULL ? g_steal_pointer (&modules) : NULL;
}

/* Members in the order read_device () checks them. */
enum
{
  DEVICE_ID,
  DEVICE_NAME,
  DEVICE_MODEL,
  DEVICE_PLATFORM,
  DEVICE_SERIAL,
  DEVICE_APP_VERSION,
  DEVICE_LAST_SEEN_AT,
  DEVICE_LICENSE,
  DEVICE_MODULES,
  N_DEVICE_MEMBERS
};

static const char * const device_members[N_DEVICE_MEMBERS] = {
  "id", "name", "model", "platform", "serial", "app_version",
  "last_seen_at", "license", "modules",
};

/* The device summary object at the reader's position, or NULL with
 * @problem (or with the reader failed). */
static CdDevice *
pull_device (PageReader *reader,
             Problem    *problem)
{
  Problem problems[N_DEVICE_MEMBERS] = {
    [DEVICE_ID] = { "id", "an id" },
    [DEVICE_NAME] = { "name", "a string" },
    [DEVICE_MODEL] = { "model", "a string" },
    [DEVICE_PLATFORM] = { "platform", "a known value" },
    [DEVICE_SERIAL] = { "serial", "a string" },
    [DEVICE_APP_VERSION] = { "app_version", "a string" },
    [DEVICE_LAST_SEEN_AT] = { "last_seen_at", "an RFC 3339 timestamp" },
    [DEVICE_LICENSE] = { "license", "an object or null" },
    [DEVICE_MODULES] = { "modules", "an array" },
  };
  gsize strings[N_DEVICE_MEMBERS] = { 0 };
  g_autoptr(GDateTime) last_seen_at = NULL;
  g_autoptr(CdLicense) license = NULL;
  g_autoptr(GArray) modules = NULL;
  const Problem *first;
  const char *name;
  gsize name_length;
  int platform = 0;

  g_string_truncate (reader->text, 0);

  cd_json_pull_enter_object (&reader->pull);
  while (cd_json_pull_next_member (&reader->pull, &name, &name_length))
    {
      int index = member_index (name, name_length, device_members,
                                N_DEVICE_MEMBERS);
      Problem *member_problem = index >= 0 ? &problems[index] : NULL;

      switch (index)
        {
        case DEVICE_ID:
          pull_id (reader, "id", &strings[index], member_problem);
          break;
        case DEVICE_NAME:
        case DEVICE_MODEL:
        case DEVICE_SERIAL:
        case DEVICE_APP_VERSION:
          pull_string (reader, device_members[index], &strings[index],
                       member_problem);
          break;
        case DEVICE_PLATFORM:
          pull_enum (reader, "platform", reader->platforms, &platform,
                     member_problem);
          break;
        case DEVICE_LAST_SEEN_AT:
          pull_timestamp (reader, "last_seen_at", &last_seen_at,
                          member_problem);
          break;
        case DEVICE_LICENSE:
          g_clear_object (&license);
          switch (cd_json_pull_peek (&reader->pull))
            {
            case CD_JSON_PULL_NULL:
              cd_json_pull_skip (&reader->pull);
              problem_set (member_problem, NULL, NULL);
              break;
            case CD_JSON_PULL_OBJECT:
              license = pull_license (reader, member_problem);
              break;
            default:
              cd_json_pull_skip (&reader->pull);
              problem_set (member_problem, "license", "an object or null");
              break;
            }
          break;
        case DEVICE_MODULES:
          g_clear_pointer (&modules, g_array_unref);
          if (cd_json_pull_peek (&reader->pull) == CD_JSON_PULL_ARRAY)
            modules = pull_modules (reader, member_problem);
          else
            {
              cd_json_pull_skip (&reader->pull);
              problem_set (member_problem, "modules", "an array");
            }
          break;
        default:
          cd_json_pull_skip (&reader->pull);
          break;
        }
    }

  if ((first = first_problem (problems, N_DEVICE_MEMBERS)) != NULL)
    {
      *problem = *first;
      return NULL;
    }

  return cd_device_new_summary (text_at (reader, strings[DEVICE_ID]),
                                text_at (reader, strings[DEVICE_NAME]),
                                text_at (reader, strings[DEVICE_MODEL]),
                                platform,
                                text_at (reader, strings[DEVICE_SERIAL]),
                                text_at (reader, strings[DEVICE_APP_VERSION]),
                                last_seen_at, license,
                                g_steal_pointer (&modules));
}

/* Reads the items array into @devices, counting every element into
 * @n_items as json_array_get_length () would; the first bad device is
 * kept in @item_problem and the rest is only checked to be JSON. */
static void
pull_items (PageReader *reader,
            GPtrArray  *devices,
            guint      *n_items,
            Problem    *problem,
            Problem    *item_problem)
{
  g_ptr_array_set_size (devices, 0);
  *n_items = 0;
  problem_set (item_problem, NULL, NULL);

  if (cd_json_pull_peek (&reader->pull) != CD_JSON_PULL_ARRAY)
    {
      cd_json_pull_skip (&reader->pull);
      problem_set (problem, "items", "an array");
      return;
    }
  problem_set (problem, NULL, NULL);

  cd_json_pull_enter_array (&reader->pull);
  while (cd_json_pull_next_element (&reader->pull))
    {
      CdDevice *device;

      (*n_items)++;
      if (item_problem->member != NULL)
        cd_json_pull_skip (&reader->pull);
      else if (cd_json_pull_peek (&reader->pull) != CD_JSON_PULL_OBJECT)
        {
          cd_json_pull_skip (&reader->pull);
          problem_set (item_problem, "items", "an array of objects");
        }
      else if ((device = pull_device (reader, item_problem)) != NULL)
        g_ptr_array_add (devices, device);
    }
}

enum
{
  PAGE_ITEMS,
  PAGE_NEXT_CURSOR,
  PAGE_TOTAL,
  N_PAGE_MEMBERS
};

static const char * const page_members[N_PAGE_MEMBERS] = {
  "items", "next_cursor", "total",
};

GListModel *
cd_portal_json_pull_device_page (const char  *data,
                                 gsize        length,
                                 char       **next_cursor,
                                 guint       *total,
                                 GError     **error)
{
  g_auto(PageReader) reader = { 0 };
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GListStore) store = NULL;
  g_autofree char *cursor = NULL;
  Problem problems[N_PAGE_MEMBERS] = {
    [PAGE_ITEMS] = { "items", "an array" },
    [PAGE_NEXT_CURSOR] = { "next_cursor", "a string or null" },
    [PAGE_TOTAL] = { "total", "an integer in range" },
  };
  Problem item_problem = { NULL, NULL };
  const Problem *first;
  const char *name;
  gsize name_length;
  gint64 count = 0;
  guint n_items = 0;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (next_cursor != NULL, NULL);
  g_return_val_if_fail (total != NULL, NULL);

  page_reader_init (&reader, data, length);

  cd_json_pull_enter_object (&reader.pull);
  while (cd_json_pull_next_member (&reader.pull, &name, &name_length))
    {
      int index = member_index (name, name_length, page_members,
                                N_PAGE_MEMBERS);
      Problem *member_problem = index >= 0 ? &problems[index] : NULL;
      gsize offset;

      switch (index)
        {
        case PAGE_ITEMS:
          pull_items (&reader, devices, &n_items, member_problem,
                      &item_problem);
          break;
        case PAGE_NEXT_CURSOR:
          g_clear_pointer (&cursor, g_free);
          g_string_truncate (reader.text, 0);
          if (cd_json_pull_peek (&reader.pull) == CD_JSON_PULL_NULL)
            {
              cd_json_pull_skip (&reader.pull);
              problem_set (member_problem, NULL, NULL);
            }
          else if (pull_text (&reader, &offset))
            {
              cursor = g_strdup (text_at (&reader, offset));
              problem_set (member_problem, NULL, NULL);
            }
          else
            problem_set (member_problem, "next_cursor", "a string or null");
          break;
        case PAGE_TOTAL:
          pull_int (&reader, "total", 0, G_MAXINT32, &count, member_problem);
          break;
        default:
          cd_json_pull_skip (&reader.pull);
          break;
        }
    }

  if (!cd_json_pull_finish (&reader.pull))
    {
      g_set_error (error, CD_PORTAL_ERROR,
                   CD_PORTAL_ERROR_UNEXPECTED_RESPONSE,
                   "Unexpected response: not a JSON document (at byte %"
                   G_GSIZE_FORMAT ")", reader.pull.failed_at);
      return NULL;
    }

  /* The checks and their order of cd_portal_json_read_device_page (). */
  if ((first = first_problem (problems, N_PAGE_MEMBERS)) != NULL)
    {
      fail (error, first->member, first->expected);
      return NULL;
    }
  if (cursor != NULL && *cursor == '\0')
    {
      fail (error, "next_cursor", "a cursor or null");
      return NULL;
    }
  if (count < n_items)
    {
      fail (error, "total", "at least the page's size");
      return NULL;
    }
  if (item_problem.member != NULL)
    {
      fail (error, item_problem.member, item_problem.expected);
      return NULL;
    }

  store = g_list_store_new (CD_TYPE_DEVICE);
  g_list_store_splice (store, 0, 0, devices->pdata, devices->len);
  *next_cursor = g_steal_pointer (&cursor);
  *total = (guint) count;
  return G_LIST_MODEL (g_steal_pointer (&store));
}

static CdBooking *
read_booking (JsonObject  *object,
              GError     **error)
{
  g_autofree char *id = NULL;
  const char *module_code, *booked_by, *cancelled_by;
  int state;
  GDate booked_on, cancelled_on, ends_on;

  if (!read_id (object, "id", &id, error) ||
      !read_code (object, "module", &module_code, error) ||
      !read_enum (object, "state", CD_TYPE_BOOKING_STATE, &state, error) ||
      !read_date (object, "booked_on", FALSE, &booked_on, error) ||
      !read_string (object, "booked_by", TRUE, &booked_by, error) ||
      !read_date (object, "cancelled_on", TRUE, &cancelled_on, error) ||
      !read_string (object, "cancelled_by", TRUE, &cancelled_by, error) ||
      !read_date (object, "ends_on", TRUE, &ends_on, error))
    return NULL;

  /* A pending cancellation is shown with its date and its end. */
  if (state == CD_BOOKING_STATE_CANCELLATION_PENDING &&
      (!g_date_valid (&cancelled_on) || !g_date_valid (&ends_on)))
    {
      fail (error, g_date_valid (&cancelled_on) ? "ends_on" : "cancelled_on",
            "a date for a pending cancellation");
      return NULL;
    }

  return cd_booking_new (id, module_code, state, &booked_on, booked_by,
                         valid_or_null (&cancelled_on), cancelled_by,
                         valid_or_null (&ends_on));
}

CdDevice *
cd_portal_json_read_device_detail (JsonNode  *root,
                                   GError   **error)
{
  g_autoptr(CdDevice) device = NULL;
  g_autoptr(GPtrArray) bookings = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(GStrv) bookable = NULL;
  JsonObject *object;
  JsonArray *booking_array;
  gint64 revision;

  if ((object = root_object (root, error)) == NULL ||
      (device = read_device (object, TRUE, error)) == NULL ||
      !read_int (object, "revision", 0, G_MAXINT64, &revision, error) ||
      (booking_array = read_array (object, "bookings", error)) == NULL ||
      (bookable = read_string_array (object, "bookable", error)) == NULL)
    return NULL;

  for (guint i = 0; i < json_array_get_length (booking_array); i++)
    {
      JsonObject *item;
      CdBooking *booking;

      if ((item = array_object (booking_array, i, "bookings", error)) == NULL ||
          (booking = read_booking (item, error)) == NULL)
        return NULL;

      g_ptr_array_add (bookings, booking);
    }

  cd_device_set_detail (device, revision, g_steal_pointer (&bookings),
                        (const char * const *) bookable);
  return g_steal_pointer (&device);
}

GListModel *
cd_portal_json_read_events (JsonNode  *root,
                            GError   **error)
{
  g_autoptr(GListStore) store = g_list_store_new (CD_TYPE_EVENT);
  JsonObject *object;
  JsonArray *items;

  if ((object = root_object (root, error)) == NULL ||
      (items = read_array (object, "items", error)) == NULL)
    return NULL;

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      g_autoptr(GDateTime) at = NULL;
      g_autoptr(CdEvent) event = NULL;
      JsonObject *item;
      const char *actor, *module_code;
      int action;
      GDate ends_on;

      if ((item = array_object (items, i, "items", error)) == NULL ||
          (at = read_timestamp (item, "at", error)) == NULL ||
          !read_string (item, "actor", FALSE, &actor, error) ||
          !read_enum (item, "action", CD_TYPE_EVENT_ACTION, &action, error) ||
          !read_code (item, "module", &module_code, error) ||
          !read_date (item, "ends_on", TRUE, &ends_on, error))
        return NULL;

      event = cd_event_new (at, actor, action, module_code,
                            valid_or_null (&ends_on));
      g_list_store_append (store, event);
    }

  return G_LIST_MODEL (g_steal_pointer (&store));
}

CdBooking *
cd_portal_json_read_booking (JsonNode  *root,
                             GError   **error)
{
  JsonObject *object;

  if ((object = root_object (root, error)) == NULL)
    return NULL;

  return read_booking (object, error);
}

gboolean
cd_portal_json_read_problem (JsonNode  *root,
                             char     **code,
                             char     **title,
                             char     **detail,
                             GError   **error)
{
  JsonObject *object;
  const char *problem_code;
  JsonNode *node;

  g_return_val_if_fail (code != NULL, FALSE);

  if ((object = root_object (root, error)) == NULL ||
      !read_code (object, "code", &problem_code, error))
    return FALSE;

  *code = g_strdup (problem_code);
  node = member (object, "title");
  if (title != NULL)
    *title = is_string (node) ? g_strdup (json_node_get_string (node)) : NULL;
  node = member (object, "detail");
  if (detail != NULL)
    *detail = is_string (node) ? g_strdup (json_node_get_string (node)) : NULL;

  return TRUE;
}
