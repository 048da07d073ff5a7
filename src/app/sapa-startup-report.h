/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * For tests/bench/bench-startup: with SAPA_REPORT_STARTUP set, Sapa prints
 * the monotonic time of its first frame and of the moment the desk is ready
 * (database open, lookup usable) with its resident memory, and with
 * SAPA_REPORT_STARTUP=exit it quits after that. Without the variable these do
 * nothing.
 */
void sapa_startup_report_watch_first_frame (GtkWidget *window);
void sapa_startup_report_ready             (GtkWidget *window);

G_END_DECLS
