/* lucidtcp: the whole public API. */
#ifndef LUCIDTCP_H
#define LUCIDTCP_H
#include "common.h"
#include "config.h"
#include "event.h"
#include "socket.h"
#include "stack.h"
#include "stats.h"
#include "tcp_info.h"
#endif
