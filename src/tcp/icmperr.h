/* ICMP errors for a connection (RFC 9293 §3.9.2.2, RFC 1122 4.2.3.9): which are soft and which
 * hard, checked against the sequence space in flight first (RFC 5927 §4.1); a hard error ends a
 * connection still in SYN-SENT, a soft one is remembered and reported if the connection later
 * times out. Source quench is ignored (RFC 6633, MUST-55). "Fragmentation needed" lowers the
 * connection's segment size (path MTU discovery, RFC 1191) and resends what was lost. An entry
 * point of the engine: the IP layer (ip/icmp.c) hands over each error that quotes a segment of
 * one of its connections. */
#ifndef LTCP_TCP_ICMPERR_H
#define LTCP_TCP_ICMPERR_H

#include <stdint.h>

#include "lucidtcp/stats.h"
#include "tcp/tcb.h"

#define LTCP_PMTU_MIN 552 /* the smallest path MTU believed (Linux's net.ipv4.route.min_pmtu) */

/* An ICMP error of type and code (RFC 792) quoting a segment of tcb that began at sequence
 * number seq; mtu is the next-hop MTU of a "fragmentation needed" (RFC 1191), else 0. Returns
 * LTCP_DROP_NONE when the connection took it, else why it is dropped (the caller counts it). */
ltcp_drop_reason ltcp_icmperr_input(ltcp_engine *eng, ltcp_tcb *tcb, uint8_t type, uint8_t code,
                                    uint32_t seq, uint16_t mtu);
/* The error a connection that gives up reports: its last soft ICMP error (as Linux's
 * sk_err_soft and FreeBSD's t_softerror), else ETIMEDOUT. */
int ltcp_icmperr_timeout_errno(const ltcp_tcb *tcb);

#endif
