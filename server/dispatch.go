package server

import (
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/modhost/modhost/commands"
)

// Messages shared by the dispatcher and the core commands (Redis's texts).
const (
	msgNoAuth        = "NOAUTH Authentication required."
	msgSyntax        = "ERR syntax error"
	msgNotInt        = "ERR value is not an integer or out of range"
	msgDBIndex       = "ERR DB index is out of range"
	protectedModeMsg = "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside."
)

// Pre-execution hook: returns true when it fully handled the command (for
// example MULTI queueing).
type preExecHook func(c *Client, cmd *commands.Command, args [][]byte) bool

// execute runs one command for c under the server lock: lookup, checks,
// the handler (with panic containment), statistics and after-command work.
func (s *Server) execute(c *Client, args [][]byte) {
	if c.clk.on {
		c.LastActive = c.clk.at(c.clk.last)
	} else {
		c.LastActive = time.Now()
	}
	mark := len(c.W.Buf)
	prevMode := c.replyMode
	if s.trk.clients > 0 {
		s.trackingLimit()
	}
	if c.replyMode == replySkipNext {
		c.replyMode = replySkip
	}
	s.current = c
	c.argv = args
	if s.hooks.filter != nil {
		args = s.hooks.filter(c, args)
	}
	cmd := s.dispatch(c, args)
	if c.postponed {
		// Paused: nothing ran; the command starts over when the pause ends.
		c.replyMode = prevMode
		s.current = nil
		c.argv = nil
		return
	}
	if ct := c.trk; ct != nil && c.tx == nil && (cmd == nil || top(cmd).Name != "client") {
		ct.flags &^= trackCaching // CLIENT CACHING covers one command (or transaction)
	}
	if l := c.replLink; l != nil && l.attached {
		// A replica gets the stream, never replies (REPLCONF ACK has none).
		c.W.Buf = c.W.Buf[:mark]
	}
	if cmd != nil && len(s.monitors) > 0 && cmd.Flags&(commands.FlagAdmin|commands.FlagSkipMonitor) == 0 {
		s.feedMonitors(c, c.loggedArgs(args))
	}
	switch c.replyMode {
	case replyOff:
		if cmd == nil || cmd.FullName != "client|reply" {
			c.W.Buf = c.W.Buf[:mark]
		}
	case replySkip:
		c.W.Buf = c.W.Buf[:mark]
		c.replyMode = replyOn
	}
	if len(c.pending.Buf) > 0 {
		c.W.Buf = append(c.W.Buf, c.pending.Buf...)
		c.pending.Buf = c.pending.Buf[:0]
	}
	s.current = nil
	c.argv = nil
	s.afterCommandLocked()
}

// afterCommandLocked runs the work Redis does after each command: serve
// clients blocked on keys made ready, then the registered hooks.
func (s *Server) afterCommandLocked() {
	s.serveReadyKeys()
	for _, fn := range s.afterCommand {
		fn()
	}
	s.flushPropagation()
}

// dispatch checks and calls the command; it returns the command that ran
// (nil when it was rejected before lookup).
func (s *Server) dispatch(c *Client, args [][]byte) *commands.Command {
	cmd, ok := s.Cmds.Resolve(args)
	if cmd == nil || !ok {
		s.rejectUnknown(c, cmd, args)
		return nil
	}
	c.LastCmd = cmd.FullName
	if !cmd.ArityOK(len(args)) {
		s.reject(c, cmd, fmt.Sprintf("ERR wrong number of arguments for '%s' command", cmd.FullName))
		return cmd
	}
	if c.replMaster {
		s.callFromMaster(c, cmd, args)
		return cmd
	}
	if !c.Authenticated && s.hot.authRequired && cmd.Flags&commands.FlagNoAuth == 0 {
		s.reject(c, cmd, msgNoAuth)
		return cmd
	}
	if u := c.user; u != nil && !u.Open() && s.aclRejected(c, cmd, args) {
		return cmd
	}
	if s.clusterCheck != nil && s.clusterRefused(c, cmd, args) {
		return cmd
	}
	if cmd.Protected != "" && !s.protectedAllowed(c, cmd.Protected) {
		top := cmd // a protected subcommand is reported by its container's name
		if top.Parent != nil {
			top = top.Parent
		}
		s.reject(c, cmd, fmt.Sprintf("ERR %s command not allowed. If the %s option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.", strings.ToUpper(top.Name), cmd.Protected))
		return cmd
	}
	if s.hot.maxmemory > 0 && s.oomRejected(c, cmd, args) {
		s.reject(c, cmd, msgOOM)
		return cmd
	}
	if s.writeCommand(c, cmd, args) && s.minReplicasRefused() {
		s.reject(c, cmd, msgNoReplicas)
		return cmd
	}
	if s.repl.replica != nil && s.replicaRefused(c, cmd, args) {
		return cmd
	}
	if s.hooks.busy && s.busyRejected(c, cmd) {
		return cmd
	}
	if s.pause.actions != 0 && s.pausedFor(c, cmd) {
		s.postpone(c)
		return cmd
	}
	for _, h := range s.preExec {
		if h(c, cmd, args) {
			return cmd
		}
	}
	if c.noTouch && top(cmd).Name != "touch" {
		// CLIENT NO-TOUCH: the command's lookups leave LRU/LFU alone
		// (TOUCH still touches, as in Redis).
		s.Keys.NoTouch = true
		s.call(c, cmd, args)
		s.Keys.NoTouch = false
		return cmd
	}
	s.call(c, cmd, args)
	return cmd
}

