/* Renders demo records as a ladder diagram (client left, server right) or as JSON Lines. */
#include <stdio.h>
#include <string.h>

#include "demo/demo.h"

#define LADDER_SIDE_W 40 /* the client's column */
#define LADDER_MID_W 56  /* the space between the two lines of the ladder */

enum { C_RESET, C_CLIENT, C_SERVER, C_LOST, C_DIM, C_BOLD };
static const char *const ladder_sgr[] = {"\033[0m", "\033[36m", "\033[33m", "\033[31m",
                                         "\033[2m", "\033[1m"};

static const char *ladder_c(const demo_ladder *l, int c) { return l->color ? ladder_sgr[c] : ""; }

static void ladder_time(demo_ladder *l, ltcp_time_ns t) {
  fprintf(l->out, "%10.3f s  ", (double)t / 1e9);
}

/* "S. seq=0 ack=1 win=65535 len=40 mss=1460" */
static void ladder_seg_text(const demo_ladder *l, const demo_record *r, char *buf, size_t cap) {
  char flags[12];
  ltcp_flags_format(r->seg.flags, flags);
  uint32_t seq = l->absolute ? r->seg.seq : r->rel_seq;
  uint32_t ack = l->absolute ? r->seg.ack : r->rel_ack;
  int n = snprintf(buf, cap, "%s seq=%u", flags, seq);
  if (r->seg.flags & LTCP_ACK) n += snprintf(buf + n, cap - (size_t)n, " ack=%u", ack);
  n += snprintf(buf + n, cap - (size_t)n, " win=%u", r->seg.wnd);
  if (r->seg.len) n += snprintf(buf + n, cap - (size_t)n, " len=%u", r->seg.len);
  if (r->mss) n += snprintf(buf + n, cap - (size_t)n, " mss=%u", r->mss);
  if (r->seg.flags & LTCP_SYN) { /* what the SYNs negotiate; later segments carry TS silently */
    if (r->wscale >= 0) n += snprintf(buf + n, cap - (size_t)n, " ws=%d", r->wscale);
    if (r->sack_ok) n += snprintf(buf + n, cap - (size_t)n, " sackOK");
    if (r->ts) snprintf(buf + n, cap - (size_t)n, " TS");
  }
}

/* One line of text in the client's or the server's column, the ladder drawn between. */
static void ladder_side_line(demo_ladder *l, demo_side side, int color, const char *text) {
  if (side == DEMO_CLIENT) {
    fprintf(l->out, "%s%-*s%s|%*s|\n", ladder_c(l, color), LADDER_SIDE_W, text,
            ladder_c(l, C_RESET), LADDER_MID_W, "");
  } else {
    fprintf(l->out, "%*s|%*s|  %s%s%s\n", LADDER_SIDE_W, "", LADDER_MID_W, "",
            ladder_c(l, color), text, ladder_c(l, C_RESET));
  }
}

static void ladder_segment(demo_ladder *l, const demo_record *r) {
  char text[96], arrow[LADDER_MID_W + 1];
  ladder_seg_text(l, r, text, sizeof text);
  int lost = r->fate == LTCP_SIM_LOST || r->fate == LTCP_SIM_QUEUE_DROP;
  memset(arrow, '-', LADDER_MID_W);
  arrow[LADDER_MID_W] = '\0';
  size_t tl = strlen(text);
  if (tl > LADDER_MID_W - 8) tl = LADDER_MID_W - 8;
  if (r->side == DEMO_CLIENT) {
    memcpy(arrow + 3, text, tl);
    arrow[2] = arrow[3 + tl] = ' ';
    arrow[LADDER_MID_W - 1] = '>';
    if (lost) memset(arrow + LADDER_MID_W - 8, ' ', 8), arrow[LADDER_MID_W - 9] = 'X';
  } else {
    arrow[0] = '<';
    memcpy(arrow + LADDER_MID_W - 3 - tl, text, tl);
    arrow[LADDER_MID_W - 4 - tl] = arrow[LADDER_MID_W - 3] = ' ';
    if (lost) memset(arrow, ' ', 8), arrow[8] = 'X';
  }
  int color = lost ? C_LOST : r->side == DEMO_CLIENT ? C_CLIENT : C_SERVER;
  fprintf(l->out, "%*s|%s%s%s|", LADDER_SIDE_W, "", ladder_c(l, color), arrow,
          ladder_c(l, C_RESET));
  if (lost) fprintf(l->out, "  %s(%s in the network)%s", ladder_c(l, C_LOST),
                    r->fate == LTCP_SIM_LOST ? "lost" : "queue full, dropped", ladder_c(l, C_RESET));
  fputc('\n', l->out);
}

