/* The report (report.h): text, JSON Lines, and the ladder of one connection. */
#include "analyze/report.h"

#include <string.h>

enum { R_RESET, R_BOLD, R_DIM, R_INFO, R_WARN, R_ERR };
static const char *const report_sgr[] = {"\033[0m", "\033[1m", "\033[2m", "\033[36m",
                                          "\033[33m", "\033[31m"};

static const char *rc(const an_report *r, int c) { return r->color ? report_sgr[c] : ""; }

static const char *const side_role[2] = {"client", "server"};

static double rel_s(const an_report *r, ltcp_time_ns t) {
  return t >= r->t0 ? (double)(t - r->t0) / 1e9 : -(double)(r->t0 - t) / 1e9;
}

/* "198.18.0.1:40000" or "[2001:db8::1]:40000" */
static char *endpoint_text(const an_side *s, char *buf, size_t cap) {
  char a[AN_ADDR_TEXT];
  an_addr_format(&s->addr, a);
  snprintf(buf, cap, s->addr.family == 6 ? "[%s]:%u" : "%s:%u", a, s->port);
  return buf;
}

/* ---- findings in words */

static void finding_text_a(const an_conn *c, const an_finding *f, const char *who,
                           const char *peer, char *buf, size_t cap) {
  double d = (double)f->duration_ns / 1e9;
  switch (f->kind) {
    case AN_F_CLOSE_WAIT:
      snprintf(buf, cap, "%s stayed in CLOSE-WAIT for %.1f s: the %s's FIN (frame %llu) reached "
               "it and no FIN followed; its application never closed the socket (look for a "
               "missing close() there)", who, d, peer, (unsigned long long)f->frames[0]);
      return;
    case AN_F_FIN_WAIT_2:
      snprintf(buf, cap, "%s lingered in FIN-WAIT-2 for %.1f s: its FIN was acknowledged but the "
               "%s never sent its own; the %s's application has not closed (Linux drops an "
               "orphaned FIN-WAIT-2 after tcp_fin_timeout, 60 s)", who, d, peer, peer);
      return;
    case AN_F_HALF_OPEN:
      if (f->n1)
        snprintf(buf, cap, "half-open: %s went silent while the %s, still %s, retransmitted: "
                 "it vanished (crashed, rebooted, unplugged, or a middlebox dropped the flow)",
                 who, peer, ltcp_state_name(f->state));
      else
        snprintf(buf, cap, "half-open: %s is CLOSED after a reset (frame %llu) but the %s is "
                 "still %s; the %s learns only when it next sends", who,
                 (unsigned long long)f->frames[0], peer, ltcp_state_name(f->state), peer);
      return;
    default:
      break;
  }
  (void)c;
}

static void finding_text_b(const an_conn *c, const an_finding *f, const char *who,
                           const char *peer, char *buf, size_t cap) {
  double d = (double)f->duration_ns / 1e9;
  switch (f->kind) {
    case AN_F_RESET:
      snprintf(buf, cap, "%s reset the connection in %s (%s) after sending %llu bytes and "
               "receiving %llu: its application aborted, exited, or closed with unread data",
               who, ltcp_state_name(f->state), f->detail, (unsigned long long)f->n1,
               (unsigned long long)f->n2);
      return;
    case AN_F_SYN_UNANSWERED:
      snprintf(buf, cap, "%s's SYN was never answered (sent %llu times over %.1f s%s%s%s): the "
               "%s is down, or a firewall drops the SYN", who, (unsigned long long)f->n1, d,
               f->detail[0] ? "; retries after " : "", f->detail, "", peer);
      return;
    case AN_F_SYN_REFUSED:
      snprintf(buf, cap, "the %s answered %s's SYN with RST: nothing listens on port %u "
               "(connection refused)", peer, who, c->side[1].port);
      return;
    case AN_F_SYN_ICMP:
      snprintf(buf, cap, "%s's SYN was answered with %s: the %s or a router on the way refused it",
               who, f->detail, peer);
      return;
    case AN_F_RTO:
      snprintf(buf, cap, "%s sent seq %u again %llu times (gaps %s): repeated retransmission timeouts "
               "with the RTO backed off; the path loses packets or the %s stopped answering",
               who, (uint32_t)f->n2, (unsigned long long)f->n1, f->detail, peer);
      return;
    case AN_F_ZERO_WINDOW:
      snprintf(buf, cap, "%s offered a zero window for %.1f s%s (%llu probes): its application "
               "stopped reading, stalling the %s", who, d, f->n2 ? ", still closed at the end" : "",
               (unsigned long long)f->n1, peer);
      return;
    default:
      break;
  }
}

