/* lucidtcp script: the parser, from tokens to the syntax tree (ast.h). One error stops it; the
 * message names what was expected and what was found. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lucidtcp/common.h"
#include "script/ast.h"
#include "script/lex.h"

#define TRY(x)           \
  do {                   \
    if ((x) < 0) return -1; \
  } while (0)

typedef struct parser {
  const sc_tokens *t;
  size_t i;
  sc_script *s;
  sc_error *err;
} parser;

static const sc_tok *cur(const parser *p) { return &p->t->toks[p->i]; }
static const sc_tok *ahead(const parser *p, size_t k) {
  size_t j = p->i + k < p->t->count ? p->i + k : p->t->count - 1;
  return &p->t->toks[j];
}
static void next(parser *p) {
  if (p->i + 1 < p->t->count) p->i++;
}

static int is_punct(const sc_tok *t, char ch) { return t->kind == SC_TOK_PUNCT && t->ch == ch; }
static int is_word(const sc_tok *t, const char *w) {
  return t->kind == SC_TOK_WORD && strlen(w) == t->len && memcmp(t->text, w, t->len) == 0;
}

/* How a token reads in a message: 'x', "end of file", ... */
static const char *describe(const sc_tok *t, char *buf, size_t cap) {
  switch (t->kind) {
    case SC_TOK_EOF: return "the end of the file";
    case SC_TOK_COMMAND: return "a `command`";
    case SC_TOK_CODE: return "a %{ code }% block";
    case SC_TOK_OPTION: return "an option line";
    case SC_TOK_STRING: snprintf(buf, cap, "\"%.*s\"", (int)(t->len > 40 ? 40 : t->len), t->text); return buf;
    default: snprintf(buf, cap, "'%.*s'", (int)(t->len > 40 ? 40 : t->len), t->text); return buf;
  }
}

static int perr_at(parser *p, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  p->err->line = line;
  vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
  va_end(ap);
  return -1;
}

/* "expected WHAT, found TOKEN" at the current token. */
static int perr_expected(parser *p, const char *what) {
  char buf[64];
  return perr_at(p, cur(p)->line, "expected %s, found %s", what, describe(cur(p), buf, sizeof buf));
}

static int expect_punct(parser *p, char ch, const char *what) {
  if (!is_punct(cur(p), ch)) return perr_expected(p, what);
  next(p);
  return 0;
}

/* An unsigned integer (decimal or 0x hex) no larger than max. */
static int parse_uint(parser *p, uint64_t max, const char *what, uint64_t *out) {
  const sc_tok *t = cur(p);
  if (t->kind != SC_TOK_NUMBER) return perr_expected(p, what);
  char buf[32];
  if (t->len >= sizeof buf || memchr(t->text, '.', t->len))
    return perr_at(p, t->line, "%s must be a whole number, not '%.*s'", what, (int)t->len, t->text);
  memcpy(buf, t->text, t->len);
  buf[t->len] = '\0';
  char *end;
  unsigned long long v = strtoull(buf, &end, (buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) ? 16 : 10);
  if (*end || v > max)
    return perr_at(p, t->line, "%s out of range: '%s' (at most %llu)", what, buf, (unsigned long long)max);
  *out = v;
  next(p);
  return 0;
}

static int parse_u32(parser *p, uint32_t max, const char *what, uint32_t *out) {
  uint64_t v;
  TRY(parse_uint(p, max, what, &v));
  *out = (uint32_t)v;
  return 0;
}

/* ---- times ---- */

static int parse_seconds(parser *p, int64_t *us) {
  const sc_tok *t = cur(p);
  if (t->kind != SC_TOK_NUMBER) return perr_expected(p, "a time in seconds");
  *us = sc_parse_seconds(t->text, t->len);
  if (*us < 0) return perr_at(p, t->line, "bad time '%.*s' (seconds, like 0.100)", (int)t->len, t->text);
  next(p);
  return 0;
}

