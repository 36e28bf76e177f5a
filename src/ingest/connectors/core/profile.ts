import type { BudgetInput } from './config.js';
import type { ErrorRule } from './error-rules.js';
import { RETRY_AFTER, type WaitHeaderSpec } from './wait-hints.js';

/**
 * What the core needs to know about a vendor, as data: its name for admins, its default request
 * budget, the headers in which it says how long to wait, and its error table. A connector takes a
 * profile from `profiles/` and extends it; it writes no retry code.
 */
export interface VendorProfile {
  /** Stable id, e.g. `clever`. */
  vendor: string;
  /** For admins, e.g. `Clever`. */
  displayName: string;
  budget?: BudgetInput;
  /** Headers that say how long to wait before retrying; the longest wins. */
  waitHeaders: readonly WaitHeaderSpec[];
  /** A "requests left" header: at 0, the whole connection waits until `reset`. */
  rateLimit?: { remaining: string; reset: WaitHeaderSpec };
  /** Tried in order before the generic rules. */
  errorRules: readonly ErrorRule[];
}

export function defineProfile(p: Pick<VendorProfile, 'vendor' | 'displayName'> & Partial<VendorProfile>): VendorProfile {
  return { waitHeaders: [RETRY_AFTER], errorRules: [], ...p };
}

/** `base` with a connector's additions: its error rules go first, other fields replace. */
export function extendProfile(base: VendorProfile, extra: Partial<VendorProfile>): VendorProfile {
  return { ...base, ...extra, errorRules: [...(extra.errorRules ?? []), ...base.errorRules] };
}

export const genericProfile = defineProfile({ vendor: 'generic', displayName: 'the upstream system' });
