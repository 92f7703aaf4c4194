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

/** A capture file being written. Opaque. */
typedef struct ltcp_pcap ltcp_pcap;

/** Creates (truncates) path and writes the file header.
 * @param path the file
 * @return the capture, or NULL with errno set */
ltcp_pcap *ltcp_pcap_open(const char *path);
/** Appends one packet.
 * @param p the capture
 * @param t its time stamp
 * @param pkt the packet, from its IPv4 header on
 * @param len its length
 * @return 0, or a negative error (write failure) */
int ltcp_pcap_write(ltcp_pcap *p, ltcp_time_ns t, const uint8_t *pkt, size_t len);
/** Flushes and closes.
 * @param p the capture, freed
 * @return 0, or a negative error */
int ltcp_pcap_close(ltcp_pcap *p);

/** An ltcp_sim tap that records every packet as it is sent, as a capture on the sender's
 * interface would: ltcp_sim_add_tap(sim, ltcp_pcap_sim_tap, pcap).
 * @param ctx the ltcp_pcap
 * @param now the time
 * @param from_node the sender
 * @param to_node the receiver
 * @param fate what happened (only LTCP_SIM_SENT is recorded)
 * @param pkt the packet
 * @param len its length */
void ltcp_pcap_sim_tap(void *ctx, ltcp_time_ns now, int from_node, int to_node,
                       ltcp_sim_fate fate, const uint8_t *pkt, size_t len);

#ifdef __cplusplus
}
#endif
#endif
