/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <sapa/sapa.h>

G_BEGIN_DECLS

#define SAPA_TYPE_NEW_CUSTOMER_DIALOG (sapa_new_customer_dialog_get_type ())
G_DECLARE_FINAL_TYPE (SapaNewCustomerDialog, sapa_new_customer_dialog, SAPA, NEW_CUSTOMER_DIALOG, AdwWindow)

/* @agent_id and @branch_id (may be NULL) are written with the new customer.
 * Emits "open-customer" (id) with the customer created, or with an existing
 * one the person chose to open instead, then closes. */
SapaNewCustomerDialog *sapa_new_customer_dialog_new     (SapaStore             *store,
                                                          const char            *agent_id,
                                                          const char            *branch_id);
/* Fills the phone, email or name from what was searched for. */
void                   sapa_new_customer_dialog_prefill (SapaNewCustomerDialog *self,
                                                          const char            *query);
/* Validates and, when nothing is wrong, saves (as the Save button does). */
void                   sapa_new_customer_dialog_save    (SapaNewCustomerDialog *self);

/* For tests: the row of a field ("full_name", "phone", "email",
 * "account_number") and the error shown under it. */
AdwEntryRow           *sapa_new_customer_dialog_get_row   (SapaNewCustomerDialog *self,
                                                           const char            *field);
GtkLabel              *sapa_new_customer_dialog_get_error (SapaNewCustomerDialog *self,
                                                           const char            *field);
/* The duplicate warning: its text when shown, else NULL. */
const char            *sapa_new_customer_dialog_get_duplicate_warning (SapaNewCustomerDialog *self);
GtkButton             *sapa_new_customer_dialog_get_open_duplicate_button (SapaNewCustomerDialog *self);
GtkButton             *sapa_new_customer_dialog_get_create_anyway_button  (SapaNewCustomerDialog *self);
/* TRUE while a save is running. */
gboolean               sapa_new_customer_dialog_is_saving (SapaNewCustomerDialog *self);

G_END_DECLS
