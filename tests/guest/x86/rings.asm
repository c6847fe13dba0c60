; Privilege changes: the TSS stack switch on a CPL 3 -> 0 interrupt (ESP0/RSP0, SDM Vol.3
; §6.12.1, §7.7), IST stacks (§6.14.5), SYSENTER/SYSEXIT in 32-bit mode and
; SYSCALL/SYSRET in 64-bit mode (SDM Vol.2), and the TSS I/O permission bitmap for
; IN/OUT at CPL 3 with IOPL 0 (§19.5.2), in both modes.
%define TEST_NAME "rings"
%include "rom.inc"

MSR_SYSENTER_CS  equ 0x174
MSR_SYSENTER_ESP equ 0x175
MSR_SYSENTER_EIP equ 0x176
MSR_EFER    equ 0xC0000080
MSR_STAR    equ 0xC0000081
MSR_LSTAR   equ 0xC0000082
MSR_FMASK   equ 0xC0000084
SYSENTER_STACK equ 0xE000

main16:
            TO_PM32
            call    setup_idt32
            call    setup_tss32
            PRINTLN32 "rings: 32-bit protected mode"

            ; ---- INT from CPL 3 lands on ESP0 with the user SS:ESP pushed ----
            ARM32   .i0
            USER32  .i0u, 0
.i0u:       int     0x80
.i0a:       jmp     .i0a
.i0:        EXPECT32 1, 0x80, -1, .i0a
            CHK32   2, [trap_sp], STACK_RSP0 - 7 * 4
            CHK32   3, [trap_usp], STACK_U
            CHK32   4, [trap_ss], SEL_UDATA | 3
            CHK32   5, [trap_cs], SEL_UCODE32 | 3
            PRINTLN32 "rings: CPL3 -> 0 interrupt on TSS ESP0 ok"

            ; ---- SYSEXIT to CPL 3 and SYSENTER back ----
            mov     eax, 1
            cpuid
            bt      edx, 11                         ; SEP
            jc      .sep
            PRINTLN32 "rings: SKIP SYSENTER/SYSEXIT (no CPUID SEP)"
            jmp     .nosep
.sep:       xor     edx, edx
            mov     ecx, MSR_SYSENTER_CS
            mov     eax, SEL_CODE32
            wrmsr
            mov     ecx, MSR_SYSENTER_ESP
            mov     eax, SYSENTER_STACK
            wrmsr
            mov     ecx, MSR_SYSENTER_EIP
            mov     eax, .sysenter
            wrmsr
            mov     ax, SEL_UDATA | 3
            mov     ds, ax
            mov     es, ax
            mov     ecx, STACK_U - 16               ; user ESP
            mov     edx, .user                      ; user EIP
            sysexit
.user:      mov     eax, cs
            mov     ebx, ss
            mov     esi, esp
            sysenter
.sysenter:  mov     ebp, esp
            mov     edi, ss
            mov     dx, SEL_DATA
            mov     ds, dx
            mov     es, dx
            mov     esp, STACK_K
            movzx   eax, ax
            CHK32   10, eax, SEL_CODE32 + 16 + 3    ; SYSEXIT: CS = SYSENTER_CS + 16, RPL 3
            movzx   ebx, bx
            CHK32   11, ebx, SEL_CODE32 + 24 + 3    ; SS = SYSENTER_CS + 24
            CHK32   12, esi, STACK_U - 16           ; ESP = ECX
            CHK32   13, ebp, SYSENTER_STACK         ; SYSENTER: ESP = SYSENTER_ESP
            movzx   edi, di
            CHK32   14, edi, SEL_CODE32 + 8         ; SS = SYSENTER_CS + 8
            mov     ax, cs
            movzx   eax, ax
            CHK32   15, eax, SEL_CODE32
            PRINTLN32 "rings: SYSEXIT to CPL3, SYSENTER back ok"
.nosep:
            ; ---- I/O bitmap (setup_tss32: all denied but COM1 and 0xF4) ----
            ARM32   .io1
            USER32  .io1u, 0
.io1u:      mov     dx, COM1 + 5
            in      al, dx                          ; allowed by the bitmap
            int     0x80
