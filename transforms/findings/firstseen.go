package findings

import (
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"slices"
)

// firstSeenHeader is the header of a first-seen file.
var firstSeenHeader = []string{"resource_id", "first_seen"}

// WriteFirstSeen writes the first days resources were billed (see
// Config.FirstSeen) as CSV, sorted by resource id.
func WriteFirstSeen(w io.Writer, first map[string]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(firstSeenHeader); err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(first)) {
		if err := cw.Write([]string{id, first[id]}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadFirstSeen reads what WriteFirstSeen wrote.
func ReadFirstSeen(r io.Reader) (map[string]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(firstSeenHeader)
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 || !slices.Equal(recs[0], firstSeenHeader) {
		return nil, fmt.Errorf("first seen: header is not %v", firstSeenHeader)
	}
	out := make(map[string]string, len(recs)-1)
	for i, rec := range recs[1:] {
		if !validDay(rec[1]) {
			return nil, fmt.Errorf("first seen: line %d: %q is not YYYY-MM-DD", i+2, rec[1])
		}
		out[rec[0]] = rec[1]
	}
	return out, nil
}
