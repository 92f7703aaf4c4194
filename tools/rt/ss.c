/* lucidtcp ss (ss.h): the control socket's listing, filtered and printed as ss -tin does. */
#include "rt/ss.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lucidtcp/lucidtcp.h"
#include "rt/control.h"

#define SS_EXIT_FAIL 1
#define SS_EXIT_USAGE 2
#define SS_REPLY_MAX (64u << 20) /* a listing larger than this is refused */
#define SS_ALL ((1u << LTCP_STATE_COUNT) - 1)
#define SS_BIT(s) (1u << (s))
#define SS_CONNECTED (SS_ALL & ~SS_BIT(LTCP_LISTEN) & ~SS_BIT(LTCP_CLOSED))

const char ss_usage[] =
    "usage: lucidtcp ss --control PATH [-a|-l] [state STATE...] [--watch [SECS] [--count N]]\n"
    "                   [--format text|json]\n"
    "\n"
    "Lists the connections of a running lucidtcp serve, connect or get, which opened the\n"
    "control socket PATH (--control PATH), one line per connection as 'ss -tin' does: state,\n"
    "receive and send queues, local and peer address, then the round-trip time (smoothed/\n"
    "variation, ms), the retransmission timeout (ms), the congestion window and slow-start\n"
    "threshold (bytes), the retransmissions of the current segment, and the timers armed with\n"
    "the time left. TIME-WAIT and half-open connections held as compact records show their\n"
    "timer only.\n"
    "\n"
    "options:\n"
    "  --control PATH       the control socket (required)\n"
    "  state STATE...       only connections in these states, as ss names them: established,\n"
    "                       syn-sent, syn-recv, fin-wait-1, fin-wait-2, time-wait, closed,\n"
    "                       close-wait, last-ack, listening, closing, or all, connected (all\n"
    "                       but listening and closed), synchronized (connected but\n"
    "                       syn-sent), bucket (syn-recv, time-wait), big (all but bucket);\n"
    "                       RFC 9293's names (SYN-RECEIVED, LISTEN, ...) too. Default:\n"
    "                       connected\n"
    "  -a, --all            all states, listeners included\n"
    "  -l, --listening      listeners only\n"
    "  --watch [SECS]       list again every SECS seconds (default 1) until interrupted\n"
    "  --count N            with --watch: stop after N listings\n"
    "  --format text|json   a line per connection (default), or JSON Lines (docs/ss.md)\n"
    "\n"
    "exit status: 0; 1 when the socket does not answer (or answers wrongly); 2 for a bad\n"
    "option or a PATH that is not a socket.\n";

typedef struct ss_cli {
  const char *control;
  uint32_t states;        /* 0 until a filter is given */
  int json;
  double watch;           /* 0: once */
  uint64_t count;         /* 0: until interrupted */
} ss_cli;

static int ss_usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "lucidtcp ss: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nTry 'lucidtcp help ss'.\n");
  return SS_EXIT_USAGE;
}

/* ---- states as ss names them */

static int ss_state_mask(const char *name, uint32_t *mask) {
  static const struct {
    const char *name;
    uint32_t mask;
  } names[] = {
      {"established", SS_BIT(LTCP_ESTABLISHED)}, {"syn-sent", SS_BIT(LTCP_SYN_SENT)},
      {"syn-recv", SS_BIT(LTCP_SYN_RECEIVED)},   {"fin-wait-1", SS_BIT(LTCP_FIN_WAIT_1)},
      {"fin-wait-2", SS_BIT(LTCP_FIN_WAIT_2)},   {"time-wait", SS_BIT(LTCP_TIME_WAIT)},
      {"closed", SS_BIT(LTCP_CLOSED)},           {"close-wait", SS_BIT(LTCP_CLOSE_WAIT)},
      {"last-ack", SS_BIT(LTCP_LAST_ACK)},       {"listening", SS_BIT(LTCP_LISTEN)},
      {"listen", SS_BIT(LTCP_LISTEN)},           {"closing", SS_BIT(LTCP_CLOSING)},
      {"all", SS_ALL},                           {"connected", SS_CONNECTED},
      {"synchronized", SS_CONNECTED & ~SS_BIT(LTCP_SYN_SENT)},
      {"bucket", SS_BIT(LTCP_SYN_RECEIVED) | SS_BIT(LTCP_TIME_WAIT)},
      {"big", SS_ALL & ~(SS_BIT(LTCP_SYN_RECEIVED) | SS_BIT(LTCP_TIME_WAIT))},
  };
  for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
    if (strcasecmp(name, names[k].name) == 0) return *mask |= names[k].mask, 0;
  for (int s = 0; s < LTCP_STATE_COUNT; s++)
    if (strcasecmp(name, ltcp_state_name((ltcp_state)s)) == 0) return *mask |= SS_BIT(s), 0;
  return -1;
}

