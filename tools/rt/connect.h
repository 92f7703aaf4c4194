/* lucidtcp connect: like nc, standard input to one connection on lucidtcp's stack and the
 * connection to standard output, with a half-close when standard input ends. */
#ifndef LTCP_TOOLS_RT_CONNECT_H
#define LTCP_TOOLS_RT_CONNECT_H

#include "rt/realtime.h"

extern const rt_command connect_command;

#endif
