package config

import (
	"strings"

	"github.com/modhost/modhost/internal/buildinfo"
)

// Log levels, as stored by the loglevel directive.
const (
	LogDebug   = 0
	LogVerbose = 1
	LogNotice  = 2
	LogWarning = 3
	LogNothing = 4
)

// Protected-action values of enable-debug-command, enable-module-command
// and enable-protected-configs.
const (
	ProtectedNo    = 0 // never allowed
	ProtectedYes   = 1 // always allowed
	ProtectedLocal = 2 // allowed from local connections only
)

// Shutdown flags of shutdown-on-sigint / shutdown-on-sigterm.
const (
	ShutdownSave   = 1
	ShutdownNoSave = 2
	ShutdownNow    = 4
	ShutdownForce  = 8
)

// Maxmemory policies (maxmemory-policy), upstream's values.
const (
	MaxmemoryVolatileLRU    = 0<<8 | 1
	MaxmemoryVolatileLFU    = 1<<8 | 2
	MaxmemoryVolatileTTL    = 2 << 8
	MaxmemoryVolatileRandom = 3 << 8
	MaxmemoryAllkeysLRU     = 4<<8 | 1 | 4
	MaxmemoryAllkeysLFU     = 5<<8 | 2 | 4
	MaxmemoryAllkeysRandom  = 6<<8 | 4
	MaxmemoryNoEviction     = 7 << 8
)

// RedisVersion is the Redis version modhost reports in messages.
const RedisVersion = buildinfo.RedisVersion

var (
	enumLoglevel = []enumItem{{"debug", LogDebug}, {"verbose", LogVerbose},
		{"notice", LogNotice}, {"warning", LogWarning}, {"nothing", LogNothing}}
	enumMaxmemory = []enumItem{{"volatile-lru", MaxmemoryVolatileLRU},
		{"volatile-lfu", MaxmemoryVolatileLFU}, {"volatile-random", MaxmemoryVolatileRandom},
		{"volatile-ttl", MaxmemoryVolatileTTL}, {"allkeys-lru", MaxmemoryAllkeysLRU},
		{"allkeys-lfu", MaxmemoryAllkeysLFU}, {"allkeys-random", MaxmemoryAllkeysRandom},
		{"noeviction", MaxmemoryNoEviction}}
	enumSyslog = []enumItem{{"user", 8}, {"local0", 128}, {"local1", 136}, {"local2", 144},
		{"local3", 152}, {"local4", 160}, {"local5", 168}, {"local6", 176}, {"local7", 184}}
	enumSupervised = []enumItem{{"upstart", 3}, {"systemd", 2}, {"auto", 1}, {"no", 0}}
	enumFsync      = []enumItem{{"everysec", 2}, {"always", 1}, {"no", 0}}
	enumShutdown   = []enumItem{{"default", 0}, {"save", ShutdownSave},
		{"nosave", ShutdownNoSave}, {"now", ShutdownNow}, {"force", ShutdownForce}}
	enumDisklessLoad = []enumItem{{"disabled", 0}, {"on-empty-db", 1}, {"swapdb", 2}}
	enumTLSAuth      = []enumItem{{"no", 0}, {"yes", 1}, {"optional", 2}}
	enumOOM          = []enumItem{{"no", 0}, {"yes", 1}, {"relative", 1}, {"absolute", 2}}
	enumPubsub       = []enumItem{{"allchannels", 1 << 3}, {"resetchannels", 0}}
	enumSanitize     = []enumItem{{"no", 0}, {"yes", 1}, {"clients", 2}}
	enumProtected    = []enumItem{{"no", ProtectedNo}, {"yes", ProtectedYes}, {"local", ProtectedLocal}}
	enumEndpoint     = []enumItem{{"ip", 0}, {"hostname", 1}, {"unknown-endpoint", 2}}
	enumPropagation  = []enumItem{{"ignore", 0}, {"panic", 1}, {"panic-on-replicas", 2}}
)

func boolDir(name, alias string, flags int, def bool) *directive {
	return &directive{name: name, alias: alias, flags: flags, val: &boolValue{v: def, def: def}}
}

// strDir makes a string directive; a nil-able default is given as defNull.
func strDir(name, alias string, flags int, emptyNull bool, def string, defNull bool) *directive {
	return &directive{name: name, alias: alias, flags: flags, val: &stringValue{
		v: def, null: defNull, def: def, defNull: defNull, emptyNull: emptyNull}}
}

func enumDir(name, alias string, flags int, items []enumItem, def int) *directive {
	return &directive{name: name, alias: alias, flags: flags, val: &enumValue{
		v: def, def: def, items: items, multi: flags&flagMultiArg != 0}}
}

