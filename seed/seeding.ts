// What every department's seed shares besides writing rows (bulk-load/): reporting how far it has got (a bar
// on a terminal, an occasional line in a log), stopping between batches when asked, and reading the departments
// seeded before it from inside its own transaction.
import type { Database, Db } from '../core/database.js';
import { yieldToEventLoop } from '../core/process.js';

export interface SeedProgressEvent {
  department: string;
  /** What `done` and `total` count: holders, cards. */
  unit: string;
  done: number;
  total: number;
  elapsedMs: number;
  /** The department's last event; `summary` says what it wrote. */
  finished: boolean;
  summary?: string;
}

export interface SeedOptions {
  holders: number;
  log?: (line: string) => void;
  /** Another subgraph's database, already seeded: demo data agrees across departments (rides only on cards
   * with the transit function, concessions only with a valid certificate). Seeding only reads it. */
  databaseOf?: (subgraph: string) => Database;
}

/** Fills a department's empty database with deterministic demo data (seed/index.ts lists them). */
export type SeedDepartment = (database: Database, options: SeedRunOptions) => Promise<void>;

/** SeedOptions as SubgraphDatabases.seed hands them to each department. */
export interface SeedRunOptions extends SeedOptions {
  /** Once aborted, the department stops at its next batch and its transaction rolls back. */
  signal?: AbortSignal;
  /** Every progress event (a terminal draws them as a bar); without it, progress goes to `log` now and then. */
  progress?: (event: SeedProgressEvent) => void;
}

/** Where a keyset read by uuid starts: before every id. */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** Without a `progress` receiver, a progress line at most this often (the first at once, and always the last). */
const LINE_INTERVAL_MS = 5_000;

export interface DepartmentProgress {
  /** Reports `done` units so far, lets the event loop turn (a Ctrl-C in), and throws once the seed is aborted. */
  advance(done: number): Promise<void>;
  finish(summary: string): void;
}

export function seedProgress(
  options: SeedRunOptions,
  department: string,
  unit: string,
  total: number,
): DepartmentProgress {
  const log = options.log ?? (() => {});
  const started = performance.now();
  let lastLine = -Infinity;
  let done = 0;
  const event = (finished: boolean, summary?: string): SeedProgressEvent => ({
    department,
    unit,
    done,
    total,
    elapsedMs: performance.now() - started,
    finished,
    summary,
  });
  return {
    async advance(count) {
      done = count;
      if (options.progress) options.progress(event(false));
      else if (count < total && performance.now() - lastLine >= LINE_INTERVAL_MS) {
        lastLine = performance.now();
        log(progressLine(event(false)));
      }
      await yieldToEventLoop();
      options.signal?.throwIfAborted();
    },
    finish(summary) {
      if (options.progress) options.progress(event(true, summary));
      else log(progressLine(event(true, summary)));
    },
  };
}

/** `hr: 5000 / 1000000 holders (9,810/s, ETA 1m41s)`; the last one says how long it took and what was written. */
function progressLine(e: SeedProgressEvent): string {
  const head = `${e.department}: ${e.done} / ${e.total} ${e.unit}`;
  return e.finished
    ? `${head} in ${duration(e.elapsedMs)}${e.summary ? `: ${e.summary}` : ''}`
    : `${head} (${rate(e)}, ${eta(e)})`;
}

const perSecond = (e: SeedProgressEvent) => e.done / Math.max(e.elapsedMs / 1000, 1e-3);
const rate = (e: SeedProgressEvent) => `${Math.round(perSecond(e)).toLocaleString('en-US')}/s`;
const eta = (e: SeedProgressEvent) =>
  perSecond(e) > 0 ? `ETA ${duration(((e.total - e.done) / perSecond(e)) * 1000)}` : 'ETA ?';

function duration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * Seed output for a terminal: each department's progress as one bar redrawn in place (at most ten times a
 * second), finished with its summary; log lines print above the bar.
 */
export function terminalProgress(stream: NodeJS.WriteStream): Required<Pick<SeedRunOptions, 'log' | 'progress'>> {
  let drawn = '';
  let lastDraw = -Infinity;
  const draw = (line: string) => {
    // Clipped to the terminal's width: a wrapped line could not be redrawn in place.
    const clipped = line.slice(0, Math.max((stream.columns || 80) - 1, 40));
    stream.write(`\r\x1b[K${clipped}`);
    drawn = clipped;
  };
  return {
    log(line) {
      stream.write(`${drawn ? '\r\x1b[K' : ''}${line}\n`);
      if (drawn) stream.write(drawn);
    },
    progress(e) {
      if (!e.finished && performance.now() - lastDraw < 100) return;
      lastDraw = performance.now();
      const width = 10;
      const share = e.total > 0 ? Math.min(e.done / e.total, 1) : 1;
      const filled = Math.round(share * width);
      // ASCII: block characters are double width in CJK terminals, and a line that wraps cannot be redrawn. Within
      // 80 columns at a million holders.
      const bar = `${e.department.padEnd(15)} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%`;
      const count = `${e.done.toLocaleString('en-US')}/${e.total.toLocaleString('en-US')} ${e.unit}`;
      if (!e.finished) return draw(`${bar} ${count} ${rate(e)} ${eta(e)}`);
      // The last line stays: written whole, however wide.
      stream.write(`\r\x1b[K${bar} ${count} in ${duration(e.elapsedMs)}${e.summary ? `: ${e.summary}` : ''}\n`);
      drawn = '';
    },
  };
}

/**
 * Another department's data as a seed running in transaction `tx` reads it: from that department's database
 * through a connection of its own (on PostgreSQL the transaction's connection is busy with COPY, see bulkLoad),
 * except on a PGlite both share, whose one connection the open transaction holds. Throws when the hub has no
 * such department.
 */
export function readerIn(database: Database, options: SeedOptions, tx: Db): (subgraph: string) => Db {
  const of = options.databaseOf ?? (() => database);
  return (subgraph) => {
    const other = of(subgraph);
    return other === database && database.driver === 'pglite' ? tx : other.db;
  };
}

/**
 * The pages of a read, each fetched while the caller works on the one before: `read` gets the previous page
 * (undefined at first) and resolves to the next, or to undefined after the last.
 */
export async function* readAhead<P>(read: (previous: P | undefined) => Promise<P | undefined>): AsyncGenerator<P> {
  let next = read(undefined);
  try {
    for (;;) {
      const page = await next;
      if (page === undefined) return;
      next = read(page);
      // Awaited on the next turn; failing meanwhile, it must not count as unhandled.
      next.catch(() => {});
      yield page;
    }
  } finally {
    next.catch(() => {});
  }
}
