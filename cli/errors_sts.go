package cli

import (
	"errors"
	"fmt"
	"strings"

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

// stampRefused reports whether STS refused an AssumeRole for one of the
// two actions sentinel's stamp adds (its message names the action it
// refused): a role whose trust was written for plain AssumeRole.
func stampRefused(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "perform: sts:SetSourceIdentity") || strings.Contains(msg, "perform: sts:TagSession")
}

// stampRefusedHint says what the role's trust needs for the stamp.
const stampRefusedHint = "sentinel stamps every AssumeRole with a SourceIdentity and a session tag: the role's trust policy must allow sts:SetSourceIdentity and sts:TagSession besides sts:AssumeRole (and so must your IAM policy when the trust names the account)"
