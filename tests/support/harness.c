/* The single-stack harness: the test plays the remote host. See harness.h. */
#include "support/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/checksum.h"
#include "lucidtcp/wire/ipv4.h"
#include "lucidtcp/wire/ipv6.h"

int h_ipv6 = -1; /* -1: from the environment at the first h_config */
static const uint8_t h_local6[16] = H_LOCAL6, h_remote6[16] = H_REMOTE6;

static int h_family_v6(void) {
  if (h_ipv6 < 0) {
    const char *e = getenv("LTCP_TEST_IPV6");
    h_ipv6 = e && e[0] == '1';
  }
  return h_ipv6;
}

void h_config(ltcp_stack_config *cfg) {
  ltcp_stack_config_default(cfg);
  cfg->addr = H_LOCAL;
  if (h_family_v6()) memcpy(cfg->addr6, h_local6, 16);
  cfg->event_capacity = H_EVENTS;
  /* The RFC 9293 tests pin down an ACK for every data segment and every write sent at once;
   * tests of delayed ACKs and Nagle turn them back on. */
  cfg->delayed_ack_ns = 0;
  cfg->nodelay = 1;
}

/* The harness whose stack is alive, so a failed check (which leaves the test by longjmp) does
 * not leak it: h_teardown frees it. Test support only; the engine keeps no globals. */
static h_harness *h_live;

int h_teardown(void **state) {
  (void)state;
  if (h_live) h_free(h_live);
  return 0;
}

void h_init(h_harness *h, const ltcp_stack_config *cfg) {
  if (h_live) h_free(h_live);
  memset(h, 0, sizeof *h);
  if (cfg) h->cfg = *cfg;
  else h_config(&h->cfg);
  h->st = ltcp_stack_new(&h->cfg);
  assert_non_null(h->st);
  h_live = h;
  h->fd = h->lfd = -1;
  h->lport = H_LPORT;
  h->rport = H_RPORT;
  h->irs = H_IRS;
  h->wnd = H_WND;
  h->mss = H_MSS;
  h->state = h->listener_state = LTCP_CLOSED;
  h->label = "";
}

void h_free(h_harness *h) {
  ltcp_stack_free(h->st);
  h->st = NULL;
  if (h_live == h) h_live = NULL;
}

void h_label(h_harness *h, const char *label) { h->label = label ? label : ""; }

void h_fail(const h_harness *h, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  print_error("case: %s\n", h->label);
  fail_msg("%s", msg);
}

/* ---- input */

/* The IPv6 packet of seg and its payload (RFC 8200 §8.1's checksum). */
static size_t h_build6(const ltcp_seg *seg, const h_seg *s, uint8_t *out, size_t cap) {
  size_t hl = ltcp_tcp_write_header(out + LTCP_IPV6_HDR_LEN, cap - LTCP_IPV6_HDR_LEN, seg);
  assert_true(hl > 0 && LTCP_IPV6_HDR_LEN + hl + s->len <= cap);
  uint8_t *tcp = out + LTCP_IPV6_HDR_LEN;
  if (s->len) memcpy(tcp + hl, s->data, s->len);
  uint32_t sum = ltcp_cksum_pseudo_ipv6(h_remote6, h_local6, LTCP_IPPROTO_TCP, (uint32_t)(hl + s->len));
  ltcp_put16(tcp + 16, ltcp_cksum_finish(ltcp_cksum_add(sum, tcp, hl + s->len)));
  ltcp_ipv6_hdr ip = {.next = LTCP_IPPROTO_TCP, .hop_limit = 64};
  ip.payload_len = (uint16_t)(hl + s->len);
  memcpy(ip.src, h_remote6, 16);
  memcpy(ip.dst, h_local6, 16);
  ltcp_ipv6_write(out, &ip);
  return LTCP_IPV6_HDR_LEN + ip.payload_len;
}

