// Raw SQL in tests, for looking behind the hub's back: the same reader the subgraphs use.
export { rowsOf } from '../../core/database.js';
