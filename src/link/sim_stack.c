/* A stack as a simulator node: the node operations are the driver calls of stack.h. */
#include "lucidtcp/sim.h"
#include "lucidtcp/stack.h"

static void sim_stack_input(void *node, ltcp_time_ns now, const uint8_t *pkt, size_t len) {
  ltcp_stack_input(node, now, pkt, len);
}

static void sim_stack_advance(void *node, ltcp_time_ns now) { ltcp_stack_advance(node, now); }

static ltcp_time_ns sim_stack_next_deadline(void *node) {
  return ltcp_stack_next_deadline(node);
}

static size_t sim_stack_tx_peek(void *node, const uint8_t **pkt) {
  return ltcp_stack_tx_peek(node, pkt);
}

static void sim_stack_tx_pop(void *node) { ltcp_stack_tx_pop(node); }

static const ltcp_sim_node_ops sim_stack_ops = {
    .input = sim_stack_input,
    .advance = sim_stack_advance,
    .next_deadline = sim_stack_next_deadline,
    .tx_peek = sim_stack_tx_peek,
    .tx_pop = sim_stack_tx_pop,
};

int ltcp_sim_add_stack(ltcp_sim *sim, ltcp_stack *st) {
  if (sim == NULL || st == NULL) return LTCP_EINVAL;
  const ltcp_stack_config *c = ltcp_stack_get_config(st);
  int node = ltcp_sim_add_node(sim, &sim_stack_ops, st, c->addr);
  if (node >= 0) ltcp_sim_set_addr6(sim, node, c->addr6);
  return node;
}
