package gen_test

import (
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/curpipe/curpipe/cmd/curgen/gen"
)

// A benchmark builds the history in memory and reads the series and the
// labels without parsing the export; Write and WriteExpect would write
// them as curgen --history does. The spike's impact is planted on top of
// the expected cost.
func ExampleHistory() {
	cfg := gen.DefaultHistoryConfig()
	cfg.Seed = 1
	h, err := gen.History(cfg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d series, %d clean, %d labels\n", len(h.Series), h.Clean(), len(h.Labels))
	l := h.Labels[0]
	fmt.Printf("%s in %s/%s on %s: expected %s, impact %s\n", l.Kind, l.Account, l.Service, l.Start.Format(time.DateOnly), l.Expected, l.Impact)
	for _, s := range h.Series {
		if s.Account == l.Account && s.Service == l.Service {
			day := int(l.Start.Sub(cfg.Start).Hours() / 24)
			fmt.Printf("cost that day %s, of which planted %s\n", s.Cost[day], s.Planted[day])
		}
	}
	counts := h.KindCounts()
	var kinds []string
	for _, k := range []gen.AnomalyKind{gen.KindSpike, gen.KindLevelShift, gen.KindDrift, gen.KindNewAccount,
		gen.KindNewService, gen.KindMaskedPair, gen.KindRestatedSpike} {
		kinds = append(kinds, fmt.Sprintf("%s=%d", k, counts[k]))
	}
	fmt.Println(strings.Join(kinds, " "))
	// Output:
	// 254 series, 196 clean, 58 labels
	// spike in 868107232659/AmazonECR on 2024-02-13: expected 3259.27480429, impact 29221.46470771
	// cost that day 32480.739512, of which planted 29221.46470771
	// spike=18 level_shift=14 drift=6 new_account=6 new_service=5 masked_pair=8 restated_spike=1
}
