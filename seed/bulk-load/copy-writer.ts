// PostgreSQL through postgres.js: each table's rows as binary COPY data (copy-binary.ts), streamed a few MB at a
// time. The server parses nothing, which at a million holders is most of its work saved.
import type { PgTable } from 'drizzle-orm/pg-core';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Sql } from 'postgres';
import { yieldToEventLoop } from '../../core/process.js';
import type { Batch, Writer } from './batch.js';
import { qualifiedNameOf, quote, targetsOf, type ColumnType, type Target } from './columns.js';
import { appendRows, CopyData } from './copy-binary.js';

/** COPY data a table gathers before it is sent: a few MB, a fraction of a second of the server's work. */
const COPY_BYTES = 4 << 20;
/** COPYs queued at most before `write` waits for the oldest. */
const COPIES_QUEUED = 4;

/**
 * PostgreSQL: each table's rows gather as binary COPY data, sent a few MB at a time while the caller builds more
 * rows. postgres.js cannot send anything else on a connection during a COPY, so until `flush` the transaction's
 * connection is this writer's alone: the seed reads other departments' data through other connections.
 */
export class CopyWriter implements Writer {
  /** Per table, the data gathering and the columns it is for. */
  private readonly gathering = new Map<PgTable, { columns: string; targets: Target[]; data: CopyData }>();
  /** The last COPY queued; each starts once the one before it has finished. */
  private last: Promise<void> = Promise.resolve();
  private readonly queued: Promise<void>[] = [];
  /** Buffers of COPYs sent, for the next ones: no new 5 MB allocation (and garbage) per COPY. */
  private readonly spare: Buffer[] = [];

  constructor(
    private readonly client: Sql,
    private readonly types: Map<PgTable, Map<string, ColumnType>>,
  ) {}

  async write(batch: Batch[]) {
    for (const [table, tableRows] of batch) {
      const rows = tableRows as Record<string, unknown>[];
      if (rows.length === 0) continue;
      const targets = targetsOf(table, this.types.get(table)!, rows);
      const columns = targets.map((t) => quote(t.column.name)).join(', ');
      let gathering = this.gathering.get(table);
      // A batch giving other columns than the data gathered so far starts a COPY of its own.
      if (gathering && gathering.columns !== columns) this.send(table);
      gathering = this.gathering.get(table);
      if (!gathering)
        this.gathering.set(
          table,
          (gathering = {
            columns,
            targets,
            data: new CopyData(this.spare.pop() ?? Buffer.allocUnsafe(COPY_BYTES + (1 << 20))),
          }),
        );
      appendRows(gathering.data, targets, rows);
      if (gathering.data.size >= COPY_BYTES) this.send(table);
    }
    while (this.queued.length > COPIES_QUEUED) await this.queued.shift();
    // Lets the COPYs under way take their next step (and a Ctrl-C in) before the caller computes again.
    await yieldToEventLoop();
  }

  async flush() {
    for (const table of [...this.gathering.keys()]) this.send(table);
    await this.last;
  }

  async settle() {
    await this.last.catch(() => {});
  }

  private send(table: PgTable) {
    const gathering = this.gathering.get(table);
    if (!gathering) return;
    this.gathering.delete(table);
    const data = gathering.data.end();
    const copy = this.last.then(async () => {
      const stream = await this.client
        .unsafe(`copy ${qualifiedNameOf(table)} (${gathering.columns}) from stdin (format binary)`)
        .writable();
      await pipeline(Readable.from([data]), stream);
      // postgres.js has copied the data out by now.
      if (this.spare.length < COPIES_QUEUED) this.spare.push(gathering.data.buffer);
    });
    // Awaited by `write`, `flush` or `settle`; failing meanwhile, it must not count as unhandled.
    copy.catch(() => {});
    this.last = copy;
    this.queued.push(copy);
  }
}
