/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <sapa/sapa.h>

G_BEGIN_DECLS

#define SAPA_TYPE_CUSTOMER_PAGE (sapa_customer_page_get_type ())
G_DECLARE_FINAL_TYPE (SapaCustomerPage, sapa_customer_page, SAPA, CUSTOMER_PAGE, AdwBin)

/*
 * One customer: details (edit in place, masked account with reveal), their
 * conversations and the timeline of every contact. Actions: customer.log-visit
 * (Ctrl+Shift+V), customer.log-call (Ctrl+Shift+C), customer.add-note
 * (Ctrl+Shift+N), customer.edit (Ctrl+E), customer.reveal-account,
 * customer.save, customer.cancel-edit, customer.undo, customer.open-merged.
 *
 * ::open-customer (const char *id) asks the window to show another customer.
 */
GtkWidget  *sapa_customer_page_new             (SapaStore        *store,
                                                const char       *agent_id);
void        sapa_customer_page_set_customer_id (SapaCustomerPage *self,
                                                const char       *customer_id);
const char *sapa_customer_page_get_customer_id (SapaCustomerPage *self);
/* The customer as shown (NULL before one is set or when it was not found). */
SapaRecord *sapa_customer_page_get_customer    (SapaCustomerPage *self);
gboolean    sapa_customer_page_get_editing     (SapaCustomerPage *self);
gboolean    sapa_customer_page_get_revealed    (SapaCustomerPage *self);

G_END_DECLS
