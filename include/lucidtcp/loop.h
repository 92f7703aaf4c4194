/** @file
 * lucidtcp: a real-time event loop driving a stack over a TUN link (Linux: epoll, one timerfd on
 * CLOCK_MONOTONIC, signalfd for SIGINT and SIGTERM).
 *
 * Each turn: packets read from the link go to ltcp_stack_input; when the clock reaches
 * ltcp_stack_next_deadline the stack is advanced; the application's step hook services its
 * sockets; the packets the stack queued are written to the link; events go to the event hook;
 * then the loop sleeps until a descriptor is ready or the one timer fires, armed at the earliest
 * of the stack's deadline (O(1) to read, whatever the number of connections), the application's
 * wake-up time and the fault injector's next release. A driver (ltcp_link).
 *
 * The device's packets cross through io_uring where it is available (reads kept queued, a turn's
 * writes submitted together at its end: many packets per system call), else read/write
 * (ltcp_loop_config.io). A loop is single-threaded; several loops may run on threads of their
 * own (one per queue of a multi-queue device, ltcp_tun_steer), one of them taking the signals
 * and passing them on with ltcp_loop_raise. */
#ifndef LUCIDTCP_LOOP_H
#define LUCIDTCP_LOOP_H

#include "common.h"
#include "impair.h"
#include "pcap.h"
#include "stack.h"
#include "tun.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A real-time loop. Opaque. */
typedef struct ltcp_loop ltcp_loop;

/** Readiness of a watched descriptor: readable. */
#define LTCP_LOOP_IN 0x1u
#define LTCP_LOOP_OUT 0x2u /**< writable */
#define LTCP_LOOP_HUP 0x4u /**< hang-up or error: a read or write will tell which */

/** What the loop calls back, each with ctx. */
typedef struct ltcp_loop_hooks {
  /** After input and timers, every turn: service sockets (any socket call may be made). */
  void (*step)(void *ctx, ltcp_loop *loop);
  /** Each event the stack reported, in order (may be NULL). */
  void (*event)(void *ctx, ltcp_loop *loop, const ltcp_event *ev);
  /** A descriptor given to ltcp_loop_watch is ready (may be NULL). */
  void (*fd_ready)(void *ctx, ltcp_loop *loop, int fd, uint32_t ready);
  /** SIGINT or SIGTERM arrived (may be NULL: then the loop stops with 128 + signo). */
  void (*signal)(void *ctx, ltcp_loop *loop, int signo);
  void *ctx; /**< the hooks' first argument */
} ltcp_loop_hooks;

/** How a loop moves packets to and from the device (ltcp_loop_config.io). */
typedef enum ltcp_loop_io {
  LTCP_LOOP_IO_AUTO = 0,  /**< io_uring where the build and the kernel allow it, else read/write */
  LTCP_LOOP_IO_URING,     /**< io_uring only: ltcp_loop_new fails where it is refused */
  LTCP_LOOP_IO_READWRITE  /**< read(2) and write(2), one packet per system call */
} ltcp_loop_io;

/** What a loop drives and how. */
typedef struct ltcp_loop_config {
  ltcp_stack *st;                   /**< driven by the loop; not owned. Its tso_max may be set
                                     * only when tun has offloads and impair->out is off, its
                                     * csum_offload only when, besides, there is no pcap
                                     * (ltcp_loop_new fails with LTCP_EINVAL otherwise) */
  ltcp_tun *tun;                    /**< the link; not owned */
  ltcp_pcap *pcap;                  /**< NULL, or every packet in and out is written here */
  const ltcp_impair_config *impair; /**< NULL, or faults injected on the link's directions */
  ltcp_loop_hooks hooks;            /**< the application's part of each turn */
  ltcp_time_ns busy_poll_ns;        /**< 0 (default): sleep in epoll_wait when nothing is ready.
                                     * Otherwise poll without sleeping for up to this long
                                     * before sleeping (as Linux's net.core.busy_poll): less
                                     * latency and no wake-ups, for a core's worth of CPU */
  ltcp_loop_io io;                  /**< device I/O: LTCP_LOOP_IO_AUTO (0, the default) uses
                                     * io_uring (many packets per system call: reads kept
                                     * queued, a turn's writes submitted together) unless the
                                     * kernel refuses it (ENOSYS, EPERM under seccomp), the
                                     * library was built without liburing, or the device has
                                     * offloads; then read/write. ltcp_loop_stats says which */
  int no_signals;                   /**< 0 (default): the loop blocks SIGINT and SIGTERM and
                                     * takes them (signalfd). 1: it leaves signals alone, for
                                     * the loops of a process's other threads when one loop
                                     * takes them and passes them on (ltcp_loop_raise) */
} ltcp_loop_config;

