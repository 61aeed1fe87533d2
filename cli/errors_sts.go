package cli

import (
	"errors"
	"fmt"

	"github.com/sentinel-cli/sentinel/vault"
)

// messageFor is the line printed for err: its own message, except for the
// typed errors whose lower-layer text would mislead (an SDK's
// "UnknownError" for a web server's 404 page).
func messageFor(err error) string {
	var notSTS *vault.NotSTSError
	if errors.As(err, &notSTS) {
		return fmt.Sprintf("STS endpoint %s answered HTTP %d; is it an STS endpoint?", notSTS.Endpoint, notSTS.Status)
	}
	return err.Error()
}

// notSTSHint is the advice for an endpoint that is not STS.
const notSTSHint = "check AWS_ENDPOINT_URL_STS, or endpoint_url in the profile in ~/.aws/config: it must be an STS endpoint such as https://sts.eu-west-1.amazonaws.com"
