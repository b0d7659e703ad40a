package baseline

import "math"

// StudentTQuantile returns the p-quantile of Student's t distribution with
// df degrees of freedom, for 0 < p < 1, by bisection on StudentTCDF.
func StudentTQuantile(p, df float64) float64 {
	if p == 0.5 {
		return 0
	}
	if p < 0.5 {
		return -StudentTQuantile(1-p, df)
	}
	lo, hi := 0.0, 1.0
	for StudentTCDF(hi, df) < p {
		lo, hi = hi, 2*hi
	}
	for range 200 {
		mid := (lo + hi) / 2
		if mid == lo || mid == hi {
			break
		}
		if StudentTCDF(mid, df) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// StudentTCDF returns P(T <= t) for Student's t with df degrees of
// freedom: for t >= 0, 1 - I_x(df/2, 1/2)/2 with x = df/(df+t²), I the
// regularized incomplete beta function.
func StudentTCDF(t, df float64) float64 {
	x := df / (df + t*t)
	tail := regIncBeta(x, df/2, 0.5) / 2
	if t >= 0 {
		return 1 - tail
	}
	return tail
}

// regIncBeta returns the regularized incomplete beta function I_x(a, b),
// from its continued fraction, evaluated by the modified Lentz method; for
// x above (a+1)/(a+b+2) through I_x(a,b) = 1 - I_{1-x}(b,a), where the
// fraction converges fast.
func regIncBeta(x, a, b float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	case x > (a+1)/(a+b+2):
		return 1 - regIncBeta(1-x, b, a)
	}
	lbeta, _ := math.Lgamma(a + b)
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	front := math.Exp(lbeta-la-lb+a*math.Log(x)+b*math.Log(1-x)) / a
	// I_x(a,b) = front × 1/(1+ d1/(1+ d2/(1+ ...))), with
	// d(2m+1) = -(a+m)(a+b+m)x / ((a+2m)(a+2m+1)) and
	// d(2m) = m(b-m)x / ((a+2m-1)(a+2m)).
	const tiny = 1e-300
	f, c, d := 1.0, 1.0, 0.0
	for i := 0; i <= 400; i++ {
		var num float64
		m := float64(i / 2)
		switch {
		case i == 0:
			num = 1
		case i%2 == 0:
			num = m * (b - m) * x / ((a + 2*m - 1) * (a + 2*m))
		default:
			num = -(a + m) * (a + b + m) * x / ((a + 2*m) * (a + 2*m + 1))
		}
		d = 1 + num*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		d = 1 / d
		c = 1 + num/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		f *= c * d
		if math.Abs(c*d-1) < 1e-15 {
			break
		}
	}
	return front * (f - 1)
}
