package gen

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// payer is a management account and what its bill says about it.
type payer struct {
	id        string
	currency  string
	entity    string // bill/InvoicingEntity and lineItem/LegalEntity
	taxType   string
	discount  float64 // EDP share off usage; 0 means no net columns filled
	accounts  []*account
	invoiceNo int
}

// account is a usage (linked) account.
type account struct {
	id       string
	payer    *payer
	costCats [2]string // costCategory/BusinessUnit, costCategory/Environment
	index    int
}

// entities are AWS's invoicing entities; the commas are trap 2.
var entities = []struct{ name, tax string }{
	{"Amazon Web Services, Inc.", "Sales Tax"},
	{"Amazon Web Services EMEA SARL", "VAT"},
	{"Amazon Web Services Canada, Inc.", "Canada Tax"},
	{"Amazon Web Services Japan G.K.", "JCT"},
}

// currencies cycle over the payers: most bill in USD, a few in another
// currency, so that totals must keep currencies apart (trap 8).
var currencies = []string{"USD", "USD", "EUR", "USD", "JPY", "USD"}

// Tag values. Some hold commas and quotes, which CSV must quote.
var (
	tagNames     = []string{"web-1", "api-server", "batch worker, nightly", "etl", "frontend", "ml-training", "bastion", "db-primary"}
	tagEnvs      = []string{"prod", "staging", "dev", "test"}
	tagTeams     = []string{"platform", "data", "payments", "search", "growth", "security"}
	tagCenters   = []string{"CC-1001", "CC-1002", "CC-2040", "CC-3300", "CC-7788"}
	tagProjects  = []string{"atlas", "hermes", "the \"big\" migration", "zephyr", "orion"}
	tagOwners    = []string{"alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com"}
	tagCreatedBy = []string{"IAMUser:AIDAEXAMPLE1:alice", "AssumedRole:AROAEXAMPLE2:terraform", "Root:111111111111"}
	businessUnit = []string{"Retail", "Wholesale", "R&D", "Shared Services"}
	ccEnvs       = []string{"Production", "Non-Production"}
)

// period is one billing period, a calendar month in UTC.
type period struct {
	index      int
	start, end time.Time
	days       int
	final      bool // the invoice is issued, so bill/InvoiceId is filled
}

// dataset is everything the rows of a run draw from, built once from the
// seed and shared read-only by the file writers.
type dataset struct {
	cfg       Config
	payers    []*payer
	accounts  []*account
	byService [][]*profile
	profiles  []*profile
	reserved  []*profile
	covered   []*profile
	weights   []int // cumulative usage weight per service
	periods   []period
}

func newDataset(cfg Config) *dataset {
	r := rand.New(rand.NewPCG(cfg.Seed, 0xca7a1065))
	d := &dataset{cfg: cfg}
	d.byService, d.profiles = buildProfiles(r)
	for _, p := range d.profiles {
		p.kvs = productKVs(p)
		if p.reserved {
			d.reserved = append(d.reserved, p)
		}
		if p.covered {
			d.covered = append(d.covered, p)
		}
	}
	sum := 0
	for _, s := range serviceDefs {
		sum += s.weight
		d.weights = append(d.weights, sum)
	}
	used := map[string]bool{}
	for i := 0; i < cfg.Payers; i++ {
		e := entities[i%len(entities)]
		p := &payer{currency: currencies[i%len(currencies)], entity: e.name, taxType: e.tax, invoiceNo: 100000000 + r.IntN(800000000)}
		if i%2 == 0 {
			p.discount = 0.03 + float64(r.IntN(10))/100
		}
		for j := 0; j < cfg.Accounts; j++ {
			a := &account{id: accountID(r, used, len(d.accounts)), payer: p, index: len(d.accounts)}
			a.costCats = [2]string{businessUnit[r.IntN(len(businessUnit))], ccEnvs[r.IntN(len(ccEnvs))]}
			if j == 0 {
				p.id = a.id // the management account uses AWS too
			}
			p.accounts = append(p.accounts, a)
			d.accounts = append(d.accounts, a)
		}
		d.payers = append(d.payers, p)
	}
	start := time.Date(cfg.Start.Year(), cfg.Start.Month(), 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < cfg.Periods; i++ {
		s := start.AddDate(0, i, 0)
		e := s.AddDate(0, 1, 0)
		d.periods = append(d.periods, period{index: i, start: s, end: e, days: int(e.Sub(s).Hours() / 24), final: i < cfg.Periods-1})
	}
	return d
}

// accountID returns a new 12-digit id. One in four has leading zeros, which
// a reader that takes ids for numbers loses (trap 5).
func accountID(r *rand.Rand, used map[string]bool, n int) string {
	for {
		v := 100000000000 + r.Int64N(899999999999)
		if n%4 == 1 {
			v = r.Int64N(9999999999)
		}
		id := fmt.Sprintf("%012d", v)
		if !used[id] {
			used[id] = true
			return id
		}
	}
}
