/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * Parses a JSON text that must hold exactly one value (a request body, a
 * change, a webhook message).
 *
 * json-glib 1.6 accepts a value followed by an object or array ("1{...}",
 * "{...}{...}") as if the first value were the whole text, and leaks what
 * follows: a client could grow the server's memory with every request. This
 * refuses any text with something after its first value before json-glib
 * sees it. Strings holding the NUL character (\u0000) are refused too:
 * json-glib would cut them short at it. Errors are JSON_PARSER_ERROR.
 * Returns a new node.
 */
JsonNode *sapa_json_parse_one (const char  *text,
                               gssize       length,
                               GError     **error);

/* The message of a server's error answer ({"error": {"code", "message"}}),
 * or NULL when @root is not one. */
char     *sapa_json_dup_error_message (JsonNode *root);

G_END_DECLS
