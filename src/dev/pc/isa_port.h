/* x86 IN/OUT of 2 or 4 bytes to an ISA device address consecutive byte ports (the ISA
 * bus has an 8-bit data path for these chips, so the chipset splits the cycle): the PC
 * device models implement byte registers and let these helpers split wider accesses. */
#ifndef VM_DEV_PC_ISA_PORT_H
#define VM_DEV_PC_ISA_PORT_H

#include "core/types.h"

typedef uint8_t (*isa_port_read8)(void *opaque, unsigned port);
typedef void (*isa_port_write8)(void *opaque, unsigned port, uint8_t val);

/* Ports at or past `nports` read 0xff (nothing drives the bus) and ignore writes. */
static inline void isa_port_read(void *opaque, uint64_t off, unsigned size, uint64_t *val,
                                 unsigned nports, isa_port_read8 rd)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size && i < 8; i++) {
        uint64_t p = off + i;
        uint8_t b = p < nports ? rd(opaque, (unsigned)p) : 0xff;
        v |= (uint64_t)b << (8 * i);
    }
    *val = v;
}

static inline void isa_port_write(void *opaque, uint64_t off, unsigned size, uint64_t val,
                                  unsigned nports, isa_port_write8 wr)
{
    for (unsigned i = 0; i < size && i < 8; i++) {
        uint64_t p = off + i;
        if (p < nports)
            wr(opaque, (unsigned)p, (uint8_t)(val >> (8 * i)));
    }
}

#endif
