/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sapa/sapa.h>

static gint64 fake_ms;

static gint64
fake_time (gpointer data)
{
  return fake_ms;
}

static void
test_monotonic (void)
{
  g_autoptr(SapaHlc) hlc = sapa_hlc_new ();
  guint64 prev = 0;

  sapa_hlc_set_time_func (hlc, fake_time, NULL);
  fake_ms = 1000;
  for (guint i = 0; i < 1000; i++)
    {
      guint64 now = sapa_hlc_now (hlc);
      g_assert_cmpuint (now, >, prev);
      prev = now;
    }
  g_assert_cmpint (sapa_hlc_millis (prev), ==, 1000);
  g_assert_cmpuint (sapa_hlc_counter (prev), ==, 999);

  /* The wall clock going backwards never makes stamps go backwards. */
  fake_ms = 500;
  g_assert_cmpuint (sapa_hlc_now (hlc), >, prev);

  fake_ms = 2000;
  prev = sapa_hlc_now (hlc);
  g_assert_cmpint (sapa_hlc_millis (prev), ==, 2000);
  g_assert_cmpuint (sapa_hlc_counter (prev), ==, 0);
}

static void
test_counter_overflow (void)
{
  g_autoptr(SapaHlc) hlc = sapa_hlc_new ();
  guint64 prev = 0;

  sapa_hlc_set_time_func (hlc, fake_time, NULL);
  fake_ms = 5000;
  for (guint i = 0; i < 0x10000 + 10; i++)
    {
      guint64 now = sapa_hlc_now (hlc);
      g_assert_cmpuint (now, >, prev);
      prev = now;
    }
  g_assert_cmpint (sapa_hlc_millis (prev), ==, 5001);
}

static void
test_observe (void)
{
  g_autoptr(SapaHlc) a = sapa_hlc_new ();
  g_autoptr(SapaHlc) b = sapa_hlc_new ();
  g_autoptr(GError) error = NULL;
  guint64 sa, sb;

  sapa_hlc_set_time_func (a, fake_time, NULL);
  sapa_hlc_set_time_func (b, fake_time, NULL);
  fake_ms = 10000;
  sa = sapa_hlc_now (a);
  /* b's clock lags, but after seeing a's stamp it orders after it */
  fake_ms = 9000;
  g_assert_true (sapa_hlc_observe (b, sa, 60000, &error));
  g_assert_no_error (error);
  sb = sapa_hlc_now (b);
  g_assert_cmpuint (sb, >, sa);

  /* A stamp far in the future is refused and does not move the clock. */
  g_assert_false (sapa_hlc_observe (b, sapa_hlc_pack (9000 + 3600 * 1000, 0), 60000, &error));
  g_assert_error (error, SAPA_HLC_ERROR, SAPA_HLC_ERROR_TOO_FAR_AHEAD);
  g_assert_cmpuint (sapa_hlc_peek (b), ==, sb);
}

static void
test_string (void)
{
  guint64 v = sapa_hlc_pack (G_GINT64_CONSTANT (1763884800000), 42);
  g_autofree char *s = sapa_hlc_to_string (v);
  guint64 back = 0;

  g_assert_true (sapa_hlc_parse (s, &back));
  g_assert_cmpuint (back, ==, v);
  g_assert_false (sapa_hlc_parse ("12a", &back));
  g_assert_false (sapa_hlc_parse ("-1", &back));
  g_assert_false (sapa_hlc_parse (NULL, &back));
  g_assert_false (sapa_hlc_parse ("99999999999999999999999", &back));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hlc/monotonic", test_monotonic);
  g_test_add_func ("/hlc/counter-overflow", test_counter_overflow);
  g_test_add_func ("/hlc/observe", test_observe);
  g_test_add_func ("/hlc/string", test_string);
  return g_test_run ();
}
