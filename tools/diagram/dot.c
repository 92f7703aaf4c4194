/* The diagram as DOT text, from the state table (ltcp_state_next), and its rendering by dot. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diagram/diagram.h"

extern char **environ;

/* DOT identifiers: the state's name with '_' for '-'. */
static const char *const diag_ids[LTCP_STATE_COUNT] = {
    "CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
    "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT"};

/* What RFC 9293's Figure 5 writes under each event ("rcv SYN / snd SYN,ACK"). */
static const char *diag_action(ltcp_state from, ltcp_stimulus s) {
  switch (s) {
    case LTCP_STIM_OPEN_ACTIVE: return "snd SYN";
    case LTCP_STIM_OPEN_PASSIVE: return "create TCB";
    case LTCP_STIM_CLOSE:
      return from == LTCP_LISTEN || from == LTCP_SYN_SENT ? "delete TCB" : "snd FIN";
    case LTCP_STIM_ABORT: return "snd RST";
    case LTCP_STIM_RCV_SYN: return from == LTCP_LISTEN ? "snd SYN,ACK" : "snd ACK";
    case LTCP_STIM_RCV_SYN_ACK: return from == LTCP_SYN_SENT ? "snd ACK" : "x";
    case LTCP_STIM_RCV_FIN: return "snd ACK";
    case LTCP_STIM_RCV_RST: return "delete TCB";
    case LTCP_STIM_RCV_RST_PASSIVE: return "back to LISTEN";
    case LTCP_STIM_TIMEOUT: return from == LTCP_TIME_WAIT ? "2 MSL, delete TCB" : "delete TCB";
    default: return "x";
  }
}

/* §3.10's arcs that end any state (ABORT, an RST, a timeout) rather than Figure 5's own:
 * drawn dashed and light, and left out of the layout's ranks. */
static int diag_any_state(ltcp_state from, ltcp_stimulus s, ltcp_state to) {
  if (to != LTCP_CLOSED || (from == LTCP_TIME_WAIT && s == LTCP_STIM_TIMEOUT)) return 0;
  return s == LTCP_STIM_ABORT || s == LTCP_STIM_RCV_RST || s == LTCP_STIM_RCV_RST_PASSIVE ||
         s == LTCP_STIM_TIMEOUT;
}

/* The events of the arc from -> to of one kind (any: §3.10's any-state ones, else Figure
 * 5's), their labels joined ("CLOSE / delete TCB"). 0 when the table has none. */
static int diag_arc_label(ltcp_state from, ltcp_state to, int any, char *buf, size_t cap) {
  size_t n = 0;
  int found = 0;
  buf[0] = '\0';
  for (int s = 0; s < LTCP_STIM_COUNT; s++) {
    if (from == to || ltcp_state_next(from, (ltcp_stimulus)s) != to) continue;
    if (diag_any_state(from, (ltcp_stimulus)s, to) != any) continue;
    if (s == LTCP_STIM_RCV_RST_PASSIVE && found) continue; /* as rcv RST */
    int k = snprintf(buf + n, cap - n, "%s%s / %s", found ? "\\n" : "",
                     ltcp_stimulus_name((ltcp_stimulus)s), diag_action(from, (ltcp_stimulus)s));
    if (k > 0 && (size_t)k < cap - n) n += (size_t)k;
    found = 1;
  }
  return found;
}

static void diag_dot_string(FILE *out, const char *s) {
  for (; *s; s++) {
    if (*s == '"' || (*s == '\\' && s[1] != 'n')) fputc('\\', out);
    fputc(*s, out);
  }
}

/* "\n3 times: rcvd F. 2, rcvd FP. 1" */
static void diag_count_text(FILE *out, const diag_arc_count *a, int newline) {
  fprintf(out, "%s%llu time%s:", newline ? "\\n" : "", (unsigned long long)a->count, a->count == 1 ? "" : "s");
  for (int i = 0; i < DIAG_CAUSES && a->causes[i].count; i++) {
    fprintf(out, "%s ", i ? "," : "");
    diag_dot_string(out, a->causes[i].text);
    fprintf(out, " %llu", (unsigned long long)a->causes[i].count);
  }
  if (a->other) fprintf(out, ", others %llu", (unsigned long long)a->other);
}

static void diag_write_nodes(FILE *out, const diag_counts *c) {
  for (int s = 0; s < LTCP_STATE_COUNT; s++) {
    fprintf(out, "  %s [label=\"%s", diag_ids[s], ltcp_state_name((ltcp_state)s));
    uint64_t left = c && s != LTCP_CLOSED ? c->left[s] : 0;
    if (left) fprintf(out, "\\n%llu left at the end", (unsigned long long)left);
    fputc('"', out);
    if (left) fputs(", peripheries=2, color=firebrick, fontcolor=firebrick, style=\"bold,rounded\"", out);
    fputs("];\n", out);
  }
  /* Figure 5's layout: opening above ESTABLISHED, the two closes below it. */
  fputs("  { rank=same; SYN_SENT; SYN_RECEIVED; }\n"
        "  { rank=same; FIN_WAIT_1; CLOSE_WAIT; }\n"
        "  { rank=same; FIN_WAIT_2; CLOSING; LAST_ACK; }\n", out);
}

