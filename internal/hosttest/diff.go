package hosttest

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// closeWait is how long a @rawsend step waits to see whether the server
// closes the connection after its reply.
var closeWait = 300 * time.Millisecond

// Target is one side of a differential run.
type Target struct {
	// Name labels the side in messages ("redis", "modhost").
	Name string
	// Addr is the server's host:port.
	Addr string
}

// Mismatch is one step whose replies differ.
type Mismatch struct {
	// Script and Line locate the step.
	Script string
	Line   int
	// Command is the step as written in the script.
	Command string
	// Names label the two sides; Replies are their raw replies.
	Names   [2]string
	Replies [2][]byte
	// Reason explains mismatches that are not about reply bytes.
	Reason string
}

// String formats m as "file:line: command" followed by both replies quoted.
func (m Mismatch) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d: %s", m.Script, m.Line, m.Command)
	if m.Reason != "" {
		fmt.Fprintf(&b, "\n    %s", m.Reason)
	}
	w := max(len(m.Names[0]), len(m.Names[1])) + 1
	for i := range 2 {
		fmt.Fprintf(&b, "\n    %-*s %s", w, m.Names[i]+":", strconv.Quote(string(m.Replies[i])))
	}
	return b.String()
}

// namedConn is a connection of one side with the protocol it negotiated.
type namedConn struct {
	conn  *Conn
	proto int
}

// side is one target's connections during a run.
type side struct {
	Target
	conns        map[string]*namedConn
	defaultProto int               // protocol a new connection starts in
	ids          map[string]string // CLIENT ID of connections, for {id:NAME}
}

func (s *side) reopen(name string) error {
	nc := s.conns[name]
	if nc != nil {
		nc.conn.Close()
	}
	c, err := DialConn(s.Addr)
	if err != nil {
		return fmt.Errorf("%s: %w", s.Name, err)
	}
	fresh := &namedConn{conn: c, proto: 2}
	delete(s.ids, name)
	s.conns[name] = fresh
	if (nc != nil && nc.proto == 3) || (nc == nil && s.defaultProto == 3) {
		return s.hello(name, 3)
	}
	return nil
}

// settleTimeout bounds how long settle waits for earlier connections.
const settleTimeout = 5 * time.Second

