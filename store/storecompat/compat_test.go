package storecompat

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	bolt "go.etcd.io/bbolt"

	"github.com/sentinel-cli/sentinel/internal/dynamolocal"
	ddbstore "github.com/sentinel-cli/sentinel/store/dynamodb"
	"github.com/sentinel-cli/sentinel/store/local"
)

// The fixture files, written by the release-era code (see testdata/README).
const (
	localFixture = "testdata/local.db"
	ddbFixtures  = "testdata/dynamodb"
)

// ddbTables names the fixture file of each DynamoDB table.
var ddbTables = []string{"requests", "breakglass", "sessions"}

// TestLocalCompat opens a copy of the bbolt file the previous release wrote
// and checks that the current store reads and changes it.
func TestLocalCompat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	raw, err := os.ReadFile(localFixture)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	b := openLocal(t, path)
	b.lockHolder = func(ctx context.Context, oldHolder string) (string, error) {
		return localLockHolder(path, oldHolder)
	}
	t.Run("reads", func(t *testing.T) { checkReads(t, b) })
	checkChanges(t, b)
}

// TestDynamoDBCompat creates the tables with the current init code, loads
// the items the previous release wrote, and runs the same checks.
func TestDynamoDBCompat(t *testing.T) {
	needLocal(t)
	b, tables := openDynamoDB(t)
	client := rawClient(t)
	for _, kind := range ddbTables {
		items, err := readItems(filepath.Join(ddbFixtures, kind+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if len(items) == 0 {
			t.Fatalf("fixture %s holds no items", kind)
		}
		for _, it := range items {
			if _, err := client.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(tables[kind]), Item: it}); err != nil {
				t.Fatalf("load %s item into %s: %v", kind, tables[kind], err)
			}
		}
	}
	b.lockHolder = func(ctx context.Context, oldHolder string) (string, error) {
		return ddbLockHolder(ctx, client, tables["breakglass"], oldHolder)
	}
	t.Run("reads", func(t *testing.T) { checkReads(t, b) })
	checkChanges(t, b)
	t.Run("changed items keep their index keys", func(t *testing.T) {
		changed := map[string]bool{wantRequests[0].ID: true, wantEvents[4].ID: true, wantSessions[0].ID: true, wantSessions[3].ID: true}
		for _, kind := range ddbTables {
			checkIndexKeys(t, client, tables[kind], filepath.Join(ddbFixtures, kind+".json"), changed)
		}
	})
}

// checkIndexKeys compares, for each item of the fixture file whose id is
// in changed, every index key attribute the current table declares (other
// than the status, which a change moves) with the item as it is now. A
// change to the encoding of a sort key (created_key and the like) would
// leave old and rewritten items ordered differently in the same index.
func checkIndexKeys(t *testing.T, client *dynamodb.Client, table, fixture string, changed map[string]bool) {
	t.Helper()
	desc, err := client.DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, gsi := range desc.Table.GlobalSecondaryIndexes {
		for _, k := range gsi.KeySchema {
			keys[aws.ToString(k.AttributeName)] = true
		}
	}
	delete(keys, "status")
	items, err := readItems(fixture)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, old := range items {
		id, _ := old["id"].(*types.AttributeValueMemberS)
		if id == nil || !changed[id.Value] {
			continue
		}
		seen++
		out, err := client.GetItem(t.Context(), &dynamodb.GetItemInput{
			TableName: aws.String(table), ConsistentRead: aws.Bool(true),
			Key: map[string]types.AttributeValue{"id": id},
		})
		if err != nil {
			t.Fatal(err)
		}
		for k := range keys {
			if !reflect.DeepEqual(old[k], out.Item[k]) {
				t.Errorf("%s: index key %s was %#v, is %#v after a change", id.Value, k, old[k], out.Item[k])
			}
		}
	}
	if seen == 0 {
		t.Errorf("%s: no changed item among the fixtures", fixture)
	}
}

