/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Translated names of the choice values of sapa-record.h, for people to read.
 * Unknown values are returned as they are. */
const char *sapa_label_channel         (const char *channel);
const char *sapa_label_segment         (const char *segment);
const char *sapa_label_status          (const char *status);
const char *sapa_label_priority        (const char *priority);
const char *sapa_label_reason          (const char *reason);
const char *sapa_label_department      (const char *department);
const char *sapa_label_complaint_step  (const char *step);
const char *sapa_label_direction       (const char *direction);
const char *sapa_label_branch_kind     (const char *kind);
const char *sapa_label_language        (const char *language);
const char *sapa_label_role            (const char *role);

/* A symbolic icon name for the channel (from the Adwaita icon theme or Sapa's own). */
const char *sapa_channel_icon_name     (const char *channel);

G_END_DECLS
