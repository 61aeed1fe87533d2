package fakests

import (
	"net/url"
	"time"
)

// Call is the record of one request to the Server. It holds no secret key:
// the form never carries one, and the Authorization header and session
// token are not kept. Params does keep the one-time MFA TokenCode, so that
// tests can check it was passed on.
type Call struct {
	// Action is the requested STS action, as sent (it may be unknown).
	Action string
	// AccessKeyID is the caller's access key ID from the Authorization
	// header, or "" if the request had none.
	AccessKeyID string
	// CallerARN is the identity of the caller once authenticated, or "" if
	// the call failed before (or in) authentication.
	CallerARN string
	// Params holds every form value of the request, Action included.
	Params url.Values
	// Time is when the request arrived, by the Server's clock.
	Time time.Time
	// Status is the HTTP status answered, or 0 while the call is in flight.
	Status int
	// ErrorCode is the STS error code answered, or "" on success.
	ErrorCode string
}

// Calls returns a copy of every call recorded since the start or the last
// Reset, oldest first. Calls still in flight are included with Status 0.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, 0, len(s.calls))
	for _, c := range s.calls {
		out = append(out, c.clone())
	}
	return out
}

// CallsOf returns the recorded calls of action, oldest first.
func (s *Server) CallsOf(action string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.Action == action {
			out = append(out, c.clone())
		}
	}
	return out
}

// Reset forgets the recorded calls. Users, roles, faults, the delay and
// issued credentials stay as they are.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// record stores a new in-flight call and returns it for finish.
func (s *Server) record(action, accessKeyID string, params url.Values, at time.Time) *Call {
	c := &Call{Action: action, AccessKeyID: accessKeyID, Params: cloneValues(params), Time: at}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	return c
}

// finish fills in the outcome of c and hands a copy to the call hook. A
// Reset in between only means the outcome lands in a forgotten record.
func (s *Server) finish(c *Call, callerARN string, status int, errorCode string) {
	s.mu.Lock()
	c.CallerARN = callerARN
	c.Status = status
	c.ErrorCode = errorCode
	done := c.clone()
	hook := s.onCall
	s.mu.Unlock()
	if hook != nil {
		hook(done)
	}
}

// clone copies c deeply so that callers cannot change the record.
func (c *Call) clone() Call {
	out := *c
	out.Params = cloneValues(c.Params)
	return out
}

// cloneValues copies v, slices included.
func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