func numDir(name, alias string, flags int, lo, hi, def int64, style int) *directive {
	return &directive{name: name, alias: alias, flags: flags, val: &numericValue{
		v: def, def: def, lo: lo, hi: hi, style: style}}
}

// unsignedDir makes a numeric directive checked as an unsigned value.
func unsignedDir(name, alias string, flags int, lo, hi, def int64, style int) *directive {
	d := numDir(name, alias, flags, lo, hi, def, style)
	d.val.(*numericValue).unsigned = true
	return d
}

const (
	mod  = 0
	imm  = flagImmutable
	hid  = flagHidden
	sens = flagSensitive
	vol  = flagVolatile
	mul  = flagMultiArg
	prot = flagProtected
)

// directives returns a fresh table of every directive with its default.
func directives() []*directive {
	t := []*directive{
		boolDir("rdbchecksum", "", imm, true),
		boolDir("daemonize", "", imm, false),
		boolDir("io-threads-do-reads", "", imm, false),
		boolDir("always-show-logo", "", imm, false),
		boolDir("protected-mode", "", mod, true),
		boolDir("rdbcompression", "", mod, true),
		boolDir("rdb-del-sync-files", "", mod, false),
		boolDir("activerehashing", "", mod, true),
		boolDir("module-strict", "", mod, false), // modhost: costlier module API misuse checks
		boolDir("stop-writes-on-bgsave-error", "", mod, true),
		boolDir("set-proc-title", "", imm, true),
		boolDir("dynamic-hz", "", mod, true),
		boolDir("lazyfree-lazy-eviction", "", mod, false),
		boolDir("lazyfree-lazy-expire", "", mod, false),
		boolDir("lazyfree-lazy-server-del", "", mod, false),
		boolDir("lazyfree-lazy-user-del", "", mod, false),
		boolDir("lazyfree-lazy-user-flush", "", mod, false),
		boolDir("repl-disable-tcp-nodelay", "", mod, false),
		boolDir("repl-diskless-sync", "", mod, true),
		boolDir("aof-rewrite-incremental-fsync", "", mod, true),
		boolDir("no-appendfsync-on-rewrite", "", mod, false),
		boolDir("cluster-require-full-coverage", "", mod, true),
		boolDir("rdb-save-incremental-fsync", "", mod, true),
		boolDir("aof-load-truncated", "", mod, true),
		boolDir("aof-use-rdb-preamble", "", mod, true),
		boolDir("aof-timestamp-enabled", "", mod, false),
		boolDir("cluster-replica-no-failover", "cluster-slave-no-failover", mod, false),
		boolDir("replica-lazy-flush", "slave-lazy-flush", mod, false),
		boolDir("replica-serve-stale-data", "slave-serve-stale-data", mod, true),
		boolDir("replica-read-only", "slave-read-only", mod, true),
		boolDir("replica-ignore-maxmemory", "slave-ignore-maxmemory", mod, true),
		boolDir("jemalloc-bg-thread", "", mod, true),
		boolDir("activedefrag", "", mod, false),
		boolDir("syslog-enabled", "", imm, false),
		boolDir("cluster-enabled", "", imm, false),
		boolDir("appendonly", "", mod, false),
		boolDir("cluster-allow-reads-when-down", "", mod, false),
		boolDir("cluster-allow-pubsubshard-when-down", "", mod, true),
		boolDir("crash-log-enabled", "", mod, true),
		boolDir("crash-memcheck-enabled", "", mod, true),
		boolDir("use-exit-on-panic", "", mod|hid, false),
		boolDir("disable-thp", "", imm, true),
		boolDir("cluster-allow-replica-migration", "", mod, true),
		boolDir("replica-announced", "", mod, true),
		boolDir("latency-tracking", "", mod, true),
		boolDir("aof-disable-auto-gc", "", mod|hid, false),
		boolDir("replica-ignore-disk-write-errors", "", mod, false),
		boolDir("hide-user-data-from-log", "", mod, false),

		strDir("aclfile", "", imm, false, "", false),
		strDir("unixsocket", "", imm, true, "", true),
		strDir("pidfile", "", imm, true, "", true),
		strDir("replica-announce-ip", "slave-announce-ip", mod, true, "", true),
		strDir("masteruser", "", mod|sens, true, "", true),
		strDir("cluster-announce-ip", "", mod, true, "", true),
		strDir("cluster-config-file", "", imm, false, "nodes.conf", false),
		strDir("cluster-announce-hostname", "", mod, true, "", true),
		strDir("cluster-announce-human-nodename", "", mod, true, "", true),
		strDir("syslog-ident", "", imm, false, "redis", false),
		strDir("dbfilename", "", mod|prot, false, "dump.rdb", false),
		strDir("appendfilename", "", imm, false, "appendonly.aof", false),
		strDir("appenddirname", "", imm, false, "appendonlydir", false),
		strDir("server-cpulist", "server_cpulist", imm, true, "", true),
		strDir("bio-cpulist", "bio_cpulist", imm, true, "", true),
		strDir("aof-rewrite-cpulist", "aof_rewrite_cpulist", imm, true, "", true),
		strDir("bgsave-cpulist", "bgsave_cpulist", imm, true, "", true),
		strDir("ignore-warnings", "", mod, false, "", false),
		strDir("proc-title-template", "", mod, false, "{title} {listen-addr} {server-mode}", false),
		strDir("bind-source-addr", "", mod, true, "", true),
		strDir("logfile", "", imm, false, "", false),
		strDir("locale-collate", "", mod, false, "", false),
		strDir("masterauth", "", mod|sens, true, "", true),
		strDir("requirepass", "", mod|sens, true, "", true),

		enumDir("supervised", "", imm, enumSupervised, 0),
		enumDir("syslog-facility", "", imm, enumSyslog, 128),
		enumDir("repl-diskless-load", "", mod, enumDisklessLoad, 0),
		enumDir("loglevel", "", mod, enumLoglevel, LogNotice),
		enumDir("maxmemory-policy", "", mod, enumMaxmemory, MaxmemoryNoEviction),
		enumDir("appendfsync", "", mod, enumFsync, 2),
		enumDir("oom-score-adj", "", mod, enumOOM, 0),
		enumDir("acl-pubsub-default", "", mod, enumPubsub, 0),
		enumDir("sanitize-dump-payload", "", mod, enumSanitize, 0),
		enumDir("enable-protected-configs", "", imm, enumProtected, ProtectedNo),
		enumDir("enable-debug-command", "", imm, enumProtected, ProtectedNo),
		enumDir("enable-module-command", "", imm, enumProtected, ProtectedNo),
		enumDir("cluster-preferred-endpoint-type", "", mod, enumEndpoint, 0),
		enumDir("propagation-error-behavior", "", mod, enumPropagation, 0),
		enumDir("shutdown-on-sigint", "", mod|mul, enumShutdown, 0),
		enumDir("shutdown-on-sigterm", "", mod|mul, enumShutdown, 0),

		numDir("databases", "", imm, 1, intMax, 16, numInteger),
		numDir("port", "", mod, 0, 65535, 6379, numInteger),
		numDir("io-threads", "", imm, 1, 128, 1, numInteger),
		numDir("auto-aof-rewrite-percentage", "", mod, 0, intMax, 100, numInteger),
		numDir("cluster-replica-validity-factor", "cluster-slave-validity-factor", mod, 0, intMax, 10, numInteger),
		numDir("list-max-listpack-size", "list-max-ziplist-size", mod, intMin, intMax, -2, numInteger),
		numDir("tcp-keepalive", "", mod, 0, intMax, 300, numInteger),
		numDir("cluster-migration-barrier", "", mod, 0, intMax, 1, numInteger),
		numDir("active-defrag-cycle-min", "", mod, 1, 99, 1, numInteger),
		numDir("active-defrag-cycle-max", "", mod, 1, 99, 25, numInteger),
		numDir("active-defrag-threshold-lower", "", mod, 0, 1000, 10, numInteger),
		numDir("active-defrag-threshold-upper", "", mod, 0, 1000, 100, numInteger),
		numDir("lfu-log-factor", "", mod, 0, intMax, 10, numInteger),
		numDir("lfu-decay-time", "", mod, 0, intMax, 1, numInteger),
		numDir("replica-priority", "slave-priority", mod, 0, intMax, 100, numInteger),
		numDir("repl-diskless-sync-delay", "", mod, 0, intMax, 5, numInteger),
		numDir("maxmemory-samples", "", mod, 1, 64, 5, numInteger),
		numDir("maxmemory-eviction-tenacity", "", mod, 0, 100, 10, numInteger),
		numDir("timeout", "", mod, 0, intMax, 0, numInteger),
		numDir("replica-announce-port", "slave-announce-port", mod, 0, 65535, 0, numInteger),
		numDir("tcp-backlog", "", imm, 0, intMax, 511, numInteger),
		numDir("cluster-port", "", imm, 0, 65535, 0, numInteger),
		numDir("cluster-announce-bus-port", "", mod, 0, 65535, 0, numInteger),
		numDir("cluster-announce-port", "", mod, 0, 65535, 0, numInteger),
		numDir("cluster-announce-tls-port", "", mod, 0, 65535, 0, numInteger),
		numDir("repl-timeout", "", mod, 1, intMax, 60, numInteger),
		numDir("repl-ping-replica-period", "repl-ping-slave-period", mod, 1, intMax, 10, numInteger),
		numDir("list-compress-depth", "", mod, 0, intMax, 0, numInteger),
		numDir("rdb-key-save-delay", "", mod|hid, intMin, intMax, 0, numInteger),
		// rdb-version is modhost-only: 10 writes files Redis 7.0 can load,
		// 11 files Redis 7.2 can load (hash field TTLs need 12).
		numDir("rdb-version", "", mod|hid, 10, 12, 12, numInteger),
		numDir("key-load-delay", "", mod|hid, intMin, intMax, 0, numInteger),
		numDir("active-expire-effort", "", mod, 1, 10, 1, numInteger),
		numDir("hz", "", mod, 0, intMax, 10, numInteger),
		numDir("min-replicas-to-write", "min-slaves-to-write", mod, 0, intMax, 0, numInteger),
		numDir("min-replicas-max-lag", "min-slaves-max-lag", mod, 0, intMax, 10, numInteger),
		numDir("watchdog-period", "", mod|hid, 0, intMax, 0, numInteger),
		numDir("shutdown-timeout", "", mod, 0, intMax, 10, numInteger),
		numDir("repl-diskless-sync-max-replicas", "", mod, 0, intMax, 0, numInteger),

		unsignedDir("maxclients", "", mod, 1, uintMax, 10000, numInteger),
		unsignedDir("unixsocketperm", "", imm, 0, 0o777, 0, numOctal),
		unsignedDir("socket-mark-id", "", imm, 0, uintMax, 0, numInteger),
		unsignedDir("max-new-connections-per-cycle", "", mod, 1, 1000, 10, numInteger),
		unsignedDir("max-new-tls-connections-per-cycle", "", mod, 1, 1000, 1, numInteger),

		numDir("active-defrag-max-scan-fields", "", mod, 1, longMax, 1000, numInteger),
		numDir("slowlog-max-len", "", mod, 0, longMax, 128, numInteger),
		numDir("acllog-max-len", "", mod, 0, longMax, 128, numInteger),

		numDir("busy-reply-threshold", "lua-time-limit", mod, 0, longMax, 5000, numInteger),
		numDir("cluster-node-timeout", "", mod, 0, llongMax, 15000, numInteger),
		numDir("cluster-ping-interval", "", mod|hid, 0, llongMax, 0, numInteger),
		numDir("slowlog-log-slower-than", "", mod, -1, llongMax, 10000, numInteger),
		numDir("latency-monitor-threshold", "", mod, 0, llongMax, 0, numInteger),
		numDir("proto-max-bulk-len", "", mod, 1024*1024, longMax, 512*1024*1024, numMemory),
		numDir("stream-node-max-entries", "", mod, 0, llongMax, 100, numInteger),
		numDir("repl-backlog-size", "", mod, 1, llongMax, 1024*1024, numMemory),

		unsignedDir("maxmemory", "", mod, 0, ullMax, 0, numMemory),
		unsignedDir("cluster-link-sendbuf-limit", "", mod, 0, ullMax, 0, numMemory),

		unsignedDir("hash-max-listpack-entries", "hash-max-ziplist-entries", mod, 0, longMax, 512, numInteger),
		unsignedDir("set-max-intset-entries", "", mod, 0, longMax, 512, numInteger),
		unsignedDir("set-max-listpack-entries", "", mod, 0, longMax, 128, numInteger),
		unsignedDir("set-max-listpack-value", "", mod, 0, longMax, 64, numInteger),
		unsignedDir("zset-max-listpack-entries", "zset-max-ziplist-entries", mod, 0, longMax, 128, numInteger),
		unsignedDir("active-defrag-ignore-bytes", "", mod, 1, llongMax, 100<<20, numMemory),
		unsignedDir("hash-max-listpack-value", "hash-max-ziplist-value", mod, 0, longMax, 64, numMemory),
		unsignedDir("stream-node-max-bytes", "", mod, 0, longMax, 4096, numMemory),
		unsignedDir("zset-max-listpack-value", "zset-max-ziplist-value", mod, 0, longMax, 64, numMemory),
		unsignedDir("hll-sparse-max-bytes", "", mod, 0, longMax, 3000, numMemory),
		unsignedDir("tracking-table-max-keys", "", mod, 0, longMax, 1000000, numInteger),
		unsignedDir("client-query-buffer-limit", "", mod, 1024*1024, longMax, 1024*1024*1024, numMemory),
		numDir("maxmemory-clients", "", mod, -100, longMax, 0, numMemory|numPercent),

		numDir("repl-backlog-ttl", "", mod, 0, longMax, 3600, numInteger),
		numDir("auto-aof-rewrite-min-size", "", mod, 0, llongMax, 64*1024*1024, numMemory),
		numDir("loading-process-events-interval-bytes", "", mod|hid, 1024, intMax, 2*1024*1024, numInteger),

		numDir("tls-port", "", mod, 0, 65535, 0, numInteger),
		numDir("tls-session-cache-size", "", mod, 0, intMax, 20*1024, numInteger),
		numDir("tls-session-cache-timeout", "", mod, 0, intMax, 300, numInteger),
		boolDir("tls-cluster", "", mod, false),
		boolDir("tls-replication", "", mod, false),
		enumDir("tls-auth-clients", "", mod, enumTLSAuth, 1),
		boolDir("tls-prefer-server-ciphers", "", mod, false),
		boolDir("tls-session-caching", "", mod, true),
		strDir("tls-cert-file", "", vol, true, "", true),
		strDir("tls-key-file", "", vol, true, "", true),
		strDir("tls-key-file-pass", "", sens, true, "", true),
		strDir("tls-client-cert-file", "", vol, true, "", true),
		strDir("tls-client-key-file", "", vol, true, "", true),
		strDir("tls-client-key-file-pass", "", sens, true, "", true),
		strDir("tls-dh-params-file", "", vol, true, "", true),
		strDir("tls-ca-cert-file", "", vol, true, "", true),
		strDir("tls-ca-cert-dir", "", vol, true, "", true),
		strDir("tls-protocols", "", mod, true, "", true),
		strDir("tls-ciphers", "", mod, true, "", true),
		strDir("tls-ciphersuites", "", mod, true, "", true),

		{name: "dir", flags: mod | prot, val: dirValue{}},
		{name: "save", flags: mod | mul, val: &saveValue{params: append([]SaveParam(nil), defaultSave...)}},
		{name: "client-output-buffer-limit", flags: mod | mul, val: &obufValue{limits: obufDefaults}},
		{name: "oom-score-adj-values", flags: mod | mul, val: &oomValue{v: oomDefaults}},
		{name: "notify-keyspace-events", flags: mod, val: &notifyValue{}},
		{name: "bind", flags: mod | mul, val: &bindValue{addrs: append([]string(nil), defaultBind...)}},
		{name: "replicaof", alias: "slaveof", flags: imm | mul, val: &replicaOfValue{}},
		{name: "latency-tracking-info-percentiles", flags: mod | mul, val: &percentilesValue{v: []float64{50, 99, 99.9}}},
	}
	addValidators(t)
	return t
}

