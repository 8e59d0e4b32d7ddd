/* cd-module-tags.c: a device's booked modules as a strip of small tags.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One widget draws every tag of a row: the device list rebinds hundreds
 * of rows while scrolling, and a label per tag made each row several
 * widgets heavier. A row shows other devices as the list scrolls, so it
 * keeps the texts it has laid out (there are only a few module names)
 * until its font changes.
 */
#define G_LOG_DOMAIN "cd-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "cd-module-tags.h"

#define TAG_PADDING_X 6
#define TAG_PADDING_Y 1
#define TAG_SPACING   4
#define TAG_RADIUS    6.0f

typedef struct {
  char        *name;     /* (owned) */
  gboolean     pending;
  PangoLayout *layout;   /* (nullable) from layouts, once measured */
  int          width;    /* of the whole tag, padding included */
} Tag;

typedef struct {
  PangoLayout *layout;   /* (owned) */
  int          width;    /* of the text alone */
  int          height;
} Text;

struct _CdModuleTags
{
  GtkWidget             parent_instance;

  GArray               *tags;     /* (owned) of Tag */
  GHashTable           *texts;    /* (owned) text → (owned) Text */
  PangoFontDescription *font;     /* (owned) (nullable) the texts' font */
  GString              *text;     /* (owned) every tag, for a11y */
  int                   height;   /* of one tag; 0 until measured */
};

G_DEFINE_FINAL_TYPE (CdModuleTags, cd_module_tags, GTK_TYPE_WIDGET)

static void
tag_clear (gpointer data)
{
  Tag *tag = data;

  g_clear_pointer (&tag->name, g_free);
  tag->layout = NULL;
}

static void
text_free (gpointer data)
{
  Text *text = data;

  g_clear_object (&text->layout);
  g_free (text);
}

static char *
describe_tag (const Tag *tag)
{
  if (tag->pending)
    /* TRANSLATORS: tooltip of a module tag: module name, then state */
    return g_strdup_printf (_("%s: cancellation pending"), tag->name);

  return g_strdup (tag->name);
}

static void
drop_layouts (CdModuleTags *self)
{
  g_assert (CD_IS_MODULE_TAGS (self));

  for (guint i = 0; i < self->tags->len; i++)
    g_array_index (self->tags, Tag, i).layout = NULL;
  g_hash_table_remove_all (self->texts);
  self->height = 0;
}

static const Text *
lookup_text (CdModuleTags *self,
             const char   *string)
{
  Text *text = g_hash_table_lookup (self->texts, string);

  g_assert (CD_IS_MODULE_TAGS (self));

  if (text != NULL)
    return text;

  text = g_new0 (Text, 1);
  text->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), string);
  pango_layout_get_pixel_size (text->layout, &text->width, &text->height);
  g_hash_table_insert (self->texts, g_strdup (string), text);

  return text;
}

static void
ensure_layouts (CdModuleTags *self)
{
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  GHashTableIter iter;
  Text *text;

  g_assert (CD_IS_MODULE_TAGS (self));

  /* A widget gets a new Pango context in each window it is put in. */
  g_hash_table_iter_init (&iter, self->texts);
  if (g_hash_table_iter_next (&iter, NULL, (gpointer *) &text) &&
      pango_layout_get_context (text->layout) != context)
    drop_layouts (self);

  for (guint i = 0; i < self->tags->len; i++)
    {
      Tag *tag = &g_array_index (self->tags, Tag, i);
      const Text *tag_text;

      if (tag->layout != NULL)
        continue;

      tag_text = lookup_text (self, tag->name);
      tag->layout = tag_text->layout;
      tag->width = tag_text->width + 2 * TAG_PADDING_X;
      self->height = MAX (self->height, tag_text->height + 2 * TAG_PADDING_Y);
    }
}

