//go:build tools

// Package tools pins the Temporal CLI (dev server with Web UI) that esu-bridge runs locally.
// Build: go build -o ../../.tools/bin/temporal github.com/temporalio/cli/cmd/temporal
package tools

import _ "github.com/temporalio/cli/cmd/temporal"
