package deploy_test

import (
	"context"
	"strings"
	"testing"

	"github.com/curpipe/curpipe/transforms/cur"
	"github.com/curpipe/curpipe/transforms/report"
)

// TestPayerTemplate checks the payer-account template against curpipe
// itself: the export selects every column curpipe needs of CUR 2.0, and
// the layout it delivers (<prefix><account>/<export>/data/BILLING_PERIOD=)
// is one curpipe resolves into one CUR 2.0 report per billing period.
func TestPayerTemplate(t *testing.T) {
	tmpl := loadTemplateFile(t, "payer.yaml")
	export := at(tmpl, "Resources", "Export", "Properties", "Export")
	if export == nil {
		t.Fatal("payer.yaml has no Export")
	}
	query, _ := at(export, "DataQuery", "QueryStatement").(string)
	cols, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(query), "SELECT "), " FROM ")
	var header []string
	for _, c := range strings.Split(cols, ",") {
		header = append(header, strings.TrimSpace(c))
	}
	schema, err := cur.Detect(header)
	if err != nil {
		t.Fatalf("curpipe cannot read what the export selects: %v", err)
	}
	if schema.Format != cur.FormatCUR {
		t.Errorf("the export's columns read as %v, want CUR", schema.Format)
	}
	if !strings.HasSuffix(strings.TrimSpace(query), "FROM COST_AND_USAGE_REPORT") {
		t.Errorf("the query does not read the CUR 2.0 table: %q", query)
	}
	dest := at(export, "DestinationConfigurations", "S3Destination")
	if got := at(dest, "S3Prefix", "Fn::Sub"); got != "${ExportPrefix}${AWS::AccountId}" {
		t.Errorf("S3Prefix %v, want <ExportPrefix><account id>", got)
	}
	for k, want := range map[string]string{"Format": "PARQUET", "OutputType": "CUSTOM", "Overwrite": "OVERWRITE_REPORT"} {
		if got := at(dest, "S3OutputConfigurations", k); got != want {
			t.Errorf("S3OutputConfigurations.%s = %v, want %s", k, got, want)
		}
	}

	// What two payers' exports deliver, as the central bucket lists it.
	var objs []report.Object
	for _, key := range []string{
		"cur/111111111111/curpipe/data/BILLING_PERIOD=2024-01/curpipe-00001.snappy.parquet",
		"cur/111111111111/curpipe/data/BILLING_PERIOD=2024-02/curpipe-00001.snappy.parquet",
		"cur/222222222222/curpipe/data/BILLING_PERIOD=2024-01/curpipe-00001.snappy.parquet",
	} {
		objs = append(objs, report.Object{URL: "s3://central/" + key, Key: key, Size: 1})
	}
	reports, skipped, err := report.Resolve(context.Background(), objs, nil)
	if err != nil || len(skipped) != 0 {
		t.Fatalf("resolve: %v, skipped %v", err, skipped)
	}
	if len(reports) != 3 {
		t.Fatalf("%d reports, want one per payer and billing period: %+v", len(reports), reports)
	}
	for _, r := range reports {
		if r.Kind != "cur2" {
			t.Errorf("%s resolves as %s, want cur2", r.ID, r.Kind)
		}
	}
}
