package main

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
	"github.com/stretchr/testify/require"
)

// latencyTranscript drives the latency monitor of srv (with test_util
// loaded) and returns what must be the same on redis-server and modhost:
// replies given exactly, and the time-dependent ones reduced to what
// cannot vary (timestamps checked against the clock, ages in graph labels
// and doctor figures masked, events sorted).
func latencyTranscript(t *testing.T, srv *hosttest.Server) []string {
	c := srv.Conn(t)
	var out []string
	exact := func(args ...string) {
		out = append(out, strings.Join(args, " ")+" => "+string(c.Do(args...)))
	}
	frame := func(args ...string) *hosttest.Frame {
		f, err := c.Command(args...)
		require.NoError(t, err)
		require.False(t, f.IsError(), "%v: %s", args, f)
		return f
	}
	// masked is exact with the Unix times and the graph's age labels
	// masked.
	masked := func(args ...string) {
		r := regexp.MustCompile(`:1[0-9]{9}\r\n`).ReplaceAll(c.Do(args...), []byte(":T\r\n"))
		r = regexp.MustCompile(`(?m)^[0-9]$`).ReplaceAll(r, []byte("D"))
		out = append(out, strings.Join(args, " ")+" => "+string(r))
	}
	// Disabled: slow commands are not recorded, the doctor says how to
	// enable it; a module's samples are (RedisModule_LatencyAddSample
	// compares with the threshold, 0, alone).
	exact("LATENCY", "DOCTOR")
	exact("DEBUG", "SLEEP", "0.2")
	exact("LATENCY", "LATEST")
	exact("tutil.latency", "mod-event", "500")
	masked("LATENCY", "LATEST")
	masked("LATENCY", "HISTORY", "mod-event")
	masked("LATENCY", "GRAPH", "mod-event")
	exact("LATENCY", "GRAPH", "nosuch")
	exact("LATENCY", "RESET")
	// Enabled at 100 ms: a slow command and a module's samples.
	exact("CONFIG", "SET", "latency-monitor-threshold", "100")
	exact("DEBUG", "SLEEP", "0.2")
	exact("tutil.latency", "mod-event", "500")
	exact("tutil.latency", "mod-event", "50")  // under the threshold
	exact("tutil.latency", "mod-event", "400") // same second: the worst stays
	now := time.Now().Unix()
	var latest []string
	for _, e := range frame("LATENCY", "LATEST").Elems {
		require.Len(t, e.Elems, 4)
		at, _ := strconv.ParseInt(string(e.Elems[1].Str), 10, 64)
		require.InDelta(t, now, at, 5, "sample time")
		last, _ := strconv.ParseInt(string(e.Elems[2].Str), 10, 64)
		worst, _ := strconv.ParseInt(string(e.Elems[3].Str), 10, 64)
		latest = append(latest, fmt.Sprintf("%s last>=200:%v last<2000:%v worst=last:%v",
			e.Elems[0].Str, last >= 200, last < 2000, worst == last))
	}
	sort.Strings(latest)
	out = append(out, latest...)
	hist := frame("LATENCY", "HISTORY", "mod-event")
	require.Len(t, hist.Elems, 1)
	out = append(out, "history latency "+string(hist.Elems[0].Elems[1].Str))
	// A second sample in a later second: the graph scales between them.
	time.Sleep(1100 * time.Millisecond)
	exact("tutil.latency", "mod-event", "300")
	g := frame("LATENCY", "GRAPH", "mod-event")
	out = append(out, "graph "+regexp.MustCompile(`[0-9]`).ReplaceAllString(
		strings.SplitN(string(g.Str), "\n", 3)[2], "D"))
	out = append(out, "graph header "+strings.SplitN(string(g.Str), "\n", 2)[0])
	// The doctor: one line per event (numbering and figures masked, in
	// name order) and the advice (THP advice depends on the process).
	doc := string(frame("LATENCY", "DOCTOR").Str)
	var events, advice []string
	for _, line := range strings.Split(doc, "\n") {
		switch {
		case regexp.MustCompile(`^txt:|^Dave|^I have`).MatchString(line), line == "":
		case regexp.MustCompile(`^\d+\. `).MatchString(line):
			events = append(events, regexp.MustCompile(`\d+`).ReplaceAllString(line[strings.Index(line, " ")+1:], "N"))
		case strings.Contains(line, "anonymous huge pages"):
		default:
			advice = append(advice, line)
		}
	}
	sort.Strings(events)
	out = append(out, events...)
	out = append(out, advice...)
	exact("LATENCY", "RESET", "MOD-EVENT", "nosuch")
	exact("LATENCY", "HISTORY", "mod-event")
	exact("LATENCY", "RESET")
	exact("LATENCY", "LATEST")
	// Histograms of latency-tracking.
	exact("CONFIG", "RESETSTAT")
	for i := 0; i < 3; i++ {
		exact("SET", "k", "v")
	}
	exact("LATENCY", "HISTOGRAM", "nosuchcommand")
	h := frame("LATENCY", "HISTOGRAM", "set", "nosuch")
	require.Len(t, h.Elems, 2)
	out = append(out, "histogram of "+string(h.Elems[0].Str))
	body := h.Elems[1].Elems
	require.Len(t, body, 4)
	out = append(out, string(body[0].Str)+"="+string(body[1].Str), string(body[2].Str))
	buckets := body[3].Elems
	require.NotEmpty(t, buckets)
	require.Equal(t, "3", string(buckets[len(buckets)-1].Str), "cumulative counts end at the calls")
	prev := int64(-1)
	for i := 0; i < len(buckets); i += 2 {
		us, _ := strconv.ParseInt(string(buckets[i].Str), 10, 64)
		require.Greater(t, us, prev, "bucket bounds grow")
		prev = us
	}
	return out
}

// TestLatencyMonitorAgainstRedis: LATENCY LATEST, HISTORY, GRAPH, DOCTOR,
// RESET and HISTOGRAM, fed by slow commands and by a module's
// RedisModule_LatencyAddSample, as redis-server 7.0.15 gives them.
func TestLatencyMonitorAgainstRedis(t *testing.T) {
	args := []string{"--save", "", "--enable-debug-command", "yes", "--loadmodule", moduleSO(t, "test_util")}
	want := latencyTranscript(t, hosttest.StartServer(t, hosttest.RedisBin(t), args...))
	got := latencyTranscript(t, hosttest.StartModhost(t, args...))
	require.Equal(t, want, got)
}

// TestLatencyGraphScaling: the graph of two samples draws the larger as a
// full bar and the smaller as the floor, labelled with their ages.
func TestLatencyGraphScaling(t *testing.T) {
	s := hosttest.StartModhost(t, "--save", "", "--latency-monitor-threshold", "1", "--loadmodule", moduleSO(t, "test_util"))
	c := s.Conn(t)
	require.Equal(t, "+OK\r\n", string(c.Do("tutil.latency", "ev", "500")))
	time.Sleep(1100 * time.Millisecond)
	require.Equal(t, "+OK\r\n", string(c.Do("tutil.latency", "ev", "300")))
	f, err := c.Command("LATENCY", "GRAPH", "ev")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimPrefix(string(f.Str), "txt:"), "\n")
	require.Equal(t, "ev - high 500 ms, low 300 ms (all time high 500 ms)", lines[0])
	require.Equal(t, strings.Repeat("-", 80), lines[1])
	require.Equal(t, []string{"# ", "| ", "| ", "|_", "  "}, lines[2:7])
	require.Regexp(t, `^[0-9][0-9]$`, lines[7], "first label characters")
}
