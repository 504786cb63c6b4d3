package main

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/modhost/modhost/internal/hosttest"
)

// defaultSearchSO is Debian's RediSearch 1.2.2 (package redis-redisearch).
const defaultSearchSO = "/usr/lib/redis/modules/redisearch.so"

// searchWords make up the generated documents; "hello" is in every other
// title, so the benchmarked query matches half of the index.
var searchWords = []string{"quick", "brown", "fox", "jumps", "over", "lazy", "dog", "search", "engine", "module"}

// searchQuery is the -search workload: a one-term text query returning the
// ten best documents with their fields.
var searchQuery = benchTest{name: "ft.search", cmd: []string{"FT.SEARCH", "idx", "hello", "LIMIT", "0", "10"}}

// searchDoc returns the FT.ADD command of generated document i.
func searchDoc(i int) []string {
	title := searchWords[i%len(searchWords)] + " " + searchWords[(i/7)%len(searchWords)]
	if i%2 == 0 {
		title = "hello " + title
	}
	body := fmt.Sprintf("%s %s document %d of the benchmark", searchWords[(i*3)%len(searchWords)],
		searchWords[(i/11)%len(searchWords)], i)
	return []string{"FT.ADD", "idx", "doc:" + strconv.Itoa(i), "1.0", "FIELDS",
		"title", title, "body", body, "n", strconv.Itoa(i)}
}

// fillSearch creates the index and adds n documents with pipelined batches.
func fillSearch(c *hosttest.Conn, n int) error {
	f, err := c.Command("FT.CREATE", "idx", "SCHEMA", "title", "TEXT", "WEIGHT", "2.0", "body", "TEXT", "n", "NUMERIC", "SORTABLE")
	if err != nil {
		return err
	}
	if f.IsError() {
		return fmt.Errorf("FT.CREATE: %s", f.Str)
	}
	const batch = 500
	for start := 0; start < n; start += batch {
		var raw []byte
		end := min(start+batch, n)
		for i := start; i < end; i++ {
			raw = hosttest.AppendCommand(raw, searchDoc(i)...)
		}
		if err := c.Send(raw); err != nil {
			return err
		}
		for i := start; i < end; i++ {
			f, err := c.ReadFrame()
			if err != nil {
				return err
			}
			if f.IsError() {
				return fmt.Errorf("FT.ADD doc:%d: %s", i, f.Str)
			}
		}
	}
	return nil
}

// searchRows starts a second pair of servers with the RediSearch module,
// fills both with c.search documents and benches searchQuery at every
// pipeline depth in pipes.
func searchRows(ctx context.Context, c *config, pipes []int) ([]row, error) {
	if _, err := os.Stat(c.searchSO); err != nil {
		return nil, fmt.Errorf("-search needs %s (package redis-redisearch): %w", c.searchSO, err)
	}
	sc := *c
	sc.module = c.searchSO
	servers, cleanup, err := startServers(&sc)
	defer cleanup()
	if err != nil {
		return nil, err
	}
	for _, s := range servers {
		conn, err := hosttest.DialConn(s.proc.Addr)
		if err != nil {
			return nil, err
		}
		err = fillSearch(conn, c.search)
		conn.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	fmt.Fprintf(os.Stderr, "ft.search: %d documents indexed on both servers\n", c.search)
	var rows []row
	for _, p := range pipes {
		bc := *c
		if bc.n == 0 {
			// A search costs about a millisecond: calibrate on fewer
			// requests than benchOne would, and allow shorter runs.
			res, err := runBenchmark(ctx, c.tool, benchArgs(servers[1].proc.Port, c.clients, 1000*p, p, searchQuery))
			if err != nil {
				return nil, err
			}
			bc.n = max(int(res.rps*c.seconds/100)*100, 1000)
		}
		r, err := benchOne(ctx, &bc, servers, searchQuery, p)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	return rows, nil
}
