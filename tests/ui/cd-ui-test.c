/* cd-ui-test.c: helpers for tests that drive the real widgets.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "cd-module-tags.h"
#include "cd-row-text.h"
#include "cd-ui-test.h"

void
cd_ui_test_init (int    *argc,
                 char ***argv)
{
  const char *locale_dir = g_getenv ("CD_LOCALE_DIR");

  /* Tests use the catalogues just built, not installed ones. */
  bindtextdomain (GETTEXT_PACKAGE, locale_dir != NULL ? locale_dir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gtk_test_init (argc, argv, NULL);
  adw_init ();
}

static gboolean
on_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;

  return G_SOURCE_REMOVE;
}

void
cd_ui_test_iterate (guint ms)
{
  gboolean done = FALSE;
  guint id = g_timeout_add (ms, on_timeout, &done);

  while (!done)
    g_main_context_iteration (NULL, TRUE);

  (void) id;
}

gboolean
cd_ui_test_wait_until (CdUiTestCondition condition,
                       gpointer          user_data,
                       guint             timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id;

  if (condition (user_data))
    return TRUE;

  id = g_timeout_add (timeout_ms, on_timeout, &timed_out);
  while (!timed_out)
    {
      g_main_context_iteration (NULL, TRUE);
      if (condition (user_data))
        {
          g_source_remove (id);
          return TRUE;
        }
    }

  return FALSE;
}

static const char *
widget_text (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget))
    return gtk_label_get_text (GTK_LABEL (widget));
  if (CD_IS_MODULE_TAGS (widget))
    return cd_module_tags_get_text (CD_MODULE_TAGS (widget));
  if (GTK_IS_INSCRIPTION (widget))
    return gtk_inscription_get_text (GTK_INSCRIPTION (widget));
  if (CD_IS_ROW_TEXT (widget))
    return cd_row_text_get_text (CD_ROW_TEXT (widget));
  if (GTK_IS_EDITABLE (widget))
    return gtk_editable_get_text (GTK_EDITABLE (widget));
  if (ADW_IS_WINDOW_TITLE (widget))
    return adw_window_title_get_title (ADW_WINDOW_TITLE (widget));
  if (ADW_IS_PREFERENCES_ROW (widget))
    return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget));
  if (ADW_IS_STATUS_PAGE (widget))
    return adw_status_page_get_title (ADW_STATUS_PAGE (widget));
  if (GTK_IS_BUTTON (widget))
    return gtk_button_get_label (GTK_BUTTON (widget));

  return NULL;
}

