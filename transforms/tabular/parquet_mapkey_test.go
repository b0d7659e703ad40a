package tabular

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// TestParquetMapKey selects single keys of CUR 2.0-like maps, over
// several row groups and pages, beside the whole map.
func TestParquetMapKey(t *testing.T) {
	s := func(v string) *string { return &v }
	rows := []cur2Row{
		{"1", 0.5, map[string]*string{"volume_api_name": s("gp2"), "instance_type": s("m5.large"), "x": nil},
			map[string]string{"user_team": "a\tb"}, nil},
		{"2", 1.25, nil, map[string]string{}, nil},
		{"3", -0.25, map[string]*string{}, nil, nil},
		{"4", 2, map[string]*string{"volume_api_name": s("")}, map[string]string{"user_team": "c"}, nil},
	}
	want := [][]string{
		{"gp2", "m5.large", "", "1", "a\tb", "", `{"user_team":"a\u0009b"}`},
		{"", "", "", "2", "", "", "{}"},
		{"", "", "", "3", "", "", "{}"},
		{"", "", "", "4", "c", "", `{"user_team":"c"}`},
	}
	var all []cur2Row
	var wantAll [][]string
	for i := range 1001 {
		all = append(all, rows[i%len(rows)])
		wantAll = append(wantAll, want[i%len(rows)])
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[cur2Row](&buf, parquet.MaxRowsPerRowGroup(300), parquet.PageBufferSize(512))
	if _, err := w.Write(all); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	names := []string{"product.volume_api_name", "product.instance_type", "product.x", "bill_payer_account_id",
		"resource_tags.user_team", "resource_tags.absent", "resource_tags"}
	got, _ := readAll(t, buf.Bytes(), names)
	if !reflect.DeepEqual(got, wantAll) {
		t.Errorf("rows differ; first rows:\n got %q\nwant %q", got[:4], wantAll[:4])
	}
	// What is neither a column nor a map's key selects nothing, and a
	// group's leaf is still refused.
	got, _ = readAll(t, buf.Bytes(), []string{"bill_payer_account_id.x", "nothing.x"})
	if got[0][0] != "" || got[0][1] != "" {
		t.Errorf("unknown names read %q", got[0])
	}
	r, err := NewParquetReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "cur2.parquet")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Select([]string{"values.list"}); !errors.Is(err, ErrColumnType) {
		t.Errorf("selecting a list's group: %v, want ErrColumnType", err)
	}
}
