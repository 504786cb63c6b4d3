// Package host is the modhost server runtime: listeners, clients, the
// command table and dispatcher, and the connection/admin commands. One
// server lock (Server.mu) serialises every command, as Redis's single
// thread does, while each connection's goroutine reads, parses and writes
// outside it.
package server

import (
	"crypto/rand"
	"encoding/hex"
	"github.com/modhost/modhost/host"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/modhost/modhost/acl"
	"github.com/modhost/modhost/internal/buildinfo"
	"github.com/modhost/modhost/internal/config"
	"github.com/modhost/modhost/internal/logging"
	"github.com/modhost/modhost/keyspace"
)

// Version is modhost's own version (INFO modhost_version).
const Version = buildinfo.ModhostVersion

// RedisVersion is the Redis API level modhost implements (INFO redis_version).
const RedisVersion = config.RedisVersion

// ModuleSystem is what the server needs from the module loader. The host
// package does not depend on cgo; cmd/modhost wires the implementation.
type ModuleSystem interface {
	// Load loads a module; the error text is the reply/log reason.
	Load(path string, args []string) error
	// InfoLines returns the INFO modules section lines.
	InfoLines() []string
	// List describes the loaded modules (MODULE LIST, HELLO).
	List() []host.ModuleInfo
	// AllocatedBytes is what modules hold through RedisModule_Alloc.
	AllocatedBytes() uint64
	// LazyfreeStats returns the module values waiting for their
	// background free and those freed so far (INFO memory).
	LazyfreeStats() (pending, freed int64)
	// ResetLazyfreeStats zeroes the freed count (CONFIG RESETSTAT).
	ResetLazyfreeStats()
}

