import { afterAll } from '@jest/globals';
import { stopLeftovers } from './processes';

// After each test file (its own afterAll hooks included): no process it started outlives it.
afterAll(async () => {
  await stopLeftovers();
});
