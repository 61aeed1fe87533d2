package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// The headers of a signed notification.
const (
	HeaderTimestamp = "X-Sentinel-Timestamp"
	HeaderSignature = "X-Sentinel-Signature"
)

// Signature is the X-Sentinel-Signature value of body sent at unix time
// ts: "sha256=" and the hex HMAC-SHA256 under secret of ts, ".", body. A
// receiver recomputes it, compares in constant time (hmac.Equal) and
// refuses a timestamp too far from its own clock.
func Signature(secret []byte, ts int64, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}