/* Only what a user could see: mapped widgets. */
GtkWidget *
cd_ui_test_find_text (GtkWidget  *root,
                      const char *text)
{
  const char *own;

  g_return_val_if_fail (GTK_IS_WIDGET (root), NULL);

  if (!gtk_widget_get_mapped (root))
    return NULL;

  own = widget_text (root);
  if (own != NULL && strstr (own, text) != NULL)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = cd_ui_test_find_text (child, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

GtkWidget *
cd_ui_test_find_button (GtkWidget  *root,
                        const char *label)
{
  GtkWidget *found = cd_ui_test_find_text (root, label);

  while (found != NULL && !GTK_IS_BUTTON (found))
    found = gtk_widget_get_parent (found);

  return found;
}

GtkWidget *
cd_ui_test_find_by_type (GtkWidget *root,
                         GType      type)
{
  g_return_val_if_fail (GTK_IS_WIDGET (root), NULL);

  if (g_type_is_a (G_OBJECT_TYPE (root), type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = cd_ui_test_find_by_type (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
collect_text (GtkWidget *widget,
              GString   *out)
{
  const char *own;

  if (!gtk_widget_get_mapped (widget))
    return;

  own = widget_text (widget);
  if (own != NULL && *own != '\0')
    g_string_append_printf (out, "%s\n", own);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_text (child, out);
}

/* Everything a user can read under @root, one text per line; for
 * assertion messages. */
char *
cd_ui_test_collect_text (GtkWidget *root)
{
  GString *out = g_string_new (NULL);

  collect_text (root, out);

  return g_string_free (out, FALSE);
}

typedef struct {
  GtkWidget  *root;
  const char *text;
  GtkWidget  *found;
} FindTextData;

static gboolean
text_is_shown (gpointer user_data)
{
  FindTextData *data = user_data;

  data->found = cd_ui_test_find_text (data->root, data->text);

  return data->found != NULL;
}

GtkWidget *
cd_ui_test_wait_for_text_impl (GtkWidget  *root,
                               const char *text,
                               guint       timeout_ms)
{
  FindTextData data = { root, text, NULL };

  cd_ui_test_wait_until (text_is_shown, &data, timeout_ms);

  return data.found;
}

static gboolean
widget_is_allocated (gpointer user_data)
{
  GtkWidget *widget = user_data;

  return gtk_widget_get_width (widget) > 0 && gtk_widget_get_height (widget) > 0;
}

/* Writes a PNG of @widget into the build's meson-logs/screenshots and
 * returns its path. */
char *
cd_ui_test_screenshot (GtkWidget  *widget,
                       const char *name)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  const char *build_dir = g_getenv ("CD_BUILD_DIR");
  GskRenderer *renderer;
  int width;
  int height;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  g_assert_true (cd_ui_test_wait_until (widget_is_allocated, widget, 5000));
  /* Let pending layout and styles settle before rendering. */
  cd_ui_test_iterate (100);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gtk_snapshot_append_color (snapshot,
                             &(GdkRGBA) { 1, 1, 1, 1 },
                             &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0,
                                                              width, height));

  dir = g_build_filename (build_dir != NULL ? build_dir : ".",
                          "meson-logs", "screenshots", NULL);
  g_mkdir_with_parents (dir, 0755);
  file = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, file));
  g_test_message ("screenshot: %s", file);

  return g_steal_pointer (&file);
}

/* A small RFC 4180 reader for exported files: records end with CRLF,
 * fields are separated by commas, a quoted field may hold commas, CR, LF
 * and doubled quotes. Any other shape (a bare LF, text after a closing
 * quote, a quote inside an unquoted field) fails the test. */
GPtrArray *
cd_ui_test_read_csv (const char *text)
{
  GPtrArray *records =
    g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  GPtrArray *fields = g_ptr_array_new_with_free_func (g_free);
  GString *field = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      if (*p == '"')
        {
          p++;
          for (;;)
            {
              g_assert_true (*p != '\0');
              if (p[0] == '"' && p[1] == '"')
                {
                  g_string_append_c (field, '"');
                  p += 2;
                }
              else if (*p == '"')
                {
                  p++;
                  break;
                }
              else
                g_string_append_c (field, *p++);
            }
          g_assert_true (*p == ',' || *p == '\r');
        }
      else
        {
          while (*p != ',' && *p != '\r' && *p != '\0')
            {
              g_assert_true (*p != '"' && *p != '\n');
              g_string_append_c (field, *p++);
            }
        }

      g_ptr_array_add (fields, g_strdup (field->str));
      g_string_truncate (field, 0);

      if (*p == ',')
        p++;
      else
        {
          g_assert_cmpint (p[0], ==, '\r');
          g_assert_cmpint (p[1], ==, '\n');
          p += 2;
          g_ptr_array_add (fields, NULL);
          g_ptr_array_add (records, g_ptr_array_free (fields, FALSE));
          fields = g_ptr_array_new_with_free_func (g_free);
        }
    }
  g_assert_cmpuint (fields->len, ==, 0);

  g_ptr_array_unref (fields);
  g_string_free (field, TRUE);

  return records;
}

void
cd_ui_test_press_keys (const char *keys)
{
  const char *argv[] = { "xdotool", "key", "--clearmodifiers", keys, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_return_if_fail (keys != NULL);

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

void
cd_ui_test_store_result (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
has_result (gpointer user_data)
{
  GAsyncResult **result = user_data;

  return *result != NULL;
}

GAsyncResult *
cd_ui_test_await (GAsyncResult **result)
{
  g_assert_true (cd_ui_test_wait_until (has_result, result, 30000));

  return *result;
}

CdPortalClient *
cd_ui_test_sign_in (const char *url,
                    const char *username)
{
  g_autoptr(CdPortalClient) client = NULL;
  g_autoptr(CdAccount) account = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  client = cd_portal_client_new (url, &error);
  g_assert_no_error (error);
  cd_portal_client_sign_in_async (client, username, "demo", NULL,
                                  cd_ui_test_store_result, &result);
  account = cd_portal_client_sign_in_finish (client,
                                             cd_ui_test_await (&result),
                                             &error);
  g_assert_no_error (error);
  g_assert_nonnull (account);

  return g_steal_pointer (&client);
}

GtkWidget *
cd_ui_test_assert_shown (GtkWidget  *root,
                         const char *text)
{
  GtkWidget *found = cd_ui_test_wait_for_text (root, text, 30000);

  if (found == NULL)
    {
      g_autofree char *shown = cd_ui_test_collect_text (root);

      g_error ("“%s” is not shown; it shows:\n%s", text, shown);
    }

  return found;
}

void
cd_ui_test_click (GtkWidget  *root,
                  const char *label)
{
  GtkWidget *button = cd_ui_test_find_button (root, label);

  if (button == NULL)
    {
      g_autofree char *shown = cd_ui_test_collect_text (root);

      g_error ("No button “%s”; it shows:\n%s", label, shown);
    }
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}
