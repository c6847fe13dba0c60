; Exceptions in 32-bit protected mode (SDM Vol.3 §6.15): every vector software can raise,
; checked for vector, error code, saved EIP (fault: the instruction; trap: the next one),
; CR2, and the privilege level they came from.
%define TEST_NAME "exc32"
%include "rom.inc"

main16:
            TO_PM32
            call    setup_idt32
            call    setup_tss32
            mov     eax, cr0
            and     eax, ~(1 << 2)                  ; EM off
            or      eax, (1 << 1) | (1 << 5)        ; MP, NE: x87 errors raise #MF
            mov     cr0, eax
            PRINTLN32 "exc32: protected mode, IDT and TSS loaded"

            xor     ecx, ecx
            FAULT32 1, 0, -1, div ecx
            PRINTLN32 "exc32: #DE ok"
            ; INT 1 (CD 01), not ICEBP (F1): QEMU 7.2 TCG raises #UD for F1.
            TRAP32  2, 1, -1, int 1
            ARM32   .tf
            pushfd
            or      dword [esp], 0x100              ; TF: trap after the next instruction
            popfd
            nop
.tfa:       mov     ecx, 3
            jmp     notrap32
.tf:        EXPECT32 3, 1, -1, .tfa
            mov     eax, dr6
            and     eax, 0x4000
            CHK32   4, eax, 0x4000                  ; DR6.BS
            ; debug registers (SDM Vol.3 §18.2): an execution breakpoint is a fault
            ; (EIP = the instruction), a data write breakpoint a trap (EIP = next)
            mov     eax, .bpx
            mov     dr0, eax
            mov     eax, 1                          ; L0, R/W0 = 00 (execute), LEN0 = 00
            mov     dr7, eax
            xor     eax, eax
            mov     dr6, eax
            ARM32   .bx
.bpx:       nop
            mov     ecx, 24
            jmp     notrap32
