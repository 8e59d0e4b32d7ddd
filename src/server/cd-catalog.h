/* cd-catalog.h: license types, add-on modules and error codes, de and en.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  CD_LANG_DE,
  CD_LANG_EN,
} CdLang;

typedef struct
{
  const char *code;
  const char *name[2];          /* indexed by CdLang */
  guint       term_months;
  guint       notice_months;
} CdLicenseType;

typedef struct
{
  const char *code;
  const char *name[2];
  const char *description[2];
  guint       monthly_price_minor;
  gboolean    for_manager;      /* available with a manager license */
} CdModule;

typedef enum
{
  CD_PROBLEM_INVALID_REQUEST,
  CD_PROBLEM_IDEMPOTENCY_KEY_REQUIRED,
  CD_PROBLEM_UNAUTHORIZED,
  CD_PROBLEM_INVALID_GRANT,
  CD_PROBLEM_FORBIDDEN,
  CD_PROBLEM_NOT_FOUND,
  CD_PROBLEM_ALREADY_BOOKED,
  CD_PROBLEM_BOOKING_NOT_ACTIVE,
  CD_PROBLEM_PRECONDITION_FAILED,
  CD_PROBLEM_PAYLOAD_TOO_LARGE,
  CD_PROBLEM_NO_LICENSE,
  CD_PROBLEM_LICENSE_NOT_ACTIVE,
  CD_PROBLEM_UNKNOWN_MODULE,
  CD_PROBLEM_MODULE_NOT_AVAILABLE,
  CD_PROBLEM_WITHDRAWAL_NOT_POSSIBLE,
  CD_PROBLEM_IDEMPOTENCY_KEY_REUSED,
  CD_PROBLEM_RATE_LIMITED,
  CD_PROBLEM_INTERNAL,
  CD_N_PROBLEMS,
} CdProblem;

const CdLicenseType *cd_catalog_license_types     (guint       *n_types);
const CdLicenseType *cd_catalog_find_license_type (const char  *code);
const CdModule      *cd_catalog_modules           (guint       *n_modules);
const CdModule      *cd_catalog_find_module       (const char  *code);
gboolean             cd_catalog_module_available  (const CdModule *module,
                                                   const char     *license_type);

guint                cd_problem_get_status        (CdProblem    problem);
const char          *cd_problem_get_code          (CdProblem    problem);
const char          *cd_problem_get_title         (CdProblem    problem,
                                                   CdLang       lang);

/* Picks de or en from an Accept-Language header; de when neither. */
CdLang               cd_lang_from_header          (const char  *accept_language);

G_END_DECLS
