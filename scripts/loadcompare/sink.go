//go:build ignore

// sink is the HTTPS receiver that scripts/loadcompare/run.sh loads: it reads
// each body and answers 204, with a certificate (ECDSA P-256, as most
// receivers' certificates are now) from a fresh local CA whose certificate
// it writes to the file given as its second argument. Run it with
// `go run scripts/loadcompare/sink.go 127.0.0.1:8443 ca.pem`; it stops on
// SIGINT or SIGTERM.
package main

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ufhook/ufhook/localca"
)

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: sink ADDR CA.pem")
	}
	ca, err := localca.New()
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := ca.ServerTLS("127.0.0.1", "localhost")
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.WriteHeader(http.StatusNoContent)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		// HTTP/1.1, as webhook receivers mostly serve.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
	}
	go func() {
		if err := srv.Serve(tls.NewListener(ln, cfg)); err != http.ErrServerClosed {
			log.Fatal(err)
		}
	}()
	if err := ca.WriteCert(os.Args[2]); err != nil {
		log.Fatal(err)
	}
	log.Printf("sink: https://%s/", ln.Addr())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	_ = srv.Close()
}
