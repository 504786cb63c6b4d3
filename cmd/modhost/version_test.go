package main

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/buildinfo"
	"github.com/modhost/modhost/internal/hosttest"
)

// rltestVersion parses `--version` output as RLTest does: the text between
// "v=" and " sha=", split on dots, each part through int().
func rltestVersion(t *testing.T, out string) []int {
	t.Helper()
	parts := strings.SplitN(out, "v=", 2)
	require.Len(t, parts, 2, "no v= in %q", out)
	ver := strings.SplitN(parts[1], " sha=", 2)[0]
	var nums []int
	for _, p := range strings.Split(ver, ".") {
		n, err := strconv.Atoi(p)
		require.NoError(t, err, "part %q of %q", p, out)
		nums = append(nums, n)
	}
	return nums
}

// infoFields reads "name:value" lines of an INFO reply.
func infoFields(raw string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(raw, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "#") {
			m[k] = v
		}
	}
	return m
}

// TestVersionFlagParsesLikeRedisServer checks that --version and -v print
// redis-server's line (parsed the way RLTest and the Tcl suite parse it)
// and that INFO server, HELLO and the start-up log report the same build.
func TestVersionFlagParsesLikeRedisServer(t *testing.T) {
	bin := hosttest.ModhostBin(t)
	ref, err := exec.Command(hosttest.RedisBin(t), "--version").Output()
	require.NoError(t, err)
	require.Len(t, rltestVersion(t, string(ref)), 3, "the parser reads redis-server's own line")

	var line string
	for _, flag := range []string{"--version", "-v"} {
		out, err := exec.Command(bin, flag).Output()
		require.NoError(t, err, flag)
		require.True(t, strings.HasPrefix(string(out), "Redis server v="), "%s printed %q", flag, out)
		nums := rltestVersion(t, string(out))
		require.Equal(t, buildinfo.RedisVersion, strconv.Itoa(nums[0])+"."+strconv.Itoa(nums[1])+"."+strconv.Itoa(nums[2]))
		if line == "" {
			line = string(out)
		}
		require.Equal(t, line, string(out), "-v and --version print the same line")
	}
	fields := map[string]string{}
	for _, f := range strings.Fields(line) {
		if k, v, ok := strings.Cut(f, "="); ok {
			fields[k] = v
		}
	}
	sha, dirty, _ := strings.Cut(fields["sha"], ":")
	require.Len(t, sha, 8)
	require.Contains(t, []string{"0", "1"}, dirty)
	require.Equal(t, "libc", fields["malloc"])
	require.Equal(t, "64", fields["bits"])
	require.NotEmpty(t, fields["build"])
	require.Equal(t, buildinfo.ModhostVersion, fields["modhost"])

	srv := hosttest.StartModhost(t)
	c := srv.Conn(t)
	f, err := c.Command("INFO", "server")
	require.NoError(t, err)
	info := infoFields(string(f.Str))
	require.Equal(t, buildinfo.RedisVersion, info["redis_version"])
	require.Equal(t, sha, info["redis_git_sha1"])
	require.Equal(t, dirty, info["redis_git_dirty"])
	require.Equal(t, fields["build"], info["redis_build_id"])
	require.Equal(t, "standalone", info["redis_mode"])
	require.Equal(t, buildinfo.ModhostVersion, info["modhost_version"])

	hello, err := c.Command("HELLO", "3")
	require.NoError(t, err)
	require.Contains(t, string(hello.Raw), "$7\r\nversion\r\n$"+strconv.Itoa(len(buildinfo.RedisVersion))+"\r\n"+buildinfo.RedisVersion+"\r\n")

	require.Contains(t, srv.Logs(), "Redis version="+buildinfo.RedisVersion+", bits=64, commit="+sha+", modified="+dirty+", pid=")
}
