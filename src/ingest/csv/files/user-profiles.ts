import { BASE, profileUri, type CsvFileSpec } from './spec.js';

/** 1.2 userProfiles.csv, folded into the user's `userProfiles`. Passwords are never stored. */
export const userProfilesCsv: CsvFileSpec = {
  file: 'userProfiles.csv',
  manifestKey: 'file.userProfiles',
  target: 'userProfiles',
  fillsContext: true,
  versions: ['1.2'],
  columns: {
    '1.2': {
      all: [...BASE, 'userSourcedId', 'profileType', 'vendorId', 'applicationId', 'description', 'credentialType', 'username', 'password'],
      required: ['sourcedId', 'userSourcedId', 'profileType', 'vendorId'],
    },
  },
  map: (r) => {
    const credentialType = r.str('credentialType');
    const username = r.str('username');
    return {
      userSourcedId: r.id('userSourcedId', true),
      profile: {
        profileId: profileUri(r.raw('sourcedId')),
        profileType: r.str('profileType', true),
        vendorId: r.str('vendorId', true),
        applicationId: r.str('applicationId'),
        description: r.str('description'),
        credentials: credentialType && username ? [{ type: credentialType, username }] : undefined,
      },
    };
  },
};
