/** Reading and editing JSON bodies by dot path (`data.firstName`, `data.images.0`). */

import { CoreError } from '../common/errors.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A dot path that cannot be used, or an edit that cannot be made. */
export class PathError extends CoreError<'bad-path' | 'not-a-container' | 'not-an-index' | 'no-such-field'> {}

/** The parts of a dot path; throws PathError for an empty path or an empty part. */
export function splitPath(path: string): string[] {
  const parts = path.split('.');
  if (path === '' || parts.some((p) => p === '')) {
    throw new PathError('bad-path', `"${path}" is not a dot path: use names joined by dots, like data.firstName`);
  }
  const unsafe = parts.find((p) => p === '__proto__' || p === 'constructor' || p === 'prototype');
  if (unsafe)
    throw new PathError('bad-path', `"${path}" names ${unsafe}, which no body field may be called here (it would change every object)`);
  return parts;
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

export function getPath(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const part of splitPath(path)) {
    if (!isContainer(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Sets a value, creating objects along the way. Refuses to walk through a string or number. */
export function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const parts = splitPath(path);
  let node: Record<string, unknown> | unknown[] = root;
  parts.slice(0, -1).forEach((part, i) => {
    let next = (node as Record<string, unknown>)[part];
    if (next === undefined || next === null) {
      next = {};
      (node as Record<string, unknown>)[part] = next;
    } else if (!isContainer(next)) {
      const at = parts.slice(0, i + 1).join('.');
      throw new PathError('not-a-container', `cannot set ${path}: ${at} is ${JSON.stringify(next)}, not an object`);
    }
    node = next as Record<string, unknown>;
  });
  const last = parts[parts.length - 1]!;
  if (Array.isArray(node)) {
    const index = Number(last);
    if (!Number.isInteger(index) || index < 0) {
      throw new PathError(
        'not-an-index',
        `cannot set ${path}: ${parts.slice(0, -1).join('.')} is a list, so the last part must be an index`,
      );
    }
    node[index] = value;
  } else {
    node[last] = value;
  }
}

/** Removes a field; returns false when there was nothing to remove. */
export function unsetPath(root: Record<string, unknown>, path: string): boolean {
  const parts = splitPath(path);
  const parent = parts.length === 1 ? root : getPath(root, parts.slice(0, -1).join('.'));
  const last = parts[parts.length - 1]!;
  if (!isContainer(parent) || !(last in parent)) return false;
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete (parent as Record<string, unknown>)[last];
  return true;
}
