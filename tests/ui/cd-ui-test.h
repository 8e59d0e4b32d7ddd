/* cd-ui-test.h: helpers for tests that drive the real widgets.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cd-portal.h"

G_BEGIN_DECLS

typedef gboolean (*CdUiTestCondition) (gpointer user_data);

void       cd_ui_test_init              (int               *argc,
                                         char            ***argv);
gboolean   cd_ui_test_wait_until        (CdUiTestCondition  condition,
                                         gpointer           user_data,
                                         guint              timeout_ms);
void       cd_ui_test_iterate           (guint              ms);
GtkWidget *cd_ui_test_find_text         (GtkWidget         *root,
                                         const char        *text);
GtkWidget *cd_ui_test_find_button       (GtkWidget         *root,
                                         const char        *label);
GtkWidget *cd_ui_test_find_by_type      (GtkWidget         *root,
                                         GType              type);
char      *cd_ui_test_collect_text      (GtkWidget         *root);
char      *cd_ui_test_screenshot        (GtkWidget         *widget,
                                         const char        *name);
/* Presses @keys (xdotool syntax, e.g. "Escape", "ctrl+q") on the test's
 * display, so they reach the focused window as a user's would. */
void       cd_ui_test_press_keys        (const char        *keys);
/* The records of an RFC 4180 CSV text, each a strv; fails the test on a
 * malformed text. */
GPtrArray *cd_ui_test_read_csv          (const char        *text);

/* A GAsyncReadyCallback that keeps the result in the GAsyncResult ** it
 * is given; cd_ui_test_await () runs the main loop until then
 * (at most 30 s) and returns it. */
void          cd_ui_test_store_result    (GObject        *source,
                                          GAsyncResult   *result,
                                          gpointer        user_data);
GAsyncResult *cd_ui_test_await (GAsyncResult  **result);
/* A client of @url signed in as @username, whose password is "demo". */
CdPortalClient *cd_ui_test_sign_in       (const char     *url,
                                          const char     *username);

/* Waits (up to 30 s) until @text is shown under @root and returns the
 * widget showing it; fails the test, listing what is shown, if it never
 * is. */
GtkWidget *cd_ui_test_assert_shown      (GtkWidget         *root,
                                         const char        *text);
/* Clicks the button labelled @label under @root, which must be there and
 * sensitive; fails the test, listing what is shown, otherwise. */
void       cd_ui_test_click             (GtkWidget         *root,
                                         const char        *label);

/* Waits until cd_ui_test_find_text() finds @text under @root. */
#define cd_ui_test_wait_for_text(root, text, timeout_ms) \
  cd_ui_test_wait_for_text_impl ((root), (text), (timeout_ms))

GtkWidget *cd_ui_test_wait_for_text_impl (GtkWidget  *root,
                                          const char *text,
                                          guint       timeout_ms);

G_END_DECLS
