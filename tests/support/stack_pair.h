/* Two stacks joined by a perfect link in the test's own hands: packets move only when the test
 * pumps them, all at one time, so a test sees what each stack queued between its calls. For
 * tests of many connections at once (ltcp_stack_trim, the connection table's growth). */
#ifndef LTCP_TESTS_SUPPORT_STACK_PAIR_H
#define LTCP_TESTS_SUPPORT_STACK_PAIR_H

#include <stdint.h>

#include "lucidtcp/lucidtcp.h"

/* A stack at addr (prefix /24, seeded by addr) for conns connections, half-open connections
 * and sockets; tx_packets: its output queue (0: the default). Fails the test if it cannot. */
ltcp_stack *sp_stack(uint32_t addr, uint32_t conns, uint32_t tx_packets);
/* Moves every queued packet to the other stack, at time now, until both are quiet; fails the
 * test after 1,000 rounds. */
void sp_pump(ltcp_stack *a, ltcp_stack *b, ltcp_time_ns now);
/* A socket of st connecting to addr:port: its descriptor (the SYN is queued). */
int sp_connect(ltcp_stack *st, uint32_t addr, uint16_t port);
/* A socket of st listening on port with this backlog: its descriptor. */
int sp_listen(ltcp_stack *st, uint16_t port, int backlog);

#endif
