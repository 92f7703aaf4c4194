/* lucidtcp: the command. Subcommands: demo (the main job), script (packetdrill scripts), analyze
 * (captures, tools/analyze, when built with libpcap); serve, connect and get
 * on a TUN device (tools/rt/, on the real-time skeleton). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef LTCP_HAVE_ANALYZE
#include "analyze/analyze.h"
#endif
#include "demo/demo.h"
#include "diagram/diagram.h"
#include "lucidtcp/version.h"
#include "rt/connect.h"
#include "rt/get.h"
#include "rt/serve.h"
#include "rt/ss.h"
#include "script/script.h"

#define EXIT_USAGE 2

/* The commands on a TUN device, run by the real-time skeleton (rt/realtime.h). */
static const rt_command *const rt_commands[] = {&serve_command, &connect_command, &get_command};
#define RT_COMMANDS (sizeof rt_commands / sizeof rt_commands[0])

static const rt_command *rt_find(const char *name) {
  for (size_t k = 0; k < RT_COMMANDS; k++)
    if (strcmp(name, rt_commands[k]->name) == 0) return rt_commands[k];
  return NULL;
}

static const char usage_main[] =
    "usage: lucidtcp <command> [options]\n"
    "\n"
    "lucidtcp is a user-space TCP/IP stack built around an exact RFC 9293 state machine.\n"
    "\n"
    "commands:\n"
    "  demo      two lucidtcp stacks talk over the built-in simulated network; the terminal\n"
    "            shows a ladder diagram of every segment and every state change of both ends\n"
    "  serve     a server (echo, discard, chargen, http:DIR) on lucidtcp's stack, reached\n"
    "            through a TUN device\n"
    "  connect   like nc: standard input to a connection, the connection to standard output\n"
    "  get       download a URL over HTTP/1.1, with a progress bar on a terminal\n"
    "  script    run packetdrill scripts against the stack in virtual time (PASS/FAIL/SKIP)\n"
    "  analyze   read captures (pcap, pcapng, gzip'd): every TCP connection's two endpoint\n"
    "            state timelines, statistics, and its faults named (CLOSE-WAIT, resets, ...)\n"
    "  diagram   RFC 9293's state diagram drawn with Graphviz (SVG, PNG or DOT), each arc\n"
    "            counted with its causes from a capture, a demo or a --trace log (--from)\n"
    "  ss        list the connections of a running serve, connect or get (their --control\n"
    "            socket) as ss -tin does: state, queues, RTT, RTO, cwnd, timers\n"
    "  help CMD  the options of a command\n"
    "  version   the version (as --version)\n"
    "\n"
    "options:\n"
    "  -h, --help     this text\n"
    "  --version      the version\n"
    "\n"
    "Run 'lucidtcp demo --list' for the scenarios.\n";

static const char usage_demo[] =
    "usage: lucidtcp demo [options]\n"
    "\n"
    "Runs a scenario between a client stack (198.18.0.1) and a server stack (198.18.0.2) over\n"
    "the simulated network, in virtual time: the run is instant and the same seed gives the same\n"
    "trace, byte for byte. The ladder shows the client on the left and the server on the right:\n"
    "each segment (flags, seq, ack, window, length) as it leaves, each state change at the\n"
    "moment it happens with its cause (a segment received, a call, a timer), and the calls the\n"
    "two applications make.\n"
    "\n"
    "options:\n"
    "  --scenario NAME     the scenario to run (default: handshake)\n"
    "  --list              name the scenarios, one line each\n"
    "  --loss P            lose each packet with probability P (0 <= P < 1; 0.05 or 5%)\n"
    "  --seed N            seed of the network's randomness and both stacks (default 1)\n"
    "  --latency MS        one-way delay in milliseconds (default 10)\n"
    "  --msl SECONDS       maximum segment lifetime; TIME-WAIT lasts 2*MSL (default 30)\n"
    "  --ipv6              run the scenario over IPv6: the client is 2001:db8::1, the server\n"
    "                      2001:db8::2 (each stack keeps its IPv4 address beside)\n"
    "  --pcap FILE         write every packet to FILE (pcap, LINKTYPE_RAW) for tshark/wireshark\n"
    "  --format text|json  a ladder diagram (default) or JSON Lines, one object per event\n"
    "  --color auto|always|never   colour the ladder (auto: only on a terminal, not with NO_COLOR)\n"
    "  --absolute          show raw sequence numbers instead of numbers relative to the ISN\n"
    "  --width N           fit the ladder in N columns (60 to 1000; default: the terminal's\n"
    "                      width, else $COLUMNS, else 100); long texts wrap in their column\n"
    "\n"
    "exit status: 0 when the scenario ran to its end, 1 when it did not, 2 for a bad option.\n";

