package server

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/internal/buildinfo"
)

var defaultInfoSections = []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace"}

var allInfoSections = []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "commandstats", "errorstats", "latencystats", "cluster", "keyspace"}

func registerInfoCommand(s *Server) {
	s.Cmds.Add(&commands.Command{Name: "info", Arity: -1, Flags: commands.ParseCmdFlags("loading stale"), Group: "server", Since: "1.0.0", Summary: "Returns information and statistics about the server.", ACL: []string{"slow", "dangerous"}, Handler: adapt(infoCommand)})
}

func infoCommand(c *Client, a [][]byte) {
	args := make([]string, 0, len(a)-1)
	for _, arg := range a[1:] {
		args = append(args, string(arg))
	}
	c.W.Verbatim("txt", []byte(c.srv.InfoText(args)))
}

// InfoString renders the requested INFO sections in Redis's order.
func (s *Server) InfoString(want map[string]bool) string {
	var sb strings.Builder
	for _, sec := range allInfoSections {
		if !want[sec] {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteString("\r\n")
		}
		sb.WriteString("# " + strings.ToUpper(sec[:1]) + sec[1:] + "\r\n")
		for _, line := range s.infoSection(sec) {
			sb.WriteString(line)
			sb.WriteString("\r\n")
		}
	}
	return sb.String()
}

