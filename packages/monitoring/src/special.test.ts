import { describe, it } from 'vitest';
import { chiSquareSf, kolmogorovSf, normalSf } from './special.js';
import { expectClose, fixtures } from './testing/fixtures.js';

describe('special functions against scipy', () => {
  it.each(fixtures.special.chi2_sf)('chi2.sf($x, $df)', ({ x, df, sf }) => expectClose(chiSquareSf(x, df), sf, 1e-12));
  it.each(fixtures.special.norm_sf)('norm.sf($z)', ({ z, sf }) => expectClose(normalSf(z), sf, 1e-12));
  it.each(fixtures.special.kstwobign_sf)('kstwobign.sf($x)', ({ x, sf }) => expectClose(kolmogorovSf(x), sf, 1e-10));
});
