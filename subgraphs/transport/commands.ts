// Transport's writes: loading and unloading the transit function, and recording rides in batches. Each runs once
// per idempotency key; a ride batch records every good row and refuses each bad one with its reason.
import { randomUUID } from 'node:crypto';
import { readCardNumber } from '../kit/card-number.js';
import type { Db } from '../../core/database.js';
import { ErrorCode, badInput, hubError } from '../../core/protocol/errors.js';
import { isCityCode, readCityCode } from '../kit/cities.js';
import { quote, readText } from '../kit/text.js';
import type { HrClient } from '../kit/hr-client.js';
import { readPastInstant } from '../kit/time.js';
import { once } from '../kit/idempotency.js';
import { readMoney } from '../kit/money.js';
import * as repo from './repository.js';
import { idempotencyKeys, type Concession, type RideMode } from './tables.js';

export interface TransportDeps {
  db: Db;
  hr: HrClient;
}

export const MAX_RIDES_PER_CALL = 1_000;

export async function loadTransitFunction(
  deps: TransportDeps,
  input: { idempotencyKey: string; cardNumber: string; city: string; operator: string },
): Promise<string> {
  const city = readCityCode(input.city, 'city');
  const operator = readText(input.operator, 'operator');
  const cardNumber = readCardNumber(input.cardNumber);
  const card = (await deps.hr.cards([cardNumber])).get(cardNumber);
  // The card is judged inside the idempotent step: a replay returns the first result even if the card has
  // since been lost.
  const { result } = await deps.db.transaction((tx) =>
    once(
      tx,
      idempotencyKeys,
      { key: input.idempotencyKey, operation: 'loadTransitFunction', payload: { cardNumber, city, operator } },
      async () => {
        if (!card) throw hubError(ErrorCode.CARD_NOT_FOUND, `No card with number ${cardNumber}`);
        if (card.status !== 'ACTIVE')
          throw hubError(
            ErrorCode.CARD_NOT_USABLE,
            `Card ${cardNumber} is ${card.status}: only an active card takes the transit function`,
            { status: card.status },
          );
        return (await repo.loadTransitFunction(tx, { cardNumber, holderId: card.holderId, city, operator })).id;
      },
    ),
  );
  return result;
}

export async function unloadTransitFunction(
  deps: TransportDeps,
  input: { idempotencyKey: string; cardNumber: string; city: string },
): Promise<string> {
  const city = readCityCode(input.city, 'city');
  const cardNumber = readCardNumber(input.cardNumber);
  const { result } = await deps.db.transaction((tx) =>
    once(
      tx,
      idempotencyKeys,
      { key: input.idempotencyKey, operation: 'unloadTransitFunction', payload: { cardNumber, city } },
      async () => {
        const row = await repo.lockTransitFunction(tx, cardNumber, city);
        if (!row || row.unloadedAt)
          throw hubError(
            ErrorCode.TRANSIT_NOT_LOADED,
            `Card ${cardNumber} carries no transit function of city ${city}`,
          );
        return (await repo.unloadTransitFunction(tx, row.id)).id;
      },
    ),
  );
  return result;
}

export interface RideInput {
  cardNumber: string;
  mode: RideMode;
  city: string;
  line: string;
  station: string;
  occurredAt: string;
  fare: string;
  concession: Concession;
}

/** One row's outcome, as stored for replays: the ride's id, or why the row was refused. */
export type RideOutcome =
  { index: number; rideId: string } | { index: number; error: { code: string; message: string } };

/** What is wrong with a row on its own (no lookups), or null. */
function rowProblem(ride: RideInput, now: number): string | null {
  if (!isCityCode(ride.city)) return `city ${quote(ride.city)} is not one of Guangdong's 21 city codes`;
  if (!/^\d{1,6}(\.\d{1,2})?$/.test(ride.fare)) return 'fare must be yuan with up to two decimals';
  try {
    readPastInstant(ride.occurredAt, 'occurredAt', now);
  } catch (error) {
    return (error as Error).message;
  }
  for (const [field, value] of [
    ['line', ride.line],
    ['station', ride.station],
  ] as const) {
    if (!value.trim() || value.length > 100 || /[\u0000-\u001f\u007f]/.test(value))
      return `${field} must be 1 to 100 characters of text`;
  }
  return null;
}

