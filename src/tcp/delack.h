/* Delayed ACKs on the receiving side (RFC 1122 §4.2.3.2, RFC 9293 §3.8.6.3, RFC 5681 §4.2):
 * when an ACK of in-order data may wait, and for how long. The decisions live here; input.c,
 * output.c and timer.c call them. The timer is busy->dack_at. Private to src/tcp/. */
#ifndef LTCP_TCP_DELACK_H
#define LTCP_TCP_DELACK_H

#include "tcp/tcb.h"

/* In-order data that filled no hole was just taken (tcb->ack_now set by in_text). Clears
 * ack_now and arms the delayed-ACK timer when the ACK may wait: delayed ACKs are on, no ACK
 * was owed before this segment, and less than two full-sized segments are unacknowledged
 * (RFC 5681 §4.2, RFC 9293 SHLD-19). */
void ltcp_delack_hold(ltcp_engine *eng, ltcp_tcb *tcb, int owed_before);
/* An ACK went out (alone or on data): nothing is owed any more. */
void ltcp_delack_sent(ltcp_engine *eng, ltcp_tcb *tcb);

#endif
