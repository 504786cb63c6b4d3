package server

// ModuleRdbLoadLocked runs load (which empties the dataset and loads a
// file) the way Redis 7.2's RM_RdbLoad surrounds rdbLoad: refused on a
// replica (onReplica true, load not run: Redis answers errno ENOTSUP); otherwise every replica is disconnected and the backlog freed
// with a new replication ID (the history no longer leads to this dataset,
// so replicas come back with a full sync), the AOF is turned off (which
// kills a rewrite in flight), a BGSAVE in flight is killed since it saves
// outdated data, and after the load the AOF is turned back on (a rewrite
// then writes the loaded dataset as its new base).
func (s *Server) ModuleRdbLoadLocked(load func() error) (onReplica bool, err error) {
	if s.actingAsReplica() {
		return true, nil
	}
	for _, l := range append([]*replicaLink(nil), s.repl.master.replicas...) {
		l.c.Kill()
		s.detachReplicaLocked(l)
	}
	if r := &s.repl; r.backlog != nil {
		r.backlog = nil
		r.id, r.id2, r.secondOffset = newReplID(), replNullID, -1
	}
	p, _ := s.Persist.(*RDB)
	var aof *AOF
	if p != nil {
		if a := p.AOF(); a != nil && a.state != aofOff {
			aof = a
			aof.stop()
		}
		p.killBackgroundLocked()
	}
	err = load()
	if aof != nil {
		if serr := aof.start(); serr != nil {
			s.Log.Warningf("RdbLoad: unable to turn the AOF back on: %v", serr)
		}
	}
	return false, err
}
