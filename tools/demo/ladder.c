/* Renders demo records as a ladder diagram (client left, server right) or as JSON Lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "demo/demo.h"

/* The columns: the time, the client's text, the ladder between two bars, the server's text.
 * The time takes 14 characters; of the rest, the ladder 9/20 (24 to 56), the client's column
 * half of what is left (at most 40, a space kept before the bar), the server's the remainder. A text wider than its column
 * is wrapped at spaces (a word wider than the column is cut), so the bars never move. */
#define LADDER_TIME_W 14
#define LADDER_MID_MIN 24
#define LADDER_MID_MAX 56
#define LADDER_SIDE_MAX 40
#define LADDER_LINES_MAX 24 /* lines one cell may wrap into; the rest is cut */

enum { C_RESET, C_CLIENT, C_SERVER, C_LOST, C_DIM, C_BOLD };
static const char *const ladder_sgr[] = {"\033[0m", "\033[36m", "\033[33m", "\033[31m",
                                         "\033[2m", "\033[1m"};

static const char *ladder_c(const demo_ladder *l, int c) { return l->color ? ladder_sgr[c] : ""; }

int demo_terminal_width(int fd) {
  struct winsize ws;
  if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    int w = ws.ws_col;
    return w < DEMO_WIDTH_MIN ? DEMO_WIDTH_MIN : w > DEMO_WIDTH_MAX ? DEMO_WIDTH_MAX : w;
  }
  const char *cols = getenv("COLUMNS");
  if (cols && *cols) {
    char *end;
    long w = strtol(cols, &end, 10);
    if (*end == '\0' && w > 0)
      return w < DEMO_WIDTH_MIN ? DEMO_WIDTH_MIN : w > DEMO_WIDTH_MAX ? DEMO_WIDTH_MAX : (int)w;
  }
  return DEMO_WIDTH_DEFAULT;
}

static void ladder_layout(demo_ladder *l) {
  if (l->mid_w) return;
  int w = l->width ? l->width : DEMO_WIDTH_DEFAULT;
  if (w < DEMO_WIDTH_MIN) w = DEMO_WIDTH_MIN;
  int avail = w - LADDER_TIME_W - 4; /* two bars, two spaces before the server's text */
  int mid = avail * 9 / 20;
  mid = mid < LADDER_MID_MIN ? LADDER_MID_MIN : mid > LADDER_MID_MAX ? LADDER_MID_MAX : mid;
  int side = (avail - mid) / 2;
  l->mid_w = mid;
  l->side_w = side > LADDER_SIDE_MAX ? LADDER_SIDE_MAX : side;
  l->right_w = avail - mid - side;
}

/* Wrapped lines of text in width: each a start and a length. Breaks at spaces, cuts a word
 * longer than width; returns the number of lines (0 for empty text). */
typedef struct ladder_lines {
  const char *at[LADDER_LINES_MAX];
  int len[LADDER_LINES_MAX];
  int n;
} ladder_lines;

static void ladder_wrap(const char *text, int width, ladder_lines *w) {
  w->n = 0;
  const char *p = text ? text : "";
  while (*p == ' ') p++;
  while (*p && w->n < LADDER_LINES_MAX) {
    int len = (int)strlen(p);
    if (len > width) {
      int cut = width;
      while (cut > 0 && p[cut] != ' ') cut--;
      len = cut > 0 ? cut : width;
    }
    int shown = len;
    while (shown > 0 && p[shown - 1] == ' ') shown--;
    w->at[w->n] = p;
    w->len[w->n++] = shown;
    p += len;
    while (*p == ' ') p++;
  }
}

/* One record's row: a cell of text on each side and, between the bars, an arrow (a line of
 * exactly mid_w characters) with the rest of its text under it. Each cell wraps in its
 * column; the time is on the first line only. */
typedef struct ladder_row {
  const char *left, *right;  /* NULL: empty */
  int left_color, right_color;
  const char *arrow;         /* NULL: no arrow */
  int arrow_color;
  const ladder_lines *under; /* the arrow's text that did not fit on it */
  int under_right;           /* align those lines on the right (an arrow to the left) */
} ladder_row;

