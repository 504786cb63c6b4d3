// Package logging writes Redis-format log lines:
//
//	pid:role dd Mon yyyy hh:mm:ss.mmm <c> message
//
// where c is '.', '-', '*' or '#' for debug, verbose, notice and warning,
// and role is 'M' (master), 'S' (replica), 'C' (child) or 'X' (sentinel).
package logging

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Level is a log verbosity, ordered as Redis's LL_* values.
type Level int

// Log levels; a Logger at level L writes messages of level >= L.
const (
	Debug   Level = iota // '.'
	Verbose              // '-'
	Notice               // '*'
	Warning              // '#'
	Nothing              // writes nothing
)

var levelNames = []string{"debug", "verbose", "notice", "warning", "nothing"}

// levelMarks are the characters that follow the timestamp.
const levelMarks = ".-*#"

// maxMessage is the longest message kept, as upstream's LOG_MAX_LEN-1.
const maxMessage = 1023

// ParseLevel maps a loglevel directive value (case-insensitive) to a Level.
func ParseLevel(s string) (Level, bool) {
	for i, n := range levelNames {
		if strings.EqualFold(s, n) {
			return Level(i), true
		}
	}
	return 0, false
}

// String returns the loglevel directive spelling of l.
func (l Level) String() string {
	if l >= Debug && l <= Nothing {
		return levelNames[l]
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// Logger writes log lines to standard output or appends them to a file,
// reopening the file for each line so that rotation by rename works.
// It is safe for concurrent use.
type Logger struct {
	mu    sync.Mutex
	path  string    // "" = out
	out   io.Writer // used when path is ""
	level Level
	role  byte
	pid   int
	now   func() time.Time
}

// New returns a Logger appending to logfile, or writing to standard output
// when logfile is "". It fails when the file cannot be opened.
func New(logfile string, level Level) (*Logger, error) {
	l := &Logger{out: os.Stdout, level: level, role: 'M', pid: os.Getpid(), now: time.Now}
	if err := l.SetFile(logfile); err != nil {
		return nil, err
	}
	return l, nil
}

// NewWriter returns a Logger writing to w (for tests and embedding).
func NewWriter(w io.Writer, level Level) *Logger {
	return &Logger{out: w, level: level, role: 'M', pid: os.Getpid(), now: time.Now}
}

// SetLevel changes the minimum level written.
func (l *Logger) SetLevel(level Level) {
	l.mu.Lock()
	l.level = level
	l.mu.Unlock()
}

// Level returns the minimum level written.
func (l *Logger) Level() Level {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.level
}

// SetFile switches output to appending to path ("" = standard output
// or the writer given to NewWriter). It checks that the file can be
// opened and leaves the output unchanged when it cannot.
func (l *Logger) SetFile(path string) error {
	if path != "" {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		_ = f.Close()
	}
	l.mu.Lock()
	l.path = path
	l.mu.Unlock()
	return nil
}

// SetRole sets the role character: 'M' master, 'S' replica, 'C' child,
// 'X' sentinel.
func (l *Logger) SetRole(role byte) {
	l.mu.Lock()
	l.role = role
	l.mu.Unlock()
}

// SetClock replaces the time source (for tests).
func (l *Logger) SetClock(now func() time.Time) {
	l.mu.Lock()
	l.now = now
	l.mu.Unlock()
}

// Enabled reports whether messages of level would be written.
func (l *Logger) Enabled(level Level) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return level >= l.level && level < Nothing
}

// Logf formats and writes one log line at level.
func (l *Logger) Logf(level Level, format string, args ...any) {
	if !l.Enabled(level) {
		return
	}
	l.Log(level, fmt.Sprintf(format, args...))
}

// Log writes msg as one log line at level.
func (l *Logger) Log(level Level, msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if level < l.level || level >= Nothing || level < Debug {
		return
	}
	if len(msg) > maxMessage {
		msg = msg[:maxMessage]
	}
	var b []byte
	b = fmt.Appendf(b, "%d:%c ", l.pid, l.role)
	b = l.now().AppendFormat(b, "02 Jan 2006 15:04:05.000")
	b = append(b, ' ', levelMarks[level], ' ')
	b = append(b, msg...)
	b = append(b, '\n')
	l.writeLocked(b)
}

// Raw writes msg as is, without prefix or newline, when level is enabled
// (upstream's LL_RAW).
func (l *Logger) Raw(level Level, msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if level < l.level || level >= Nothing || level < Debug {
		return
	}
	l.writeLocked([]byte(msg))
}

// writeLocked writes b to the current output; l.mu must be held.
func (l *Logger) writeLocked(b []byte) {
	if l.path == "" {
		_, _ = l.out.Write(b)
		return
	}
	f, err := os.OpenFile(l.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	_, _ = f.Write(b)
	_ = f.Close()
}

// Debugf logs at Debug level.
func (l *Logger) Debugf(format string, args ...any) { l.Logf(Debug, format, args...) }

// Verbosef logs at Verbose level.
func (l *Logger) Verbosef(format string, args ...any) { l.Logf(Verbose, format, args...) }

// Noticef logs at Notice level.
func (l *Logger) Noticef(format string, args ...any) { l.Logf(Notice, format, args...) }

// Warningf logs at Warning level.
func (l *Logger) Warningf(format string, args ...any) { l.Logf(Warning, format, args...) }

// Path returns the log file lines are appended to, "" when they go to
// standard output or the writer given to NewWriter.
func (l *Logger) Path() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.path
}