/* "SYN-SENT -> ESTABLISHED  (rcvd S.)", or for a drop "rcvd F.: <why>". */
void demo_event_text(const ltcp_event *ev, char *buf, size_t cap) {
  char flags[12], cause[48];
  if (ev->kind == LTCP_EV_DROP) {
    const char *why = ltcp_drop_text(ev->drop);
    if (strncmp(why, "TCP: ", 5) == 0) why += 5;
    snprintf(buf, cap, "rcvd %s: %s", ltcp_flags_format(ev->seg.flags, flags), why);
    return;
  }
  if (ev->cause == LTCP_CAUSE_SEGMENT)
    snprintf(cause, sizeof cause, "rcvd %s", ltcp_flags_format(ev->seg.flags, flags));
  else if (ev->cause == LTCP_CAUSE_CALL)
    snprintf(cause, sizeof cause, "%s()", ltcp_call_name(ev->call));
  else if (ev->cause == LTCP_CAUSE_ICMP)
    snprintf(cause, sizeof cause, "rcvd ICMP type %u code %u", ev->icmp_type, ev->icmp_code);
  else if (ev->cause == LTCP_CAUSE_SYNCOOKIE)
    snprintf(cause, sizeof cause, "rcvd %s, SYN cookie", ltcp_flags_format(ev->seg.flags, flags));
  else
    snprintf(cause, sizeof cause, "%s timer", ltcp_timer_name(ev->timer));
  snprintf(buf, cap, "%s -> %s  (%s)%s%s", ltcp_state_name(ev->old_state),
           ltcp_state_name(ev->new_state), cause, ev->error ? " " : "",
           ev->error ? ltcp_errname(ev->error) : "");
}

static void ladder_record(void *ctx, const demo_record *r) {
  demo_ladder *l = ctx;
  char text[160];
  ladder_time(l, r->time);
  switch (r->kind) {
    case DEMO_REC_SEGMENT:
      ladder_segment(l, r);
      return;
    case DEMO_REC_STATE:
      demo_event_text(&r->ev, text, sizeof text);
      ladder_side_line(l, r->side, C_BOLD, text);
      return;
    case DEMO_REC_NOTE:
      ladder_side_line(l, r->side, C_DIM, r->note);
      return;
    case DEMO_REC_DROP:
      demo_event_text(&r->ev, text, sizeof text);
      ladder_side_line(l, r->side, C_DIM, text);
      return;
  }
}

static void ladder_begin(void *ctx, const demo_options *o, const demo_scenario *sc,
                         ltcp_endpoint client, ltcp_endpoint server) {
  demo_ladder *l = ctx;
  char ca[16], sa[16];
  fprintf(l->out, "%slucidtcp demo: %s%s - %s\n", ladder_c(l, C_BOLD), sc->name,
          ladder_c(l, C_RESET), sc->summary);
  fprintf(l->out, "simulated network: %.1f ms each way, loss %.1f%%, seed %llu; MSL %.0f s "
                  "(TIME-WAIT lasts 2*MSL)\n",
          (double)o->latency_ns / 1e6, o->loss * 100, (unsigned long long)o->seed,
          (double)o->msl_ns / 1e9);
  fprintf(l->out, "%s\n\n", l->absolute ? "sequence numbers are absolute"
                                         : "seq and ack are relative to each side's ISN "
                                           "(--absolute shows them raw)");
  char right[40];
  snprintf(right, sizeof right, "server %s:%u", ltcp_ipv4_format(server.addr, sa), server.port);
  demo_ladder_header(l, "client", ltcp_ipv4_format(client.addr, ca), right);
}

void demo_ladder_header(demo_ladder *l, const char *left, const char *left2, const char *right) {
  fprintf(l->out, "%12s  %s%-*s%s|%*s|  %s%s%s\n", "time", ladder_c(l, C_CLIENT), LADDER_SIDE_W,
          left, ladder_c(l, C_RESET), LADDER_MID_W, "", ladder_c(l, C_SERVER), right,
          ladder_c(l, C_RESET));
  fprintf(l->out, "%12s  %-*s|%*s|\n", "", LADDER_SIDE_W, left2, LADDER_MID_W, "");
}

static void ladder_end(void *ctx, int status, const char *message) {
  demo_ladder *l = ctx;
  fprintf(l->out, "\n%s%s%s\n", ladder_c(l, status == 0 ? C_BOLD : C_LOST), message,
          ladder_c(l, C_RESET));
}

