// Package deploy holds what deploys the team vending service on AWS:
// template.yaml (AWS SAM: the function, its role, its log group, the
// three DynamoDB tables and the function URL) and
// protected-role-trust.json (the trust policy of a role only the service
// may assume). It has no code; its tests check the template against the
// code: every AWS action the service calls is granted, nothing broader
// is, and the tables are the ones `sentinel init tables` creates.
package deploy
