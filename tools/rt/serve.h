/* lucidtcp serve: echo, discard, chargen or files over HTTP on lucidtcp's stack, reached through
 * a TUN device. */
#ifndef LTCP_TOOLS_RT_SERVE_H
#define LTCP_TOOLS_RT_SERVE_H

#include "rt/realtime.h"

extern const rt_command serve_command;

#endif
