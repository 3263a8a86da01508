/**
 * After every test, one turn of the event loop. A vitest worker answers the runner's RPC only
 * when its event loop turns, and its calls time out after 60 s (not configurable). Tests that
 * search synchronously for tens of seconds, several in one file, would otherwise hold the loop
 * for the whole file: the runner awaits each test as a promise (a microtask), so a reply that
 * arrived meanwhile is never read before the timeout fires — every test green, the run exit 1.
 */
import { afterEach } from 'vitest';

afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
