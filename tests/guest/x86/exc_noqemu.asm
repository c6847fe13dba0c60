; Exception cases QEMU 7.2's TCG does not model (it lets the access through or pushes a
; different error code), checked as the SDM specifies them; validated on Bochs
; (bochs_ref.sh) instead of QEMU:
;   ICEBP (F1) -> #DB trap; data/stack segment limits -> #GP(0)/#SS(0); a write through a
;   read-only data segment and a load through a null selector -> #GP(0); unmasked SSE
;   exceptions -> #XM; CR0.AM + EFLAGS.AC at CPL 3 -> #AC(0); long mode: IDT error codes
;   vector*8+2 (SDM Vol.3 §6.13: the selector index is the vector), non-canonical stack
;   reference -> #SS(0), reserved-bit #PF with P set (§4.7).
%define TEST_NAME "exc_noqemu"
%include "rom.inc"

main16:
            TO_PM32
            call    setup_idt32
            call    setup_tss32
            PRINTLN32 "exc_noqemu: protected mode"
            TRAP32  1, 1, -1, int1                  ; ICEBP: a trap-like #DB
            PRINTLN32 "exc_noqemu: ICEBP #DB ok"
            mov     ax, SEL_SMALL                   ; limit 0xFFFF
            mov     ds, ax
            FAULT32 2, 13, 0, mov eax, [0x10000]
            mov     ax, SEL_SMALL                   ; (the handler reloaded DS)
            mov     ds, ax
            mov     eax, [0xFFFC]                   ; fits
            FAULT32 3, 13, 0, mov eax, [0xFFFD]     ; last byte past the limit
            mov     ax, SEL_DATA
            mov     ds, ax
            mov     ax, SEL_SMALL
            mov     ss, ax                          ; ESP (0x9000) is inside
            mov     ebp, 0x10000
            FAULT32 4, 12, 0, mov eax, [ebp]
            mov     ax, SEL_DATA
            mov     ss, ax
            PRINTLN32 "exc_noqemu: segment limits ok"
            mov     ax, SEL_RO
            mov     es, ax
            mov     eax, [es:0x8000]                ; reading is fine
            FAULT32 5, 13, 0, mov [es:0x8000], eax
            xor     ax, ax
            mov     fs, ax                          ; loading null is fine
            FAULT32 6, 13, 0, mov eax, [fs:0]
            PRINTLN32 "exc_noqemu: read-only and null segments ok"
            mov     eax, cr0
            and     eax, ~(1 << 2)
            or      eax, (1 << 1) | (1 << 5)
            mov     cr0, eax
            mov     eax, cr4
            or      eax, (1 << 9) | (1 << 10)       ; OSFXSR, OSXMMEXCPT
            mov     cr4, eax
            ldmxcsr [mxcsr_zm]
            movss   xmm0, [one]
            xorps   xmm1, xmm1
            FAULT32 7, 19, -1, divss xmm0, xmm1
            ldmxcsr [mxcsr_masked]
            PRINTLN32 "exc_noqemu: #XM ok"
            mov     eax, cr0
            or      eax, 1 << 18                    ; AM
            mov     cr0, eax
            mov     eax, [0x8001]                   ; CPL 0: not checked
            ARM32   .ac
            USER32  .acu, 0x40000                   ; EFLAGS.AC
.acu:       mov     ebx, [0x8001]
            int3
.ac:        EXPECT32 8, 17, 0, .acu
            ARM32   .ac2
            USER32  .ac2u, 0                        ; AC clear: no check
.ac2u:      mov     ebx, [0x8001]
            int     0x80
.ac2:       EXPECT32 9, 0x80, -1, 0
            PRINTLN32 "exc_noqemu: #AC ok"

            TO_LM64
            call    setup_idt64
            call    setup_tss64
            PRINTLN64 "exc_noqemu: long mode"
            mov     dword [IDT_RAM + 0x90 * 16], SEL_CODE64 << 16
            mov     dword [IDT_RAM + 0x90 * 16 + 4], 0x0E00     ; interrupt gate, P clear
            FAULT64 20, 11, 0x90 * 8 + 2, int 0x90
            FAULT64U 21, 13, 0x81 * 8 + 2, int 0x81
            PRINTLN64 "exc_noqemu: IDT error codes ok"
            mov     rbp, 0x8000000000000000
            FAULT64 22, 12, 0, mov rax, [rbp]
            mov     rbx, 0x8000000000000000
            FAULT64 23, 13, 0, mov rax, [rbx]
            PRINTLN64 "exc_noqemu: non-canonical #SS/#GP ok"
            mov     qword [PT_BASE + 8], PT_BASE + 0x1000 + 0x87  ; PML4[1]: PS is reserved
            mov     rax, cr3
            mov     cr3, rax
            mov     rbx, 0x8000000000
            FAULT64 24, 14, 9, mov eax, [rbx]       ; P | RSVD
            mov     rbx, 0x8000000000               ; (EXPECT64 used RBX)
            CHK64   24, [trap_cr2], rbx
            PRINTLN64 "exc_noqemu: #PF reserved bit ok"
            ldmxcsr [mxcsr_zm]
            movss   xmm0, [one]
            xorps   xmm1, xmm1
            FAULT64 25, 19, -1, divss xmm0, xmm1
            ldmxcsr [mxcsr_masked]
            PRINTLN64 "exc_noqemu: #XM ok"
            ARM64   .lac
            USER64  .lacu, 0x40000
.lacu:      mov     ebx, [0x8001]
            int3
.lac:       EXPECT64 26, 17, 0, .lacu
            PRINTLN64 "exc_noqemu: #AC ok"
            jmp     pass64

            align   4
mxcsr_zm:   dd      0x1D80                          ; ZM clear
mxcsr_masked: dd    0x1F80
one:        dd      1.0
