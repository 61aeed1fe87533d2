package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// tableWaitTimeout bounds how long InitTables waits for a new table or
// index to become active. Real DynamoDB takes seconds to minutes, more for
// an index on a large table.
const tableWaitTimeout = 10 * time.Minute

// tableSpec is one table the store needs.
type tableSpec struct {
	name    string
	indexes []index
}

// InitTables makes sure the tables (requests, break-glass, sessions, revocations) exist with their indexes and with time
// to live on the attribute ttl. It creates what is missing (tables with
// on-demand billing), waits until it is active, and reports each step on
// out, one line each, saying "exists" for what was already there. It can be
// run any number of times. With dryRun it only reports what it would do
// and changes nothing.
func (s *Store) InitTables(ctx context.Context, dryRun bool, out io.Writer) error {
	if out == nil {
		out = io.Discard
	}
	rep := &reporter{w: out}
	for _, t := range []tableSpec{
		{name: s.requestsTable, indexes: requestIndexes},
		{name: s.breakglassTable, indexes: eventIndexes},
		{name: s.sessionsTable, indexes: sessionIndexes},
		{name: s.revocationsTable, indexes: revocationIndexes},
	} {
		if err := s.initTable(ctx, t, dryRun, rep); err != nil {
			return err
		}
		if rep.err != nil {
			return fmt.Errorf("init tables: write report: %w", rep.err)
		}
	}
	return nil
}

// initTable brings one table, its indexes and its time to live up to date.
func (s *Store) initTable(ctx context.Context, t tableSpec, dryRun bool, rep *reporter) error {
	desc, err := s.describeTable(ctx, t.name)
	var notFound *TableNotFoundError
	switch {
	case errors.As(err, &notFound) && dryRun:
		rep.say("table %s: would create (on-demand billing; indexes %s)", t.name, indexNames(t.indexes))
		rep.say("table %s: would enable time to live on attribute %s", t.name, attrTTL)
		return nil
	case errors.As(err, &notFound):
		if err := s.createTable(ctx, t); err != nil {
			return err
		}
		rep.say("table %s: created (on-demand billing; indexes %s)", t.name, indexNames(t.indexes))
	case err != nil:
		return err
	default:
		if err := checkKeySchema(t.name, "", desc.KeySchema, attrID, ""); err != nil {
			return err
		}
		rep.say("table %s: exists", t.name)
		if err := s.initIndexes(ctx, t, desc, dryRun, rep); err != nil {
			return err
		}
	}
	if !dryRun {
		if err := s.waitActive(ctx, t.name); err != nil {
			return err
		}
	}
	return s.initTTL(ctx, t.name, dryRun, rep)
}

// initIndexes creates the indexes an existing table lacks, one at a time
// as DynamoDB requires, and checks the keys of those it has.
func (s *Store) initIndexes(ctx context.Context, t tableSpec, desc *types.TableDescription, dryRun bool, rep *reporter) error {
	for _, idx := range t.indexes {
		i := slices.IndexFunc(desc.GlobalSecondaryIndexes, func(g types.GlobalSecondaryIndexDescription) bool {
			return aws.ToString(g.IndexName) == idx.name
		})
		if i >= 0 {
			if err := checkKeySchema(t.name, idx.name, desc.GlobalSecondaryIndexes[i].KeySchema, idx.partitionKey, idx.sortKey); err != nil {
				return err
			}
			rep.say("table %s: index %s exists", t.name, idx.name)
			continue
		}
		if dryRun {
			rep.say("table %s: index %s would be created", t.name, idx.name)
			continue
		}
		// A table that is still being created or changed refuses updates.
		if err := s.waitActive(ctx, t.name); err != nil {
			return err
		}
		opCtx, cancel := s.withTimeout(ctx)
		_, err := s.client.UpdateTable(opCtx, &dynamodb.UpdateTableInput{
			TableName:            aws.String(t.name),
			AttributeDefinitions: attributeDefinitions([]index{idx}),
			GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{
				{Create: &types.CreateGlobalSecondaryIndexAction{
					IndexName:  aws.String(idx.name),
					KeySchema:  keySchema(idx.partitionKey, idx.sortKey),
					Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
				}},
			},
		})
		cancel()
		if err != nil {
			return s.describe(ctx, "create index "+idx.name, t.name, err)
		}
		if err := s.waitActive(ctx, t.name); err != nil {
			return err
		}
		rep.say("table %s: index %s created", t.name, idx.name)
	}
	return nil
}

// initTTL enables time to live on the attribute ttl unless it is on.
func (s *Store) initTTL(ctx context.Context, table string, dryRun bool, rep *reporter) error {
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	out, err := s.client.DescribeTimeToLive(opCtx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)})
	if err != nil {
		return s.describe(ctx, "describe time to live", table, err)
	}
	var status types.TimeToLiveStatus = types.TimeToLiveStatusDisabled
	var attr string
	if d := out.TimeToLiveDescription; d != nil {
		status, attr = d.TimeToLiveStatus, aws.ToString(d.AttributeName)
	}
	switch {
	case (status == types.TimeToLiveStatusEnabled || status == types.TimeToLiveStatusEnabling) && attr == attrTTL:
		rep.say("table %s: time to live on attribute %s exists", table, attrTTL)
		return nil
	case status == types.TimeToLiveStatusEnabled || status == types.TimeToLiveStatusEnabling:
		return fmt.Errorf("init table %s: time to live is on attribute %q, but sentinel needs it on %q: disable it, wait for DynamoDB to finish, and run `sentinel init tables` again", table, attr, attrTTL)
	case status == types.TimeToLiveStatusDisabling:
		return fmt.Errorf("init table %s: time to live is being disabled: DynamoDB allows enabling it again only when that has finished (up to an hour); then run `sentinel init tables` again", table)
	case dryRun:
		rep.say("table %s: would enable time to live on attribute %s", table, attrTTL)
		return nil
	}
	_, err = s.client.UpdateTimeToLive(opCtx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(table),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(attrTTL),
			Enabled:       aws.Bool(true),
		},
	})
	if err != nil {
		return s.describe(ctx, "enable time to live", table, err)
	}
	rep.say("table %s: time to live on attribute %s enabled", table, attrTTL)
	return nil
}

