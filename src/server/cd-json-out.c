/* cd-json-out.c: appends JSON values to a GString, fast and strict.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-server"

#include "cd-json-out.h"

#include "cd-term.h"

void
cd_json_out_string (GString    *out,
                    const char *text)
{
  const char *run;

  g_return_if_fail (out != NULL);

  if (text == NULL)
    {
      g_string_append_len (out, "null", 4);
      return;
    }

  g_string_append_c (out, '"');
  run = text;
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;

      g_string_append_len (out, run, p - run);
      switch (c)
        {
        case '"':
          g_string_append_len (out, "\\\"", 2);
          break;
        case '\\':
          g_string_append_len (out, "\\\\", 2);
          break;
        case '\n':
          g_string_append_len (out, "\\n", 2);
          break;
        case '\t':
          g_string_append_len (out, "\\t", 2);
          break;
        case '\r':
          g_string_append_len (out, "\\r", 2);
          break;
        default:
          g_string_append_printf (out, "\\u%04x", c);
          break;
        }
      run = p + 1;
    }
  g_string_append (out, run);
  g_string_append_c (out, '"');
}

void
cd_json_out_key (GString    *out,
                 const char *key,
                 gboolean    first)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (key != NULL);

  if (!first)
    g_string_append_c (out, ',');
  g_string_append_c (out, '"');
  g_string_append (out, key);
  g_string_append_len (out, "\":", 2);
}

void
cd_json_out_date (GString     *out,
                  const GDate *date_or_invalid)
{
  char buf[16];

  g_return_if_fail (out != NULL);

  if (date_or_invalid == NULL || !g_date_valid (date_or_invalid))
    {
      g_string_append_len (out, "null", 4);
      return;
    }

  cd_date_format (date_or_invalid, buf);
  g_string_append_c (out, '"');
  g_string_append_len (out, buf, 10);
  g_string_append_c (out, '"');
}
