/* cd-device-list-model.c: the device list as shown: sorted and filtered.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK 4.8's filter list model finds its n-th item by counting bits, and
 * the list view reads every item of a change that covers the row it
 * tracks: with 100,000 devices one keystroke cost a tenth of a second.
 * Here the shown devices are a plain array, changes are reported as one
 * range between the unchanged start and end, and arriving pages are
 * merged in by binary search instead of sorting everything again.
 */
#define G_LOG_DOMAIN "cd-ui"

#include "config.h"

#include <string.h>

#include "cd-device-list-model.h"

typedef struct {
  CdDevice *device;  /* (owned) */
  char     *key;     /* (owned) folded name, serial and model */
  gint64    order;   /* the current order's own key, before the name */
} Entry;

struct _CdDeviceListModel
{
  GObject       parent_instance;

  GListModel   *source;          /* (owned) (nullable) */
  gulong        items_changed_id;

  GPtrArray    *entries;         /* (owned) of (owned) Entry, source order */
  GPtrArray    *sorted;          /* (owned) of Entry, in the shown order */
  GPtrArray    *shown;           /* (owned) of Entry: sorted, filtered */

  CdDeviceSort  sort;
  char         *search;          /* (owned) (nullable) folded */
  char         *license_filter;  /* (owned) "", "none" or a type code */
  gboolean      pending_only;
};

static void cd_device_list_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CdDeviceListModel, cd_device_list_model,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      cd_device_list_model_list_model_init))

/* Folding */

static gboolean
is_ascii (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;

  return TRUE;
}

/* Case- and accent-insensitive form: "Gerät Süd" and "gerat sud" match. */
static void
append_folded (GString    *out,
               const char *text)
{
  g_autofree char *decomposed = NULL;
  g_autofree char *folded = NULL;
  g_autoptr(GString) stripped = NULL;

  if (text == NULL)
    return;

  /* Serials, models and most names need none of the Unicode work. */
  if (is_ascii (text))
    {
      for (const char *p = text; *p != '\0'; p++)
        g_string_append_c (out, g_ascii_tolower (*p));
      return;
    }

  decomposed = g_utf8_normalize (text, -1, G_NORMALIZE_NFKD);
  if (decomposed == NULL)
    return;

  stripped = g_string_sized_new (strlen (decomposed));
  for (const char *p = decomposed; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      switch ((int) g_unichar_type (c))
        {
        case G_UNICODE_NON_SPACING_MARK:
        case G_UNICODE_SPACING_MARK:
        case G_UNICODE_ENCLOSING_MARK:
          break;

        default:
          g_string_append_unichar (stripped, c);
        }
    }

  folded = g_utf8_casefold (stripped->str, stripped->len);
  g_string_append (out, folded);
}

/**
 * cd_device_list_model_fold:
 * @text: UTF-8 text
 *
 * Returns: (transfer full): @text case folded, compatibility decomposed
 *   and without combining marks
 */
char *
cd_device_list_model_fold (const char *text)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (text != NULL, NULL);

  append_folded (out, text);

  return g_string_free (out, FALSE);
}

/* Entries */

static Entry *
entry_new (CdDevice *device)
{
  Entry *entry = g_new0 (Entry, 1);
  GString *key = g_string_sized_new (64);

  entry->device = g_object_ref (device);

  /* A separator no one types keeps a match from spanning two fields, and
   * sorts a name before every longer name it begins. */
  append_folded (key, cd_device_get_name (device));
  g_string_append_c (key, '\x1f');
  append_folded (key, cd_device_get_serial (device));
  g_string_append_c (key, '\x1f');
  append_folded (key, cd_device_get_model (device));
  entry->key = g_string_free (key, FALSE);

  return entry;
}

static void
entry_free (Entry *entry)
{
  g_clear_object (&entry->device);
  g_clear_pointer (&entry->key, g_free);
  g_free (entry);
}

static gint64
term_end_order (CdDevice *device)
{
  CdLicense *license = cd_device_get_license (device);
  const GDate *date = NULL;

  if (license == NULL)
    return G_MAXINT64;

  switch (cd_license_get_state (license))
    {
    case CD_LICENSE_STATE_ACTIVE:
      date = cd_license_get_current_term_end (license);
      break;

    case CD_LICENSE_STATE_CANCELLED:
      date = cd_license_get_ends_on (license);
      break;

    case CD_LICENSE_STATE_ENDED:
    default:
      break;
    }

  /* Ended licenses, then devices without one, come last. */
  return date != NULL && g_date_valid (date) ? g_date_get_julian (date)
                                             : G_MAXINT64 - 1;
}

static gint64
last_seen_order (CdDevice *device)
{
  GDateTime *last_seen = cd_device_get_last_seen_at (device);

  /* Most recently seen first; never seen last. */
  return last_seen != NULL ? -g_date_time_to_unix (last_seen) : G_MAXINT64;
}

static void
set_order (CdDeviceListModel *self,
           Entry             *entry)
{
  switch (self->sort)
    {
    case CD_DEVICE_SORT_TERM_END:
      entry->order = term_end_order (entry->device);
      break;

    case CD_DEVICE_SORT_LAST_SEEN:
      entry->order = last_seen_order (entry->device);
      break;

    case CD_DEVICE_SORT_NAME:
    default:
      entry->order = 0;
      break;
    }
}

static int
compare_entries (const Entry *a,
                 const Entry *b)
{
  int result;

  if (a->order != b->order)
    return a->order < b->order ? -1 : 1;

  result = strcmp (a->key, b->key);
  if (result != 0)
    return result;

  return strcmp (cd_device_get_id (a->device), cd_device_get_id (b->device));
}

static int
compare_entry_pointers (gconstpointer a,
                        gconstpointer b)
{
  return compare_entries (*(Entry * const *) a, *(Entry * const *) b);
}

/* A cancelled module, or a cancelled license that takes all its modules
 * with it: something that will end unless someone acts. */
static gboolean
is_ending (CdDevice *device)
{
  CdLicense *license = cd_device_get_license (device);

  return cd_device_has_pending_cancellation (device) ||
         (license != NULL &&
          cd_license_get_state (license) == CD_LICENSE_STATE_CANCELLED);
}

static gboolean
entry_matches (CdDeviceListModel *self,
               const Entry       *entry)
{
  if (self->license_filter[0] != '\0')
    {
      CdLicense *license = cd_device_get_license (entry->device);

      if (strcmp (self->license_filter, "none") == 0)
        {
          if (license != NULL)
            return FALSE;
        }
      else if (license == NULL ||
               g_strcmp0 (cd_license_get_type_code (license),
                          self->license_filter) != 0)
        {
          return FALSE;
        }
    }

  if (self->pending_only && !is_ending (entry->device))
    return FALSE;

  return self->search == NULL || strstr (entry->key, self->search) != NULL;
}

/* Arrays */

/* An empty GPtrArray has no storage, and memcpy () and memmove () must
 * not be given NULL even for nothing. */
static void
move_pointers (gpointer *dest,
               gpointer *src,
               guint     n_pointers)
{
  if (n_pointers > 0)
    memmove (dest, src, n_pointers * sizeof (gpointer));
}

/* Replaces @n_removed pointers at @position with @n_added from @added. */
static void
splice_pointers (GPtrArray *array,
                 guint      position,
                 guint      n_removed,
                 gpointer  *added,
                 guint      n_added)
{
  guint old_len = array->len;
  guint tail = old_len - position - n_removed;

  g_assert (position + n_removed <= old_len);

  if (n_added > n_removed)
    g_ptr_array_set_size (array, old_len - n_removed + n_added);
  move_pointers (array->pdata + position + n_added,
                 array->pdata + position + n_removed, tail);
  move_pointers (array->pdata + position, added, n_added);
  if (n_added < n_removed)
    g_ptr_array_set_size (array, old_len - n_removed + n_added);
}

/* The first position in @array from @start on whose entry sorts after
 * @entry. */
static guint
upper_bound (GPtrArray   *array,
             guint        start,
             const Entry *entry)
{
  guint low = start;
  guint high = array->len;

  while (low < high)
    {
      guint middle = low + (high - low) / 2;

      if (compare_entries (g_ptr_array_index (array, middle), entry) <= 0)
        low = middle + 1;
      else
        high = middle;
    }

  return low;
}

