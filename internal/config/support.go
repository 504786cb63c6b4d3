package config

import "fmt"

// Every directive CONFIG GET lists is in one of three classes:
//
//   - honoured: modhost reads the value and does what Redis does with it
//     (the default for any directive not listed below);
//   - unimplemented: modhost does not do what the directive asks yet, so
//     only its default value is accepted; any other value is refused at
//     start-up and by CONFIG SET, naming the directive;
//   - noMeaning: the directive only tunes something modhost does not have
//     (jemalloc, fork, the event loop's pacing, ...); any valid value is
//     accepted and has no observable effect. docs/CONFIG.md lists each one
//     with the reason given here.
//
// A test walks the whole table and checks each directive against its class.

// unimplemented names the directives that only accept their default.
var unimplemented = map[string]bool{
	// Persistence: RDB snapshots and the AOF are honoured; these are not.
	"rdb-del-sync-files": true,
	// Memory limits and eviction.
	// (maxmemory, its policy, samples and tenacity, and maxmemory-clients
	// are honoured.)
	"oom-score-adj": true, "oom-score-adj-values": true,
	// Replication.
	// (Both sides are honoured: repl-backlog-size, repl-backlog-ttl,
	// repl-timeout, repl-ping-replica-period, repl-disable-tcp-nodelay,
	// min-replicas-to-write, min-replicas-max-lag; replicaof, masterauth,
	// masteruser, replica-read-only, replica-serve-stale-data,
	// replica-announce-ip/port, replica-priority, replica-announced,
	// replica-ignore-maxmemory; repl-diskless-load but swapdb, see
	// refusedValues.)
	"replica-ignore-disk-write-errors": true, "bind-source-addr": true,
	// Cluster (cluster-enabled, cluster-config-file, cluster-node-timeout,
	// cluster-port, cluster-require-full-coverage, cluster-ping-interval,
	// cluster-allow-reads-when-down and cluster-allow-pubsubshard-when-down
	// are honoured by package cluster).
	"cluster-announce-ip":   true,
	"cluster-announce-port": true, "cluster-announce-bus-port": true,
	"cluster-announce-tls-port": true, "cluster-announce-hostname": true,
	"cluster-announce-human-nodename": true, "cluster-replica-validity-factor": true,
	"cluster-migration-barrier":   true,
	"cluster-replica-no-failover": true, "cluster-allow-replica-migration": true,
	"cluster-link-sendbuf-limit": true, "cluster-preferred-endpoint-type": true,
	// TLS (tls-port, tls-replication, tls-auth-clients, tls-cert-file,
	// tls-key-file, tls-client-cert-file, tls-client-key-file,
	// tls-ca-cert-file, tls-ca-cert-dir, tls-protocols and
	// tls-session-caching are honoured by Go's crypto/tls, server/tls.go).
	// Not these: the cluster bus is plain TCP; crypto/tls reads no
	// encrypted PEM keys or DH parameters, takes no OpenSSL cipher strings,
	// keeps no server-side session cache to size, and chooses cipher
	// suites by its own order.
	"tls-cluster": true, "tls-prefer-server-ciphers": true,
	"tls-session-cache-size": true, "tls-session-cache-timeout": true,
	"tls-key-file-pass": true, "tls-client-key-file-pass": true,
	"tls-dh-params-file": true, "tls-ciphers": true, "tls-ciphersuites": true,
	// Process, logging and operating-system integration.
	"daemonize": true, "supervised": true, "syslog-enabled": true, "syslog-ident": true,
	"syslog-facility": true, "crash-log-enabled": true, "use-exit-on-panic": true,
	"watchdog-period": true, "hide-user-data-from-log": true, "socket-mark-id": true,
	"server-cpulist": true, "bio-cpulist": true, "aof-rewrite-cpulist": true, "bgsave-cpulist": true,
	// Features modhost does not have yet.
	"sanitize-dump-payload": true, "locale-collate": true,
	"stream-node-max-bytes": true, "stream-node-max-entries": true,
	"activedefrag": true,
}

