// Package wire is what ufhook's two receivers, the typed receiver and
// receiver/validator, share on the HTTP side: reading a request body within
// a limit, and writing the JSON body of an error answer.
package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/ufhook/ufhook/openapi"
)

// FirstRead is the buffer that ReadBody starts with, whatever the
// Content-Length claims: a typical webhook fits in it.
const FirstRead = 4 << 10

// ErrorBody is the JSON body of every 4xx and 5xx answer.
type ErrorBody struct {
	Error    string            `json:"error"`
	Event    string            `json:"event,omitempty"`
	Problems []openapi.Problem `json:"problems,omitempty"`
}

// ReadBody reads the whole body of r, at most max bytes. tooLarge is true
// when the body (or its Content-Length) is over max; err is any other
// failure to read it to its end. The buffer grows as bytes arrive, never
// ahead of them: a claimed Content-Length is only a cap on the growth (one
// byte more, so that the end of a body of exactly that length is read
// without growing), so that connections which claim a large body and send
// little of it cost what they sent, not what they claimed.
func ReadBody(w http.ResponseWriter, r *http.Request, max int64) (body []byte, tooLarge bool, err error) {
	if r.ContentLength > max {
		return nil, true, nil
	}
	want := int64(-1)
	if r.ContentLength > 0 {
		want = r.ContentLength + 1
	}
	size := int64(FirstRead)
	if want > 0 && want < size {
		size = want
	}
	buf := make([]byte, 0, size)
	lr := http.MaxBytesReader(w, r.Body, max)
	for {
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, false, nil
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, true, nil
			}
			return nil, false, err
		}
		if len(buf) == cap(buf) {
			next := 2 * int64(cap(buf))
			if want > int64(cap(buf)) && want < next {
				next = want
			}
			next = min(next, max+1)
			grown := make([]byte, len(buf), next)
			copy(grown, buf)
			buf = grown
		}
	}
}

// WriteError writes an error answer with status and body as JSON, never
// escaped as HTML (the body is for senders), with the headers that keep a
// browser from reading it otherwise.
func WriteError(w http.ResponseWriter, status int, body ErrorBody) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		b.Reset()
		b.WriteString(`{"error":"internal error"}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// ProblemsOf lists the problems of an error from openapi.Validate: those
// of its *openapi.ValidationError, or the error itself as one problem.
func ProblemsOf(err error) []openapi.Problem {
	var verr *openapi.ValidationError
	if errors.As(err, &verr) {
		return verr.Problems
	}
	return []openapi.Problem{{Keyword: "schema", Message: err.Error()}}
}
