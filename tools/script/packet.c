/* lucidtcp script: packets. '<' lines become IPv4 or IPv6 packets (the script's --ip_version)
 * from the script's address; '>' lines are compared field by field with what the stack sent, in
 * packetdrill's notation. */
#include "script/packet.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/checksum.h"
#include "lucidtcp/wire/icmp.h"
#include "lucidtcp/wire/ipv4.h"
#include "lucidtcp/wire/ipv6.h"
#include "lucidtcp/wire/tcp.h"
#include "script/report.h"

#define PKT_TEXT 384
#define PKT_HDR_MAX LTCP_IPV6_HDR_LEN

/* A packet the stack sent, decoded. */
typedef struct pkt_actual {
  int ok;                    /* IPv4 or IPv6 that parsed */
  int v6;                    /* which */
  int addrs_ok;              /* from the stack's address to the script's */
  uint32_t src4, dst4;       /* the addresses, IPv4 */
  uint8_t src6[16], dst6[16]; /* ... or IPv6 */
  uint8_t proto;             /* the upper layer */
  uint8_t ttl, tos;          /* TTL and TOS, or hop limit and traffic class */
  size_t ip_len;             /* the whole packet */
  int is_tcp, is_icmp;
  ltcp_drop_reason tcp_why;  /* why the TCP header did not parse */
  ltcp_seg seg;
  size_t nopts;
  sc_tcpopt opts[SC_MAX_TCP_OPTS];
  int opts_bad;
  ltcp_icmp_hdr icmp;
} pkt_actual;

void sc_flow_set(sc_run *r, uint16_t lport, uint16_t rport) {
  r->flow.known = 1;
  r->flow.lport = lport;
  r->flow.rport = rport;
  r->flow.isn_known = 0;
  r->flow.isn = 0;
}

static void flow_default(sc_run *r) {
  if (!r->flow.known) sc_flow_set(r, r->o.bind_port, SC_REMOTE_PORT);
}

static const char *family_name(const sc_run *r) { return r->o.ipv6 ? "IPv6" : "IPv4"; }

/* The ICMP type and code of the script's family: ICMPv6 (RFC 4443) in an IPv6 script. -1 when
 * the name has no meaning there. */
static void icmp_of(const sc_run *r, const sc_packet *p, int *type, int *code) {
  *type = r->o.ipv6 ? p->icmp6_type : p->icmp_type;
  *code = r->o.ipv6 ? p->icmp6_code : p->icmp_code;
}

/* The stack's sequence number for a number relative to its ISN. */
static uint32_t local_seq(const sc_run *r, uint32_t rel, int absolute) {
  return absolute || !r->flow.isn_known ? rel : r->flow.isn + rel;
}

/* ---- text ---- */

static void fmt_flags(uint8_t f, char *out) {
  static const struct { uint8_t bit; char c; } order[] = {
      {LTCP_FIN, 'F'}, {LTCP_SYN, 'S'}, {LTCP_RST, 'R'}, {LTCP_PSH, 'P'}, {LTCP_URG, 'U'},
      {LTCP_ECE, 'E'}, {LTCP_CWR, 'W'}, {LTCP_ACK, '.'}};
  size_t n = 0;
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
    if (f & order[i].bit) out[n++] = order[i].c;
  out[n] = '\0';
}

typedef struct pkt_text {
  char *buf;
  size_t cap, len;
} pkt_text;

