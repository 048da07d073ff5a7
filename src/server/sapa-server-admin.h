/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether @name is one of the admin subcommands (init, user, branch, channel, seed). */
gboolean sapa_server_admin_is_command (const char *name);

/*
 * Runs an admin subcommand of sapa-server. @argv[0] is the subcommand:
 *
 *   init    --data DIR
 *   user    add|list|disable|enable|passwd --data DIR ...  (passwords on standard input)
 *   branch  add --data DIR --name N --kind K [--timezone TZ]   (prints the id)
 *   channel add --data DIR --name CHANNEL                      (prints the webhook secret)
 *   seed    --data DIR --customers N [--seed S]
 *
 * Returns the exit status: 0 done, 1 failed (the message says what to do
 * next), 2 usage error.
 */
int      sapa_server_admin_run        (int    argc,
                                       char **argv);

G_END_DECLS
