// The answer to an operation planned by field-access.ts, made to say what the policy decided: refused fields read
// null with a FORBIDDEN error at their path, masked fields read masked.
import { GraphQLError, type ExecutionResult } from 'graphql';
import { ErrorCode } from '../../core/protocol/errors.js';
import { LIST_MARKER, type DeniedField, type FieldAccess, type ResponsePath } from './field-access.js';
import { applyMask } from '../../schema/policy/masks.js';
import type { Purpose } from '../../schema/policy/purposes.js';

export function deniedFieldError(field: DeniedField, purpose: Purpose): GraphQLError {
  const { path, coordinate, category } = field;
  return new GraphQLError(`Purpose ${purpose} may not read ${coordinate} (${category} data)`, {
    path,
    extensions: { code: ErrorCode.FORBIDDEN, coordinate, category, purpose },
  });
}

/**
 * Applies `access` to the executor's `result`, in place (the result is this request's own), and returns it.
 * A result without data (the request failed before execution) is returned as it is.
 */
export function applyFieldAccess<R extends ExecutionResult<Record<string, any>, Record<string, any>>>(
  result: R,
  access: FieldAccess,
  purpose: Purpose,
): R {
  if (!('data' in result) || result.data === undefined) return result;
  const errors: GraphQLError[] = [];
  // A field the operation asks for twice (say, once through a fragment) is reported and masked once: masking a
  // masked value again would not give the same stars.
  const seen = new Set<string>();
  for (const field of access.denied) {
    const key = JSON.stringify(field.path);
    if (seen.has(key)) continue;
    seen.add(key);
    // The plan put a stand-in (`key: __typename`) where the field was; wherever it answered, the field reads null.
    forEachParent(result.data, field.path, (parent, name) => {
      if (name in parent) parent[name] = null;
    });
    errors.push(deniedFieldError(field, purpose));
  }
  seen.clear();
  for (const field of access.masked) {
    const key = JSON.stringify(field.path);
    if (seen.has(key)) continue;
    seen.add(key);
    forEachParent(result.data, field.path, (parent, name) => {
      if (name in parent) parent[name] = applyMask(field.mask, parent[name]);
    });
  }
  if (errors.length > 0) Object.assign(result, { errors: [...(result.errors ?? []), ...errors] });
  return result;
}

/** Calls `visit` with every object the path's last key belongs to, through every list at a "@". */
function forEachParent(
  value: unknown,
  path: ResponsePath,
  visit: (parent: Record<string, unknown>, key: string) => void,
  at = 0,
): void {
  if (value === null || typeof value !== 'object') return;
  const step = path[at]!;
  if (Array.isArray(value)) {
    // A list in the answer where the path has no "@" cannot come from the planned operation; touch nothing.
    if (step !== LIST_MARKER) return;
    for (const item of value) forEachParent(item, path, visit, at + 1);
    return;
  }
  if (step === LIST_MARKER) return;
  const parent = value as Record<string, unknown>;
  if (at === path.length - 1) visit(parent, step);
  else forEachParent(parent[step], path, visit, at + 1);
}
