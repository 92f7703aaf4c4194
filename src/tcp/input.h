/* SEGMENT ARRIVES (RFC 9293 §3.10.7) in one place: the CLOSED step (§3.10.7.1), LISTEN
 * (§3.10.7.2) with the child it makes, SYN-SENT (§3.10.7.3), every other state (§3.10.7.4), and
 * TIME-WAIT reuse (§3.6). The host hands over the parsed segment and the connection its tables
 * hold for the 4-tuple (or NULL); the engine finds a listener through the host when it needs
 * one. */
#ifndef LTCP_TCP_INPUT_H
#define LTCP_TCP_INPUT_H

#include "lucidtcp/wire/tcp.h"
#include "tcp/tcb.h"

/* Processes seg for tcb (NULL: no connection holds the 4-tuple; a view: a compact TIME-WAIT
 * record). Returns the connection the segment leaves for the host to look at (tcb itself, or
 * a listener's new child), or NULL when none is left alive. */
ltcp_tcb *ltcp_input_segment(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg);

#endif
