// Session + CSRF the way Django expects: GET /auth/csrf/ sets the `csrftoken` cookie (and returns it), and
// every unsafe request sends it back in the X-CSRFToken header with the session cookie (same origin).
// Login rotates the token, so the token is read again from the cookie before each POST; when the cookie is
// missing (first visit, or CSRF_COOKIE_HTTPONLY) the endpoint is asked. A 403 from CsrfViewMiddleware (stale
// token) fetches a fresh token and retries once.

export const CSRF_URL = "/auth/csrf/";
export const CSRF_COOKIE = "csrftoken";

export function readCookie(name: string, cookieString: string = document.cookie): string | null {
  for (const part of cookieString.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

let cachedToken: string | null = null;

export async function fetchCsrfToken(fetchImpl: typeof fetch = fetch): Promise<string> {
  const response = await fetchImpl(CSRF_URL, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`CSRF ${response.status}`);
  const body = (await response.json()) as { csrfToken: string };
  cachedToken = body.csrfToken;
  return cachedToken;
}

export async function csrfToken(fetchImpl: typeof fetch = fetch): Promise<string> {
  const fromCookie = typeof document !== "undefined" ? readCookie(CSRF_COOKIE) : null;
  if (fromCookie) return fromCookie;
  if (cachedToken) return cachedToken;
  return fetchCsrfToken(fetchImpl);
}

/** Forget the token held in memory (after login or logout, which rotate it). */
export function resetCsrfToken(): void {
  cachedToken = null;
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

/** A fetch for the API: same-origin credentials, and X-CSRFToken on unsafe methods with one retry on 403. */
export function makeCsrfFetch(fetchImpl: typeof fetch = (...args) => fetch(...args)): typeof fetch {
  return async (input, init = {}) => {
    const method = (init.method || "GET").toUpperCase();
    const send = async (token: string | null) => {
      const headers = new Headers(init.headers);
      if (token) headers.set("X-CSRFToken", token);
      return fetchImpl(input, { ...init, headers, credentials: "same-origin" });
    };
    if (SAFE.has(method)) return send(null);
    const response = await send(await csrfToken(fetchImpl));
    if (response.status !== 403) return response;
    resetCsrfToken();
    return send(await fetchCsrfToken(fetchImpl));
  };
}

export const csrfFetch = makeCsrfFetch();
