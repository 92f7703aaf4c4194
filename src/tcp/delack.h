/* Fewer, fuller segments (RFC 1122 §4.2.3.2 and §4.2.3.4): delayed ACKs on the receiving side,
 * Nagle's algorithm on the sending side. The decisions live here; input.c, output.c and timer.c
 * call them. */
#ifndef LTCP_TCP_DELACK_H
#define LTCP_TCP_DELACK_H

#include "tcp/tcb.h"

/* In-order data that filled no hole was just taken (tcb->ack_now set by in_text). Clears
 * ack_now and arms the delayed-ACK timer when the ACK may wait: delayed ACKs are on, no ACK
 * was owed before this segment, and less than two full-sized segments are unacknowledged
 * (RFC 5681 §4.2, RFC 9293 SHLD-19). */
void ltcp_delack_hold(ltcp_stack *st, ltcp_tcb *tcb, int owed_before);
/* The delayed-ACK timer expired: the ACK is owed now. */
void ltcp_delack_expire(ltcp_stack *st, ltcp_tcb *tcb);
/* An ACK went out (alone or on data): nothing is owed any more. */
void ltcp_delack_sent(ltcp_stack *st, ltcp_tcb *tcb);

/* Nagle (RFC 1122 4.2.3.4, RFC 9293 §3.7.4 SHLD-7): 1 when a segment of n new bytes from seq,
 * less than a full one, must wait because an earlier small segment is still unacknowledged
 * (Minshall's variant, as Linux: a full segment in flight does not hold back the tail). */
int ltcp_nagle_hold(const ltcp_tcb *tcb, uint32_t seq, uint32_t n);
/* A segment of n bytes from seq left: remembers where the last small new one ends. */
void ltcp_nagle_sent(ltcp_tcb *tcb, uint32_t seq, uint32_t n);

#endif
