package curated

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"math/bits"
	"time"

	"github.com/klauspost/compress/s2"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/snappy"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// Row group limits. A writer holds its current row group in memory (the
// compressed pages, the page being filled, the dictionaries) until it is
// flushed, so these bound the memory of each open file, and Partitioned
// keeps one open per day a source object touches (about 31). Measured on
// realistic rows, a writer holding 60k rows takes about 1.5 MiB of heap
// (parquet-go's estimate, which the byte limit reads, says 4 MiB); the byte
// limit keeps long strings from taking much more. Bigger row groups would
// compress a little better; smaller ones would cost more footer entries and
// page headers and let engines skip less per statistics check.
const (
	maxRowGroupRows  = 64 << 10
	maxRowGroupBytes = 8 << 20
	pageBytes        = 64 << 10 // uncompressed page size, per column
	dictionaryBytes  = 1 << 20  // a bigger dictionary falls back to plain
	batchRows        = 128      // rows handed to parquet-go per call
)

// Decimal columns are 16-byte FIXED_LEN_BYTE_ARRAY DECIMALs of precision
// 38, the widest Athena, Trino, Spark and DuckDB all read. Costs get 28
// fractional digits: a cost printed from a double has up to 17 significant
// digits, so values down to about 1e-11 (5.0904430290772475E-9 needs 25
// places) stay exact, and 10 integer digits are plenty for one line item.
// Usage amounts run larger (bytes, requests) and get 14 integer digits and
// 24 fractional ones: a double's 17 digits stay exact down to about 1e-8.
const (
	costScale        = 28
	usageScale       = 24
	decimalPrecision = 38
)

// row is the Parquet shape of a Record; the tags define the file schema, in
// this order. Timestamps and strings of few distinct values per day are
// dictionary-encoded. resource_id is not: in a daily-granularity CUR almost
// every row has its own, and its dictionary held 2 MiB more per open file
// than it saved (9% of the size, on hourly data). Decimals must not be:
// parquet-go would swap their type for the dictionary's and lose
// decimal128's signed ordering.
type row struct {
	UsageStart       time.Time `parquet:"usage_start,dict,timestamp(microsecond:utc)"`
	UsageEnd         time.Time `parquet:"usage_end,optional,dict,timestamp(microsecond:utc)"`
	Provider         string    `parquet:"provider,dict"`
	PayerAccountID   string    `parquet:"payer_account_id,dict"`
	UsageAccountID   string    `parquet:"usage_account_id,dict"`
	Service          string    `parquet:"service,dict"`
	LineItemType     string    `parquet:"line_item_type,dict"`
	UsageType        string    `parquet:"usage_type,dict"`
	Operation        string    `parquet:"operation,dict"`
	Region           string    `parquet:"region,dict"`
	ResourceID       string    `parquet:"resource_id"`
	Description      string    `parquet:"description,dict"`
	Currency         string    `parquet:"currency,dict"`
	UsageAmount      *[16]byte `parquet:"usage_amount,decimal(24:38)"`
	UnblendedCost    [16]byte  `parquet:"unblended_cost,decimal(28:38)"`
	NetUnblendedCost [16]byte  `parquet:"net_unblended_cost,decimal(28:38)"`
	AmortizedCost    [16]byte  `parquet:"amortized_cost,decimal(28:38)"`
	ReportID         string    `parquet:"report_id,dict"`
	ReportVersion    string    `parquet:"report_version,dict"`
	SourceObject     string    `parquet:"source_object,dict"`
	SourceLine       int64     `parquet:"source_line"`
	// Added for savings findings; last, so that the columns above keep
	// their positions for readers that go by position. The strings are
	// optional, null when blank, because most lines have none: parquet-go
	// writes a run of nulls as definition levels, where "" costs each row
	// a dictionary lookup and statistics.
	PricingTerm          string            `parquet:"pricing_term,optional,dict"`
	InstanceType         string            `parquet:"instance_type,optional,dict"`
	VolumeType           string            `parquet:"volume_type,optional,dict"`
	RIUnusedUpfrontFee   *[16]byte         `parquet:"ri_unused_upfront_fee,decimal(28:38)"`
	RIUnusedRecurringFee *[16]byte         `parquet:"ri_unused_recurring_fee,decimal(28:38)"`
	SPTotalCommitment    *[16]byte         `parquet:"sp_total_commitment,decimal(28:38)"`
	SPUsedCommitment     *[16]byte         `parquet:"sp_used_commitment,decimal(28:38)"`
	ResourceTags         map[string]string `parquet:"resource_tags" parquet-key:",dict" parquet-value:",dict"`
}

