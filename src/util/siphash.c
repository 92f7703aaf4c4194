#include "util/siphash.h"

#include <string.h>

#define SIP_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIP_ROUND(v0, v1, v2, v3)                                                          \
  do {                                                                                     \
    v0 += v1; v1 = SIP_ROTL(v1, 13); v1 ^= v0; v0 = SIP_ROTL(v0, 32);                      \
    v2 += v3; v3 = SIP_ROTL(v3, 16); v3 ^= v2;                                             \
    v0 += v3; v3 = SIP_ROTL(v3, 21); v3 ^= v0;                                             \
    v2 += v1; v1 = SIP_ROTL(v1, 17); v1 ^= v2; v2 = SIP_ROTL(v2, 32);                      \
  } while (0)

/* Eight bytes as a little-endian word: one load where the host is little-endian, the bytes
 * one by one elsewhere (right in any byte order). */
static uint64_t sip_load64_le(const uint8_t *p) {
  uint64_t v = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  memcpy(&v, p, 8);
#else
  for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
#endif
  return v;
}

uint64_t ltcp_siphash(const uint8_t key[16], const void *data, size_t len) {
  const uint8_t *in = data;
  uint64_t k0 = sip_load64_le(key), k1 = sip_load64_le(key + 8);
  uint64_t v0 = 0x736f6d6570736575ull ^ k0, v1 = 0x646f72616e646f6dull ^ k1;
  uint64_t v2 = 0x6c7967656e657261ull ^ k0, v3 = 0x7465646279746573ull ^ k1;
  size_t full = len - len % 8;
  for (size_t i = 0; i < full; i += 8) {
    uint64_t m = sip_load64_le(in + i);
    v3 ^= m;
    SIP_ROUND(v0, v1, v2, v3);
    SIP_ROUND(v0, v1, v2, v3);
    v0 ^= m;
  }
  uint8_t tail[8] = {0};
  memcpy(tail, in + full, len - full);
  uint64_t b = ((uint64_t)len << 56) | sip_load64_le(tail);
  v3 ^= b;
  SIP_ROUND(v0, v1, v2, v3);
  SIP_ROUND(v0, v1, v2, v3);
  v0 ^= b;
  v2 ^= 0xff;
  for (int i = 0; i < 4; i++) SIP_ROUND(v0, v1, v2, v3);
  return v0 ^ v1 ^ v2 ^ v3;
}
