/* lucidtcp analyze: a captured frame, from its link header down to TCP (or to an ICMP error
 * about a TCP segment). No state, no I/O: the capture reader and the fuzz target call it. */
#ifndef LTCP_TOOLS_ANALYZE_DECODE_H
#define LTCP_TOOLS_ANALYZE_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "lucidtcp/common.h"
#include "lucidtcp/wire/tcp.h"

/* An address of either family: the analyser never assumes IPv4. */
typedef struct an_addr {
  uint8_t family; /* 4 or 6 */
  uint8_t b[16];  /* network byte order; IPv4 uses the first 4 */
} an_addr;

/* "198.18.0.1" or "2001:db8::1"; buf holds at least AN_ADDR_TEXT bytes. */
#define AN_ADDR_TEXT 48
char *an_addr_format(const an_addr *a, char *buf);
int an_addr_equal(const an_addr *a, const an_addr *b);

typedef enum an_kind {
  AN_PKT_TCP,      /* seg holds the segment (seg.len from the IP header: the payload's size on
                      the wire, whatever the snap length kept) */
  AN_PKT_ICMP_ERR  /* an ICMP(v6) error quoting a TCP segment: src/dst/ports/seq are the
                      quoted segment's, icmp_type/code the error's */
} an_kind;

typedef struct an_packet {
  an_kind kind;
  an_addr src, dst;
  uint8_t ttl;                /* TTL or hop limit (of the ICMP message for AN_PKT_ICMP_ERR) */
  uint8_t icmp_type, icmp_code;
  ltcp_seg seg;               /* ports, seq, ack, flags, wnd, options, len */
} an_packet;

/* What became of a frame; each but AN_DEC_OK is counted by the caller. */
typedef enum an_decode_result {
  AN_DEC_OK,
  AN_DEC_NOT_TCP,   /* ARP, UDP, ICMP not about TCP, ... */
  AN_DEC_FRAGMENT,  /* an IP fragment (not reassembled) */
  AN_DEC_TRUNCATED, /* the capture kept too little of it to read the TCP header */
  AN_DEC_MALFORMED, /* bad version, header length, TCP options, port 0 */
  AN_DEC_LINKTYPE,  /* a link type the analyser does not read */
  AN_DEC_RESULTS
} an_decode_result;

const char *an_decode_result_name(an_decode_result r);

/* Whether the analyser reads this libpcap link type (DLT_*). */
int an_linktype_known(int linktype);

/* Decodes the caplen bytes of a frame of link type linktype (a DLT_* value). */
an_decode_result an_decode(int linktype, const uint8_t *data, size_t caplen, an_packet *out);

#endif
