package gen

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/totals"
)

// item is one generated line item: every value a column of any format
// takes, blank where the type of line has none.
type item struct {
	id            string
	typ           string
	payer         *payer
	acct          *account
	per           *period
	start, end    time.Time
	svc           *serviceDef
	prof          *profile // nil for lines with no product (tax, support, fees)
	billType      string
	billingEntity string
	usageType     string
	operation     string
	az            string
	resource      string
	desc          string
	taxType       string

	usage, normFactor, normUsage     amount
	rate, cost, blendedRate, blended amount
	netRate, net                     amount
	pubCost, pubRate                 amount
	term, purchaseOption, leaseTerm  string
	offeringClass                    string

	riARN, riStart, riEnd, riModStatus, riSubID string
	riAmortUsage, riAmortPeriod                 amount
	riEffective, riNetEffective, riRecurUsage   amount
	riUnusedUpfront, riUnusedRecur, riUpfront   amount
	riCount, riUnits, riNormUnits, riUnusedQty  amount

	spARN, spStart, spEnd, spOffering, spPayment, spTerm, spRegion, spFamily string
	spEffective, spNetEffective, spRate, spTotal, spUsed                     amount
	spAmortUpfront, spRecurCommit                                            amount

	discBundled, discTotal amount
	tags                   [len(tagColumns)]string
}

// tagColumns are the resourceTags/* columns.
var tagColumns = [...]string{"user:Name", "user:Environment", "user:Team", "user:CostCenter", "user:Project", "user:Owner", "aws:createdBy"}

var tagPools = [len(tagColumns)][]string{tagNames, tagEnvs, tagTeams, tagCenters, tagProjects, tagOwners, tagCreatedBy}

// The line item types, each with its share of rows in ten-thousandths.
// The monthly ones (fees, tax) are rare, as in real reports.
var lineTypes = []struct {
	name   string
	weight int
}{
	{"Usage", 6700}, {"DiscountedUsage", 600}, {"SavingsPlanCoveredUsage", 700}, {"SavingsPlanNegation", 500},
	{"SavingsPlanRecurringFee", 20}, {"SavingsPlanUpfrontFee", 5}, {"RIFee", 30}, {"Fee", 15},
	{"Tax", 150}, {"Credit", 200}, {"Refund", 30}, {"EdpDiscount", 850}, {"BundledDiscount", 100},
	{"PrivateRateDiscount", 50}, {"RiVolumeDiscount", 25}, {"Discount", 25},
}

// typeTable maps a number in [0, 10000) to a line item type.
var typeTable = func() [10000]string {
	var t [10000]string
	i := 0
	for _, lt := range lineTypes {
		for j := 0; j < lt.weight; j++ {
			t[i] = lt.name
			i++
		}
	}
	return t
}()

// measures returns the unblended, net unblended and amortized cost of it,
// by the rules in shared/notes/cur-formats.md, computed here on the
// generator's own model so that the expected totals check the parser
// rather than repeat it.
func (it *item) measures() (u, n, a decimal.Decimal, err error) {
	if u, err = it.cost.dec(); err != nil {
		return
	}
	n = u
	if it.net.set {
		if n, err = it.net.dec(); err != nil {
			return
		}
	}
	var x, y decimal.Decimal
	switch it.typ {
	case "SavingsPlanCoveredUsage":
		a, err = it.spEffective.dec()
	case "SavingsPlanRecurringFee":
		if x, err = it.spTotal.dec(); err == nil {
			y, err = it.spUsed.dec()
			a = x.Sub(y)
		}
	case "SavingsPlanNegation", "SavingsPlanUpfrontFee":
	case "DiscountedUsage":
		a, err = it.riEffective.dec()
	case "RIFee":
		if x, err = it.riUnusedUpfront.dec(); err == nil {
			y, err = it.riUnusedRecur.dec()
			a = x.Add(y)
		}
	case "Fee":
		if it.riARN == "" {
			a = u
		}
	case "Refund":
		if !strings.HasSuffix(it.svc.code, "SavingsPlans") {
			a = u
		}
	default:
		a = u
	}
	return
}

// account adds it to the expected totals.
func (it *item) account(t totals.Table) error {
	u, n, a, err := it.measures()
	if err != nil {
		return fmt.Errorf("line item %s: %w", it.id, err)
	}
	t.Add(totals.Dims{
		Day:      it.start.UTC().Format(time.DateOnly),
		Provider: "AWS",
		Payer:    it.payer.id,
		Account:  it.acct.id,
		Service:  it.svc.code,
		Currency: it.payer.currency,
	}, u, n, a)
	return nil
}

// amounts returns pointers to every figure of it.
func (it *item) amounts() []*amount {
	return []*amount{&it.usage, &it.normFactor, &it.normUsage, &it.rate, &it.cost, &it.blendedRate, &it.blended,
		&it.netRate, &it.net, &it.pubCost, &it.pubRate, &it.riAmortUsage, &it.riAmortPeriod, &it.riEffective,
		&it.riNetEffective, &it.riRecurUsage, &it.riUnusedUpfront, &it.riUnusedRecur, &it.riUpfront, &it.riCount,
		&it.riUnits, &it.riNormUnits, &it.riUnusedQty, &it.spEffective, &it.spNetEffective, &it.spRate, &it.spTotal,
		&it.spUsed, &it.spAmortUpfront, &it.spRecurCommit, &it.discBundled, &it.discTotal}
}

// limitScale rounds every figure of it to at most scale fractional digits,
// for readers that keep costs at a fixed scale.
func (it *item) limitScale(scale int) {
	for _, a := range it.amounts() {
		if a.set && fracDigits(a.f) > scale {
			// The double nearest a decimal of at most scale places has a
			// shortest form of at most as many places.
			a.f, _ = strconv.ParseFloat(strconv.FormatFloat(a.f, 'f', scale, 64), 64)
		}
	}
}

// fracDigits returns the fractional digits of f's shortest decimal form.
func fracDigits(f float64) int {
	var tmp [40]byte
	e := strconv.AppendFloat(tmp[:0], math.Abs(f), 'e', -1, 64)
	i := bytes.IndexByte(e, 'e')
	exp, _ := strconv.Atoi(string(e[i+1:]))
	digits := i
	if i > 1 {
		digits-- // the point
	}
	return max(0, digits-1-exp)
}

// productField returns product/<productNames[i]> of it.
func (it *item) productField(i int) string {
	if it.prof != nil {
		return it.prof.product[i]
	}
	if i == 0 && it.svc != nil {
		return it.svc.name // lines with no product still name the service
	}
	return ""
}
