/* The TUN link driver (Linux): one IPv4 packet per read or write, no packet-information header;
 * with offloads a struct virtio_net_hdr before each (link/vnet.h). */
#define _GNU_SOURCE
#include "lucidtcp/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "link/vnet.h"
#include "lucidtcp/config.h"
#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/ipv4.h"
#include "lucidtcp/wire/ipv6.h"

#define TUN_CLONE_PATH "/dev/net/tun"
#define TUN_TCP_HDR_MAX 60 /* RFC 9293 §3.1: data offset of 15 words */

static int tun_name_ok(const char *name) {
  size_t n = name ? strlen(name) : 0;
  if (n == 0 || n > LTCP_TUN_NAME_MAX) return 0;
  if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)name[i];
    /* As the kernel's dev_valid_name. */
    if (c <= ' ' || c == '/' || c == ':' || c >= 0x7f) return 0;
  }
  return 1;
}

/* SIOCGIFFLAGS/SIOCSIFFLAGS/SIOCGIFMTU need a socket of any kind in this network namespace. */
static int tun_ifreq(unsigned long req, struct ifreq *ifr) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return -errno;
  int rc = ioctl(s, req, ifr) < 0 ? -errno : 0;
  close(s);
  return rc;
}

static int tun_bring_up(const char *name) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
  int rc = tun_ifreq(SIOCGIFFLAGS, &ifr);
  if (rc == 0 && !(ifr.ifr_flags & IFF_UP)) {
    ifr.ifr_flags = (short)(ifr.ifr_flags | IFF_UP);
    rc = tun_ifreq(SIOCSIFFLAGS, &ifr);
  }
  return rc;
}

static ltcp_tun_error tun_fail(ltcp_tun *tun, int err, int *sys_errno) {
  if (tun->fd >= 0) close(tun->fd);
  tun->fd = -1;
  *sys_errno = err;
  switch (err) {
    case ENOENT:
    case ENODEV:
    case ENXIO:
      return LTCP_TUN_NO_DEVICE_FILE;
    case EPERM:
    case EACCES:
      return LTCP_TUN_NO_PERMISSION;
    case EBUSY:
    case EINVAL: /* TUNSETIFF: a device of that name exists but is not a TUN (a TAP, a bridge) */
      return LTCP_TUN_BUSY;
    default:
      return LTCP_TUN_SYSTEM;
  }
}

/* linux/if_tun.h: IFF_VNET_HDR puts a virtio_net_hdr before every packet; TUNSETOFFLOAD with
 * TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 lets the kernel hand us partial checksums and TCP
 * packets (IPv4 and IPv6) of up to 64 KB, and take the same from us. Without offloads,
 * features a previous user turned on are turned off (the device may be persistent), or the
 * kernel would send us what we cannot read. */
static int tun_set_offload(ltcp_tun *tun, int on) {
  if (on) {
    int sz = (int)LTCP_VNET_HDR_LEN;
    if (ioctl(tun->fd, TUNSETVNETHDRSZ, &sz) < 0) return -errno;
  }
  unsigned int features = on ? TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 : 0;
  if (ioctl(tun->fd, TUNSETOFFLOAD, features) < 0 && on) return -errno;
  tun->offload = on;
  return 0;
}

ltcp_tun_error ltcp_tun_open(ltcp_tun *tun, const char *name, int *sys_errno) {
  return ltcp_tun_open_flags(tun, name, 0, sys_errno);
}

