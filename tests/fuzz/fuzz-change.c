/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-change"

#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include <sapa/sapa-change.h>

/*
 * libFuzzer target for the change codec: any byte string either parses into a
 * change or is refused with an error, never a crash, leak or undefined
 * behaviour. A change that parses must survive a round trip through the wire
 * format: written with sapa_change_to_json and read back, it gives the same
 * JSON again.
 */

static char *
change_to_text (const SapaChange *change)
{
  g_autoptr(JsonNode) node = sapa_change_to_json (change);
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaChange) change = NULL;
  g_autoptr(SapaChange) again = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;

  if (size > G_MAXSSIZE)
    return 0;

  change = sapa_change_from_string ((const char *) data, (gssize) size, &error);
  if (change == NULL)
    {
      /* Refused input must say why, in the codec's own error domain. */
      if (error == NULL || error->domain != SAPA_CHANGE_ERROR || error->message == NULL)
        abort ();
      return 0;
    }
  if (error != NULL)
    abort ();

  text = change_to_text (change);
  again = sapa_change_from_string (text, -1, &error);
  if (again == NULL)
    {
      g_printerr ("A parsed change does not read back: %s\n%s\n", error->message, text);
      abort ();
    }
  text_again = change_to_text (again);
  if (g_strcmp0 (text, text_again) != 0)
    {
      g_printerr ("Round trip changed the change:\n%s\n%s\n", text, text_again);
      abort ();
    }
  return 0;
}
