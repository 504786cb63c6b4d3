package server

// Per-command latency histograms (INFO latencystats), kept as Redis keeps
// them when latency-tracking is on: an HDR histogram of nanoseconds from 1
// ns to 1 s with 2 significant digits, so the percentiles INFO prints are
// the same bucket bounds Redis prints.

import (
	"fmt"
	"math/bits"
	"sort"
	"strconv"
	"strings"

	"github.com/modhost/modhost/commands"
)

// Histogram geometry for 1 ns .. 1 s at 2 significant digits: 256
// sub-buckets (half of them, 128, per bucket after the first) and unit 1.
const (
	latHistMin        = 1
	latHistMax        = 1_000_000_000
	latSubBucketCount = 256
	latSubHalfMag     = 7
	latSubHalfCount   = 1 << latSubHalfMag
	latSubBucketMask  = latSubBucketCount - 1
)

// latHistCountsLen is the number of counters covering latHistMax.
var latHistCountsLen = func() int {
	smallestUntrackable := int64(latSubBucketCount)
	buckets := 1
	for smallestUntrackable <= latHistMax {
		smallestUntrackable <<= 1
		buckets++
	}
	return (buckets + 1) * latSubHalfCount
}()

// latencyHistogram counts command durations in nanoseconds.
type latencyHistogram struct {
	counts []int64
	total  int64
}

func latBucketIndex(v int64) int {
	pow2ceiling := 64 - bits.LeadingZeros64(uint64(v|latSubBucketMask))
	return pow2ceiling - (latSubHalfMag + 1)
}

func latCountsIndex(v int64) int {
	b := latBucketIndex(v)
	sub := int(v >> b)
	return (b+1)<<latSubHalfMag + sub - latSubHalfCount
}

func latValueAtIndex(i int) int64 {
	b := i>>latSubHalfMag - 1
	sub := i&(latSubHalfCount-1) + latSubHalfCount
	if b < 0 {
		sub -= latSubHalfCount
		b = 0
	}
	return int64(sub) << b
}

// latHighestEquivalent is the largest value counted in v's bucket.
func latHighestEquivalent(v int64) int64 {
	b := latBucketIndex(v)
	sub := int(v >> b)
	lowest := int64(sub) << b
	size := int64(1) << b
	if sub >= latSubBucketCount {
		size <<= 1
	}
	return lowest + size - 1
}

// record adds one duration, clamped to the histogram's range as Redis does.
func (h *latencyHistogram) record(ns int64) {
	ns = max(latHistMin, min(ns, latHistMax))
	if h.counts == nil {
		h.counts = make([]int64, latHistCountsLen)
	}
	h.counts[latCountsIndex(ns)]++
	h.total++
}

// valueAtPercentile is hdr_value_at_percentile: the highest value of the
// bucket where the cumulative count reaches p percent.
func (h *latencyHistogram) valueAtPercentile(p float64) int64 {
	want := int64(min(p, 100)/100*float64(h.total) + 0.5)
	want = max(want, 1)
	var seen int64
	for i, n := range h.counts {
		seen += n
		if seen >= want {
			v := latValueAtIndex(i)
			if p == 0 {
				return v
			}
			return latHighestEquivalent(v)
		}
	}
	return 0
}

// cumulativeByPowerOfTwo is the histogram LATENCY HISTOGRAM prints (HDR's
// logarithmic iteration from 1024 ns by factor 2): for each bound 1024,
// 2048, ... ns, the count of durations up to that bound's bucket, as
// [microseconds, count] pairs, only where the count grew.
func (h *latencyHistogram) cumulativeByPowerOfTwo() [][2]int64 {
	var out [][2]int64
	var cum, prev int64
	next := 0 // next counter to add
	for bound := int64(1024); cum < h.total; bound *= 2 {
		idx := latCountsIndex(bound)
		if idx >= len(h.counts) {
			break // beyond the tracked range: HDR's iteration ends here too
		}
		for ; next <= idx; next++ {
			cum += h.counts[next]
		}
		if cum > prev {
			out = append(out, [2]int64{latHighestEquivalent(bound) / 1000, cum})
		}
		prev = cum
	}
	return out
}