size_t h_build(const h_harness *h, const h_seg *s, uint8_t *out, size_t cap) {
  ltcp_seg seg = {0};
  seg.src_addr = H_REMOTE;
  seg.dst_addr = H_LOCAL;
  seg.src_port = s->src_port ? s->src_port : h->rport;
  seg.dst_port = s->dst_port ? s->dst_port : h->lport;
  seg.seq = s->seq;
  seg.ack = s->ack;
  seg.flags = s->flags;
  seg.wnd = s->wnd;
  seg.urp = s->urp;
  seg.opts.mss = s->mss;
  seg.opts.has_wscale = s->has_wscale;
  seg.opts.wscale = s->wscale;
  seg.opts.has_timestamps = s->has_ts;
  seg.opts.ts_val = s->ts_val;
  seg.opts.ts_ecr = s->ts_ecr;
  seg.opts.sack_permitted = s->sack_permitted;
  if (h_family_v6()) return h_build6(&seg, s, out, cap);
  size_t hl = ltcp_tcp_write_header(out + LTCP_IPV4_HDR_LEN, cap - LTCP_IPV4_HDR_LEN, &seg);
  assert_true(hl > 0 && LTCP_IPV4_HDR_LEN + hl + s->len <= cap);
  if (s->len) memcpy(out + LTCP_IPV4_HDR_LEN + hl, s->data, s->len);
  ltcp_tcp_set_checksum(out + LTCP_IPV4_HDR_LEN, hl + s->len, H_REMOTE, H_LOCAL);
  ltcp_ipv4_hdr ip = {.hdr_len = LTCP_IPV4_HDR_LEN, .ttl = 64, .proto = LTCP_IPPROTO_TCP};
  ip.total_len = (uint16_t)(LTCP_IPV4_HDR_LEN + hl + s->len);
  ip.src = H_REMOTE;
  ip.dst = H_LOCAL;
  ltcp_ipv4_write(out, &ip);
  return ip.total_len;
}

void h_send_raw(h_harness *h, const uint8_t *pkt, size_t len) {
  ltcp_stack_input(h->st, h->now, pkt, len);
  h_events(h);
}

void h_send_seg(h_harness *h, const h_seg *s) {
  uint8_t pkt[LTCP_IPV6_HDR_LEN + LTCP_TCP_MAX_HDR_LEN + H_MAX_PAYLOAD];
  size_t n = h_build(h, s, pkt, sizeof pkt);
  h_send_raw(h, pkt, n);
}

void h_send(h_harness *h, uint8_t flags, uint32_t seq, uint32_t ack, const void *data,
            uint32_t len) {
  static const uint8_t zeros[H_MAX_PAYLOAD];
  h_seg s = {.flags = flags, .seq = seq, .ack = ack, .wnd = h->wnd, .len = len};
  s.data = data ? data : zeros;
  h_send_seg(h, &s);
}

/* ---- output */

/* With cfg.csum_offload the stack leaves the TCP checksum to the link: checks that the field
 * holds the pseudo-header sum, then completes it as the kernel would (NEEDS_CSUM), in a copy. */
/* The segment the stack sent becomes h->out; the packet leaves the queue. */
static int h_take(h_harness *h, ltcp_seg *seg, size_t tcp_len) {
  if (seg->len > H_MAX_PAYLOAD) h_fail(h, "segment of %u bytes", seg->len);
  memcpy(h->out.data, seg->data, seg->len);
  h->out.hdr_len = tcp_len - seg->len;
  seg->data = h->out.data;
  h->out.seg = *seg;
  ltcp_stack_tx_pop(h->st);
  return 1;
}

static const uint8_t *h_complete_csum(h_harness *h, const uint8_t *pkt, const ltcp_ipv4_hdr *ip) {
  static uint8_t copy[65536];
  size_t tcp_len = (size_t)ip->total_len - ip->hdr_len;
  memcpy(copy, pkt, ip->total_len);
  uint8_t *tcp = copy + ip->hdr_len;
  uint32_t pseudo = ltcp_cksum_pseudo_ipv4(ip->src, ip->dst, LTCP_IPPROTO_TCP, (uint16_t)tcp_len);
  uint16_t partial = (uint16_t)~ltcp_cksum_finish(pseudo);
  if (ltcp_get16(tcp + 16) != partial)
    h_fail(h, "csum_offload: the checksum field is not the pseudo-header sum");
  ltcp_put16(tcp + 16, ltcp_cksum_finish(ltcp_cksum_add(0, tcp, tcp_len)));
  return copy;
}

