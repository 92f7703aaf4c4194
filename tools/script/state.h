/* lucidtcp script: the executor's state (sc_run), and the stack every part of it works on:
 * created on first use with the settings the script chose, recreated when a setting changes
 * before first use; its clock; the timing tolerance. The parts (packet.c, syscall.c, shell.c,
 * code.c) take the state from run.c, which drives them; each group of fields below names the
 * part that changes it. None of them calls run.c. */
#ifndef LTCP_TOOLS_SCRIPT_STATE_H
#define LTCP_TOOLS_SCRIPT_STATE_H

#include "lucidtcp/lucidtcp.h"
#include "script/ast.h"
#include "script/conns.h"
#include "script/script.h"

#define SC_MAX_FDS 64          /* script descriptors 0..63 */
#define SC_OUTQ_CAP 4096       /* packets sent by the stack and not yet matched by a '>' line */
#define SC_REMOTE_PORT 40000   /* the script's port on connections the stack accepts */
#define SC_MAX_POLLFDS 8
#define SC_IO_CHUNK 65536

typedef struct sc_fd {
  int open;
  int lfd;                /* lucidtcp's descriptor */
  int nonblock;           /* O_NONBLOCK */
  int v6;                 /* socket(AF_INET6, ...): bind and connect default to IPv6 */
  int linger_on, linger_s;
  uint64_t conn_id;       /* the connection it held last (0: none seen) */
} sc_fd;

typedef struct sc_outpkt {
  ltcp_time_ns t;
  size_t len;
  uint8_t *bytes;
} sc_outpkt;

/* The connection the script talks on: ports, and the stack's ISN once seen. The script's own
 * sequence numbers are used as they are (its ISN is the one its SYN carries). */
typedef struct sc_flow {
  int known;
  uint16_t lport, rport;
  int isn_known;
  uint32_t isn;
} sc_flow;

/* The system a script was written for, from its sysctls: FreeBSD's tcp-testsuite sets
 * net.inet.* and kern.ipc.*; everything else is taken as Linux's packetdrill dialect. */
typedef enum sc_dialect { SC_DIALECT_LINUX, SC_DIALECT_FREEBSD } sc_dialect;

struct sc_run;
typedef struct sc_call sc_call;
/* One system call: begin parses the arguments and does the first step; attempt says whether
 * it is done (1, with *ret and *err) or would block (0). Both return -1 after failing or
 * skipping the script. */
typedef struct sc_syscall_def {
  const char *name;
  int (*begin)(struct sc_run *r, sc_call *c);
  int (*attempt)(struct sc_run *r, sc_call *c, int64_t *ret, int *err);
  int returns_fd;         /* socket, accept: "= 4" names the new descriptor */
} sc_syscall_def;

struct sc_call {
  int active;             /* a blocking call in progress */
  const sc_event *ev;
  const sc_syscall_def *def;
  int sfd, lfd;
  uint64_t want, done;    /* bytes to read or write; done so far */
  int flags;              /* recv/send flags */
  ltcp_endpoint ep;       /* bind: the address */
  ltcp_time_ns start;     /* when it was issued */
  ltcp_time_ns end;       /* when the script says it returns (start if no '...') */
  ltcp_time_ns deadline;  /* end + tolerance: still blocked then is a failure */
  ltcp_time_ns wake;      /* poll's timeout, or LTCP_TIME_NEVER */
  size_t npfd;
  ltcp_pollfd pfd[SC_MAX_POLLFDS];
  const sc_expr *revents[SC_MAX_POLLFDS];
};

typedef struct sc_run {
  /* The run (run.c): the script, its options, the event running and its time. */
  const sc_script *script;
  script_options o;
  const sc_event *ev;
  ltcp_time_ns last_t;       /* when the previous event actually happened */
  /* The outcome (report.c). */
  script_result *res;
  int done;                  /* failed or skipped: stop */
  /* The stack (this module; shell.c's sysctl changes cfg). */
  ltcp_stack_config cfg;
  sc_dialect dialect;        /* whose scripts these are: their defaults */
  ltcp_stack *st;
  int stack_used;            /* a socket or packet has touched the stack: settings are fixed */
  /* What the stack sent, not yet matched by a '>' line (run.c). */
  sc_outpkt outq[SC_OUTQ_CAP];
  size_t out_head, out_count;
  uint64_t out_lost;
  /* Connections from the stack's state events (run.c records them). */
  sc_conns conns;
  /* The packets' connection (packet.c; syscall.c names it at listen and connect). */
  sc_flow flow;
  uint16_t ip_id;
  /* System calls (syscall.c). */
  sc_fd fds[SC_MAX_FDS];
  int under_test;            /* script descriptor of the socket under test, or -1 */
  uint64_t under_test_conn;
  sc_call call;
  uint8_t io[SC_IO_CHUNK];   /* scratch for read/write payloads */
} sc_run;

/* Sets cfg from the options: the stack the conformance scripts expect. */
void sc_stack_config(sc_run *r);
/* The stack, created on first use with r->cfg. */
ltcp_stack *sc_stack(sc_run *r);
/* Recreates the stack after a setting changed; -1 (the old stack kept) if sockets already
 * exist or the settings are not valid. */
int sc_stack_reconfigure(sc_run *r);
ltcp_time_ns sc_now(sc_run *r);
/* The tolerance for an event expected at t. */
ltcp_time_ns sc_tolerance(const sc_run *r, ltcp_time_ns t);

#endif
