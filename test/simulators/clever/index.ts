export { generateDistrict, IdSource, type DistrictData, type DistrictOptions, type SimSection, type SimUser } from './district.js';
export { CleverSimulator, type CleverRequest, type CleverSimOptions, type FaultPlan } from './server.js';