var schema = parquet.NewSchema("curated", newSignedDecimals(parquet.SchemaOf(row{})))

// codec is snappy, chosen for speed. Measured on 300k realistic rows
// (BenchmarkWriter's kind): writing runs at 430k rows/s with snappy, 400k
// with zstd's fastest level, and a one-thread DuckDB scan of five columns
// takes 22 ms against 29 ms; zstd's files are 21% smaller (41 against 52
// bytes a row), which would matter more than speed if Athena's per-byte
// scan price came to dominate. Snappy is also what AWS's own CUR Parquet uses.
var codec compress.Codec = &fastSnappy{}

// fastSnappy is parquet-go's SNAPPY codec with s2's standard snappy encoder
// in place of its "better" one, which took a fifth of the writer's CPU time
// in BenchmarkPartitioned, three times what this one takes, to make files 4%
// smaller. Both write the same snappy format.
type fastSnappy struct{ snappy.Codec }

// Encode compresses one page.
func (c *fastSnappy) Encode(dst, src []byte) ([]byte, error) {
	if s2.MaxEncodedLen(len(src)) < 0 {
		return dst[:0], fmt.Errorf("snappy: page of %d bytes is too large", len(src))
	}
	return s2.EncodeSnappy(dst, src), nil
}

// Schema returns the Parquet schema of curated files:
//
//	usage_start         TIMESTAMP(MICROS, UTC)   required
//	usage_end           TIMESTAMP(MICROS, UTC)   null when the source has none
//	provider, payer_account_id, usage_account_id, service, line_item_type,
//	usage_type, operation, region, resource_id, description,
//	currency            STRING                   required ("" when absent)
//	usage_amount        DECIMAL(38,24)           null when the source has none
//	unblended_cost, net_unblended_cost,
//	amortized_cost      DECIMAL(38,28)           required
//	report_id, report_version,
//	source_object       STRING                   required
//	source_line         INT64                    required
//	pricing_term, instance_type,
//	volume_type         STRING                   null when absent or blank
//	ri_unused_upfront_fee,
//	ri_unused_recurring_fee DECIMAL(38,28)       null but on RIFee lines
//	sp_total_commitment,
//	sp_used_commitment  DECIMAL(38,28)           null but on Savings Plan
//	                                             recurring fee lines
//	resource_tags       MAP<STRING, STRING>      required, empty when untagged
//
// Partitioned adds billing_period and usage_date as Hive partition
// directories, not columns, so that engines derive them from the path:
//
//	SELECT usage_date, currency, sum(unblended_cost)
//	FROM read_parquet('lake/**/*.parquet', hive_partitioning = true)
//	GROUP BY ALL
func Schema() *parquet.Schema { return schema }

// Writer writes Records to one Parquet file. It is not safe for concurrent
// use. The same Records in the same order always give the same bytes: the
// file holds no clock reading, random id or host name.
type Writer struct {
	pw      *parquet.GenericWriter[row]
	batch   []row
	usage   [batchRows][16]byte // the usage amounts batch points to
	extra   [batchRows]extra    // the commitment figures and tags batch points to
	rows    int64
	grouped int64 // rows in the current row group
	flushed int64 // file size estimate at the last row group boundary
	err     error // sticky: after a failed write the file is unusable
	closed  bool
}

// NewWriter returns a Writer of a Parquet file to w. Nothing is valid until
// Close returns nil. Close does not close w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{
		pw: parquet.NewGenericWriter[row](w, schema,
			parquet.Compression(codec),
			// Version 1 data pages: every reader supports them, and some
			// still lack version 2.
			parquet.DataPageVersion(1),
			parquet.PageBufferSize(pageBytes),
			parquet.DictionaryMaxBytes(dictionaryBytes),
		),
		batch: make([]row, 0, batchRows),
	}
}

// Write adds r to the file. A Record that cannot be written exactly (a
// decimal outside DECIMAL(38,28), a zero usage start) is rejected with an
// error and the file stays usable; any other error is final.
func (w *Writer) Write(r *Record) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errors.New("curated: write after Close")
	}
	// Rows are built in place: a row is some 300 bytes, and a usage amount
	// on the heap would be an allocation per row.
	i := len(w.batch)
	w.batch = w.batch[:i+1]
	if err := toRow(&w.batch[i], &w.usage[i], &w.extra[i], r); err != nil {
		w.batch = w.batch[:i]
		return err
	}
	w.rows++
	if len(w.batch) == cap(w.batch) {
		return w.flushBatch()
	}
	return nil
}

