// The card state machine (Art 5), as pure rules: which step may follow which, and what a loss report means over
// time. The lifecycle commands apply these inside a transaction that holds the card's row lock.
import type { CardKind, CardStatus, LossKind } from './tables.js';

export type CardStep = 'ISSUE' | 'REPORT_LOSS' | 'CANCEL_LOSS_REPORT' | 'REPLACE' | 'CANCEL';

export interface CardState {
  kind: CardKind;
  status: CardStatus;
  lossKind: LossKind | null;
  lossLapsesAt: Date | null;
}

export type StepCheck = { ok: true; to: CardStatus } | { ok: false; reason: string };

/** A temporary loss report holds only until it lapses; after that the card is active again. */
export function hasLapsed(card: CardState, now: Date): boolean {
  return (
    card.status === 'LOST' && card.lossKind === 'TEMPORARY' && card.lossLapsesAt !== null && card.lossLapsesAt <= now
  );
}

const describe: Record<CardStatus, string> = {
  APPLIED: 'applied for and not yet issued',
  ACTIVE: 'active',
  LOST: 'reported lost',
  REPLACED: 'already replaced',
  CANCELLED: 'cancelled',
};

export function checkStep(card: CardState, step: CardStep, lossKind?: LossKind): StepCheck {
  const refuse = (what: string): StepCheck => ({
    ok: false,
    reason: `Cannot ${what}: the card is ${describe[card.status]}`,
  });
  if (card.kind === 'ELECTRONIC' && step !== 'CANCEL') {
    return { ok: false, reason: 'An electronic card shares the status of its physical card: act on the physical card' };
  }
  switch (step) {
    case 'ISSUE':
      return card.status === 'APPLIED' ? { ok: true, to: 'ACTIVE' } : refuse('issue the card');
    case 'REPORT_LOSS':
      if (card.status === 'ACTIVE') return { ok: true, to: 'LOST' };
      // A temporary report may be made formal (at a counter, say); anything else is a repeat.
      if (card.status === 'LOST' && card.lossKind === 'TEMPORARY' && lossKind === 'FORMAL')
        return { ok: true, to: 'LOST' };
      return refuse('report the card lost');
    case 'CANCEL_LOSS_REPORT':
      return card.status === 'LOST' ? { ok: true, to: 'ACTIVE' } : refuse('cancel a loss report');
    case 'REPLACE':
      return card.status === 'ACTIVE' || card.status === 'LOST'
        ? { ok: true, to: 'REPLACED' }
        : refuse('replace the card');
    case 'CANCEL':
      return card.status === 'APPLIED' || card.status === 'ACTIVE' || card.status === 'LOST'
        ? { ok: true, to: 'CANCELLED' }
        : refuse('cancel the card');
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function lossLapseTime(reportedAt: Date, lossKind: LossKind, temporaryLossDays: number): Date | null {
  return lossKind === 'TEMPORARY' ? new Date(reportedAt.getTime() + temporaryLossDays * DAY_MS) : null;
}

/** Cards are valid for ten years from issue. */
export function expiryDate(issuedOn: string): string {
  const [y, m, d] = issuedOn.split('-').map(Number) as [number, number, number];
  // A card issued on 29 February expires on 28 February when the tenth year has no leap day.
  const date = new Date(Date.UTC(y + 10, m - 1, d));
  if (date.getUTCMonth() !== m - 1) date.setUTCDate(0);
  return date.toISOString().slice(0, 10);
}
