/** @file
 * lucidtcp: types shared by every public header: time, errors, addresses, TCP states. */
#ifndef LUCIDTCP_COMMON_H
#define LUCIDTCP_COMMON_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Time: nanoseconds on a clock the caller chooses (the engine never reads one). */
typedef uint64_t ltcp_time_ns;
/** A time that never comes: no deadline. */
#define LTCP_TIME_NEVER UINT64_MAX
/** x microseconds as an ltcp_time_ns. */
#define LTCP_US(x) ((ltcp_time_ns)(x) * 1000ull)
/** x milliseconds as an ltcp_time_ns. */
#define LTCP_MS(x) ((ltcp_time_ns)(x) * 1000000ull)
/** x seconds as an ltcp_time_ns. */
#define LTCP_SEC(x) ((ltcp_time_ns)(x) * 1000000000ull)

/** Errors: one table. Every value is a negated errno, so the socket layer hands the positive
 * value to the user unchanged and ltcp_strerror() names it. 0 is success. */
#define LTCP_ERRORS(X)                                                       \
  X(AGAIN, EAGAIN, "operation would block")                                  \
  X(INPROGRESS, EINPROGRESS, "connection in progress")                       \
  X(ALREADY, EALREADY, "operation already in progress")                      \
  X(ISCONN, EISCONN, "socket is already connected")                          \
  X(NOTCONN, ENOTCONN, "socket is not connected")                            \
  X(CONNREFUSED, ECONNREFUSED, "connection refused")                         \
  X(CONNRESET, ECONNRESET, "connection reset by peer")                       \
  X(CONNABORTED, ECONNABORTED, "connection aborted")                         \
  X(TIMEDOUT, ETIMEDOUT, "connection timed out")                             \
  X(PIPE, EPIPE, "broken pipe: the sending direction is closed")             \
  X(ADDRINUSE, EADDRINUSE, "address already in use")                         \
  X(ADDRNOTAVAIL, EADDRNOTAVAIL, "address not available")                    \
  X(INVAL, EINVAL, "invalid argument")                                       \
  X(BADF, EBADF, "bad socket descriptor")                                    \
  X(MFILE, EMFILE, "too many open sockets")                                  \
  X(NOMEM, ENOMEM, "out of memory")                                          \
  X(NOBUFS, ENOBUFS, "no buffer space available")                            \
  X(OPNOTSUPP, EOPNOTSUPP, "operation not supported")                        \
  X(NOPROTOOPT, ENOPROTOOPT, "protocol option not available")                \
  X(HOSTUNREACH, EHOSTUNREACH, "no route to host")                           \
  X(NETUNREACH, ENETUNREACH, "network is unreachable")                       \
  X(MSGSIZE, EMSGSIZE, "message too long")                                   \
  X(IO, EIO, "input/output error")                                          \
  X(EXIST, EEXIST, "already exists")                                         \
  X(SRCH, ESRCH, "no such entry")                                            \
  X(CANCELED, ECANCELED, "operation canceled")

/** The error codes: LTCP_OK, and LTCP_EAGAIN ... LTCP_ESRCH from LTCP_ERRORS. */
enum ltcp_error {
  LTCP_OK = 0, /**< success */
/** @cond */
#define LTCP_ERROR_ENUM(name, errnum, text) LTCP_E##name = -(errnum),
/** @endcond */
  LTCP_ERRORS(LTCP_ERROR_ENUM)
#undef LTCP_ERROR_ENUM
};

/** The message for an error code (negative) or errno value (positive).
 * @param err an LTCP_E* code or an errno value
 * @return a static string, never NULL */
const char *ltcp_strerror(int err);
/** The symbolic name ("ECONNRESET") for an error code or errno value.
 * @param err an LTCP_E* code or an errno value
 * @return a static string, never NULL */
const char *ltcp_errname(int err);