/* h_next for an IPv6 packet: its TCP segment, with H_LOCAL and H_REMOTE as its addresses. */
static void h_next6(h_harness *h, const uint8_t *pkt, size_t len, ltcp_seg *seg, size_t *tcp_len) {
  ltcp_ipv6_hdr ip;
  if (ltcp_ipv6_parse(pkt, len, &ip) != LTCP_DROP_NONE) h_fail(h, "stack sent a bad IPv6 packet");
  if (ip.proto != LTCP_IPPROTO_TCP) h_fail(h, "stack sent protocol %u, not TCP", ip.proto);
  if (memcmp(ip.src, h_local6, 16) != 0 || memcmp(ip.dst, h_remote6, 16) != 0)
    h_fail(h, "stack sent to the wrong address");
  if (ip.flow == 0) h_fail(h, "stack sent no flow label (RFC 6437)");
  static uint8_t copy[65536];
  *tcp_len = ip.payload_len;
  memcpy(copy, pkt + ip.off, *tcp_len);
  if (h->cfg.csum_offload) { /* the field holds the pseudo-header sum: complete it */
    uint32_t pseudo = ltcp_cksum_pseudo_ipv6(ip.src, ip.dst, LTCP_IPPROTO_TCP, (uint32_t)*tcp_len);
    uint16_t partial = (uint16_t)~ltcp_cksum_finish(pseudo);
    if (ltcp_get16(copy + 16) != partial)
      h_fail(h, "csum_offload: the checksum field is not the pseudo-header sum");
    ltcp_put16(copy + 16, ltcp_cksum_finish(ltcp_cksum_add(0, copy, *tcp_len)));
  }
  if (ltcp_tcp_parse_ipv6(copy, *tcp_len, ip.src, ip.dst, H_LOCAL, H_REMOTE, seg) != LTCP_DROP_NONE)
    h_fail(h, "stack sent a TCP segment that does not parse");
}

int h_next(h_harness *h) {
  const uint8_t *pkt;
  size_t len = ltcp_stack_tx_peek(h->st, &pkt);
  if (len == 0) return 0;
  if (h_family_v6()) {
    ltcp_seg seg;
    size_t tcp_len;
    h_next6(h, pkt, len, &seg, &tcp_len);
    return h_take(h, &seg, tcp_len);
  }
  ltcp_ipv4_hdr ip;
  if (ltcp_ipv4_parse(pkt, len, &ip) != LTCP_DROP_NONE) h_fail(h, "stack sent a bad IPv4 packet");
  if (ip.proto != LTCP_IPPROTO_TCP) h_fail(h, "stack sent protocol %u, not TCP", ip.proto);
  if (ip.src != H_LOCAL || ip.dst != H_REMOTE) h_fail(h, "stack sent to the wrong address");
  if (h->cfg.csum_offload) pkt = h_complete_csum(h, pkt, &ip);
  size_t tcp_len = (size_t)ip.total_len - ip.hdr_len;
  ltcp_seg seg;
  ltcp_drop_reason why = ltcp_tcp_parse(pkt + ip.hdr_len, tcp_len, ip.src, ip.dst, &seg);
  if (why != LTCP_DROP_NONE) h_fail(h, "stack sent a TCP segment that does not parse");
  return h_take(h, &seg, tcp_len);
}

static void h_describe(const ltcp_seg *s, char *buf, size_t cap) {
  char fl[16];
  snprintf(buf, cap, "[%s] seq=%u ack=%u wnd=%u len=%u", ltcp_flags_format(s->flags, fl),
           s->seq, s->ack, s->wnd, s->len);
}