static void finding_text_c(const an_finding *f, const char *who, const char *peer, char *buf,
                           size_t cap) {
  switch (f->kind) {
    case AN_F_OUT_OF_WINDOW:
      snprintf(buf, cap, "%llu segment(s) from %s lay outside the window the %s offered (RFC "
               "9293 §3.10.7.4): a broken middlebox, a window bug, or a reset not accepted",
               (unsigned long long)f->n1, who, peer);
      return;
    case AN_F_SIMULTANEOUS_OPEN:
      snprintf(buf, cap, "simultaneous open: both ends sent a SYN and each went through "
               "SYN-RECEIVED (RFC 9293 §3.5, figure 8)");
      return;
    case AN_F_SIMULTANEOUS_CLOSE:
      snprintf(buf, cap, "simultaneous close: both ends sent a FIN before receiving the other's "
               "and went through CLOSING (RFC 9293 §3.6, figure 13)");
      return;
    case AN_F_TIME_WAIT_RST:
      snprintf(buf, cap, "an RST from the %s ended %s's TIME-WAIT after %.1f s (TIME-WAIT "
               "assassination, RFC 1337): old duplicates may reach a new connection on this "
               "4-tuple; Linux ignores such resets with net.ipv4.tcp_rfc1337=1", peer, who,
               (double)f->duration_ns / 1e9);
      return;
    case AN_F_SYN_IN_TIME_WAIT:
      snprintf(buf, cap, "a new SYN reused this 4-tuple while %s still held it in TIME-WAIT: "
               "accepted only if its ISN or timestamp is newer (RFC 9293 §3.6, RFC 6191); "
               "widen the client's port range or enable timestamps", who);
      return;
    default:
      break;
  }
}

void an_finding_text(const an_conn *c, const an_finding *f, char *buf, size_t cap) {
  char who[80], peer[16], ep[64];
  int s = f->side & 1;
  snprintf(who, sizeof who, "%s %s", side_role[s], endpoint_text(&c->side[s], ep, sizeof ep));
  snprintf(peer, sizeof peer, "%s", side_role[1 - s]);
  buf[0] = '\0';
  if (f->kind == AN_F_OPEN_AT_END) {
    snprintf(buf, cap, "still open when the capture ended: client %s, server %s (as netstat "
             "would have shown them)", c->side[0].known ? ltcp_state_name(c->side[0].state) : "?",
             c->side[1].known ? ltcp_state_name(c->side[1].state) : "?");
    return;
  }
  finding_text_a(c, f, who, peer, buf, cap);
  if (!buf[0]) finding_text_b(c, f, who, peer, buf, cap);
  if (!buf[0]) finding_text_c(f, who, peer, buf, cap);
}

/* ---- text */

static void text_change(an_report *r, const an_change *ch, char *buf, size_t cap) {
  char fl[12];
  if (ch->why == LTCP_STIM_TIMEOUT) {
    snprintf(buf, cap, "%s %.3f (2MSL timer)", ltcp_state_name(ch->to), rel_s(r, ch->time));
    return;
  }
  snprintf(buf, cap, "%s %.3f (%s %s #%llu)", ltcp_state_name(ch->to), rel_s(r, ch->time),
           ch->sent ? "sent" : "rcvd", ltcp_flags_format(ch->flags, fl),
           (unsigned long long)ch->frame);
}

