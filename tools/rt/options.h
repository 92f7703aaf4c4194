/* The options every real-time command takes (--tun, --addr, --trace, --pcap, --msl, --impair,
 * --offload, --busy-poll, --io), the parsers a command's own options use (ports, ADDR/PREFIX,
 * "--name VALUE" and "--name=VALUE"), and the message for a bad option. Owns rt_opts; opens
 * nothing. */
#ifndef LTCP_TOOLS_RT_OPTIONS_H
#define LTCP_TOOLS_RT_OPTIONS_H

#include "lucidtcp/impair.h"
#include "lucidtcp/loop.h"
#include "lucidtcp/lucidtcp.h"

/* The exit status after a bad option, for every command ('lucidtcp help CMD' says so). */
#define RT_EXIT_USAGE 2

/* The help lines of the shared options, for each command's help text to put in its own order. */
#define RT_HELP_TUN \
  "  --tun DEV          attach to TUN device DEV, creating it when it does not exist\n"
#define RT_HELP_TRACE_PCAP_MSL \
  "  --trace            print each state change on stderr as it happens, as the demo does\n" \
  "  --pcap FILE        write every packet in and out to FILE (pcap) for tshark/wireshark\n" \
  "  --msl SECONDS      maximum segment lifetime; TIME-WAIT lasts 2*MSL (default 30)\n" \
  "  --seed N           the stack's randomness (ISN and TSval keys, ephemeral ports) from N,\n" \
  "                     so that two runs pick the same numbers (default: random each run)\n"
/* --impair, short: serve's help tells the rest. */
#define RT_HELP_IMPAIR_SEE_SERVE \
  "  --impair SPEC      inject faults on the link, as netem would (see lucidtcp help serve)\n"
#define RT_HELP_OFFLOAD_BUSY_POLL \
  "  --offload          TUN offloads (IFF_VNET_HDR, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6):\n" \
  "                     packets of up to 64 KB both ways, IPv4 and IPv6, cut into segments\n" \
  "                     by the kernel (default: off, one segment per packet)\n" \
  "  --busy-poll US     when nothing is ready, poll for up to US microseconds before\n" \
  "                     sleeping: no wake-ups while packets keep coming, for a busy core\n" \
  "                     (default 0: sleep at once)\n" \
  "  --io MODE          how packets cross the device: uring (io_uring, many packets per\n" \
  "                     system call), readwrite (one read or write each), or auto (the\n" \
  "                     default: io_uring unless the kernel refuses it or --offload is on;\n" \
  "                     --trace's last lines say which ran)\n"

/* --control, for every real-time command's help text. */
#define RT_HELP_CONTROL \
  "  --control PATH     a control socket at PATH (Unix, mode 0600) for lucidtcp ss to list\n" \
  "                     the connections from (state, queues, RTT, RTO, cwnd, timers)\n"

/* --route and --gateway, for every real-time command's help text. */
#define RT_HELP_ROUTES \
  "  --gateway ADDR     the default gateway, a host on --addr's link (IPv6: in --addr's\n" \
  "                     prefix, or link-local fe80::/10): everything off the link goes\n" \
  "                     through it; once per family\n" \
  "  --route PREFIX[,via=ADDR]  reach PREFIX (e.g. 198.18.2.0/24 or 2001:db8:2::/48), through\n" \
  "                     the gateway ADDR on the link or on the link itself; may be given up\n" \
  "                     to 16 times. With neither option, every address off the link is\n" \
  "                     reached out of it, as a host with one interface does (a TUN link is\n" \
  "                     point-to-point); with either, only --addr's prefixes and what they\n" \
  "                     name, in both families\n"

#define RT_ROUTES_MAX 16
#define RT_THREADS_MAX 64

typedef struct rt_route {
  uint32_t prefix, via;        /* IPv4 */
  uint8_t prefix6[16], via6[16]; /* IPv6 (via6 all zero: on the link) */
  uint8_t len;
  uint8_t v6;                  /* 1: an IPv6 route */
} rt_route;

