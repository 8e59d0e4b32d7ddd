/* cd-booking-row.c: one booked add-on module in the device's module list.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cd-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "cd-booking-row.h"
#include "cd-format.h"

struct _CdBookingRow
{
  GtkListBoxRow  parent_instance;

  CdBooking     *booking;  /* (owned) */

  GtkLabel      *name_label;
  GtkLabel      *price_label;
  GtkLabel      *description_label;
  GtkLabel      *booked_label;
  GtkLabel      *cancelled_label;
  GtkLabel      *state_label;
  GtkButton     *action_button;
};

G_DEFINE_FINAL_TYPE (CdBookingRow, cd_booking_row, GTK_TYPE_LIST_BOX_ROW)

static char *
describe_booked (CdBooking *booking)
{
  g_autofree char *booked_on = NULL;
  const char *booked_by;

  g_assert (CD_IS_BOOKING (booking));

  booked_on = cd_format_date (cd_booking_get_booked_on (booking));
  booked_by = cd_booking_get_booked_by (booking);
  if (booked_on == NULL)
    return NULL;

  if (booked_by != NULL)
    /* TRANSLATORS: "Booked on Dec 1, 2026 by admin@example.com" */
    return g_strdup_printf (_("Booked on %s by %s"), booked_on, booked_by);

  /* TRANSLATORS: "Booked on Dec 1, 2026" */
  return g_strdup_printf (_("Booked on %s"), booked_on);
}

/* Who gave notice is what an admin asks first about a pending
 * cancellation, so the row says it next to who booked. */
static char *
describe_cancelled (CdBooking *booking)
{
  g_autofree char *cancelled_on = NULL;
  const char *cancelled_by;

  g_assert (CD_IS_BOOKING (booking));

  if (cd_booking_get_state (booking) != CD_BOOKING_STATE_CANCELLATION_PENDING)
    return NULL;

  cancelled_on = cd_format_date (cd_booking_get_cancelled_on (booking));
  cancelled_by = cd_booking_get_cancelled_by (booking);
  if (cancelled_on == NULL)
    return NULL;

  if (cancelled_by != NULL)
    /* TRANSLATORS: "Cancelled on Dec 7, 2026 by admin@example.com" */
    return g_strdup_printf (_("Cancelled on %s by %s"), cancelled_on,
                            cancelled_by);

  /* TRANSLATORS: "Cancelled on Dec 7, 2026" */
  return g_strdup_printf (_("Cancelled on %s"), cancelled_on);
}

static void
show_state (CdBookingRow *self,
            gboolean      withdrawable)
{
  g_autofree char *ends_on = NULL;
  g_autofree char *state = NULL;
  GtkWidget *state_widget = GTK_WIDGET (self->state_label);
  GtkActionable *button = GTK_ACTIONABLE (self->action_button);
  const char *booking_id = cd_booking_get_id (self->booking);

  g_assert (CD_IS_BOOKING_ROW (self));

  gtk_widget_remove_css_class (state_widget, "pending-cancellation");
  gtk_widget_remove_css_class (state_widget, "success");
  gtk_widget_set_visible (GTK_WIDGET (self->action_button), TRUE);
  gtk_actionable_set_action_target_value (button,
                                          g_variant_new_string (booking_id));

  switch (cd_booking_get_state (self->booking))
    {
    case CD_BOOKING_STATE_ACTIVE:
      state = g_strdup (_("Active, renews with the license"));
      gtk_widget_add_css_class (state_widget, "success");
      /* TRANSLATORS: a button that cancels a booked add-on module */
      gtk_button_set_label (self->action_button, C_("module", "Cancel"));
      gtk_actionable_set_action_name (button, "device.cancel");
      break;

    case CD_BOOKING_STATE_CANCELLATION_PENDING:
      ends_on = cd_format_date (cd_booking_get_ends_on (self->booking));
      /* TRANSLATORS: the state of a cancelled module that still runs;
       * %s is a date like "Mar 14, 2027" */
      state = g_strdup_printf (_("Cancelled, usable until %s"),
                               ends_on != NULL ? ends_on : "?");
      gtk_widget_add_css_class (state_widget, "pending-cancellation");
      gtk_button_set_label (self->action_button,
                            _("Withdraw cancellation"));
      gtk_actionable_set_action_name (button, "device.withdraw");
      gtk_widget_set_visible (GTK_WIDGET (self->action_button), withdrawable);
      break;

    case CD_BOOKING_STATE_ENDED:
    default:
      state = g_strdup (_("Ended"));
      gtk_actionable_set_action_name (button, NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->action_button), FALSE);
      break;
    }

  gtk_label_set_text (self->state_label, state);
}

