package commands

import (
	"slices"

	"github.com/modhost/modhost/keyspace"
)

// GEO family (Redis's geo.c). A GEO key is a sorted set whose scores are
// 52-bit geohashes (geohash.go); GEOADD is ZADD with encoded coordinates,
// and the search commands scan the nine geohash boxes covering the query
// shape, as Redis does, so results and their order match Redis's.

const (
	geoGroup       = "geo"
	msgGeoUnit     = "ERR unsupported unit provided. please use M, KM, FT, MI"
	msgGeoMember   = "ERR could not decode requested zset member"
	msgGeoRadius   = "ERR need numeric radius"
	msgGeoRadNeg   = "ERR radius cannot be negative"
	msgGeoWidth    = "ERR need numeric width"
	msgGeoHeight   = "ERR need numeric height"
	msgGeoBoxNeg   = "ERR height or width cannot be negative"
	msgGeoCount    = "ERR COUNT must be > 0"
	msgGeoAny      = "ERR the ANY argument requires COUNT argument"
	msgGeoStoreOpt = " is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
)

// geoCommands are the geo family (geo.c).
var geoCommands = []Entry{
	{Name: "geoadd", Arity: -5, Flags: "write denyoom", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RW update: i1 r0,1,0",
		ACL:      "write geo slow", Group: geoGroup, Since: "3.2.0",
		Handler: geoaddCmd},
	{Name: "geodist", Arity: -4, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read geo slow", Group: geoGroup, Since: "3.2.0",
		Handler: geodistCmd},
	{Name: "geohash", Arity: -2, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read geo slow", Group: geoGroup, Since: "3.2.0",
		Handler: geohashCmd},
	{Name: "geopos", Arity: -2, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read geo slow", Group: geoGroup, Since: "3.2.0",
		Handler: geoposCmd},
	{Name: "georadius", Arity: -6, Flags: "write denyoom movablekeys", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0 | OW update: kSTORE,6 r0,1,0 | OW update: kSTOREDIST,6 r0,1,0",
		ACL:      "write geo slow", Group: geoGroup, Since: "3.2.0",
		Handler: georadiusCmd},
	{Name: "georadius_ro", Arity: -6, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read geo slow", Group: geoGroup, Since: "3.2.10",
		Handler: georadiusROCmd},
	{Name: "georadiusbymember", Arity: -5, Flags: "write denyoom movablekeys", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0 | OW update: kSTORE,5 r0,1,0 | OW update: kSTOREDIST,5 r0,1,0",
		ACL:      "write geo slow", Group: geoGroup, Since: "3.2.0",
		Handler: georadiusbymemberCmd},
	{Name: "georadiusbymember_ro", Arity: -5, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read geo slow", Group: geoGroup, Since: "3.2.10",
		Handler: georadiusbymemberROCmd},
	{Name: "geosearch", Arity: -7, Flags: "readonly", FirstKey: 1, LastKey: 1, KeyStep: 1,
		KeySpecs: "RO access: i1 r0,1,0",
		ACL:      "read geo slow", Group: geoGroup, Since: "6.2.0",
		Handler: geosearchCmd},
	{Name: "geosearchstore", Arity: -8, Flags: "write denyoom", FirstKey: 1, LastKey: 2, KeyStep: 1,
		KeySpecs: "OW update: i1 r0,1,0 | RO access: i2 r0,1,0",
		ACL:      "write geo slow", Group: geoGroup, Since: "6.2.0",
		Handler: geosearchstoreCmd},
}

// lonLatArg parses a longitude and a latitude, replying on error.
func lonLatArg(c Client, a [][]byte) (lon, lat float64, ok bool) {
	if lon, ok = floatArg(c, a[0]); !ok {
		return 0, 0, false
	}
	if lat, ok = floatArg(c, a[1]); !ok {
		return 0, 0, false
	}
	if lon < geoLonMin || lon > geoLonMax || lat < geoLatMin || lat > geoLatMax {
		c.Error("ERR invalid longitude,latitude pair " + formatCoordC(lon) + "," + formatCoordC(lat))
		return 0, 0, false
	}
	return lon, lat, true
}

