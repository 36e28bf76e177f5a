export { buildDistrict, cloneDistrict, DISTRICT_EPOCH, type SimDistrict, type SimRecord } from './district.js';
export { OneRosterSimulator, type Paging, type SimAuth, type SimFaultPlan, type SimOptions, type SimRequest } from './server.js';
export { renderRecord, type Dialect } from './wire.js';
