/* Names and messages for the public enums: errors, states, flags, drops, calls, timers. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lucidtcp/common.h"
#include "lucidtcp/event.h"
#include "lucidtcp/stats.h"

#define NAMES_UNKNOWN "?"

typedef struct names_error {
  int errnum;
  const char *name;
  const char *text;
} names_error;

static const names_error names_errors[] = {
#define NAMES_ERROR_ROW(name, errnum, text) {errnum, "E" #name, text},
    LTCP_ERRORS(NAMES_ERROR_ROW)
#undef NAMES_ERROR_ROW
};

#define NAMES_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Accepts -errnum (an LTCP_E* code) or errnum; never negates err, so INT_MIN is safe. */
static const names_error *names_error_find(int err) {
  for (size_t i = 0; i < NAMES_COUNT(names_errors); i++) {
    int e = names_errors[i].errnum;
    if (err == e || err == -e) return &names_errors[i];
  }
  return NULL;
}

const char *ltcp_strerror(int err) {
  if (err == 0) return "success";
  const names_error *row = names_error_find(err);
  return row ? row->text : "unknown error";
}

const char *ltcp_errname(int err) {
  if (err == 0) return "OK";
  const names_error *row = names_error_find(err);
  return row ? row->name : NAMES_UNKNOWN;
}

/* Writes v (0..255) in decimal at p; returns the position after it. */
static char *names_put_octet(char *p, uint32_t v) {
  if (v >= 100) *p++ = (char)('0' + v / 100);
  if (v >= 10) *p++ = (char)('0' + v / 10 % 10);
  *p++ = (char)('0' + v % 10);
  return p;
}

char *ltcp_ipv4_format(uint32_t addr, char *buf) {
  char *p = buf;
  for (int shift = 24; shift >= 0; shift -= 8) {
    p = names_put_octet(p, (addr >> shift) & 0xff);
    if (shift > 0) *p++ = '.';
  }
  *p = '\0';
  return buf;
}

/* Reads one octet: 1 to 3 digits, no leading zero, at most 255. Returns the end or NULL. */
static const char *names_parse_octet(const char *p, uint32_t *octet) {
  uint32_t v = 0;
  int digits = 0;
  while (*p >= '0' && *p <= '9' && digits < 4) {
    v = v * 10 + (uint32_t)(*p - '0');
    digits++;
    p++;
  }
  if (digits == 0 || digits > 3 || v > 255) return NULL;
  if (digits > 1 && v < (digits == 2 ? 10u : 100u)) return NULL; /* leading zero: octal? */
  *octet = v;
  return p;
}

int ltcp_ipv4_parse_text(const char *text, uint32_t *addr) {
  if (text == NULL || addr == NULL) return LTCP_EINVAL;
  uint32_t result = 0;
  const char *p = text;
  for (int i = 0; i < 4; i++) {
    uint32_t octet;
    p = names_parse_octet(p, &octet);
    if (p == NULL) return LTCP_EINVAL;
    result = (result << 8) | octet;
    if (i < 3 && *p++ != '.') return LTCP_EINVAL;
  }
  if (*p != '\0') return LTCP_EINVAL;
  *addr = result;
  return 0;
}

/* RFC 9293 §3.3.2 spellings. */
static const char *const names_states[LTCP_STATE_COUNT] = {
    [LTCP_CLOSED] = "CLOSED",
    [LTCP_LISTEN] = "LISTEN",
    [LTCP_SYN_SENT] = "SYN-SENT",
    [LTCP_SYN_RECEIVED] = "SYN-RECEIVED",
    [LTCP_ESTABLISHED] = "ESTABLISHED",
    [LTCP_FIN_WAIT_1] = "FIN-WAIT-1",
    [LTCP_FIN_WAIT_2] = "FIN-WAIT-2",
    [LTCP_CLOSE_WAIT] = "CLOSE-WAIT",
    [LTCP_CLOSING] = "CLOSING",
    [LTCP_LAST_ACK] = "LAST-ACK",
    [LTCP_TIME_WAIT] = "TIME-WAIT",
};

/* Enums may hold any int; compare as unsigned so negative values are out of range too. */
static const char *names_lookup(const char *const *table, size_t count, unsigned value) {
  if (value >= count || table[value] == NULL) return NAMES_UNKNOWN;
  return table[value];
}

const char *ltcp_state_name(ltcp_state state) {
  return names_lookup(names_states, NAMES_COUNT(names_states), (unsigned)state);
}

char *ltcp_flags_format(uint8_t flags, char *buf) {
  /* tcpdump's order; ACK is the trailing '.'. */
  static const struct {
    uint8_t bit;
    char letter;
  } letters[] = {{LTCP_FIN, 'F'}, {LTCP_SYN, 'S'}, {LTCP_RST, 'R'}, {LTCP_PSH, 'P'},
                 {LTCP_URG, 'U'}, {LTCP_ECE, 'E'}, {LTCP_CWR, 'W'}, {LTCP_ACK, '.'}};
  char *p = buf;
  for (size_t i = 0; i < NAMES_COUNT(letters); i++) {
    if (flags & letters[i].bit) *p++ = letters[i].letter;
  }
  *p = '\0';
  if (p == buf) memcpy(buf, "none", sizeof "none");
  return buf;
}

static const char *const names_drop_texts[LTCP_DROP_COUNT] = {
#define NAMES_DROP_TEXT(name, text) text,
    LTCP_DROP_REASONS(NAMES_DROP_TEXT)
#undef NAMES_DROP_TEXT
};

static const char *const names_drop_names[LTCP_DROP_COUNT] = {
#define NAMES_DROP_NAME(name, text) #name,
    LTCP_DROP_REASONS(NAMES_DROP_NAME)
#undef NAMES_DROP_NAME
};

const char *ltcp_drop_text(ltcp_drop_reason reason) {
  return names_lookup(names_drop_texts, NAMES_COUNT(names_drop_texts), (unsigned)reason);
}

const char *ltcp_drop_name(ltcp_drop_reason reason) {
  return names_lookup(names_drop_names, NAMES_COUNT(names_drop_names), (unsigned)reason);
}

/* RFC 9293 §3.9.1 user calls, named by the socket calls that issue them. */
static const char *const names_calls[LTCP_CALL_COUNT] = {
    [LTCP_CALL_OPEN_ACTIVE] = "connect", [LTCP_CALL_OPEN_PASSIVE] = "listen",
    [LTCP_CALL_SEND] = "send",           [LTCP_CALL_RECEIVE] = "recv",
    [LTCP_CALL_CLOSE] = "close",         [LTCP_CALL_ABORT] = "abort",
};

static const char *const names_timers[LTCP_TIMER_COUNT] = {
    [LTCP_TIMER_RETRANSMIT] = "retransmit",
    [LTCP_TIMER_TIME_WAIT] = "time-wait",
    [LTCP_TIMER_USER_TIMEOUT] = "user-timeout",
    [LTCP_TIMER_FIN_WAIT_2] = "fin-wait-2",
    [LTCP_TIMER_KEEPALIVE] = "keep-alive",
};

const char *ltcp_call_name(ltcp_call call) {
  return names_lookup(names_calls, NAMES_COUNT(names_calls), (unsigned)call);
}

const char *ltcp_timer_name(ltcp_timer timer) {
  return names_lookup(names_timers, NAMES_COUNT(names_timers), (unsigned)timer);
}
