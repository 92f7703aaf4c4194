/* lucidtcp script: %{ }% code blocks: a small expression evaluator for assert statements on
 * tcpi_* fields (not Python: names, numbers, + - *, comparisons, not, and, or, parentheses). */
#include "script/code.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "script/report.h"

typedef struct expr_lexer {
  const char *p, *end;
  sc_run *r;
  int line;
  const ltcp_tcp_info *info;
  int full;
  int err;           /* 1 failed, 2 skipped */
  int depth;         /* nested '(' and unary '-' being read: bounded by EX_DEPTH_MAX */
} expr_lexer;

#define EX_DEPTH_MAX 64 /* nesting a %{ }% expression may have (the evaluator recurses) */

static void ex_space(expr_lexer *e) {
  while (e->p < e->end && isspace((unsigned char)*e->p)) e->p++;
}

static int ex_take(expr_lexer *e, const char *tok) {
  ex_space(e);
  size_t n = strlen(tok);
  if ((size_t)(e->end - e->p) < n || memcmp(e->p, tok, n) != 0) return 0;
  if (isalpha((unsigned char)tok[0]) && e->p + n < e->end && (isalnum((unsigned char)e->p[n]) || e->p[n] == '_')) return 0;
  e->p += n;
  return 1;
}

/* Linux's enum for tcpi_state. */
static int64_t linux_state(ltcp_state s) {
  static const int64_t v[] = {7, 10, 2, 3, 1, 4, 5, 8, 11, 9, 6};
  return s < LTCP_STATE_COUNT ? v[s] : 7;
}

typedef struct ex_name_value {
  const char *name;
  int64_t value;
} ex_name_value;

static const ex_name_value ex_states[] = {
    {"TCP_ESTABLISHED", 1}, {"TCP_SYN_SENT", 2},  {"TCP_SYN_RECV", 3},   {"TCP_SYN_RECEIVED", 3},
    {"TCP_FIN_WAIT1", 4},   {"TCP_FIN_WAIT_1", 4}, {"TCP_FIN_WAIT2", 5}, {"TCP_FIN_WAIT_2", 5},
    {"TCP_TIME_WAIT", 6},   {"TCP_CLOSE", 7},     {"TCP_CLOSED", 7},     {"TCP_CLOSE_WAIT", 8},
    {"TCP_LAST_ACK", 9},    {"TCP_LISTEN", 10},   {"TCP_CLOSING", 11},   {"True", 1}, {"False", 0},
    /* tcpi_options bits (Linux's and FreeBSD's netinet/tcp.h) */
    {"TCPI_OPT_TIMESTAMPS", 1}, {"TCPI_OPT_SACK", 2}, {"TCPI_OPT_WSCALE", 4}, {"TCPI_OPT_ECN", 8},
    {"TCPI_OPT_TOE", 16}};

/* FreeBSD's state names (netinet/tcp_fsm.h), after TCPI_ (packetdrill's) or TCPS_, in
 * ltcp_state order. */
static const char *const ex_freebsd_states[] = {"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED",
                                                "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2",
                                                "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT"};

/* TCPI_<state> or TCPS_<state>: the state, in the one numbering tcpi_state uses here (Linux's),
 * so scripts of either system compare states by name; -1 if name is not one. */
static int64_t ex_freebsd_name(const char *name) {
  if (strncmp(name, "TCPI_", 5) != 0 && strncmp(name, "TCPS_", 5) != 0) return -1;
  for (uint32_t k = 0; k < LTCP_STATE_COUNT; k++)
    if (strcmp(name + 5, ex_freebsd_states[k]) == 0) return linux_state((ltcp_state)k);
  return -1;
}

static int64_t ex_fail(expr_lexer *e, int kind, const char *fmt, const char *arg) {
  if (e->err) return 0;
  e->err = kind;
  if (kind == 1) sc_fail(e->r, e->line, fmt, arg);
  else sc_skip(e->r, e->line, fmt, arg);
  return 0;
}

