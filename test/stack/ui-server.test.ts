import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { uiServerConfig } from '../../stack/ui-server.js';
import { PREBUILT_BUNDLE_PATH, prebuiltWorkflowBundle } from '../../workers/sagas.js';
import { REPO_ROOT } from '../../stack/paths.js';

describe('the Temporal UI server config', () => {
  it('sends the browser’s credentials to the codec endpoint, which the dev server’s own UI never does', () => {
    const config = JSON.parse(
      uiServerConfig({
        temporalAddress: '127.0.0.1:7233',
        host: '127.0.0.1',
        port: 8233,
        namespace: 'default',
        codecEndpoint: 'http://127.0.0.1:8090/codec',
      }),
    );
    expect(config).toMatchObject({
      temporalGrpcAddress: '127.0.0.1:7233',
      port: 8233,
      enableUi: true,
      defaultNamespace: 'default',
    });
    expect(config.codec).toEqual({
      endpoint: 'http://127.0.0.1:8090/codec',
      passAccessToken: false,
      includeCredentials: true,
    });
    expect(JSON.parse(uiServerConfig({ temporalAddress: 'x:1', host: 'h', port: 1, namespace: 'n' })).codec).toEqual({
      endpoint: '',
    });
  });
});

describe('the prebuilt workflow bundle', () => {
  it('is loaded when `npm run build` wrote it beside the compiled code, and absent when running from source', async () => {
    expect(PREBUILT_BUNDLE_PATH).toBe(path.join(REPO_ROOT, 'workflow-bundle.js'));
    expect(prebuiltWorkflowBundle()).toBeUndefined();
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'esu-bundle-')), 'workflow-bundle.js');
    expect(prebuiltWorkflowBundle(file)).toBeUndefined();
    await writeFile(file, '// bundle');
    expect(prebuiltWorkflowBundle(file)).toEqual({ codePath: file });
  });
});
