/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-customer-page"

#include "config.h"

#include <glib/gi18n.h>

#include "sapa-customer-page.h"

/* The smallest page the window can host: the customer's name. The full page
 * (details, timeline, logging) is built on its own branch. */
struct _SapaCustomerPage
{
  AdwBin     parent_instance;
  SapaStore *store;
  char      *agent_id;
  char      *customer_id;
  GtkLabel  *name_label;
};

G_DEFINE_FINAL_TYPE (SapaCustomerPage, sapa_customer_page, ADW_TYPE_BIN)

enum {
  OPEN_CUSTOMER,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
sapa_customer_page_dispose (GObject *object)
{
  SapaCustomerPage *self = SAPA_CUSTOMER_PAGE (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->agent_id, g_free);
  g_clear_pointer (&self->customer_id, g_free);
  G_OBJECT_CLASS (sapa_customer_page_parent_class)->dispose (object);
}

static void
sapa_customer_page_class_init (SapaCustomerPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sapa_customer_page_dispose;

  signals[OPEN_CUSTOMER] =
    g_signal_new ("open-customer", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
sapa_customer_page_init (SapaCustomerPage *self)
{
  self->name_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->name_label), "title-1");
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->name_label));
}

GtkWidget *
sapa_customer_page_new (SapaStore  *store,
                        const char *agent_id)
{
  SapaCustomerPage *self;

  g_return_val_if_fail (SAPA_IS_STORE (store), NULL);

  self = g_object_new (SAPA_TYPE_CUSTOMER_PAGE, NULL);
  self->store = g_object_ref (store);
  self->agent_id = g_strdup (agent_id);
  return GTK_WIDGET (self);
}

void
sapa_customer_page_set_customer_id (SapaCustomerPage *self,
                                    const char       *customer_id)
{
  g_autoptr(SapaRecord) customer = NULL;

  g_return_if_fail (SAPA_IS_CUSTOMER_PAGE (self));

  g_free (self->customer_id);
  self->customer_id = g_strdup (customer_id);
  if (customer_id != NULL)
    customer = sapa_store_get (self->store, "customer", customer_id, NULL);
  gtk_label_set_text (self->name_label,
                      customer ? sapa_record_get_string (customer, "full_name") : "");
}

const char *
sapa_customer_page_get_customer_id (SapaCustomerPage *self)
{
  g_return_val_if_fail (SAPA_IS_CUSTOMER_PAGE (self), NULL);
  return self->customer_id;
}
