/* Windows (RFC 9293 §3.8.6, §3.10.7.4; RFC 7323 §2): the receive window we advertise (never
 * shrinking its right edge, with receiver silly window avoidance), the 16-bit field that carries
 * it, scaled or not, and what the peer's field means. */
#ifndef LTCP_TCP_WINDOW_H
#define LTCP_TCP_WINDOW_H

#include <stdint.h>

#include "lucidtcp/wire/tcp.h"
#include "tcp/tcb.h"

typedef struct ltcp_engine ltcp_engine;

/* RCV.WND, the window we advertise now: free receive buffer, never shrinking the right edge;
 * cfg.window_bsd chooses whose receiver SWS avoidance. */
uint32_t ltcp_window_rcv(const ltcp_engine *eng, const ltcp_tcb *tcb);
/* Has reading opened the window enough to tell the peer (a window update)? */
int ltcp_window_update_due(const ltcp_engine *eng, const ltcp_tcb *tcb);
/* The 16-bit window field for the window we advertise now (never scaled in a SYN, RFC 7323
 * §2.2), and the bytes that field promises. */
uint16_t ltcp_window_field(const ltcp_engine *eng, const ltcp_tcb *tcb, uint8_t flags);
uint32_t ltcp_window_bytes(const ltcp_tcb *tcb, const ltcp_seg *seg);
/* The peer's window in bytes: SEG.WND << Snd.Wind.Shift, except in a SYN (RFC 7323 §2.3). */
uint32_t ltcp_window_peer(const ltcp_tcb *tcb, const ltcp_seg *seg);

#endif
