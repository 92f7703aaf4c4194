/* The adversarial simulation swarm (test_swarm.c): the world one seed draws, shared by the
 * world itself (test_swarm.c), the attacker (swarm_attack.c) and the invariant checks
 * (swarm_check.c). White-box: the checks and the window-aware attacker read TCBs. */
#ifndef LTCP_TEST_SWARM_H
#define LTCP_TEST_SWARM_H

#include <stdint.h>

#include "lucidtcp/sim.h"
#include "lucidtcp/socket.h"
#include "lucidtcp/stack.h"
#include "tcp/tcb.h"
#include "util/rng.h"

#define SW_MAX_CLIENTS 3
#define SW_MAX_CONNS 12
#define SW_MAX_PORTS 2
#define SW_MAX_OUTAGES 3
#define SW_STACKS (1 + SW_MAX_CLIENTS)
#define SW_SERVER 0 /* stack index of the server; clients are 1..n */
#define SW_SERVER_ADDR LTCP_IPV4(198, 18, 1, 1)
#define SW_CLIENT_ADDR(i) LTCP_IPV4(198, 18, 1, 10 + (i))
#define SW_ATTACKER_ADDR LTCP_IPV4(198, 18, 1, 99)
#define SW_SHADOWS 1024u /* per stack: what the checks remember of each TCB (by id) */

enum { SW_CLI = 0, SW_SRV = 1 }; /* the two ends of a connection */

/* What an attacker may do, a bit each. The first group is off-path (blind): it knows the
 * 4-tuples (ports are guessable) but no sequence number. The second reads the receiver's window
 * (a stronger attacker, to aim at the challenge-ACK paths; still guesses every ACK). The third
 * is on-path: it sees everything, and its segments carry the true bytes or old ones. */
enum {
  SW_ATK_SYN_FLOOD = 1u << 0,  /* spoofed SYNs to a listener from random sources */
  SW_ATK_BLIND_RST = 1u << 1,  /* RST, random sequence number */
  SW_ATK_BLIND_SYN = 1u << 2,  /* SYN, random sequence number */
  SW_ATK_BLIND_DATA = 1u << 3, /* ACK and data, random sequence and acknowledgment numbers */
  SW_ATK_BLIND_ICMP = 1u << 4, /* an ICMP error quoting the connection, random sequence number */
  SW_ATK_WIN_RST = 1u << 5,    /* RST inside the window, never at RCV.NXT: challenge ACKs */
  SW_ATK_WIN_SYN = 1u << 6,    /* SYN inside the window */
  SW_ATK_WIN_DATA = 1u << 7,   /* data inside the window or across its right edge, ACK guessed */
  SW_ATK_ON_EDGE = 1u << 8,    /* on-path: the true bytes across the right edge of the window */
  SW_ATK_ON_OVERLAP = 1u << 9, /* on-path: old bytes changed, overlapping RCV.NXT, new ones true */
  SW_ATK_ON_ICMP = 1u << 10,   /* on-path: an ICMP error quoting SND.UNA */
  SW_ATK_KINDS = 11
};
#define SW_ATK_BLIND_ALL 0x1fu
#define SW_ATK_WINDOW_ALL 0xe0u
#define SW_ATK_ONPATH_ALL 0x700u

/* Options of one stack. */
typedef struct sw_stack_opts {
  uint64_t seed;
  int window_scale, timestamps, sack, congestion, nodelay, rfc1337;
  ltcp_time_ns delayed_ack_ns;
} sw_stack_opts;

/* A link's faults, and when it is cut (an outage of all links, or a partition of one client). */
typedef struct sw_outage {
  ltcp_time_ns start, end;
  int client; /* 0: every link; else the client cut off */
} sw_outage;

typedef enum sw_order { SW_CLIENT_FIRST, SW_SERVER_FIRST, SW_SIMULTANEOUS, SW_ABORT } sw_order;

/* One end of a connection: what it sends and what it must read. */
typedef struct sw_end {
  int fd;
  const uint8_t *out, *in; /* this end's bytes; the peer's (what it must read) */
  uint32_t out_len, in_len;
  uint32_t sent, received;
  uint32_t sndbuf, rcvbuf, chunk_max;
  int mss, close_only;
  double stall;
  ltcp_time_ns stall_max_ns, close_delay_ns, wake_at, close_at;
  unsigned connected : 1, shut : 1, eof : 1, closed : 1, busy : 1;
  int err;                 /* the first error the application saw, or 0 */
  uint32_t err_at;         /* bytes read when it saw it */
  ltcp_rng rng;
} sw_end;

typedef struct sw_conn {
  int client, port;           /* client stack (1..), listener index */
  ltcp_endpoint cli, srv;     /* the 4-tuple, once connect() picked the port */
  sw_end end[2];
  sw_order order;
  int aborter;                /* SW_ABORT: which end aborts, after abort_at bytes sent */
  uint32_t abort_at;
  ltcp_time_ns start_at;
  int started, accepted, aborted;
  uint32_t started_seq;       /* the order of connect() calls (sw_conn_by_tuple) */
  uint32_t disrupted;         /* SW_ATK_* bits of attacker segments that landed */
  int cookie;                 /* the server made it from a SYN cookie (LTCP_CAUSE_SYNCOOKIE) */
  uint32_t time_waits;
} sw_conn;

