package proof

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// stsNamespace is the XML namespace of STS answers.
const stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// maxAnswerBytes bounds the STS answer read; a GetCallerIdentity answer
// is under 1 KiB.
const maxAnswerBytes = 64 << 10

// callerIdentity is the result of GetCallerIdentity.
type callerIdentity struct {
	arn, userID, account string
}

// defaultTransport is shared by the default clients so that connections to
// STS are reused across calls. It is made on first use, not by every
// process at start-up. A busy service forwards many proofs at once: with
// net/http's default of 2 idle connections per host, all but two would be
// closed after each call and dialled again (with a TLS handshake against
// real STS) for the next.
var defaultTransport = sync.OnceValue(func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = maxIdleSTSConns
	return t
})

// maxIdleSTSConns is how many idle connections to each STS endpoint are
// kept for reuse: about as many as the concurrent callers a service serves.
const maxIdleSTSConns = 64

// noRedirect makes a client return a redirect as it is.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// client returns the Verifier's client with redirects turned off.
func (v *Verifier) client() *http.Client {
	c := http.Client{Transport: defaultTransport(), Timeout: DefaultSTSTimeout}
	if v.Client != nil {
		c = *v.Client
		if c.Timeout == 0 {
			c.Timeout = DefaultSTSTimeout
		}
	}
	c.CheckRedirect = noRedirect
	return &c
}

// forward sends the checked request, as it is, to the configured endpoint
// and parses the answer.
func (v *Verifier) forward(ctx context.Context, endpoint *url.URL, headers http.Header, body string) (callerIdentity, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint.String(), strings.NewReader(body))
	if err != nil {
		return callerIdentity{}, fmt.Errorf("%w: build request: %v", ErrVerifierConfig, err)
	}
	for name, vs := range headers {
		req.Header[name] = vs
	}
	resp, err := v.client().Do(req)
	if err != nil {
		return callerIdentity{}, fmt.Errorf("%w: %v", ErrSTSUnavailable, unavailableCause(err))
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err != nil {
		return callerIdentity{}, fmt.Errorf("%w: reading the answer: %v", ErrSTSUnavailable, unavailableCause(err))
	}
	if len(answer) > maxAnswerBytes {
		return callerIdentity{}, refuse(ReasonSTSAnswer, "answer too large")
	}
	switch {
	case resp.StatusCode == http.StatusOK:
		return parseAnswer(answer)
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return callerIdentity{}, fmt.Errorf("%w: status %d", ErrSTSUnavailable, resp.StatusCode)
	case resp.StatusCode >= 400:
		code := errorCode(answer)
		switch code {
		case "Throttling", "ThrottlingException", "RequestLimitExceeded", "ServiceUnavailable":
			return callerIdentity{}, fmt.Errorf("%w: %s", ErrSTSUnavailable, code)
		}
		return callerIdentity{}, refuse(ReasonSTSRefused, code)
	default:
		// A redirect, which is not followed, or anything else.
		return callerIdentity{}, refuse(ReasonSTSAnswer, fmt.Sprintf("status %d", resp.StatusCode))
	}
}

// unavailableCause says why STS was not reached without repeating the URL.
func unavailableCause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return "timeout"
		}
		err = ue.Err
	}
	if errors.Is(err, context.Canceled) {
		return "canceled"
	}
	return err.Error()
}

// errorCode returns the <Code> of an STS <ErrorResponse> when it is a
// plain identifier, else "unknown". Messages are not kept: STS's can hold
// the canonical request.
func errorCode(answer []byte) string {
	var e struct {
		Error struct {
			Code string `xml:"Code"`
		} `xml:"Error"`
	}
	if xml.Unmarshal(answer, &e) != nil {
		return "unknown"
	}
	c := e.Error.Code
	if c == "" || len(c) > 64 {
		return "unknown"
	}
	for i := 0; i < len(c); i++ {
		ch := c[i]
		if !(ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '.') {
			return "unknown"
		}
	}
	return c
}