ltcp_tun_error ltcp_tun_open_flags(ltcp_tun *tun, const char *name, uint32_t flags,
                                   int *sys_errno) {
  memset(tun, 0, sizeof *tun);
  tun->fd = -1;
  *sys_errno = 0;
  if (!tun_name_ok(name)) {
    *sys_errno = EINVAL;
    return LTCP_TUN_BAD_NAME;
  }
  snprintf(tun->name, sizeof tun->name, "%s", name);
  int existed = if_nametoindex(name) != 0;
  tun->fd = open(TUN_CLONE_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (tun->fd < 0) return tun_fail(tun, errno, sys_errno);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  int offload = (flags & LTCP_TUN_OFFLOAD) != 0;
  ifr.ifr_flags = (short)(IFF_TUN | IFF_NO_PI | (offload ? IFF_VNET_HDR : 0) |
                          (flags & LTCP_TUN_MULTI_QUEUE ? IFF_MULTI_QUEUE : 0));
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
  if (ioctl(tun->fd, TUNSETIFF, &ifr) < 0) return tun_fail(tun, errno, sys_errno);
  int orc = tun_set_offload(tun, offload);
  if (orc < 0) { /* a kernel without TUN offloads: not a device that is busy */
    tun_fail(tun, -orc, sys_errno);
    return LTCP_TUN_SYSTEM;
  }
  tun->created = !existed;
  if (tun->created) {
    int rc = tun_bring_up(name);
    if (rc < 0) return tun_fail(tun, -rc, sys_errno);
  }
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
  tun->mtu = tun_ifreq(SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0 ? (uint32_t)ifr.ifr_mtu : 1500u;
  return LTCP_TUN_OK;
}

const char *ltcp_tun_strerror(ltcp_tun_error err, int sys_errno, const char *name, char *buf,
                              size_t cap) {
  switch (err) {
    case LTCP_TUN_OK:
      snprintf(buf, cap, "no error");
      break;
    case LTCP_TUN_NO_DEVICE_FILE:
      snprintf(buf, cap, "%s is missing (%s): this system or container has no TUN support",
               TUN_CLONE_PATH, strerror(sys_errno));
      break;
    case LTCP_TUN_NO_PERMISSION:
      snprintf(buf, cap, "no permission to use TUN device '%s' (%s): run as root, or with "
               "CAP_NET_ADMIN, or create it for your user first with "
               "'ip tuntap add dev %s mode tun user $USER'", name, strerror(sys_errno), name);
      break;
    case LTCP_TUN_BAD_NAME:
      snprintf(buf, cap, "bad device name '%s': 1 to %d characters, without '/', ':' or spaces",
               name ? name : "", LTCP_TUN_NAME_MAX);
      break;
    case LTCP_TUN_BUSY:
      snprintf(buf, cap, "cannot attach to '%s' (%s): it is not a TUN device, or another process "
               "is attached to it", name, strerror(sys_errno));
      break;
    default:
      snprintf(buf, cap, "cannot open TUN device '%s': %s", name, strerror(sys_errno));
      break;
  }
  return buf;
}

/* One read: the packet's length (with *h filled when there are offloads), 0, or -errno. */
static ssize_t tun_readv(ltcp_tun *tun, uint8_t *buf, size_t cap, struct virtio_net_hdr *h) {
  struct iovec iov[2] = {{h, LTCP_VNET_HDR_LEN}, {buf, cap}};
  for (int tries = 0; tries < 8; tries++) { /* bounded retry on EINTR */
    /* Plain read(2) without offloads: readv costs an iovec import per packet. */
    ssize_t n = tun->offload ? readv(tun->fd, iov, 2) : read(tun->fd, buf, cap);
    if (n >= 0 && !tun->offload) return n;
    if (n >= (ssize_t)LTCP_VNET_HDR_LEN) return n - (ssize_t)LTCP_VNET_HDR_LEN;
    if (n >= 0) return 0; /* shorter than the header: the kernel never sends that */
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    if (errno != EINTR) return -errno;
  }
  return 0;
}

/* Reads the next packet we can take; complete: finish a partial checksum in software. */
static ssize_t tun_read_next(ltcp_tun *tun, uint8_t *buf, size_t cap, uint32_t *rx_flags,
                             int complete) {
  *rx_flags = 0;
  for (int tries = 0; tries < 8; tries++) { /* bounded: headers we never asked for are skipped */
    struct virtio_net_hdr h;
    ssize_t n = tun_readv(tun, buf, cap, &h);
    if (n <= 0 || !tun->offload) return n;
    int f = ltcp_vnet_rx_check(&h, (size_t)n);
    if (f < 0) continue;
    /* NEEDS_CSUM comes only with a packet this host's kernel made (CHECKSUM_PARTIAL): it never
     * crossed a wire, and Linux trusts it as it is. We trust it too unless asked to make the
     * packet whole (for a capture or a fault injector that passes it on later). */
    if ((f & (int)LTCP_VNET_RX_CSUM_PARTIAL) && complete) {
      ltcp_vnet_csum_complete(buf, (size_t)n, &h);
    } else if (f & (int)(LTCP_VNET_RX_CSUM_PARTIAL | LTCP_VNET_RX_CSUM_VALID)) {
      *rx_flags |= LTCP_TUN_RX_CSUM_OK;
    }
    if (f & (int)LTCP_VNET_RX_LARGE) *rx_flags |= LTCP_TUN_RX_LARGE;
    return n;
  }
  return 0;
}

ssize_t ltcp_tun_read(ltcp_tun *tun, uint8_t *buf, size_t cap) {
  uint32_t rx_flags;
  return tun_read_next(tun, buf, cap, &rx_flags, 1);
}

ssize_t ltcp_tun_read_flags(ltcp_tun *tun, uint8_t *buf, size_t cap, uint32_t *rx_flags) {
  return tun_read_next(tun, buf, cap, rx_flags, 0);
}

static int tun_writev(ltcp_tun *tun, const struct iovec *iov, int n) {
  for (int tries = 0; tries < 8; tries++) {
    if (writev(tun->fd, iov, n) >= 0) return 0;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return LTCP_EAGAIN;
    if (errno != EINTR) return -errno;
  }
  return LTCP_EAGAIN;
}

int ltcp_tun_write(ltcp_tun *tun, const uint8_t *pkt, size_t len) {
  return ltcp_tun_write_seg(tun, pkt, len, 0);
}

int ltcp_tun_write_seg(ltcp_tun *tun, const uint8_t *pkt, size_t len, uint32_t seg_size) {
  if (!tun->offload) {
    if (seg_size) return LTCP_EINVAL;
    for (int tries = 0; tries < 8; tries++) {
      if (write(tun->fd, pkt, len) >= 0) return 0;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return LTCP_EAGAIN;
      if (errno != EINTR) return -errno;
    }
    return LTCP_EAGAIN;
  }
  struct virtio_net_hdr h;
  if (ltcp_vnet_tx_hdr(&h, pkt, len, seg_size) != 0) return LTCP_EINVAL;
  if (!seg_size) {
    struct iovec iov[2] = {{&h, LTCP_VNET_HDR_LEN}, {(void *)(uintptr_t)pkt, len}};
    return tun_writev(tun, iov, 2);
  }
  /* The headers go from a copy whose checksum field holds the pseudo-header sum, as NEEDS_CSUM
   * wants (the kernel sums from csum_start for each segment it cuts, or trusts it when the
   * packet stays on this host); the payload goes from the stack's buffer as it is. */
  uint8_t hdrs[LTCP_IPV6_HDR_LEN + TUN_TCP_HDR_MAX];
  memcpy(hdrs, pkt, h.hdr_len);
  ltcp_put16(hdrs + h.csum_start + h.csum_offset, ltcp_vnet_partial_csum(pkt, len));
  struct iovec iov[3] = {{&h, LTCP_VNET_HDR_LEN},
                         {hdrs, h.hdr_len},
                         {(void *)(uintptr_t)(pkt + h.hdr_len), len - h.hdr_len}};
  return tun_writev(tun, iov, 3);
}

int ltcp_tun_write_partial(ltcp_tun *tun, const uint8_t *pkt, size_t len, uint32_t seg_size) {
  if (!tun->offload) return LTCP_EINVAL;
  struct virtio_net_hdr h;
  if (ltcp_vnet_tx_hdr_partial(&h, pkt, len, seg_size) != 0) return LTCP_EINVAL;
  struct iovec iov[2] = {{&h, LTCP_VNET_HDR_LEN}, {(void *)(uintptr_t)pkt, len}};
  return tun_writev(tun, iov, 2);
}

int ltcp_tun_kernel_addr(const ltcp_tun *tun, uint32_t *addr) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", tun->name);
  ifr.ifr_addr.sa_family = AF_INET;
  if (tun_ifreq(SIOCGIFADDR, &ifr) != 0) return LTCP_EADDRNOTAVAIL;
  struct sockaddr_in sin;
  memcpy(&sin, &ifr.ifr_addr, sizeof sin);
  *addr = ntohl(sin.sin_addr.s_addr);
  return 0;
}

/* ---- steering by ports (ltcp_tun_steer): eBPF for a socket filter, which reads the packet
 * with LD_ABS/LD_IND (r6 the context; results in r0, host byte order). skb->data is the IPv4
 * header: a TUN device has no link header. */
#define TUN_INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), \
                                                   .off = (o), .imm = (i)})
