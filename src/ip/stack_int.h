/* The stack's insides, shared by the IP layer, the engine and the socket layer. */
#ifndef LTCP_IP_STACK_INT_H
#define LTCP_IP_STACK_INT_H

#include "lucidtcp/stack.h"
#include "tcp/tcb.h"
#include "tcp/synrcvd.h"
#include "tcp/timewait.h"
#include "util/rng.h"

typedef struct ltcp_sock {
  uint8_t in_use;
  uint8_t bound;
  uint8_t reuseaddr;
  uint8_t shut_rd, shut_wr;
  uint8_t connect_called;
  ltcp_endpoint local;
  ltcp_tcb *tcb;          /* NULL before connect/listen, and after the connection is deleted */
  int error;              /* SO_ERROR: reported once, then cleared */
  int final_error;        /* why the connection ended (0 for an orderly end) */
  ltcp_state last_state;  /* the state when the TCB was deleted */
  ltcp_ring rcv_left;     /* data received in order but unread when the connection ended
                           * in an orderly way (TIME-WAIT over): still the user's to read */
  uint32_t sndbuf, rcvbuf;
  uint16_t mss;
  uint32_t user_timeout_ms;
  ltcp_conn_opts opts;    /* TCP_NODELAY and keep-alive, copied into the TCB */
  int32_t next_free;
} ltcp_sock;

struct ltcp_stack {
  ltcp_stack_config cfg;
  ltcp_time_ns now;
  ltcp_rng rng;
  uint8_t isn_key[16];
  uint8_t isn_tuple[12];  /* the 4-tuple isn_hash was computed for (isn.c: one SipHash each) */
  uint8_t isn_cached;     /* 1 once isn_tuple and isn_hash hold a pair */
  uint64_t isn_hash;
  uint64_t hash_key;
  uint64_t next_conn_id;
  ltcp_stats stats;
  uint32_t state_count[LTCP_STATE_COUNT];

  /* Connections by 4-tuple; listeners by local port. */
  ltcp_tcb **conns;
  uint32_t conns_mask, conn_count;
  ltcp_tcb **listeners;
  uint32_t listeners_mask;
  uint32_t *port_refs;    /* per local port: bound sockets and connections using it */

  /* Compact TIME-WAIT records, and the TCB through which the engine sees one. */
  ltcp_tw_table tw;
  ltcp_tcb tw_view;
  ltcp_tcb_busy tw_view_busy;
  /* Compact half-open (SYN-RECEIVED) records. */
  ltcp_syn_table syn;

  /* Timers: a binary min-heap of TCBs by deadline. */
  ltcp_tcb **heap;
  uint32_t heap_len, heap_cap;

  ltcp_sock *socks;
  int32_t sock_free;

  /* Output: a ring of packet slots. */
  uint8_t *tx_buf;
  uint32_t *tx_len;
  uint32_t *tx_seg;       /* per slot: ltcp_stack_tx_seg_size (NULL unless cfg.tso_max) */
  uint32_t tx_slot, tx_cap, tx_head, tx_count;
  ltcp_tcb *tx_wait_head, *tx_wait_tail;
  uint8_t flushing;       /* in ltcp_stack_tx_peek: owed ACKs go out now */

  ltcp_event *events;
  uint32_t ev_head, ev_count;

  ltcp_tcb *graveyard;     /* deleted TCBs, freed at the end of the call (through hash_next) */
  ltcp_tcb *touched;       /* TCBs used during this call (tcp/tcb.h: ltcp_tcb_wake) */
  ltcp_tcb *idle_head, *idle_tail; /* idle TCBs that hold buffers, oldest first (tcp/tcb.h) */
  ltcp_tcb_busy *busy_pool; /* busy parts kept for reuse */
  uint32_t busy_pool_count;
  ltcp_tcb *tcb_pool;       /* freed TCBs kept for reuse, linked through hash_next */
  uint32_t tcb_pool_count;
};