// unitArg returns the metres per unit of M, KM, FT or MI, replying on
// error.
func unitArg(c Client, u []byte) (float64, bool) {
	switch {
	case eqFold(u, "m"):
		return 1, true
	case eqFold(u, "km"):
		return 1000, true
	case eqFold(u, "ft"):
		return 0.3048, true
	case eqFold(u, "mi"):
		return 1609.34, true
	}
	c.Error(msgGeoUnit)
	return 0, false
}

// geoFloat parses a float or replies msg.
func geoFloat(c Client, b []byte, msg string) (float64, bool) {
	f, ok := keyspace.ParseFloat(b)
	if !ok {
		c.Error(msg)
	}
	return f, ok
}

// radiusArg parses "radius unit" into s (a circle).
func radiusArg(c Client, a [][]byte, s *geoShape) bool {
	r, ok := geoFloat(c, a[0], msgGeoRadius)
	if !ok {
		return false
	}
	if r < 0 {
		c.Error(msgGeoRadNeg)
		return false
	}
	s.radius = r
	s.conv, ok = unitArg(c, a[1])
	s.box = false
	return ok
}

// boxArg parses "width height unit" into s (a box).
func boxArg(c Client, a [][]byte, s *geoShape) bool {
	wd, ok := geoFloat(c, a[0], msgGeoWidth)
	if !ok {
		return false
	}
	ht, ok := geoFloat(c, a[1], msgGeoHeight)
	if !ok {
		return false
	}
	if ht < 0 || wd < 0 {
		c.Error(msgGeoBoxNeg)
		return false
	}
	s.width, s.height = wd, ht
	s.conv, ok = unitArg(c, a[2])
	s.box = true
	return ok
}

// memberPos sets s's centre to member's position, replying when the member
// is missing.
func memberPos(c Client, z *keyspace.ZSet, member []byte, s *geoShape) bool {
	score, ok := z.Score(member)
	if !ok {
		c.Error(msgGeoMember)
		return false
	}
	s.lon, s.lat = geoDecodeScore(score)
	return true
}

func geoaddCmd(c Client, args [][]byte) {
	flags, at := 0, 2
opts:
	for ; at < len(args); at++ {
		switch a := args[at]; {
		case eqFold(a, "nx"):
			flags |= zaddNX
		case eqFold(a, "xx"):
			flags |= zaddXX
		case eqFold(a, "ch"):
			flags |= zaddCH
		default:
			break opts
		}
	}
	rest := len(args) - at
	if rest%3 != 0 || rest == 0 || flags&zaddNX != 0 && flags&zaddXX != 0 {
		c.Error(msgSyntax)
		return
	}
	scores := make([]float64, rest/3)
	for i := range scores {
		lon, lat, ok := lonLatArg(c, args[at+3*i:])
		if !ok {
			return
		}
		scores[i] = geoScore(lon, lat)
	}
	key := args[1]
	z, ok := lookupZSet(c, key, true)
	if !ok {
		return
	}
	if z == nil && flags&zaddXX == 0 {
		z = ks(c).NewZSet()
		ks(c).Add(c.DBIndex(), key, z)
	}
	added, updated := 0, 0
	if z != nil {
		for i, sc := range scores {
			switch res, _ := zaddOne(z, args[at+3*i+2], sc, flags); res {
			case zaddAdded:
				added++
			case zaddUpdated:
				updated++
			}
		}
	}
	if flags&zaddCH != 0 {
		c.Writer().Int(int64(added + updated))
	} else {
		c.Writer().Int(int64(added))
	}
	zaddNotify(c, key, false, added, updated)
}

