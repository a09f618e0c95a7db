package server

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ufhook/ufhook/bearer"
	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/openapi"
)

//go:embed static
var static embed.FS

// maxStreams bounds the dashboard's open event streams.
const maxStreams = 64

func (s *Server) routeDashboard(mux *http.ServeMux) {
	sub, _ := fs.Sub(static, "static")
	files := http.FileServerFS(sub)
	mux.Handle("GET /{$}", noCache(files))
	mux.Handle("GET /static/", noCache(http.StripPrefix("/static/", files)))
	// Browsers ask for /favicon.ico whatever the page links to.
	mux.Handle("GET /favicon.ico", noCache(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/favicon.svg"
		files.ServeHTTP(w, r2)
	})))
	mux.HandleFunc("POST /ui/login", s.loginKey)
	mux.HandleFunc("GET /ui/login", s.loginLink)
	mux.HandleFunc("POST /ui/logout", s.logout)
	ui := func(fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			byCookie, msg := s.dashboardAuth(r)
			if msg != "" {
				w.Header().Set("WWW-Authenticate", `Bearer realm="ufhook"`)
				writeError(w, &httpError{status: http.StatusUnauthorized, msg: msg})
				return
			}
			if byCookie && r.Method != http.MethodGet && r.Method != http.MethodHead {
				if err := sameOrigin(r); err != nil {
					writeError(w, err)
					return
				}
			}
			if err := fn(w, r); err != nil {
				writeError(w, err)
			}
		})
	}
	mux.Handle("GET /ui/info", ui(s.info))
	mux.Handle("GET /ui/deliveries", ui(s.deliveries))
	mux.Handle("GET /ui/deliveries/{id}", ui(s.delivery))
	mux.Handle("POST /ui/deliveries/{id}/resend", ui(s.resend))
	mux.Handle("POST /ui/fire", ui(s.fireFake))
	mux.Handle("GET /ui/users", ui(s.listUsers))
	mux.Handle("POST /ui/users/{userId}/send", ui(s.sendForUser))
	mux.Handle("GET /ui/tenants", ui(s.listTenants))
	mux.Handle("GET /ui/stream", ui(s.stream))
}

func noCache(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'")
		h.ServeHTTP(w, r)
	})
}