// localLockHolder finds, in the fixture file, the key of the locks bucket
// whose value names oldHolder, and returns the event named under that key
// in the file at path. The store opens the file per operation, so it is
// free between them.
func localLockHolder(path, oldHolder string) (string, error) {
	key, err := boltFind(localFixture, func(k, v []byte) bool {
		var l struct {
			EventID string `json:"event_id"`
		}
		return json.Unmarshal(v, &l) == nil && l.EventID == oldHolder
	})
	if err != nil || key == nil {
		return "", fmt.Errorf("no lock of %s in the fixture (%v)", oldHolder, err)
	}
	var holder string
	_, err = boltFind(path, func(k, v []byte) bool {
		if !bytes.Equal(k, key) {
			return false
		}
		var l struct {
			EventID string `json:"event_id"`
		}
		if err := json.Unmarshal(v, &l); err == nil {
			holder = l.EventID
		}
		return true
	})
	return holder, err
}

// boltFind returns the first key of the locks bucket of the bbolt file at
// path for which match holds.
func boltFind(path string, match func(k, v []byte) bool) ([]byte, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var found []byte
	err = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("locks"))
		if b == nil {
			return errors.New("no locks bucket")
		}
		return b.ForEach(func(k, v []byte) error {
			if found == nil && match(k, v) {
				found = bytes.Clone(k)
			}
			return nil
		})
	})
	return found, err
}

// ddbLockHolder finds, among the fixture items, the item other than the
// event that names oldHolder in a top-level string attribute (its lock),
// and returns what that attribute of that item holds now in table.
func ddbLockHolder(ctx context.Context, client *dynamodb.Client, table, oldHolder string) (string, error) {
	items, err := readItems(filepath.Join(ddbFixtures, "breakglass.json"))
	if err != nil {
		return "", err
	}
	for _, it := range items {
		id, _ := it["id"].(*types.AttributeValueMemberS)
		if id == nil || id.Value == oldHolder {
			continue
		}
		for name, av := range it {
			if s, ok := av.(*types.AttributeValueMemberS); !ok || s.Value != oldHolder {
				continue
			}
			out, err := client.GetItem(ctx, &dynamodb.GetItemInput{
				TableName: aws.String(table), ConsistentRead: aws.Bool(true),
				Key: map[string]types.AttributeValue{"id": id},
			})
			if err != nil {
				return "", err
			}
			now, _ := out.Item[name].(*types.AttributeValueMemberS)
			if now == nil {
				return "", nil
			}
			return now.Value, nil
		}
	}
	return "", fmt.Errorf("no lock of %s in the fixture", oldHolder)
}

// openLocal opens the bbolt store at path on the fixtures' clock.
func openLocal(t *testing.T, path string) *backend {
	t.Helper()
	s, err := local.Open(path, local.Options{PerOperation: true, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return &backend{requests: s.Requests(), events: s.Breakglass(), sessions: s.Sessions(), team: s, log: s.Anchors()}
}

// openDynamoDB creates fresh tables with the store's own init code and
// returns the store and the table name of each fixture kind.
func openDynamoDB(t *testing.T) (*backend, map[string]string) {
	t.Helper()
	tables := map[string]string{}
	for _, kind := range ddbTables {
		tables[kind] = uniqueName(t, kind)
	}
	s, err := ddbstore.New(t.Context(), ddbstore.Options{
		Region:          "us-east-1",
		RequestsTable:   tables["requests"],
		BreakglassTable: tables["breakglass"],
		SessionsTable:   tables["sessions"],
		Credentials:     testCredentials,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.InitTables(t.Context(), false, io.Discard); err != nil {
		t.Fatalf("InitTables: %v", err)
	}
	client := rawClient(t)
	t.Cleanup(func() {
		for _, name := range tables {
			client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
		}
	})
	return &backend{requests: s.Requests(), events: s.Breakglass(), sessions: s.Sessions(), team: s}, tables
}

// --- DynamoDB Local, one per test binary ---

// dynamo is the one DynamoDB Local of this test binary, started by the
// first test that needs it.
var dynamo dynamolocal.Shared

var testCredentials = credentials.NewStaticCredentialsProvider("AKIDTESTONLY", "not-a-real-secret", "")

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "sentinel-storecompat-test-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "store/storecompat tests: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	for k, v := range map[string]string{
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "no-such-config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "no-such-credentials"),
		"HOME":                        dir,
		"AWS_REGION":                  "us-east-1",
	} {
		os.Setenv(k, v)
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		os.Unsetenv(k)
	}
	// A closed loopback port until a test asks for DynamoDB Local: no test
	// can reach real AWS.
	os.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:1")
	defer dynamo.Stop()
	return m.Run()
}

func needLocal(t *testing.T) {
	t.Helper()
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", dynamo.Endpoint(t))
}

func uniqueName(t *testing.T, what string) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "compat-" + hex.EncodeToString(b[:]) + "-" + what
}

// rawClient is a plain DynamoDB client on DynamoDB Local, for loading and
// capturing items beneath the store.
func rawClient(t *testing.T) *dynamodb.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(t.Context(),
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(testCredentials),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}))
	if err != nil {
		t.Fatal(err)
	}
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.DisableValidateResponseChecksum = true })
}

