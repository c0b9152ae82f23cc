import { ApiError, describeError } from './api-client';

describe('what a failed call tells the person at the dashboard', () => {
  it('given a refused key, then it says the key was not accepted, with the code', () => {
    expect(describeError(new ApiError(401, 'AUTH.INVALID_API_KEY', 'the API key is not valid'))).toBe(
      'This API key was not accepted (AUTH.INVALID_API_KEY). Check that you copied the whole key, starting with rl_.',
    );
  });

  it('given a key without the scope, then it says what the key may not do', () => {
    expect(describeError(new ApiError(403, 'AUTH.MISSING_SCOPE', 'this API key lacks the "read" scope'))).toBe(
      'This API key may not see this (AUTH.MISSING_SCOPE): this API key lacks the "read" scope',
    );
  });

  it('given another error or no answer at all, then it gives the message, code and status, or says the server was not reached', () => {
    expect(describeError(new ApiError(400, 'REQUEST.INVALID_PARAMETER', 'from must be before to'))).toBe('from must be before to (REQUEST.INVALID_PARAMETER, HTTP 400)');
    expect(describeError(new TypeError('Failed to fetch'))).toBe('The server could not be reached: Failed to fetch');
  });
});
