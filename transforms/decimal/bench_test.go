package decimal

import "testing"

// Sinks keep results alive so the compiler cannot drop or stack-allocate them.
var (
	sinkDecimal Decimal
	sinkString  string
)

// curValues are typical lineItem/UnblendedCost fields.
var curValues = []string{"0.0000123", "1.6475682491", "1.81E-8", "2.5893953072562468e-05", "12.5"}

func BenchmarkParse(b *testing.B) {
	// The 20-digit mantissa (trap 1) takes the big.Int path.
	for _, s := range append(curValues, "1.2345678901234567890E-3") {
		b.Run(s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d, err := Parse(s)
				if err != nil {
					b.Fatal(err)
				}
				sinkDecimal = d
			}
		})
	}
}

func BenchmarkAdd(b *testing.B) {
	values := make([]Decimal, len(curValues))
	for i, s := range curValues {
		values[i] = MustParse(s)
	}
	// One op sums the five values from zero.
	b.Run("five", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var sum Decimal
			for _, v := range values {
				sum = sum.Add(v)
			}
			sinkDecimal = sum
		}
	})
	// One op adds one value to a running total, as a totals table does.
	b.Run("running", func(b *testing.B) {
		b.ReportAllocs()
		var sum Decimal
		i := 0
		for b.Loop() {
			sum = sum.Add(values[i])
			if i++; i == len(values) {
				i = 0
			}
		}
		sinkDecimal = sum
	})
}

func BenchmarkString(b *testing.B) {
	var sum Decimal
	for _, s := range curValues {
		d := MustParse(s)
		sum = sum.Add(d)
		b.Run(s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkString = d.String()
			}
		})
	}
	b.Run("sum", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkString = sum.String()
		}
	})
}
