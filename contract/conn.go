package contract

// Connections under the suite's control. A receiver may remember what an
// earlier request on the same keep-alive connection carried (the first
// request with the right token "opens the door"), so which requests share a
// connection must not be left to chance. Requests with the right token share
// the suite's pool; a request with any other Authorization header goes on a
// fresh connection of its own (see request.conn), and auth/reused-connection
// sends each of them again on a connection that has just carried an accepted
// webhook.

import "net/http"

// conn is one keep-alive HTTP/1.1 connection: the requests sent through it,
// one after the other, go over the same TCP (and TLS) connection for as long
// as the receiver keeps it open; exchange.reused tells whether it did.
type conn struct {
	client *http.Client
}

// dial returns a new connection, opened by its first request. Call close
// when done with it.
func (s *Suite) dial() *conn {
	tr := s.transport.Clone()
	// One connection at most: a second request waits for the first to
	// finish, and then takes its connection, unless the receiver closed it.
	tr.MaxConnsPerHost = 1
	tr.MaxIdleConnsPerHost = 1
	return &conn{client: s.clientOf(tr)}
}

// close closes the connection once it is idle.
func (c *conn) close() { c.client.CloseIdleConnections() }
