package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/internal/hosttest"
)

// tlsFiles are the PEM files of a throw-away PKI made for one test: a CA,
// a certificate for 127.0.0.1 signed by it (server and client use), and a
// certificate signed by an unrelated CA.
type tlsFiles struct {
	ca, cert, key, rogueCert, rogueKey string
}

// writeTLSFiles makes the PKI in a temporary directory.
func writeTLSFiles(t *testing.T) tlsFiles {
	t.Helper()
	dir := t.TempDir()
	caCert, caKey := makeCert(t, nil, nil, true)
	cert, key := makeCert(t, caCert, caKey, false)
	rogueCA, rogueCAKey := makeCert(t, nil, nil, true)
	rogue, rogueKey := makeCert(t, rogueCA, rogueCAKey, false)
	f := tlsFiles{
		ca: filepath.Join(dir, "ca.crt"), cert: filepath.Join(dir, "redis.crt"), key: filepath.Join(dir, "redis.key"),
		rogueCert: filepath.Join(dir, "rogue.crt"), rogueKey: filepath.Join(dir, "rogue.key"),
	}
	writePEM(t, f.ca, "CERTIFICATE", caCert.Raw)
	writePEM(t, f.cert, "CERTIFICATE", cert.Raw)
	writeKey(t, f.key, key)
	writePEM(t, f.rogueCert, "CERTIFICATE", rogue.Raw)
	writeKey(t, f.rogueKey, rogueKey)
	return f
}

// makeCert makes a CA (parent nil) or a leaf for 127.0.0.1 signed by
// parent, good for both TLS server and client authentication.
func makeCert(t *testing.T, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, isCA bool) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "modhost test " + strconv.FormatBool(isCA)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	if isCA {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
		parent, parentKey = tmpl, key
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return cert, key
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600))
}

func writeKey(t *testing.T, path string, key *ecdsa.PrivateKey) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	writePEM(t, path, "PRIVATE KEY", der)
}

// serverArgs are the TLS directives of a server on tlsPort.
func (f tlsFiles) serverArgs(tlsPort int) []string {
	return []string{"--tls-port", strconv.Itoa(tlsPort), "--tls-cert-file", f.cert,
		"--tls-key-file", f.key, "--tls-ca-cert-file", f.ca}
}

// cli runs redis-cli over TLS to port with extra options, returning its
// output and whether it exited 0.
func (f tlsFiles) cli(t *testing.T, port int, opts []string, args ...string) (string, bool) {
	t.Helper()
	full := append([]string{"--tls", "--cacert", f.ca, "-p", strconv.Itoa(port)}, opts...)
	out, err := exec.Command("redis-cli", append(full, args...)...).CombinedOutput()
	return strings.TrimSpace(string(out)), err == nil
}

func freePort(t *testing.T) int {
	t.Helper()
	p, err := hosttest.FreePort()
	require.NoError(t, err)
	return p
}

// TestTLSClients: redis-cli --tls talks to modhost's tls-port with a client
// certificate; with tls-auth-clients yes a client without one, or with one
// from another CA, is refused; CONFIG SET tls-auth-clients no and optional
// take effect for the next connections; redis-server 7.0.15 with the same
// files answers the same.
func TestTLSClients(t *testing.T) {
	f := writeTLSFiles(t)
	withCert := []string{"--cert", f.cert, "--key", f.key}
	rogue := []string{"--cert", f.rogueCert, "--key", f.rogueKey}
	for _, side := range []struct {
		name  string
		start func(*testing.T, ...string) *hosttest.Server
	}{{"redis", func(t *testing.T, a ...string) *hosttest.Server { return hosttest.StartRedis(t, a...) }},
		{"modhost", func(t *testing.T, a ...string) *hosttest.Server { return hosttest.StartModhost(t, a...) }}} {
		t.Run(side.name, func(t *testing.T) {
			tp := freePort(t)
			srv := side.start(t, append(append([]string(nil), hosttest.DiffArgs...), f.serverArgs(tp)...)...)
			out, ok := f.cli(t, tp, withCert, "SET", "k", "over tls")
			require.True(t, ok, out)
			require.Equal(t, "OK", out)
			out, _ = f.cli(t, tp, withCert, "GET", "k")
			require.Equal(t, "over tls", out)
			// The plain port serves the same data.
			require.Equal(t, "$8\r\nover tls\r\n", string(srv.Conn(t).Do("GET", "k")))

			out, _ = f.cli(t, tp, nil, "PING")
			require.NotEqual(t, "PONG", out, "no client certificate must be refused")
			out, _ = f.cli(t, tp, rogue, "PING")
			require.NotEqual(t, "PONG", out, "a certificate from another CA must be refused")

			c := srv.Conn(t)
			require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "tls-auth-clients", "no")))
			out, _ = f.cli(t, tp, nil, "PING")
			require.Equal(t, "PONG", out)
			require.Equal(t, "+OK\r\n", string(c.Do("CONFIG", "SET", "tls-auth-clients", "optional")))
			out, _ = f.cli(t, tp, nil, "PING")
			require.Equal(t, "PONG", out)
			out, _ = f.cli(t, tp, withCert, "PING")
			require.Equal(t, "PONG", out)
			out, _ = f.cli(t, tp, rogue, "PING")
			require.NotEqual(t, "PONG", out, "optional still checks a certificate that is given")
		})
	}
}

