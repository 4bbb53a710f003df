//go:build !purego

#include "textflag.h"

// func gemvTAVX(t []float64, a []float64, lda int, y []float64)
// y[c] += Σ_i t[i]·a[i·lda + c] for c < len(y), rows in order, each product
// rounded before it is added (VMULPD then VADDPD, never fused), as gonum's
// GemvT. Columns go 32 at a time in eight accumulators, then 4, then 1.
// Requires AVX and the rows in range.
TEXT ·gemvTAVX(SB), NOSPLIT, $0-80
	MOVQ t_base+0(FP), R9
	MOVQ t_len+8(FP), R10
	MOVQ a_base+24(FP), SI
	MOVQ lda+48(FP), R8
	SHLQ $3, R8
	MOVQ y_base+56(FP), DI
	MOVQ y_len+64(FP), CX

gt32:
	CMPQ    CX, $32
	JL      gt4
	VMOVUPD (DI), Y0
	VMOVUPD 32(DI), Y1
	VMOVUPD 64(DI), Y2
	VMOVUPD 96(DI), Y3
	VMOVUPD 128(DI), Y4
	VMOVUPD 160(DI), Y5
	VMOVUPD 192(DI), Y6
	VMOVUPD 224(DI), Y7
	MOVQ    SI, AX
	XORQ    BX, BX

gt32row:
	CMPQ         BX, R10
	JGE          gt32store
	VBROADCASTSD (R9)(BX*8), Y8
	VMULPD       (AX), Y8, Y9
	VMULPD       32(AX), Y8, Y10
	VMULPD       64(AX), Y8, Y11
	VMULPD       96(AX), Y8, Y12
	VADDPD       Y9, Y0, Y0
	VADDPD       Y10, Y1, Y1
	VADDPD       Y11, Y2, Y2
	VADDPD       Y12, Y3, Y3
	VMULPD       128(AX), Y8, Y13
	VMULPD       160(AX), Y8, Y14
	VMULPD       192(AX), Y8, Y15
	VMULPD       224(AX), Y8, Y9
	VADDPD       Y13, Y4, Y4
	VADDPD       Y14, Y5, Y5
	VADDPD       Y15, Y6, Y6
	VADDPD       Y9, Y7, Y7
	ADDQ         R8, AX
	INCQ         BX
	JMP          gt32row

gt32store:
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	VMOVUPD Y4, 128(DI)
	VMOVUPD Y5, 160(DI)
	VMOVUPD Y6, 192(DI)
	VMOVUPD Y7, 224(DI)
	ADDQ    $256, DI
	ADDQ    $256, SI
	SUBQ    $32, CX
	JMP     gt32

gt4:
	CMPQ    CX, $4
	JL      gt1
	VMOVUPD (DI), Y0
	MOVQ    SI, AX
	XORQ    BX, BX

gt4row:
	CMPQ         BX, R10
	JGE          gt4store
	VBROADCASTSD (R9)(BX*8), Y8
	VMULPD       (AX), Y8, Y9
	VADDPD       Y9, Y0, Y0
	ADDQ         R8, AX
	INCQ         BX
	JMP          gt4row

gt4store:
	VMOVUPD Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	SUBQ    $4, CX
	JMP     gt4

gt1:
	TESTQ  CX, CX
	JE     gtdone
	VMOVSD (DI), X0
	MOVQ   SI, AX
	XORQ   BX, BX

gt1row:
	CMPQ   BX, R10
	JGE    gt1store
	VMOVSD (R9)(BX*8), X8
	VMULSD (AX), X8, X9
	VADDSD X9, X0, X0
	ADDQ   R8, AX
	INCQ   BX
	JMP    gt1row

gt1store:
	VMOVSD X0, (DI)
	ADDQ   $8, DI
	ADDQ   $8, SI
	DECQ   CX
	JMP    gt1

gtdone:
	VZEROUPPER
	RET

// func axpySkipAVX(alpha float64, x, y []float64)
// y[c] += alpha·x[c] (rounded, then added) wherever x[c] ≠ 0, for c <
// len(x) rounded down to 4: a blend keeps y where x is zero, as gonum's
// Dtrsm skips zero entries. Requires AVX and len(y) ≥ len(x).
TEXT ·axpySkipAVX(SB), NOSPLIT, $0-56
	VBROADCASTSD alpha+0(FP), Y0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	MOVQ         y_base+32(FP), DI
	VXORPD       Y7, Y7, Y7

as4:
	CMPQ      CX, $4
	JL        asdone
	VMOVUPD   (SI), Y1
	VMOVUPD   (DI), Y3
	VMULPD    Y1, Y0, Y2
	VADDPD    Y2, Y3, Y4
	VCMPPD    $4, Y7, Y1, Y5
	VBLENDVPD Y5, Y4, Y3, Y6
	VMOVUPD   Y6, (DI)
	ADDQ      $32, SI
	ADDQ      $32, DI
	SUBQ      $4, CX
	JMP       as4

asdone:
	VZEROUPPER
	RET
