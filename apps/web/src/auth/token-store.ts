/**
 * The API token lives in sessionStorage only: it leaves with the tab, and it never goes into
 * a URL (where it would land in history, logs and Referer headers).
 */
const KEY = 'crawlnest.apiToken';
type Listener = (token: string | null) => void;
const listeners = new Set<Listener>();

const COOKIE_SESSION = 'crawlnest.cookieSession';

export function readToken(): string | null {
  return sessionStorage.getItem(KEY);
}

/**
 * Signed in with a password: the session travels in the httpOnly cookie the master set
 * (script never sees it); only this flag is kept, so a reload knows to ask /api/me.
 */
export function hasCookieSession(): boolean {
  return sessionStorage.getItem(COOKIE_SESSION) === '1';
}

export function markCookieSession(): void {
  sessionStorage.setItem(COOKIE_SESSION, '1');
  listeners.forEach((l) => l('cookie'));
}

/** The CSRF token the master put in a readable cookie; sent back as X-CSRF-Token on writes. */
export function csrfToken(): string | null {
  const m = /(?:^|;\s*)crawlnest_csrf=([^;]+)/.exec(document.cookie);
  return m ? decodeURIComponent(m[1]) : null;
}

/** Signed in either way. */
export function isSignedIn(): boolean {
  return readToken() !== null || hasCookieSession();
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
  listeners.forEach((l) => l(token));
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(COOKIE_SESSION);
  listeners.forEach((l) => l(null));
}

export function onTokenChange(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
