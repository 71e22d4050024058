/**
 * Minimal CSV writing for the example datasets. Values are written with JavaScript's
 * shortest round-trip number formatting, so a dataset whose numbers were rounded when
 * generated always serializes to the same bytes.
 */

export type CsvValue = string | number;

function cell(value: CsvValue): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`CSV cell must be finite, got ${value}`);
    // `-0` would print as "0" but read back differently in some tools; normalize it.
    return String(value === 0 ? 0 : value);
  }
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Renders a header line and one line per row, `\n`-terminated. */
export function toCsv(columns: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  const lines = [columns.map(cell).join(',')];
  for (const row of rows) {
    if (row.length !== columns.length) throw new RangeError(`CSV row has ${row.length} cells, expected ${columns.length}`);
    lines.push(row.map(cell).join(','));
  }
  return `${lines.join('\n')}\n`;
}
