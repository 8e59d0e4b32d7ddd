/* cd-json-pull.c: a strict JSON tokenizer that reads values as it goes.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-portal"

#include <string.h>

#include "cd-json-pull.h"

void
cd_json_pull_init (CdJsonPull *self,
                   const char *data,
                   gsize       length)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || length == 0);

  memset (self, 0, sizeof *self);
  self->data = data;
  self->length = length;
}

void
cd_json_pull_clear (CdJsonPull *self)
{
  g_return_if_fail (self != NULL);

  if (self->name != NULL)
    g_string_free (self->name, TRUE);
  self->name = NULL;
}

static gboolean
fail_at (CdJsonPull *self,
         gsize       pos)
{
  if (!self->failed)
    {
      self->failed = TRUE;
      self->failed_at = pos;
    }

  return FALSE;
}

static inline void
skip_whitespace (CdJsonPull *self)
{
  while (self->pos < self->length)
    {
      char c = self->data[self->pos];

      if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
        break;
      self->pos++;
    }
}

static inline guint64
depth_bit (guint depth)
{
  return G_GUINT64_CONSTANT (1) << (depth - 1);
}

CdJsonPullKind
cd_json_pull_peek (CdJsonPull *self)
{
  g_return_val_if_fail (self != NULL, CD_JSON_PULL_INVALID);

  if (self->failed)
    return CD_JSON_PULL_INVALID;

  skip_whitespace (self);
  if (self->pos >= self->length)
    {
      fail_at (self, self->pos);
      return CD_JSON_PULL_INVALID;
    }

  switch (self->data[self->pos])
    {
    case '{':
      return CD_JSON_PULL_OBJECT;
    case '[':
      return CD_JSON_PULL_ARRAY;
    case '"':
      return CD_JSON_PULL_STRING;
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return CD_JSON_PULL_NUMBER;
    case 't':
      return CD_JSON_PULL_TRUE;
    case 'f':
      return CD_JSON_PULL_FALSE;
    case 'n':
      return CD_JSON_PULL_NULL;
    default:
      fail_at (self, self->pos);
      return CD_JSON_PULL_INVALID;
    }
}

static gboolean
enter (CdJsonPull *self,
       char        open,
       gboolean    is_object)
{
  guint64 bit;

  if (self->failed)
    return FALSE;

  skip_whitespace (self);
  if (self->pos >= self->length || self->data[self->pos] != open ||
      self->depth >= CD_JSON_PULL_MAX_DEPTH)
    return fail_at (self, self->pos);

  self->pos++;
  self->depth++;
  bit = depth_bit (self->depth);
  self->objects = is_object ? self->objects | bit : self->objects & ~bit;
  self->started &= ~bit;

  return TRUE;
}

gboolean
cd_json_pull_enter_object (CdJsonPull *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return enter (self, '{', TRUE);
}

gboolean
cd_json_pull_enter_array (CdJsonPull *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return enter (self, '[', FALSE);
}

/* The length of the well-formed UTF-8 sequence at @p (its first byte is
 * not ASCII), or 0: Unicode's table 3-7, which is what g_utf8_validate ()
 * takes (no overlong forms, no surrogates, nothing above U+10FFFF). */
static inline gsize
utf8_sequence_length (const guchar *p,
                      const guchar *end)
{
  guchar lead = p[0];
  guchar low = 0x80, high = 0xbf;
  gsize n;

  if (lead >= 0xc2 && lead <= 0xdf)
    n = 2;
  else if (lead >= 0xe0 && lead <= 0xef)
    {
      n = 3;
      if (lead == 0xe0)
        low = 0xa0;
      else if (lead == 0xed)
        high = 0x9f;
    }
  else if (lead >= 0xf0 && lead <= 0xf4)
    {
      n = 4;
      if (lead == 0xf0)
        low = 0x90;
      else if (lead == 0xf4)
        high = 0x8f;
    }
  else
    return 0;

  if ((gsize) (end - p) < n || p[1] < low || p[1] > high)
    return 0;
  for (gsize i = 2; i < n; i++)
    {
      if (p[i] < 0x80 || p[i] > 0xbf)
        return 0;
    }

  return n;
}

