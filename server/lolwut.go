package server

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/modhost/modhost/commands"
	"github.com/modhost/modhost/internal/buildinfo"
)

// LOLWUT as Redis 7.2 has it: VERSION 5 draws Georg Nees's "Schotter" in
// braille characters, VERSION 6 a skyline in terminal colours, and any
// other version (the default) prints the version line. The drawings use
// random numbers as Redis's do, so only their undisturbed parts (the first
// two rows of squares of Schotter) are the same bytes as Redis's.

func registerLolwut(s *Server) {
	s.Cmds.Add(&commands.Command{Name: "lolwut", Arity: -1, Flags: commands.ParseCmdFlags("readonly fast"), Group: "server", Since: "5.0.0",
		Summary: "Displays computer art and the Redis version", ACL: []string{"read", "fast"}, Handler: adapt(lolwutCommand)})
}

func lolwutCommand(c *Client, a [][]byte) {
	v := buildinfo.RedisVersion
	if len(a) >= 3 && strings.EqualFold(string(a[1]), "version") {
		ver, ok := parseInt(a[2])
		if !ok {
			c.Error(msgNotInt)
			return
		}
		v = fmt.Sprintf("%d.0.0", uint32(ver)) // Redis prints it as unsigned int
		a = a[2:]
	}
	switch {
	case v[0] == '5' && v[1] == '.' && v[2] != '9', strings.HasPrefix(v, "4.9"):
		lolwut5(c, a)
	case v[0] == '6' && v[1] == '.' && v[2] != '9', strings.HasPrefix(v, "5.9"):
		lolwut6(c, a)
	default:
		c.W.Verbatim("txt", []byte("Redis ver. "+buildinfo.RedisVersion+"\n"))
	}
}

// lolwutArgs parses the optional integer arguments after a[0] into dst
// (kept at their defaults when absent) and clamps them to [1, hi].
func lolwutArgs(c *Client, a [][]byte, hi int64, dst ...*int64) bool {
	for i, p := range dst {
		if len(a) > i+1 {
			v, ok := parseInt(a[i+1])
			if !ok {
				c.Error(msgNotInt)
				return false
			}
			*p = v
		}
		*p = min(max(*p, 1), hi)
	}
	return true
}

// canvas is a grid of pixel colours (Redis's lwCanvas).
type canvas struct {
	w, h int
	px   []byte
}

func newCanvas(w, h int, bg byte) *canvas {
	cv := &canvas{w: w, h: h, px: make([]byte, w*h)}
	for i := range cv.px {
		cv.px[i] = bg
	}
	return cv
}

func (cv *canvas) set(x, y int, color byte) {
	if x >= 0 && x < cv.w && y >= 0 && y < cv.h {
		cv.px[x+y*cv.w] = color
	}
}

func (cv *canvas) get(x, y int) byte {
	if x < 0 || x >= cv.w || y < 0 || y >= cv.h {
		return 0
	}
	return cv.px[x+y*cv.w]
}

