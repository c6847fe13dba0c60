; 5-level paging (CR4.LA57, CPUID.(EAX=7,ECX=0):ECX[16]; SDM Vol.3 §4.5): LA57 can only
; change with paging off, so this enters long mode with a PML5 directly. A 4 KiB page at
; 2^48 (PML5 index 1, unreachable with 4 levels) and an alias; store, load, A/D as in
; paging.asm. Without the feature it prints a SKIP line (paging_la57.expected2) and passes.
%define TEST_NAME "paging_la57"
%include "rom.inc"

PML5        equ 0x15000
PML4_B      equ 0x16000
PDPT_B      equ 0x17000
PD_B        equ 0x18000
PT_B        equ 0x19000

main16:
            TO_PM32
            xor     ecx, ecx
            mov     eax, 7
            cpuid
            bt      ecx, 16
            jc      .yes
            PRINTLN32 "paging_la57: SKIP (no CPUID LA57)"
            jmp     pass32
.yes:       call    build_lm_tables                 ; PML4 at PT_BASE: 0-1 GiB identity
            mov     edi, PML5
            mov     ecx, 5 * 4096 / 4
            xor     eax, eax
            rep     stosd
            mov     dword [PML5], PT_BASE | 3
            mov     dword [PML5 + 8], PML4_B | 3               ; 2^48
            mov     dword [PML4_B], PDPT_B | 3
            mov     dword [PDPT_B], PD_B | 3
            mov     dword [PD_B], PT_B | 3
            mov     dword [PT_B], 0x303000 | 3
            mov     dword [PT_B + 8], 0x303000 | 3
            mov     eax, cr4
            or      eax, (1 << 5) | (1 << 12)       ; PAE, LA57
            mov     cr4, eax
            mov     eax, PML5
            mov     cr3, eax
            mov     ecx, 0xC0000080
            rdmsr
            or      eax, 1 << 8
            wrmsr
            mov     eax, cr0
            or      eax, 0x80000000
            mov     cr0, eax
            jmp     SEL_CODE64:.lm
            bits    64
.lm:        mov     ax, SEL_DATA
            mov     ds, ax
            mov     es, ax
            mov     ss, ax
            mov     rsp, STACK_K
            mov     rax, cr4
            shr     eax, 12
            and     eax, 1
            CHK64   1, rax, 1
            mov     rbx, 0x0001000000000000
            mov     dword [rbx + 0x80], 0x88880008
            mov     eax, [rbx + 0x1080]
            CHK64   2, rax, 0x88880008
            mov     eax, [0x303080]
            CHK64   3, rax, 0x88880008
            mov     eax, [PT_B]
            and     eax, 0x60
            CHK64   4, rax, 0x60
            mov     eax, [PT_B + 8]
            and     eax, 0x60
            CHK64   5, rax, 0x20
            mov     eax, [PML5 + 8]
            and     eax, 0x20
            CHK64   6, rax, 0x20
            mov     eax, [PML4_B]
            and     eax, 0x20
            CHK64   7, rax, 0x20
            PRINTLN64 "paging_la57: 5-level 4K ok"
            jmp     pass64
