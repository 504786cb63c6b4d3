package hosttest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ReadyLine is the log line prefix a Redis-compatible server prints once it
// accepts clients ("Ready to accept connections tcp" in Redis 7.2+).
const ReadyLine = "Ready to accept connections"

// StartTimeout bounds how long Launch waits for a server to become ready.
var StartTimeout = 30 * time.Second

// bindAttempts is how many ports Launch tries before giving up.
const bindAttempts = 5

// Process is a running server started by Launch.
type Process struct {
	// Bin is the executable that was started.
	Bin string
	// Args are the arguments it was started with (including --port).
	Args []string
	// Port is the loopback TCP port the server listens on.
	Port int
	// Addr is "127.0.0.1:<Port>".
	Addr string

	cmd  *exec.Cmd
	port *portReservation // released once the process is gone
	logs *logBuffer
	done chan struct{} // closed when the process has exited
	err  error         // Wait's result, valid after done is closed
}

// Launch starts bin with args plus "--port N" on a reserved free port
// (see reservePort) in directory dir (the server's working directory, for
// dump files) and waits until the server logs ReadyLine or answers PING
// as itself (INFO's process_id). When the port turns out to be taken
// anyway (by a process outside this package), it retries on another one.
func Launch(dir, bin string, args ...string) (*Process, error) {
	var lastErr error
	for range bindAttempts {
		r, err := reservePort()
		if err != nil {
			return nil, err
		}
		p, err := launchOn(dir, bin, r.port, args)
		if err == nil {
			p.port = r
			return p, nil
		}
		r.release()
		lastErr = err
		if p == nil || !strings.Contains(p.Logs(), "already in use") {
			return nil, err
		}
	}
	return nil, lastErr
}

func launchOn(dir, bin string, port int, args []string) (*Process, error) {
	full := append(append([]string(nil), args...), "--port", strconv.Itoa(port))
	p := &Process{
		Bin: bin, Args: full, Port: port,
		Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		logs: &logBuffer{ready: make(chan struct{})},
		done: make(chan struct{}),
	}
	p.cmd = exec.Command(bin, full...)
	p.cmd.Dir = dir
	// The output comes through a pipe of ours, so that Logs can take
	// what the server wrote before its last reply even when the copying
	// goroutine has not run yet.
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	p.cmd.Stdout = w
	p.cmd.Stderr = w
	if err := p.cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	w.Close()
	p.logs.attach(r)
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	if err := p.waitReady(); err != nil {
		p.Kill()
		return p, fmt.Errorf("%s %s: %w\n--- server log ---\n%s", bin, strings.Join(full, " "), err, p.Logs())
	}
	return p, nil
}

// waitReady waits for the ready log line, a PONG, process exit or timeout.
func (p *Process) waitReady() error {
	deadline := time.NewTimer(StartTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-p.logs.ready:
			return nil
		case <-p.done:
			return fmt.Errorf("server exited before it was ready: %v", p.err)
		case <-deadline.C:
			return errors.New("server not ready within " + StartTimeout.String())
		case <-tick.C:
			if p.pingOnce() {
				p.awaitReadyLine()
				if p.Exited() {
					return fmt.Errorf("server exited before it was ready: %v", p.err)
				}
				return nil
			}
		}
	}
}

// readyLineGrace bounds how long a server that already answered PING is
// given for its ready line to reach the log.
const readyLineGrace = 2 * time.Second

// awaitReadyLine waits (briefly) for ReadyLine after the server answered
// PING: the log reaches us through a pipe and a copying goroutine, so it
// can trail the PONG, and tests look for the line right after start.
func (p *Process) awaitReadyLine() {
	t := time.NewTimer(readyLineGrace)
	defer t.Stop()
	select {
	case <-p.logs.ready:
	case <-p.done:
	case <-t.C:
	}
}

// pingOnce reports whether our server answered PING with +PONG: the
// process on the port must report our process id in INFO (another
// server may hold the port while ours failed to bind it).
func (p *Process) pingOnce() bool {
	c, err := net.DialTimeout("tcp", p.Addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(500 * time.Millisecond))
	if _, err := c.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		return false
	}
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	if err != nil || line != "+PONG\r\n" {
		return false
	}
	return p.answersAsItself(c, r)
}

// answersAsItself asks INFO server on c and reports whether its
// process_id is our child's. A server whose INFO is unavailable (renamed,
// refused) counts as ours.
func (p *Process) answersAsItself(c net.Conn, r *bufio.Reader) bool {
	if _, err := c.Write([]byte("*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n")); err != nil {
		return false
	}
	header, err := r.ReadString('\n')
	if err != nil {
		return false
	}
	if !strings.HasPrefix(header, "$") {
		return true
	}
	n, err := strconv.Atoi(strings.TrimSpace(header[1:]))
	if err != nil || n < 0 {
		return false
	}
	body := make([]byte, n+2)
	if _, err := io.ReadFull(r, body); err != nil {
		return false
	}
	return strings.Contains(string(body), "process_id:"+strconv.Itoa(p.PID())+"\r\n")
}

