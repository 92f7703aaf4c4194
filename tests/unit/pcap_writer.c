/* Writes a capture of a small hand-built TCP conversation (handshake, data, close) for
 * tests/support/pcap_tshark_check.sh. Two scripted nodes send the packets through the
 * simulator, which records them with ltcp_pcap_sim_tap, so the check covers the tap as well as
 * the writer.
 * Checksums are computed here with RFC 1071 so the check depends on no other layer.
 * Usage: pcap_writer OUT.pcap   (prints the number of packets written) */
#include <stdio.h>
#include <string.h>

#include "lucidtcp/pcap.h"
#include "lucidtcp/sim.h"

#define WRITER_PKT_MAX 96
#define WRITER_SCRIPT_MAX 8

typedef struct writer_pkt {
  ltcp_time_ns at;
  size_t len;
  uint8_t data[WRITER_PKT_MAX];
} writer_pkt;

/* Sends its packets, each when the clock reaches its time. */
typedef struct writer_node {
  writer_pkt pkts[WRITER_SCRIPT_MAX];
  size_t count, next;
  ltcp_time_ns now;
} writer_node;

typedef struct writer_seg {
  uint32_t src, dst;
  uint16_t sport, dport;
  uint32_t seq, ack;
  uint8_t flags;
  const char *payload;
} writer_seg;

/* RFC 1071: the ones' complement of the ones' complement sum of 16-bit words. */
static uint32_t writer_sum(uint32_t sum, const uint8_t *p, size_t len) {
  for (size_t i = 0; i + 1 < len; i += 2) sum += (uint32_t)p[i] << 8 | p[i + 1];
  if (len & 1) sum += (uint32_t)p[len - 1] << 8;
  return sum;
}

