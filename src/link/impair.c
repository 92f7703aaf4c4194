/* A netem-like fault injector for one direction of a link: a heap of delayed packets in a pool
 * of fixed slots, ordered by (due time, arrival order). */
#include "lucidtcp/impair.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/assert.h"
#include "util/rng.h"

#define IMPAIR_REORDER_HOLD_NS LTCP_MS(1)

typedef struct impair_pkt {
  ltcp_time_ns due;
  uint64_t order;
  uint32_t len;
  uint32_t slot;
} impair_pkt;

struct ltcp_impair {
  ltcp_impair_config cfg;
  ltcp_rng rng;
  uint8_t *slots;
  uint32_t slot_len, cap;
  uint32_t *free_slots, free_count;
  impair_pkt *heap;
  uint32_t heap_len;
  uint64_t next_order;
  ltcp_impair_stats stats;
};

/* ---- parsing */

static int impair_parse_time(const char *v, ltcp_time_ns *out) {
  char *end;
  double x = strtod(v, &end);
  if (end == v || x < 0) return -1;
  double unit = 1e6; /* milliseconds by default, as netem */
  if (strcmp(end, "ns") == 0) unit = 1;
  else if (strcmp(end, "us") == 0) unit = 1e3;
  else if (strcmp(end, "ms") == 0 || *end == '\0') unit = 1e6;
  else if (strcmp(end, "s") == 0) unit = 1e9;
  else return -1;
  if (x * unit > 3600e9) return -1;
  *out = (ltcp_time_ns)(x * unit);
  return 0;
}

static int impair_parse_prob(const char *v, double *out) {
  char *end;
  double x = strtod(v, &end);
  if (end == v) return -1;
  if (*end == '%' && end[1] == '\0') x /= 100;
  else if (*end) return -1;
  if (!(x >= 0 && x <= 1)) return -1;
  *out = x;
  return 0;
}

static int impair_parse_item(const char *key, const char *v, ltcp_impair_config *cfg) {
  if (strcmp(key, "delay") == 0) return impair_parse_time(v, &cfg->delay_ns);
  if (strcmp(key, "jitter") == 0) return impair_parse_time(v, &cfg->jitter_ns);
  if (strcmp(key, "loss") == 0) return impair_parse_prob(v, &cfg->loss);
  if (strcmp(key, "duplicate") == 0) return impair_parse_prob(v, &cfg->duplicate);
  if (strcmp(key, "reorder") == 0) return impair_parse_prob(v, &cfg->reorder);
  if (strcmp(key, "corrupt") == 0) return impair_parse_prob(v, &cfg->corrupt);
  if (strcmp(key, "seed") == 0) {
    char *end;
    unsigned long long s = strtoull(v, &end, 10);
    if (end == v || *end || *v == '-') return -1;
    cfg->seed = s;
    return 0;
  }
  if (strcmp(key, "dir") == 0) {
    cfg->in = strcmp(v, "in") == 0 || strcmp(v, "both") == 0;
    cfg->out = strcmp(v, "out") == 0 || strcmp(v, "both") == 0;
    return cfg->in || cfg->out ? 0 : -1;
  }
  return -1;
}

int ltcp_impair_parse(const char *spec, ltcp_impair_config *cfg, char *bad, size_t cap) {
  memset(cfg, 0, sizeof *cfg);
  cfg->seed = 1;
  cfg->in = cfg->out = 1;
  char item[96];
  const char *p = spec;
  for (int i = 0; i < 32 && *p; i++) { /* bounded: at most 32 items */
    size_t n = strcspn(p, ",");
    snprintf(item, sizeof item, "%.*s", (int)n, p);
    p += n + (p[n] == ',');
    char *eq = strchr(item, '=');
    if (n >= sizeof item || !eq || (*eq = '\0', impair_parse_item(item, eq + 1, cfg) != 0)) {
      if (eq) *eq = '=';
      snprintf(bad, cap, "%s", item);
      return LTCP_EINVAL;
    }
  }
  if (*p) {
    snprintf(bad, cap, "too many items");
    return LTCP_EINVAL;
  }
  return 0;
}

/* What each item takes, in the words of a message. */
static const struct {
  const char *key, *rule;
} impair_rules[] = {
    {"delay", "must be a time from 0 to 3600 s (10ms, 500us, 2s; a bare number is milliseconds)"},
    {"jitter", "must be a time from 0 to 3600 s (10ms, 500us, 2s; a bare number is milliseconds)"},
    {"loss", "must be a probability from 0 to 100% (5% or 0.05)"},
    {"duplicate", "must be a probability from 0 to 100% (5% or 0.05)"},
    {"reorder", "must be a probability from 0 to 100% (5% or 0.05)"},
    {"corrupt", "must be a probability from 0 to 100% (5% or 0.05)"},
    {"seed", "must be a non-negative integer"},
    {"dir", "must be in, out or both"},
};

const char *ltcp_impair_explain(const char *bad, char *buf, size_t cap) {
  size_t n = strcspn(bad, "=");
  if (strcmp(bad, "too many items") == 0) {
    snprintf(buf, cap, "at most 32 items");
    return buf;
  }
  for (size_t i = 0; i < sizeof impair_rules / sizeof impair_rules[0]; i++) {
    if (strlen(impair_rules[i].key) != n || strncmp(bad, impair_rules[i].key, n) != 0) continue;
    if (bad[n] != '=') snprintf(buf, cap, "%s wants a value: %s=VALUE", impair_rules[i].key,
                                impair_rules[i].key);
    else snprintf(buf, cap, "%s %s", impair_rules[i].key, impair_rules[i].rule);
    return buf;
  }
  snprintf(buf, cap, "unknown item '%.*s': the items are delay, jitter, loss, duplicate, "
           "reorder, corrupt, seed and dir", (int)(n > 40 ? 40 : n), bad);
  return buf;
}

