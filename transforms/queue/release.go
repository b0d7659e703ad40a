package queue

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/io/sqsio"
)

func init() {
	register.DoFn2x0[context.Context, sqsio.Receipt](&releaseFn{})
}

// ReleasesFolder is where Release leaves its marks, under a pipeline's
// output.
func ReleasesFolder(output string) string {
	return objstore.Join(output, "_curpipe", "queue", "released")
}

// Release ends the reader's hold on the messages it is given
// (sqsio.Receipt): those of reports that failed, which must reappear on
// the queue to be retried and, after maxReceiveCount receipts, go to the
// dead-letter queue. A hold in this process ends at once; one in another
// process (the reader on another worker) is ended by a mark in folder,
// one small object per receipt, which the hold finds before its next
// extension and removes. A mark that cannot be written is logged: the
// message then reappears after the hold's limit instead. Messages that are
// deleted need no release: SQS ends their hold.
func Release(s beam.Scope, folder string, receipts beam.PCollection) {
	s = s.Scope("queue.Release")
	beam.ParDo0(s, &releaseFn{Folder: folder}, receipts)
}

type releaseFn struct {
	Folder string
}

func (f *releaseFn) ProcessElement(ctx context.Context, r sqsio.Receipt) {
	if sqsio.Unhold(r.ReceiptHandle) {
		return
	}
	if err := objstore.WriteAll(ctx, releaseMark(f.Folder, r.ReceiptHandle), nil); err != nil {
		log.Warnf(ctx, "queue.Release message %s: %v; it reappears on %s after the hold's limit", r.ID, err, r.Queue)
	}
}

// releaseMark names a receipt's mark: a digest, since receipt handles are
// long and not path-safe.
func releaseMark(folder, handle string) string {
	sum := sha256.Sum256([]byte(handle))
	return objstore.Join(folder, hex.EncodeToString(sum[:16]))
}

// released is a hold's check for Release's mark on a receipt; the mark is
// removed once seen.
func released(folder, handle string) func(context.Context) (bool, error) {
	mark := releaseMark(folder, handle)
	return func(ctx context.Context) (bool, error) {
		_, err := objstore.ReadAll(ctx, mark)
		if errors.Is(err, objstore.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		// A mark left behind is harmless: no later receipt has its handle.
		_ = objstore.Remove(ctx, mark)
		return true, nil
	}
}
