/* cd-sign-in-page.h: the form that signs in to a portal, or to the demo.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CD_TYPE_SIGN_IN_PAGE (cd_sign_in_page_get_type ())

G_DECLARE_FINAL_TYPE (CdSignInPage, cd_sign_in_page, CD, SIGN_IN_PAGE, AdwBin)

/* Signals: "signed-in" (CdPortalClient *client, gboolean remember) after a
 * successful sign-in; @remember is FALSE for the demo, whose session is
 * not kept. "demo-requested" (no arguments) when the user asks for the
 * demo. */

void        cd_sign_in_page_set_portal_url (CdSignInPage *self,
                                            const char   *portal_url);
const char *cd_sign_in_page_get_portal_url (CdSignInPage *self);
void        cd_sign_in_page_set_username   (CdSignInPage *self,
                                            const char   *username);
const char *cd_sign_in_page_get_username   (CdSignInPage *self);

/* Shows @message (nullable: hides it) below the form, as an error or as
 * a neutral notice. */
void        cd_sign_in_page_show_message   (CdSignInPage *self,
                                            const char   *message,
                                            gboolean      is_error);

/* While busy the form is insensitive and a spinner shows @status. */
void        cd_sign_in_page_set_busy       (CdSignInPage *self,
                                            gboolean      busy,
                                            const char   *status);

/* Signs in without the form's fields (the demo); "signed-in" follows
 * with @remember. */
void        cd_sign_in_page_sign_in        (CdSignInPage *self,
                                            const char   *portal_url,
                                            const char   *username,
                                            const char   *password,
                                            gboolean      remember);

/* Forgets the password, stops a running sign-in and focuses the form. */
void        cd_sign_in_page_reset          (CdSignInPage *self);

G_END_DECLS
