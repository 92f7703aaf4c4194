/* Out-of-order flood on many connections (issue 14's memory figure): a peer opens N connections
 * to a listener and sends each of them small segments far ahead of RCV.NXT, with holes between,
 * up to the right edge of the window. Reports the stack's buffer memory (stats.buf_mem_peak)
 * against its budget (cfg.mem_limit), the heap the process grew by at its peak (mallinfo2), and
 * the segments dropped at the limit. With --check it fails unless buffer memory stayed within
 * the budget, something was held and every byte came back when the connections closed.
 *
 *   ooo_flood [--conns N] [--segs K] [--limit BYTES] [--rcvbuf BYTES] [--check]
 *
 * Public API only; one stack, driven segment by segment in virtual time (the peer is this
 * program, which builds its packets with the wire functions). */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lucidtcp/lucidtcp.h"
#include "lucidtcp/wire/ipv4.h"
#include "lucidtcp/wire/tcp.h"

#define FL_LOCAL LTCP_IPV4(198, 18, 0, 1)
#define FL_REMOTE LTCP_IPV4(198, 18, 0, 2)
#define FL_PORT 80
#define FL_PKT 2048

typedef struct fl_opts {
  uint32_t conns, segs, rcvbuf;
  uint64_t limit;
  int check;
} fl_opts;

typedef struct fl_conn {
  uint32_t iss, irs, wnd; /* the stack's ISS, our ISN, the window it offered (bytes) */
  int fd;
} fl_conn;

static ltcp_time_ns fl_now = LTCP_SEC(1);

static size_t fl_heap(void) {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

/* Sends one segment from the peer's port to the listener's. */
static void fl_send(ltcp_stack *st, uint16_t port, uint8_t flags, uint32_t seq, uint32_t ack,
                    const uint8_t *data, uint32_t len, int syn_opts) {
  uint8_t pkt[FL_PKT];
  ltcp_seg seg = {.src_addr = FL_REMOTE, .dst_addr = FL_LOCAL, .src_port = port,
                  .dst_port = FL_PORT, .seq = seq, .ack = ack, .flags = flags, .wnd = 65535};
  if (syn_opts) {
    seg.opts.mss = 1460;
    seg.opts.has_wscale = 1;
    seg.opts.sack_permitted = 1;
  }
  size_t hl = ltcp_tcp_write_header(pkt + LTCP_IPV4_HDR_LEN, sizeof pkt - LTCP_IPV4_HDR_LEN, &seg);
  if (len) memcpy(pkt + LTCP_IPV4_HDR_LEN + hl, data, len);
  ltcp_tcp_set_checksum(pkt + LTCP_IPV4_HDR_LEN, hl + len, FL_REMOTE, FL_LOCAL);
  ltcp_ipv4_hdr ip = {.ttl = 64, .proto = LTCP_IPPROTO_TCP, .src = FL_REMOTE, .dst = FL_LOCAL,
                      .total_len = (uint16_t)(LTCP_IPV4_HDR_LEN + hl + len)};
  ltcp_ipv4_write(pkt, &ip);
  ltcp_stack_input(st, fl_now, pkt, ip.total_len);
}

/* Takes every packet the stack queued; the last SYN,ACK's sequence number and window go to c. */
static void fl_drain(ltcp_stack *st, fl_conn *c) {
  const uint8_t *pkt;
  size_t len;
  for (uint32_t n = 0; n < 100000 && (len = ltcp_stack_tx_peek(st, &pkt)) > 0; n++) {
    ltcp_ipv4_hdr ip;
    ltcp_seg seg;
    if (c && ltcp_ipv4_parse(pkt, len, &ip) == LTCP_DROP_NONE &&
        ltcp_tcp_parse(pkt + ip.hdr_len, ip.total_len - ip.hdr_len, ip.src, ip.dst, &seg) ==
            LTCP_DROP_NONE &&
        seg.flags == (LTCP_SYN | LTCP_ACK)) {
      c->iss = seg.seq;
      c->wnd = (uint32_t)seg.wnd << seg.opts.wscale; /* as the next ACK will scale it */
    }
    ltcp_stack_tx_pop(st);
  }
}

/* Connection i: handshake and accept. */
static int fl_open(ltcp_stack *st, int lfd, uint32_t i, fl_conn *c, uint32_t rcvbuf) {
  uint16_t port = (uint16_t)(1024 + i);
  c->irs = 0x10000000u + i * 7919u;
  fl_send(st, port, LTCP_SYN, c->irs, 0, NULL, 0, 1);
  fl_drain(st, c);
  c->wnd = rcvbuf; /* the window after the handshake: the whole buffer */
  fl_send(st, port, LTCP_ACK, c->irs + 1, c->iss + 1, NULL, 0, 0);
  fl_drain(st, NULL);
  c->fd = ltcp_accept(st, lfd, NULL);
  return c->fd >= 0 ? 0 : -1;
}

/* K segments of 10 bytes into connection i's window, the first at its right edge, then down
 * across the window with holes between. */
static void fl_flood(ltcp_stack *st, uint32_t i, const fl_conn *c, uint32_t segs) {
  static const uint8_t junk[10] = "0123456789";
  uint16_t port = (uint16_t)(1024 + i);
  uint32_t stride = c->wnd / (segs + 1);
  for (uint32_t k = 0; k < segs; k++) {
    uint32_t off = c->wnd - 10 - k * stride;
    fl_send(st, port, LTCP_ACK, c->irs + 1 + off, c->iss + 1, junk, sizeof junk, 0);
    fl_drain(st, NULL);
  }
}

static int fl_args(int argc, char **argv, fl_opts *o) {
  *o = (fl_opts){.conns = 10000, .segs = 64, .rcvbuf = 1u << 20, .limit = 64ull << 20};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--check")) o->check = 1;
    else if (v && !strcmp(a, "--conns")) o->conns = (uint32_t)strtoul(argv[++i], NULL, 0);
    else if (v && !strcmp(a, "--segs")) o->segs = (uint32_t)strtoul(argv[++i], NULL, 0);
    else if (v && !strcmp(a, "--rcvbuf")) o->rcvbuf = (uint32_t)strtoul(argv[++i], NULL, 0);
    else if (v && !strcmp(a, "--limit")) o->limit = strtoull(argv[++i], NULL, 0);
    else {
      fprintf(stderr, "usage: %s [--conns N] [--segs K] [--limit BYTES] [--rcvbuf BYTES] [--check]\n", argv[0]);
      return -1;
    }
  }
  if (o->conns == 0 || o->conns > 60000 || o->segs == 0 || o->rcvbuf < 65536) {
    fprintf(stderr, "ooo_flood: 1 to 60000 connections, at least one segment, rcvbuf >= 64 KiB\n");
    return -1;
  }
  return 0;
}

