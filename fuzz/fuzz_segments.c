/* fuzz_segments: structure-aware sequences aimed at one established connection (issue 14's
 * "sequences of segments following the connection's state").
 *
 * The setup is fuzz_packet's (fuzz_conn.h): a listener and one accepted connection with 3000
 * bytes in flight. The input is a list of operations, one byte of kind then its arguments:
 *   0-2 a segment from the peer: flags, seq offset (int16, from the peer's next sequence number),
 *       ack offset (int16, from the highest sequence number the stack has sent), length, window
 *       (byte << 8 | 0xff), option bits (1: timestamps, 2: a SACK block below snd_max,
 *       0x80: length x 16). In-order data and FIN move the peer's next sequence number on.
 *   3   time moves on: b ms, or (b & 0x7f) s when b & 0x80; timers run.
 *   4   the application sends b * 64 bytes.
 *   5   the application reads up to b * 64 bytes (0: all it can).
 *   6   the application calls shutdown(WR), shutdown(RD), close or abort (b % 4).
 *   7   the peer acknowledges everything, in order, with timestamps.
 * After each operation the output queue and the events are drained. At most 256 operations. */
#include <string.h>

#include "fuzz.h"
#include "fuzz_conn.h"
#include "lucidtcp/wire/bytes.h"

typedef struct fs_input {
  const uint8_t *p, *end;
} fs_input;

static uint8_t fs_u8(fs_input *in) { return in->p < in->end ? *in->p++ : 0; }
static uint16_t fs_u16(fs_input *in) { return (uint16_t)(fs_u8(in) << 8 | fs_u8(in)); }

static void fs_segment(fc_conn *c, fs_input *in) {
  static const uint8_t payload[255 * 16];
  uint8_t flags = fs_u8(in);
  int16_t seq_off = (int16_t)fs_u16(in), ack_off = (int16_t)fs_u16(in);
  size_t len = fs_u8(in);
  uint16_t wnd = (uint16_t)(fs_u8(in) << 8 | 0xff);
  uint8_t opt = fs_u8(in);
  if (opt & 0x80) len *= 16;
  uint32_t seq = c->peer_nxt + (uint32_t)(int32_t)seq_off;
  uint32_t ack = c->snd_max + (uint32_t)(int32_t)ack_off;
  ltcp_tcp_options o = {0};
  if (opt & 1) {
    o.has_timestamps = 1;
    o.ts_val = (uint32_t)(c->now / FC_MS);
  }
  if (opt & 2) {
    o.sack_count = 1;
    o.sack[0].left = c->snd_max - 1448;
    o.sack[0].right = c->snd_max;
  }
  fc_send_peer(c, flags, seq, ack, wnd, &o, payload, len);
  if (seq == c->peer_nxt && !(flags & (LTCP_SYN | LTCP_RST)))
    c->peer_nxt += (uint32_t)len + ((flags & LTCP_FIN) ? 1u : 0u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fs_input in = {data, data + size};
  fc_conn c;
  if (fc_setup(&c, 1) == 0) {
    static uint8_t buf[255 * 64];
    for (int n = 0; n < 256 && in.p < in.end; n++) {
      uint8_t kind = fs_u8(&in) % 8;
      uint8_t b = kind <= 2 ? 0 : kind == 7 ? 0 : fs_u8(&in);
      switch (kind) {
        case 3:
          c.now += (b & 0x80) ? (ltcp_time_ns)(b & 0x7f) * 1000 * FC_MS : (ltcp_time_ns)b * FC_MS;
          ltcp_stack_advance(c.st, c.now);
          break;
        case 4: (void)ltcp_send(c.st, c.fd, buf, (size_t)b * 64, 0); break;
        case 5: {
          size_t want = b ? (size_t)b * 64 : sizeof buf;
          for (int k = 0; k < 64 && want > 0; k++) {
            ssize_t got = ltcp_recv(c.st, c.fd, buf, want, 0);
            if (got <= 0) break;
            want -= (size_t)got;
          }
          break;
        }
        case 6:
          if (b % 4 == 0) (void)ltcp_shutdown(c.st, c.fd, LTCP_SHUT_WR);
          else if (b % 4 == 1) (void)ltcp_shutdown(c.st, c.fd, LTCP_SHUT_RD);
          else if (b % 4 == 2) (void)ltcp_close(c.st, c.fd);
          else (void)ltcp_abort(c.st, c.fd);
          break;
        case 7: {
          ltcp_tcp_options o = {.has_timestamps = 1, .ts_val = (uint32_t)(c.now / FC_MS)};
          fc_send_peer(&c, LTCP_ACK, c.peer_nxt, c.snd_max, 65535, &o, NULL, 0);
          break;
        }
        default: fs_segment(&c, &in); break;
      }
      fc_drain(&c);
    }
    c.now += 1000 * FC_MS;
    ltcp_stack_advance(c.st, c.now);
    fc_drain(&c);
  }
  ltcp_stack_free(c.st);
  return 0;
}
