/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SAPA_TEXT_ERROR (sapa_text_error_quark ())
typedef enum {
  SAPA_TEXT_ERROR_INVALID_PHONE,
  SAPA_TEXT_ERROR_INVALID_EMAIL,
  SAPA_TEXT_ERROR_INVALID_ACCOUNT,
} SapaTextError;

GQuark  sapa_text_error_quark     (void);

/* Lower case without diacritics ("José" -> "jose"), NFC, whitespace collapsed. */
char   *sapa_text_fold            (const char *text);
/* @text split at any of @separators, each part trimmed, empty parts dropped
 * ("a, b;; c" with ",;" -> {"a", "b", "c"}). Never NULL. */
char  **sapa_text_split           (const char *text,
                                   const char *separators);
/* The digits of @text, nothing else. */
char   *sapa_text_digits          (const char *text);

/* "0812-3456-7890", "+62 812 3456 7890", "81234567890" -> "+6281234567890".
 * Numbers without a country code are taken as Indonesian. */
char   *sapa_phone_normalize      (const char *input,
                                   GError    **error);
/* "+6281234567890" -> "+62 812-3456-7890" for display. */
char   *sapa_phone_format         (const char *normalized);

/* Trims and lower-cases; refuses what is not an address. */
char   *sapa_email_normalize      (const char *input,
                                   GError    **error);

/* Upper case letters and digits only ("0123-4567 89" -> "012345678 9" without separators). */
char   *sapa_account_normalize    (const char *input,
                                   GError    **error);
/* "•••• 6789": only the last four characters. */
char   *sapa_account_mask         (const char *account);

char   *sapa_uuid_new             (void);
/* A UUID (version 4 layout) from @rand, for reproducible demo data. */
char   *sapa_uuid_from_rand       (GRand      *rand);

G_END_DECLS