// recordLatency adds a completed command's duration to its histogram when
// latency-tracking is on.
func (s *Server) recordLatency(cmd *commands.Command, us int64) {
	if !s.slowlog.latencyTracking {
		return
	}
	if cmd.StatsID == 0 {
		if n := len(s.slowlog.freeStatsIDs); n > 0 {
			cmd.StatsID = s.slowlog.freeStatsIDs[n-1]
			s.slowlog.freeStatsIDs = s.slowlog.freeStatsIDs[:n-1]
		} else {
			s.slowlog.lastStatsID++
			cmd.StatsID = s.slowlog.lastStatsID
		}
	}
	for len(s.slowlog.latency) <= cmd.StatsID {
		s.slowlog.latency = append(s.slowlog.latency, nil)
	}
	h := s.slowlog.latency[cmd.StatsID]
	if h == nil {
		h = &latencyHistogram{}
		s.slowlog.latency[cmd.StatsID] = h
	}
	h.record(us * 1000)
}

// releaseStats forgets the latency histogram of a command leaving the
// table (a module's, at unload) and recycles its StatsID, so loading and
// unloading modules does not grow the server.
func (s *Server) releaseStats(cmd *commands.Command) {
	if cmd.StatsID <= 0 {
		return
	}
	if cmd.StatsID < len(s.slowlog.latency) {
		s.slowlog.latency[cmd.StatsID] = nil
	}
	s.slowlog.freeStatsIDs = append(s.slowlog.freeStatsIDs, cmd.StatsID)
	cmd.StatsID = 0
}

// latencyOf returns cmd's latencystats histogram, nil when none was recorded.
func (s *Server) latencyOf(cmd *commands.Command) *latencyHistogram {
	if cmd.StatsID <= 0 || cmd.StatsID >= len(s.slowlog.latency) {
		return nil
	}
	return s.slowlog.latency[cmd.StatsID]
}

// latencyStatsLines renders INFO latencystats: one line per command that
// has a histogram, in commandstats order.
func (s *Server) latencyStatsLines() []string {
	var pcts []float64
	var labels []string
	for _, f := range strings.Fields(s.Config.String("latency-tracking-info-percentiles")) {
		if v, err := strconv.ParseFloat(f, 64); err == nil {
			pcts = append(pcts, v)
			labels = append(labels, strings.TrimSuffix(strings.TrimRight(strconv.FormatFloat(v, 'f', 6, 64), "0"), "."))
		}
	}
	var out []string
	s.walkCommands(func(c *commands.Command) {
		h := s.latencyOf(c)
		if h == nil || h.total == 0 {
			return
		}
		var sb strings.Builder
		fmt.Fprintf(&sb, "latency_percentiles_usec_%s:", safeInfo(c.FullName))
		for i, p := range pcts {
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, "p%s=%.3f", labels[i], float64(h.valueAtPercentile(p))/1000)
		}
		out = append(out, sb.String())
	})
	return out
}

// walkCommands calls fn for every command and subcommand, sorted by name,
// containers before their subcommands (the order of INFO commandstats).
func (s *Server) walkCommands(fn func(c *commands.Command)) {
	var walk func(c *commands.Command)
	walk = func(c *commands.Command) {
		fn(c)
		subs := make([]*commands.Command, 0, len(c.Subs))
		for _, sub := range c.Subs {
			subs = append(subs, sub)
		}
		sort.Slice(subs, func(i, j int) bool { return subs[i].Name < subs[j].Name })
		for _, sub := range subs {
			walk(sub)
		}
	}
	all := s.Cmds.All()
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	for _, c := range all {
		walk(c)
	}
}
