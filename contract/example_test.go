package contract_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/ufhook/ufhook/contract"
	"github.com/ufhook/ufhook/localca"
	"github.com/ufhook/ufhook/receiver"
)

// The auth cases: every one must be answered with 401 or 403, and
// auth/reused-connection sends them again on connections that have just
// carried an accepted webhook.
func ExampleCases() {
	for _, c := range contract.Cases() {
		if strings.HasPrefix(c.ID, "auth/") {
			fmt.Println(c.ID)
		}
	}
	// Output:
	// auth/missing-token
	// auth/wrong-token
	// auth/last-char-changed
	// auth/extra-chars
	// auth/token-prefix
	// auth/case-changed
	// auth/basic-scheme
	// auth/no-scheme
	// auth/empty-bearer
	// auth/test-payload-wrong-token
	// auth/live-payload-test-token
	// auth/reused-connection
}

// Run checks a receiver, here the reference receiver served over HTTPS with
// a throwaway CA. The strict cases are skipped without Config.Strict.
func ExampleRun() {
	const token = "uf_live_webhook_demo1234_3c5cc4491eb422d48c8f78c2f5a6bc2f"
	h, err := receiver.New(receiver.Options{Token: token}, receiver.Callbacks{})
	if err != nil {
		panic(err)
	}
	ca, err := localca.New()
	if err != nil {
		panic(err)
	}
	srv := httptest.NewUnstartedServer(h)
	if srv.TLS, err = ca.ServerTLS(); err != nil {
		panic(err)
	}
	srv.StartTLS()
	defer srv.Close()

	rep, err := contract.Run(context.Background(), contract.Config{
		Target:  srv.URL + "/webhook",
		Token:   token,
		RootCAs: ca.Pool(),
	})
	if err != nil {
		fmt.Println("setup:", err) // a bad Config, or nothing listening
		return
	}
	for _, r := range rep.Results {
		if r.Outcome == contract.Fail {
			fmt.Printf("%s\n%s\n", r.Case.ID, r.Explain())
		}
	}
	if rep.Failed() {
		fmt.Println("the receiver fails:", rep.Summary())
		return
	}
	fmt.Println("the receiver passes") // rep.Summary() gives the counts: N passed, 0 failed, N skipped
	// Output:
	// the receiver passes
}
