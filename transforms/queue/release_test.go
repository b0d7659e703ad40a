package queue

import (
	"context"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"

	_ "github.com/curpipe/curpipe/io/localfs" // the marks' store
	"github.com/curpipe/curpipe/io/sqsio"
)

// TestRelease runs Release on prism: a hold's check then finds the mark of
// each released receipt once (removing it), and none for another receipt.
func TestRelease(t *testing.T) {
	ctx := context.Background()
	folder := ReleasesFolder(t.TempDir())
	receipts := []sqsio.Receipt{
		{Queue: "q", ID: "m1", ReceiptHandle: "AQEB/handle+1=="},
		{Queue: "q", ID: "m2", ReceiptHandle: "AQEB/handle+2=="},
	}
	p, s := beam.NewPipelineWithRoot()
	Release(s, folder, beam.CreateList(s, receipts))
	if err := ptest.Run(p); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		handle string
		want   bool
	}{
		{"AQEB/handle+1==", true},
		{"AQEB/handle+1==", false}, // the mark was removed when seen
		{"AQEB/handle+2==", true},
		{"AQEB/handle+3==", false}, // never released
	} {
		got, err := released(folder, tc.handle)(ctx)
		if err != nil || got != tc.want {
			t.Errorf("released(%s) = %v, %v; want %v", tc.handle, got, err, tc.want)
		}
	}
}