static int ss_parse_number(const char *v, double lo, double hi, double *out) {
  char *end;
  errno = 0;
  double x = strtod(v, &end);
  if (errno || end == v || *end || !(x >= lo && x <= hi)) return -1;
  *out = x;
  return 0;
}

/* "state A B ...": the words after it that name states. */
static int ss_parse_states(ss_cli *c, int argc, char **argv, int *i) {
  if (*i + 1 >= argc) return ss_usage_error("%s", "state needs a state name (ss's, e.g. close-wait)");
  int taken = 0;
  while (*i + 1 < argc && argv[*i + 1][0] != '-' && strcmp(argv[*i + 1], "state") != 0) {
    if (ss_state_mask(argv[*i + 1], &c->states) != 0)
      return ss_usage_error("unknown state '%s' (lucidtcp help ss names them)", argv[*i + 1]);
    ++*i;
    taken++;
  }
  return taken ? 0 : ss_usage_error("%s", "state needs a state name (ss's, e.g. close-wait)");
}

static int ss_parse_value(ss_cli *c, const char *name, const char *v) {
  double x;
  if (strcmp(name, "--control") == 0) {
    c->control = v;
  } else if (strcmp(name, "--count") == 0) {
    if (ss_parse_number(v, 1, 1e9, &x) || x != (double)(uint64_t)x)
      return ss_usage_error("--count wants a number of listings from 1, not '%s'", v);
    c->count = (uint64_t)x;
  } else if (strcmp(name, "--format") == 0) {
    if (strcmp(v, "text") && strcmp(v, "json")) return ss_usage_error("--format wants text or json, not '%s'", v);
    c->json = strcmp(v, "json") == 0;
  }
  return 0;
}

static int ss_parse(ss_cli *c, int argc, char **argv) {
  static const char *const valued[] = {"--control", "--count", "--format"};
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "state") == 0) {
      int rc = ss_parse_states(c, argc, argv, &i);
      if (rc) return rc;
      continue;
    }
    if (strcmp(a, "-a") == 0 || strcmp(a, "--all") == 0) { c->states |= SS_ALL; continue; }
    if (strcmp(a, "-l") == 0 || strcmp(a, "--listening") == 0) { c->states |= SS_BIT(LTCP_LISTEN); continue; }
    if (strcmp(a, "--watch") == 0) {
      c->watch = 1;
      if (i + 1 < argc && argv[i + 1][0] != '-' && strcmp(argv[i + 1], "state") != 0 &&
          ss_parse_number(argv[++i], 0.05, 86400, &c->watch) != 0)
        return ss_usage_error("--watch wants seconds from 0.05 to 86400, not '%s'", argv[i]);
      continue;
    }
    size_t k;
    for (k = 0; k < sizeof valued / sizeof valued[0]; k++) {
      size_t n = strlen(valued[k]);
      if (strncmp(a, valued[k], n) != 0 || (a[n] && a[n] != '=')) continue;
      const char *v = a[n] == '=' ? a + n + 1 : (i + 1 < argc ? argv[++i] : NULL);
      if (!v) return ss_usage_error("option %s needs a value", valued[k]);
      int rc = ss_parse_value(c, valued[k], v);
      if (rc) return rc;
      break;
    }
    if (k == sizeof valued / sizeof valued[0]) return ss_usage_error("unknown option '%s'", a);
  }
  if (!c->control) return ss_usage_error("%s", "--control PATH is required: the socket serve, "
                                         "connect or get opened with --control");
  if (c->count && c->watch == 0) return ss_usage_error("%s", "--count goes with --watch");
  if (!c->states) c->states = SS_CONNECTED;
  return 0;
}