static void text_timeline(an_report *r, const an_conn *c, int i) {
  const an_side *s = &c->side[i];
  fprintf(r->out, "  %-7s", side_role[i]);
  if (s->timeline_count == 0) {
    fprintf(r->out, " %s\n", s->known ? ltcp_state_name(s->state) : "? (nothing from it)");
    return;
  }
  fprintf(r->out, " %s", ltcp_state_name(s->timeline[0].from));
  for (uint32_t k = 0; k < s->timeline_count; k++) {
    char buf[96];
    text_change(r, &s->timeline[k], buf, sizeof buf);
    if (k > 0 && k % 3 == 0) fprintf(r->out, "\n%9s", "");
    fprintf(r->out, " > %s", buf);
  }
  if (s->timeline_lost) fprintf(r->out, " (+%u more)", s->timeline_lost);
  fputc('\n', r->out);
}

static void text_rtt(an_report *r, const an_conn *c) {
  fprintf(r->out, "  rtt     ");
  if (c->syn_frame && c->hs_ack_frame) fprintf(r->out, "handshake %.3f ms", (double)(c->hs_ack_t - c->syn_t) / 1e6);
  else fprintf(r->out, "handshake -");
  for (int i = 0; i < 2; i++) {
    const an_rtt *t = &c->side[i].rtt_ts;
    if (t->count)
      fprintf(r->out, "; timestamps %s->%s %.3f ms (min %.3f, max %.3f, %u samples)",
              side_role[i], side_role[1 - i], (double)t->sum / t->count / 1e6, (double)t->min / 1e6,
              (double)t->max / 1e6, t->count);
  }
  fputc('\n', r->out);
}

static const char *vantage_where(const an_vantage *v) {
  if (v->near == 0) return "near the client";
  if (v->near == 1) return "near the server";
  return strcmp(v->by, "ttl") == 0 ? "between the two ends" : "at an unknown point";
}

static int level_color(an_level l) { return l == AN_ERROR ? R_ERR : l == AN_WARNING ? R_WARN : R_INFO; }

static void text_conn(an_report *r, const an_conn *c) {
  char a[64], b[64];
  an_vantage v;
  an_vantage_infer(c, &v);
  fprintf(r->out, "%sconn %llu%s  %s -> %s  frames %llu-%llu  %.3f-%.3f s (%.3f s)%s%s\n",
          rc(r, R_BOLD), (unsigned long long)c->id, rc(r, R_RESET),
          endpoint_text(&c->side[0], a, sizeof a), endpoint_text(&c->side[1], b, sizeof b),
          (unsigned long long)c->first_frame, (unsigned long long)c->last_frame,
          rel_s(r, c->first_t), rel_s(r, c->last_t), (double)(c->last_t - c->first_t) / 1e9,
          c->midstream ? "  (joined midstream)" : "", c->evicted ? "  (table full: reported early)" : "");
  for (int i = 0; i < 2; i++) {
    const an_side *s = &c->side[i];
    fprintf(r->out, "  %s -> %s  %llu segs  %llu bytes  %llu retransmitted (%llu bytes)  max window %llu\n",
            side_role[i], side_role[1 - i], (unsigned long long)s->segs,
            (unsigned long long)s->bytes, (unsigned long long)s->retx_segs,
            (unsigned long long)s->retx_bytes, (unsigned long long)s->max_wnd);
  }
  text_rtt(r, c);
  fprintf(r->out, "  capture %s (by %s, confidence %s; hops client %d, server %d)\n",
          vantage_where(&v), v.by, v.confidence, v.hops[0], v.hops[1]);
  for (int i = 0; i < 2; i++) text_timeline(r, c, i);
  for (uint32_t k = 0; k < c->finding_count; k++) {
    const an_finding *f = &c->findings[k];
    char text[512];
    an_finding_text(c, f, text, sizeof text);
    fprintf(r->out, "  %s%-7s%s %.3f s  %s  [frames", rc(r, level_color(f->level)),
            an_level_name(f->level), rc(r, R_RESET), rel_s(r, f->time), text);
    for (int j = 0; j < 3; j++)
      if (f->frames[j]) fprintf(r->out, " %llu", (unsigned long long)f->frames[j]);
    fprintf(r->out, "]\n");
  }
  if (c->findings_lost) fprintf(r->out, "  (%u more findings not kept)\n", c->findings_lost);
  fputc('\n', r->out);
}

/* ---- JSON Lines (docs/analyze.md lists every field) */

