package server

import (
	crand "crypto/rand"
	"encoding/hex"
	"math/rand"
	"strconv"
	"strings"

	"github.com/modhost/modhost/keyspace"
)

// The DEBUG subcommands Redis's test suites use beyond the basic ones of
// cmd_debug.go, and the refusals of those modhost cannot honour.

// debugUnsupported maps the DEBUG subcommands of Redis 7.2 that modhost
// does not implement to the reason given to the client: each is refused
// with a clear error rather than accepted and ignored.
var debugUnsupported = map[string]string{
	"segfault":                   "it would crash the server on purpose",
	"panic":                      "it would crash the server on purpose",
	"assert":                     "it would crash the server on purpose",
	"oom":                        "it would crash the server on purpose",
	"restart":                    "modhost cannot re-exec itself",
	"crash-and-recover":          "modhost cannot re-exec itself",
	"leak":                       "modhost strings are garbage collected",
	"replicate":                  "modhost has no replicas",
	"drop-cluster-packet-filter": "modhost has no cluster bus",
	"clusterlink":                "modhost has no cluster bus",
	"sdslen":                     "modhost values are not sds strings",
	"listpack":                   "modhost has no listpack dump",
	"quicklist":                  "modhost has no quicklist dump",
	"quicklist-packed-threshold": "modhost lists have no plain nodes",
	"structsize":                 "modhost has no C structures to size",
	"htstats":                    "modhost does not use Redis's dict",
	"htstats-key":                "modhost does not use Redis's dict",
	"set-disable-deny-scripts":   "modhost has no scripting",
	"config-rewrite-force-all":   "CONFIG REWRITE writes only changed settings",
	"client-eviction":            "modhost has no client eviction",
	"mallctl":                    "modhost does not use jemalloc",
	"mallctl-str":                "modhost does not use jemalloc",
	"replybuffer":                "modhost does not resize reply buffers",
}

// registerDebugMore adds the DEBUG subcommands of this file.
func (s *Server) registerDebugMore() {
	s.debug["set-skip-checksum-validation"] = debugSkipChecksum
	s.debug["pause-cron"] = debugPauseCron
	s.debug["protocol"] = debugProtocol
	s.debug["error"] = debugError
	s.debug["stringmatch-test"] = debugStringMatchTest
}

// newReplID is a random 40-hex-digit replication id.
func newReplID() string {
	var id [20]byte
	_, _ = crand.Read(id[:])
	return hex.EncodeToString(id[:])
}

// debugChangeReplID is DEBUG CHANGE-REPL-ID: a new master_replid (with no
// replicas there is no replid2 to keep).
func debugChangeReplID(c *Client, a [][]byte) {
	if len(a) != 2 {
		debugWrongArgs(c, string(a[1]))
		return
	}
	c.srv.repl.id = newReplID()
	c.OK()
}

// debugWrongArgs is Redis's reply to a known subcommand with the wrong
// number of arguments.
func debugWrongArgs(c *Client, sub string) {
	c.Error("ERR unknown subcommand or wrong number of arguments for '" + sub + "'. Try DEBUG HELP.")
}

// debugRefuse answers a subcommand of debugUnsupported.
func debugRefuse(c *Client, sub, why string) {
	c.Error("ERR DEBUG " + strings.ToUpper(sub) + " is not supported by modhost: " + why)
}

// SkipChecksumValidation reports DEBUG SET-SKIP-CHECKSUM-VALIDATION: RESTORE
// and RDB loading then accept payloads without comparing their CRC64.
func (s *Server) SkipChecksumValidation() bool { return s.skipChecksum }

func debugSkipChecksum(c *Client, a [][]byte) {
	if len(a) != 3 {
		debugWrongArgs(c, string(a[1]))
		return
	}
	c.srv.skipChecksum = atoi(a[2]) != 0
	c.OK()
}

func debugPauseCron(c *Client, a [][]byte) {
	if len(a) != 3 {
		debugWrongArgs(c, string(a[1]))
		return
	}
	c.srv.cronPaused = atoi(a[2]) != 0
	c.OK()
}

// atoi is C's atoi: leading digits, 0 when there are none.
func atoi(b []byte) int64 {
	s := strings.TrimLeft(string(b), " \t\n\v\f\r")
	end := 0
	if end < len(s) && (s[end] == '-' || s[end] == '+') {
		end++
	}
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, _ := strconv.ParseInt(s[:end], 10, 64)
	return n
}

// debugProtocol is DEBUG PROTOCOL <type>: one reply of each RESP type.
func debugProtocol(c *Client, a [][]byte) {
	if len(a) != 3 {
		debugWrongArgs(c, string(a[1]))
		return
	}
	w := &c.W
	switch strings.ToLower(string(a[2])) {
	case "string":
		w.BulkString("Hello World")
	case "integer":
		w.Int(12345)
	case "double":
		w.Double(3.141)
	case "bignum":
		w.BigNumber("1234567999999999999999999999999999999")
	case "null":
		w.NullBulk()
	case "array", "set":
		if strings.EqualFold(string(a[2]), "set") {
			w.SetLen(3)
		} else {
			w.ArrayLen(3)
		}
		for j := int64(0); j < 3; j++ {
			w.Int(j)
		}
	case "map":
		w.MapLen(3)
		for j := int64(0); j < 3; j++ {
			w.Int(j)
			w.Bool(j == 1)
		}
	case "attrib":
		if w.Proto >= 3 {
			w.AttributeLen(1)
			w.BulkString("key-popularity")
			w.ArrayLen(2)
			w.BulkString("key:123")
			w.Int(90)
		}
		w.BulkString("Some real reply following the attribute")
	case "push":
		if w.Proto < 3 {
			c.Error("ERR RESP2 is not supported by this command")
			return
		}
		w.PushLen(2)
		w.BulkString("server-cpu-usage")
		w.Int(42)
		w.BulkString("Some real reply following the push reply")
	case "true":
		w.Bool(true)
	case "false":
		w.Bool(false)
	case "verbatim":
		w.Verbatim("txt", []byte("This is a verbatim\nstring"))
	default:
		c.Error("ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false")
	}
}

// debugError is DEBUG ERROR <text>: "-<text>" verbatim as the reply (new
// lines become spaces), not counted as an error reply, as in Redis.
func debugError(c *Client, a [][]byte) {
	if len(a) != 3 {
		debugWrongArgs(c, string(a[1]))
		return
	}
	c.W.Error(strings.NewReplacer("\r", " ", "\n", " ").Replace(string(a[2])))
}

// debugStringMatchTest is DEBUG STRINGMATCH-TEST:
// a fuzz run of the glob matcher over random patterns and strings, which
// passes when nothing crashes or hangs.
func debugStringMatchTest(c *Client, a [][]byte) {
	if len(a) != 2 {
		debugWrongArgs(c, string(a[1]))
		return
	}
	rng := rand.New(rand.NewSource(int64(c.ID)))
	pat, str := make([]byte, 0, 32), make([]byte, 0, 32)
	for i := 0; i < 1000000; i++ {
		pat, str = pat[:0], str[:0]
		for n := rng.Intn(32); n > 0; n-- {
			pat = append(pat, byte(rng.Intn(128)))
		}
		for n := rng.Intn(32); n > 0; n-- {
			str = append(str, byte(rng.Intn(128)))
		}
		keyspace.GlobMatch(pat, str, false)
	}
	c.W.SimpleString("Apparently Redis did not crash: test passed")
}
