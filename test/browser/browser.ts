import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's Chromium (`.ci/run` installs it); `CHROMIUM_PATH` points elsewhere. */
export const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/**
 * The flags this machine needs: no sandbox as root, no GPU, and nothing that reaches for the
 * network on its own (background networking, component updates, sync, QUIC) — outside loopback
 * every connection is refused here.
 */
export const chromiumFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
] as const;

export type TestBrowser = {
  context: BrowserContext;
  /** A new page at the given viewport (default a 375 px wide phone). */
  page(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
};

/**
 * One Chromium for several people: each `browser.newContext()` is a separate profile (its own
 * cookies and storage), as if each person used their own browser.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [...chromiumFlags],
    timeout: 60_000,
  });
}

/**
 * Launches Chromium through playwright-core with a fresh, empty user-data folder (removed on
 * close). Nothing is downloaded: the browser is the system's.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const userDataDir = await mkdtemp(path.join(tmpdir(), "baton-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: [...chromiumFlags],
    viewport: { width: 375, height: 812 },
    deviceScaleFactor: 1,
    offline: false,
    timeout: 60_000,
  });
  return {
    context,
    async page(viewport = { width: 375, height: 812 }) {
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      return page;
    },
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
