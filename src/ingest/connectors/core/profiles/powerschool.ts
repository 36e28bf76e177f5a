import { what } from '../error-rules.js';
import { defineProfile } from '../profile.js';

/** PowerSchool SIS: a plugin's OAuth client credentials; access per resource granted in plugin.xml. */
export const powerschool = defineProfile({
  vendor: 'powerschool',
  displayName: 'PowerSchool',
  errorRules: [
    {
      id: 'powerschool-401', when: { status: 401 }, category: 'auth',
      admin: () => '401 from PowerSchool: the plugin\'s client id and secret were refused (the plugin may be disabled, or its OAuth credentials regenerated: check System → System Settings → Plugin Management)',
    },
    {
      id: 'powerschool-403', when: { status: 403 }, category: 'permission',
      admin: (f) => `403 from PowerSchool: the plugin has no access to ${what(f)} (add an <access_request> for it in the plugin's plugin.xml, then reinstall and enable the plugin)`,
    },
  ],
});
