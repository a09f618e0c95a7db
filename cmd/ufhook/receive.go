package main

import (
	"errors"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/ufhook/ufhook/receiver"
)

func init() { commands = append(commands, newReceiveCmd) }

// receiveConfig holds the flags of ufhook receive.
type receiveConfig struct {
	listen, token, testToken string
	tlsCert, tlsKey, caOut   string
	plainHTTP, asJSON        bool
}

func newReceiveCmd() *cobra.Command {
	var c receiveConfig
	cmd := &cobra.Command{
		Use:   "receive",
		Short: "Run the reference receiver: verify, validate and print each webhook",
		Long: `Run the reference receiver: it checks the bearer token in constant time,
bounds the body, validates each payload against the spec, and prints one line
per webhook (time, event, mode, record id, status returned). Every path serves
all six events.

Without --tls-cert it serves HTTPS with a certificate for localhost, 127.0.0.1
and ::1 from a fresh local CA, and writes the CA certificate to a file that
ufhook emit --ca and curl --cacert can trust. --http serves plain HTTP and
accepts only test-mode webhooks, since live webhooks need HTTPS.

The token comes from --token or UFHOOK_TOKEN; the test-mode token, when it
differs, from --test-token or UFHOOK_TEST_TOKEN. It stops cleanly on Ctrl+C
or SIGTERM.`,
		Example: `  ufhook receive --token "$UFHOOK_TOKEN"
  ufhook receive --listen 127.0.0.1:0 --token T --test-token T2 --json
  ufhook receive --http --token T`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if c.token == "" {
				c.token = os.Getenv("UFHOOK_TOKEN")
			}
			if c.testToken == "" {
				c.testToken = os.Getenv("UFHOOK_TEST_TOKEN")
			}
			if c.token == "" {
				return usageError("no webhook token: pass --token or set UFHOOK_TOKEN to the token from Userfront's webhook settings")
			}
			if (c.tlsCert == "") != (c.tlsKey == "") {
				return usageError("--tls-cert and --tls-key go together: give both, or neither for a certificate from a fresh local CA")
			}
			if c.plainHTTP && c.tlsCert != "" {
				return usageError("--http serves plain HTTP and takes no --tls-cert: drop one of them")
			}
			if c.caOut != "" && (c.plainHTTP || c.tlsCert != "") {
				return usageError("--ca-out is for the generated CA: drop it with --http or --tls-cert")
			}
			srv, err := receiver.Listen(receiver.ServeConfig{
				Listen:      c.listen,
				Options:     receiver.Options{Token: c.token, TestToken: c.testToken},
				Callbacks:   receiver.Callbacks{OnDelivery: receiver.PrintDeliveries(cmd.OutOrStdout(), c.asJSON)},
				TLSCertFile: c.tlsCert,
				TLSKeyFile:  c.tlsKey,
				CAFile:      c.caOut,
				PlainHTTP:   c.plainHTTP,
				ServerLog:   slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil)),
			})
			if errors.Is(err, receiver.ErrConfig) || errors.Is(err, receiver.ErrNoToken) {
				return asUsage(err)
			}
			if err != nil {
				return err
			}
			if err := srv.WriteHelp(cmd.ErrOrStderr()); err != nil {
				srv.Close()
				return err
			}
			return srv.Serve(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&c.listen, "listen", receiver.DefaultListen, "address to listen on; port 0 picks a free port")
	f.StringVar(&c.token, "token", "", "webhook token, the live-mode one when --test-token is set (default $UFHOOK_TOKEN)")
	f.StringVar(&c.testToken, "test-token", "", "test-mode webhook token, when it differs (default $UFHOOK_TEST_TOKEN)")
	f.StringVar(&c.tlsCert, "tls-cert", "", "PEM certificate to serve (default: one from a fresh local CA)")
	f.StringVar(&c.tlsKey, "tls-key", "", "PEM private key of --tls-cert")
	f.StringVar(&c.caOut, "ca-out", "", "where to write the generated CA certificate (default: ufhook/receive-ca.pem in the user cache folder)")
	f.BoolVar(&c.plainHTTP, "http", false, "serve plain HTTP; accepts test-mode webhooks only")
	f.BoolVar(&c.asJSON, "json", false, "print one JSON object per webhook, with the full payload")
	return cmd
}