static void json_side(an_report *r, const char *key, const an_side *s) {
  char a[AN_ADDR_TEXT];
  fprintf(r->out, "\"%s\":{\"addr\":\"%s\",\"port\":%u,\"state\":\"%s\",\"segments\":%llu,"
          "\"bytes\":%llu,\"retransmissions\":%llu,\"retransmitted_bytes\":%llu,"
          "\"max_window\":%llu,\"ttl\":%u,", key, an_addr_format(&s->addr, a), s->port,
          s->known ? ltcp_state_name(s->state) : "?", (unsigned long long)s->segs,
          (unsigned long long)s->bytes, (unsigned long long)s->retx_segs,
          (unsigned long long)s->retx_bytes, (unsigned long long)s->max_wnd, s->segs ? s->ttl_max : 0);
  if (s->rtt_ts.count)
    fprintf(r->out, "\"rtt_ts_ms\":{\"avg\":%.3f,\"min\":%.3f,\"max\":%.3f,\"samples\":%u},",
            (double)s->rtt_ts.sum / s->rtt_ts.count / 1e6, (double)s->rtt_ts.min / 1e6,
            (double)s->rtt_ts.max / 1e6, s->rtt_ts.count);
  fprintf(r->out, "\"timeline\":[");
  for (uint32_t k = 0; k < s->timeline_count; k++) {
    const an_change *ch = &s->timeline[k];
    char fl[12];
    fprintf(r->out, "%s{\"time_s\":%.6f,\"frame\":%llu,\"from\":\"%s\",\"to\":\"%s\","
            "\"cause\":\"%s\",\"flags\":\"%s\"}", k ? "," : "", rel_s(r, ch->time),
            (unsigned long long)ch->frame, ltcp_state_name(ch->from), ltcp_state_name(ch->to),
            ch->why == LTCP_STIM_TIMEOUT ? "timer" : ch->sent ? "sent" : "rcvd",
            ltcp_flags_format(ch->flags, fl));
  }
  fprintf(r->out, "]}");
}

static void json_conn(an_report *r, const an_conn *c) {
  an_vantage v;
  an_vantage_infer(c, &v);
  fprintf(r->out, "{\"type\":\"conn\",\"conn\":%llu,\"first_frame\":%llu,\"last_frame\":%llu,"
          "\"first_s\":%.6f,\"last_s\":%.6f,\"first_ns\":%llu,\"packets\":%llu,\"midstream\":%s,"
          "\"evicted\":%s,", (unsigned long long)c->id, (unsigned long long)c->first_frame,
          (unsigned long long)c->last_frame, rel_s(r, c->first_t), rel_s(r, c->last_t),
          (unsigned long long)c->first_t, (unsigned long long)c->packets,
          c->midstream ? "true" : "false", c->evicted ? "true" : "false");
  if (c->syn_frame && c->hs_ack_frame) fprintf(r->out, "\"rtt_handshake_ms\":%.3f,", (double)(c->hs_ack_t - c->syn_t) / 1e6);
  fprintf(r->out, "\"vantage\":{\"near\":\"%s\",\"by\":\"%s\",\"confidence\":\"%s\","
          "\"hops_client\":%d,\"hops_server\":%d},", v.near == 0 ? "client" : v.near == 1 ? "server" : "unknown",
          v.by, v.confidence, v.hops[0], v.hops[1]);
  json_side(r, "client", &c->side[0]);
  fputc(',', r->out);
  json_side(r, "server", &c->side[1]);
  fprintf(r->out, "}\n");
  for (uint32_t k = 0; k < c->finding_count; k++) {
    const an_finding *f = &c->findings[k];
    char text[512];
    an_finding_text(c, f, text, sizeof text);
    fprintf(r->out, "{\"type\":\"finding\",\"conn\":%llu,\"kind\":\"%s\",\"level\":\"%s\","
            "\"side\":\"%s\",\"time_s\":%.6f,\"duration_s\":%.6f,\"frames\":[",
            (unsigned long long)c->id, an_finding_name(f->kind), an_level_name(f->level),
            side_role[f->side & 1], rel_s(r, f->time), (double)f->duration_ns / 1e9);
    for (int j = 0, n = 0; j < 3; j++)
      if (f->frames[j]) fprintf(r->out, "%s%llu", n++ ? "," : "", (unsigned long long)f->frames[j]);
    fprintf(r->out, "],\"text\":");
    demo_json_string(r->out, text);
    fprintf(r->out, "}\n");
  }
}

