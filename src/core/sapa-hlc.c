/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-hlc"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>

#include <sapa/sapa-hlc.h>

struct _SapaHlc
{
  GMutex   lock;
  guint64  last;
  gint64 (*time_func) (gpointer user_data);
  gpointer time_data;
};

G_DEFINE_QUARK (sapa-hlc-error-quark, sapa_hlc_error)

#define MAX_COUNTER 0xffff

static gint64
wall_ms (SapaHlc *self)
{
  if (self->time_func != NULL)
    return self->time_func (self->time_data);
  return g_get_real_time () / 1000;
}

SapaHlc *
sapa_hlc_new (void)
{
  SapaHlc *self = g_new0 (SapaHlc, 1);

  g_mutex_init (&self->lock);
  return self;
}

void
sapa_hlc_free (SapaHlc *self)
{
  if (self == NULL)
    return;
  g_mutex_clear (&self->lock);
  g_free (self);
}

void
sapa_hlc_set_time_func (SapaHlc  *self,
                        gint64  (*func) (gpointer user_data),
                        gpointer  user_data)
{
  g_return_if_fail (self != NULL);
  self->time_func = func;
  self->time_data = user_data;
}

/* Next stamp after @last given wall time @pt: the later of the two, with the
 * counter breaking ties. A full counter borrows the next millisecond. */
static guint64
advance (guint64 last,
         gint64  pt)
{
  gint64 l = sapa_hlc_millis (last);
  guint c = sapa_hlc_counter (last);

  if (pt > l)
    return sapa_hlc_pack (pt, 0);
  if (c >= MAX_COUNTER)
    return sapa_hlc_pack (l + 1, 0);
  return sapa_hlc_pack (l, c + 1);
}

guint64
sapa_hlc_now (SapaHlc *self)
{
  guint64 stamp;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->lock);
  stamp = self->last = advance (self->last, wall_ms (self));
  g_mutex_unlock (&self->lock);
  return stamp;
}

gboolean
sapa_hlc_observe (SapaHlc  *self,
                  guint64   remote,
                  gint64    max_ahead_ms,
                  GError  **error)
{
  gint64 pt;

  g_return_val_if_fail (self != NULL, FALSE);

  g_mutex_lock (&self->lock);
  pt = wall_ms (self);
  if (max_ahead_ms >= 0 && sapa_hlc_millis (remote) > pt + max_ahead_ms)
    {
      g_mutex_unlock (&self->lock);
      g_set_error (error, SAPA_HLC_ERROR, SAPA_HLC_ERROR_TOO_FAR_AHEAD,
                   _("A change is stamped %d s in the future; check the clock of the device that made it"),
                   (int) MIN ((sapa_hlc_millis (remote) - pt) / 1000, G_MAXINT));
      return FALSE;
    }
  if (remote > self->last)
    self->last = remote;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

guint64
sapa_hlc_peek (SapaHlc *self)
{
  guint64 v;

  g_return_val_if_fail (self != NULL, 0);
  g_mutex_lock (&self->lock);
  v = self->last;
  g_mutex_unlock (&self->lock);
  return v;
}

char *
sapa_hlc_to_string (guint64 hlc)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, hlc);
}

gboolean
sapa_hlc_parse (const char *text,
                guint64    *out)
{
  guint64 v;

  g_return_val_if_fail (out != NULL, FALSE);
  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &v, NULL))
    return FALSE;
  *out = v;
  return TRUE;
}