/** Creates a loop; blocks SIGINT and SIGTERM (delivered through the loop from now on) and ignores
 * SIGPIPE. The stack's clock is moved to the loop's.
 * @param cfg what to drive; copied
 * @param err receives a negative error on failure
 * @return the loop, or NULL */
ltcp_loop *ltcp_loop_new(const ltcp_loop_config *cfg, int *err);
/** Frees the loop and restores the signal mask (SIGINT and SIGTERM still pending are dropped:
 * the loop already reported them); does not close the link or the stack.
 * @param loop the loop */
void ltcp_loop_free(ltcp_loop *loop);

/** Watches fd for the readiness in interest. A regular file (which epoll refuses) is taken as
 * always ready: the loop then does not sleep while it is watched.
 * @param loop the loop
 * @param fd the descriptor (not owned)
 * @param interest LTCP_LOOP_IN, LTCP_LOOP_OUT, both, or 0 to stop watching
 * @return 0, or a negative error */
int ltcp_loop_watch(ltcp_loop *loop, int fd, uint32_t interest);

/** Runs turns until ltcp_loop_stop; then writes out the packets still queued.
 * @param loop the loop
 * @return the status given to ltcp_loop_stop */
int ltcp_loop_run(ltcp_loop *loop);
/** As if signo had arrived at the loop: its signal hook (or the stop) runs in the loop's own
 * turn. The one loop function that may be called from another thread, or from a signal
 * handler; for the loops of several threads, one of which takes the signals.
 * @param loop the loop
 * @param signo SIGINT or SIGTERM
 * @return 0, or a negative error (LTCP_EINVAL for another signal) */
int ltcp_loop_raise(ltcp_loop *loop, int signo);
/** Ends ltcp_loop_run after the current turn.
 * @param loop the loop
 * @param status what ltcp_loop_run returns */
void ltcp_loop_stop(ltcp_loop *loop, int status);

/** CLOCK_MONOTONIC in nanoseconds: the stack's clock.
 * @param loop the loop
 * @return the time now */
ltcp_time_ns ltcp_loop_now(const ltcp_loop *loop);
/** The time the loop started, on the same clock.
 * @param loop the loop
 * @return that time */
ltcp_time_ns ltcp_loop_start_time(const ltcp_loop *loop);
/** Makes the loop run a turn (and the step hook) at time t at the latest; the earliest request
 * wins and is forgotten once reached.
 * @param loop the loop
 * @param t a time on the loop's clock (ltcp_loop_now) */
void ltcp_loop_wake_at(ltcp_loop *loop, ltcp_time_ns t);

/** A loop's counters since it was made. */
typedef struct ltcp_loop_stats {
  uint64_t packets_in;   /**< packets read from the link */
  uint64_t packets_out;  /**< packets written to it */
  uint64_t bytes_in;     /**< their bytes */
  uint64_t bytes_out;    /**< their bytes */
  uint64_t write_errors; /**< packets the link refused (lost, as on a wire) */
  uint64_t large_in;     /**< packets read that stood for several segments (TUN offloads, GRO);
                          * counted when neither a capture nor an input injector is on */
  uint64_t large_out;    /**< packets written for the kernel to cut into segments (TSO/GSO) */
  uint64_t turns;        /**< turns of the loop */
  uint64_t polls;        /**< busy-poll rounds that found nothing ready (busy_poll_ns) */
  uint64_t io_uring;     /**< 1: the device's packets go through io_uring; 0: read/write */
  uint64_t io_fallback_errno; /**< why io_uring is not used under LTCP_LOOP_IO_AUTO: the errno
                          * the kernel refused it with (ENOSYS, EPERM, EINVAL), ENOSYS when the
                          * library has no liburing, EOPNOTSUPP with offloads; 0 when it runs
                          * or read/write was asked for */
  uint64_t io_syscalls;  /**< system calls that moved packets: each read and write (those that
                          * found nothing included), or each io_uring_enter */
} ltcp_loop_stats;
/** The loop's counters.
 * @param loop the loop
 * @return them, valid as long as the loop */
const ltcp_loop_stats *ltcp_loop_get_stats(const ltcp_loop *loop);

/** Why the loop stopped with status 1 by itself: a read from the device failed (the device was
 * deleted, say).
 * @param loop the loop
 * @return that read's errno, or 0 when none failed */
int ltcp_loop_link_error(const ltcp_loop *loop);

/** 64 random bits from the kernel (getrandom), for ltcp_stack_config.seed: on a real network the
 * ISN key must not be guessable.
 * @return the bits */
uint64_t ltcp_loop_random_seed(void);

#ifdef __cplusplus
}
#endif
#endif
