/* The public stack calls (lucidtcp/stack.h): a thin front over the IP layer (ip/ip.h), which
 * owns the work, and the socket table (sock/socket.h). */
#include "sock/stack.h"

#include <errno.h>
#include <stdlib.h>

#include "tcp/events.h"

_Static_assert(LTCP_INPUT_CSUM_OK == LTCP_IP_CSUM_OK, "the IP layer's input flags are the API's");

ltcp_stack *ltcp_stack_new(const ltcp_stack_config *cfg) {
  if (!ltcp_ip_config_valid(cfg)) return NULL;
  ltcp_stack *st = calloc(1, sizeof *st);
  if (!st) return NULL;
  ltcp_ip_upper upper = {.ctx = st, .conn_gone = ltcp_sock_conn_gone};
  if (ltcp_ip_init(&st->ip, cfg, &upper) != 0 ||
      ltcp_sock_table_init(&st->socks, cfg->max_sockets) != 0) {
    ltcp_stack_free(st);
    return NULL;
  }
  return st;
}

int ltcp_stack_set_config(ltcp_stack *st, const ltcp_stack_config *cfg) {
  if (ltcp_ip_set_config(&st->ip, cfg) != 0) {
    errno = EINVAL;
    return -1;
  }
  return 0;
}

void ltcp_stack_free(ltcp_stack *st) {
  if (!st) return;
  st->ip.upper.conn_gone = NULL; /* nothing is told while everything goes */
  ltcp_ip_free(&st->ip);
  ltcp_sock_table_free(&st->socks);
  free(st);
}

void ltcp_stack_input(ltcp_stack *st, ltcp_time_ns now, const uint8_t *pkt, size_t len) {
  ltcp_ip_input(&st->ip, now, pkt, len, 0);
}

void ltcp_stack_input_flags(ltcp_stack *st, ltcp_time_ns now, const uint8_t *pkt, size_t len,
                            uint32_t flags) {
  ltcp_ip_input(&st->ip, now, pkt, len, flags);
}

void ltcp_stack_advance(ltcp_stack *st, ltcp_time_ns now) { ltcp_ip_advance(&st->ip, now); }

ltcp_time_ns ltcp_stack_next_deadline(const ltcp_stack *st) {
  return ltcp_ip_next_deadline(&st->ip);
}

ltcp_time_ns ltcp_stack_now(const ltcp_stack *st) { return st->ip.tcp.now; }

size_t ltcp_stack_tx_peek(ltcp_stack *st, const uint8_t **pkt) {
  return ltcp_ip_tx_peek(&st->ip, pkt);
}

uint32_t ltcp_stack_tx_seg_size(const ltcp_stack *st) { return ltcp_ip_tx_seg_size(&st->ip); }

void ltcp_stack_tx_pop(ltcp_stack *st) { ltcp_ip_tx_pop(&st->ip); }

int ltcp_stack_next_event(ltcp_stack *st, ltcp_event *ev) {
  return ltcp_events_next(&st->ip.tcp, ev);
}

const ltcp_stats *ltcp_stack_stats(const ltcp_stack *st) { return &st->ip.stats; }

void ltcp_stack_trim(ltcp_stack *st) { ltcp_ip_trim(&st->ip); }

const ltcp_stack_config *ltcp_stack_get_config(const ltcp_stack *st) { return &st->ip.cfg; }

uint32_t ltcp_stack_connection_count(const ltcp_stack *st) { return st->ip.table.count; }

uint32_t ltcp_stack_count_state(const ltcp_stack *st, ltcp_state state) {
  return ltcp_ip_count_state(&st->ip, state);
}

size_t ltcp_stack_connections(const ltcp_stack *st,
                              void (*fn)(void *ctx, const ltcp_conn_info *info), void *ctx) {
  return ltcp_ip_connections(&st->ip, fn, ctx);
}

/* The route calls: the IP layer's codes turned into -1 and errno, as the socket calls do. */
static int stack_result(int rc) {
  if (rc == 0) return 0;
  errno = -rc;
  return -1;
}

int ltcp_route_add(ltcp_stack *st, uint32_t prefix, uint8_t len, uint32_t via) {
  return stack_result(ltcp_ip_route_add(&st->ip, prefix, len, via));
}

int ltcp_route_del(ltcp_stack *st, uint32_t prefix, uint8_t len) {
  return stack_result(ltcp_ip_route_del(&st->ip, prefix, len));
}

int ltcp_route_lookup(const ltcp_stack *st, uint32_t dst, uint32_t *via) {
  return stack_result(ltcp_ip_route_lookup(&st->ip, dst, via));
}

int ltcp_route6_add(ltcp_stack *st, const uint8_t prefix[16], uint8_t len, const uint8_t via[16]) {
  return stack_result(ltcp_ip_route6_add(&st->ip, prefix, len, via));
}

int ltcp_route6_del(ltcp_stack *st, const uint8_t prefix[16], uint8_t len) {
  return stack_result(ltcp_ip_route6_del(&st->ip, prefix, len));
}

int ltcp_route6_lookup(const ltcp_stack *st, const uint8_t dst[16], uint8_t via[16]) {
  return stack_result(ltcp_ip_route6_lookup(&st->ip, dst, via));
}
