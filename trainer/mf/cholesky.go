package mf

import "math"

// The fold-in of every scored history solves one 64 × 64 system, and
// gonum's Cholesky spends more time in argument checks, call overhead and
// two-lane SSE than in arithmetic at that size. The functions here redo
// LAPACK's unblocked Dpotf2 (upper) and Potrs for one right-hand side as
// gonum computes them, the same operations in the same order, with the
// inner loops in four-lane AVX where gonum's are independent per element,
// so the factor and the solution are bit for bit gonum's. Explicit float64
// conversions keep the compiler from fusing a multiply and an add, which
// gonum's assembly never does.

// maxUnblocked is the largest order Dpotrf factors unblocked (Ilaenv's
// block size); larger systems go to gonum.
const maxUnblocked = 64

// potf2 factors the symmetric positive definite k × k matrix whose upper
// triangle is in a (row-major) as uᵀ·u, u overwriting that triangle, as
// gonum's Dpotf2(Upper) does: for each row j, the diagonal from a two-lane
// strided dot of column j (Ddot), then the rest of the row minus Σ_{i<j}
// u[i][j]·u[i][·] (Dgemv, rows in order), scaled by 1/u[j][j] (Dscal). col
// (len ≥ k) is scratch: column j, negated, read once for both. It reports
// false, as Dpotf2, when a is not positive definite.
func potf2(k int, a, col []float64) bool {
	a = a[:k*k]
	for j := 0; j < k; j++ {
		t := col[:j]
		for i := range t {
			t[i] = -a[i*k+j] // Dgemv's alpha·x with alpha = −1
		}
		ajj := a[j*k+j]
		if j != 0 {
			ajj -= selfDot(t) // (−x)² = x²: Ddot of the column
		}
		if ajj <= 0 || math.IsNaN(ajj) {
			a[j*k+j] = ajj
			return false
		}
		ajj = math.Sqrt(ajj)
		a[j*k+j] = ajj
		if j == k-1 {
			break
		}
		if j > 0 {
			updateRow(a, k, j, t)
		}
		row := a[j*k+j+1 : j*k+k]
		if s := 1 / ajj; s == 0 {
			clear(row) // Dscal's alpha = 0 case
		} else {
			for c := range row {
				row[c] *= s
			}
		}
	}
	return true
}

// window is the width gemvT computes in registers at once.
const window = 32

// updateRow adds Σ_i t[i]·a[i][c] to a[j][c] for every c > j (Dgemv's part
// of row j), in windows of 32 columns: each column is a chain of adds down
// the rows, so a pass over the rows costs the same for 4 columns as for
// 32. The last, narrower stretch is done as the window of the matrix's last
// 32 columns, the ones left of the stretch computed too and then put back
// as they were.
func updateRow(a []float64, k, j int, t []float64) {
	lo := j + 1
	if k < window || !wideGemvT() {
		gemvT(t, a[lo:], k, a[j*k+lo:j*k+k])
		return
	}
	for ; k-lo >= window; lo += window {
		gemvT(t, a[lo:], k, a[j*k+lo:j*k+lo+window])
	}
	if lo == k {
		return
	}
	start := k - window
	var kept [window]float64
	n := copy(kept[:], a[j*k+start:j*k+lo])
	gemvT(t, a[start:], k, a[j*k+start:j*k+k])
	copy(a[j*k+start:j*k+lo], kept[:n])
}

// selfDot is gonum's DotInc of x with itself: even elements summed in one
// lane, odd ones in the other, an odd last element into the odd lane, the
// lanes added at the end.
func selfDot(x []float64) float64 {
	var even, odd float64
	i := 0
	for ; i+1 < len(x); i += 2 {
		even += float64(x[i] * x[i])
		odd += float64(x[i+1] * x[i+1])
	}
	if i < len(x) {
		odd += float64(x[i] * x[i])
	}
	return even + odd
}

// gemvTGo is gemvT's portable form: y[c] += Σ_i t[i]·a[i·lda+c], rows in
// order, each product rounded before it is added, as gonum's GemvT.
func gemvTGo(t, a []float64, lda int, y []float64) {
	for i, ti := range t {
		row := a[i*lda : i*lda+len(y)]
		for c, v := range row {
			y[c] += float64(ti * v)
		}
	}
}

// axpySkipGo is axpySkip's portable form: y[c] += alpha·x[c] wherever
// x[c] ≠ 0, as gonum's Dtrsm skips zero entries of the triangle.
func axpySkipGo(alpha float64, x, y []float64) {
	y = y[:len(x)]
	for c, v := range x {
		if v != 0 {
			y[c] += float64(alpha * v)
		}
	}
}

// solveCholesky overwrites b with the solution of uᵀ·u·x = b for the upper
// triangular factor u (row-major k × k), as LAPACK's Potrs with gonum's
// Dtrsm does for one column: forward, each b[i] finished (times
// 1/u[i][i]) and then taken out of the later ones row by row; backward,
// each b[i] summed over the later ones in order, then scaled.
func solveCholesky(k int, u, b []float64) {
	u, b = u[:k*k], b[:k]
	for i := 0; i < k; i++ { // uᵀ·z = b
		b[i] *= 1 / u[i*k+i]
		axpySkip(-b[i], u[i*k+i+1:i*k+k], b[i+1:])
	}
	for i := k - 1; i >= 0; i-- { // u·x = z
		bi := b[i]
		for j, v := range u[i*k+i+1 : i*k+k] {
			if v != 0 {
				bi += float64(-v * b[i+1+j])
			}
		}
		b[i] = bi * (1 / u[i*k+i])
	}
}
