/* What a run did, counted: transitions and their causes, the connections left in each state,
 * and the readers of demo JSON and --trace logs. */
#include <stdlib.h>
#include <string.h>

#include "diagram/diagram.h"

/* A connection of a log ("server:3" of run 1, or "198.18.0.2:80 - 198.18.0.1:41000") and
 * its last state. */
#define DIAG_KEY_LEN 72
struct diag_key {
  char name[DIAG_KEY_LEN];
  uint32_t run;
  uint8_t used, state;
};

diag_counts *diag_counts_new(void) { return calloc(1, sizeof(diag_counts)); }

void diag_counts_free(diag_counts *c) {
  if (!c) return;
  free(c->keys);
  free(c);
}

int diag_cause_any_state(const char *cause) {
  if (strncmp(cause, "rcvd ", 5) == 0) {
    size_t n = strcspn(cause + 5, " ,");
    return memchr(cause + 5, 'R', n) != NULL;
  }
  if (strncmp(cause, "abort", 5) == 0 || strncmp(cause, "ABORT", 5) == 0) return 1;
  size_t len = strlen(cause);
  return len > 6 && strcmp(cause + len - 6, " timer") == 0 &&
         strcmp(cause, "time-wait timer") != 0;
}

/* n more of cause on a: in a free place, or summed in other. */
static void diag_arc_add(diag_arc_count *a, const char *cause, uint64_t n) {
  a->count += n;
  for (int i = 0; i < DIAG_CAUSES; i++) {
    if (a->causes[i].count == 0) {
      snprintf(a->causes[i].text, DIAG_CAUSE_LEN, "%s", cause);
      a->causes[i].count = n;
      return;
    }
    if (strncmp(a->causes[i].text, cause, DIAG_CAUSE_LEN - 1) == 0) {
      a->causes[i].count += n;
      /* the most frequent first: moved up past those it now outnumbers (bounded by i) */
      for (int k = i; k > 0 && a->causes[k].count > a->causes[k - 1].count; k--) {
        diag_cause tmp = a->causes[k - 1];
        a->causes[k - 1] = a->causes[k];
        a->causes[k] = tmp;
      }
      return;
    }
  }
  a->other += n;
}

void diag_arc_merge(diag_arc_count *a, const diag_arc_count *b) {
  for (int i = 0; i < DIAG_CAUSES && b->causes[i].count; i++)
    diag_arc_add(a, b->causes[i].text, b->causes[i].count);
  a->count += b->other;
  a->other += b->other;
}

void diag_count(diag_counts *c, ltcp_state from, ltcp_state to, const char *cause) {
  if (from >= LTCP_STATE_COUNT || to >= LTCP_STATE_COUNT) return;
  if (!cause || !*cause) cause = "?";
  diag_arc_add(diag_cause_any_state(cause) ? &c->any[from][to] : &c->arc[from][to], cause, 1);
  c->transitions++;
}

void diag_count_left(diag_counts *c, ltcp_state state) {
  if (state < LTCP_STATE_COUNT) c->left[state]++;
}

diag_input diag_detect(const unsigned char *h, size_t n) {
  static const unsigned char magics[][4] = {{0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0xc3, 0xd4},
                                            {0x4d, 0x3c, 0xb2, 0xa1}, {0xa1, 0xb2, 0x3c, 0x4d},
                                            {0x0a, 0x0d, 0x0d, 0x0a}};
  if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b) return DIAG_IN_CAPTURE; /* gzip'd */
  for (size_t k = 0; n >= 4 && k < sizeof magics / sizeof magics[0]; k++)
    if (memcmp(h, magics[k], 4) == 0) return DIAG_IN_CAPTURE;
  size_t i = 0;
  while (i < n && (h[i] == ' ' || h[i] == '\n' || h[i] == '\r' || h[i] == '\t')) i++;
  return i < n && h[i] == '{' ? DIAG_IN_JSON : DIAG_IN_TRACE;
}

