package host

import (
	"github.com/modhost/modhost/acl"
	"syscall"
	"time"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/internal/config"
	"github.com/modhost/modhost/internal/logging"
	"github.com/modhost/modhost/keyspace"
	"github.com/modhost/modhost/keyspace/rdb"
)

// What the module host needs from the server it runs in. The server
// implements these interfaces (cmd/modhost wires them into New); host never
// imports the server package, so the server is free to change behind them.
// Unless noted, every method is called with the server lock held.

// Server is the server a module system serves.
type Server interface {
	// Logger returns the server's log.
	Logger() *logging.Logger
	// Keyspace returns the server's data.
	Keyspace() *keyspace.Keyspace
	// Config returns the server's configuration.
	Config() *config.Config
	// Commands returns the server's command table.
	Commands() CommandTable
	// RDBCodecs returns the module data type codecs of the server's RDB
	// persistence (nil when it has none or none are attached).
	RDBCodecs() (rdb.ModuleSaver, rdb.ModuleLoader)
	// SetRDBCodecs plugs module data types into the server's RDB
	// persistence; false when the server has no RDB persistence.
	SetRDBCodecs(saver rdb.ModuleSaver, loader rdb.ModuleLoader) bool

	// FlushAll empties every database as FLUSHALL does (flush events,
	// WATCH invalidation, dirty count).
	FlushAll()
	// ModuleRdbLoadLocked runs load (empty the dataset, load a file) with
	// what Redis does around RM_RdbLoad: refused on a replica (onReplica,
	// load not run), else replicas dropped, the AOF and a BGSAVE stopped
	// first and the AOF turned back on after.
	ModuleRdbLoadLocked(load func() error) (onReplica bool, err error)
	// ExecOrScript reports whether EXEC is running its commands and
	// whether a Lua script runs, server-wide (GetContextFlags' MULTI and
	// LUA, as Redis's server.in_exec and scriptIsRunning).
	ExecOrScript() (inExec, inScript bool)
	// ModuleLatencySample adds ms to the latency monitor's series for
	// event when it reaches latency-monitor-threshold, even when that is
	// 0 (RedisModule_LatencyAddSample; under the lock).
	ModuleLatencySample(event string, ms int64)

	// Lock takes the server lock (from threads outside the server).
	Lock()
	// Unlock releases the server lock.
	Unlock()
	// TryLock takes the server lock if it is free.
	TryLock() bool
	// Done is closed when the server shuts down (safe without the lock).
	Done() <-chan struct{}

	// AfterCommand registers fn to run after every command.
	AfterCommand(fn func())
	// EnterExecutionUnit and ExitExecutionUnit bracket module work that
	// is one execution unit (a callback, a ThreadSafeContextLock
	// section): what it propagates goes out together when the outermost
	// unit ends. Both are called under the lock.
	EnterExecutionUnit()
	ExitExecutionUnit()
	// OnPostExecutionUnit registers fn to run when the outermost unit
	// ends, inside it, before its propagation is emitted.
	OnPostExecutionUnit(fn func())
	// AfterCallbackLocked does the after-command work after work that ran
	// outside a command (timers, event loop callbacks, unblock handling).
	AfterCallbackLocked()
	// OnClientFree registers fn to run when a client goes away.
	OnClientFree(fn func(c Client))
	// OnKeyspaceEvent registers the receiver of keyspace notifications.
	OnKeyspaceEvent(fn func(class keyspace.NotifyClass, event string, key []byte, db int))
	// OnServerEvent installs the receiver of server events.
	OnServerEvent(fn func(ev *ServerEvent))
	// OnModuleAuth installs the module auth callback runner.
	OnModuleAuth(fn ModuleAuthFunc)
	// SetCommandFilter installs the command filter: it sees every client
	// command before lookup and returns the arguments to run.
	SetCommandFilter(fn func(c Client, args [][]byte) [][]byte)
	// SetModuleInfo installs the producer of module INFO sections.
	SetModuleInfo(fn func(requested map[string]bool) string)

	// ClientByID returns the connected client with id, or nil.
	ClientByID(id int64) Client
	// Current returns the client whose command runs now, nil between
	// commands.
	Current() Client
	// NewFakeClient returns a client without a connection for nested calls.
	NewFakeClient() Client
	// ReleaseFake drops what a nested command left on a fake client.
	ReleaseFake(c Client)
	// DeauthenticateAndCloseLocked revokes c's authentication and closes it.
	DeauthenticateAndCloseLocked(c Client)
	// Unblock ends c's block without its hooks; false if it was not blocked.
	Unblock(c Client) bool
	// AbortBlockLocked ends the fake client c's block without a reply, as
	// a disconnect would (RedisModule_CallReplyPromiseAbort); false if it
	// was not blocked.
	AbortBlockLocked(c Client) bool
	// ClientListText renders CLIENT LIST.
	ClientListText() string

	// ACLStore is the user store shared by clients and modules.
	ACLStore() *acl.Store
	// ACLLookup resolves command names for ACL rules.
	ACLLookup() acl.Lookup
	// ACLChangedLocked refreshes what depends on the users (under the lock).
	ACLChangedLocked()
	// AddACLLog records a denial in ACL LOG (c may be nil).
	AddACLLog(c Client, res acl.Result, ctx int, object, username string)
	// ResolveCall looks up and arity-checks the command args names.
	ResolveCall(args [][]byte) (*commands.Command, CallCheck, string)
	// CallNested runs cmd for the fake client c, its reply left in c.
	CallNested(c Client, cmd *commands.Command, args [][]byte)
	// CommandStartLocked is when the running command started.
	CommandStartLocked() time.Time
	// YieldLocked serves other clients (-BUSY) while a module command runs.
	YieldLocked(busyReply string)
	// LoadingLocked reports whether the dataset is being loaded.
	LoadingLocked() bool
	// StartLoadingLocked marks the dataset as loading a file of total
	// bytes (RedisModule_RdbLoad) and returns rdb.LoadOptions.KeyDone.
	StartLoadingLocked(total int64) func(offset int)
	// StopLoadingLocked ends that load (err nil: ENDED, else FAILED).
	StopLoadingLocked(err error)
	// ReadyKeysPendingLocked reports keys signalled ready and not served.
	ReadyKeysPendingLocked() bool
	// SignalKeyAsReady wakes clients blocked on key in db.
	SignalKeyAsReady(db int, key []byte)

	// AlsoPropagate queues argv (in db) for the propagation stream, to go
	// out when the running command ends; target is a bit set: 1 AOF,
	// 2 replicas. Nothing is queued while a Call without "!" runs.
	AlsoPropagate(db int, argv [][]byte, target int)
	// SetCallPropagation sets, around a module Call, the target of the
	// commands it runs (0: not propagated) and whether anything they
	// cause may propagate; it returns the previous settings to restore.
	SetCallPropagation(target int, allowed bool) (prevTarget int, prevAllowed bool)

	// RegisterDebug adds a DEBUG subcommand.
	RegisterDebug(name string, h func(c Client, args [][]byte))
	// DebugRegistered reports whether a DEBUG subcommand name exists.
	DebugRegistered(name string) bool
	// Publish sends msg to channel's subscribers; it returns how many.
	Publish(channel, msg []byte) int
	// PublishShard sends msg to channel's shard subscribers (SPUBLISH);
	// it returns how many.
	PublishShard(channel, msg []byte) int
	// WantEventLoopEvents turns the EventLoop before/after-sleep events on.
	WantEventLoopEvents(on bool)
	// WantKeyEvents turns the Key event (keys about to leave the
	// keyspace) on.
	WantKeyEvents(on bool)
	// InfoText renders INFO for the section arguments.
	InfoText(args []string) string
	// CallWriteGates reports the replication states RedisModule_Call's
	// "S" mode refuses commands on: a read-only replica (unless the
	// running command comes from its master), min-replicas-to-write not
	// met, a stale replica link with replica-serve-stale-data no, and the
	// MISCONF error while the RDB or AOF cannot persist ("" when none).
	CallWriteGates() (readOnly, noReplicas, stale bool, diskErr string)
	// ClusterCallError is why RedisModule_Call may not run cmd with args
	// for caller (nil: no client) in cluster mode, with the errno to set:
	// its keys belong to another node, or the cluster is down; "" in
	// standalone mode, for the master's link, and for keys this node
	// serves.
	ClusterCallError(caller Client, cmd *commands.Command, args [][]byte) (string, syscall.Errno)
	// UsedMemory is INFO used_memory.
	UsedMemory() uint64
}

