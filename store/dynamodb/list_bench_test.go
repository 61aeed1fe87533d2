package dynamodb_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/store/dynamodb"
)

// BenchmarkListAtScaleDynamoDB is issue 17's "stores at 100,000 records, of which
// 100 match the query" on DynamoDB Local: each listing at records=100 (all
// match) and at records=100000 (100 match), whose ratio
// scripts/benchtable holds to 2x. The listings read GSIs, never a scan.
//
//   - pending-mine: alice's pending requests (requester and status)
//   - reviewable: the pending requests, by the status index
//   - sessions-mine: alice's sessions (user ARN)
//
// It is written against the public per-kind stores, so it measures
// whatever backend store/dynamodb has. The records that match are made
// with Create; the others (other people's decided requests and their
// sessions) are copies of a record made the same way, with the ID and
// the person changed, written with BatchWriteItem from parallel workers.
// The tables live as long as DynamoDB Local, so -count runs seed once.
func BenchmarkListAtScaleDynamoDB(b *testing.B) {
	endpoint := os.Getenv("AWS_ENDPOINT_URL_DYNAMODB")
	if endpoint == "" || endpoint == "http://127.0.0.1:1" {
		b.Skip("DynamoDB Local is not running")
	}
	listings := []struct {
		name string
		list func(ctx context.Context, s *dynamodb.Store) (int, error)
	}{
		{"pending-mine", func(ctx context.Context, s *dynamodb.Store) (int, error) {
			rs, err := s.Requests().List(ctx, request.Query{Requester: "alice", Status: request.StatusPending}.Record(listAt))
			return len(rs), err
		}},
		{"reviewable", func(ctx context.Context, s *dynamodb.Store) (int, error) {
			rs, err := s.Requests().List(ctx, request.Query{Status: request.StatusPending}.Record(listAt))
			return len(rs), err
		}},
		{"sessions-mine", func(ctx context.Context, s *dynamodb.Store) (int, error) {
			ss, err := s.Sessions().List(ctx, session.Query{UserARN: listARN("alice")}.Record(listAt))
			return len(ss), err
		}},
	}
	for _, n := range []int{100, 100000} {
		for _, l := range listings {
			b.Run(fmt.Sprintf("%s/records=%d", l.name, n), func(b *testing.B) {
				s := seeded(b, endpoint, n)
				ctx := context.Background()
				for b.Loop() {
					got, err := l.list(ctx, s)
					if err != nil {
						b.Fatal(err)
					}
					if got != listMatches {
						b.Fatalf("listed %d, want %d", got, listMatches)
					}
				}
			})
		}
	}
}

// listMatches is how many records each listing finds.
const listMatches = 100

// listAt is the clock of the seeded records and of the listings: they
// are made ten minutes before it, so pending requests are still pending.
var listAt = time.Now().UTC().Truncate(time.Second)

func listARN(user string) string { return "arn:aws:iam::111122223333:user/" + user }

// seededStores keeps one seeded store per size for the test binary's life.
var seededStores struct {
	sync.Mutex
	by map[int]*dynamodb.Store
}

