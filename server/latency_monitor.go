package server

// The latency monitor (LATENCY LATEST/HISTORY/RESET/GRAPH/DOCTOR), as
// Redis keeps it: when latency-monitor-threshold is not 0, every event
// that takes at least that many milliseconds adds a sample to its event's
// time series. A series holds the last 160 samples, at most one per
// second (a second's worst), and the all-time maximum. Events recorded:
// "command" and "fast-command" (a command's run, by its fast flag),
// "expire-cycle" (a cron pass of active expiry), "eviction-cycle" (an
// eviction pass), and whatever modules add with RedisModule_LatencyAddSample (recorded
// even when the monitor is off, as in Redis: it compares with the
// threshold alone).

import (
	"fmt"
	"os"

	"strconv"
	"strings"
	"time"

	"github.com/modhost/modhost/commands"
)

// latencySeriesLen is how many samples an event keeps (LATENCY_TS_LEN).
const latencySeriesLen = 160

// latencySample is one second's worst latency of an event.
type latencySample struct {
	time    int64 // Unix seconds; 0 for an empty slot
	latency int64 // milliseconds
}

// latencySeries is the ring of an event's samples.
type latencySeries struct {
	idx     int // slot of the next sample
	max     int64
	samples [latencySeriesLen]latencySample
}

// latencyMonitor holds every event's series, in the order events first
// appeared (Redis's dict order is arbitrary; creation order is stable).
type latencyMonitor struct {
	series map[string]*latencySeries
	order  []string
}

// LatencyAddSample records ms for event when it reaches
// latency-monitor-threshold (Redis's latencyAddSampleIfNeeded). Called
// under the server lock.
func (s *Server) LatencyAddSample(event string, ms int64) {
	th := s.hot.latencyThreshold
	if th == 0 || ms < th {
		return
	}
	s.latency.add(event, ms, time.Now().Unix())
}

// ModuleLatencySample records ms for event when it reaches
// latency-monitor-threshold, for RedisModule_LatencyAddSample: unlike the
// server's own events, a module's are recorded even when the monitor is
// off (threshold 0), as Redis does.
func (s *Server) ModuleLatencySample(event string, ms int64) {
	if ms >= s.hot.latencyThreshold {
		s.latency.add(event, ms, time.Now().Unix())
	}
}

// add appends a sample at Unix second now (latencyAddSample): a second
// already sampled keeps its worst latency.
func (m *latencyMonitor) add(event string, ms, now int64) {
	ts := m.series[event]
	if ts == nil {
		if m.series == nil {
			m.series = map[string]*latencySeries{}
		}
		ts = &latencySeries{}
		m.series[event] = ts
		m.order = append(m.order, event)
	}
	ts.max = max(ts.max, ms)
	prev := &ts.samples[(ts.idx+latencySeriesLen-1)%latencySeriesLen]
	if prev.time == now {
		prev.latency = max(prev.latency, ms)
		return
	}
	ts.samples[ts.idx] = latencySample{time: now, latency: ms}
	ts.idx = (ts.idx + 1) % latencySeriesLen
}

// samples returns the series' samples, oldest first.
func (ts *latencySeries) inOrder() []latencySample {
	var out []latencySample
	for j := 0; j < latencySeriesLen; j++ {
		if smp := ts.samples[(ts.idx+j)%latencySeriesLen]; smp.time != 0 {
			out = append(out, smp)
		}
	}
	return out
}

// reset forgets the events named (case-insensitively), or every event
// when names is empty, and returns how many it forgot.
func (m *latencyMonitor) reset(names [][]byte) int {
	n := 0
	kept := m.order[:0]
	for _, ev := range m.order {
		drop := len(names) == 0
		for _, name := range names {
			drop = drop || strings.EqualFold(ev, string(name))
		}
		if drop {
			delete(m.series, ev)
			n++
		} else {
			kept = append(kept, ev)
		}
	}
	m.order = kept
	return n
}

