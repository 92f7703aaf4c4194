/* lucidtcp script: backtick commands, emulated without a shell. sysctl and echo > /proc/sys/...
 * set the stack's configuration (before first use); ss, netstat and sockstat list the connection
 * table, filtered by grep or counted by wc -l; ;, && and | join them. Any other command is a
 * note, not run. */
#ifndef LTCP_TOOLS_SCRIPT_SHELL_H
#define LTCP_TOOLS_SCRIPT_SHELL_H

#include "script/state.h"

/* Runs the command of ev: a failing status (grep finding nothing, false) fails the script. */
void sc_shell_run(sc_run *r, const sc_event *ev);

#endif