// parseAnswer reads a GetCallerIdentity answer strictly:
//
//	<?xml ...?>
//	<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
//	  <GetCallerIdentityResult><Arn/><UserId/><Account/></GetCallerIdentityResult>
//	  <ResponseMetadata><RequestId/></ResponseMetadata>
//	</GetCallerIdentityResponse>
//
// in the STS namespace, each element once, text only in the leaves, nothing
// else before or after. encoding/xml alone would skip unknown elements and
// leading garbage, which is how Vault was fooled into reading an identity
// out of another service's answer (CVE-2020-16250).
func parseAnswer(answer []byte) (callerIdentity, error) {
	bad := func(why string) (callerIdentity, error) { return callerIdentity{}, refuse(ReasonSTSAnswer, why) }
	dec := xml.NewDecoder(bytes.NewReader(answer))
	dec.Strict = true
	root, err := nextElement(dec, true)
	if err != nil || root.Name.Local != "GetCallerIdentityResponse" || root.Name.Space != stsNamespace {
		return bad("not a GetCallerIdentityResponse")
	}
	for _, a := range root.Attr {
		if a.Name.Space != "" || a.Name.Local != "xmlns" {
			return bad("unexpected attribute")
		}
	}
	var id callerIdentity
	var haveResult, haveMeta bool
	for {
		t, err := nextChild(dec)
		if err != nil {
			return bad("malformed")
		}
		if t == nil {
			break // </GetCallerIdentityResponse>
		}
		switch {
		case t.Name.Local == "GetCallerIdentityResult" && !haveResult:
			haveResult = true
			fields, err := leaves(dec, "Arn", "UserId", "Account")
			if err != nil {
				return bad("malformed result")
			}
			id = callerIdentity{arn: fields["Arn"], userID: fields["UserId"], account: fields["Account"]}
		case t.Name.Local == "ResponseMetadata" && !haveMeta:
			haveMeta = true
			if _, err := leaves(dec, "RequestId"); err != nil {
				return bad("malformed metadata")
			}
		default:
			return bad("unexpected or repeated element")
		}
	}
	if !haveResult || !haveMeta {
		return bad("missing result or metadata")
	}
	for {
		t, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return bad("malformed after the root")
		}
		if cd, ok := t.(xml.CharData); !ok || len(bytes.TrimSpace(cd)) != 0 {
			return bad("data after the root")
		}
	}
	return id, nil
}

// nextElement skips the XML declaration and whitespace and returns the
// next start element; anything else is an error.
func nextElement(dec *xml.Decoder, allowDecl bool) (*xml.StartElement, error) {
	for {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch t := t.(type) {
		case xml.ProcInst:
			if !allowDecl || t.Target != "xml" {
				return nil, errors.New("processing instruction")
			}
			allowDecl = false
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return nil, errors.New("text")
			}
		case xml.StartElement:
			if t.Name.Space != stsNamespace {
				return nil, errors.New("foreign namespace")
			}
			return &t, nil
		default:
			return nil, errors.New("unexpected token")
		}
	}
}

// nextChild returns the next child element of the current element, or nil
// at its end; only whitespace may sit between children.
func nextChild(dec *xml.Decoder) (*xml.StartElement, error) {
	for {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch t := t.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return nil, errors.New("text between elements")
			}
		case xml.StartElement:
			if t.Name.Space != stsNamespace || len(t.Attr) != 0 {
				return nil, errors.New("foreign namespace or attribute")
			}
			return &t, nil
		case xml.EndElement:
			return nil, nil
		default:
			return nil, errors.New("unexpected token")
		}
	}
}

// leaves reads the children of the current element, which must be exactly
// the named leaves, each once with text only, and returns their text.
func leaves(dec *xml.Decoder, names ...string) (map[string]string, error) {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	got := map[string]string{}
	for {
		child, err := nextChild(dec)
		if err != nil {
			return nil, err
		}
		if child == nil {
			break
		}
		name := child.Name.Local
		if _, dup := got[name]; dup || !want[name] {
			return nil, errors.New("unexpected or repeated leaf")
		}
		var text strings.Builder
		for done := false; !done; {
			t, err := dec.Token()
			if err != nil {
				return nil, err
			}
			switch t := t.(type) {
			case xml.CharData:
				text.Write(t)
			case xml.EndElement:
				done = true
			default:
				return nil, errors.New("leaf with children")
			}
		}
		got[name] = strings.TrimSpace(text.String())
	}
	if len(got) != len(names) {
		return nil, errors.New("missing leaf")
	}
	return got, nil
}
