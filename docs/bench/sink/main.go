// Command sink is the trivial loopback HTTPS receiver that the emitter's
// throughput benchmark (docs/benchmarks.md) sends to: it reads each body and
// answers 200, with a certificate from a throwaway CA whose PEM it writes to
// the file named by -ca. It serves until killed.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"

	"github.com/ufhook/ufhook/localca"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on (loopback only)")
	caFile := flag.String("ca", "sink-ca.pem", "file to write the CA certificate to")
	flag.Parse()
	ca, err := localca.New()
	if err != nil {
		log.Fatal(err)
	}
	if err := ca.WriteCert(*caFile); err != nil {
		log.Fatal(err)
	}
	cfg, err := ca.ServerTLS()
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "https://%s/webhook\n", ln.Addr())
	srv := &http.Server{TLSConfig: cfg, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		w.WriteHeader(http.StatusOK)
	})}
	log.Fatal(srv.ServeTLS(ln, "", ""))
}
