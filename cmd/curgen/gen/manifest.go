package gen

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"time"

	"github.com/parquet-go/parquet-go"
)

// manifestColumn is a column as manifests list it.
type manifestColumn struct {
	Category string `json:"category,omitempty"`
	Name     string `json:"name"`
	Type     string `json:"type"`
}

type billingPeriod struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// cur1Manifest is a CUR 1.0 <report>-Manifest.json.
type cur1Manifest struct {
	AssemblyID             string           `json:"assemblyId"`
	Account                string           `json:"account"`
	Columns                []manifestColumn `json:"columns"`
	Charset                string           `json:"charset"`
	Compression            string           `json:"compression"`
	ContentType            string           `json:"contentType"`
	ReportID               string           `json:"reportId"`
	ReportName             string           `json:"reportName"`
	BillingPeriod          billingPeriod    `json:"billingPeriod"`
	Bucket                 string           `json:"bucket"`
	ReportKeys             []string         `json:"reportKeys"`
	AdditionalArtifactKeys []string         `json:"additionalArtifactKeys"`
}

// cur2Manifest is a CUR 2.0 (Data Exports) manifest.
type cur2Manifest struct {
	ExecutionID   string           `json:"executionId"`
	ExportARN     string           `json:"exportArn"`
	ExportName    string           `json:"exportName"`
	BillingPeriod billingPeriod    `json:"billingPeriod"`
	Bucket        string           `json:"bucket"`
	DataFiles     []string         `json:"dataFiles"`
	Columns       []manifestColumn `json:"columns"`
	Compression   string           `json:"compression"`
	ContentType   string           `json:"contentType"`
}

// writeManifests writes what goes beside the data files: for CUR 1.0 CSV,
// each version's assembly manifest and the date-range manifest (a copy of
// the current one, as AWS overwrites it); for CUR 2.0, the manifest of the
// current version, which names its files and no other; for Athena, the
// readiness marker. It returns the paths written.
func (d *dataset) writeManifests(out string, jobs []*job) ([]string, error) {
	type key struct{ per, v int }
	files := map[key][]string{}
	for _, j := range jobs {
		k := key{j.per.index, j.version}
		files[k] = append(files[k], j.path)
	}
	var written []string
	put := func(rel string, v any, mtime time.Time) error {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return fmt.Errorf("curgen: manifest %s: %w", rel, err)
		}
		written = append(written, rel)
		return writeDated(out, rel, b, mtime)
	}
	cfg := d.cfg
	for pi := range d.periods {
		per := &d.periods[pi]
		switch cfg.Format {
		case CUR1CSV:
			for v := 0; v < cfg.Versions; v++ {
				keys := files[key{pi, v}]
				sort.Strings(keys)
				m := d.cur1Manifest(per, v, keys)
				asm := path.Join(d.rangeDir(per), m.AssemblyID, cfg.Report+"-Manifest.json")
				if err := put(asm, m, d.delivered(per, v)); err != nil {
					return nil, err
				}
				if v == cfg.Versions-1 {
					top := path.Join(d.rangeDir(per), cfg.Report+"-Manifest.json")
					if err := put(top, m, d.delivered(per, v)); err != nil {
						return nil, err
					}
				}
			}
		case CUR2Parquet, FOCUSCSV:
			v := cfg.Versions - 1
			keys := files[key{pi, v}]
			sort.Strings(keys)
			m := d.cur2Manifest(per, v, keys)
			if cfg.Format == FOCUSCSV {
				m.Columns, m.Compression, m.ContentType = focusManifestColumns(), "GZIP", "text/csv"
			}
			rel := path.Join(cfg.Prefix, cfg.Report, "metadata", "BILLING_PERIOD="+per.start.Format("2006-01"), cfg.Report+"-Manifest.json")
			// Delivered after the data files, as AWS does.
			if err := put(rel, m, d.delivered(per, v).Add(time.Minute)); err != nil {
				return nil, err
			}
		}
	}
	if cfg.Format == CUR1Parquet {
		rel := path.Join(cfg.Prefix, cfg.Report, cfg.Report, "cost_and_usage_data_status", "cost_and_usage_data_status.parquet")
		if err := writeStatus(out, rel, d.delivered(&d.periods[len(d.periods)-1], 0)); err != nil {
			return nil, err
		}
		written = append(written, rel)
	}
	return written, nil
}

