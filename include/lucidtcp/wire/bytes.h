/** @file
 * Big-endian loads and stores on byte buffers (no alignment assumed). */
#ifndef LUCIDTCP_WIRE_BYTES_H
#define LUCIDTCP_WIRE_BYTES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The 16-bit big-endian value at p.
 * @param p two bytes
 * @return the value */
static inline uint16_t ltcp_get16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
/** The 32-bit big-endian value at p.
 * @param p four bytes
 * @return the value */
static inline uint32_t ltcp_get32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
/** Stores v big-endian at p.
 * @param p two bytes
 * @param v the value */
static inline void ltcp_put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}
/** Stores v big-endian at p.
 * @param p four bytes
 * @param v the value */
static inline void ltcp_put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

#ifdef __cplusplus
}
#endif
#endif