static uint16_t writer_fold(uint32_t sum) {
  for (int i = 0; i < 2; i++) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

static void writer_put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static void writer_put32(uint8_t *p, uint32_t v) {
  writer_put16(p, (uint16_t)(v >> 16));
  writer_put16(p + 2, (uint16_t)v);
}

/* The TCP header and payload at t (SYNs carry MSS 1460); returns its length. */
static size_t writer_tcp(uint8_t *t, const writer_seg *s) {
  size_t hlen = (s->flags & LTCP_SYN) ? 24 : 20;
  size_t plen = s->payload ? strlen(s->payload) : 0;
  memset(t, 0, hlen);
  writer_put16(t, s->sport);
  writer_put16(t + 2, s->dport);
  writer_put32(t + 4, s->seq);
  writer_put32(t + 8, s->ack);
  t[12] = (uint8_t)(hlen / 4 << 4);
  t[13] = s->flags;
  writer_put16(t + 14, 65535);
  if (hlen == 24) memcpy(t + 20, "\x02\x04\x05\xb4", 4);
  if (plen > 0) memcpy(t + hlen, s->payload, plen);
  /* RFC 9293 3.1: the pseudo-header is src, dst, zero, protocol, TCP length. */
  uint8_t pseudo[12];
  writer_put32(pseudo, s->src);
  writer_put32(pseudo + 4, s->dst);
  pseudo[8] = 0;
  pseudo[9] = 6;
  writer_put16(pseudo + 10, (uint16_t)(hlen + plen));
  writer_put16(t + 16, writer_fold(writer_sum(writer_sum(0, pseudo, 12), t, hlen + plen)));
  return hlen + plen;
}

static size_t writer_ipv4(uint8_t *p, const writer_seg *s, uint16_t id) {
  size_t len = 20 + writer_tcp(p + 20, s);
  memset(p, 0, 20);
  p[0] = 0x45;
  writer_put16(p + 2, (uint16_t)len);
  writer_put16(p + 4, id);
  p[6] = 0x40; /* DF */
  p[8] = 64;
  p[9] = 6;
  writer_put32(p + 12, s->src);
  writer_put32(p + 16, s->dst);
  writer_put16(p + 10, writer_fold(writer_sum(0, p, 20)));
  return len;
}

static void writer_input(void *node, ltcp_time_ns now, const uint8_t *pkt, size_t len) {
  (void)pkt;
  (void)len;
  ((writer_node *)node)->now = now;
}

static void writer_advance(void *node, ltcp_time_ns now) { ((writer_node *)node)->now = now; }

static ltcp_time_ns writer_next_deadline(void *node) {
  writer_node *n = node;
  if (n->next >= n->count || n->pkts[n->next].at <= n->now) return LTCP_TIME_NEVER;
  return n->pkts[n->next].at;
}

static size_t writer_tx_peek(void *node, const uint8_t **pkt) {
  writer_node *n = node;
  if (n->next >= n->count || n->pkts[n->next].at > n->now) return 0;
  *pkt = n->pkts[n->next].data;
  return n->pkts[n->next].len;
}

static void writer_tx_pop(void *node) { ((writer_node *)node)->next++; }

static const ltcp_sim_node_ops writer_ops = {writer_input, writer_advance, writer_next_deadline,
                                             writer_tx_peek, writer_tx_pop};

static void writer_script(writer_node nodes[2]) {
  const uint32_t a = LTCP_IPV4(10, 0, 0, 1), b = LTCP_IPV4(10, 0, 0, 2);
  const struct {
    int from;
    writer_seg seg;
  } script[] = {
      {0, {a, b, 40000, 80, 1000, 0, LTCP_SYN, NULL}},
      {1, {b, a, 80, 40000, 5000, 1001, LTCP_SYN | LTCP_ACK, NULL}},
      {0, {a, b, 40000, 80, 1001, 5001, LTCP_ACK, NULL}},
      {0, {a, b, 40000, 80, 1001, 5001, LTCP_PSH | LTCP_ACK, "hello, lucidtcp"}}, /* odd */
      {1, {b, a, 80, 40000, 5001, 1016, LTCP_ACK, NULL}},
      {0, {a, b, 40000, 80, 1016, 5001, LTCP_FIN | LTCP_ACK, NULL}},
      {1, {b, a, 80, 40000, 5001, 1017, LTCP_FIN | LTCP_ACK, NULL}},
      {0, {a, b, 40000, 80, 1017, 5002, LTCP_ACK, NULL}},
  };
  for (size_t i = 0; i < sizeof script / sizeof script[0]; i++) {
    writer_node *n = &nodes[script[i].from];
    writer_pkt *p = &n->pkts[n->count++];
    p->at = LTCP_MS(10) * i + LTCP_US(i * 37); /* spread over sub-second stamps */
    p->len = writer_ipv4(p->data, &script[i].seg, (uint16_t)(i + 1));
  }
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s OUT.pcap\n", argv[0]);
    return 2;
  }
  static writer_node nodes[2];
  writer_script(nodes);
  ltcp_pcap *pcap = ltcp_pcap_open(argv[1]);
  ltcp_sim *sim = ltcp_sim_new(1);
  if (pcap == NULL || sim == NULL) {
    perror(argv[1]);
    return 1;
  }
  ltcp_sim_path path = {.latency_ns = LTCP_MS(2)};
  if (ltcp_sim_add_node(sim, &writer_ops, &nodes[0], LTCP_IPV4(10, 0, 0, 1)) != 0 ||
      ltcp_sim_add_node(sim, &writer_ops, &nodes[1], LTCP_IPV4(10, 0, 0, 2)) != 1 ||
      ltcp_sim_link(sim, 0, 1, &path, &path) != 0 ||
      ltcp_sim_add_tap(sim, ltcp_pcap_sim_tap, pcap) != 0) {
    fprintf(stderr, "pcap_writer: simulator setup failed\n");
    return 1;
  }
  ltcp_sim_run_until(sim, LTCP_SEC(2));
  uint64_t sent = ltcp_sim_get_stats(sim)->sent;
  ltcp_sim_free(sim);
  if (ltcp_pcap_close(pcap) != 0) {
    fprintf(stderr, "pcap_writer: write failed\n");
    return 1;
  }
  printf("%llu\n", (unsigned long long)sent);
  return 0;
}
