/* A 128-bit SSE register (also holds a 64-bit MMX register in its low half). The lanes
 * are little-endian host arrays: u8[0] is the register's least significant byte, as in
 * the guest's memory image (SDM Vol.1 §10.2.2), so a register loads and stores with a
 * plain memcpy. Float lanes are raw bit patterns (u32/u64): host floats never hold
 * guest values. */
#ifndef VM_X86_XMM_H
#define VM_X86_XMM_H

#include <stdint.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "x86_xmm lane layout assumes a little-endian host"
#endif

typedef union x86_xmm {
    uint8_t u8[16];
    int8_t i8[16];
    uint16_t u16[8];
    int16_t i16[8];
    uint32_t u32[4];
    int32_t i32[4];
    uint64_t u64[2];
    int64_t i64[2];
} x86_xmm;

#endif
