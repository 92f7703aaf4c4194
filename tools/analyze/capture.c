/* The capture reader: libpcap reads pcap and pcapng from a FILE; that FILE is a cookie stream
 * over zlib (gzread reads plain files transparently, so one path serves both) or over memory. */
#define _GNU_SOURCE /* fopencookie */
#include "analyze/capture.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

struct an_capture {
  pcap_t *pcap;
  FILE *stream;     /* the cookie stream libpcap reads; pcap_close closes it */
  gzFile gz;        /* NULL when reading memory */
  int fd;
  const uint8_t *mem;
  size_t mem_size, mem_off;
  uint64_t size;    /* of the file, 0 if unknown */
  struct bpf_program prog;
  int filtered;     /* prog holds the filter: applied here, so frame numbers count every frame */
  uint64_t frame;
};

static ssize_t capture_read(void *cookie, char *buf, size_t n) {
  an_capture *c = cookie;
  if (!c->gz) {
    size_t left = c->mem_size - c->mem_off;
    if (n > left) n = left;
    memcpy(buf, c->mem + c->mem_off, n);
    c->mem_off += n;
    return (ssize_t)n;
  }
  if (n > (1u << 30)) n = 1u << 30;
  int r = gzread(c->gz, buf, (unsigned)n);
  return r < 0 ? -1 : r;
}

static int capture_close_cookie(void *cookie) {
  an_capture *c = cookie;
  if (c->gz) gzclose(c->gz); /* closes fd */
  c->gz = NULL;
  return 0;
}

static int capture_stream(an_capture *c, char *err, size_t cap) {
  cookie_io_functions_t io = {.read = capture_read, .close = capture_close_cookie};
  c->stream = fopencookie(c, "r", io);
  if (!c->stream) {
    snprintf(err, cap, "cannot open a stream: %s", strerror(errno));
    return -1;
  }
  return 0;
}

static int capture_open_file(an_capture *c, const char *path, char *err, size_t cap) {
  int fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    snprintf(err, cap, "%s: %s", path, strerror(errno));
    return -1;
  }
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) c->size = (uint64_t)st.st_size;
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    snprintf(err, cap, "%s: is a directory", path);
    close(fd);
    return -1;
  }
  c->fd = fd;
  c->gz = gzdopen(fd, "rb");
  if (!c->gz) {
    close(fd);
    snprintf(err, cap, "%s: out of memory", path);
    return -1;
  }
  gzbuffer(c->gz, 1u << 17);
  return 0;
}

static int capture_filter(an_capture *c, const char *filter, char *err, size_t cap) {
  struct bpf_program prog;
  if (pcap_compile(c->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
    snprintf(err, cap, "filter '%s': %s", filter, pcap_geterr(c->pcap));
    return -1;
  }
  c->prog = prog;
  c->filtered = 1;
  return 0;
}

an_capture *an_capture_open(const char *path, const uint8_t *mem, size_t size, const char *filter,
                            char *err, size_t cap) {
  an_capture *c = calloc(1, sizeof *c);
  if (!c) {
    snprintf(err, cap, "out of memory");
    return NULL;
  }
  c->fd = -1;
  c->mem = mem;
  c->mem_size = size;
  if (!mem && capture_open_file(c, path, err, cap) != 0) {
    free(c);
    return NULL;
  }
  if (capture_stream(c, err, cap) != 0) {
    capture_close_cookie(c);
    free(c);
    return NULL;
  }
  char perr[PCAP_ERRBUF_SIZE] = "";
  c->pcap = pcap_fopen_offline_with_tstamp_precision(c->stream, PCAP_TSTAMP_PRECISION_NANO, perr);
  if (!c->pcap) {
    snprintf(err, cap, "%s: not a capture libpcap reads (%s)", mem ? "input" : path, perr);
    fclose(c->stream);
    free(c);
    return NULL;
  }
  if (filter && capture_filter(c, filter, err, cap) != 0) {
    an_capture_close(c);
    return NULL;
  }
  return c;
}

int an_capture_next(an_capture *c, uint64_t *frame, const uint8_t **data, size_t *caplen,
                    ltcp_time_ns *time, char *err, size_t cap) {
  struct pcap_pkthdr *h;
  const u_char *d;
  int r;
  /* Bounded by the file: each pass reads one record. */
  while ((r = pcap_next_ex(c->pcap, &h, &d)) == 1) {
    c->frame++;
    if (!c->filtered || pcap_offline_filter(&c->prog, h, d)) break;
  }
  if (r == 1) {
    *frame = c->frame;
    *data = d;
    *caplen = h->caplen;
    *time = (ltcp_time_ns)h->ts.tv_sec * 1000000000u + (ltcp_time_ns)h->ts.tv_usec;
    return 1;
  }
  if (r == PCAP_ERROR_BREAK) return 0; /* the end of the file */
  snprintf(err, cap, "%s", pcap_geterr(c->pcap));
  return -1;
}

int an_capture_linktype(const an_capture *c) { return pcap_datalink(c->pcap); }

uint64_t an_capture_offset(const an_capture *c) {
  if (!c->gz) return c->mem_off;
  off_t o = lseek(c->fd, 0, SEEK_CUR);
  return o < 0 ? 0 : (uint64_t)o;
}

uint64_t an_capture_size(const an_capture *c) { return c->gz ? c->size : c->mem_size; }

void an_capture_close(an_capture *c) {
  if (!c) return;
  if (c->filtered) pcap_freecode(&c->prog);
  pcap_close(c->pcap); /* closes the stream, whose close ends zlib's */
  free(c);
}