// Rows returns the number of Records written so far.
func (w *Writer) Rows() int64 { return w.rows }

// Buffered returns the number of Records held in memory: those of the
// row group not yet flushed.
func (w *Writer) Buffered() int64 { return w.grouped + int64(len(w.batch)) }

// FlushRowGroup ends the current row group, writing it out and freeing
// its memory. It does nothing when no Record is buffered.
func (w *Writer) FlushRowGroup() error {
	if w.err != nil || w.closed {
		return w.err
	}
	if w.Buffered() == 0 {
		return nil
	}
	if err := w.flushBatch(); err != nil {
		return err
	}
	if w.grouped == 0 { // flushBatch cut the row group itself
		return nil
	}
	return w.cutRowGroup()
}

// flushBatch hands the buffered rows to parquet-go, then cuts a row group if
// the current one has reached maxRowGroupRows (a multiple of batchRows) or
// maxRowGroupBytes by parquet-go's estimate.
func (w *Writer) flushBatch() error {
	if len(w.batch) == 0 {
		return nil
	}
	if _, err := w.pw.Write(w.batch); err != nil {
		w.err = fmt.Errorf("curated: write rows: %w", err)
		return w.err
	}
	w.grouped += int64(len(w.batch))
	clear(w.batch) // drop string references
	w.batch = w.batch[:0]
	if w.grouped >= maxRowGroupRows || w.pw.Size()-w.flushed >= maxRowGroupBytes {
		return w.cutRowGroup()
	}
	return nil
}

// cutRowGroup writes out the rows handed to parquet-go as a row group.
func (w *Writer) cutRowGroup() error {
	if err := w.pw.Flush(); err != nil {
		w.err = fmt.Errorf("curated: flush row group: %w", err)
		return w.err
	}
	w.grouped, w.flushed = 0, w.pw.Size()
	return nil
}

// Close writes the remaining rows and the footer. A file with no rows is a
// valid Parquet file with an empty row set.
func (w *Writer) Close() error {
	if w.err != nil || w.closed {
		return w.err
	}
	w.closed = true
	if err := w.flushBatch(); err != nil {
		return err
	}
	if err := w.pw.Close(); err != nil {
		w.err = fmt.Errorf("curated: close parquet file: %w", err)
	}
	return w.err
}

// toRow sets *x to the Parquet form of r, pointing its usage amount to
// usage and its commitment figures and tags to e. It leaves *x as it was
// if r cannot be written exactly.
func toRow(x *row, usage *[16]byte, e *extra, r *Record) error {
	if r.UsageStart.IsZero() {
		return fmt.Errorf("curated: %s:%d: usage_start is zero", r.SourceObject, r.SourceLine)
	}
	unblended, err := fixed16("unblended_cost", r.UnblendedCost, costScale)
	if err != nil {
		return err
	}
	net, err := fixed16("net_unblended_cost", r.NetUnblended, costScale)
	if err != nil {
		return err
	}
	amortized, err := fixed16("amortized_cost", r.AmortizedCost, costScale)
	if err != nil {
		return err
	}
	var usageAmount *[16]byte
	if r.HasUsageAmount {
		if *usage, err = fixed16("usage_amount", r.UsageAmount, usageScale); err != nil {
			return err
		}
		usageAmount = usage
	}
	if err := e.set(r); err != nil {
		return err
	}
	*x = row{
		// A zero UsageEnd stays zero and is written as null. Sub-microsecond
		// digits are truncated: the column is microseconds,
		// and billing exports never print finer than milliseconds.
		UsageStart:       r.UsageStart.UTC(),
		UsageEnd:         r.UsageEnd.UTC(),
		Provider:         r.Provider,
		PayerAccountID:   r.PayerAccountID,
		UsageAccountID:   r.UsageAccountID,
		Service:          r.Service,
		LineItemType:     r.LineItemType,
		UsageType:        r.UsageType,
		Operation:        r.Operation,
		Region:           r.Region,
		ResourceID:       r.ResourceID,
		Description:      r.Description,
		Currency:         r.Currency,
		UsageAmount:      usageAmount,
		UnblendedCost:    unblended,
		NetUnblendedCost: net,
		AmortizedCost:    amortized,
		ReportID:         r.ReportID,
		ReportVersion:    r.ReportVersion,
		SourceObject:     r.SourceObject,
		SourceLine:       r.SourceLine,
	}
	e.fill(x, r)
	return nil
}

