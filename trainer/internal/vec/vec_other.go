//go:build !amd64 || purego

package vec

func useAVX() bool { return false }

func peakAVX([]float32) (float32, bool) { panic("vec: no AVX") }

func addScaledAVX(float32, []float32, []float32) { panic("vec: no AVX") }

func blockMaxAVX([]float32, []float32) { panic("vec: no AVX") }
