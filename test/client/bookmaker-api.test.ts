import { describe, expect, it } from 'vitest';
import { apiConnection, apiProblem } from '../../cli/bookmaker-api.js';
import { UsageError } from '../../client/cli-commands.js';

/** The CLI's side of the bookmaker API (esu-bridge migration): where it calls, with which key, and its problems. */
describe('the bookmaker API for the CLI', () => {
  it('needs ESU_BRIDGE_API_KEY, defaults the URL to the API’s own, and sends the key over https only in production', () => {
    expect(() => apiConnection({})).toThrow(UsageError);
    expect(() => apiConnection({})).toThrow(/ESU_BRIDGE_API_KEY is not set/);
    expect(apiConnection({ ESU_BRIDGE_API_KEY: 'k-0123456789' })).toEqual({
      url: 'http://127.0.0.1:8091',
      key: 'k-0123456789',
    });
    const remote = { ESU_BRIDGE_API_KEY: 'k-0123456789', ESU_BRIDGE_API_URL: 'http://api.bookmaker.kz/' };
    expect(apiConnection(remote).url).toBe('http://api.bookmaker.kz');
    expect(() => apiConnection({ ...remote, NODE_ENV: 'production' })).toThrow(/must be https in production/);
    expect(apiConnection({ ...remote, ESU_BRIDGE_API_URL: 'http://127.0.0.1:8091', NODE_ENV: 'production' }).url).toBe(
      'http://127.0.0.1:8091',
    );
    expect(() => apiConnection({ ...remote, ESU_BRIDGE_API_URL: 'ftp://x' })).toThrow(/not an http\(s\) URL/);
    expect(() => apiConnection({ ...remote, ESU_BRIDGE_API_URL: 'not a url' })).toThrow(/not a URL/);
  });

  it('turns a problem into the error of its status, with its detail, whatever the body', () => {
    const refused = apiProblem(
      409,
      JSON.stringify({ status: 409, detail: 'the migration is PAUSED', errorType: 'IdentificationStepRejected' }),
    );
    expect([refused.code, refused.message, refused.details]).toEqual([
      'INVALID',
      'the migration is PAUSED',
      { errorType: 'IdentificationStepRejected', errors: undefined },
    ]);
    expect(apiProblem(404, '{"title":"No such resource"}')).toMatchObject({
      code: 'NOT_FOUND',
      message: 'No such resource',
    });
    expect(apiProblem(401, '{}').code).toBe('UNAUTHENTICATED');
    expect(apiProblem(403, '{}').code).toBe('FORBIDDEN');
    expect(apiProblem(429, '{}').code).toBe('TOO_MANY');
    expect(apiProblem(502, '<html>bad gateway</html>')).toMatchObject({
      code: 'FAILED',
      message: 'the API answered 502: <html>bad gateway</html>',
    });
  });
});
