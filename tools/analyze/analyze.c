/* lucidtcp analyze: options, the one pass over the captures, the progress line. */
#include "analyze/analyze.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyze/capture.h"
#include "analyze/report.h"
#include "analyze/track.h"

#define AN_EXIT_USAGE 2
#define AN_ARGS_MAX 256 /* captures on one command line */

const char analyze_usage[] =
    "usage: lucidtcp analyze [options] CAPTURE... [FILTER]\n"
    "\n"
    "Reads captures (pcap or pcapng, gzip'd or not; '-' is standard input) in one pass and\n"
    "reports every TCP connection: both endpoints, first and last packet, segments, bytes and\n"
    "retransmissions each way, the RTT (handshake and timestamps), the largest window, where\n"
    "the capture was taken, and the RFC 9293 state timeline of each end, inferred with the\n"
    "state table lucidtcp's own engine is checked against. Then the findings: CLOSE-WAIT or\n"
    "FIN-WAIT-2 left hanging, half-open connections, resets, SYNs unanswered or refused,\n"
    "repeated timeouts, zero-window stalls, out-of-window segments, simultaneous open and\n"
    "close, TIME-WAIT assassination, SYNs to a 4-tuple in TIME-WAIT, connections left open.\n"
    "Arguments after the captures form a BPF filter, as tcpdump takes it ('port 443').\n"
    "Link types: Ethernet, raw IP, Linux cooked (SLL, SLL2), BSD loopback. IPv4 and IPv6.\n"
    "\n"
    "options:\n"
    "  --format text|json   a block per connection (default; coloured on a terminal) or JSON\n"
    "                       Lines: one object per connection and per finding (docs/analyze.md)\n"
    "  --conn N             draw connection N as a ladder (as lucidtcp demo), then its block\n"
    "  --width N            fit --conn's ladder in N columns (60 to 1000; default: the\n"
    "                       terminal's width, else $COLUMNS, else 100)\n"
    "  --fail-on LEVEL      exit 1 if a finding of LEVEL or above exists: info, warning, error\n"
    "  --stuck SECONDS      CLOSE-WAIT, FIN-WAIT-2 or a zero window longer than this is a\n"
    "                       finding (default 1)\n"
    "  --time-wait SECONDS  how long an end stays in TIME-WAIT: 2*MSL (default 60, as Linux)\n"
    "  --max-conns N        connections tracked at once (default 262144); beyond, the least\n"
    "                       recently active is reported early\n"
    "  --color auto|always|never   colour the text (auto: only on a terminal, not with NO_COLOR)\n"
    "  --progress auto|always|never   a progress line on standard error (auto: on a terminal)\n"
    "\n"
    "Connections are reported when they are over (their TIME-WAIT ended in capture time) and\n"
    "at the end of the capture; frame numbers are those of the file, as tshark counts them.\n"
    "\n"
    "exit status: 0, or 1 with a finding at or above --fail-on; 2 for a bad option or a\n"
    "capture that cannot be read.\n";

typedef struct an_cli {
  const char *files[AN_ARGS_MAX];
  int nfiles;
  char *filter;
  int json, color, progress, fail_on, width;
  uint64_t conn;
  an_track_config cfg;
} an_cli;

static int an_usage(const char *fmt, const char *arg) {
  fprintf(stderr, "lucidtcp analyze: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nTry 'lucidtcp help analyze'.\n");
  return AN_EXIT_USAGE;
}

static int an_seconds(const char *v, ltcp_time_ns *out) {
  char *end;
  errno = 0;
  double x = strtod(v, &end);
  if (errno || end == v || *end || x < 0 || x > 1e6) return -1;
  *out = (ltcp_time_ns)(x * 1e9);
  return 0;
}

static int an_u64(const char *v, uint64_t *out) {
  char *end;
  errno = 0;
  if (*v == '-' || !*v) return -1;
  unsigned long long x = strtoull(v, &end, 10);
  if (errno || *end) return -1;
  *out = x;
  return 0;
}

static int an_tristate(const char *v, int *out) {
  if (strcmp(v, "auto") == 0) *out = -1;
  else if (strcmp(v, "always") == 0) *out = 1;
  else if (strcmp(v, "never") == 0) *out = 0;
  else return -1;
  return 0;
}