#define TUN_MOV_REG(d, s) TUN_INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define TUN_MOV_IMM(d, i) TUN_INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define TUN_ALU_IMM(op, d, i) TUN_INSN(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define TUN_ALU_REG(op, d, s) TUN_INSN(BPF_ALU64 | (op) | BPF_X, d, s, 0, 0)
#define TUN_LD_ABS(sz, off) TUN_INSN(BPF_LD | BPF_ABS | (sz), 0, 0, 0, off)
#define TUN_LD_IND(sz, s, off) TUN_INSN(BPF_LD | BPF_IND | (sz), 0, s, 0, off)
#define TUN_JMP_IMM(op, d, i, off) TUN_INSN(BPF_JMP | (op) | BPF_K, d, 0, off, i)
#define TUN_EXIT TUN_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Returns ltcp_shard_of's hash of the TCP ports (the kernel takes it modulo the queues), those of
 * the TCP header an ICMP error quotes (RFC 792: the IP header and 8 bytes after it), or 0. IPv6
 * the same, when TCP or ICMPv6 follows the fixed header (RFC 8200 §3; an ICMPv6 error quotes
 * the packet from its IPv6 header, RFC 4443 §2.4 (c)): a packet with extension headers (a
 * fragment, say) goes to queue 0, as an IPv4 fragment after the first. A load past the packet's
 * end (an echo request read as an error) ends the program with 0: queue 0. */
