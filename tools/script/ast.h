/* lucidtcp script: the syntax tree of a packetdrill script, and the parser that builds it.
 *
 * A script is a list of option lines (--tolerance_usecs=...) followed by events; each event has
 * a time and one action: a packet (< injected, > expected), a system call, a backtick shell
 * command, or a %{ }% code block. Every node keeps its line number for error reports. All the
 * nodes of one script live in one arena and are freed together (sc_script_free). */
#ifndef LTCP_TOOLS_SCRIPT_AST_H
#define LTCP_TOOLS_SCRIPT_AST_H

#include <stddef.h>
#include <stdint.h>

#define SC_MAX_DEFINES 32
#define SC_MAX_TCP_OPTS 40   /* a 40-byte option area holds at most 40 one-byte options */
#define SC_MAX_SACK_BLOCKS 4
#define SC_ERROR_LEN 256

/* Bump allocator: every node of a script, freed at once. */
typedef struct sc_arena {
  struct sc_chunk *head;
} sc_arena;
/* Zeroed memory, 16-byte aligned; aborts when memory runs out (a tool, not the engine). */
void *sc_arena_alloc(sc_arena *a, size_t n);
char *sc_arena_strndup(sc_arena *a, const char *s, size_t n);
void sc_arena_free(sc_arena *a);

/* Names given with -D / --define (NAME or NAME=VALUE), tested by #ifdef / #ifndef. */
typedef struct sc_defines {
  size_t count;
  char names[SC_MAX_DEFINES][64];
} sc_defines;
/* Adds NAME (the text before any '='); returns 0, or -1 when full or the name is too long. */
int sc_defines_add(sc_defines *d, const char *name_value);
int sc_defines_has(const sc_defines *d, const char *name, size_t len);

/* ---- times ---- */
typedef enum sc_time_kind {
  SC_TIME_ABSOLUTE, /* 0.100: from the start of the script */
  SC_TIME_RELATIVE, /* +0.100: from when the previous event actually happened */
  SC_TIME_ANY       /* *: whenever it happens */
} sc_time_kind;

typedef struct sc_time {
  sc_time_kind kind;
  int64_t us;         /* the start (absolute, or offset for relative) */
  int range;          /* t1~t2: an outbound packet may come anywhere in [t1, t2] */
  int blocking;       /* t1...t2: a system call that blocks from t1 until t2 */
  int64_t end_us;     /* t2, on the same base as us (relative start: relative end) */
} sc_time;

/* ---- packets ---- */
typedef enum sc_opt_kind {
  SC_OPT_EOL,
  SC_OPT_NOP,
  SC_OPT_MSS,
  SC_OPT_WSCALE,
  SC_OPT_SACK_OK,
  SC_OPT_SACK,
  SC_OPT_TS
} sc_opt_kind;

typedef struct sc_tcpopt {
  sc_opt_kind kind;
  uint32_t a, b;  /* MSS / wscale in a; TS val in a, ecr in b */
  uint8_t nblocks;
  uint32_t blocks[SC_MAX_SACK_BLOCKS][2];
} sc_tcpopt;

/* [ect0] and friends: the ECN field of the IPv4 header (RFC 3168). */
typedef enum sc_ecn { SC_ECN_NONE = -1, SC_ECN_NOT_ECT = 0, SC_ECN_ECT1 = 1, SC_ECN_ECT0 = 2, SC_ECN_CE = 3 } sc_ecn;

/* start:end(len), or ...(len) with the sequence number not checked. */
typedef struct sc_seq {
  int any;          /* ...(len) */
  int absolute;     /* !start:end(len): not relative to the ISN */
  uint32_t start, end, len;
} sc_seq;

typedef struct sc_packet {
  char dir;          /* '<' injected into the stack, '>' expected from it */
  int is_icmp;
  int ecn;           /* sc_ecn; SC_ECN_NONE when not given */
  int has_ttl, has_tos; /* (ttl N) (tos 0xNN), or IPv6's (hlim N) (class 0xNN): set or checked */
  uint32_t ttl, tos;
  /* TCP */
  uint8_t flags;     /* LTCP_SYN | LTCP_ACK ... */
  sc_seq seq;
  int has_ack, ack_absolute;
  uint32_t ack;
  int has_win;
  uint32_t win;
  int has_urg;
  uint32_t urg;
  int has_opts;      /* <...> given */
  int opts_any;      /* <...>: options not checked */
  size_t nopts;
  sc_tcpopt opts[SC_MAX_TCP_OPTS];
  /* ICMP: < [echoed seq] icmp TYPE [CODE] [mtu N], or < icmp TYPE [CODE] [mtu N] [echoed seq].
   * The names mean one thing in ICMPv4 (RFC 792) and another in ICMPv6 (RFC 4443): both are
   * kept, -1 where a name has no meaning in that family. */
  int icmp_type, icmp_code;
  int icmp6_type, icmp6_code;
  int has_mtu;
  uint32_t mtu;
  int has_echoed;
  sc_seq echoed;
} sc_packet;

/* ---- system calls ---- */
typedef enum sc_expr_kind {
  SC_EXPR_INT,      /* 1000, 0x2, -1 */
  SC_EXPR_ELLIPSIS, /* ... */
  SC_EXPR_WORD,     /* SOCK_STREAM */
  SC_EXPR_STRING,   /* "text" */
  SC_EXPR_OR,       /* a|b */
  SC_EXPR_ARRAY,    /* [a, b] */
  SC_EXPR_STRUCT,   /* {a, name=b} */
  SC_EXPR_CALL,     /* htons(8080) */
  SC_EXPR_FIELD     /* name=value or name(count)=value, inside a struct */
} sc_expr_kind;

typedef struct sc_expr {
  sc_expr_kind kind;
  int line;
  int64_t num;               /* INT; FIELD: the count, or -1 */
  const char *text;          /* WORD, STRING (unescaped), CALL name, FIELD name */
  struct sc_expr **items;    /* OR (2), ARRAY, STRUCT, CALL args, FIELD value (1) */
  size_t n;
} sc_expr;

typedef struct sc_syscall {
  const char *name;
  sc_expr **args;
  size_t nargs;
  sc_expr *result;          /* INT or ELLIPSIS */
  const char *errno_name;   /* "EAGAIN", or NULL */
  const char *note;         /* the (text) after the result, or NULL */
} sc_syscall;

/* ---- events ---- */
typedef enum sc_event_kind {
  SC_EV_PACKET,
  SC_EV_SYSCALL,
  SC_EV_COMMAND, /* `shell command` */
  SC_EV_CODE     /* %{ python }% */
} sc_event_kind;

typedef struct sc_event {
  sc_event_kind kind;
  int line;
  sc_time time;
  sc_packet *packet;
  sc_syscall *syscall;
  const char *text;          /* COMMAND, CODE */
  struct sc_event *next;
} sc_event;

/* --name=value (or --name) at the top of a script. */
typedef struct sc_option {
  const char *name;          /* without the dashes */
  const char *value;         /* NULL when no '=' */
  int line;
  struct sc_option *next;
} sc_option;

typedef struct sc_script {
  sc_arena arena;
  const char *name;          /* file name, for messages */
  sc_option *options;
  sc_event *events;
  size_t nevents;
} sc_script;

/* A parse error: the line and a message (no file name, no trailing newline). */
typedef struct sc_error {
  int line;
  int unsupported;  /* well formed, but uses something lucidtcp cannot run (e.g. TCP Fast Open) */
  char msg[SC_ERROR_LEN];
} sc_error;

/* Parses len bytes of script text. defines (may be NULL) answer #ifdef, together with the
 * script's own --define lines. Returns a script the caller frees with sc_script_free, or NULL
 * with *err filled. The script keeps no pointer into text. */
sc_script *sc_parse(const char *name, const char *text, size_t len, const sc_defines *defines,
                    sc_error *err);
void sc_script_free(sc_script *s);

/* Seconds as packetdrill writes them ("0.100", ".01", "2") to microseconds; -1 if malformed. */
int64_t sc_parse_seconds(const char *text, size_t len);

#endif
