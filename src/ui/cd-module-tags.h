/* cd-module-tags.h: a device's booked modules as a strip of small tags.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CD_TYPE_MODULE_TAGS (cd_module_tags_get_type ())

G_DECLARE_FINAL_TYPE (CdModuleTags, cd_module_tags, CD, MODULE_TAGS, GtkWidget)

GtkWidget  *cd_module_tags_new        (void);

void        cd_module_tags_clear      (CdModuleTags *self);
void        cd_module_tags_append     (CdModuleTags *self,
                                       const char   *name,
                                       gboolean      pending);
guint       cd_module_tags_get_n_tags (CdModuleTags *self);
const char *cd_module_tags_get_text   (CdModuleTags *self);

G_END_DECLS
