/* Nagle's algorithm on the sending side (RFC 1122 §4.2.3.4, RFC 9293 §3.7.4): fewer, fuller
 * segments. The decision lives here; output.c calls it. It owns busy->snd_sml.
 * Private to src/tcp/. */
#ifndef LTCP_TCP_NAGLE_H
#define LTCP_TCP_NAGLE_H

#include <stdint.h>

#include "tcp/tcb.h"

/* Nagle (RFC 1122 4.2.3.4, RFC 9293 §3.7.4 SHLD-7): 1 when a segment of n new bytes from seq,
 * less than a full one, must wait because an earlier small segment is still unacknowledged
 * (Minshall's variant, as Linux: a full segment in flight does not hold back the tail). */
int ltcp_nagle_hold(const ltcp_tcb *tcb, uint32_t seq, uint32_t n);
/* A segment of n bytes from seq left: remembers where the last small new one ends. */
void ltcp_nagle_sent(ltcp_tcb *tcb, uint32_t seq, uint32_t n);

#endif
