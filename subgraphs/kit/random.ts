// Randomness is passed in: rules draw from a `RandomInt` (crypto in service, seeded in demo data and tests), so
// the same seed gives the same card numbers on every machine.

/** Returns a whole number in [0, max). */
export type RandomInt = (max: number) => number;
