package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/curpipe/curpipe/io/lake"
	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/io/snsio"
)

// An unsent notification is kept in the lake until it is sent: SNS can be
// down longer than a run retries, and the report it tells of is committed
// all the same. The next time the same version of the report comes
// through (a rerun, or its queue message's redelivery) it is skipped as
// committed, and its kept message is sent then.
type unsent struct {
	ReportID string        `json:"report_id"`
	Version  string        `json:"version"`
	Message  snsio.Message `json:"message"`
}

// keepUnsent records m as not sent.
func keepUnsent(ctx context.Context, output, reportID, version string, m snsio.Message) (string, error) {
	u := lake.UnsentURL(output, reportID, version)
	b, err := json.Marshal(unsent{ReportID: reportID, Version: version, Message: m})
	if err != nil {
		return u, err
	}
	return u, objstore.WriteAll(ctx, u, b)
}

// loadUnsent reads the notification kept for a report's version; ok is
// false when there is none.
func loadUnsent(ctx context.Context, output, reportID, version string) (m snsio.Message, u string, ok bool, err error) {
	u = lake.UnsentURL(output, reportID, version)
	b, err := objstore.ReadAll(ctx, u)
	if errors.Is(err, objstore.ErrNotFound) {
		return m, u, false, nil
	}
	if err != nil {
		return m, u, false, err
	}
	var k unsent
	if err := json.Unmarshal(b, &k); err != nil {
		return m, u, false, fmt.Errorf("read %s: %w", u, err)
	}
	if k.ReportID != reportID || k.Version != version {
		return m, u, false, nil // another report's, by a collision of names
	}
	return k.Message, u, true, nil
}
