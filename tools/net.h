/* What serve, connect and get share: the options for a stack on a TUN device (--tun, --addr,
 * --trace, --pcap, --msl, --impair, --offload, --busy-poll), opening all of it with clear errors, and the
 * trace. */
#ifndef LTCP_TOOLS_NET_H
#define LTCP_TOOLS_NET_H

#include <stdio.h>

#include "lucidtcp/loop.h"
#include "lucidtcp/lucidtcp.h"

#define NET_EXIT_USAGE 2

typedef struct net_opts {
  const char *cmd;        /* "serve", for messages */
  const char *tun;        /* --tun DEV */
  uint32_t addr;          /* --addr ADDR/PREFIX */
  uint32_t prefix;
  int have_addr;
  int trace;              /* --trace */
  const char *pcap_path;  /* --pcap FILE */
  ltcp_time_ns msl_ns;    /* --msl SECONDS (default 30) */
  const char *impair;     /* --impair SPEC */
  ltcp_impair_config impair_cfg;
  int offload;            /* --offload: the TUN device with IFF_VNET_HDR, TSO and GRO */
  ltcp_time_ns busy_poll_ns; /* --busy-poll US: poll this long before sleeping (0: never) */
} net_opts;

typedef struct net_ctx {
  net_opts o;
  ltcp_tun tun;
  ltcp_stack *st;
  ltcp_pcap *pcap;
  ltcp_loop *loop;
  FILE *trace;            /* stderr when --trace, else NULL */
} net_ctx;

void net_opts_default(net_opts *o, const char *cmd);

/* Tries argv[*i] as one of the shared options (taking its value from argv[*i + 1] or after '=').
 * Returns 1 when it was one (with *i moved past its value), 0 when it was not, or
 * NET_EXIT_USAGE after printing why the option is wrong. */
int net_parse_option(net_opts *o, int argc, char **argv, int *i);

/* Checks what parsing cannot (--tun and --addr given). 0, or NET_EXIT_USAGE after a message. */
int net_check_options(const net_opts *o);

/* Prints "lucidtcp CMD: ..." and returns code. */
int net_usage_error(const char *cmd, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prints "lucidtcp CMD: ..." to stderr. */
void net_error(const net_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses "a.b.c.d/n". 0 or -1. */
int net_parse_cidr(const char *text, uint32_t *addr, uint32_t *prefix);
/* Parses a port 1..65535. 0 or -1. */
int net_parse_port(const char *text, uint16_t *port);
/* 1 when addr is on lucidtcp's link (inside --addr's prefix). */
int net_on_link(const net_opts *o, uint32_t addr);

/* Opens the TUN device, the stack, the capture and the loop, with hooks. Returns 0, or 1 after
 * printing why (missing device file, permission, address in use, ...). */
int net_open(net_ctx *n, const net_opts *o, const ltcp_loop_hooks *hooks);
/* Runs the loop; closes everything; returns the loop's status (or 1 when the capture failed). */
int net_run(net_ctx *n);

/* Writes one trace line for an event (state changes; segments dropped), as the demo does:
 * "     0.040 s  ESTABLISHED -> FIN-WAIT-1  (close())  198.18.0.2:7 - 198.18.0.1:41000". */
void net_trace_event(net_ctx *n, const ltcp_event *ev);

/* An error's symbolic name and text: "connection refused (ECONNREFUSED)". */
const char *net_errtext(int err, char *buf, size_t cap);

/* Puts fd (a pipe or socket, not a terminal or file) in non-blocking mode until net_fd_restore. */
void net_fd_nonblock(int fd);
void net_fd_restore(void);

#endif
