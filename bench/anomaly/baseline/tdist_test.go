package baseline

import (
	"math"
	"testing"
)

// Quantiles from printed tables of Student's t.
func TestStudentTQuantile(t *testing.T) {
	for _, tt := range []struct{ p, df, want float64 }{
		{0.975, 1, 12.706205},
		{0.975, 10, 2.228139},
		{0.99, 5, 3.364930},
		{0.95, 30, 1.697261},
		{0.999, 20, 3.551808},
		{0.975, 1000, 1.962339},
		{0.025, 10, -2.228139},
	} {
		if got := StudentTQuantile(tt.p, tt.df); math.Abs(got-tt.want) > 1e-5 {
			t.Errorf("StudentTQuantile(%v, %v) = %.6f, want %.6f", tt.p, tt.df, got, tt.want)
		}
	}
}