func (s *Server) infoSection(sec string) []string {
	switch sec {
	case "server":
		return s.infoServer()
	case "clients":
		blocked := 0
		pubsub := 0
		for _, c := range s.clients {
			if c.isBlocked() {
				blocked++
			}
			if c.isSubscriber() {
				pubsub++
			}
		}
		return []string{
			fmt.Sprintf("connected_clients:%d", len(s.clients)),
			"cluster_connections:0",
			fmt.Sprintf("maxclients:%d", s.Config.Int("maxclients")),
			fmt.Sprintf("client_recent_max_input_buffer:%d", s.recentMaxInput()),
			fmt.Sprintf("client_recent_max_output_buffer:%d", s.recentMaxOutput()),
			fmt.Sprintf("blocked_clients:%d", blocked),
			fmt.Sprintf("tracking_clients:%d", s.trk.clients),
			fmt.Sprintf("pubsub_clients:%d", pubsub),
			"watching_clients:0",
			"clients_in_timeout_table:0",
			"total_watched_keys:0",
			"total_blocking_keys:0",
			"total_blocking_keys_on_nokey:0",
		}
	case "memory":
		return s.infoMemory()
	case "persistence":
		if s.Persist != nil {
			return s.Persist.InfoLines()
		}
		return []string{"loading:0", "async_loading:0", fmt.Sprintf("rdb_changes_since_last_save:%d", s.Keys.Dirty), "rdb_bgsave_in_progress:0", "rdb_last_save_time:" + fmt.Sprint(s.started.Unix()), "rdb_last_bgsave_status:ok", "aof_enabled:0", "aof_rewrite_in_progress:0", "module_fork_in_progress:0"}
	case "stats":
		ks := s.Keys.Stats
		tkeys, titems, tprefixes := s.trackingTotals()
		return []string{
			fmt.Sprintf("total_connections_received:%d", s.stats.connectionsReceived),
			fmt.Sprintf("total_commands_processed:%d", s.stats.commands),
			fmt.Sprintf("total_net_input_bytes:%d", s.stats.netInput.Load()),
			fmt.Sprintf("total_net_output_bytes:%d", s.stats.netOutput.Load()),
			fmt.Sprintf("rejected_connections:%d", s.stats.rejectedConns),
			fmt.Sprintf("sync_full:%d", s.repl.master.stats.syncFull),
			fmt.Sprintf("sync_partial_ok:%d", s.repl.master.stats.partialOK),
			fmt.Sprintf("sync_partial_err:%d", s.repl.master.stats.partialErr),
			fmt.Sprintf("expired_subkeys:%d", ks.ExpiredSubkeys),
			fmt.Sprintf("expired_keys:%d", ks.ExpiredKeys),
			fmt.Sprintf("expired_stale_perc:%.2f", ks.ExpiredStalePerc*100),
			fmt.Sprintf("expired_time_cap_reached_count:%d", ks.ExpiredTimeCapReached),
			fmt.Sprintf("evicted_keys:%d", ks.EvictedKeys),
			fmt.Sprintf("evicted_clients:%d", s.stats.evictedClients),
			fmt.Sprintf("keyspace_hits:%d", ks.KeyspaceHits),
			fmt.Sprintf("keyspace_misses:%d", ks.KeyspaceMisses),
			fmt.Sprintf("pubsub_channels:%d", s.pubsubChannelCount()),
			fmt.Sprintf("pubsub_patterns:%d", s.pubsubPatternCount()),
			fmt.Sprintf("pubsubshard_channels:%d", len(s.ps.shard)),
			fmt.Sprintf("tracking_total_keys:%d", tkeys),
			fmt.Sprintf("tracking_total_items:%d", titems),
			fmt.Sprintf("tracking_total_prefixes:%d", tprefixes),
			fmt.Sprintf("total_error_replies:%d", s.stats.errorReplies),
			fmt.Sprintf("acl_access_denied_auth:%d", s.ACL.Stats.Auth),
			fmt.Sprintf("acl_access_denied_cmd:%d", s.ACL.Stats.Cmd),
			fmt.Sprintf("acl_access_denied_key:%d", s.ACL.Stats.Key),
			fmt.Sprintf("acl_access_denied_channel:%d", s.ACL.Stats.Channel),
			// Added by Redis 7.4.
			fmt.Sprintf("client_query_buffer_limit_disconnections:%d", s.stats.qbufLimitDisconnections.Load()),
			fmt.Sprintf("client_output_buffer_limit_disconnections:%d", s.stats.obufLimitDisconnections),
		}
	case "replication":
		return s.replicationInfoLines()
	case "cpu":
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return []string{
			fmt.Sprintf("used_cpu_sys:%.6f", tvSeconds(ru.Stime)),
			fmt.Sprintf("used_cpu_user:%.6f", tvSeconds(ru.Utime)),
		}
	case "modules":
		if s.Modules == nil {
			return nil
		}
		return s.Modules.InfoLines()
	case "commandstats":
		return s.commandStatsLines()
	case "latencystats":
		return s.latencyStatsLines()
	case "errorstats":
		codes := make([]string, 0, len(s.stats.errors))
		for code := range s.stats.errors {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		out := make([]string, 0, len(codes))
		for _, code := range codes {
			out = append(out, fmt.Sprintf("errorstat_%s:count=%d", safeInfo(code), s.stats.errors[code]))
		}
		return out
	case "cluster":
		if s.clusterCheck != nil {
			return []string{"cluster_enabled:1"}
		}
		return []string{"cluster_enabled:0"}
	case "keyspace":
		var out []string
		for i := 0; i < s.Keys.NumDBs(); i++ {
			if n := s.Keys.Size(i); n > 0 {
				out = append(out, fmt.Sprintf("db%d:keys=%d,expires=%d,avg_ttl=%d", i, n, s.Keys.Expires(i), s.Keys.AvgTTL(i)))
			}
		}
		return out
	}
	return nil
}

func (s *Server) infoServer() []string {
	exe, _ := os.Executable()
	up := time.Since(s.started)
	lines := []string{
		"redis_version:" + RedisVersion,
		"modhost_version:" + Version,
		"redis_git_sha1:" + buildinfo.GitSHA1(),
		"redis_git_dirty:" + buildinfo.GitDirty(),
		"redis_build_id:" + buildinfo.BuildID(),
		"redis_mode:standalone",
		"os:" + runtime.GOOS + " " + runtime.GOARCH,
		"arch_bits:64",
		"monotonic_clock:POSIX clock_gettime",
		"multiplexing_api:goroutines",
		"gcc_version:0.0.0",
		"go_version:" + runtime.Version(),
		fmt.Sprintf("process_id:%d", os.Getpid()),
		"process_supervised:no",
		"run_id:" + s.runID,
		fmt.Sprintf("tcp_port:%d", s.Config.Int("port")),
		fmt.Sprintf("server_time_usec:%d", time.Now().UnixMicro()),
		fmt.Sprintf("uptime_in_seconds:%d", int64(up.Seconds())),
		fmt.Sprintf("uptime_in_days:%d", int64(up.Hours()/24)),
		fmt.Sprintf("hz:%d", s.Config.Int("hz")),
		fmt.Sprintf("configured_hz:%d", s.Config.Int("hz")),
		"lru_clock:0",
		"executable:" + exe,
		"config_file:" + s.Config.ConfigFile(),
		fmt.Sprintf("io_threads_active:%d", 0),
	}
	if !s.shut.deadline.IsZero() {
		lines = append(lines, fmt.Sprintf("shutdown_in_milliseconds:%d", s.shutdownInfoLine()))
	}
	return lines
}

func (s *Server) commandStatsLines() []string {
	var out []string
	var walk func(c *commands.Command)
	walk = func(c *commands.Command) {
		if c.Calls > 0 || c.FailedCalls > 0 || c.RejectedCalls > 0 {
			per := 0.0
			if c.Calls > 0 {
				per = float64(c.Usec) / float64(c.Calls)
			}
			out = append(out, fmt.Sprintf("cmdstat_%s:calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,failed_calls=%d",
				safeInfo(c.FullName), c.Calls, c.Usec, per, c.RejectedCalls, c.FailedCalls))
		}
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
	return out
}

// moduleMemory is the memory modules allocated through RedisModule_Alloc,
// reported by the module system when present.
func (s *Server) moduleMemory() uint64 {
	if s.Modules != nil {
		return s.Modules.AllocatedBytes()
	}
	return 0
}

func tvSeconds(tv syscall.Timeval) float64 {
	return float64(tv.Sec) + float64(tv.Usec)/1e6
}

// rssBytes reads the resident set size from /proc (0 where unavailable).
func rssBytes() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, rss uint64
	_, _ = fmt.Sscanf(string(b), "%d %d", &size, &rss)
	return rss * uint64(os.Getpagesize())
}

// humanBytes formats a byte count as Redis's bytesToHuman.
func humanBytes(n uint64) string {
	f := float64(n)
	switch {
	case n < 1024:
		return fmt.Sprintf("%dB", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.2fK", f/1024)
	case n < 1024*1024*1024:
		return fmt.Sprintf("%.2fM", f/(1024*1024))
	default:
		return fmt.Sprintf("%.2fG", f/(1024*1024*1024))
	}
}

// infoUnsafe maps the characters that would break an INFO line ("#"
// starts a section, ":" ends a field name, CR and LF end the line) to
// "_", as Redis's getSafeInfoString does for command names and error
// codes.
var infoUnsafe = strings.NewReplacer("#", "_", ":", "_", "\n", "_", "\r", "_")

// safeInfo is name made safe for an INFO field name.
func safeInfo(name string) string {
	if !strings.ContainsAny(name, "#:\n\r") {
		return name
	}
	return infoUnsafe.Replace(name)
}