/* One edge: its label (none for an any-state edge, which the legend explains), the count. */
static void diag_write_edge(FILE *out, const diag_counts *c, int f, int t, int any,
                            const char *label, const diag_arc_count *a) {
  fprintf(out, "  %s -> %s [label=\"", diag_ids[f], diag_ids[t]);
  if (!any) diag_dot_string(out, label);
  if (a->count) diag_count_text(out, a, !any);
  fputc('"', out);
  if (any) fputs(", style=dashed, constraint=false", out);
  if (a->count) {
    int w = 1;
    for (uint64_t n = a->count; n > 1 && w < 6; n /= 10) w++;
    fprintf(out, ", penwidth=%d, color=black, fontcolor=black", w + 1);
  } else if (c) {
    fputs(", color=gray80, fontcolor=gray65", out);
  } else if (any) {
    fputs(", color=gray50, fontcolor=gray40", out);
  }
  fputs("];\n", out);
}

/* The table's arc from f to t as up to two edges, Figure 5's and §3.10's any-state one, each
 * with the transitions whose cause was of its kind (or all of them, when it is alone). */
static void diag_write_arc(FILE *out, const diag_counts *c, int f, int t) {
  char label[256], any_label[256];
  int fig = diag_arc_label((ltcp_state)f, (ltcp_state)t, 0, label, sizeof label);
  int any = diag_arc_label((ltcp_state)f, (ltcp_state)t, 1, any_label, sizeof any_label);
  diag_arc_count none = {0}, fig5 = c ? c->arc[f][t] : none, abnormal = c ? c->any[f][t] : none;
  if (!any) diag_arc_merge(&fig5, &abnormal);
  if (!fig) diag_arc_merge(&abnormal, &fig5);
  if (fig) diag_write_edge(out, c, f, t, 0, label, &fig5);
  if (any) diag_write_edge(out, c, f, t, 1, any_label, &abnormal);
}

/* Transitions a run made that the table has no arc for: drawn red, so they are seen. */
static void diag_write_strays(FILE *out, const diag_counts *c) {
  for (int f = 0; f < LTCP_STATE_COUNT; f++)
    for (int t = 0; t < LTCP_STATE_COUNT; t++) {
      diag_arc_count all = c->arc[f][t];
      diag_arc_merge(&all, &c->any[f][t]);
      if (!all.count || (f != t && ltcp_state_arc((ltcp_state)f, (ltcp_state)t))) continue;
      fprintf(out, "  %s -> %s [label=\"not in RFC 9293's diagram", diag_ids[f], diag_ids[t]);
      diag_count_text(out, &all, 1);
      fputs("\", color=red, fontcolor=red, constraint=false];\n", out);
    }
}

void diag_write_dot(FILE *out, const diag_counts *c, const char *title) {
  fputs("digraph tcp_states {\n"
        "  graph [fontname=\"Helvetica\", fontsize=11, nodesep=0.6, ranksep=0.55", out);
  if (title) {
    fputs(", labelloc=t, label=\"", out);
    diag_dot_string(out, title);
    fputc('"', out);
  }
  fputs("];\n"
        "  node [shape=box, style=rounded, fontname=\"Helvetica-Bold\", fontsize=11];\n"
        "  edge [fontname=\"Helvetica\", fontsize=9];\n", out);
  diag_write_nodes(out, c);
  for (int f = 0; f < LTCP_STATE_COUNT; f++)
    for (int t = 0; t < LTCP_STATE_COUNT; t++) diag_write_arc(out, c, f, t);
  if (c) diag_write_strays(out, c);
  fputs("  legend [shape=plaintext, fontname=\"Helvetica\", fontsize=9, label=\"dashed: from any "
        "state to CLOSED (RFC 9293 3.10):\\lABORT / snd RST, rcv RST / delete TCB,\\ltimeout "
        "(user or retransmission) / delete TCB\\l\"];\n", out);
  if (c) fputs("  legend2 [shape=plaintext, fontname=\"Helvetica\", fontsize=9, label=\"grey: "
               "never taken; double frame: connections left there\\l\"];\n", out);
  fprintf(out, "  { rank=sink; legend;%s }\n", c ? " legend2;" : "");
  fputs("}\n", out);
}

/* ---- rendering: dot reads the text on a pipe */

static int diag_write_all(int fd, const char *p, size_t len) {
  while (len > 0) {
    ssize_t k = write(fd, p, len);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return -1;
    p += k;
    len -= (size_t)k;
  }
  return 0;
}

int diag_render(const char *dot, size_t len, const char *format, const char *out_path,
                char *err, size_t cap) {
  int pfd[2];
  if (pipe(pfd) != 0) return snprintf(err, cap, "pipe: %s", strerror(errno)), -2;
  char fmt[16];
  snprintf(fmt, sizeof fmt, "-T%s", format);
  char *argv[] = {"dot", fmt, out_path ? "-o" : NULL, (char *)out_path, NULL};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pfd[0], STDIN_FILENO);
  posix_spawn_file_actions_addclose(&fa, pfd[0]);
  posix_spawn_file_actions_addclose(&fa, pfd[1]);
  pid_t pid;
  int rc = posix_spawnp(&pid, "dot", &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(pfd[0]);
  if (rc != 0) {
    close(pfd[1]);
    if (rc == ENOENT) return -1;
    return snprintf(err, cap, "cannot run dot: %s", strerror(rc)), -2;
  }
  void (*old)(int) = signal(SIGPIPE, SIG_IGN); /* dot may exit before reading it all */
  int wrc = diag_write_all(pfd[1], dot, len);
  close(pfd[1]);
  signal(SIGPIPE, old);
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || wrc != 0)
    return snprintf(err, cap, "dot -T%s failed (exit status %d)", format,
                    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)), -2;
  return 0;
}
