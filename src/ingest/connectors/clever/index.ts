export { cleverConnector, createCleverConnector } from './connector.js';
export { CleverConfig, CleverCredentials } from './config.js';
export type { CleverDeps } from './session.js';
