/* Compact records in the stack's tables (rec_table.h). */
#include "ip/rec_table.h"

#include "util/assert.h"

void ltcp_rec_table_tuple(const ltcp_rec_home *home, const ltcp_rec_hdr *h, ltcp_ep *local,
                          ltcp_ep *remote) {
  *local = (ltcp_ep){ltcp_rec_local_addr(home, h->remote_addr), h->local_port};
  *remote = (ltcp_ep){h->remote_addr, h->remote_port};
}

static inline uint32_t rec_table_hash(const ltcp_rec_home *home, const ltcp_rec_hdr *h) {
  ltcp_ep l, r;
  ltcp_rec_table_tuple(home, h, &l, &r);
  return ltcp_table_hash(home->table, &l, &r);
}

uint32_t ltcp_rec_table_find(const ltcp_rec_home *home, const ltcp_recs *r, const ltcp_ep *l,
                             const ltcp_ep *rem) {
  if (r->count == 0 || l->addr != ltcp_rec_local_addr(home, rem->addr)) return 0;
  uint32_t idx = ltcp_recs_first(r, ltcp_table_hash(home->table, l, rem));
  /* Bounded by the records in use: a chain holds each at most once. */
  for (uint32_t n = 0; idx; n++) {
    LTCP_ASSERT(n < r->count);
    const ltcp_rec_hdr *h = ltcp_recs_hdr(r, idx);
    if (h->remote_addr == rem->addr && h->remote_port == rem->port && h->local_port == l->port)
      return idx;
    idx = h->hash_next;
  }
  return 0;
}

void ltcp_rec_table_insert(const ltcp_rec_home *home, ltcp_recs *r, uint32_t idx, const ltcp_ep *local,
                           const ltcp_ep *remote) {
  ltcp_rec_hdr *h = ltcp_recs_hdr(r, idx);
  LTCP_ASSERT(local->addr == ltcp_rec_local_addr(home, remote->addr));
  h->remote_addr = remote->addr;
  h->remote_port = remote->port;
  h->local_port = local->port;
  ltcp_recs_hash_insert(r, idx, rec_table_hash(home, h));
  ltcp_table_add_record(home->table, h->local_port, h->remote_addr, home->half_open);
}

void ltcp_rec_table_remove(const ltcp_rec_home *home, ltcp_recs *r, uint32_t idx) {
  ltcp_rec_hdr *h = ltcp_recs_hdr(r, idx);
  ltcp_recs_hash_remove(r, idx, rec_table_hash(home, h));
  ltcp_table_remove_record(home->table, h->local_port, h->remote_addr, home->half_open);
}
