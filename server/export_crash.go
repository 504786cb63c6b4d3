package server

import "strings"

// ClientListText renders CLIENT LIST (every client, one line each, in
// id order) for reports such as the module crash report. The caller holds
// the server lock.
func (s *Server) ClientListText() string {
	var sb strings.Builder
	for _, cl := range s.sortedClients() {
		sb.WriteString(cl.infoString())
		sb.WriteByte('\n')
	}
	return sb.String()
}
