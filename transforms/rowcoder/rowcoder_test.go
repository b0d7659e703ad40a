package rowcoder

import (
	"reflect"
	"strings"
	"testing"
)

type inner struct {
	A string
	N int64
}

type outer struct {
	S     string
	L     []inner
	T     []string
	B     []byte
	I     inner
	Count int
}

var outerCodec Codec[outer]

func encodeOuter(v outer) ([]byte, error) { return outerCodec.Encode(v) }
func decodeOuter(b []byte) (outer, error) { return outerCodec.Decode(b) }

func init() { Register(encodeOuter, decodeOuter) }

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    outer
	}{
		{"zero", outer{}},
		{"nested rows", outer{S: "s", L: []inner{{"a", 1}, {"", -2}}, I: inner{"x", 3}}},
		{"strings and bytes", outer{T: []string{"x", "", "y,z"}, B: []byte{0, 1, 255}, Count: 7}},
		{"long string", outer{S: strings.Repeat("é", 5000)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := encodeOuter(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeOuter(b)
			if err != nil {
				t.Fatal(err)
			}
			// A nil slice may come back empty: compare what they hold.
			if !reflect.DeepEqual(normal(got), normal(tc.v)) {
				t.Errorf("got %+v, want %+v", got, tc.v)
			}
			again, err := encodeOuter(got)
			if err != nil {
				t.Fatal(err)
			}
			if string(again) != string(b) {
				t.Errorf("encoding is not stable: %x then %x", b, again)
			}
		})
	}
}

func normal(v outer) outer {
	if len(v.L) == 0 {
		v.L = nil
	}
	if len(v.T) == 0 {
		v.T = nil
	}
	if len(v.B) == 0 {
		v.B = nil
	}
	return v
}

func TestDecodeRejects(t *testing.T) {
	b, err := encodeOuter(outer{S: "hello", T: []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"truncated", b[:len(b)-2]},
		{"trailing bytes", append(append([]byte{}, b...), 0)},
		{"empty", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if v, err := decodeOuter(tc.in); err == nil {
				t.Errorf("decoded %+v from %x, want an error", v, tc.in)
			}
		})
	}
}
