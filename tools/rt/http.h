/* HTTP/1.1 for `lucidtcp serve --service http:DIR` (GET and HEAD of files, Content-Length,
 * keep-alive and pipelining) and the response parsing `lucidtcp get` needs. */
#ifndef LTCP_TOOLS_RT_HTTP_H
#define LTCP_TOOLS_RT_HTTP_H

#include <stdint.h>
#include <stdio.h>

#include "lucidtcp/lucidtcp.h"

#define HTTP_HEAD_MAX 16384 /* a request's or a response's head */
#define HTTP_CHUNK 16384    /* file bytes staged per send */

/* ---- the server side: one per connection */

typedef struct http_server_conn {
  const char *root;         /* DIR */
  ltcp_endpoint peer;
  char req[HTTP_HEAD_MAX];  /* bytes received and not yet taken as a request */
  size_t req_len;
  uint8_t out[HTTP_CHUNK + 1024];
  size_t out_len, out_off;  /* staged bytes not yet in the send buffer */
  int file_fd;              /* -1, or the body being sent */
  uint64_t file_off, file_left;
  int close_after;          /* this response ends the connection */
  int responding;
  int peer_eof;
  FILE *log;                /* one line per request, or NULL */
} http_server_conn;

void http_server_init(http_server_conn *h, const char *root, const ltcp_endpoint *peer, FILE *log);
/* Moves the conversation on: reads requests, sends responses, as far as the socket allows.
 * Returns 0 while there is more to do, 1 when this side has nothing more to send (shut the
 * sending direction and close once the peer's stream ends), -1 on a connection error. */
int http_server_step(http_server_conn *h, ltcp_stack *st, int fd);
/* Releases the open file, if any. */
void http_server_free(http_server_conn *h);

/* ---- the client side: a response's head */

typedef struct http_response {
  int status;               /* 200 */
  char reason[64];
  int64_t content_length;   /* -1 when absent */
  int chunked;              /* Transfer-Encoding: chunked */
  int head_len;             /* bytes of head, including the blank line */
} http_response;

/* Parses the head at the start of buf (len bytes): 1 when complete (r filled), 0 when more bytes
 * are needed, -1 when it is not an HTTP/1.x response. */
int http_parse_response(const char *buf, size_t len, http_response *r);

#endif