/* ---- asking */

/* The listing, read to the end; NULL after a message (*rc set). */
static char *ss_fetch(const ss_cli *c, int *rc) {
  struct sockaddr_un sa;
  struct stat sb;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  if (strlen(c->control) >= sizeof sa.sun_path || stat(c->control, &sb) != 0 || !S_ISSOCK(sb.st_mode)) {
    fprintf(stderr, "lucidtcp ss: '%s' is not a control socket (%s): start serve, connect or "
            "get with --control %s\n", c->control,
            strlen(c->control) >= sizeof sa.sun_path ? "too long" :
            errno && stat(c->control, &sb) != 0 ? strerror(errno) : "not a socket", c->control);
    *rc = SS_EXIT_USAGE;
    return NULL;
  }
  memcpy(sa.sun_path, c->control, strlen(c->control));
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    fprintf(stderr, "lucidtcp ss: cannot reach '%s': %s (is its command still running?)\n",
            c->control, strerror(errno));
    if (fd >= 0) close(fd);
    *rc = SS_EXIT_FAIL;
    return NULL;
  }
  size_t len = 0, cap = 65536;
  char *buf = malloc(cap + 1);
  ssize_t k = 0;
  while (buf && (k = read(fd, buf + len, cap - len)) != 0) {
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) break;
    len += (size_t)k;
    if (len == cap) {
      char *b = cap < SS_REPLY_MAX ? realloc(buf, cap * 2 + 1) : NULL;
      if (!b) break;
      buf = b;
      cap *= 2;
    }
  }
  close(fd);
  if (!buf || k != 0) {
    fprintf(stderr, "lucidtcp ss: reading '%s' failed: %s\n", c->control,
            buf ? strerror(errno) : "out of memory");
    free(buf);
    *rc = SS_EXIT_FAIL;
    return NULL;
  }
  buf[len] = '\0';
  return buf;
}

/* ---- one connection's line */

typedef struct ss_conn {
  char state[16], local[LTCP_ENDPOINT_STRLEN], remote[LTCP_ENDPOINT_STRLEN];
  char timers[160], delack[24];
  unsigned long long id, recvq, sendq, unacked, srtt_us, rttvar_us, rto_us, cwnd, ssthresh,
      retrans, mss, compact, asleep;
  long long fd;
} ss_conn;

/* The value of key= in a listing line (up to the next space). */
static int ss_field(const char *line, const char *key, char *buf, size_t cap) {
  char pat[24];
  int n = snprintf(pat, sizeof pat, " %s=", key);
  const char *p = strstr(line, pat);
  if (!p) return -1;
  p += n;
  size_t len = strcspn(p, " \n");
  if (len >= cap) len = cap - 1;
  memcpy(buf, p, len);
  buf[len] = '\0';
  return 0;
}

static unsigned long long ss_u(const char *line, const char *key) {
  char v[32];
  return ss_field(line, key, v, sizeof v) == 0 ? strtoull(v, NULL, 10) : 0;
}

