/* Sending (RFC 9293 §3.10, §3.8.6): SYN, ACK, RST and data segments built into the host's
 * output queue; the send loop that fills the windows; and the list of connections waiting to
 * send, which owe an ACK (sent when the host drains the queue, MUST-58/59) or found the queue
 * full. Owns that list and the in_tx_wait bit. */
#ifndef LTCP_TCP_OUTPUT_H
#define LTCP_TCP_OUTPUT_H

#include <stdint.h>

#include "lucidtcp/wire/tcp.h"
#include "tcp/tcb.h"

typedef struct ltcp_output_wait_list {
  ltcp_tcb *head, *tail;  /* through busy->tx_next and tx_prev, oldest first: a FIFO */
  uint8_t flushing;       /* in ltcp_output_resume_next: owed ACKs go out now */
} ltcp_output_wait_list;

void ltcp_out_syn(ltcp_engine *eng, ltcp_tcb *tcb);            /* SYN or SYN,ACK at iss */
void ltcp_out_ack(ltcp_engine *eng, ltcp_tcb *tcb);            /* <SEQ=SND.NXT><ACK=RCV.NXT> */
void ltcp_out_rst(ltcp_engine *eng, ltcp_tcb *tcb, uint32_t seq); /* RST from a TCB */
/* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>, window 0 (as BSD and Linux send a reset that
 * acknowledges). */
void ltcp_out_rst_ack(ltcp_engine *eng, ltcp_tcb *tcb);
/* RFC 9293 §3.8.4 SHLD-12: a keep-alive probe <SEQ=SND.NXT-1><ACK=RCV.NXT>, no data. */
void ltcp_out_keepalive(ltcp_engine *eng, ltcp_tcb *tcb);
/* §3.10.7.1 reset for a segment that matches no connection. */
void ltcp_out_reset_reply(ltcp_engine *eng, const ltcp_seg *seg);
/* Starts the retransmission timer (and the user timeout) unless running. */
void ltcp_out_arm_rtx(ltcp_engine *eng, ltcp_tcb *tcb);
/* Sends what the windows allow (data, then FIN), and an owed ACK if nothing carried it. */
void ltcp_output(ltcp_engine *eng, ltcp_tcb *tcb);
/* Sends one segment of at most max bytes from seq < SND.NXT again, outside the congestion
 * window (a fast retransmission, tcp/recovery.h). Returns the sequence space sent, 0 if none. */
uint32_t ltcp_out_resend(ltcp_engine *eng, ltcp_tcb *tcb, uint32_t seq, uint32_t max);

/* The waiting list: a TCB joins it (once, at the tail) and leaves it, in O(1). */
void ltcp_output_wait(ltcp_engine *eng, ltcp_tcb *tcb);
void ltcp_output_unwait(ltcp_engine *eng, ltcp_tcb *tcb);
static inline int ltcp_output_waiting(const ltcp_output_wait_list *w) { return w->head != 0; }
/* The host drains its queue and has room: the oldest waiting connection sends (an owed ACK
 * goes now). Returns it (for the host's bookkeeping), or NULL when none waits. */
ltcp_tcb *ltcp_output_resume_next(ltcp_engine *eng);

#endif
