/* A single-stack test harness, in the smoltcp style: one ltcp_stack (198.18.0.1) and a test
 * that plays the remote host (198.18.0.2). The test injects one segment at a time, moves
 * virtual time, and asserts the exact segments the stack sends, then that nothing more is.
 *
 * Sequence numbers: h->iss is the stack's ISS (learned from the SYN or SYN,ACK it sends),
 * h->irs the remote's ISN (chosen by the test). Helpers drive a connection into each of the
 * eleven RFC 9293 states through the socket API and the wire, asserting every segment. */
#ifndef LTCP_TEST_HARNESS_H
#define LTCP_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "lucidtcp/lucidtcp.h"
#include "lucidtcp/wire/tcp.h"

#define H_LOCAL LTCP_IPV4(198, 18, 0, 1)
#define H_REMOTE LTCP_IPV4(198, 18, 0, 2)
/* With h_ipv6 set (the environment's LTCP_TEST_IPV6=1 sets it at h_init), the stack has
 * 2001:db8::1 as well and the remote is 2001:db8::2: every packet in and out is IPv6, and the
 * segments the tests see name the two ends H_LOCAL and H_REMOTE as over IPv4. */
#define H_LOCAL6 {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}
#define H_REMOTE6 {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}
extern int h_ipv6;
#define H_LPORT 80
#define H_RPORT 40000
#define H_IRS 0x10000000u   /* the remote's ISN unless a test picks another */
#define H_WND 65535u        /* the window the remote advertises */
#define H_MSS 1460u         /* the MSS option in the remote's SYN (0: none) */
#define H_RTT LTCP_MS(100)  /* the round trip the handshake helpers simulate */
#define H_EVENTS 1024u      /* event queue capacity */
#define H_MAX_PAYLOAD 2048u
#define H_LOG 64u

/* A segment the remote sends. Ports default (0) to H_RPORT -> the harness's local port. */
typedef struct h_seg {
  uint8_t flags;
  uint32_t seq, ack;
  uint16_t wnd;
  uint16_t mss;        /* MSS option; 0: none */
  uint16_t urp;
  const void *data;
  uint32_t len;
  uint16_t src_port, dst_port;
  uint8_t has_wscale, wscale;  /* RFC 7323 Window Scale option */
  uint8_t has_ts;              /* RFC 7323 Timestamps option: ts_val, ts_ecr */
  uint32_t ts_val, ts_ecr;
  uint8_t sack_permitted;      /* RFC 2018 SACK-permitted option (in a SYN) */
} h_seg;

/* A segment the stack sent, with a copy of its payload. */
typedef struct h_out {
  ltcp_seg seg;        /* seg.data points at data[] */
  size_t hdr_len;      /* TCP header bytes, options included */
  uint8_t data[H_MAX_PAYLOAD];
} h_out;

/* Where a setup helper leaves a connection. */
typedef enum h_how {
  H_ACTIVE = 0,  /* connect() from the stack */
  H_PASSIVE = 1  /* listen() and a SYN from the remote (SYN-RECEIVED: the child is not accepted) */
} h_how;

typedef struct h_harness {
  ltcp_stack *st;
  ltcp_stack_config cfg;
  ltcp_time_ns now;
  int fd;                    /* the socket under test, or -1 */
  int lfd;                   /* the listening socket, or -1 */
  uint16_t lport, rport;
  uint32_t iss, irs;
  int iss_known;
  uint16_t wnd, mss;         /* what the remote advertises */
  int rcvbuf, sndbuf, maxseg; /* socket options set before connect/listen when not 0 */
  const char *label;         /* printed when a check fails */

  /* State events of the tracked connection: the first connection with the remote endpoint
   * (conn_id 0 adopts the next one), else the listener. */
  uint64_t conn_id, listener_id;
  ltcp_state state, listener_state;
  ltcp_event last;           /* the tracked connection's last state event */
  uint32_t nstate;           /* how many state events it had */

  ltcp_event log[H_LOG];     /* every connection's state events since h_log_clear (the first
                              * H_LOG of them) */
  uint32_t nlog;

  h_out out;                 /* the last segment taken by h_next / h_expect */
} h_harness;