static int64_t ex_field(expr_lexer *e, const char *name) {
  static const char *const known = "unsupported: %s in %%{ }%% (lucidtcp answers tcpi_state tcpi_snd_mss "
                                   "tcpi_rcv_mss tcpi_rto tcpi_rtt tcpi_rttvar tcpi_retransmits "
                                   "tcpi_options)";
  const ltcp_tcp_info *i = e->info;
  if (strcmp(name, "tcpi_state") == 0) return linux_state(i->state);
  int64_t v;
  if (strcmp(name, "tcpi_options") == 0) v = (i->timestamps_ok ? 1 : 0) | (i->sack_ok ? 2 : 0) | (i->wscale_ok ? 4 : 0);
  else if (strcmp(name, "tcpi_snd_mss") == 0) v = i->snd_mss;
  else if (strcmp(name, "tcpi_rcv_mss") == 0) v = i->rcv_mss;
  else if (strcmp(name, "tcpi_rto") == 0) v = (int64_t)(i->rto_ns / 1000);
  else if (strcmp(name, "tcpi_rtt") == 0) v = (int64_t)(i->srtt_ns / 1000);
  else if (strcmp(name, "tcpi_rttvar") == 0) v = (int64_t)(i->rttvar_ns / 1000);
  else if (strcmp(name, "tcpi_retransmits") == 0) v = i->retransmits;
  else return ex_fail(e, 2, known, name);
  if (!e->full) return ex_fail(e, 1, "%s: the socket under test holds no connection (only tcpi_state is known)", name);
  return v;
}

static int64_t ex_or(expr_lexer *e);

static int64_t ex_atom_nested(expr_lexer *e);

/* One operand: a number, a name, (EXPR) or -ATOM. Nesting is bounded, so a script cannot
 * exhaust the stack. */
static int64_t ex_atom(expr_lexer *e) {
  if (e->depth >= EX_DEPTH_MAX)
    return ex_fail(e, 1, "%%{ }%%: the expression nests too deeply (more than 64 levels)%s", "");
  e->depth++;
  int64_t v = ex_atom_nested(e);
  e->depth--;
  return v;
}

/* The arithmetic is checked: a result outside int64_t fails the script (it would be undefined
 * behaviour in C), naming the operation. */
static int64_t ex_overflow(expr_lexer *e, const char *op) {
  return ex_fail(e, 1, "%%{ }%%: %s overflows a 64-bit signed integer", op);
}

static int64_t ex_atom_nested(expr_lexer *e) {
  ex_space(e);
  if (e->err || e->p == e->end) return ex_fail(e, 1, "%%{ }%%: expression ends too early%s", "");
  if (ex_take(e, "(")) {
    int64_t v = ex_or(e);
    if (!ex_take(e, ")")) return ex_fail(e, 1, "%%{ }%%: missing ')'%s", "");
    return v;
  }
  if (ex_take(e, "-")) {
    int64_t v = ex_atom(e), neg;
    if (__builtin_sub_overflow((int64_t)0, v, &neg)) return ex_overflow(e, "'-' (negation)");
    return neg;
  }
  if (isdigit((unsigned char)*e->p)) {
    char *end;
    errno = 0;
    long long v = strtoll(e->p, &end, 0);
    if (errno == ERANGE) {
      char num[32];
      size_t n = (size_t)(end - e->p) < sizeof num - 1 ? (size_t)(end - e->p) : sizeof num - 1;
      memcpy(num, e->p, n);
      num[n] = '\0';
      return ex_fail(e, 1, "%%{ }%%: the number %s does not fit a 64-bit signed integer", num);
    }
    e->p = end;
    return (int64_t)v;
  }
  if (isalpha((unsigned char)*e->p) || *e->p == '_') {
    char name[64];
    size_t n = 0;
    while (e->p < e->end && (isalnum((unsigned char)*e->p) || *e->p == '_') && n + 1 < sizeof name) name[n++] = *e->p++;
    name[n] = '\0';
    for (size_t k = 0; k < sizeof ex_states / sizeof ex_states[0]; k++)
      if (strcmp(ex_states[k].name, name) == 0) return ex_states[k].value;
    int64_t bsd = ex_freebsd_name(name);
    if (bsd >= 0) return bsd;
    if (strncmp(name, "tcpi_", 5) == 0) return ex_field(e, name);
    return ex_fail(e, 2, "unsupported: the name %s in %%{ }%%", name);
  }
  char c[2] = {*e->p, 0};
  return ex_fail(e, 1, "%%{ }%%: unexpected '%s'", c);
}

