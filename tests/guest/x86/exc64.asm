; Exceptions in 64-bit long mode (SDM Vol.3 §6.14-6.15): every vector software can raise
; that QEMU's TCG models, checked for vector, error code, saved RIP and CR2, from CPL 0
; and CPL 3; #PF with each error-code bit (P, W, U, RSVD, I/D); #DF on its IST stack.
%define TEST_NAME "exc64"
%include "rom.inc"

main16:
            TO_PM32
            TO_LM64
            call    setup_idt64
            call    setup_tss64
            mov     rax, cr0
            and     eax, ~(1 << 2)
            or      eax, (1 << 1) | (1 << 5)        ; MP, NE
            mov     cr0, rax
            PRINTLN64 "exc64: long mode, IDT and TSS loaded"

            xor     ecx, ecx
            FAULT64 1, 0, -1, div ecx
            PRINTLN64 "exc64: #DE ok"
            TRAP64  2, 1, -1, int 1
            ARM64   .tf
            pushfq
            or      qword [rsp], 0x100
            popfq
            nop
.tfa:       mov     ecx, 3
            jmp     notrap64
.tf:        EXPECT64 3, 1, -1, .tfa
            mov     rax, dr6
            and     eax, 0x4000
            CHK64   3, rax, 0x4000
            ; debug registers (SDM Vol.3 §18.2): an execution breakpoint is a fault
            ; (RIP = the instruction), a data write breakpoint a trap (RIP = next)
            lea     rax, [rel .bpx]
            mov     dr0, rax
            mov     eax, 1                          ; L0, R/W0 = 00 (execute), LEN0 = 00
            mov     dr7, rax
            xor     eax, eax
            mov     dr6, rax
            ARM64   .bx
.bpx:       nop
            mov     ecx, 14
            jmp     notrap64
