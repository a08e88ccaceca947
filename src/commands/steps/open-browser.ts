/** Opening a URL in the user's browser: $BROWSER when set, else the platform's opener; never through a shell. */

import { spawn } from 'node:child_process';

export function openInBrowser(url: string, env: NodeJS.ProcessEnv): Promise<string> {
  const [command, ...args] = env.BROWSER
    ? [env.BROWSER, url]
    : process.platform === 'darwin'
      ? ['open', url]
      : process.platform === 'win32'
        ? ['rundll32', 'url.dll,FileProtocolHandler', url]
        : ['xdg-open', url];
  return new Promise((resolve) => {
    const child = spawn(command!, args, { stdio: 'ignore', detached: true });
    const failed = () => resolve('could not open a browser here: open the inspector URL in the header yourself');
    child.once('error', failed);
    child.once('spawn', () => {
      child.unref();
      resolve('opening the inspector in your browser…');
    });
  });
}
