import { useCallback } from "react";
import { useSearchParams } from "react-router-dom";

// Filters, tabs and pages live in the URL, so that a reload or the browser's back button keeps them.
// A page is a stack of cursors (`<pageKey>=c1~c2~…`: the `after` of each page past the first); changing a filter
// or a tab starts again from the first page.

const CURSOR_SEPARATOR = "~"; // not in the base64 alphabet of cursors

export type UrlState = {
  get: (key: string) => string | undefined;
  getAll: (key: string) => string[];
  /** Sets (or, with undefined/"", removes) keys; paging restarts unless `keepPages`. Pushes a history entry. */
  set: (changes: Record<string, string | string[] | number | undefined | null>, options?: { keepPages?: boolean; replace?: boolean }) => void;
  cursors: (pageKey: string) => string[];
  setCursors: (pageKey: string, cursors: string[]) => void;
};

export const PAGE_KEYS = ["p", "p2"]; // the page keys ConnectionTables use; reset when a filter changes

export function useUrlState(): UrlState {
  const [params, setParams] = useSearchParams();
  const set: UrlState["set"] = useCallback((changes, options = {}) => {
    setParams((current) => {
      const next = new URLSearchParams(current);
      for (const [key, value] of Object.entries(changes)) {
        next.delete(key);
        if (Array.isArray(value)) value.forEach((v) => next.append(key, v));
        else if (value !== undefined && value !== null && value !== "") next.set(key, String(value));
      }
      if (!options.keepPages) PAGE_KEYS.forEach((k) => next.delete(k));
      return next;
    }, { replace: options.replace });
  }, [setParams]);
  return {
    get: (key) => params.get(key) ?? undefined,
    getAll: (key) => params.getAll(key),
    set,
    cursors: (pageKey) => (params.get(pageKey) ?? "").split(CURSOR_SEPARATOR).filter(Boolean),
    setCursors: (pageKey, cursors) => set({ [pageKey]: cursors.join(CURSOR_SEPARATOR) }, { keepPages: true }),
  };
}

/** A number from the URL, or undefined. */
export function numberParam(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