static int an_option(an_cli *c, const char *name, const char *v) {
  uint64_t u;
  if (strcmp(name, "--format") == 0) {
    if (strcmp(v, "text") && strcmp(v, "json")) return an_usage("--format wants text or json, not '%s'", v);
    c->json = strcmp(v, "json") == 0;
  } else if (strcmp(name, "--conn") == 0) {
    if (an_u64(v, &u) || u == 0) return an_usage("--conn wants a connection number (1, 2, ...), not '%s'", v);
    c->conn = u;
  } else if (strcmp(name, "--width") == 0) {
    if (an_u64(v, &u) || u < DEMO_WIDTH_MIN || u > DEMO_WIDTH_MAX)
      return an_usage("--width wants a number of columns from 60 to 1000, not '%s'", v);
    c->width = (int)u;
  } else if (strcmp(name, "--fail-on") == 0) {
    if (strcmp(v, "info") == 0) c->fail_on = AN_INFO;
    else if (strcmp(v, "warning") == 0) c->fail_on = AN_WARNING;
    else if (strcmp(v, "error") == 0) c->fail_on = AN_ERROR;
    else return an_usage("--fail-on wants info, warning or error, not '%s'", v);
  } else if (strcmp(name, "--stuck") == 0) {
    if (an_seconds(v, &c->cfg.stuck_ns)) return an_usage("--stuck wants seconds, not '%s'", v);
  } else if (strcmp(name, "--time-wait") == 0) {
    if (an_seconds(v, &c->cfg.time_wait_ns)) return an_usage("--time-wait wants seconds, not '%s'", v);
  } else if (strcmp(name, "--max-conns") == 0) {
    if (an_u64(v, &u) || u == 0 || u > 100000000) return an_usage("--max-conns wants 1 to 100000000, not '%s'", v);
    c->cfg.max_conns = (uint32_t)u;
  } else if (strcmp(name, "--color") == 0 || strcmp(name, "--colour") == 0) {
    if (an_tristate(v, &c->color)) return an_usage("--color wants auto, always or never, not '%s'", v);
  } else if (strcmp(name, "--progress") == 0) {
    if (an_tristate(v, &c->progress)) return an_usage("--progress wants auto, always or never, not '%s'", v);
  }
  return 0;
}

/* A positional argument is a capture if it is '-' or names something that exists; the first
 * that does not begins the filter, which takes every argument after it. */
static int an_positional(an_cli *c, const char *a, size_t *filter_len, char **filter_parts, int *nparts) {
  struct stat st;
  if (*nparts == 0 && (strcmp(a, "-") == 0 || stat(a, &st) == 0)) {
    if (c->nfiles >= AN_ARGS_MAX) return an_usage("too many captures (at most 256), at '%s'", a);
    c->files[c->nfiles++] = a;
    return 0;
  }
  if (*nparts == 0 && c->nfiles == 0)
    return an_usage("%s: no such capture file", a);
  if (*nparts == 0 && (strchr(a, '/') || strstr(a, ".pcap") || strstr(a, ".gz")))
    return an_usage("%s: no such capture file (or is it meant as a filter?)", a);
  filter_parts[(*nparts)++] = (char *)a;
  *filter_len += strlen(a) + 1;
  return 0;
}

static int an_parse(an_cli *c, int argc, char **argv) {
  static const char *const valued[] = {"--format", "--conn", "--fail-on", "--stuck", "--time-wait",
                                       "--max-conns", "--color", "--colour", "--progress", "--width"};
  char *parts[AN_ARGS_MAX];
  int nparts = 0;
  size_t flen = 0;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      fputs(analyze_usage, stdout);
      exit(0);
    }
    int matched = 0;
    for (size_t k = 0; k < sizeof valued / sizeof valued[0] && !matched && nparts == 0; k++) {
      size_t n = strlen(valued[k]);
      if (strncmp(a, valued[k], n) != 0 || (a[n] != '\0' && a[n] != '=')) continue;
      matched = 1;
      const char *v = a[n] == '=' ? a + n + 1 : (i + 1 < argc ? argv[++i] : NULL);
      if (!v) return an_usage("option %s needs a value", valued[k]);
      int rc = an_option(c, valued[k], v);
      if (rc) return rc;
    }
    if (matched) continue;
    if (a[0] == '-' && a[1] && nparts == 0) return an_usage("unknown option '%s'", a);
    if (nparts >= AN_ARGS_MAX) return an_usage("filter too long at '%s'", a);
    int rc = an_positional(c, a, &flen, parts, &nparts);
    if (rc) return rc;
  }
  if (c->nfiles == 0) return an_usage("%s", "no capture named (a file, or - for standard input)");
  if (nparts) {
    if (!(c->filter = malloc(flen))) return an_usage("%s", "out of memory");
    c->filter[0] = '\0';
    for (int k = 0; k < nparts; k++) strcat(strcat(c->filter, k ? " " : ""), parts[k]);
  }
  return 0;
}

/* ---- the pass */

typedef struct an_run {
  an_cli *cli;
  an_track *track;
  an_report report;
  an_totals totals;
  struct timespec start, shown;
  int progress_shown;
} an_run;

