/* lucidtcp script: packets. '<' lines become IPv4 packets from the script's address; '>' lines
 * are compared field by field with what the stack sent, in packetdrill's notation. Owns the
 * flow (the connection the script's packets are on, and the stack's ISN on it). */
#ifndef LTCP_TOOLS_SCRIPT_PACKET_H
#define LTCP_TOOLS_SCRIPT_PACKET_H

#include "script/state.h"

/* When a '>' line's packet may leave: t as the script says, lo..hi with the tolerance tol. */
typedef struct sc_window {
  ltcp_time_ns t, lo, hi, tol;
} sc_window;

/* Builds the '<' line ev and gives it to the stack at t. 0, or -1 when it cannot be built (the
 * script is failed). */
int sc_packet_inject(sc_run *r, const sc_event *ev, ltcp_time_ns t);
/* Compares the packet o the stack sent with the '>' line ev, expected within w; o NULL: the stack
 * sent nothing by w->hi. A mismatch fails the script with both, as rows. */
void sc_packet_check(sc_run *r, const sc_event *ev, const sc_window *w, const sc_outpkt *o);
/* One line of --verbose for a packet the stack sent. */
void sc_packet_trace(sc_run *r, const uint8_t *pkt, size_t len);
/* Sets the flow for a connection on local port lport to rport (new connection: ISN unknown). */
void sc_flow_set(sc_run *r, uint16_t lport, uint16_t rport);

#endif