static int ss_conn_parse(const char *line, ss_conn *c) {
  memset(c, 0, sizeof *c);
  if (ss_field(line, "state", c->state, sizeof c->state) || ss_field(line, "local", c->local, sizeof c->local) ||
      ss_field(line, "remote", c->remote, sizeof c->remote))
    return -1;
  ss_field(line, "timers", c->timers, sizeof c->timers);
  ss_field(line, "delack", c->delack, sizeof c->delack);
  char fd[24] = "-1";
  ss_field(line, "fd", fd, sizeof fd);
  c->fd = strtoll(fd, NULL, 10);
  c->id = ss_u(line, "id");
  c->recvq = ss_u(line, "recvq");
  c->sendq = ss_u(line, "sendq");
  c->unacked = ss_u(line, "unacked");
  c->srtt_us = ss_u(line, "srtt_us");
  c->rttvar_us = ss_u(line, "rttvar_us");
  c->rto_us = ss_u(line, "rto_us");
  c->cwnd = ss_u(line, "cwnd");
  c->ssthresh = ss_u(line, "ssthresh");
  c->retrans = ss_u(line, "retrans");
  c->mss = ss_u(line, "mss");
  c->compact = ss_u(line, "compact");
  c->asleep = ss_u(line, "asleep");
  return 0;
}

static int ss_state_of(const char *name) {
  for (int s = 0; s < LTCP_STATE_COUNT; s++)
    if (strcmp(name, ltcp_state_name((ltcp_state)s)) == 0) return s;
  return -1;
}

/* "7.2s", "200ms", "0ms" from nanoseconds as text. */
static void ss_duration(const char *ns, char *buf, size_t cap) {
  double s = strtod(ns, NULL) / 1e9;
  if (s >= 10) snprintf(buf, cap, "%.0fs", s);
  else if (s >= 1) snprintf(buf, cap, "%.1fs", s);
  else snprintf(buf, cap, "%.0fms", s * 1e3);
}

/* "retransmit:200000000,keep-alive:..." as "(retransmit,200ms)(keep-alive,7199s)". */
static void ss_timers_text(const ss_conn *c, char *out, size_t cap) {
  char t[160];
  size_t n = 0;
  snprintf(t, sizeof t, "%s", c->timers);
  out[0] = '\0';
  for (char *save = NULL, *item = strtok_r(t, ",", &save); item && n < cap;
       item = strtok_r(NULL, ",", &save)) {
    char *colon = strchr(item, ':'), d[24];
    if (!colon || strcmp(item, "-") == 0) continue;
    *colon = '\0';
    ss_duration(colon + 1, d, sizeof d);
    int w = snprintf(out + n, cap - n, "(%s,%s)", item, d);
    if (w > 0 && (size_t)w < cap - n) n += (size_t)w;
  }
  if (strcmp(c->delack, "-") != 0 && c->delack[0] && n < cap) {
    char d[24];
    ss_duration(c->delack, d, sizeof d);
    snprintf(out + n, cap - n, "(delayed-ack,%s)", d);
  }
}

static const char *ss_peer(const char *remote) {
  return strcmp(remote, "0.0.0.0:0") == 0 || strcmp(remote, "[::]:0") == 0 ? "*:*" : remote;
}

/* A listener bound to any address (either family) shows as "*:PORT", as ss shows a dual-stack
 * one; anything else as it came. */
static const char *ss_local(const char *local, char *buf, size_t cap) {
  if (strncmp(local, "0.0.0.0:", 8) != 0 && strncmp(local, "[::]:", 5) != 0) return local;
  snprintf(buf, cap, "*:%s", strrchr(local, ':') + 1);
  return buf;
}

static void ss_print_text(const ss_conn *c) {
  char timers[256], ss[24] = "", local[LTCP_ENDPOINT_STRLEN];
  ss_timers_text(c, timers, sizeof timers);
  printf("%-12s %6llu %6llu  %-21s %-21s ", c->state, c->recvq, c->sendq,
         ss_local(c->local, local, sizeof local), ss_peer(c->remote));
  if (c->compact) {
    printf(" compact timer:%s\n", timers[0] ? timers : "-");
    return;
  }
  if (strcmp(c->state, "LISTEN") == 0) { /* nothing sent or timed: the endpoints say it all */
    printf("\n");
    return;
  }
  if (c->ssthresh && c->ssthresh < 0x7fffffffULL) snprintf(ss, sizeof ss, " ssthresh:%llu", c->ssthresh);
  printf(" rtt:%.3f/%.3f rto:%.0f mss:%llu cwnd:%llu%s retrans:%llu%s%s%s\n",
         (double)c->srtt_us / 1e3, (double)c->rttvar_us / 1e3, (double)c->rto_us / 1e3, c->mss,
         c->cwnd, ss, c->retrans, c->asleep ? " asleep" : "", timers[0] ? " timer:" : "", timers);
}

