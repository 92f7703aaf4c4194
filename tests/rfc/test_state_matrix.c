/* RFC 9293 §3.10, the state-event matrix: for each of the eleven states and each event (the
 * user calls; incoming SYN, SYN,ACK, acceptable and unacceptable ACK, data inside and outside
 * the window, FIN, RST inside and outside the window, SYN in a synchronized state) the next
 * state, the segment sent (or none), the error and the drop counted, each row citing the RFC.
 *
 * Every row starts a fresh stack, drives one connection into the row's state (harness.h), makes
 * the one call or injects the one segment, then checks: the exact segment sent and that
 * nothing more is; the state (from the event queue, and ltcp_status while the socket holds the
 * connection); the cause and error of the state change; the drop counter.
 *
 * Sequence numbers are relative: ISS(n) = our ISS + n, IRS(n) = the remote's ISN + n. After
 * setup SND.NXT = ISS+1 and RCV.NXT = IRS+1; our FIN is at ISS+1 and the remote's at IRS+1, so
 * after the FINs SND.NXT = ISS+2 and RCV.NXT = IRS+2. The remote advertises 65535 bytes and
 * so does the stack: IRS(70001) is beyond the right edge.
 *
 * CLOSE is the socket calls that issue it: shutdown(SHUT_WR), which keeps the descriptor, and
 * close(), which leaves the connection to the stack (an orphan). Where the BSD API answers
 * differently from the RFC's abstract interface, the row says so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "support/harness.h"

/* Flags, as tcpdump abbreviates them. */
#define S LTCP_SYN
#define A LTCP_ACK
#define F LTCP_FIN
#define R LTCP_RST
#define P LTCP_PSH
#define SA (S | A)
#define FA (F | A)
#define RA (R | A)
#define PA (P | A)

#define CLOSED LTCP_CLOSED
#define LISTEN LTCP_LISTEN
#define SYN_SENT LTCP_SYN_SENT
#define SYN_RCVD LTCP_SYN_RECEIVED
#define ESTAB LTCP_ESTABLISHED
#define FIN_WAIT_1 LTCP_FIN_WAIT_1
#define FIN_WAIT_2 LTCP_FIN_WAIT_2
#define CLOSE_WAIT LTCP_CLOSE_WAIT
#define CLOSING LTCP_CLOSING
#define LAST_ACK LTCP_LAST_ACK
#define TIME_WAIT LTCP_TIME_WAIT

#define ACT H_ACTIVE
#define PAS H_PASSIVE

/* A sequence number relative to ISS, IRS or zero. */
typedef struct rel {
  uint8_t base;
  int32_t off;
} rel;
enum { B_ABS, B_ISS, B_IRS };
#define ISS(n) {B_ISS, (n)}
#define IRS(n) {B_IRS, (n)}
#define ZERO {B_ABS, 0}

/* What the row does: a socket call, or a segment of one of the kinds the matrix requires. */
typedef enum mev {
  EV_CONNECT, /* OPEN, active */
  EV_LISTEN,  /* OPEN, passive */
  EV_SEND,    /* 10 bytes */
  EV_RECV,
  EV_SHUTDOWN, /* CLOSE: shutdown(SHUT_WR) */
  EV_CLOSE,    /* CLOSE: close() */
  EV_ABORT,
  EV_STATUS,
  EV_SYN,      /* a SYN at the remote's ISN (a new or retransmitted SYN) */
  EV_SYNACK,   /* SYN,ACK acknowledging our SYN */
  EV_ACK_OK,   /* acceptable ACK */
  EV_ACK_BAD,  /* unacceptable ACK */
  EV_DATA_IN,  /* 10 bytes at RCV.NXT */
  EV_DATA_OUT, /* 10 bytes beyond the window */
  EV_FIN,
  EV_RST_IN,   /* RST in the window: at RCV.NXT (with an acceptable ACK in SYN-SENT) */
  EV_RST_OUT,  /* RST outside the window */
  EV_SYN_SYNC, /* SYN inside the window of a synchronized state */
  EV_RST_NEAR, /* RST in the window but not at RCV.NXT (RFC 5961 §3 challenge) */
  EV_OTHER,    /* a further segment worth pinning down */
  EV_COUNT
} mev;

static const char *const mev_names[EV_COUNT] = {
    "OPEN active (connect)", "OPEN passive (listen)", "SEND (send 10)", "RECEIVE (recv)",
    "CLOSE (shutdown SHUT_WR)", "CLOSE (close)", "ABORT", "STATUS", "SYN", "SYN,ACK",
    "acceptable ACK", "unacceptable ACK", "data in window", "data outside window", "FIN",
    "RST in window", "RST outside window", "SYN in window", "RST in window, not RCV.NXT",
    "segment"};

typedef struct mseg {
  uint8_t flags;
  rel seq, ack;
  uint32_t len;
} mseg;

typedef struct mrow {
  ltcp_state from;
  h_how how;
  mev ev;
  mseg in;             /* the segment, for segment events */
  ltcp_state to;
  mseg out;            /* the reply; flags 0: nothing is sent */
  int ret;             /* a call's return value */
  int err;             /* a call's errno; for a segment, the error its state change reports */
  ltcp_drop_reason drop;
  const char *cite;
} mrow;

#define NONE {0}
#define TX(f, s, a) {(f), s, a, 0}
#define TXD(f, s, a) {(f), s, a, 10}
#define SEG(f, s, a) {(f), s, a, 0}
#define DATA(f, s, a) {(f), s, a, 10}
#define CALL(e) (e), NONE
#define OK(n) (n), 0
#define ERR(e) -1, (e)
#define ERR_NONE 0, 0
#define ERR_SEG(e) 0, (e)
#define D(x) LTCP_DROP_##x

