// A benchmark's results file: the latest report in full, then one table line per run ever made, so that the
// spread between runs (these machines are shared and noisy) stays part of the result.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const HEADING = '## Every run';

/**
 * Writes `report` followed by the run table of `file` with `line` added; `columns` heads the table, and
 * `summary`, given every line's cells, may add a paragraph under it.
 */
export function writeWithHistory(
  file: string,
  report: string,
  columns: string[],
  line: string,
  summary: (rows: string[][]) => string = () => '',
): void {
  const previous = existsSync(file) ? (readFileSync(file, 'utf8').split(HEADING)[1] ?? '') : '';
  const cells = columns.length + 2; // a table line splits on '|' into its cells plus the two ends
  const earlier = previous
    .split('\n')
    .filter((row) => /^\| \d{4}-/.test(row))
    // A line from before a column was added gets a dash in the next-to-last column.
    .map((row) =>
      row.split('|').length === cells - 1 ? row.replace(/ \| ([^|]*) \|$/, ' | – | $1 |') : row,
    );
  const rows = [...earlier, line];
  const table = [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...rows].join('\n');
  const after = summary(
    rows.map((row) =>
      row
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    ),
  );
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${report}\n${HEADING}\n\n${table}\n${after ? `\n${after}\n` : ''}`);
}
