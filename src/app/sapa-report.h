/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SAPA_REPORT_ERROR (sapa_report_error_quark ())
GQuark sapa_report_error_quark (void);

typedef enum {
  SAPA_REPORT_ERROR_NO_SIZE,   /* the widget has not been laid out yet */
  SAPA_REPORT_ERROR_WRITE,     /* cairo could not write the file */
} SapaReportError;

/*
 * Writes @content (a realized, laid-out widget: the dashboard) into a PDF at
 * @path: A4 landscape pages, a header with @title and @subtitle_lines (the
 * period and the filters; NULL-terminated, may be NULL), the widget scaled to
 * the page width and cut into pages when taller, page numbers at the foot.
 * Runs on the main loop: it takes what the last frame drew of the widget, or
 * draws it anew when a redraw is pending. Call it once the widget is laid
 * out (from a button or a file chooser's response), not between a change
 * that resizes it and the next frame. Refuses a widget never shown
 * (SAPA_REPORT_ERROR_NO_SIZE). The page background behind the widget is the
 * theme's window colour, so dark mode stays readable.
 */
gboolean sapa_report_write_pdf (GtkWidget         *content,
                                const char        *title,
                                const char *const *subtitle_lines,
                                const char        *path,
                                GError           **error);

G_END_DECLS
