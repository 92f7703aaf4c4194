/* lucidtcp script: the command line. One line per script, then the summary. */
#include <stdio.h>
#include <string.h>

#include "script/script.h"

#define CLI_USAGE 2

const char script_usage[] =
    "usage: lucidtcp script [options] FILE.pkt...\n"
    "\n"
    "Runs packetdrill scripts, each against a fresh lucidtcp stack, in virtual time: the script\n"
    "plays the remote host (192.0.2.1, or 2001:db8::2 over IPv6), lucidtcp the local one\n"
    "(192.168.0.1, or 2001:db8::1). '<' packets are\n"
    "injected at their times; '>' packets must match what the stack sends (flags, sequence and\n"
    "ack numbers relative to the ISNs, window when given, options, timing within the tolerance);\n"
    "system calls map onto lucidtcp's socket API, and blocking ones wait in virtual time.\n"
    "Backtick commands are never run in a shell: sysctl, ss, netstat and sockstat (with grep or\n"
    "wc -l) map onto lucidtcp's settings and connection table; others are reported as notes.\n"
    "A script that sets FreeBSD sysctls (net.inet.*, kern.ipc.*), as FreeBSD's tcp-testsuite does,\n"
    "runs against FreeBSD's defaults where lucidtcp has the setting (delayed ACK, buffers, window\n"
    "advertisement); any other, against lucidtcp's with Linux's sysctls mapped. An unknown system\n"
    "call fails the script; a SKIP names the feature lucidtcp lacks.\n"
    "\n"
    "Prints one line per script: PASS, FAIL or SKIP with the reason. A failure names the line and\n"
    "shows the expected and the actual packet or return value, with their virtual times. Then\n"
    "'N passed, N failed, N skipped'.\n"
    "\n"
    "options:\n"
    "  -D NAME, --define NAME      define NAME for #ifdef NAME / #ifndef NAME\n"
    "  --tolerance_usecs=N         timing tolerance in microseconds (default 4000)\n"
    "  --tolerance_percent=P       or P% of the time since the previous event, if larger\n"
    "  --strict_options=1          compare TCP options in their layout too (order, NOP and EOL\n"
    "                              padding); by default the options and their values are\n"
    "                              compared in any order, the layout being the sender's choice\n"
    "  --local_ip=A                the stack's address, IPv4 or IPv6 (default 192.168.0.1,\n"
    "                              2001:db8::1)\n"
    "  --remote_ip=A               the script's address (default 192.0.2.1, 2001:db8::2)\n"
    "  --mtu=N                     the link MTU; the stack announces MSS N-40, over IPv6 N-60\n"
    "                              (default 1500; IPv6 needs 1280 or more)\n"
    "  --bind_port=N               the port bind(..., ...) uses (default 8080)\n"
    "  --connect_port=N            the port connect(..., ...) uses (default 8080)\n"
    "  --ip_version=V              ipv4 (default) or ipv6: the family of the packets and of\n"
    "                              socket(..., ...); ICMP names take their ICMPv6 values over\n"
    "                              IPv6; ipv4-mapped-ipv6 is reported as unsupported (SKIP)\n"
    "  -v, --verbose               print every event and packet as it happens\n"
    "  -h, --help                  this text\n"
    "\n"
    "A script's own --name=value lines override these options.\n"
    "exit status: 0 when no script failed, 1 when one did, 2 for a bad option.\n";

static int cli_error(const char *fmt, const char *arg) {
  fprintf(stderr, "lucidtcp script: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nTry 'lucidtcp script --help'.\n");
  return CLI_USAGE;
}

/* Reads the option at argv[*i]; returns 0, or the exit status for a bad one. */
static int cli_option(script_options *o, int argc, char **argv, int *i) {
  const char *a = argv[*i];
  char name[64], err[256];
  const char *value = NULL;
  if (strcmp(a, "-D") == 0 || strncmp(a, "-D", 2) == 0) {
    value = a[2] ? a + 2 : *i + 1 < argc ? argv[++*i] : NULL;
    if (!value) return cli_error("%s needs a name", a);
    snprintf(name, sizeof name, "define");
  } else {
    const char *eq = strchr(a, '=');
    size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
    if (n >= sizeof name) return cli_error("unknown option '%s'", a);
    memcpy(name, a + 2, n);
    name[n] = '\0';
    value = eq ? eq + 1 : *i + 1 < argc ? argv[++*i] : NULL;
    if (!value) return cli_error("option %s needs a value", a);
  }
  int rc = script_option_apply(o, name, value, err, sizeof err);
  if (rc < 0) return cli_error("%s", err);
  if (rc > 0) return cli_error("%s", err);
  return 0;
}

int script_main(int argc, char **argv) {
  script_options o;
  script_options_default(&o);
  int first_file = -1, only_files = 0;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (only_files || a[0] != '-' || a[1] == '\0') {
      if (first_file < 0) first_file = i;
      continue;
    }
    if (strcmp(a, "--") == 0) {
      only_files = 1;
    } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      fputs(script_usage, stdout);
      return 0;
    } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
      o.trace = stdout;
    } else if (a[1] == 'D' || a[1] == '-') {
      int rc = cli_option(&o, argc, argv, &i);
      if (rc) return rc;
    } else {
      return cli_error("unknown option '%s'", a);
    }
  }
  if (first_file < 0) return cli_error("no script given%s", "");
  int passed = 0, failed = 0, skipped = 0;
  only_files = 0;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (!only_files && a[0] == '-' && a[1] != '\0') {
      if (strcmp(a, "--") == 0) only_files = 1;
      else if ((strcmp(a, "-D") == 0 || (a[1] == '-' && !strchr(a, '=') && strcmp(a, "--verbose") != 0)) && i + 1 < argc)
        i++; /* its value */
      continue;
    }
    script_result r;
    if (o.trace) fprintf(o.trace, "%s\n", a);
    script_run_file(a, &o, &r);
    script_report(stdout, a, &r);
    fflush(stdout);
    passed += r.outcome == SCRIPT_PASS;
    failed += r.outcome == SCRIPT_FAIL;
    skipped += r.outcome == SCRIPT_SKIP;
  }
  printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
  return failed ? 1 : 0;
}