static void ladder_pad(FILE *out, int n) {
  for (int i = 0; i < n; i++) fputc(' ', out);
}

static void ladder_mid_line(demo_ladder *l, const ladder_row *row, int i) {
  if (i == 0 && row->arrow) {
    fprintf(l->out, "%s%s%s", ladder_c(l, row->arrow_color), row->arrow, ladder_c(l, C_RESET));
    return;
  }
  int k = row->arrow ? i - 1 : -1;
  if (!row->under || k < 0 || k >= row->under->n) {
    ladder_pad(l->out, l->mid_w);
    return;
  }
  int len = row->under->len[k];
  int lead = row->under_right ? l->mid_w - 3 - len : 3;
  ladder_pad(l->out, lead);
  fprintf(l->out, "%s%.*s%s", ladder_c(l, row->arrow_color), len, row->under->at[k],
          ladder_c(l, C_RESET));
  ladder_pad(l->out, l->mid_w - lead - len);
}

static void ladder_print_row(demo_ladder *l, const char *time, const ladder_row *row) {
  ladder_layout(l);
  ladder_lines left, right;
  ladder_wrap(row->left, l->side_w - 1, &left);
  ladder_wrap(row->right, l->right_w, &right);
  int n = left.n > right.n ? left.n : right.n;
  int mid_n = row->arrow ? 1 + (row->under ? row->under->n : 0) : 0;
  if (mid_n > n) n = mid_n;
  if (n == 0) n = 1;
  for (int i = 0; i < n; i++) {
    fprintf(l->out, "%-*s", LADDER_TIME_W, i == 0 ? time : "");
    if (i < left.n)
      fprintf(l->out, "%s%.*s%s", ladder_c(l, row->left_color), left.len[i], left.at[i],
              ladder_c(l, C_RESET));
    ladder_pad(l->out, l->side_w - (i < left.n ? left.len[i] : 0));
    fputc('|', l->out);
    ladder_mid_line(l, row, i);
    fputc('|', l->out);
    if (i < right.n)
      fprintf(l->out, "  %s%.*s%s", ladder_c(l, row->right_color), right.len[i], right.at[i],
              ladder_c(l, C_RESET));
    fputc('\n', l->out);
  }
}

