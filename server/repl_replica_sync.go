package server

// The replica's link to its master: connect, the handshake (PING, AUTH,
// REPLCONF listening-port / ip-address / capa, PSYNC), then either a full
// resync (+FULLRESYNC and an RDB payload, length-prefixed or diskless
// with an EOF mark, loaded after flushing the dataset) or a partial one
// (+CONTINUE), and the stream (repl_replica_stream.go). One goroutine per
// REPLICAOF generation; it reconnects every second after a failure.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/modhost/modhost/host"
	"github.com/modhost/modhost/keyspace/rdb"
)

// errStaleLink ends a link goroutine whose REPLICAOF was replaced.
var errStaleLink = errors.New("replication link replaced")

// rdbEOFMarkLen is the length of the diskless payload's end mark.
const rdbEOFMarkLen = 40

// linkCurrent reports whether gen is still r's generation and r the
// server's master (under the lock).
func (s *Server) linkCurrent(r *replicaState, gen int64) bool {
	return s.repl.replica == r && r.gen == gen
}

// replicaLink is the goroutine of one REPLICAOF generation.
func (s *Server) replicaLink(r *replicaState, gen int64) {
	for {
		err := s.replicaSession(r, gen)
		s.mu.Lock()
		if !s.linkCurrent(r, gen) {
			s.mu.Unlock()
			return
		}
		if err != nil && !errors.Is(err, errStaleLink) {
			s.Log.Warningf("%v", err)
		}
		s.linkLostLocked(r)
		s.mu.Unlock()
		select {
		case <-time.After(time.Second):
		case <-s.shutdown:
			return
		}
	}
}

// linkLostLocked returns r to the connect state after a session ended.
func (s *Server) linkLostLocked(r *replicaState) {
	if c := r.client; c != nil {
		s.masterClientKilledLocked(c)
	}
	s.masterLinkDownLocked(r)
	if r.conn != nil {
		_ = r.conn.Close()
		r.conn = nil
	}
	r.state = linkConnect
}

// handshake is the connection while the link is set up.
type handshake struct {
	conn    net.Conn
	br      *bufio.Reader
	timeout time.Duration
}

// send writes one command.
func (h *handshake) send(args ...string) error {
	var buf []byte
	bs := make([][]byte, len(args))
	for i, a := range args {
		bs[i] = []byte(a)
	}
	buf = appendCommand(buf, bs)
	_ = h.conn.SetWriteDeadline(time.Now().Add(h.timeout))
	_, err := h.conn.Write(buf)
	return err
}

// line reads one reply line without its CRLF; with skipEmpty, the empty
// lines a master sends as keepalives are skipped.
func (h *handshake) line(skipEmpty bool) (string, error) {
	for {
		_ = h.conn.SetReadDeadline(time.Now().Add(h.timeout))
		l, err := h.br.ReadString('\n')
		if err != nil {
			return "", err
		}
		l = strings.TrimRight(l, "\r\n")
		if l == "" && skipEmpty {
			continue
		}
		return l, nil
	}
}

// call sends a command and reads its one-line reply.
func (h *handshake) call(args ...string) (string, error) {
	if err := h.send(args...); err != nil {
		return "", err
	}
	return h.line(false)
}

// linkParams are what the handshake needs, read under the lock.
type linkParams struct {
	addr, user, pass, announceIP string
	port                         int64
	cached                       bool
	id                           string
	offset                       int64
	timeout                      time.Duration
	// failover is "FAILOVER" when a failover in progress set the link
	// up: the PSYNC carries it.
	failover string
}

