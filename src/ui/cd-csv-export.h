/* cd-csv-export.h: writes a list of devices as an RFC 4180 CSV file.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cd-portal.h"

G_BEGIN_DECLS

/* Called on the main loop while rows are written: @done of @total. */
typedef void (*CdCsvExportProgress) (guint    done,
                                     guint    total,
                                     gpointer user_data);

/* One field as RFC 4180 wants it: quoted (with doubled quotes) when it
 * holds a comma, a quote, CR or LF, else as it is. */
char     *cd_csv_export_quote_field  (const char           *field);

/* Writes @devices (a GListModel of CdDevice, e.g. the shown list after
 * search and filters) to @file as UTF-8 CSV with CRLF line ends: a header
 * row in the user's language, then one row per device (name, model,
 * serial, platform, license type, license state, current term end, next
 * possible end, modules, last seen, then one column per module of
 * @modules saying "Booked", "Cancelled" or nothing; dates as YYYY-MM-DD,
 * last seen in UTC). @modules and @license_types (nullable GListModels of
 * CdModule and CdLicenseType) give the names; without them the codes are
 * written and there are no module columns.
 * The devices are taken when called; rows are built in chunks on the main
 * loop, so a large list neither blocks the UI nor races with updates.
 * The file is written under a temporary name next to @file and renamed
 * once complete: on any failure (a read-only folder, a full disk) @file
 * is as it was before and no partial file is left. */
void      cd_csv_export_write_async  (GListModel           *devices,
                                      GListModel           *modules,
                                      GListModel           *license_types,
                                      GFile                *file,
                                      GCancellable         *cancellable,
                                      CdCsvExportProgress   progress,
                                      gpointer              progress_data,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
gboolean  cd_csv_export_write_finish (GAsyncResult         *result,
                                      GError              **error);

/* The translated message for an export that failed with @error: the
 * file's name, why, and what to do. */
char     *cd_csv_export_error_text   (GFile                *file,
                                      const GError         *error);

/* Asks for a file (GtkFileChooserNative on GTK 4.8, GtkFileDialog from
 * 4.10 on: the portal inside Flatpak either way; default name
 * "devices.csv", translated) and writes @devices to it, showing progress
 * for large lists, then a toast once the file is complete or a dialog
 * with cd_csv_export_error_text(). @client (nullable) is used for the
 * module and license type names. */
void      cd_csv_export_run          (GtkWidget            *parent,
                                      CdPortalClient       *client,
                                      GListModel           *devices);

G_END_DECLS
