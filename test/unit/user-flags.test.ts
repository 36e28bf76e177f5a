import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sdsUserFlags } from '../../src/api/serialize/shared.js';

test('user flags are served as SDS accepts them: canonical spelling, commas, no spaces, no unknown flags', () => {
  assert.equal(sdsUserFlags('IEP,ELL'), 'IEP,ELL');
  assert.equal(sdsUserFlags('iep, ell ;Lep'), 'IEP,ELL,LEP');
  assert.equal(sdsUserFlags('freelunch,reducedLunch,504,FreeLunch'), 'freeLunch,504');
  assert.equal(sdsUserFlags('giftedortalented,HOMELESS'), 'giftedOrTalented,homeless');
  assert.equal(sdsUserFlags('reducedLunch'), '');
});
