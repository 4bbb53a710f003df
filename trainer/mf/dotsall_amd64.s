//go:build !purego

#include "textflag.h"

// func dots64FMA(y []float32, stride int, x []float32, out []float32)
// out[i] = y[i·stride : +64]·x for i < len(out), two rows at a time with x
// held in Y8–Y15. Each row's sums are dotsFMA's, in dotsFMA's order
// (chunks 0, 2, 4, 6 into one accumulator, 1, 3, 5, 7 into the other, then
// the same reduction), so the results are bit for bit those of dotsFMA.
// Requires AVX2 and FMA, len(x) == 64 and rows in range.
TEXT ·dots64FMA(SB), NOSPLIT, $0-80
	MOVQ    y_base+0(FP), SI
	MOVQ    stride+24(FP), R8
	SHLQ    $2, R8
	MOVQ    x_base+32(FP), R11
	MOVQ    out_base+56(FP), DI
	MOVQ    out_len+64(FP), CX
	VMOVUPS (R11), Y8
	VMOVUPS 32(R11), Y9
	VMOVUPS 64(R11), Y10
	VMOVUPS 96(R11), Y11
	VMOVUPS 128(R11), Y12
	VMOVUPS 160(R11), Y13
	VMOVUPS 192(R11), Y14
	VMOVUPS 224(R11), Y15
	LEAQ    (SI)(R8*1), AX

d64pair:
	CMPQ         CX, $2
	JL           d64one
	VXORPS       Y0, Y0, Y0
	VXORPS       Y1, Y1, Y1
	VXORPS       Y2, Y2, Y2
	VXORPS       Y3, Y3, Y3
	VFMADD231PS  (SI), Y8, Y0
	VFMADD231PS  (AX), Y8, Y2
	VFMADD231PS  32(SI), Y9, Y1
	VFMADD231PS  32(AX), Y9, Y3
	VFMADD231PS  64(SI), Y10, Y0
	VFMADD231PS  64(AX), Y10, Y2
	VFMADD231PS  96(SI), Y11, Y1
	VFMADD231PS  96(AX), Y11, Y3
	VFMADD231PS  128(SI), Y12, Y0
	VFMADD231PS  128(AX), Y12, Y2
	VFMADD231PS  160(SI), Y13, Y1
	VFMADD231PS  160(AX), Y13, Y3
	VFMADD231PS  192(SI), Y14, Y0
	VFMADD231PS  192(AX), Y14, Y2
	VFMADD231PS  224(SI), Y15, Y1
	VFMADD231PS  224(AX), Y15, Y3
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VEXTRACTF128 $1, Y0, X1
	VEXTRACTF128 $1, Y2, X3
	VADDPS       X1, X0, X0
	VADDPS       X3, X2, X2
	VHADDPS      X0, X0, X0
	VHADDPS      X2, X2, X2
	VHADDPS      X0, X0, X0
	VHADDPS      X2, X2, X2
	VMOVSS       X0, (DI)
	VMOVSS       X2, 4(DI)
	LEAQ         (SI)(R8*2), SI
	LEAQ         (AX)(R8*2), AX
	ADDQ         $8, DI
	SUBQ         $2, CX
	JMP          d64pair

d64one:
	TESTQ        CX, CX
	JE           d64done
	VXORPS       Y0, Y0, Y0
	VXORPS       Y1, Y1, Y1
	VFMADD231PS  (SI), Y8, Y0
	VFMADD231PS  32(SI), Y9, Y1
	VFMADD231PS  64(SI), Y10, Y0
	VFMADD231PS  96(SI), Y11, Y1
	VFMADD231PS  128(SI), Y12, Y0
	VFMADD231PS  160(SI), Y13, Y1
	VFMADD231PS  192(SI), Y14, Y0
	VFMADD231PS  224(SI), Y15, Y1
	VADDPS       Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0
	VMOVSS       X0, (DI)

d64done:
	VZEROUPPER
	RET