.bx:        EXPECT64 14, 1, -1, .bpx
            mov     rax, dr6
            and     eax, 0xF
            CHK64   14, rax, 1                      ; B0
            mov     rax, scratch + 8
            mov     dr0, rax
            mov     eax, 1 | (1 << 16) | (3 << 18)  ; L0, R/W0 = 01 (write), LEN0 = 4 bytes
            mov     dr7, rax
            xor     eax, eax
            mov     dr6, rax
            mov     ebx, [scratch + 8]              ; a read does not match
            TRAP64  15, 1, -1, mov dword [scratch + 8], 1
            mov     rax, dr6
            and     eax, 0xF
            CHK64   15, rax, 1
            xor     eax, eax
            mov     dr7, rax
            PRINTLN64 "exc64: #DB (INT 1, single step, DR0 execute and write) ok"
            TRAP64  5, 3, -1, int3
            PRINTLN64 "exc64: #BP ok"
            FAULT64 6, 6, -1, db 0xCE               ; INTO is invalid in 64-bit mode
            FAULT64 7, 6, -1, ud2
            PRINTLN64 "exc64: #UD (UD2, INTO) ok"
            mov     rax, cr0
            or      eax, 1 << 3
            mov     cr0, rax
            FAULT64 8, 7, -1, fld1
            clts
            fninit
            PRINTLN64 "exc64: #NM ok"
            mov     ax, SEL_NP
            FAULT64 10, 11, SEL_NP, mov ds, ax
            ; (INT n through a not-present gate is in exc_noqemu: QEMU 7.2 pushes
            ; vector*16+2 in long mode where the SDM's selector format gives vector*8+2.)
            PRINTLN64 "exc64: #NP ok"
            mov     ax, SEL_NP
            FAULT64 12, 12, SEL_NP, mov ss, ax
            ; (#SS(0) for a non-canonical stack reference is in exc_noqemu: QEMU's
            ; TCG raises #GP(0) for every non-canonical address.)
            PRINTLN64 "exc64: #SS ok"
            mov     rbx, 0x0000800000000000         ; non-canonical: #GP(0)
            FAULT64 20, 13, 0, mov rax, [rbx]
            mov     ax, 0x1F8
            FAULT64 21, 13, 0x1F8, mov ds, ax
            mov     ax, SEL_CODE32
            FAULT64 22, 13, SEL_CODE32, mov ss, ax
            pushfq
            or      qword [rsp], 0x4000             ; NT: IRET would be a task return
            popfq
            FAULT64 23, 13, 0, iretq
            pushfq
            and     qword [rsp], ~0x4000
            popfq
            FAULT64U 24, 13, 0, hlt
            ; (INT 0x81 through a DPL 0 gate at CPL 3 is in exc_noqemu, same reason.)
            FAULT64U 26, 13, 0, cli
            mov     ecx, 0xC0000080
            FAULT64U 27, 13, 0, rdmsr
            PRINTLN64 "exc64: #GP ok"

            ; #PF: PD[1] (2-4 MiB) becomes 4 KiB pages: 0x200000 absent, 0x201000
            ; read-only, 0x202000 supervisor-only, 0x203000 no-execute; PML4[1] has the
            ; reserved PS bit. CR0.WP on; EFER.NXE on.
            mov     edi, PT_BASE + 0x3000
            mov     eax, 0x200000 | 7
            mov     ecx, 512
.pt:        mov     [rdi], rax
            add     eax, 0x1000
            add     edi, 8
            loop    .pt
            mov     qword [PT_BASE + 0x3000], 0
            mov     qword [PT_BASE + 0x3000 + 8], 0x201000 | 5
            mov     qword [PT_BASE + 0x3000 + 16], 0x202000 | 3
            mov     rax, 0x8000000000203007
            mov     [PT_BASE + 0x3000 + 24], rax
            mov     qword [PT_BASE + 0x2000 + 8], PT_BASE + 0x3000 + 7
            mov     qword [PT_BASE + 8], PT_BASE + 0x1000 + 0x87
            mov     rax, cr3
            mov     cr3, rax
            mov     ecx, 0xC0000080
            rdmsr
            or      eax, 1 << 11                    ; NXE
            wrmsr
            mov     rax, cr0
            or      eax, 1 << 16                    ; WP
            mov     cr0, rax
            FAULT64 30, 14, 0, mov eax, [0x200004]
            CHK64   30, [trap_cr2], 0x200004
            FAULT64 31, 14, 2, mov [0x200008], eax
            CHK64   31, [trap_cr2], 0x200008
            FAULT64 32, 14, 3, mov [0x201010], eax
            CHK64   32, [trap_cr2], 0x201010
            FAULT64U 33, 14, 5, mov ebx, [0x202020]
            CHK64   33, [trap_cr2], 0x202020
            FAULT64U 34, 14, 6, mov [0x200040], ebx
            CHK64   34, [trap_cr2], 0x200040
            FAULT64U 35, 14, 7, mov [0x201080], ebx
            CHK64   35, [trap_cr2], 0x201080
            ; A reserved bit: RSVD. (The SDM also sets P, as the entries were present;
            ; QEMU 7.2 leaves P clear, so only RSVD, U, W and I/D are compared here and
            ; exc_noqemu checks the whole code.)
            mov     rbx, 0x8000000000
            ARM64   .rsv
.rsvf:      mov     eax, [rbx]
            mov     ecx, 36
            jmp     notrap64
.rsv:       mov     eax, [trap_vec]
            CHK64   36, rax, 14
            mov     eax, [trap_err]
            and     eax, ~1
            CHK64   36, rax, 8
            CHK64   36, [trap_ip], .rsvf
            mov     rbx, 0x8000000000
            CHK64   36, [trap_cr2], rbx
            ARM64   .nx
            mov     eax, 0x203000
            call    rax                             ; fetch from an XD page
            mov     ecx, 37
            jmp     notrap64
.nx:        EXPECT64 37, 14, 0x11, 0x203000         ; P | I/D; RIP = the target
            CHK64   37, [trap_cr2], 0x203000
            ARM64   .ux
            USER64  .uxu, 0
.uxu:       mov     eax, 0x202000
            call    rax                             ; CPL 3 fetch from a supervisor page
            int3
.ux:        EXPECT64 38, 14, 0x15, 0x202000         ; P | U | I/D
            mov     eax, [0x202020]
            mov     eax, [0x201010]
            PRINTLN64 "exc64: #PF ok (P, W, U, RSVD, I/D bits, CR2)"

            fninit
            fldcw   [fpcw_zm]
            fld1
            fldz
            fdivp   st1, st0
            FAULT64 40, 16, -1, fwait
            fnclex
            fninit
            PRINTLN64 "exc64: #MF ok"
            mov     rax, cr4
            or      eax, (1 << 9) | (1 << 10)
            mov     cr4, rax
            ldmxcsr [mxcsr_masked]
            movss   xmm0, [one]
            xorps   xmm1, xmm1
            ARM64   .xm
            divss   xmm0, xmm1
            stmxcsr [scratch]
            CHK64   41, [scratch], 0x1F84
            jmp     .xmok
.xm:        mov     ecx, 41
            mov     eax, [trap_vec]
            xor     edx, edx
            jmp     fail64
.xmok:      PRINTLN64 "exc64: SSE divide by zero (masked) ok"

            ; #DF: the #GP gate is not present; #GP then #NP is a double fault,
            ; delivered on IST2 (setup_idt64).
            and     byte [IDT_RAM + 13 * 16 + 5], 0x7F
            mov     ax, 0x1F8
            FAULT64 42, 8, 0, mov ds, ax
            CHK64   42, [trap_sp], STACK_DF - 7 * 8
            or      byte [IDT_RAM + 13 * 16 + 5], 0x80
            PRINTLN64 "exc64: #DF ok (on IST2)"

            ; #TS: the #BP gate names IST3, whose slot (TSS offset 0x34) lies past a
            ; TSS limit of 0x33 (SDM Vol.3 §6.14.5; error code: the TSS selector).
            mov     byte [IDT_RAM + 3 * 16 + 4], 3
            mov     word [GDT_RAM + SEL_TSS], 0x33
            mov     byte [GDT_RAM + SEL_TSS + 5], 0x89  ; not busy, so LTR takes it
            mov     ax, SEL_TSS
            ltr     ax
            FAULT64 43, 10, SEL_TSS, int3
            mov     byte [IDT_RAM + 3 * 16 + 4], 0
            call    setup_tss64
            PRINTLN64 "exc64: #TS ok (IST slot past the TSS limit)"
            jmp     pass64

            align   4
fpcw_zm:    dw      0x037B
            align   4
mxcsr_masked: dd    0x1F80
one:        dd      1.0
