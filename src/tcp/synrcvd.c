/* Compact half-open connections, the engine's side (synrcvd.h). */
#include "tcp/synrcvd.h"

#include <string.h>

#include "tcp/cc.h"
#include "tcp/engine.h"
#include "tcp/listen.h"
#include "tcp/rtt.h"
#include "tcp/timer.h"
#include "tcp/window.h"
#include "util/assert.h"

int ltcp_syn_may_compact(const ltcp_engine *eng, const ltcp_tcb *tcb) {
  const ltcp_tcb_busy *b = tcb->busy;
  if (!b || tcb->view || tcb->dead || tcb->state != LTCP_SYN_RECEIVED || !tcb->passive ||
      !b->parent || tcb->accepted || tcb->orphan)
    return 0;
  if (b->sndbuf.len || b->rcvbuf.len || b->reasm.head || tcb->fin_queued || tcb->fin_rcvd ||
      tcb->ack_now || tcb->in_tx_wait || b->probes || tcb->rcv_shut)
    return 0;
  if (tcb->snd_una != tcb->iss || tcb->snd_nxt != tcb->iss + 1 || b->snd_retx != tcb->iss + 1 ||
      tcb->rcv_nxt != tcb->irs + 1 || tcb->snd_wnd > 0xffff || tcb->snd_max_wnd != tcb->snd_wnd)
    return 0;
  if (b->rtx_at == LTCP_TIME_NEVER || b->ut_at != LTCP_TIME_NEVER ||
      b->fw2_at != LTCP_TIME_NEVER || b->tw_at != LTCP_TIME_NEVER ||
      b->dack_at != LTCP_TIME_NEVER || tcb->ka_at != LTCP_TIME_NEVER)
    return 0;
  if (b->retries >= LTCP_SYN_LEVELS || tcb->rto_backed_off != (b->retries > 0) ||
      tcb->rto != eng->cfg.rto_initial_ns || tcb->srtt != 0)
    return 0;
  /* The RTT timing of the first SYN,ACK restarts from the deadline (RFC 6298 §3). */
  ltcp_time_ns rtt_start = b->retries ? LTCP_TIME_NEVER : b->rtx_at - ltcp_rtt_backed_off(eng, tcb);
  if (b->rtt_start != rtt_start) return 0;
  const ltcp_tcb *lst = b->parent;
  return tcb->rcv_mss == ltcp_engine_mss(eng, lst->rcv_mss, tcb->remote.addr) && b->sndbuf.cap == lst->busy->sndbuf_size &&
         b->rcvbuf.cap == lst->busy->rcvbuf_size && tcb->user_timeout_ms == lst->user_timeout_ms &&
         memcmp(&tcb->opts, &lst->opts, sizeof tcb->opts) == 0;
}

ltcp_time_ns ltcp_syn_deadline(const ltcp_tcb *tcb) { return tcb->busy->rtx_at; }

void ltcp_syn_save(const ltcp_tcb *tcb, ltcp_syn_state *s) {
  const ltcp_rfc7323 *o = &tcb->rfc7323;
  s->iss = tcb->iss;
  s->irs = tcb->irs;
  s->ts_recent = o->ts_recent;
  s->ts_offset = o->ts_offset;
  s->snd_wnd = (uint16_t)tcb->snd_wnd;
  s->snd_mss = tcb->snd_mss;
  s->flags = ltcp_opts_pack_flags(tcb);
  s->snd_wscale = o->snd_wscale;
  s->rcv_wscale = o->rcv_wscale;
  s->retries = (uint8_t)tcb->busy->retries;
  s->chack = ltcp_tcb_chack_get(tcb);
}

/* What the SYN negotiated (RFC 7323, SACK), as ltcp_opts_take_syn left it. */
static void syn_restore_options(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_syn_state *s) {
  ltcp_rfc7323 *o = &tcb->rfc7323;
  o->inited = 1;
  o->ws_offered = eng->cfg.window_scale != 0;
  o->ts_offered = eng->cfg.timestamps != 0;
  o->wscale_offer = ltcp_opts_wscale_offer(eng, tcb->busy->rcvbuf.cap);
  o->snd_wscale = s->snd_wscale;
  o->rcv_wscale = s->rcv_wscale;
  o->ts_offset = s->ts_offset;
  o->ts_recent = s->ts_recent;
  o->last_ack_sent = s->irs + 1;
  tcb->sack_offered = eng->cfg.sack != 0;
  ltcp_opts_unpack_flags(eng, tcb, s->flags);
}

void ltcp_syn_restore(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_syn_state *s, ltcp_tcb *lst,
                      const ltcp_ep *local, const ltcp_ep *remote,
                      ltcp_time_ns deadline) {
  tcb->local = *local;
  tcb->remote = *remote;
  tcb->passive = 1;
  ltcp_listen_inherit(eng, lst, tcb);
  ltcp_listen_readopt(lst, tcb);
  tcb->iss = tcb->snd_una = tcb->snd_wl2 = s->iss;
  tcb->snd_nxt = tcb->busy->snd_retx = tcb->snd_buf_seq = s->iss + 1;
  tcb->irs = tcb->snd_wl1 = s->irs;
  tcb->rcv_nxt = tcb->rcv_adv = tcb->busy->rcv_acked = s->irs + 1;
  tcb->snd_wnd = tcb->snd_max_wnd = s->snd_wnd;
  tcb->snd_mss = s->snd_mss;
  ltcp_cc_init(tcb); /* as in_take_syn did, from the MSS the options left */
  syn_restore_options(eng, tcb, s);
  /* The window our SYN,ACK advertised (never scaled in a SYN): its right edge. */
  ltcp_seg synack = {.flags = LTCP_SYN | LTCP_ACK};
  synack.wnd = ltcp_window_field(eng, tcb, synack.flags);
  tcb->rcv_adv = tcb->rcv_nxt + ltcp_window_bytes(tcb, &synack);
  tcb->busy->retries = s->retries;
  ltcp_tcb_chack_set(tcb, s->chack);
  tcb->rto_backed_off = s->retries > 0;
  tcb->busy->rtx_at = deadline;
  tcb->busy->rtt_seq = s->iss + 1;
  tcb->busy->rtt_start = s->retries ? LTCP_TIME_NEVER : deadline - ltcp_rtt_backed_off(eng, tcb);
  ltcp_timer_update(eng, tcb); /* into the host's heap, due at the record's deadline */
}