// Server is one modhost instance.
type Server struct {
	mu sync.Mutex // the server lock: guards everything below unless noted

	load loadState // the dataset load in progress (loading.go)

	Config  *config.Config
	Log     *logging.Logger
	Keys    *keyspace.Keyspace
	Cmds    *Registry
	Modules ModuleSystem
	Persist Persistence

	clients map[int64]*Client
	nextID  atomic.Int64
	lns     listenerSet   // listen.go
	tls     tlsState      // tls.go
	shut    shutdownState // shutdown.go
	stats   stats
	// scriptInfo reports the scripting engine's INFO figures (nil: none).
	scriptInfo func() ScriptInfo
	// functions are the scripting engine's function libraries, for RDB
	// save and load (nil: none).
	functions FunctionStore
	runID     string
	repl      replState   // replication ids, offset, backlog, replicas (repl_state.go)
	prop      propagation // the propagation feed (propagate.go)
	started   time.Time
	shutdown  chan struct{}
	closeOnce sync.Once

	// Hooks other packages install to run after every command, under the lock
	// (serving clients blocked on keys, module post-notification jobs ...).
	afterCommand []func()
	// onClientFree runs when a client disconnects, under the lock.
	onClientFree []func(c host.Client)
	// monitors receive every executed command.
	monitors map[int64]*Client
	// preExec hooks run before a command (MULTI queueing).
	preExec []preExecHook
	// debug holds the DEBUG subcommands.
	debug map[string]DebugHandler
	// ps holds the pub/sub subscription tables.
	ps pubsubServer
	// hot caches configuration read on every command or read, refreshed by
	// applyConfig (connection goroutines read it under the lock).
	hot struct {
		authRequired  bool // the default user has a password or is off
		protoMaxBulk  int64
		queryBufLimit int64
		maxmemory     uint64               // maxmemory (0: no limit)
		evictPolicy   keyspace.EvictPolicy // maxmemory-policy
		evictSamples  int                  // maxmemory-samples
		evictBudget   time.Duration        // from maxmemory-eviction-tenacity (<0: none)
		obuf          outputLimits         // client-output-buffer-limit per class
		clientEvict   int64                // maxmemory-clients in bytes (0: off)
		// latencyThreshold is latency-monitor-threshold in ms (0: off),
		// read after every command.
		latencyThreshold int64
	}
	// clientMemTotal is the memory of the clients maxmemory-clients
	// limits, as last measured (client_evict.go).
	clientMemTotal int64
	// mem is the cheap used-memory figure maxmemory is checked against.
	mem memAccount
	// evictPending: an eviction pass ran out of time; the cron goes on.
	evictPending bool
	// obufCronAt is when the cron last checked the output limits.
	obufCronAt time.Time
	// keepAliveSecs is tcp-keepalive, read by the accept loops.
	keepAliveSecs atomic.Int64
	// notifyFlags is the parsed notify-keyspace-events value.
	notifyFlags int
	// watchers maps watched keys to the clients watching them.
	watchers map[watchKey][]*Client
	// blockers maps keys to clients blocked on them, oldest first.
	blockers     map[watchKey][]*Client
	readyKeys    []watchKey
	blockedCount int
	// current is the client whose command is executing (nil between commands).
	current *Client
	// notifySubscribers receive every keyspace event (modules).
	notifySubscribers []func(class keyspace.NotifyClass, event string, key []byte, db int)
	// activeExpire is toggled by DEBUG SET-ACTIVE-EXPIRE.
	activeExpire bool
	// skipChecksum is DEBUG SET-SKIP-CHECKSUM-VALIDATION.
	skipChecksum bool
	// cronPaused is DEBUG PAUSE-CRON: the cron ticks but does no work.
	cronPaused bool
	// memPeak and memStartup are used_memory_peak and used_memory_startup.
	memPeak, memStartup uint64
	// hooks are the module system's hooks (export_events.go).
	hooks hookState
	// auth holds the module authentication hooks (export_auth.go).
	auth authHooks
	// ACL is the user store (package acl), shared with the module host.
	ACL *acl.Store
	// latency is the latency monitor (latency_monitor.go).
	latency latencyMonitor
	// execDepth and scriptDepth count EXECs running their commands and
	// Lua scripts running (ExecOrScript).
	execDepth, scriptDepth int
	// slowlog is the SLOWLOG state (slowlog.go).
	slowlog slowLog
	// clusterCheck is cluster mode's redirection check (nil: standalone).
	clusterCheck ClusterCheck
	// clusterCallCheck is its check of RedisModule_Call (nil: standalone).
	clusterCallCheck ClusterCallCheck
	// loopEvents: a module listens to the EventLoop event
	// (eventloop_events.go).
	loopEvents bool
	// keyEvents: a module listens to the Key event (key_events.go).
	keyEvents bool
	// trk is the client-side caching state (tracking.go).
	trk trackingState
	// pause is the CLIENT PAUSE state (pause.go).
	pause pauseState
}

// New builds a server from a loaded configuration.
func New(cfg *config.Config, log *logging.Logger) *Server {
	s := &Server{
		Config:       cfg,
		Log:          log,
		Cmds:         NewRegistry(),
		clients:      map[int64]*Client{},
		monitors:     map[int64]*Client{},
		shutdown:     make(chan struct{}),
		started:      time.Now(),
		activeExpire: true,
	}
	var id [20]byte
	_, _ = rand.Read(id[:])
	s.runID = hex.EncodeToString(id[:])
	s.initReplState()
	s.Cmds.onRemove = s.releaseStats
	s.Keys = keyspace.New(int(cfg.Int("databases")), nil)
	s.stats.errors = map[string]int64{}
	s.ps.channels = map[string][]*Client{}
	s.ps.patterns = map[string][]*Client{}
	s.ps.shard = map[string][]*Client{}
	s.Keys.SetHooks(keyHooks{s})
	s.ACL = acl.NewStore()
	cfg.SetUserLines(func() []string {
		var lines []string
		for _, u := range s.ACL.Users() {
			lines = append(lines, "user "+u.Name()+" "+u.Describe())
		}
		return lines
	})
	s.applyConfig("")
	cfg.OnChange(s.applyConfig)
	cfg.SetApply("maxclients", s.applyMaxclients)
	s.registerListenAppliers()
	s.applySlowlogConfig("")
	cfg.OnChange(s.applySlowlogConfig)
	s.syncLFU("")
	cfg.OnChange(s.syncLFU)
	registerCoreCommands(s)
	return s
}

