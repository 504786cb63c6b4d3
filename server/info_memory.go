package server

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
)

// INFO memory with Redis 7.2's fields. modhost has two allocators: the Go
// heap (everything the server itself stores) and libc malloc behind
// RedisModule_Alloc (module data, tracked by the module system). The
// allocator_* fields add the two:
//
//	allocator_allocated  Go heap objects + module allocations
//	allocator_active     + Go heap spans in use but not filled by objects
//	allocator_resident   + Go heap spans free but still mapped (not returned to the OS)
//
// used_memory is the figure maxmemory is checked against (memaccount.go:
// live heap at the last GC plus allocations since, plus module memory;
// allocator_allocated also counts unswept garbage), used_memory_rss comes
// from /proc, and
// the ratios are Redis's: active/allocated, resident/active, rss/resident,
// rss/used.

// goHeapMetrics are the runtime/metrics samples memStats reads.
var goHeapMetrics = []string{
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/heap/free:bytes",
}

// memStats is one reading of the allocators and the process.
type memStats struct {
	used                        uint64 // used_memory
	allocated, active, resident uint64 // Go heap + module allocations
	rss                         uint64
}

// readMemStats samples the Go heap (without stopping the world) and the
// module allocations.
func (s *Server) readMemStats() memStats {
	samples := make([]metrics.Sample, len(goHeapMetrics))
	for i, name := range goHeapMetrics {
		samples[i].Name = name
	}
	metrics.Read(samples)
	val := func(i int) uint64 {
		if samples[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return samples[i].Value.Uint64()
	}
	mod := s.moduleMemory()
	var m memStats
	m.allocated = val(0) + mod
	m.active = m.allocated + val(1)
	m.resident = m.active + val(2)
	m.rss = rssBytes()
	m.used = s.mem.used(true)
	return m
}

// usedMemory is used_memory; it also raises the recorded peak, as Redis's
// cron and INFO do.
func (s *Server) usedMemory() memStats {
	m := s.readMemStats()
	if m.used > s.memPeak {
		s.memPeak = m.used
	}
	return m
}

// RecordStartupMemory sets used_memory_startup to the memory in use now;
// call it once start-up (modules included) is done, before loading data.
func (s *Server) RecordStartupMemory() {
	runtime.GC() // an exact live figure to start from
	s.mu.Lock()
	s.memStartup = s.usedMemory().used
	s.mu.Unlock()
}

// clientBufferBytes is the memory held by the clients: query and reply
// buffers, output not yet written, the client itself (mem_clients_normal).
func (s *Server) clientBufferBytes() uint64 {
	var n uint64
	for _, c := range s.clients {
		n += uint64(c.memUsage().total)
	}
	return n
}

// ratio is a/b as Redis prints it (0 when b is 0).
func ratio(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// infoMemory renders the memory section.
func (s *Server) infoMemory() []string {
	m := s.usedMemory()
	used := m.used
	clients := s.clientBufferBytes()
	var lazyPending, lazyFreed int64
	if s.Modules != nil {
		lazyPending, lazyFreed = s.Modules.LazyfreeStats()
	}
	overhead := s.memStartup + clients
	dataset := uint64(0)
	if used > overhead {
		dataset = used - overhead
	}
	net := used
	if used > s.memStartup {
		net = used - s.memStartup
	}
	sysMem := totalSystemMemory()
	maxmem := uint64(s.Config.Int("maxmemory"))
	sc := s.scriptFigures()
	return []string{
		fmt.Sprintf("used_memory:%d", used),
		"used_memory_human:" + humanBytes(used),
		fmt.Sprintf("used_memory_rss:%d", m.rss),
		"used_memory_rss_human:" + humanBytes(m.rss),
		fmt.Sprintf("used_memory_peak:%d", s.memPeak),
		"used_memory_peak_human:" + humanBytes(s.memPeak),
		fmt.Sprintf("used_memory_peak_perc:%.2f%%", 100*ratio(used, s.memPeak)),
		fmt.Sprintf("used_memory_overhead:%d", overhead),
		fmt.Sprintf("used_memory_startup:%d", s.memStartup),
		fmt.Sprintf("used_memory_dataset:%d", dataset),
		fmt.Sprintf("used_memory_dataset_perc:%.2f%%", 100*ratio(dataset, net)),
		fmt.Sprintf("allocator_allocated:%d", m.allocated),
		fmt.Sprintf("allocator_active:%d", m.active),
		fmt.Sprintf("allocator_resident:%d", m.resident),
		fmt.Sprintf("total_system_memory:%d", sysMem),
		"total_system_memory_human:" + humanBytes(sysMem),
		// EVAL scripts and their Lua VM, functions and theirs.
		fmt.Sprintf("used_memory_lua:%d", sc.LuaMemory),
		fmt.Sprintf("used_memory_vm_eval:%d", sc.LuaMemory),
		"used_memory_lua_human:" + humanBytes(uint64(sc.LuaMemory)),
		fmt.Sprintf("used_memory_scripts_eval:%d", sc.ScriptBytes),
		fmt.Sprintf("number_of_cached_scripts:%d", sc.Scripts),
		fmt.Sprintf("number_of_functions:%d", sc.Functions),
		fmt.Sprintf("number_of_libraries:%d", sc.Libraries),
		fmt.Sprintf("used_memory_vm_functions:%d", sc.FunctionsVM),
		fmt.Sprintf("used_memory_vm_total:%d", sc.LuaMemory+sc.FunctionsVM),
		"used_memory_vm_total_human:" + humanBytes(uint64(sc.LuaMemory+sc.FunctionsVM)),
		fmt.Sprintf("used_memory_functions:%d", sc.FunctionsBytes),
		fmt.Sprintf("used_memory_scripts:%d", sc.ScriptBytes+sc.FunctionsBytes),
		"used_memory_scripts_human:" + humanBytes(uint64(sc.ScriptBytes+sc.FunctionsBytes)),
		fmt.Sprintf("maxmemory:%d", maxmem),
		"maxmemory_human:" + humanBytes(maxmem),
		"maxmemory_policy:" + s.Config.String("maxmemory-policy"),
		fmt.Sprintf("allocator_frag_ratio:%.2f", ratio(m.active, m.allocated)),
		fmt.Sprintf("allocator_frag_bytes:%d", m.active-m.allocated),
		fmt.Sprintf("allocator_rss_ratio:%.2f", ratio(m.resident, m.active)),
		fmt.Sprintf("allocator_rss_bytes:%d", int64(m.resident-m.active)),
		fmt.Sprintf("rss_overhead_ratio:%.2f", ratio(m.rss, m.resident)),
		fmt.Sprintf("rss_overhead_bytes:%d", int64(m.rss)-int64(m.resident)),
		fmt.Sprintf("mem_fragmentation_ratio:%.2f", ratio(m.rss, used)),
		fmt.Sprintf("mem_fragmentation_bytes:%d", int64(m.rss)-int64(used)),
		// No replication, AOF or cluster bus buffers.
		"mem_not_counted_for_evict:0",
		"mem_replication_backlog:0",
		"mem_total_replication_buffers:0",
		"mem_clients_slaves:0",
		fmt.Sprintf("mem_clients_normal:%d", clients),
		"mem_cluster_links:0",
		"mem_aof_buffer:0",
		"mem_allocator:libc",
		"active_defrag_running:0",
		fmt.Sprintf("lazyfree_pending_objects:%d", lazyPending),
		fmt.Sprintf("lazyfreed_objects:%d", lazyFreed),
		fmt.Sprintf("modhost_module_memory:%d", s.moduleMemory()),
	}
}

// totalSystemMemory is MemTotal of /proc/meminfo in bytes (0 where
// unavailable).
func totalSystemMemory() uint64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, _ := strconv.ParseUint(fields[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}