/* ---- connections' last states: open addressing, grown by doubling up to DIAG_KEYS_MAX */

static uint32_t diag_hash(const char *s, uint32_t run) {
  uint32_t h = 2166136261u ^ run;
  for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
  return h;
}

static diag_key *diag_slot(diag_key *keys, uint32_t cap, const char *name, uint32_t run) {
  uint32_t i = diag_hash(name, run) & (cap - 1);
  for (uint32_t n = 0; n < cap; n++, i = (i + 1) & (cap - 1)) /* bounded by cap */
    if (!keys[i].used || (keys[i].run == run && strcmp(keys[i].name, name) == 0)) return &keys[i];
  return NULL;
}

static int diag_grow(diag_counts *c) {
  uint32_t cap = c->keys_cap ? c->keys_cap * 2 : 1024;
  if (cap > DIAG_KEYS_MAX * 2) return -1;
  diag_key *keys = calloc(cap, sizeof *keys);
  if (!keys) return -1;
  for (uint32_t i = 0; i < c->keys_cap; i++)
    if (c->keys[i].used) *diag_slot(keys, cap, c->keys[i].name, c->keys[i].run) = c->keys[i];
  free(c->keys);
  c->keys = keys;
  c->keys_cap = cap;
  return 0;
}

/* The key's entry, made when new; NULL when the table is at its limit. */
static diag_key *diag_key_get(diag_counts *c, const char *name) {
  char k[DIAG_KEY_LEN];
  snprintf(k, sizeof k, "%s", name);
  diag_key *e = c->keys ? diag_slot(c->keys, c->keys_cap, k, c->run) : NULL;
  if (e && e->used) return e;
  if ((c->nkeys + 1) * 2 > c->keys_cap && (c->nkeys >= DIAG_KEYS_MAX || diag_grow(c) != 0))
    return NULL;
  e = diag_slot(c->keys, c->keys_cap, k, c->run);
  memcpy(e->name, k, sizeof k);
  e->run = c->run;
  e->used = 1;
  e->state = LTCP_CLOSED;
  c->nkeys++;
  return e;
}

/* A state change of connection key: counted, and its last state kept (what the connection
 * was left in, at the end). Kept by connection, not as entries minus exits per state: a
 * listener's child begins in LISTEN, which it leaves without its listener leaving it. */
static void diag_change(diag_counts *c, const char *key, ltcp_state from, ltcp_state to,
                        const char *cause) {
  diag_count(c, from, to, cause);
  diag_key *e = diag_key_get(c, key);
  if (!e) {
    c->untracked++;
    return;
  }
  e->state = (uint8_t)to;
}

static void diag_tally_left(diag_counts *c) {
  for (uint32_t i = 0; i < c->keys_cap; i++)
    if (c->keys[i].used && c->keys[i].state != LTCP_CLOSED) c->left[c->keys[i].state]++;
}

/* ---- the readers */

static int diag_state_parse(const char *s, size_t n, ltcp_state *out) {
  for (int k = 0; k < LTCP_STATE_COUNT; k++) {
    const char *name = ltcp_state_name((ltcp_state)k);
    if (strlen(name) == n && strncmp(s, name, n) == 0) return *out = (ltcp_state)k, 0;
  }
  return -1;
}

/* The JSON string or number after "key": copied into buf (the writer is the demo's own). */
static int diag_json_field(const char *line, const char *key, char *buf, size_t cap) {
  char pat[32];
  snprintf(pat, sizeof pat, "\"%s\":", key);
  const char *p = strstr(line, pat);
  if (!p) return -1;
  p += strlen(pat);
  int quoted = *p == '"';
  p += quoted;
  size_t n = 0;
  while (p[n] && (quoted ? p[n] != '"' : (p[n] != ',' && p[n] != '}'))) n++;
  if (n >= cap) n = cap - 1;
  memcpy(buf, p, n);
  buf[n] = '\0';
  return 0;
}

