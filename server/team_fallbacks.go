package server

import (
	"net/http"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/teamapi"
)

// fallbackWriter adds the call's revocation fallbacks (see
// teamapi.FallbackHeader) to the answer's headers when it is written: the
// routes call the broker before they answer, so every fallback is known
// by then.
type fallbackWriter struct {
	http.ResponseWriter
	fallbacks *broker.Fallbacks
	wrote     bool
}

func (w *fallbackWriter) WriteHeader(status int) {
	if !w.wrote {
		w.wrote = true
		for _, fb := range w.fallbacks.List() {
			w.Header().Add(teamapi.FallbackHeader, teamapi.FormatFallback(fb.Role, fb.IssuedBefore))
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *fallbackWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}
