import { SEX_V1P1, SEX_V1P2 } from '../../../model/vocab.js';
import { BASE, type CsvFileSpec } from './spec.js';

const RACE = [
  'americanIndianOrAlaskaNative', 'asian', 'blackOrAfricanAmerican', 'nativeHawaiianOrOtherPacificIslander', 'white',
  'demographicRaceTwoOrMoreRaces', 'hispanicOrLatinoEthnicity',
];
const PLACE = ['countryOfBirthCode', 'stateOfBirthAbbreviation', 'cityOfBirth', 'publicSchoolResidenceStatus'];
const all = [...BASE, 'birthDate', 'sex', ...RACE, ...PLACE];

export const demographicsCsv: CsvFileSpec = {
  file: 'demographics.csv',
  manifestKey: 'file.demographics',
  target: 'demographics',
  versions: ['1.1', '1.2'],
  columns: { '1.1': { all, required: ['sourcedId'] }, '1.2': { all, required: ['sourcedId'] } },
  map: (r, ctx) => {
    const out: Record<string, unknown> = {
      birthDate: r.date('birthDate'),
      sex: r.oneOf('sex', ctx.version === '1.2' ? SEX_V1P2 : SEX_V1P1, false, ctx.version === '1.2'),
    };
    for (const f of RACE) out[f] = r.bool(f);
    for (const f of PLACE) out[f] = r.str(f);
    return out;
  },
};
