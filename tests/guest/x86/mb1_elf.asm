; format: elf
; Multiboot v1 kernel in ELF32: checks the boot magic, the machine state, that the ELF
; loader zeroed .bss, and the information structure (memory sizes, memory map, command
; line, both modules' command lines and exact contents).
%define TEST_NAME "mb1_elf"
%define EXPECT_ARGS "answer=42 mode=test"

MB1_FLAGS   equ 0x3                 ; page-aligned modules, memory information

            section .multiboot progbits alloc noexec nowrite align=4
            dd      0x1BADB002, MB1_FLAGS, -(0x1BADB002 + MB1_FLAGS)

            extern  _end
%define KERNEL_END _end
%include "multiboot.inc"

            global  _start
_start:     mov     esp, stack_top
            mov     esi, eax
            call    uart_init
            mov     eax, esi
            CHK     1, eax, 0x2BADB002
            PRINTLN "mb1_elf: Multiboot v1 magic ok"
            mov     ebp, 2
            call    check_state
            mov     ebp, 3
            call    check_bss
            PRINTLN "mb1_elf: protected mode, paging off, .bss zeroed"
            call    check_mb1
            call    check_firmware
            jmp     pass

            section .bss
BSS_PROBE_LEN equ 4096
bss_probe:  resb    BSS_PROBE_LEN
            resb    4096
stack_top:
