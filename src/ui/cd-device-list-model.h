/* cd-device-list-model.h: the device list as shown: sorted and filtered.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cd-portal.h"

G_BEGIN_DECLS

typedef enum {
  CD_DEVICE_SORT_NAME,
  CD_DEVICE_SORT_TERM_END,
  CD_DEVICE_SORT_LAST_SEEN,
} CdDeviceSort;

#define CD_TYPE_DEVICE_LIST_MODEL (cd_device_list_model_get_type ())

G_DECLARE_FINAL_TYPE (CdDeviceListModel, cd_device_list_model,
                      CD, DEVICE_LIST_MODEL, GObject)

/**
 * CdDeviceListModel:
 *
 * A GListModel of the CdDevice objects of a source model (the loader's
 * store), sorted and filtered for display.
 *
 * Every device's search text (name, serial and model, case folded and
 * without accents) is made once, when the device arrives, and doubles as
 * the key of the name order, so a keystroke in the search compares bytes
 * only. Items are kept in an array, so reading item n costs the same
 * wherever n is: GTK's list view reads every item of a large change.
 *
 * Orders: by name (case and accents ignored), by the license's term end
 * (devices whose license ended or that have none last), or most recently
 * seen first; ties go by name, then by id.
 */
CdDeviceListModel *cd_device_list_model_new            (void);

void        cd_device_list_model_set_source           (CdDeviceListModel *self,
                                                       GListModel        *source);
GListModel *cd_device_list_model_get_source           (CdDeviceListModel *self);

void        cd_device_list_model_set_sort             (CdDeviceListModel *self,
                                                       CdDeviceSort       sort);
CdDeviceSort cd_device_list_model_get_sort            (CdDeviceListModel *self);

/* Keeps devices whose name, serial or model contains @text, case and
 * accents ignored; NULL or "" keeps every device. */
void        cd_device_list_model_set_search           (CdDeviceListModel *self,
                                                       const char        *text);
gboolean    cd_device_list_model_get_searching        (CdDeviceListModel *self);

/* "" (or NULL) keeps every device, "none" those without a license, any
 * other value those with a license of that type code. */
void        cd_device_list_model_set_license_filter   (CdDeviceListModel *self,
                                                       const char        *license_filter);
/* Keeps devices with a cancelled module or a cancelled license. */
void        cd_device_list_model_set_pending_only     (CdDeviceListModel *self,
                                                       gboolean           pending_only);

/* Looks at every device again, for when devices changed in place. */
void        cd_device_list_model_refilter             (CdDeviceListModel *self);

/* The folded form used for searching: "Gerät SÜD" becomes "gerat sud". */
char       *cd_device_list_model_fold                 (const char        *text);

G_END_DECLS
