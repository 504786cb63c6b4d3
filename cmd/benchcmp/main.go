// Command benchcmp compares modhost with Debian's redis-server under
// redis-benchmark: it starts both on free loopback ports with the same
// flags (and optionally the same module), runs each workload at -c 50 with
// pipeline depths 1 and 16, interleaving the two servers, for several
// rounds, and prints the median requests/s and p99 latency of each side
// with their ratio. With -populate it also reports RSS per key after
// DEBUG POPULATE on both servers.
//
//	go run ./cmd/benchcmp -bin bin/modhost -rounds 3 -module modules_c/hello.so
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/modhost/modhost/internal/hosttest"
)

// config holds the command-line flags.
type config struct {
	bin, redisBin, tool string
	tests, pipelines    string
	module, moduleCmd   string
	rounds, n, clients  int
	populate            int
	persist             int
	bgsave              int
	seconds             float64
	extraArg            string
	search              int
	searchSO            string
}

func parseFlags() *config {
	c := &config{}
	flag.StringVar(&c.bin, "bin", "bin/modhost", "modhost binary (any redis-server compatible binary works)")
	flag.StringVar(&c.redisBin, "redis", "redis-server", "reference redis-server binary")
	flag.StringVar(&c.tool, "benchmark", "redis-benchmark", "redis-benchmark binary")
	flag.StringVar(&c.tests, "tests", defaultTests, "comma-separated workloads (ping, ping_inline, echo, set, get, incr, lpush, hset, zadd, eval10; hello.simple, hello.echo, hello.push with -module hello.so, added to the default list then)")
	flag.StringVar(&c.pipelines, "P", "1,16", "comma-separated pipeline depths")
	flag.StringVar(&c.module, "module", "", "module .so to load into both servers")
	flag.StringVar(&c.moduleCmd, "module-cmd", "", "extra custom command to bench on both, in redis-cli quoting (e.g. 'hello.simple')")
	flag.IntVar(&c.rounds, "rounds", 3, "rounds per workload; the table shows medians")
	flag.IntVar(&c.n, "n", 0, "requests per run (0: size each workload to about -seconds per run)")
	flag.IntVar(&c.clients, "c", 50, "parallel clients")
	flag.IntVar(&c.populate, "populate", 0, "if > 0, report RSS per key after DEBUG POPULATE N on both servers")
	flag.IntVar(&c.persist, "persist", 0, "if > 0, compare SAVE and load time of N mixed-type keys on both servers")
	flag.IntVar(&c.bgsave, "bgsave", 0, "if > 0, compare worst and p99 PING latency while a BGSAVE of N mixed-type keys runs")
	flag.Float64Var(&c.seconds, "seconds", 1.5, "target duration of one run when -n is 0")
	flag.StringVar(&c.extraArg, "args", "", "extra server arguments for both servers, space separated")
	flag.IntVar(&c.search, "search", 0, "if > 0, also bench 'FT.SEARCH idx hello LIMIT 0 10' on N documents with -search-so loaded in a second pair of servers (-tests '' runs only that)")
	flag.StringVar(&c.searchSO, "search-so", defaultSearchSO, "RediSearch module for -search")
	flag.Parse()
	// Servers start in their own directories: make paths absolute.
	for _, p := range []*string{&c.bin, &c.module, &c.searchSO} {
		if *p != "" && strings.Contains(*p, "/") {
			if abs, err := filepath.Abs(*p); err == nil {
				*p = abs
			}
		}
	}
	return c
}

func main() {
	c := parseFlags()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, "benchcmp:", err)
		os.Exit(1)
	}
}

// server is one side of the comparison.
type server struct {
	name string
	proc *hosttest.Process
}

