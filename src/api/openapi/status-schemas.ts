import type { OneRosterVersion } from '../../model/vocab.js';
import { arrayOf, object, ref, str, type Schema } from './schema-kit.js';

const CODE_MAJOR = ['success', 'processing', 'failure', 'unsupported'];
const SEVERITY = ['status', 'warning', 'error'];

/** 1.2 codeMinor values (spec/oneroster.md §4.1). */
export const CODE_MINOR_V1P2 = [
  'fullsuccess', 'invalid_filter_field', 'invalid_selection_field', 'invaliddata', 'unauthorisedrequest', 'forbidden', 'server_busy',
  'unknownobject', 'internal_server_error',
];

/** The schema name of the body of an error response in each version. */
export const STATUS_SCHEMA: Record<OneRosterVersion, string> = { '1.1': 'StatusInfoSetDType', '1.2': 'imsx_StatusInfoDType' };

/**
 * 1.2: the error body is the status object itself, with the codeMinor as a structured list.
 * 1.1: a `statusInfoSet` list of flat status objects whose codeMinor is a plain string; the same
 * list may ride along a 200 to carry warnings (unknown sort or selection field).
 */
export function statusSchemas(v: OneRosterVersion): Record<string, Schema> {
  if (v === '1.2') {
    return {
      imsx_StatusInfoDType: object(
        {
          imsx_codeMajor: str('Outcome: `failure` on every error response.', { enum: CODE_MAJOR }),
          imsx_severity: str('Severity: `error` on every error response.', { enum: SEVERITY }),
          imsx_description: str('What went wrong, in words meant for a person.'),
          imsx_CodeMinor: ref('imsx_CodeMinorDType'),
        },
        ['imsx_codeMajor', 'imsx_severity'],
        'Why a request failed. Sent only with error responses, never beside data.',
      ),
      imsx_CodeMinorDType: object(
        { imsx_codeMinorField: arrayOf(ref('imsx_CodeMinorFieldDType'), 'The detailed status codes.', 1) },
        ['imsx_codeMinorField'],
        'The detailed status codes of a response.',
      ),
      imsx_CodeMinorFieldDType: object(
        {
          imsx_codeMinorFieldName: str('Which system the code is about; Rollcall sends `TargetEndSystem`.', { default: 'TargetEndSystem' }),
          imsx_codeMinorFieldValue: str('The detailed status code.', { enum: CODE_MINOR_V1P2 }),
        },
        ['imsx_codeMinorFieldName', 'imsx_codeMinorFieldValue'],
        'One detailed status code.',
      ),
    };
  }
  return {
    StatusInfoSetDType: object(
      { statusInfoSet: arrayOf(ref('StatusInfoDType'), 'Status entries; the first one decides the outcome.', 1) },
      ['statusInfoSet'],
      'Why a request failed.',
    ),
    StatusInfoDType: object(
      {
        imsx_codeMajor: str('Outcome: `failure` on errors, `success` on warnings that accompany data.', { enum: CODE_MAJOR }),
        imsx_severity: str('Severity: `error` on errors, `warning` beside data.', { enum: SEVERITY }),
        imsx_operationRefIdentifier: str('The operation the status is about.'),
        imsx_description: str('What happened, in words meant for a person.'),
        imsx_codeMinor: str(
          'The detailed status code as a plain string, in the 1.1 spelling: `invalid_filter_field`, `invalid_selection_field`, `invalid_blank_selection_field`, `invalid_sort_field` (a warning), `invalid data`, `unauthorized`, `forbidden`, `unknown object`, `server_busy`, `internal_server_error`.',
        ),
      },
      ['imsx_codeMajor', 'imsx_severity', 'imsx_description', 'imsx_codeMinor'],
      'One status entry.',
    ),
  };
}
