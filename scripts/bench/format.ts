/** Plain-text tables and the few statistics the benchmark prints. */

export type Align = 'left' | 'right';

export interface Column {
  header: string;
  align?: Align;
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** A number with a fixed count of decimals; NaN and null print as "n/a". */
export function num(value: number | null | undefined, decimals = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return 'n/a';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

/** A table with a title, a header rule and aligned columns (numbers right, text left). */
export function table(title: string, columns: Column[], rows: string[][]): string {
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const pad = (text: string, i: number) => {
    const width = widths[i] as number;
    return columns[i]?.align === 'right' ? text.padStart(width) : text.padEnd(width);
  };
  const line = (cells: string[]) =>
    columns
      .map((_, i) => pad(cells[i] ?? '', i))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [title, '', line(columns.map((c) => c.header)), rule, ...rows.map(line), ''].join('\n');
}

export const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
