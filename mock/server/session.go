package server

import (
	"crypto/hmac"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ufhook/ufhook/bearer"
)

// The dashboard's session. The cookie is "<id>.<expiry>.<mac>": a random
// id, the Unix second it expires, and an HMAC of both keyed by the admin
// key. It survives restarts, never reveals the key, ends after sessionTTL,
// and ends at once on logout (the server remembers the ids logged out
// until they expire). Changing the admin key ends every session.

// sessionTTL is how long a dashboard session lasts.
const sessionTTL = 12 * time.Hour

// sessionCookie names the dashboard's session cookie.
const sessionCookie = "ufhook_session"

// newSession returns a session cookie value that expires at now+sessionTTL.
func (s *Server) newSession(now time.Time) (string, error) {
	var id [16]byte
	if _, err := crand.Read(id[:]); err != nil {
		return "", fmt.Errorf("dashboard session: %w", err)
	}
	return s.signSession(hex.EncodeToString(id[:]), now.Add(sessionTTL).Unix()), nil
}

func (s *Server) signSession(id string, expires int64) string {
	body := id + "." + strconv.FormatInt(expires, 10)
	mac := hmac.New(sha256.New, s.sessionKey)
	mac.Write([]byte(body))
	return body + "." + hex.EncodeToString(mac.Sum(nil))
}

// session checks a session cookie value at now and returns its id and
// expiry; ok is false for a forged, expired or logged-out session.
func (s *Server) session(value string, now time.Time) (id string, expires int64, ok bool) {
	parts := strings.Split(value, ".")
	if len(parts) != 3 {
		return "", 0, false
	}
	expires, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return "", 0, false
	}
	if !hmac.Equal([]byte(s.signSession(parts[0], expires)), []byte(value)) {
		return "", 0, false
	}
	if now.Unix() >= expires || s.loggedOut.has(parts[0]) {
		return "", 0, false
	}
	return parts[0], expires, true
}

// revoked holds the ids of the sessions logged out, until they expire.
type revoked struct {
	mu  sync.Mutex
	ids map[string]int64 // id to expiry
}

func (r *revoked) add(id string, expires int64, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, exp := range r.ids {
		if exp <= now.Unix() {
			delete(r.ids, k)
		}
	}
	r.ids[id] = expires
}

func (r *revoked) has(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.ids[id]
	return ok
}

// setSession starts a dashboard session. The cookie is HttpOnly and
// SameSite=Strict, so neither a script nor another site can read or send
// it, and lasts sessionTTL.
func (s *Server) setSession(w http.ResponseWriter, r *http.Request) error {
	v, err := s.newSession(time.Now())
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: v, Path: "/", MaxAge: int(sessionTTL / time.Second),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
	return nil
}

// dashboardAuth says how r is authorized: by the admin key as a Bearer
// token (a script, which no other site can make a browser send), by the
// session cookie, or not at all (a message that says what to do).
func (s *Server) dashboardAuth(r *http.Request) (byCookie bool, msg string) {
	if tok, err := bearer.Parse(r.Header.Get("Authorization")); err == nil && bearer.Equal(tok, s.cfg.AdminKey) {
		return false, ""
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return false, "Log in to the dashboard with the admin key"
	}
	if _, _, ok := s.session(c.Value, time.Now()); !ok {
		return false, fmt.Sprintf("Your dashboard session has ended (it lasts %d hours, and ends on logout): log in again with the admin key or the login link", int(sessionTTL.Hours()))
	}
	return true, ""
}

// sameOrigin refuses a state-changing request that a browser sent from
// another origin, or that is not JSON, so that no other page, not even one
// on another port of this machine, can act with the session cookie: a
// cross-origin page can send JSON only after a preflight, which this server
// never grants.
func sameOrigin(r *http.Request) error {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return &httpError{status: http.StatusForbidden, msg: fmt.Sprintf("Forbidden: the dashboard takes changes only from its own page, and this request came from a %s page: open the dashboard itself and act there", site)}
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host) {
			return &httpError{status: http.StatusForbidden, msg: fmt.Sprintf("Forbidden: the dashboard takes changes only from its own page, and this request came from %q, not from %s: open the dashboard itself and act there", origin, r.Host)}
		}
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &httpError{status: http.StatusUnsupportedMediaType, msg: "Unsupported Media Type: send the request body as JSON with Content-Type: application/json, as the dashboard's page does"}
	}
	return nil
}

// logout ends the session of the cookie, if any, and clears it.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if err := sameOrigin(r); err != nil {
		writeError(w, err)
		return
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		if id, exp, ok := s.session(c.Value, time.Now()); ok {
			s.loggedOut.add(id, exp, time.Now())
		}
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}
