package main

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// infoSection returns INFO <section> of c as name -> value, in order.
func infoSection(t *testing.T, c *hosttest.Conn, section string) (map[string]string, []string) {
	t.Helper()
	f, err := c.Command("INFO", section)
	require.NoError(t, err)
	require.False(t, f.IsError(), "%s", f.Raw)
	var names []string
	m := map[string]string{}
	for _, line := range strings.Split(string(f.Str), "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "#") {
			m[k] = v
			names = append(names, k)
		}
	}
	return m, names
}

func infoUint(t *testing.T, m map[string]string, name string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(m[name], 10, 64)
	require.NoError(t, err, "%s:%q", name, m[name])
	return n
}

// TestInfoMemoryFieldsAndValues checks that INFO memory has every field of
// redis-server's, in the same order, and that the values hold together:
// allocated <= active <= resident, the ratios are the byte counts' ratios,
// data raises used_memory and the peak, and module allocations count.
func TestInfoMemoryFieldsAndValues(t *testing.T) {
	_, refNames := infoSection(t, hosttest.StartRedis(t).Conn(t), "memory")
	srv := hosttest.StartModhost(t, "--enable-debug-command", "yes", "--loadmodule", moduleSO(t, "test_types"))
	c := srv.Conn(t)
	before, names := infoSection(t, c, "memory")
	var common []string
	for _, n := range names {
		if _, ok := before[n]; ok && strings.Contains(strings.Join(refNames, ","), n) {
			common = append(common, n)
		}
	}
	require.Equal(t, refNames, common, "Redis's fields, in Redis's order")

	require.Equal(t, "+OK\r\n", string(c.Do("DEBUG", "POPULATE", "200000", "k", "64")))
	for i := 0; i < 2000; i++ {
		require.Equal(t, "+OK\r\n", string(c.Do("TYPES.SET", fmt.Sprint("rec", i), strings.Repeat("x", 200), "1", "1", "1", "1", "2", "3")))
	}
	after, _ := infoSection(t, c, "memory")
	used := infoUint(t, after, "used_memory")
	require.Greater(t, used, infoUint(t, before, "used_memory")+200000*64, "data is counted")
	require.GreaterOrEqual(t, infoUint(t, after, "modhost_module_memory"), uint64(2000*200), "module allocations are counted")
	alloc, active, resident := infoUint(t, after, "allocator_allocated"), infoUint(t, after, "allocator_active"), infoUint(t, after, "allocator_resident")
	// used_memory leaves out garbage not yet swept; allocator_allocated
	// includes it (read just before: allow for allocations in between).
	require.LessOrEqual(t, used, alloc+1<<20)
	require.LessOrEqual(t, alloc, active)
	require.LessOrEqual(t, active, resident)
	require.Equal(t, fmt.Sprintf("%.2f", float64(active)/float64(alloc)), after["allocator_frag_ratio"])
	require.Equal(t, fmt.Sprint(active-alloc), after["allocator_frag_bytes"])
	require.Equal(t, fmt.Sprintf("%.2f", float64(resident)/float64(active)), after["allocator_rss_ratio"])
	rss := infoUint(t, after, "used_memory_rss")
	require.Greater(t, rss, used/2, "rss is read from /proc")
	require.Equal(t, fmt.Sprint(int64(rss)-int64(resident)), after["rss_overhead_bytes"])
	require.Equal(t, fmt.Sprintf("%.2f", float64(rss)/float64(used)), after["mem_fragmentation_ratio"])
	require.Equal(t, fmt.Sprint(int64(rss)-int64(used)), after["mem_fragmentation_bytes"])
	require.GreaterOrEqual(t, infoUint(t, after, "used_memory_peak"), used)
	require.Greater(t, infoUint(t, after, "used_memory_startup"), uint64(0))
	require.Greater(t, infoUint(t, after, "total_system_memory"), rss)
	require.Equal(t, "libc", after["mem_allocator"])

	require.Equal(t, "+OK\r\n", string(c.Do("FLUSHALL")))
	flushed, _ := infoSection(t, c, "memory")
	require.GreaterOrEqual(t, infoUint(t, flushed, "used_memory_peak"), used, "the peak stays")
}