static int64_t ex_sum(expr_lexer *e) {
  int64_t v = ex_atom(e);
  for (int i = 0; i < 64 && !e->err; i++) {
    int64_t w;
    if (ex_take(e, "+")) {
      if (__builtin_add_overflow(v, ex_atom(e), &w)) return ex_overflow(e, "'+'");
    } else if (ex_take(e, "-")) {
      if (__builtin_sub_overflow(v, ex_atom(e), &w)) return ex_overflow(e, "'-'");
    } else if (ex_take(e, "*")) {
      if (__builtin_mul_overflow(v, ex_atom(e), &w)) return ex_overflow(e, "'*'");
    } else if (ex_take(e, "|")) {
      w = v | ex_atom(e);
    } else if (ex_take(e, "&")) {
      w = v & ex_atom(e);
    } else {
      break;
    }
    v = w;
  }
  return v;
}

static int64_t ex_cmp(expr_lexer *e) {
  int64_t a = ex_sum(e);
  if (ex_take(e, "==")) return a == ex_sum(e);
  if (ex_take(e, "!=")) return a != ex_sum(e);
  if (ex_take(e, "<=")) return a <= ex_sum(e);
  if (ex_take(e, ">=")) return a >= ex_sum(e);
  if (ex_take(e, "<")) return a < ex_sum(e);
  if (ex_take(e, ">")) return a > ex_sum(e);
  return a;
}

static int64_t ex_not(expr_lexer *e) {
  if (!ex_take(e, "not")) return ex_cmp(e);
  if (e->depth >= EX_DEPTH_MAX)
    return ex_fail(e, 1, "%%{ }%%: the expression nests too deeply (more than 64 levels)%s", "");
  e->depth++;
  int64_t v = !ex_not(e);
  e->depth--;
  return v;
}

static int64_t ex_and(expr_lexer *e) {
  int64_t v = ex_not(e);
  while (!e->err && ex_take(e, "and")) v = ex_not(e) && v;
  return v;
}

static int64_t ex_or(expr_lexer *e) {
  int64_t v = ex_and(e);
  while (!e->err && ex_take(e, "or")) v = ex_and(e) || v;
  return v;
}

/* The expression of "assert EXPR[, message]": up to a comma outside parentheses. */
static size_t assert_expr_len(const char *s, size_t n) {
  int depth = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '(') depth++;
    else if (s[i] == ')') depth--;
    else if (s[i] == ',' && depth == 0) return i;
  }
  return n;
}

static void code_statement(sc_run *r, int line, const char *s, size_t n, const ltcp_tcp_info *info, int full) {
  while (n && isspace((unsigned char)*s)) s++, n--;
  while (n && isspace((unsigned char)s[n - 1])) n--;
  if (n == 0 || s[0] == '#') return;
  if (n < 7 || strncmp(s, "assert", 6) != 0 || !isspace((unsigned char)s[6])) {
    sc_skip(r, line, "unsupported: python code '%.*s' (lucidtcp runs assert statements on tcpi_* fields)", (int)n, s);
    return;
  }
  size_t len = assert_expr_len(s + 7, n - 7);
  expr_lexer e = {s + 7, s + 7 + len, r, line, info, full, 0, 0};
  int64_t v = ex_or(&e);
  ex_space(&e);
  if (!e.err && e.p != e.end) ex_fail(&e, 1, "%%{ }%%: cannot read the rest of '%s'", e.p);
  if (e.err || v) return;
  sc_fail(r, line, "assertion failed: %.*s", (int)len, s + 7);
  sc_detail(r, "actual: tcpi_state is %lld (%s)", (long long)linux_state(info->state), ltcp_state_name(info->state));
}

void sc_code_run(sc_run *r, const sc_event *ev, const ltcp_tcp_info *info, int full) {
  sc_trace(r, "%%{%s}%%", ev->text);
  const char *s = ev->text;
  int line = ev->line;
  for (size_t i = 0; i < 4096 && *s && !r->done; i++) {
    size_t n = strcspn(s, "\n;");
    code_statement(r, line, s, n, info, full);
    if (s[n] == '\n') line++;
    s += n + (s[n] ? 1 : 0);
  }
}
