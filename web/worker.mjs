// Runs the calculator off the page's main thread: typing never waits for it.
// Messages: {id, request} in; {id, result} or {id, error: {message, field}} out.
import { load } from './mdsd.mjs';

const calculator = load();

self.onmessage = async ({ data: { id, request } }) => {
  try {
    const result = (await calculator).solve(request);
    self.postMessage({ id, result });
  } catch (error) {
    self.postMessage({ id, error: { message: error.message, field: error.field ?? 'request' } });
  }
};
