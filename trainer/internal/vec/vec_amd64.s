//go:build !purego

#include "textflag.h"

// func peakAVX(s []float32) (top float32, nan bool)
// Four max accumulators and one NaN mask (VCMPPS unordered), 32 values a
// step, then 8; len(s) is a multiple of 8. VMAXPS is not NaN-sticky, hence
// the mask.
TEXT ·peakAVX(SB), NOSPLIT, $0-29
	MOVQ   s_base+0(FP), SI
	MOVQ   s_len+8(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4

peak32:
	CMPQ    CX, $32
	JL      peak8
	VMOVUPS (SI), Y8
	VMOVUPS 32(SI), Y9
	VMOVUPS 64(SI), Y10
	VMOVUPS 96(SI), Y11
	VMAXPS  Y8, Y0, Y0
	VMAXPS  Y9, Y1, Y1
	VMAXPS  Y10, Y2, Y2
	VMAXPS  Y11, Y3, Y3
	VCMPPS  $3, Y8, Y8, Y8
	VCMPPS  $3, Y9, Y9, Y9
	VCMPPS  $3, Y10, Y10, Y10
	VCMPPS  $3, Y11, Y11, Y11
	VORPS   Y8, Y4, Y4
	VORPS   Y9, Y4, Y4
	VORPS   Y10, Y4, Y4
	VORPS   Y11, Y4, Y4
	ADDQ    $128, SI
	SUBQ    $32, CX
	JMP     peak32

peak8:
	CMPQ    CX, $8
	JL      peakreduce
	VMOVUPS (SI), Y8
	VMAXPS  Y8, Y0, Y0
	VCMPPS  $3, Y8, Y8, Y8
	VORPS   Y8, Y4, Y4
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     peak8

peakreduce:
	VMAXPS       Y1, Y0, Y0
	VMAXPS       Y3, Y2, Y2
	VMAXPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VMAXPS       X1, X0, X0
	VPERMILPS    $0x4E, X0, X1
	VMAXPS       X1, X0, X0
	VPERMILPS    $0xB1, X0, X1
	VMAXPS       X1, X0, X0
	VMOVMSKPS    Y4, AX
	TESTL        AX, AX
	SETNE        nan+28(FP)
	VZEROUPPER
	MOVSS        X0, top+24(FP)
	RET

// func addScaledAVX(w float32, src, dst []float32)
// dst += w·src, multiply and add rounded separately; len(dst) is a multiple
// of 8 and len(src) ≥ len(dst).
TEXT ·addScaledAVX(SB), NOSPLIT, $0-56
	VBROADCASTSS w+0(FP), Y0
	MOVQ         src_base+8(FP), SI
	MOVQ         dst_base+32(FP), DI
	MOVQ         dst_len+40(FP), CX

add32:
	CMPQ    CX, $32
	JL      add8
	VMULPS  (SI), Y0, Y1
	VMULPS  32(SI), Y0, Y2
	VMULPS  64(SI), Y0, Y3
	VMULPS  96(SI), Y0, Y4
	VADDPS  (DI), Y1, Y1
	VADDPS  32(DI), Y2, Y2
	VADDPS  64(DI), Y3, Y3
	VADDPS  96(DI), Y4, Y4
	VMOVUPS Y1, (DI)
	VMOVUPS Y2, 32(DI)
	VMOVUPS Y3, 64(DI)
	VMOVUPS Y4, 96(DI)
	ADDQ    $128, SI
	ADDQ    $128, DI
	SUBQ    $32, CX
	JMP     add32

add8:
	CMPQ    CX, $8
	JL      adddone
	VMULPS  (SI), Y0, Y1
	VADDPS  (DI), Y1, Y1
	VMOVUPS Y1, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     add8

adddone:
	VZEROUPPER
	RET

DATA negInf<>+0(SB)/4, $0xff800000
GLOBL negInf<>(SB), RODATA|NOPTR, $4

// func blockMaxAVX(s []float32, out []float32)
// out[b] = the largest non-NaN value of s[32b : 32b+32], or −Inf. VMAXPS
// returns its second source when either is NaN, so each load is first
// maxed against −Inf with the load as the first source: NaN becomes −Inf.
TEXT ·blockMaxAVX(SB), NOSPLIT, $0-48
	MOVQ         s_base+0(FP), SI
	MOVQ         out_base+24(FP), DI
	MOVQ         out_len+32(FP), CX
	VBROADCASTSS negInf<>(SB), Y8

bmblock:
	TESTQ        CX, CX
	JE           bmdone
	VMOVUPS      (SI), Y0
	VMOVUPS      32(SI), Y1
	VMOVUPS      64(SI), Y2
	VMOVUPS      96(SI), Y3
	VMAXPS       Y8, Y0, Y0
	VMAXPS       Y8, Y1, Y1
	VMAXPS       Y8, Y2, Y2
	VMAXPS       Y8, Y3, Y3
	VMAXPS       Y1, Y0, Y0
	VMAXPS       Y3, Y2, Y2
	VMAXPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VMAXPS       X1, X0, X0
	VPERMILPS    $0x4E, X0, X1
	VMAXPS       X1, X0, X0
	VPERMILPS    $0xB1, X0, X1
	VMAXPS       X1, X0, X0
	VMOVSS       X0, (DI)
	ADDQ         $128, SI
	ADDQ         $4, DI
	DECQ         CX
	JMP          bmblock

bmdone:
	VZEROUPPER
	RET
