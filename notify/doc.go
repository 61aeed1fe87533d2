// Package notify sends webhook notifications of approval, break-glass and
// session lifecycle events: a JSON document, or a Slack incoming-webhook
// message, optionally signed with HMAC-SHA256 so that a receiver can check
// who sent it and refuse replays.
//
// A notification is sent by the process that acts, after the action is
// done and logged; it never blocks or undoes the action. Each webhook gets
// a short timeout and a few retries on a 5xx answer or a failed connection;
// what still fails is returned as an *Error for the caller to log and
// report. Webhook URLs are secrets in their own right (Slack's carry the
// token in the path), so no error or message ever contains one: a webhook
// is named by its position and host.
package notify
