package lambdarie

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// FunctionURLEvent is the event a Lambda function URL sends for an HTTP
// request: pathWithQuery is split into rawPath and rawQueryString, header
// names are lower-cased and multiple values comma-joined, Cookie headers
// move to cookies, and a body that is not UTF-8 is base64-encoded.
func FunctionURLEvent(method, pathWithQuery string, header http.Header, body []byte) []byte {
	return httpEvent("$default", "$default", FunctionURLDomain, method, pathWithQuery, header, body)
}

// FunctionURLDomain is the domain of the function URL FunctionURLEvent
// calls: a client of it signs the audience "https://" + FunctionURLDomain.
const FunctionURLDomain = "abcdefghij.lambda-url.us-east-1.on.aws"

// HTTPAPIEvent is the event an API Gateway HTTP API (payload format 2.0)
// sends from a route ANY /{proxy+} on stage: a named stage prefixes
// rawPath with "/<stage>", as on the API's default endpoint.
func HTTPAPIEvent(stage, method, pathWithQuery string, header http.Header, body []byte) []byte {
	if stage != "$default" {
		pathWithQuery = "/" + stage + pathWithQuery
	}
	return httpEvent(stage, "ANY /{proxy+}", "abcdefghij.execute-api.us-east-1.amazonaws.com", method, pathWithQuery, header, body)
}

func httpEvent(stage, routeKey, domain, method, pathWithQuery string, header http.Header, body []byte) []byte {
	path, query, _ := strings.Cut(pathWithQuery, "?")
	now := time.Now()
	ev := events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RouteKey:       routeKey,
		RawPath:        path,
		RawQueryString: query,
		Headers:        map[string]string{"host": domain},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     routeKey,
			AccountID:    "anonymous",
			Stage:        stage,
			RequestID:    fmt.Sprintf("req-%d", now.UnixNano()),
			APIID:        "abcdefghij",
			DomainName:   domain,
			DomainPrefix: "abcdefghij",
			Time:         now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: method, Path: path, Protocol: "HTTP/1.1", SourceIP: "127.0.0.1", UserAgent: "lambdarie",
			},
		},
	}
	for name, values := range header {
		if strings.EqualFold(name, "Cookie") {
			for _, v := range values {
				for c := range strings.SplitSeq(v, ";") {
					ev.Cookies = append(ev.Cookies, strings.TrimSpace(c))
				}
			}
			continue
		}
		ev.Headers[strings.ToLower(name)] = strings.Join(values, ",")
	}
	if len(body) > 0 {
		if utf8.Valid(body) {
			ev.Body = string(body)
		} else {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
		ev.Headers["content-length"] = fmt.Sprint(len(body))
	}
	out, err := json.Marshal(ev)
	if err != nil {
		panic(err) // a struct of strings always marshals
	}
	return out
}

// HTTPResponse is a function URL or HTTP API 2.0 response document, with
// the body decoded.
type HTTPResponse struct {
	StatusCode int
	Headers    map[string]string
	Cookies    []string
	Body       []byte
}

// FunctionError is the error document of a failed invocation: the
// emulator, like the Lambda Invoke API, answers 200 with it when the
// function returns an error.
type FunctionError struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

// Error reports the function's error.
func (e *FunctionError) Error() string {
	return fmt.Sprintf("function error %s: %s", e.ErrorType, e.ErrorMessage)
}

// HTTP decodes r as a function URL or HTTP API 2.0 response. A failed
// invocation is an error: a *FunctionError when the function returned
// one, else the emulator's status and body.
func (r Response) HTTP() (HTTPResponse, error) {
	if r.Status != http.StatusOK {
		return HTTPResponse{}, fmt.Errorf("invocation failed: emulator status %d: %s", r.Status, r.Body)
	}
	var doc struct {
		events.LambdaFunctionURLResponse
		FunctionError
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		return HTTPResponse{}, fmt.Errorf("decode response %q: %w", r.Body, err)
	}
	if doc.ErrorType != "" || doc.ErrorMessage != "" {
		return HTTPResponse{}, &doc.FunctionError
	}
	if doc.StatusCode == 0 {
		return HTTPResponse{}, fmt.Errorf("response without statusCode: %s", r.Body)
	}
	body := []byte(doc.Body)
	if doc.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(doc.Body); err != nil {
			return HTTPResponse{}, fmt.Errorf("decode base64 response body: %w", err)
		}
	}
	return HTTPResponse{StatusCode: doc.StatusCode, Headers: doc.Headers, Cookies: doc.Cookies, Body: body}, nil
}