/** Releases a buffer lent to the stack by ltcp_send_zc (lucidtcp/socket.h), once, when the
 * stack no longer reads it. It runs inside a stack call and must not call the stack: free or
 * recycle the buffer, note the status, and act on it after the call returns.
 * @param ctx the ctx given with the buffer
 * @param buf the buffer, as given
 * @param len its length, as given
 * @param status 0 when every byte was acknowledged by the peer; otherwise why the connection
 *   ended first (ECONNRESET, ETIMEDOUT, ECONNREFUSED, ECONNABORTED after ltcp_abort, or
 *   ECANCELED when the stack was freed) */
typedef void (*ltcp_zc_release_fn)(void *ctx, const void *buf, size_t len, int status);

/** Address families of an ltcp_endpoint. The zero value is IPv4, so an endpoint written as
 * `{.addr = LTCP_IPV4(198, 18, 0, 1), .port = 80}` (or positionally) is IPv4 as before. */
#define LTCP_AF_INET 0
/** IPv6 (RFC 8200): the address is in ltcp_endpoint.addr6. */
#define LTCP_AF_INET6 6

/** An endpoint of either family: an IPv4 address in addr (host byte order), or, with family
 * LTCP_AF_INET6, an IPv6 address in addr6 (network byte order, as written). */
typedef struct ltcp_endpoint {
  uint32_t addr;     /**< IPv4 address, host byte order (family LTCP_AF_INET) */
  uint16_t port;     /**< TCP port, host byte order */
  uint8_t family;    /**< LTCP_AF_INET (0) or LTCP_AF_INET6 */
  uint8_t addr6[16]; /**< IPv6 address, network byte order (family LTCP_AF_INET6) */
} ltcp_endpoint;

/** Longest text of ltcp_addr_format (an IPv6 address with an embedded IPv4 one), with its NUL. */
#define LTCP_ADDR_STRLEN 46
/** Longest text of ltcp_endpoint_format ("[v6]:65535"), with its NUL. */
#define LTCP_ENDPOINT_STRLEN 54

/** Parses an address of either family: "a.b.c.d" (family LTCP_AF_INET, addr) or an IPv6
 * address in RFC 4291 §2.2 text ("2001:db8::1", family LTCP_AF_INET6, addr6). The port is left
 * as it was.
 * @param text the address (no brackets, no port)
 * @param ep receives the family and the address
 * @return 0, or LTCP_EINVAL (ep unchanged) */
int ltcp_addr_parse(const char *text, ltcp_endpoint *ep);
/** Writes ep's address, without its port: "a.b.c.d", or IPv6 in RFC 5952 form.
 * @param ep an endpoint
 * @param buf at least LTCP_ADDR_STRLEN bytes
 * @return buf */
char *ltcp_addr_format(const ltcp_endpoint *ep, char *buf);
/** Writes ep as "a.b.c.d:port" or "[v6]:port" (RFC 5952 §6).
 * @param ep an endpoint
 * @param buf at least LTCP_ENDPOINT_STRLEN bytes
 * @return buf */
char *ltcp_endpoint_format(const ltcp_endpoint *ep, char *buf);
/** Parses "a.b.c.d:port" or "[v6]:port" (a port from 0 to 65535).
 * @param text the endpoint
 * @param ep receives it
 * @return 0, or LTCP_EINVAL (ep unchanged) */
int ltcp_endpoint_parse(const char *text, ltcp_endpoint *ep);
/** Whether a and b are the same endpoint (family, address and port; addr6 of an IPv4 endpoint
 * and addr of an IPv6 one are not compared).
 * @param a an endpoint
 * @param b another
 * @return 1 or 0 */
int ltcp_endpoint_equal(const ltcp_endpoint *a, const ltcp_endpoint *b);

