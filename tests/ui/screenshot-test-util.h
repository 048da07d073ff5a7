/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* $SAPA_SCREENSHOT_DIR/@name, or ./@name when the variable is not set
 * (newly allocated). */
char *sapa_test_screenshot_path (const char *name);

/* Renders @widget (a toplevel) with its own renderer once it has been
 * mapped, sized and styled (a few frames) and saves it as a PNG at @path.
 * Spins the main loop until then; fails the test when it takes more than
 * 20 s or the file cannot be written. */
void  sapa_test_save_screenshot (GtkWidget  *widget,
                                 const char *path);

G_END_DECLS
