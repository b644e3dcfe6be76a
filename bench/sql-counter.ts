// Preloaded into each subgraph process the bench starts (`node --import tsx --import ./bench/sql-counter.ts …`):
// counts the SQL statements the subgraph issues, through the StatementCounter every subgraph already logs to
// (subgraphs/shared/database.ts), and answers the bench's 'sql-count' message over the IPC channel. Nothing in the
// subgraph's own code changes.
import { StatementCounter } from '../core/database.js';

let statements = 0;
const original = StatementCounter.prototype.logQuery;
StatementCounter.prototype.logQuery = function logQuery(this: StatementCounter) {
  statements++;
  original.call(this);
};

if (process.send) {
  process.on('message', (message) => {
    if (message === 'sql-count') process.send!({ sqlCount: statements });
  });
  // The channel must not keep the process alive: it stops on its signal as it always does.
  process.channel?.unref();
}
