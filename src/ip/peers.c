/* IPv6 peer addresses by handle (peers.h). */
#include "ip/peers.h"

#include <stdlib.h>
#include <string.h>

#include "lucidtcp/common.h"
#include "util/assert.h"

int ltcp_peers_init(ltcp_peers *p, uint32_t cap, const uint8_t key[16]) {
  memset(p, 0, sizeof *p);
  if (cap == 0) return 0;
  uint32_t nb = 16;
  while (nb < cap && nb < (1u << 28)) nb <<= 1; /* bounded: at most 24 doublings */
  p->cap = cap;
  p->mask = nb - 1;
  memcpy(p->key, key, 16);
  p->last = 0;
  p->e = calloc((size_t)cap + 1, sizeof *p->e);
  p->buckets = calloc(nb, sizeof *p->buckets);
  p->sweep = calloc(cap, sizeof *p->sweep);
  if (!p->e || !p->buckets || !p->sweep) return LTCP_ENOMEM;
  for (uint32_t i = 1; i < cap; i++) p->e[i].next = i + 1; /* the free list: 1, 2, ... cap */
  p->free_head = 1;
  return 0;
}

void ltcp_peers_free(ltcp_peers *p) {
  free(p->e);
  free(p->buckets);
  free(p->sweep);
  memset(p, 0, sizeof *p);
}

/* The bucket of addr: the two halves mixed under the secret (as ip/table.h's 4-tuple hash). */
static uint32_t *peers_bucket(const ltcp_peers *p, const uint8_t addr[16]) {
  uint64_t a, b;
  memcpy(&a, addr, 8);
  memcpy(&b, addr + 8, 8);
  uint64_t x = (a ^ p->key[0]) * 0x9e3779b97f4a7c15ull;
  x ^= (b ^ p->key[1]) + (x >> 29);
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return &p->buckets[x & p->mask];
}

uint32_t ltcp_peers_find(ltcp_peers *p, const uint8_t addr[16]) {
  if (p->cap == 0) return 0;
  if (p->last && memcmp(p->e[p->last].addr, addr, 16) == 0) return LTCP_EP_V6_TAG | p->last;
  uint32_t i = *peers_bucket(p, addr);
  for (uint32_t n = 0; i; i = p->e[i].next, n++) { /* bounded by the entries in use */
    LTCP_ASSERT(n < p->count);
    if (memcmp(p->e[i].addr, addr, 16) == 0) {
      p->last = i;
      return LTCP_EP_V6_TAG | i;
    }
  }
  return 0;
}

static void peers_to_sweep(ltcp_peers *p, uint32_t i) {
  if (p->e[i].refs & LTCP_PEER_SWEEP) return;
  LTCP_ASSERT(p->nsweep < p->cap);
  p->e[i].refs |= LTCP_PEER_SWEEP;
  p->sweep[p->nsweep++] = i;
}

int ltcp_peers_get(ltcp_peers *p, const uint8_t addr[16], uint32_t *handle) {
  uint32_t h = ltcp_peers_find(p, addr);
  if (h) {
    *handle = h;
    return 0;
  }
  if (p->free_head == 0) return LTCP_ENOBUFS;
  uint32_t i = p->free_head;
  ltcp_peer *e = &p->e[i];
  p->free_head = e->next;
  memcpy(e->addr, addr, 16);
  e->refs = 0;
  uint32_t *b = peers_bucket(p, addr);
  e->next = *b;
  *b = i;
  p->count++;
  peers_to_sweep(p, i);
  *handle = LTCP_EP_V6_TAG | i;
  return 0;
}

void ltcp_peers_hold(ltcp_peers *p, uint32_t handle) {
  uint32_t i = handle & ~LTCP_EP_V6_TAG;
  LTCP_ASSERT(i > 0 && i <= p->cap);
  p->e[i].refs++;
}

void ltcp_peers_release(ltcp_peers *p, uint32_t handle) {
  uint32_t i = handle & ~LTCP_EP_V6_TAG;
  LTCP_ASSERT(i > 0 && i <= p->cap && (p->e[i].refs & ~LTCP_PEER_SWEEP) > 0);
  if ((--p->e[i].refs & ~LTCP_PEER_SWEEP) == 0) peers_to_sweep(p, i);
}

/* Entry i leaves its bucket for the free list. */
static void peers_drop(ltcp_peers *p, uint32_t i) {
  uint32_t *link = peers_bucket(p, p->e[i].addr);
  for (uint32_t n = 0; *link != i; n++) { /* bounded by the entries in use */
    LTCP_ASSERT(*link && n < p->count);
    link = &p->e[*link].next;
  }
  *link = p->e[i].next;
  if (p->last == i) p->last = 0;
  p->e[i].next = p->free_head;
  p->free_head = i;
  p->count--;
}

void ltcp_peers_sweep(ltcp_peers *p) {
  for (uint32_t k = 0; k < p->nsweep; k++) {
    uint32_t i = p->sweep[k];
    p->e[i].refs &= ~LTCP_PEER_SWEEP;
    if (p->e[i].refs == 0) peers_drop(p, i);
  }
  p->nsweep = 0;
}