// addValidators attaches the checks that go beyond a directive's type.
func addValidators(t []*directive) {
	for _, d := range t {
		switch d.name {
		case "dbfilename":
			d.val.(*stringValue).valid = baseNameCheck("dbfilename can't be a path, just a filename", "")
		case "appendfilename":
			d.val.(*stringValue).valid = baseNameCheck("appendfilename can't be a path, just a filename",
				"appendfilename can't be empty")
		case "appenddirname":
			d.val.(*stringValue).valid = baseNameCheck("appenddirname can't be a path, just a dirname",
				"appenddirname can't be empty")
		case "shutdown-on-sigint", "shutdown-on-sigterm":
			d.val.(*enumValue).valid = func(v int) string {
				if v&ShutdownNoSave != 0 && v&ShutdownSave != 0 {
					return "shutdown options SAVE and NOSAVE can't be used simultaneously"
				}
				return ""
			}
		case "hz":
			d.apply = clampHz
		}
	}
}

func baseNameCheck(pathErr, emptyErr string) func(string) string {
	return func(v string) string {
		if emptyErr != "" && v == "" {
			return emptyErr
		}
		if strings.ContainsAny(v, `/\`) {
			return pathErr
		}
		return ""
	}
}

// Bounds hz is clamped to after loading or setting it.
const (
	minHz = 1
	maxHz = 500
)

func clampHz(c *Config) string {
	n := c.byName["hz"].val.(*numericValue)
	n.v = min(max(n.v, minHz), maxHz)
	return ""
}
