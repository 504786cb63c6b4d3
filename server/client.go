package server

import (
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/modhost/modhost/acl"
	"github.com/modhost/modhost/host"
	"github.com/modhost/modhost/resp"
)

// Reply modes set by CLIENT REPLY.
const (
	replyOn = iota
	replyOff
	replySkipNext
	replySkip // skipping the current command's reply
)

// Client is one connection (or a fake client used for module calls).
// Every field is guarded by the server lock unless noted.
type Client struct {
	srv  *Server
	ID   int64
	conn net.Conn // nil for fake clients

	// W is the reply buffer, written by handlers under the server lock.
	W resp.Writer

	DB            int
	Name          string
	LibName       string
	LibVer        string
	Authenticated bool
	Addr, LAddr   string
	CreatedAt     time.Time
	LastActive    time.Time
	LastCmd       string
	replyMode     int
	closeAfter    bool // close once the pending reply is written
	killed        bool
	released      bool // unregistered by releaseClientLocked
	noEvict       bool
	memCounted    int64 // this client's part of Server.clientMemTotal
	// authResume finishes an AUTH/HELLO a module auth callback blocked.
	authResume func(res host.AuthResult, msg string)
	noTouch    bool
	monitor    bool
	Script     bool // runs the commands of a script (Redis's CLIENT_SCRIPT)

	// Extension state owned by other parts of the server (transactions,
	// pub/sub, blocking, modules). Each package keeps its own pointer here
	// so Client does not grow a field per feature.
	Ext map[any]any

	errs int // errors replied during the current command

	argv [][]byte // arguments of the command running, nil between commands
	// redacted lists the arguments of the command running that a module
	// hid from the slow log and MONITOR (RedactArgument).
	redacted []int

	auth *clientAuth // module user-changed callback (export_auth.go), nil when none
	user *acl.User   // the ACL user; nil for fake clients, which may run anything

	tx      *txState        // MULTI state, nil outside a transaction
	ps      *pubsubState    // subscriptions, nil when none
	blocked *blockState     // non-nil while blocked
	inExec  bool            // executing the queue of EXEC
	trk     *clientTracking // CLIENT TRACKING state (tracking.go), nil when never on
	// postponed is set by the dispatcher when a pause made the command
	// wait (pause.go); the connection runs it again when the pause ends.
	postponed bool

	// allowBlock lets a fake client block (RedisModule_Call with "K");
	// onUnblocked then runs when its block ends (export_promise.go).
	allowBlock  bool
	onUnblocked func()
	// allowOOM lets a fake client ignore maxmemory (RedisModule_Call
	// without "M"); scripts it runs skip their OOM checks.
	allowOOM bool

	watched    map[watchKey]struct{} // WATCHed keys
	watchDirty bool                  // a watched key changed: EXEC fails

	// pending holds push messages for this client produced while its own
	// command runs; they follow the command's reply.
	pending resp.Writer
	// extraIn holds bytes read while the client was blocked; owned by the
	// connection goroutine.
	extraIn []byte

	// Output ordering between the connection goroutine and async pushes
	// (pub/sub, monitor, unblocking): each swap of W.Buf takes a sequence
	// number under the server lock and writes happen in sequence order.
	outSeq    uint64
	wmu       sync.Mutex
	wcond     *sync.Cond
	writeSeq  uint64 // guarded by wmu
	asyncWake chan struct{}

	// Output buffer accounting (obuf.go): bytes and buffers detached for
	// writing and not yet written, updated by the writers.
	inflight     atomic.Int64
	inflightBufs atomic.Int64
	// obufSoftSince is when (unix seconds) the output went over the soft
	// limit, 0 while under it.
	obufSoftSince int64
	// dropOutput is set when the client is closed for its output limit:
	// what is left is discarded, not written.
	dropOutput bool
	// qbufLen and qbufCap are the query buffer's length and capacity,
	// stored by the connection goroutine after each read.
	qbufLen, qbufCap atomic.Int64

	// replLink is set once REPLCONF or SYNC/PSYNC made this connection a
	// replica (repl_master.go); woff is the stream offset after its last
	// command (WAIT), waitNum/waitOff what a WAIT in progress waits for.
	replLink   *replicaLink
	replMaster bool // the replica's link to its master (flag M)
	woff       int64
	// noProp keeps the running command out of the propagation feed
	// (Redis's CLIENT_PREVENT_PROP): a script replicates its effects.
	noProp           bool
	waitNum, waitOff int64
	// scriptClient marks the fake client of Lua scripts.
	scriptClient bool

	// clk is the batch clock of the connection goroutine, valid (on) only
	// while that goroutine holds the server lock for a batch.
	clk batchClock
}

// batchClock gives the commands of one batch their times with one
// monotonic clock read per command: the end of a command is the start of
// the next. Redis likewise reads the clock once around each call.
type batchClock struct {
	base time.Time     // wall and monotonic reading at the batch start
	last time.Duration // offset of the latest reading from base
	on   bool
}

// start begins a batch (under the server lock).
func (k *batchClock) start() {
	k.base = time.Now()
	k.last = 0
	k.on = true
}

// tick reads the clock and returns the offset from the batch start.
func (k *batchClock) tick() time.Duration {
	k.last = time.Since(k.base)
	return k.last
}