// loginKey trades the admin key, pasted into the dashboard's login form,
// for the session cookie.
func (s *Server) loginKey(w http.ResponseWriter, r *http.Request) {
	if err := sameOrigin(r); err != nil {
		writeError(w, err)
		return
	}
	var in struct {
		Key string `json:"key"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil {
		writeError(w, badRequest(`Send {"key": "<admin key>"}`))
		return
	}
	if !bearer.Equal(in.Key, s.cfg.AdminKey) {
		writeError(w, &httpError{status: http.StatusUnauthorized, msg: "Unauthorized: that is not the admin key (ufhook serve wrote it to its admin key file, or use the one you passed with --admin-key)"})
		return
	}
	if err := s.setSession(w, r); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// loginLink trades the code of the login link (see LoginPath) for the
// session cookie and redirects to the dashboard, which takes the code out
// of the address bar. A wrong code gets 401 and no cookie.
func (s *Server) loginLink(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	if !bearer.Equal(r.URL.Query().Get("code"), s.login) {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintln(w, "Unauthorized: this login link is not valid. Each start of ufhook serve prints a new one: open the latest, or log in at / with the admin key.")
		return
	}
	if err := s.setSession(w, r); err != nil {
		writeError(w, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// info tells the dashboard the catalog and where webhooks go.
func (s *Server) info(w http.ResponseWriter, r *http.Request) error {
	type ev struct {
		Name    string `json:"name"`
		Summary string `json:"summary"`
		URL     string `json:"url"`
		// ForUser, for a webhook sent for one user (a login link, a
		// code), lists the user's fields that it needs.
		ForUser []string `json:"forUser,omitempty"`
	}
	evs, err := openapi.Events()
	if err != nil {
		return err
	}
	out := struct {
		Mode       string `json:"mode"`
		Token      string `json:"token"`
		RootTenant string `json:"rootTenant"`
		Events     []ev   `json:"events"`
	}{Mode: s.mode, Token: bearer.Mask(s.cfg.Emitter.Token), RootTenant: s.root}
	for _, e := range evs {
		out.Events = append(out.Events, ev{Name: e.Name, Summary: e.Summary, URL: s.emitter.URL(e),
			ForUser: slices.Sorted(maps.Values(openapi.FromRecord(e)))})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// deliverySummary is one line of the dashboard's delivery list.
type deliverySummary struct {
	ID       int64  `json:"id"`
	Event    string `json:"event"`
	Label    string `json:"label"`
	Source   string `json:"source"`
	ResendOf int64  `json:"resendOf,omitempty"`
	State    string `json:"state"`
	Attempts int    `json:"attempts"`
	Status   int    `json:"status,omitempty"`
	Error    string `json:"error,omitempty"`
	// LatencyMS is the last attempt's time to the answer, in milliseconds
	// to 0.1, a number as in emit --json; absent before the first attempt.
	LatencyMS *float64 `json:"latencyMs,omitempty"`
	CreatedAt string   `json:"createdAt"`
	NextAt    string   `json:"nextAt,omitempty"`
	DoneAt    string   `json:"doneAt,omitempty"`
}

func summarize(o outboxRow) deliverySummary {
	d := deliverySummary{
		ID: o.ID, Event: o.Event, Label: o.Label, Source: o.Source, ResendOf: o.ResendOf.Int64,
		State: o.State, Attempts: o.Attempts, Status: int(o.LastStatus.Int64), Error: o.LastError.String,
		CreatedAt: stamp(time.UnixMilli(o.CreatedAt)),
	}
	if o.LatencyUS.Valid {
		d.LatencyMS = ptr(millis(o.LatencyUS.Int64))
	}
	if o.State == statePending && o.Attempts > 0 {
		d.NextAt = stamp(time.UnixMilli(o.NextAt))
	}
	if o.DoneAt.Valid {
		d.DoneAt = stamp(time.UnixMilli(o.DoneAt.Int64))
	}
	return d
}

// millis turns microseconds into milliseconds rounded to 0.1.
func millis(us int64) float64 { return math.Round(float64(us)/100) / 10 }

func (s *Server) deliveries(w http.ResponseWriter, r *http.Request) error {
	limit := 200
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return badRequest("limit must be an integer from 1 to 1000, got %q", v)
		}
		limit = n
	}
	rows, err := s.db.recentOutbox(r.Context(), limit)
	if err != nil {
		return err
	}
	counts, err := s.db.counts(r.Context())
	if err != nil {
		return err
	}
	out := struct {
		Counts     map[string]int    `json:"counts"`
		Deliveries []deliverySummary `json:"deliveries"`
	}{Counts: counts, Deliveries: []deliverySummary{}}
	for _, o := range rows {
		out.Deliveries = append(out.Deliveries, summarize(o))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) outboxRowOf(r *http.Request) (outboxRow, error) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return outboxRow{}, notFound("Not Found: delivery id %q is not a number", raw)
	}
	o, err := s.db.outbox(r.Context(), id)
	if err != nil {
		return outboxRow{}, notFound("Not Found: no delivery #%d", id)
	}
	return o, nil
}

// delivery shows one delivery: the request as sent (token masked) and every
// attempt with its response.
func (s *Server) delivery(w http.ResponseWriter, r *http.Request) error {
	o, err := s.outboxRowOf(r)
	if err != nil {
		return err
	}
	atts, err := s.db.attempts(r.Context(), o.ID)
	if err != nil {
		return err
	}
	type attempt struct {
		attemptRow
		LatencyMS float64 `json:"latencyMs"`
		At        string  `json:"at"`
	}
	out := struct {
		deliverySummary
		Request struct {
			Method  string            `json:"method"`
			URL     string            `json:"url"`
			Headers map[string]string `json:"headers"`
			Body    json.RawMessage   `json:"body"`
		} `json:"request"`
		Attempts []attempt `json:"attempts"`
	}{deliverySummary: summarize(o), Attempts: []attempt{}}
	out.Request.Method = http.MethodPost
	if ev, err := openapi.Lookup(o.Event); err == nil {
		out.Request.URL = s.emitter.URL(ev)
	}
	// The headers that the emitter sends (see mock.Emitter), token masked.
	out.Request.Headers = map[string]string{
		"Authorization": bearer.Header(bearer.Mask(s.cfg.Emitter.Token)),
		"Content-Type":  "application/json",
		"User-Agent":    "ufhook/" + mock.Version,
	}
	out.Request.Body = o.Body
	for _, a := range atts {
		out.Attempts = append(out.Attempts, attempt{
			attemptRow: a,
			LatencyMS:  millis(a.LatencyUS),
			At:         stamp(time.UnixMilli(a.StartedAt)),
		})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// resend queues the body of a delivery again, as a new delivery.
func (s *Server) resend(w http.ResponseWriter, r *http.Request) error {
	o, err := s.outboxRowOf(r)
	if err != nil {
		return err
	}
	return s.queue(w, r, o.Event, o.Body, o.Label, "resend", o.ID)
}

// queue writes one webhook to the outbox and answers with its id.
func (s *Server) queue(w http.ResponseWriter, r *http.Request, event string, body []byte, label, source string, resendOf int64) error {
	var id int64
	err := s.db.tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		id, err = enqueue(r.Context(), tx, event, body, label, source, resendOf, time.Now().UnixMilli())
		return err
	})
	if err != nil {
		return err
	}
	s.wake()
	s.publishDelivery(r.Context(), id)
	writeJSON(w, http.StatusOK, map[string]int64{"id": id})
	return nil
}

// sendForUser sends a messaging webhook for one user, {"event":
// "user.login.link.email"}, as if the user had asked for a login link or a
// code, and answers with the delivery's id.
func (s *Server) sendForUser(w http.ResponseWriter, r *http.Request) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	var in struct {
		Event string `json:"event"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil {
		return badRequest(`Send {"event": "user.login.link.email"} (or another event sent for a user)`)
	}
	if _, err := openapi.Lookup(in.Event); err != nil {
		return badRequest("%v", err)
	}
	u, err := s.user(r.Context(), s.db.r, id)
	if err != nil {
		return err
	}
	did, err := s.sendMessage(r.Context(), in.Event, u, "dashboard")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int64{"id": did})
	return nil
}