static int parse_time(parser *p, sc_time *tm) {
  memset(tm, 0, sizeof *tm);
  if (is_punct(cur(p), '*')) {
    tm->kind = SC_TIME_ANY;
    next(p);
    return 0;
  }
  tm->kind = SC_TIME_ABSOLUTE;
  if (is_punct(cur(p), '+')) {
    tm->kind = SC_TIME_RELATIVE;
    next(p);
  } else if (cur(p)->kind != SC_TOK_NUMBER) {
    return perr_expected(p, "the time of an event (like 0.100, +0.1 or *)");
  }
  TRY(parse_seconds(p, &tm->us));
  int range = is_punct(cur(p), '~'), blocking = cur(p)->kind == SC_TOK_ELLIPSIS;
  if (!range && !blocking) return 0;
  int line = cur(p)->line;
  next(p);
  if (is_punct(cur(p), '+')) {
    if (tm->kind != SC_TIME_RELATIVE)
      return perr_at(p, line, "an absolute start time needs an absolute end time");
    next(p);
  }
  TRY(parse_seconds(p, &tm->end_us));
  if (tm->end_us < tm->us)
    return perr_at(p, line, "the end time %.6f is before the start time %.6f", tm->end_us / 1e6, tm->us / 1e6);
  tm->range = range;
  tm->blocking = blocking;
  return 0;
}

/* ---- packets ---- */

static int parse_flags(parser *p, sc_packet *pk) {
  int n = 0;
  if (is_punct(cur(p), '-')) { /* packetdrill's '-': a segment without flags */
    next(p);
    return 0;
  }
  while ((cur(p)->kind == SC_TOK_WORD || is_punct(cur(p), '.')) && (n == 0 || !cur(p)->space_before)) {
    const sc_tok *t = cur(p);
    for (size_t k = 0; k < t->len; k++) {
      static const char names[] = "FSRP.UEW";
      const char *f = strchr(names, t->text[k]);
      if (!f || !t->text[k])
        return perr_at(p, t->line, "unknown TCP flag '%c' (flags are S F R P . U E W)", t->text[k]);
      uint8_t bit = (uint8_t)(1u << (f - names));
      if (t->text[k] == '.') bit = LTCP_ACK;
      else if (t->text[k] == 'U') bit = LTCP_URG;
      if (pk->flags & bit) return perr_at(p, t->line, "TCP flag '%c' given twice", t->text[k]);
      pk->flags |= bit;
    }
    next(p);
    n++;
  }
  if (!n) return perr_expected(p, "TCP flags (S F R P . U E W, or - for none) or icmp");
  return 0;
}

/* start:end(len), !start:end(len), start:end(len)! (nplab's) or ...(len) */
static int parse_seq(parser *p, sc_seq *sq) {
  memset(sq, 0, sizeof *sq);
  int line = cur(p)->line;
  if (cur(p)->kind == SC_TOK_ELLIPSIS) {
    sq->any = 1;
    next(p);
    TRY(expect_punct(p, '(', "'(' and the payload length after '...'"));
    TRY(parse_u32(p, 65535, "the payload length", &sq->len));
    return expect_punct(p, ')', "')' after the payload length");
  }
  if (is_punct(cur(p), '!')) {
    sq->absolute = 1;
    next(p);
  }
  TRY(parse_u32(p, UINT32_MAX, "a sequence range start:end(length)", &sq->start));
  TRY(expect_punct(p, ':', "':' in the sequence range start:end(length)"));
  TRY(parse_u32(p, UINT32_MAX, "the end of the sequence range", &sq->end));
  TRY(expect_punct(p, '(', "'(' and the payload length after the sequence range"));
  TRY(parse_u32(p, 65535, "the payload length", &sq->len));
  TRY(expect_punct(p, ')', "')' after the payload length"));
  if (is_punct(cur(p), '!') && !cur(p)->space_before) {
    sq->absolute = 1;
    next(p);
  }
  if ((uint32_t)(sq->end - sq->start) != sq->len)
    return perr_at(p, line, "sequence range %u:%u(%u): end - start is %u, not the length %u",
                   sq->start, sq->end, sq->len, (uint32_t)(sq->end - sq->start), sq->len);
  return 0;
}