static void ladder_time(ltcp_time_ns t, char *buf, size_t cap) {
  snprintf(buf, cap, "%10.3f s", (double)t / 1e9);
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


static void ladder_segment(demo_ladder *l, const demo_record *r) {
  ladder_layout(l);
  char text[128], arrow[LADDER_MID_MAX + 1], time[24];
  ladder_seg_text(l, r, text, sizeof text);
  int lost = r->fate == LTCP_SIM_LOST || r->fate == LTCP_SIM_QUEUE_DROP;
  int mid = l->mid_w;
  /* the text and its spaces, "-- " and "->" (and "-X" and 8 blanks when it is lost) */
  ladder_lines w, under;
  ladder_wrap(text, mid - (lost ? 14 : 7), &w);
  int tl = w.n ? w.len[0] : 0;
  memset(arrow, '-', (size_t)mid);
  arrow[mid] = '\0';
  if (r->side == DEMO_CLIENT) {
    if (tl) memcpy(arrow + 3, w.at[0], (size_t)tl);
    arrow[2] = arrow[3 + tl] = ' ';
    arrow[mid - 1] = '>';
    if (lost) memset(arrow + mid - 8, ' ', 8), arrow[mid - 9] = 'X';
  } else {
    arrow[0] = '<';
    if (tl) memcpy(arrow + mid - 3 - tl, w.at[0], (size_t)tl);
    arrow[mid - 4 - tl] = arrow[mid - 3] = ' ';
    if (lost) memset(arrow, ' ', 8), arrow[8] = 'X';
  }
  under.n = w.n > 1 ? w.n - 1 : 0;
  for (int i = 0; i < under.n; i++) under.at[i] = w.at[i + 1], under.len[i] = w.len[i + 1];
  ladder_row row = {.arrow = arrow, .under = &under, .under_right = r->side == DEMO_SERVER};
  row.arrow_color = lost ? C_LOST : r->side == DEMO_CLIENT ? C_CLIENT : C_SERVER;
  if (lost) {
    row.right = r->fate == LTCP_SIM_LOST ? "(lost in the network)" : "(queue full, dropped)";
    row.right_color = C_LOST;
  }
  ladder_time(r->time, time, sizeof time);
  ladder_print_row(l, time, &row);
}

/* A line of text in the client's or the server's column, the ladder drawn between. */
static void ladder_side_text(demo_ladder *l, ltcp_time_ns t, demo_side side, int color,
                             const char *text) {
  char time[24];
  ladder_row row = {0};
  if (side == DEMO_CLIENT) row.left = text, row.left_color = color;
  else row.right = text, row.right_color = color;
  ladder_time(t, time, sizeof time);
  ladder_print_row(l, time, &row);
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
  switch (r->kind) {
    case DEMO_REC_SEGMENT:
      ladder_segment(l, r);
      return;
    case DEMO_REC_STATE:
      demo_event_text(&r->ev, text, sizeof text);
      ladder_side_text(l, r->time, r->side, C_BOLD, text);
      return;
    case DEMO_REC_NOTE:
      ladder_side_text(l, r->time, r->side, C_DIM, r->note);
      return;
    case DEMO_REC_DROP:
      demo_event_text(&r->ev, text, sizeof text);
      ladder_side_text(l, r->time, r->side, C_DIM, text);
      return;
  }
}

static void ladder_begin(void *ctx, const demo_options *o, const demo_scenario *sc,
                         ltcp_endpoint client, ltcp_endpoint server) {
  demo_ladder *l = ctx;
  char ca[LTCP_ADDR_STRLEN], sa[LTCP_ENDPOINT_STRLEN];
  fprintf(l->out, "%slucidtcp demo: %s%s - %s\n", ladder_c(l, C_BOLD), sc->name,
          ladder_c(l, C_RESET), sc->summary);
  fprintf(l->out, "simulated network: %.1f ms each way, loss %.1f%%, seed %llu; MSL %.0f s "
                  "(TIME-WAIT lasts 2*MSL)\n",
          (double)o->latency_ns / 1e6, o->loss * 100, (unsigned long long)o->seed,
          (double)o->msl_ns / 1e9);
  fprintf(l->out, "%s\n\n", l->absolute ? "sequence numbers are absolute"
                                         : "seq and ack are relative to each side's ISN "
                                           "(--absolute shows them raw)");
  char right[8 + LTCP_ENDPOINT_STRLEN];
  snprintf(right, sizeof right, "server %s", ltcp_endpoint_format(&server, sa));
  demo_ladder_header(l, "client", ltcp_addr_format(&client, ca), right);
}

void demo_ladder_header(demo_ladder *l, const char *left, const char *left2, const char *right) {
  char time[16];
  snprintf(time, sizeof time, "%12s", "time");
  ladder_row row = {.left = left, .left_color = C_CLIENT, .right = right, .right_color = C_SERVER};
  ladder_print_row(l, time, &row);
  ladder_row row2 = {.left = left2};
  ladder_print_row(l, "", &row2);
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
  char ca[LTCP_ADDR_STRLEN], sa[LTCP_ENDPOINT_STRLEN];
  fprintf(out, "{\"type\":\"begin\",\"scenario\":\"%s\",\"seed\":%llu,\"loss\":%g,"
               "\"latency_ns\":%llu,\"msl_ns\":%llu,\"family\":\"%s\",\"client\":\"%s\","
               "\"server\":\"%s\"}\n",
          sc->name, (unsigned long long)o->seed, o->loss, (unsigned long long)o->latency_ns,
          (unsigned long long)o->msl_ns, o->ipv6 ? "ipv6" : "ipv4", ltcp_addr_format(&client, ca),
          ltcp_endpoint_format(&server, sa));
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
