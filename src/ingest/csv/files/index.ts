import { academicSessionsCsv } from './academic-sessions.js';
import { classesCsv } from './classes.js';
import { coursesCsv } from './courses.js';
import { demographicsCsv } from './demographics.js';
import { enrollmentsCsv } from './enrollments.js';
import { orgsCsv } from './orgs.js';
import { rolesCsv } from './roles.js';
import type { CsvFileSpec } from './spec.js';
import { userProfilesCsv } from './user-profiles.js';
import { usersCsv } from './users.js';

/** Rostering files in the order an import reads them (references point backwards; the files that fill the mapping context come before users.csv, which reads it). */
export const CSV_FILES: CsvFileSpec[] = [
  orgsCsv, academicSessionsCsv, coursesCsv, classesCsv, rolesCsv, userProfilesCsv, usersCsv, enrollmentsCsv, demographicsCsv,
];

/** OneRoster CSV files that are not rostering (gradebook, resources): named in manifests, not imported. */
export const NOT_ROSTERING = ['categories', 'classResources', 'courseResources', 'lineItems', 'resources', 'results', 'scoreScales', 'lineItemLearningObjectiveIds', 'lineItemScoreScales', 'resultLearningObjectiveIds', 'resultScoreScales'];

export type { CsvFileSpec, MapContext } from './spec.js';
