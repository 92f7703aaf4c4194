/* The control socket of a real-time command (--control PATH): a Unix stream socket, mode 0600,
 * that lucidtcp ss connects to. Each client that connects is sent the listing of the stack's
 * connections (ltcp_stack_connections) as lines of text, and the socket is closed: connecting
 * is asking. The listening socket and the clients' sockets join the loop's descriptors
 * (ltcp_loop_watch); nothing blocks. The path is unlinked when the command ends.
 *
 * The listing, version 1 ("lucidtcp ss" parses it, docs/ss.md):
 *   lucidtcp-control 1 cmd=serve pid=1234 conns=2
 *   conn id=1 state=ESTABLISHED local=198.18.0.2:7 remote=198.18.0.1:41000 fd=5 recvq=0
 *        sendq=0 unacked=0 srtt_us=1200 rttvar_us=600 rto_us=201000 cwnd=14600
 *        ssthresh=4294967295 retrans=0 mss=1460 compact=0 asleep=0
 *        timers=keep-alive:7199000000 delack=-      (one line; deadlines in ns from now, - none)
 *   end
 */
#ifndef LTCP_TOOLS_RT_CONTROL_H
#define LTCP_TOOLS_RT_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include "lucidtcp/loop.h"
#include "lucidtcp/lucidtcp.h"

#define RT_CONTROL_CLIENTS 8      /* listings being written at once; more get "busy" */
#define RT_CONTROL_LINE 400       /* one connection's line, at most */
#define RT_CONTROL_VERSION 1

typedef struct rt_control_client {
  int fd;                 /* -1: free */
  char *buf;              /* the listing, malloc'd; written from off to len */
  size_t len, off;
} rt_control_client;

typedef struct rt_control {
  const char *path;       /* NULL: no control socket */
  const char *cmd;        /* "serve", for messages and the listing's head */
  int lfd;                /* the listening socket, -1 */
  rt_control_client clients[RT_CONTROL_CLIENTS];
  uint64_t served;        /* listings sent */
} rt_control;

/* Checks PATH before anything is opened: it fits a sockaddr_un, its directory exists, and it
 * is not an existing file other than a socket. 0, or -1 with a message in err. */
int rt_control_check(const char *path, char *err, size_t cap);

/* Creates the socket (umask 0177 around bind, so 0600; a stale socket nobody answers on is
 * replaced; a live one is refused) and watches it. 0, or -1 with a message in err. */
int rt_control_open(rt_control *c, const char *path, const char *cmd, ltcp_loop *loop,
                    char *err, size_t cap);
/* fd is the control socket's or one of its clients': handles it (accepting, writing the
 * listing of st's connections) and returns 1; else 0. */
int rt_control_ready(rt_control *c, ltcp_loop *loop, ltcp_stack *st, int fd, uint32_t ready);
/* Closes every socket and unlinks the path (only if it is still ours). */
void rt_control_close(rt_control *c, ltcp_loop *loop);

/* The listing's text (what a client is sent) in a malloc'd buffer, *len set; NULL when out of
 * memory. now: the stack's clock. */
char *rt_control_listing(ltcp_stack *st, const char *cmd, ltcp_time_ns now, size_t *len);

#endif