static void ss_print_json(const ss_conn *c, uint64_t round) {
  printf("{\"round\":%llu,\"id\":%llu,\"state\":\"%s\",\"local\":\"%s\",\"remote\":\"%s\","
         "\"fd\":%lld,\"recv_q\":%llu,\"send_q\":%llu,\"unacked\":%llu,\"srtt_us\":%llu,"
         "\"rttvar_us\":%llu,\"rto_us\":%llu,\"mss\":%llu,\"cwnd\":%llu,\"ssthresh\":%llu,"
         "\"retrans\":%llu,\"compact\":%s,\"asleep\":%s,\"timers\":{",
         (unsigned long long)round, c->id, c->state, c->local, c->remote, c->fd, c->recvq,
         c->sendq, c->unacked, c->srtt_us, c->rttvar_us, c->rto_us, c->mss, c->cwnd, c->ssthresh,
         c->retrans, c->compact ? "true" : "false", c->asleep ? "true" : "false");
  char t[160];
  snprintf(t, sizeof t, "%s", c->timers);
  int first = 1;
  for (char *save = NULL, *item = strtok_r(t, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
    char *colon = strchr(item, ':');
    if (!colon) continue;
    *colon = '\0';
    printf("%s\"%s\":%s", first ? "" : ",", item, colon + 1);
    first = 0;
  }
  if (strcmp(c->delack, "-") != 0 && c->delack[0]) printf("%s\"delayed-ack\":%s", first ? "" : ",", c->delack);
  printf("}}\n");
}

/* Prints the listing's connections that pass the filter. 0, or SS_EXIT_FAIL for a reply that
 * is not a listing. */
static int ss_print(const ss_cli *c, char *reply, uint64_t round) {
  if (strncmp(reply, "lucidtcp-control 1 ", 19) != 0 || strstr(reply, "\nend\n") == NULL) {
    fprintf(stderr, "lucidtcp ss: '%s' answered %s\n", c->control,
            strstr(reply, " busy") ? "busy: too many listings at once; try again"
                                   : "something that is not a listing");
    return SS_EXIT_FAIL;
  }
  char *save = NULL, *line = strtok_r(reply, "\n", &save);
  if (!c->json && round) printf("\n");
  if (!c->json)
    printf("%-12s %6s %6s  %-21s %-21s  Info\n", "State", "Recv-Q", "Send-Q", "Local Address:Port",
           "Peer Address:Port");
  for (line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    ss_conn conn;
    if (strncmp(line, "conn ", 5) != 0 || ss_conn_parse(line, &conn) != 0) continue;
    int s = ss_state_of(conn.state);
    if (s < 0 || !(c->states & SS_BIT(s))) continue;
    if (c->json) ss_print_json(&conn, round);
    else ss_print_text(&conn);
  }
  fflush(stdout);
  return 0;
}

int ss_main(int argc, char **argv) {
  for (int i = 0; i < argc; i++)
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      fputs(ss_usage, stdout);
      return 0;
    }
  ss_cli c = {0};
  int rc = ss_parse(&c, argc, argv);
  if (rc) return rc;
  /* bounded: --count listings, or until SIGINT ends the process */
  for (uint64_t round = 0; c.count == 0 || round < c.count; round++) {
    if (round) {
      struct timespec ts = {(time_t)c.watch, (long)((c.watch - (double)(time_t)c.watch) * 1e9)};
      while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
      }
    }
    char *reply = ss_fetch(&c, &rc);
    if (!reply) return rc;
    rc = ss_print(&c, reply, round);
    free(reply);
    if (rc || c.watch == 0) return rc;
  }
  return 0;
}
