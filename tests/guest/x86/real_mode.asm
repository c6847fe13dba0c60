; Real mode only: 16-bit arithmetic and flags, BCD adjustments, string instructions
; with REP and segment overrides (both directions), and INT n / exceptions through the IVT.
%define TEST_NAME "real_mode"
%include "rom.inc"

%define FLAGMASK 0x8D5      ; OF SF ZF AF PF CF

main16:
            PRINTLN16 "real_mode: start"
            ; ---- arithmetic (flags from SDM Vol.2 ADD/ADC/SBB) ----
            mov     ax, 0xFFFF
            add     ax, 1
            pushf
            pop     bx
            and     bx, FLAGMASK
            CHK16   1, bx, 0x55             ; CF PF AF ZF
            stc
            mov     ax, 0x7FFF
            adc     ax, 0
            pushf
            pop     bx
            and     bx, FLAGMASK
            push    ax
            CHK16   2, bx, 0x894            ; OF SF AF PF
            pop     ax
            CHK16   3, ax, 0x8000
            stc
            mov     ax, 0
            sbb     ax, 0
            pushf
            pop     bx
            and     bx, FLAGMASK
            push    ax
            CHK16   4, bx, 0x95             ; SF AF PF CF
            pop     ax
            CHK16   5, ax, 0xFFFF
            mov     ax, 0x1234
            mov     bx, 0x100
            mul     bx
            mov     si, dx
            CHK16   6, ax, 0x3400
            CHK16   7, si, 0x0012
            mov     ax, -3
            mov     bx, 7
            imul    bx
            mov     si, dx
            CHK16   8, ax, 0xFFEB
            CHK16   9, si, 0xFFFF
            mov     dx, 1
            xor     ax, ax
            mov     bx, 7
            div     bx
            mov     si, dx
            CHK16   10, ax, 9362
            CHK16   11, si, 2
            mov     dx, 0xFFFF
            mov     ax, -100
            mov     bx, 7
            idiv    bx
            mov     si, dx
            CHK16   12, ax, -14
            CHK16   13, si, -2
            mov     ax, 0x8001
            rol     ax, 1
            CHK16   14, ax, 0x0003
            mov     ax, 0x8000
            sar     ax, 3
            CHK16   15, ax, 0xF000
            mov     ax, 0x1234
            mov     bx, 0xABCD
            shld    ax, bx, 4
            CHK16   16, ax, 0x234A
            mov     eax, 0x12345678         ; operand-size prefix in real mode
            add     eax, 0x11111111
            shr     eax, 16
            CHK16   17, ax, 0x2345
            PRINTLN16 "real_mode: arithmetic ok"

            ; ---- BCD (SDM Vol.2 DAA/DAS/AAA/AAS/AAM/AAD) ----
            mov     al, 0x19
            add     al, 0x28
            daa
            xor     ah, ah
            CHK16   20, ax, 0x47
            mov     al, 0x99
            add     al, 0x01
            daa
            setc    ah
            CHK16   21, ax, 0x0100          ; AL=00, CF=1
            mov     al, 0x42
            sub     al, 0x19
            das
            xor     ah, ah
            CHK16   22, ax, 0x23
            mov     ax, 0x0009
            add     al, 3
            aaa
            CHK16   23, ax, 0x0102
            mov     ax, 0x0205
            sub     al, 8
            aas
            CHK16   24, ax, 0x0107
            mov     ax, 0x004F
            aam
            CHK16   25, ax, 0x0709
            aad
            CHK16   26, ax, 0x004F
            aam     16
            CHK16   27, ax, 0x040F
            PRINTLN16 "real_mode: bcd ok"

            ; ---- strings: ES=0x2000, sources through CS:, FS:, GS: overrides ----
            mov     ax, 0x2000
            mov     es, ax
            mov     fs, ax
            mov     ax, 0x1FF0              ; GS base 0x1FF00 = ES base - 0x100
            mov     gs, ax
            cld
            mov     si, R(hello)
            xor     di, di
            mov     cx, 16
            cs rep  movsb
            CHK16   30, cx, 0
            CHK16   31, di, 16
            CHK16   32, [es:0], 0x6548      ; "He"
            CHK16   33, [es:14], 0x6564     ; "de"
            mov     ax, 0xA55A
            mov     di, 0x100
            mov     cx, 8
            rep     stosw
            CHK16   34, di, 0x110
            CHK16   35, [es:0x10E], 0xA55A
            mov     si, R(hello_caps)
            xor     di, di
            mov     cx, 16
            cs repe cmpsb                   ; first difference at index 12
            setz    bl
            xor     bh, bh
            CHK16   36, bx, 0
            CHK16   37, cx, 3
            CHK16   38, di, 13
            mov     al, ','
            xor     di, di
            mov     cx, 16
            repne   scasb
            CHK16   39, di, 6
            CHK16   40, cx, 10
            std                             ; backwards, FS: source
            mov     si, 14
            mov     di, 0x20E
            mov     cx, 8
            fs rep  movsw
            cld
            CHK16   41, di, 0x1FE
            CHK16   42, si, 0xFFFE
            CHK16   43, [es:0x200], 0x6548
            CHK16   44, [es:0x20E], 0x6564
            mov     si, 0x100               ; GS:0x100 = ES:0
            gs lodsw
            CHK16   45, ax, 0x6548
            PRINTLN16 "real_mode: strings ok"

            ; ---- IVT: INT n, INT3, INTO, #DE (fault: IP of the DIV) ----
            xor     ax, ax
            mov     es, ax
            mov     word [es:0x40 * 4], R(int40)
            mov     word [es:0x40 * 4 + 2], 0xF000
            mov     word [es:0 * 4], R(int_de)
            mov     word [es:0 * 4 + 2], 0xF000
            mov     word [es:3 * 4], R(int_bp)
            mov     word [es:3 * 4 + 2], 0xF000
            mov     word [es:4 * 4], R(int_of)
            mov     word [es:4 * 4 + 2], 0xF000
            mov     ax, 0x1000
            stc
            int     0x40                    ; handler adds 0x1111; IRET restores CF=1
