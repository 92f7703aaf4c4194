/* lucidtcp get: one HTTP/1.1 download over lucidtcp's stack, with a progress bar on a terminal. */
#ifndef LTCP_TOOLS_RT_GET_H
#define LTCP_TOOLS_RT_GET_H

#include "rt/realtime.h"

extern const rt_command get_command;

#endif