#ifndef LTCP_HAVE_ANALYZE
#define ANALYZE_MISSING \
  "This lucidtcp was built without libpcap or zlib, which analyze reads captures with:\n" \
  "install them (Debian: libpcap-dev zlib1g-dev, or scripts/install-deps.sh) and rebuild.\n"
static const char analyze_usage[] = "usage: lucidtcp analyze [options] CAPTURE... [FILTER]\n\n" ANALYZE_MISSING;

static int analyze_main(int argc, char **argv) {
  (void)argc, (void)argv;
  fputs("lucidtcp analyze: " ANALYZE_MISSING, stderr);
  return 2;
}
#endif

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "lucidtcp: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nTry 'lucidtcp --help'.\n");
  return EXIT_USAGE;
}

/* Option parsing: "--name VALUE" and "--name=VALUE". Returns the value or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, int *err) {
  size_t n = strlen(name);
  if (strncmp(argv[*i], name, n) != 0) return NULL;
  if (argv[*i][n] == '=') return argv[*i] + n + 1;
  if (argv[*i][n] != '\0') return NULL;
  if (*i + 1 >= argc) {
    usage_error("option %s needs a value", name);
    *err = 1;
    return NULL;
  }
  return argv[++*i];
}

static int parse_u64(const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  if (*s == '-' || *s == '\0') return -1;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end) return -1;
  *out = v;
  return 0;
}

static int parse_double(const char *s, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s) return -1;
  if (*end == '%' && end[1] == '\0') v /= 100;
  else if (*end) return -1;
  *out = v;
  return 0;
}

static void demo_print_list(void) {
  size_t n;
  const demo_scenario *sc = demo_scenarios(&n);
  for (size_t i = 0; i < n; i++) printf("%-20s %s\n", sc[i].name, sc[i].summary);
}

typedef struct demo_cli {
  demo_options o;
  int json, color, absolute, list, width;
} demo_cli;

static int demo_parse_value(demo_cli *c, const char *name, const char *v) {
  uint64_t u;
  double x;
  if (strcmp(name, "--scenario") == 0) {
    if (!demo_find(v)) return usage_error("unknown scenario '%s' (lucidtcp demo --list names them)", v);
    c->o.scenario = v;
  } else if (strcmp(name, "--loss") == 0) {
    if (parse_double(v, &x) || x < 0 || x >= 1)
      return usage_error("--loss wants a probability from 0 to below 1, not '%s'", v);
    c->o.loss = x;
  } else if (strcmp(name, "--seed") == 0) {
    if (parse_u64(v, &u)) return usage_error("--seed wants a non-negative integer, not '%s'", v);
    c->o.seed = u;
  } else if (strcmp(name, "--latency") == 0) {
    if (parse_double(v, &x) || x < 0 || x > 60000)
      return usage_error("--latency wants milliseconds from 0 to 60000, not '%s'", v);
    c->o.latency_ns = (ltcp_time_ns)(x * 1e6);
  } else if (strcmp(name, "--msl") == 0) {
    if (parse_double(v, &x) || x <= 0 || x > 3600)
      return usage_error("--msl wants seconds above 0 and at most 3600, not '%s'", v);
    c->o.msl_ns = (ltcp_time_ns)(x * 1e9);
  } else if (strcmp(name, "--pcap") == 0) {
    c->o.pcap_path = v;
  } else if (strcmp(name, "--width") == 0) {
    if (parse_u64(v, &u) || u < DEMO_WIDTH_MIN || u > DEMO_WIDTH_MAX)
      return usage_error("--width wants a number of columns from 60 to 1000, not '%s'", v);
    c->width = (int)u;
  } else if (strcmp(name, "--format") == 0) {
    if (strcmp(v, "text") && strcmp(v, "json")) return usage_error("--format wants text or json, not '%s'", v);
    c->json = strcmp(v, "json") == 0;
  } else if (strcmp(name, "--color") == 0 || strcmp(name, "--colour") == 0) {
    if (strcmp(v, "auto") == 0) c->color = -1;
    else if (strcmp(v, "always") == 0) c->color = 1;
    else if (strcmp(v, "never") == 0) c->color = 0;
    else return usage_error("--color wants auto, always or never, not '%s'", v);
  }
  return 0;
}

static int demo_parse(demo_cli *c, int argc, char **argv) {
  static const char *const valued[] = {"--scenario", "--loss", "--seed", "--latency", "--msl",
                                       "--pcap", "--format", "--color", "--colour", "--width"};
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      fputs(usage_demo, stdout);
      exit(0);
    }
    if (strcmp(a, "--list") == 0) { c->list = 1; continue; }
    if (strcmp(a, "--absolute") == 0) { c->absolute = 1; continue; }
    if (strcmp(a, "--ipv6") == 0) { c->o.ipv6 = 1; continue; }
    int matched = 0, err = 0;
    for (size_t k = 0; k < sizeof valued / sizeof valued[0] && !matched; k++) {
      const char *v = opt_value(argc, argv, &i, valued[k], &err);
      if (err) return EXIT_USAGE;
      if (!v) continue;
      matched = 1;
      int rc = demo_parse_value(c, valued[k], v);
      if (rc) return rc;
    }
    if (!matched) return usage_error("demo: unknown option '%s'", a);
  }
  return 0;
}

/* The renderer's sink, with each failure said on stderr too ("lucidtcp demo: cannot write
 * capture 'x.pcap': No such file or directory"); one found before the run began (the capture)
 * only there, so standard output holds no half of a ladder or a JSON stream. */