// replicaSession runs one connection to the master, from connect to the
// end of the stream.
func (s *Server) replicaSession(r *replicaState, gen int64) error {
	s.mu.Lock()
	if !s.linkCurrent(r, gen) {
		s.mu.Unlock()
		return errStaleLink
	}
	r.state = linkConnecting
	cfg := s.Config
	p := linkParams{
		addr: net.JoinHostPort(r.host, strconv.Itoa(r.port)),
		user: cfg.String("masteruser"), pass: cfg.String("masterauth"),
		announceIP: cfg.String("replica-announce-ip"),
		port:       cfg.Int("replica-announce-port"),
		cached:     r.cached, id: s.repl.id, offset: s.repl.offset,
		failover: s.failoverPsyncArg(),
		timeout:  time.Duration(cfg.Int("repl-timeout")) * time.Second,
	}
	useTLS := cfg.Bool("tls-replication")
	if p.port == 0 {
		// A TLS replica announces its TLS port, as Redis does.
		p.port = cfg.Int("port")
		if tp := cfg.Int("tls-port"); useTLS && tp != 0 {
			p.port = tp
		}
	}
	s.mu.Unlock()

	conn, err := s.dialMaster(p.addr, p.timeout, useTLS)
	if err != nil {
		return linkErr("Error condition on socket for SYNC: %v", err)
	}
	s.mu.Lock()
	if !s.linkCurrent(r, gen) {
		s.mu.Unlock()
		_ = conn.Close()
		return errStaleLink
	}
	r.conn = conn
	r.state = linkHandshake
	s.Log.Noticef("MASTER <-> REPLICA sync started")
	s.mu.Unlock()

	h := &handshake{conn: conn, br: bufio.NewReaderSize(conn, readChunk), timeout: p.timeout}
	reply, err := h.call("PING")
	if err != nil {
		return linkErr("Error reply to PING from master: %v", err)
	}
	if strings.HasPrefix(reply, "-") && !strings.HasPrefix(reply, "-NOAUTH") &&
		!strings.HasPrefix(reply, "-NOPERM") && !strings.HasPrefix(reply, "-ERR operation not permitted") {
		return linkErr("Error reply to PING from master: '%s'", reply[1:])
	}
	s.Log.Noticef("Master replied to PING, replication can continue...")
	if p.pass != "" {
		args := []string{"AUTH", p.pass}
		if p.user != "" {
			args = []string{"AUTH", p.user, p.pass}
		}
		if reply, err = h.call(args...); err != nil || strings.HasPrefix(reply, "-") {
			return linkErr("Unable to AUTH to MASTER: %s%v", strings.TrimPrefix(reply, "-"), orNil(err))
		}
	}
	if reply, err = h.call("REPLCONF", "listening-port", strconv.FormatInt(p.port, 10)); err != nil {
		return err
	} else if strings.HasPrefix(reply, "-") {
		s.Log.Noticef("(Non critical) Master does not understand REPLCONF listening-port: %s", reply[1:])
	}
	if p.announceIP != "" {
		if reply, err = h.call("REPLCONF", "ip-address", p.announceIP); err != nil {
			return err
		} else if strings.HasPrefix(reply, "-") {
			s.Log.Noticef("(Non critical) Master does not understand REPLCONF ip-address: %s", reply[1:])
		}
	}
	if reply, err = h.call("REPLCONF", "capa", "eof", "capa", "psync2"); err != nil {
		return err
	} else if strings.HasPrefix(reply, "-") {
		s.Log.Noticef("(Non critical) Master does not understand REPLCONF capa: %s", reply[1:])
	}
	psyncID, psyncOff := "?", "-1"
	if p.cached {
		psyncID, psyncOff = p.id, strconv.FormatInt(p.offset+1, 10)
		s.Log.Noticef("Trying a partial resynchronization (request %s:%s).", psyncID, psyncOff)
	} else {
		s.Log.Noticef("Partial resynchronization not possible (no cached master)")
	}
	psync := []string{"PSYNC", psyncID, psyncOff}
	if p.failover != "" {
		psync = append(psync, p.failover)
	}
	if err = h.send(psync...); err != nil {
		s.mu.Lock()
		if s.linkCurrent(r, gen) {
			s.abortFailoverLocked("Write error to failover target")
		}
		s.mu.Unlock()
		return err
	}
	if reply, err = h.line(true); err != nil {
		return linkErr("Error reading PSYNC reply: %v", err)
	}
	if p.failover != "" {
		s.mu.Lock()
		ok := !s.linkCurrent(r, gen) || s.failoverPsyncReplyLocked(reply)
		s.mu.Unlock()
		if !ok {
			return errStaleLink
		}
	}
	switch {
	case strings.HasPrefix(reply, "+FULLRESYNC"):
		f := strings.Fields(reply)
		if len(f) != 3 || len(f[1]) != len(replNullID) {
			return linkErr("Master replied with wrong +FULLRESYNC syntax.")
		}
		off, perr := strconv.ParseInt(f[2], 10, 64)
		if perr != nil {
			return linkErr("Master replied with wrong +FULLRESYNC syntax.")
		}
		s.Log.Noticef("Full resync from master: %s:%d", f[1], off)
		return s.fullSync(r, gen, h, f[1], off)
	case strings.HasPrefix(reply, "+CONTINUE"):
		return s.partialSync(r, gen, h, strings.TrimSpace(strings.TrimPrefix(reply, "+CONTINUE")))
	case strings.HasPrefix(reply, "-NOMASTERLINK"), strings.HasPrefix(reply, "-LOADING"):
		return linkErr("Master is currently unable to PSYNC but should be in the future: %s", reply)
	default:
		return linkErr("Unexpected reply to PSYNC from master: %s", reply)
	}
}