static void pkt_put(pkt_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pkt_put(pkt_text *t, const char *fmt, ...) {
  if (t->len + 1 >= t->cap) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
  va_end(ap);
  if (n > 0) t->len = t->len + (size_t)n < t->cap ? t->len + (size_t)n : t->cap - 1;
}

static void fmt_opts(pkt_text *t, const sc_tcpopt *o, size_t n) {
  pkt_put(t, " <");
  for (size_t i = 0; i < n; i++) {
    if (i) pkt_put(t, ",");
    switch (o[i].kind) {
      case SC_OPT_EOL: pkt_put(t, "eol"); break;
      case SC_OPT_NOP: pkt_put(t, "nop"); break;
      case SC_OPT_MSS: pkt_put(t, "mss %u", o[i].a); break;
      case SC_OPT_WSCALE: pkt_put(t, "wscale %u", o[i].a); break;
      case SC_OPT_SACK_OK: pkt_put(t, "sackOK"); break;
      case SC_OPT_TS: pkt_put(t, "TS val %u ecr %u", o[i].a, o[i].b); break;
      case SC_OPT_SACK:
        pkt_put(t, "sack");
        for (uint8_t k = 0; k < o[i].nblocks; k++) pkt_put(t, " %u:%u", o[i].blocks[k][0], o[i].blocks[k][1]);
        break;
    }
  }
  pkt_put(t, ">");
}

static const char *fmt_ecn(int ecn) {
  static const char *const names[] = {"[noecn] ", "[ect1] ", "[ect0] ", "[ce] "};
  return ecn >= 0 && ecn <= 3 ? names[ecn] : "";
}

/* The script's line, as packetdrill writes it. */
static const char *fmt_expected(const sc_run *r, const sc_packet *p, char *buf, size_t cap) {
  pkt_text t = {buf, cap, 0};
  char fl[12];
  int type, code;
  buf[0] = '\0';
  pkt_put(&t, "%c %s", p->dir, fmt_ecn(p->ecn));
  if (p->has_ttl) pkt_put(&t, r->o.ipv6 ? "(hlim %u) " : "(ttl %u) ", p->ttl);
  if (p->has_tos) pkt_put(&t, r->o.ipv6 ? "(class 0x%02x) " : "(tos 0x%02x) ", p->tos);
  if (p->is_icmp) {
    icmp_of(r, p, &type, &code);
    if (p->has_echoed) pkt_put(&t, "[%u:%u(%u)] ", p->echoed.start, p->echoed.end, p->echoed.len);
    pkt_put(&t, "icmp%s type %d code %d", r->o.ipv6 ? "v6" : "", type, code);
    if (p->has_mtu) pkt_put(&t, " mtu %u", p->mtu);
    return buf;
  }
  fmt_flags(p->flags, fl);
  if (p->seq.any) pkt_put(&t, "%s ...(%u)", fl, p->seq.len);
  else pkt_put(&t, "%s %s%u:%u(%u)", fl, p->seq.absolute ? "!" : "", p->seq.start, p->seq.end, p->seq.len);
  if (p->has_ack) pkt_put(&t, " ack %s%u", p->ack_absolute ? "!" : "", p->ack);
  if (p->has_win) pkt_put(&t, " win %u", p->win);
  if (p->has_urg) pkt_put(&t, " urg %u", p->urg);
  if (p->opts_any) pkt_put(&t, " <...>");
  else if (p->nopts) fmt_opts(&t, p->opts, p->nopts);
  return buf;
}

/* What the stack sent, in the same notation: seq relative to its ISN when known. */
static const char *fmt_actual(const sc_run *r, const pkt_actual *a, char *buf, size_t cap) {
  pkt_text t = {buf, cap, 0};
  char fl[12];
  buf[0] = '\0';
  if (!a->ok) return "> (neither IPv4 nor IPv6 that parses)";
  pkt_put(&t, "> %s", (a->tos & 3) ? fmt_ecn(a->tos & 3) : "");
  if (a->v6 != r->o.ipv6) pkt_put(&t, "(%s) ", a->v6 ? "IPv6" : "IPv4");
  if (!a->addrs_ok) pkt_put(&t, "(other addresses) ");
  if (a->is_icmp) {
    pkt_put(&t, "icmp%s type %u code %u", a->v6 ? "v6" : "", a->icmp.type, a->icmp.code);
    return buf;
  }
  if (!a->is_tcp) {
    pkt_put(&t, "(protocol %u, %zu bytes)", a->proto, a->ip_len);
    return buf;
  }
  if (a->tcp_why != LTCP_DROP_NONE) {
    pkt_put(&t, "(TCP that does not parse: %s)", ltcp_drop_text(a->tcp_why));
    return buf;
  }
  const ltcp_seg *s = &a->seg;
  fmt_flags(s->flags, fl);
  if (r->flow.isn_known) pkt_put(&t, "%s %u:%u(%u)", fl, s->seq - r->flow.isn, s->seq - r->flow.isn + s->len, s->len);
  else pkt_put(&t, "%s !%u:%u(%u)", fl, s->seq, s->seq + s->len, s->len);
  if (s->flags & LTCP_ACK) pkt_put(&t, " ack %u", s->ack);
  pkt_put(&t, " win %u", s->wnd);
  if (s->flags & LTCP_URG) pkt_put(&t, " urg %u", s->urp);
  if (a->nopts) fmt_opts(&t, a->opts, a->nopts);
  if (r->flow.known && (s->src_port != r->flow.lport || s->dst_port != r->flow.rport))
    pkt_put(&t, "  (ports %u > %u)", s->src_port, s->dst_port);
  return buf;
}

/* ---- decoding what the stack sent ---- */

static int parse_raw_opts(const uint8_t *o, size_t len, sc_tcpopt *out, size_t *n) {
  *n = 0;
  for (size_t i = 0; i < len && *n < SC_MAX_TCP_OPTS;) {
    sc_tcpopt *x = &out[(*n)++];
    memset(x, 0, sizeof *x);
    if (o[i] == LTCP_TCPOPT_EOL) {
      x->kind = SC_OPT_EOL;
      return 0; /* the rest is padding */
    }
    if (o[i] == LTCP_TCPOPT_NOP) {
      x->kind = SC_OPT_NOP;
      i++;
      continue;
    }
    if (i + 1 >= len || o[i + 1] < 2 || i + o[i + 1] > len) return -1;
    uint8_t kind = o[i], olen = o[i + 1];
    const uint8_t *v = o + i + 2;
    if (kind == LTCP_TCPOPT_MSS && olen == 4) *x = (sc_tcpopt){.kind = SC_OPT_MSS, .a = ltcp_get16(v)};
    else if (kind == LTCP_TCPOPT_WSCALE && olen == 3) *x = (sc_tcpopt){.kind = SC_OPT_WSCALE, .a = v[0]};
    else if (kind == LTCP_TCPOPT_SACK_PERMITTED && olen == 2) x->kind = SC_OPT_SACK_OK;
    else if (kind == LTCP_TCPOPT_TIMESTAMP && olen == 10)
      *x = (sc_tcpopt){.kind = SC_OPT_TS, .a = ltcp_get32(v), .b = ltcp_get32(v + 4)};
    else if (kind == LTCP_TCPOPT_SACK && (olen - 2) % 8 == 0 && olen <= 2 + 8 * SC_MAX_SACK_BLOCKS) {
      x->kind = SC_OPT_SACK;
      for (x->nblocks = 0; x->nblocks < (olen - 2) / 8; x->nblocks++) {
        x->blocks[x->nblocks][0] = ltcp_get32(v + 8 * x->nblocks);
        x->blocks[x->nblocks][1] = ltcp_get32(v + 8 * x->nblocks + 4);
      }
    } else {
      return -1;
    }
    i += olen;
  }
  return 0;
}

/* The IPv4 header: where its payload is, and whether it goes from the stack to the script. */
static int decode_ip4(const sc_run *r, const uint8_t *pkt, size_t len, pkt_actual *a,
                      size_t *off) {
  ltcp_ipv4_hdr ip;
  if (ltcp_ipv4_parse(pkt, len, &ip) != LTCP_DROP_NONE) return -1;
  a->proto = ip.proto, a->ttl = ip.ttl, a->tos = ip.tos, a->ip_len = ip.total_len;
  a->src4 = ip.src, a->dst4 = ip.dst;
  a->addrs_ok = ip.src == r->o.local_ip && ip.dst == r->o.remote_ip;
  *off = ip.hdr_len;
  return 0;
}

/* The IPv6 header (RFC 8200 §3) and its extension headers (the stack sends none). */
static int decode_ip6(const sc_run *r, const uint8_t *pkt, size_t len, pkt_actual *a,
                      size_t *off) {
  ltcp_ipv6_hdr ip;
  if (ltcp_ipv6_parse(pkt, len, &ip) != LTCP_DROP_NONE) return -1;
  a->v6 = 1;
  a->proto = ip.proto, a->ttl = ip.hop_limit, a->tos = ip.tclass;
  a->ip_len = LTCP_IPV6_HDR_LEN + (size_t)ip.payload_len;
  memcpy(a->src6, ip.src, 16);
  memcpy(a->dst6, ip.dst, 16);
  a->addrs_ok = memcmp(ip.src, r->o.local_ip6, 16) == 0 && memcmp(ip.dst, r->o.remote_ip6, 16) == 0;
  *off = ip.off;
  return 0;
}

/* The TCP segment or ICMP message after the IP header, its checksum with the family's
 * pseudo-header. */
static void decode_l4(const uint8_t *l4, size_t l4len, pkt_actual *a) {
  if (a->proto == (a->v6 ? LTCP_IPPROTO_ICMPV6 : LTCP_IPPROTO_ICMP)) {
    a->is_icmp = (a->v6 ? ltcp_icmpv6_parse(l4, l4len, a->src6, a->dst6, &a->icmp)
                        : ltcp_icmp_parse(l4, l4len, &a->icmp)) == LTCP_DROP_NONE;
    return;
  }
  if (a->proto != LTCP_IPPROTO_TCP) return;
  a->is_tcp = 1;
  a->tcp_why = a->v6 ? ltcp_tcp_parse_ipv6(l4, l4len, a->src6, a->dst6, 1, 2, &a->seg)
                     : ltcp_tcp_parse(l4, l4len, a->src4, a->dst4, &a->seg);
  if (a->tcp_why != LTCP_DROP_NONE) return;
  size_t hlen = (size_t)(l4[12] >> 4) * 4;
  a->opts_bad = parse_raw_opts(l4 + LTCP_TCP_HDR_LEN, hlen - LTCP_TCP_HDR_LEN, a->opts, &a->nopts) != 0;
}

static void decode(const sc_run *r, const uint8_t *pkt, size_t len, pkt_actual *a) {
  size_t off = 0;
  memset(a, 0, sizeof *a);
  int v6 = len > 0 && (pkt[0] >> 4) == 6;
  if ((v6 ? decode_ip6(r, pkt, len, a, &off) : decode_ip4(r, pkt, len, a, &off)) != 0) return;
  a->ok = 1;
  decode_l4(pkt + off, a->ip_len - off, a);
}

void sc_packet_trace(sc_run *r, const uint8_t *pkt, size_t len) {
  pkt_actual a;
  char buf[PKT_TEXT];
  decode(r, pkt, len, &a);
  sc_trace(r, "%s", fmt_actual(r, &a, buf, sizeof buf));
}

/* ---- comparing ---- */

static int opt_equal(const sc_tcpopt *e, const sc_tcpopt *a) {
  if (e->kind != a->kind) return 0;
  switch (e->kind) {
    case SC_OPT_MSS:
    case SC_OPT_WSCALE: return e->a == a->a;
    case SC_OPT_TS: return e->b == a->b; /* the value is the sender's clock: not checked */
    case SC_OPT_SACK:
      if (e->nblocks != a->nblocks) return 0;
      for (uint8_t k = 0; k < e->nblocks; k++)
        if (e->blocks[k][0] != a->blocks[k][0] || e->blocks[k][1] != a->blocks[k][1]) return 0;
      return 1;
    default: return 1;
  }
}

/* The options without their padding (NOP, EOL): what they say, not how they are laid out. */
static size_t opts_meaning(const sc_tcpopt *in, size_t n, const sc_tcpopt **out) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (in[i].kind != SC_OPT_NOP && in[i].kind != SC_OPT_EOL) out[k++] = &in[i];
  return k;
}

