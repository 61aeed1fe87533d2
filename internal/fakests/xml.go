package fakests

import (
	"encoding/xml"
	"net/http"
	"time"
)

// stsNamespace is the XML namespace of every STS response.
const stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// apiError is an STS error as answered to the client.
type apiError struct {
	status  int
	code    string
	message string
}

// credentialsXML is the <Credentials> element of AssumeRole and
// GetSessionToken results.
type credentialsXML struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

// responseMetadata is the <ResponseMetadata> element of every success.
type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

// responseTail holds what every success response carries besides its
// result: the namespace and the request ID. It is embedded last so that
// <ResponseMetadata> follows the result, as in AWS responses.
type responseTail struct {
	Xmlns    string           `xml:"xmlns,attr"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

// stamp sets the namespace and the request ID of a success response.
func (r *responseTail) stamp(requestID string) {
	r.Xmlns = stsNamespace
	r.Metadata.RequestID = requestID
}

// stamper is a success response, which serveHTTP stamps before sending.
type stamper interface {
	stamp(requestID string)
}

// assumedRoleUserXML is the <AssumedRoleUser> element of an AssumeRole result.
type assumedRoleUserXML struct {
	Arn           string `xml:"Arn"`
	AssumedRoleID string `xml:"AssumedRoleId"`
}

// assumeRoleResponse is the body of a successful AssumeRole.
type assumeRoleResponse struct {
	XMLName xml.Name `xml:"AssumeRoleResponse"`
	Result  struct {
		Credentials     credentialsXML     `xml:"Credentials"`
		AssumedRoleUser assumedRoleUserXML `xml:"AssumedRoleUser"`
		SourceIdentity  string             `xml:"SourceIdentity,omitempty"`
	} `xml:"AssumeRoleResult"`
	responseTail
}

// getSessionTokenResponse is the body of a successful GetSessionToken.
type getSessionTokenResponse struct {
	XMLName xml.Name `xml:"GetSessionTokenResponse"`
	Result  struct {
		Credentials credentialsXML `xml:"Credentials"`
	} `xml:"GetSessionTokenResult"`
	responseTail
}

// getCallerIdentityResponse is the body of a successful GetCallerIdentity.
type getCallerIdentityResponse struct {
	XMLName xml.Name `xml:"GetCallerIdentityResponse"`
	Result  struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	} `xml:"GetCallerIdentityResult"`
	responseTail
}

// errorResponse is the body of every failure.
type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// credentialsElement renders issued credentials. Expiration is RFC 3339 in
// UTC, which the SDK's date-time parser accepts.
func credentialsElement(c issued) credentialsXML {
	return credentialsXML{
		AccessKeyID:     c.accessKeyID,
		SecretAccessKey: c.secret,
		SessionToken:    c.sessionToken,
		Expiration:      c.expiration.UTC().Format(time.RFC3339),
	}
}

// writeXML sends body with status. A body that does not marshal (which
// the types above cannot cause) becomes a bare 500.
func writeXML(w http.ResponseWriter, status int, requestID string, body any) {
	out, err := xml.Marshal(body)
	if err != nil {
		http.Error(w, "internal error rendering response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	if requestID != "" {
		w.Header().Set("X-Amzn-Requestid", requestID)
	}
	w.WriteHeader(status)
	// The status line is already sent; a failed write only means the
	// client went away, and there is no one left to tell.
	_, _ = w.Write(append([]byte(xml.Header), out...))
}

// writeError sends e as an <ErrorResponse>.
func writeError(w http.ResponseWriter, requestID string, e *apiError) {
	var body errorResponse
	body.Xmlns = stsNamespace
	body.Error.Type = "Sender"
	if e.status >= 500 {
		body.Error.Type = "Receiver"
	}
	body.Error.Code = e.code
	body.Error.Message = e.message
	body.RequestID = requestID
	writeXML(w, e.status, requestID, &body)
}
