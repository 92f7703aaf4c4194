/* lucidtcp analyze: reading capture files through libpcap (pcap and pcapng), gzip'd or not,
 * from a path or standard input ("-"), with an optional BPF filter. */
#ifndef LTCP_TOOLS_ANALYZE_CAPTURE_H
#define LTCP_TOOLS_ANALYZE_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lucidtcp/common.h"

typedef struct an_capture an_capture;

/* Opens path ("-": standard input), or the size bytes at mem when mem is not NULL (the fuzz
 * target). Gzip is recognised by its magic and decompressed through zlib. filter (NULL: none)
 * is compiled for the capture's link type. Returns NULL with a message in err (cap bytes). */
an_capture *an_capture_open(const char *path, const uint8_t *mem, size_t size, const char *filter,
                            char *err, size_t cap);

/* The next frame the filter lets through: 1 with its number in the file (counting every
 * frame, as tshark does), *data, *caplen and *time set; 0 at the end, -1 on a read error
 * (message in err). *data stays valid until the next call. */
int an_capture_next(an_capture *c, uint64_t *frame, const uint8_t **data, size_t *caplen,
                    ltcp_time_ns *time, char *err, size_t cap);

int an_capture_linktype(const an_capture *c);
/* Bytes read so far of the file (compressed bytes for a gzip'd one) and its size (0 when not
 * known: a pipe). For the progress line. */
uint64_t an_capture_offset(const an_capture *c);
uint64_t an_capture_size(const an_capture *c);
void an_capture_close(an_capture *c);

#endif
