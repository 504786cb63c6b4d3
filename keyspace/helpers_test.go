package keyspace

import (
	"fmt"
)

// fakeClock is a settable Clock.
type fakeClock struct{ ms int64 }

func (c *fakeClock) NowMs() int64 { return c.ms }

// event is one recorded hook call.
type event struct {
	Hook  string
	Class NotifyClass
	Name  string
	Key   string
	DB    int
}

func (e event) String() string {
	return fmt.Sprintf("%s/%d/%s/%s/%d", e.Hook, e.Class, e.Name, e.Key, e.DB)
}

// recorder records hook calls in order; KeyRemoving calls go to their
// own list (removing), through onRemoving when set.
type recorder struct {
	events     []event
	removing   []string
	onRemoving func(db int, key []byte, why DropReason)
}

func (r *recorder) KeyModified(db int, key []byte) {
	r.events = append(r.events, event{Hook: "modified", Key: string(key), DB: db})
}

func (r *recorder) Notify(class NotifyClass, ev string, key []byte, db int) {
	r.events = append(r.events, event{Hook: "notify", Class: class, Name: ev, Key: string(key), DB: db})
}

func (r *recorder) KeyReady(db int, key []byte) {
	r.events = append(r.events, event{Hook: "ready", Key: string(key), DB: db})
}

func (r *recorder) KeyRemoving(db int, key []byte, why DropReason) {
	r.removing = append(r.removing, fmt.Sprintf("%d/%s/%d", db, key, why))
	if r.onRemoving != nil {
		r.onRemoving(db, key, why)
	}
}

func (r *recorder) take() []event {
	e := r.events
	r.events = nil
	return e
}

func newTestKS(dbs int) (*Keyspace, *fakeClock, *recorder) {
	c := &fakeClock{ms: 1_000_000}
	ks := New(dbs, c)
	r := &recorder{}
	ks.SetHooks(r)
	return ks, c, r
}

func b(s string) []byte { return []byte(s) }
