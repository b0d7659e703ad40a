// Command forecast backtests curpipe's month-end cost forecast against a
// month-to-date run rate and a 7-day seasonal naive forecast, on the
// daily_detail.csv that curpipe made of curgen's labelled history. See
// README.md; bench/forecast/run makes the inputs and runs it.
//
// Exit status: 0 when curpipe meets every target, 1 when it misses one, 2
// on a usage or input error.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	detail := flag.String("detail", "", "curpipe's totals/daily_detail.csv (required)")
	labels := flag.String("labels", "", "curgen's labels.csv (required)")
	measure := flag.String("measure", "net_unblended", "the cost forecast: net_unblended or amortized")
	flag.Parse()
	if *detail == "" || *labels == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	h, events, err := load(*detail, *labels, *measure)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/forecast:", err)
		os.Exit(2)
	}
	scores, err := backtest(h, events)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/forecast:", err)
		os.Exit(2)
	}
	fmt.Printf("%s, %d series, %v to %v\n\n", *measure, len(h.keys), h.first, h.last)
	printTable(os.Stdout, scores)
	fmt.Println()
	if verdicts(os.Stdout, scores) > 0 {
		os.Exit(1)
	}
}

func load(detail, labels, measure string) (*history, []event, error) {
	f, err := os.Open(detail)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	h, err := readDetail(f, measure)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", detail, err)
	}
	l, err := os.Open(labels)
	if err != nil {
		return nil, nil, err
	}
	defer l.Close()
	events, err := readEvents(l)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", labels, err)
	}
	return h, events, nil
}
