/* The stack its users hold (lucidtcp/stack.h, struct ltcp_stack): the IP layer, which drives
 * the engine, and the socket table over it. Private to src/sock/. */
#ifndef LTCP_SOCK_STACK_H
#define LTCP_SOCK_STACK_H

#include "ip/ip.h"
#include "lucidtcp/stack.h"
#include "sock/socket.h"

struct ltcp_stack {
  ltcp_ip ip;
  ltcp_sock_table socks;
};

#endif