static int parse_sack_blocks(parser *p, sc_tcpopt *o) {
  while (cur(p)->kind == SC_TOK_NUMBER) {
    if (o->nblocks == SC_MAX_SACK_BLOCKS)
      return perr_at(p, cur(p)->line, "more than %d SACK blocks", SC_MAX_SACK_BLOCKS);
    TRY(parse_u32(p, UINT32_MAX, "the left edge of a SACK block", &o->blocks[o->nblocks][0]));
    TRY(expect_punct(p, ':', "':' in the SACK block left:right"));
    TRY(parse_u32(p, UINT32_MAX, "the right edge of a SACK block", &o->blocks[o->nblocks][1]));
    o->nblocks++;
  }
  if (!o->nblocks) return perr_expected(p, "SACK blocks left:right after 'sack'");
  return 0;
}

static int parse_option(parser *p, sc_tcpopt *o) {
  const sc_tok *t = cur(p);
  char buf[64];
  if (t->kind != SC_TOK_WORD) return perr_expected(p, "a TCP option (mss nop eol wscale sackOK sack TS)");
  next(p);
  if (is_word(t, "nop")) o->kind = SC_OPT_NOP;
  else if (is_word(t, "eol")) o->kind = SC_OPT_EOL;
  else if (is_word(t, "sackOK")) o->kind = SC_OPT_SACK_OK;
  else if (is_word(t, "mss")) {
    o->kind = SC_OPT_MSS;
    return parse_u32(p, 65535, "the MSS value", &o->a);
  } else if (is_word(t, "wscale")) {
    o->kind = SC_OPT_WSCALE;
    return parse_u32(p, 255, "the window scale shift", &o->a);
  } else if (is_word(t, "sack")) {
    o->kind = SC_OPT_SACK;
    return parse_sack_blocks(p, o);
  } else if (is_word(t, "TS")) {
    o->kind = SC_OPT_TS;
    if (!is_word(cur(p), "val")) return perr_expected(p, "'val' after 'TS'");
    next(p);
    TRY(parse_u32(p, UINT32_MAX, "the TS value", &o->a));
    if (!is_word(cur(p), "ecr")) return perr_expected(p, "'ecr' after the TS value");
    next(p);
    return parse_u32(p, UINT32_MAX, "the TS echo reply", &o->b);
  } else if (is_word(t, "FO") || is_word(t, "exp") || is_word(t, "md5") || is_word(t, "mpcapable") ||
             is_word(t, "dss") || is_word(t, "mp_join_syn") || is_word(t, "mp_join_ack")) {
    p->err->unsupported = 1;
    return perr_at(p, t->line, "unsupported: TCP option '%.*s' (lucidtcp has mss nop eol wscale sackOK sack TS)",
                   (int)t->len, t->text);
  } else {
    return perr_at(p, t->line, "unknown TCP option %s (known: mss nop eol wscale sackOK sack TS)",
                   describe(t, buf, sizeof buf));
  }
  return 0;
}

static int parse_options(parser *p, sc_packet *pk) {
  next(p); /* '<' */
  pk->has_opts = 1;
  if (cur(p)->kind == SC_TOK_ELLIPSIS) {
    pk->opts_any = 1;
    next(p);
    return expect_punct(p, '>', "'>' after '<...'");
  }
  for (;;) {
    if (pk->nopts == SC_MAX_TCP_OPTS) return perr_at(p, cur(p)->line, "too many TCP options");
    TRY(parse_option(p, &pk->opts[pk->nopts++]));
    if (is_punct(cur(p), '>')) break;
    TRY(expect_punct(p, ',', "',' or '>' after a TCP option"));
  }
  next(p);
  return 0;
}

static int parse_tcp_fields(parser *p, sc_packet *pk) {
  for (;;) {
    const sc_tok *t = cur(p);
    if (is_word(t, "ack")) {
      if (pk->has_ack) return perr_at(p, t->line, "'ack' given twice");
      next(p);
      if (is_punct(cur(p), '!')) {
        pk->ack_absolute = 1;
        next(p);
      }
      TRY(parse_u32(p, UINT32_MAX, "the ack number", &pk->ack));
      pk->has_ack = 1;
    } else if (is_word(t, "win")) {
      if (pk->has_win) return perr_at(p, t->line, "'win' given twice");
      next(p);
      TRY(parse_u32(p, 65535, "the window", &pk->win));
      pk->has_win = 1;
    } else if (is_word(t, "urg")) {
      if (pk->has_urg) return perr_at(p, t->line, "'urg' given twice");
      next(p);
      TRY(parse_u32(p, 65535, "the urgent pointer", &pk->urg));
      pk->has_urg = 1;
    } else if (is_punct(t, '<')) {
      if (pk->has_opts) return perr_at(p, t->line, "TCP options given twice");
      TRY(parse_options(p, pk));
    } else {
      return 0;
    }
  }
}