const h_out *h_expect_len(h_harness *h, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len) {
  char want[96], got[96], fl[16];
  snprintf(want, sizeof want, "[%s] seq=%u ack=%u len=%u", ltcp_flags_format(flags, fl), seq,
           (flags & LTCP_ACK) ? ack : 0, len);
  if (!h_next(h)) h_fail(h, "expected %s, stack sent nothing", want);
  const ltcp_seg *s = &h->out.seg;
  h_describe(s, got, sizeof got);
  int ok = s->flags == flags && s->seq == seq && s->len == len &&
           (!(flags & LTCP_ACK) || s->ack == ack);
  if (!ok) h_fail(h, "expected %s, stack sent %s", want, got);
  return &h->out;
}

const h_out *h_expect(h_harness *h, uint8_t flags, uint32_t seq, uint32_t ack) {
  return h_expect_len(h, flags, seq, ack, 0);
}

void h_expect_none(h_harness *h) {
  if (!h_next(h)) return;
  char got[96];
  h_describe(&h->out.seg, got, sizeof got);
  h_fail(h, "expected no segment, stack sent %s", got);
}

uint32_t h_pending(h_harness *h) {
  const uint8_t *pkt;
  return ltcp_stack_tx_peek(h->st, &pkt) ? 1u : 0u;
}

/* ---- time and events */

void h_advance_to(h_harness *h, ltcp_time_ns t) {
  if (t > h->now) h->now = t;
  ltcp_stack_advance(h->st, h->now);
  h_events(h);
}

void h_advance(h_harness *h, ltcp_time_ns dt) { h_advance_to(h, h->now + dt); }

static int h_is_remote(const h_harness *h, const ltcp_endpoint *e) {
  if (h_family_v6())
    return e->family == LTCP_AF_INET6 && memcmp(e->addr6, h_remote6, 16) == 0 && e->port == h->rport;
  return e->addr == H_REMOTE && e->port == h->rport;
}

void h_events(h_harness *h) {
  ltcp_event ev;
  for (uint32_t i = 0; i < H_EVENTS && ltcp_stack_next_event(h->st, &ev); i++) {
    if (ev.kind != LTCP_EV_STATE) continue;
    if (h->nlog < H_LOG) h->log[h->nlog++] = ev;
    if (h->conn_id == 0 && h_is_remote(h, &ev.remote)) h->conn_id = ev.conn_id;
    if (ev.conn_id == h->conn_id) {
      h->state = ev.new_state;
      h->last = ev;
      h->nstate++;
    } else if (ev.remote.port == 0 && (h->listener_id == 0 || ev.conn_id == h->listener_id)) {
      h->listener_id = ev.conn_id;
      h->listener_state = ev.new_state;
    }
  }
}

ltcp_state h_state(h_harness *h) {
  h_events(h);
  ltcp_state s = h->conn_id ? h->state : h->listener_state;
  ltcp_tcp_info info;
  if (h->fd >= 0 && ltcp_status(h->st, h->fd, &info) == 0 && info.conn_id != 0) {
    ltcp_state ev_state = info.conn_id == h->conn_id       ? h->state
                          : info.conn_id == h->listener_id ? h->listener_state
                                                           : info.state;
    if (info.state != ev_state)
      h_fail(h, "events say %s, ltcp_status says %s", ltcp_state_name(ev_state),
             ltcp_state_name(info.state));
  }
  return s;
}

void h_track_next(h_harness *h) {
  h_events(h);
  h->conn_id = 0;
  h->state = LTCP_CLOSED;
  h->nstate = 0;
}

void h_log_clear(h_harness *h) {
  h_events(h);
  h->nlog = 0;
}

const ltcp_event *h_log_find(h_harness *h, ltcp_state from, ltcp_state to) {
  h_events(h);
  for (uint32_t i = 0; i < h->nlog; i++)
    if (h->log[i].old_state == from && h->log[i].new_state == to) return &h->log[i];
  return NULL;
}

uint64_t h_drops(const h_harness *h) {
  const ltcp_stats *s = ltcp_stack_stats(h->st);
  uint64_t n = 0;
  for (int i = 0; i < LTCP_DROP_COUNT; i++) n += s->drops[i];
  return n;
}