/* RFC 9293 §3.1 fixes no order and lets options begin on any octet boundary: the layout is the
 * sender's choice (Linux: MSS, SACK-permitted, timestamps, NOP, window scale; FreeBSD: MSS, NOP,
 * window scale, SACK-permitted, timestamps, EOL padding). Without --strict_options the same
 * options with the same values, in any order, match. */
static int opts_same(const sc_run *r, const sc_packet *e, const pkt_actual *a) {
  if (a->opts_bad) return 0;
  if (r->o.strict_options) {
    if (a->nopts != e->nopts) return 0;
    for (size_t i = 0; i < e->nopts; i++)
      if (!opt_equal(&e->opts[i], &a->opts[i])) return 0;
    return 1;
  }
  const sc_tcpopt *ev[SC_MAX_TCP_OPTS], *av[SC_MAX_TCP_OPTS];
  size_t ne = opts_meaning(e->opts, e->nopts, ev), na = opts_meaning(a->opts, a->nopts, av);
  if (ne != na) return 0;
  for (size_t i = 0; i < ne; i++) {
    size_t j = 0;
    while (j < na && !(av[j] && opt_equal(ev[i], av[j]))) j++;
    if (j == na) return 0;
    av[j] = NULL; /* each actual option matches once */
  }
  return 1;
}

