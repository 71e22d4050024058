import { InvalidPackageError } from '@slipway/core';
import { describe, expect, it } from 'vitest';
import { parseReferenceCsv, splitCsv } from './reference-csv.js';

const features = [
  { name: 'age', type: 'numeric' as const },
  { name: 'sex', type: 'categorical' as const, categories: ['female', 'male'] },
  { name: 'owner', type: 'boolean' as const },
];

function issues(text: string, label?: string): string[] {
  try {
    parseReferenceCsv(text, { file: 'data/ref.csv', features, ...(label === undefined ? {} : { label }) });
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidPackageError);
    return (err as InvalidPackageError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

describe('parseReferenceCsv', () => {
  it('reads typed columns, records and labels; extra columns are ignored', () => {
    const rows = parseReferenceCsv('\ufeffage,sex,extra,owner,y\r\n30,male,"a, ""b""",true,1\n,female,x,0,\n', { file: 'f.csv', features, label: 'y' });
    expect(rows.columns).toEqual({ age: [30, null], sex: ['male', 'female'], owner: [true, false] });
    expect(rows.records[1]).toEqual({ age: null, sex: 'female', owner: false });
    expect(rows.labels).toEqual(['1', null]);
    expect(rows.rows).toBe(2);
  });

  it.each([
    ['', 'data/ref.csv: is empty'],
    ['age,sex\n1,male\n', 'data/ref.csv: line 1, column owner: is missing from the header'],
    ['age,sex,owner\n', 'data/ref.csv: has a header but no rows'],
    ['age,sex,owner\n1,male,true\nold,male,true\n', 'data/ref.csv: line 3, column age: is "old"; must be a number'],
    ['age,sex,owner\n1,other,true\n', 'data/ref.csv: line 2, column sex: is "other"; must be one of female, male'],
    ['age,sex,owner\n1,male,maybe\n', 'data/ref.csv: line 2, column owner: is "maybe"; must be true/false'],
    ['age,sex,owner\n1,male\n', 'data/ref.csv: line 2: has 2 fields for 3 columns'],
  ])('%j → %s', (text, expected) => {
    expect(issues(text).some((i) => i.startsWith(expected)), issues(text).join('\n')).toBe(true);
  });

  it('checks labels against the classes, by name or index', () => {
    const options = { file: 'f.csv', features, label: 'y', labelClasses: ['repaid', 'default'] };
    expect(parseReferenceCsv('age,sex,owner,y\n1,male,true,default\n2,male,true,0\n3,male,true,\n', options).labels).toEqual(['default', '0', null]);
    expect(() => parseReferenceCsv('age,sex,owner,y\n1,male,true,2\n', options)).toThrow(/f.csv: line 2, column y: is "2"; must be a class \(repaid, default\) or its index \(0–1\)/);
  });

  it('names a missing label column and reports every problem at once', () => {
    expect(issues('age,sex,owner\n1,male,true\n', 'default')).toEqual([expect.stringMatching(/^data\/ref.csv: line 1, column default: is missing/)]);
    expect(issues('age,sex,owner\nx,male,true\n2,nope,true\n')).toHaveLength(2);
  });

  it('splits quoted fields spanning lines and keeps line numbers', () => {
    expect(splitCsv('a,b\n"x\ny",2\n3,4')).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['x\ny', '2'], line: 2 },
      { fields: ['3', '4'], line: 4 },
    ]);
  });
});
