package main

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// row is one line of the final table: medians over the rounds.
type row struct {
	test     string
	pipeline int
	modhost  result
	redis    result
}

// writeTable prints rows with the throughput, p99 and CPU ratios
// modhost/redis. CPU is the server process's user+system time per
// request (10 ms ticks over the run): less sensitive than throughput to
// what else the machine runs, so the figure to read on a shared one.
func writeTable(w io.Writer, rows []row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "test\tP\tmodhost rps\tredis rps\tratio\tmodhost p99 ms\tredis p99 ms\tp99 ratio\tmodhost cpu us/req\tredis cpu us/req\tcpu ratio\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.0f\t%s\t%.3f\t%.3f\t%s\t%.2f\t%.2f\t%s\t\n",
			r.test, r.pipeline, r.modhost.rps, r.redis.rps, ratio(r.modhost.rps, r.redis.rps),
			r.modhost.p99ms, r.redis.p99ms, ratio(r.modhost.p99ms, r.redis.p99ms),
			r.modhost.cpuUs, r.redis.cpuUs, ratio(r.modhost.cpuUs, r.redis.cpuUs))
	}
	return tw.Flush()
}

func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", a/b)
}
