package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// SaveParam is one "save <seconds> <changes>" snapshot rule.
type SaveParam struct {
	Seconds int64 // at least this many seconds since the last save
	Changes int64 // and at least this many changes
}

var defaultSave = []SaveParam{{3600, 1}, {300, 100}, {60, 10000}}

// saveValue holds the snapshot rules.
type saveValue struct{ params []SaveParam }

func (s *saveValue) set(c *Config, args []string) (bool, string) {
	reset := false
	if len(args) == 1 && args[0] == "" {
		args, reset = nil, true
	}
	if len(args)%2 != 0 {
		return false, "Invalid save parameters"
	}
	var parsed []SaveParam
	for j := 0; j < len(args); j += 2 {
		sec, ok1 := cStrtoll(args[j], 10)
		ch, ok2 := cStrtoll(args[j+1], 10)
		if !ok1 || !ok2 || sec < 1 || ch < 0 {
			return false, "Invalid save parameters"
		}
		parsed = append(parsed, SaveParam{sec, ch})
	}
	// While reading a file, several "save" lines accumulate; the defaults
	// are dropped by the first one only.
	if c.readingFile && c.saveLoaded && !reset {
		s.params = append(s.params, parsed...)
	} else {
		s.params = parsed
	}
	if c.readingFile {
		c.saveLoaded = true
	}
	return true, ""
}

func (s *saveValue) get(*Config) string {
	parts := make([]string, 0, len(s.params))
	for _, p := range s.params {
		parts = append(parts, fmt.Sprintf("%d %d", p.Seconds, p.Changes))
	}
	return strings.Join(parts, " ")
}

func (s *saveValue) rewrite(_ *Config, st *rewriteState, name string) {
	if len(s.params) == 0 {
		st.rewriteLine(name, `save ""`, true)
	}
	for _, p := range s.params {
		st.rewriteLine(name, fmt.Sprintf("save %d %d", p.Seconds, p.Changes), true)
	}
	st.markProcessed(name)
}

// maxBindAddrs is upstream's CONFIG_BINDADDR_MAX.
const maxBindAddrs = 16

var defaultBind = []string{"*", "-::*"}

// bindValue holds the listen addresses.
type bindValue struct{ addrs []string }

func (b *bindValue) set(_ *Config, args []string) (bool, string) {
	if len(args) > maxBindAddrs {
		return false, "Too many bind addresses specified."
	}
	if len(args) == 1 && args[0] == "" {
		args = nil
	}
	b.addrs = append([]string(nil), args...)
	return true, ""
}

func (b *bindValue) get(*Config) string { return strings.Join(b.addrs, " ") }

func (b *bindValue) rewrite(_ *Config, st *rewriteState, name string) {
	if strings.Join(b.addrs, " ") == strings.Join(defaultBind, " ") && len(b.addrs) == len(defaultBind) {
		st.markProcessed(name)
		return
	}
	addrs := `""`
	if len(b.addrs) > 0 {
		addrs = strings.Join(b.addrs, " ")
	}
	st.rewriteLine(name, name+" "+addrs, true)
}

// notifyValue holds the keyspace notification classes.
type notifyValue struct{ flags int }

func (n *notifyValue) set(_ *Config, args []string) (bool, string) {
	if len(args) != 1 {
		return false, "wrong number of arguments"
	}
	f, ok := ParseKeyspaceEvents(args[0])
	if !ok {
		return false, "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
	}
	n.flags = f
	return true, ""
}

func (n *notifyValue) get(*Config) string { return KeyspaceEventsString(n.flags) }

func (n *notifyValue) rewrite(_ *Config, st *rewriteState, name string) {
	st.rewriteLine(name, name+" "+Repr(KeyspaceEventsString(n.flags)), n.flags != 0)
}

// dirValue is the working directory: setting it changes the process's
// current directory, reading it reports the current directory.
type dirValue struct{}

func (dirValue) set(_ *Config, args []string) (bool, string) {
	if len(args) != 1 {
		return false, "wrong number of arguments"
	}
	if err := os.Chdir(args[0]); err != nil {
		return false, strerror(err)
	}
	return true, ""
}

func (dirValue) get(*Config) string {
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	return wd
}

func (d dirValue) rewrite(c *Config, st *rewriteState, name string) {
	wd, err := os.Getwd()
	if err != nil {
		st.markProcessed(name)
		return
	}
	st.rewriteLine(name, name+" "+Repr(wd), true)
}

// ObufLimit is one client-output-buffer-limit class setting.
type ObufLimit struct {
	Class       string // "normal", "replica" or "pubsub"
	Hard, Soft  uint64 // bytes; 0 means no limit
	SoftSeconds int64  // how long the soft limit may be exceeded
}

var obufClasses = []string{"normal", "slave", "pubsub"}

var obufDefaults = [3]ObufLimit{
	{"normal", 0, 0, 0},
	{"replica", 256 << 20, 64 << 20, 60},
	{"pubsub", 32 << 20, 8 << 20, 60},
}

// obufValue holds client-output-buffer-limit.
type obufValue struct{ limits [3]ObufLimit }

func obufClass(name string) int {
	switch strings.ToLower(name) {
	case "normal":
		return 0
	case "slave", "replica":
		return 1
	case "pubsub":
		return 2
	}
	return -1
}