// PID returns the server's process id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Logs returns everything the server wrote to stdout and stderr so far.
func (p *Process) Logs() string { return p.logs.String() }

// Exited reports whether the process has exited.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Kill kills the process and waits for it to exit. It is safe to call more
// than once.
func (p *Process) Kill() {
	if !p.Exited() {
		_ = p.cmd.Process.Kill()
	}
	<-p.done
	p.port.release()
}

// RSS returns the process's resident set size in bytes (VmRSS from
// /proc/PID/status).
func (p *Process) RSS() (int64, error) {
	return ProcRSS(p.PID())
}

// ProcCPU returns the CPU time (user and system, every thread) process pid
// has used so far, from /proc/PID/stat in clock ticks of 10 ms.
func ProcCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: count fields
	// after the last ')'. utime and stime are fields 14 and 15.
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if i < 0 || len(f) < 13 {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("unexpected /proc/%d/stat times %q %q", pid, f[11], f[12])
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}

// ProcRSS returns VmRSS of process pid in bytes.
func ProcRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		rest, ok := strings.CutPrefix(line, "VmRSS:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("unexpected VmRSS line %q", line)
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		return kb * 1024, err
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// RaceWarning is the line the Go race detector prints when it finds a data
// race in a server built with -race.
const RaceWarning = "WARNING: DATA RACE"

// raceFence is the line of '=' the race detector prints above and below
// each report.
const raceFence = "=================="

// RaceReports returns every data race report the server printed so far
// (each from the fence line above RaceWarning to the fence line below it),
// or "" if there is none.
func (p *Process) RaceReports() string {
	return RaceReports(p.Logs())
}

// RaceReports extracts the Go race detector reports from a process's
// output: each report runs from the fence line above RaceWarning to the
// next fence line (or the end of the output when it was cut short).
func RaceReports(logs string) string {
	var out strings.Builder
	rest := logs
	for {
		i := strings.Index(rest, RaceWarning)
		if i < 0 {
			return out.String()
		}
		start := i
		if f := strings.LastIndex(rest[:i], raceFence); f >= 0 && !strings.Contains(rest[f:i], "\n\n") {
			start = f
		}
		end := len(rest)
		if f := strings.Index(rest[i:], raceFence); f >= 0 {
			end = i + f + len(raceFence)
		}
		out.WriteString(rest[start:end])
		out.WriteByte('\n')
		rest = rest[end:]
	}
}

// logBuffer collects a server's output and signals when ReadyLine appears.
type logBuffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	ready chan struct{}
	seen  bool // ready has been closed
	scan  int  // offset up to which complete lines were checked
	// pipe is the server's output pipe while it is open (nil for a
	// buffer written through Write).
	pipe syscall.RawConn
}

// attach copies the server's output from r (the read end of its stdout
// and stderr pipe) until EOF. Every read from r happens under l.mu, so
// String can drain what is pending in the pipe itself.
func (l *logBuffer) attach(r *os.File) {
	rc, err := r.SyscallConn()
	if err != nil {
		go func() { _, _ = io.Copy(l, r) }()
		return
	}
	l.mu.Lock()
	l.pipe = rc
	l.mu.Unlock()
	go func() {
		defer r.Close()
		buf := make([]byte, 32<<10)
		_ = rc.Read(func(fd uintptr) bool {
			l.mu.Lock()
			defer l.mu.Unlock()
			return l.drainLocked(fd, buf) // false: wait for more output
		})
		l.mu.Lock()
		l.pipe = nil
		l.mu.Unlock()
	}()
}

// drainLocked reads what the non-blocking pipe fd holds into the buffer;
// true at EOF or on an error other than "nothing more yet".
func (l *logBuffer) drainLocked(fd uintptr, buf []byte) bool {
	for {
		n, err := syscall.Read(int(fd), buf)
		switch {
		case n > 0:
			l.writeLocked(buf[:n])
		case err == syscall.EINTR:
		case err == syscall.EAGAIN:
			return false
		default:
			return true // EOF (n == 0) or a failed read
		}
	}
}

func (l *logBuffer) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writeLocked(b)
	return len(b), nil
}

// writeLocked appends b and signals ReadyLine's arrival.
func (l *logBuffer) writeLocked(b []byte) {
	l.buf.Write(b)
	if !l.seen {
		data := l.buf.Bytes()
		if i := bytes.LastIndexByte(data, '\n'); i >= l.scan {
			if bytes.Contains(data[l.scan:i], []byte(ReadyLine)) {
				l.seen = true
				close(l.ready)
			}
			l.scan = i + 1
		}
	}
}

// String returns the output so far, including what is still in the pipe:
// a line the server logged before a reply the test has read is there.
func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pipe != nil {
		buf := make([]byte, 32<<10)
		_ = l.pipe.Control(func(fd uintptr) { l.drainLocked(fd, buf) })
	}
	return l.buf.String()
}