.io1:       EXPECT32 20, 0x80, -1, 0
            FAULT32U 21, 13, 0, in al, 0x80         ; denied
            FAULT32U 26, 13, 0, out 0x80, al
            mov     dx, 0x80
            mov     esi, STACK_U - 4
            FAULT32U 27, 13, 0, outsb               ; string I/O too
            and     byte [TSS_RAM + IOPB_OFF + 0x80 / 8], 0xFE
            ARM32   .io2
            USER32  .io2u, 0
.io2u:      in      al, 0x80                        ; now allowed
            out     0x80, al
            mov     dx, 0x80
            mov     esi, STACK_U - 4
            outsb
            int     0x80
.io2:       EXPECT32 22, 0x80, -1, 0
            FAULT32U 23, 13, 0, in ax, 0x7F         ; 0x80 allowed, 0x7F not: all bits count
            ARM32   .io9
            USER32  .io9u, 0
.io9u:      mov     dx, 0x900
.io9f:      in      al, dx                          ; beyond the TSS limit
            int3
.io9:       EXPECT32 24, 13, 0, .io9f
            ARM32   .io3
            USER32  .io3u, 0x3000                   ; IOPL 3: no bitmap check
.io3u:      in      al, 0x84
            cli
            int     0x80
.io3:       EXPECT32 25, 0x80, -1, 0
            PRINTLN32 "rings: 32-bit I/O permission bitmap ok"

            ; ================= long mode =================
            TO_LM64
            call    setup_idt64
            call    setup_tss64
            PRINTLN64 "rings: long mode"
            ARM64   .l0
            USER64  .l0u, 0
.l0u:       int     0x80
.l0a:       jmp     .l0a
.l0:        EXPECT64 30, 0x80, -1, .l0a
            CHK64   31, [trap_sp], STACK_RSP0 - 7 * 8
            CHK64   32, [trap_usp], STACK_U
            CHK64   33, [trap_ss], SEL_UDATA | 3
            CHK64   34, [trap_cs], SEL_UCODE64 | 3
            PRINTLN64 "rings: CPL3 -> 0 interrupt on TSS RSP0 ok"

            ; ---- IST1 on vector 0x80 (from CPL 3) and on #BP (from CPL 0) ----
            or      byte [IDT_RAM + 0x80 * 16 + 4], 1
            or      byte [IDT_RAM + 3 * 16 + 4], 1
            ARM64   .l1
            USER64  .l1u, 0
.l1u:       int     0x80
.l1:        CHK64   35, [trap_sp], STACK_IST - 7 * 8
            CHK64   36, [trap_usp], STACK_U
            mov     rsp, STACK_K - 8                ; misaligned: IST ignores it
            TRAP64  37, 3, -1, int3
            CHK64   38, [trap_sp], STACK_IST - 7 * 8
            and     byte [IDT_RAM + 3 * 16 + 4], 0xF8
            TRAP64  39, 3, -1, int3                 ; no IST: the current stack, 16-aligned
            CHK64   39, [trap_sp], STACK_K - 16 - 7 * 8
            mov     rsp, STACK_K
            and     byte [IDT_RAM + 0x80 * 16 + 4], 0xF8
            PRINTLN64 "rings: IST stack switch ok"

            ; ---- SYSCALL / SYSRET ----
            mov     eax, 0x80000001
            cpuid
            bt      edx, 11
            jc      .sc
            PRINTLN64 "rings: SKIP SYSCALL/SYSRET (no CPUID SYSCALL)"
            jmp     .nosc
.sc:        mov     ecx, MSR_EFER
            rdmsr
            or      eax, 1                          ; SCE
            wrmsr
            mov     ecx, MSR_STAR
            xor     eax, eax
            mov     edx, (SEL_UCODE32 << 16) | SEL_CODE64
            wrmsr
            mov     ecx, MSR_LSTAR
            mov     eax, .syscall
            xor     edx, edx
            wrmsr
            mov     ecx, MSR_FMASK
            mov     eax, 0x400                      ; clear DF on entry
            xor     edx, edx
            wrmsr
            ARM64   .scb
            USER64  .scu, 0
.scu:       std
            syscall
