package hosttest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// StepKind says what a script step does.
type StepKind int

// Step kinds. See testdata/diff/README.md for the script format.
const (
	// StepCommand sends Args as a command and compares the replies.
	StepCommand StepKind = iota
	// StepRawSend sends Raw bytes as they are and compares the reply.
	StepRawSend
	// StepProto sends HELLO Proto and ignores the reply.
	StepProto
	// StepConn switches to (opening if needed) connection Conn.
	StepConn
	// StepSleep pauses for Sleep.
	StepSleep
	// StepReconnect closes and reopens the current connection.
	StepReconnect
	// StepUntil repeats Args on each side until the raw reply is Until.
	StepUntil
)

// Step is one executable line of a differential script.
type Step struct {
	// Line is the 1-based line number in the script file.
	Line int
	// Text is the line as written, for messages.
	Text string
	// Kind selects which of the fields below are meaningful.
	Kind StepKind
	// Args is the command of a StepCommand.
	Args []string
	// Raw is the payload of a StepRawSend.
	Raw []byte
	// Proto is the protocol version of a StepProto.
	Proto int
	// Conn is the connection name of a StepConn.
	Conn string
	// Sleep is the pause of a StepSleep.
	Sleep time.Duration
	// Until is the raw reply a StepUntil waits for.
	Until []byte
	// Sort compares aggregate replies as multisets (@sort).
	Sort bool
	// Ignore reads the replies without comparing them (@ignore).
	Ignore bool
	// NoReply sends without reading any reply (@noreply).
	NoReply bool
}

// Script is a parsed differential script.
type Script struct {
	// Name is the file name the script was read from.
	Name string
	// Steps are the executable lines in order.
	Steps []Step
	// ServerArgs are extra arguments both servers start with, from @server
	// lines at the top of the script ("$ROOT" stands for the repository
	// root, for module paths).
	ServerArgs []string
	// Proto is the protocol every connection starts in: 0 or 2 for RESP2,
	// 3 to send HELLO 3 when a connection opens (the differential suite
	// runs each script in both).
	Proto int
}

// LoadScript reads and parses a script file.
func LoadScript(path string) (*Script, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseScript(filepath.Base(path), f)
}

// ParseScript parses a script; name is used in error messages.
func ParseScript(name string, r io.Reader) (*Script, error) {
	s := &Script{Name: name}
	var pending Step // modifiers waiting for the next command
	pendingLine := 0
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fail := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s", name, n, fmt.Sprintf(format, args...))
		}
		args, err := SplitArgs(text)
		if err != nil {
			return nil, fail("%v", err)
		}
		step := Step{Line: n, Text: text, Kind: StepCommand, Args: args}
		if strings.EqualFold(args[0], "@server") {
			if len(s.Steps) > 0 || pendingLine != 0 {
				return nil, fail("@server must come before the first step")
			}
			s.ServerArgs = append(s.ServerArgs, args[1:]...)
			continue
		}
		if strings.HasPrefix(args[0], "@") {
			modifier, err := parseDirective(&step, &pending, args)
			if err != nil {
				return nil, fail("%v", err)
			}
			if modifier {
				pendingLine = n
				continue
			}
		}
		if step.Kind != StepCommand && step.Kind != StepRawSend && pendingLine != 0 {
			return nil, fail("modifier on line %d must be followed by a command", pendingLine)
		}
		step.Sort, step.Ignore, step.NoReply = pending.Sort, pending.Ignore, pending.NoReply
		pending, pendingLine = Step{}, 0
		s.Steps = append(s.Steps, step)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if pendingLine != 0 {
		return nil, fmt.Errorf("%s:%d: modifier at end of script", name, pendingLine)
	}
	return s, nil
}

// parseDirective fills step from an @ line, or records a modifier in
// pending and reports true.
func parseDirective(step, pending *Step, args []string) (bool, error) {
	want := func(n int) error {
		if len(args) != n+1 {
			return fmt.Errorf("%s takes %d argument(s)", args[0], n)
		}
		return nil
	}
	switch strings.ToLower(args[0]) {
	case "@sort", "@ignore", "@noreply":
		if err := want(0); err != nil {
			return false, err
		}
		switch strings.ToLower(args[0]) {
		case "@sort":
			pending.Sort = true
		case "@ignore":
			pending.Ignore = true
		default:
			pending.NoReply = true
		}
		return true, nil
	case "@proto":
		if err := want(1); err != nil {
			return false, err
		}
		if args[1] != "2" && args[1] != "3" {
			return false, fmt.Errorf("@proto takes 2 or 3, not %q", args[1])
		}
		step.Kind, step.Proto = StepProto, int(args[1][0]-'0')
	case "@conn":
		if err := want(1); err != nil {
			return false, err
		}
		step.Kind, step.Conn = StepConn, args[1]
	case "@flushall":
		if err := want(0); err != nil {
			return false, err
		}
		step.Args = []string{"FLUSHALL"}
	case "@sleep":
		if err := want(1); err != nil {
			return false, err
		}
		ms, err := strconv.Atoi(args[1])
		if err != nil || ms < 0 {
			return false, fmt.Errorf("@sleep takes milliseconds, not %q", args[1])
		}
		step.Kind, step.Sleep = StepSleep, time.Duration(ms)*time.Millisecond
	case "@rawsend":
		if err := want(1); err != nil {
			return false, err
		}
		step.Kind, step.Raw, step.Args = StepRawSend, []byte(args[1]), nil
	case "@until":
		if len(args) < 3 {
			return false, fmt.Errorf("@until takes a reply and a command")
		}
		step.Kind, step.Until, step.Args = StepUntil, []byte(args[1]), args[2:]
	case "@reconnect":
		if err := want(0); err != nil {
			return false, err
		}
		step.Kind = StepReconnect
	default:
		return false, fmt.Errorf("unknown directive %s", args[0])
	}
	return false, nil
}

// Clone returns a copy of the script that can be run with its own Proto.
func (s *Script) Clone() *Script {
	cp := *s
	return &cp
}
