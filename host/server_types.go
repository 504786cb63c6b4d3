package host

import (
	"time"
)

// Types the server and the module host exchange: server events, module
// users and authentication, module blocks, nested call checks and the
// MODULE LIST entries. The server fires and consumes them; they live here
// because the module API is what defines them.

// Server event ids, as REDISMODULE_EVENT_* numbers them.
const (
	EventReplicationRoleChanged = 0
	EventPersistence            = 1
	EventFlushDB                = 2
	EventLoading                = 3
	EventClientChange           = 4
	EventShutdown               = 5
	EventReplicaChange          = 6
	EventMasterLinkChange       = 7
	EventCronLoop               = 8
	EventModuleChange           = 9
	EventLoadingProgress        = 10
	EventSwapDB                 = 11
	EventEventLoop              = 15
	EventConfig                 = 16
	EventKey                    = 17
)

// Subevents, as REDISMODULE_SUBEVENT_* numbers them.
const (
	SubPersistenceSyncRDBStart = 2 // SAVE and every synchronous save
	SubPersistenceEnded        = 3
	SubPersistenceFailed       = 4
	SubPersistenceSyncAOFStart = 5 // the AOF base written at start-up
	SubFlushStart              = 0
	SubEventLoopBeforeSleep    = 0
	SubEventLoopAfterSleep     = 1
	SubFlushEnd                = 1
	SubLoadingRDBStart         = 0
	SubLoadingReplStart        = 2 // a replica loading its master's RDB
	SubRoleNowMaster           = 0
	SubRoleNowReplica          = 1
	SubMasterLinkUp            = 0
	SubMasterLinkDown          = 1
	SubReplicaOnline           = 0 // a replica finished its sync
	SubReplicaOffline          = 1 // an online replica's link ended
	SubLoadingEnded            = 3
	SubLoadingFailed           = 4
	SubClientConnected         = 0
	SubClientDisconnected      = 1
	SubModuleLoaded            = 0
	SubModuleUnloaded          = 1
	SubKeyDeleted              = 0 // DEL, UNLINK, emptied, RENAME/MOVE source, replaced destination
	SubKeyExpired              = 1
	SubKeyEvicted              = 2
	SubKeyOverwritten          = 3
)

// ServerEvent is one event fired to the module system, under the lock.
type ServerEvent struct {
	ID, Sub  int
	Client   Client           // ClientChange
	DB, DB2  int              // FlushDB (DB, -1 for all), SwapDB (both), Key (DB)
	Sync     bool             // FlushDB: a synchronous flush
	Hz       int              // CronLoop, LoadingProgress
	Progress int              // LoadingProgress: permille loaded, -1 unknown
	Names    []string         // Config: the parameters changed
	Module   string           // ModuleChange
	ModVer   int              // ModuleChange
	Repl     *ReplicationInfo // ReplicationRoleChanged
	Key      []byte           // Key (with DB): the key leaving; valid during the call
}

// ReplicationInfo is RedisModuleReplicationInfo: the replication state
// after a role change.
type ReplicationInfo struct {
	Master                   bool // true: this server is now a master
	MasterHost               string
	MasterPort               int
	ReplID1, ReplID2         string
	Repl1Offset, Repl2Offset int64
}

// AuthResult is what the module auth callbacks decided for one AUTH.
type AuthResult int

// Results of module authentication.
const (
	// AuthNotHandled: no callback decided; password auth follows.
	AuthNotHandled AuthResult = iota
	// AuthOK: a module authenticated the client.
	AuthOK
	// AuthDenied: a module refused; the error text says why.
	AuthDenied
	// AuthBlocked: the client is blocked; the module replies later.
	AuthBlocked
)

// ModuleAuthFunc runs the module auth callbacks for AUTH or HELLO AUTH of
// c with user and pass (under the lock). With AuthDenied, msg is the
// module's error text ("" for Redis's WRONGPASS reply).
type ModuleAuthFunc func(c Client, user, pass []byte) (res AuthResult, msg string)

// BlockOptions describes a block started with Client.Block.
type BlockOptions struct {
	// Keys, in the client's current database, wake the client through
	// OnReady when signalled ready (empty: the block waits for Unblock).
	Keys [][]byte
	// Timeout ends the block through OnTimeout (0: never).
	Timeout time.Duration
	// OnReady serves the client after one of Keys became ready; true ends
	// the block. Required when Keys is not empty.
	OnReady func(c Client, key []byte) bool
	// OnTimeout writes the reply of a timeout or of CLIENT UNBLOCK
	// [TIMEOUT]. Required.
	OnTimeout func(c Client)
	// MayTimeout, if set, is asked first: false skips the timeout reply
	// (the block is about to end another way).
	MayTimeout func(c Client) bool
	// OnError handles CLIENT UNBLOCK ERROR with Redis's message; nil writes
	// the message as an error reply.
	OnError func(c Client, msg string)
	// OnDisconnect runs when the connection closes (or is killed) while
	// blocked, before the block ends.
	OnDisconnect func(c Client)
	// NoClientUnblock makes CLIENT UNBLOCK answer 0 for this client.
	NoClientUnblock bool
}

// CallCheck says why Server.ResolveCall refused a command.
type CallCheck int

// Results of ResolveCall.
const (
	CallOK      CallCheck = iota // the command exists and the arity fits
	CallUnknown                  // unknown command or subcommand
	CallArity                    // wrong number of arguments
)

// ModuleInfo is one loaded module as MODULE LIST shows it.
type ModuleInfo struct {
	Name    string
	Version int
	Path    string
	Args    []string
}
