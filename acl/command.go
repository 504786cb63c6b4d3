package acl

import "sync/atomic"

// Command is what the permission checks need to know about a command (or
// subcommand); the server's command table implements it.
type Command interface {
	// ACLName is the full lower-case name: "get", "client|list".
	ACLName() string
	// ACLParent is the container of a subcommand, nil otherwise.
	ACLParent() Command
	// ACLHasSubcommands reports whether the command is a container.
	ACLHasSubcommands() bool
	// ACLCategories is the command's category set (see CategoryBit).
	ACLCategories() uint64
	// ACLNoAuth reports the no_auth flag: such commands are always allowed.
	ACLNoAuth() bool
	// ACLHasKeys reports whether the command may take key arguments.
	ACLHasKeys() bool
	// ACLKeys returns the key arguments of args with the access they need.
	ACLKeys(args [][]byte) []KeyRef
	// ACLChannels returns the channel arguments of args (nil: none).
	ACLChannels(args [][]byte) []ChannelRef
}

// Key access needs (Redis's ACL_READ_PERMISSION, ACL_WRITE_PERMISSION).
const (
	Read  = 1 << 0
	Write = 1 << 1
	// ReadWrite is both.
	ReadWrite = Read | Write
)

// KeyRef is one key argument: its index in args and the access it needs
// (Read for key-spec "access", Write for insert/update/delete; 0 for
// neither, which any pattern allows).
type KeyRef struct {
	Pos  int
	Need int
}

// Channel flags (Redis's CMD_CHANNEL_*).
const (
	ChannelPattern     = 1 << 0
	ChannelPublish     = 1 << 1
	ChannelSubscribe   = 1 << 2
	ChannelUnsubscribe = 1 << 3
)

// ChannelRef is one channel argument with its ChannelPublish... flags.
type ChannelRef struct {
	Pos   int
	Flags int
}

// Lookup finds a command by its full lower-case name ("get",
// "client|list"); nil (an untyped nil interface) when there is none.
type Lookup func(name string) Command

// generation changes whenever commands or categories change; selectors
// drop their cached decisions when it moves.
var generation atomic.Uint64

// Invalidate tells the checks that the command table or a command's
// categories changed (module load and unload, SetCommandACLCategories).
func Invalidate() { generation.Add(1) }