static double an_elapsed(const struct timespec *a, const struct timespec *b) {
  return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* At most four times a second, and only after the first second. */
static void an_progress(an_run *r, an_capture *cap, int file) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  if (an_elapsed(&r->start, &now) < 1.0 || an_elapsed(&r->shown, &now) < 0.25) return;
  r->shown = now;
  r->progress_shown = 1;
  uint64_t size = an_capture_size(cap), off = an_capture_offset(cap);
  char pct[16] = "";
  if (size) snprintf(pct, sizeof pct, " %3.0f%%", 100.0 * (double)off / (double)size);
  fprintf(stderr, "\r\033[Klucidtcp analyze: %s%s  %llu frames, %.0f/s, %llu connections live",
          r->cli->files[file], pct, (unsigned long long)r->totals.frames,
          (double)r->totals.frames / an_elapsed(&r->start, &now),
          (unsigned long long)an_track_stats_get(r->track)->live);
}

static int an_read_file(an_run *r, int file) {
  char err[512];
  const char *path = r->cli->files[file];
  an_capture *cap = an_capture_open(path, NULL, 0, r->cli->filter, err, sizeof err);
  if (!cap) {
    fprintf(stderr, "lucidtcp analyze: %s\n", err);
    return -1;
  }
  int lt = an_capture_linktype(cap);
  if (!an_linktype_known(lt)) {
    fprintf(stderr, "lucidtcp analyze: %s: link type %d is not one analyze reads (Ethernet, raw "
            "IP, Linux cooked SLL/SLL2, loopback); skipped\n", path, lt);
    r->totals.read_errors++;
    an_capture_close(cap);
    return 0;
  }
  r->totals.files++;
  uint64_t frame, base = r->totals.frames;
  const uint8_t *data;
  size_t caplen;
  ltcp_time_ns t;
  int rc;
  while ((rc = an_capture_next(cap, &frame, &data, &caplen, &t, err, sizeof err)) == 1) {
    an_packet p;
    an_decode_result d = an_decode(lt, data, caplen, &p);
    r->totals.frames = base + frame;
    if (d != AN_DEC_OK) {
      r->totals.skipped[d]++;
      continue;
    }
    r->totals.tcp += p.kind == AN_PKT_TCP;
    if (!r->report.have_t0) r->report.t0 = t, r->report.have_t0 = 1;
    an_track_packet(r->track, base + frame, t, &p);
    if (r->cli->progress && (r->totals.frames & 0x3fff) == 0) an_progress(r, cap, file);
  }
  if (rc < 0) {
    fprintf(stderr, "lucidtcp analyze: %s: %s after frame %llu; the rest is skipped\n", path, err,
            (unsigned long long)(r->totals.frames - base));
    r->totals.read_errors++;
  }
  an_capture_close(cap);
  return 0;
}

int analyze_main(int argc, char **argv) {
  an_cli c;
  memset(&c, 0, sizeof c);
  c.color = c.progress = -1;
  c.fail_on = AN_LEVELS; /* never */
  c.cfg.max_conns = 262144;
  c.cfg.time_wait_ns = LTCP_SEC(60);
  c.cfg.stuck_ns = LTCP_SEC(1);
  int rc = an_parse(&c, argc, argv);
  if (rc) return rc;
  if (c.color < 0) c.color = !c.json && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
  if (c.progress < 0) c.progress = isatty(STDERR_FILENO);
  c.cfg.record_conn = c.conn;
  an_run r;
  memset(&r, 0, sizeof r);
  r.cli = &c;
  an_report_init(&r.report, stdout, c.json, c.color, c.conn);
  r.report.ladder.width = c.width ? c.width : demo_terminal_width(STDOUT_FILENO);
  an_track_hooks hooks = an_report_hooks(&r.report);
  if (!(r.track = an_track_new(&c.cfg, &hooks))) {
    fprintf(stderr, "lucidtcp analyze: out of memory\n");
    free(c.filter);
    return AN_EXIT_USAGE;
  }
  clock_gettime(CLOCK_MONOTONIC, &r.start);
  int failed = 0;
  for (int f = 0; f < c.nfiles && !failed; f++) failed = an_read_file(&r, f) != 0;
  if (r.progress_shown) fprintf(stderr, "\r\033[K");
  if (!failed) {
    an_track_finish(r.track);
    r.totals.track = an_track_stats_get(r.track);
    an_report_summary(&r.report, &r.totals);
  }
  an_track_free(r.track);
  free(c.filter);
  if (failed) return AN_EXIT_USAGE;
  for (int l = c.fail_on; l < AN_LEVELS; l++)
    if (r.report.findings[l]) return 1;
  return 0;
}
