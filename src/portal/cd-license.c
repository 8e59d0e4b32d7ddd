/* cd-license.c: the license of one device, with its term dates.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-portal"

#include "cd-license.h"
#include "cd-portal-private.h"

struct _CdLicense
{
  GObject         parent_instance;

  char           *type_code;          /* (owned) */
  CdLicenseState  state;
  GDate          *current_term_end;   /* (owned) (nullable) */
  GDate          *next_possible_end;  /* (owned) (nullable) */
  GDate          *ends_on;            /* (owned) (nullable) */
  gboolean        has_detail;
  GDate          *term_start;         /* (owned) (nullable) */
  int             term_months;
  int             notice_months;
  GDate          *notice_deadline;    /* (owned) (nullable) */
};

G_DEFINE_FINAL_TYPE (CdLicense, cd_license, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TYPE_CODE,
  PROP_STATE,
  PROP_CURRENT_TERM_END,
  PROP_NEXT_POSSIBLE_END,
  PROP_ENDS_ON,
  PROP_HAS_DETAIL,
  PROP_TERM_START,
  PROP_TERM_MONTHS,
  PROP_NOTICE_MONTHS,
  PROP_NOTICE_DEADLINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cd_license_finalize (GObject *object)
{
  CdLicense *self = CD_LICENSE (object);

  g_clear_pointer (&self->type_code, g_free);
  g_clear_pointer (&self->current_term_end, g_date_free);
  g_clear_pointer (&self->next_possible_end, g_date_free);
  g_clear_pointer (&self->ends_on, g_date_free);
  g_clear_pointer (&self->term_start, g_date_free);
  g_clear_pointer (&self->notice_deadline, g_date_free);

  G_OBJECT_CLASS (cd_license_parent_class)->finalize (object);
}

static void
cd_license_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  CdLicense *self = CD_LICENSE (object);

  switch (prop_id)
    {
    case PROP_TYPE_CODE:
      g_value_set_string (value, self->type_code);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_CURRENT_TERM_END:
      g_value_set_boxed (value, self->current_term_end);
      break;
    case PROP_NEXT_POSSIBLE_END:
      g_value_set_boxed (value, self->next_possible_end);
      break;
    case PROP_ENDS_ON:
      g_value_set_boxed (value, self->ends_on);
      break;
    case PROP_HAS_DETAIL:
      g_value_set_boolean (value, self->has_detail);
      break;
    case PROP_TERM_START:
      g_value_set_boxed (value, self->term_start);
      break;
    case PROP_TERM_MONTHS:
      g_value_set_int (value, self->term_months);
      break;
    case PROP_NOTICE_MONTHS:
      g_value_set_int (value, self->notice_months);
      break;
    case PROP_NOTICE_DEADLINE:
      g_value_set_boxed (value, self->notice_deadline);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_license_class_init (CdLicenseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = cd_license_finalize;
  object_class->get_property = cd_license_get_property;

  properties[PROP_TYPE_CODE] =
    g_param_spec_string ("type-code", NULL, NULL, NULL, flags);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, CD_TYPE_LICENSE_STATE,
                       CD_LICENSE_STATE_ACTIVE, flags);
  properties[PROP_CURRENT_TERM_END] =
    g_param_spec_boxed ("current-term-end", NULL, NULL, G_TYPE_DATE, flags);
  properties[PROP_NEXT_POSSIBLE_END] =
    g_param_spec_boxed ("next-possible-end", NULL, NULL, G_TYPE_DATE, flags);
  properties[PROP_ENDS_ON] =
    g_param_spec_boxed ("ends-on", NULL, NULL, G_TYPE_DATE, flags);
  properties[PROP_HAS_DETAIL] =
    g_param_spec_boolean ("has-detail", NULL, NULL, FALSE, flags);
  properties[PROP_TERM_START] =
    g_param_spec_boxed ("term-start", NULL, NULL, G_TYPE_DATE, flags);
  properties[PROP_TERM_MONTHS] =
    g_param_spec_int ("term-months", NULL, NULL, -1, G_MAXINT, -1, flags);
  properties[PROP_NOTICE_MONTHS] =
    g_param_spec_int ("notice-months", NULL, NULL, -1, G_MAXINT, -1, flags);
  properties[PROP_NOTICE_DEADLINE] =
    g_param_spec_boxed ("notice-deadline", NULL, NULL, G_TYPE_DATE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cd_license_init (CdLicense *self)
{
  self->term_months = -1;
  self->notice_months = -1;
}

CdLicense *
cd_license_new (const char     *type_code,
                CdLicenseState  state,
                const GDate    *current_term_end,
                const GDate    *next_possible_end,
                const GDate    *ends_on,
                gboolean        has_detail,
                const GDate    *term_start,
                int             term_months,
                int             notice_months,
                const GDate    *notice_deadline)
{
  CdLicense *self = g_object_new (CD_TYPE_LICENSE, NULL);

  self->type_code = g_strdup (type_code);
  self->state = state;
  self->current_term_end = cd_portal_date_dup (current_term_end);
  self->next_possible_end = cd_portal_date_dup (next_possible_end);
  self->ends_on = cd_portal_date_dup (ends_on);
  self->has_detail = has_detail;
  if (has_detail)
    {
      self->term_start = cd_portal_date_dup (term_start);
      self->term_months = term_months;
      self->notice_months = notice_months;
      self->notice_deadline = cd_portal_date_dup (notice_deadline);
    }

  return self;
}

/**
 * cd_license_equal:
 *
 * Returns: whether @a and @b hold the same values (both may be NULL).
 */
gboolean
cd_license_equal (CdLicense *a,
                  CdLicense *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;

  return g_strcmp0 (a->type_code, b->type_code) == 0 &&
         a->state == b->state &&
         cd_portal_date_equal (a->current_term_end, b->current_term_end) &&
         cd_portal_date_equal (a->next_possible_end, b->next_possible_end) &&
         cd_portal_date_equal (a->ends_on, b->ends_on) &&
         a->has_detail == b->has_detail &&
         cd_portal_date_equal (a->term_start, b->term_start) &&
         a->term_months == b->term_months &&
         a->notice_months == b->notice_months &&
         cd_portal_date_equal (a->notice_deadline, b->notice_deadline);
}

/* Whether the values a list summary carries are the same. */
gboolean
cd_license_summary_equal (CdLicense *a,
                          CdLicense *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;

  return g_strcmp0 (a->type_code, b->type_code) == 0 &&
         a->state == b->state &&
         cd_portal_date_equal (a->current_term_end, b->current_term_end) &&
         cd_portal_date_equal (a->next_possible_end, b->next_possible_end) &&
         cd_portal_date_equal (a->ends_on, b->ends_on);
}

const char *
cd_license_get_type_code (CdLicense *self)
{
  g_return_val_if_fail (CD_IS_LICENSE (self), NULL);

  return self->type_code;
}

CdLicenseState
cd_license_get_state (CdLicense *self)
{
  g_return_val_if_fail (CD_IS_LICENSE (self), CD_LICENSE_STATE_ENDED);

  return self->state;
}

gboolean
cd_license_get_has_detail (CdLicense *self)
{
  g_return_val_if_fail (CD_IS_LICENSE (self), FALSE);

  return self->has_detail;
}

const GDate *
cd_license_get_term_start (CdLicense *self)
{
  g_return_val_if_fail (CD_IS_LICENSE (self), NULL);

  return self->term_start;
}

int
cd_license_get_term_months (CdLicense *self)
{
  g_return_val_if_fail (CD_IS_LICENSE (self), -1);

  return self->term_months;
}

int
cd_license_get_notice_months (CdLicense *self)
{
  g_return_val_if_fail (CD_IS_LICENSE (self), -1);

  return self->notice_months;
}

const GDate *
cd_license_get_current_term_end (CdLicense *self)
{
  g_return_val_if_fail (CD_IS_LICENSE (self), NULL);

  return self->current_term_end;
}

const GDate *
cd_license_get_notice_deadline (CdLicense *self)
{
  g_return_val_if_fail (CD_IS_LICENSE (self), NULL);

  return self->notice_deadline;
}

const GDate *
cd_license_get_next_possible_end (CdLicense *self)
{
  g_return_val_if_fail (CD_IS_LICENSE (self), NULL);

  return self->next_possible_end;
}

const GDate *
cd_license_get_ends_on (CdLicense *self)
{
  g_return_val_if_fail (CD_IS_LICENSE (self), NULL);

  return self->ends_on;
}
