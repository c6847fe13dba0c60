; Mode transitions, one printed line per step: real -> 32-bit protected (SDM Vol.3
; §9.9.1) -> 64-bit long mode (§9.8.5) -> compatibility mode -> paging and LME off
; (§9.8.5.4) -> 16-bit protected mode -> real mode (§9.9.2). Each step checks CR0/EFER
; and tells the code size apart by behaviour: 0x48 is DEC EAX in 32-bit code and a REX.W
; prefix in 64-bit code; a PUSH moves the stack by the operand size.
%define TEST_NAME "modes"
%include "rom.inc"

EFER        equ 0xC0000080

main16:
            PRINTLN16 "modes: real mode"
            mov     bx, sp
            push    ax
            sub     bx, sp
            pop     ax
            CHK16   1, bx, 2
            mov     eax, cr0
            and     ax, 1
            CHK16   2, ax, 0

            TO_PM32
            PRINTLN32 "modes: protected mode (32-bit)"
            mov     eax, cr0
            and     eax, 0x80000001
            CHK32   3, eax, 1                       ; PE, no PG
            mov     eax, 5
            db      0x48                            ; DEC EAX here
            nop
            CHK32   4, eax, 4
            mov     ebx, esp
            push    eax
            sub     ebx, esp
            pop     eax
            CHK32   5, ebx, 4
            mov     ax, cs
            movzx   eax, ax
            CHK32   6, eax, SEL_CODE32

            TO_LM64
            PRINTLN64 "modes: long mode (64-bit)"
            mov     ecx, EFER
            rdmsr
            and     eax, 0x500
            CHK64   7, rax, 0x500                   ; LME and LMA
            mov     eax, 5
            db      0x48                            ; REX.W: NOP, not DEC
            nop
            CHK64   8, rax, 5
            mov     rax, 1 << 40
            shr     rax, 39
            CHK64   9, rax, 2
            mov     rbx, rsp
            push    rax
            sub     rbx, rsp
            pop     rax
            CHK64   10, rbx, 8
            mov     ax, cs
            movzx   eax, ax
            CHK64   11, rax, SEL_CODE64

            ; §9.8.5.4: back to compatibility mode through a far return to a 32-bit CS
            push    SEL_CODE32
            lea     rax, [rel compat]
            push    rax
            o64 retf
            bits    32
compat:     PRINTLN32 "modes: compatibility mode"
            mov     ecx, EFER
            rdmsr
            and     eax, 0x500
            CHK32   12, eax, 0x500                  ; still LMA
            mov     eax, 5
            db      0x48
            nop
            CHK32   13, eax, 4
            mov     eax, cr0
            and     eax, 0x7FFFFFFF                 ; paging off: LMA drops
            mov     cr0, eax
            mov     ecx, EFER
            rdmsr
            and     eax, ~0x100
            wrmsr
            rdmsr
            and     eax, 0x500
            CHK32   14, eax, 0
            mov     eax, cr4
            and     eax, ~(1 << 5)
            mov     cr4, eax
            PRINTLN32 "modes: protected mode again (paging and LME off)"
            mov     eax, cr0
            and     eax, 0x80000001
            CHK32   15, eax, 1

            ; §9.9.2: 16-bit code segment with a 64 KiB limit, 64 KiB data segments
            jmp     dword SEL_CODE16:R(pm16)
            bits    16
pm16:       mov     ax, SEL_DATA16
            mov     ds, ax
            mov     es, ax
            mov     fs, ax
            mov     gs, ax
            mov     ss, ax
            mov     sp, STACK16
            PRINTLN16 "modes: protected mode (16-bit)"
            mov     bx, sp
            push    ax
            sub     bx, sp
            pop     ax
            CHK16   16, bx, 2
            mov     ax, cs
            CHK16   17, ax, SEL_CODE16
            mov     bx, R(idtr_rm)
            lidt    [cs:bx]
            mov     eax, cr0
            and     eax, ~1
            mov     cr0, eax
            jmp     0xF000:R(rm_again)
rm_again:   xor     ax, ax
            mov     ds, ax
            mov     es, ax
            mov     ss, ax
            mov     sp, STACK16
            PRINTLN16 "modes: real mode again"
            mov     eax, cr0
            and     ax, 1
            CHK16   18, ax, 0
            ; segment:offset arithmetic is back: 1000:0010 and 1001:0000 are one byte
            mov     ax, 0x1000
            mov     es, ax
            mov     word [es:0x10], 0xBEEF
            mov     ax, 0x1001
            mov     fs, ax
            CHK16   19, [fs:0], 0xBEEF
            ; and the IVT is in use again
            mov     word [0x41 * 4], R(int41)
            mov     word [0x41 * 4 + 2], 0xF000
            xor     ax, ax
            int     0x41
            CHK16   20, ax, 0x4141
            jmp     pass16
int41:      mov     ax, 0x4141
            iret
