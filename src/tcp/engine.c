/* The engine's shared state: init, the end of a host call, freeing (engine.h). */
#include "tcp/engine.h"

#include <stdlib.h>
#include <string.h>

#include "lucidtcp/wire/bytes.h"
#include "tcp/life.h"
#include "util/assert.h"

int ltcp_engine_init(ltcp_engine *eng, const ltcp_stack_config *cfg, ltcp_stats *stats,
                     const ltcp_engine_host *host, const uint8_t isn_key[16]) {
  memset(eng, 0, sizeof *eng);
  eng->cfg = *cfg;
  eng->stats = stats;
  eng->host = *host;
  memcpy(eng->isn.key, isn_key, sizeof eng->isn.key);
  ltcp_mem_init(&eng->mem, cfg, stats);
  ltcp_syncookie_init(&eng->cookie, isn_key);
  eng->busy.pool_limit = ltcp_busy_pool_limit(cfg);
  if (cfg->event_capacity &&
      !(eng->events = calloc(cfg->event_capacity, sizeof *eng->events)))
    return LTCP_ENOMEM;
  return 0;
}

void ltcp_engine_reap(ltcp_engine *eng) {
  if (eng->busy.touched || eng->busy.idle_head) ltcp_busy_sleep_idle(eng);
  ltcp_life_free_graveyard(eng);
}

void ltcp_engine_trim(ltcp_engine *eng) {
  ltcp_busy_pool_free(eng);
  ltcp_life_pool_free(eng);
  ltcp_mem_trim(&eng->mem);
}

void ltcp_engine_free(ltcp_engine *eng) {
  eng->busy.touched = NULL; /* the host freed every live TCB */
  eng->busy.idle_head = eng->busy.idle_tail = NULL;
  ltcp_life_free_graveyard(eng);
  ltcp_engine_trim(eng);
  ltcp_mem_free(&eng->mem);
  ltcp_zc_pool_free(&eng->zc);
  free(eng->events);
  eng->events = NULL;
}

void ltcp_engine_endpoint(const ltcp_engine *eng, uint32_t addr, uint16_t port, ltcp_endpoint *out) {
  *out = (ltcp_endpoint){.addr = addr, .port = port};
  if (ltcp_ep_is_v6(addr) && eng->host.addr6) {
    out->family = LTCP_AF_INET6;
    out->addr = 0;
    memcpy(out->addr6, eng->host.addr6(eng->host.ctx, addr), 16);
  }
}

size_t ltcp_engine_put_end6(const ltcp_engine *eng, uint8_t *p, uint32_t addr, uint16_t port) {
  memcpy(p, eng->host.addr6(eng->host.ctx, addr), 16);
  ltcp_put16(p + 16, port);
  return 18;
}
