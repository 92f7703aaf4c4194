/* ICMP errors for a connection (icmperr.h). */
#include "tcp/icmperr.h"

#include <errno.h>

#include "lucidtcp/wire/icmp.h"
#include "tcp/engine.h"
#include "tcp/life.h"
#include "tcp/opts.h"
#include "tcp/output.h"
#include "tcp/seq.h"

typedef enum icmperr_class { ICMPERR_SOFT, ICMPERR_HARD, ICMPERR_PTB } icmperr_class;

/* The soft errors a TCB remembers in its 3-bit soft_err (0: none). */
static const int icmperr_soft_errno[] = {0, ENETUNREACH, EHOSTUNREACH, EPROTO};

/* RFC 9293 §3.9.2.2: Destination Unreachable codes 2-4 are hard, 0, 1 and 5 soft, as are Time
 * Exceeded and Parameter Problem. Codes the RFCs leave out follow FreeBSD: administratively
 * prohibited (9, 10, 13; RFC 1812) is hard, as Linux treats it too; the rest soft. Time
 * Exceeded in transit is hard while connecting: Linux and FreeBSD both abort a SYN-SENT on it
 * (the behaviour RFC 5461 §4 describes as widespread). Code 4 goes to path MTU (RFC 1191). */
static icmperr_class icmperr_classify(const ltcp_tcb *tcb, uint8_t type, uint8_t code, int *err) {
  *err = EHOSTUNREACH;
  if (type == LTCP_ICMP_DEST_UNREACH) {
    switch (code) {
      case 0: case 6: case 11: *err = ENETUNREACH; return ICMPERR_SOFT;
      case 2: case 3: case 9: case 10: case 13: *err = ECONNREFUSED; return ICMPERR_HARD;
      case LTCP_ICMP_FRAG_NEEDED: *err = EMSGSIZE; return ICMPERR_PTB;
      default: return ICMPERR_SOFT; /* 1, 5, 7, 8, 12, 14, 15 */
    }
  }
  if (type == LTCP_ICMP_TIME_EXCEEDED)
    return code == 0 && tcb->state == LTCP_SYN_SENT ? ICMPERR_HARD : ICMPERR_SOFT;
  *err = EPROTO; /* Parameter Problem */
  return ICMPERR_SOFT;
}

static unsigned icmperr_soft_code(int err) {
  for (unsigned i = 1; i < sizeof icmperr_soft_errno / sizeof icmperr_soft_errno[0]; i++)
    if (icmperr_soft_errno[i] == err) return i;
  return 2; /* EHOSTUNREACH */
}

/* RFC 1191 §6.4-6.5 (path MTU discovery): a "fragmentation needed" for data in flight lowers
 * the largest segment to the next hop's MTU less the headers and options; it never raises it
 * (§3). An MTU below 552, or none (a router older than RFC 1191, §5), counts as 552: Linux's
 * min_pmtu, so a forged error cannot make segments tiny. What was sent larger is lost: it is
 * sent again at once from SND.UNA at the new size, without a congestion response (Linux's
 * tcp_simple_retransmit). Only in a synchronized state: before, the MSS option decides. */
static void icmperr_path_mtu(ltcp_engine *eng, ltcp_tcb *tcb, uint16_t mtu) {
  if (!tcb->busy || !ltcp_tcb_synchronized(tcb->state)) return;
  /* RFC 8201 §4 (IPv6 "packet too big", passed here as "fragmentation needed"): never below
   * the IPv6 minimum link MTU, 1280; 60 bytes of headers. */
  int v6 = ltcp_ep_is_v6(tcb->remote.addr);
  uint16_t min = v6 ? 1280 : LTCP_PMTU_MIN;
  if (mtu < min) mtu = min;
  uint32_t mss = (uint32_t)mtu - (v6 ? 60 : 40) - (tcb->rfc7323.ts_ok ? LTCP_OPTS_TS_LEN : 0);
  tcb->busy->pmtu = mtu;
  if (mss >= tcb->snd_mss) return;
  tcb->snd_mss = (uint16_t)mss;
  eng->stats->pmtu_lowered++;
  tcb->busy->snd_retx = tcb->snd_una;
  ltcp_output(eng, tcb);
}

ltcp_drop_reason ltcp_icmperr_input(ltcp_engine *eng, ltcp_tcb *tcb, uint8_t type, uint8_t code,
                                    uint32_t seq, uint16_t mtu) {
  if (type == LTCP_ICMP_SOURCE_QUENCH || type == LTCP_ICMP_REDIRECT) return LTCP_DROP_ICMP_IGNORED;
  if (type != LTCP_ICMP_DEST_UNREACH && type != LTCP_ICMP_TIME_EXCEEDED &&
      type != LTCP_ICMP_PARAM_PROBLEM)
    return LTCP_DROP_ICMP_UNHANDLED;
  /* RFC 5927 §4.1: believe it only if it quotes data in flight, SND.UNA =< seq < SND.NXT. */
  if (!ltcp_seq_le(tcb->snd_una, seq) || !ltcp_seq_lt(seq, tcb->snd_nxt))
    return LTCP_DROP_ICMP_OUT_OF_WINDOW;
  eng->stats->icmp_errors_in++;
  int err;
  icmperr_class cls = icmperr_classify(tcb, type, code, &err);
  if (cls == ICMPERR_PTB) {
    icmperr_path_mtu(eng, tcb, mtu);
    return LTCP_DROP_NONE;
  }
  if (cls == ICMPERR_HARD && tcb->state == LTCP_SYN_SENT && eng->cfg.icmp_may_reset) {
    ltcp_cause why = ltcp_cause_icmp(type, code);
    ltcp_life_close(eng, tcb, err, &why); /* SHLD-26 */
    return LTCP_DROP_NONE;
  }
  /* MUST-56: a soft error (and, in a synchronized state, a hard one, as Linux and FreeBSD
   * keep such connections) does not end the connection; SHLD-25: it is what the application
   * learns if the connection times out. */
  tcb->soft_err = icmperr_soft_code(err == ECONNREFUSED ? EHOSTUNREACH : err) & 7u;
  return LTCP_DROP_NONE;
}

int ltcp_icmperr_timeout_errno(const ltcp_tcb *tcb) {
  return tcb->soft_err ? icmperr_soft_errno[tcb->soft_err] : ETIMEDOUT;
}