// createTable creates t with its indexes and on-demand billing.
func (s *Store) createTable(ctx context.Context, t tableSpec) error {
	gsis := make([]types.GlobalSecondaryIndex, len(t.indexes))
	for i, idx := range t.indexes {
		gsis[i] = types.GlobalSecondaryIndex{
			IndexName:  aws.String(idx.name),
			KeySchema:  keySchema(idx.partitionKey, idx.sortKey),
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}
	}
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	_, err := s.client.CreateTable(opCtx, &dynamodb.CreateTableInput{
		TableName:              aws.String(t.name),
		AttributeDefinitions:   attributeDefinitions(t.indexes),
		KeySchema:              keySchema(attrID, ""),
		BillingMode:            types.BillingModePayPerRequest,
		GlobalSecondaryIndexes: gsis,
	})
	if err != nil {
		return s.describe(ctx, "create table", t.name, err)
	}
	return nil
}

// describeTable returns the table's description; a missing table comes
// back as a *TableNotFoundError.
func (s *Store) describeTable(ctx context.Context, table string) (*types.TableDescription, error) {
	opCtx, cancel := s.withTimeout(ctx)
	defer cancel()
	out, err := s.client.DescribeTable(opCtx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		return nil, s.describe(ctx, "describe table", table, err)
	}
	if out.Table == nil {
		return nil, fmt.Errorf("describe table %s: DynamoDB returned no description", table)
	}
	return out.Table, nil
}

// waitActive polls until the table and all its indexes are ACTIVE, for at
// most tableWaitTimeout. The pause between polls grows from 250 ms to 5 s,
// so a quick DynamoDB (or DynamoDB Local) is not kept waiting.
func (s *Store) waitActive(ctx context.Context, table string) error {
	deadline := time.NewTimer(tableWaitTimeout)
	defer deadline.Stop()
	pause := 250 * time.Millisecond
	for {
		desc, err := s.describeTable(ctx, table)
		if err != nil {
			return err
		}
		if tableActive(desc) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for table %s to become active: %w", table, ctx.Err())
		case <-deadline.C:
			return fmt.Errorf("wait for table %s to become active: still %s after %s", table, desc.TableStatus, tableWaitTimeout)
		case <-time.After(pause):
		}
		pause = min(2*pause, 5*time.Second)
	}
}

// tableActive reports whether the table and every index are ACTIVE.
func tableActive(desc *types.TableDescription) bool {
	if desc.TableStatus != types.TableStatusActive {
		return false
	}
	for _, g := range desc.GlobalSecondaryIndexes {
		if g.IndexStatus != types.IndexStatusActive {
			return false
		}
	}
	return true
}

// keySchema is a partition key and, when sortKey is set, a sort key.
func keySchema(partitionKey, sortKey string) []types.KeySchemaElement {
	ks := []types.KeySchemaElement{{AttributeName: aws.String(partitionKey), KeyType: types.KeyTypeHash}}
	if sortKey != "" {
		ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(sortKey), KeyType: types.KeyTypeRange})
	}
	return ks
}

// attributeDefinitions declares id and every key attribute of indexes as
// strings, each once.
func attributeDefinitions(indexes []index) []types.AttributeDefinition {
	names := []string{attrID}
	for _, idx := range indexes {
		names = append(names, idx.partitionKey, idx.sortKey)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	defs := make([]types.AttributeDefinition, len(names))
	for i, n := range names {
		defs[i] = types.AttributeDefinition{AttributeName: aws.String(n), AttributeType: types.ScalarAttributeTypeS}
	}
	return defs
}

// checkKeySchema refuses a table or index (indexName set) whose keys are
// not the ones sentinel writes: its items would not be found.
func checkKeySchema(table, indexName string, got []types.KeySchemaElement, partitionKey, sortKey string) error {
	want := keySchema(partitionKey, sortKey)
	same := len(got) == len(want)
	for i := 0; same && i < len(got); i++ {
		same = aws.ToString(got[i].AttributeName) == aws.ToString(want[i].AttributeName) && got[i].KeyType == want[i].KeyType
	}
	if same {
		return nil
	}
	what := "table " + table
	if indexName != "" {
		what += " index " + indexName
	}
	return fmt.Errorf("init %s: it exists with key %s, but sentinel needs %s: choose another table name or remove it", what, describeKeys(got), describeKeys(want))
}

// describeKeys renders a key schema as "id (HASH), created_key (RANGE)".
func describeKeys(ks []types.KeySchemaElement) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = fmt.Sprintf("%s (%s)", aws.ToString(k.AttributeName), k.KeyType)
	}
	return strings.Join(parts, ", ")
}

// indexNames lists index names for the report.
func indexNames(indexes []index) string {
	names := make([]string, len(indexes))
	for i, idx := range indexes {
		names[i] = idx.name
	}
	return strings.Join(names, ", ")
}

// reporter writes InitTables' report lines and keeps the first write error.
type reporter struct {
	w   io.Writer
	err error
}

// say writes one line.
func (r *reporter) say(format string, args ...any) {
	if r.err == nil {
		_, r.err = fmt.Fprintf(r.w, format+"\n", args...)
	}
}
