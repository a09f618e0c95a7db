package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"
)

func init() { commands = append(commands, newHealthcheckCmd) }

// defaultHealthURL is the dashboard page of `ufhook serve` at its default
// --listen; it answers 200 without a key once the server is up.
const defaultHealthURL = "http://127.0.0.1:8787/"

// newHealthcheckCmd is the hidden command behind the container image's
// HEALTHCHECK: the image is built FROM scratch, with no curl or wget, so
// ufhook asks the server itself.
func newHealthcheckCmd() *cobra.Command {
	var url string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:    "healthcheck",
		Short:  "Exit 0 when --url answers 200 (the container image's HEALTHCHECK for serve)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if timeout <= 0 {
				return usageError("--timeout %s: give a positive duration, such as 3s", timeout)
			}
			client := &http.Client{Timeout: timeout}
			resp, err := client.Get(url)
			if err != nil {
				return failure(fmt.Errorf("unhealthy: %w (is ufhook serve listening there? match --url to its --listen)", err))
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return failure(fmt.Errorf("unhealthy: GET %s answered %s, want 200 OK", url, resp.Status))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "healthy: GET %s answered %s\n", url, resp.Status)
			return nil
		},
	}
	cmd.Flags().StringVar(&url, "url", defaultHealthURL, "URL to GET; the default is serve's dashboard at its default --listen")
	cmd.Flags().DurationVar(&timeout, "timeout", 3*time.Second, "bound on the request")
	return cmd
}
