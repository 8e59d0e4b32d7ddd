/* cd-module.h: one add-on module of the catalogue (Zusatzmodul).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CD_TYPE_MODULE (cd_module_get_type ())

G_DECLARE_FINAL_TYPE (CdModule, cd_module, CD, MODULE, GObject)

/* Read-only properties: "code", "name", "description" (both localised),
 * "available-for" (GStrv of license type codes), "price-amount-minor"
 * (gint64, monthly price in minor units, e.g. 290 for 2.90),
 * "price-currency" (ISO 4217, e.g. "EUR"). */
const char         *cd_module_get_code               (CdModule   *self);
const char         *cd_module_get_name               (CdModule   *self);
const char         *cd_module_get_description        (CdModule   *self);
const char * const *cd_module_get_available_for      (CdModule   *self);
gint64              cd_module_get_price_amount_minor (CdModule   *self);
const char         *cd_module_get_price_currency     (CdModule   *self);
gboolean            cd_module_is_available_for       (CdModule   *self,
                                                      const char *license_type_code);

G_END_DECLS