/* ---- setup */

static void h_want_state(h_harness *h, ltcp_state want) {
  ltcp_state got = h_state(h);
  if (got != want)
    h_fail(h, "setup: expected %s, got %s", ltcp_state_name(want), ltcp_state_name(got));
}

ltcp_endpoint h_remote_endpoint(const h_harness *h) {
  if (h_family_v6()) return (ltcp_endpoint){.family = LTCP_AF_INET6, .addr6 = H_REMOTE6, .port = h->rport};
  return (ltcp_endpoint){H_REMOTE, h->rport};
}

ltcp_endpoint h_local_endpoint(const h_harness *h) {
  if (h_family_v6()) return (ltcp_endpoint){.family = LTCP_AF_INET6, .addr6 = H_LOCAL6, .port = h->lport};
  return (ltcp_endpoint){H_LOCAL, h->lport};
}

static void h_bind(h_harness *h, int fd) {
  if (h->rcvbuf) assert_int_equal(ltcp_setsockopt(h->st, fd, LTCP_SO_RCVBUF, h->rcvbuf), 0);
  if (h->sndbuf) assert_int_equal(ltcp_setsockopt(h->st, fd, LTCP_SO_SNDBUF, h->sndbuf), 0);
  if (h->maxseg) assert_int_equal(ltcp_setsockopt(h->st, fd, LTCP_TCP_MAXSEG, h->maxseg), 0);
  ltcp_endpoint local = h_local_endpoint(h);
  if (ltcp_bind(h->st, fd, &local) != 0) h_fail(h, "bind: %s", ltcp_errname(errno));
}

void h_listen(h_harness *h) {
  h->lfd = ltcp_socket(h->st);
  assert_true(h->lfd >= 0);
  h_bind(h, h->lfd);
  if (ltcp_listen(h->st, h->lfd, 8) != 0) h_fail(h, "listen: %s", ltcp_errname(errno));
  h_want_state(h, LTCP_LISTEN);
  h_expect_none(h);
}

void h_connect(h_harness *h) {
  h->fd = ltcp_socket(h->st);
  assert_true(h->fd >= 0);
  h_bind(h, h->fd);
  ltcp_endpoint remote = h_remote_endpoint(h);
  errno = 0;
  if (ltcp_connect(h->st, h->fd, &remote) != -1 || errno != EINPROGRESS)
    h_fail(h, "connect: expected EINPROGRESS, got %s", ltcp_errname(errno));
  if (!h_next(h)) h_fail(h, "connect sent no SYN");
  const ltcp_seg *s = &h->out.seg;
  if (s->flags != LTCP_SYN || s->len != 0) h_fail(h, "connect sent flags %#x, not SYN", s->flags);
  h->iss = s->seq;
  h->iss_known = 1;
  h_want_state(h, LTCP_SYN_SENT);
  h_expect_none(h);
}

/* The remote's SYN (with h->mss) to the listener; the stack answers SYN,ACK at its ISS. */
static void h_passive_syn(h_harness *h) {
  h_seg syn = {.flags = LTCP_SYN, .seq = h->irs, .wnd = h->wnd, .mss = h->mss};
  h_send_seg(h, &syn);
  if (!h_next(h)) h_fail(h, "no SYN,ACK to the SYN");
  const ltcp_seg *s = &h->out.seg;
  if (s->flags != (LTCP_SYN | LTCP_ACK) || s->ack != h->irs + 1)
    h_fail(h, "listener answered flags %#x ack %u", s->flags, s->ack);
  h->iss = s->seq;
  h->iss_known = 1;
  h_want_state(h, LTCP_SYN_RECEIVED);
  h_expect_none(h);
}