func (d *dataset) cur1Manifest(per *period, v int, keys []string) cur1Manifest {
	cols := make([]manifestColumn, len(cur1Columns))
	for i, c := range cur1Columns {
		t := map[kind]string{kindString: "OptionalString", kindNumber: "OptionalBigDecimal", kindTime: "DateTime"}[c.kind]
		if c.full() == "identity/TimeInterval" {
			t = "Interval"
		}
		cols[i] = manifestColumn{Category: c.category, Name: c.name, Type: t}
	}
	id := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", d.cfg.Report, d.cfg.Seed)))
	return cur1Manifest{
		AssemblyID:  d.versionID(per, v),
		Account:     d.payers[0].id,
		Columns:     cols,
		Charset:     "UTF-8",
		Compression: "GZIP",
		ContentType: "text/csv",
		ReportID:    hex.EncodeToString(id[:]),
		ReportName:  d.cfg.Report,
		BillingPeriod: billingPeriod{
			Start: per.start.Format("20060102T150405.000Z"),
			End:   per.end.Format("20060102T150405.000Z"),
		},
		Bucket:                 d.cfg.Bucket,
		ReportKeys:             keys,
		AdditionalArtifactKeys: []string{},
	}
}

func (d *dataset) cur2Manifest(per *period, v int, keys []string) cur2Manifest {
	var cols []manifestColumn
	for _, c := range cur2Columns() {
		t := "map<string,string>"
		if c.col != nil {
			t = map[kind]string{kindString: "string", kindNumber: "double", kindTime: "timestamp"}[c.col.kind]
		}
		cols = append(cols, manifestColumn{Name: c.name, Type: t})
	}
	uris := make([]string, len(keys))
	for i, k := range keys {
		uris[i] = "s3://" + d.cfg.Bucket + "/" + k
	}
	return cur2Manifest{
		ExecutionID: d.versionID(per, v),
		ExportARN:   fmt.Sprintf("arn:aws:bcm-data-exports:us-east-1:%s:export/%s-%s", d.payers[0].id, d.cfg.Report, d.versionID(per, -1)),
		ExportName:  d.cfg.Report,
		BillingPeriod: billingPeriod{
			Start: per.start.Format("2006-01-02T15:04:05.000Z"),
			End:   per.end.Format("2006-01-02T15:04:05.000Z"),
		},
		Bucket:      d.cfg.Bucket,
		DataFiles:   uris,
		Columns:     cols,
		Compression: "Parquet",
		ContentType: "application/x-parquet",
	}
}

// writeStatus writes the Athena integration's readiness marker, a small
// Parquet file that readers must skip.
func writeStatus(out, rel string, mtime time.Time) error {
	type status struct {
		Status string `parquet:"status"`
	}
	var b bytes.Buffer
	w := parquet.NewGenericWriter[status](&b)
	if _, err := w.Write([]status{{"READY"}}); err != nil {
		return fmt.Errorf("curgen: status marker: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("curgen: status marker: %w", err)
	}
	return writeDated(out, rel, b.Bytes(), mtime)
}

// writeDated writes a small file below out and gives it a delivery time.
func writeDated(out, rel string, b []byte, mtime time.Time) error {
	name := filepath.Join(out, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return fmt.Errorf("curgen: %w", err)
	}
	if err := os.WriteFile(name, b, 0o644); err != nil {
		return fmt.Errorf("curgen: %w", err)
	}
	if err := os.Chtimes(name, mtime, mtime); err != nil {
		return fmt.Errorf("curgen: %w", err)
	}
	return nil
}