// Lock takes the server lock. Module threads (ThreadSafeContextLock) and
// timers use it to run under the same single-writer discipline as commands.
// It waits while a module yields (yield_gate.go).
func (s *Server) Lock() { s.lockOutsideYield() }

// Unlock releases the server lock.
func (s *Server) Unlock() { s.mu.Unlock() }

// TryLock tries to take the server lock without waiting; it fails while a
// module yields.
func (s *Server) TryLock() bool { return s.tryLockOutsideYield() }

// AfterCommand registers fn to run (under the lock) after every command.
func (s *Server) AfterCommand(fn func()) { s.afterCommand = append(s.afterCommand, fn) }

// OnClientFree registers fn to run (under the lock) when a client goes away.
func (s *Server) OnClientFree(fn func(c host.Client)) { s.onClientFree = append(s.onClientFree, fn) }

// Done is closed when the server shuts down.
func (s *Server) Done() <-chan struct{} { return s.shutdown }

// Shutdown stops accepting, closes every client and releases Serve.
func (s *Server) Shutdown() {
	s.closeOnce.Do(func() {
		// Shutdown runs on its own goroutine (SHUTDOWN, signals): the server
		// lock guards the hooks, the client table, each client's killed
		// flag and writer channel that Kill touches, and the configuration.
		s.mu.Lock()
		s.fire(host.EventShutdown, 0)
		for _, c := range s.clients {
			c.Kill()
		}
		pf := s.Config.String("pidfile")
		s.mu.Unlock()
		if pf != "" {
			_ = os.Remove(pf)
		}
		close(s.shutdown)
	})
}

// cron runs periodic work under the lock: active expiry, client timeouts.
func (s *Server) cron() {
	// The configuration is guarded by the server lock (CONFIG SET writes it
	// from a command): hz is read under it, and a new value re-arms the
	// ticker.
	s.mu.Lock()
	hz := cronHz(s.Config.Int("hz"))
	s.mu.Unlock()
	t := time.NewTicker(time.Second / time.Duration(hz))
	defer t.Stop()
	for {
		select {
		case <-s.shutdown:
			return
		case <-t.C:
		}
		s.lockOutsideYield()
		if s.cronPaused {
			s.mu.Unlock()
			continue
		}
		if now := cronHz(s.Config.Int("hz")); now != hz {
			hz = now
			t.Reset(time.Second / time.Duration(hz))
		}
		if s.activeExpire && !s.actingAsReplica() {
			t0 := time.Now()
			s.Keys.ActiveExpireCycle(time.Millisecond)
			s.LatencyAddSample("expire-cycle", time.Since(t0).Milliseconds())
		}
		s.cronEvict()
		s.trackingCronLocked()
		// Active expiry and eviction propagate their DELs without MULTI.
		s.propagatePending(false)
		s.replicationCronLocked()
		s.usedMemory() // keeps used_memory_peak, as Redis's cron does
		s.closeIdleClientsLocked()
		s.fireSleepPairLocked()
		s.outputLimitCronLocked(time.Now())
		s.clientEvictCronLocked()
		s.shutdownCronLocked()
		if s.hooks.events != nil {
			s.hooks.events(&host.ServerEvent{ID: host.EventCronLoop, Hz: int(hz)})
		}
		s.mu.Unlock()
	}
}

// cronHz is the cron frequency for the hz directive's value.
func cronHz(hz int64) int64 {
	if hz <= 0 {
		return 10
	}
	return hz
}

// closeIdleClientsLocked applies the timeout directive.
func (s *Server) closeIdleClientsLocked() {
	timeout := s.Config.Int("timeout")
	if timeout <= 0 {
		return
	}
	limit := time.Now().Add(-time.Duration(timeout) * time.Second)
	for _, c := range s.clients {
		if c.LastActive.Before(limit) && !c.isSubscriber() && !c.isBlocked() && !c.replMaster {
			s.Log.Verbosef("Closing idle client")
			c.Kill()
		}
	}
}
