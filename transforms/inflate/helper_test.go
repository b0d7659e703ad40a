package inflate_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/curpipe/curpipe/transforms/inflate"
)

// randomBytes returns n incompressible bytes, the same for the same seed.
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], r.Uint64())
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

var (
	curTypes    = []string{"Usage", "Usage", "Usage", "Tax", "Credit", "DiscountedUsage", "SavingsPlanCoveredUsage", "SavingsPlanNegation", "RIFee", "Fee"}
	curServices = []string{"AmazonEC2", "AmazonS3", "AWSLambda", "AmazonRDS", "AmazonCloudWatch", "AmazonDynamoDB", "AWSDataTransfer"}
	curUsage    = []string{"BoxUsage:m5.large", "TimedStorage-ByteHrs", "Requests-Tier1", "DataTransfer-Out-Bytes", "Lambda-GB-Second", "InstanceUsage:db.r5.xlarge"}
	curRegions  = []string{"us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", ""}
)

// curHeader is a CUR 1.0 header of 80 columns in AWS's naming.
func curHeader() []string {
	h := []string{"identity/LineItemId", "identity/TimeInterval", "bill/InvoiceId", "bill/BillingEntity",
		"bill/BillType", "bill/PayerAccountId", "bill/BillingPeriodStartDate", "bill/BillingPeriodEndDate",
		"lineItem/UsageAccountId", "lineItem/LineItemType", "lineItem/UsageStartDate", "lineItem/UsageEndDate",
		"lineItem/ProductCode", "lineItem/UsageType", "lineItem/Operation", "lineItem/AvailabilityZone",
		"lineItem/ResourceId", "lineItem/UsageAmount", "lineItem/CurrencyCode", "lineItem/UnblendedRate",
		"lineItem/UnblendedCost", "lineItem/BlendedRate", "lineItem/BlendedCost", "lineItem/LineItemDescription"}
	for i := len(h); i < 72; i++ {
		h = append(h, "product/attribute"+strconv.Itoa(i))
	}
	for i := 0; i < 8; i++ {
		h = append(h, "resourceTags/user:tag"+strconv.Itoa(i))
	}
	return h
}

// curCSV returns about n bytes of CUR-like CSV: a header and rows with
// ids, dates, repeated names, scientific-notation costs, quoted commas and
// many empty columns, so that it compresses about as real exports do.
func curCSV(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 2))
	var b bytes.Buffer
	b.Grow(n + 4096)
	for i, h := range curHeader() {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(h)
	}
	b.WriteByte('\n')
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	for b.Len() < n {
		day := 1 + r.IntN(28)
		fmt.Fprintf(&b, "%016x%016x,2025-03-%02dT00:00:00Z/2025-03-%02dT01:00:00Z,,AWS,Anniversary,%012d,2025-03-01T00:00:00Z,2025-04-01T00:00:00Z,",
			r.Uint64(), r.Uint64(), day, day, 100000000000+r.IntN(20))
		typ, svc := pick(curTypes), pick(curServices)
		fmt.Fprintf(&b, "%012d,%s,2025-03-%02dT00:00:00Z,2025-03-%02dT01:00:00Z,%s,%s,RunInstances,%s,",
			200000000000+r.IntN(500), typ, day, day, svc, pick(curUsage), pick(curRegions))
		fmt.Fprintf(&b, "arn:aws:ec2:us-east-1:%012d:instance/i-%017x,%.10g,USD,%.7g,%.15g,%.7g,%.15e,",
			r.IntN(1000), r.Uint64()>>4, r.Float64()*100, r.Float64(), r.Float64()*r.Float64()*1e-3, r.Float64(), r.NormFloat64()*1e-5)
		fmt.Fprintf(&b, "\"$%.3f per On Demand Linux, %s Instance Hour\"", r.Float64(), pick(curUsage))
		for i := 24; i < 80; i++ {
			b.WriteByte(',')
			if r.IntN(4) == 0 {
				b.WriteString(pick(curServices))
			}
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// member is one gzip member's content and header.
type member struct {
	data  []byte
	level int
	name  string
	extra []byte
}

// gz concatenates members, compressed with klauspost's writer.
func gz(t testing.TB, ms ...member) []byte {
	t.Helper()
	var out bytes.Buffer
	for _, m := range ms {
		if m.level == 0 {
			m.level = gzip.DefaultCompression
		}
		w, err := gzip.NewWriterLevel(&out, m.level)
		if err != nil {
			t.Fatal(err)
		}
		w.Name, w.Extra = m.name, m.extra
		if _, err := w.Write(m.data); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out.Bytes()
}

// withHeaderCRC sets FHCRC on a member made by gz and inserts the header
// CRC-16, which Go's writers never write; hdrLen is the header's length.
func withHeaderCRC(m []byte, hdrLen int) []byte {
	h := append([]byte(nil), m[:hdrLen]...)
	h[3] |= 1 << 1
	sum := crc32.ChecksumIEEE(h)
	out := append(h, byte(sum), byte(sum>>8))
	return append(out, m[hdrLen:]...)
}

// readAll reads the gzip stream in through inflate.NewReader (or fn) with
// reads of bufLen bytes, returning what it got and the first error.
func readAll(src io.Reader, bufLen int, open func(io.Reader) (io.ReadCloser, error)) ([]byte, error) {
	zr, err := open(src)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	var out bytes.Buffer
	buf := make([]byte, bufLen)
	for {
		n, err := zr.Read(buf)
		out.Write(buf[:n])
		if err == io.EOF {
			return out.Bytes(), nil
		}
		if err != nil {
			return out.Bytes(), err
		}
	}
}

// klauspost reads data with klauspost's gzip reader, the reference.
func klauspost(data []byte) ([]byte, error) {
	return readAll(bytes.NewReader(data), 64<<10, func(r io.Reader) (io.ReadCloser, error) {
		return gzip.NewReader(r)
	})
}

// ours reads data with inflate.NewReader and bufLen-byte reads.
func ours(data []byte, bufLen int) ([]byte, error) {
	return readAll(bytes.NewReader(data), bufLen, inflate.NewReader)
}
