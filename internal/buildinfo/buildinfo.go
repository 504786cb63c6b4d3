// Package buildinfo holds the versions modhost reports: the Redis version
// it implements (the one constant every report derives from: INFO, HELLO,
// --version, the start-up log and RedisModule_GetServerVersion), its own
// version, and the git revision it was built from.
package buildinfo

import (
	"fmt"
	"hash/fnv"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
)

// RedisVersion is the Redis version modhost implements. Change it here
// and every report follows.
const RedisVersion = "7.4.0"

// ModhostVersion is modhost's own version (INFO modhost_version).
const ModhostVersion = "0.1.0"

// Set at link time by the Makefile:
//
//	-X github.com/modhost/modhost/internal/buildinfo.gitSHA1=<8 hex digits>
//	-X github.com/modhost/modhost/internal/buildinfo.gitDirty=<0|1>
var gitSHA1, gitDirty string

// noSHA is what Redis reports when built outside git.
const noSHA = "00000000"

var vcs struct {
	once  sync.Once
	sha   string
	dirty bool
}

// loadVCS settles the revision: the linker-set values first, then the
// revision the go tool stamped into the binary, else noSHA.
func loadVCS() {
	vcs.once.Do(func() {
		vcs.sha, vcs.dirty = noSHA, false
		if gitSHA1 != "" {
			vcs.sha = shortSHA(gitSHA1)
			n, _ := strconv.Atoi(strings.TrimSpace(gitDirty))
			vcs.dirty = n > 0
			return
		}
		bi, ok := debug.ReadBuildInfo()
		if !ok {
			return
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				vcs.sha = shortSHA(s.Value)
			case "vcs.modified":
				vcs.dirty = s.Value == "true"
			}
		}
	})
}

// shortSHA keeps the first 8 hex digits of a revision, as Redis's
// mkreleasehdr.sh does; anything that is not hex is noSHA.
func shortSHA(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) > 8 {
		s = s[:8]
	}
	if len(s) != 8 || strings.Trim(s, "0123456789abcdef") != "" {
		return noSHA
	}
	return s
}

// GitSHA1 is the 8-digit git revision modhost was built from, or
// "00000000" (INFO redis_git_sha1).
func GitSHA1() string { loadVCS(); return vcs.sha }

// GitDirty is "1" when the work tree had uncommitted changes at build
// time, else "0" (INFO redis_git_dirty).
func GitDirty() string {
	loadVCS()
	if vcs.dirty {
		return "1"
	}
	return "0"
}

// BuildID is a stable hash of the versions and the revision, printed in
// hex like Redis's redis_build_id: the same build always has the same id.
func BuildID() string {
	h := fnv.New64a()
	for _, part := range []string{RedisVersion, ModhostVersion, GitSHA1(), GitDirty()} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return strconv.FormatUint(h.Sum64(), 16)
}

// VersionNum encodes a "major.minor.patch" version as 0x00MMmmpp, the
// form of RedisModule_GetServerVersion; parts past 255 or missing are an
// error.
func VersionNum(v string) (int, error) {
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return 0, fmt.Errorf("buildinfo: version %q is not major.minor.patch", v)
	}
	n := 0
	for _, p := range parts {
		d, err := strconv.Atoi(p)
		if err != nil || d < 0 || d > 255 {
			return 0, fmt.Errorf("buildinfo: bad version part %q in %q", p, v)
		}
		n = n<<8 | d
	}
	return n, nil
}

// RedisVersionNum is RedisVersion as 0x00MMmmpp.
func RedisVersionNum() int {
	n, err := VersionNum(RedisVersion)
	if err != nil {
		panic(err) // RedisVersion is a constant: a typo must not ship
	}
	return n
}

// VersionLine is what `modhost --version` prints, in redis-server's
// format so tools that parse it (RLTest reads between "v=" and " sha=")
// work unchanged.
func VersionLine() string {
	return fmt.Sprintf("Redis server v=%s sha=%s:%s malloc=libc bits=64 build=%s modhost=%s",
		RedisVersion, GitSHA1(), GitDirty(), BuildID(), ModhostVersion)
}
