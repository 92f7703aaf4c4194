/** @file
 * lucidtcp: a pcap writer (LINKTYPE_RAW: each record is an IPv4 packet), nanosecond stamps. */
#ifndef LUCIDTCP_PCAP_H
#define LUCIDTCP_PCAP_H

#include <stdio.h>

#include "common.h"
#include "sim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ltcp_pcap ltcp_pcap;

/** Creates (truncates) path and writes the file header. NULL with errno set on failure. */
ltcp_pcap *ltcp_pcap_open(const char *path);
/** Appends one packet stamped with t. Returns 0 or a negative error (write failure). */
int ltcp_pcap_write(ltcp_pcap *p, ltcp_time_ns t, const uint8_t *pkt, size_t len);
/** Flushes and closes; returns 0 or a negative error. */
int ltcp_pcap_close(ltcp_pcap *p);

/** An ltcp_sim tap (ctx is an ltcp_pcap *) that records every packet as it is sent, as a
 * capture on the sender's interface would. */
void ltcp_pcap_sim_tap(void *ctx, ltcp_time_ns now, int from_node, int to_node,
                       ltcp_sim_fate fate, const uint8_t *pkt, size_t len);

#ifdef __cplusplus
}
#endif
#endif