static void
cd_module_tags_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  CdModuleTags *self = CD_MODULE_TAGS (widget);

  ensure_layouts (self);

  if (orientation == GTK_ORIENTATION_VERTICAL)
    {
      *minimum = *natural = self->tags->len > 0 ? self->height : 0;
      return;
    }

  /* Tags that do not fit give way to a "+N" tag, so no width is needed. */
  *minimum = 0;
  *natural = 0;
  for (guint i = 0; i < self->tags->len; i++)
    *natural += g_array_index (self->tags, Tag, i).width +
                (i > 0 ? TAG_SPACING : 0);
}

static void
get_colors (CdModuleTags *self,
            GdkRGBA      *color,
            GdkRGBA      *pending_color)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));

  /* The style sheet gives the tags their (accent) colour; pending ones
   * take the theme's warning colour, as the row's pending marker does. */
  gtk_style_context_get_color (context, color);
  if (!gtk_style_context_lookup_color (context, "warning_color",
                                       pending_color))
    gdk_rgba_parse (pending_color, "#9c6e03");
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
draw_tag (GtkSnapshot   *snapshot,
          PangoLayout   *layout,
          int            x,
          int            width,
          int            height,
          const GdkRGBA *color)
{
  GdkRGBA background = *color;
  GskRoundedRect outline;

  background.alpha *= 0.15f;
  gsk_rounded_rect_init_from_rect (&outline,
                                   &GRAPHENE_RECT_INIT (x, 0, width, height),
                                   TAG_RADIUS);
  gtk_snapshot_push_rounded_clip (snapshot, &outline);
  gtk_snapshot_append_color (snapshot, &background, &outline.bounds);
  gtk_snapshot_pop (snapshot);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT (x + TAG_PADDING_X,
                                                TAG_PADDING_Y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
cd_module_tags_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  CdModuleTags *self = CD_MODULE_TAGS (widget);
  int available = gtk_widget_get_width (widget);
  GdkRGBA color;
  GdkRGBA pending_color;
  int x = 0;
  guint shown;

  ensure_layouts (self);
  get_colors (self, &color, &pending_color);

  for (shown = 0; shown < self->tags->len; shown++)
    {
      Tag *tag = &g_array_index (self->tags, Tag, shown);
      int more_width = 0;

      /* The last tag needs no room for a "+N" after it. */
      if (shown + 1 < self->tags->len)
        more_width = TAG_SPACING + 3 * TAG_PADDING_X + self->height;
      if (x + tag->width + more_width > available &&
          !(shown + 1 == self->tags->len && x + tag->width <= available))
        break;

      draw_tag (snapshot, tag->layout, x, tag->width, self->height,
                tag->pending ? &pending_color : &color);
      x += tag->width + TAG_SPACING;
    }

  if (shown < self->tags->len)
    {
      g_autofree char *more = NULL;
      const Text *text;

      /* TRANSLATORS: a tag standing for %u more modules that do not fit */
      more = g_strdup_printf (_("+%u"), self->tags->len - shown);
      text = lookup_text (self, more);
      draw_tag (snapshot, text->layout, x, text->width + 2 * TAG_PADDING_X,
                self->height, &color);
    }
}

static void
cd_module_tags_css_changed (GtkWidget         *widget,
                            GtkCssStyleChange *change)
{
  CdModuleTags *self = CD_MODULE_TAGS (widget);

  const PangoFontDescription *font;

  GTK_WIDGET_CLASS (cd_module_tags_parent_class)->css_changed (widget, change);

  /* A row moved to another list item gets new style, mostly the same. */
  font = pango_context_get_font_description (
    gtk_widget_get_pango_context (widget));
  if (self->font != NULL && font != NULL &&
      pango_font_description_equal (self->font, font))
    return;

  g_clear_pointer (&self->font, pango_font_description_free);
  if (font != NULL)
    self->font = pango_font_description_copy (font);
  drop_layouts (self);
  gtk_widget_queue_resize (widget);
}

/* Without a Pango context (GTK drops it when a widget leaves a window)
 * GTK does not see that a new style changes the text's size. */
static void
cd_module_tags_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (cd_module_tags_parent_class)->root (widget);

  gtk_widget_queue_resize (widget);
}