typedef struct name_value {
  const char *name;
  int value;
} name_value;

/* ICMPv4 (RFC 792) names; the same words mean ICMPv6 (RFC 4443) values in an IPv6 script, so
 * a packet keeps both and the runner takes its family's (-1: no meaning in that family). */
static const name_value icmp_types[] = {
    {"unreachable", 3},    {"source_quench", 4},      {"redirect", 5},
    {"time_exceeded", 11}, {"parameter_problem", 12}, {"packet_too_big", 3}};
static const name_value icmp_codes[] = {
    {"net_unreachable", 0},  {"host_unreachable", 1},   {"protocol_unreachable", 2},
    {"port_unreachable", 3}, {"frag_needed", 4},        {"source_route_failed", 5},
    {"net_unknown", 6},      {"host_unknown", 7},       {"host_isolated", 8},
    {"net_prohibited", 9},   {"host_prohibited", 10},   {"net_unreachable_for_tos", 11},
    {"host_unreachable_for_tos", 12}, {"packet_filtered", 13}, {"precedence_violation", 14},
    {"precedence_cutoff", 15}, {"ttl_exceeded", 0},     {"fragment_reassembly_time_exceeded", 1},
    /* FreeBSD's tcp-testsuite (nplab packetdrill) names */
    {"source_host_isolated", 8}, {"ttl_exceeded_in_transit", 0}, {"frag_reass_exceeded", 1},
    {"code_0", 0}, {"code_1", 1}, {"code_2", 2}};
/* RFC 4443 §3, with packetdrill's names. */
static const name_value icmp6_types[] = {
    {"unreachable", 1}, {"packet_too_big", 2}, {"time_exceeded", 3}, {"parameter_problem", 4}};
static const name_value icmp6_codes[] = {
    {"no_route", 0},            {"admin_prohibited", 1},    {"not_neighbour", 2},
    {"beyond_scope", 2},        {"address_unreachable", 3}, {"port_unreachable", 4},
    {"source_addr_failed_policy", 5}, {"reject_route", 6},  {"exceeded_hop_limit", 0},
    {"hop_limit_exceeded", 0},  {"ttl_exceeded", 0},        {"exceeded_frag_time", 1},
    {"fragment_reassembly_time_exceeded", 1}, {"header_field", 0}, {"unknown_next_header", 1},
    {"unknown_option", 2},      {"code_0", 0},              {"code_1", 1},
    {"code_2", 2}};

static int lookup(const name_value *tab, size_t n, const sc_tok *t, int *v) {
  for (size_t i = 0; i < n; i++)
    if (is_word(t, tab[i].name)) {
      *v = tab[i].value;
      return 0;
    }
  return -1;
}

#define NV_COUNT(t) (sizeof t / sizeof t[0])

/* Looks the word up in the ICMPv4 and the ICMPv6 table; -1 where it is not found. Returns 0 when
 * either knows it. */
static int lookup_both(const name_value *t4, size_t n4, const name_value *t6, size_t n6,
                       const sc_tok *t, int *v4, int *v6) {
  *v4 = *v6 = -1;
  int a = lookup(t4, n4, t, v4), b = lookup(t6, n6, t, v6);
  return a == 0 || b == 0 ? 0 : -1;
}

