package curated_test

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/curpipe/curpipe/transforms/curated"
	"github.com/curpipe/curpipe/transforms/decimal"
)

type nopCloser struct{ *bytes.Buffer }

func (nopCloser) Close() error { return nil }

func ExamplePartitioned() {
	files := map[string]*bytes.Buffer{}
	open := func(path string) (io.WriteCloser, error) {
		files[path] = new(bytes.Buffer)
		return nopCloser{files[path]}, nil
	}
	p := curated.NewPartitioned(open, "cur-00001", nil)
	for i, start := range []string{"2023-01-31T23:00:00Z", "2023-02-01T00:00:00Z", "2023-01-31T22:00:00Z"} {
		t, _ := time.Parse(time.RFC3339, start)
		err := p.Write(&curated.Record{UsageStart: t, Currency: "USD", UnblendedCost: decimal.MustParse("0.0104"),
			SourceObject: "cur-00001.csv.gz", SourceLine: int64(i + 2)})
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	written, err := p.Close()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range written {
		fmt.Println(f.Path, f.Rows)
	}
	// Output:
	// billing_period=2023-01/usage_date=2023-01-31/cur-00001.parquet 2
	// billing_period=2023-02/usage_date=2023-02-01/cur-00001.parquet 1
}