/* A new array of @array's entries and @added's (both sorted), sorted. */
static GPtrArray *
merge_sorted (GPtrArray *array,
              GPtrArray *added)
{
  GPtrArray *merged = g_ptr_array_sized_new (array->len + added->len);
  guint from = 0;

  g_ptr_array_set_size (merged, array->len + added->len);
  merged->len = 0;

  for (guint i = 0; i < added->len; i++)
    {
      Entry *entry = g_ptr_array_index (added, i);
      guint at = upper_bound (array, from, entry);

      move_pointers (merged->pdata + merged->len, array->pdata + from,
                     at - from);
      merged->len += at - from;
      merged->pdata[merged->len++] = entry;
      from = at;
    }

  move_pointers (merged->pdata + merged->len, array->pdata + from,
                 array->len - from);
  merged->len += array->len - from;

  return merged;
}

/* A new array of the entries of @array that are not in @gone. */
static GPtrArray *
without (GPtrArray  *array,
         GHashTable *gone)
{
  GPtrArray *kept = g_ptr_array_sized_new (array->len);

  for (guint i = 0; i < array->len; i++)
    {
      Entry *entry = g_ptr_array_index (array, i);

      if (!g_hash_table_contains (gone, entry))
        g_ptr_array_add (kept, entry);
    }

  return kept;
}

/* Shows @shown instead and tells the view what changed between the
 * unchanged start and the unchanged end.
 *
 * When the list view (GTK 4.8) hears that the row it is anchored to was
 * replaced, it reads every added item to look for it. So a change that
 * both removes and adds is told in two steps: first the new items are
 * inserted after the old ones, then the old ones are removed. Neither
 * step both removes and adds, and a view anchored in the changed part
 * ends up at the first new item, as after a new search it should. */
static void
replace_shown (CdDeviceListModel *self,
               GPtrArray         *shown)
{
  g_autoptr(GPtrArray) old = self->shown;
  guint same = MIN (old->len, shown->len);
  guint prefix = 0;
  guint suffix = 0;
  guint removed;
  guint added;

  while (prefix < same && old->pdata[prefix] == shown->pdata[prefix])
    prefix++;
  while (suffix < same - prefix &&
         old->pdata[old->len - 1 - suffix] ==
           shown->pdata[shown->len - 1 - suffix])
    suffix++;

  removed = old->len - prefix - suffix;
  added = shown->len - prefix - suffix;

  if (removed > 0 && added > 0)
    {
      GPtrArray *both = g_ptr_array_sized_new (old->len + added);

      g_ptr_array_set_size (both, old->len + added);
      move_pointers (both->pdata, old->pdata, prefix + removed);
      move_pointers (both->pdata + prefix + removed, shown->pdata + prefix,
                     added + suffix);

      self->shown = both;
      g_list_model_items_changed (G_LIST_MODEL (self), prefix + removed, 0,
                                  added);
      g_ptr_array_unref (both);

      self->shown = shown;
      g_list_model_items_changed (G_LIST_MODEL (self), prefix, removed, 0);
    }
  else
    {
      self->shown = shown;
      if (removed > 0 || added > 0)
        g_list_model_items_changed (G_LIST_MODEL (self), prefix, removed,
                                    added);
    }
}

/* Filters again, from the shown devices when the filter only got
 * stricter, else from all of them. */
static void
refilter (CdDeviceListModel *self,
          gboolean           stricter)
{
  GPtrArray *from = stricter ? self->shown : self->sorted;
  GPtrArray *shown = g_ptr_array_sized_new (from->len);

  for (guint i = 0; i < from->len; i++)
    {
      Entry *entry = g_ptr_array_index (from, i);

      if (entry_matches (self, entry))
        g_ptr_array_add (shown, entry);
    }

  replace_shown (self, shown);
}