func geodistCmd(c Client, args [][]byte) {
	conv := 1.0
	if len(args) > 5 {
		c.Error(msgSyntax)
		return
	}
	if len(args) == 5 {
		var ok bool
		if conv, ok = unitArg(c, args[4]); !ok {
			return
		}
	}
	z, ok := lookupZSet(c, args[1], false)
	if !ok {
		return
	}
	if z == nil {
		c.Writer().NullBulk()
		return
	}
	s1, ok1 := z.Score(args[2])
	s2, ok2 := z.Score(args[3])
	if !ok1 || !ok2 {
		c.Writer().NullBulk()
		return
	}
	lon1, lat1 := geoDecodeScore(s1)
	lon2, lat2 := geoDecodeScore(s2)
	var tmp [32]byte
	c.Writer().Bulk(appendDistance(tmp[:0], geoDistance(lon1, lat1, lon2, lat2)/conv))
}

func geohashCmd(c Client, args [][]byte) {
	z, ok := lookupZSet(c, args[1], false)
	if !ok {
		return
	}
	c.Writer().ArrayLen(len(args) - 2)
	for _, m := range args[2:] {
		if z == nil {
			c.Writer().NullBulk()
			continue
		}
		if score, found := z.Score(m); found {
			c.Writer().BulkString(geoHashString(score))
		} else {
			c.Writer().NullBulk()
		}
	}
}

func geoposCmd(c Client, args [][]byte) {
	z, ok := lookupZSet(c, args[1], false)
	if !ok {
		return
	}
	c.Writer().ArrayLen(len(args) - 2)
	for _, m := range args[2:] {
		var score float64
		found := false
		if z != nil {
			score, found = z.Score(m)
		}
		if !found {
			c.Writer().NullArray()
			continue
		}
		lon, lat := geoDecodeScore(score)
		c.Writer().ArrayLen(2)
		c.Writer().Double(lon)
		c.Writer().Double(lat)
	}
}

// geoPoint is one search result.
type geoPoint struct {
	member              string
	lon, lat, dist, scr float64
}

// geoScan collects the members of z inside s from the covering boxes in
// Redis's order, stopping once limit points are found (0: no limit).
func geoScan(z *keyspace.ZSet, s *geoShape, limit int) []geoPoint {
	boxes := geoCover(s)
	var out []geoPoint
	full := func() bool { return limit > 0 && len(out) >= limit }
	last := 0
	for i, h := range boxes {
		if h.isZero() {
			continue
		}
		if last != 0 && h == boxes[last] {
			continue
		}
		if len(out) > 0 && full() {
			break
		}
		next := geoHash{bits: h.bits + 1, step: h.step}
		r := keyspace.ScoreRange{Min: float64(h.align52()), Max: float64(next.align52()), MaxEx: true}
		z.RangeByScore(r, false, 0, -1, func(m string, score float64) bool {
			lon, lat := geoDecodeScore(score)
			if d, in := s.within(lon, lat); in {
				out = append(out, geoPoint{member: m, lon: lon, lat: lat, dist: d, scr: score})
			}
			return !full()
		})
		last = i
	}
	return out
}

// Search command variants (Redis's RADIUS_* and GEOSEARCH* flags).
const (
	geoByCoords    = 1 << iota // GEORADIUS: centre and radius are positional
	geoByMember                // GEORADIUSBYMEMBER: member and radius are positional
	geoNoStore                 // _RO: no STORE/STOREDIST
	geoSearchCmd               // GEOSEARCH syntax
	geoSearchStore             // GEOSEARCHSTORE: destination at args[1]
)

// Sort orders of search results.
const (
	geoSortNone = iota
	geoSortAsc
	geoSortDesc
)

// geoQuery is a parsed search command.
type geoQuery struct {
	shape                         geoShape
	withDist, withHash, withCoord bool
	sort                          int
	any                           bool
	count                         int64
	storeKey                      []byte
	storeDist                     bool
	fromMember, fromLoc           bool
	byRadius, byBox               bool
}

func georadiusCmd(c Client, args [][]byte) { geoSearchGeneric(c, args, 1, geoByCoords) }

func georadiusROCmd(c Client, args [][]byte) {
	geoSearchGeneric(c, args, 1, geoByCoords|geoNoStore)
}

func georadiusbymemberCmd(c Client, args [][]byte) { geoSearchGeneric(c, args, 1, geoByMember) }

func georadiusbymemberROCmd(c Client, args [][]byte) {
	geoSearchGeneric(c, args, 1, geoByMember|geoNoStore)
}

