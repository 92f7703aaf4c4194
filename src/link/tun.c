/* The TUN link driver (Linux): one IPv4 packet per read or write, no packet-information header. */
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
#include <unistd.h>

#define TUN_CLONE_PATH "/dev/net/tun"

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

ltcp_tun_error ltcp_tun_open(ltcp_tun *tun, const char *name, int *sys_errno) {
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
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
  if (ioctl(tun->fd, TUNSETIFF, &ifr) < 0) return tun_fail(tun, errno, sys_errno);
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

ssize_t ltcp_tun_read(ltcp_tun *tun, uint8_t *buf, size_t cap) {
  for (int tries = 0; tries < 8; tries++) { /* bounded retry on EINTR */
    ssize_t n = read(tun->fd, buf, cap);
    if (n >= 0) return n;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    if (errno != EINTR) return -errno;
  }
  return 0;
}

int ltcp_tun_write(ltcp_tun *tun, const uint8_t *pkt, size_t len) {
  for (int tries = 0; tries < 8; tries++) {
    ssize_t n = write(tun->fd, pkt, len);
    if (n >= 0) return 0;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return LTCP_EAGAIN;
    if (errno != EINTR) return -errno;
  }
  return LTCP_EAGAIN;
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

void ltcp_tun_close(ltcp_tun *tun) {
  if (tun->fd >= 0) close(tun->fd);
  tun->fd = -1;
}