// TestListenerRebinding: CONFIG SET port and tls-port move the listeners
// while the server runs (0 closes them), and a port that is taken is
// refused with Redis's reason, the old listener staying open: replies
// compared with redis-server 7.0.15.
func TestListenerRebinding(t *testing.T) {
	f := writeTLSFiles(t)
	busy, err := net.Listen("tcp4", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	busyPort := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)
	var replies [2][]string
	for i, start := range []func(*testing.T, ...string) *hosttest.Server{
		func(t *testing.T, a ...string) *hosttest.Server { return hosttest.StartRedis(t, a...) },
		func(t *testing.T, a ...string) *hosttest.Server { return hosttest.StartModhost(t, a...) },
	} {
		args := append(append([]string(nil), hosttest.DiffArgs...), "--bind", "127.0.0.1",
			"--tls-cert-file", f.cert, "--tls-key-file", f.key, "--tls-ca-cert-file", f.ca, "--tls-auth-clients", "no")
		srv := start(t, args...)
		c := srv.Conn(t)
		record := func(b []byte) { replies[i] = append(replies[i], string(b)) }
		record(c.Do("CONFIG", "SET", "port", busyPort))
		require.Equal(t, "$4\r\npong\r\n", string(c.Do("PING", "pong")), "the old listener stays")

		newPort := freePort(t)
		record(c.Do("CONFIG", "SET", "port", strconv.Itoa(newPort)))
		require.Equal(t, "*2\r\n$4\r\nport\r\n$5\r\n"+strconv.Itoa(newPort)+"\r\n", string(c.Do("CONFIG", "GET", "port")))
		nc := hosttest.Dial(t, "127.0.0.1:"+strconv.Itoa(newPort))
		require.Equal(t, "+PONG\r\n", string(nc.Do("PING")), "the new port answers")
		_, err = net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(srv.Port), time.Second)
		require.Error(t, err, "the old port is closed")

		tp := freePort(t)
		record(c.Do("CONFIG", "SET", "tls-port", strconv.Itoa(tp)))
		out, _ := f.cli(t, tp, nil, "PING")
		require.Equal(t, "PONG", out)
		record(c.Do("CONFIG", "SET", "tls-port", busyPort))
		out, _ = f.cli(t, tp, nil, "PING")
		require.Equal(t, "PONG", out, "a refused tls-port keeps the TLS listener")
		record(c.Do("CONFIG", "SET", "tls-protocols", "TLSv1.4"))
		record(c.Do("CONFIG", "SET", "tls-cert-file", f.ca+".missing"))
		record(c.Do("CONFIG", "GET", "tls-protocols"))
		record(c.Do("CONFIG", "SET", "tls-port", "0"))
		out, _ = f.cli(t, tp, nil, "PING")
		require.NotEqual(t, "PONG", out, "tls-port 0 closes the TLS listener")
	}
	require.Equal(t, replies[0], replies[1])
}

// TestTLSStartupErrors: TLS without a certificate stops the server at
// start-up with Redis's log line.
func TestTLSStartupErrors(t *testing.T) {
	bin := hosttest.ModhostBin(t)
	out, err := exec.Command(bin, "--port", "0", "--save", "", "--tls-port", strconv.Itoa(freePort(t))).CombinedOutput()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, "output: %s", out)
	require.Contains(t, string(out), "No tls-cert-file configured!")
	require.Contains(t, string(out), "Failed to configure TLS. Check logs for more info.")
}

// TestTLSReplication: with tls-replication yes a redis-server 7.0.15
// replica syncs from modhost's tls-port, and a modhost replica syncs from
// redis-server's, each ending with its master's DEBUG DIGEST and
// announcing its own TLS port.
func TestTLSReplication(t *testing.T) {
	f := writeTLSFiles(t)
	workload := [][]string{{"SET", "a", "1"}, {"RPUSH", "l", "x", "y"}, {"HSET", "h", "f", "v"}, {"INCR", "n"}}
	starters := map[string]func(*testing.T, ...string) *hosttest.Server{
		"redis":   func(t *testing.T, a ...string) *hosttest.Server { return hosttest.StartRedis(t, a...) },
		"modhost": func(t *testing.T, a ...string) *hosttest.Server { return hosttest.StartModhost(t, a...) },
	}
	for _, pair := range [][2]string{{"modhost", "redis"}, {"redis", "modhost"}} {
		t.Run(pair[0]+"_master", func(t *testing.T) {
			mtp := freePort(t)
			margs := append(append(append([]string(nil), hosttest.DiffArgs...), f.serverArgs(mtp)...),
				"--tls-replication", "yes", "--repl-diskless-sync-delay", "0")
			master := starters[pair[0]](t, margs...)
			mc := master.Conn(t)
			runWorkload(t, mc, workload)
			rtp := freePort(t)
			rargs := append(append(append([]string(nil), hosttest.DiffArgs...), f.serverArgs(rtp)...),
				"--tls-replication", "yes", "--replicaof", "127.0.0.1", strconv.Itoa(mtp))
			replica := starters[pair[1]](t, rargs...)
			rc := replica.Conn(t)
			runWorkload(t, mc, [][]string{{"SET", "after", "sync"}, {"DEL", "a"}})
			waitInSync(t, mc, rc)
			require.Equal(t, "$4\r\nsync\r\n", string(rc.Do("GET", "after")))
			// A TLS replica announces its TLS port.
			require.Contains(t, replInfo(t, mc, "replication", "slave0"), "port="+strconv.Itoa(rtp)+",")
		})
	}
}
