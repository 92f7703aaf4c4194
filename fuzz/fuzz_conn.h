/* The fuzz targets' common setup (fuzz_conn.c): a fresh stack with a listener on 198.18.0.1:80 and
 * one connection from 198.18.0.2:40000 established by an injected handshake and accepted. */
#ifndef LTCP_FUZZ_CONN_H
#define LTCP_FUZZ_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "lucidtcp/lucidtcp.h"
#include "lucidtcp/wire/tcp.h"

#define FC_LOCAL LTCP_IPV4(198, 18, 0, 1)
#define FC_PEER LTCP_IPV4(198, 18, 0, 2)
#define FC_LPORT 80
#define FC_PPORT 40000
#define FC_PEER_ISN 1000000u
#define FC_MS ((ltcp_time_ns)1000000)

typedef struct fc_conn {
  ltcp_stack *st;
  int lfd, fd;       /* the listener and the accepted connection */
  uint32_t iss;      /* the stack's ISS, from its SYN-ACK */
  uint32_t snd_max;  /* the highest sequence number the connection has sent, plus one */
  uint32_t peer_nxt; /* the peer's next sequence number (its in-order data and FIN) */
  ltcp_time_ns now;
} fc_conn;

/* Builds the stack and the connection (queue_data: 3000 bytes queued to send once it is
 * accepted). 0, or -1 (c->st may still need ltcp_stack_free). */
int fc_setup(fc_conn *c, int queue_data);
/* Takes every packet the stack queued (bounded) and every event, noting snd_max. */
void fc_drain(fc_conn *c);
/* Injects a segment from the peer, checksums right, at c->now. */
void fc_send_peer(fc_conn *c, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t wnd,
                  const ltcp_tcp_options *opts, const uint8_t *payload, size_t len);

#endif