static inline int
hex_value (guchar c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* The four hex digits at @p, or -1. */
static inline gint32
read_hex4 (const guchar *p,
           const guchar *end)
{
  gint32 value = 0;

  if (end - p < 4)
    return -1;

  for (guint i = 0; i < 4; i++)
    {
      int digit = hex_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }

  return value;
}

/* The string at the position ('"'), decoded into @text unless it is NULL;
 * @escaped (optional) tells whether it had an escape. Escapes as RFC 8259
 * has them; "\u0000" is refused (it would cut a C string short) and so is
 * a surrogate that is not half of a pair (it has no UTF-8 form). Raw
 * bytes must be UTF-8 and no control characters. */
static gboolean
scan_string (CdJsonPull *self,
             GString    *text,
             gboolean   *escaped)
{
  const guchar *start = (const guchar *) self->data;
  const guchar *end = start + self->length;
  const guchar *p = start + self->pos + 1;
  const guchar *run = p;

  g_assert (self->data[self->pos] == '"');

  for (;;)
    {
      gunichar c;

      while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
        p++;
      if (p >= end)
        return fail_at (self, self->length);

      if (*p >= 0x80)
        {
          gsize n = utf8_sequence_length (p, end);

          if (n == 0)
            return fail_at (self, (gsize) (p - start));
          p += n;
          continue;
        }

      if (text != NULL && p > run)
        g_string_append_len (text, (const char *) run, p - run);

      if (*p == '"')
        {
          self->pos = (gsize) (p + 1 - start);
          return TRUE;
        }
      if (*p < 0x20)
        return fail_at (self, (gsize) (p - start));

      /* A backslash. */
      if (escaped != NULL)
        *escaped = TRUE;
      if (++p >= end)
        return fail_at (self, self->length);
      switch (*p)
        {
        case '"': case '\\': case '/':
          c = *p;
          break;
        case 'b':
          c = '\b';
          break;
        case 'f':
          c = '\f';
          break;
        case 'n':
          c = '\n';
          break;
        case 'r':
          c = '\r';
          break;
        case 't':
          c = '\t';
          break;
        case 'u':
          {
            gint32 unit = read_hex4 (p + 1, end);

            if (unit <= 0 || (unit >= 0xdc00 && unit <= 0xdfff))
              return fail_at (self, (gsize) (p - start));
            p += 4;
            if (unit >= 0xd800 && unit <= 0xdbff)
              {
                gint32 low = -1;

                if (end - p > 2 && p[1] == '\\' && p[2] == 'u')
                  low = read_hex4 (p + 3, end);
                if (low < 0xdc00 || low > 0xdfff)
                  return fail_at (self, (gsize) (p - start));
                unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
                p += 6;
              }
            c = (gunichar) unit;
          }
          break;
        default:
          return fail_at (self, (gsize) (p - start));
        }

      if (text != NULL)
        {
          if (c < 0x80)
            g_string_append_c (text, (char) c);
          else
            g_string_append_unichar (text, c);
        }
      run = ++p;
    }
}

/* With @name, it is pointed at the member's name, @name_length bytes. */
static gboolean
next_member (CdJsonPull  *self,
             const char **name,
             gsize       *name_length)
{
  gboolean escaped = FALSE;
  gsize start;
  guint64 bit;
  char c;

  if (self->failed)
    return FALSE;
  if (self->depth == 0 || !(self->objects & depth_bit (self->depth)))
    return fail_at (self, self->pos);

  bit = depth_bit (self->depth);
  skip_whitespace (self);
  if (self->pos >= self->length)
    return fail_at (self, self->pos);

  /* "{}" and "{…,}" are told apart by whether a member came before. */
  c = self->data[self->pos];
  if (c == '}')
    {
      self->pos++;
      self->depth--;
      return FALSE;
    }
  if (self->started & bit)
    {
      if (c != ',')
        return fail_at (self, self->pos);
      self->pos++;
      skip_whitespace (self);
    }
  self->started |= bit;

  if (self->pos >= self->length || self->data[self->pos] != '"')
    return fail_at (self, self->pos);
  start = self->pos;
  if (!scan_string (self, NULL, &escaped))
    return FALSE;

  /* Most names are plain and are told where they stand in the text; the
   * few with escapes are decoded, once they are known to be whole. */
  if (name != NULL && !escaped)
    {
      *name = self->data + start + 1;
      *name_length = self->pos - start - 2;
    }
  else if (name != NULL)
    {
      gsize end = self->pos;

      if (self->name == NULL)
        self->name = g_string_new (NULL);
      g_string_truncate (self->name, 0);
      self->pos = start;
      scan_string (self, self->name, NULL);
      g_assert (self->pos == end);
      *name = self->name->str;
      *name_length = self->name->len;
    }

  skip_whitespace (self);
  if (self->pos >= self->length || self->data[self->pos] != ':')
    return fail_at (self, self->pos);
  self->pos++;

  return TRUE;
}

gboolean
cd_json_pull_next_member (CdJsonPull  *self,
                          const char **name,
                          gsize       *name_length)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (name_length != NULL, FALSE);

  return next_member (self, name, name_length);
}

gboolean
cd_json_pull_next_element (CdJsonPull *self)
{
  guint64 bit;
  char c;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->failed)
    return FALSE;
  if (self->depth == 0 || (self->objects & depth_bit (self->depth)))
    return fail_at (self, self->pos);

  bit = depth_bit (self->depth);
  skip_whitespace (self);
  if (self->pos >= self->length)
    return fail_at (self, self->pos);

  c = self->data[self->pos];
  if (c == ']')
    {
      self->pos++;
      self->depth--;
      return FALSE;
    }
  if (self->started & bit)
    {
      if (c != ',')
        return fail_at (self, self->pos);
      self->pos++;
    }
  self->started |= bit;

  return TRUE;
}