static ltcp_stack *fl_stack(const fl_opts *o, int *lfd) {
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = FL_LOCAL;
  cfg.rcvbuf = o->rcvbuf;
  cfg.max_connections = cfg.max_half_open = o->conns + 16;
  cfg.max_sockets = o->conns + 16;
  cfg.mem_limit = o->limit;
  ltcp_stack *st = ltcp_stack_new(&cfg);
  if (!st) return NULL;
  ltcp_endpoint local = {FL_LOCAL, FL_PORT};
  *lfd = ltcp_socket(st);
  if (*lfd < 0 || ltcp_bind(st, *lfd, &local) != 0 || ltcp_listen(st, *lfd, 65535) != 0) {
    ltcp_stack_free(st);
    return NULL;
  }
  return st;
}

static int fl_report(const fl_opts *o, const ltcp_stats *s, size_t heap_grew, uint64_t held) {
  uint64_t wanted = (uint64_t)o->conns * o->segs * 10;
  printf("ooo_flood: %u connections x %u segments of 10 bytes (%llu bytes sent out of order), "
         "receive buffers %u bytes\n", o->conns, o->segs, (unsigned long long)wanted, o->rcvbuf);
  printf("  buffer memory: peak %llu bytes of a %llu-byte budget (%.1f%%); out-of-order held at "
         "the end %llu bytes\n", (unsigned long long)s->buf_mem_peak, (unsigned long long)o->limit,
         100.0 * (double)s->buf_mem_peak / (double)o->limit, (unsigned long long)held);
  printf("  heap grown by at the peak (mallinfo2, connections included): %zu bytes (%.0f per "
         "connection beyond the budget)\n", heap_grew,
         heap_grew > s->buf_mem_peak ? (double)(heap_grew - s->buf_mem_peak) / o->conns : 0.0);
  printf("  dropped: %llu out-of-order segments not held (TCP_REASSEMBLY_FULL), %llu in-order "
         "(TCP_NO_BUFFER_MEMORY)\n", (unsigned long long)s->drops[LTCP_DROP_TCP_REASSEMBLY_FULL],
         (unsigned long long)s->drops[LTCP_DROP_TCP_NO_BUFFER_MEMORY]);
  printf("  before (ring written at the offset): about %llu bytes, %u per connection\n",
         (unsigned long long)o->conns * o->rcvbuf, o->rcvbuf);
  if (!o->check) return 0;
  if (s->buf_mem_peak > o->limit || held == 0) {
    fprintf(stderr, "ooo_flood: FAIL: peak %llu > budget %llu, or nothing held\n",
            (unsigned long long)s->buf_mem_peak, (unsigned long long)o->limit);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  fl_opts o;
  if (fl_args(argc, argv, &o) != 0) return 2;
  size_t heap0 = fl_heap(), heap_peak = heap0;
  int lfd;
  ltcp_stack *st = fl_stack(&o, &lfd);
  if (!st) {
    fprintf(stderr, "ooo_flood: no stack\n");
    return 1;
  }
  fl_conn *c = calloc(o.conns, sizeof *c);
  int rc = c ? 0 : 1;
  for (uint32_t i = 0; rc == 0 && i < o.conns; i++) {
    if (fl_open(st, lfd, i, &c[i], o.rcvbuf) != 0) {
      fprintf(stderr, "ooo_flood: connection %u not accepted: %s\n", i, strerror(errno));
      rc = 1;
      break;
    }
    fl_flood(st, i, &c[i], o.segs);
    size_t h = fl_heap();
    if (h > heap_peak) heap_peak = h;
  }
  const ltcp_stats *s = ltcp_stack_stats(st);
  uint64_t held = s->reasm_mem;
  if (rc == 0) rc = fl_report(&o, s, heap_peak - heap0, held);
  for (uint32_t i = 0; c && i < o.conns; i++)
    if (c[i].fd > 0) ltcp_abort(st, c[i].fd);
  if (rc == 0 && o.check && s->buf_mem != 0) {
    fprintf(stderr, "ooo_flood: FAIL: %llu bytes of buffer memory left after every connection "
            "ended\n", (unsigned long long)s->buf_mem);
    rc = 1;
  }
  free(c);
  ltcp_stack_free(st);
  return rc;
}