static void
on_source_items_changed (CdDeviceListModel *self,
                         guint              position,
                         guint              removed,
                         guint              added,
                         GListModel        *source)
{
  g_autoptr(GPtrArray) arrived = g_ptr_array_sized_new (added);
  g_autoptr(GPtrArray) matching = g_ptr_array_sized_new (added);
  g_autoptr(GPtrArray) gone_entries = NULL;
  g_autoptr(GPtrArray) sorted = NULL;
  g_autoptr(GPtrArray) shown = NULL;
  GPtrArray *merged;

  g_assert (CD_IS_DEVICE_LIST_MODEL (self));

  for (guint i = 0; i < added; i++)
    {
      g_autoptr(CdDevice) device = g_list_model_get_item (source,
                                                          position + i);

      g_ptr_array_add (arrived, entry_new (device));
    }

  /* Gone entries are freed only after the view heard of it: a new entry
   * at a freed one's address would look unchanged. */
  gone_entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  for (guint i = 0; i < removed; i++)
    g_ptr_array_add (gone_entries,
                     g_ptr_array_index (self->entries, position + i));
  splice_pointers (self->entries, position, removed,
                   arrived->pdata, arrived->len);

  if (removed == 0)
    {
      sorted = g_ptr_array_ref (self->sorted);
      shown = g_ptr_array_ref (self->shown);
    }
  else if (self->entries->len == added)
    {
      /* Everything went: nothing to look up. */
      sorted = g_ptr_array_new ();
      shown = g_ptr_array_new ();
    }
  else
    {
      g_autoptr(GHashTable) gone = g_hash_table_new (NULL, NULL);

      for (guint i = 0; i < gone_entries->len; i++)
        g_hash_table_add (gone, g_ptr_array_index (gone_entries, i));
      sorted = without (self->sorted, gone);
      shown = without (self->shown, gone);
    }

  for (guint i = 0; i < arrived->len; i++)
    set_order (self, g_ptr_array_index (arrived, i));
  g_ptr_array_sort (arrived, compare_entry_pointers);
  for (guint i = 0; i < arrived->len; i++)
    {
      Entry *entry = g_ptr_array_index (arrived, i);

      if (entry_matches (self, entry))
        g_ptr_array_add (matching, entry);
    }

  g_ptr_array_unref (self->sorted);
  self->sorted = merge_sorted (sorted, arrived);

  /* The view may read items while it hears of the change, so the shown
   * array is complete before it is told. */
  merged = merge_sorted (shown, matching);
  replace_shown (self, merged);
}

static void
clear_entries (CdDeviceListModel *self)
{
  g_autoptr(GPtrArray) entries = self->entries;

  self->entries = g_ptr_array_new ();
  g_ptr_array_set_size (self->sorted, 0);
  replace_shown (self, g_ptr_array_new ());

  for (guint i = 0; i < entries->len; i++)
    entry_free (g_ptr_array_index (entries, i));
}

/* GListModel */

static GType
cd_device_list_model_get_item_type (GListModel *model)
{
  return CD_TYPE_DEVICE;
}

static guint
cd_device_list_model_get_n_items (GListModel *model)
{
  return CD_DEVICE_LIST_MODEL (model)->shown->len;
}

static gpointer
cd_device_list_model_get_item (GListModel *model,
                               guint       position)
{
  CdDeviceListModel *self = CD_DEVICE_LIST_MODEL (model);
  Entry *entry;

  if (position >= self->shown->len)
    return NULL;

  entry = g_ptr_array_index (self->shown, position);

  return g_object_ref (entry->device);
}

static void
cd_device_list_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cd_device_list_model_get_item_type;
  iface->get_n_items = cd_device_list_model_get_n_items;
  iface->get_item = cd_device_list_model_get_item;
}

/* GObject */

static void
cd_device_list_model_dispose (GObject *object)
{
  CdDeviceListModel *self = CD_DEVICE_LIST_MODEL (object);

  if (self->source != NULL)
    g_clear_signal_handler (&self->items_changed_id, self->source);
  g_clear_object (&self->source);

  G_OBJECT_CLASS (cd_device_list_model_parent_class)->dispose (object);
}

static void
cd_device_list_model_finalize (GObject *object)
{
  CdDeviceListModel *self = CD_DEVICE_LIST_MODEL (object);

  g_clear_pointer (&self->shown, g_ptr_array_unref);
  g_clear_pointer (&self->sorted, g_ptr_array_unref);
  for (guint i = 0; i < self->entries->len; i++)
    entry_free (g_ptr_array_index (self->entries, i));
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->search, g_free);
  g_clear_pointer (&self->license_filter, g_free);

  G_OBJECT_CLASS (cd_device_list_model_parent_class)->finalize (object);
}

static void
cd_device_list_model_class_init (CdDeviceListModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cd_device_list_model_dispose;
  object_class->finalize = cd_device_list_model_finalize;
}

static void
cd_device_list_model_init (CdDeviceListModel *self)
{
  self->entries = g_ptr_array_new ();
  self->sorted = g_ptr_array_new ();
  self->shown = g_ptr_array_new ();
  self->license_filter = g_strdup ("");
  self->sort = CD_DEVICE_SORT_NAME;
}

CdDeviceListModel *
cd_device_list_model_new (void)
{
  return g_object_new (CD_TYPE_DEVICE_LIST_MODEL, NULL);
}

