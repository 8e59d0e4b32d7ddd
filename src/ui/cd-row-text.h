/* cd-row-text.h: one line of text in a list row, cheap to measure.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CD_TYPE_ROW_TEXT (cd_row_text_get_type ())

G_DECLARE_FINAL_TYPE (CdRowText, cd_row_text, CD, ROW_TEXT, GtkWidget)

/**
 * CdRowText:
 *
 * A single line, ellipsized at the end, whose size depends on its font
 * only, never on its text: @n_chars average characters wide (at least
 * @min_chars) and one line high. Font metrics are measured once per font
 * and kept, so binding a row to another device costs no text layout until
 * the row is drawn. Unlike GtkInscription on GTK 4.8 it lays its text out
 * again when it moves to another window or list item, so rows can be
 * reused.
 */
GtkWidget  *cd_row_text_new       (guint        min_chars,
                                   guint        n_chars);

void        cd_row_text_set_text  (CdRowText   *self,
                                   const char  *text);
const char *cd_row_text_get_text  (CdRowText   *self);

void        cd_row_text_set_xalign (CdRowText  *self,
                                    float       xalign);

G_END_DECLS
