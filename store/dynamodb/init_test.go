package dynamodb

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// listTables returns every table name in DynamoDB Local.
func listTables(t *testing.T, s *Store) []string {
	t.Helper()
	var names []string
	p := dynamodb.NewListTablesPaginator(s.client, &dynamodb.ListTablesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("ListTables: %v", err)
		}
		names = append(names, out.TableNames...)
	}
	return names
}

// initReport runs InitTables and returns its report lines.
func initReport(t *testing.T, s *Store, dryRun bool) []string {
	t.Helper()
	var out strings.Builder
	start := time.Now()
	defer func() { t.Logf("InitTables(dryRun=%v) took %s", dryRun, time.Since(start)) }()
	if err := s.InitTables(t.Context(), dryRun, &out); err != nil {
		t.Fatalf("InitTables(dryRun=%v): %v", dryRun, err)
	}
	return strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
}

// checkEveryLine fails t unless every line contains want.
func checkEveryLine(t *testing.T, what string, lines []string, want string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(l, want) {
			t.Errorf("%s: line %q does not say %q; report:\n%s", what, l, want, strings.Join(lines, "\n"))
		}
	}
}

func TestInitTablesDryRunThenCreateThenIdempotent(t *testing.T) {
	needLocal(t)
	s := newStore(t, nil)
	t.Cleanup(func() { deleteTables(t, s) })

	before := listTables(t, s)
	dry := initReport(t, s, true)
	if after := listTables(t, s); !slices.Equal(before, after) {
		t.Fatalf("dry run changed the tables: before %v, after %v", before, after)
	}
	checkEveryLine(t, "dry run on missing tables", dry, "would")
	if len(dry) != 8 {
		t.Errorf("dry run on missing tables reported %d lines, want 8 (a table and a time to live each):\n%s", len(dry), strings.Join(dry, "\n"))
	}

	created := initReport(t, s, false)
	for _, table := range []string{s.requestsTable, s.breakglassTable, s.sessionsTable, s.revocationsTable} {
		if !slices.Contains(created, "table "+table+": created (on-demand billing; indexes "+
			indexNames(tableIndexes(s)[table])+")") {
			t.Errorf("first run does not report creating %s:\n%s", table, strings.Join(created, "\n"))
		}
		if !slices.Contains(created, "table "+table+": time to live on attribute ttl enabled") {
			t.Errorf("first run does not report enabling time to live on %s:\n%s", table, strings.Join(created, "\n"))
		}
	}
	checkTables(t, s)

	// Running again, for real or as a dry run, finds everything in place.
	for _, dryRun := range []bool{false, true} {
		tablesBefore := listTables(t, s)
		again := initReport(t, s, dryRun)
		checkEveryLine(t, "run on existing tables", again, "exists")
		if len(again) != 21 {
			t.Errorf("run on existing tables reported %d lines, want 21 (table, its indexes, time to live, for four tables):\n%s", len(again), strings.Join(again, "\n"))
		}
		if after := listTables(t, s); !slices.Equal(tablesBefore, after) {
			t.Fatalf("second run changed the tables: before %v, after %v", tablesBefore, after)
		}
	}
	checkTables(t, s)
}

// checkTables checks every table's keys, indexes, billing and time to live.
func checkTables(t *testing.T, s *Store) {
	t.Helper()
	for table, indexes := range tableIndexes(s) {
		desc, err := s.describeTable(t.Context(), table)
		if err != nil {
			t.Fatalf("describe %s: %v", table, err)
		}
		if err := checkKeySchema(table, "", desc.KeySchema, attrID, ""); err != nil {
			t.Error(err)
		}
		if desc.BillingModeSummary == nil || desc.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
			t.Errorf("table %s billing = %+v, want PAY_PER_REQUEST", table, desc.BillingModeSummary)
		}
		if len(desc.GlobalSecondaryIndexes) != len(indexes) {
			t.Errorf("table %s has %d indexes, want %d", table, len(desc.GlobalSecondaryIndexes), len(indexes))
		}
		for _, g := range desc.GlobalSecondaryIndexes {
			i := slices.IndexFunc(indexes, func(idx index) bool { return idx.name == aws.ToString(g.IndexName) })
			if i < 0 {
				t.Errorf("table %s has an unexpected index %s", table, aws.ToString(g.IndexName))
				continue
			}
			if err := checkKeySchema(table, indexes[i].name, g.KeySchema, indexes[i].partitionKey, indexes[i].sortKey); err != nil {
				t.Error(err)
			}
			if g.Projection == nil || g.Projection.ProjectionType != types.ProjectionTypeAll {
				t.Errorf("index %s projection = %+v, want ALL", indexes[i].name, g.Projection)
			}
		}
		ttl, err := s.client.DescribeTimeToLive(t.Context(), &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)})
		if err != nil {
			t.Fatalf("DescribeTimeToLive %s: %v", table, err)
		}
		d := ttl.TimeToLiveDescription
		if d == nil || d.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(d.AttributeName) != attrTTL {
			t.Errorf("table %s time to live = %+v, want ENABLED on %s", table, d, attrTTL)
		}
	}
}