/**
 * cd_device_list_model_set_source:
 * @self: a #CdDeviceListModel
 * @source: (nullable): a GListModel of CdDevice
 *
 * Shows the devices of @source from now on.
 */
void
cd_device_list_model_set_source (CdDeviceListModel *self,
                                 GListModel        *source)
{
  g_return_if_fail (CD_IS_DEVICE_LIST_MODEL (self));
  g_return_if_fail (source == NULL || G_IS_LIST_MODEL (source));

  if (self->source == source)
    return;

  if (self->source != NULL)
    g_clear_signal_handler (&self->items_changed_id, self->source);
  g_set_object (&self->source, source);
  clear_entries (self);

  if (source == NULL)
    return;

  self->items_changed_id =
    g_signal_connect_object (source, "items-changed",
                             G_CALLBACK (on_source_items_changed), self,
                             G_CONNECT_SWAPPED);
  on_source_items_changed (self, 0, 0, g_list_model_get_n_items (source),
                           source);
}

/**
 * cd_device_list_model_get_source:
 * @self: a #CdDeviceListModel
 *
 * Returns: (transfer none) (nullable): the source model
 */
GListModel *
cd_device_list_model_get_source (CdDeviceListModel *self)
{
  g_return_val_if_fail (CD_IS_DEVICE_LIST_MODEL (self), NULL);

  return self->source;
}

void
cd_device_list_model_set_sort (CdDeviceListModel *self,
                               CdDeviceSort       sort)
{
  g_return_if_fail (CD_IS_DEVICE_LIST_MODEL (self));

  if (self->sort == sort)
    return;

  self->sort = sort;
  for (guint i = 0; i < self->sorted->len; i++)
    set_order (self, g_ptr_array_index (self->sorted, i));
  g_ptr_array_sort (self->sorted, compare_entry_pointers);
  refilter (self, FALSE);
}

CdDeviceSort
cd_device_list_model_get_sort (CdDeviceListModel *self)
{
  g_return_val_if_fail (CD_IS_DEVICE_LIST_MODEL (self), CD_DEVICE_SORT_NAME);

  return self->sort;
}

void
cd_device_list_model_set_search (CdDeviceListModel *self,
                                 const char        *text)
{
  g_autofree char *old = NULL;
  char *search = NULL;

  g_return_if_fail (CD_IS_DEVICE_LIST_MODEL (self));

  if (text != NULL && *text != '\0')
    search = cd_device_list_model_fold (text);
  if (search != NULL && *search == '\0')
    g_clear_pointer (&search, g_free);

  if (g_strcmp0 (self->search, search) == 0)
    {
      g_free (search);
      return;
    }

  old = g_steal_pointer (&self->search);
  self->search = search;

  /* Typing on only narrows what is shown. */
  refilter (self, search != NULL && (old == NULL || strstr (search, old)));
}

/**
 * cd_device_list_model_get_searching:
 * @self: a #CdDeviceListModel
 *
 * Returns: whether a search text narrows the list
 */
gboolean
cd_device_list_model_get_searching (CdDeviceListModel *self)
{
  g_return_val_if_fail (CD_IS_DEVICE_LIST_MODEL (self), FALSE);

  return self->search != NULL;
}

void
cd_device_list_model_set_license_filter (CdDeviceListModel *self,
                                         const char        *license_filter)
{
  gboolean stricter;

  g_return_if_fail (CD_IS_DEVICE_LIST_MODEL (self));

  if (license_filter == NULL)
    license_filter = "";

  if (strcmp (self->license_filter, license_filter) == 0)
    return;

  stricter = self->license_filter[0] == '\0';
  g_free (self->license_filter);
  self->license_filter = g_strdup (license_filter);
  refilter (self, stricter);
}

void
cd_device_list_model_set_pending_only (CdDeviceListModel *self,
                                       gboolean           pending_only)
{
  g_return_if_fail (CD_IS_DEVICE_LIST_MODEL (self));

  pending_only = !!pending_only;
  if (self->pending_only == pending_only)
    return;

  self->pending_only = pending_only;
  refilter (self, pending_only);
}

void
cd_device_list_model_refilter (CdDeviceListModel *self)
{
  g_return_if_fail (CD_IS_DEVICE_LIST_MODEL (self));

  refilter (self, FALSE);
}