static void why_add(pkt_text *w, const char *field) { pkt_put(w, "%s%s", w->len ? ", " : "", field); }

/* Lists the fields that differ into why; returns 1 if all match. */
static int compare_tcp(const sc_run *r, const sc_packet *e, const pkt_actual *a, pkt_text *w) {
  const ltcp_seg *s = &a->seg;
  if (r->flow.known && (s->src_port != r->flow.lport || s->dst_port != r->flow.rport))
    why_add(w, "ports: another connection");
  if (s->flags != e->flags) why_add(w, "flags");
  if (!e->seq.any && s->seq != local_seq(r, e->seq.start, e->seq.absolute)) why_add(w, "seq");
  if (s->len != e->seq.len) why_add(w, "length");
  if (e->has_ack && s->ack != e->ack) why_add(w, "ack");
  if (e->has_win && s->wnd != e->win) why_add(w, "win");
  if (e->has_urg && s->urp != e->urg) why_add(w, "urg");
  if (!e->opts_any && !opts_same(r, e, a)) why_add(w, "options");
  if (e->ecn != SC_ECN_NONE && (a->tos & 3) != e->ecn) why_add(w, "ecn");
  return w->len == 0;
}

static int compare(const sc_run *r, const sc_packet *e, const pkt_actual *a, pkt_text *w) {
  int type, code;
  icmp_of(r, e, &type, &code);
  if (!a->ok || a->v6 != r->o.ipv6) why_add(w, r->o.ipv6 ? "not an IPv6 packet" : "not an IPv4 packet");
  else if (!a->addrs_ok) why_add(w, "addresses: not from the stack's to the script's");
  else if (e->is_icmp && !a->is_icmp) why_add(w, "not ICMP");
  else if (e->is_icmp && (a->icmp.type != type || a->icmp.code != code)) why_add(w, "ICMP type or code");
  else if (!e->is_icmp && !a->is_tcp) why_add(w, "not TCP");
  else if (!e->is_icmp && a->tcp_why != LTCP_DROP_NONE) why_add(w, "TCP header does not parse");
  else if (!e->is_icmp) compare_tcp(r, e, a, w);
  if (a->ok && e->has_ttl && a->ttl != e->ttl) why_add(w, r->o.ipv6 ? "hop limit" : "ttl");
  if (a->ok && e->has_tos && (a->tos & ~3u) != (e->tos & ~3u)) why_add(w, r->o.ipv6 ? "traffic class" : "tos");
  return w->len == 0;
}

