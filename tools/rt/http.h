/* HTTP/1.1 for `lucidtcp serve --service http:DIR` (GET and HEAD of files and directory
 * listings, Content-Length, single byte ranges, keep-alive and pipelining; http.c, and
 * http_site.c for what the site holds) and the response parsing `lucidtcp get` needs
 * (http_client.c). */
#ifndef LTCP_TOOLS_RT_HTTP_H
#define LTCP_TOOLS_RT_HTTP_H

#include <stdint.h>
#include <stdio.h>

#include "lucidtcp/lucidtcp.h"

#define HTTP_HEAD_MAX 16384 /* a request's or a response's head */
#define HTTP_CHUNK 16384    /* file bytes staged per send (copying) */
#define HTTP_LEND_MAX (256u * 1024u) /* file bytes lent per ltcp_send_zc (zero-copy): a quarter
                                      * of serve's 1 MiB send buffer, which one lend may overfill */
#define HTTP_PATH_MAX 1024  /* a request target */

/* ---- the site: what a server serves (http_site.c) */

typedef struct http_site {
  const char *root;         /* DIR as given, for messages */
  char real[4096];          /* DIR's real path (realpath): what no file may lie outside of */
  int follow_symlinks;      /* --follow-symlinks: do not check where links lead */
} http_site;

/* Sets the site up for DIR. 0, or -1 with errno (DIR has no real path). */
int http_site_init(http_site *site, const char *root, int follow_symlinks);

/* What a decoded path (from '/') names under the site: *fd is a regular file to send (*len
 * bytes; a directory's index.html, or a directory listing when it has none, *is_listing set).
 * 0, or a negative errno: -ENOENT (404), -EACCES (403: unreadable, not a regular file, or
 * outside DIR through a symbolic link). The caller owns *fd. */
int http_site_open(const http_site *site, const char *path, int *fd, uint64_t *len,
                   int *is_listing);

/* ---- the server side: one per connection (http.c) */

/* How long a connection may wait (serve's --header-timeout and --idle-timeout). */
typedef struct http_timeouts {
  ltcp_time_ns header_ns;   /* from the accept, or the first byte of a later request, to the
                             * end of that request's head */
  ltcp_time_ns idle_ns;     /* keep-alive: from the end of a response to the first byte of the
                             * next request */
} http_timeouts;

/* How a server sends file bodies (serve's --send), and what it counts: one per serve shard,
 * written only from its thread (release callbacks run inside its stack's calls). */
typedef struct http_send {
  int copy;                 /* --send copy: pread and copy; 0 (the default): lend the pages of
                             * a mapping (ltcp_send_zc) */
  uint64_t mapped;          /* bodies lent from a mapping */
  uint64_t read;            /* bodies read and copied: --send copy, an empty file (a /proc file
                             * says 0), or one that cannot be mapped */
  uint64_t pieces_lent;     /* ltcp_send_zc calls that took a piece */
  uint64_t pieces_copied;   /* pieces read and copied instead: every reference of the stack was
                             * lent (ENOBUFS) */
  uint64_t unmapped;        /* mappings freed (munmap), on the last release */
  uint64_t shrunk;          /* responses cut (connection closed) because the file shrank */
} http_send;

/* A file's bytes mapped for lending, freed by whoever lets go of it last: the response (one
 * reference while it sends) or the stack (one per lent piece, at its release, which may come
 * after the connection is gone: reset, abort, the stack freed). */
typedef struct http_map {
  uint8_t *base;            /* the mapping (page-aligned) */
  size_t len;
  uint64_t skip;            /* file offset of base: the body starts at base + first - skip */
  uint32_t refs;
  http_send *send;          /* where releases are counted */
} http_map;

typedef struct http_server_conn {
  const http_site *site;
  const http_timeouts *timeouts;
  http_send *send;          /* serve's --send and counters */
  ltcp_endpoint peer;
  ltcp_time_ns deadline;    /* LTCP_TIME_NEVER while a response is being sent */
  int idle;                 /* between requests, no byte of the next one yet */
  char req[HTTP_HEAD_MAX];  /* bytes received and not yet taken as a request */
  size_t req_len;
  uint8_t out[HTTP_CHUNK + 1024];
  size_t out_len, out_off;  /* staged bytes not yet in the send buffer */
  int file_fd;              /* -1, or the body being sent */
  uint64_t file_off, file_left;
  uint64_t file_end;        /* the file's size when opened: it must not shrink below */
  http_map *map;            /* the body mapped (zero-copy), or NULL (pread) */
  int close_after;          /* this response ends the connection */
  int responding;
  int peer_eof;
  FILE *log;                /* one line per request, or NULL */
} http_server_conn;