// fixed16 encodes v as DECIMAL(38,scale): the unscaled integer
// v × 10^scale in 16 bytes of big-endian two's complement. It fails rather
// than round.
func fixed16(name string, v decimal.Decimal, scale int32) ([16]byte, error) {
	if b, ok := fixed16Fast(v, scale); ok {
		return b, nil
	}
	return fixed16Big(name, v, scale)
}

// pow10s[k] is 10^k as a 128-bit number; 10^38 < 2^127.
var pow10s = func() (t [decimalPrecision + 1]uint128) {
	t[0] = uint128{lo: 1}
	for k := 1; k < len(t); k++ {
		t[k], _ = t[k-1].mul(uint128{lo: 10})
	}
	return t
}()

// uint128 is an unsigned 128-bit integer.
type uint128 struct{ hi, lo uint64 }

// mul returns x × y and whether it did not overflow.
func (x uint128) mul(y uint128) (uint128, bool) {
	if x.hi != 0 && y.hi != 0 {
		return uint128{}, false
	}
	hi, lo := bits.Mul64(x.lo, y.lo)
	h1, l1 := bits.Mul64(x.hi, y.lo)
	h2, l2 := bits.Mul64(x.lo, y.hi)
	hi, c1 := bits.Add64(hi, l1, 0)
	hi, c2 := bits.Add64(hi, l2, 0)
	return uint128{hi, lo}, h1|h2|c1|c2 == 0
}

func (x uint128) less(y uint128) bool { return x.hi < y.hi || x.hi == y.hi && x.lo < y.lo }

// fixed16Fast is fixed16 without math/big for the common case: a
// coefficient of at most 128 bits and no more fractional digits than scale.
// It reads the coefficient from the decimal's binary form, which allocates
// nothing for coefficients of up to 64 bits. ok is false when v does not
// fit or needs the general path; fixed16Big then decides which.
func fixed16Fast(v decimal.Decimal, scale int32) (b [16]byte, ok bool) {
	var buf [32]byte
	enc, err := v.AppendBinary(buf[:0]) // sign byte, zig-zag varint exponent, magnitude
	if err != nil || len(enc) < 2 {
		return b, false
	}
	exp, n := binary.Varint(enc[1:])
	if n <= 0 || len(enc)-1-n > len(b) {
		return b, false
	}
	var mag [16]byte
	copy(mag[len(mag)-(len(enc)-1-n):], enc[1+n:])
	c := uint128{binary.BigEndian.Uint64(mag[:8]), binary.BigEndian.Uint64(mag[8:])}
	if c == (uint128{}) {
		return b, true // zero fits every scale
	}
	shift := exp + int64(scale)
	if shift < 0 || shift >= int64(len(pow10s)) {
		return b, false
	}
	if c, ok = c.mul(pow10s[shift]); !ok || !c.less(pow10s[decimalPrecision]) {
		return b, false
	}
	if enc[0] != 0 { // negative: two's complement, ^c + 1
		c.hi, c.lo = ^c.hi, -c.lo
		if c.lo == 0 {
			c.hi++
		}
	}
	binary.BigEndian.PutUint64(b[:8], c.hi)
	binary.BigEndian.PutUint64(b[8:], c.lo)
	return b, true
}

var (
	maxUnscaled = new(big.Int).Exp(big.NewInt(10), big.NewInt(decimalPrecision), nil)
	twoTo128    = new(big.Int).Lsh(big.NewInt(1), 128)
)

// fixed16Big is fixed16 for any value, through math/big.
func fixed16Big(name string, v decimal.Decimal, scale int32) ([16]byte, error) {
	var b [16]byte
	c, ok := v.Unscaled(scale)
	if !ok || c.CmpAbs(maxUnscaled) >= 0 {
		return b, fmt.Errorf("%s %s does not fit DECIMAL(%d,%d)", name, v, decimalPrecision, scale)
	}
	if c.Sign() < 0 {
		c.Add(c, twoTo128)
	}
	c.FillBytes(b[:])
	return b, nil
}
