/* The skeleton of the real-time commands (serve, connect, get, and those to come): a command is
 * a descriptor (rt_command) of its own logic; rt_main does the rest. It parses the shared
 * options (rt/options.h) and hands the others to the command; opens the TUN device, the stack,
 * the capture and the event loop; runs the loop, calling the command every turn; writes the
 * trace (each state change, then the link's and the stack's counters); turns SIGINT and SIGTERM
 * into the command's choice of exit status; and closes everything in order.
 *
 * Exit statuses, the same for every command: RT_EXIT_USAGE (2) for a bad option; RT_EXIT_FAIL
 * (1) when the device, the stack, the capture or the command's own open fails, or the capture
 * cannot be written; otherwise what the command stops the loop with (RT_EXIT_OK, RT_EXIT_FAIL)
 * or returns from its signal callback (by default RT_EXIT_SIGNAL: 128 + the signal's number). */
#ifndef LTCP_TOOLS_RT_REALTIME_H
#define LTCP_TOOLS_RT_REALTIME_H

#include <stddef.h>
#include <stdio.h>

#include "lucidtcp/loop.h"
#include "lucidtcp/lucidtcp.h"
#include "rt/control.h"
#include "rt/dropsum.h"
#include "rt/options.h"

#define RT_EXIT_OK 0
#define RT_EXIT_FAIL 1
#define RT_EXIT_SIGNAL(signo) (128 + (signo))

#define RT_FD_SAVED 4 /* descriptors rt_fd_nonblock can restore */

/* The skeleton's part of a command's state: the first member of every command's state, so
 * rt_main can reach it. The command reads it (st, loop, o, tun.name) and never frees it. */
typedef struct rt_ctx {
  const struct rt_command *cmd; /* the command running */
  rt_opts o;              /* the shared options, as parsed */
  ltcp_tun tun;
  ltcp_stack *st;
  ltcp_pcap *pcap;        /* --pcap, or NULL */
  ltcp_loop *loop;
  FILE *trace;            /* stderr with --trace, else NULL */
  rt_dropsum drops;       /* --trace: repeated drops summed */
  rt_control control;     /* --control PATH: lucidtcp ss's socket (lfd -1 without) */
  char control_path[128]; /* its path: PATH, or PATH.k for shard k > 0 (as the capture) */
  struct {
    int fd, flags;
  } saved[RT_FD_SAVED];   /* descriptors put in non-blocking mode, with their old flags */
  int nsaved;
  /* --threads N: this state is shard `shard` of nshards, each with its own device queue, stack
   * and loop on a thread of its own; shards[] reaches the others (to pass a signal on). */
  struct rt_ctx **shards;
  int nshards, shard;
  int signalled;          /* the command's signal callback ran */
  int status;             /* what the loop ended with */
} rt_ctx;

/* A command. Every callback gets app: the command's state, size bytes that start zeroed and
 * begin with an rt_ctx. Callbacks that may be NULL say so. */
typedef struct rt_command {
  const char *name;       /* "serve": lucidtcp serve, and "lucidtcp serve: " in messages */
  const char *usage;      /* the help text, for --help, -h and 'lucidtcp help NAME' */
  size_t size;            /* of the command's state */
  /* argv[*i] is not a shared option: takes it (moving *i past a value it takes) and returns 1;
   * returns 0 when it is none of the command's ("unknown option" follows), or RT_EXIT_USAGE
   * after a message. Operands come here too (may be NULL: no options or operands of its own). */
  int (*option)(void *app, int argc, char **argv, int *i);
  /* After the arguments: checks what single arguments cannot (a required option, an operand
   * missing). 0, or RT_EXIT_USAGE after a message (may be NULL). */
  int (*check)(void *app);
  /* The device, the stack and the loop are open: sockets, files. 0, or RT_EXIT_FAIL after a
   * message; the loop then ends at once with RT_EXIT_FAIL (may be NULL). */
  int (*open)(void *app);
  /* Every turn of the loop, after input and timers: the command's socket calls (required). It
   * ends the run with ltcp_loop_stop(rt->loop, status). */
  void (*step)(void *app);
  /* A descriptor the command watches (ltcp_loop_watch) is ready (may be NULL). */
  void (*fd_ready)(void *app, int fd, uint32_t ready);
  /* SIGINT or SIGTERM: winds the command down and returns the exit status; the loop ends after
   * this turn (may be NULL: RT_EXIT_SIGNAL(signo)). */
  int (*signal)(void *app, int signo);
  /* Last, once the stack and the device are closed: frees what the command's state holds,
   * whether or not it was opened (may be NULL). */
  void (*release)(void *app);
  /* 1: takes --threads N (N states, each opened and stepped on its own thread, sharing
   * nothing); 0: one thread only. */
  int threads;
} rt_command;

/* Runs the command on the arguments after its name (argv[0] is the first of them); returns its
 * exit status. -h or --help anywhere prints the help text and returns 0. */
int rt_main(const rt_command *cmd, int argc, char **argv);

/* Prints "lucidtcp CMD: ..." to stderr. */
void rt_error(const rt_ctx *rt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An error's symbolic name and text: "connection refused (ECONNREFUSED)". */
const char *rt_errtext(int err, char *buf, size_t cap);

/* Puts fd (a pipe or socket, not a terminal or file) in non-blocking mode, as the loop needs;
 * its flags come back when the run ends. */
void rt_fd_nonblock(rt_ctx *rt, int fd);

#endif
