/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <sapa/sapa.h>

#include "sapa-customer-page.h"
#include "sapa-lookup-page.h"
#include "sapa-new-customer-dialog.h"
#include "sapa-sync-indicator.h"

G_BEGIN_DECLS

#define SAPA_TYPE_WINDOW (sapa_window_get_type ())
G_DECLARE_FINAL_TYPE (SapaWindow, sapa_window, SAPA, WINDOW, AdwApplicationWindow)

/* @application may be NULL (tests). */
SapaWindow            *sapa_window_new                (GtkApplication *application);
/* Shows "Opening the database…" with @path until a store is set. */
void                   sapa_window_show_loading       (SapaWindow     *self,
                                                       const char     *path);
/* The desk's database and the agent working at it (@agent_id and @branch_id
 * go with what is written; @branch_id may be NULL). Replaces any store. */
void                   sapa_window_set_store          (SapaWindow     *self,
                                                       SapaStore      *store,
                                                       const char     *agent_id,
                                                       const char     *branch_id);
SapaStore             *sapa_window_get_store          (SapaWindow     *self);
void                   sapa_window_open_customer      (SapaWindow     *self,
                                                       const char     *customer_id);
/* The customer shown, or NULL. */
const char            *sapa_window_get_customer_id    (SapaWindow     *self);
/* Opens the new-customer dialog, prefilled from @query (may be NULL). */
SapaNewCustomerDialog *sapa_window_new_customer       (SapaWindow     *self,
                                                       const char     *query);
/* TRUE when the search sidebar is on screen (side by side, or folded and
 * showing the sidebar rather than the customer). */
gboolean               sapa_window_get_sidebar_shown  (SapaWindow     *self);
void                   sapa_window_add_toast          (SapaWindow     *self,
                                                       AdwToast       *toast);
SapaLookupPage        *sapa_window_get_lookup_page    (SapaWindow     *self);
/* NULL until the first customer is opened: the page is built then. */
SapaCustomerPage      *sapa_window_get_customer_page  (SapaWindow     *self);

/* The desk's sync engine shown in the header bar; NULL: the desk works alone. */
void                   sapa_window_set_sync           (SapaWindow     *self,
                                                       SapaSync       *sync);
SapaSyncIndicator     *sapa_window_get_sync_indicator (SapaWindow     *self);
/* The agent working at the desk, as given to sapa_window_set_store(). */
const char            *sapa_window_get_agent_id       (SapaWindow     *self);

G_END_DECLS