/* clang-format off */
static const mrow rows[] = {
  /* ---------------------------------------------------------------- CLOSED (a bound socket) */
  {CLOSED, ACT, CALL(EV_CONNECT), SYN_SENT, TX(S, ISS(0), ZERO), ERR(EINPROGRESS), D(NONE), "§3.10.1 CLOSED: <SEQ=ISS><CTL=SYN> with the MSS option (MUST-14), enter SYN-SENT; non-blocking connect says EINPROGRESS"},
  {CLOSED, ACT, CALL(EV_LISTEN), LISTEN, NONE, OK(0), D(NONE), "§3.10.1 CLOSED: passive OPEN enters LISTEN"},
  {CLOSED, ACT, CALL(EV_SEND), CLOSED, NONE, ERR(ENOTCONN), D(NONE), "§3.10.2 CLOSED: connection does not exist"},
  {CLOSED, ACT, CALL(EV_RECV), CLOSED, NONE, ERR(ENOTCONN), D(NONE), "§3.10.3 CLOSED: connection does not exist"},
  {CLOSED, ACT, CALL(EV_SHUTDOWN), CLOSED, NONE, ERR(ENOTCONN), D(NONE), "§3.10.4 CLOSED: connection does not exist"},
  {CLOSED, ACT, CALL(EV_CLOSE), CLOSED, NONE, OK(0), D(NONE), "§3.10.4 CLOSED: nothing to close; BSD close() releases the descriptor"},
  {CLOSED, ACT, CALL(EV_ABORT), CLOSED, NONE, OK(0), D(NONE), "§3.10.5 CLOSED: nothing to abort; the descriptor is released"},
  {CLOSED, ACT, CALL(EV_STATUS), CLOSED, NONE, ERR(ENOTCONN), D(NONE), "§3.10.6 CLOSED: connection does not exist"},
  {CLOSED, ACT, EV_SYN, SEG(S, IRS(0), ZERO), CLOSED, TX(RA, ZERO, IRS(1)), ERR_NONE, D(NONE), "§3.10.7.1: ACK off: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>"},
  {CLOSED, ACT, EV_SYNACK, SEG(SA, IRS(0), ISS(1)), CLOSED, TX(R, ISS(1), ZERO), ERR_NONE, D(NONE), "§3.10.7.1: ACK on: <SEQ=SEG.ACK><CTL=RST>"},
  {CLOSED, ACT, EV_ACK_OK, SEG(A, IRS(1), ISS(1)), CLOSED, TX(R, ISS(1), ZERO), ERR_NONE, D(NONE), "§3.10.7.1: <SEQ=SEG.ACK><CTL=RST>"},
  {CLOSED, ACT, EV_ACK_BAD, SEG(A, IRS(1), ISS(1001)), CLOSED, TX(R, ISS(1001), ZERO), ERR_NONE, D(NONE), "§3.10.7.1: <SEQ=SEG.ACK><CTL=RST>"},
  {CLOSED, ACT, EV_DATA_IN, DATA(PA, IRS(1), ISS(1)), CLOSED, TX(R, ISS(1), ZERO), ERR_NONE, D(NONE), "§3.10.7.1: data discarded, <SEQ=SEG.ACK><CTL=RST>"},
  {CLOSED, ACT, EV_DATA_OUT, DATA(PA, IRS(70001), ISS(1)), CLOSED, TX(R, ISS(1), ZERO), ERR_NONE, D(NONE), "§3.10.7.1: <SEQ=SEG.ACK><CTL=RST>"},
  {CLOSED, ACT, EV_OTHER, DATA(P, IRS(1), ZERO), CLOSED, TX(RA, ZERO, IRS(11)), ERR_NONE, D(NONE), "§3.10.7.1: ACK off: SEG.LEN counts the text"},
  {CLOSED, ACT, EV_FIN, SEG(FA, IRS(1), ISS(1)), CLOSED, TX(R, ISS(1), ZERO), ERR_NONE, D(NONE), "§3.10.7.1: <SEQ=SEG.ACK><CTL=RST>"},
  {CLOSED, ACT, EV_OTHER, SEG(F, IRS(1), ZERO), CLOSED, TX(RA, ZERO, IRS(2)), ERR_NONE, D(NONE), "§3.10.7.1: ACK off: SEG.LEN counts the FIN"},
  {CLOSED, ACT, EV_RST_IN, SEG(R, IRS(1), ZERO), CLOSED, NONE, ERR_NONE, D(TCP_RST_NO_CONN), "§3.10.7.1: an incoming RST is discarded"},
  {CLOSED, ACT, EV_RST_OUT, SEG(RA, IRS(70001), ISS(1)), CLOSED, NONE, ERR_NONE, D(TCP_RST_NO_CONN), "§3.10.7.1: an incoming RST is discarded"},

  /* ---------------------------------------------------------------- LISTEN */
  {LISTEN, ACT, CALL(EV_CONNECT), LISTEN, NONE, ERR(EISCONN), D(NONE), "§3.10.1 LISTEN would turn active; BSD (as Linux) refuses connect() on a listener: EISCONN"},
  {LISTEN, ACT, CALL(EV_LISTEN), LISTEN, NONE, OK(0), D(NONE), "§3.10.1: listen() again only sets the backlog (BSD)"},
  {LISTEN, ACT, CALL(EV_SEND), LISTEN, NONE, ERR(ENOTCONN), D(NONE), "§3.10.2 LISTEN: the remote socket is unspecified; BSD ENOTCONN"},
  {LISTEN, ACT, CALL(EV_RECV), LISTEN, NONE, ERR(ENOTCONN), D(NONE), "§3.10.3 LISTEN would queue the RECEIVE; BSD ENOTCONN"},
  {LISTEN, ACT, CALL(EV_SHUTDOWN), LISTEN, NONE, ERR(ENOTCONN), D(NONE), "§3.10.4: shutdown() of a listener: ENOTCONN (BSD); close() is LISTEN's CLOSE"},
  {LISTEN, ACT, CALL(EV_CLOSE), CLOSED, NONE, OK(0), D(NONE), "§3.10.4 LISTEN: delete TCB, enter CLOSED"},
  {LISTEN, ACT, CALL(EV_ABORT), CLOSED, NONE, OK(0), D(NONE), "§3.10.5 LISTEN: delete TCB, enter CLOSED, no RST"},
  {LISTEN, ACT, CALL(EV_STATUS), LISTEN, NONE, OK(0), D(NONE), "§3.10.6: state = LISTEN"},
  {LISTEN, ACT, EV_SYN, SEG(S, IRS(0), ZERO), SYN_RCVD, TX(SA, ISS(0), IRS(1)), ERR_NONE, D(NONE), "§3.10.7.2 third: RCV.NXT = IRS+1, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> with the MSS option (MUST-14), SYN-RECEIVED"},
  {LISTEN, ACT, EV_OTHER, DATA(S, IRS(0), ZERO), SYN_RCVD, TX(SA, ISS(0), IRS(1)), ERR_NONE, D(NONE), "§3.10.7.2 third: text in a SYN is not taken (lucidtcp, as Linux): only the SYN is acknowledged"},
  {LISTEN, ACT, EV_SYNACK, SEG(SA, IRS(0), ISS(1)), LISTEN, TX(R, ISS(1), ZERO), ERR_NONE, D(NONE), "§3.10.7.2 second: any ACK: <SEQ=SEG.ACK><CTL=RST>"},
  {LISTEN, ACT, EV_ACK_OK, SEG(A, IRS(1), ISS(1)), LISTEN, TX(R, ISS(1), ZERO), ERR_NONE, D(NONE), "§3.10.7.2 second: any ACK is bad in LISTEN: <SEQ=SEG.ACK><CTL=RST>"},
  {LISTEN, ACT, EV_ACK_BAD, SEG(A, IRS(1), ISS(1001)), LISTEN, TX(R, ISS(1001), ZERO), ERR_NONE, D(NONE), "§3.10.7.2 second: <SEQ=SEG.ACK><CTL=RST>"},
  {LISTEN, ACT, EV_DATA_IN, DATA(PA, IRS(1), ISS(1)), LISTEN, TX(R, ISS(1), ZERO), ERR_NONE, D(NONE), "§3.10.7.2 second: <SEQ=SEG.ACK><CTL=RST>"},
  {LISTEN, ACT, EV_DATA_OUT, DATA(PA, IRS(70001), ISS(1)), LISTEN, TX(R, ISS(1), ZERO), ERR_NONE, D(NONE), "§3.10.7.2 second: <SEQ=SEG.ACK><CTL=RST>"},
  {LISTEN, ACT, EV_OTHER, DATA(P, IRS(1), ZERO), LISTEN, NONE, ERR_NONE, D(TCP_LISTEN_NO_SYN), "§3.10.7.2 fourth: neither RST, ACK nor SYN: drop"},
  {LISTEN, ACT, EV_FIN, SEG(FA, IRS(1), ISS(1)), LISTEN, TX(R, ISS(1), ZERO), ERR_NONE, D(NONE), "§3.10.7.2 second: <SEQ=SEG.ACK><CTL=RST>"},
  {LISTEN, ACT, EV_RST_IN, SEG(R, IRS(1), ZERO), LISTEN, NONE, ERR_NONE, D(TCP_LISTEN_RST), "§3.10.7.2 first: an incoming RST is ignored"},
  {LISTEN, ACT, EV_RST_OUT, SEG(RA, IRS(70001), ISS(1)), LISTEN, NONE, ERR_NONE, D(TCP_LISTEN_RST), "§3.10.7.2 first: an incoming RST is ignored"},

  /* ---------------------------------------------------------------- SYN-SENT (SND.NXT = ISS+1) */
  {SYN_SENT, ACT, CALL(EV_CONNECT), SYN_SENT, NONE, ERR(EALREADY), D(NONE), "§3.10.1: connection already exists; BSD EALREADY while connecting"},
  {SYN_SENT, ACT, CALL(EV_LISTEN), SYN_SENT, NONE, ERR(EINVAL), D(NONE), "§3.10.1: connection already exists; BSD EINVAL"},
  {SYN_SENT, ACT, CALL(EV_SEND), SYN_SENT, NONE, OK(10), D(NONE), "§3.10.2 SYN-SENT: queue the data for transmission after entering ESTABLISHED"},
  {SYN_SENT, ACT, CALL(EV_RECV), SYN_SENT, NONE, ERR(EAGAIN), D(NONE), "§3.10.3 SYN-SENT: queued until ESTABLISHED; non-blocking: EAGAIN"},
  {SYN_SENT, ACT, CALL(EV_SHUTDOWN), CLOSED, NONE, OK(0), D(NONE), "§3.10.4 SYN-SENT: delete the TCB"},
  {SYN_SENT, ACT, CALL(EV_CLOSE), CLOSED, NONE, OK(0), D(NONE), "§3.10.4 SYN-SENT: delete the TCB"},
  {SYN_SENT, ACT, CALL(EV_ABORT), CLOSED, NONE, OK(0), D(NONE), "§3.10.5 SYN-SENT: delete the TCB, no RST"},
  {SYN_SENT, ACT, CALL(EV_STATUS), SYN_SENT, NONE, OK(0), D(NONE), "§3.10.6: state = SYN-SENT"},
  {SYN_SENT, ACT, EV_SYN, SEG(S, IRS(0), ZERO), SYN_RCVD, TX(SA, ISS(0), IRS(1)), ERR_NONE, D(NONE), "§3.10.7.3 fourth: SYN without ACK: SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> (simultaneous open, MUST-10)"},
  {SYN_SENT, ACT, EV_SYNACK, SEG(SA, IRS(0), ISS(1)), ESTAB, TX(A, ISS(1), IRS(1)), ERR_NONE, D(NONE), "§3.10.7.3 fourth: SND.UNA > ISS: ESTABLISHED, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"},
  {SYN_SENT, ACT, EV_ACK_BAD, SEG(SA, IRS(0), ISS(1001)), SYN_SENT, TX(R, ISS(1001), ZERO), ERR_NONE, D(TCP_SYN_SENT_BAD_ACK), "§3.10.7.3 first: SEG.ACK > SND.NXT: <SEQ=SEG.ACK><CTL=RST>, discard"},
  {SYN_SENT, ACT, EV_ACK_BAD, SEG(A, IRS(1), ISS(0)), SYN_SENT, TX(R, ISS(0), ZERO), ERR_NONE, D(TCP_SYN_SENT_BAD_ACK), "§3.10.7.3 first: SEG.ACK =< ISS: <SEQ=SEG.ACK><CTL=RST>, discard"},
  {SYN_SENT, ACT, EV_ACK_OK, SEG(A, IRS(1), ISS(1)), SYN_SENT, NONE, ERR_NONE, D(TCP_SYN_SENT_NO_SYN), "§3.10.7.3 fifth: neither SYN nor RST: drop"},
  {SYN_SENT, ACT, EV_DATA_IN, DATA(PA, IRS(1), ISS(1)), SYN_SENT, NONE, ERR_NONE, D(TCP_SYN_SENT_NO_SYN), "§3.10.7.3 fifth: neither SYN nor RST: drop"},
  {SYN_SENT, ACT, EV_DATA_OUT, DATA(PA, IRS(70001), ISS(1)), SYN_SENT, NONE, ERR_NONE, D(TCP_SYN_SENT_NO_SYN), "§3.10.7.3 fifth: no window yet; neither SYN nor RST: drop"},
  {SYN_SENT, ACT, EV_FIN, SEG(FA, IRS(1), ISS(1)), SYN_SENT, NONE, ERR_NONE, D(TCP_SYN_SENT_NO_SYN), "§3.10.7.3 fifth; §3.10.7.4 eighth: no FIN in SYN-SENT"},
  {SYN_SENT, ACT, EV_RST_IN, SEG(RA, ZERO, ISS(1)), CLOSED, NONE, ERR_SEG(ECONNREFUSED), D(NONE), "§3.10.7.3 second: RST with acceptable ACK: connection reset, CLOSED (BSD: ECONNREFUSED; MUST-12)"},
  {SYN_SENT, ACT, EV_OTHER, SEG(R, IRS(1), ZERO), SYN_SENT, NONE, ERR_NONE, D(TCP_SYN_SENT_RST), "§3.10.7.3 second: RST without ACK: drop"},
  {SYN_SENT, ACT, EV_RST_OUT, SEG(RA, ZERO, ISS(1001)), SYN_SENT, NONE, ERR_NONE, D(TCP_SYN_SENT_BAD_ACK), "§3.10.7.3 first: unacceptable ACK with RST: drop, no reset"},

  /* ------------------------------------- SYN-RECEIVED, passive (SND.NXT = ISS+1, RCV.NXT = IRS+1) */
  {SYN_RCVD, PAS, EV_SYN, SEG(S, IRS(0), ZERO), SYN_RCVD, TX(A, ISS(1), IRS(1)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: a retransmitted SYN is not acceptable: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"},
  {SYN_RCVD, PAS, EV_SYN_SYNC, SEG(S, IRS(1), ZERO), LISTEN, NONE, ERR_NONE, D(NONE), "§3.10.7.4 fourth: passive OPEN: return to LISTEN (MUST-11)"},
  {SYN_RCVD, PAS, EV_SYNACK, SEG(SA, IRS(0), ISS(1)), SYN_RCVD, TX(A, ISS(1), IRS(1)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: not acceptable: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"},
  {SYN_RCVD, PAS, EV_ACK_OK, SEG(A, IRS(1), ISS(1)), ESTAB, NONE, ERR_NONE, D(NONE), "§3.10.7.4 fifth SYN-RECEIVED: SND.UNA < SEG.ACK =< SND.NXT: ESTABLISHED"},
  {SYN_RCVD, PAS, EV_ACK_BAD, SEG(A, IRS(1), ISS(1001)), SYN_RCVD, TX(R, ISS(1001), ZERO), ERR_NONE, D(TCP_SYN_RECEIVED_BAD_ACK), "§3.10.7.4 fifth SYN-RECEIVED: unacceptable ACK: <SEQ=SEG.ACK><CTL=RST>"},
  {SYN_RCVD, PAS, EV_OTHER, SEG(A, IRS(1), ISS(0)), SYN_RCVD, TX(R, ISS(0), ZERO), ERR_NONE, D(TCP_SYN_RECEIVED_BAD_ACK), "§3.10.7.4 fifth SYN-RECEIVED: SEG.ACK = SND.UNA is not acceptable: <SEQ=SEG.ACK><CTL=RST>"},
  {SYN_RCVD, PAS, EV_DATA_IN, DATA(PA, IRS(1), ISS(1)), ESTAB, TX(A, ISS(1), IRS(11)), ERR_NONE, D(NONE), "§3.10.7.4 fifth then seventh: ESTABLISHED, text taken and acknowledged"},
  {SYN_RCVD, PAS, EV_DATA_OUT, DATA(PA, IRS(70001), ISS(1)), SYN_RCVD, TX(A, ISS(1), IRS(1)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: not acceptable: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"},
  {SYN_RCVD, PAS, EV_FIN, SEG(FA, IRS(1), ISS(1)), CLOSE_WAIT, TX(A, ISS(1), IRS(2)), ERR_NONE, D(NONE), "§3.10.7.4 fifth then eighth: ESTABLISHED, then FIN: CLOSE-WAIT, FIN acknowledged"},
  {SYN_RCVD, PAS, EV_RST_IN, SEG(R, IRS(1), ZERO), LISTEN, NONE, ERR_NONE, D(NONE), "§3.10.7.4 second SYN-RECEIVED: passive OPEN: return to LISTEN, user not informed (MUST-11)"},
  {SYN_RCVD, PAS, EV_RST_NEAR, SEG(R, IRS(101), ZERO), SYN_RCVD, TX(A, ISS(1), IRS(1)), ERR_NONE, D(TCP_RST_CHALLENGED), "§3.10.7.4 second, RFC 5961 §3.2 check 3: challenge ACK"},
  {SYN_RCVD, PAS, EV_RST_OUT, SEG(R, IRS(70001), ZERO), SYN_RCVD, NONE, ERR_NONE, D(TCP_RST_OUT_OF_WINDOW), "§3.10.7.4 second, RFC 5961 §3.2 check 1: outside the window: silently drop"},
  {SYN_RCVD, PAS, EV_OTHER, DATA(P, IRS(1), ZERO), SYN_RCVD, NONE, ERR_NONE, D(TCP_NO_ACK), "§3.10.7.4 fifth: ACK bit off: drop"},

  /* ------------------------------ SYN-RECEIVED, active (simultaneous open; SND.NXT = ISS+1) */
  {SYN_RCVD, ACT, CALL(EV_CONNECT), SYN_RCVD, NONE, ERR(EALREADY), D(NONE), "§3.10.1: connection already exists; BSD EALREADY while connecting"},
  {SYN_RCVD, ACT, CALL(EV_LISTEN), SYN_RCVD, NONE, ERR(EINVAL), D(NONE), "§3.10.1: connection already exists; BSD EINVAL"},
  {SYN_RCVD, ACT, CALL(EV_SEND), SYN_RCVD, NONE, OK(10), D(NONE), "§3.10.2 SYN-RECEIVED: queue the data for transmission after entering ESTABLISHED"},
  {SYN_RCVD, ACT, CALL(EV_RECV), SYN_RCVD, NONE, ERR(EAGAIN), D(NONE), "§3.10.3 SYN-RECEIVED: queued until ESTABLISHED; non-blocking: EAGAIN"},
  {SYN_RCVD, ACT, CALL(EV_SHUTDOWN), FIN_WAIT_1, TX(FA, ISS(1), IRS(1)), OK(0), D(NONE), "§3.10.4 SYN-RECEIVED: nothing to send: form a FIN, send it, enter FIN-WAIT-1"},
  {SYN_RCVD, ACT, CALL(EV_CLOSE), FIN_WAIT_1, TX(FA, ISS(1), IRS(1)), OK(0), D(NONE), "§3.10.4 SYN-RECEIVED: nothing to send: form a FIN, send it, enter FIN-WAIT-1"},
  {SYN_RCVD, ACT, CALL(EV_ABORT), CLOSED, TX(R, ISS(1), ZERO), OK(0), D(NONE), "§3.10.5 SYN-RECEIVED: <SEQ=SND.NXT><CTL=RST>, delete the TCB"},
  {SYN_RCVD, ACT, CALL(EV_STATUS), SYN_RCVD, NONE, OK(0), D(NONE), "§3.10.6: state = SYN-RECEIVED"},
  {SYN_RCVD, ACT, EV_SYN, SEG(S, IRS(0), ZERO), SYN_RCVD, TX(A, ISS(1), IRS(1)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: a retransmitted SYN is not acceptable: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"},
  {SYN_RCVD, ACT, EV_SYN_SYNC, SEG(S, IRS(1), ZERO), SYN_RCVD, TX(A, ISS(1), IRS(1)), ERR_NONE, D(TCP_SYN_CHALLENGED), "§3.10.7.4 fourth: active OPEN: as a synchronized state, RFC 5961 §4.2 challenge ACK (MUST-11)"},
  {SYN_RCVD, ACT, EV_SYNACK, SEG(SA, IRS(0), ISS(1)), ESTAB, NONE, ERR_NONE, D(NONE), "§3.5 Figure 7 line 6 (RFC 793 fig. 8): the peer's SYN,ACK acknowledges our SYN: ESTABLISHED (lucidtcp, as Linux)"},
  {SYN_RCVD, ACT, EV_ACK_OK, SEG(A, IRS(1), ISS(1)), ESTAB, NONE, ERR_NONE, D(NONE), "§3.10.7.4 fifth SYN-RECEIVED: SND.UNA < SEG.ACK =< SND.NXT: ESTABLISHED"},
  {SYN_RCVD, ACT, EV_ACK_BAD, SEG(A, IRS(1), ISS(1001)), SYN_RCVD, TX(R, ISS(1001), ZERO), ERR_NONE, D(TCP_SYN_RECEIVED_BAD_ACK), "§3.10.7.4 fifth SYN-RECEIVED: unacceptable ACK: <SEQ=SEG.ACK><CTL=RST>"},
  {SYN_RCVD, ACT, EV_DATA_IN, DATA(PA, IRS(1), ISS(1)), ESTAB, TX(A, ISS(1), IRS(11)), ERR_NONE, D(NONE), "§3.10.7.4 fifth then seventh: ESTABLISHED, text taken and acknowledged"},
  {SYN_RCVD, ACT, EV_DATA_OUT, DATA(PA, IRS(70001), ISS(1)), SYN_RCVD, TX(A, ISS(1), IRS(1)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: not acceptable: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"},
  {SYN_RCVD, ACT, EV_FIN, SEG(FA, IRS(1), ISS(1)), CLOSE_WAIT, TX(A, ISS(1), IRS(2)), ERR_NONE, D(NONE), "§3.10.7.4 fifth then eighth: CLOSE-WAIT, FIN acknowledged"},
  {SYN_RCVD, ACT, EV_RST_IN, SEG(R, IRS(1), ZERO), CLOSED, NONE, ERR_SEG(ECONNREFUSED), D(NONE), "§3.10.7.4 second SYN-RECEIVED: active OPEN: connection refused, CLOSED (MUST-11, MUST-12)"},
  {SYN_RCVD, ACT, EV_RST_NEAR, SEG(R, IRS(101), ZERO), SYN_RCVD, TX(A, ISS(1), IRS(1)), ERR_NONE, D(TCP_RST_CHALLENGED), "§3.10.7.4 second, RFC 5961 §3.2 check 3: challenge ACK"},
  {SYN_RCVD, ACT, EV_RST_OUT, SEG(R, IRS(70001), ZERO), SYN_RCVD, NONE, ERR_NONE, D(TCP_RST_OUT_OF_WINDOW), "§3.10.7.4 second, RFC 5961 §3.2 check 1: silently drop"},

  /* ---------------------------------------- ESTABLISHED (SND.NXT = ISS+1, RCV.NXT = IRS+1) */
  {ESTAB, ACT, CALL(EV_CONNECT), ESTAB, NONE, ERR(EISCONN), D(NONE), "§3.10.1: connection already exists (EISCONN)"},
  {ESTAB, ACT, CALL(EV_LISTEN), ESTAB, NONE, ERR(EINVAL), D(NONE), "§3.10.1: connection already exists; BSD EINVAL"},
  {ESTAB, ACT, CALL(EV_SEND), ESTAB, TXD(PA, ISS(1), IRS(1)), OK(10), D(NONE), "§3.10.2 ESTABLISHED: segmentize and send with ACK = RCV.NXT; PSH on the last segment (MUST-61)"},
  {ESTAB, ACT, CALL(EV_RECV), ESTAB, NONE, ERR(EAGAIN), D(NONE), "§3.10.3 ESTABLISHED: nothing queued: the request waits; non-blocking: EAGAIN"},
  {ESTAB, ACT, CALL(EV_SHUTDOWN), FIN_WAIT_1, TX(FA, ISS(1), IRS(1)), OK(0), D(NONE), "§3.10.4 ESTABLISHED: form a FIN, send it, enter FIN-WAIT-1"},
  {ESTAB, ACT, CALL(EV_CLOSE), FIN_WAIT_1, TX(FA, ISS(1), IRS(1)), OK(0), D(NONE), "§3.10.4 ESTABLISHED: form a FIN, send it, enter FIN-WAIT-1"},
  {ESTAB, ACT, CALL(EV_ABORT), CLOSED, TX(R, ISS(1), ZERO), OK(0), D(NONE), "§3.10.5 ESTABLISHED: <SEQ=SND.NXT><CTL=RST>, CLOSED"},
  {ESTAB, ACT, CALL(EV_STATUS), ESTAB, NONE, OK(0), D(NONE), "§3.10.6: state = ESTABLISHED"},
  {ESTAB, ACT, EV_SYN, SEG(S, IRS(0), ZERO), ESTAB, TX(A, ISS(1), IRS(1)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: an old SYN is not acceptable: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"},
  {ESTAB, ACT, EV_SYN_SYNC, SEG(S, IRS(1), ZERO), ESTAB, TX(A, ISS(1), IRS(1)), ERR_NONE, D(TCP_SYN_CHALLENGED), "§3.10.7.4 fourth, RFC 5961 §4.2: challenge ACK, drop"},
  {ESTAB, ACT, EV_SYNACK, SEG(SA, IRS(0), ISS(1)), ESTAB, TX(A, ISS(1), IRS(1)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: a retransmitted SYN,ACK (our ACK was lost) is answered with the ACK"},
  {ESTAB, ACT, EV_ACK_OK, SEG(A, IRS(1), ISS(1)), ESTAB, NONE, ERR_NONE, D(NONE), "§3.10.7.4 fifth ESTABLISHED: a duplicate ACK is ignored"},
  {ESTAB, ACT, EV_ACK_BAD, SEG(A, IRS(1), ISS(1001)), ESTAB, TX(A, ISS(1), IRS(1)), ERR_NONE, D(TCP_ACK_UNACCEPTABLE), "§3.10.7.4 fifth ESTABLISHED: SEG.ACK > SND.NXT: send an ACK, drop"},
  {ESTAB, ACT, EV_ACK_BAD, SEG(A, IRS(1), ISS(-100000)), ESTAB, TX(A, ISS(1), IRS(1)), ERR_NONE, D(TCP_ACK_UNACCEPTABLE), "§3.10.7.4 fifth, RFC 5961 §5.2 (MAY-12): SEG.ACK < SND.UNA - MAX.SND.WND: send an ACK, drop"},
  {ESTAB, ACT, EV_DATA_IN, DATA(PA, IRS(1), ISS(1)), ESTAB, TX(A, ISS(1), IRS(11)), ERR_NONE, D(NONE), "§3.10.7.4 seventh: advance RCV.NXT, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"},
  {ESTAB, ACT, EV_DATA_OUT, DATA(PA, IRS(70001), ISS(1)), ESTAB, TX(A, ISS(1), IRS(1)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: beyond the window: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, drop"},
  {ESTAB, ACT, EV_DATA_OUT, DATA(PA, IRS(-19), ISS(1)), ESTAB, TX(A, ISS(1), IRS(1)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: an old duplicate (left of RCV.NXT): ACK, drop"},
  {ESTAB, ACT, EV_OTHER, DATA(PA, IRS(101), ISS(1)), ESTAB, TX(A, ISS(1), IRS(1)), ERR_NONE, D(NONE), "§3.10.7.4 first: in the window beyond RCV.NXT: held (SHLD-31), ACK of RCV.NXT (MAY-13)"},
  {ESTAB, ACT, EV_OTHER, DATA(P, IRS(1), ZERO), ESTAB, NONE, ERR_NONE, D(TCP_NO_ACK), "§3.10.7.4 fifth: ACK bit off: drop"},
  {ESTAB, ACT, EV_FIN, SEG(FA, IRS(1), ISS(1)), CLOSE_WAIT, TX(A, ISS(1), IRS(2)), ERR_NONE, D(NONE), "§3.10.7.4 eighth ESTABLISHED: advance RCV.NXT over the FIN, ACK it, CLOSE-WAIT; the user sees end of stream (MUST-12)"},
  {ESTAB, ACT, EV_RST_IN, SEG(R, IRS(1), ZERO), CLOSED, NONE, ERR_SEG(ECONNRESET), D(NONE), "§3.10.7.4 second ESTABLISHED: connection reset, CLOSED; the user is told ECONNRESET (MUST-12)"},
  {ESTAB, ACT, EV_RST_NEAR, SEG(R, IRS(101), ZERO), ESTAB, TX(A, ISS(1), IRS(1)), ERR_NONE, D(TCP_RST_CHALLENGED), "§3.10.7.4 second, RFC 5961 §3.2 check 3: challenge ACK, drop"},
  {ESTAB, ACT, EV_RST_OUT, SEG(R, IRS(70001), ZERO), ESTAB, NONE, ERR_NONE, D(TCP_RST_OUT_OF_WINDOW), "§3.10.7.4 second, RFC 5961 §3.2 check 1: silently drop"},
  {ESTAB, PAS, EV_FIN, SEG(FA, IRS(1), ISS(1)), CLOSE_WAIT, TX(A, ISS(1), IRS(2)), ERR_NONE, D(NONE), "§3.10.7.4 eighth ESTABLISHED (passive open): CLOSE-WAIT"},
  {ESTAB, PAS, EV_RST_IN, SEG(R, IRS(1), ZERO), CLOSED, NONE, ERR_SEG(ECONNRESET), D(NONE), "§3.10.7.4 second ESTABLISHED (passive open): connection reset, CLOSED; the user is told ECONNRESET (MUST-12)"},

  /* ---------------------------- FIN-WAIT-1 (our FIN at ISS+1: SND.NXT = ISS+2, RCV.NXT = IRS+1) */
  {FIN_WAIT_1, ACT, CALL(EV_CONNECT), FIN_WAIT_1, NONE, ERR(EISCONN), D(NONE), "§3.10.1: connection already exists (EISCONN)"},
  {FIN_WAIT_1, ACT, CALL(EV_LISTEN), FIN_WAIT_1, NONE, ERR(EINVAL), D(NONE), "§3.10.1: connection already exists; BSD EINVAL"},
  {FIN_WAIT_1, ACT, CALL(EV_SEND), FIN_WAIT_1, NONE, ERR(EPIPE), D(NONE), "§3.10.2 FIN-WAIT-1: connection closing (EPIPE)"},
  {FIN_WAIT_1, ACT, CALL(EV_RECV), FIN_WAIT_1, NONE, ERR(EAGAIN), D(NONE), "§3.10.3 FIN-WAIT-1: the request waits for data; non-blocking: EAGAIN"},
  {FIN_WAIT_1, ACT, CALL(EV_SHUTDOWN), FIN_WAIT_1, NONE, OK(0), D(NONE), "§3.10.4 FIN-WAIT-1: \"ok\", no second FIN"},
  {FIN_WAIT_1, ACT, CALL(EV_CLOSE), FIN_WAIT_1, NONE, OK(0), D(NONE), "§3.10.4 FIN-WAIT-1: \"ok\", no second FIN"},
  {FIN_WAIT_1, ACT, CALL(EV_ABORT), CLOSED, TX(R, ISS(2), ZERO), OK(0), D(NONE), "§3.10.5 FIN-WAIT-1: <SEQ=SND.NXT><CTL=RST>"},
  {FIN_WAIT_1, ACT, CALL(EV_STATUS), FIN_WAIT_1, NONE, OK(0), D(NONE), "§3.10.6: state = FIN-WAIT-1"},
  {FIN_WAIT_1, ACT, EV_SYN, SEG(S, IRS(0), ZERO), FIN_WAIT_1, TX(A, ISS(2), IRS(1)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: not acceptable: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"},
  {FIN_WAIT_1, ACT, EV_SYN_SYNC, SEG(S, IRS(1), ZERO), FIN_WAIT_1, TX(A, ISS(2), IRS(1)), ERR_NONE, D(TCP_SYN_CHALLENGED), "§3.10.7.4 fourth, RFC 5961 §4.2: challenge ACK"},
  {FIN_WAIT_1, ACT, EV_SYNACK, SEG(SA, IRS(0), ISS(1)), FIN_WAIT_1, TX(A, ISS(2), IRS(1)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: not acceptable: ACK"},
  {FIN_WAIT_1, ACT, EV_ACK_OK, SEG(A, IRS(1), ISS(2)), FIN_WAIT_2, NONE, ERR_NONE, D(NONE), "§3.10.7.4 fifth FIN-WAIT-1: our FIN is acknowledged: FIN-WAIT-2"},
  {FIN_WAIT_1, ACT, EV_OTHER, SEG(A, IRS(1), ISS(1)), FIN_WAIT_1, NONE, ERR_NONE, D(NONE), "§3.10.7.4 fifth FIN-WAIT-1: FIN not yet acknowledged: stay"},
  {FIN_WAIT_1, ACT, EV_ACK_BAD, SEG(A, IRS(1), ISS(1002)), FIN_WAIT_1, TX(A, ISS(2), IRS(1)), ERR_NONE, D(TCP_ACK_UNACCEPTABLE), "§3.10.7.4 fifth: SEG.ACK > SND.NXT: send an ACK, drop"},
  {FIN_WAIT_1, ACT, EV_DATA_IN, DATA(PA, IRS(1), ISS(1)), FIN_WAIT_1, TX(A, ISS(2), IRS(11)), ERR_NONE, D(NONE), "§3.10.7.4 seventh FIN-WAIT-1: text is delivered and acknowledged"},
  {FIN_WAIT_1, ACT, EV_DATA_OUT, DATA(PA, IRS(70001), ISS(1)), FIN_WAIT_1, TX(A, ISS(2), IRS(1)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: not acceptable: ACK, drop"},
  {FIN_WAIT_1, ACT, EV_FIN, SEG(FA, IRS(1), ISS(1)), CLOSING, TX(A, ISS(2), IRS(2)), ERR_NONE, D(NONE), "§3.10.7.4 eighth FIN-WAIT-1: our FIN not acknowledged: CLOSING"},
  {FIN_WAIT_1, ACT, EV_OTHER, SEG(FA, IRS(1), ISS(2)), TIME_WAIT, TX(A, ISS(2), IRS(2)), ERR_NONE, D(NONE), "§3.10.7.4 eighth FIN-WAIT-1: our FIN acknowledged in this segment: TIME-WAIT"},
  {FIN_WAIT_1, ACT, EV_RST_IN, SEG(R, IRS(1), ZERO), CLOSED, NONE, ERR_SEG(ECONNRESET), D(NONE), "§3.10.7.4 second FIN-WAIT-1: connection reset, CLOSED; the user is told ECONNRESET (MUST-12)"},
  {FIN_WAIT_1, ACT, EV_RST_NEAR, SEG(R, IRS(101), ZERO), FIN_WAIT_1, TX(A, ISS(2), IRS(1)), ERR_NONE, D(TCP_RST_CHALLENGED), "§3.10.7.4 second, RFC 5961 §3.2 check 3: challenge ACK"},
  {FIN_WAIT_1, ACT, EV_RST_OUT, SEG(R, IRS(70001), ZERO), FIN_WAIT_1, NONE, ERR_NONE, D(TCP_RST_OUT_OF_WINDOW), "§3.10.7.4 second, RFC 5961 §3.2 check 1: silently drop"},

  /* ------------------------------------------- FIN-WAIT-2 (SND.NXT = ISS+2, RCV.NXT = IRS+1) */
  {FIN_WAIT_2, ACT, CALL(EV_CONNECT), FIN_WAIT_2, NONE, ERR(EISCONN), D(NONE), "§3.10.1: connection already exists (EISCONN)"},
  {FIN_WAIT_2, ACT, CALL(EV_LISTEN), FIN_WAIT_2, NONE, ERR(EINVAL), D(NONE), "§3.10.1: connection already exists; BSD EINVAL"},
  {FIN_WAIT_2, ACT, CALL(EV_SEND), FIN_WAIT_2, NONE, ERR(EPIPE), D(NONE), "§3.10.2 FIN-WAIT-2: connection closing (EPIPE)"},
  {FIN_WAIT_2, ACT, CALL(EV_RECV), FIN_WAIT_2, NONE, ERR(EAGAIN), D(NONE), "§3.10.3 FIN-WAIT-2: the request waits for data; non-blocking: EAGAIN"},
  {FIN_WAIT_2, ACT, CALL(EV_SHUTDOWN), FIN_WAIT_2, NONE, OK(0), D(NONE), "§3.10.4 FIN-WAIT-2: \"ok\", no second FIN"},
  {FIN_WAIT_2, ACT, CALL(EV_CLOSE), FIN_WAIT_2, NONE, OK(0), D(NONE), "§3.10.4 FIN-WAIT-2: \"ok\", no second FIN"},
  {FIN_WAIT_2, ACT, CALL(EV_ABORT), CLOSED, TX(R, ISS(2), ZERO), OK(0), D(NONE), "§3.10.5 FIN-WAIT-2: <SEQ=SND.NXT><CTL=RST>"},
  {FIN_WAIT_2, ACT, CALL(EV_STATUS), FIN_WAIT_2, NONE, OK(0), D(NONE), "§3.10.6: state = FIN-WAIT-2"},
  {FIN_WAIT_2, ACT, EV_SYN, SEG(S, IRS(0), ZERO), FIN_WAIT_2, TX(A, ISS(2), IRS(1)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: not acceptable: ACK"},
  {FIN_WAIT_2, ACT, EV_SYN_SYNC, SEG(S, IRS(1), ZERO), FIN_WAIT_2, TX(A, ISS(2), IRS(1)), ERR_NONE, D(TCP_SYN_CHALLENGED), "§3.10.7.4 fourth, RFC 5961 §4.2: challenge ACK"},
  {FIN_WAIT_2, ACT, EV_SYNACK, SEG(SA, IRS(0), ISS(1)), FIN_WAIT_2, TX(A, ISS(2), IRS(1)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: not acceptable: ACK"},
  {FIN_WAIT_2, ACT, EV_ACK_OK, SEG(A, IRS(1), ISS(2)), FIN_WAIT_2, NONE, ERR_NONE, D(NONE), "§3.10.7.4 fifth FIN-WAIT-2: as ESTABLISHED"},
  {FIN_WAIT_2, ACT, EV_ACK_BAD, SEG(A, IRS(1), ISS(1002)), FIN_WAIT_2, TX(A, ISS(2), IRS(1)), ERR_NONE, D(TCP_ACK_UNACCEPTABLE), "§3.10.7.4 fifth: SEG.ACK > SND.NXT: send an ACK, drop"},
  {FIN_WAIT_2, ACT, EV_DATA_IN, DATA(PA, IRS(1), ISS(2)), FIN_WAIT_2, TX(A, ISS(2), IRS(11)), ERR_NONE, D(NONE), "§3.10.7.4 seventh FIN-WAIT-2: text is delivered (half-close, MAY-1)"},
  {FIN_WAIT_2, ACT, EV_DATA_OUT, DATA(PA, IRS(70001), ISS(2)), FIN_WAIT_2, TX(A, ISS(2), IRS(1)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: not acceptable: ACK, drop"},
  {FIN_WAIT_2, ACT, EV_FIN, SEG(FA, IRS(1), ISS(2)), TIME_WAIT, TX(A, ISS(2), IRS(2)), ERR_NONE, D(NONE), "§3.10.7.4 eighth FIN-WAIT-2: TIME-WAIT, FIN acknowledged"},
  {FIN_WAIT_2, ACT, EV_RST_IN, SEG(R, IRS(1), ZERO), CLOSED, NONE, ERR_SEG(ECONNRESET), D(NONE), "§3.10.7.4 second FIN-WAIT-2: connection reset, CLOSED; the user is told ECONNRESET (MUST-12)"},
  {FIN_WAIT_2, ACT, EV_RST_NEAR, SEG(R, IRS(101), ZERO), FIN_WAIT_2, TX(A, ISS(2), IRS(1)), ERR_NONE, D(TCP_RST_CHALLENGED), "§3.10.7.4 second, RFC 5961 §3.2 check 3: challenge ACK"},
  {FIN_WAIT_2, ACT, EV_RST_OUT, SEG(R, IRS(70001), ZERO), FIN_WAIT_2, NONE, ERR_NONE, D(TCP_RST_OUT_OF_WINDOW), "§3.10.7.4 second, RFC 5961 §3.2 check 1: silently drop"},

  /* ---------------------- CLOSE-WAIT (their FIN at IRS+1: SND.NXT = ISS+1, RCV.NXT = IRS+2) */
  {CLOSE_WAIT, ACT, CALL(EV_CONNECT), CLOSE_WAIT, NONE, ERR(EISCONN), D(NONE), "§3.10.1: connection already exists (EISCONN)"},
  {CLOSE_WAIT, ACT, CALL(EV_LISTEN), CLOSE_WAIT, NONE, ERR(EINVAL), D(NONE), "§3.10.1: connection already exists; BSD EINVAL"},
  {CLOSE_WAIT, ACT, CALL(EV_SEND), CLOSE_WAIT, TXD(PA, ISS(1), IRS(2)), OK(10), D(NONE), "§3.10.2 CLOSE-WAIT: segmentize and send (half-close, MAY-1)"},
  {CLOSE_WAIT, ACT, CALL(EV_RECV), CLOSE_WAIT, NONE, OK(0), D(NONE), "§3.10.3 CLOSE-WAIT: no text awaiting delivery: connection closing (end of stream, 0)"},
  {CLOSE_WAIT, ACT, CALL(EV_SHUTDOWN), LAST_ACK, TX(FA, ISS(1), IRS(2)), OK(0), D(NONE), "§3.10.4 CLOSE-WAIT: send a FIN, enter LAST-ACK"},
  {CLOSE_WAIT, ACT, CALL(EV_CLOSE), LAST_ACK, TX(FA, ISS(1), IRS(2)), OK(0), D(NONE), "§3.10.4 CLOSE-WAIT: send a FIN, enter LAST-ACK"},
  {CLOSE_WAIT, ACT, CALL(EV_ABORT), CLOSED, TX(R, ISS(1), ZERO), OK(0), D(NONE), "§3.10.5 CLOSE-WAIT: <SEQ=SND.NXT><CTL=RST>"},
  {CLOSE_WAIT, ACT, CALL(EV_STATUS), CLOSE_WAIT, NONE, OK(0), D(NONE), "§3.10.6: state = CLOSE-WAIT"},
  {CLOSE_WAIT, ACT, EV_SYN, SEG(S, IRS(0), ZERO), CLOSE_WAIT, TX(A, ISS(1), IRS(2)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: not acceptable: ACK"},
  {CLOSE_WAIT, ACT, EV_SYN_SYNC, SEG(S, IRS(2), ZERO), CLOSE_WAIT, TX(A, ISS(1), IRS(2)), ERR_NONE, D(TCP_SYN_CHALLENGED), "§3.10.7.4 fourth, RFC 5961 §4.2: challenge ACK"},
  {CLOSE_WAIT, ACT, EV_SYNACK, SEG(SA, IRS(0), ISS(1)), CLOSE_WAIT, TX(A, ISS(1), IRS(2)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: not acceptable: ACK"},
  {CLOSE_WAIT, ACT, EV_ACK_OK, SEG(A, IRS(2), ISS(1)), CLOSE_WAIT, NONE, ERR_NONE, D(NONE), "§3.10.7.4 fifth CLOSE-WAIT: as ESTABLISHED"},
  {CLOSE_WAIT, ACT, EV_ACK_BAD, SEG(A, IRS(2), ISS(1001)), CLOSE_WAIT, TX(A, ISS(1), IRS(2)), ERR_NONE, D(TCP_ACK_UNACCEPTABLE), "§3.10.7.4 fifth: SEG.ACK > SND.NXT: send an ACK, drop"},
  {CLOSE_WAIT, ACT, EV_DATA_IN, DATA(PA, IRS(2), ISS(1)), CLOSE_WAIT, NONE, ERR_NONE, D(TCP_TEXT_AFTER_FIN), "§3.10.7.4 seventh CLOSE-WAIT: ignore the segment text"},
  {CLOSE_WAIT, ACT, EV_DATA_OUT, DATA(PA, IRS(70001), ISS(1)), CLOSE_WAIT, TX(A, ISS(1), IRS(2)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: not acceptable: ACK, drop"},
  {CLOSE_WAIT, ACT, EV_FIN, SEG(FA, IRS(1), ISS(1)), CLOSE_WAIT, TX(A, ISS(1), IRS(2)), ERR_NONE, D(NONE), "§3.10.7.4 first, trimmed to RCV.NXT (as Linux and FreeBSD), and eighth: a retransmitted FIN is acknowledged again; remain in CLOSE-WAIT"},
  {CLOSE_WAIT, ACT, EV_RST_IN, SEG(R, IRS(2), ZERO), CLOSED, NONE, ERR_SEG(ECONNRESET), D(NONE), "§3.10.7.4 second CLOSE-WAIT: connection reset, CLOSED; the user is told ECONNRESET (MUST-12)"},
  {CLOSE_WAIT, ACT, EV_RST_NEAR, SEG(R, IRS(102), ZERO), CLOSE_WAIT, TX(A, ISS(1), IRS(2)), ERR_NONE, D(TCP_RST_CHALLENGED), "§3.10.7.4 second, RFC 5961 §3.2 check 3: challenge ACK"},
  {CLOSE_WAIT, ACT, EV_RST_OUT, SEG(R, IRS(70002), ZERO), CLOSE_WAIT, NONE, ERR_NONE, D(TCP_RST_OUT_OF_WINDOW), "§3.10.7.4 second, RFC 5961 §3.2 check 1: silently drop"},

  /* --------------------------------- CLOSING (SND.UNA = ISS+1, SND.NXT = ISS+2, RCV.NXT = IRS+2) */
  {CLOSING, ACT, CALL(EV_CONNECT), CLOSING, NONE, ERR(EISCONN), D(NONE), "§3.10.1: connection already exists (EISCONN)"},
  {CLOSING, ACT, CALL(EV_LISTEN), CLOSING, NONE, ERR(EINVAL), D(NONE), "§3.10.1: connection already exists; BSD EINVAL"},
  {CLOSING, ACT, CALL(EV_SEND), CLOSING, NONE, ERR(EPIPE), D(NONE), "§3.10.2 CLOSING: connection closing (EPIPE)"},
  {CLOSING, ACT, CALL(EV_RECV), CLOSING, NONE, OK(0), D(NONE), "§3.10.3 CLOSING: connection closing (end of stream, 0)"},
  {CLOSING, ACT, CALL(EV_SHUTDOWN), CLOSING, NONE, OK(0), D(NONE), "§3.10.4 CLOSING: connection closing; BSD: our side is already shut, no second FIN"},
  {CLOSING, ACT, CALL(EV_CLOSE), CLOSING, NONE, OK(0), D(NONE), "§3.10.4 CLOSING: no second FIN; the connection lives on without its socket"},
  {CLOSING, ACT, CALL(EV_ABORT), CLOSED, NONE, OK(0), D(NONE), "§3.10.5 CLOSING: \"ok\", delete the TCB, no RST"},
  {CLOSING, ACT, CALL(EV_STATUS), CLOSING, NONE, OK(0), D(NONE), "§3.10.6: state = CLOSING"},
  {CLOSING, ACT, EV_SYN, SEG(S, IRS(0), ZERO), CLOSING, TX(A, ISS(2), IRS(2)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: not acceptable: ACK"},
  {CLOSING, ACT, EV_SYN_SYNC, SEG(S, IRS(2), ZERO), CLOSING, TX(A, ISS(2), IRS(2)), ERR_NONE, D(TCP_SYN_CHALLENGED), "§3.10.7.4 fourth, RFC 5961 §4.2: challenge ACK"},
  {CLOSING, ACT, EV_SYNACK, SEG(SA, IRS(0), ISS(1)), CLOSING, TX(A, ISS(2), IRS(2)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: not acceptable: ACK"},
  {CLOSING, ACT, EV_ACK_OK, SEG(A, IRS(2), ISS(2)), TIME_WAIT, NONE, ERR_NONE, D(NONE), "§3.10.7.4 fifth CLOSING: the ACK acknowledges our FIN: TIME-WAIT"},
  {CLOSING, ACT, EV_OTHER, SEG(A, IRS(2), ISS(1)), CLOSING, NONE, ERR_NONE, D(NONE), "§3.10.7.4 fifth CLOSING: FIN not acknowledged: ignore the segment"},
  {CLOSING, ACT, EV_ACK_BAD, SEG(A, IRS(2), ISS(1002)), CLOSING, TX(A, ISS(2), IRS(2)), ERR_NONE, D(TCP_ACK_UNACCEPTABLE), "§3.10.7.4 fifth: SEG.ACK > SND.NXT: send an ACK, drop"},
  {CLOSING, ACT, EV_DATA_IN, DATA(PA, IRS(2), ISS(1)), CLOSING, NONE, ERR_NONE, D(NONE), "§3.10.7.4 fifth CLOSING: FIN not acknowledged: ignore the segment"},
  {CLOSING, ACT, EV_DATA_OUT, DATA(PA, IRS(70001), ISS(1)), CLOSING, TX(A, ISS(2), IRS(2)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: not acceptable: ACK, drop"},
  {CLOSING, ACT, EV_FIN, SEG(FA, IRS(1), ISS(1)), CLOSING, TX(A, ISS(2), IRS(2)), ERR_NONE, D(NONE), "§3.10.7.4 first, trimmed to RCV.NXT (as Linux and FreeBSD), and eighth: a retransmitted FIN is acknowledged again; remain in CLOSING"},
  {CLOSING, ACT, EV_RST_IN, SEG(R, IRS(2), ZERO), CLOSED, NONE, ERR_SEG(ECONNRESET), D(NONE), "§3.10.7.4 second CLOSING: enter CLOSED, delete the TCB; ECONNRESET as BSD and Linux report it"},
  {CLOSING, ACT, EV_RST_NEAR, SEG(R, IRS(102), ZERO), CLOSING, TX(A, ISS(2), IRS(2)), ERR_NONE, D(TCP_RST_CHALLENGED), "§3.10.7.4 second, RFC 5961 §3.2 check 3: challenge ACK"},
  {CLOSING, ACT, EV_RST_OUT, SEG(R, IRS(70002), ZERO), CLOSING, NONE, ERR_NONE, D(TCP_RST_OUT_OF_WINDOW), "§3.10.7.4 second, RFC 5961 §3.2 check 1: silently drop"},

  /* -------------------------------- LAST-ACK (SND.UNA = ISS+1, SND.NXT = ISS+2, RCV.NXT = IRS+2) */
  {LAST_ACK, ACT, CALL(EV_CONNECT), LAST_ACK, NONE, ERR(EISCONN), D(NONE), "§3.10.1: connection already exists (EISCONN)"},
  {LAST_ACK, ACT, CALL(EV_LISTEN), LAST_ACK, NONE, ERR(EINVAL), D(NONE), "§3.10.1: connection already exists; BSD EINVAL"},
  {LAST_ACK, ACT, CALL(EV_SEND), LAST_ACK, NONE, ERR(EPIPE), D(NONE), "§3.10.2 LAST-ACK: connection closing (EPIPE)"},
  {LAST_ACK, ACT, CALL(EV_RECV), LAST_ACK, NONE, OK(0), D(NONE), "§3.10.3 LAST-ACK: connection closing (end of stream, 0)"},
  {LAST_ACK, ACT, CALL(EV_SHUTDOWN), LAST_ACK, NONE, OK(0), D(NONE), "§3.10.4 LAST-ACK: connection closing; BSD: our side is already shut, no second FIN"},
  {LAST_ACK, ACT, CALL(EV_CLOSE), LAST_ACK, NONE, OK(0), D(NONE), "§3.10.4 LAST-ACK: no second FIN; the connection lives on without its socket"},
  {LAST_ACK, ACT, CALL(EV_ABORT), CLOSED, NONE, OK(0), D(NONE), "§3.10.5 LAST-ACK: \"ok\", delete the TCB, no RST"},
  {LAST_ACK, ACT, CALL(EV_STATUS), LAST_ACK, NONE, OK(0), D(NONE), "§3.10.6: state = LAST-ACK"},
  {LAST_ACK, ACT, EV_SYN, SEG(S, IRS(0), ZERO), LAST_ACK, TX(A, ISS(2), IRS(2)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: not acceptable: ACK"},
  {LAST_ACK, ACT, EV_SYN_SYNC, SEG(S, IRS(2), ZERO), LAST_ACK, TX(A, ISS(2), IRS(2)), ERR_NONE, D(TCP_SYN_CHALLENGED), "§3.10.7.4 fourth, RFC 5961 §4.2: challenge ACK"},
  {LAST_ACK, ACT, EV_SYNACK, SEG(SA, IRS(0), ISS(1)), LAST_ACK, TX(A, ISS(2), IRS(2)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: not acceptable: ACK"},
  {LAST_ACK, ACT, EV_ACK_OK, SEG(A, IRS(2), ISS(2)), CLOSED, NONE, ERR_NONE, D(NONE), "§3.10.7.4 fifth LAST-ACK: our FIN is acknowledged: delete the TCB, CLOSED"},
  {LAST_ACK, ACT, EV_OTHER, SEG(A, IRS(2), ISS(1)), LAST_ACK, NONE, ERR_NONE, D(NONE), "§3.10.7.4 fifth LAST-ACK: FIN not yet acknowledged: stay"},
  {LAST_ACK, ACT, EV_ACK_BAD, SEG(A, IRS(2), ISS(1002)), LAST_ACK, TX(A, ISS(2), IRS(2)), ERR_NONE, D(TCP_ACK_UNACCEPTABLE), "§3.10.7.4 fifth: SEG.ACK > SND.NXT: send an ACK, drop"},
  {LAST_ACK, ACT, EV_DATA_IN, DATA(PA, IRS(2), ISS(1)), LAST_ACK, NONE, ERR_NONE, D(TCP_TEXT_AFTER_FIN), "§3.10.7.4 seventh LAST-ACK: ignore the segment text"},
  {LAST_ACK, ACT, EV_DATA_OUT, DATA(PA, IRS(70001), ISS(1)), LAST_ACK, TX(A, ISS(2), IRS(2)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: not acceptable: ACK, drop"},
  {LAST_ACK, ACT, EV_FIN, SEG(FA, IRS(1), ISS(1)), LAST_ACK, TX(A, ISS(2), IRS(2)), ERR_NONE, D(NONE), "§3.10.7.4 first, trimmed to RCV.NXT (as Linux and FreeBSD), and eighth: a retransmitted FIN is acknowledged again; remain in LAST-ACK"},
  {LAST_ACK, ACT, EV_RST_IN, SEG(R, IRS(2), ZERO), CLOSED, NONE, ERR_SEG(ECONNRESET), D(NONE), "§3.10.7.4 second LAST-ACK: enter CLOSED, delete the TCB; ECONNRESET as BSD and Linux report it"},
  {LAST_ACK, ACT, EV_RST_NEAR, SEG(R, IRS(102), ZERO), LAST_ACK, TX(A, ISS(2), IRS(2)), ERR_NONE, D(TCP_RST_CHALLENGED), "§3.10.7.4 second, RFC 5961 §3.2 check 3: challenge ACK"},
  {LAST_ACK, ACT, EV_RST_OUT, SEG(R, IRS(70002), ZERO), LAST_ACK, NONE, ERR_NONE, D(TCP_RST_OUT_OF_WINDOW), "§3.10.7.4 second, RFC 5961 §3.2 check 1: silently drop"},

  /* -------------------------------------------- TIME-WAIT (SND.NXT = ISS+2, RCV.NXT = IRS+2) */
  {TIME_WAIT, ACT, CALL(EV_CONNECT), TIME_WAIT, NONE, ERR(EISCONN), D(NONE), "§3.10.1: connection already exists (EISCONN)"},
  {TIME_WAIT, ACT, CALL(EV_LISTEN), TIME_WAIT, NONE, ERR(EINVAL), D(NONE), "§3.10.1: connection already exists; BSD EINVAL"},
  {TIME_WAIT, ACT, CALL(EV_SEND), TIME_WAIT, NONE, ERR(EPIPE), D(NONE), "§3.10.2 TIME-WAIT: connection closing (EPIPE)"},
  {TIME_WAIT, ACT, CALL(EV_RECV), TIME_WAIT, NONE, OK(0), D(NONE), "§3.10.3 TIME-WAIT: connection closing (end of stream, 0)"},
  {TIME_WAIT, ACT, CALL(EV_SHUTDOWN), TIME_WAIT, NONE, OK(0), D(NONE), "§3.10.4 TIME-WAIT: connection closing; BSD: our side is already shut"},
  {TIME_WAIT, ACT, CALL(EV_CLOSE), TIME_WAIT, NONE, OK(0), D(NONE), "§3.10.4 TIME-WAIT: the connection stays for 2 MSL without its socket (MUST-13)"},
  {TIME_WAIT, ACT, CALL(EV_ABORT), CLOSED, NONE, OK(0), D(NONE), "§3.10.5 TIME-WAIT: \"ok\", delete the TCB, no RST"},
  {TIME_WAIT, ACT, CALL(EV_STATUS), TIME_WAIT, NONE, OK(0), D(NONE), "§3.10.6: state = TIME-WAIT"},
  {TIME_WAIT, ACT, EV_SYN, SEG(S, IRS(0), ZERO), TIME_WAIT, TX(A, ISS(2), IRS(2)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: not acceptable: ACK"},
  {TIME_WAIT, ACT, EV_SYN_SYNC, SEG(S, IRS(2), ZERO), TIME_WAIT, TX(A, ISS(2), IRS(2)), ERR_NONE, D(TCP_SYN_CHALLENGED), "§3.10.7.4 fourth, RFC 5961 §4.2: challenge ACK (no listener to reopen it, §3.6 MAY-2)"},
  {TIME_WAIT, ACT, EV_SYNACK, SEG(SA, IRS(0), ISS(1)), TIME_WAIT, TX(A, ISS(2), IRS(2)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: not acceptable: ACK"},
  {TIME_WAIT, ACT, EV_ACK_OK, SEG(A, IRS(2), ISS(2)), TIME_WAIT, NONE, ERR_NONE, D(NONE), "§3.10.7.4 fifth TIME-WAIT: only a retransmitted FIN is expected; an ACK changes nothing"},
  {TIME_WAIT, ACT, EV_ACK_BAD, SEG(A, IRS(2), ISS(1002)), TIME_WAIT, TX(A, ISS(2), IRS(2)), ERR_NONE, D(TCP_ACK_UNACCEPTABLE), "§3.10.7.4 fifth: SEG.ACK > SND.NXT: send an ACK, drop"},
  {TIME_WAIT, ACT, EV_DATA_IN, DATA(PA, IRS(2), ISS(2)), TIME_WAIT, TX(A, ISS(2), IRS(2)), ERR_NONE, D(TCP_TEXT_AFTER_FIN), "§3.10.7.4 fifth TIME-WAIT: acknowledge it, restart 2 MSL (Linux, FreeBSD); seventh: ignore the segment text"},
  {TIME_WAIT, ACT, EV_DATA_OUT, DATA(PA, IRS(70001), ISS(2)), TIME_WAIT, TX(A, ISS(2), IRS(2)), ERR_NONE, D(TCP_OUT_OF_WINDOW), "§3.10.7.4 first: not acceptable: ACK, drop"},
  {TIME_WAIT, ACT, EV_FIN, SEG(FA, IRS(1), ISS(2)), TIME_WAIT, TX(A, ISS(2), IRS(2)), ERR_NONE, D(TCP_TIME_WAIT_FIN), "§3.10.7.4 fifth and eighth TIME-WAIT: a retransmitted FIN: acknowledge it, restart 2 MSL"},
  {TIME_WAIT, ACT, EV_RST_IN, SEG(R, IRS(2), ZERO), CLOSED, NONE, ERR_NONE, D(NONE), "§3.10.7.4 second TIME-WAIT: enter CLOSED (rfc1337 = 0; RFC 1337 TW-1 is a config option)"},
  {TIME_WAIT, ACT, EV_RST_NEAR, SEG(R, IRS(102), ZERO), TIME_WAIT, TX(A, ISS(2), IRS(2)), ERR_NONE, D(TCP_RST_CHALLENGED), "§3.10.7.4 second, RFC 5961 §3.2 check 3: challenge ACK"},
  {TIME_WAIT, ACT, EV_RST_OUT, SEG(R, IRS(70002), ZERO), TIME_WAIT, NONE, ERR_NONE, D(TCP_RST_OUT_OF_WINDOW), "§3.10.7.4 second, RFC 5961 §3.2 check 1: silently drop"},
};
/* clang-format on */

#define NROWS (sizeof rows / sizeof rows[0])
#define ISS_UNKNOWN 0x20000000u /* stands for ISS where the row's setup has none yet */

static uint32_t rel_value(const h_harness *h, rel r) {
  uint32_t base = r.base == B_ISS ? h->iss : r.base == B_IRS ? h->irs : 0;
  return base + (uint32_t)r.off;
}

static int mev_is_call(mev e) { return e <= EV_STATUS; }

static ltcp_call mev_call(mev e) {
  switch (e) {
    case EV_CONNECT: return LTCP_CALL_OPEN_ACTIVE;
    case EV_LISTEN: return LTCP_CALL_OPEN_PASSIVE;
    case EV_SEND: return LTCP_CALL_SEND;
    case EV_RECV: return LTCP_CALL_RECEIVE;
    case EV_ABORT: return LTCP_CALL_ABORT;
    default: return LTCP_CALL_CLOSE;
  }
}

/* Makes the row's call; returns its result (errno set when -1). */
static long run_call(h_harness *h, const mrow *r) {
  static const uint8_t payload[10] = "0123456789";
  uint8_t buf[64];
  ltcp_endpoint remote = h_remote_endpoint(h);
  ltcp_tcp_info info;
  errno = 0;
  switch (r->ev) {
    case EV_CONNECT: return ltcp_connect(h->st, h->fd, &remote);
    case EV_LISTEN: return ltcp_listen(h->st, h->fd, 8);
    case EV_SEND: return (long)ltcp_send(h->st, h->fd, payload, sizeof payload, 0);
    case EV_RECV: return (long)ltcp_recv(h->st, h->fd, buf, sizeof buf, 0);
    case EV_SHUTDOWN: return ltcp_shutdown(h->st, h->fd, LTCP_SHUT_WR);
    case EV_CLOSE: return ltcp_close(h->st, h->fd);
    case EV_ABORT: return ltcp_abort(h->st, h->fd);
    case EV_STATUS: {
      int rc = ltcp_status(h->st, h->fd, &info);
      if (rc == 0 && info.state != r->to)
        h_fail(h, "STATUS says %s", ltcp_state_name(info.state));
      return rc;
    }
    default: h_fail(h, "not a call"); return -1;
  }
}

/* Checks the reply: the exact segment, then that nothing more is sent. */
static void check_reply(h_harness *h, const mrow *r) {
  if (r->out.flags == 0) {
    h_expect_none(h);
    return;
  }
  if ((r->out.flags & LTCP_SYN) && !h->iss_known) {
    /* The segment that shows our ISS: take it from there, then check the rest. */
    if (!h_next(h)) h_fail(h, "expected a SYN, stack sent nothing");
    const ltcp_seg *s = &h->out.seg;
    if (s->flags != r->out.flags) h_fail(h, "expected flags %#x, got %#x", r->out.flags, s->flags);
    h->iss = s->seq - (uint32_t)r->out.seq.off;
    h->iss_known = 1;
    if ((s->flags & LTCP_ACK) && s->ack != rel_value(h, r->out.ack))
      h_fail(h, "SYN acknowledges %u, expected %u", s->ack, rel_value(h, r->out.ack));
    if (s->opts.mss == 0) h_fail(h, "SYN without the MSS option (MUST-14)");
  } else {
    h_expect_len(h, r->out.flags, rel_value(h, r->out.seq), rel_value(h, r->out.ack), r->out.len);
  }
  h_expect_none(h);
}

static void check_drop(h_harness *h, const mrow *r, uint64_t total0, uint64_t reason0) {
  const ltcp_stats *st = ltcp_stack_stats(h->st);
  uint64_t total = h_drops(h);
  if (r->drop == LTCP_DROP_NONE) {
    if (total != total0) h_fail(h, "expected no drop, %llu counted", (unsigned long long)(total - total0));
    return;
  }
  if (st->drops[r->drop] != reason0 + 1 || total != total0 + 1) {
    for (int i = 0; i < LTCP_DROP_COUNT; i++)
      if (st->drops[i]) print_error("drops[%s] = %llu\n", ltcp_drop_name((ltcp_drop_reason)i), (unsigned long long)st->drops[i]);
    h_fail(h, "expected one drop %s, counted %llu of it and %llu in all", ltcp_drop_name(r->drop),
           (unsigned long long)(st->drops[r->drop] - reason0), (unsigned long long)(total - total0));
  }
}

/* The state change, if any, has the row's cause and error. */
static void check_change(h_harness *h, const mrow *r, ltcp_state before, uint32_t nstate0) {
  ltcp_state got = h_state(h);
  if (got != r->to)
    h_fail(h, "expected state %s, got %s", ltcp_state_name(r->to), ltcp_state_name(got));
  if (got == before || h->nstate == nstate0) return;
  const ltcp_event *ev = &h->last;
  if (mev_is_call(r->ev)) {
    if (ev->cause != LTCP_CAUSE_CALL || ev->call != mev_call(r->ev))
      h_fail(h, "state change caused by kind %d call %d, expected the call", ev->cause, ev->call);
    return;
  }
  if (ev->cause != LTCP_CAUSE_SEGMENT)
    h_fail(h, "state change caused by kind %d, expected the segment", ev->cause);
  if (ev->error != r->err)
    h_fail(h, "state change reports %s, expected %s", ltcp_errname(ev->error), ltcp_errname(r->err));
}

static void run_row(const mrow *r, size_t index) {
  char label[384];
  snprintf(label, sizeof label, "row %zu: %s%s + %s -> %s: %s", index, ltcp_state_name(r->from),
           r->from == SYN_RCVD ? (r->how == PAS ? " (passive)" : " (active)") : "",
           mev_names[r->ev], ltcp_state_name(r->to), r->cite);
  h_harness h;
  h_init(&h, NULL);
  h_label(&h, label);
  h_goto(&h, r->from, r->how);
  if (!h.iss_known) h.iss = ISS_UNKNOWN;
  uint64_t total0 = h_drops(&h), reason0 = ltcp_stack_stats(h.st)->drops[r->drop];
  ltcp_state before = h_state(&h);
  uint32_t nstate0 = h.nstate;
  if (mev_is_call(r->ev)) {
    long rc = run_call(&h, r);
    int err = rc < 0 ? errno : 0;
    if (rc != r->ret || err != (r->ret < 0 ? r->err : 0))
      h_fail(&h, "call returned %ld (%s), expected %d (%s)", rc, ltcp_errname(err), r->ret,
             ltcp_errname(r->ret < 0 ? r->err : 0));
  } else {
    h_send(&h, r->in.flags, rel_value(&h, r->in.seq), rel_value(&h, r->in.ack), NULL, r->in.len);
  }
  check_reply(&h, r);
  check_change(&h, r, before, nstate0);
  check_drop(&h, r, total0, reason0);
  h_free(&h);
}

static void run_state(ltcp_state from, h_how how) {
  size_t n = 0;
  for (size_t i = 0; i < NROWS; i++) {
    const mrow *r = &rows[i];
    if (r->from != from || (from == SYN_RCVD && r->how != how)) continue;
    run_row(r, i);
    n++;
  }
  assert_true(n > 0);
}

static void test_closed_matrix(void **state) { (void)state; run_state(CLOSED, ACT); }
static void test_listen_matrix(void **state) { (void)state; run_state(LISTEN, ACT); }
static void test_syn_sent_matrix(void **state) { (void)state; run_state(SYN_SENT, ACT); }
static void test_syn_received_passive_matrix(void **state) { (void)state; run_state(SYN_RCVD, PAS); }
static void test_syn_received_active_matrix(void **state) { (void)state; run_state(SYN_RCVD, ACT); }
static void test_established_matrix(void **state) { (void)state; run_state(ESTAB, ACT); }
static void test_fin_wait_1_matrix(void **state) { (void)state; run_state(FIN_WAIT_1, ACT); }
static void test_fin_wait_2_matrix(void **state) { (void)state; run_state(FIN_WAIT_2, ACT); }
static void test_close_wait_matrix(void **state) { (void)state; run_state(CLOSE_WAIT, ACT); }
static void test_closing_matrix(void **state) { (void)state; run_state(CLOSING, ACT); }
static void test_last_ack_matrix(void **state) { (void)state; run_state(LAST_ACK, ACT); }
static void test_time_wait_matrix(void **state) { (void)state; run_state(TIME_WAIT, ACT); }

/* Every cell the matrix must have is there: each state with each user call and each segment
 * kind (SYN in a synchronized state only where the state is one, or SYN-RECEIVED). */
static void test_matrix_covers_every_cell(void **state) {
  (void)state;
  for (int s = 0; s < LTCP_STATE_COUNT; s++) {
    for (int e = 0; e < EV_RST_NEAR; e++) {
      int needed = 1;
      if (e == EV_SYN_SYNC) needed = s >= SYN_RCVD;
      /* Passive SYN-RECEIVED has no socket: its calls are the active variant's rows. */
      int found = 0;
      for (size_t i = 0; i < NROWS && !found; i++) found = rows[i].from == (ltcp_state)s && rows[i].ev == (mev)e;
      if (needed && !found)
        fail_msg("no row for %s + %s", ltcp_state_name((ltcp_state)s), mev_names[e]);
    }
  }
  /* Both SYN-RECEIVED variants see every segment kind. */
  for (int e = EV_SYN; e < EV_RST_NEAR; e++) {
    for (int how = ACT; how <= PAS; how++) {
      int found = 0;
      for (size_t i = 0; i < NROWS && !found; i++)
        found = rows[i].from == SYN_RCVD && rows[i].how == (h_how)how && rows[i].ev == (mev)e;
      if (!found) fail_msg("no row for SYN-RECEIVED (%s) + %s", how ? "passive" : "active", mev_names[e]);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_matrix_covers_every_cell, h_teardown),
      cmocka_unit_test_teardown(test_closed_matrix, h_teardown),
      cmocka_unit_test_teardown(test_listen_matrix, h_teardown),
      cmocka_unit_test_teardown(test_syn_sent_matrix, h_teardown),
      cmocka_unit_test_teardown(test_syn_received_passive_matrix, h_teardown),
      cmocka_unit_test_teardown(test_syn_received_active_matrix, h_teardown),
      cmocka_unit_test_teardown(test_established_matrix, h_teardown),
      cmocka_unit_test_teardown(test_fin_wait_1_matrix, h_teardown),
      cmocka_unit_test_teardown(test_fin_wait_2_matrix, h_teardown),
      cmocka_unit_test_teardown(test_close_wait_matrix, h_teardown),
      cmocka_unit_test_teardown(test_closing_matrix, h_teardown),
      cmocka_unit_test_teardown(test_last_ack_matrix, h_teardown),
      cmocka_unit_test_teardown(test_time_wait_matrix, h_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
