; Paging in each mode and page size (SDM Vol.3 ch.4): 32-bit 4 KiB and 4 MiB (PSE), PAE
; 4 KiB and 2 MiB, 4-level 4 KiB and 2 MiB. For each: two virtual pages map one physical
; page; a store through the first is read back through the second (and at the end through
; the identity map), and the CPU must have set A in every entry it walked, D only in the
; leaf it wrote through (§4.8). 1 GiB pages and 5-level paging: paging_1g, paging_la57.
%define TEST_NAME "paging"
%include "rom.inc"

PD32        equ 0x10000     ; 32-bit: page directory
PT32ID      equ 0x11000     ;   identity 0-4 MiB
PT32        equ 0x12000     ;   test page table
PDPT_PAE    equ 0x13000     ; PAE
PDA_PAE     equ 0x14000     ;   identity 0-2 MiB (one 2 MiB page)
PDB_PAE     equ 0x15000     ;   test directory (1-2 GiB)
PTB_PAE     equ 0x16000
PDPT_LM     equ 0x17000     ; 4-level test tables under PML4[1] (512 GiB)
PD_LM       equ 0x18000
PT_LM       equ 0x19000

; CHKAD32 n, entry address, A/D bits expected
%macro CHKAD32 3
            mov     eax, [%2]
            and     eax, 0x60
            CHK32   %1, eax, %3
%endmacro
%macro CHKAD64 3
            mov     eax, [%2]
            and     eax, 0x60
            CHK64   %1, rax, %3
%endmacro

main16:
            TO_PM32
            mov     edi, PD32
            mov     ecx, (PT_LM + 0x1000 - PD32) / 4
            xor     eax, eax
            rep     stosd

            ; ---- 32-bit paging, 4 KiB ----
            mov     dword [PD32], PT32ID | 3
            mov     edi, PT32ID
            mov     eax, 3
            mov     ecx, 1024
.id:        stosd
            add     eax, 0x1000
            loop    .id
            mov     dword [PD32 + 0x100 * 4], PT32 | 3          ; 0x40000000
            mov     dword [PT32], 0x300000 | 3
            mov     dword [PT32 + 4], 0x300000 | 3
            mov     eax, PD32
            mov     cr3, eax
            mov     eax, cr0
            or      eax, 0x80000000
            mov     cr0, eax
            mov     dword [0x40000010], 0x11110001
            CHK32   1, [0x40001010], 0x11110001
            CHKAD32 2, PT32, 0x60
            CHKAD32 3, PT32 + 4, 0x20
            CHKAD32 4, PD32 + 0x100 * 4, 0x20
            PRINTLN32 "paging: 32-bit 4K ok"

            ; ---- 32-bit paging, 4 MiB pages (CR4.PSE) ----
            mov     eax, cr4
            or      eax, 1 << 4
            mov     cr4, eax
            mov     dword [PD32 + 0x101 * 4], 0x400000 | 0x83  ; 0x40400000
            mov     dword [PD32 + 0x102 * 4], 0x400000 | 0x83  ; 0x40800000
            mov     dword [0x40400020], 0x22220002
            CHK32   5, [0x40800020], 0x22220002
            CHKAD32 6, PD32 + 0x101 * 4, 0x60
            CHKAD32 7, PD32 + 0x102 * 4, 0x20
            PRINTLN32 "paging: 32-bit 4M (PSE) ok"
            mov     eax, cr0
            and     eax, 0x7FFFFFFF
            mov     cr0, eax

            ; ---- PAE, 4 KiB and 2 MiB ----
            mov     dword [PDPT_PAE], PDA_PAE | 1                ; PDPTEs: P only
            mov     dword [PDPT_PAE + 8], PDB_PAE | 1           ; 1-2 GiB
            mov     dword [PDA_PAE], 0x83                        ; 0-2 MiB identity
            mov     dword [PDB_PAE], PTB_PAE | 3
            mov     dword [PTB_PAE], 0x301000 | 3
            mov     dword [PTB_PAE + 8], 0x301000 | 3
            mov     dword [PDB_PAE + 8], 0x600000 | 0x83         ; 0x40200000
            mov     dword [PDB_PAE + 16], 0x600000 | 0x83        ; 0x40400000
            mov     eax, cr4
            or      eax, 1 << 5
            mov     cr4, eax
            mov     eax, PDPT_PAE
            mov     cr3, eax
            mov     eax, cr0
            or      eax, 0x80000000
            mov     cr0, eax
            mov     dword [0x40000030], 0x33330003
            CHK32   10, [0x40001030], 0x33330003
            CHKAD32 11, PTB_PAE, 0x60
            CHKAD32 12, PTB_PAE + 8, 0x20
            CHKAD32 13, PDB_PAE, 0x20
            PRINTLN32 "paging: PAE 4K ok"
            mov     dword [0x40200040], 0x44440004
            CHK32   14, [0x40400040], 0x44440004
            CHKAD32 15, PDB_PAE + 8, 0x60
            CHKAD32 16, PDB_PAE + 16, 0x20
            PRINTLN32 "paging: PAE 2M ok"
            mov     eax, cr0
            and     eax, 0x7FFFFFFF
            mov     cr0, eax

            ; ---- 4-level, 4 KiB and 2 MiB, under PML4[1] ----
            TO_LM64
            mov     qword [PT_BASE + 8], PDPT_LM | 3            ; 0x8000000000
            mov     qword [PDPT_LM], PD_LM | 3
            mov     qword [PD_LM], PT_LM | 3
            mov     qword [PT_LM], 0x302000 | 3
            mov     qword [PT_LM + 8], 0x302000 | 3
            mov     qword [PD_LM + 8], 0x800000 | 0x83          ; 0x8000200000
            mov     qword [PD_LM + 16], 0x800000 | 0x83         ; 0x8000400000
            mov     rax, cr3
            mov     cr3, rax
            mov     rbx, 0x8000000000
            mov     dword [rbx + 0x50], 0x55550005
            mov     eax, [rbx + 0x1050]
            CHK64   20, rax, 0x55550005
            CHKAD64 21, PT_LM, 0x60
            CHKAD64 22, PT_LM + 8, 0x20
            CHKAD64 23, PD_LM, 0x20
            CHKAD64 24, PDPT_LM, 0x20
            CHKAD64 25, PT_BASE + 8, 0x20
            PRINTLN64 "paging: 4-level 4K ok"
            mov     rbx, 0x8000200000
            mov     dword [rbx + 0x60], 0x66660006
            mov     rbx, 0x8000400000
            mov     eax, [rbx + 0x60]
            CHK64   26, rax, 0x66660006
            CHKAD64 27, PD_LM + 8, 0x60
            CHKAD64 28, PD_LM + 16, 0x20
            PRINTLN64 "paging: 4-level 2M ok"

            ; every store reached the physical page the tables named
            mov     eax, [0x300010]
            CHK64   30, rax, 0x11110001
            mov     eax, [0x400020]
            CHK64   31, rax, 0x22220002
            mov     eax, [0x301030]
            CHK64   32, rax, 0x33330003
            mov     eax, [0x600040]
            CHK64   33, rax, 0x44440004
            mov     eax, [0x302050]
            CHK64   34, rax, 0x55550005
            mov     eax, [0x800060]
            CHK64   35, rax, 0x66660006
            PRINTLN64 "paging: physical pages ok"
            jmp     pass64