/** The IPv4 address a.b.c.d, in host byte order. */
#define LTCP_IPV4(a, b, c, d) \
  (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

/** Writes "a.b.c.d" (no port) into buf.
 * @param addr an IPv4 address in host byte order
 * @param buf at least 16 bytes
 * @return buf */
char *ltcp_ipv4_format(uint32_t addr, char *buf);
/** Parses "a.b.c.d".
 * @param text the address
 * @param addr receives it, in host byte order
 * @return 0, or LTCP_EINVAL */
int ltcp_ipv4_parse_text(const char *text, uint32_t *addr);

/** RFC 9293 §3.3.2: the eleven connection states. */
typedef enum ltcp_state {
  LTCP_CLOSED = 0,
  LTCP_LISTEN,
  LTCP_SYN_SENT,
  LTCP_SYN_RECEIVED,
  LTCP_ESTABLISHED,
  LTCP_FIN_WAIT_1,
  LTCP_FIN_WAIT_2,
  LTCP_CLOSE_WAIT,
  LTCP_CLOSING,
  LTCP_LAST_ACK,
  LTCP_TIME_WAIT,
  LTCP_STATE_COUNT
} ltcp_state;

/** "SYN-RECEIVED", as RFC 9293 spells them.
 * @param state a state
 * @return a static string, never NULL ("?" for a value out of range) */
const char *ltcp_state_name(ltcp_state state);

/** What moves a connection along an arc of RFC 9293's state diagram (§3.3.2, Figure 5):
 * a user call, a segment received, or a timer. */
typedef enum ltcp_stimulus {
  LTCP_STIM_OPEN_ACTIVE,     /**< OPEN, active: snd SYN */
  LTCP_STIM_OPEN_PASSIVE,    /**< OPEN, passive (LISTEN) */
  LTCP_STIM_CLOSE,           /**< CLOSE: snd FIN (or delete a LISTEN / SYN-SENT TCB) */
  LTCP_STIM_ABORT,           /**< ABORT: snd RST, delete the TCB */
  LTCP_STIM_RCV_SYN,         /**< rcv SYN (a listener's, or a simultaneous open) */
  LTCP_STIM_RCV_SYN_ACK,     /**< rcv SYN,ACK acknowledging our SYN, in SYN-SENT */
  LTCP_STIM_RCV_ACK_OF_SYN,  /**< rcv ACK of our SYN, in SYN-RECEIVED */
  LTCP_STIM_RCV_FIN,         /**< rcv FIN */
  LTCP_STIM_RCV_ACK_OF_FIN,  /**< rcv ACK of our FIN */
  LTCP_STIM_RCV_RST,         /**< rcv an acceptable RST (SYN-RECEIVED from LISTEN goes back) */
  LTCP_STIM_RCV_RST_PASSIVE, /**< the same, for a connection that came from LISTEN */
  LTCP_STIM_TIMEOUT,         /**< 2 MSL in TIME-WAIT, or the user / retransmission timeout */
  LTCP_STIM_COUNT            /**< how many there are */
} ltcp_stimulus;

/** The state diagram as data: the state a connection in from enters on stimulus s, or from
 * itself when no arc of Figure 5 leaves from on s. The engine checks every transition it makes
 * against this table (an assertion in src/tcp/life.c), and `lucidtcp analyze` infers the
 * states of both ends of a captured connection with it.
 * @param from the current state
 * @param s what happened
 * @return the next state */
ltcp_state ltcp_state_next(ltcp_state from, ltcp_stimulus s);

/** Whether some stimulus takes a connection from one state to another.
 * @param from the old state
 * @param to the new state
 * @return 1 if the table has an arc from -> to, else 0 */
int ltcp_state_arc(ltcp_state from, ltcp_state to);

/** "rcv FIN", "CLOSE", ... as in RFC 9293's Figure 5.
 * @param s a stimulus
 * @return a static string, never NULL ("?" for a value out of range) */
const char *ltcp_stimulus_name(ltcp_stimulus s);

/** TCP header flags (RFC 9293 §3.1, RFC 3168). */
enum {
  LTCP_FIN = 0x01,
  LTCP_SYN = 0x02,
  LTCP_RST = 0x04,
  LTCP_PSH = 0x08,
  LTCP_ACK = 0x10,
  LTCP_URG = 0x20,
  LTCP_ECE = 0x40,
  LTCP_CWR = 0x80
};

/** Writes flags as in tcpdump ("S.", "FP.", "R") into buf.
 * @param flags LTCP_FIN, LTCP_SYN, ... or-ed together
 * @param buf at least 9 bytes
 * @return buf */
char *ltcp_flags_format(uint8_t flags, char *buf);

#ifdef __cplusplus
}
#endif
#endif
