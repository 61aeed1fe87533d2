package broker

import "context"

// getRecord reads one record of a kind by ID for a: the ID is checked
// before any store call, and a record that is not there is a
// *record.NotFoundError naming the kind and ID. It is the one path of
// GetRequest, GetBreakglass and GetSession.
func getRecord[T any](ctx context.Context, b *Broker, a *Actor, kind, id string, check func(string) error, notFound error,
	get func(Stores) func(context.Context, string) (*T, error)) (*T, error) {
	if err := check(id); err != nil {
		return nil, err
	}
	stores, err := b.openStores(ctx, a)
	if err != nil {
		return nil, err
	}
	defer stores.Close()
	r, err := get(stores)(ctx, id)
	if err != nil {
		return nil, lookupError(kind, id, notFound, err)
	}
	return r, nil
}
