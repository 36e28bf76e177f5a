// The entry of ParseThread's worker. A worker does not inherit the main thread's module hooks when
// they were registered in code (bin/rollcall.js), so TypeScript is registered here as there.
import { register } from 'tsx/esm/api';

register();
await import('./parse-worker.ts');
