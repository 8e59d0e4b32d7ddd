/* cd-json-pull.h: a strict JSON tokenizer that reads values as it goes.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Containers nest at most this deep, the root included, as in
 * cd_portal_json_parse (). */
#define CD_JSON_PULL_MAX_DEPTH 64

typedef enum
{
  CD_JSON_PULL_INVALID,  /* no value starts here, or reading failed before */
  CD_JSON_PULL_OBJECT,
  CD_JSON_PULL_ARRAY,
  CD_JSON_PULL_STRING,
  CD_JSON_PULL_NUMBER,
  CD_JSON_PULL_TRUE,
  CD_JSON_PULL_FALSE,
  CD_JSON_PULL_NULL,
} CdJsonPullKind;

/* Reads RFC 8259 text without building a tree, under the rules of
 * cd_portal_json_parse (): valid UTF-8, no NUL, no "\u0000", no lone
 * surrogate, integers within 64 bits, at most CD_JSON_PULL_MAX_DEPTH
 * levels, nothing but whitespace after the root.
 *
 * The first error sticks: every later call does nothing and returns
 * FALSE (or CD_JSON_PULL_INVALID), so a reader may run on to its end and
 * ask cd_json_pull_finish () once whether all of it was JSON. Values must
 * be read or skipped in document order; a value read with the wrong call
 * is an error too. Kept on the stack: it allocates nothing but a buffer
 * for member names with escapes. */
typedef struct
{
  const char *data;        /* (not owned) */
  gsize       length;
  gsize       pos;
  guint       depth;
  guint64     objects;     /* bit d - 1: the container at depth d is one */
  guint64     started;     /* bit d - 1: it has had a member or element */
  gboolean    failed;
  gsize       failed_at;
  GString    *name;        /* (owned) (nullable) a name with escapes */
} CdJsonPull;

void           cd_json_pull_init           (CdJsonPull  *self,
                                            const char  *data,
                                            gsize        length);
void           cd_json_pull_clear          (CdJsonPull  *self);

/* The kind of the value that comes next, judged by its first byte. */
CdJsonPullKind cd_json_pull_peek           (CdJsonPull  *self);

gboolean       cd_json_pull_enter_object   (CdJsonPull  *self);
/* TRUE with the next member's decoded name, @name_length bytes at @name
 * (no NUL after them; valid until the next call), its value to be read
 * next; FALSE when the object has ended (or on an error). */
gboolean       cd_json_pull_next_member    (CdJsonPull  *self,
                                            const char **name,
                                            gsize       *name_length);

gboolean       cd_json_pull_enter_array    (CdJsonPull  *self);
/* TRUE when an element follows, to be read next; FALSE when the array
 * has ended (or on an error). */
gboolean       cd_json_pull_next_element   (CdJsonPull  *self);

/* Appends the decoded string to @text; its length tells where it ends,
 * since JSON strings here never hold a NUL. */
gboolean       cd_json_pull_read_string    (CdJsonPull  *self,
                                            GString     *text);
/* @is_integer: whether it is written as an integer (no fraction, no
 * exponent); then @value holds it. */
gboolean       cd_json_pull_read_number    (CdJsonPull  *self,
                                            gboolean    *is_integer,
                                            gint64      *value);
/* Skips any value, checking all of it. */
gboolean       cd_json_pull_skip           (CdJsonPull  *self);

/* Whether everything read was JSON and only whitespace follows the root. */
gboolean       cd_json_pull_finish         (CdJsonPull  *self);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CdJsonPull, cd_json_pull_clear)

G_END_DECLS
