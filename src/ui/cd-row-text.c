/* cd-row-text.c: one line of text in a list row, cheap to measure.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK 4.8's GtkInscription asks Pango for the font's metrics at every
 * measure, which shapes a sample sentence each time, and keeps the text
 * layout of the first window it was in, so a row moved to another list
 * item draws with a stale font.
 */
#define G_LOG_DOMAIN "cd-ui"

#include "config.h"

#include "cd-row-text.h"

typedef struct {
  int line_height;
  int char_width;
} Metrics;

struct _CdRowText
{
  GtkWidget    parent_instance;

  char        *text;      /* (owned) (nullable) */
  PangoLayout *layout;    /* (owned) (nullable) made when first drawn */
  float        xalign;
  guint        min_chars;
  guint        n_chars;
};

enum {
  PROP_0,
  PROP_TEXT,
  PROP_MIN_CHARS,
  PROP_N_CHARS,
  PROP_XALIGN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CdRowText, cd_row_text, GTK_TYPE_WIDGET)

/* The metrics of each font seen, for the life of the process: a few
 * entries (the fonts of the list's styles). */
static const Metrics *
lookup_metrics (PangoContext *context)
{
  static GHashTable *cache;
  const PangoFontDescription *font;
  g_autofree char *font_name = NULL;
  g_autofree char *key = NULL;
  PangoFontMetrics *font_metrics;
  Metrics *metrics;

  if (G_UNLIKELY (cache == NULL))
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  font = pango_context_get_font_description (context);
  font_name = font != NULL ? pango_font_description_to_string (font)
                           : g_strdup ("");
  key = g_strdup_printf ("%p %g %s", (gpointer) pango_context_get_font_map (context),
                         pango_cairo_context_get_resolution (context),
                         font_name);

  metrics = g_hash_table_lookup (cache, key);
  if (metrics != NULL)
    return metrics;

  font_metrics = pango_context_get_metrics (context, NULL, NULL);
  metrics = g_new0 (Metrics, 1);
  metrics->line_height =
    PANGO_PIXELS_CEIL (pango_font_metrics_get_ascent (font_metrics) +
                       pango_font_metrics_get_descent (font_metrics));
  metrics->char_width =
    PANGO_PIXELS_CEIL (pango_font_metrics_get_approximate_char_width (font_metrics));
  pango_font_metrics_unref (font_metrics);
  g_hash_table_insert (cache, g_steal_pointer (&key), metrics);

  return metrics;
}

static void
cd_row_text_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  CdRowText *self = CD_ROW_TEXT (widget);
  const Metrics *metrics = lookup_metrics (gtk_widget_get_pango_context (widget));

  if (orientation == GTK_ORIENTATION_VERTICAL)
    {
      *minimum = *natural = metrics->line_height;
      return;
    }

  *minimum = (int) self->min_chars * metrics->char_width;
  *natural = (int) MAX (self->n_chars, self->min_chars) * metrics->char_width;
}

static void
get_color (GtkWidget *widget,
           GdkRGBA   *color)
{
#if GTK_CHECK_VERSION (4, 10, 0)
  gtk_widget_get_color (widget, color);
#else
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
#endif
}

static void
cd_row_text_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  CdRowText *self = CD_ROW_TEXT (widget);
  PangoContext *context = gtk_widget_get_pango_context (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  float xalign = self->xalign;
  int text_width;
  int text_height;
  GdkRGBA color;

  if (self->text == NULL || self->text[0] == '\0' || width <= 0)
    return;

  /* A widget gets a new Pango context in each window it is put in. */
  if (self->layout != NULL &&
      pango_layout_get_context (self->layout) != context)
    g_clear_object (&self->layout);
  if (self->layout == NULL)
    {
      self->layout = gtk_widget_create_pango_layout (widget, self->text);
      pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_single_paragraph_mode (self->layout, TRUE);
    }

  pango_layout_set_width (self->layout, width * PANGO_SCALE);
  pango_layout_get_pixel_size (self->layout, &text_width, &text_height);
  if (gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL)
    xalign = 1.0f - xalign;

  get_color (widget, &color);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT (MAX (0, width - text_width) * xalign,
                                                (height - text_height) / 2));
  gtk_snapshot_append_layout (snapshot, self->layout, &color);
  gtk_snapshot_restore (snapshot);
}

