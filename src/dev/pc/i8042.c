/* 8042 keyboard controller. References: IBM PC/AT Technical Reference (keyboard
 * controller commands, status register bits, command byte), IBM PS/2 Hardware Interface
 * Technical Reference (AUX commands; keyboard commands and responses). */
#include "dev/pc/i8042.h"

#include <string.h>

#include "dev/pc/isa_port.h"

#define STAT_OBF 0x01
#define STAT_SYS 0x04
#define STAT_CMD 0x08
#define STAT_UNLOCKED 0x10   /* keyboard inhibit switch: not inhibited */
#define STAT_AUXB 0x20
#define STAT_TIMEOUT 0x40

#define CTR_KBDINT 0x01
#define CTR_AUXINT 0x02
#define CTR_SYS 0x04
#define CTR_KBDDIS 0x10
#define CTR_AUXDIS 0x20
#define CTR_XLATE 0x40

#define OUT_RESET 0x01       /* system reset line, active low */
#define OUT_A20 0x02
#define OUT_OBF_KBD 0x10
#define OUT_OBF_AUX 0x20

static void update_irqs(i8042 *k)
{
    int kbd = 0, aux = 0;
    if (k->q_count) {
        if (k->q_flags[k->q_head] & STAT_AUXB)
            aux = (k->ctr & CTR_AUXINT) != 0;
        else
            kbd = (k->ctr & CTR_KBDINT) != 0;
    }
    if (kbd != k->irq1_level) {
        k->irq1_level = kbd;
        irq_set(&k->irq1, kbd);
    }
    if (aux != k->irq12_level) {
        k->irq12_level = aux;
        irq_set(&k->irq12, aux);
    }
}

/* A full queue drops the byte: the guest sees a missing response, as with a device
 * that overran the controller, never host memory corruption. */
static void push(i8042 *k, uint8_t data, uint8_t flags)
{
    if (k->q_count == I8042_QUEUE)
        return;
    unsigned tail = (k->q_head + k->q_count) % I8042_QUEUE;
    k->q_data[tail] = data;
    k->q_flags[tail] = flags;
    k->q_count++;
    update_irqs(k);
}

static void pulse_reset(i8042 *k)
{
    if (k->m)
        machine_request_reset(k->m);
}

static void write_outport(i8042 *k, uint8_t v)
{
    if (!(v & OUT_RESET))
        pulse_reset(k);
    if ((v ^ k->outport) & OUT_A20)
        irq_set(&k->a20, (v & OUT_A20) != 0);
    k->outport = (uint8_t)(v | OUT_RESET);   /* the reset pulse ends by itself */
}

/* A byte sent to the keyboard (port 0x60 with no controller command pending). */
static void keyboard_write(i8042 *k, uint8_t b)
{
    uint8_t cmd = k->kbd_pending;
    k->kbd_pending = 0;
    if (cmd) {
        push(k, 0xfa, 0);                 /* the argument is acknowledged */
        if (cmd == 0xf0) {
            if (b == 0)
                push(k, k->kbd_set, 0);   /* query the scan code set */
            else if (b <= 3)
                k->kbd_set = b;
        }
        return;
    }
    switch (b) {
    case 0xff:   /* reset: ACK, then the basic assurance test passed */
        k->kbd_set = 2;
        push(k, 0xfa, 0);
        push(k, 0xaa, 0);
        break;
    case 0xf2:   /* identify: MF2 keyboard, 0x83 arrives translated as 0x41 */
        push(k, 0xfa, 0);
        push(k, 0xab, 0);
        push(k, k->ctr & CTR_XLATE ? 0x41 : 0x83, 0);
        break;
    case 0xee:   /* echo */
        push(k, 0xee, 0);
        break;
    case 0xed:   /* set LEDs, set typematic rate, select scan code set: one argument */
    case 0xf3:
    case 0xf0:
        k->kbd_pending = b;
        push(k, 0xfa, 0);
        break;
    default:
        /* 0xF4-0xFE (enable, disable, defaults, set-3 modes, resend) are acknowledged;
         * anything else is not a keyboard command: "resend". */
        push(k, b >= 0xf4 ? 0xfa : 0xfe, 0);
        break;
    }
}

static void data_write(i8042 *k, uint8_t v)
{
    uint8_t cmd = k->pending;
    k->pending = 0;
    k->last_was_cmd = false;
    if (cmd == 0x60) {
        k->ctr = v;
        update_irqs(k);
    } else if (cmd > 0x60 && cmd <= 0x7f) {
        k->ram[cmd - 0x60] = v;
    } else if (cmd == 0xd1) {
        write_outport(k, v);
    } else if (cmd == 0xd2) {
        push(k, v, 0);                    /* as if the keyboard sent it */
    } else if (cmd == 0xd3) {
        push(k, v, STAT_AUXB);            /* AUX loop-back */
    } else if (cmd == 0xd4) {
        /* To the AUX device: nothing is attached, the transmission times out. */
        push(k, 0xfe, STAT_AUXB | STAT_TIMEOUT);
    } else {
        keyboard_write(k, v);
    }
}

static void command_write(i8042 *k, uint8_t c)
{
    k->last_was_cmd = true;
    k->pending = 0;
    if (c == 0x20) {
        push(k, k->ctr, 0);
    } else if (c > 0x20 && c <= 0x3f) {
        push(k, k->ram[c - 0x20], 0);
    } else if ((c >= 0x60 && c <= 0x7f) || (c >= 0xd1 && c <= 0xd4)) {
        k->pending = c;                   /* the data byte follows on port 0x60 */
    } else if (c >= 0xf0) {
        /* Pulse output port bits 0-3 low where the command's bit is 0: bit 0 is the
         * CPU reset line (0xFE is the classic reboot). */
        if (!(c & 1))
            pulse_reset(k);
    } else {
        switch (c) {
        case 0xa7: k->ctr |= CTR_AUXDIS; break;
        case 0xa8: k->ctr &= (uint8_t)~CTR_AUXDIS; break;
        case 0xa9: push(k, 0x00, 0); break;       /* AUX interface test: no error */
        case 0xaa:                                /* self-test passed; sets SYS */
            k->ctr |= CTR_SYS;
            push(k, 0x55, 0);
            break;
        case 0xab: push(k, 0x00, 0); break;       /* keyboard interface test */
        case 0xad: k->ctr |= CTR_KBDDIS; break;
        case 0xae: k->ctr &= (uint8_t)~CTR_KBDDIS; break;
        case 0xc0: push(k, 0x80, 0); break;       /* input port: keyboard not inhibited */
        case 0xd0: {                              /* read output port */
            uint8_t v = k->outport & (OUT_RESET | OUT_A20);
            if (k->q_count)
                v |= k->q_flags[k->q_head] & STAT_AUXB ? OUT_OBF_AUX : OUT_OBF_KBD;
            push(k, v, 0);
            break;
        }
        case 0xdd: write_outport(k, k->outport & (uint8_t)~OUT_A20); break;
        case 0xdf: write_outport(k, k->outport | OUT_A20); break;
        default: break;                           /* unknown commands are ignored */
        }
    }
    update_irqs(k);
}

static uint8_t status(const i8042 *k)
{
    uint8_t s = STAT_UNLOCKED;
    if (k->ctr & CTR_SYS)
        s |= STAT_SYS;
    if (k->last_was_cmd)
        s |= STAT_CMD;
    if (k->q_count)
        s |= STAT_OBF | k->q_flags[k->q_head];
    return s;   /* IBF is always clear: every write is consumed at once */
}

static uint8_t data_read(i8042 *k)
{
    if (k->q_count) {
        k->last_read = k->q_data[k->q_head];
        k->q_head = (k->q_head + 1) % I8042_QUEUE;
        k->q_count--;
        /* OBF drops with the read and rises again when the next byte is loaded: the
         * interrupt line pulses, so an edge-triggered IRQ1/IRQ12 sees every byte. */
        if (k->irq1_level) {
            k->irq1_level = 0;
            irq_set(&k->irq1, 0);
        }
        if (k->irq12_level) {
            k->irq12_level = 0;
            irq_set(&k->irq12, 0);
        }
        update_irqs(k);
    }
    return k->last_read;
}

static uint8_t data_read8(void *opaque, unsigned port)
{
    return data_read(opaque);
}

static void data_write8(void *opaque, unsigned port, uint8_t val)
{
    data_write(opaque, val);
}

static uint8_t cmd_read8(void *opaque, unsigned port)
{
    return status(opaque);
}

static void cmd_write8(void *opaque, unsigned port, uint8_t val)
{
    command_write(opaque, val);
}

static bool data_read_op(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    isa_port_read(opaque, off, size, val, 1, data_read8);
    return true;
}

static bool data_write_op(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    isa_port_write(opaque, off, size, val, 1, data_write8);
    return true;
}

static bool cmd_read_op(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    isa_port_read(opaque, off, size, val, 1, cmd_read8);
    return true;
}

static bool cmd_write_op(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    isa_port_write(opaque, off, size, val, 1, cmd_write8);
    return true;
}

const mmio_ops i8042_data_ops = { .read = data_read_op, .write = data_write_op };
const mmio_ops i8042_cmd_ops = { .read = cmd_read_op, .write = cmd_write_op };

void i8042_reset(i8042 *k)
{
    machine *m = k->m;
    irq_line irq1 = k->irq1, irq12 = k->irq12, a20 = k->a20;
    memset(k, 0, sizeof *k);
    k->m = m;
    k->irq1 = irq1;
    k->irq12 = irq12;
    k->a20 = a20;
    /* As firmware leaves it: both interrupts on, translation on, A20 enabled. */
    k->ctr = CTR_KBDINT | CTR_AUXINT | CTR_SYS | CTR_XLATE;
    k->outport = OUT_RESET | OUT_A20;
    k->kbd_set = 2;
    irq_set(&k->irq1, 0);
    irq_set(&k->irq12, 0);
    irq_set(&k->a20, 1);
}

void i8042_init(i8042 *k, machine *m, irq_line irq1, irq_line irq12, irq_line a20)
{
    memset(k, 0, sizeof *k);
    k->m = m;
    k->irq1 = irq1;
    k->irq12 = irq12;
    k->a20 = a20;
    i8042_reset(k);
}
