import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root, whether running from source (tsx) or compiled. */
export const REPO_ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
/** Ignored folder for built and downloaded tools (the Temporal CLI, the test server's jars). */
export const TOOLS_DIR = path.join(REPO_ROOT, '.tools');