static void h_established(h_harness *h, h_how how) {
  if (how == H_PASSIVE) {
    h_listen(h);
    h_passive_syn(h);
    h_advance(h, H_RTT);
    h_send(h, LTCP_ACK, h->irs + 1, h->iss + 1, NULL, 0);
    h_expect_none(h);
    h->fd = ltcp_accept(h->st, h->lfd, NULL);
    if (h->fd < 0) h_fail(h, "accept: %s", ltcp_errname(errno));
  } else {
    h_connect(h);
    h_advance(h, H_RTT);
    h_seg sa = {.flags = LTCP_SYN | LTCP_ACK, .seq = h->irs, .ack = h->iss + 1, .wnd = h->wnd,
                .mss = h->mss};
    h_send_seg(h, &sa);
    h_expect(h, LTCP_ACK, h->iss + 1, h->irs + 1);
  }
  h_want_state(h, LTCP_ESTABLISHED);
  h_expect_none(h);
}

static void h_close_wr(h_harness *h, uint32_t fin_seq, uint32_t ack) {
  if (ltcp_shutdown(h->st, h->fd, LTCP_SHUT_WR) != 0) h_fail(h, "shutdown: %s", ltcp_errname(errno));
  h_expect(h, LTCP_FIN | LTCP_ACK, fin_seq, ack);
}

static void h_goto_closing_side(h_harness *h, ltcp_state state, h_how how) {
  uint32_t iss = h->iss, irs = h->irs;
  (void)how;
  switch (state) {
    case LTCP_FIN_WAIT_1:
      h_close_wr(h, iss + 1, irs + 1);
      break;
    case LTCP_FIN_WAIT_2:
      h_goto_closing_side(h, LTCP_FIN_WAIT_1, how);
      h_send(h, LTCP_ACK, irs + 1, iss + 2, NULL, 0);
      break;
    case LTCP_CLOSE_WAIT:
      h_send(h, LTCP_FIN | LTCP_ACK, irs + 1, iss + 1, NULL, 0);
      h_expect(h, LTCP_ACK, iss + 1, irs + 2);
      break;
    case LTCP_CLOSING:
      h_goto_closing_side(h, LTCP_FIN_WAIT_1, how);
      h_send(h, LTCP_FIN | LTCP_ACK, irs + 1, iss + 1, NULL, 0);
      h_expect(h, LTCP_ACK, iss + 2, irs + 2);
      break;
    case LTCP_LAST_ACK:
      h_goto_closing_side(h, LTCP_CLOSE_WAIT, how);
      h_close_wr(h, iss + 1, irs + 2);
      break;
    case LTCP_TIME_WAIT:
      h_goto_closing_side(h, LTCP_FIN_WAIT_2, how);
      h_send(h, LTCP_FIN | LTCP_ACK, irs + 1, iss + 2, NULL, 0);
      h_expect(h, LTCP_ACK, iss + 2, irs + 2);
      break;
    default:
      h_fail(h, "h_goto: no way to %s", ltcp_state_name(state));
  }
  h_want_state(h, state);
  h_expect_none(h);
}

void h_goto(h_harness *h, ltcp_state state, h_how how) {
  switch (state) {
    case LTCP_CLOSED: /* a socket bound to the local port, with no connection */
      h->fd = ltcp_socket(h->st);
      assert_true(h->fd >= 0);
      h_bind(h, h->fd);
      return;
    case LTCP_LISTEN:
      h_listen(h);
      h->fd = h->lfd;
      return;
    case LTCP_SYN_SENT:
      h_connect(h);
      return;
    case LTCP_SYN_RECEIVED:
      if (how == H_PASSIVE) {
        h_listen(h);
        h_passive_syn(h);
        return;
      }
      h_connect(h);
      h_advance(h, H_RTT);
      h_seg syn = {.flags = LTCP_SYN, .seq = h->irs, .wnd = h->wnd, .mss = h->mss};
      h_send_seg(h, &syn);
      h_expect(h, LTCP_SYN | LTCP_ACK, h->iss, h->irs + 1);
      h_want_state(h, LTCP_SYN_RECEIVED);
      h_expect_none(h);
      return;
    case LTCP_ESTABLISHED:
      h_established(h, how);
      return;
    default:
      h_established(h, how);
      h_goto_closing_side(h, state, how);
      return;
  }
}