static gboolean
cd_module_tags_query_tooltip (GtkWidget  *widget,
                              int         x,
                              int         y,
                              gboolean    keyboard_mode,
                              GtkTooltip *tooltip)
{
  CdModuleTags *self = CD_MODULE_TAGS (widget);
  int start = 0;

  if (keyboard_mode)
    {
      gtk_tooltip_set_text (tooltip, self->text->str);
      return self->tags->len > 0;
    }

  for (guint i = 0; i < self->tags->len; i++)
    {
      const Tag *tag = &g_array_index (self->tags, Tag, i);

      if (x >= start && x < start + tag->width)
        {
          g_autofree char *text = describe_tag (tag);

          gtk_tooltip_set_text (tooltip, text);
          return TRUE;
        }
      start += tag->width + TAG_SPACING;
    }

  /* The "+N" tag, or the gaps: everything. */
  gtk_tooltip_set_text (tooltip, self->text->str);
  return self->tags->len > 0;
}

static void
cd_module_tags_finalize (GObject *object)
{
  CdModuleTags *self = CD_MODULE_TAGS (object);

  g_clear_pointer (&self->tags, g_array_unref);
  g_clear_pointer (&self->texts, g_hash_table_unref);
  g_clear_pointer (&self->font, pango_font_description_free);
  g_string_free (self->text, TRUE);

  G_OBJECT_CLASS (cd_module_tags_parent_class)->finalize (object);
}

static void
cd_module_tags_class_init (CdModuleTagsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = cd_module_tags_finalize;
  widget_class->measure = cd_module_tags_measure;
  widget_class->snapshot = cd_module_tags_snapshot;
  widget_class->css_changed = cd_module_tags_css_changed;
  widget_class->root = cd_module_tags_root;
  widget_class->query_tooltip = cd_module_tags_query_tooltip;

  gtk_widget_class_set_css_name (widget_class, "module-tags");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
cd_module_tags_init (CdModuleTags *self)
{
  self->tags = g_array_new (FALSE, TRUE, sizeof (Tag));
  g_array_set_clear_func (self->tags, tag_clear);
  self->texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       text_free);
  self->text = g_string_new (NULL);

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
cd_module_tags_new (void)
{
  return g_object_new (CD_TYPE_MODULE_TAGS, NULL);
}

void
cd_module_tags_clear (CdModuleTags *self)
{
  g_return_if_fail (CD_IS_MODULE_TAGS (self));

  if (self->tags->len == 0)
    return;

  g_array_set_size (self->tags, 0);
  g_string_truncate (self->text, 0);
  gtk_accessible_reset_property (GTK_ACCESSIBLE (self),
                                 GTK_ACCESSIBLE_PROPERTY_LABEL);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
cd_module_tags_append (CdModuleTags *self,
                       const char   *name,
                       gboolean      pending)
{
  Tag tag = { 0 };
  g_autofree char *description = NULL;

  g_return_if_fail (CD_IS_MODULE_TAGS (self));
  g_return_if_fail (name != NULL);

  tag.name = g_strdup (name);
  tag.pending = pending;
  g_array_append_val (self->tags, tag);

  description = describe_tag (&tag);
  if (self->text->len > 0)
    /* TRANSLATORS: separates module names in a list of tags */
    g_string_append (self->text, _(", "));
  g_string_append (self->text, description);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  self->text->str, -1);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint
cd_module_tags_get_n_tags (CdModuleTags *self)
{
  g_return_val_if_fail (CD_IS_MODULE_TAGS (self), 0);

  return self->tags->len;
}

/**
 * cd_module_tags_get_text:
 *
 * Returns: (transfer none): every tag's module, and its state where it is
 *   cancelled, as one line; what tooltips and screen readers get
 */
const char *
cd_module_tags_get_text (CdModuleTags *self)
{
  g_return_val_if_fail (CD_IS_MODULE_TAGS (self), NULL);

  return self->text->str;
}
