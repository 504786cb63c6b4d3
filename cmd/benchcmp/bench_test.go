package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const sampleCSV = `"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
"PING_MBULK","141843.97","0.191","0.032","0.183","0.255","0.399","0.751"
`

func TestParseCSV(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    result
		wantErr string
	}{
		{"sample", sampleCSV, result{rps: 141843.97, p99ms: 0.399}, ""},
		{"custom command name", strings.Replace(sampleCSV, "PING_MBULK", "ECHO hello", 1), result{rps: 141843.97, p99ms: 0.399}, ""},
		{"header only", strings.SplitAfter(sampleCSV, "\n")[0], result{}, "no result"},
		{"no p99 column", "\"test\",\"rps\"\n\"X\",\"1\"\n", result{}, "lacks"},
		{"bad number", strings.Replace(sampleCSV, "141843.97", "fast", 1), result{}, "bad numbers"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseCSV([]byte(tc.in))
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{5}, 5},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, median(tc.in), "%v", tc.in)
	}
}

func TestRequestsFor(t *testing.T) {
	require.Equal(t, 150000, requestsFor(100000, 1.5))
	require.Equal(t, 10000, requestsFor(10, 1.5))
	require.Equal(t, 20000000, requestsFor(1e9, 1.5))
	require.Equal(t, 151000, requestsFor(100999, 1.5))
}

func TestParseTests(t *testing.T) {
	got, err := parseTests(defaultTests)
	require.NoError(t, err)
	names := make([]string, len(got))
	for i, bt := range got {
		names[i] = bt.name
	}
	require.Equal(t, []string{"ping", "echo", "set", "get", "incr", "lpush", "zadd", "hset", "eval10"}, names)
	_, err = parseTests("ping,nope")
	require.ErrorContains(t, err, `unknown test "nope"`)
}

func TestBenchArgs(t *testing.T) {
	require.Equal(t,
		[]string{"-h", "127.0.0.1", "-p", "7000", "-c", "50", "-n", "1000", "-P", "16", "--csv", "-t", "ping_mbulk"},
		benchArgs(7000, 50, 1000, 16, knownTests["ping"]))
	require.Equal(t,
		[]string{"-h", "127.0.0.1", "-p", "7000", "-c", "50", "-n", "1000", "-P", "1", "--csv", "-r", "100000",
			"ZADD", "benchcmp:zset", "__rand_int__", "m:__rand_int__"},
		benchArgs(7000, 50, 1000, 1, knownTests["zadd"]))
}

func TestWriteTable(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, writeTable(&b, []row{
		{test: "ping", pipeline: 16, modhost: result{rps: 200, p99ms: 1, cpuUs: 3}, redis: result{rps: 100, p99ms: 2, cpuUs: 2}},
		{test: "echo", pipeline: 1, modhost: result{rps: 5}, redis: result{}},
	}))
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	require.Len(t, lines, 3)
	require.Equal(t, []string{"ping", "16", "200", "100", "2.00", "1.000", "2.000", "0.50", "3.00", "2.00", "1.50"}, strings.Fields(lines[1]))
	require.Equal(t, "-", strings.Fields(lines[2])[4], "no ratio against zero")
}

func TestParseInts(t *testing.T) {
	got, err := parseInts("1, 16")
	require.NoError(t, err)
	require.Equal(t, []int{1, 16}, got)
	_, err = parseInts("1,0")
	require.Error(t, err)
}

func TestModuleTests(t *testing.T) {
	tests := []struct {
		path string
		want []string
	}{
		{"/x/modules_c/hello.so", []string{"hello.block", "hello.echo", "hello.list.sum", "hello.push", "hello.push.call", "hello.simple"}},
		{"other.so", nil},
		{"", nil},
	}
	for _, tc := range tests {
		var got []string
		for _, bt := range moduleTests(tc.path) {
			got = append(got, bt.name)
			require.NotEmpty(t, bt.cmd, bt.name)
		}
		require.Equal(t, tc.want, got, tc.path)
	}
	_, err := parseTests("hello.simple,ping")
	require.NoError(t, err)
}
