// Package deploy holds what deploys the team vending service on AWS:
// template.yaml (AWS SAM: the function, its role, its log group, the
// three DynamoDB tables, their resource policies and the function URL)
// and protected-role-trust.json (the trust policy of a role only the
// service may assume). Its code derives, from a policy's profiles:
// section, the roles the service role may assume first and the trust
// policy every role of every chain needs (Trust, which `sentinel policy
// roles` prints). Its tests check the template against the code: every
// AWS action the service calls is granted, nothing broader is, the
// tables are the ones `sentinel init tables` creates, and each
// protection a security review asks for is in place.
package deploy
