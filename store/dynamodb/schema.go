package dynamodb

// Attribute names shared by both tables.
const (
	attrID      = "id"
	attrStatus  = "status"
	attrProfile = "profile"
	attrVersion = "version"
	attrTTL     = "ttl"
)

// index is one global secondary index: its name, the attribute it is
// partitioned by and the attribute that orders it. Every index projects
// whole items.
type index struct {
	name         string
	partitionKey string
	sortKey      string
}

// Request attributes that key an index. created_key is the creation time in
// a fixed-width sortable form followed by the ID, so that the index orders
// requests newest first and breaks ties by ID, as the Store contract asks.
const (
	attrRequester  = "requester"
	attrCreatedKey = "created_key"
	// attrIDPrefix is the first request.IndexedPrefixLen characters of
	// the ID: the ID-prefix index is partitioned by it and ordered by id,
	// so a typed prefix finds anyone's request in one query.
	attrIDPrefix = "id_prefix"
)

// Break-glass attributes that key an index; opened_key works like
// created_key.
const (
	attrInvoker   = "invoker"
	attrOpenedKey = "opened_key"
)

// The indexes of the requests table.
var (
	requestsByRequester = index{name: "requester-created", partitionKey: attrRequester, sortKey: attrCreatedKey}
	requestsByProfile   = index{name: "profile-created", partitionKey: attrProfile, sortKey: attrCreatedKey}
	requestsByStatus    = index{name: "status-created", partitionKey: attrStatus, sortKey: attrCreatedKey}
	requestsByIDPrefix  = index{name: "id-prefix", partitionKey: attrIDPrefix, sortKey: attrID}
	requestIndexes      = []index{requestsByRequester, requestsByProfile, requestsByStatus, requestsByIDPrefix}
)

// The indexes of the break-glass table.
var (
	eventsByInvoker = index{name: "invoker-opened", partitionKey: attrInvoker, sortKey: attrOpenedKey}
	eventsByProfile = index{name: "profile-opened", partitionKey: attrProfile, sortKey: attrOpenedKey}
	eventsByStatus  = index{name: "status-opened", partitionKey: attrStatus, sortKey: attrOpenedKey}
	eventIndexes    = []index{eventsByInvoker, eventsByProfile, eventsByStatus}
)
