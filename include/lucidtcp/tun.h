/** @file
 * lucidtcp: a Linux TUN device as a link (IFF_TUN | IFF_NO_PI: every read and write is one IPv4
 * or IPv6 packet, no extra header). With offloads (LTCP_TUN_OFFLOAD: IFF_VNET_HDR and
 * TUNSETOFFLOAD with TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6, linux/if_tun.h) one read or write
 * carries a TCP packet of up to 64 KB standing for several segments, behind a struct
 * virtio_net_hdr (linux/virtio_net.h) the driver reads and writes itself. A driver (ltcp_link, in the installed liblucidtcp): it makes
 * system calls, which the stack itself never does. */
#ifndef LUCIDTCP_TUN_H
#define LUCIDTCP_TUN_H

#include <sys/types.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LTCP_TUN_NAME_MAX 15 /**< IFNAMSIZ - 1 */

/** An open TUN device (ltcp_tun_open fills it). */
typedef struct ltcp_tun {
  int fd;                             /**< non-blocking, close-on-exec; -1 when closed */
  char name[LTCP_TUN_NAME_MAX + 1];   /**< the device's name */
  int created;                        /**< 1: this call created the device (it goes when closed) */
  uint32_t mtu;                       /**< the device's MTU when opened */
  int offload;                        /**< 1: opened with LTCP_TUN_OFFLOAD */
} ltcp_tun;

/** Flags of ltcp_tun_open_flags. */
#define LTCP_TUN_OFFLOAD 0x1u /**< IFF_VNET_HDR + TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6: the
                               * kernel may hand us
                               * TCP packets of several segments (GRO-like) with checksums left
                               * partial, and cuts the large ones we write (GSO) */

#define LTCP_TUN_MULTI_QUEUE 0x2u /**< IFF_MULTI_QUEUE: one queue of a multi-queue device; open the
                                   * name again for each further queue (each a descriptor of its
                                   * own, up to 256). The device must be multi-queue too when it
                                   * exists ('ip tuntap add ... multi_queue') */

/** What ltcp_tun_read_flags says of a packet. */
#define LTCP_TUN_RX_CSUM_OK 0x1u /**< its TCP checksum need not be verified (pass
                                  * LTCP_INPUT_CSUM_OK): the kernel left it partial, the packet
                                  * being its own (CHECKSUM_PARTIAL), or verified it */
#define LTCP_TUN_RX_LARGE 0x2u   /**< a TCP packet of several segments (gso_type TCPV4) */

/** Why ltcp_tun_open failed, for a message a user can act on. */
typedef enum ltcp_tun_error {
  LTCP_TUN_OK = 0,         /**< attached */
  LTCP_TUN_NO_DEVICE_FILE, /**< /dev/net/tun is missing (no TUN support, or not in this
                            * container) */
  LTCP_TUN_NO_PERMISSION,  /**< opening /dev/net/tun or creating the device needs CAP_NET_ADMIN */
  LTCP_TUN_BAD_NAME,       /**< empty, longer than 15 bytes, or containing '/', ':' or a space */
  LTCP_TUN_BUSY,           /**< the device exists as another kind (TAP) or another process has it */
  LTCP_TUN_SYSTEM          /**< another system error: see the errno value returned with it */
} ltcp_tun_error;

/** Attaches to the TUN device called name, creating it when it does not exist (a device made with
 * `ip tuntap add dev NAME mode tun` beforehand works too). A device this call creates is brought
 * up (IFF_UP) but given no address: the kernel's side of the link keeps whatever the user gives
 * it.
 * @param tun filled in
 * @param name the device's name
 * @param sys_errno receives the errno behind a failure
 * @return LTCP_TUN_OK, or the reason */
ltcp_tun_error ltcp_tun_open(ltcp_tun *tun, const char *name, int *sys_errno);

/** A sentence describing err, e.g. "/dev/net/tun is missing: ...".
 * @param err what ltcp_tun_open returned
 * @param sys_errno the errno it gave (used for LTCP_TUN_SYSTEM)
 * @param name the device's name
 * @param buf where the sentence goes
 * @param cap its size
 * @return buf */
const char *ltcp_tun_strerror(ltcp_tun_error err, int sys_errno, const char *name, char *buf,
                              size_t cap);

/** As ltcp_tun_open; flags 0 is ltcp_tun_open, LTCP_TUN_OFFLOAD opens with offloads (a device
 * that refuses them fails with LTCP_TUN_SYSTEM). Without it, offloads a previous user left on
 * the device are turned off, so the kernel cuts its own packets again.
 * @param tun filled in
 * @param name the device's name
 * @param flags 0 or LTCP_TUN_OFFLOAD
 * @param sys_errno receives the errno behind a failure
 * @return LTCP_TUN_OK, or the reason */
