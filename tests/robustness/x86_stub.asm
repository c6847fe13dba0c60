; Random bytes as x86 guest code, for tests/robustness_x86.sh. Built by nasm as a flat
; Multiboot v1 kernel (a.out kludge: load address from the header) for -DMODE=32 and
; -DMODE=64, and as a 64 KiB firmware ROM for -DMODE=16. Every exception vector gets a
; handler that skips one byte past the faulting instruction's start and returns, so the
; CPU keeps walking through the random region (loads/stores anywhere, segment loads,
; privileged instructions, far transfers...) instead of stopping at the first fault.
; The random bytes are appended by the test script (random.bin).

%ifndef MODE
%define MODE 32
%endif

%if MODE == 16
; ---------------------------------------------------------------- real mode ROM
    bits 16
    org 0x0000                      ; the ROM is the F000 segment (0xF0000-0xFFFFF)
rom_start:
    incbin "random.bin", 0, 0xfe00
init:                               ; IVT entries 0-31 -> skip_handler (in ROM, so the
    xor ax, ax                      ; random code cannot overwrite the handler itself)
    mov es, ax
    xor di, di
    mov cx, 32
.ivt:
    mov word [es:di], skip_handler
    mov word [es:di + 2], 0xf000
    add di, 4
    loop .ivt
    mov ss, ax
    mov sp, 0x7000
    jmp 0xf000:rom_start
skip_handler:                       ; resume one byte past the faulting instruction
    push bp
    mov bp, sp
    inc word [bp + 2]
    pop bp
    iret
    times 0xfff0 - ($ - $$) db 0xf4
reset_vector:                       ; F000:FFF0, SDM Vol.3 §9.1.4
    jmp 0xf000:init
    times 0x10000 - ($ - $$) db 0
%else
; ---------------------------------------------------------------- Multiboot v1 kernel
    bits 32
LOAD    equ 0x100000
    org LOAD
mb_header:
    dd 0x1BADB002                   ; magic
    dd 0x00010000                   ; flags: bit 16, addresses below are valid
    dd -(0x1BADB002 + 0x00010000)   ; checksum
    dd mb_header                    ; header_addr
    dd LOAD                         ; load_addr
    dd load_end                     ; load_end_addr
    dd bss_end                      ; bss_end_addr
    dd entry                        ; entry_addr

entry:                              ; 32-bit protected mode, paging off (Multiboot §3.2)
    cli
    mov esp, stack_top
    lgdt [gdt_desc]
    jmp 0x08:reload_cs32
reload_cs32:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov fs, ax
    mov gs, ax
%if MODE == 32
    ; IDT of 32 interrupt gates to handler stubs
    mov ecx, 0
.fill:
    mov eax, [stub_table + ecx*4]
    mov word [idt + ecx*8], ax
    mov word [idt + ecx*8 + 2], 0x08
    mov word [idt + ecx*8 + 4], 0x8e00
    shr eax, 16
    mov word [idt + ecx*8 + 6], ax
    inc ecx
    cmp ecx, 32
    jb .fill
    lidt [idt_desc]
    jmp random_code

%macro STUB32 1
stub_%1:
%if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17
    add esp, 4                      ; drop the error code
%endif
    inc dword [esp]                 ; resume one byte further
    iret
%endmacro
%assign i 0
%rep 32
    STUB32 i
%assign i i+1
%endrep
stub_table:
%assign i 0
%rep 32
    dd stub_ %+ i
%assign i i+1
%endrep
%else
    ; Long mode (SDM Vol.3 §9.8.5): PAE paging identity-mapping 4 GiB with 2 MiB pages,
    ; EFER.LME, CR0.PG, then a far jump to a 64-bit code segment.
    mov edi, pdpt
    mov eax, pd0 + 3
    mov ecx, 4
.pdpt:
    mov [edi], eax
    mov dword [edi + 4], 0
    add eax, 0x1000
    add edi, 8
    loop .pdpt
    mov dword [pml4], pdpt + 3
    mov edi, pd0
    mov eax, 0x83                   ; present, writable, 2 MiB
    xor edx, edx
    mov ecx, 2048
.pd:
    mov [edi], eax
    mov [edi + 4], edx
    add eax, 0x200000
    adc edx, 0
    add edi, 8
    loop .pd
    mov eax, cr4
    or eax, 1 << 5                  ; PAE
    mov cr4, eax
    mov eax, pml4
    mov cr3, eax
    mov ecx, 0xC0000080             ; EFER
    rdmsr
    or eax, 1 << 8                  ; LME
    wrmsr
    mov eax, cr0
    or eax, 1 << 31
    mov cr0, eax
    jmp 0x18:long_mode
    bits 64
long_mode:
    mov ax, 0x10
    mov ds, ax
    mov ss, ax
    mov rsp, stack_top
    xor ecx, ecx
    mov rdi, idt
.fill:
    mov rax, [stub_table + rcx*8]
    mov word [rdi], ax
    mov word [rdi + 2], 0x18
    mov word [rdi + 4], 0x8e00
    shr rax, 16
    mov word [rdi + 6], ax
    shr rax, 16
    mov dword [rdi + 8], eax
    mov dword [rdi + 12], 0
    add rdi, 16
    inc ecx
    cmp ecx, 32
    jb .fill
    lidt [idt_desc]
    jmp random_code

%macro STUB64 1
stub_%1:
%if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17
    add rsp, 8
%endif
    inc qword [rsp]
    iretq
%endmacro
%assign i 0
%rep 32
    STUB64 i
%assign i i+1
%endrep
stub_table:
%assign i 0
%rep 32
    dq stub_ %+ i
%assign i i+1
%endrep
    bits 32
%endif

    align 8
gdt:
    dq 0
    dq 0x00cf9a000000ffff           ; 0x08: 32-bit code, flat
    dq 0x00cf92000000ffff           ; 0x10: data, flat
    dq 0x00af9a000000ffff           ; 0x18: 64-bit code
gdt_end:
gdt_desc:
    dw gdt_end - gdt - 1
    dd gdt
idt_desc:
%if MODE == 32
    dw 32 * 8 - 1
%else
    dw 32 * 16 - 1
%endif
    dd idt
    dd 0

    align 16
random_code:
    incbin "random.bin"
load_end:

    section .bss
    alignb 4096
pml4:   resb 4096
pdpt:   resb 4096
pd0:    resb 4 * 4096
idt:    resb 32 * 16
        resb 16384
stack_top:
bss_end:
%endif
