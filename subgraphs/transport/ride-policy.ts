// The turnstile's decision, as a pure function: the card must be active, not past its expiry, and carry the
// transit function; the best concession the holder's certificates give on this mode applies. Cities give each
// other same-city treatment (Art 4), so a transit function loaded by any Guangdong city's operator rides in every
// city.
import { expiredOn } from '../kit/card-validity.js';
import type { Concession, RideMode } from './tables.js';

export interface ConcessionCertificate {
  kind: 'ELDERLY' | 'DISABILITY' | 'VETERAN';
  disabilityLevel?: number | null;
  validUntil?: string | null;
}

export interface RideFacts {
  cardStatus: string | null;
  /** The card's last day (YYYY-MM-DD, China time); null: none recorded. */
  cardExpiresOn?: string | null;
  transitLoaded: boolean;
  certificates: ConcessionCertificate[];
  mode: RideMode;
  today: string;
}

export interface RideDecision {
  allowed: boolean;
  refusal: 'CARD_NOT_USABLE' | 'TRANSIT_NOT_LOADED' | null;
  concession: Concession;
  discountPercent: number;
}

const URBAN: RideMode[] = ['BUS', 'METRO', 'FERRY'];

/** Percent off by certificate and mode: urban transit is free for disability and veteran certificates and half
 * price for the elderly; long-distance rail and flights give veterans half price. */
const DISCOUNTS: Record<ConcessionCertificate['kind'], (mode: RideMode) => number> = {
  DISABILITY: (mode) => (URBAN.includes(mode) ? 100 : 0),
  VETERAN: (mode) => (URBAN.includes(mode) ? 100 : 50),
  ELDERLY: (mode) => (URBAN.includes(mode) ? 50 : 0),
};

const REFUSED = (refusal: RideDecision['refusal']): RideDecision => ({
  allowed: false,
  refusal,
  concession: 'NONE',
  discountPercent: 0,
});

export function decideRide(facts: RideFacts): RideDecision {
  if (facts.cardStatus !== 'ACTIVE') return REFUSED('CARD_NOT_USABLE');
  if (expiredOn({ expiresOn: facts.cardExpiresOn }, facts.today)) return REFUSED('CARD_NOT_USABLE');
  if (!facts.transitLoaded) return REFUSED('TRANSIT_NOT_LOADED');
  let best: RideDecision = { allowed: true, refusal: null, concession: 'NONE', discountPercent: 0 };
  for (const certificate of facts.certificates) {
    // Civil affairs sends only certificates valid today; the date is checked again in case a cached answer crosses midnight.
    if (certificate.validUntil && certificate.validUntil < facts.today) continue;
    const discount = DISCOUNTS[certificate.kind](facts.mode);
    if (discount > best.discountPercent) best = { ...best, concession: certificate.kind, discountPercent: discount };
  }
  return best;
}