static int parse_icmp(parser *p, sc_packet *pk) {
  next(p); /* icmp */
  pk->is_icmp = 1;
  if (lookup_both(icmp_types, NV_COUNT(icmp_types), icmp6_types, NV_COUNT(icmp6_types), cur(p),
                  &pk->icmp_type, &pk->icmp6_type))
    return perr_expected(p, "an ICMP type (unreachable, time_exceeded, source_quench, redirect, "
                            "parameter_problem, packet_too_big)");
  int type_line = cur(p)->line;
  pk->icmp_code = is_word(cur(p), "packet_too_big") ? 4 : 0; /* IPv4: fragmentation needed */
  pk->icmp6_code = 0;
  next(p);
  int c4, c6;
  if (lookup_both(icmp_codes, NV_COUNT(icmp_codes), icmp6_codes, NV_COUNT(icmp6_codes), cur(p),
                  &c4, &c6) == 0) {
    pk->icmp_code = c4;
    pk->icmp6_code = c6;
    next(p);
  } else if (cur(p)->kind == SC_TOK_NUMBER && cur(p)->line == type_line) {
    uint32_t code;
    TRY(parse_u32(p, 255, "the ICMP code", &code));
    pk->icmp_code = pk->icmp6_code = (int)code;
  }
  if (is_word(cur(p), "mtu")) {
    next(p);
    TRY(parse_u32(p, 65535, "the MTU", &pk->mtu));
    pk->has_mtu = 1;
  }
  /* nplab packetdrill (FreeBSD's suite) puts the quoted segment last: icmp ... [seq] */
  if (is_punct(cur(p), '[') && cur(p)->line == type_line && !pk->has_echoed) {
    next(p);
    TRY(parse_seq(p, &pk->echoed));
    pk->has_echoed = 1;
    TRY(expect_punct(p, ']', "']'"));
  }
  return 0;
}

static int parse_bracket(parser *p, sc_packet *pk) {
  static const name_value ecn[] = {{"noecn", SC_ECN_NOT_ECT}, {"ect0", SC_ECN_ECT0},
                                   {"ect1", SC_ECN_ECT1}, {"ce", SC_ECN_CE}, {"ect01", SC_ECN_ECT0}};
  next(p); /* '[' */
  int v;
  if (cur(p)->kind == SC_TOK_WORD) {
    if (lookup(ecn, sizeof ecn / sizeof ecn[0], cur(p), &v))
      return perr_expected(p, "an ECN codepoint (noecn ect0 ect1 ce) or an echoed sequence range");
    pk->ecn = v;
    next(p);
  } else {
    TRY(parse_seq(p, &pk->echoed));
    pk->has_echoed = 1;
  }
  return expect_punct(p, ']', "']'");
}

/* (ttl N, tos 0xNN): the IPv4 header's TTL and type of service; (hlim N, class 0xNN): the IPv6
 * header's hop limit and traffic class, kept in the same fields (RFC 8200 §3 gives them the
 * IPv4 fields' meanings). Set on a packet injected and checked on one expected. */
static int parse_ip_fields(parser *p, sc_packet *pk) {
  next(p); /* '(' */
  for (int k = 0; k < 4; k++) {
    if (is_word(cur(p), "ttl") || is_word(cur(p), "hlim")) {
      next(p);
      TRY(parse_u32(p, 255, "the TTL", &pk->ttl));
      pk->has_ttl = 1;
    } else if (is_word(cur(p), "tos") || is_word(cur(p), "class")) {
      next(p);
      TRY(parse_u32(p, 255, "the type of service", &pk->tos));
      pk->has_tos = 1;
    } else {
      return perr_expected(p, "an IP header field (ttl N, tos 0xNN, hlim N or class 0xNN)");
    }
    if (is_punct(cur(p), ')')) {
      next(p);
      return 0;
    }
    TRY(expect_punct(p, ',', "',' or ')' after an IP header field"));
  }
  return perr_at(p, cur(p)->line, "too many IP header fields in ( )");
}

static int parse_packet(parser *p, sc_event *ev) {
  sc_packet *pk = sc_arena_alloc(&p->s->arena, sizeof *pk);
  ev->kind = SC_EV_PACKET;
  ev->packet = pk;
  pk->dir = cur(p)->ch;
  pk->ecn = SC_ECN_NONE;
  next(p);
  if (ev->time.blocking) return perr_at(p, ev->line, "a '...' end time is only for system calls");
  if (ev->time.range && pk->dir == '<')
    return perr_at(p, ev->line, "a time range t1~t2 is only for outbound (>) packets");
  while (is_punct(cur(p), '[')) TRY(parse_bracket(p, pk));
  if (is_punct(cur(p), '(')) TRY(parse_ip_fields(p, pk));
  if (is_word(cur(p), "icmp")) return parse_icmp(p, pk);
  if (pk->has_echoed) return perr_expected(p, "'icmp' after the echoed sequence range");
  if (is_word(cur(p), "udp") || is_word(cur(p), "sctp")) {
    p->err->unsupported = 1;
    return perr_at(p, cur(p)->line, "unsupported: %.*s packets (lucidtcp is TCP only)", (int)cur(p)->len,
                   cur(p)->text);
  }
  TRY(parse_flags(p, pk));
  TRY(parse_seq(p, &pk->seq));
  TRY(parse_tcp_fields(p, pk));
  if (is_punct(cur(p), '/') && is_word(ahead(p, 1), "udp")) { /* nplab: .../udp(sport > dport) */
    p->err->unsupported = 1;
    return perr_at(p, cur(p)->line, "unsupported: TCP over UDP (RFC 6951 encapsulation, /udp)");
  }
  return 0;
}

