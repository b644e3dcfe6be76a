// Whether a certificate holds on a given day: concessions (transport, venues) rest on this.
import type { CertificateRow } from './tables.js';

export type CertificateStatus = 'VALID' | 'EXPIRED' | 'PENDING' | 'REVOKED';

export function certificateStatus(
  row: Pick<CertificateRow, 'status' | 'validFrom' | 'validUntil'>,
  today: string,
): CertificateStatus {
  if (row.status === 'REVOKED') return 'REVOKED';
  if (row.validFrom > today) return 'PENDING';
  if (row.validUntil !== null && row.validUntil < today) return 'EXPIRED';
  return 'VALID';
}
