; 4-level paging with 1 GiB pages (PDPTE.PS, CPUID.80000001H:EDX[26]; SDM Vol.3 §4.5):
; two 1 GiB virtual pages over physical 0-1 GiB; store through one, load through the
; other and through the identity map; A and D as for the other sizes (see paging.asm).
; Without the feature it prints a SKIP line (paging_1g.expected2) and passes.
%define TEST_NAME "paging_1g"
%include "rom.inc"

PDPT_LM     equ 0x17000

main16:
            TO_PM32
            TO_LM64
            mov     eax, 0x80000001
            cpuid
            bt      edx, 26
            jc      .yes
            PRINTLN64 "paging_1g: SKIP (no CPUID Page1GB)"
            jmp     pass64
.yes:       mov     edi, PDPT_LM
            mov     ecx, 512
            xor     eax, eax
            rep     stosq
            mov     qword [PT_BASE + 8], PDPT_LM | 3            ; 0x8000000000
            mov     qword [PDPT_LM + 8], 0x83                   ; 0x8040000000 -> 0
            mov     qword [PDPT_LM + 16], 0x83                  ; 0x8080000000 -> 0
            mov     rax, cr3
            mov     cr3, rax
            mov     rbx, 0x8040000000
            mov     dword [rbx + 0x900070], 0x77770007
            mov     rbx, 0x8080000000
            mov     eax, [rbx + 0x900070]
            CHK64   1, rax, 0x77770007
            mov     eax, [0x900070]
            CHK64   2, rax, 0x77770007
            mov     eax, [PDPT_LM + 8]
            and     eax, 0x60
            CHK64   3, rax, 0x60
            mov     eax, [PDPT_LM + 16]
            and     eax, 0x60
            CHK64   4, rax, 0x20
            mov     eax, [PT_BASE + 8]
            and     eax, 0x20
            CHK64   5, rax, 0x20
            PRINTLN64 "paging_1g: 4-level 1G ok"
            jmp     pass64