after40:    setc    bl
            xor     bh, bh
            CHK16   50, ax, 0x2111
            CHK16   51, bx, 1
            CHK16   52, [scratch], 0xF000   ; CS pushed
            CHK16   53, [scratch + 2], R(after40)
            mov     bx, 0
            mov     ax, 100
.div:       div     bl                      ; #DE: the handler skips the 2-byte DIV
            mov     si, ax
            CHK16   54, [scratch + 2], R(.div)
            CHK16   55, si, 0xDEDE
            int3
.bp:        CHK16   56, [scratch + 2], R(.bp)
            mov     al, 0x7F
            add     al, 1                   ; OF=1
            into
.of:        CHK16   57, [scratch + 2], R(.of)
            ; LIDT moves the real-mode IVT too (SDM Vol.3 §20.1.4)
            mov     word [es:0x6000 + 0x40 * 4], R(int40b)
            mov     word [es:0x6000 + 0x40 * 4 + 2], 0xF000
            mov     bx, R(idtr_6000)
            lidt    [cs:bx]
            xor     ax, ax
            int     0x40
            mov     bx, R(idtr_rm)
            lidt    [cs:bx]
            CHK16   58, ax, 0xB0B0
            xor     ax, ax
            int     0x40
            CHK16   59, ax, 0x1111
            PRINTLN16 "real_mode: ivt ok"
            jmp     pass16

int40b:     mov     ax, 0xB0B0
            iret
idtr_6000:  dw      0x3FF
            dd      0x6000

int40:      push    bp
            mov     bp, sp
            push    ax
            mov     ax, [bp + 4]
            mov     [scratch], ax
            mov     ax, [bp + 2]
            mov     [scratch + 2], ax
            pop     ax
            add     ax, 0x1111
            pop     bp
            iret
int_de:     push    bp
            mov     bp, sp
            mov     ax, [bp + 2]
            mov     [scratch + 2], ax
            add     word [bp + 2], 2
            mov     ax, 0xDEDE
            pop     bp
            iret
int_bp:
int_of:     push    bp
            mov     bp, sp
            push    ax
            mov     ax, [bp + 2]
            mov     [scratch + 2], ax
            pop     ax
            pop     bp
            iret

hello:      db      "Hello, real mode"
hello_caps: db      "Hello, real MODE"