// linkError is a failure of the link, worded as Redis's log line.
type linkError string

func (e linkError) Error() string { return string(e) }

// linkErr formats a linkError.
func linkErr(format string, args ...any) error { return linkError(fmt.Sprintf(format, args...)) }

// orNil renders err for a log line ("" when nil).
func orNil(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// partialSync is +CONTINUE [replid]: a new id means the master changed
// history, so the old one becomes the secondary id (shifting the ids as
// Redis's replicationResurrectCachedMaster path does).
func (s *Server) partialSync(r *replicaState, gen int64, h *handshake, newID string) error {
	s.mu.Lock()
	if !s.linkCurrent(r, gen) {
		s.mu.Unlock()
		return errStaleLink
	}
	s.Log.Noticef("Successful partial resynchronization with master.")
	rs := &s.repl
	if newID != "" && newID != rs.id {
		rs.id2, rs.secondOffset = rs.id, rs.offset+1
		rs.id = newID
		s.Log.Noticef("Master replication ID changed to %s", newID)
		// Sub-replicas reconnect to learn the new id.
		s.disconnectReplicasLocked()
	}
	if rs.backlog == nil {
		rs.backlog = newReplBacklog(s.Config.Int("repl-backlog-size"), rs.offset+1)
	}
	r.readOff = rs.offset
	s.Log.Noticef("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.")
	c := s.attachMasterLocked(r, h.conn)
	s.mu.Unlock()
	return s.followStream(r, gen, c, h)
}

// fullSync receives the RDB payload of +FULLRESYNC, loads it and follows
// the stream from offset.
func (s *Server) fullSync(r *replicaState, gen int64, h *handshake, id string, offset int64) error {
	hdr, err := h.line(true)
	if err != nil {
		return linkErr("I/O error reading bulk count from MASTER: %v", err)
	}
	if strings.HasPrefix(hdr, "-") {
		return linkErr("MASTER aborted replication with an error: %s", hdr[1:])
	}
	if !strings.HasPrefix(hdr, "$") {
		return linkErr("Bad protocol from MASTER, the first byte is not '$' (we received '%s'), are you sure the host and port are right?", hdr)
	}
	var mark []byte
	size := int64(-1)
	if strings.HasPrefix(hdr, "$EOF:") && len(hdr) >= 5+rdbEOFMarkLen {
		mark = []byte(hdr[5 : 5+rdbEOFMarkLen])
	} else if size, err = strconv.ParseInt(hdr[1:], 10, 64); err != nil || size < 0 {
		return linkErr("Bad protocol from MASTER: bulk length '%s'", hdr)
	}
	s.mu.Lock()
	if !s.linkCurrent(r, gen) {
		s.mu.Unlock()
		return errStaleLink
	}
	r.state, r.transferSize, r.transferRead, r.transferLastIO = linkTransfer, size, 0, time.Now()
	if size < 0 {
		r.transferSize = 0
	}
	diskless := s.Config.String("repl-diskless-load") == "on-empty-db" && s.datasetEmpty()
	target := "disk"
	if diskless {
		target = "parser"
	}
	if mark != nil {
		s.Log.Noticef("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to %s", target)
	} else {
		s.Log.Noticef("MASTER <-> REPLICA sync: receiving %d bytes from master to %s", size, target)
	}
	s.mu.Unlock()
	data, err := s.readPayload(r, h, size, mark)
	if err != nil {
		return linkErr("I/O error trying to sync with MASTER: %v", err)
	}
	if !diskless {
		if err := s.storeSyncFile(data); err != nil {
			return err
		}
	}
	s.lockOutsideYield()
	if !s.linkCurrent(r, gen) {
		s.mu.Unlock()
		return errStaleLink
	}
	// A new history: sub-replicas must sync again (Redis's
	// replicationAttachToNewMaster).
	s.disconnectReplicasLocked()
	ri, err := s.loadSyncLocked(r, data)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	rs := &s.repl
	rs.id, rs.offset = id, offset
	rs.id2, rs.secondOffset = replNullID, -1
	rs.backlog = newReplBacklog(s.Config.Int("repl-backlog-size"), offset+1)
	r.readOff, r.db = offset, 0
	if ri != nil {
		// The database the master's stream has selected (its RDB's
		// repl-stream-db): a replica serving sub-replicas forwards the
		// stream without a SELECT of its own.
		r.db = ri.StreamDB
	}
	s.Log.Noticef("MASTER <-> REPLICA sync: Finished with success")
	c := s.attachMasterLocked(r, h.conn)
	s.mu.Unlock()
	return s.followStream(r, gen, c, h)
}

// datasetEmpty reports whether every database is empty.
func (s *Server) datasetEmpty() bool {
	for db := 0; db < s.Keys.NumDBs(); db++ {
		if s.Keys.Size(db) > 0 {
			return false
		}
	}
	return true
}

// readPayload reads the RDB: size bytes, or up to the EOF mark.
func (s *Server) readPayload(r *replicaState, h *handshake, size int64, mark []byte) ([]byte, error) {
	var data []byte
	if size >= 0 {
		data = make([]byte, 0, size)
	}
	chunk := make([]byte, readChunk)
	for {
		want := len(chunk)
		if size >= 0 {
			if int64(len(data)) == size {
				return data, nil
			}
			if left := size - int64(len(data)); left < int64(want) {
				want = int(left)
			}
		}
		_ = h.conn.SetReadDeadline(time.Now().Add(h.timeout))
		n, err := h.br.Read(chunk[:want])
		data = append(data, chunk[:n]...)
		if n > 0 {
			s.mu.Lock()
			r.transferRead, r.transferLastIO = int64(len(data)), time.Now()
			s.mu.Unlock()
		}
		if mark != nil && len(data) >= len(mark) && bytes.Equal(data[len(data)-len(mark):], mark) {
			return data[:len(data)-len(mark)], nil
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
}

// storeSyncFile is the disk-based load's file: the payload is written to
// a temporary file that then replaces dbfilename, as Redis does.
func (s *Server) storeSyncFile(data []byte) error {
	s.mu.Lock()
	dst := s.Config.String("dbfilename")
	s.mu.Unlock()
	tmp := fmt.Sprintf("temp-%d.%d.rdb", time.Now().Unix(), os.Getpid())
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return linkErr("Opening the temp file needed for MASTER <-> REPLICA synchronization: %v", err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		_ = os.Remove(tmp)
		return linkErr("Failed trying to rename the temp DB into %s in MASTER <-> REPLICA synchronization: %v", dst, err)
	}
	return nil
}

// loadSyncLocked flushes the dataset and loads the master's RDB with the
// Loading events of a replication load (REPL_START); it returns the
// replication info of the RDB's aux fields (nil: none).
func (s *Server) loadSyncLocked(r *replicaState, data []byte) (*rdb.ReplInfo, error) {
	p, _ := s.Persist.(*RDB)
	if p == nil {
		return nil, linkErr("modhost has no RDB persistence to load the MASTER synchronization DB")
	}
	p.killBackgroundLocked()
	s.repl.backlog = nil
	s.Log.Noticef("MASTER <-> REPLICA sync: Flushing old data")
	s.fireFlush(host.SubFlushStart, -1)
	s.touchWatchedDB(-1)
	s.Keys.FlushAll()
	s.flushFunctions()
	s.fireFlush(host.SubFlushEnd, -1)
	s.Log.Noticef("MASTER <-> REPLICA sync: Loading DB in memory")
	log := s.Log
	s.startLoadingLocked(int64(len(data)), host.SubLoadingReplStart)
	st, err := rdb.Load(data, s.Keys, rdb.LoadOptions{
		KeyDone:        s.loadKeyDone(0),
		Modules:        p.ModuleLoader,
		Functions:      s.functions,
		VerifyChecksum: s.Config.Bool("rdbchecksum"),
		Notice:         func(m string) { log.Noticef("%s", m) },
		Warning:        func(m string) { log.Warningf("%s", m) },
	})
	s.stopLoadingLocked(err)
	if err != nil {
		p.reportLoadError(err)
		s.Keys.FlushAll()
		s.flushFunctions()
		r.cached = false
		return nil, linkErr("Failed trying to load the MASTER synchronization DB from disk, check server logs.")
	}
	p.loaded, p.expired = st.Loaded, st.Expired
	log.Noticef("Done loading RDB, keys loaded: %d, keys expired: %d.", st.Loaded, st.Expired)
	return st.Repl, nil
}
