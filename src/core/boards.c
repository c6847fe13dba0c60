/* The table behind --arch: one board per guest architecture. */
#include "core/board.h"

extern const board_ops riscv_virt_board;

static const board_ops *const boards[] = {
    &riscv_virt_board,
};

const board_ops *board_for_arch(vm_arch arch)
{
    for (size_t i = 0; i < sizeof boards / sizeof boards[0]; i++)
        if (boards[i]->arch == arch)
            return boards[i];
    return NULL;
}