/* A connection accepted at now: its first request's head is due by now + header_ns. */
void http_server_init(http_server_conn *h, const http_site *site, const http_timeouts *timeouts,
                      http_send *send, const ltcp_endpoint *peer, ltcp_time_ns now, FILE *log);
/* Moves the conversation on: reads requests, sends responses, as far as the socket allows.
 * Returns 0 while there is more to do, 1 when this side has nothing more to send (shut the
 * sending direction and close once the peer's stream ends), -1 on a connection error.
 * At h->deadline (now >= it), a head that has begun gets 408 and the connection closes after
 * it (Apache's way); a connection with no byte of a request yet (fresh or keep-alive idle)
 * returns 1 at once, sending nothing (as nginx and Apache do: a 408 there could cross a
 * request the client is sending, RFC 9112 §9.5). The caller wakes the loop at h->deadline. */
int http_server_step(http_server_conn *h, ltcp_stack *st, int fd, ltcp_time_ns now);
/* Releases the open file, if any, and the response's reference to its mapping (the pieces
 * still lent keep it until the stack releases them). */
void http_server_free(http_server_conn *h);

/* The end of the request head at the start of buf (len bytes), RFC 9112 §2.2: a line ends in
 * CRLF or in a bare LF (a CR before the LF is ignored); empty lines before the request line are
 * skipped (*skip bytes of them, §2.2's "SHOULD ignore at least one"). Returns the head's length
 * after them, up to and including the empty line that ends it; 0 when the head is not complete
 * yet; -1 for a CR not followed by LF (a bare CR: 400). */
long http_head_end(const char *buf, size_t len, size_t *skip);

/* A request's head, as a server reads it. */
typedef struct http_request {
  char method[16];
  char target[HTTP_PATH_MAX];
  int minor;          /* HTTP/1.minor */
  int conn_close;     /* Connection: close */
  int conn_keep;      /* Connection: keep-alive */
  int has_body;       /* Content-Length > 0 or Transfer-Encoding: we do not read bodies */
  char range[128];    /* Range, or "": a longer one is taken as several ranges (ignored) */
  int if_range;       /* If-Range: we send no validators, so it never matches (§13.1.5) */
} http_request;

/* Parses a head as http_head_end delimits it (NUL-terminated; lines end in CRLF or LF) into r.
 * 0, -1 (400: no request line, or a bare CR) or -2 (505: not HTTP/1.x). */
int http_parse_request(char *head, http_request *r);

/* What a Range header (RFC 9110 §14.2) asks of a representation of len bytes. */
typedef enum http_range_kind {
  HTTP_RANGE_WHOLE,         /* ignore it, send all (200): another unit, a syntax error,
                             * several ranges, or an empty representation */
  HTTP_RANGE_ONE,           /* one satisfiable range [first, last] (206) */
  HTTP_RANGE_UNSATISFIABLE  /* 416, "Content-Range: bytes * / len" */
} http_range_kind;

/* Reads "bytes=a-b", "bytes=a-" or "bytes=-n" (§14.1.2) against len; sets *first and *last
 * (inclusive) for HTTP_RANGE_ONE. */
http_range_kind http_range_parse(const char *value, uint64_t len, uint64_t *first,
                                 uint64_t *last);

/* s with every byte that is not printable ASCII, '"' and '\\' written as \xHH, into buf (cap
 * bytes, cut short if need be): a request target fit for a log line. Returns buf. */
const char *http_log_escape(const char *s, char *buf, size_t cap);

/* Splits a header line "Name: value" at its colon, in place: line keeps the name, the value
 * (without the whitespace around it) is returned; NULL when there is no colon. */
char *http_header_split(char *line);

/* 1 when the comma-separated list value holds token (any case), as Connection's does. */
int http_token_in(const char *value, const char *token);

/* ---- the client side: a response's head (http_client.c) */

typedef struct http_response {
  int status;               /* 200 */
  char reason[64];
  int64_t content_length;   /* -1 when absent */
  int chunked;              /* Transfer-Encoding: chunked */
  int head_len;             /* bytes of head, including the blank line */
  char location[2048];      /* Location, or "" */
  int has_range;            /* Content-Range: bytes FIRST-LAST/TOTAL, or bytes * / TOTAL */
  int64_t range_first, range_last; /* -1 for "bytes * / TOTAL" */
  int64_t range_total;      /* -1 when "*" */
} http_response;

/* Parses the head at the start of buf (len bytes): 1 when complete (r filled), 0 when more bytes
 * are needed, -1 when it is not an HTTP/1.x response. */
int http_parse_response(const char *buf, size_t len, http_response *r);

#endif