func run(ctx context.Context, c *config) error {
	tests, err := parseTests(c.tests)
	if err != nil {
		return err
	}
	if c.module != "" && c.tests == defaultTests {
		tests = append(tests, moduleTests(c.module)...)
	}
	if c.moduleCmd != "" {
		args, err := hosttest.SplitArgs(c.moduleCmd)
		if err != nil || len(args) == 0 {
			return fmt.Errorf("-module-cmd %q: bad command line", c.moduleCmd)
		}
		tests = append(tests, benchTest{name: args[0], cmd: args, keyed: strings.Contains(c.moduleCmd, "__rand_int__")})
	}
	pipes, err := parseInts(c.pipelines)
	if err != nil {
		return fmt.Errorf("-P: %w", err)
	}
	servers, cleanup, err := startServers(c)
	defer cleanup()
	if err != nil {
		return err
	}
	fmt.Printf("modhost: %s (pid %d, port %d)\nredis:   %s (pid %d, port %d)\n",
		c.bin, servers[0].proc.PID(), servers[0].proc.Port, c.redisBin, servers[1].proc.PID(), servers[1].proc.Port)
	var rows []row
	for _, bt := range tests {
		for _, p := range pipes {
			r, err := benchOne(ctx, c, servers, bt, p)
			if err != nil {
				return err
			}
			rows = append(rows, r)
		}
	}
	if c.search > 0 {
		sr, err := searchRows(ctx, c, pipes)
		if err != nil {
			return fmt.Errorf("-search: %w", err)
		}
		rows = append(rows, sr...)
	}
	fmt.Println()
	if err := writeTable(os.Stdout, rows); err != nil {
		return err
	}
	cleanup()
	// Memory and persistence run on fresh servers: RSS after the workloads
	// above would measure their leftovers, not the populated keys.
	if c.populate > 0 {
		if err := withFreshServers(c, func(s [2]server) error { return reportRSS(s, c.populate) }); err != nil {
			return err
		}
	}
	if c.persist > 0 {
		if err := withFreshServers(c, func(s [2]server) error { return reportPersist(s, c.persist) }); err != nil {
			return err
		}
	}
	if c.bgsave > 0 {
		return withFreshServers(c, func(s [2]server) error { return reportBgsave(s, c.bgsave) })
	}
	return nil
}

// withFreshServers runs fn on a newly started server pair.
func withFreshServers(c *config, fn func([2]server) error) error {
	servers, cleanup, err := startServers(c)
	defer cleanup()
	if err != nil {
		return err
	}
	return fn(servers)
}

func parseInts(list string) ([]int, error) {
	var out []int
	for s := range strings.SplitSeq(list, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || v < 1 {
			return nil, fmt.Errorf("bad number %q", s)
		}
		out = append(out, v)
	}
	return out, nil
}

// startServers starts modhost and redis-server with the same arguments.
// cleanup kills whatever was started, also after an error.
func startServers(c *config) ([2]server, func(), error) {
	args := []string{"--save", "", "--appendonly", "no", "--enable-debug-command", "yes"}
	if c.module != "" {
		args = append(args, "--loadmodule", c.module)
	}
	args = append(args, strings.Fields(c.extraArg)...)
	servers := [2]server{{name: "modhost"}, {name: "redis"}}
	bins := [2]string{c.bin, c.redisBin}
	var dirs []string
	cleanup := func() {
		for _, s := range servers {
			if s.proc != nil {
				s.proc.Kill()
			}
		}
		for _, d := range dirs {
			_ = os.RemoveAll(d)
		}
	}
	for i := range servers {
		dir, err := os.MkdirTemp("", "benchcmp-")
		if err != nil {
			return servers, cleanup, err
		}
		dirs = append(dirs, dir) // -persist saves there
		p, err := hosttest.Launch(dir, bins[i], args...)
		if err != nil {
			return servers, cleanup, fmt.Errorf("start %s: %w", servers[i].name, err)
		}
		servers[i].proc = p
	}
	return servers, cleanup, nil
}