// settle waits until the server has seen earlier connections (the
// readiness probe's) go away, so that their disconnect does not reach
// the script (a module listening to client events would see it late on a
// loaded machine). It gives up quietly when INFO is refused (a script's
// server that wants AUTH first) or after settleTimeout.
func (s *side) settle(name string) {
	deadline := time.Now().Add(settleTimeout)
	for time.Now().Before(deadline) {
		f, err := s.conns[name].conn.Command("INFO", "clients")
		if err != nil || f.IsError() || strings.Contains(string(f.Str), "connected_clients:1\r\n") {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *side) hello(name string, proto int) error {
	nc := s.conns[name]
	if _, err := nc.conn.Command("HELLO", strconv.Itoa(proto)); err != nil {
		return fmt.Errorf("%s: HELLO %d: %w", s.Name, proto, err)
	}
	nc.proto = proto
	return nil
}

func (s *side) closeAll() {
	for _, nc := range s.conns {
		nc.conn.Close()
	}
}

// RunScript runs script against two servers, a reference and a candidate,
// and returns the steps whose replies differ. An error means the run could
// not go on (a server stopped answering); mismatches found before it are
// still returned.
func RunScript(script *Script, ref, cand Target) ([]Mismatch, error) {
	sides := [2]*side{
		{Target: ref, conns: map[string]*namedConn{}, defaultProto: script.Proto},
		{Target: cand, conns: map[string]*namedConn{}, defaultProto: script.Proto},
	}
	defer sides[0].closeAll()
	defer sides[1].closeAll()
	cur := "default"
	for _, s := range sides {
		if err := s.reopen(cur); err != nil {
			return nil, err
		}
		s.settle(cur)
	}
	var out []Mismatch
	for _, st := range script.Steps {
		m, err := runStep(script.Name, st, sides, &cur)
		if m != nil {
			out = append(out, *m)
		}
		if err != nil {
			return out, fmt.Errorf("%s:%d: %s: %w", script.Name, st.Line, st.Text, err)
		}
	}
	return out, nil
}

// runStep executes one step on both sides.
func runStep(name string, st Step, sides [2]*side, cur *string) (*Mismatch, error) {
	switch st.Kind {
	case StepSleep:
		time.Sleep(st.Sleep)
		return nil, nil
	case StepUntil:
		return nil, eachSide(sides, func(s *side) error { return s.until(*cur, st) })
	case StepConn:
		*cur = st.Conn
		for _, s := range sides {
			if s.conns[st.Conn] == nil {
				if err := s.reopen(st.Conn); err != nil {
					return nil, err
				}
			}
		}
		return nil, nil
	case StepReconnect:
		return nil, eachSide(sides, func(s *side) error { return s.reopen(*cur) })
	case StepProto:
		return nil, eachSide(sides, func(s *side) error { return s.hello(*cur, st.Proto) })
	}
	var replies [2]*Frame
	for i, s := range sides {
		payload := st.Raw
		if st.Kind == StepCommand {
			args, err := s.substituteIDs(st.Args)
			if err != nil {
				return nil, err
			}
			payload = AppendCommand(nil, args...)
		}
		c := s.conns[*cur].conn
		if err := c.Send(payload); err != nil {
			return nil, fmt.Errorf("%s: send: %w", s.Name, err)
		}
		if st.NoReply {
			continue
		}
		f, err := c.ReadFrame()
		if err != nil {
			return nil, fmt.Errorf("%s: read reply: %w", s.Name, err)
		}
		replies[i] = f
	}
	m := &Mismatch{Script: name, Line: st.Line, Command: st.Text, Names: [2]string{sides[0].Name, sides[1].Name}}
	if replies[0] != nil {
		m.Replies = [2][]byte{replies[0].Raw, replies[1].Raw}
	}
	var mm *Mismatch
	if replies[0] != nil && !st.Ignore && !Equivalent(replies[0], replies[1], st.Sort) {
		mm = m
	}
	switch {
	case st.Kind == StepRawSend:
		return afterRawSend(mm, m, sides, *cur)
	case len(st.Args) > 0 && strings.EqualFold(st.Args[0], "QUIT"):
		return mm, eachSide(sides, func(s *side) error { return s.reopen(*cur) })
	}
	return mm, nil
}

// substituteIDs replaces every argument "{id:NAME}" with this side's
// client id of connection NAME, asked with CLIENT ID on that connection
// the first time (it must have no unread replies then).
func (s *side) substituteIDs(args []string) ([]string, error) {
	var out []string
	for i, a := range args {
		name, ok := strings.CutPrefix(a, "{id:")
		if !ok || !strings.HasSuffix(name, "}") {
			continue
		}
		name = strings.TrimSuffix(name, "}")
		id, have := s.ids[name]
		if !have {
			nc := s.conns[name]
			if nc == nil {
				return nil, fmt.Errorf("%s: {id:%s}: no such connection", s.Name, name)
			}
			f, err := nc.conn.Command("CLIENT", "ID")
			if err != nil {
				return nil, fmt.Errorf("%s: {id:%s}: %w", s.Name, name, err)
			}
			id = strings.TrimSuffix(strings.TrimPrefix(string(f.Raw), ":"), "\r\n")
			if s.ids == nil {
				s.ids = map[string]string{}
			}
			s.ids[name] = id
		}
		if out == nil {
			out = append([]string(nil), args...)
		}
		out[i] = id
	}
	if out == nil {
		return args, nil
	}
	return out, nil
}

// untilLimit bounds how long an @until step polls one server.
const untilLimit = 20 * time.Second

// until sends st's command on connection cur every few milliseconds until
// the raw reply is st.Until (waiting for timers, expiry, background work
// without guessing a sleep long enough for a loaded machine).
func (s *side) until(cur string, st Step) error {
	c := s.conns[cur].conn
	deadline := time.Now().Add(untilLimit)
	for {
		if err := c.Send(AppendCommand(nil, st.Args...)); err != nil {
			return fmt.Errorf("%s: send: %w", s.Name, err)
		}
		f, err := c.ReadFrame()
		if err != nil {
			return fmt.Errorf("%s: read reply: %w", s.Name, err)
		}
		if bytes.Equal(f.Raw, st.Until) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: line %d: %q still replies %q after %v, waiting for %q",
				s.Name, st.Line, st.Text, f.Raw, untilLimit, st.Until)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// afterRawSend reopens connections the servers closed; a close on one side
// only is a mismatch. mm is the reply mismatch found so far (or nil), m the
// step's record.
func afterRawSend(mm, m *Mismatch, sides [2]*side, cur string) (*Mismatch, error) {
	closed := [2]bool{
		sides[0].conns[cur].conn.Closed(closeWait),
		sides[1].conns[cur].conn.Closed(closeWait),
	}
	if !closed[0] && !closed[1] {
		return mm, nil
	}
	if closed[0] != closed[1] {
		who := 0
		if closed[1] {
			who = 1
		}
		m.Reason = "connection closed by " + sides[who].Name + " only"
		mm = m
	}
	return mm, eachSide(sides, func(s *side) error { return s.reopen(cur) })
}

func eachSide(sides [2]*side, f func(*side) error) error {
	for _, s := range sides {
		if err := f(s); err != nil {
			return err
		}
	}
	return nil
}

// RunScriptFile runs a loaded script against ref and cand with
// connections starting in protocol proto (2 or 3) and reports every
// mismatch with t.Errorf.
func RunScriptFile(t testing.TB, script *Script, proto int, ref, cand Target) {
	t.Helper()
	script.Proto = proto
	if len(script.Steps) == 0 {
		t.Fatalf("hosttest: %s has no steps", script.Name)
	}
	ms, err := RunScript(script, ref, cand)
	for _, m := range ms {
		t.Errorf("reply mismatch at %s", m)
	}
	if err != nil {
		t.Fatalf("hosttest: %v", err)
	}
}