/* A SYN from the stack starts its sequence space: learn the ISN (a new one on a reopened
 * connection; a retransmitted SYN carries the same). */
static void learn_isn(sc_run *r, const pkt_actual *a) {
  if (!a->is_tcp || a->tcp_why != LTCP_DROP_NONE) return;
  if (!r->flow.known) sc_flow_set(r, a->seg.src_port, a->seg.dst_port);
  if ((a->seg.flags & LTCP_SYN) && a->seg.src_port == r->flow.lport && a->seg.dst_port == r->flow.rport) {
    r->flow.isn = a->seg.seq;
    r->flow.isn_known = 1;
  }
}

static void rows(sc_run *r, ltcp_time_ns te, const char *exp, ltcp_time_ns ta, const char *act) {
  char a[32], b[32];
  sc_detail(r, "expected  %12s  %s", sc_fmt_time(te, a), exp);
  sc_detail(r, "actual    %12s  %s", ta == LTCP_TIME_NEVER ? "-" : sc_fmt_time(ta, b), act);
}

void sc_packet_check(sc_run *r, const sc_event *ev, const sc_window *w, const sc_outpkt *o) {
  const sc_packet *e = ev->packet;
  pkt_actual a;
  char eb[PKT_TEXT], ab[PKT_TEXT], wb[160], x[32], y[32], z[32];
  if (!o) {
    sc_fail(r, ev->line, "expected an outbound packet by %s s, the stack sent nothing",
            sc_fmt_time(w->hi, x));
    rows(r, w->t, fmt_expected(r, e, eb, sizeof eb), LTCP_TIME_NEVER, "(nothing sent)");
    return;
  }
  decode(r, o->bytes, o->len, &a);
  learn_isn(r, &a);
  pkt_text why = {wb, sizeof wb, 0};
  wb[0] = '\0';
  int same = compare(r, e, &a, &why);
  int on_time = ev->time.kind == SC_TIME_ANY || (o->t >= w->lo && o->t <= w->hi);
  if (same && on_time) return;
  if (!same)
    sc_fail(r, ev->line, "outbound packet differs in %s", wb);
  else
    sc_fail(r, ev->line, "timing: the packet was expected at %s s but sent at %s s (tolerance %s s)",
            sc_fmt_time(w->t, x), sc_fmt_time(o->t, y), sc_fmt_time(w->tol, z));
  rows(r, w->t, fmt_expected(r, e, eb, sizeof eb), o->t, fmt_actual(r, &a, ab, sizeof ab));
}

