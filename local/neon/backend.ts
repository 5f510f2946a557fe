// The port that the Neon-compatible HTTP endpoint runs queries through; one adapter per backend.
export interface SqlQuery {
  query: string;
  params: (string | null)[];
}

export interface SqlField {
  name: string;
  dataTypeID: number;
  tableID: number;
  columnID: number;
  dataTypeSize: number;
  dataTypeModifier: number;
  format: 'text';
}

/** Neon's wire shape for one statement: every value is Postgres' text output, or null. */
export interface SqlResult {
  command: string;
  rowCount: number;
  fields: SqlField[];
  rows: (string | null)[][];
}

export type IsolationLevel = 'ReadUncommitted' | 'ReadCommitted' | 'RepeatableRead' | 'Serializable';

export interface BatchOptions {
  isolationLevel?: IsolationLevel | undefined;
  readOnly?: boolean;
  deferrable?: boolean;
}

export interface SqlBackend {
  readonly name: 'postgres' | 'pglite';
  query(q: SqlQuery): Promise<SqlResult>;
  /** Runs every statement in one transaction: all commit or none does. */
  batch(queries: SqlQuery[], options: BatchOptions): Promise<SqlResult[]>;
  close(): Promise<void>;
}

export function beginStatement(options: BatchOptions): string {
  const level = {
    ReadUncommitted: 'READ UNCOMMITTED',
    ReadCommitted: 'READ COMMITTED',
    RepeatableRead: 'REPEATABLE READ',
    Serializable: 'SERIALIZABLE',
  }[options.isolationLevel ?? 'ReadCommitted'];
  return [
    `BEGIN ISOLATION LEVEL ${level}`,
    options.readOnly ? 'READ ONLY' : 'READ WRITE',
    options.deferrable ? 'DEFERRABLE' : '',
  ]
    .join(' ')
    .trim();
}

/** The command tag Postgres would report, for backends whose API does not expose it. */
export function commandOf(sql: string): string {
  const word = /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '';
  return word === 'WITH' ? 'SELECT' : word;
}
