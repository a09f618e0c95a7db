package hooktest

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
)

// Request is one request as a Recorder received it.
type Request struct {
	Method string
	URL    *url.URL
	Header http.Header
	Body   []byte
}

// Recorder is an http.Handler that records the method, URL, headers and
// body of every request, and answers with the statuses set by SetStatus
// (200 by default) and the body set by SetBody. It is safe for concurrent
// use. The zero value is ready to use.
type Recorder struct {
	mu       sync.Mutex
	requests []Request
	statuses []int
	body     *string
}

// NewRecorder returns a Recorder that answers 200.
func NewRecorder() *Recorder { return &Recorder{} }

// SetStatus sets the statuses the recorder answers: the next requests get
// codes in turn, and every request after them gets the last code. Without
// codes, the recorder answers 200 again.
func (rec *Recorder) SetStatus(codes ...int) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.statuses = append([]int(nil), codes...)
}

// SetBody sets the body of every later answer. The default body is
// {"received":true,"status":N}, with N the status answered.
func (rec *Recorder) SetBody(body string) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.body = &body
}

// ServeHTTP records r, then answers with the next status and the body.
func (rec *Recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	u := *r.URL
	rec.mu.Lock()
	rec.requests = append(rec.requests, Request{Method: r.Method, URL: &u, Header: r.Header.Clone(), Body: body})
	status := http.StatusOK
	if len(rec.statuses) > 0 {
		status = rec.statuses[0]
		if len(rec.statuses) > 1 {
			rec.statuses = rec.statuses[1:]
		}
	}
	answer := `{"received":true,"status":` + strconv.Itoa(status) + `}`
	if rec.body != nil {
		answer = *rec.body
	}
	rec.mu.Unlock()
	w.WriteHeader(status)
	_, _ = io.WriteString(w, answer)
}

// Requests returns the requests received so far, in the order they arrived.
func (rec *Recorder) Requests() []Request {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]Request(nil), rec.requests...)
}

// Len returns the number of requests received so far.
func (rec *Recorder) Len() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return len(rec.requests)
}