/* ---- system calls ---- */

static sc_expr *new_expr(parser *p, sc_expr_kind kind, int line) {
  sc_expr *e = sc_arena_alloc(&p->s->arena, sizeof *e);
  e->kind = kind;
  e->line = line;
  e->num = -1;
  return e;
}

static const char *unescape(parser *p, const sc_tok *t) {
  char *out = sc_arena_alloc(&p->s->arena, t->len + 1);
  size_t o = 0;
  for (size_t i = 0; i < t->len; i++) {
    char c = t->text[i];
    if (c == '\\' && i + 1 < t->len) {
      c = t->text[++i];
      c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c == '0' ? '\0' : c;
    }
    out[o++] = c;
  }
  return out;
}

static int parse_expr(parser *p, sc_expr **out);

/* Items up to the closing character, separated by commas. */
static int parse_list(parser *p, char close, int fields, sc_expr ***items, size_t *n) {
  size_t cap = 0;
  *items = NULL;
  *n = 0;
  while (!is_punct(cur(p), close)) {
    if (*n == cap) {
      cap = cap ? cap * 2 : 4;
      sc_expr **grown = sc_arena_alloc(&p->s->arena, cap * sizeof *grown);
      if (*n) memcpy(grown, *items, *n * sizeof *grown);
      *items = grown;
    }
    sc_expr *e;
    if (fields && cur(p)->kind == SC_TOK_WORD && is_punct(ahead(p, 1), '=')) {
      e = new_expr(p, SC_EXPR_FIELD, cur(p)->line);
      e->text = sc_arena_strndup(&p->s->arena, cur(p)->text, cur(p)->len);
      next(p);
      next(p);
      e->items = sc_arena_alloc(&p->s->arena, sizeof *e->items);
      e->n = 1;
      TRY(parse_expr(p, &e->items[0]));
    } else {
      TRY(parse_expr(p, &e));
      /* msg_iov(1)=[...]: a field with a count */
      if (fields && e->kind == SC_EXPR_CALL && e->n == 1 &&
          (e->items[0]->kind == SC_EXPR_INT || e->items[0]->kind == SC_EXPR_ELLIPSIS) &&
          is_punct(cur(p), '=')) {
        next(p);
        e->kind = SC_EXPR_FIELD;
        e->num = e->items[0]->kind == SC_EXPR_INT ? e->items[0]->num : -1;
        TRY(parse_expr(p, &e->items[0]));
      }
    }
    (*items)[(*n)++] = e;
    if (is_punct(cur(p), close)) break;
    char what[32];
    snprintf(what, sizeof what, "',' or '%c'", close);
    TRY(expect_punct(p, ',', what));
  }
  next(p);
  return 0;
}

static int parse_int_expr(parser *p, sc_expr *e, int negative) {
  uint64_t v;
  TRY(parse_uint(p, negative ? (uint64_t)INT64_MAX + 1 : UINT64_MAX / 2, "a number", &v));
  e->num = negative ? -(int64_t)(v - 1) - 1 : (int64_t)v;
  return 0;
}