/** A row as the idempotency key remembers it: the same ride written another way is the same request. */
function normalizedRide(ride: RideInput) {
  const at = new Date(ride.occurredAt);
  return {
    ...ride,
    cardNumber: ride.cardNumber.trim().toUpperCase(),
    line: ride.line.trim(),
    station: ride.station.trim(),
    occurredAt: Number.isNaN(at.getTime()) ? ride.occurredAt : at.toISOString(),
  };
}

/**
 * Records a batch; `wrote` is told the holders whose rides it holds (for the audit record), replays included: a
 * card's holder never changes, so the cards looked up for this call name the holders of the rows first written.
 */
export async function recordRides(
  deps: TransportDeps,
  input: { idempotencyKey: string; rides: RideInput[] },
  wrote?: (holderIds: Iterable<string>) => void,
): Promise<RideOutcome[]> {
  if (input.rides.length === 0 || input.rides.length > MAX_RIDES_PER_CALL) {
    throw badInput(`rides must hold 1 to ${MAX_RIDES_PER_CALL} rows, got ${input.rides.length}`, 'rides');
  }
  const now = Date.now();
  const cards = await deps.hr.cards(input.rides.map((r) => r.cardNumber));
  const { result } = await deps.db.transaction((tx) =>
    once(
      tx,
      idempotencyKeys,
      { key: input.idempotencyKey, operation: 'recordRides', payload: input.rides.map(normalizedRide) },
      async () => {
        const withTransit = await repo.cardsWithTransit(tx, [...cards.keys()]);
        const outcomes: RideOutcome[] = [];
        const accepted: { index: number; row: Parameters<typeof repo.insertRides>[1][number] }[] = [];
        input.rides.forEach((ride, index) => {
          const refuse = (code: string, message: string) => outcomes.push({ index, error: { code, message } });
          const problem = rowProblem(ride, now);
          if (problem) return refuse(ErrorCode.BAD_USER_INPUT, problem);
          const card = cards.get(ride.cardNumber.trim().toUpperCase());
          if (!card) return refuse(ErrorCode.CARD_NOT_FOUND, `No card with number ${quote(ride.cardNumber)}`);
          if (!withTransit.has(card.cardNumber))
            return refuse(ErrorCode.TRANSIT_NOT_LOADED, `Card ${card.cardNumber} carries no transit function`);
          // Ids are drawn here, so each row's outcome names its ride whatever order RETURNING gives.
          accepted.push({
            index,
            row: {
              id: randomUUID(),
              holderId: card.holderId,
              cardNumber: card.cardNumber,
              mode: ride.mode,
              city: ride.city,
              line: ride.line.trim(),
              station: ride.station.trim(),
              occurredAt: readPastInstant(ride.occurredAt, 'occurredAt', now),
              fare: readMoney(ride.fare, 'fare'),
              concession: ride.concession,
            },
          });
        });
        await repo.insertRides(
          tx,
          accepted.map((a) => a.row),
        );
        for (const a of accepted) outcomes.push({ index: a.index, rideId: a.row.id! });
        return outcomes.sort((a, b) => a.index - b.index);
      },
    ),
  );
  if (wrote) {
    const holderIds = new Set<string>();
    for (const outcome of result) {
      const holderId =
        'rideId' in outcome
          ? cards.get(input.rides[outcome.index]?.cardNumber.trim().toUpperCase() ?? '')?.holderId
          : undefined;
      if (holderId) holderIds.add(holderId);
    }
    wrote(holderIds);
  }
  return result;
}
