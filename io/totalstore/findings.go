package totalstore

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/curpipe/curpipe/io/lake"
	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/transforms/findings"
)

func (s lakeStore) Findings(ctx context.Context) ([]findings.Finding, error) {
	return readLakeCSV(ctx, lake.FindingsURL(s.output), findings.ReadCSV)
}

// SaveFindings rewrites the lake's one file of findings; the file appears
// whole or not at all.
func (s lakeStore) SaveFindings(ctx context.Context, fs []findings.Finding) error {
	fs = slices.Clone(fs)
	findings.Sort(fs)
	var buf bytes.Buffer
	if err := findings.WriteCSV(&buf, fs); err != nil {
		return err
	}
	return objstore.WriteAll(ctx, lake.FindingsURL(s.output), buf.Bytes())
}

// findingDocs is the documents collection of the findings in a table, one
// document a finding: a payer's thousands of old snapshots would not fit
// one item.
const findingDocs = "findings"

func (s tableStore) Findings(ctx context.Context) ([]findings.Finding, error) {
	docs, err := s.t.Docs(ctx, findingDocs)
	if err != nil {
		return nil, err
	}
	out := make([]findings.Finding, 0, len(docs))
	for id, body := range docs {
		fs, err := findings.ReadCSV(strings.NewReader(body))
		if err != nil || len(fs) != 1 {
			return nil, fmt.Errorf("table %s: finding %s: %d records, %v", s.t.Name(), id, len(fs), err)
		}
		out = append(out, fs[0])
	}
	findings.Sort(out)
	return out, nil
}

// SaveFindings writes each finding's document and deletes those of
// findings no longer standing. A reader between the two sees a finding
// gone a moment late, never one missing.
func (s tableStore) SaveFindings(ctx context.Context, fs []findings.Finding) error {
	have, err := s.t.Docs(ctx, findingDocs)
	if err != nil {
		return err
	}
	docs := make(map[string]string, len(fs))
	for _, f := range fs {
		var buf bytes.Buffer
		if err := findings.WriteCSV(&buf, []findings.Finding{f}); err != nil {
			return err
		}
		if body := buf.String(); have[f.ID()] != body {
			docs[f.ID()] = body
		}
		delete(have, f.ID())
	}
	if err := s.t.PutDocs(ctx, findingDocs, docs); err != nil {
		return err
	}
	return s.t.DeleteDocs(ctx, findingDocs, slices.Sorted(maps.Keys(have)))
}
