; format: bin
; Multiboot v1 kernel with the a.out kludge (header flag 16: the loader uses the header's
; load addresses instead of an executable format): a flat image at 1 MiB with a .bss the
; loader must zero. Same checks as mb1_elf.
%define TEST_NAME "mb1_aout"
%define EXPECT_ARGS "answer=42 mode=test"

MB1_FLAGS   equ 0x10003             ; address fields valid, page-aligned modules, memory info

            org     0x100000
            section .text
header:     dd      0x1BADB002, MB1_FLAGS, -(0x1BADB002 + MB1_FLAGS)
            dd      header                  ; header_addr
            dd      0x100000                ; load_addr: the start of the file
            dd      load_end                ; load_end_addr
            dd      bss_end                 ; bss_end_addr
            dd      _start                  ; entry_addr

%define KERNEL_END bss_end
%include "multiboot.inc"

_start:     mov     esp, stack_top
            mov     esi, eax
            call    uart_init
            mov     eax, esi
            CHK     1, eax, 0x2BADB002
            PRINTLN "mb1_aout: Multiboot v1 magic ok"
            mov     ebp, 2
            call    check_state
            mov     ebp, 3
            call    check_bss
            PRINTLN "mb1_aout: protected mode, paging off, .bss zeroed"
            call    check_mb1
            call    check_firmware
            jmp     pass

            section .data
            align   4
load_end:
            section .bss
BSS_PROBE_LEN equ 4096
bss_probe:  resb    BSS_PROBE_LEN
            resb    4096
stack_top:
bss_end:
