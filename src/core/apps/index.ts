import type { AnyApp } from '../app.js';
import { counterApp } from './counter.js';
import { kvApp } from './kv.js';

/** The reference apps by name (the CLI's `--app`). */
export const APPS: ReadonlyMap<string, AnyApp> = new Map<string, AnyApp>([
  [kvApp.name, kvApp as AnyApp],
  [counterApp.name, counterApp as AnyApp],
]);

export { counterApp, kvApp };