static int parse_primary(parser *p, sc_expr **out) {
  const sc_tok *t = cur(p);
  sc_expr *e = NULL;
  if (t->kind == SC_TOK_ELLIPSIS) {
    e = new_expr(p, SC_EXPR_ELLIPSIS, t->line);
    next(p);
  } else if (t->kind == SC_TOK_NUMBER || is_punct(t, '-')) {
    e = new_expr(p, SC_EXPR_INT, t->line);
    int neg = is_punct(t, '-');
    if (neg) next(p);
    TRY(parse_int_expr(p, e, neg));
  } else if (t->kind == SC_TOK_STRING) {
    e = new_expr(p, SC_EXPR_STRING, t->line);
    e->text = unescape(p, t);
    next(p);
  } else if (t->kind == SC_TOK_WORD) {
    e = new_expr(p, SC_EXPR_WORD, t->line);
    e->text = sc_arena_strndup(&p->s->arena, t->text, t->len);
    next(p);
    if (is_punct(cur(p), '(')) {
      e->kind = SC_EXPR_CALL;
      next(p);
      TRY(parse_list(p, ')', 0, &e->items, &e->n));
    }
  } else if (is_punct(t, '[')) {
    e = new_expr(p, SC_EXPR_ARRAY, t->line);
    next(p);
    TRY(parse_list(p, ']', 0, &e->items, &e->n));
  } else if (is_punct(t, '{')) {
    e = new_expr(p, SC_EXPR_STRUCT, t->line);
    next(p);
    TRY(parse_list(p, '}', 1, &e->items, &e->n));
  } else {
    return perr_expected(p, "an argument (a number, a NAME, \"text\", [..], {..} or ...)");
  }
  *out = e;
  return 0;
}

static int parse_expr(parser *p, sc_expr **out) {
  TRY(parse_primary(p, out));
  while (is_punct(cur(p), '|')) {
    sc_expr *e = new_expr(p, SC_EXPR_OR, cur(p)->line);
    next(p);
    e->items = sc_arena_alloc(&p->s->arena, 2 * sizeof *e->items);
    e->n = 2;
    e->items[0] = *out;
    TRY(parse_primary(p, &e->items[1]));
    *out = e;
  }
  return 0;
}

static int parse_note(parser *p, sc_syscall *sc) {
  const sc_tok *open = cur(p);
  int depth = 0;
  for (size_t k = 0; k < 256; k++) {
    const sc_tok *t = cur(p);
    if (t->kind == SC_TOK_EOF) return perr_at(p, open->line, "unterminated note '(' after the result");
    if (is_punct(t, '(')) depth++;
    if (is_punct(t, ')') && --depth == 0) {
      sc->note = sc_arena_strndup(&p->s->arena, open->text + 1, (size_t)(t->text - open->text - 1));
      next(p);
      return 0;
    }
    next(p);
  }
  return perr_at(p, open->line, "note after the result too long");
}

static int parse_result(parser *p, sc_syscall *sc) {
  const sc_tok *t = cur(p);
  if (t->kind == SC_TOK_ELLIPSIS) {
    sc->result = new_expr(p, SC_EXPR_ELLIPSIS, t->line);
    next(p);
  } else if (t->kind == SC_TOK_NUMBER || (is_punct(t, '-') && ahead(p, 1)->kind == SC_TOK_NUMBER)) {
    sc->result = new_expr(p, SC_EXPR_INT, t->line);
    int neg = is_punct(t, '-');
    if (neg) next(p);
    TRY(parse_int_expr(p, sc->result, neg));
  } else {
    return perr_expected(p, "the return value after '=' (a number, -1 ERRNO, or ...)");
  }
  const sc_tok *e = cur(p);
  if (e->kind == SC_TOK_WORD && e->len > 1 && e->text[0] == 'E' && isupper((unsigned char)e->text[1])) {
    sc->errno_name = sc_arena_strndup(&p->s->arena, e->text, e->len);
    next(p);
  } else if (sc->result->kind == SC_EXPR_INT && sc->result->num == -1) {
    return perr_expected(p, "the errno name after -1 (like EAGAIN)");
  }
  if (is_punct(cur(p), '(') && cur(p)->line == t->line) TRY(parse_note(p, sc));
  return 0;
}

