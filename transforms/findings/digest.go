package findings

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// Digest is the one message that tells of a batch of new findings: a
// subject and a body for people, the body ending with the findings as
// JSON for programs.
type Digest struct {
	Subject string
	Body    string
	Total   decimal.Decimal // the estimated monthly saving of them all
}

// digestDoc is the JSON that ends a digest's body.
type digestDoc struct {
	Type     string        `json:"type"` // "findings"
	New      int           `json:"new"`
	Saving   string        `json:"estimated_monthly_saving"`
	Findings []digestEntry `json:"findings"` // the largest, at most digestJSON
}

type digestEntry struct {
	Rule         string `json:"rule"`
	ResourceID   string `json:"resource_id"`
	UsageAccount string `json:"usage_account_id"`
	Region       string `json:"region"`
	Payer        string `json:"payer_account_id"`
	FirstSeen    string `json:"first_seen"`
	LastSeen     string `json:"last_seen"`
	MonthlyCost  string `json:"monthly_cost"`
	Saving       string `json:"estimated_monthly_saving"`
}

// digestJSON bounds the findings a digest's JSON lists, so that a first
// run over years of a large organisation's bills stays within SNS's
// 256 KB message.
const digestJSON = 200

// digestLines is how many findings a digest lists; the rest are counted.
const digestLines = 20

// NewDigest summarizes new findings, largest saving first, for a person
// deciding where to look: the count and total saving by rule, then the
// largest findings one per line. fs must not be empty.
func NewDigest(fs []Finding) Digest {
	fs = append([]Finding(nil), fs...)
	Sort(fs)
	var total decimal.Sum
	byRule := map[string]*struct {
		n int
		s decimal.Sum
	}{}
	for _, f := range fs {
		total.Add(f.MonthlySaving)
		r := byRule[f.Rule]
		if r == nil {
			r = &struct {
				n int
				s decimal.Sum
			}{}
			byRule[f.Rule] = r
		}
		r.n++
		r.s.Add(f.MonthlySaving)
	}
	d := Digest{Total: total.Value()}
	d.Subject = fmt.Sprintf("curpipe: %d new savings finding%s, an estimated %s a month", len(fs), plural(len(fs)), roundCents(d.Total))
	var b strings.Builder
	fmt.Fprintf(&b, "%d new savings finding%s, estimated saving %s a month (unblended cost, as billed).\n\n", len(fs), plural(len(fs)), roundCents(d.Total))
	for _, rule := range Rules() {
		if r := byRule[rule]; r != nil {
			fmt.Fprintf(&b, "  %-26s %4d  %s a month\n", rule, r.n, roundCents(r.s.Value()))
		}
	}
	b.WriteString("\nLargest:\n")
	for i, f := range fs {
		if i == digestLines {
			fmt.Fprintf(&b, "  ... and %d more: curpipe findings lists them all\n", len(fs)-digestLines)
			break
		}
		detail := ""
		if f.Detail != "" {
			detail = " (" + f.Detail + ")"
		}
		fmt.Fprintf(&b, "  %s a month  %s  %s%s  account %s  %s  since %s\n", roundCents(f.MonthlySaving), f.Rule,
			f.ResourceID, detail, f.UsageAccount, f.Region, f.FirstSeen)
	}
	doc := digestDoc{Type: "findings", New: len(fs), Saving: d.Total.String()}
	for i, f := range fs {
		if i == digestJSON {
			break
		}
		doc.Findings = append(doc.Findings, digestEntry{Rule: f.Rule, ResourceID: f.ResourceID, UsageAccount: f.UsageAccount,
			Region: f.Region, Payer: f.Payer, FirstSeen: f.FirstSeen, LastSeen: f.LastSeen,
			MonthlyCost: f.MonthlyCost.String(), Saving: f.MonthlySaving.String()})
	}
	js, _ := json.MarshalIndent(doc, "", "  ") // strings and ints only: cannot fail
	b.WriteString("\n")
	b.Write(js)
	b.WriteString("\n")
	d.Body = b.String()
	return d
}

// roundCents prints d rounded to cents, halves away from zero: "1234.50".
func roundCents(d decimal.Decimal) string {
	s := d.Round(2).String()
	whole, frac, _ := strings.Cut(s, ".")
	return whole + "." + (frac + "00")[:2]
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