// benchOne runs one workload at one pipeline depth for all rounds,
// alternating which server goes first, and returns the medians.
func benchOne(ctx context.Context, c *config, servers [2]server, bt benchTest, p int) (row, error) {
	for _, srv := range servers {
		if err := sendSetup(srv.proc, bt.setup); err != nil {
			return row{}, err
		}
	}
	n := c.n
	if n == 0 {
		calib := 20000 * p
		res, err := runBenchmark(ctx, c.tool, benchArgs(servers[1].proc.Port, c.clients, calib, p, bt))
		if err != nil {
			return row{}, err
		}
		n = requestsFor(res.rps, c.seconds)
	}
	var rps, p99, cpu [2][]float64
	for round := range c.rounds {
		for k := range 2 {
			i := (round + k) % 2
			before, err := hosttest.ProcCPU(servers[i].proc.PID())
			if err != nil {
				return row{}, err
			}
			res, err := runBenchmark(ctx, c.tool, benchArgs(servers[i].proc.Port, c.clients, n, p, bt))
			if err != nil {
				return row{}, fmt.Errorf("%s: %w", servers[i].name, err)
			}
			after, err := hosttest.ProcCPU(servers[i].proc.PID())
			if err != nil {
				return row{}, err
			}
			rps[i] = append(rps[i], res.rps)
			p99[i] = append(p99[i], res.p99ms)
			cpu[i] = append(cpu[i], float64((after-before).Microseconds())/float64(n))
		}
		fmt.Fprintf(os.Stderr, "%-12s P=%-3d n=%-8d round %d: modhost %.0f rps, redis %.0f rps\n",
			bt.name, p, n, round+1, rps[0][round], rps[1][round])
	}
	return row{
		test: bt.name, pipeline: p,
		modhost: result{rps: median(rps[0]), p99ms: median(p99[0]), cpuUs: median(cpu[0])},
		redis:   result{rps: median(rps[1]), p99ms: median(p99[1]), cpuUs: median(cpu[1])},
	}, nil
}

// reportRSS flushes both servers, populates n keys with DEBUG POPULATE and
// prints the VmRSS growth per key.
func reportRSS(servers [2]server, n int) error {
	hosttest.ReplyTimeout = 10 * time.Minute
	fmt.Printf("\nRSS after DEBUG POPULATE %d:\n", n)
	for _, s := range servers {
		perKey, before, after, err := populate(s.proc, n)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		fmt.Printf("  %-8s %8.1f bytes/key  (VmRSS %d -> %d KiB)\n", s.name, perKey, before>>10, after>>10)
	}
	return nil
}

func populate(p *hosttest.Process, n int) (perKey float64, before, after int64, err error) {
	c, err := hosttest.DialConn(p.Addr)
	if err != nil {
		return 0, 0, 0, err
	}
	defer c.Close()
	for _, args := range [][]string{{"FLUSHALL"}, {"DEBUG", "POPULATE", strconv.Itoa(n)}} {
		if len(args) == 3 {
			if before, err = p.RSS(); err != nil {
				return 0, 0, 0, err
			}
		}
		f, err := c.Command(args...)
		if err != nil {
			return 0, 0, 0, err
		}
		if f.IsError() {
			return 0, 0, 0, fmt.Errorf("%s: %s", strings.Join(args, " "), f.Str)
		}
	}
	if after, err = p.RSS(); err != nil {
		return 0, 0, 0, err
	}
	return float64(after-before) / float64(n), before, after, nil
}

// sendSetup sends a workload's setup commands to one server.
func sendSetup(p *hosttest.Process, cmds [][]string) error {
	if len(cmds) == 0 {
		return nil
	}
	conn, err := hosttest.DialConn(p.Addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, cmd := range cmds {
		f, err := conn.Command(cmd...)
		if err != nil {
			return err
		}
		if f.IsError() {
			return fmt.Errorf("setup %v: %s", cmd, f.Str)
		}
	}
	return nil
}
