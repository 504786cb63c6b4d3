package server

// LATENCY GRAPH: an event's samples drawn as Redis draws them, a filled
// ASCII sparkline four rows high (characters "_", "o", "#" and "|" for
// full cells), 80 columns per band, each column labelled vertically with
// how long ago its sample was taken ("12s", "5m", "2h", "1d").

import (
	"fmt"
	"strings"
)

const (
	latencyGraphCols = 80
	latencyGraphRows = 4
	sparkFill        = "_o#"
)

// latencyGraph renders ts (event's series) at Unix second now.
func latencyGraph(event string, ts *latencySeries, now int64) string {
	smp := ts.inOrder()
	var lo, hi int64
	labels := make([]string, len(smp))
	for i, x := range smp {
		if i == 0 || x.latency < lo {
			lo = x.latency
		}
		hi = max(hi, x.latency)
		labels[i] = agoLabel(now - x.time)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s - high %d ms, low %d ms (all time high %d ms)\n", event, hi, lo, ts.max)
	sb.WriteString(strings.Repeat("-", latencyGraphCols))
	sb.WriteByte('\n')
	for off := 0; off < len(smp); off += latencyGraphCols {
		if off > 0 {
			sb.WriteByte('\n')
		}
		end := min(off+latencyGraphCols, len(smp))
		sparkBand(&sb, smp[off:end], labels[off:end], float64(lo), float64(hi))
	}
	return sb.String()
}

// agoLabel names an age in seconds in its largest whole unit.
func agoLabel(sec int64) string {
	switch {
	case sec < 60:
		return fmt.Sprintf("%ds", sec)
	case sec < 3600:
		return fmt.Sprintf("%dm", sec/60)
	case sec < 86400:
		return fmt.Sprintf("%dh", sec/3600)
	}
	return fmt.Sprintf("%dd", sec/86400)
}

// sparkBand draws one band of columns: latencyGraphRows rows of bars
// scaled between lo and hi, a blank row, then the labels top to bottom.
func sparkBand(sb *strings.Builder, smp []latencySample, labels []string, lo, hi float64) {
	span := hi - lo
	if span == 0 {
		span = 1
	}
	steps := len(sparkFill) * latencyGraphRows
	level := make([]int, len(smp))
	for i, x := range smp {
		// The bar height truncates twice, as Redis's does.
		st := int(float64(int((float64(x.latency)-lo)*float64(steps))) / span)
		level[i] = max(0, min(st, steps-1))
	}
	line := make([]byte, len(smp))
	for row := 0; row < latencyGraphRows; row++ {
		for i := range line {
			line[i] = ' '
			ci := level[i] - (latencyGraphRows-row-1)*len(sparkFill)
			switch {
			case ci >= len(sparkFill):
				line[i] = '|'
			case ci >= 0:
				line[i] = sparkFill[ci]
			}
		}
		sb.Write(line)
		sb.WriteByte('\n')
	}
	longest := 0
	for _, l := range labels {
		longest = max(longest, len(l))
	}
	if longest == 0 {
		return
	}
	sb.WriteString(strings.Repeat(" ", len(smp)))
	sb.WriteByte('\n')
	for ch := 0; ch < longest; ch++ {
		for i, l := range labels {
			line[i] = ' '
			if ch < len(l) {
				line[i] = l[ch]
			}
		}
		sb.Write(line)
		sb.WriteByte('\n')
	}
}
