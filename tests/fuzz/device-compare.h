/* device-compare.h: whether two readers gave the same devices, property by
 * property; shared by the portal-json test and the fuzz target.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cd-portal.h"
#include "cd-portal-private.h"

static const char *compare_objects (GObject *a,
                                    GObject *b);

/* NULL when @a and @b (of one type) hold the same value. A property of a
 * type not known here is a difference, so a new one cannot go unseen. */
static inline const char *
compare_values (const GValue *a,
                const GValue *b,
                const char   *name)
{
  GType type = G_VALUE_TYPE (a);

  if (type == G_TYPE_STRING)
    return g_strcmp0 (g_value_get_string (a),
                      g_value_get_string (b)) == 0 ? NULL : name;
  if (G_TYPE_IS_ENUM (type))
    return g_value_get_enum (a) == g_value_get_enum (b) ? NULL : name;
  if (type == G_TYPE_BOOLEAN)
    return g_value_get_boolean (a) == g_value_get_boolean (b) ? NULL : name;
  if (type == G_TYPE_INT)
    return g_value_get_int (a) == g_value_get_int (b) ? NULL : name;
  if (type == G_TYPE_INT64)
    return g_value_get_int64 (a) == g_value_get_int64 (b) ? NULL : name;
  if (type == G_TYPE_DATE)
    return cd_portal_date_equal (g_value_get_boxed (a),
                                 g_value_get_boxed (b)) ? NULL : name;
  if (type == G_TYPE_DATE_TIME)
    {
      GDateTime *x = g_value_get_boxed (a), *y = g_value_get_boxed (b);

      if (x == NULL || y == NULL)
        return x == y ? NULL : name;
      return g_date_time_equal (x, y) &&
             g_date_time_get_utc_offset (x) == g_date_time_get_utc_offset (y)
             ? NULL : name;
    }
  if (type == G_TYPE_STRV)
    {
      const char * const *x = g_value_get_boxed (a);
      const char * const *y = g_value_get_boxed (b);

      if (x == NULL || y == NULL)
        return x == y ? NULL : name;
      return g_strv_equal (x, y) ? NULL : name;
    }
  if (g_type_is_a (type, G_TYPE_OBJECT))
    {
      GObject *x = g_value_get_object (a), *y = g_value_get_object (b);

      if (x == NULL || y == NULL)
        return x == y ? NULL : name;
      if (G_OBJECT_TYPE (x) != G_OBJECT_TYPE (y))
        return name;
      if (G_IS_LIST_MODEL (x))
        {
          guint n = g_list_model_get_n_items (G_LIST_MODEL (x));

          if (n != g_list_model_get_n_items (G_LIST_MODEL (y)))
            return name;
          for (guint i = 0; i < n; i++)
            {
              g_autoptr(GObject) item_x = g_list_model_get_item (G_LIST_MODEL (x), i);
              g_autoptr(GObject) item_y = g_list_model_get_item (G_LIST_MODEL (y), i);
              const char *differs = compare_objects (item_x, item_y);

              if (differs != NULL)
                return differs;
            }
          return NULL;
        }
      return compare_objects (x, y);
    }

  return name;
}

/* NULL when @a and @b agree in every readable property (and, for devices,
 * in their module summaries, which are no property), else the name of
 * the first that differs. */
static const char *
compare_objects (GObject *a,
                 GObject *b)
{
  g_autofree GParamSpec **pspecs = NULL;
  guint n_pspecs;

  if (G_OBJECT_TYPE (a) != G_OBJECT_TYPE (b))
    return "(type)";
  if (CD_IS_DEVICE (a) && !cd_device_modules_equal (CD_DEVICE (a),
                                                    CD_DEVICE (b)))
    return "(modules)";

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (a), &n_pspecs);
  for (guint i = 0; i < n_pspecs; i++)
    {
      g_auto(GValue) x = G_VALUE_INIT;
      g_auto(GValue) y = G_VALUE_INIT;
      const char *differs;

      if (!(pspecs[i]->flags & G_PARAM_READABLE))
        continue;

      g_value_init (&x, pspecs[i]->value_type);
      g_value_init (&y, pspecs[i]->value_type);
      g_object_get_property (a, pspecs[i]->name, &x);
      g_object_get_property (b, pspecs[i]->name, &y);
      if ((differs = compare_values (&x, &y, pspecs[i]->name)) != NULL)
        return differs;
    }

  return NULL;
}

/* NULL when the two pages hold the same devices in the same order. */
static inline const char *
compare_device_pages (GListModel *a,
                      GListModel *b)
{
  guint n = g_list_model_get_n_items (a);

  if (n != g_list_model_get_n_items (b))
    return "(number of devices)";

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) x = g_list_model_get_item (a, i);
      g_autoptr(GObject) y = g_list_model_get_item (b, i);
      const char *differs = compare_objects (x, y);

      if (differs != NULL)
        return differs;
    }

  return NULL;
}