gboolean
cd_json_pull_read_string (CdJsonPull *self,
                          GString    *text)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (cd_json_pull_peek (self) != CD_JSON_PULL_STRING)
    return fail_at (self, self->pos);

  return scan_string (self, text, NULL);
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, and an integer must fit
 * in 64 bits: json-glib would wrap it around, so that "-1e19" written out
 * in digits read as a small positive number. */
static gboolean
scan_number (CdJsonPull *self,
             gboolean   *is_integer,
             gint64     *value)
{
  const char *data = self->data;
  gsize length = self->length;
  gsize i = self->pos;
  gboolean negative = FALSE, integer = TRUE, overflow = FALSE;
  guint64 magnitude = 0;

  if (data[i] == '-')
    {
      negative = TRUE;
      i++;
    }

  if (i < length && data[i] == '0')
    i++;
  else if (i < length && g_ascii_isdigit (data[i]))
    {
      for (; i < length && g_ascii_isdigit (data[i]); i++)
        {
          guint digit = (guint) (data[i] - '0');

          if (magnitude > (G_MAXUINT64 - digit) / 10)
            overflow = TRUE;
          else
            magnitude = magnitude * 10 + digit;
        }
    }
  else
    return fail_at (self, i);

  if (i < length && data[i] == '.')
    {
      gsize digits = ++i;

      integer = FALSE;
      while (i < length && g_ascii_isdigit (data[i]))
        i++;
      if (i == digits)
        return fail_at (self, i);
    }

  if (i < length && (data[i] == 'e' || data[i] == 'E'))
    {
      gsize digits;

      integer = FALSE;
      i++;
      if (i < length && (data[i] == '+' || data[i] == '-'))
        i++;
      digits = i;
      while (i < length && g_ascii_isdigit (data[i]))
        i++;
      if (i == digits)
        return fail_at (self, i);
    }

  if (integer &&
      (overflow ||
       magnitude > (guint64) G_MAXINT64 + (negative ? 1 : 0)))
    return fail_at (self, self->pos);

  if (is_integer != NULL)
    *is_integer = integer;
  if (value != NULL && integer)
    *value = negative ? (gint64) (0 - magnitude) : (gint64) magnitude;

  self->pos = i;
  return TRUE;
}

gboolean
cd_json_pull_read_number (CdJsonPull *self,
                          gboolean   *is_integer,
                          gint64     *value)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (is_integer != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (cd_json_pull_peek (self) != CD_JSON_PULL_NUMBER)
    return fail_at (self, self->pos);

  return scan_number (self, is_integer, value);
}

static gboolean
scan_literal (CdJsonPull *self,
              const char *literal)
{
  gsize n = strlen (literal);

  if (self->length - self->pos < n ||
      memcmp (self->data + self->pos, literal, n) != 0)
    return fail_at (self, self->pos);

  self->pos += n;
  return TRUE;
}

/* Iterative, so nesting costs no stack; the depth limit still holds. */
gboolean
cd_json_pull_skip (CdJsonPull *self)
{
  guint base;

  g_return_val_if_fail (self != NULL, FALSE);

  base = self->depth;
  for (;;)
    {
      gboolean value_next = FALSE;

      switch (cd_json_pull_peek (self))
        {
        case CD_JSON_PULL_OBJECT:
          value_next = enter (self, '{', TRUE) &&
                       next_member (self, NULL, NULL);
          break;
        case CD_JSON_PULL_ARRAY:
          value_next = enter (self, '[', FALSE) &&
                       cd_json_pull_next_element (self);
          break;
        case CD_JSON_PULL_STRING:
          scan_string (self, NULL, NULL);
          break;
        case CD_JSON_PULL_NUMBER:
          scan_number (self, NULL, NULL);
          break;
        case CD_JSON_PULL_TRUE:
          scan_literal (self, "true");
          break;
        case CD_JSON_PULL_FALSE:
          scan_literal (self, "false");
          break;
        case CD_JSON_PULL_NULL:
          scan_literal (self, "null");
          break;
        case CD_JSON_PULL_INVALID:
        default:
          return FALSE;
        }

      /* Up through the containers that end here, until one goes on. */
      while (!value_next && !self->failed && self->depth > base)
        {
          if (self->objects & depth_bit (self->depth))
            value_next = next_member (self, NULL, NULL);
          else
            value_next = cd_json_pull_next_element (self);
        }

      if (self->failed)
        return FALSE;
      if (!value_next)
        return TRUE;
    }
}

gboolean
cd_json_pull_finish (CdJsonPull *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->failed)
    return FALSE;
  if (self->depth != 0 || self->pos == 0)
    return fail_at (self, self->pos);

  skip_whitespace (self);
  if (self->pos != self->length)
    return fail_at (self, self->pos);

  return TRUE;
}
