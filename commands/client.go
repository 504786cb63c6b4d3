package commands

import (
	"time"

	"github.com/modhost/modhost/internal/config"
	"github.com/modhost/modhost/keyspace"
	"github.com/modhost/modhost/keyspace/rdb"
	"github.com/modhost/modhost/resp"
)

// Client is what a data command needs from the connection it runs for and
// from the server behind it. The server's client type implements it; the
// dispatcher passes a pointer, so the conversion does not allocate.
// Handlers run under the server lock.
type Client interface {
	// Writer returns the client's reply buffer.
	Writer() *resp.Writer
	// Error writes an error reply ("ERR ...", "WRONGTYPE ...") and counts it.
	Error(msg string)
	// OK writes the +OK status reply.
	OK()
	// DBIndex returns the selected database.
	DBIndex() int
	// Proto returns the client's protocol version (2 or 3).
	Proto() int
	// CanBlock reports whether the client may block (not inside EXEC, not
	// a fake client).
	CanBlock() bool
	// BlockOnKeys parks the client until one of keys is signalled ready
	// and onReady serves it, or timeout passes (0 = forever) and onTimeout
	// writes the reply. The handler must return right after.
	BlockOnKeys(keys [][]byte, timeout time.Duration, onReady func(c Client, key []byte) bool, onTimeout func(c Client))
	// Kill closes the client's connection once its reply is written.
	Kill()

	// Keyspace returns the server's keyspace.
	Keyspace() *keyspace.Keyspace
	// Config returns the server's configuration.
	Config() *config.Config
	// SignalKeyAsReady wakes clients blocked on key in db.
	SignalKeyAsReady(db int, key []byte)
	// SwapDB swaps two databases (SWAPDB); false when an index is invalid.
	SwapDB(a, b int) bool
	// RDBModules returns the module data type codecs of the server's
	// persistence (nil when modules have none), for DUMP and RESTORE.
	RDBModules() (rdb.ModuleSaver, rdb.ModuleLoader)
	// SkipChecksumValidation reports DEBUG SET-SKIP-CHECKSUM-VALIDATION:
	// RESTORE then accepts a payload whose CRC does not match.
	SkipChecksumValidation() bool
	// UnrestrictedKeyAccess reports whether the client's user may run the
	// command in args with read access to every key (Redis's
	// ACLUserCheckCmdWithUnrestrictedKeyAccess with CMD_KEY_ACCESS); true
	// for a client without a user. SORT needs it for BY and GET patterns.
	UnrestrictedKeyAccess(args [][]byte) bool
	// InScript reports whether the command runs from a script (Redis's
	// CLIENT_SCRIPT).
	InScript() bool
}
