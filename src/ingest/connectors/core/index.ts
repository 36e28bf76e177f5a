/** The reliability core of every connector: see README.md beside this file. */
export { headerAuth, bearerTokenAuth, type AuthProvider, type AuthRequest, type TokenFetcher } from './auth.js';
export { backoffCeiling, backoffDelay, type Random } from './backoff.js';
export { RequestBudget, BudgetRegistry } from './budget.js';
export { systemClock, type Clock } from './clock.js';
export {
  BudgetSchema, HttpConfigSchema, RetryPolicySchema, parseHttpConfig,
  type BudgetConfig, type BudgetInput, type HttpConfig, type HttpConfigInput, type RetryPolicy,
} from './config.js';
export { ConnectorError, isConnectorError, type ConnectorErrorInit, type ConnectorErrorJson, type TechnicalDetail } from './connector-error.js';
export { GENERIC_RULES, duration, findRule, ruleMatches, said, tries, what, type ErrorRule, type RuleMatch } from './error-rules.js';
export type { AttemptFailure, FailureCategory, FailureFacts, FailureReason } from './failure.js';
export { normalizeHeaders, type HeaderMap } from './headers.js';
export {
  ConnectorHttp, type ConnectionRef, type ConnectorHttpOptions, type HttpEvent, type HttpRequest, type HttpResponse, type QueryInput, type QueryValue,
} from './http-client.js';
export { errorCode, isRetryableNetworkCode, transportReason } from './network-errors.js';
export { RunRecorder, deriveRunStatus, type EntityCounts, type EntityOutcome, type EntityStatus, type EntityTally, type RecordProblem, type RunOutcome, type RunStatus } from './outcome.js';
export { defineProfile, extendProfile, genericProfile, type VendorProfile } from './profile.js';
export { REDACTED, Redactor, isSecretName, redactHeaders, redactText, redactUrl } from './redact.js';
export { decideRetry, isTransientFailure, isTransientStatus, type RetryContext, type RetryDecision } from './retry-decision.js';
export { extractVendorError, type VendorErrorDetails } from './vendor-error-body.js';
export { WRONG_VERSION_STATUSES, forgetVersion, resolveVersion, type ResolvedVersion, type VersionFallback } from './version-fallback.js';
export { InMemoryVersionMemory, type VersionMemory } from './version-memory.js';
export { RETRY_AFTER, parseWaitHeader, serverWaitHint, type WaitHeaderForm, type WaitHeaderSpec } from './wait-hints.js';
export { allItems, collectItems, type Listing, type Page } from './paging/page.js';
export { offsetPages, totalCountHeader, type OffsetListing } from './paging/offset.js';
export { pageNumberPages, type PageNumberListing } from './paging/page-number.js';
export { bodyCursor, cursorPages, type CursorListing } from './paging/cursor.js';
export { nextLinkPages, type NextLinkListing } from './paging/next-link.js';
export { jsonLinksNext, linkHeaderNext, odataNextLink, parseLinkHeader } from './paging/link-header.js';
export { aeries } from './profiles/aeries.js';
export { clever } from './profiles/clever.js';
export { google } from './profiles/google.js';
export { graph } from './profiles/graph.js';
export { ONEROSTER_BASE_PATHS, oneroster } from './profiles/oneroster.js';
export { powerschool } from './profiles/powerschool.js';
