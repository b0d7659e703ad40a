package dynamodbio

import (
	"context"
	"maps"
	"testing"
)

func TestDocs(t *testing.T) {
	ctx := context.Background()
	tbl := createdTable(t)
	if got, err := tbl.Docs(ctx, "anomalies"); err != nil || len(got) != 0 {
		t.Fatalf("an empty collection: %v, %v", got, err)
	}
	docs := map[string]string{"a|1": "first", "b|2": "second,\nwith a line break", "c|3": "third"}
	if err := tbl.PutDocs(ctx, "anomalies", docs); err != nil {
		t.Fatal(err)
	}
	if err := tbl.PutDocs(ctx, "anomalies", map[string]string{"a|1": "replaced"}); err != nil {
		t.Fatal(err)
	}
	if err := tbl.PutDocs(ctx, "other", map[string]string{"x": "elsewhere"}); err != nil {
		t.Fatal(err)
	}
	docs["a|1"] = "replaced"
	got, err := tbl.Docs(ctx, "anomalies") // three pages of two
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got, docs) {
		t.Errorf("Docs = %v, want %v", got, docs)
	}
	// The totals do not see them.
	if tab, err := tbl.Query(ctx, "2024-01-01", "2024-01-31"); err != nil || len(tab) != 0 {
		t.Errorf("Query beside documents: %v, %v", tab, err)
	}
}
