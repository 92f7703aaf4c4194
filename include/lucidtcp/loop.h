/** @file
 * lucidtcp: a real-time event loop driving a stack over a TUN link (Linux: epoll, one timerfd on
 * CLOCK_MONOTONIC, signalfd for SIGINT and SIGTERM).
 *
 * Each turn: packets read from the link go to ltcp_stack_input; when the clock reaches
 * ltcp_stack_next_deadline the stack is advanced; the application's step hook services its
 * sockets; the packets the stack queued are written to the link; events go to the event hook;
 * then the loop sleeps until a descriptor is ready or the one timer fires, armed at the earliest
 * of the stack's deadline (O(1) to read, whatever the number of connections), the application's
 * wake-up time and the fault injector's next release. A driver (ltcp_link). */
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

typedef struct ltcp_loop ltcp_loop;

/** Readiness of a watched descriptor. */
#define LTCP_LOOP_IN 0x1u
#define LTCP_LOOP_OUT 0x2u
#define LTCP_LOOP_HUP 0x4u /**< hang-up or error: a read or write will tell which */

typedef struct ltcp_loop_hooks {
  /** After input and timers, every turn: service sockets (any socket call may be made). */
  void (*step)(void *ctx, ltcp_loop *loop);
  /** Each event the stack reported, in order (may be NULL). */
  void (*event)(void *ctx, ltcp_loop *loop, const ltcp_event *ev);
  /** A descriptor given to ltcp_loop_watch is ready (may be NULL). */
  void (*fd_ready)(void *ctx, ltcp_loop *loop, int fd, uint32_t ready);
  /** SIGINT or SIGTERM arrived (may be NULL: then the loop stops with 128 + signo). */
  void (*signal)(void *ctx, ltcp_loop *loop, int signo);
  void *ctx;
} ltcp_loop_hooks;

typedef struct ltcp_loop_config {
  ltcp_stack *st;                   /**< driven by the loop; not owned. Its tso_max may be set
                                     * only when tun has offloads and impair->out is off, its
                                     * csum_offload only when, besides, there is no pcap
                                     * (ltcp_loop_new fails with LTCP_EINVAL otherwise) */
  ltcp_tun *tun;                    /**< the link; not owned */
  ltcp_pcap *pcap;                  /**< NULL, or every packet in and out is written here */
  const ltcp_impair_config *impair; /**< NULL, or faults injected on the link's directions */
  ltcp_loop_hooks hooks;
  ltcp_time_ns busy_poll_ns;        /**< 0 (default): sleep in epoll_wait when nothing is ready.
                                     * Otherwise poll without sleeping for up to this long
                                     * before sleeping (as Linux's net.core.busy_poll): less
                                     * latency and no wake-ups, for a core's worth of CPU */
} ltcp_loop_config;

/** Creates a loop; blocks SIGINT and SIGTERM (delivered through the loop from now on) and ignores
 * SIGPIPE. Returns NULL with *err set to a negative error on failure. */
ltcp_loop *ltcp_loop_new(const ltcp_loop_config *cfg, int *err);
/** Frees the loop and restores the signal mask (SIGINT and SIGTERM still pending are dropped:
 * the loop already reported them); does not close the link or the stack. */
void ltcp_loop_free(ltcp_loop *loop);

/** Watches fd for the readiness in interest (LTCP_LOOP_IN, LTCP_LOOP_OUT); 0 stops watching.
 * A regular file (which epoll refuses) is taken as always ready: the loop then does not sleep
 * while it is watched. Returns 0 or a negative error. */
int ltcp_loop_watch(ltcp_loop *loop, int fd, uint32_t interest);

/** Runs turns until ltcp_loop_stop; then writes out the packets still queued and returns the
 * status given to ltcp_loop_stop. */
int ltcp_loop_run(ltcp_loop *loop);
/** Ends ltcp_loop_run after the current turn, which returns status. */
void ltcp_loop_stop(ltcp_loop *loop, int status);

/** CLOCK_MONOTONIC in nanoseconds: the stack's clock. */
ltcp_time_ns ltcp_loop_now(const ltcp_loop *loop);
/** The time the loop started, on the same clock. */
ltcp_time_ns ltcp_loop_start_time(const ltcp_loop *loop);
/** Makes the loop run a turn (and the step hook) at time t at the latest; the earliest request
 * wins and is forgotten once reached. */
void ltcp_loop_wake_at(ltcp_loop *loop, ltcp_time_ns t);

typedef struct ltcp_loop_stats {
  uint64_t packets_in, packets_out;
  uint64_t bytes_in, bytes_out;
  uint64_t write_errors; /**< packets the link refused (lost, as on a wire) */
  uint64_t large_in;     /**< packets read that stood for several segments (TUN offloads, GRO);
                          * counted when neither a capture nor an input injector is on */
  uint64_t large_out;    /**< packets written for the kernel to cut into segments (TSO/GSO) */
  uint64_t turns;
  uint64_t polls;        /**< busy-poll rounds that found nothing ready (busy_poll_ns) */
} ltcp_loop_stats;
const ltcp_loop_stats *ltcp_loop_get_stats(const ltcp_loop *loop);

/** The errno of a read from the device that failed (the device was deleted, say), which stopped
 * the loop with status 1; 0 when none did. */
int ltcp_loop_link_error(const ltcp_loop *loop);

/** 64 random bits from the kernel (getrandom), for ltcp_stack_config.seed: on a real network the
 * ISN key must not be guessable. */
uint64_t ltcp_loop_random_seed(void);

#ifdef __cplusplus
}
#endif
#endif