// noMeaning gives, for each directive accepted with any valid value but
// without effect in modhost, the reason it has none. docs/CONFIG.md
// repeats the list.
var noMeaning = map[string]string{
	"activerehashing":                   "modhost's hash tables are Go maps, which grow incrementally on their own; the setting only changes when Redis spends CPU on rehashing.",
	"active-defrag-cycle-min":           "tunes jemalloc active defragmentation, which modhost does not have (activedefrag yes is refused).",
	"active-defrag-cycle-max":           "tunes jemalloc active defragmentation, which modhost does not have (activedefrag yes is refused).",
	"active-defrag-threshold-lower":     "tunes jemalloc active defragmentation, which modhost does not have (activedefrag yes is refused).",
	"active-defrag-threshold-upper":     "tunes jemalloc active defragmentation, which modhost does not have (activedefrag yes is refused).",
	"active-defrag-ignore-bytes":        "tunes jemalloc active defragmentation, which modhost does not have (activedefrag yes is refused).",
	"active-defrag-max-scan-fields":     "tunes jemalloc active defragmentation, which modhost does not have (activedefrag yes is refused).",
	"jemalloc-bg-thread":                "jemalloc's purge thread; modhost's memory is managed by the Go runtime.",
	"lazyfree-lazy-eviction":            "only moves freeing to a background thread; the Go garbage collector frees memory in the background anyway. Module values are freed at once (only UNLINK, and DEL with lazyfree-lazy-user-del, free a costly one in the background).",
	"lazyfree-lazy-expire":              "only moves freeing to a background thread; the Go garbage collector frees memory in the background anyway. Module values are freed at once (only UNLINK, and DEL with lazyfree-lazy-user-del, free a costly one in the background).",
	"lazyfree-lazy-server-del":          "only moves freeing to a background thread; the Go garbage collector frees memory in the background anyway. Module values are freed at once (only UNLINK, and DEL with lazyfree-lazy-user-del, free a costly one in the background).",
	"lazyfree-lazy-user-flush":          "only moves freeing to a background thread; the Go garbage collector frees memory in the background anyway. Module values are freed at once (only UNLINK, and DEL with lazyfree-lazy-user-del, free a costly one in the background).",
	"replica-lazy-flush":                "only moves freeing to a background thread; the Go garbage collector frees memory in the background anyway. Module values are freed at once (only UNLINK, and DEL with lazyfree-lazy-user-del, free a costly one in the background).",
	"dynamic-hz":                        "only raises the frequency of background tasks with many clients; modhost runs them at hz.",
	"disable-thp":                       "turns off transparent huge pages to speed up fork; modhost does not fork.",
	"crash-memcheck-enabled":            "runs a memory test after a crash report; modhost has no such test.",
	"rdb-save-incremental-fsync":        "only paces fsync calls while writing an RDB file (every 4 MB); the file written is the same.",
	"aof-rewrite-incremental-fsync":     "only paces fsync calls (every 4 MB) while the AOF base is written; the file written is the same.",
	"io-threads":                        "modhost already serves every connection on its own goroutine; the setting only changes Redis's throughput.",
	"io-threads-do-reads":               "modhost already serves every connection on its own goroutine; the setting only changes Redis's throughput.",
	"tcp-backlog":                       "the listen backlog is taken from the kernel (net.core.somaxconn) by the Go runtime; it only matters under connection storms.",
	"max-new-connections-per-cycle":     "only paces how many connections Redis's event loop accepts per iteration; modhost accepts on its own goroutine.",
	"max-new-tls-connections-per-cycle": "only paces how many connections Redis's event loop accepts per iteration; modhost accepts on its own goroutine.",
	"list-compress-depth":               "only compresses interior quicklist nodes to save memory; replies, encodings and RDB contents are the same.",
	"set-proc-title":                    "modhost never rewrites its process title; the title is cosmetic.",
	"proc-title-template":               "modhost never rewrites its process title; the title is cosmetic.",
	"ignore-warnings":                   "the only warning Redis knows (ARM64-COW-BUG) is about a kernel bug hit by fork; modhost does not fork.",
	"repl-diskless-sync":                "chooses between a fork writing the RDB to disk or to the replica sockets; modhost has neither: it encodes a snapshot in memory and sends it as a length-prefixed bulk, which every replica loads.",
	"repl-diskless-sync-max-replicas":   "only starts a diskless sync early once that many replicas wait; modhost starts each full sync at once.",
	"repl-diskless-sync-delay":          "only delays a diskless full sync so that more replicas share one fork; modhost starts each full sync at once from an in-memory snapshot; set by Redis's test suite.",
	"active-expire-effort":              "only sets how much CPU each active-expiry cycle may spend; keys still expire in the background and are never visible after their time.",
}

// refusedValues names, for directives modhost honours in part, the values
// it refuses: repl-diskless-load swapdb would load a master's RDB
// asynchronously while serving the old data, which modhost does not do
// (disabled and on-empty-db are honoured).
var refusedValues = map[string]map[string]bool{
	"repl-diskless-load": {"swapdb": true},
}

// activeDefragRefusal is Redis's own refusal on a build without jemalloc.
const activeDefragRefusal = "Active defragmentation cannot be enabled: it requires a Redis server " +
	"compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution"

// refusal is the reason an unimplemented directive's value is refused.
func refusal(d *directive) string {
	if d.name == "activedefrag" {
		return activeDefragRefusal
	}
	return fmt.Sprintf("modhost does not implement '%s' yet (only the default '%s' is accepted)", d.name, d.defValue)
}

// setValue stores args into d as loading and CONFIG SET do, refusing any
// value but the default of a directive modhost does not implement.
func (c *Config) setValue(d *directive, args []string) (bool, string) {
	if bad := refusedValues[d.name]; bad != nil && !c.acceptUnimplemented {
		old := d.val.get(c)
		changed, reason := d.val.set(c, args)
		if v := d.val.get(c); reason == "" && bad[v] {
			d.val.set(c, setArgs(d, old))
			return false, fmt.Sprintf("modhost does not implement '%s %s' yet", d.name, v)
		}
		return changed, reason
	}
	if !unimplemented[d.name] || c.acceptUnimplemented {
		return d.val.set(c, args)
	}
	old := d.val.get(c)
	changed, reason := d.val.set(c, args)
	if reason != "" {
		return changed, reason
	}
	if d.val.get(c) != d.defValue {
		d.val.set(c, setArgs(d, old))
		return false, refusal(d)
	}
	return changed, ""
}