/* stack.c */
void ltcp_stack_emit_event(ltcp_stack *st, const ltcp_event *ev);
void ltcp_stack_drop(ltcp_stack *st, ltcp_drop_reason why, const ltcp_seg *seg);
/* A slot for one outgoing IPv4 packet of up to tx_slot bytes, or NULL when the queue is full. */
uint8_t *ltcp_stack_tx_alloc(ltcp_stack *st);
void ltcp_stack_tx_commit(ltcp_stack *st, uint32_t len);
/* Marks the packet committed last as one the link cuts into segments of seg_size payload
 * bytes (TCP segmentation offload; cfg.tso_max must be set). */
void ltcp_stack_tx_set_seg_size(ltcp_stack *st, uint32_t seg_size);
void ltcp_stack_tx_wait(ltcp_stack *st, ltcp_tcb *tcb);
void ltcp_stack_tx_unwait(ltcp_stack *st, ltcp_tcb *tcb);
/* Frees TCBs deleted during this call; every public entry point ends with it. */
void ltcp_stack_reap(ltcp_stack *st);

/* table.c: connections, listeners, ports, timers. */
int ltcp_table_init(ltcp_stack *st);
void ltcp_table_free(ltcp_stack *st);
uint32_t ltcp_table_hash(const ltcp_stack *st, const ltcp_endpoint *l, const ltcp_endpoint *r);
ltcp_tcb *ltcp_table_lookup(ltcp_stack *st, const ltcp_endpoint *local, const ltcp_endpoint *remote);
int ltcp_table_insert(ltcp_stack *st, ltcp_tcb *tcb);
void ltcp_table_remove(ltcp_stack *st, ltcp_tcb *tcb);
ltcp_tcb *ltcp_table_listener(ltcp_stack *st, uint16_t port);
void ltcp_table_add_listener(ltcp_stack *st, ltcp_tcb *tcb);
void ltcp_table_remove_listener(ltcp_stack *st, ltcp_tcb *tcb);
/* Records (ip/records.h) in the stack's tables: found by 4-tuple, and holding their place in
 * the connection count and the port's use like a TCB. */
uint32_t ltcp_table_rec_find(const ltcp_stack *st, const ltcp_recs *r, const ltcp_endpoint *local,
                             const ltcp_endpoint *remote);
void ltcp_table_rec_insert(ltcp_stack *st, ltcp_recs *r, uint32_t idx, const ltcp_tcb *tcb);
void ltcp_table_rec_remove(ltcp_stack *st, ltcp_recs *r, uint32_t idx);
/* The endpoints of a record. */
void ltcp_table_rec_tuple(const ltcp_stack *st, const ltcp_rec_hdr *h, ltcp_endpoint *local,
                          ltcp_endpoint *remote);
void ltcp_port_ref(ltcp_stack *st, uint16_t port);
void ltcp_port_unref(ltcp_stack *st, uint16_t port);
/* Recomputes tcb->deadline from its timers and fixes its place in the heap. */
void ltcp_timer_update(ltcp_stack *st, ltcp_tcb *tcb);
ltcp_tcb *ltcp_timer_peek(const ltcp_stack *st);

/* stack.c: the records' entry points. Replaces a TCB in TIME-WAIT or a waiting half-open one
 * by its record (tcp/timewait.h, tcp/synrcvd.h) when it may: 1 if it did. */
int ltcp_stack_compact(ltcp_stack *st, ltcp_tcb *tcb);
/* Whether a connection or a record holds the 4-tuple. */
int ltcp_stack_tuple_in_use(ltcp_stack *st, const ltcp_endpoint *local, const ltcp_endpoint *remote);

/* socket.c: the connection's socket learns that the TCB is gone. */
void ltcp_sock_tcb_gone(ltcp_stack *st, ltcp_tcb *tcb, int error);

#endif