demo_sink demo_ladder_sink(demo_ladder *l) {
  demo_sink s = {ladder_begin, ladder_record, ladder_end, l};
  return s;
}

/* ---- JSON Lines: one object per record */

void demo_json_string(FILE *out, const char *s) {
  fputc('"', out);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
    else if (c < 0x20) fprintf(out, "\\u%04x", c);
    else fputc(c, out);
  }
  fputc('"', out);
}

static const char *json_side(demo_side s) { return s == DEMO_CLIENT ? "client" : "server"; }

static void json_record(void *ctx, const demo_record *r) {
  FILE *out = ctx;
  char flags[12];
  fprintf(out, "{\"time_ns\":%llu,\"side\":\"%s\",", (unsigned long long)r->time, json_side(r->side));
  switch (r->kind) {
    case DEMO_REC_SEGMENT:
      fprintf(out, "\"type\":\"segment\",\"flags\":\"%s\",\"seq\":%u,\"ack\":%u,\"win\":%u,"
                   "\"len\":%u,\"rel_seq\":%u,\"rel_ack\":%u,\"mss\":%u,\"wscale\":%d,"
                   "\"sack_ok\":%s,\"ts\":%s,\"fate\":\"%s\"}\n",
              ltcp_flags_format(r->seg.flags, flags), r->seg.seq, r->seg.ack, r->seg.wnd,
              r->seg.len, r->rel_seq, r->rel_ack, r->mss, r->wscale, r->sack_ok ? "true" : "false",
              r->ts ? "true" : "false", ltcp_sim_fate_name(r->fate));
      return;
    case DEMO_REC_STATE:
      fprintf(out, "\"type\":\"state\",\"conn\":%llu,\"from\":\"%s\",\"to\":\"%s\",",
              (unsigned long long)r->ev.conn_id, ltcp_state_name(r->ev.old_state),
              ltcp_state_name(r->ev.new_state));
      if (r->ev.cause == LTCP_CAUSE_SEGMENT)
        fprintf(out, "\"cause\":\"segment\",\"flags\":\"%s\",", ltcp_flags_format(r->ev.seg.flags, flags));
      else if (r->ev.cause == LTCP_CAUSE_CALL)
        fprintf(out, "\"cause\":\"call\",\"call\":\"%s\",", ltcp_call_name(r->ev.call));
      else if (r->ev.cause == LTCP_CAUSE_ICMP)
        fprintf(out, "\"cause\":\"icmp\",\"icmp_type\":%u,\"icmp_code\":%u,", r->ev.icmp_type, r->ev.icmp_code);
      else if (r->ev.cause == LTCP_CAUSE_SYNCOOKIE)
        fprintf(out, "\"cause\":\"syncookie\",\"flags\":\"%s\",", ltcp_flags_format(r->ev.seg.flags, flags));
      else
        fprintf(out, "\"cause\":\"timer\",\"timer\":\"%s\",", ltcp_timer_name(r->ev.timer));
      fprintf(out, "\"error\":\"%s\"}\n", r->ev.error ? ltcp_errname(r->ev.error) : "");
      return;
    case DEMO_REC_NOTE:
      fprintf(out, "\"type\":\"call\",\"text\":");
      demo_json_string(out, r->note);
      fputs("}\n", out);
      return;
    case DEMO_REC_DROP:
      fprintf(out, "\"type\":\"drop\",\"reason\":\"%s\"}\n", ltcp_drop_name(r->ev.drop));
      return;
  }
}

static void json_begin(void *ctx, const demo_options *o, const demo_scenario *sc,
                       ltcp_endpoint client, ltcp_endpoint server) {
  FILE *out = ctx;
  char ca[16], sa[16];
  fprintf(out, "{\"type\":\"begin\",\"scenario\":\"%s\",\"seed\":%llu,\"loss\":%g,"
               "\"latency_ns\":%llu,\"msl_ns\":%llu,\"client\":\"%s\",\"server\":\"%s:%u\"}\n",
          sc->name, (unsigned long long)o->seed, o->loss, (unsigned long long)o->latency_ns,
          (unsigned long long)o->msl_ns, ltcp_ipv4_format(client.addr, ca),
          ltcp_ipv4_format(server.addr, sa), server.port);
}

static void json_end(void *ctx, int status, const char *message) {
  FILE *out = ctx;
  fprintf(out, "{\"type\":\"end\",\"ok\":%s,\"message\":", status == 0 ? "true" : "false");
  demo_json_string(out, message);
  fputs("}\n", out);
}

demo_sink demo_json_sink(FILE *out) {
  demo_sink s = {json_begin, json_record, json_end, out};
  return s;
}
