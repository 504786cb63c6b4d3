package keyspace

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// groupTestStream returns a stream with entries 1-0 .. n-0.
func groupTestStream(t *testing.T, n int) *Stream {
	t.Helper()
	s := NewStream()
	for i := 1; i <= n; i++ {
		_, err := s.Add(XAddID{ID: StreamID{Ms: uint64(i)}}, 0, [][]byte{[]byte("f"), []byte("v")})
		require.NoError(t, err)
	}
	return s
}

func TestStreamEntriesReadOfAndLag(t *testing.T) {
	s := groupTestStream(t, 5)
	require.Equal(t, int64(5), s.EntriesReadOf(StreamID{Ms: 5}))
	require.Equal(t, int64(1), s.EntriesReadOf(StreamID{Ms: 1}))
	require.Equal(t, int64(0), s.EntriesReadOf(StreamID{}))
	require.Equal(t, int64(InvalidEntriesRead), s.EntriesReadOf(StreamID{Ms: 3}))
	require.Equal(t, int64(InvalidEntriesRead), s.EntriesReadOf(StreamID{Ms: 9}))

	g := s.CreateGroup([]byte("g"), StreamID{}, 0)
	require.Nil(t, s.CreateGroup([]byte("g"), StreamID{}, 0))
	lag, ok := s.GroupLag(g)
	require.True(t, ok)
	require.Equal(t, int64(5), lag)
	s.AdvanceGroup(g, StreamID{Ms: 1})
	s.AdvanceGroup(g, StreamID{Ms: 2})
	require.Equal(t, int64(2), g.EntriesRead)
	// A deletion ahead of the group makes the counter unknown.
	require.True(t, s.Delete(StreamID{Ms: 4}))
	s.AdvanceGroup(g, StreamID{Ms: 3})
	require.Equal(t, int64(InvalidEntriesRead), g.EntriesRead)
	_, ok = s.GroupLag(g)
	require.False(t, ok)
	s.AdvanceGroup(g, StreamID{Ms: 5})
	require.Equal(t, int64(5), g.EntriesRead)
	lag, ok = s.GroupLag(g)
	require.True(t, ok)
	require.Zero(t, lag)
}

func TestConsumerGroupPELAndClone(t *testing.T) {
	s := groupTestStream(t, 3)
	g := s.CreateGroup([]byte("g"), StreamID{}, 0)
	a := g.CreateConsumer([]byte("a"), 100)
	b := g.CreateConsumer([]byte("b"), 100)
	require.Nil(t, g.CreateConsumer([]byte("a"), 100))
	g.Deliver(StreamID{Ms: 1}, a, 100)
	g.Deliver(StreamID{Ms: 2}, a, 100)
	g.Deliver(StreamID{Ms: 1}, b, 200) // moves to b, count reset
	require.Equal(t, 1, a.PEL.Len())
	require.Equal(t, 1, b.PEL.Len())
	n, ok := g.PEL.Get(StreamID{Ms: 1})
	require.True(t, ok)
	require.Same(t, b, n.Consumer)
	require.Equal(t, uint64(1), n.DeliveryCount)

	c := s.Clone().(*Stream)
	cg := c.Group([]byte("g"))
	require.Equal(t, 2, cg.PEL.Len())
	require.True(t, cg.Ack(StreamID{Ms: 1}))
	require.Equal(t, 0, cg.Consumer([]byte("b")).PEL.Len())
	require.Equal(t, 1, b.PEL.Len(), "the original is untouched")
	cn, _ := cg.PEL.Get(StreamID{Ms: 2})
	require.Same(t, cg.Consumer([]byte("a")), cn.Consumer)

	require.Equal(t, 1, g.DeleteConsumer([]byte("a")))
	require.Equal(t, -1, g.DeleteConsumer([]byte("a")))
	require.Equal(t, 1, g.PEL.Len())
	require.Equal(t, []*StreamConsumer{b}, g.Consumers())
	require.True(t, s.DestroyGroup([]byte("g")))
	require.False(t, s.DestroyGroup([]byte("g")))
	require.Equal(t, 1, c.NumGroups())
}
