package main

import (
	"fmt"
	"os"

	curalert "github.com/curpipe/curpipe/transforms/alert"
	"github.com/curpipe/curpipe/transforms/anomaly"
)

// storedDetector names the anomalies curpipe's own stage stored in a run's
// lake: the model as the pipeline runs it (history read back from the
// totals, payer totals its series explain left out), not replayed here.
var storedDetector = detector{name: "curpipe run (stored)", pipeline: true}

// loadStored reads the anomalies a curpipe run stored (its lake's
// anomalies/anomalies.csv) as alerts.
func loadStored(path string) ([]alert, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := curalert.ReadCSV(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make([]alert, 0, len(recs))
	for _, r := range recs {
		start, err := anomaly.ParseDay(r.Start)
		if err != nil {
			return nil, fmt.Errorf("%s: anomaly %s: %w", path, r.ID(), err)
		}
		out = append(out, alert{key: anomaly.Key{Payer: r.Payer, Account: r.Account, Service: r.Service}, start: start,
			kind: r.Kind, up: r.Impact.Sign() > 0, resolved: r.Status == curalert.Resolved})
	}
	return out, nil
}
