package cur

import (
	"strings"
	"testing"
)

// TestClean: clean's fast path changes nothing of what TrimSpace and the
// NULL rule make of a value.
func TestClean(t *testing.T) {
	ref := func(v string) string {
		v = strings.TrimSpace(v)
		if strings.EqualFold(v, "NULL") {
			return ""
		}
		return v
	}
	for _, v := range []string{"", " ", "a", " a", "a ", "\ta\t", "\u00a0a", "a\u00a0", "\u2003a\u3000", "\u0085x\u0085",
		"NULL", "null", " NuLL ", "NULLx", "é", "aé", "éa", "\x80", "a\x80", "\v1.5\f", "1,5", "\r\n"} {
		if got, want := clean(v), ref(v); got != want {
			t.Errorf("clean(%q) = %q, want %q", v, got, want)
		}
	}
}

func FuzzClean(f *testing.F) {
	f.Add(" x\u00a0")
	f.Fuzz(func(t *testing.T, v string) {
		want := strings.TrimSpace(v)
		if strings.EqualFold(want, "NULL") {
			want = ""
		}
		if got := clean(v); got != want {
			t.Errorf("clean(%q) = %q, want %q", v, got, want)
		}
	})
}
