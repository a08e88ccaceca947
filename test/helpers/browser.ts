import type { BrowserContext } from 'playwright-core';
import { launchChromium } from './chromium.mjs';

export { CHROMIUM, CHROMIUM_ARGS } from './chromium.mjs';

/** The browser tests' Chromium: Debian's, headless, a fresh profile (test/helpers/chromium.mjs). */
export function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  return launchChromium();
}