func geosearchCmd(c Client, args [][]byte) { geoSearchGeneric(c, args, 1, geoSearchCmd) }

func geosearchstoreCmd(c Client, args [][]byte) {
	geoSearchGeneric(c, args, 2, geoSearchCmd|geoSearchStore)
}

// geoPositional parses the GEORADIUS* positional arguments (or notes
// GEOSEARCHSTORE's destination) and returns the index of the first option.
func geoPositional(c Client, args [][]byte, z *keyspace.ZSet, flags int, q *geoQuery) (int, bool) {
	switch {
	case flags&geoByCoords != 0:
		lon, lat, ok := lonLatArg(c, args[2:4])
		if !ok {
			return 0, false
		}
		q.shape.lon, q.shape.lat = lon, lat
		return 6, radiusArg(c, args[4:6], &q.shape)
	case flags&geoByMember != 0 && z == nil:
		return 5, true // parse the options anyway: the reply depends on STORE
	case flags&geoByMember != 0:
		if !memberPos(c, z, args[2], &q.shape) {
			return 0, false
		}
		return 5, radiusArg(c, args[3:5], &q.shape)
	case flags&geoSearchStore != 0:
		q.storeKey = args[1]
		return 3, true
	}
	return 2, true
}

// parseGeoOptions reads the options from args[base:] as Redis's
// georadiusGeneric, replying on error.
func parseGeoOptions(c Client, args [][]byte, base int, z *keyspace.ZSet, flags int, q *geoQuery) bool {
	search := flags&geoSearchCmd != 0
	canStore := flags&(geoNoStore|geoSearchCmd) == 0
	rest := args[base:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		left := len(rest) - i - 1 // arguments after a
		switch {
		case eqFold(a, "withdist"):
			q.withDist = true
		case eqFold(a, "withhash"):
			q.withHash = true
		case eqFold(a, "withcoord"):
			q.withCoord = true
		case eqFold(a, "any"):
			q.any = true
		case eqFold(a, "asc"):
			q.sort = geoSortAsc
		case eqFold(a, "desc"):
			q.sort = geoSortDesc
		case eqFold(a, "count") && left >= 1:
			n, ok := intArg(c, rest[i+1])
			if !ok {
				return false
			}
			if n <= 0 {
				c.Error(msgGeoCount)
				return false
			}
			q.count = n
			i++
		case (eqFold(a, "store") || eqFold(a, "storedist")) && left >= 1 && canStore:
			q.storeKey, q.storeDist = rest[i+1], len(a) == len("storedist")
			i++
		case eqFold(a, "storedist") && flags&geoSearchStore != 0:
			q.storeDist = true
		case eqFold(a, "frommember") && left >= 1 && search && !q.fromLoc:
			if z != nil && !memberPos(c, z, rest[i+1], &q.shape) {
				return false
			}
			q.fromMember = true
			i++
		case eqFold(a, "fromlonlat") && left >= 2 && search && !q.fromMember:
			lon, lat, ok := lonLatArg(c, rest[i+1:i+3])
			if !ok {
				return false
			}
			q.shape.lon, q.shape.lat = lon, lat
			q.fromLoc = true
			i += 2
		case eqFold(a, "byradius") && left >= 2 && search && !q.byBox:
			if !radiusArg(c, rest[i+1:i+3], &q.shape) {
				return false
			}
			q.byRadius = true
			i += 2
		case eqFold(a, "bybox") && left >= 3 && search && !q.byRadius:
			if !boxArg(c, rest[i+1:i+4], &q.shape) {
				return false
			}
			q.byBox = true
			i += 3
		default:
			c.Error(msgSyntax)
			return false
		}
	}
	return true
}

