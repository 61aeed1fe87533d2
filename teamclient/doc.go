// Package teamclient is the laptop's client of the team vending service
// (`sentinel serve`). Every call carries a proof of the caller's identity
// (package proof): an sts:GetCallerIdentity request signed with the
// person's own keys, bound to the service's server_id and to the exact API
// call. The client implements the same operations as the local broker, so
// the cli runs every command through either.
//
// What a look-alike service could do with a proof is the threat this
// client is built against. The client takes the server_id only from its own
// configuration, never from the service; it learns only the STS endpoint
// and region from GET /v1/info, and refuses an endpoint that is neither an
// AWS STS endpoint nor the override configured on this machine; it follows
// no redirect; it bounds and strictly decodes every answer.
package teamclient