func (o *obufValue) set(_ *Config, args []string) (bool, string) {
	if len(args)%4 != 0 {
		return false, "Wrong number of arguments in buffer limit configuration."
	}
	next := o.limits
	for j := 0; j < len(args); j += 4 {
		class := obufClass(args[j])
		if class < 0 {
			return false, "Invalid client class specified in buffer limit configuration."
		}
		hard, ok1 := parseMemory(args[j+1])
		soft, ok2 := parseMemory(args[j+2])
		secs, ok3 := cStrtoll(args[j+3], 10)
		if !ok1 || !ok2 || !ok3 || secs < 0 {
			return false, "Error in hard, soft or soft_seconds setting in buffer limit configuration."
		}
		next[class] = ObufLimit{obufDefaults[class].Class, hard, soft, secs}
	}
	o.limits = next
	return true, ""
}

func (o *obufValue) get(*Config) string {
	parts := make([]string, 3)
	for i, l := range o.limits {
		parts[i] = fmt.Sprintf("%s %d %d %d", obufClasses[i], l.Hard, l.Soft, l.SoftSeconds)
	}
	return strings.Join(parts, " ")
}

func (o *obufValue) rewrite(_ *Config, st *rewriteState, name string) {
	for i, l := range o.limits {
		d := obufDefaults[i]
		force := l.Hard != d.Hard || l.Soft != d.Soft || l.SoftSeconds != d.SoftSeconds
		line := fmt.Sprintf("%s %s %s %s %d", name, d.Class,
			formatMemory(int64(l.Hard)), formatMemory(int64(l.Soft)), l.SoftSeconds)
		st.rewriteLine(name, line, force)
	}
}

// oomValue holds oom-score-adj-values.
type oomValue struct{ v [3]int64 }

var oomDefaults = [3]int64{0, 200, 800}

func (o *oomValue) set(_ *Config, args []string) (bool, string) {
	if len(args) != 3 {
		return false, "wrong number of arguments"
	}
	var next [3]int64
	for i, a := range args {
		v, ok := cStrtoll(a, 10)
		if !ok || v < -2000 || v > 2000 {
			return false, "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
		}
		next[i] = v
	}
	changed := next != o.v
	o.v = next
	return changed, ""
}

func (o *oomValue) get(*Config) string {
	return fmt.Sprintf("%d %d %d", o.v[0], o.v[1], o.v[2])
}

func (o *oomValue) rewrite(c *Config, st *rewriteState, name string) {
	st.rewriteLine(name, name+" "+o.get(c), o.v != oomDefaults)
}

// SetReplicaOf records the master REPLICAOF set (host "" for NO ONE), so
// that CONFIG GET and CONFIG REWRITE show it, as Redis's do.
func (c *Config) SetReplicaOf(host string, port int64) {
	if r, ok := c.mustLookup("replicaof").val.(*replicaOfValue); ok {
		r.host, r.port = host, port
	}
}

// replicaOfValue holds replicaof: the master a replica follows.
type replicaOfValue struct {
	host string
	port int64
}

func (r *replicaOfValue) set(_ *Config, args []string) (bool, string) {
	if len(args) != 2 {
		return false, "wrong number of arguments"
	}
	r.host = ""
	if strings.EqualFold(args[0], "no") && strings.EqualFold(args[1], "one") {
		return true, ""
	}
	p, ok := cStrtoll(args[1], 10)
	if !ok || p < 0 || p > 65535 {
		return false, "Invalid master port"
	}
	r.host, r.port = args[0], p
	return true, ""
}

func (r *replicaOfValue) get(*Config) string {
	if r.host == "" {
		return ""
	}
	return fmt.Sprintf("%s %d", r.host, r.port)
}

func (r *replicaOfValue) rewrite(c *Config, st *rewriteState, name string) {
	if r.host == "" {
		st.markProcessed(name)
		return
	}
	st.rewriteLine(name, name+" "+r.get(c), true)
}

// percentilesValue holds latency-tracking-info-percentiles.
type percentilesValue struct{ v []float64 }

func (p *percentilesValue) set(_ *Config, args []string) (bool, string) {
	if len(args) == 1 && args[0] == "" {
		args = nil
	}
	next := make([]float64, 0, len(args))
	for _, a := range args {
		f, err := strconv.ParseFloat(a, 64)
		if err != nil || a != strings.TrimSpace(a) {
			p.v = nil
			return false, "Invalid latency-tracking-info-percentiles parameters"
		}
		if f > 100 || f < 0 {
			p.v = nil
			return false, "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
		}
		next = append(next, f)
	}
	p.v = next
	return true, ""
}

func formatPercentile(f float64) string {
	s := strconv.FormatFloat(f, 'f', 6, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

func (p *percentilesValue) get(*Config) string {
	parts := make([]string, len(p.v))
	for i, f := range p.v {
		parts[i] = formatPercentile(f)
	}
	return strings.Join(parts, " ")
}

func (p *percentilesValue) rewrite(c *Config, st *rewriteState, name string) {
	if len(p.v) == 0 {
		st.rewriteLine(name, name+` ""`, true)
		return
	}
	st.rewriteLine(name, name+" "+p.get(c), true)
}