// --- items as JSON, in DynamoDB's low-level form ({"id":{"S":"..."}}) ---

type jsonItem map[string]json.RawMessage

func readItems(path string) ([]map[string]types.AttributeValue, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var items []jsonItem
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make([]map[string]types.AttributeValue, 0, len(items))
	for i, it := range items {
		m, err := decodeMap(it)
		if err != nil {
			return nil, fmt.Errorf("%s: item %d: %w", path, i, err)
		}
		out = append(out, m)
	}
	return out, nil
}

func decodeMap(it map[string]json.RawMessage) (map[string]types.AttributeValue, error) {
	m := make(map[string]types.AttributeValue, len(it))
	for name, raw := range it {
		av, err := decodeAV(raw)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", name, err)
		}
		m[name] = av
	}
	return m, nil
}

func decodeAV(raw json.RawMessage) (types.AttributeValue, error) {
	var one map[string]json.RawMessage
	if err := json.Unmarshal(raw, &one); err != nil {
		return nil, err
	}
	if len(one) != 1 {
		return nil, fmt.Errorf("want one type key, got %d", len(one))
	}
	for typ, v := range one {
		switch typ {
		case "S":
			var s string
			err := json.Unmarshal(v, &s)
			return &types.AttributeValueMemberS{Value: s}, err
		case "N":
			var s string
			err := json.Unmarshal(v, &s)
			return &types.AttributeValueMemberN{Value: s}, err
		case "B":
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, err
			}
			b, err := base64.StdEncoding.DecodeString(s)
			return &types.AttributeValueMemberB{Value: b}, err
		case "BOOL":
			var b bool
			err := json.Unmarshal(v, &b)
			return &types.AttributeValueMemberBOOL{Value: b}, err
		case "NULL":
			return &types.AttributeValueMemberNULL{Value: true}, nil
		case "SS", "NS":
			var ss []string
			if err := json.Unmarshal(v, &ss); err != nil {
				return nil, err
			}
			if typ == "SS" {
				return &types.AttributeValueMemberSS{Value: ss}, nil
			}
			return &types.AttributeValueMemberNS{Value: ss}, nil
		case "L":
			var raws []json.RawMessage
			if err := json.Unmarshal(v, &raws); err != nil {
				return nil, err
			}
			l := make([]types.AttributeValue, 0, len(raws))
			for _, r := range raws {
				av, err := decodeAV(r)
				if err != nil {
					return nil, err
				}
				l = append(l, av)
			}
			return &types.AttributeValueMemberL{Value: l}, nil
		case "M":
			var it map[string]json.RawMessage
			if err := json.Unmarshal(v, &it); err != nil {
				return nil, err
			}
			m, err := decodeMap(it)
			return &types.AttributeValueMemberM{Value: m}, err
		default:
			return nil, fmt.Errorf("unknown attribute type %q", typ)
		}
	}
	panic("unreachable")
}
