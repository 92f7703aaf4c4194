/* lucidtcp diagram: RFC 9293's state diagram (§3.3.2, Figure 5) as Graphviz DOT text, made
 * from the state table the engine is checked against (ltcp_state_next), optionally with the
 * transitions a run took: each arc labelled with how often and why, arcs never taken greyed,
 * states where connections were left marked. The DOT text is rendered by Graphviz's dot,
 * spawned without a shell. Owns its counts; reads the files it is given. */
#ifndef LTCP_TOOLS_DIAGRAM_H
#define LTCP_TOOLS_DIAGRAM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lucidtcp/lucidtcp.h"

#define DIAG_CAUSES 6        /* distinct causes kept per arc; the others are summed */
#define DIAG_CAUSE_LEN 40
#define DIAG_KEYS_MAX (1u << 20) /* connections whose last state a log's reader remembers */

typedef struct diag_cause {
  char text[DIAG_CAUSE_LEN]; /* "rcvd F.", "close()", "time-wait timer" */
  uint64_t count;
} diag_cause;

typedef struct diag_arc_count {
  uint64_t count;
  diag_cause causes[DIAG_CAUSES];
  uint64_t other;            /* counted transitions whose cause did not get a place */
} diag_arc_count;

typedef struct diag_key diag_key;

/* What a run did: transitions by (from, to), apart by the kind of their cause (an abort, a
 * reset or a timeout other than TIME-WAIT's: diag_cause_any_state), and the connections left in
 * each state. */
typedef struct diag_counts {
  diag_arc_count arc[LTCP_STATE_COUNT][LTCP_STATE_COUNT];
  diag_arc_count any[LTCP_STATE_COUNT][LTCP_STATE_COUNT];
  uint64_t left[LTCP_STATE_COUNT];
  uint64_t transitions;
  uint64_t untracked;        /* connections beyond DIAG_KEYS_MAX: their end state is unknown */
  /* a log's connections and their last states (diag_read_log) */
  diag_key *keys;
  uint32_t nkeys, keys_cap;
  uint32_t run;              /* demo JSON: one more at each "begin" */
} diag_counts;

/* Zeroed counts; NULL when out of memory. */
diag_counts *diag_counts_new(void);
void diag_counts_free(diag_counts *c);
/* One transition with its cause (may be NULL), in the words of the demo and --trace ("rcvd
 * R.", "abort()", "retransmit timer") or of a capture's inference ("ABORT (snd R)"). */
void diag_count(diag_counts *c, ltcp_state from, ltcp_state to, const char *cause);
/* Whether a cause is one of §3.10's that end any state: an abort, a reset received, a timer
 * other than TIME-WAIT's. */
int diag_cause_any_state(const char *cause);
/* Adds b's counts and causes to a's. */
void diag_arc_merge(diag_arc_count *a, const diag_arc_count *b);
/* A connection (or an end of one) left in state at the end. */
void diag_count_left(diag_counts *c, ltcp_state state);

/* What --from's file is, from its first bytes. */
typedef enum diag_input { DIAG_IN_CAPTURE, DIAG_IN_JSON, DIAG_IN_TRACE } diag_input;
diag_input diag_detect(const unsigned char *head, size_t n);

/* Reads a demo --format json stream or a --trace log (serve, connect, get) from f: each state
 * change line counts; the others are skipped. Returns the number of state changes read. */
uint64_t diag_read_log(diag_counts *c, FILE *f, diag_input kind);

/* Writes the DOT text: the eleven states and every arc of the table, labelled with its RFC
 * event; with counts (may be NULL), each arc's count and causes, unseen arcs greyed, the
 * states with connections left marked. title may be NULL. */
void diag_write_dot(FILE *out, const diag_counts *c, const char *title);

/* Runs dot -T<format> on the DOT text (len bytes) writing to out_path (NULL: standard output),
 * without a shell. 0; -1 when dot is not on PATH; -2 after another failure, with a message in
 * err. */
int diag_render(const char *dot, size_t len, const char *format, const char *out_path,
                char *err, size_t cap);

/* A capture's transitions (tools/analyze), given to diagram_main when the command has them:
 * fills c from the capture at path; 0, or -1 with a message in err. */
typedef int (*diag_capture_reader)(const char *path, diag_counts *c, char *err, size_t cap);

extern const char diagram_usage[];
/* lucidtcp diagram ARGS: the exit status (0, 1 when rendering failed, 2 for a bad option, an
 * unreadable file or dot missing). capture may be NULL (built without libpcap). */
int diagram_main(int argc, char **argv, diag_capture_reader capture);

#endif