// tableIndexes maps each of the store's tables to its indexes.
func tableIndexes(s *Store) map[string][]index {
	return map[string][]index{s.requestsTable: requestIndexes, s.breakglassTable: eventIndexes, s.sessionsTable: sessionIndexes, s.revocationsTable: revocationIndexes}
}

// deleteTables removes the store's tables if they exist.
func deleteTables(t *testing.T, s *Store) {
	for _, table := range []string{s.requestsTable, s.breakglassTable, s.sessionsTable, s.revocationsTable} {
		// t.Context() is already cancelled when cleanups run.
		_, err := s.client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(table)})
		var notFound *types.ResourceNotFoundException
		if err != nil && !errors.As(err, &notFound) {
			t.Errorf("delete table %s: %v", table, err)
		}
	}
}

func TestInitTablesAddsMissingIndexes(t *testing.T) {
	needLocal(t)
	s := newStore(t, nil)
	t.Cleanup(func() { deleteTables(t, s) })
	// An older requests table with only one of the indexes, and no time to
	// live.
	if err := s.createTable(t.Context(), tableSpec{name: s.requestsTable, indexes: requestIndexes[:1]}); err != nil {
		t.Fatal(err)
	}

	dry := initReport(t, s, true)
	for _, want := range []string{
		"table " + s.requestsTable + ": exists",
		"table " + s.requestsTable + ": index " + requestIndexes[0].name + " exists",
		"table " + s.requestsTable + ": index " + requestIndexes[1].name + " would be created",
		"table " + s.requestsTable + ": index " + requestIndexes[2].name + " would be created",
		"table " + s.requestsTable + ": would enable time to live on attribute ttl",
	} {
		if !slices.Contains(dry, want) {
			t.Errorf("dry run report lacks %q:\n%s", want, strings.Join(dry, "\n"))
		}
	}
	desc, err := s.describeTable(t.Context(), s.requestsTable)
	if err != nil {
		t.Fatal(err)
	}
	if len(desc.GlobalSecondaryIndexes) != 1 {
		t.Fatalf("dry run changed the indexes: now %d", len(desc.GlobalSecondaryIndexes))
	}

	real := initReport(t, s, false)
	for _, idx := range requestIndexes[1:] {
		if want := "table " + s.requestsTable + ": index " + idx.name + " created"; !slices.Contains(real, want) {
			t.Errorf("report lacks %q:\n%s", want, strings.Join(real, "\n"))
		}
	}
	checkTables(t, s)
}

func TestInitTablesRefusesForeignTable(t *testing.T) {
	needLocal(t)
	s := newStore(t, nil)
	t.Cleanup(func() { deleteTables(t, s) })
	_, err := s.client.CreateTable(t.Context(), &dynamodb.CreateTableInput{
		TableName:            aws.String(s.requestsTable),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            keySchema("pk", ""),
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, dryRun := range []bool{true, false} {
		err := s.InitTables(t.Context(), dryRun, nil)
		if err == nil || !strings.Contains(err.Error(), "pk (HASH)") || !strings.Contains(err.Error(), "id (HASH)") {
			t.Errorf("InitTables(dryRun=%v) on a table keyed by pk: got %v, want an error naming both keys", dryRun, err)
		}
	}
}
