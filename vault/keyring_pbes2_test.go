package vault

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	jose "github.com/dvsekhvalnov/jose2go"
	"github.com/dvsekhvalnov/jose2go/base64url"
	"github.com/dvsekhvalnov/jose2go/kdf"
)

// joseHeader is what a header looks like after the JWE's JSON is read back:
// numbers are float64.
func joseHeader(t *testing.T, h map[string]interface{}) map[string]interface{} {
	t.Helper()
	raw, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]interface{}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// The derived key is jose2go's, byte for byte, for the rounds the keyring
// writes and for others an item's header could carry.
func TestPBES2KeyIsJose2gos(t *testing.T) {
	salt := []byte("0123456789ab")
	for _, rounds := range []int{1, 2, 1000, 8192, 10001} {
		for _, pass := range []string{"", "p", "bench-only-passphrase", strings.Repeat("long ", 40)} {
			got, err := pbes2HS256A128KW{}.kek(pass, salt, rounds)
			if err != nil {
				t.Fatal(err)
			}
			full := append(append([]byte(jose.PBES2_HS256_A128KW), 0), salt...)
			want := kdf.DerivePBKDF2([]byte(pass), full, rounds, 128, sha256.New)
			if !bytes.Equal(got, want) {
				t.Errorf("rounds %d, passphrase of %d bytes: key %x, jose2go's %x", rounds, len(pass), got, want)
			}
		}
	}
}

// What jose2go's implementation wraps, this one unwraps, and the other way
// round: items written before and after the change read the same.
func TestPBES2UnwrapsBothWays(t *testing.T) {
	theirs := jose.NewPbse2HmacAesKWAlg(128, pbes2MaxRounds, 0)
	ours := pbes2HS256A128KW{}
	const pass = "correct horse"
	tests := []struct {
		name       string
		wrap, open jose.JwaAlgorithm
	}{
		{"jose2go wraps, we unwrap", theirs, ours},
		{"we wrap, jose2go unwraps", ours, theirs},
		{"we wrap, we unwrap", ours, ours},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := map[string]interface{}{"alg": jose.PBES2_HS256_A128KW}
			cek, enc, err := tt.wrap.WrapNewKey(256, pass, header)
			if err != nil {
				t.Fatal(err)
			}
			if header["p2c"] != pbes2WriteRounds {
				t.Fatalf("p2c %v, want %d", header["p2c"], pbes2WriteRounds)
			}
			got, err := tt.open.Unwrap(enc, pass, 256, joseHeader(t, header))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, cek) {
				t.Fatalf("content key %x, want %x", got, cek)
			}
			if _, err := tt.open.Unwrap(enc, "wrong horse", 256, joseHeader(t, header)); err == nil {
				t.Fatal("a wrong passphrase unwrapped the key")
			}
		})
	}
}

// A whole token goes through jose2go's Encrypt and Decode with this
// implementation registered, as the file keyring calls them.
func TestPBES2TokenRoundTrip(t *testing.T) {
	token, err := jose.Encrypt(`{"Key":"v"}`, jose.PBES2_HS256_A128KW, jose.A256GCM, "pw",
		jose.Headers(map[string]interface{}{"created": "now"}))
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := jose.Decode(token, "pw")
	if err != nil || got != `{"Key":"v"}` {
		t.Fatalf("Decode = %q, %v", got, err)
	}
	if _, _, err := jose.Decode(token, "not-pw"); err == nil {
		t.Fatal("Decode with a wrong passphrase succeeded")
	}
}