/* The harness's stack config: defaults, address H_LOCAL, events on, delayed ACKs off and
 * TCP_NODELAY on (one ACK per data segment, every write sent at once). */
void h_config(ltcp_stack_config *cfg);
/* Creates the stack (cfg NULL: h_config). The remote's ISN is H_IRS. */
void h_init(h_harness *h, const ltcp_stack_config *cfg);
void h_free(h_harness *h);
/* A cmocka teardown: frees the stack a failed test left behind (use with
 * cmocka_unit_test_teardown so failures do not show up as leaks). */
int h_teardown(void **state);
/* Sets the text printed with any failed check (a table row, say). */
void h_label(h_harness *h, const char *label);
/* Fails the test, printing the label and the message. */
void h_fail(const h_harness *h, const char *fmt, ...);

/* The local end (H_LOCAL:lport, or 2001:db8::1 with h_ipv6) as a socket call names it. */
ltcp_endpoint h_local_endpoint(const h_harness *h);
/* The remote end (H_REMOTE:rport, or 2001:db8::2 with h_ipv6) as a socket call names it. */
ltcp_endpoint h_remote_endpoint(const h_harness *h);
/* Builds the IPv4 packet for s from H_REMOTE to H_LOCAL into out; returns its length. */
size_t h_build(const h_harness *h, const h_seg *s, uint8_t *out, size_t cap);
/* Injects a segment at h->now, with window h->wnd and no options. */
void h_send(h_harness *h, uint8_t flags, uint32_t seq, uint32_t ack, const void *data,
            uint32_t len);
void h_send_seg(h_harness *h, const h_seg *s);
void h_send_raw(h_harness *h, const uint8_t *pkt, size_t len);

/* Takes the next packet the stack sent into h->out: 1, or 0 when there is none. Fails on a
 * packet that is not TCP from H_LOCAL to H_REMOTE, or does not parse. */
int h_next(h_harness *h);
/* Takes the next segment and checks its flags, seq and ack (ack only when ACK is set). */
const h_out *h_expect(h_harness *h, uint8_t flags, uint32_t seq, uint32_t ack);
/* The same, and the payload length. */
const h_out *h_expect_len(h_harness *h, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len);
/* Checks the stack has nothing to send. */
void h_expect_none(h_harness *h);
/* 1 when a packet waits in the output queue, else 0; takes nothing off. */
uint32_t h_pending(h_harness *h);

/* Moves virtual time forward by dt (runs due timers). */
void h_advance(h_harness *h, ltcp_time_ns dt);
void h_advance_to(h_harness *h, ltcp_time_ns t);
/* Drains the event queue into the tracking fields. */
void h_events(h_harness *h);
/* The tracked connection's state (CLOSED before it exists and after it is gone). Checks it
 * against ltcp_status when the socket under test still holds it. */
ltcp_state h_state(h_harness *h);
/* Forgets the tracked connection: the next one with the remote endpoint is adopted. */
void h_track_next(h_harness *h);
/* Forgets the logged state events. */
void h_log_clear(h_harness *h);
/* The first logged state event from -> to (any connection), or NULL. */
const ltcp_event *h_log_find(h_harness *h, ltcp_state from, ltcp_state to);
/* Sum of every drop counter. */
uint64_t h_drops(const h_harness *h);

/* Setup: each helper asserts every segment on the way and leaves nothing to send.
 * After it, seq numbers are: ESTABLISHED SND.NXT = ISS+1, RCV.NXT = IRS+1; the closing states
 * as RFC 9293 §3.6 (our FIN at ISS+1, theirs at IRS+1). */
void h_listen(h_harness *h);
void h_connect(h_harness *h);                /* CLOSED -> SYN-SENT: SYN at ISS */
/* Drives a connection to state; how picks active or passive opening where both exist
 * (SYN-RECEIVED: H_ACTIVE is the simultaneous open, H_PASSIVE the listener's child).
 * The states after ESTABLISHED use shutdown(SHUT_WR) as RFC 9293 CLOSE, so h->fd stays. */
void h_goto(h_harness *h, ltcp_state state, h_how how);

#endif
