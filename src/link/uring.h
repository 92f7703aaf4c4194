/* Batched device I/O through io_uring (liburing): a fixed set of reads kept queued on a
 * descriptor (a TUN device), each completing with one packet, and a fixed set of write slots
 * filled during a loop's turn and submitted together at its end. One io_uring_enter then carries
 * every write of the turn and re-arms every read consumed: many packets per system call, where
 * read(2)/write(2) cost one each. The ring's own descriptor becomes readable when a completion
 * is waiting, so an epoll loop watches it in place of the device.
 *
 * Optional: built with liburing when CMake finds it (LTCP_HAVE_URING); without it, and wherever
 * the kernel refuses io_uring (ENOSYS: too old or compiled out; EPERM: seccomp, or the sysctl
 * kernel.io_uring_disabled), ltcp_uring_new fails with that errno and the caller falls back to
 * read/write. Owns its buffers and the ring; never owns the descriptor. Private to src/link/. */
#ifndef LTCP_LINK_URING_H
#define LTCP_LINK_URING_H

#include <stddef.h>
#include <stdint.h>

typedef struct ltcp_uring ltcp_uring;

/* What a ring is made for. */
typedef struct ltcp_uring_config {
  int fd;             /* the device (not owned); each read returns one packet */
  uint32_t reads;     /* reads kept queued: packets a turn can take in one system call */
  uint32_t read_size; /* bytes each read may return: the largest packet */
  uint32_t writes;    /* write slots: packets a turn can send in one system call */
  uint32_t write_size; /* bytes each write slot holds */
} ltcp_uring_config;

/* A ring with every read queued (submitted at the first ltcp_uring_submit). NULL with *err set
 * to a negative errno: -ENOSYS (no io_uring, or built without liburing), -EPERM (refused),
 * -EINVAL (a kernel without IORING_OP_READ/WRITE, 5.6), -ENOMEM. */
ltcp_uring *ltcp_uring_new(const ltcp_uring_config *cfg, int *err);
void ltcp_uring_free(ltcp_uring *u);

/* The ring's descriptor: readable when a completion waits (for epoll). */
int ltcp_uring_fd(const ltcp_uring *u);

/* Moves the completions waiting into the ring's state: finished reads into a queue of packets,
 * finished writes back to the free slots (a failed write is counted). Bounded by reads +
 * writes. Returns the completions taken. */
uint32_t ltcp_uring_reap(ltcp_uring *u);

/* The oldest packet read and not yet released: its length (*pkt set), 0 when none waits, or a
 * negative errno the read ended with (the device is gone: nothing more will come). Packets come
 * in the device's order: reads are never parked in the kernel (RWF_NOWAIT), so each runs inline
 * in ltcp_uring_submit, in submission order. Reads that found nothing (-EAGAIN) are not shown:
 * see ltcp_uring_idle_reads. */
long ltcp_uring_read_peek(ltcp_uring *u, const uint8_t **pkt);
/* Gives the oldest packet's buffer back: its read is queued again at the next submit. */
void ltcp_uring_read_pop(ltcp_uring *u);
/* Reads that ended with -EAGAIN (the device was empty) and wait for it to be readable: the
 * caller polls the device, then calls ltcp_uring_rearm_idle. */
uint32_t ltcp_uring_idle_reads(const ltcp_uring *u);
void ltcp_uring_rearm_idle(ltcp_uring *u);

/* A free write slot of write_size bytes, or NULL when every slot is in flight (reap, or wait
 * for the ring's descriptor). Fill it, then ltcp_uring_write_queue. */
uint8_t *ltcp_uring_write_slot(ltcp_uring *u);
/* Queues the slot ltcp_uring_write_slot gave, holding len bytes, for the next submit. */
void ltcp_uring_write_queue(ltcp_uring *u, size_t len);

/* Submits what is queued (writes in the order queued, then reads); one system call, none when
 * nothing is queued. Returns the requests submitted, or a negative errno. */
int ltcp_uring_submit(ltcp_uring *u);

/* Counters: system calls made (io_uring_enter), writes that completed with an error. */
uint64_t ltcp_uring_syscalls(const ltcp_uring *u);
uint64_t ltcp_uring_write_errors(const ltcp_uring *u);

#endif