static int parse_syscall(parser *p, sc_event *ev) {
  sc_syscall *sc = sc_arena_alloc(&p->s->arena, sizeof *sc);
  ev->kind = SC_EV_SYSCALL;
  ev->syscall = sc;
  if (ev->time.range) return perr_at(p, ev->line, "a time range t1~t2 is only for outbound (>) packets");
  sc->name = sc_arena_strndup(&p->s->arena, cur(p)->text, cur(p)->len);
  next(p);
  next(p); /* '(' */
  TRY(parse_list(p, ')', 0, &sc->args, &sc->nargs));
  if (!is_punct(cur(p), '=')) {
    char what[96];
    snprintf(what, sizeof what, "'= RESULT' after the arguments of %s()", sc->name);
    return perr_expected(p, what);
  }
  next(p);
  return parse_result(p, sc);
}

/* ---- events and the script ---- */

static int parse_event(parser *p, sc_event *ev) {
  ev->line = cur(p)->line;
  /* nplab packetdrill runs a `command` given no time at once: as +0 */
  if (cur(p)->kind == SC_TOK_COMMAND) ev->time = (sc_time){.kind = SC_TIME_RELATIVE};
  else TRY(parse_time(p, &ev->time));
  const sc_tok *t = cur(p);
  if (is_punct(t, '<') || is_punct(t, '>')) return parse_packet(p, ev);
  if (t->kind == SC_TOK_WORD && is_punct(ahead(p, 1), '(')) return parse_syscall(p, ev);
  if (t->kind == SC_TOK_COMMAND || t->kind == SC_TOK_CODE) {
    if (ev->time.range || ev->time.blocking)
      return perr_at(p, ev->line, "time ranges and '...' are not for commands or code");
    ev->kind = t->kind == SC_TOK_COMMAND ? SC_EV_COMMAND : SC_EV_CODE;
    ev->text = sc_arena_strndup(&p->s->arena, t->text, t->len);
    next(p);
    return 0;
  }
  return perr_expected(p, "a packet (< or >), a system call, a `command` or %{ code }% after the time");
}

static void add_option(parser *p, const sc_tok *t) {
  sc_option *o = sc_arena_alloc(&p->s->arena, sizeof *o);
  const char *eq = memchr(t->text, '=', t->len);
  size_t nlen = eq ? (size_t)(eq - t->text) : t->len;
  /* "--define NAME" with a space: the name is the value */
  const char *sp = memchr(t->text, ' ', nlen);
  if (sp && !eq) {
    nlen = (size_t)(sp - t->text);
    eq = sp;
  }
  o->name = sc_arena_strndup(&p->s->arena, t->text, nlen);
  if (eq) {
    const char *v = eq + 1;
    while (v < t->text + t->len && isspace((unsigned char)*v)) v++;
    o->value = sc_arena_strndup(&p->s->arena, v, (size_t)(t->text + t->len - v));
  }
  o->line = t->line;
  sc_option **tail = &p->s->options;
  while (*tail) tail = &(*tail)->next;
  *tail = o;
}

static int parse_script(parser *p) {
  sc_event **tail = &p->s->events;
  while (cur(p)->kind != SC_TOK_EOF) {
    if (cur(p)->kind == SC_TOK_OPTION) {
      if (p->s->events) return perr_at(p, cur(p)->line, "option lines (--%.*s) must come before the first event",
                                       (int)cur(p)->len, cur(p)->text);
      add_option(p, cur(p));
      next(p);
      continue;
    }
    sc_event *ev = sc_arena_alloc(&p->s->arena, sizeof *ev);
    TRY(parse_event(p, ev));
    *tail = ev;
    tail = &ev->next;
    p->s->nevents++;
  }
  return 0;
}

sc_script *sc_parse(const char *name, const char *text, size_t len, const sc_defines *defines,
                    sc_error *err) {
  memset(err, 0, sizeof *err);
  sc_tokens toks;
  if (sc_lex(text, len, defines, &toks, err)) return NULL;
  sc_arena arena = {NULL};
  sc_script *s = sc_arena_alloc(&arena, sizeof *s);
  s->arena = arena;
  s->name = sc_arena_strndup(&s->arena, name, strlen(name));
  parser p = {&toks, 0, s, err};
  int rc = parse_script(&p);
  sc_lex_free(&toks);
  if (rc) {
    sc_script_free(s);
    return NULL;
  }
  return s;
}

void sc_script_free(sc_script *s) {
  if (!s) return;
  sc_arena arena = s->arena;
  sc_arena_free(&arena);
}
