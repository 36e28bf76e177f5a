import type { Router } from 'express';
import { RollcallError } from '../../errors.js';

/**
 * Gradebook and resources paths that share the 1.1 base with rostering (spec/oneroster.md §1).
 * Rollcall does not offer those services; it says so in the status-info shape instead of
 * answering with empty data that would tell a consumer there are no grades.
 */
const V1P1_NOT_ROSTERING = [
  '/categories', '/categories/:id', '/lineItems', '/lineItems/:id', '/results', '/results/:id',
  '/classes/:id/lineItems', '/classes/:id/results', '/classes/:id/lineItems/:lineItemId/results', '/classes/:id/students/:studentId/results',
  '/resources', '/resources/:id', '/courses/:id/resources', '/classes/:id/resources',
];

export function mountUnsupported(router: Router): void {
  for (const path of V1P1_NOT_ROSTERING) {
    router.all(path, () => {
      throw new RollcallError('unsupported', 'Rollcall provides the OneRoster rostering service only; gradebook and resources are not offered here');
    });
  }
}
