package vault

import (
	"encoding/xml"
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// ErrNotSTS means the STS endpoint answered, but not as STS does: a web
// server, a proxy's error page, or a service other than STS is at that
// address. *NotSTSError matches it.
var ErrNotSTS = errors.New("the endpoint is not STS")

// NotSTSError says that the STS endpoint answered an STS call with
// something that is not an STS answer.
type NotSTSError struct {
	// Action is the call (GetCallerIdentity, AssumeRole, ...).
	Action string
	// Endpoint is the URL called.
	Endpoint string
	// Status is the HTTP status of the answer.
	Status int
	// Err is what the SDK made of the answer, if anything.
	Err error
}

func (e *NotSTSError) Error() string {
	return fmt.Sprintf("STS %s: %s answered HTTP %d, which is not an STS answer", e.Action, e.Endpoint, e.Status)
}

// Unwrap makes errors.Is(err, ErrNotSTS) hold, and keeps the SDK's error.
func (e *NotSTSError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrNotSTS}
	}
	return []error{ErrNotSTS, e.Err}
}

// notSTSAnswer returns a *NotSTSError when err says that an HTTP answer
// came back but could not be read as STS's: its body did not decode (a
// success that is not XML is a DeserializationError; an error answer
// that is not XML, such as most HTML pages, comes back as a plain error
// with no API error in it), or held no STS error code (the SDK then
// reports "UnknownError"). It returns nil for every other error,
// including STS's own refusals.
func notSTSAnswer(action, endpoint string, err error) error {
	var resp *smithyhttp.ResponseError
	// No status: the request was never answered (refused, reset), which
	// the SDK also wraps in a ResponseError.
	if !errors.As(err, &resp) || resp.Response == nil || resp.HTTPStatusCode() == 0 {
		return nil
	}
	var deser *smithy.DeserializationError
	var apiErr smithy.APIError
	switch {
	case errors.As(err, &deser):
	case !errors.As(err, &apiErr):
	case apiErr.ErrorCode() == "" || apiErr.ErrorCode() == "UnknownError":
	default:
		return nil
	}
	return &NotSTSError{Action: action, Endpoint: endpoint, Status: resp.HTTPStatusCode(), Err: err}
}

// isSTSErrorDocument reports whether body is STS's error document:
// <ErrorResponse><Error><Code>...</Code>...</Error>...</ErrorResponse>.
func isSTSErrorDocument(body []byte) bool {
	var doc struct {
		XMLName xml.Name
		Error   struct {
			Code string
		}
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		return false
	}
	return doc.XMLName.Local == "ErrorResponse" && doc.Error.Code != ""
}
