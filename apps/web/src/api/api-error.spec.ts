import { messageOf } from './api-error';

describe('API error messages as the user sees them', () => {
  it.each([
    [400, { statusCode: 400, error: 'Bad Request', message: ['cron: expected 5 or 6 fields, got 3', 'spiderId: must be a 24-hex id'] }, 'cron: expected 5 or 6 fields, got 3; spiderId: must be a 24-hex id'],
    [409, { statusCode: 409, error: 'Conflict', message: 'task is already finished' }, 'task is already finished'],
    [502, '<html>Bad gateway</html>', '<html>Bad gateway</html>'],
    [500, undefined, '500 Internal Server Error'],
    [404, { statusCode: 404, message: '' }, '404 Internal Server Error'],
  ])('%p %p → %p', (status, body, shown) => expect(messageOf(status, body, 'Internal Server Error')).toBe(shown));
});
