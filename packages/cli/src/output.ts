/**
 * How commands print: aligned tables and lines for people, or one JSON document with
 * `--json` for scripts. Commands hand over both forms and this module picks one.
 */

/** Text writers; `main` takes them so tests need no child process. */
export interface Writers {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Aligns columns with two spaces between them; the last column is not padded. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** `key  value` lines with the values aligned. */
export function formatFields(fields: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(0, ...fields.map(([k]) => k.length));
  return fields.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
}

export interface Output {
  readonly json: boolean;
  /** Prints `lines` for people, or `data` as JSON with `--json`. */
  result(data: unknown, lines: () => readonly string[]): void;
}

export function createOutput(writers: Writers, json: boolean): Output {
  return {
    json,
    result(data, lines) {
      if (json) writers.stdout(`${JSON.stringify(data, null, 2)}\n`);
      else for (const l of lines()) writers.stdout(`${l}\n`);
    },
  };
}