// checkGeoQuery applies Redis's checks on option combinations.
func checkGeoQuery(c Client, name []byte, flags int, q *geoQuery) bool {
	switch {
	case q.storeKey != nil && (q.withDist || q.withHash || q.withCoord):
		what := "STORE option in GEORADIUS"
		if flags&geoSearchStore != 0 {
			what = "GEOSEARCHSTORE"
		}
		c.Error("ERR " + what + msgGeoStoreOpt)
	case flags&geoSearchCmd != 0 && !q.fromMember && !q.fromLoc:
		c.Error("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + string(name))
	case flags&geoSearchCmd != 0 && !q.byRadius && !q.byBox:
		c.Error("ERR exactly one of BYRADIUS and BYBOX can be specified for " + string(name))
	case q.any && q.count == 0:
		c.Error(msgGeoAny)
	default:
		return true
	}
	return false
}

// geoSearchGeneric implements GEORADIUS*, GEOSEARCH and GEOSEARCHSTORE;
// src is the index of the source key.
func geoSearchGeneric(c Client, args [][]byte, src int, flags int) {
	z, ok := lookupZSet(c, args[src], false)
	if !ok {
		return
	}
	var q geoQuery
	base, ok := geoPositional(c, args, z, flags, &q)
	if !ok || !parseGeoOptions(c, args, base, z, flags, &q) || !checkGeoQuery(c, args[0], flags, &q) {
		return
	}
	if z == nil {
		if q.storeKey != nil {
			storeZSet(c, q.storeKey, nil, "")
		} else {
			c.Writer().ArrayLen(0)
		}
		return
	}
	if q.count != 0 && q.sort == geoSortNone && !q.any {
		q.sort = geoSortAsc
	}
	limit := 0
	if q.any {
		limit = int(min(q.count, int64(z.Len())))
	}
	pts := geoScan(z, &q.shape, limit)
	if len(pts) == 0 && q.storeKey == nil {
		c.Writer().ArrayLen(0)
		return
	}
	n := len(pts)
	if q.count != 0 && int64(n) > q.count {
		n = int(q.count)
	}
	switch q.sort {
	case geoSortAsc:
		slices.SortStableFunc(pts, func(a, b geoPoint) int { return cmpDist(a.dist, b.dist) })
	case geoSortDesc:
		slices.SortStableFunc(pts, func(a, b geoPoint) int { return cmpDist(b.dist, a.dist) })
	}
	pts = pts[:n]
	for i := range pts {
		pts[i].dist /= q.shape.conv
	}
	if q.storeKey != nil {
		geoStore(c, flags, &q, pts)
		return
	}
	geoReply(c, &q, pts)
}

// cmpDist orders distances ascending.
func cmpDist(a, b float64) int {
	switch {
	case a > b:
		return 1
	case a == b:
		return 0
	}
	return -1
}

// geoReply writes the search results, each a bare member or an array of
// the member and the requested WITH* fields.
func geoReply(c Client, q *geoQuery, pts []geoPoint) {
	extra := 0
	for _, b := range []bool{q.withDist, q.withHash, q.withCoord} {
		if b {
			extra++
		}
	}
	c.Writer().ArrayLen(len(pts))
	var tmp [32]byte
	for _, p := range pts {
		if extra > 0 {
			c.Writer().ArrayLen(extra + 1)
		}
		c.Writer().BulkString(p.member)
		if q.withDist {
			c.Writer().Bulk(appendDistance(tmp[:0], p.dist))
		}
		if q.withHash {
			c.Writer().Int(int64(p.scr))
		}
		if q.withCoord {
			c.Writer().ArrayLen(2)
			c.Writer().Double(p.lon)
			c.Writer().Double(p.lat)
		}
	}
}

// geoStore writes the results into the destination sorted set, scored by
// geohash or (STOREDIST) by distance, and replies their number.
func geoStore(c Client, flags int, q *geoQuery, pts []geoPoint) {
	var out *keyspace.ZSet
	if len(pts) > 0 {
		out = ks(c).NewZSet()
		for _, p := range pts {
			s := p.scr
			if q.storeDist {
				s = p.dist
			}
			out.Add([]byte(p.member), s)
		}
	}
	event := "georadiusstore"
	if flags&geoSearchCmd != 0 {
		event = "geosearchstore"
	}
	storeZSet(c, q.storeKey, out, event)
	szDirty(c, len(pts))
}
