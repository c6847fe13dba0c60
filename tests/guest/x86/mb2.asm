; format: elf
; Multiboot2 kernel in ELF32 (spec 2.0 §3.1 header, §3.6 boot information): checks the
; magic, the machine state, .bss, and the tags: command line, both modules (command line
; and exact contents), basic memory information and the memory map. QEMU's loader is v1
; only, so the reference run is GRUB 2 (see README.md).
%define TEST_NAME "mb2"
%define EXPECT_ARGS "answer=42 mode=test"

MB2_MAGIC   equ 0xE85250D6

            section .multiboot progbits alloc noexec nowrite align=8
mb2_header: dd      MB2_MAGIC, 0, mb2_header_end - mb2_header
            dd      -(MB2_MAGIC + (mb2_header_end - mb2_header))
            align   8
            dw      1, 0                    ; information request (required)
            dd      8 + 4 * 4
            dd      1, 3, 4, 6              ; cmdline, modules, basic meminfo, mmap
            align   8
            dw      6, 0                    ; module alignment: page-aligned modules
            dd      8
            align   8
            dw      0, 0                    ; end
            dd      8
mb2_header_end:

            extern  _end
%define KERNEL_END _end
%include "multiboot.inc"

            global  _start
_start:     mov     esp, stack_top
            mov     esi, eax
            call    uart_init
            mov     eax, esi
            CHK     1, eax, 0x36D76289
            PRINTLN "mb2: Multiboot2 magic ok"
            mov     ebp, 2
            call    check_state
            mov     ebp, 3
            call    check_bss
            PRINTLN "mb2: protected mode, paging off, .bss zeroed"
            mov     [mbi], ebx
            mov     eax, ebx
            and     eax, 7
            CHK     4, eax, 0                       ; 8-byte aligned
            mov     ebx, [mbi]
            CHKRANGE 5, [ebx], 16, 0x100000         ; total_size
            mov     eax, [mbi]
            mov     edx, eax
            add     edx, [eax]
            mov     ebp, 9
            call    check_outside                   ; not over the kernel
            ; one pass to find the tags (their order is the loader's choice)
            mov     ebp, [mbi]
            mov     eax, [ebp]
            add     eax, ebp
            mov     [mbi_end], eax
            add     ebp, 8
.t:         cmp     ebp, [mbi_end]
            jae     .no_end
            mov     eax, [ebp]
            test    eax, eax
            jz      .end
            cmp     eax, 1
            jne     .n1
            mov     [tag_cmdline], ebp
.n1:        cmp     eax, 3
            jne     .n3
            mov     ecx, [nmods]
            cmp     ecx, 2
            jae     .n2
            mov     [tag_mod + ecx * 4], ebp
.n2:        inc     dword [nmods]
.n3:        cmp     eax, 4
            jne     .n4
            mov     [tag_mem], ebp
.n4:        cmp     eax, 6
            jne     .n6
            mov     [tag_mmap], ebp
.n6:        TESTRANGE 6, [ebp + 4], 8, 0x100000    ; tag size
            mov     eax, [ebp + 4]
            add     eax, 7
            and     eax, ~7
            add     ebp, eax
            jmp     .t
.no_end:    CHK     7, ebp, 0                       ; ran past total_size: no end tag
.end:       CHK     8, [ebp + 4], 8                 ; end tag size

            mov     ebx, [tag_mem]
            CHKRANGE 10, ebx, 1, 0xFFFFFFFF
            CHKRANGE 11, [ebx + 8], 512, 640        ; mem_lower
            mov     ebx, [tag_mem]
            CHKRANGE 12, [ebx + 12], 64 * 1024, 0x3FFFFF
            PRINTLN "mem_lower, mem_upper: sane"
            mov     esi, [tag_cmdline]
            CHKRANGE 13, esi, 1, 0xFFFFFFFF
            add     esi, 8
            call    check_cmdline
            CHKZ    14
            CHK     15, [nmods], 2
            mov     esi, [tag_mod]
            mov     eax, [esi + 8]
            mov     edx, [esi + 12]
            add     esi, 16
            mov     edi, s_mod1
            mov     ebx, mod1_data
            mov     ecx, mod1_len
            mov     ebp, 16
            call    check_module
            mov     esi, [tag_mod + 4]
            mov     eax, [esi + 8]
            mov     edx, [esi + 12]
            add     esi, 16
            mov     edi, s_mod2
            mov     ebx, mod2_data
            mov     ecx, mod2_len
            mov     ebp, 17
            call    check_module
            ; memory map: entry_size, entry_version, then entries of entry_size bytes
            mov     ebx, [tag_mmap]
            CHKRANGE 18, ebx, 1, 0xFFFFFFFF
            CHKRANGE 19, [ebx + 8], 24, 0x1000      ; entry_size
            mov     ebx, [tag_mmap]
            mov     ebp, ebx
            add     ebp, 16
            mov     eax, [ebx + 4]
            add     eax, ebx
            mov     [mmap_end], eax
.e:         cmp     ebp, [mmap_end]
            jae     .ed
            mov     eax, [ebp]
            mov     edx, [ebp + 4]
            mov     esi, [ebp + 8]
            mov     edi, [ebp + 12]
            mov     ecx, [ebp + 16]
            call    check_mmap_entry
            mov     ebx, [tag_mmap]
            add     ebp, [ebx + 8]
            jmp     .e
.ed:        CHK     20, [mmap_seen], 3
            PRINTLN "mmap: usable RAM at 0 and at 1 MiB"
            call    check_firmware
            jmp     pass

            section .data
            align   4
mbi_end:    dd      0
tag_cmdline: dd     0
tag_mod:    dd      0, 0
nmods:      dd      0
tag_mem:    dd      0
tag_mmap:   dd      0

            section .bss
BSS_PROBE_LEN equ 4096
bss_probe:  resb    BSS_PROBE_LEN
            resb    4096
stack_top:
