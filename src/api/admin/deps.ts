import type { Config } from '../../config.js';
import type { KeyRing } from '../../crypto/key-ring.js';
import type { Logger } from '../../log.js';
import type { Database } from '../../store/db.js';
import type { SyncScheduler } from '../../ingest/scheduler/scheduler.js';

/** What the admin API needs (the app's own deps fit): the key ring seals new client secrets for OAuth 1.0a. */
export type AdminDeps = { db: Database; config: Config; log: Logger; keyRing?: KeyRing; scheduler?: SyncScheduler };
