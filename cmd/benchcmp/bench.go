package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// benchTest is one workload: a built-in redis-benchmark test (-t) or a
// custom command line.
type benchTest struct {
	name  string   // label in the table
	t     string   // redis-benchmark -t name, or ""
	cmd   []string // custom command, when t is ""
	keyed bool     // uses __rand_int__ and needs -r
	// module names the module (its .so file name without extension) a
	// workload needs; such workloads join the default list when -module
	// loads that module.
	module string
	// setup are commands sent to each server once before the workload
	// (e.g. a list to read).
	setup [][]string
}

// sumList is the 100-element list hello.list.sum reads.
func sumList() [][]string {
	push := []string{"RPUSH", "benchcmp:sumlist"}
	for i := 1; i <= 100; i++ {
		push = append(push, strconv.Itoa(i))
	}
	return [][]string{{"DEL", "benchcmp:sumlist"}, push}
}

// eval10Script is the eval10 workload's script.
const eval10Script = "for i = 1, 5 do redis.call('SET', KEYS[1], i) redis.call('GET', KEYS[1]) end return 1"

// knownTests are the workloads -tests can name.
var knownTests = map[string]benchTest{
	"ping":        {name: "ping", t: "ping_mbulk"},
	"ping_inline": {name: "ping_inline", t: "ping_inline"},
	"echo":        {name: "echo", cmd: []string{"ECHO", "hello"}},
	"set":         {name: "set", t: "set", keyed: true},
	"get":         {name: "get", t: "get", keyed: true},
	"incr":        {name: "incr", t: "incr", keyed: true},
	"lpush":       {name: "lpush", t: "lpush", keyed: true},
	"hset":        {name: "hset", t: "hset", keyed: true},
	"zadd":        {name: "zadd", cmd: []string{"ZADD", "benchcmp:zset", "__rand_int__", "m:__rand_int__"}, keyed: true},
	// A script making ten calls (five SETs, five GETs) on its key: the cost
	// of the Lua engine and of redis.call against Redis's.
	"eval10": {name: "eval10", cmd: []string{"EVAL", eval10Script, "1", "benchcmp:eval:__rand_int__"}, keyed: true},
	// Module workloads: a command that only replies, one that echoes its
	// argument, and one that opens a key and pushes (hello.c).
	"hello.simple": {name: "hello.simple", cmd: []string{"HELLO.SIMPLE"}, module: "hello"},
	"hello.echo":   {name: "hello.echo", cmd: []string{"HELLO.ECHO", "a"}, module: "hello"},
	"hello.push":   {name: "hello.push", cmd: []string{"HELLO.PUSH.NATIVE", "benchcmp:list:__rand_int__", "v"}, keyed: true, module: "hello"},
	// The same push through RedisModule_Call, a sum over a 100-element list
	// through the key API, and a block unblocked at once by a thread.
	"hello.push.call": {name: "hello.push.call", cmd: []string{"HELLO.PUSH.CALL", "benchcmp:list:__rand_int__", "v"}, keyed: true, module: "hello"},
	"hello.list.sum":  {name: "hello.list.sum", cmd: []string{"HELLO.LIST.SUM", "benchcmp:sumlist"}, module: "hello", setup: sumList()},
	"hello.block":     {name: "hello.block", cmd: []string{"HELLO.BLOCK"}, module: "hello"},
}

// moduleTests returns the known workloads of the module loaded from path,
// in name order.
func moduleTests(path string) []benchTest {
	mod := strings.TrimSuffix(filepath.Base(path), ".so")
	var out []benchTest
	for _, bt := range knownTests {
		if bt.module != "" && bt.module == mod {
			out = append(out, bt)
		}
	}
	slices.SortFunc(out, func(a, b benchTest) int { return strings.Compare(a.name, b.name) })
	return out
}

// defaultTests is the -tests default.
const defaultTests = "ping,echo,set,get,incr,lpush,zadd,hset,eval10"

// parseTests resolves a comma-separated list of test names.
func parseTests(list string) ([]benchTest, error) {
	var out []benchTest
	for name := range strings.SplitSeq(list, ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		bt, ok := knownTests[name]
		if !ok {
			names := make([]string, 0, len(knownTests))
			for n := range knownTests {
				names = append(names, n)
			}
			slices.Sort(names)
			return nil, fmt.Errorf("unknown test %q (known: %s)", name, strings.Join(names, ", "))
		}
		out = append(out, bt)
	}
	return out, nil
}

// result is one redis-benchmark run.
type result struct {
	rps   float64 // requests per second
	p99ms float64 // 99th percentile latency in milliseconds
	cpuUs float64 // server CPU time per request, microseconds
}

// benchArgs builds the redis-benchmark command line for one run.
func benchArgs(port, clients, n, pipeline int, bt benchTest) []string {
	args := []string{
		"-h", "127.0.0.1", "-p", strconv.Itoa(port),
		"-c", strconv.Itoa(clients), "-n", strconv.Itoa(n),
		"-P", strconv.Itoa(pipeline), "--csv",
	}
	if bt.keyed {
		args = append(args, "-r", "100000")
	}
	if bt.t != "" {
		return append(args, "-t", bt.t)
	}
	return append(args, bt.cmd...)
}

// runBenchmark runs redis-benchmark once and parses its CSV output.
func runBenchmark(ctx context.Context, tool string, args []string) (result, error) {
	cmd := exec.CommandContext(ctx, tool, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return result{}, fmt.Errorf("%s %s: %v\n%s%s", tool, strings.Join(args, " "), err, out, stderr.Bytes())
	}
	if bytes.Contains(out, []byte("Error from server")) || bytes.Contains(stderr.Bytes(), []byte("Error from server")) {
		return result{}, fmt.Errorf("%s %s: server error: %s%s", tool, strings.Join(args, " "), out, stderr.Bytes())
	}
	return parseCSV(out)
}

// parseCSV reads redis-benchmark --csv output: a header row naming the
// columns, then one row per test; it returns the first data row.
func parseCSV(out []byte) (result, error) {
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		return result{}, fmt.Errorf("parse redis-benchmark csv: %w\n%s", err, out)
	}
	if len(rows) < 2 {
		return result{}, fmt.Errorf("redis-benchmark printed no result:\n%s", out)
	}
	col := func(name string) int { return slices.Index(rows[0], name) }
	ri, pi := col("rps"), col("p99_latency_ms")
	if ri < 0 || pi < 0 {
		return result{}, fmt.Errorf("redis-benchmark csv lacks rps or p99_latency_ms: %q", rows[0])
	}
	row := rows[1]
	if len(row) <= max(ri, pi) {
		return result{}, fmt.Errorf("short csv row %q", row)
	}
	rps, err1 := strconv.ParseFloat(row[ri], 64)
	p99, err2 := strconv.ParseFloat(row[pi], 64)
	if err1 != nil || err2 != nil {
		return result{}, fmt.Errorf("bad numbers in csv row %q", row)
	}
	return result{rps: rps, p99ms: p99}, nil
}

// median returns the median of xs (the mean of the middle two for an even
// count), or 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// requestsFor sizes -n so that a run at rps lasts about seconds, rounded
// to a multiple of 1000 and clamped to [10000, 20000000].
func requestsFor(rps, seconds float64) int {
	n := int(rps*seconds/1000) * 1000
	return min(max(n, 10000), 20000000)
}