/* {"type":"state","side":"client","conn":1,"from":"CLOSED","to":"SYN-SENT","cause":"call",...} */
static int diag_json_line(diag_counts *c, const char *line) {
  char type[16], from[24], to[24], side[16], conn[24], cause[16], what[24], key[64], text[48];
  if (diag_json_field(line, "type", type, sizeof type) != 0) return 0;
  if (strcmp(type, "begin") == 0) c->run++;
  if (strcmp(type, "state") != 0) return 0;
  ltcp_state f, t;
  if (diag_json_field(line, "from", from, sizeof from) || diag_json_field(line, "to", to, sizeof to) ||
      diag_state_parse(from, strlen(from), &f) || diag_state_parse(to, strlen(to), &t))
    return 0;
  if (diag_json_field(line, "side", side, sizeof side)) snprintf(side, sizeof side, "?");
  if (diag_json_field(line, "conn", conn, sizeof conn)) snprintf(conn, sizeof conn, "?");
  if (diag_json_field(line, "cause", cause, sizeof cause)) cause[0] = '\0';
  what[0] = '\0';
  if (strcmp(cause, "segment") == 0 || strcmp(cause, "syncookie") == 0) {
    diag_json_field(line, "flags", what, sizeof what);
    snprintf(text, sizeof text, "rcvd %s%s", what, cause[1] == 'y' ? ", SYN cookie" : "");
  } else if (strcmp(cause, "call") == 0) {
    diag_json_field(line, "call", what, sizeof what);
    snprintf(text, sizeof text, "%s()", what);
  } else if (strcmp(cause, "timer") == 0) {
    diag_json_field(line, "timer", what, sizeof what);
    snprintf(text, sizeof text, "%s timer", what);
  } else {
    snprintf(text, sizeof text, "%s", strcmp(cause, "icmp") == 0 ? "rcvd ICMP" : cause);
  }
  snprintf(key, sizeof key, "%s:%s", side, conn);
  diag_change(c, key, f, t, text);
  return 1;
}

/* "     0.040 s  ESTABLISHED -> FIN-WAIT-1  (close())  198.18.0.2:7 - 198.18.0.1:41000",
 * with an error name after the cause when there is one. */
static int diag_trace_line(diag_counts *c, const char *line) {
  const char *arrow = strstr(line, " -> ");
  const char *s = strstr(line, " s  ");
  if (!arrow || !s || s > arrow) return 0;
  const char *from = s + 4, *to = arrow + 4;
  const char *to_end = strstr(to, "  (");
  ltcp_state f, t;
  if (!to_end || diag_state_parse(from, (size_t)(arrow - from), &f) ||
      diag_state_parse(to, (size_t)(to_end - to), &t))
    return 0;
  const char *cause = to_end + 3, *close = cause;
  while ((close = strchr(close, ')')) && close[1] && close[1] != ' ' && close[1] != '\n') close++;
  if (!close) return 0;
  char text[DIAG_CAUSE_LEN];
  snprintf(text, sizeof text, "%.*s", (int)(close - cause), cause);
  const char *ends = strstr(close, "  ");
  char key[DIAG_KEY_LEN];
  snprintf(key, sizeof key, "%s", ends ? ends + 2 : "?");
  key[strcspn(key, "\r\n")] = '\0';
  diag_change(c, key, f, t, text);
  return 1;
}

uint64_t diag_read_log(diag_counts *c, FILE *f, diag_input kind) {
  char line[1024];
  uint64_t n = 0;
  while (fgets(line, sizeof line, f)) {
    size_t len = strlen(line);
    if (len == sizeof line - 1 && line[len - 1] != '\n') { /* too long for a state change */
      int ch;
      while ((ch = fgetc(f)) != EOF && ch != '\n') {
      }
      continue;
    }
    n += (unsigned)(kind == DIAG_IN_JSON ? diag_json_line(c, line) : diag_trace_line(c, line));
  }
  diag_tally_left(c);
  return n;
}