// CommandTable is the server's command table.
type CommandTable interface {
	// Add registers commands (replacing same-named ones).
	Add(cmds ...*commands.Command)
	// Remove drops the command called name.
	Remove(name string)
	// Get returns the command called name (or "container|sub"), or nil.
	Get(name string) *commands.Command
	// All returns every command.
	All() []*commands.Command
	// Resolve finds the command args names; ok is false for an unknown
	// subcommand (cmd is then its container).
	Resolve(args [][]byte) (cmd *commands.Command, ok bool)
}

// Client is a server client as the module host sees it: what data
// commands see, and what the module API reads and changes of a client.
type Client interface {
	commands.Client

	// ClientID is the client's unique id.
	ClientID() int64
	// ClientName is the name set with CLIENT SETNAME ("" for none).
	ClientName() string
	// SetClientName changes the client's name as CLIENT SETNAME does;
	// false (name unchanged) when name has characters it refuses.
	SetClientName(name []byte) bool
	// SelectDB makes db (a valid index) the client's database, as SELECT.
	SelectDB(db int)
	// IsAuthenticated reports whether the client has authenticated.
	IsAuthenticated() bool
	// LastCommand is the full name of the client's last command.
	LastCommand() string
	// RedactArgument hides argument pos of the command running from the
	// slow log and MONITOR, which show "(redacted)" instead.
	RedactArgument(pos int)

	// CountError counts an error reply in errorstats.
	CountError(msg string)
	// Push schedules output appended outside a command for writing.
	Push()
	// Block parks the client with the hooks of o.
	Block(o BlockOptions)
	// Blocked reports whether the client waits in a block.
	Blocked() bool
	// Connected reports whether the client is a live connection.
	Connected() bool
	// IsFake reports whether the client has no connection.
	IsFake() bool
	// ResetFake prepares a pooled fake client for its next call.
	ResetFake(db, proto int)
	// AllowBlocking lets a fake client block (RedisModule_Call "K").
	AllowBlocking(on bool)
	// SetCallUser makes u the fake client's user (RedisModule_Call "C"):
	// scripts it runs check their commands against u.
	SetCallUser(u *acl.User)
	// SetAllowOOM lets what the fake client runs ignore maxmemory
	// (RedisModule_Call without "M": Redis's CLIENT_ALLOW_OOM).
	SetAllowOOM(on bool)
	// OnUnblocked sets what runs, once, when a fake client's block ends.
	OnUnblocked(fn func())
	// InExec reports whether the client runs EXEC.
	InExec() bool
	// IsScriptClient reports whether the client runs the commands of a
	// Lua script (REDISMODULE_CTX_FLAGS_LUA).
	IsScriptClient() bool
	// InMulti reports whether the client is in MULTI or runs EXEC.
	InMulti() bool
	// MultiDirty reports whether a watched key changed or queueing failed.
	MultiDirty() bool
	// Subscriber reports whether the client is in subscribed mode.
	Subscriber() bool
	// Tracking reports whether CLIENT TRACKING is on for the client.
	Tracking() bool
	// Unix reports whether the client came over a Unix socket.
	Unix() bool
	// Host is the client's remote address without the port.
	Host() string
	// Port is the client's port (0 for Unix clients).
	Port() int
	// User returns the client's ACL user (never nil once connected).
	User() *acl.User
	// UserName is the name of the client's user.
	UserName() string
	// ResumeModuleAuth finishes an AUTH or HELLO AUTH whose module auth
	// callback blocked the client, with the callbacks' final decision
	// (AuthNotHandled: the password check decides).
	ResumeModuleAuth(res AuthResult, msg string)
	// SetUserLocked authenticates the client as u (nil: default); onChange
	// becomes its user-changed callback.
	SetUserLocked(u *acl.User, onChange func())
	// AddBlockedTime adds d to the time the blocked command took (SLOWLOG,
	// command stats).
	AddBlockedTime(d time.Duration)
	// WriteModuleList writes the MODULE LIST reply for mods.
	WriteModuleList(mods []ModuleInfo)
}
