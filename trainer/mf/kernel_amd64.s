//go:build !purego

#include "textflag.h"

// func dotFMA(x, y []float32) float32
// Requires AVX2 and FMA and len(y) >= len(x).
TEXT ·dotFMA(SB), NOSPLIT, $0-52
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	MOVQ   y_base+24(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

dot32:
	CMPQ        CX, $32
	JL          dot8
	VMOVUPS     (SI), Y4
	VMOVUPS     32(SI), Y5
	VMOVUPS     64(SI), Y6
	VMOVUPS     96(SI), Y7
	VFMADD231PS (DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ        $128, SI
	ADDQ        $128, DI
	SUBQ        $32, CX
	JMP         dot32

dot8:
	CMPQ        CX, $8
	JL          dotsum
	VMOVUPS     (SI), Y4
	VFMADD231PS (DI), Y4, Y0
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         dot8

dotsum:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0

dot1:
	TESTQ       CX, CX
	JE          dotdone
	VMOVSS      (SI), X1
	VFMADD231SS (DI), X1, X0
	ADDQ        $4, SI
	ADDQ        $4, DI
	DECQ        CX
	JMP         dot1

dotdone:
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET

// func axpyFMA(alpha float32, x, y []float32)
// y += alpha·x. Requires AVX2 and FMA and len(y) >= len(x).
TEXT ·axpyFMA(SB), NOSPLIT, $0-56
	VBROADCASTSS alpha+0(FP), Y0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	MOVQ         y_base+32(FP), DI

axpy32:
	CMPQ        CX, $32
	JL          axpy8
	VMOVUPS     (DI), Y1
	VMOVUPS     32(DI), Y2
	VMOVUPS     64(DI), Y3
	VMOVUPS     96(DI), Y4
	VFMADD231PS (SI), Y0, Y1
	VFMADD231PS 32(SI), Y0, Y2
	VFMADD231PS 64(SI), Y0, Y3
	VFMADD231PS 96(SI), Y0, Y4
	VMOVUPS     Y1, (DI)
	VMOVUPS     Y2, 32(DI)
	VMOVUPS     Y3, 64(DI)
	VMOVUPS     Y4, 96(DI)
	ADDQ        $128, SI
	ADDQ        $128, DI
	SUBQ        $32, CX
	JMP         axpy32

axpy8:
	CMPQ        CX, $8
	JL          axpy1
	VMOVUPS     (DI), Y1
	VFMADD231PS (SI), Y0, Y1
	VMOVUPS     Y1, (DI)
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         axpy8

axpy1:
	TESTQ       CX, CX
	JE          axpydone
	VMOVSS      (DI), X1
	VFMADD231SS (SI), X0, X1
	VMOVSS      X1, (DI)
	ADDQ        $4, SI
	ADDQ        $4, DI
	DECQ        CX
	JMP         axpy1

axpydone:
	VZEROUPPER
	RET

// func combineFMA(y []float32, stride int, idx []int32, w []float32, out []float32)
// out[j] += Σ_t w[t]·y[idx[t]·stride + j] for j < len(out) rounded down to 8.
// Columns go in blocks of 64 held in eight registers while the rows stream
// past, so the loop is bound by FMA throughput, not by a reduction.
TEXT ·combineFMA(SB), NOSPLIT, $0-104
	MOVQ y_base+0(FP), SI
	MOVQ stride+24(FP), R8
	SHLQ $2, R8
	MOVQ idx_base+32(FP), R9
	MOVQ idx_len+40(FP), R10
	MOVQ w_base+56(FP), R11
	MOVQ out_base+80(FP), DI
	MOVQ out_len+88(FP), CX
	XORQ DX, DX

cblock64:
	CMPQ    CX, $64
	JL      cblock8
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	VMOVUPS 128(DI), Y4
	VMOVUPS 160(DI), Y5
	VMOVUPS 192(DI), Y6
	VMOVUPS 224(DI), Y7
	XORQ    BX, BX

crow64:
	CMPQ         BX, R10
	JGE          cstore64
	MOVLQSX      (R9)(BX*4), AX
	IMULQ        R8, AX
	ADDQ         SI, AX
	ADDQ         DX, AX
	VBROADCASTSS (R11)(BX*4), Y8
	VFMADD231PS  (AX), Y8, Y0
	VFMADD231PS  32(AX), Y8, Y1
	VFMADD231PS  64(AX), Y8, Y2
	VFMADD231PS  96(AX), Y8, Y3
	VFMADD231PS  128(AX), Y8, Y4
	VFMADD231PS  160(AX), Y8, Y5
	VFMADD231PS  192(AX), Y8, Y6
	VFMADD231PS  224(AX), Y8, Y7
	INCQ         BX
	JMP          crow64

cstore64:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	VMOVUPS Y4, 128(DI)
	VMOVUPS Y5, 160(DI)
	VMOVUPS Y6, 192(DI)
	VMOVUPS Y7, 224(DI)
	ADDQ    $256, DI
	ADDQ    $256, DX
	SUBQ    $64, CX
	JMP     cblock64

cblock8:
	CMPQ    CX, $8
	JL      cdone
	VMOVUPS (DI), Y0
	XORQ    BX, BX

crow8:
	CMPQ         BX, R10
	JGE          cstore8
	MOVLQSX      (R9)(BX*4), AX
	IMULQ        R8, AX
	ADDQ         SI, AX
	ADDQ         DX, AX
	VBROADCASTSS (R11)(BX*4), Y8
	VFMADD231PS  (AX), Y8, Y0
	INCQ         BX
	JMP          crow8

cstore8:
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, DX
	SUBQ    $8, CX
	JMP     cblock8

cdone:
	VZEROUPPER
	RET

// func dotsFMA(y []float32, stride int, idx []int32, x []float32, out []float32)
// out[t] = y[idx[t]·stride : +len(x)]·x for t < len(idx); len(x) must be a
// positive multiple of 8.
TEXT ·dotsFMA(SB), NOSPLIT, $0-104
	MOVQ y_base+0(FP), SI
	MOVQ stride+24(FP), R8
	SHLQ $2, R8
	MOVQ idx_base+32(FP), R9
	MOVQ idx_len+40(FP), R10
	MOVQ x_base+56(FP), R11
	MOVQ x_len+64(FP), R12
	MOVQ out_base+80(FP), DI
	XORQ BX, BX

drow:
	CMPQ    BX, R10
	JGE     ddone
	MOVLQSX (R9)(BX*4), AX
	IMULQ   R8, AX
	ADDQ    SI, AX
	VXORPS  Y0, Y0, Y0
	VXORPS  Y1, Y1, Y1
	XORQ    DX, DX
	MOVQ    R12, CX

dcol16:
	CMPQ        CX, $16
	JL          dcol8
	VMOVUPS     (AX)(DX*1), Y2
	VMOVUPS     32(AX)(DX*1), Y3
	VFMADD231PS (R11)(DX*1), Y2, Y0
	VFMADD231PS 32(R11)(DX*1), Y3, Y1
	ADDQ        $64, DX
	SUBQ        $16, CX
	JMP         dcol16

dcol8:
	CMPQ        CX, $8
	JL          dsum
	VMOVUPS     (AX)(DX*1), Y2
	VFMADD231PS (R11)(DX*1), Y2, Y0

dsum:
	VADDPS       Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0
	VMOVSS       X0, (DI)(BX*4)
	INCQ         BX
	JMP          drow

ddone:
	VZEROUPPER
	RET

// func axpbyFMA(a float32, y []float32, b float32, x []float32)
// y = a·y + b·x. Requires AVX2 and FMA and len(y) >= len(x).
TEXT ·axpbyFMA(SB), NOSPLIT, $0-64
	VBROADCASTSS a+0(FP), Y0
	MOVQ         y_base+8(FP), DI
	VBROADCASTSS b+32(FP), Y5
	MOVQ         x_base+40(FP), SI
	MOVQ         x_len+48(FP), CX

abyp32:
	CMPQ        CX, $32
	JL          abyp8
	VMULPS      (DI), Y0, Y1
	VMULPS      32(DI), Y0, Y2
	VMULPS      64(DI), Y0, Y3
	VMULPS      96(DI), Y0, Y4
	VFMADD231PS (SI), Y5, Y1
	VFMADD231PS 32(SI), Y5, Y2
	VFMADD231PS 64(SI), Y5, Y3
	VFMADD231PS 96(SI), Y5, Y4
	VMOVUPS     Y1, (DI)
	VMOVUPS     Y2, 32(DI)
	VMOVUPS     Y3, 64(DI)
	VMOVUPS     Y4, 96(DI)
	ADDQ        $128, SI
	ADDQ        $128, DI
	SUBQ        $32, CX
	JMP         abyp32

abyp8:
	CMPQ        CX, $8
	JL          abyp1
	VMULPS      (DI), Y0, Y1
	VFMADD231PS (SI), Y5, Y1
	VMOVUPS     Y1, (DI)
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         abyp8

abyp1:
	TESTQ       CX, CX
	JE          abypdone
	VMULSS      (DI), X0, X1
	VFMADD231SS (SI), X5, X1
	VMOVSS      X1, (DI)
	ADDQ        $4, SI
	ADDQ        $4, DI
	DECQ        CX
	JMP         abyp1

abypdone:
	VZEROUPPER
	RET
