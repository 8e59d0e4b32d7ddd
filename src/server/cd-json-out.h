/* cd-json-out.h: appends JSON values to a GString, fast and strict.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Appends "text" quoted and escaped, or null when text is NULL. */
void cd_json_out_string  (GString    *out,
                          const char *text);
/* Appends ,"key": (no comma when first is TRUE) */
void cd_json_out_key     (GString    *out,
                          const char *key,
                          gboolean    first);
void cd_json_out_date    (GString    *out,
                          const GDate *date_or_invalid);

G_END_DECLS
