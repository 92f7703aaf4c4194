/* lucidtcp: the whole public API. */
#ifndef LUCIDTCP_H
#define LUCIDTCP_H
#include "common.h"
#include "event.h"
#include "socket.h"
#include "stack.h"
#include "stats.h"
#endif