/* ---- injecting ---- */

static size_t write_opts(const sc_run *r, const sc_packet *p, uint8_t *o) {
  size_t n = 0;
  for (size_t i = 0; i < p->nopts; i++) {
    const sc_tcpopt *x = &p->opts[i];
    size_t need = x->kind == SC_OPT_EOL || x->kind == SC_OPT_NOP ? 1 : x->kind == SC_OPT_SACK ? 2u + 8u * x->nblocks : 10;
    if (n + need > 40) return (size_t)-1;
    switch (x->kind) {
      case SC_OPT_EOL: o[n++] = LTCP_TCPOPT_EOL; break;
      case SC_OPT_NOP: o[n++] = LTCP_TCPOPT_NOP; break;
      case SC_OPT_MSS: o[n] = LTCP_TCPOPT_MSS, o[n + 1] = 4, ltcp_put16(o + n + 2, (uint16_t)x->a), n += 4; break;
      case SC_OPT_WSCALE: o[n] = LTCP_TCPOPT_WSCALE, o[n + 1] = 3, o[n + 2] = (uint8_t)x->a, n += 3; break;
      case SC_OPT_SACK_OK: o[n] = LTCP_TCPOPT_SACK_PERMITTED, o[n + 1] = 2, n += 2; break;
      case SC_OPT_TS:
        o[n] = LTCP_TCPOPT_TIMESTAMP, o[n + 1] = 10;
        ltcp_put32(o + n + 2, x->a);
        ltcp_put32(o + n + 6, x->b);
        n += 10;
        break;
      case SC_OPT_SACK: /* blocks the script acknowledges are in the stack's sequence space */
        o[n] = LTCP_TCPOPT_SACK, o[n + 1] = (uint8_t)(2 + 8 * x->nblocks);
        for (uint8_t k = 0; k < x->nblocks; k++) {
          ltcp_put32(o + n + 2 + 8 * k, local_seq(r, x->blocks[k][0], 0));
          ltcp_put32(o + n + 6 + 8 * k, local_seq(r, x->blocks[k][1], 0));
        }
        n += 2u + 8u * x->nblocks;
        break;
    }
  }
  while (n % 4) o[n++] = LTCP_TCPOPT_EOL;
  return n;
}