// seeded returns a store on fresh tables holding n requests and n
// sessions, listMatches of each alice's (her requests pending).
func seeded(b *testing.B, endpoint string, n int) *dynamodb.Store {
	b.Helper()
	seededStores.Lock()
	defer seededStores.Unlock()
	if s := seededStores.by[n]; s != nil {
		return s
	}
	start := time.Now()
	ctx := context.Background()
	creds := credentials.NewStaticCredentialsProvider("AKIDTESTONLY", "not-a-real-secret", "")
	var tag [4]byte
	if _, err := rand.Read(tag[:]); err != nil {
		b.Fatal(err)
	}
	prefix := fmt.Sprintf("bench-%s-%d", hex.EncodeToString(tag[:]), n)
	tables := [3]string{prefix + "-requests", prefix + "-breakglass", prefix + "-sessions"}
	s, err := dynamodb.New(ctx, dynamodb.Options{
		Region: "us-east-1", RequestsTable: tables[0], BreakglassTable: tables[1], SessionsTable: tables[2],
		Credentials: creds, Timeout: time.Minute,
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.InitTables(ctx, false, io.Discard); err != nil {
		b.Fatal(err)
	}
	raw := sdk.New(sdk.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(endpoint)})
	created := listAt.Add(-10 * time.Minute)

	// The records that match, through the store.
	for i := 0; i < min(n, listMatches); i++ {
		r, err := seedRequest("alice", created)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Requests().Create(ctx, r); err != nil {
			b.Fatal(err)
		}
		se, err := seedSession("alice", created)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Sessions().Create(ctx, se); err != nil {
			b.Fatal(err)
		}
	}
	if others := n - listMatches; others > 0 {
		// One decided request and one session of a template person, made
		// by the store; the rest are their items with the ID and the
		// person replaced.
		const who = "templateperson"
		r, err := seedRequest(who, created)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Requests().Create(ctx, r); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Requests().Change(ctx, r.ID, func(r *request.Request) error {
			return r.Deny("bob", listARN("bob"), "not now", created.Add(time.Minute))
		}); err != nil {
			b.Fatal(err)
		}
		se, err := seedSession(who, created)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Sessions().Create(ctx, se); err != nil {
			b.Fatal(err)
		}
		copyItems(b, raw, tables[0], r.ID, who, others-1, request.NewID)
		copyItems(b, raw, tables[2], se.ID, who, others-1, session.NewID)
	}
	b.Logf("seeded %d requests and %d sessions in %v", n, n, time.Since(start).Round(time.Millisecond))
	if seededStores.by == nil {
		seededStores.by = map[int]*dynamodb.Store{}
	}
	seededStores.by[n] = s
	return s
}

// copyItems writes count copies of the item id of table, each with a new
// ID and its person (who) replaced by one of 5,000 others, with
// BatchWriteItem from parallel workers.
func copyItems(b *testing.B, c *sdk.Client, table, id, who string, count int, newID func() (string, error)) {
	b.Helper()
	ctx := context.Background()
	out, err := c.GetItem(ctx, &sdk.GetItemInput{
		TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: id}},
	})
	if err != nil || out.Item == nil {
		b.Fatalf("read the template item %s: %v", id, err)
	}
	const workers, batch = 8, 25
	// write puts the copies from..from+batch with one BatchWriteItem (and
	// more for what DynamoDB left unprocessed).
	write := func(from int) error {
		var puts []types.WriteRequest
		for i := from; i < min(from+batch, count); i++ {
			nid, err := newID()
			if err != nil {
				return err
			}
			person := fmt.Sprintf("user%05d", i%5000)
			item := map[string]types.AttributeValue{}
			for k, v := range out.Item {
				if sv, ok := v.(*types.AttributeValueMemberS); ok {
					v = &types.AttributeValueMemberS{Value: strings.ReplaceAll(strings.ReplaceAll(sv.Value, id, nid), who, person)}
				}
				item[k] = v
			}
			if _, ok := item["id_prefix"]; ok {
				item["id_prefix"] = &types.AttributeValueMemberS{Value: record.IDPrefixKey(nid)}
			}
			puts = append(puts, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
		}
		req := map[string][]types.WriteRequest{table: puts}
		for len(req[table]) > 0 {
			res, err := c.BatchWriteItem(ctx, &sdk.BatchWriteItemInput{RequestItems: req})
			if err != nil {
				return err
			}
			req = res.UnprocessedItems
		}
		return nil
	}
	jobs := make(chan int)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for from := range jobs {
				mu.Lock()
				failed := firstErr != nil
				mu.Unlock()
				if failed {
					continue // drain, so the sender never blocks
				}
				if err := write(from); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
				}
			}
		}()
	}
	for from := 0; from < count; from += batch {
		jobs <- from
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		b.Fatalf("seed %s: %v", table, firstErr)
	}
}

func seedRequest(user string, at time.Time) (*request.Request, error) {
	id, err := request.NewID()
	if err != nil {
		return nil, err
	}
	return request.New(request.NewParams{
		ID: id, Requester: user, RequesterARN: listARN(user), Profile: "prod",
		Justification: "deploy the hotfix for the outage", Duration: time.Hour, Now: at,
	})
}

func seedSession(user string, at time.Time) (*session.Session, error) {
	id, err := session.NewID()
	if err != nil {
		return nil, err
	}
	return session.New(session.NewParams{
		ID: id, User: user, UserARN: listARN(user), Account: "111122223333",
		Profile: "prod", Now: at, ExpiresAt: at.Add(time.Hour),
	})
}