// publishDelivery sends the current state of a delivery to every stream.
// Reading and publishing happen under one lock, so that a stream never gets
// an older state of a delivery after a newer one.
func (s *Server) publishDelivery(ctx context.Context, id int64) {
	if id == 0 || !s.events.active() {
		return
	}
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	o, err := s.db.outbox(context.WithoutCancel(ctx), id)
	if err != nil {
		return
	}
	s.events.publish("delivery", summarize(o))
}

// stream is the dashboard's server-sent events: "delivery" with a
// delivery's summary whenever it changes, "records" when users or tenants
// change.
func (s *Server) stream(w http.ResponseWriter, r *http.Request) error {
	fl, ok := w.(http.Flusher)
	if !ok {
		return errors.New("streaming is not supported by this connection")
	}
	ch, err := s.events.subscribe()
	if err != nil {
		return &httpError{status: http.StatusServiceUnavailable, msg: err.Error()}
	}
	defer s.events.unsubscribe(ch)
	// A stream opened with the session cookie ends with the session: at
	// the first ping after it expires or logs out; the page then finds
	// itself logged out. Which it is must be read before the answer
	// starts: a logout that follows the client's first read would
	// otherwise make it look opened by no cookie, and never end.
	cookie, _ := r.Cookie(sessionCookie)
	if byCookie, _ := s.dashboardAuth(r); !byCookie {
		cookie = nil
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 1000\n: connected\n\n")
	fl.Flush()
	ping := time.NewTicker(s.ping)
	defer ping.Stop()
	rc := http.NewResponseController(w)
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-ping.C:
			if cookie != nil {
				if _, _, ok := s.session(cookie.Value, time.Now()); !ok {
					return nil
				}
			}
			fmt.Fprint(w, ": ping\n\n")
		case msg, ok := <-ch:
			if !ok {
				return nil // server closing, or this stream fell behind
			}
			_ = rc.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if _, err := w.Write(msg); err != nil {
				return nil
			}
		}
		fl.Flush()
	}
}

// broker fans dashboard events out to the open streams. A stream that
// falls behind is closed; the page reconnects and reloads its lists.
type broker struct {
	mu     sync.Mutex
	subs   map[chan []byte]bool
	closed bool
}

func newBroker() *broker { return &broker{subs: map[chan []byte]bool{}} }

func (b *broker) subscribe() (chan []byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, ErrClosed
	}
	if len(b.subs) >= maxStreams {
		return nil, fmt.Errorf("too many dashboards open (%d): close a tab and reload", maxStreams)
	}
	ch := make(chan []byte, 256)
	b.subs[ch] = true
	return ch, nil
}

func (b *broker) unsubscribe(ch chan []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.subs[ch] {
		delete(b.subs, ch)
		close(ch)
	}
}

func (b *broker) active() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs) > 0
}

func (b *broker) publish(event string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		return
	}
	msg := []byte("event: " + event + "\ndata: " + string(data) + "\n\n")
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- msg:
		default:
			delete(b.subs, ch)
			close(ch)
		}
	}
}

func (b *broker) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for ch := range b.subs {
		delete(b.subs, ch)
		close(ch)
	}
}