typedef struct rt_opts {
  const char *cmd;        /* "serve", for messages */
  const char *tun;        /* --tun DEV */
  uint32_t addr;          /* --addr ADDR/PREFIX */
  uint32_t prefix;
  int have_addr;
  uint8_t addr6[16];      /* --addr ADDR6/PREFIX: an IPv6 one as well, or instead */
  uint32_t prefix6;
  int have_addr6;
  uint32_t gateway;       /* --gateway ADDR (0: none) */
  uint8_t gateway6[16];   /* --gateway ADDR6 (all zero: none) */
  int have_gateway6;
  rt_route routes[RT_ROUTES_MAX]; /* --route PREFIX[,via=ADDR] */
  int nroutes;
  int trace;              /* --trace */
  const char *pcap_path;  /* --pcap FILE */
  ltcp_time_ns msl_ns;    /* --msl SECONDS (default 30) */
  const char *impair;     /* --impair SPEC */
  ltcp_impair_config impair_cfg;
  int offload;            /* --offload: the TUN device with IFF_VNET_HDR, TSO and GRO */
  ltcp_time_ns busy_poll_ns; /* --busy-poll US: poll this long before sleeping (0: never) */
  const char *control;    /* --control PATH: the control socket lucidtcp ss reads (rt/control.h) */
  ltcp_loop_io io;        /* --io uring|readwrite|auto */
  uint32_t threads;       /* --threads N: shards (default 1) */
  uint64_t seed;          /* --seed N (have_seed; else a random seed each run) */
  int have_seed;
} rt_opts;

void rt_opts_default(rt_opts *o, const char *cmd);

/* Tries argv[*i] as one of the shared options (taking its value from argv[*i + 1] or after '=').
 * Returns 1 when it was one (with *i moved past its value), 0 when it was not, or
 * RT_EXIT_USAGE after printing why the option is wrong. */
int rt_opts_parse(rt_opts *o, int argc, char **argv, int *i);

/* Checks what parsing cannot (--tun and --addr given). 0, or RT_EXIT_USAGE after a message. */
int rt_opts_check(const rt_opts *o);

/* Tries argv[*i] as the option name: "--name VALUE" or "--name=VALUE" ("-o VALUE" only, for a
 * short name). Returns 1 with *value set (and *i moved past it), 0 when argv[*i] is not name, or
 * RT_EXIT_USAGE after "option NAME needs a value". */
int rt_opts_value(const rt_opts *o, int argc, char **argv, int *i, const char *name,
                  const char **value);

/* Prints "lucidtcp CMD: ..." and "Try 'lucidtcp help CMD'." to stderr; returns RT_EXIT_USAGE. */
int rt_usage_error(const rt_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses "a.b.c.d/n". 0 or -1. */
int rt_parse_cidr(const char *text, uint32_t *addr, uint32_t *prefix);
/* Parses a port 1..65535. 0 or -1. */
int rt_parse_port(const char *text, uint16_t *port);
/* The stack configuration the options give: the address and its prefix, and the link as the
 * default route unless --gateway or --route is given. */
void rt_opts_stack_config(const rt_opts *o, ltcp_stack_config *cfg);
/* Adds --gateway's default route and --route's routes to st. 0, or RT_EXIT_USAGE after saying
 * which one the stack refused and why. */
int rt_opts_add_routes(const rt_opts *o, ltcp_stack *st);
/* The peer's address (host, as the user wrote it) must have a route (--addr's prefix, --route,
 * --gateway, or any address when none is given) and not be --addr. 0, or RT_EXIT_USAGE after a
 * message. */
int rt_opts_check_peer(const rt_opts *o, const ltcp_endpoint *peer, const char *host);
/* 1 when addr is another host lucidtcp can reach (as rt_opts_check_peer wants), else 0. */
int rt_opts_reachable(const rt_opts *o, uint32_t addr);
/* The mask of --addr's prefix. */
uint32_t rt_opts_mask(const rt_opts *o);

#endif
