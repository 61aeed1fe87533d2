package vault

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkWarmPath measures what credential_process does before every AWS
// CLI call when role credentials are cached: load the AWS config, resolve
// the chain, open the file keyring and read the cached role credentials
// (one decryption). No network.
func BenchmarkWarmPath(b *testing.B) {
	dir := b.TempDir()
	cfgPath := filepath.Join(dir, "config")
	if err := os.WriteFile(cfgPath, []byte(sampleConfig), 0o600); err != nil {
		b.Fatal(err)
	}
	krDir := filepath.Join(dir, "keyring")
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	kr, err := OpenKeyring(KeyringConfig{Backend: "file", FileDir: krDir, Passphrase: "pw"})
	if err != nil {
		b.Fatal(err)
	}
	if err := NewKeyStore(kr).Set("base", Credentials{AccessKeyID: "AKIA", SecretAccessKey: "S"}); err != nil {
		b.Fatal(err)
	}
	key := RoleKey{Profile: "prod", Base: "alice", RoleARNs: []string{"arn:aws:iam::222233334444:role/prod"}, Basis: "direct"}
	if err := NewCache(kr, clock).PutRole(key, RoleEntry{Credentials: tempCreds(now.Add(time.Hour)), Identity: aliceID}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := LoadConfigFile(cfgPath)
		if err != nil {
			b.Fatal(err)
		}
		kr, err := OpenKeyring(KeyringConfig{Backend: "file", FileDir: krDir, Passphrase: "pw"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ResolveChain(c, "prod", NewKeyStore(kr).Has); err != nil {
			b.Fatal(err)
		}
		if _, ok, err := NewCache(kr, clock).Role(key); !ok || err != nil {
			b.Fatal("cache miss")
		}
	}
}

// BenchmarkLoadConfig measures parsing the sample AWS config alone, to set
// against BenchmarkWarmPath (whose cost is mostly the keyring decryption).
func BenchmarkLoadConfig(b *testing.B) {
	data := []byte(sampleConfig)
	for i := 0; i < b.N; i++ {
		if _, err := ParseConfig(data, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}
