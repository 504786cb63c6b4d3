package server

import (
	"fmt"
	"sort"
	"strings"
)

// CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO, with Redis 7.2's
// checks in its order and its error texts.

func clientTrackingCmd(c *Client, a [][]byte) {
	s := c.srv
	var redirect int64
	options := 0
	var prefixes [][]byte
	for j := 3; j < len(a); j++ {
		more := len(a) - 1 - j
		switch opt := strings.ToLower(string(a[j])); {
		case opt == "redirect" && more > 0:
			j++
			if redirect != 0 {
				c.Error("ERR A client can only redirect to a single other client")
				return
			}
			id, ok := parseInt(a[j])
			if !ok {
				c.Error(msgNotInt)
				return
			}
			redirect = id
			if s.clients[id] == nil {
				c.Error("ERR The client ID you want redirect to does not exist")
				return
			}
		case opt == "bcast":
			options |= trackBcast
		case opt == "optin":
			options |= trackOptin
		case opt == "optout":
			options |= trackOptout
		case opt == "noloop":
			options |= trackNoloop
		case opt == "prefix" && more > 0:
			j++
			prefixes = append(prefixes, a[j])
		default:
			c.Error(msgSyntax)
			return
		}
	}
	switch strings.ToLower(string(a[2])) {
	case "on":
		if msg := trackingOnError(c, options, prefixes); msg != "" {
			c.Error(msg)
			return
		}
		s.enableTracking(c, redirect, options, prefixes)
	case "off":
		s.disableTracking(c)
	default:
		c.Error(msgSyntax)
		return
	}
	c.OK()
}

// trackingOnError checks CLIENT TRACKING ON's options against each other
// and the client's current mode; "" when they are acceptable.
func trackingOnError(c *Client, options int, prefixes [][]byte) string {
	cur := c.trackFlags()
	switch {
	case options&trackBcast == 0 && len(prefixes) > 0:
		return "ERR PREFIX option requires BCAST mode to be enabled"
	case cur&trackOn != 0 && (cur&trackBcast != 0) != (options&trackBcast != 0):
		return "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode."
	case options&trackBcast != 0 && options&(trackOptin|trackOptout) != 0:
		return "ERR OPTIN and OPTOUT are not compatible with BCAST"
	case options&trackOptin != 0 && options&trackOptout != 0:
		return "ERR You can't specify both OPTIN mode and OPTOUT mode"
	case options&trackOptin != 0 && cur&trackOptout != 0, options&trackOptout != 0 && cur&trackOptin != 0:
		return "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode."
	case options&trackBcast != 0:
		return prefixCollision(c, prefixes)
	}
	return ""
}

// prefixCollision reports the first BCAST prefix that overlaps one the
// client has or another given one (Redis's checkPrefixCollisionsOrReply).
func prefixCollision(c *Client, prefixes [][]byte) string {
	var have []string
	if c.trk != nil {
		for p := range c.trk.prefixes {
			have = append(have, p)
		}
		sort.Strings(have)
	}
	for i, p := range prefixes {
		for _, h := range have {
			if overlaps(h, string(p)) {
				return fmt.Sprintf("ERR Prefix '%s' overlaps with an existing prefix '%s'. Prefixes for a single client must not overlap.", cstr(p), h)
			}
		}
		for _, q := range prefixes[i+1:] {
			if overlaps(string(p), string(q)) {
				return fmt.Sprintf("ERR Prefix '%s' overlaps with another provided prefix '%s'. Prefixes for a single client must not overlap.", cstr(p), cstr(q))
			}
		}
	}
	return ""
}

// overlaps reports whether one string is a prefix of the other.
func overlaps(a, b string) bool {
	n := min(len(a), len(b))
	return a[:n] == b[:n]
}

// cstr cuts b at its first NUL, as Redis's %s formatting of an sds does.
func cstr(b []byte) string {
	for i, ch := range b {
		if ch == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

func clientCaching(c *Client, a [][]byte) {
	f := c.trackFlags()
	if f&trackOn == 0 {
		c.Error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled")
		return
	}
	switch strings.ToLower(string(a[2])) {
	case "yes":
		if f&trackOptin == 0 {
			c.Error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
			return
		}
	case "no":
		if f&trackOptout == 0 {
			c.Error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
			return
		}
	default:
		c.Error(msgSyntax)
		return
	}
	c.trk.flags |= trackCaching
	c.OK()
}

// trackingRedirect is GETREDIR's and CLIENT LIST's redir: -1 when tracking
// is off.
func (c *Client) trackingRedirect() int64 {
	if c.trackFlags()&trackOn == 0 {
		return -1
	}
	return c.trk.redirect
}

func clientGetRedir(c *Client, a [][]byte) { c.W.Int(c.trackingRedirect()) }

func clientTrackingInfo(c *Client, a [][]byte) {
	f := c.trackFlags()
	flags := []string{"off"}
	if f&trackOn != 0 {
		flags[0] = "on"
	}
	if f&trackBcast != 0 {
		flags = append(flags, "bcast")
	}
	if f&trackOptin != 0 {
		flags = append(flags, "optin")
		if f&trackCaching != 0 {
			flags = append(flags, "caching-yes")
		}
	}
	if f&trackOptout != 0 {
		flags = append(flags, "optout")
		if f&trackCaching != 0 {
			flags = append(flags, "caching-no")
		}
	}
	if f&trackNoloop != 0 {
		flags = append(flags, "noloop")
	}
	if f&trackBrokenRedir != 0 {
		flags = append(flags, "broken_redirect")
	}
	c.W.MapLen(3)
	c.W.BulkString("flags")
	c.W.SetLen(len(flags))
	for _, fl := range flags {
		c.W.BulkString(fl)
	}
	c.W.BulkString("redirect")
	c.W.Int(c.trackingRedirect())
	c.W.BulkString("prefixes")
	var ps []string
	if c.trk != nil {
		for p := range c.trk.prefixes {
			ps = append(ps, p)
		}
	}
	sort.Strings(ps)
	c.W.ArrayLen(len(ps))
	for _, p := range ps {
		c.W.BulkString(p)
	}
}

// trackingListFlags are CLIENT LIST's tracking flag letters.
func (c *Client) trackingListFlags() string {
	f := c.trackFlags()
	out := ""
	if f&trackOn != 0 {
		out += "t"
	}
	if f&trackBrokenRedir != 0 {
		out += "R"
	}
	if f&trackBcast != 0 {
		out += "B"
	}
	return out
}