/* ---- the hooks */

static void report_flush(an_report *r) {
  if (!r->has_pending) return;
  r->has_pending = 0;
  r->sink.record(r->sink.ctx, &r->pending);
}

static void report_conn_done(void *ctx, const an_conn *c) {
  an_report *r = ctx;
  if (c->id == r->only_conn) report_flush(r);
  for (uint32_t k = 0; k < c->finding_count; k++) r->findings[c->findings[k].level]++;
  if (r->only_conn && c->id != r->only_conn) return;
  r->conns_shown++;
  if (r->json) json_conn(r, c);
  else text_conn(r, c);
}

static void report_ladder_begin(an_report *r, const an_conn *c) {
  if (r->ladder_begun) return;
  r->ladder_begun = 1;
  if (r->json) return;
  char a[64], b[64], right[80];
  fprintf(r->out, "%slucidtcp analyze: conn %llu%s, as seen in the capture; states inferred\n"
          "seq and ack are relative to each side's ISN\n\n", rc(r, R_BOLD),
          (unsigned long long)c->id, rc(r, R_RESET));
  snprintf(right, sizeof right, "server %s", endpoint_text(&c->side[1], b, sizeof b));
  demo_ladder_header(&r->ladder, "client", endpoint_text(&c->side[0], a, sizeof a), right);
}

static void report_packet(void *ctx, const an_conn *c, int from, uint64_t frame, ltcp_time_ns t,
                          const an_packet *p) {
  an_report *r = ctx;
  (void)frame;
  report_ladder_begin(r, c);
  demo_record rec;
  memset(&rec, 0, sizeof rec);
  rec.kind = DEMO_REC_SEGMENT;
  rec.side = from ? DEMO_SERVER : DEMO_CLIENT;
  rec.time = t - r->t0;
  rec.seg.flags = p->seg.flags;
  rec.seg.seq = p->seg.seq;
  rec.seg.ack = p->seg.ack;
  rec.seg.wnd = p->seg.wnd;
  rec.seg.len = p->seg.len;
  rec.mss = p->seg.opts.mss;
  rec.wscale = p->seg.opts.has_wscale ? (int8_t)p->seg.opts.wscale : -1;
  rec.sack_ok = p->seg.opts.sack_permitted;
  rec.ts = p->seg.opts.has_timestamps;
  rec.fate = LTCP_SIM_DELIVERED;
  const an_side *s = &c->side[from], *d = &c->side[1 - from];
  /* the SYN of this packet sets the sender's ISS only after it is observed */
  uint32_t iss = (p->seg.flags & LTCP_SYN) ? p->seg.seq : s->iss;
  rec.rel_seq = (s->syn_seen || (p->seg.flags & LTCP_SYN)) ? p->seg.seq - iss : p->seg.seq;
  rec.rel_ack = d->syn_seen ? p->seg.ack - d->iss : p->seg.ack;
  report_flush(r);
  r->pending = rec;
  r->has_pending = 1;
}

static void report_change(void *ctx, const an_conn *c, int side, const an_change *ch) {
  an_report *r = ctx;
  report_ladder_begin(r, c);
  demo_record rec;
  memset(&rec, 0, sizeof rec);
  rec.kind = DEMO_REC_STATE;
  rec.side = side ? DEMO_SERVER : DEMO_CLIENT;
  rec.time = ch->time - r->t0;
  rec.ev.kind = LTCP_EV_STATE;
  rec.ev.time = rec.time;
  rec.ev.conn_id = c->id;
  rec.ev.old_state = ch->from;
  rec.ev.new_state = ch->to;
  if (ch->why == LTCP_STIM_TIMEOUT) {
    rec.ev.cause = LTCP_CAUSE_TIMER;
    rec.ev.timer = LTCP_TIMER_TIME_WAIT;
  } else if (ch->sent) {
    rec.ev.cause = LTCP_CAUSE_CALL;
    rec.ev.call = ch->why == LTCP_STIM_OPEN_ACTIVE ? LTCP_CALL_OPEN_ACTIVE
                  : ch->why == LTCP_STIM_CLOSE     ? LTCP_CALL_CLOSE
                                                   : LTCP_CALL_ABORT;
  } else {
    rec.ev.cause = LTCP_CAUSE_SEGMENT;
    rec.ev.seg.flags = ch->flags;
  }
  /* What the sender did (a call) comes before its segment; what a receiver did, after. */
  if (!ch->sent && !(r->has_pending && rec.time < r->pending.time)) report_flush(r);
  r->sink.record(r->sink.ctx, &rec);
}

