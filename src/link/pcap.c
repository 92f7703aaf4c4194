/* The pcap writer: classic format, nanosecond stamps, LINKTYPE_RAW (records are IPv4 packets).
 * Fields are written in host byte order; the magic number tells a reader which order that is. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lucidtcp/pcap.h"

#define LTCP_PCAP_MAGIC_NS 0xa1b23c4du
#define LTCP_PCAP_VERSION_MAJOR 2
#define LTCP_PCAP_VERSION_MINOR 4
#define LTCP_PCAP_SNAPLEN 262144u
#define LTCP_PCAP_LINKTYPE_RAW 101u
#define LTCP_PCAP_HEADER_LEN 24
#define LTCP_PCAP_RECORD_LEN 16

struct ltcp_pcap {
  FILE *file;
  int failed; /* a write failed; close reports it */
};

static uint8_t *pcap_put32(uint8_t *p, uint32_t v) {
  memcpy(p, &v, sizeof v);
  return p + sizeof v;
}

static uint8_t *pcap_put16(uint8_t *p, uint16_t v) {
  memcpy(p, &v, sizeof v);
  return p + sizeof v;
}

static int pcap_write_bytes(ltcp_pcap *p, const void *buf, size_t len) {
  if (len > 0 && fwrite(buf, 1, len, p->file) != len) p->failed = 1;
  return p->failed ? LTCP_EIO : 0;
}

ltcp_pcap *ltcp_pcap_open(const char *path) {
  if (path == NULL) {
    errno = EINVAL;
    return NULL;
  }
  ltcp_pcap *p = calloc(1, sizeof *p);
  if (p == NULL) return NULL;
  p->file = fopen(path, "wb");
  if (p->file == NULL) {
    int saved = errno;
    free(p);
    errno = saved;
    return NULL;
  }
  uint8_t hdr[LTCP_PCAP_HEADER_LEN], *h = hdr;
  h = pcap_put32(h, LTCP_PCAP_MAGIC_NS);
  h = pcap_put16(h, LTCP_PCAP_VERSION_MAJOR);
  h = pcap_put16(h, LTCP_PCAP_VERSION_MINOR);
  h = pcap_put32(h, 0); /* thiszone: stamps are UTC (virtual time) */
  h = pcap_put32(h, 0); /* sigfigs */
  h = pcap_put32(h, LTCP_PCAP_SNAPLEN);
  pcap_put32(h, LTCP_PCAP_LINKTYPE_RAW);
  errno = 0;
  if (pcap_write_bytes(p, hdr, sizeof hdr) != 0) {
    int saved = errno ? errno : EIO;
    fclose(p->file);
    free(p);
    errno = saved;
    return NULL;
  }
  return p;
}

int ltcp_pcap_write(ltcp_pcap *p, ltcp_time_ns t, const uint8_t *pkt, size_t len) {
  if (p == NULL || (pkt == NULL && len > 0)) return LTCP_EINVAL;
  uint32_t caplen = len > LTCP_PCAP_SNAPLEN ? LTCP_PCAP_SNAPLEN : (uint32_t)len;
  uint32_t origlen = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
  uint8_t rec[LTCP_PCAP_RECORD_LEN], *r = rec;
  r = pcap_put32(r, (uint32_t)(t / LTCP_SEC(1)));
  r = pcap_put32(r, (uint32_t)(t % LTCP_SEC(1)));
  r = pcap_put32(r, caplen);
  pcap_put32(r, origlen);
  int err = pcap_write_bytes(p, rec, sizeof rec);
  return err ? err : pcap_write_bytes(p, pkt, caplen);
}

int ltcp_pcap_close(ltcp_pcap *p) {
  if (p == NULL) return 0;
  if (fflush(p->file) != 0) p->failed = 1;
  if (fclose(p->file) != 0) p->failed = 1;
  int failed = p->failed;
  free(p);
  return failed ? LTCP_EIO : 0;
}

void ltcp_pcap_sim_tap(void *ctx, ltcp_time_ns now, int from_node, int to_node,
                       ltcp_sim_fate fate, const uint8_t *pkt, size_t len) {
  (void)from_node;
  (void)to_node;
  /* A failure is sticky and reported by ltcp_pcap_close. */
  if (fate == LTCP_SIM_SENT) (void)ltcp_pcap_write(ctx, now, pkt, len);
}