typedef struct sw_params {
  uint64_t seed, sim_seed, attack_seed;
  int clients, conns, ports;
  sw_stack_opts stack[SW_STACKS];
  ltcp_sim_path path[SW_MAX_CLIENTS][2]; /* [i][0]: client i+1 to server, [1] back */
  sw_outage outage[SW_MAX_OUTAGES];
  int outages;
  ltcp_time_ns heal_at;
  uint32_t attacks;                     /* SW_ATK_* */
  ltcp_time_ns attack_gap_ns;           /* mean time between attacker packets */
  /* The figures only (0 in swarm seeds): */
  ltcp_time_ns hold_until;              /* no end starts closing before then */
  ltcp_time_ns attack_from;             /* the attacker's first packet, not before then */
  int challenge_limit_off;              /* cfg.challenge_ack_limit = 0: no RFC 5961 §7 limit */
} sw_params;

/* What the checks remember of a TCB between steps (tcb->id keyed, collisions overwrite). */
typedef struct sw_shadow {
  uint64_t id;
  uint32_t rcv_adv;
} sw_shadow;

/* Attack outcomes, per kind: sent, landed (processed with no counted drop by an existing
 * connection), challenged (answered by a challenge ACK or its limit). */
typedef struct sw_attack_stats {
  uint64_t sent[SW_ATK_KINDS], landed[SW_ATK_KINDS];
  uint64_t challenged[SW_ATK_KINDS];
  uint64_t replies; /* packets stacks sent to spoofed addresses (the attacker drops them) */
  uint64_t corrupted; /* streams that differed after a landed data guess (given up) */
  uint64_t resurrected; /* connections a SYN cookie made again after the server ended them */
} sw_attack_stats;

typedef struct sw_world sw_world;

/* A stack as a simulator node: the swarm's wrapper sees each packet the attacker delivers. */
typedef struct sw_node {
  sw_world *w;
  int index; /* stack index */
  ltcp_stack *st;
} sw_node;

/* The attacker: a simulator node with one packet at a time to send. */
typedef struct sw_attacker {
  sw_world *w;
  int node;
  ltcp_rng rng;
  ltcp_time_ns next_at, end_at;
  uint8_t pkt[1600];
  size_t len;
  int kind; /* of the packet waiting (bit index) */
} sw_attacker;

struct sw_world {
  sw_params p;
  ltcp_sim *sim;
  ltcp_stack *st[SW_STACKS];
  sw_node nodes[SW_STACKS];
  int node[SW_STACKS];
  int lfd[SW_MAX_PORTS];
  uint16_t port[SW_MAX_PORTS];
  sw_conn conn[SW_MAX_CONNS];
  uint8_t *bytes;              /* every payload, one allocation */
  sw_attacker atk;
  sw_attack_stats as;
  int in_attack;               /* the packet being delivered came from the attacker (kind+1) */
  int link_state[SW_MAX_CLIENTS]; /* 0 faulty, 1 cut, 2 healed */
  int verbose, listeners_closed;
  uint32_t started;           /* connect() calls so far */
  uint64_t steps, checks, steps_max;
  uint32_t window_overshoot; /* the most a scaled window promised beyond the free buffer */
  ltcp_time_ns done_at;
  uint64_t digest;
  /* The challenge-ACK figure: challenge ACKs each stack sent per interval, and the most. */
  ltcp_time_ns chack_interval_ns;
  uint64_t chack_slot[SW_STACKS], chack_in_slot[SW_STACKS], chack_max[SW_STACKS];
  sw_shadow shadow[SW_STACKS][SW_SHADOWS];
  char why[512];
};

void sw_fail(sw_world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The legitimate connection with this tuple as seen from stack index s, or NULL. */
sw_conn *sw_conn_by_tuple(sw_world *w, int s, const ltcp_endpoint *local,
                          const ltcp_endpoint *remote);
/* A TCB of stack s by 4-tuple, or NULL (white-box: the IP layer's table). */
ltcp_tcb *sw_tcb_lookup(sw_world *w, int s, const ltcp_endpoint *local,
                        const ltcp_endpoint *remote);

/* swarm_attack.c: the attacker node, added to w->sim (0 or a negative error). */
int sw_attack_init(sw_world *w);
const char *sw_attack_name(int kind);
/* Wraps stack input: a packet from the attacker is judged by what the stack did with it. */
void sw_attack_judge(sw_world *w, int s, ltcp_time_ns now, const uint8_t *pkt, size_t len);

/* swarm_check.c: the invariants of every TCB of every stack, after each simulator step. */
void sw_check_all(sw_world *w);

#endif
