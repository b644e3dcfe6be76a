// Who may call the gateway: the client register's entries, as the gateway reads them and governance changes them.
import type { Purpose } from '../../schema/policy/purposes.js';

export const CLIENT_KINDS = ['PROVINCE', 'CITY', 'DEPARTMENT', 'GOVERNANCE'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

export type ClientStatus = 'ACTIVE' | 'SUSPENDED';

/** An entry in the client register. */
export interface Client {
  id: string;
  kind: ClientKind;
  name: string;
  /** City platforms only: the city code they serve, e.g. 440100. */
  city: string | null;
  /** Departments only: the subgraph whose data they own and may write, e.g. `health`. */
  domain: string | null;
  purposes: Purpose[];
  status: ClientStatus;
  /** Requests allowed per minute; more are refused with RATE_LIMITED. */
  requestsPerMinute: number;
  /** May introspect the schema (`__schema`, `__type`); absent or false: refused with FORBIDDEN. */
  introspection?: boolean;
}
