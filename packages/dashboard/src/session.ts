/**
 * The signed-in API token. It lives in `sessionStorage` only: it is gone when the tab
 * closes and is never written where another tab or a later visit could read it.
 */
const KEY = 'slipway.token';

export function loadToken(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY);
}