/* GTK drops a widget's Pango context when it leaves a window and, without
 * one, does not see that a new style changes the text's size; a row put
 * in another list item must measure again. */
static void
cd_row_text_root (GtkWidget *widget)
{
  CdRowText *self = CD_ROW_TEXT (widget);

  GTK_WIDGET_CLASS (cd_row_text_parent_class)->root (widget);

  g_clear_object (&self->layout);
  gtk_widget_queue_resize (widget);
}

static void
cd_row_text_finalize (GObject *object)
{
  CdRowText *self = CD_ROW_TEXT (object);

  g_clear_pointer (&self->text, g_free);
  g_clear_object (&self->layout);

  G_OBJECT_CLASS (cd_row_text_parent_class)->finalize (object);
}

static void
cd_row_text_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CdRowText *self = CD_ROW_TEXT (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;

    case PROP_MIN_CHARS:
      g_value_set_uint (value, self->min_chars);
      break;

    case PROP_N_CHARS:
      g_value_set_uint (value, self->n_chars);
      break;

    case PROP_XALIGN:
      g_value_set_float (value, self->xalign);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_row_text_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  CdRowText *self = CD_ROW_TEXT (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      cd_row_text_set_text (self, g_value_get_string (value));
      break;

    case PROP_MIN_CHARS:
      self->min_chars = g_value_get_uint (value);
      gtk_widget_queue_resize (GTK_WIDGET (self));
      break;

    case PROP_N_CHARS:
      self->n_chars = g_value_get_uint (value);
      gtk_widget_queue_resize (GTK_WIDGET (self));
      break;

    case PROP_XALIGN:
      cd_row_text_set_xalign (self, g_value_get_float (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_row_text_class_init (CdRowTextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = cd_row_text_finalize;
  object_class->get_property = cd_row_text_get_property;
  object_class->set_property = cd_row_text_set_property;

  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /* Sizes in average characters of the font. */
  properties[PROP_MIN_CHARS] =
    g_param_spec_uint ("min-chars", NULL, NULL, 0, 1000, 3,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_CHARS] =
    g_param_spec_uint ("n-chars", NULL, NULL, 0, 1000, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_XALIGN] =
    g_param_spec_float ("xalign", NULL, NULL, 0.0f, 1.0f, 0.0f,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  widget_class->measure = cd_row_text_measure;
  widget_class->snapshot = cd_row_text_snapshot;
  widget_class->root = cd_row_text_root;

  gtk_widget_class_set_css_name (widget_class, "label");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
cd_row_text_init (CdRowText *self)
{
  self->min_chars = 3;
}

GtkWidget *
cd_row_text_new (guint min_chars,
                 guint n_chars)
{
  return g_object_new (CD_TYPE_ROW_TEXT,
                       "min-chars", min_chars,
                       "n-chars", n_chars,
                       NULL);
}

void
cd_row_text_set_text (CdRowText  *self,
                      const char *text)
{
  g_return_if_fail (CD_IS_ROW_TEXT (self));

  if (g_strcmp0 (self->text, text) == 0)
    return;

  g_free (self->text);
  self->text = g_strdup (text);
  if (self->layout != NULL)
    pango_layout_set_text (self->layout, text != NULL ? text : "", -1);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  text != NULL ? text : "", -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * cd_row_text_get_text:
 * @self: a #CdRowText
 *
 * Returns: (nullable): the text shown
 */
const char *
cd_row_text_get_text (CdRowText *self)
{
  g_return_val_if_fail (CD_IS_ROW_TEXT (self), NULL);

  return self->text;
}

void
cd_row_text_set_xalign (CdRowText *self,
                        float      xalign)
{
  g_return_if_fail (CD_IS_ROW_TEXT (self));

  self->xalign = CLAMP (xalign, 0.0f, 1.0f);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