// line draws with Bresenham's algorithm.
func (cv *canvas) line(x1, y1, x2, y2 int, color byte) {
	dx, dy := abs(x2-x1), abs(y2-y1)
	sx, sy := -1, -1
	if x1 < x2 {
		sx = 1
	}
	if y1 < y2 {
		sy = 1
	}
	err := dx - dy
	for {
		cv.set(x1, y1, color)
		if x1 == x2 && y1 == y2 {
			return
		}
		e2 := err * 2
		if e2 > -dy {
			err -= dy
			x1 += sx
		}
		if e2 < dx {
			err += dx
			y1 += sy
		}
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// square draws a square centred on x,y, rotated by angle, with Redis's
// single-precision arithmetic so that the corners land on the same pixels.
func (cv *canvas) square(x, y int, size, angle float32, color byte) {
	size /= 1.4142135623
	size = float32(math.Round(float64(size)))
	var px, py [4]int
	k := float32(math.Pi/4) + angle
	for j := range 4 {
		px[j] = int(math.Round(math.Sin(float64(k))*float64(size) + float64(x)))
		py[j] = int(math.Round(math.Cos(float64(k))*float64(size) + float64(y)))
		k = float32(float64(k) + math.Pi/2)
	}
	for j := range 4 {
		cv.line(px[j], py[j], px[(j+1)%4], py[(j+1)%4], color)
	}
}

func lolwut5(c *Client, a [][]byte) {
	cols, perRow, perCol := int64(66), int64(8), int64(12)
	if !lolwutArgs(c, a, 1000, &cols) || !lolwutArgs(c, append(a[:1:1], a[min(2, len(a)):]...), 200, &perRow, &perCol) {
		return
	}
	cv := schotter(int(cols), int(perRow), int(perCol))
	var sb strings.Builder
	for y := 0; y < cv.h; y += 4 {
		for x := 0; x < cv.w; x += 2 {
			b := 0
			for i, d := range [8][2]int{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}, {0, 3}, {1, 3}} {
				if cv.get(x+d[0], y+d[1]) != 0 {
					b |= 1 << i
				}
			}
			sb.WriteRune(rune(0x2800 + b))
		}
		if y != cv.h-1 {
			sb.WriteByte('\n')
		}
	}
	sb.WriteString("\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. " + buildinfo.RedisVersion + "\n")
	c.W.Verbatim("txt", []byte(sb.String()))
}

// schotter draws the squares, disturbed more and more from the third row.
func schotter(cols, perRow, perCol int) *canvas {
	w := cols * 2
	pad := 0
	if w > 4 {
		pad = 2
	}
	side := float32(w-pad*2) / float32(perRow)
	h := int(side*float32(perCol) + float32(pad*2))
	cv := newCanvas(w, h, 0)
	for y := range perCol {
		for x := range perRow {
			sx := int(float32(x)*side + side/2 + float32(pad))
			sy := int(float32(y)*side + side/2 + float32(pad))
			var angle float32
			if y > 1 {
				r := [3]float32{}
				for i := range r {
					r[i] = rand.Float32() / float32(perCol) * float32(y)
				}
				for i := range r {
					if rand.IntN(2) == 1 {
						r[i] = -r[i]
					}
				}
				angle = r[0]
				sx = int(float32(sx) + r[1]*side/3)
				sy = int(float32(sy) + r[2]*side/3)
			}
			cv.square(sx, sy, side, angle, 1)
		}
	}
	return cv
}

func lolwut6(c *Client, a [][]byte) {
	cols, rows := int64(80), int64(20)
	if !lolwutArgs(c, a, 1000, &cols, &rows) {
		return
	}
	cv := newCanvas(int(cols), int(rows), 3)
	skyline(cv)
	escapes := [4]string{"0;30;40m", "0;90;100m", "0;37;47m", "0;97;107m"}
	var sb strings.Builder
	for y := 0; y < cv.h; y++ {
		for x := 0; x < cv.w; x++ {
			sb.WriteString("\033[" + escapes[cv.get(x, y)&3] + " \033[0m")
		}
		if y != cv.h-1 {
			sb.WriteByte('\n')
		}
	}
	sb.WriteString("\nDedicated to the 8 bit game developers of past and present.\nOriginal 8 bit image from Plaguemon by hikikomori. Redis ver. " + buildinfo.RedisVersion + "\n")
	c.W.Verbatim("txt", []byte(sb.String()))
}

// skyscraper is one building of the skyline.
type skyscraper struct {
	xoff, width, height int
	windows             bool
	color               byte
}

func (cv *canvas) skyscraper(s skyscraper) {
	starty := cv.h - 1
	endy := starty - s.height + 1
	for y := starty; y >= endy; y-- {
		for x := s.xoff; x < s.xoff+s.width; x++ {
			if y == endy && (x <= s.xoff+1 || x >= s.xoff+s.width-2) {
				continue // the roof is four pixels narrower
			}
			color := s.color
			if s.windows && x > s.xoff+1 && x < s.xoff+s.width-2 && y > endy+1 && y < starty-1 {
				relx, rely := x-(s.xoff+1), y-(endy+1)
				if relx/2%2 != 0 && rely%2 != 0 {
					for color == s.color {
						color = byte(1 + rand.IntN(2))
					}
					if relx%2 != 0 {
						color = cv.get(x-1, y) // a window is two pixels wide
					}
				}
			}
			cv.set(x, y, color)
		}
	}
}

// skyline draws two rows of background buildings (the lighter behind)
// and a front row with windows.
func skyline(cv *canvas) {
	for color := byte(2); color >= 1; color-- {
		for off := -10; off < cv.w; {
			off += rand.IntN(8)
			s := skyscraper{xoff: off, width: 10 + rand.IntN(9), color: color}
			if color == 2 {
				s.height = cv.h/2 + rand.IntN(cv.h)/2
				off += s.width / 2
			} else {
				s.height = cv.h/2 + rand.IntN(cv.h)/3
				off += s.width + 1
			}
			cv.skyscraper(s)
		}
	}
	for off := -10; off < cv.w; {
		off += rand.IntN(8)
		s := skyscraper{xoff: off, width: 5 + rand.IntN(14), windows: true}
		if s.width%4 != 0 {
			s.width += s.width % 3
		}
		s.height = cv.h/3 + rand.IntN(cv.h)/2
		cv.skyscraper(s)
		off += s.width + 5
	}
}
