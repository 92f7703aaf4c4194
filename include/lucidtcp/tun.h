/* lucidtcp: a Linux TUN device as a link (IFF_TUN | IFF_NO_PI: every read and write is one IPv4
 * packet, no extra header). A driver: it makes system calls, and is not part of the embeddable
 * library (it lives in the ltcp_link library). */
#ifndef LUCIDTCP_TUN_H
#define LUCIDTCP_TUN_H

#include <sys/types.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LTCP_TUN_NAME_MAX 15 /* IFNAMSIZ - 1 */

typedef struct ltcp_tun {
  int fd;                             /* non-blocking, close-on-exec; -1 when closed */
  char name[LTCP_TUN_NAME_MAX + 1];   /* the device's name */
  int created;                        /* 1: this call created the device (it goes when closed) */
  uint32_t mtu;                       /* the device's MTU when opened */
} ltcp_tun;

/* Why ltcp_tun_open failed, for a message a user can act on. */
typedef enum ltcp_tun_error {
  LTCP_TUN_OK = 0,
  LTCP_TUN_NO_DEVICE_FILE, /* /dev/net/tun is missing (no TUN support, or not in this container) */
  LTCP_TUN_NO_PERMISSION,  /* opening /dev/net/tun or creating the device needs CAP_NET_ADMIN */
  LTCP_TUN_BAD_NAME,       /* empty, longer than 15 bytes, or containing '/', ':' or a space */
  LTCP_TUN_BUSY,           /* the device exists as another kind (TAP) or another process has it */
  LTCP_TUN_SYSTEM          /* another system error: see the errno value returned with it */
} ltcp_tun_error;

/* Attaches to the TUN device called name, creating it when it does not exist (a device made with
 * `ip tuntap add dev NAME mode tun` beforehand works too). A device this call creates is brought
 * up (IFF_UP) but given no address: the kernel's side of the link keeps whatever the user gives
 * it. Returns LTCP_TUN_OK, or the reason with *sys_errno set to the errno behind it. */
ltcp_tun_error ltcp_tun_open(ltcp_tun *tun, const char *name, int *sys_errno);

/* A sentence describing err (with sys_errno for LTCP_TUN_SYSTEM), e.g. "/dev/net/tun is missing:
 * ..."; written into buf (cap bytes); returns buf. */
const char *ltcp_tun_strerror(ltcp_tun_error err, int sys_errno, const char *name, char *buf,
                              size_t cap);

/* Reads one packet into buf. Returns its length, 0 when none is waiting (EAGAIN), or -errno. */
ssize_t ltcp_tun_read(ltcp_tun *tun, uint8_t *buf, size_t cap);
/* Writes one packet. Returns 0, LTCP_EAGAIN when the device's queue is full (wait for the fd to be
 * writable), or another -errno (the packet is lost, as on a wire). */
int ltcp_tun_write(ltcp_tun *tun, const uint8_t *pkt, size_t len);
/* The kernel's own (primary) IPv4 address on the device, host byte order: 0, or LTCP_EADDRNOTAVAIL
 * when the kernel's side has none yet. */
int ltcp_tun_kernel_addr(const ltcp_tun *tun, uint32_t *addr);
/* Detaches (a device this process created disappears with it). */
void ltcp_tun_close(ltcp_tun *tun);

#ifdef __cplusplus
}
#endif
#endif