ltcp_tun_error ltcp_tun_open_flags(ltcp_tun *tun, const char *name, uint32_t flags,
                                   int *sys_errno);

/** Reads one packet into buf. With offloads the packet may be up to 64 KB of several segments
 * (cap should be 65535), and a partial checksum is completed here, so the packet is as it would
 * be on a wire.
 * @param tun the device
 * @param buf where the packet goes
 * @param cap its size
 * @return the packet's length, 0 when none is waiting (EAGAIN), or -errno */
ssize_t ltcp_tun_read(ltcp_tun *tun, uint8_t *buf, size_t cap);
/** As ltcp_tun_read, without completing partial checksums. A packet whose virtio_net_hdr we never
 * asked for is dropped (read next).
 * @param tun the device
 * @param buf where the packet goes
 * @param cap its size
 * @param rx_flags receives LTCP_TUN_RX_* (always 0 without offloads)
 * @return the packet's length, 0 when none is waiting (EAGAIN), or -errno */
ssize_t ltcp_tun_read_flags(ltcp_tun *tun, uint8_t *buf, size_t cap, uint32_t *rx_flags);
/** Writes one packet.
 * @param tun the device
 * @param pkt the packet, from its IPv4 header on
 * @param len its length
 * @return 0, LTCP_EAGAIN when the device's queue is full (wait for the fd to be writable), or
 *   another -errno (the packet is lost, as on a wire) */
int ltcp_tun_write(ltcp_tun *tun, const uint8_t *pkt, size_t len);
/** As ltcp_tun_write; seg_size > 0 (offloads only) makes pkt, an IPv4+TCP packet with a complete
 * checksum, one the kernel takes as seg_size-byte segments (ltcp_stack_tx_seg_size): written
 * with gso_type TCPV4 and the checksum left partial (NEEDS_CSUM).
 * @param tun the device
 * @param pkt the packet
 * @param len its length
 * @param seg_size the payload of each segment, or 0 for one segment
 * @return as ltcp_tun_write; LTCP_EINVAL without offloads or for a packet that is not
 *   IPv4+TCP */
int ltcp_tun_write_seg(ltcp_tun *tun, const uint8_t *pkt, size_t len, uint32_t seg_size);
/** As ltcp_tun_write_seg for a packet whose TCP checksum field already holds the pseudo-header
 * sum (ltcp_stack_config.csum_offload): a TCP packet is written with NEEDS_CSUM, the kernel
 * completing (or, delivering it to itself, trusting) the checksum; any other packet is written
 * as it is.
 * @param tun the device
 * @param pkt the packet
 * @param len its length
 * @param seg_size the payload of each segment, or 0 for one segment
 * @return as ltcp_tun_write; LTCP_EINVAL without offloads */
int ltcp_tun_write_partial(ltcp_tun *tun, const uint8_t *pkt, size_t len, uint32_t seg_size);
/** The kernel's own (primary) IPv4 address on the device.
 * @param tun the device
 * @param addr receives it, host byte order
 * @return 0, or LTCP_EADDRNOTAVAIL when the kernel's side has none yet */
int ltcp_tun_kernel_addr(const ltcp_tun *tun, uint32_t *addr);
/** Steers the packets the kernel sends into a multi-queue device by their ports, so that each
 * queue's stack gets its own connections (TUNSETSTEERINGEBPF: a 43-instruction socket-filter
 * program, loaded here): a TCP packet between ports a and b, IPv4 or IPv6, goes to queue
 * ltcp_shard_of(a, b, queues), in either direction, so a stack picking local ports with
 * ltcp_stack_config.shard gets its replies; an ICMP or ICMPv6 error goes where the TCP packet
 * it quotes would; a fragment after the first, an IPv6 packet with extension headers and any
 * other packet go to queue 0. The program is the device's, for every queue
 * and until another is set. Without it Linux picks a queue by a flow hash with a key of its own,
 * which a stack cannot aim at.
 * @param tun any queue of the device
 * @return 0, or -errno (EPERM: no CAP_BPF or CAP_SYS_ADMIN; EINVAL: a kernel before 4.16) */
int ltcp_tun_steer(ltcp_tun *tun);
/** Detaches (a device this process created disappears with it).
 * @param tun the device */
void ltcp_tun_close(ltcp_tun *tun);

#ifdef __cplusplus
}
#endif
#endif
