// What the seeds use: bulkLoad, and `into` to hand it a table's rows.
export { into, type Batch } from './batch.js';
export { bulkLoad } from './load.js';