// call runs a resolved command's handler and records statistics. It is also
// the entry point for nested calls (MULTI/EXEC, module RedisModule_Call).
//
// Inside a connection's batch the client's batch clock supplies the start
// time (the end of the previous command), which is also pinned as the
// keyspace's command time: one clock read per command. The commands of
// EXEC keep EXEC's time, as in Redis. Elsewhere (module threads, timers,
// fake clients) the clock is read directly and the keyspace's pin, if any,
// is left alone.
func (s *Server) call(c *Client, cmd *commands.Command, args [][]byte) {
	c.errs = 0
	c.redacted = c.redacted[:0]
	wasBlocked := c.blocked
	var dur time.Duration
	if c.clk.on {
		start := c.clk.last
		if !c.inExec {
			s.Keys.PinTime(c.clk.at(start).UnixMilli())
		}
		cp := s.beginCallPropagation(c)
		s.runHandler(c, cmd, args)
		s.endCallPropagation(c, cmd, args, cp)
		dur = c.clk.tick() - start
	} else {
		t0 := time.Now()
		cp := s.beginCallPropagation(c)
		s.runHandler(c, cmd, args)
		s.endCallPropagation(c, cmd, args, cp)
		dur = time.Since(t0)
	}
	if s.trk.clients > 0 {
		s.trackingAfterCall(cmd, args)
	}
	if c.blocked != nil && c.blocked != wasBlocked && !c.blocked.done {
		// Counted when the block ends, with the time spent blocked.
		c.deferBlockedCall(cmd, args, dur)
		return
	}
	if cmd.Flags&commands.FlagFast != 0 {
		s.LatencyAddSample("fast-command", dur.Milliseconds())
	} else {
		s.LatencyAddSample("command", dur.Milliseconds())
	}
	s.recordCall(c, cmd, c.loggedArgs(args), dur, c.errs > 0)
}

// runHandler calls the handler, containing panics: the partial reply is
// dropped, an error is answered, the stack is logged and the server goes on.
func (s *Server) runHandler(c *Client, cmd *commands.Command, args [][]byte) {
	mark := len(c.W.Buf)
	defer func() {
		if r := recover(); r != nil {
			c.W.Buf = c.W.Buf[:mark]
			s.Log.Warningf("Panic in command '%s': %v\n%s", cmd.FullName, r, debug.Stack())
			c.Error(fmt.Sprintf("ERR internal error while executing '%s': %v", cmd.FullName, r))
		}
	}()
	cmd.Handler(c, args)
}

// reject answers a command refused before execution (rejected_calls).
func (s *Server) reject(c *Client, cmd *commands.Command, msg string) {
	if cmd != nil {
		cmd.RejectedCalls++
	}
	if cmd != nil && cmd.FullName == "exec" {
		// A refused EXEC discards the transaction (Redis's execCommandAbort).
		s.discardTx(c)
		c.Error("EXECABORT Transaction discarded because of: " + strings.TrimPrefix(msg, "ERR "))
		return
	}
	c.Error(msg)
	s.onReject(c)
}

// onReject lets MULTI flag the transaction when a queued command is refused.
func (s *Server) onReject(c *Client) {
	if tx := c.tx; tx != nil {
		tx.dirtyExec = true
	}
}

// rejectUnknown answers an unknown command or subcommand as Redis does.
func (s *Server) rejectUnknown(c *Client, container *commands.Command, args [][]byte) {
	var msg string
	if container != nil {
		msg = fmt.Sprintf("ERR unknown subcommand '%s'. Try %s HELP.", clip(args[1], 128), strings.ToUpper(container.Name))
	} else {
		var sb strings.Builder
		for i := 1; i < len(args) && sb.Len() < 128; i++ {
			fmt.Fprintf(&sb, "'%s' ", clip(args[i], 128-sb.Len()))
		}
		msg = fmt.Sprintf("ERR unknown command '%s', with args beginning with: %s", clip(args[0], 128), sb.String())
	}
	msg = strings.NewReplacer("\r", " ", "\n", " ").Replace(msg)
	c.Error(msg)
	s.onReject(c)
}

func clip(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