// at returns the time at offset d.
func (k *batchClock) at(d time.Duration) time.Time { return k.base.Add(d) }

func newClient(s *Server, conn net.Conn) *Client {
	c := &Client{srv: s, conn: conn, CreatedAt: time.Now()}
	if conn != nil {
		c.user = s.ACL.Default()
	}
	c.W.Proto = 2
	c.wcond = sync.NewCond(&c.wmu)
	c.LastActive = c.CreatedAt
	if conn != nil {
		c.Addr = conn.RemoteAddr().String()
		c.LAddr = conn.LocalAddr().String()
		if conn.LocalAddr().Network() == "unix" {
			c.Addr, c.LAddr = unixClientAddr(conn), unixClientAddr(conn)
		}
	}
	return c
}

// Server returns the server the client belongs to.
func (c *Client) Server() *Server { return c.srv }

// Error writes an error reply and counts it in errorstats. msg carries its
// own prefix ("ERR ...", "WRONGTYPE ..."); a message without an upper-case
// first word gets "ERR " as Redis's addReplyError does.
func (c *Client) Error(msg string) {
	if !hasErrorCode(msg) {
		msg = "ERR " + msg
	}
	c.errs++
	c.srv.stats.countError(msg)
	c.W.Error(msg)
}

// hasErrorCode reports whether msg starts with an upper-case error code word.
func hasErrorCode(msg string) bool {
	for i := 0; i < len(msg); i++ {
		ch := msg[i]
		if ch == ' ' {
			return i > 0
		}
		if ch < 'A' || ch > 'Z' {
			return false
		}
	}
	return len(msg) > 0
}

// CountError records an error reply that was written to W as raw bytes
// (module replies): errorstats and the command's failed calls, as Error
// does. msg is the error text without the leading '-'.
func (c *Client) CountError(msg string) {
	c.errs++
	c.srv.stats.countError(msg)
}

// OK writes the +OK status reply.
func (c *Client) OK() { c.W.SimpleString("OK") }

// Proto returns the client's protocol version (2 or 3).
func (c *Client) Proto() int { return c.W.Proto }

// takeOutput detaches the pending output under the server lock and returns
// it with its write sequence number.
func (c *Client) takeOutputLocked() (buf []byte, seq uint64) {
	if len(c.W.Buf) == 0 {
		return nil, 0
	}
	buf = c.W.Buf
	c.W.Buf = nil
	seq = c.outSeq
	c.outSeq++
	c.inflight.Add(int64(len(buf)))
	c.inflightBufs.Add(1)
	return buf, seq
}

// writeOut writes buf, taken by takeOutputLocked, in sequence order,
// without the server lock held. A large buffer is written in chunks so
// that the output accounting follows what the kernel has taken.
func (c *Client) writeOut(buf []byte, seq uint64) error {
	c.wmu.Lock()
	for c.writeSeq != seq {
		c.wcond.Wait()
	}
	var err error
	left := buf
	for len(left) > 0 && err == nil && c.conn != nil {
		chunk := left
		if len(chunk) > writeChunk {
			chunk = chunk[:writeChunk]
		}
		var n int
		n, err = c.conn.Write(chunk)
		left = left[n:]
		c.inflight.Add(-int64(n))
		c.srv.stats.netOutput.Add(int64(n))
	}
	c.inflight.Add(-int64(len(left)))
	c.inflightBufs.Add(-1)
	c.writeSeq++
	c.wcond.Broadcast()
	c.wmu.Unlock()
	return err
}

// Push schedules asynchronous output to this client (pub/sub messages,
// MONITOR lines, replies of unblocked commands). Call it with the server
// lock held after appending to c.W.
func (c *Client) Push() {
	if c.conn == nil {
		return
	}
	c.srv.checkOutputLimitLocked(c)
	if c.srv.hot.clientEvict != 0 {
		c.srv.updateClientMemLocked(c)
	}
	if c.killed {
		return
	}
	if c.asyncWake == nil {
		c.asyncWake = make(chan struct{}, 1)
		go c.asyncWriter(c.asyncWake)
	}
	select {
	case c.asyncWake <- struct{}{}:
	default:
	}
}

// asyncWriter flushes output produced by other clients' commands each
// time wake fires, until the client is killed or wake is closed. wake is
// passed in because c.asyncWake is guarded by the server lock: freeClient
// closes it and sets it to nil, possibly before this goroutine first runs
// (ranging over the nil field would then block forever).
func (c *Client) asyncWriter(wake <-chan struct{}) {
	for range wake {
		c.srv.mu.Lock()
		var buf []byte
		var seq uint64
		closed := c.killed
		if !c.dropOutput {
			buf, seq = c.takeOutputLocked()
		}
		c.srv.mu.Unlock()
		if buf != nil {
			if err := c.writeOut(buf, seq); err != nil {
				closed = true
			}
		}
		if closed {
			return
		}
	}
}

// Kill closes the client's connection (CLIENT KILL, SHUTDOWN). Call it
// with the server lock held: it sets killed and wakes the async writer.
func (c *Client) Kill() {
	if c.replMaster && !c.killed {
		c.srv.masterClientKilledLocked(c)
	}
	c.killed = true
	if c.conn != nil {
		_ = c.conn.Close()
	}
	if c.asyncWake != nil {
		select {
		case c.asyncWake <- struct{}{}:
		default:
		}
	}
}
