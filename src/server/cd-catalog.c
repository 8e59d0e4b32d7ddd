/* cd-catalog.c: license types, add-on modules and error codes, de and en.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-server"

#include "cd-catalog.h"

#include <string.h>

static const CdLicenseType license_types[] = {
  { "standard", { "Standard", "Standard" }, 24, 3 },
  { "flex", { "Flex", "Flex" }, 1, 0 },
  { "manager", { "Manager", "Manager" }, 24, 3 },
};

static const CdModule modules[] = {
  { "flexible-forms",
    { "Flexible Formulare", "Flexible forms" },
    { "Eigene Formulare für Berichte, Checklisten und Übergaben",
      "Custom forms for reports, checklists and handovers" },
    290, TRUE },
  { "lone-worker",
    { "Alleinarbeiterschutz", "Lone worker protection" },
    { "Notruf, Lage- und Totmannerkennung für Alleinarbeitende",
      "Emergency call, tilt and no-motion alarm for people working alone" },
    490, FALSE },
  { "tickets",
    { "Ticketsystem", "Ticket system" },
    { "Meldungen und Aufträge vor Ort erfassen und verfolgen",
      "Record and follow up on incidents and tasks on site" },
    250, TRUE },
  { "roster",
    { "Dienstplan", "Roster" },
    { "Schichten und Einsätze auf dem Gerät einsehen",
      "See shifts and assignments on the device" },
    190, TRUE },
  { "key-management",
    { "Schlüsselverwaltung", "Key management" },
    { "Schlüsselausgabe und -rücknahme mit Nachweis",
      "Hand out and take back keys with a record" },
    150, TRUE },
  { "file-manager",
    { "Dateimanager", "File manager" },
    { "Dienstanweisungen und Dokumente auf dem Gerät",
      "Service instructions and documents on the device" },
    120, TRUE },
  { "gps",
    { "GPS-Ortung", "GPS tracking" },
    { "Standort der Streife in Echtzeit im Portal",
      "The patrol's location in the portal in real time" },
    390, FALSE },
};

typedef struct
{
  guint       status;
  const char *code;
  const char *title[2];
} ProblemInfo;

static const ProblemInfo problems[CD_N_PROBLEMS] = {
  [CD_PROBLEM_INVALID_REQUEST] =
    { 400, "invalid_request",
      { "Ungültige Anfrage", "Invalid request" } },
  [CD_PROBLEM_IDEMPOTENCY_KEY_REQUIRED] =
    { 400, "idempotency_key_required",
      { "Idempotency-Key fehlt", "Idempotency-Key required" } },
  [CD_PROBLEM_UNAUTHORIZED] =
    { 401, "unauthorized",
      { "Anmeldung erforderlich", "Authentication required" } },
  [CD_PROBLEM_INVALID_GRANT] =
    { 400, "invalid_grant",
      { "Anmeldung fehlgeschlagen", "Sign-in failed" } },
  [CD_PROBLEM_FORBIDDEN] =
    { 403, "forbidden",
      { "Keine Berechtigung", "Not allowed" } },
  [CD_PROBLEM_NOT_FOUND] =
    { 404, "not_found",
      { "Nicht gefunden", "Not found" } },
  [CD_PROBLEM_ALREADY_BOOKED] =
    { 409, "already_booked",
      { "Zusatzmodul bereits gebucht", "Add-on module already booked" } },
  [CD_PROBLEM_BOOKING_NOT_ACTIVE] =
    { 409, "booking_not_active",
      { "Buchung nicht aktiv", "Booking not active" } },
  [CD_PROBLEM_PRECONDITION_FAILED] =
    { 412, "precondition_failed",
      { "Gerät wurde inzwischen geändert",
        "The device has changed in the meantime" } },
  [CD_PROBLEM_PAYLOAD_TOO_LARGE] =
    { 413, "payload_too_large",
      { "Anfrage zu groß", "Request too large" } },
  [CD_PROBLEM_NO_LICENSE] =
    { 422, "no_license",
      { "Gerät hat keine Lizenz", "Device has no license" } },
  [CD_PROBLEM_LICENSE_NOT_ACTIVE] =
    { 422, "license_not_active",
      { "Lizenz nicht aktiv", "License not active" } },
  [CD_PROBLEM_UNKNOWN_MODULE] =
    { 422, "unknown_module",
      { "Unbekanntes Zusatzmodul", "Unknown add-on module" } },
  [CD_PROBLEM_MODULE_NOT_AVAILABLE] =
    { 422, "module_not_available",
      { "Zusatzmodul für diese Lizenz nicht verfügbar",
        "Add-on module not available for this license" } },
  [CD_PROBLEM_WITHDRAWAL_NOT_POSSIBLE] =
    { 422, "withdrawal_not_possible",
      { "Kündigung kann nicht zurückgenommen werden",
        "Cancellation cannot be withdrawn" } },
  [CD_PROBLEM_IDEMPOTENCY_KEY_REUSED] =
    { 422, "idempotency_key_reused",
      { "Idempotency-Key bereits verwendet", "Idempotency-Key already used" } },
  [CD_PROBLEM_RATE_LIMITED] =
    { 429, "rate_limited",
      { "Zu viele Versuche", "Too many attempts" } },
  [CD_PROBLEM_INTERNAL] =
    { 500, "internal_error",
      { "Interner Fehler", "Internal error" } },
};

const CdLicenseType *
cd_catalog_license_types (guint *n_types)
{
  g_return_val_if_fail (n_types != NULL, NULL);

  *n_types = G_N_ELEMENTS (license_types);
  return license_types;
}

const CdLicenseType *
cd_catalog_find_license_type (const char *code)
{
  for (guint i = 0; code != NULL && i < G_N_ELEMENTS (license_types); i++)
    if (strcmp (license_types[i].code, code) == 0)
      return &license_types[i];
  return NULL;
}

const CdModule *
cd_catalog_modules (guint *n_modules)
{
  g_return_val_if_fail (n_modules != NULL, NULL);

  *n_modules = G_N_ELEMENTS (modules);
  return modules;
}

const CdModule *
cd_catalog_find_module (const char *code)
{
  for (guint i = 0; code != NULL && i < G_N_ELEMENTS (modules); i++)
    if (strcmp (modules[i].code, code) == 0)
      return &modules[i];
  return NULL;
}

gboolean
cd_catalog_module_available (const CdModule *module,
                             const char     *license_type)
{
  g_return_val_if_fail (module != NULL, FALSE);
  g_return_val_if_fail (license_type != NULL, FALSE);

  if (strcmp (license_type, "manager") == 0)
    return module->for_manager;
  return cd_catalog_find_license_type (license_type) != NULL;
}

guint
cd_problem_get_status (CdProblem problem)
{
  g_return_val_if_fail (problem < CD_N_PROBLEMS, 500);

  return problems[problem].status;
}

const char *
cd_problem_get_code (CdProblem problem)
{
  g_return_val_if_fail (problem < CD_N_PROBLEMS, "internal_error");

  return problems[problem].code;
}

const char *
cd_problem_get_title (CdProblem problem,
                      CdLang    lang)
{
  g_return_val_if_fail (problem < CD_N_PROBLEMS, "");

  return problems[problem].title[lang == CD_LANG_EN ? 1 : 0];
}

CdLang
cd_lang_from_header (const char *accept_language)
{
  g_auto(GStrv) tags = NULL;

  if (accept_language == NULL)
    return CD_LANG_DE;

  /* The first of de or en in the listed order wins; q-values are ignored
   * because clients list their preference first. */
  tags = g_strsplit (accept_language, ",", 32);
  for (guint i = 0; tags[i] != NULL; i++)
    {
      const char *tag = tags[i];

      while (*tag == ' ' || *tag == '\t')
        tag++;
      if (g_ascii_strncasecmp (tag, "en", 2) == 0
          && (tag[2] == '\0' || tag[2] == '-' || tag[2] == '_'
              || tag[2] == ';' || tag[2] == ' '))
        return CD_LANG_EN;
      if (g_ascii_strncasecmp (tag, "de", 2) == 0
          && (tag[2] == '\0' || tag[2] == '-' || tag[2] == '_'
              || tag[2] == ';' || tag[2] == ' '))
        return CD_LANG_DE;
    }

  return CD_LANG_DE;
}
