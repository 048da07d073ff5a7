/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <sapa/sapa.h>

G_BEGIN_DECLS

#define SAPA_TYPE_CUSTOMER_PAGE (sapa_customer_page_get_type ())
G_DECLARE_FINAL_TYPE (SapaCustomerPage, sapa_customer_page, SAPA, CUSTOMER_PAGE, AdwBin)

GtkWidget  *sapa_customer_page_new             (SapaStore        *store,
                                                const char       *agent_id);
void        sapa_customer_page_set_customer_id (SapaCustomerPage *self,
                                                const char       *customer_id);
const char *sapa_customer_page_get_customer_id (SapaCustomerPage *self);

G_END_DECLS