an_track_hooks an_report_hooks(an_report *r) {
  an_track_hooks h = {report_conn_done, report_packet, report_change, r};
  return h;
}

void an_report_init(an_report *r, FILE *out, int json, int color, uint64_t only_conn) {
  memset(r, 0, sizeof *r);
  r->out = out;
  r->json = json;
  r->color = color;
  r->only_conn = only_conn;
  r->ladder.out = out;
  r->ladder.color = color;
  r->sink = json ? demo_json_sink(out) : demo_ladder_sink(&r->ladder);
}

void an_report_summary(an_report *r, const an_totals *t) {
  const an_track_stats *ts = t->track;
  uint64_t skipped = 0;
  for (int i = 1; i < AN_DEC_RESULTS; i++) skipped += t->skipped[i];
  if (r->json) {
    fprintf(r->out, "{\"type\":\"summary\",\"files\":%llu,\"frames\":%llu,\"tcp_packets\":%llu,"
            "\"connections\":%llu,\"peak_live\":%llu,\"evicted\":%llu,\"icmp_errors\":%llu,"
            "\"findings\":{\"info\":%llu,\"warning\":%llu,\"error\":%llu},\"skipped\":{",
            (unsigned long long)t->files, (unsigned long long)t->frames, (unsigned long long)t->tcp,
            (unsigned long long)ts->conns, (unsigned long long)ts->peak_live,
            (unsigned long long)ts->evicted, (unsigned long long)ts->icmp_errors,
            (unsigned long long)r->findings[AN_INFO], (unsigned long long)r->findings[AN_WARNING],
            (unsigned long long)r->findings[AN_ERROR]);
    static const char *const key[AN_DEC_RESULTS] = {"", "not_tcp", "fragment", "truncated",
                                                    "malformed", "link_type"};
    for (int i = 1; i < AN_DEC_RESULTS; i++)
      fprintf(r->out, "%s\"%s\":%llu", i > 1 ? "," : "", key[i], (unsigned long long)t->skipped[i]);
    fprintf(r->out, "},\"read_errors\":%llu}\n", (unsigned long long)t->read_errors);
    return;
  }
  if (r->only_conn) {
    if (!r->conns_shown) fprintf(r->out, "no connection %llu in the capture (%llu connections)\n",
                                 (unsigned long long)r->only_conn, (unsigned long long)ts->conns);
    return;
  }
  fprintf(r->out, "%s%llu frames, %llu TCP packets, %llu connections (at most %llu at once%s), "
          "findings: %llu error, %llu warning, %llu info%s\n", rc(r, R_BOLD),
          (unsigned long long)t->frames, (unsigned long long)t->tcp, (unsigned long long)ts->conns,
          (unsigned long long)ts->peak_live, ts->evicted ? ", some reported early: table full" : "",
          (unsigned long long)r->findings[AN_ERROR], (unsigned long long)r->findings[AN_WARNING],
          (unsigned long long)r->findings[AN_INFO], rc(r, R_RESET));
  if (skipped) {
    fprintf(r->out, "skipped %llu frames:", (unsigned long long)skipped);
    for (int i = 1; i < AN_DEC_RESULTS; i++)
      if (t->skipped[i]) fprintf(r->out, " %s %llu", an_decode_result_name((an_decode_result)i),
                                 (unsigned long long)t->skipped[i]);
    fputc('\n', r->out);
  }
}