/* The TOS or traffic class of a packet the script sends: (tos ...) or (class ...), and [ect0]. */
static uint8_t ip_tos(const sc_packet *p) {
  uint8_t tos = p && p->has_tos ? (uint8_t)p->tos : 0;
  if (p && p->ecn != SC_ECN_NONE) tos = (uint8_t)((tos & ~3u) | (uint8_t)p->ecn);
  return tos;
}

/* The IP header of a packet the script sends (p; from its address to the stack's) or quotes
 * (NULL: the stack's packet to the script, TTL or hop limit 64, TOS 0), of the script's family:
 * IPv4 with DF, or the IPv6 fixed header (RFC 8200 §3) with no extension headers and flow
 * label 0. Returns the header's length. */
static size_t write_ip(sc_run *r, uint8_t *pkt, uint8_t proto, size_t l4len, const sc_packet *p) {
  uint8_t ttl = p && p->has_ttl ? (uint8_t)p->ttl : 64;
  if (r->o.ipv6) {
    ltcp_ipv6_hdr h = {.tclass = ip_tos(p), .payload_len = (uint16_t)l4len, .next = proto,
                       .hop_limit = ttl};
    memcpy(h.src, p ? r->o.remote_ip6 : r->o.local_ip6, 16);
    memcpy(h.dst, p ? r->o.local_ip6 : r->o.remote_ip6, 16);
    return ltcp_ipv6_write(pkt, &h);
  }
  ltcp_ipv4_hdr ip = {.total_len = (uint16_t)(LTCP_IPV4_HDR_LEN + l4len), .id = r->ip_id++,
                      .frag = LTCP_IPV4_DF, .ttl = ttl, .tos = ip_tos(p), .proto = proto,
                      .src = p ? r->o.remote_ip : r->o.local_ip,
                      .dst = p ? r->o.local_ip : r->o.remote_ip};
  return ltcp_ipv4_write(pkt, &ip);
}

static size_t ip_hdr_len(const sc_run *r) { return r->o.ipv6 ? LTCP_IPV6_HDR_LEN : LTCP_IPV4_HDR_LEN; }

/* The checksum of a segment from the script, with its family's pseudo-header (RFC 9293 §3.1,
 * RFC 8200 §8.1). */
static void tcp_checksum(const sc_run *r, uint8_t *t, size_t tlen) {
  if (!r->o.ipv6) {
    ltcp_tcp_set_checksum(t, tlen, r->o.remote_ip, r->o.local_ip);
    return;
  }
  ltcp_put16(t + 16, 0);
  uint32_t sum = ltcp_cksum_pseudo_ipv6(r->o.remote_ip6, r->o.local_ip6, LTCP_IPPROTO_TCP, (uint32_t)tlen);
  ltcp_put16(t + 16, ltcp_cksum_finish(ltcp_cksum_add(sum, t, tlen)));
}