static const struct bpf_insn tun_steer_prog[] = {
    TUN_MOV_REG(6, 1),
    TUN_LD_ABS(BPF_B, 0), TUN_ALU_IMM(BPF_AND, 0, 0xf0),
    TUN_JMP_IMM(BPF_JNE, 0, 0x40, 24),                       /* not IPv4: to IPv6 (28) */
    TUN_LD_ABS(BPF_H, 6), TUN_ALU_IMM(BPF_AND, 0, 0x1fff),
    TUN_JMP_IMM(BPF_JNE, 0, 0, 19),                          /* a later fragment: no ports */
    TUN_LD_ABS(BPF_B, 0), TUN_ALU_IMM(BPF_AND, 0, 0x0f), TUN_ALU_IMM(BPF_LSH, 0, 2),
    TUN_MOV_REG(7, 0),                                       /* r7: the IP header's length */
    TUN_LD_ABS(BPF_B, 9),
    TUN_JMP_IMM(BPF_JEQ, 0, 6, 6),                           /* TCP */
    TUN_JMP_IMM(BPF_JNE, 0, 1, 12),                          /* neither TCP nor ICMP */
    TUN_LD_IND(BPF_B, 7, 8), TUN_ALU_IMM(BPF_AND, 0, 0x0f), TUN_ALU_IMM(BPF_LSH, 0, 2),
    TUN_ALU_REG(BPF_ADD, 7, 0), TUN_ALU_IMM(BPF_ADD, 7, 8),  /* r7: the quoted TCP header */
    /* 19: the ports at r7. */
    TUN_LD_IND(BPF_H, 7, 0), TUN_MOV_REG(8, 0),
    TUN_LD_IND(BPF_H, 7, 2), TUN_ALU_REG(BPF_XOR, 0, 8),
    /* Mixed (32-bit): Linux's connect() prefers even ports, so the XOR's low bits alone would
     * put every connection to one server port on the same queue. */
    TUN_INSN(BPF_ALU | BPF_MUL | BPF_K, 0, 0, 0, (int32_t)LTCP_SHARD_MIX),
    TUN_INSN(BPF_ALU | BPF_RSH | BPF_K, 0, 0, 0, 16),
    TUN_EXIT,
    TUN_MOV_IMM(0, 0), /* 26 */
    TUN_EXIT,
    /* 28: IPv6. Forward jumps only (verifiers before Linux 5.3 refuse backward ones), so the
     * port tail is repeated. */
    TUN_JMP_IMM(BPF_JNE, 0, 0x60, 12),                       /* neither: queue 0 (41) */
    TUN_MOV_IMM(7, 40),                                      /* r7: TCP after the fixed header */
    TUN_LD_ABS(BPF_B, 6),                                    /* Next Header */
    TUN_JMP_IMM(BPF_JEQ, 0, 6, 2),                           /* TCP (34) */
    TUN_JMP_IMM(BPF_JNE, 0, 58, 8),                          /* neither TCP nor ICMPv6 (41) */
    TUN_MOV_IMM(7, 40 + 8 + 40),                             /* the quoted TCP header */
    TUN_LD_IND(BPF_H, 7, 0), TUN_MOV_REG(8, 0),              /* 34 */
    TUN_LD_IND(BPF_H, 7, 2), TUN_ALU_REG(BPF_XOR, 0, 8),
    TUN_INSN(BPF_ALU | BPF_MUL | BPF_K, 0, 0, 0, (int32_t)LTCP_SHARD_MIX),
    TUN_INSN(BPF_ALU | BPF_RSH | BPF_K, 0, 0, 0, 16),
    TUN_EXIT,
    TUN_MOV_IMM(0, 0), /* 41 */
    TUN_EXIT,
};

int ltcp_tun_steer(ltcp_tun *tun) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  attr.insns = (uint64_t)(uintptr_t)tun_steer_prog;
  attr.insn_cnt = (uint32_t)(sizeof tun_steer_prog / sizeof tun_steer_prog[0]);
  attr.license = (uint64_t)(uintptr_t) "BSD";
  int prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
  if (prog < 0) return -errno;
  int rc = ioctl(tun->fd, TUNSETSTEERINGEBPF, &prog) < 0 ? -errno : 0;
  close(prog); /* the device holds it */
  return rc;
}

void ltcp_tun_close(ltcp_tun *tun) {
  if (tun->fd >= 0) close(tun->fd);
  tun->fd = -1;
}
