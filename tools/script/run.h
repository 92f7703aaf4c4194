/* lucidtcp script: the executor's state, shared by run.c (events and virtual time), packet.c
 * (inject and match), syscall.c (system calls) and command.c (backticks and %{ }%). */
#ifndef LTCP_TOOLS_SCRIPT_RUN_H
#define LTCP_TOOLS_SCRIPT_RUN_H

#include "lucidtcp/lucidtcp.h"
#include "script/ast.h"
#include "script/script.h"

#define SC_MAX_FDS 64          /* script descriptors 0..63 */
#define SC_MAX_CONNS 128       /* connections remembered from the stack's events */
#define SC_OUTQ_CAP 4096       /* packets sent by the stack and not yet matched by a '>' line */
#define SC_STEP_LIMIT 1000000  /* timer steps while waiting for one event */
#define SC_ANY_WAIT_NS LTCP_SEC(3600) /* how long '*' waits for an outbound packet */
#define SC_REMOTE_PORT 40000   /* the script's port on connections the stack accepts */
#define SC_MAX_POLLFDS 8
#define SC_IO_CHUNK 65536

typedef struct sc_fd {
  int open;
  int lfd;                /* lucidtcp's descriptor */
  int nonblock;           /* O_NONBLOCK */
  int linger_on, linger_s;
  int keepalive, keepidle, keepintvl, keepcnt; /* remembered; lucidtcp sends no keep-alives */
  uint64_t conn_id;       /* the connection it held last (0: none seen) */
} sc_fd;

/* A connection as the stack's state events describe it: answers tcpi_state after close() and
 * the ss/netstat emulation. */
typedef struct sc_conn {
  int used;
  uint64_t id, order;
  ltcp_endpoint local, remote;
  ltcp_state state;
  int fd;                 /* lucidtcp's descriptor holding it, or -1 for an orphan */
} sc_conn;

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
  ltcp_time_ns start;     /* when it was issued */
  ltcp_time_ns end;       /* when the script says it returns (start if no '...') */
  ltcp_time_ns deadline;  /* end + tolerance: still blocked then is a failure */
  ltcp_time_ns wake;      /* poll's timeout, or LTCP_TIME_NEVER */
  size_t npfd;
  ltcp_pollfd pfd[SC_MAX_POLLFDS];
  const sc_expr *revents[SC_MAX_POLLFDS];
};

typedef struct sc_run {
  const sc_script *script;
  script_options o;
  script_result *res;
  int done;                  /* failed or skipped: stop */
  ltcp_stack_config cfg;
  ltcp_stack *st;
  int stack_used;            /* a socket or packet has touched the stack: settings are fixed */
  ltcp_time_ns last_t;       /* when the previous event actually happened */
  const sc_event *ev;        /* the event running */
  sc_fd fds[SC_MAX_FDS];
  int under_test;            /* script descriptor of the socket under test, or -1 */
  uint64_t under_test_conn;
  sc_conn conns[SC_MAX_CONNS];
  uint64_t conn_order;
  sc_outpkt outq[SC_OUTQ_CAP];
  size_t out_head, out_count;
  uint64_t out_lost;
  sc_flow flow;
  sc_call call;
  uint16_t ip_id;
  uint8_t io[SC_IO_CHUNK];   /* scratch for read/write payloads */
} sc_run;

/* Ends the script as failed or skipped at line (the first such call wins). */
void sc_fail(sc_run *r, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sc_skip(sc_run *r, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Adds a line under the result: expected/actual rows, or a note. */
void sc_detail(sc_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sc_note(sc_run *r, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sc_trace(sc_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The stack, created on first use with r->cfg. */
ltcp_stack *sc_stack(sc_run *r);
/* Recreates the stack after a setting changed; -1 if sockets already exist. */
int sc_stack_reconfigure(sc_run *r);
ltcp_time_ns sc_now(sc_run *r);
/* Takes what the stack sent and its events, then lets a blocking call complete. */
void sc_settle(sc_run *r);
/* Runs timers until t (and stops early, when stop_on_output, once a packet is queued). */
void sc_run_until(sc_run *r, ltcp_time_ns t, int stop_on_output);
/* The tolerance for an event expected at t. */
ltcp_time_ns sc_tolerance(const sc_run *r, ltcp_time_ns t);
/* "1.234567" seconds. */
const char *sc_fmt_time(ltcp_time_ns t, char *buf);

/* packet.c */
void sc_packet_inject(sc_run *r, const sc_event *ev, ltcp_time_ns t);
/* t: when the script expects it; end: the end of a t1~t2 range (else t). */
void sc_packet_expect(sc_run *r, const sc_event *ev, ltcp_time_ns t, ltcp_time_ns end);
/* One line of --trace for a packet the stack sent. */
void sc_packet_trace(sc_run *r, const uint8_t *pkt, size_t len);
/* Sets the flow for a connection on local port lport to rport (new connection: ISN unknown). */
void sc_flow_set(sc_run *r, uint16_t lport, uint16_t rport);

/* syscall.c */
/* Issues the call now; end is when the script says it returns (t1...t2), else now. */
void sc_syscall_run(sc_run *r, const sc_event *ev, ltcp_time_ns end);
/* Retries the blocking call; finishes it when done. */
void sc_syscall_retry(sc_run *r);
/* Refreshes which connection the socket under test holds. */
void sc_under_test_refresh(sc_run *r);
/* The connection state for tcpi_state: the socket under test, or its last connection. */
int sc_under_test_status(sc_run *r, ltcp_tcp_info *info, int *full);

/* command.c */
void sc_command_run(sc_run *r, const sc_event *ev);
void sc_code_run(sc_run *r, const sc_event *ev);

/* Connections known from events. */
sc_conn *sc_conn_find(sc_run *r, uint64_t id);

#endif