static void
cd_booking_row_dispose (GObject *object)
{
  CdBookingRow *self = CD_BOOKING_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CD_TYPE_BOOKING_ROW);
  g_clear_object (&self->booking);

  G_OBJECT_CLASS (cd_booking_row_parent_class)->dispose (object);
}

static void
cd_booking_row_class_init (CdBookingRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cd_booking_row_dispose;

  gtk_widget_class_set_template_from_resource (
    widget_class, "/com/coredinate/Admin/cd-booking-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CdBookingRow,
                                        name_label);
  gtk_widget_class_bind_template_child (widget_class, CdBookingRow,
                                        price_label);
  gtk_widget_class_bind_template_child (widget_class, CdBookingRow,
                                        description_label);
  gtk_widget_class_bind_template_child (widget_class, CdBookingRow,
                                        booked_label);
  gtk_widget_class_bind_template_child (widget_class, CdBookingRow,
                                        cancelled_label);
  gtk_widget_class_bind_template_child (widget_class, CdBookingRow,
                                        state_label);
  gtk_widget_class_bind_template_child (widget_class, CdBookingRow,
                                        action_button);
}

static void
cd_booking_row_init (CdBookingRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * cd_booking_row_new:
 * @booking: the booking to show
 * @module: (nullable): its module from the catalogue, for name,
 *   description and price; without it the module code is shown
 * @withdrawable: whether a pending cancellation can be withdrawn (not once
 *   the license itself is cancelled)
 *
 * The row's button activates "device.cancel" or "device.withdraw" with the
 * booking id as target, so the page decides whether it may be used.
 */
GtkWidget *
cd_booking_row_new (CdBooking *booking,
                    CdModule  *module,
                    gboolean   withdrawable)
{
  CdBookingRow *self;
  g_autofree char *booked = NULL;
  g_autofree char *cancelled = NULL;
  g_autofree char *price = NULL;

  g_return_val_if_fail (CD_IS_BOOKING (booking), NULL);
  g_return_val_if_fail (module == NULL || CD_IS_MODULE (module), NULL);

  self = g_object_new (CD_TYPE_BOOKING_ROW, NULL);
  self->booking = g_object_ref (booking);

  if (module != NULL)
    {
      price = cd_format_monthly_price (cd_module_get_price_amount_minor (module),
                                       cd_module_get_price_currency (module));
      gtk_label_set_text (self->name_label, cd_module_get_name (module));
      gtk_label_set_text (self->description_label,
                          cd_module_get_description (module));
      gtk_label_set_text (self->price_label, price);
    }
  else
    {
      gtk_label_set_text (self->name_label,
                          cd_booking_get_module_code (booking));
      gtk_widget_set_visible (GTK_WIDGET (self->description_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->price_label), FALSE);
    }

  booked = describe_booked (booking);
  gtk_label_set_text (self->booked_label, booked);
  gtk_widget_set_visible (GTK_WIDGET (self->booked_label), booked != NULL);

  cancelled = describe_cancelled (booking);
  gtk_label_set_text (self->cancelled_label, cancelled);
  gtk_widget_set_visible (GTK_WIDGET (self->cancelled_label),
                          cancelled != NULL);

  show_state (self, withdrawable);

  return GTK_WIDGET (self);
}

CdBooking *
cd_booking_row_get_booking (CdBookingRow *self)
{
  g_return_val_if_fail (CD_IS_BOOKING_ROW (self), NULL);

  return self->booking;
}
