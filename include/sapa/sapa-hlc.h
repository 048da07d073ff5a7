/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * A hybrid logical clock: 48 bits of milliseconds since the Unix epoch and a
 * 16-bit counter, packed in a guint64, so edits made on desks whose clocks
 * drift still order consistently.
 */
typedef struct _SapaHlc SapaHlc;

#define SAPA_HLC_ERROR (sapa_hlc_error_quark ())
typedef enum {
  SAPA_HLC_ERROR_TOO_FAR_AHEAD,
} SapaHlcError;

GQuark   sapa_hlc_error_quark   (void);

SapaHlc *sapa_hlc_new           (void);
void     sapa_hlc_free          (SapaHlc    *hlc);
/* For tests: a clock reading physical time from @func, in milliseconds since
 * the Unix epoch, instead of the system clock. */
void     sapa_hlc_set_time_func (SapaHlc    *hlc,
                                 gint64    (*func) (gpointer user_data),
                                 gpointer    user_data);
guint64  sapa_hlc_now           (SapaHlc    *hlc);
/* Merges a stamp seen from elsewhere; refuses one more than @max_ahead_ms ahead of our clock. */
gboolean sapa_hlc_observe       (SapaHlc    *hlc,
                                 guint64     remote,
                                 gint64      max_ahead_ms,
                                 GError    **error);
guint64  sapa_hlc_peek          (SapaHlc    *hlc);

static inline guint64 sapa_hlc_pack (gint64 ms, guint counter) { return ((guint64) ms << 16) | (counter & 0xffff); }
static inline gint64  sapa_hlc_millis (guint64 hlc) { return (gint64) (hlc >> 16); }
static inline guint   sapa_hlc_counter (guint64 hlc) { return (guint) (hlc & 0xffff); }

char    *sapa_hlc_to_string     (guint64     hlc);
gboolean sapa_hlc_parse         (const char *text,
                                 guint64    *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SapaHlc, sapa_hlc_free)

G_END_DECLS
