export { FakeClock, seededRandom, sequenceRandom } from './fake-clock.js';
export { applyFault, encodeReply, writeReply, type Fault, type Reply } from './faults.js';
export { cursorListing, jsonLinksListing, odataListing, offsetListing, pageNumberListing } from './listings.js';
export { FaultServer, type BearerOptions, type FaultPlan, type Handler, type SimRequest } from './server.js';
