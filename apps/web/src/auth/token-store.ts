/**
 * The API token lives in sessionStorage only: it leaves with the tab, and it never goes into
 * a URL (where it would land in history, logs and Referer headers).
 */
const KEY = 'crawlnest.apiToken';
type Listener = (token: string | null) => void;
const listeners = new Set<Listener>();

export function readToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
  listeners.forEach((l) => l(token));
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY);
  listeners.forEach((l) => l(null));
}

export function onTokenChange(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