.sca:       mov     r12, cs                         ; back at CPL 3 after SYSRET
            mov     r13, ss
            pushfq
            pop     r14
            cld
            int     0x80
.syscall:   mov     r8, cs
            mov     r9, ss
            pushfq
            pop     r10
            mov     rbx, rcx
            mov     rbp, r11
            o64 sysret
.scb:       CHK64   40, r8, SEL_CODE64              ; SYSCALL: CS = STAR[47:32]
            CHK64   41, r9, SEL_CODE64 + 8          ; SS = STAR[47:32] + 8
            and     r10, 0x400
            CHK64   42, r10, 0                      ; RFLAGS &= ~SFMASK
            CHK64   43, rbx, .sca                   ; RCX = next RIP
            and     rbp, 0x400
            CHK64   44, rbp, 0x400                  ; R11 = old RFLAGS
            CHK64   45, r12, SEL_UCODE32 + 16 + 3   ; SYSRET: CS = STAR[63:48] + 16
            CHK64   46, r13, SEL_UCODE32 + 8 + 3    ; SS = STAR[63:48] + 8
            and     r14, 0x400
            CHK64   47, r14, 0x400                  ; RFLAGS = R11
            PRINTLN64 "rings: SYSCALL to CPL0, SYSRET back ok"

            ; ---- SYSRET to compatibility mode (SYSCALL from it is vendor-specific:
            ; CSTAR on AMD, #UD on Intel; so the way back is INT 0x80) ----
            ARM64   .cb
            mov     rsp, STACK_U                    ; SYSRET keeps RSP
            mov     ecx, .c32                       ; EIP
            mov     r11d, 2                         ; EFLAGS: IF stays clear
            sysret                                  ; no REX.W: to 32-bit code
            bits    32
.c32:       mov     eax, cs
            mov     ebx, ss
            mov     esi, 5
            db      0x4E                            ; DEC ESI here, a REX prefix in 64-bit
            nop
            int     0x80
.c32r:
            bits    64
.cb:        movzx   eax, ax
            CHK64   48, rax, SEL_UCODE32 + 3        ; SYSRET (32-bit): CS = STAR[63:48]
            movzx   ebx, bx
            CHK64   49, rbx, SEL_UCODE32 + 8 + 3    ; SS = STAR[63:48] + 8
            CHK64   50, rsi, 4                      ; the user code ran as 32-bit code
            EXPECT64 51, 0x80, -1, .c32r
            CHK64   52, [trap_cs], SEL_UCODE32 + 3
            PRINTLN64 "rings: SYSRET to compatibility mode ok"
.nosc:
            ; ---- I/O bitmap in long mode ----
            call    fill_iopb64                     ; all denied again but COM1, 0xF4
            FAULT64U 60, 13, 0, in al, 0x80
            and     byte [TSS_RAM + IOPB_OFF + 0x80 / 8], 0xFE
            ARM64   .lio
            USER64  .liou, 0
.liou:      in      al, 0x80
            int     0x80
.lio:       EXPECT64 61, 0x80, -1, 0
            PRINTLN64 "rings: 64-bit I/O permission bitmap ok"

            ; ---- an interrupt gate clears IF, a trap gate keeps it (§6.12.1.3) ----
            mov     al, 0xFF                        ; mask both 8259s: no IRQ while IF=1
            out     0x21, al
            out     0xA1, al
            mov     byte [IDT_RAM + 0x82 * 16 + 5], 0x8F    ; trap gate
            sti
            TRAP64  62, 0x82, -1, int 0x82
            cli
            mov     rax, [trap_hflags]
            and     eax, 0x200
            CHK64   62, rax, 0x200
            mov     rax, [trap_flags]
            and     eax, 0x200
            CHK64   62, rax, 0x200
            sti
            TRAP64  63, 0x83, -1, int 0x83          ; interrupt gate
            cli
            mov     rax, [trap_hflags]
            and     eax, 0x200
            CHK64   63, rax, 0
            mov     rax, [trap_flags]
            and     eax, 0x200
            CHK64   63, rax, 0x200
            PRINTLN64 "rings: interrupt gate clears IF, trap gate keeps it ok"
            jmp     pass64
