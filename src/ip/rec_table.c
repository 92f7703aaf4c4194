/* Compact records in the stack's tables (rec_table.h). */
#include "ip/rec_table.h"

#include "ip/ip.h"
#include "util/assert.h"

void ltcp_rec_table_tuple(const ltcp_ip *ip, const ltcp_rec_hdr *h, ltcp_endpoint *local,
                          ltcp_endpoint *remote) {
  *local = (ltcp_endpoint){ip->cfg.addr, h->local_port};
  *remote = (ltcp_endpoint){h->remote_addr, h->remote_port};
}

static uint32_t rec_table_hash(const ltcp_ip *ip, const ltcp_rec_hdr *h) {
  ltcp_endpoint l, r;
  ltcp_rec_table_tuple(ip, h, &l, &r);
  return ltcp_table_hash(&ip->table, &l, &r);
}

uint32_t ltcp_rec_table_find(const ltcp_ip *ip, const ltcp_recs *r, const ltcp_endpoint *l,
                             const ltcp_endpoint *rem) {
  if (r->count == 0 || l->addr != ip->cfg.addr) return 0;
  uint32_t idx = ltcp_recs_first(r, ltcp_table_hash(&ip->table, l, rem));
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

void ltcp_rec_table_insert(ltcp_ip *ip, ltcp_recs *r, uint32_t idx, const ltcp_endpoint *local,
                           const ltcp_endpoint *remote) {
  ltcp_rec_hdr *h = ltcp_recs_hdr(r, idx);
  LTCP_ASSERT(local->addr == ip->cfg.addr);
  h->remote_addr = remote->addr;
  h->remote_port = remote->port;
  h->local_port = local->port;
  ltcp_recs_hash_insert(r, idx, rec_table_hash(ip, h));
  ltcp_ports_hold(&ip->ports, h->local_port);
  ltcp_table_count_record(&ip->table, +1);
}

void ltcp_rec_table_remove(ltcp_ip *ip, ltcp_recs *r, uint32_t idx) {
  ltcp_rec_hdr *h = ltcp_recs_hdr(r, idx);
  ltcp_recs_hash_remove(r, idx, rec_table_hash(ip, h));
  ltcp_ports_release(&ip->ports, h->local_port);
  ltcp_table_count_record(&ip->table, -1);
}