.bx:        EXPECT32 24, 1, -1, .bpx
            mov     eax, dr6
            and     eax, 0xF
            CHK32   24, eax, 1                      ; B0
            mov     eax, scratch + 8
            mov     dr0, eax
            mov     eax, 1 | (1 << 16) | (3 << 18)  ; L0, R/W0 = 01 (write), LEN0 = 4 bytes
            mov     dr7, eax
            xor     eax, eax
            mov     dr6, eax
            mov     ebx, [scratch + 8]              ; a read does not match
            TRAP32  25, 1, -1, mov word [scratch + 10], 1   ; overlaps the watched dword
            mov     eax, dr6
            and     eax, 0xF
            CHK32   25, eax, 1
            xor     eax, eax
            mov     dr7, eax
            PRINTLN32 "exc32: #DB (INT 1, single step, DR0 execute and write) ok"
            TRAP32  5, 3, -1, int3
            PRINTLN32 "exc32: #BP ok"
            mov     al, 0x7F
            add     al, 1
            TRAP32  6, 4, -1, into
            PRINTLN32 "exc32: #OF ok"
            mov     eax, 11
            FAULT32 7, 5, -1, bound eax, [bounds]
            mov     eax, 10
            bound   eax, [bounds]                   ; in range: no exception
            PRINTLN32 "exc32: #BR ok"
            FAULT32 8, 6, -1, ud2
            PRINTLN32 "exc32: #UD ok"
            mov     eax, cr0
            or      eax, 1 << 3                     ; TS
            mov     cr0, eax
            FAULT32 9, 7, -1, fld1
            clts
            fninit
            PRINTLN32 "exc32: #NM ok"
            ; IRET with NT=1 returns to the task in the TSS link field; a code segment
            ; there is no busy TSS (SDM Vol.2 IRET, TASK-RETURN).
            mov     word [TSS_RAM], SEL_CODE32
            pushfd
            or      dword [esp], 0x4000
            popfd
            FAULT32 10, 10, SEL_CODE32, iretd
            PRINTLN32 "exc32: #TS ok"
            mov     ax, SEL_NP
            FAULT32 11, 11, SEL_NP, mov ds, ax
            ; a valid interrupt gate with P clear (an all-zero gate has a bad type: #GP)
            mov     dword [IDT_RAM + 0x90 * 8], SEL_CODE32 << 16
            mov     dword [IDT_RAM + 0x90 * 8 + 4], 0x0E00
            FAULT32 12, 11, 0x90 * 8 + 2, int 0x90  ; error code: IDT bit set
            PRINTLN32 "exc32: #NP ok"
            mov     ax, SEL_NP
            FAULT32 13, 12, SEL_NP, mov ss, ax
            ; (#SS(0)/#GP(0) from a segment limit are not here: QEMU's TCG does not
            ; check data segment limits, so no reference run is possible.)
            PRINTLN32 "exc32: #SS ok"
            mov     ax, 0x1F8                       ; past the GDT limit
            FAULT32 15, 13, 0x1F8, mov ds, ax
            mov     ax, SEL_CODE32
            FAULT32 16, 13, SEL_CODE32, mov ss, ax
            mov     ax, SEL_XONLY
            FAULT32 17, 13, SEL_XONLY, mov es, ax
            ; (a write through a read-only data segment is not here either: QEMU's TCG
            ; checks segment types on loads of the register only.)
            mov     ax, SEL_RO
            FAULT32 18, 13, SEL_RO, mov ss, ax      ; SS must be writable
            ; (nor a memory access through a null selector: QEMU's TCG lets it through.)
            FAULT32U 21, 13, 0, hlt
            FAULT32U 22, 13, 0x81 * 8 + 2, int 0x81 ; gate DPL 0 < CPL 3
            FAULT32U 23, 13, 0, cli                 ; IOPL 0
            PRINTLN32 "exc32: #GP ok"

            ; #PF: 4 KiB pages over 0-4 MiB; 0x200000 absent, 0x201000 read-only,
            ; 0x202000 supervisor-only; CR0.WP makes ring 0 honour read-only.
            mov     edi, PT_BASE
            mov     ecx, 2 * 4096 / 4
            xor     eax, eax
            rep     stosd
            mov     dword [PT_BASE], PT_BASE + 0x1000 + 7
            mov     edi, PT_BASE + 0x1000
            mov     eax, 7
            mov     ecx, 1024
.pt:        stosd
            add     eax, 0x1000
            loop    .pt
            mov     dword [PT_BASE + 0x1000 + 0x200 * 4], 0
            mov     dword [PT_BASE + 0x1000 + 0x201 * 4], 0x201000 | 5
            mov     dword [PT_BASE + 0x1000 + 0x202 * 4], 0x202000 | 3
            mov     eax, PT_BASE
            mov     cr3, eax
            mov     eax, cr0
            or      eax, 0x80010000                 ; PG, WP
            mov     cr0, eax
            FAULT32 30, 14, 0, mov eax, [0x200004]
            CHK32   30, [trap_cr2], 0x200004
            FAULT32 31, 14, 2, mov [0x200008], eax
            CHK32   31, [trap_cr2], 0x200008
            FAULT32 32, 14, 3, mov [0x201010], eax
            CHK32   32, [trap_cr2], 0x201010
            FAULT32U 33, 14, 5, mov eax, [0x202020]
            CHK32   33, [trap_cr2], 0x202020
            FAULT32U 34, 14, 6, mov [0x200040], eax
            CHK32   34, [trap_cr2], 0x200040
            FAULT32U 35, 14, 7, mov [0x201080], eax
            CHK32   35, [trap_cr2], 0x201080
            mov     eax, [0x202020]                 ; ring 0 may read all three others
            mov     eax, [0x201010]
            mov     eax, cr0
            and     eax, ~0x80000000
            mov     cr0, eax
            PRINTLN32 "exc32: #PF ok (P, W, U bits, CR2)"

            ; PAE paging brings RSVD and, with EFER.NXE, I/D to protected mode: 2 MiB
            ; pages, 0-2 MiB identity, 2-4 MiB with a reserved bit (PDE bit 13), 4-6 MiB
            ; execute-disable. Only RSVD is compared for the reserved bit (QEMU 7.2
            ; leaves P clear; exc_noqemu checks the full code in long mode).
            mov     edi, PT_BASE
            mov     ecx, 2 * 4096 / 4
            xor     eax, eax
            rep     stosd
            mov     dword [PT_BASE], PT_BASE + 0x1000 | 1          ; PDPT[0]
            mov     dword [PT_BASE + 0x1000], 0x83                 ; 0-2 MiB
            mov     dword [PT_BASE + 0x1000 + 8], 0x200000 | 0x83 | (1 << 13)
            mov     dword [PT_BASE + 0x1000 + 16], 0x400000 | 0x83
            mov     dword [PT_BASE + 0x1000 + 20], 0x80000000      ; XD
            mov     eax, cr4
            or      eax, 1 << 5
            mov     cr4, eax
            mov     eax, PT_BASE
            mov     cr3, eax
            mov     eax, 0x80000001
            cpuid
            bt      edx, 20
            jc      .nx
            PRINTLN32 "exc32: SKIP PAE #PF I/D (no CPUID NX)"
            jmp     .pg
.nx:        mov     ecx, 0xC0000080
            rdmsr
            or      eax, 1 << 11                    ; NXE
            wrmsr
.pg:        mov     eax, cr0
            or      eax, 0x80000000
            mov     cr0, eax
            ARM32   .rsv
.rsvf:      mov     eax, [0x200010]
            mov     ecx, 36
            jmp     notrap32
.rsv:       CHK32   36, [trap_vec], 14
            mov     eax, [trap_err]
            and     eax, ~1
            CHK32   36, eax, 8                      ; RSVD, read, supervisor
            CHK32   36, [trap_ip], .rsvf
            CHK32   36, [trap_cr2], 0x200010
            mov     ecx, 0xC0000080
            rdmsr
            test    eax, 1 << 11
            jz      .nonx
            ARM32   .xd
            mov     eax, 0x400000
            call    eax                             ; fetch from an XD page
            mov     ecx, 37
            jmp     notrap32
.xd:        EXPECT32 37, 14, 0x11, 0x400000         ; P | I/D
            CHK32   37, [trap_cr2], 0x400000
.nonx:      mov     eax, cr0
            and     eax, ~0x80000000
            mov     cr0, eax
            mov     eax, cr4
            and     eax, ~(1 << 5)
            mov     cr4, eax
            PRINTLN32 "exc32: PAE #PF ok (RSVD, I/D bits)"

            fninit
            fldcw   [fpcw_zm]                       ; divide-by-zero unmasked
            fld1
            fldz
            fdivp   st1, st0                        ; pending; raised at the next wait
            FAULT32 40, 16, -1, fwait
            fnclex
            fninit
            PRINTLN32 "exc32: #MF ok"
            mov     eax, 1
            cpuid
            bt      edx, 25
            jc      .sse
            PRINTLN32 "exc32: SKIP #XM (no SSE)"
            jmp     .nosse
.sse:       mov     eax, cr4
            or      eax, (1 << 9) | (1 << 10)       ; OSFXSR, OSXMMEXCPT
            mov     cr4, eax
            ; #XM itself is in exc_noqemu (QEMU 7.2's TCG never raises it); here the
            ; masked case: the flag is set, no exception.
            ldmxcsr [mxcsr_masked]
            movss   xmm0, [one]
            xorps   xmm1, xmm1
            ARM32   .xm
            divss   xmm0, xmm1
            stmxcsr [scratch]
            CHK32   41, [scratch], 0x1F84           ; ZE
            jmp     .xmok
.xm:        mov     ecx, 41
            mov     eax, [trap_vec]
            xor     edx, edx
            jmp     fail32
.xmok:      PRINTLN32 "exc32: SSE divide by zero (masked) ok"
.nosse:
            ; (#AC is in exc_noqemu: QEMU's TCG does not check alignment.)

            ; #DF: the #GP gate is not present, so delivering #GP raises #NP: two
            ; contributory exceptions make a double fault (SDM Vol.3 §6.15, table 6-5).
            and     byte [IDT_RAM + 13 * 8 + 5], 0x7F
            mov     ax, 0x1F8
            FAULT32 43, 8, 0, mov ds, ax
            or      byte [IDT_RAM + 13 * 8 + 5], 0x80
            PRINTLN32 "exc32: #DF ok"
            jmp     pass32

            align   4
bounds:     dd      0, 10
fpcw_zm:    dw      0x037B
            align   4
mxcsr_masked: dd    0x1F80
one:        dd      1.0