/* ---- the queue */

ltcp_impair *ltcp_impair_new(const ltcp_impair_config *cfg, uint32_t capacity, uint32_t slot_len) {
  if (capacity == 0 || slot_len == 0) return NULL;
  ltcp_impair *im = calloc(1, sizeof *im);
  if (!im) return NULL;
  im->cfg = *cfg;
  ltcp_rng_seed(&im->rng, cfg->seed);
  im->cap = capacity;
  im->slot_len = slot_len;
  im->slots = malloc((size_t)capacity * slot_len);
  im->free_slots = malloc(capacity * sizeof *im->free_slots);
  im->heap = malloc(capacity * sizeof *im->heap);
  if (!im->slots || !im->free_slots || !im->heap) {
    ltcp_impair_free(im);
    return NULL;
  }
  for (uint32_t i = 0; i < capacity; i++) im->free_slots[i] = capacity - 1 - i;
  im->free_count = capacity;
  return im;
}

void ltcp_impair_free(ltcp_impair *im) {
  if (!im) return;
  free(im->slots);
  free(im->free_slots);
  free(im->heap);
  free(im);
}

static int impair_before(const impair_pkt *a, const impair_pkt *b) {
  return a->due != b->due ? a->due < b->due : a->order < b->order;
}

static void impair_swap(impair_pkt *a, impair_pkt *b) {
  impair_pkt t = *a;
  *a = *b;
  *b = t;
}

static void impair_heap_push(ltcp_impair *im, impair_pkt p) {
  uint32_t i = im->heap_len++;
  im->heap[i] = p;
  while (i > 0 && impair_before(&im->heap[i], &im->heap[(i - 1) / 2])) {
    impair_swap(&im->heap[i], &im->heap[(i - 1) / 2]);
    i = (i - 1) / 2;
  }
}

static void impair_heap_pop(ltcp_impair *im) {
  im->heap[0] = im->heap[--im->heap_len];
  uint32_t i = 0;
  for (;;) { /* bounded by the heap's depth */
    uint32_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < im->heap_len && impair_before(&im->heap[l], &im->heap[m])) m = l;
    if (r < im->heap_len && impair_before(&im->heap[r], &im->heap[m])) m = r;
    if (m == i) break;
    impair_swap(&im->heap[i], &im->heap[m]);
    i = m;
  }
}

static ltcp_time_ns impair_delay(ltcp_impair *im, int reordered) {
  const ltcp_impair_config *c = &im->cfg;
  if (reordered) return c->delay_ns ? 0 : IMPAIR_REORDER_HOLD_NS;
  ltcp_time_ns d = c->delay_ns;
  if (c->jitter_ns) {
    uint64_t j = ltcp_rng_below(&im->rng, 2 * c->jitter_ns + 1);
    d = d + j < c->jitter_ns ? 0 : d + j - c->jitter_ns;
  }
  return d;
}

static void impair_enqueue(ltcp_impair *im, ltcp_time_ns due, const uint8_t *pkt, size_t len,
                           int corrupt) {
  if (im->free_count == 0 || len > im->slot_len) {
    im->stats.overflow++;
    return;
  }
  uint32_t slot = im->free_slots[--im->free_count];
  uint8_t *dst = im->slots + (size_t)slot * im->slot_len;
  memcpy(dst, pkt, len);
  if (corrupt && len > 0) {
    uint64_t bit = ltcp_rng_below(&im->rng, (uint64_t)len * 8);
    dst[bit / 8] ^= (uint8_t)(1u << (bit % 8));
  }
  impair_pkt p = {due, im->next_order++, (uint32_t)len, slot};
  impair_heap_push(im, p);
}

void ltcp_impair_push(ltcp_impair *im, ltcp_time_ns now, const uint8_t *pkt, size_t len) {
  im->stats.pushed++;
  /* Every draw is made whatever the probabilities, so one seed gives one sequence of fates. */
  int lost = ltcp_rng_chance(&im->rng, im->cfg.loss);
  int dup = ltcp_rng_chance(&im->rng, im->cfg.duplicate);
  int reordered = ltcp_rng_chance(&im->rng, im->cfg.reorder);
  int corrupt = ltcp_rng_chance(&im->rng, im->cfg.corrupt);
  if (lost) {
    im->stats.lost++;
    return;
  }
  im->stats.duplicated += (uint64_t)dup;
  im->stats.reordered += (uint64_t)reordered;
  im->stats.corrupted += (uint64_t)corrupt;
  impair_enqueue(im, now + impair_delay(im, reordered), pkt, len, corrupt);
  if (dup) impair_enqueue(im, now + impair_delay(im, 0), pkt, len, 0);
}

size_t ltcp_impair_peek(ltcp_impair *im, ltcp_time_ns now, const uint8_t **pkt) {
  if (im->heap_len == 0 || im->heap[0].due > now) return 0;
  *pkt = im->slots + (size_t)im->heap[0].slot * im->slot_len;
  return im->heap[0].len;
}

void ltcp_impair_pop(ltcp_impair *im) {
  LTCP_ASSERT(im->heap_len > 0);
  im->free_slots[im->free_count++] = im->heap[0].slot;
  impair_heap_pop(im);
}

ltcp_time_ns ltcp_impair_next_due(const ltcp_impair *im) {
  return im->heap_len ? im->heap[0].due : LTCP_TIME_NEVER;
}

const ltcp_impair_stats *ltcp_impair_get_stats(const ltcp_impair *im) { return &im->stats; }
