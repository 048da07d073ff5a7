/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-labels"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <sapa/sapa-labels.h>

typedef struct {
  const char *value;
  const char *label;
} Label;

static const char *
lookup (const Label *table,
        const char  *value)
{
  if (value == NULL)
    return "";
  for (guint i = 0; table[i].value != NULL; i++)
    if (g_str_equal (table[i].value, value))
      return _(table[i].label);
  return value;
}

const char *
sapa_label_channel (const char *channel)
{
  static const Label table[] = {
    { "walk_in", N_("Walk-in") },
    { "phone", N_("Phone") },
    { "email", N_("Email") },
    { "chat", N_("Live chat") },
    { "whatsapp", N_("WhatsApp") },
    { "instagram", N_("Instagram") },
    { "facebook", N_("Facebook") },
    { "x", N_("X") },
    { "video", N_("Video call") },
    { "app", N_("Mobile app") },
    { "help_center", N_("Help center") },
    { "note", N_("Internal note") },
    { NULL, NULL }
  };
  return lookup (table, channel);
}

const char *
sapa_label_segment (const char *segment)
{
  static const Label table[] = {
    { "regular", N_("Regular") },
    { "priority", N_("Priority") },
    /* Translators: the customer segment */
    { "vip", N_("VIP") },
    { NULL, NULL }
  };
  return lookup (table, segment);
}

const char *
sapa_label_status (const char *status)
{
  static const Label table[] = {
    /* Translators: status of a conversation */
    { "open", N_("Open") },
    { "pending", N_("Pending") },
    { "resolved", N_("Resolved") },
    { "closed", N_("Closed") },
    { NULL, NULL }
  };
  return lookup (table, status);
}

const char *
sapa_label_priority (const char *priority)
{
  static const Label table[] = {
    { "low", N_("Low") },
    { "normal", N_("Normal") },
    { "high", N_("High") },
    { "urgent", N_("Urgent") },
    { NULL, NULL }
  };
  return lookup (table, priority);
}

const char *
sapa_label_reason (const char *reason)
{
  static const Label table[] = {
    { "account", N_("Account inquiry") },
    { "card", N_("Card problem") },
    { "transfer", N_("Transfer or payment") },
    { "loan", N_("Loan or credit") },
    { "booking", N_("Booking or reservation") },
    { "billing", N_("Billing") },
    { "product", N_("Product information") },
    { "complaint", N_("Complaint") },
    { "technical", N_("Technical problem") },
    { "other", N_("Other") },
    { NULL, NULL }
  };
  return lookup (table, reason);
}

const char *
sapa_label_department (const char *department)
{
  static const Label table[] = {
    { "operations", N_("Operations") },
    { "customer_care", N_("Customer care") },
    { "compliance", N_("Compliance") },
    { "legal", N_("Legal") },
    { "it", N_("IT") },
    { "housekeeping", N_("Housekeeping") },
    { "management", N_("Management") },
    { NULL, NULL }
  };
  return lookup (table, department);
}

const char *
sapa_label_complaint_step (const char *step)
{
  static const Label table[] = {
    /* Translators: the seven steps of handling a complaint */
    { "listen", N_("Listen") },
    { "empathise", N_("Empathise") },
    { "apologise", N_("Apologise") },
    { "ask", N_("Ask questions") },
    { "offer", N_("Offer solutions") },
    { "follow_up", N_("Follow up") },
    { "document", N_("Document") },
    { NULL, NULL }
  };
  return lookup (table, step);
}

const char *
sapa_label_direction (const char *direction)
{
  static const Label table[] = {
    { "inbound", N_("From the customer") },
    { "outbound", N_("From us") },
    { "internal", N_("Internal note") },
    { NULL, NULL }
  };
  return lookup (table, direction);
}

const char *
sapa_label_branch_kind (const char *kind)
{
  static const Label table[] = {
    { "bank", N_("Bank branch") },
    { "hotel", N_("Hotel reception") },
    { "retail", N_("Retail counter") },
    { "other", N_("Other") },
    { NULL, NULL }
  };
  return lookup (table, kind);
}

const char *
sapa_label_language (const char *language)
{
  static const Label table[] = {
    { "id", N_("Indonesian") },
    { "en", N_("English") },
    { NULL, NULL }
  };
  return lookup (table, language);
}

const char *
sapa_label_role (const char *role)
{
  static const Label table[] = {
    { "agent", N_("Agent") },
    { "supervisor", N_("Supervisor") },
    { "admin", N_("Administrator") },
    { NULL, NULL }
  };
  return lookup (table, role);
}

const char *
sapa_channel_icon_name (const char *channel)
{
  static const Label table[] = {
    { "walk_in", "sapa-channel-walk-in-symbolic" },
    { "phone", "sapa-channel-phone-symbolic" },
    { "email", "sapa-channel-email-symbolic" },
    { "chat", "sapa-channel-chat-symbolic" },
    { "whatsapp", "sapa-channel-whatsapp-symbolic" },
    { "instagram", "sapa-channel-instagram-symbolic" },
    { "facebook", "sapa-channel-facebook-symbolic" },
    { "x", "sapa-channel-x-symbolic" },
    { "video", "sapa-channel-video-symbolic" },
    { "app", "sapa-channel-app-symbolic" },
    { "help_center", "sapa-channel-help-center-symbolic" },
    { "note", "sapa-channel-note-symbolic" },
    { NULL, NULL }
  };
  for (guint i = 0; table[i].value != NULL; i++)
    if (channel != NULL && g_str_equal (table[i].value, channel))
      return table[i].label;
  return "sapa-channel-note-symbolic";
}
