/* Bare-metal x86_64 platform entry for mix.c on QEMU's pc board and vm's: a Multiboot v1
   kernel (a.out kludge, so QEMU loads the flat image at 1 MiB) entered in 32-bit protected
   mode, which identity-maps the first 1 GiB with 2 MiB pages, enters long mode (SDM Vol.3
   §9.8.5) and calls metal_main in 64-bit mode. */
    .set MB_MAGIC, 0x1BADB002
    .set MB_FLAGS, 0x00010000          /* bit 16: load addresses in the header */

    .section .text.init, "ax"
    .code32
    .globl _start
_start:
mb_header:
    .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
    .long mb_header, _start, __load_end, __bss_end, entry32

entry32:
    cli
    movl $__stack_top, %esp
    /* PML4[0] -> PDPT, PDPT[0] -> PD, PD[0..511] = 2 MiB pages */
    movl $pdpt + 3, pml4
    movl $pd + 3, pdpt
    movl $pd, %edi
    movl $0x83, %eax
    movl $512, %ecx
1:  movl %eax, (%edi)
    movl $0, 4(%edi)
    addl $0x200000, %eax
    addl $8, %edi
    loop 1b
    movl %cr4, %eax
    orl $0x20, %eax                    /* CR4.PAE */
    movl %eax, %cr4
    movl $pml4, %eax
    movl %eax, %cr3
    movl $0xC0000080, %ecx             /* EFER.LME */
    rdmsr
    orl $0x100, %eax
    wrmsr
    movl %cr0, %eax
    orl $0x80000001, %eax              /* CR0.PG | PE */
    movl %eax, %cr0
    lgdt gdt_desc
    ljmp $0x08, $entry64

    .code64
entry64:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movq $__stack_top, %rsp
    call metal_main
2:  hlt
    jmp 2b

    .section .rodata
    .align 8
gdt:
    .quad 0
    .quad 0x00af9a000000ffff           /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff           /* 0x10: data */
gdt_desc:
    .word gdt_desc - gdt - 1
    .long gdt

    .section .bss
    .align 4096
pml4: .skip 4096
pdpt: .skip 4096
pd:   .skip 4096
    .section .note.GNU-stack, "", @progbits
