/* The built-in SBI for --bios none (RISC-V SBI specification v2.0): the kernel's ecalls
 * from S-mode are answered here instead of by M-mode firmware. Extensions: BASE, TIME,
 * IPI, RFENCE, HSM, SRST, PMU (sbi_pmu.c), DBCN and the legacy console/timer/shutdown
 * calls: the standard set OpenSBI offers on this board. */
#include "arch/riscv/sbi.h"
#include "arch/riscv/virt_board.h"

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
#define EXT_PMU 0x504D55

/* HSM suspend types (SBI v2.0 ch. 9, hart_suspend) */
#define SUSPEND_RETENTIVE 0x00000000
#define SUSPEND_NON_RETENTIVE 0x80000000

#define SBI_SPEC_VERSION ((2u << 24) | 0) /* v2.0 */
#define SBI_IMPL_ID 0x766d                /* not a registered id: "vm" */
#define SBI_IMPL_VERSION 1

static bool extension_present(uint64_t ext)
{
    switch (ext) {
    case EXT_BASE: case EXT_TIME: case EXT_IPI: case EXT_RFENCE: case EXT_HSM:
    case EXT_SRST: case EXT_PMU: case EXT_DBCN: case EXT_LEGACY_SET_TIMER:
    case EXT_LEGACY_PUTCHAR: case EXT_LEGACY_GETCHAR: case EXT_LEGACY_SHUTDOWN:
        return true;
    default:
        return false;
    }
}

static void set_timer(riscv_virt *v, rv_cpu *cpu, uint64_t when)
{
    riscv_sbi_pmu_count(&v->sbi_pmu, SBI_PMU_FW_SET_TIMER);
    /* Our timer for S-mode is stimecmp (Sstc): programming it through the SBI has the
     * same effect and clears a pending STIP when `when` lies in the future. */
    cpu->stimecmp = when;
    cpu->irq_check = true;
}

/* hart_mask/hart_mask_base (SBI v2.0 §3.1): whether the set names this hart, the only
 * one. False with *valid = false if it names a hart that does not exist. */
static bool targets_hart0(uint64_t mask, uint64_t base, bool *valid)
{
    *valid = true;
    if (base == UINT64_MAX) /* all harts */
        return true;
    if (base != 0 || (mask & ~1ULL)) {
        *valid = false;
        return false;
    }
    return mask & 1;
}

static void ret(rv_cpu *cpu, int64_t error, uint64_t value)
{
    cpu->x[10] = (uint64_t)error;
    cpu->x[11] = value;
}

void riscv_sbi_reset(riscv_virt *v)
{
    /* OpenSBI enters the kernel with scounteren = CY|TM|IR, and Linux keeps it until its
     * PMU driver narrows it to TM: user programs started before that (modprobe run by
     * the kernel) read the time CSR directly through the vDSO. */
    v->cpu.scounteren = 7;
    riscv_sbi_pmu_reset(&v->sbi_pmu, &v->cpu);
}

bool riscv_sbi_call(rv_cpu *cpu)
{
    riscv_virt *v = cpu->sbi_opaque;
    machine *m = v->m;
    uint64_t ext = cpu->x[17], fid = cpu->x[16];
    uint64_t a0 = cpu->x[10], a1 = cpu->x[11];
    switch (ext) {
    case EXT_LEGACY_SET_TIMER:
        set_timer(v, cpu, a0);
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
            set_timer(v, cpu, a0);
            ret(cpu, SBI_SUCCESS, 0);
            return true;
        }
        break;
    case EXT_IPI:
        if (fid == 0) {
            bool valid;
            if (targets_hart0(a0, a1, &valid)) {
                riscv_sbi_pmu_count(&v->sbi_pmu, SBI_PMU_FW_IPI_SENT);
                riscv_sbi_pmu_count(&v->sbi_pmu, SBI_PMU_FW_IPI_RECEIVED);
                cpu->mip |= MIP_SSIP;
                cpu->irq_check = true;
            }
            ret(cpu, valid ? SBI_SUCCESS : SBI_ERR_INVALID_PARAM, 0);
            return true;
        }
        break;
    case EXT_RFENCE:
        if (fid <= 2) {
            /* remote fence.i / sfence.vma / sfence.vma_asid on the one hart: flush every
             * translation (fence.i needs nothing: decoded code is checked at each use). */
            bool valid;
            if (targets_hart0(a0, a1, &valid)) {
                static const unsigned sent[3] = { SBI_PMU_FW_FENCE_I_SENT,
                                                  SBI_PMU_FW_SFENCE_VMA_SENT,
                                                  SBI_PMU_FW_SFENCE_VMA_ASID_SENT };
                riscv_sbi_pmu_count(&v->sbi_pmu, sent[fid]);
                riscv_sbi_pmu_count(&v->sbi_pmu, sent[fid] + 1); /* ..._RECEIVED */
                rv_tlb_flush(cpu);
            }
            ret(cpu, valid ? SBI_SUCCESS : SBI_ERR_INVALID_PARAM, 0);
            return true;
        }
        if (fid <= 6) { /* hfence.*: no H extension */
            ret(cpu, SBI_ERR_NOT_SUPPORTED, 0);
            return true;
        }
        break;
    case EXT_PMU: {
        const uint64_t args[6] = { a0, a1, cpu->x[12], cpu->x[13], cpu->x[14], cpu->x[15] };
        sbi_ret r = riscv_sbi_pmu_call(&v->sbi_pmu, cpu, fid, args);
        ret(cpu, r.error, r.value);
        return true;
    }
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
        case 3: /* hart_suspend(suspend_type, resume_addr, opaque) */
            if (a0 == SUSPEND_RETENTIVE) {
                /* Behaves as WFI: the call returns once an interrupt is pending. */
                cpu->wfi = true;
                cpu->irq_check = true;
                ret(cpu, SBI_SUCCESS, 0);
            } else if (a0 == SUSPEND_NON_RETENTIVE) {
                /* Wake-up is a jump to resume_addr (physical: satp = 0) in S-mode with
                 * sstatus.SIE = 0, a0 = hartid, a1 = opaque; registers are not kept. */
                if (!bus_ram_ptr(&m->bus, a1, 4)) {
                    ret(cpu, SBI_ERR_INVALID_ADDRESS, 0);
                    return true;
                }
                cpu->wfi = true;
                cpu->irq_check = true;
                cpu->mstatus &= ~MSTATUS_SIE;
                cpu->satp = 0;
                rv_tlb_switch_space(cpu);
                cpu->next_pc = a1;
                cpu->x[10] = cpu->mhartid;
                cpu->x[11] = cpu->x[12];
            } else {
                /* Platform-specific types exist but none is offered; the rest are
                 * reserved. */
                bool platform = (a0 >= 0x10000000 && a0 <= 0x7fffffff) ||
                                (a0 >= 0x90000000 && a0 <= 0xffffffff);
                ret(cpu, platform ? SBI_ERR_NOT_SUPPORTED : SBI_ERR_INVALID_PARAM, 0);
            }
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