typedef struct demo_cli_sink {
  demo_sink inner;
  int begun;
} demo_cli_sink;

static void demo_cli_begin(void *ctx, const demo_options *o, const demo_scenario *sc,
                           ltcp_endpoint client, ltcp_endpoint server) {
  demo_cli_sink *w = ctx;
  w->begun = 1;
  w->inner.begin(w->inner.ctx, o, sc, client, server);
}

static void demo_cli_record(void *ctx, const demo_record *r) {
  demo_cli_sink *w = ctx;
  w->inner.record(w->inner.ctx, r);
}

static void demo_cli_end(void *ctx, int status, const char *message) {
  demo_cli_sink *w = ctx;
  if (w->begun) w->inner.end(w->inner.ctx, status, message);
  if (status != 0) {
    fflush(stdout);
    fprintf(stderr, "lucidtcp demo: %s\n", message);
  }
}

static int cmd_demo(int argc, char **argv) {
  demo_cli c;
  memset(&c, 0, sizeof c);
  demo_options_default(&c.o);
  c.color = -1;
  int rc = demo_parse(&c, argc, argv);
  if (rc) return rc;
  if (c.list) {
    demo_print_list();
    return 0;
  }
  if (c.color < 0) c.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
  demo_ladder ladder = {.out = stdout, .color = c.color, .absolute = c.absolute,
                        .width = c.width ? c.width : demo_terminal_width(STDOUT_FILENO)};
  demo_cli_sink w = {c.json ? demo_json_sink(stdout) : demo_ladder_sink(&ladder), 0};
  demo_sink sink = {demo_cli_begin, demo_cli_record, demo_cli_end, &w};
  rc = demo_run(&c.o, &sink);
  return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage_main, stderr);
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
    fputs(usage_main, stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
    printf("lucidtcp %s\n", ltcp_version());
    return 0;
  }
  if (strcmp(cmd, "help") == 0) {
    if (argc < 3) fputs(usage_main, stdout);
    else if (strcmp(argv[2], "demo") == 0) fputs(usage_demo, stdout);
    else if (strcmp(argv[2], "script") == 0) fputs(script_usage, stdout);
    else if (strcmp(argv[2], "analyze") == 0) fputs(analyze_usage, stdout);
    else if (strcmp(argv[2], "diagram") == 0) fputs(diagram_usage, stdout);
    else if (strcmp(argv[2], "ss") == 0) fputs(ss_usage, stdout);
    else if (rt_find(argv[2])) fputs(rt_find(argv[2])->usage, stdout);
    else return usage_error("help: no command '%s'", argv[2]);
    return 0;
  }
  if (strcmp(cmd, "demo") == 0) return cmd_demo(argc - 2, argv + 2);
  if (strcmp(cmd, "script") == 0) return script_main(argc - 2, argv + 2);
  if (strcmp(cmd, "analyze") == 0) return analyze_main(argc - 2, argv + 2);
#ifdef LTCP_HAVE_ANALYZE
  if (strcmp(cmd, "diagram") == 0) return diagram_main(argc - 2, argv + 2, analyze_transitions);
#else
  if (strcmp(cmd, "diagram") == 0) return diagram_main(argc - 2, argv + 2, NULL);
#endif
  if (strcmp(cmd, "ss") == 0) return ss_main(argc - 2, argv + 2);
  const rt_command *rt = rt_find(cmd);
  if (rt) return rt_main(rt, argc - 2, argv + 2);
  return usage_error("unknown command '%s'", cmd);
}
