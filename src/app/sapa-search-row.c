/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-search-row"

#include "config.h"

#include <glib/gi18n.h>

#include "sapa-format.h"
#include "sapa-search-row.h"

struct _SapaSearchRow
{
  GtkWidget   parent_instance;

  SapaRecord *item;
  char       *summary;

  GtkLabel   *contact_label;
  GtkLabel   *detail_label;
  GtkLabel   *name_label;
  GtkLabel   *segment_label;
};

G_DEFINE_FINAL_TYPE (SapaSearchRow, sapa_search_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ITEM,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

static gint64
last_contact_of (SapaRecord *hit)
{
  const char *value = sapa_record_get_extra (hit, "last_contact_at");

  if (value == NULL || value[0] == '\0')
    return 0;
  return g_ascii_strtoll (value, NULL, 10);
}

static void
update (SapaSearchRow *self)
{
  g_autofree char *account = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *contact = NULL;
  g_auto(GStrv) phones = NULL;
  g_auto(GStrv) emails = NULL;
  g_autoptr(GString) detail = g_string_new (NULL);
  g_autoptr(GString) summary = g_string_new (NULL);
  const char *name = "";
  const char *segment = NULL;
  const char *number;

  gtk_widget_remove_css_class (GTK_WIDGET (self->segment_label), "vip");
  gtk_widget_remove_css_class (GTK_WIDGET (self->segment_label), "priority");
  gtk_widget_set_visible (GTK_WIDGET (self->segment_label), FALSE);

  if (self->item == NULL)
    {
      gtk_label_set_text (self->name_label, "");
      gtk_label_set_text (self->detail_label, "");
      gtk_label_set_text (self->contact_label, "");
      g_clear_pointer (&self->summary, g_free);
      return;
    }

  name = sapa_record_get_string (self->item, "full_name");
  if (name == NULL)
    name = "";
  gtk_label_set_text (self->name_label, name);
  g_string_append (summary, name);

  segment = sapa_record_get_string (self->item, "segment");
  if (g_strcmp0 (segment, "vip") == 0 || g_strcmp0 (segment, "priority") == 0)
    {
      gtk_label_set_text (self->segment_label, sapa_label_segment (segment));
      gtk_widget_add_css_class (GTK_WIDGET (self->segment_label), segment);
      gtk_widget_set_visible (GTK_WIDGET (self->segment_label), TRUE);
      g_string_append_printf (summary, ", %s", sapa_label_segment (segment));
    }

  number = sapa_record_get_string (self->item, "account_number");
  if (number != NULL && number[0] != '\0')
    {
      account = sapa_account_mask (number);
      g_string_append (detail, account);
    }

  phones = sapa_record_dup_list (self->item, "phones");
  emails = sapa_record_dup_list (self->item, "emails");
  if (phones[0] != NULL)
    {
      phone = sapa_phone_format (phones[0]);
      if (detail->len > 0)
        g_string_append (detail, " · ");
      g_string_append (detail, phone);
    }
  else if (emails[0] != NULL)
    {
      if (detail->len > 0)
        g_string_append (detail, " · ");
      g_string_append (detail, emails[0]);
    }
  gtk_label_set_text (self->detail_label, detail->str);
  gtk_widget_set_visible (GTK_WIDGET (self->detail_label), detail->len > 0);
  if (detail->len > 0)
    g_string_append_printf (summary, ", %s", detail->str);

  contact = sapa_format_relative_contact (last_contact_of (self->item));
  gtk_label_set_text (self->contact_label, contact);
  /* Translators: part of what a screen reader says for a search result */
  g_string_append_printf (summary, ", %s %s", _("last contact:"), contact);

  g_free (self->summary);
  self->summary = g_string_free (g_steal_pointer (&summary), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->summary,
                                  -1);
}

static void
sapa_search_row_dispose (GObject *object)
{
  GtkWidget *child;
  SapaSearchRow *self = SAPA_SEARCH_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SAPA_TYPE_SEARCH_ROW);
  /* The template's root box is not bound to a field: unparent it too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->item);
  g_clear_pointer (&self->summary, g_free);

  G_OBJECT_CLASS (sapa_search_row_parent_class)->dispose (object);
}

static void
sapa_search_row_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SapaSearchRow *self = SAPA_SEARCH_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_object (value, self->item);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sapa_search_row_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  SapaSearchRow *self = SAPA_SEARCH_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      sapa_search_row_set_item (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sapa_search_row_class_init (SapaSearchRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sapa_search_row_dispose;
  object_class->get_property = sapa_search_row_get_property;
  object_class->set_property = sapa_search_row_set_property;

  properties[PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL, G_TYPE_OBJECT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/id/sapa/Desk/ui/sapa-search-row.ui");
  gtk_widget_class_bind_template_child (widget_class, SapaSearchRow, contact_label);
  gtk_widget_class_bind_template_child (widget_class, SapaSearchRow, detail_label);
  gtk_widget_class_bind_template_child (widget_class, SapaSearchRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, SapaSearchRow, segment_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
sapa_search_row_init (SapaSearchRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
sapa_search_row_new (void)
{
  return g_object_new (SAPA_TYPE_SEARCH_ROW, NULL);
}

GObject *
sapa_search_row_get_item (SapaSearchRow *self)
{
  g_return_val_if_fail (SAPA_IS_SEARCH_ROW (self), NULL);
  return G_OBJECT (self->item);
}

void
sapa_search_row_set_item (SapaSearchRow *self,
                          GObject       *item)
{
  g_return_if_fail (SAPA_IS_SEARCH_ROW (self));
  g_return_if_fail (item == NULL || SAPA_IS_RECORD (item));

  if (!g_set_object (&self->item, SAPA_RECORD (item)))
    return;
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}

const char *
sapa_search_row_get_summary (SapaSearchRow *self)
{
  g_return_val_if_fail (SAPA_IS_SEARCH_ROW (self), NULL);
  return self->summary;
}