static size_t build_tcp(sc_run *r, const sc_packet *p, uint8_t *pkt, size_t cap) {
  size_t hl = ip_hdr_len(r);
  uint8_t *t = pkt + hl;
  uint8_t opts[48];
  size_t olen = write_opts(r, p, opts);
  if (olen == (size_t)-1) {
    sc_fail(r, r->ev->line, "the TCP options take more than 40 bytes");
    return 0;
  }
  size_t tlen = LTCP_TCP_HDR_LEN + olen + p->seq.len;
  if (hl + tlen > cap || tlen > 65535u - (r->o.ipv6 ? 0u : LTCP_IPV4_HDR_LEN)) {
    sc_fail(r, r->ev->line, "the segment is larger than an %s packet can hold", family_name(r));
    return 0;
  }
  memset(t, 0, tlen);
  ltcp_put16(t, r->flow.rport);
  ltcp_put16(t + 2, r->flow.lport);
  ltcp_put32(t + 4, p->seq.start);
  ltcp_put32(t + 8, p->has_ack ? local_seq(r, p->ack, p->ack_absolute) : 0);
  t[12] = (uint8_t)(((LTCP_TCP_HDR_LEN + olen) / 4) << 4);
  t[13] = p->flags;
  ltcp_put16(t + 14, (uint16_t)(p->has_win ? p->win : 65535));
  ltcp_put16(t + 18, (uint16_t)(p->has_urg ? p->urg : 0));
  memcpy(t + LTCP_TCP_HDR_LEN, opts, olen);
  tcp_checksum(r, t, tlen);
  return write_ip(r, pkt, LTCP_IPPROTO_TCP, tlen, p) + tlen;
}

/* ICMP about a packet the stack sent: its IP header and the first 8 bytes of TCP (RFC 792;
 * RFC 4443 §2.4 (c) asks for as much as fits, and 8 bytes are what TCP reads). In an IPv6
 * script, ICMPv6 with its pseudo-header checksum. */
static size_t build_icmp(sc_run *r, const sc_packet *p, uint8_t *pkt, size_t cap) {
  uint8_t inner[PKT_HDR_MAX + 8];
  int type, code;
  icmp_of(r, p, &type, &code);
  if (type < 0 || code < 0) {
    sc_fail(r, r->ev->line, "this ICMP type or code has no %s meaning", r->o.ipv6 ? "ICMPv6 (RFC 4443)" : "ICMPv4 (RFC 792)");
    return 0;
  }
  uint32_t seq = local_seq(r, p->has_echoed ? p->echoed.start : 0, p->has_echoed && p->echoed.absolute);
  size_t inner_l4 = LTCP_TCP_HDR_LEN + (p->has_echoed ? p->echoed.len : 0), hl = ip_hdr_len(r);
  write_ip(r, inner, LTCP_IPPROTO_TCP, inner_l4, NULL);
  ltcp_put16(inner + hl, r->flow.lport);
  ltcp_put16(inner + hl + 2, r->flow.rport);
  ltcp_put32(inner + hl + 4, seq);
  ltcp_icmp_hdr h = {.type = (uint8_t)type, .code = (uint8_t)code, .rest = p->has_mtu ? p->mtu : 0,
                     .data = inner, .data_len = hl + 8};
  size_t n = r->o.ipv6 ? ltcp_icmpv6_write(pkt + hl, cap - hl, &h, r->o.remote_ip6, r->o.local_ip6)
                       : ltcp_icmp_write(pkt + hl, cap - hl, &h);
  return write_ip(r, pkt, r->o.ipv6 ? LTCP_IPPROTO_ICMPV6 : LTCP_IPPROTO_ICMP, n, p) + n;
}

int sc_packet_inject(sc_run *r, const sc_event *ev, ltcp_time_ns t) {
  const sc_packet *p = ev->packet;
  size_t cap = PKT_HDR_MAX + LTCP_TCP_MAX_HDR_LEN + 65535;
  uint8_t *pkt = malloc(cap);
  char buf[PKT_TEXT];
  if (!pkt) abort();
  flow_default(r);
  size_t len = p->is_icmp ? build_icmp(r, p, pkt, cap) : build_tcp(r, p, pkt, cap);
  if (len) {
    sc_trace(r, "%s", fmt_expected(r, p, buf, sizeof buf));
    r->stack_used = 1;
    ltcp_stack_input(sc_stack(r), t, pkt, len);
  }
  free(pkt);
  return len ? 0 : -1;
}
