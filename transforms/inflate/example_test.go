package inflate_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"

	"github.com/curpipe/curpipe/transforms/inflate"
)

func ExampleNewReader() {
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write([]byte("bill/PayerAccountId,lineItem/UnblendedCost\n123456789012,1.5E-7\n"))
	w.Close()

	zr, err := inflate.NewReader(&z)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer zr.Close() // frees the ISA-L state; required
	csv, err := io.ReadAll(zr)
	fmt.Printf("%q %v\n", csv, err)
	// Output: "bill/PayerAccountId,lineItem/UnblendedCost\n123456789012,1.5E-7\n" <nil>
}

func ExampleCorruptError() {
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write([]byte("some rows\n"))
	w.Close()
	b := z.Bytes()
	b[len(b)-5] ^= 1 // damage the CRC-32

	zr, err := inflate.NewReader(bytes.NewReader(b))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer zr.Close()
	_, err = io.ReadAll(zr)
	fmt.Println(errors.Is(err, inflate.ErrCorrupt), errors.Is(err, gzip.ErrChecksum))
	// Output: true true
}