// registerLatencyCommands adds LATENCY and its subcommands.
func registerLatencyCommands(s *Server) {
	lat := &commands.Command{Name: "latency", Arity: -2, Group: "server", Since: "2.8.13", Summary: "A container for latency diagnostics commands.", Handler: adapt(func(*Client, [][]byte) {})}
	adm := commands.ParseCmdFlags("admin noscript loading stale")
	lat.AddSub(&commands.Command{Name: "latest", Arity: 2, Flags: adm, Handler: adapt(latencyLatest)})
	lat.AddSub(&commands.Command{Name: "history", Arity: 3, Flags: adm, Handler: adapt(latencyHistory)})
	lat.AddSub(&commands.Command{Name: "reset", Arity: -2, Flags: adm, Handler: adapt(func(c *Client, a [][]byte) {
		c.W.Int(int64(c.srv.latency.reset(a[2:])))
	})})
	lat.AddSub(&commands.Command{Name: "doctor", Arity: 2, Flags: adm, Handler: adapt(func(c *Client, a [][]byte) {
		c.W.Verbatim("txt", []byte(c.srv.latencyReport(time.Now().Unix())))
	})})
	lat.AddSub(&commands.Command{Name: "graph", Arity: 3, Flags: adm, Handler: adapt(latencyGraphCommand)})
	lat.AddSub(&commands.Command{Name: "histogram", Arity: -2, Flags: adm, Handler: adapt(latencyHistogramCommand)})
	lat.AddSub(&commands.Command{Name: "help", Arity: 2, Flags: commands.ParseCmdFlags("loading stale"), Handler: adapt(func(c *Client, a [][]byte) {
		c.replyHelp([]string{"LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "DOCTOR", "    Return a human readable latency analysis report.", "GRAPH <event>", "    Return an ASCII latency graph for the <event> class.", "HISTORY <event>", "    Return time-latency samples for the <event> class.", "LATEST", "    Return the latest latency samples for all events.", "RESET [<event> ...]", "    Reset latency data of one or more <event> classes.", "    (default: reset all data for all event classes)", "HISTOGRAM [COMMAND ...]", "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.", "    If no commands are specified then all histograms are replied."})
	})})
	s.Cmds.Add(lat)
}

// latencyLatest replies, per event, its name, the time and latency of its
// last sample and its all-time maximum.
func latencyLatest(c *Client, a [][]byte) {
	m := &c.srv.latency
	c.W.ArrayLen(len(m.order))
	for _, ev := range m.order {
		ts := m.series[ev]
		last := ts.samples[(ts.idx+latencySeriesLen-1)%latencySeriesLen]
		c.W.ArrayLen(4)
		c.W.BulkString(ev)
		c.W.Int(last.time)
		c.W.Int(last.latency)
		c.W.Int(ts.max)
	}
}

// latencyHistory replies the event's samples, oldest first, as
// [time, latency] pairs (empty for an unknown event).
func latencyHistory(c *Client, a [][]byte) {
	ts := c.srv.latency.series[string(a[2])]
	if ts == nil {
		c.W.ArrayLen(0)
		return
	}
	smp := ts.inOrder()
	c.W.ArrayLen(len(smp))
	for _, x := range smp {
		c.W.ArrayLen(2)
		c.W.Int(x.time)
		c.W.Int(x.latency)
	}
}

// latencyGraphCommand replies the event's samples drawn as an ASCII graph.
func latencyGraphCommand(c *Client, a [][]byte) {
	ts := c.srv.latency.series[string(a[2])]
	if ts == nil {
		c.Error(fmt.Sprintf("ERR No samples available for event '%s'", a[2]))
		return
	}
	c.W.Verbatim("txt", []byte(latencyGraph(string(a[2]), ts, time.Now().Unix())))
}

// latencyHistogramCommand replies the latency-tracking histograms of the
// commands named (every command with one when none is named): per
// command, its calls and the cumulative count at each power-of-two
// microsecond bound.
func latencyHistogramCommand(c *Client, a [][]byte) {
	var with []*commands.Command
	add := func(cmd *commands.Command) {
		if h := c.srv.latencyOf(cmd); h != nil && h.total > 0 {
			with = append(with, cmd)
		}
	}
	if len(a) == 2 {
		c.srv.walkCommands(add)
	} else {
		for _, name := range a[2:] {
			cmd := c.srv.lookupFullName(string(name))
			if cmd == nil {
				continue // unknown names are skipped, as Redis does
			}
			add(cmd)
			for _, sub := range sortedSubs(cmd) {
				add(sub)
			}
		}
	}
	c.W.MapLen(len(with))
	for _, cmd := range with {
		h := c.srv.latencyOf(cmd)
		c.W.BulkString(cmd.FullName)
		c.W.MapLen(2)
		c.W.BulkString("calls")
		c.W.Int(h.total)
		c.W.BulkString("histogram_usec")
		bounds := h.cumulativeByPowerOfTwo()
		c.W.MapLen(len(bounds))
		for _, b := range bounds {
			c.W.Int(b[0])
			c.W.Int(b[1])
		}
	}
}

// latencyReport is LATENCY DOCTOR's text: per event its spikes, average,
// mean deviation, period and worst, then the advice that applies.
func (s *Server) latencyReport(now int64) string {
	m := &s.latency
	th := s.Config.Int("latency-monitor-threshold")
	if len(m.order) == 0 && th == 0 {
		return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"
	}
	var sb strings.Builder
	adv := map[string]bool{}
	advices := 0
	for i, ev := range m.order {
		if i == 0 {
			sb.WriteString("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n")
		}
		st := analyzeLatency(m.series[ev], now)
		fmt.Fprintf(&sb, "%d. %s: %d latency spikes (average %dms, mean deviation %dms, period %.2f sec). Worst all time event %dms.\n",
			i+1, ev, st.samples, st.avg, st.mad, float64(st.period)/float64(st.samples), m.series[ev].max)
		switch strings.ToLower(ev) {
		case "command":
			slower := s.Config.Int("slowlog-log-slower-than")
			if slower < 0 {
				adv["slowlog-enabled"] = true
				advices++
			} else if slower/1000 > th {
				adv["slowlog-tuning"] = true
				advices++
			}
			adv["slowlog-inspect"], adv["large-objects"] = true, true
			advices += 2
		case "fast-command":
			adv["scheduler"] = true
			advices++
		case "expire-cycle":
			adv["hz"], adv["large-objects"] = true, true
			advices += 2
		case "eviction-del":
			adv["large-objects"] = true
			advices++
		case "eviction-cycle":
			adv["mass-eviction"] = true
			advices++
		}
	}
	if anonHugePages() > 0 {
		adv["thp"] = true
		advices++
	}
	switch {
	case len(m.order) == 0 && advices == 0:
		sb.WriteString("Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n")
	case advices == 0:
		sb.WriteString("\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n")
	default:
		sb.WriteString("\nI have a few advices for you:\n\n")
		for _, a := range latencyAdvice {
			if adv[a.key] && (a.key != "hz" || s.Config.Int("hz") < 100) {
				sb.WriteString(strings.ReplaceAll(a.text, "%THRESHOLD_US%", strconv.FormatInt(th*1000, 10)))
			}
		}
	}
	return sb.String()
}

// latencyStats are one event's figures in the doctor's report.
type latencyStats struct {
	samples       int
	avg, mad      int64
	period        int64 // seconds from the oldest sample to now (at least 1)
	minMs, maxMs  int64
	oldestSeconds int64
}

// analyzeLatency computes ts's figures at Unix second now.
func analyzeLatency(ts *latencySeries, now int64) latencyStats {
	var st latencyStats
	var sum int64
	for _, x := range ts.inOrder() {
		st.samples++
		sum += x.latency
		if st.samples == 1 || x.latency < st.minMs {
			st.minMs = x.latency
		}
		st.maxMs = max(st.maxMs, x.latency)
		if st.oldestSeconds == 0 || x.time < st.oldestSeconds {
			st.oldestSeconds = x.time
		}
	}
	if st.samples == 0 {
		return st
	}
	st.avg = sum / int64(st.samples)
	st.period = max(now-st.oldestSeconds, 1)
	var dev int64
	for _, x := range ts.inOrder() {
		d := st.avg - x.latency
		if d < 0 {
			d = -d
		}
		dev += d
	}
	st.mad = dev / int64(st.samples)
	return st
}

// anonHugePages is the process's AnonHugePages in kB (0 when unknown).
func anonHugePages() int64 {
	b, err := os.ReadFile("/proc/self/smaps_rollup")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "AnonHugePages:"); ok {
			v, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return v
		}
	}
	return 0
}

// latencyAdvice is the doctor's advice, in the order it is given; the
// advice about events modhost never records (fork, AOF fsync and
// rename) is left out.
var latencyAdvice = []struct{ key, text string }{
	{"slowlog-enabled", "- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than %THRESHOLD_US%'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n"},
	{"slowlog-tuning", "- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than %THRESHOLD_US%'.\n"},
	{"slowlog-inspect", "- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n"},
	{"scheduler", "- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n" +
		"  1) Lower the system load.\n" +
		"  2) Use a computer / VM just for Redis if you are running other software in the same system.\n" +
		"  3) Check if you have a \"noisy neighbour\" problem.\n" +
		"  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
		"  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n"},
	{"hz", "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n"},
	{"large-objects", "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n"},
	{"mass-eviction", "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations (RESTORE command), may create sudden memory pressure forcing the server to block trying to evict keys. \n"},
	{"thp", "- I detected a non zero amount of anonymous huge pages used by your process. This creates very serious latency events in different conditions, especially when Redis is persisting on disk. To disable THP support use the command 'echo never > /sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into /etc/rc.local so that the command will be executed again after a reboot. Note that even if you have already disabled THP, you still need to restart the Redis process to get rid of the huge pages already created.\n"},
}