// A header an attacker wrote is refused before any derivation when its
// round count or salt is malformed.
func TestPBES2RefusesBadHeaders(t *testing.T) {
	salt := base64url.Encode([]byte("0123456789ab"))
	tests := []struct {
		name   string
		header map[string]interface{}
	}{
		{"no p2c", map[string]interface{}{"p2s": salt}},
		{"p2c a string", map[string]interface{}{"p2c": "8192", "p2s": salt}},
		{"p2c zero", map[string]interface{}{"p2c": 0.0, "p2s": salt}},
		{"p2c negative", map[string]interface{}{"p2c": -5.0, "p2s": salt}},
		{"p2c fractional", map[string]interface{}{"p2c": 8191.5, "p2s": salt}},
		{"p2c over the bound", map[string]interface{}{"p2c": float64(pbes2MaxRounds + 1), "p2s": salt}},
		{"p2c huge", map[string]interface{}{"p2c": 1e300, "p2s": salt}},
		{"no p2s", map[string]interface{}{"p2c": 8192.0}},
		{"p2s not base64url", map[string]interface{}{"p2c": 8192.0, "p2s": "!!"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.header["alg"] = jose.PBES2_HS256_A128KW
			if _, err := (pbes2HS256A128KW{}).Unwrap(make([]byte, 40), "pw", 256, tt.header); err == nil {
				t.Fatal("Unwrap accepted the header")
			}
		})
	}
	if _, err := (pbes2HS256A128KW{}).Unwrap(make([]byte, 40), []byte("pw"), 256, map[string]interface{}{}); err == nil {
		t.Fatal("Unwrap accepted a key that is not a passphrase")
	}
}

// A wrapped key that is not whole 64-bit blocks, or too short to hold a
// key, is an error, not a panic (jose2go's own unwrap indexed past the end).
func TestPBES2RefusesMalformedWrappedKeys(t *testing.T) {
	h := map[string]interface{}{"alg": jose.PBES2_HS256_A128KW, "p2c": 8192.0, "p2s": base64url.Encode([]byte("0123456789ab"))}
	for _, n := range []int{0, 1, 7, 8, 16, 23, 25, 39} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			if _, err := (pbes2HS256A128KW{}).Unwrap(make([]byte, n), "pw", 256, h); err == nil {
				t.Fatalf("a wrapped key of %d bytes unwrapped", n)
			}
		})
	}
}

func BenchmarkPBES2Unwrap(b *testing.B) {
	for _, alg := range []jose.JwaAlgorithm{jose.NewPbse2HmacAesKWAlg(128, pbes2MaxRounds, 0), pbes2HS256A128KW{}} {
		header := map[string]interface{}{"alg": jose.PBES2_HS256_A128KW}
		_, enc, err := alg.WrapNewKey(256, "pw", header)
		if err != nil {
			b.Fatal(err)
		}
		h := map[string]interface{}{"alg": jose.PBES2_HS256_A128KW, "p2c": float64(header["p2c"].(int)), "p2s": header["p2s"]}
		name := "ours"
		if _, isOurs := alg.(pbes2HS256A128KW); !isOurs {
			name = "jose2go"
		}
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := alg.Unwrap(enc, "pw", 256, h); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzPBES2Header unwraps with any p2c and p2s an item's header could
// carry: no panic, and a round count outside 1..pbes2MaxRounds is refused
// before any derivation.
func FuzzPBES2Header(f *testing.F) {
	f.Add(8192.0, "MDEyMzQ1Njc4OWFi", []byte("0123456789abcdef01234567890abcdef0123456"))
	f.Add(0.0, "", []byte{})
	f.Add(1e300, "!!", []byte{1})
	f.Fuzz(func(t *testing.T, p2c float64, p2s string, enc []byte) {
		if p2c > 20000 && p2c <= pbes2MaxRounds {
			p2c = 20000 // keep each case quick; the bound itself is tested above
		}
		h := map[string]interface{}{"alg": jose.PBES2_HS256_A128KW, "p2c": p2c, "p2s": p2s}
		_, err := (pbes2HS256A128KW{}).Unwrap(enc, "pw", 256, h)
		if (!(p2c >= 1) || p2c > pbes2MaxRounds) && err == nil {
			t.Fatalf("p2c %v accepted", p2c)
		}
	})
}
