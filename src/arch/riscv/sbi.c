/* The built-in SBI for --bios none (RISC-V SBI specification v2.0): the kernel's ecalls
 * from S-mode are answered here instead of by M-mode firmware. Extensions: BASE, TIME,
 * IPI, RFENCE, HSM, SRST, DBCN and the legacy console/timer/shutdown calls. */
#include "arch/riscv/virt_board.h"

#define SBI_SUCCESS 0
#define SBI_ERR_FAILED -1
#define SBI_ERR_NOT_SUPPORTED -2
#define SBI_ERR_INVALID_PARAM -3
#define SBI_ERR_ALREADY_AVAILABLE -6

#define EXT_LEGACY_SET_TIMER 0x00
#define EXT_LEGACY_PUTCHAR 0x01
#define EXT_LEGACY_GETCHAR 0x02
#define EXT_LEGACY_SHUTDOWN 0x08
#define EXT_BASE 0x10
#define EXT_TIME 0x54494D45
#define EXT_IPI 0x735049
#define EXT_RFENCE 0x52464E43
#define EXT_HSM 0x48534D
#define EXT_SRST 0x53525354
#define EXT_DBCN 0x4442434E

#define SBI_SPEC_VERSION ((2u << 24) | 0) /* v2.0 */
#define SBI_IMPL_ID 0x766d                /* not a registered id: "vm" */
#define SBI_IMPL_VERSION 1

static bool extension_present(uint64_t ext)
{
    switch (ext) {
    case EXT_BASE: case EXT_TIME: case EXT_IPI: case EXT_RFENCE: case EXT_HSM:
    case EXT_SRST: case EXT_DBCN: case EXT_LEGACY_SET_TIMER: case EXT_LEGACY_PUTCHAR:
    case EXT_LEGACY_GETCHAR: case EXT_LEGACY_SHUTDOWN:
        return true;
    default:
        return false;
    }
}

static void set_timer(rv_cpu *cpu, uint64_t when)
{
    /* Our timer for S-mode is stimecmp (Sstc): programming it through the SBI has the
     * same effect and clears a pending STIP when `when` lies in the future. */
    cpu->stimecmp = when;
    cpu->irq_check = true;
}

static void ret(rv_cpu *cpu, int64_t error, uint64_t value)
{
    cpu->x[10] = (uint64_t)error;
    cpu->x[11] = value;
}

bool riscv_sbi_call(rv_cpu *cpu)
{
    riscv_virt *v = cpu->sbi_opaque;
    machine *m = v->m;
    uint64_t ext = cpu->x[17], fid = cpu->x[16];
    uint64_t a0 = cpu->x[10], a1 = cpu->x[11];
    switch (ext) {
    case EXT_LEGACY_SET_TIMER:
        set_timer(cpu, a0);
        cpu->x[10] = 0;
        return true;
    case EXT_LEGACY_PUTCHAR:
        console_putc(&m->con, (uint8_t)a0);
        cpu->x[10] = 0;
        return true;
    case EXT_LEGACY_GETCHAR: {
        console_poll(&m->con);
        int ch = console_getc(&m->con);
        cpu->x[10] = (uint64_t)(int64_t)ch;
        return true;
    }
    case EXT_LEGACY_SHUTDOWN:
        machine_request_exit(m, 0);
        return true;
    case EXT_BASE:
        switch (fid) {
        case 0: ret(cpu, SBI_SUCCESS, SBI_SPEC_VERSION); return true;
        case 1: ret(cpu, SBI_SUCCESS, SBI_IMPL_ID); return true;
        case 2: ret(cpu, SBI_SUCCESS, SBI_IMPL_VERSION); return true;
        case 3: ret(cpu, SBI_SUCCESS, extension_present(a0)); return true;
        case 4: case 5: case 6: ret(cpu, SBI_SUCCESS, 0); return true; /* mvendorid... */
        default: break;
        }
        break;
    case EXT_TIME:
        if (fid == 0) {
            set_timer(cpu, a0);
            ret(cpu, SBI_SUCCESS, 0);
            return true;
        }
        break;
    case EXT_IPI:
        if (fid == 0) {
            /* hart_mask a0 relative to hart_mask_base a1 (-1 = all harts) */
            if (a1 == UINT64_MAX || (a1 == 0 && (a0 & 1))) {
                cpu->mip |= MIP_SSIP;
                cpu->irq_check = true;
            }
            ret(cpu, SBI_SUCCESS, 0);
            return true;
        }
        break;
    case EXT_RFENCE:
        if (fid <= 6) {
            /* remote fence.i / sfence.vma(_asid) / hfence*: one hart, flush everything */
            rv_tlb_flush(cpu);
            ret(cpu, fid >= 3 ? SBI_ERR_NOT_SUPPORTED : SBI_SUCCESS, 0);
            return true;
        }
        break;
    case EXT_HSM:
        switch (fid) {
        case 0: /* hart_start */
            ret(cpu, a0 == 0 ? SBI_ERR_ALREADY_AVAILABLE : SBI_ERR_INVALID_PARAM, 0);
            return true;
        case 1: /* hart_stop: the only hart stopping ends the machine */
            machine_request_exit(m, 0);
            ret(cpu, SBI_SUCCESS, 0);
            return true;
        case 2: /* hart_get_status: 0 = started */
            ret(cpu, a0 == 0 ? SBI_SUCCESS : SBI_ERR_INVALID_PARAM, 0);
            return true;
        case 3: /* hart_suspend: retentive suspend behaves as WFI */
            cpu->wfi = true;
            cpu->irq_check = true;
            ret(cpu, SBI_SUCCESS, 0);
            return true;
        default: break;
        }
        break;
    case EXT_SRST:
        if (fid == 0) {
            /* reset_type: 0 shutdown, 1 cold reboot, 2 warm reboot; reason 1 = failure */
            if (a0 == 0)
                machine_request_exit(m, a1 == 1 ? 1 : 0);
            else if (a0 == 1 || a0 == 2)
                machine_request_reset(m);
            else {
                ret(cpu, SBI_ERR_INVALID_PARAM, 0);
                return true;
            }
            ret(cpu, SBI_SUCCESS, 0);
            return true;
        }
        break;
    case EXT_DBCN:
        if (fid == 0 || fid == 1) {
            /* console_write / console_read: a0 = length, a1/a2 = physical address low/high
             * halves; on RV64 the whole address is in a1 and a2 must be zero. */
            if (cpu->x[12] != 0) {
                ret(cpu, SBI_ERR_INVALID_PARAM, 0);
                return true;
            }
            uint64_t len = a0 > 4096 ? 4096 : a0;
            uint64_t addr = a1;
            uint64_t done = 0;
            if (fid == 0) {
                for (; done < len; done++) {
                    uint64_t ch;
                    if (!bus_read(&m->bus, addr + done, 1, &ch))
                        break;
                    console_putc(&m->con, (uint8_t)ch);
                }
            } else {
                console_poll(&m->con);
                for (; done < len && console_has_input(&m->con); done++)
                    if (!bus_write(&m->bus, addr + done, 1, (uint64_t)console_getc(&m->con)))
                        break;
            }
            /* console_read is non-blocking: no input is success with 0 bytes; an address
             * the bus rejects at the first byte of a write is an invalid parameter. */
            ret(cpu, fid == 0 && done == 0 && len ? SBI_ERR_INVALID_PARAM : SBI_SUCCESS, done);
            return true;
        }
        if (fid == 2) {
            console_putc(&m->con, (uint8_t)a0);
            ret(cpu, SBI_SUCCESS, 0);
            return true;
        }
        break;
    default:
        break;
    }
    ret(cpu, SBI_ERR_NOT_SUPPORTED, 0);
    return true;
}
