package decimal_test

import (
	"errors"
	"fmt"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// Costs arrive in Java's Double.toString notation and sum without rounding.
func Example() {
	a, err := decimal.Parse("1.81E-8")
	if err != nil {
		panic(err)
	}
	b := decimal.MustParse("2.5893953072562468e-05")
	fmt.Println(a)
	fmt.Println(a.Add(b))

	var total decimal.Decimal
	tenth := decimal.MustParse("0.1")
	for range 10000 {
		total = total.Add(tenth)
	}
	fmt.Println(total, total.Equal(decimal.MustParse("1000")))
	// Output:
	// 0.0000000181
	// 0.000025912053072562468
	// 1000 true
}

func ExampleParse() {
	for _, s := range []string{"-0.0", "1.", "NULL", "1e999999999"} {
		d, err := decimal.Parse(s)
		switch {
		case errors.Is(err, decimal.ErrSyntax):
			fmt.Println("not a number:", err)
		case errors.Is(err, decimal.ErrRange):
			fmt.Println("too large or too small:", err)
		default:
			fmt.Println(d)
		}
	}
	// Output:
	// 0
	// 1
	// not a number: decimal: parsing "NULL": invalid syntax
	// too large or too small: decimal: parsing "1e999999999": exponent out of range
}
