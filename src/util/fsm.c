/* RFC 9293's state diagram (§3.3.2, Figure 5) as a table: the engine checks its transitions
 * against it, and the capture analyser (tools/analyze) infers both ends' states with it. */
#include <stddef.h>

#include "lucidtcp/common.h"

typedef struct fsm_arc {
  ltcp_state from;
  ltcp_stimulus on;
  ltcp_state to;
} fsm_arc;

/* Figure 5's arcs, and the few §3.10 adds: ABORT, RST and timeouts end any state (§3.10.5,
 * §3.10.7.4 second, §3.10.8); CLOSE in LISTEN or SYN-SENT deletes the TCB (§3.10.4). */
static const fsm_arc fsm_arcs[] = {
    {LTCP_CLOSED, LTCP_STIM_OPEN_ACTIVE, LTCP_SYN_SENT},
    {LTCP_CLOSED, LTCP_STIM_OPEN_PASSIVE, LTCP_LISTEN},
    {LTCP_LISTEN, LTCP_STIM_RCV_SYN, LTCP_SYN_RECEIVED},
    {LTCP_LISTEN, LTCP_STIM_OPEN_ACTIVE, LTCP_SYN_SENT}, /* SEND in LISTEN (§3.10.2) */
    {LTCP_LISTEN, LTCP_STIM_CLOSE, LTCP_CLOSED},
    {LTCP_SYN_SENT, LTCP_STIM_RCV_SYN, LTCP_SYN_RECEIVED}, /* simultaneous open */
    {LTCP_SYN_SENT, LTCP_STIM_RCV_SYN_ACK, LTCP_ESTABLISHED},
    {LTCP_SYN_SENT, LTCP_STIM_CLOSE, LTCP_CLOSED},
    {LTCP_SYN_RECEIVED, LTCP_STIM_RCV_ACK_OF_SYN, LTCP_ESTABLISHED},
    /* a SYN,ACK in SYN-RECEIVED (simultaneous open) is the ACK of our SYN */
    {LTCP_SYN_RECEIVED, LTCP_STIM_RCV_SYN_ACK, LTCP_ESTABLISHED},
    {LTCP_SYN_RECEIVED, LTCP_STIM_CLOSE, LTCP_FIN_WAIT_1},
    {LTCP_SYN_RECEIVED, LTCP_STIM_RCV_FIN, LTCP_CLOSE_WAIT},
    {LTCP_SYN_RECEIVED, LTCP_STIM_RCV_RST_PASSIVE, LTCP_LISTEN},
    {LTCP_ESTABLISHED, LTCP_STIM_CLOSE, LTCP_FIN_WAIT_1},
    {LTCP_ESTABLISHED, LTCP_STIM_RCV_FIN, LTCP_CLOSE_WAIT},
    {LTCP_FIN_WAIT_1, LTCP_STIM_RCV_ACK_OF_FIN, LTCP_FIN_WAIT_2},
    {LTCP_FIN_WAIT_1, LTCP_STIM_RCV_FIN, LTCP_CLOSING}, /* simultaneous close */
    {LTCP_FIN_WAIT_2, LTCP_STIM_RCV_FIN, LTCP_TIME_WAIT},
    {LTCP_CLOSE_WAIT, LTCP_STIM_CLOSE, LTCP_LAST_ACK},
    {LTCP_CLOSING, LTCP_STIM_RCV_ACK_OF_FIN, LTCP_TIME_WAIT},
    {LTCP_LAST_ACK, LTCP_STIM_RCV_ACK_OF_FIN, LTCP_CLOSED},
    {LTCP_TIME_WAIT, LTCP_STIM_TIMEOUT, LTCP_CLOSED},
};

#define FSM_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Stimuli that end any state but CLOSED (an RST ends TIME-WAIT too: RFC 1337's hazard). */
static int fsm_ends_any(ltcp_stimulus s) {
  return s == LTCP_STIM_ABORT || s == LTCP_STIM_RCV_RST || s == LTCP_STIM_RCV_RST_PASSIVE ||
         s == LTCP_STIM_TIMEOUT;
}

ltcp_state ltcp_state_next(ltcp_state from, ltcp_stimulus s) {
  for (size_t i = 0; i < FSM_COUNT(fsm_arcs); i++)
    if (fsm_arcs[i].from == from && fsm_arcs[i].on == s) return fsm_arcs[i].to;
  if (from != LTCP_CLOSED && from < LTCP_STATE_COUNT && fsm_ends_any(s)) return LTCP_CLOSED;
  return from;
}

int ltcp_state_arc(ltcp_state from, ltcp_state to) {
  for (int s = 0; s < LTCP_STIM_COUNT; s++)
    if (from != to && ltcp_state_next(from, (ltcp_stimulus)s) == to) return 1;
  return 0;
}

const char *ltcp_stimulus_name(ltcp_stimulus s) {
  static const char *const names[LTCP_STIM_COUNT] = {
      "OPEN (active)", "OPEN (passive)", "CLOSE", "ABORT", "rcv SYN", "rcv SYN,ACK",
      "rcv ACK of SYN", "rcv FIN", "rcv ACK of FIN", "rcv RST", "rcv RST", "timeout"};
  return (unsigned)s < LTCP_STIM_COUNT ? names[s] : "?";
}
