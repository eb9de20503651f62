/** A registered route as Hono lists it (`app.routes`). */
export interface RouteEntry {
  method: string;
  path: string;
}

const compiled = new WeakMap<readonly RouteEntry[], { pattern: RegExp; method: string }[]>();

function patterns(routes: readonly RouteEntry[]) {
  let list = compiled.get(routes);
  if (!list) {
    list = routes
      .filter((r) => r.method !== "ALL" && !r.path.includes("*"))
      .map((r) => ({
        method: r.method,
        pattern: new RegExp(
          `^${r.path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:[A-Za-z_]+/g, "[^/]+")}$`,
        ),
      }));
    compiled.set(routes, list);
  }
  return list;
}

/** The methods some route answers on `path` (empty when no route has that path). */
export function methodsFor(routes: readonly RouteEntry[], path: string): string[] {
  const methods = new Set<string>();
  for (const r of patterns(routes)) if (r.pattern.test(path)) methods.add(r.method);
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods];
}

/** The same path with its trailing slash added or removed, as Starlette's redirect_slashes tries. */
export function slashAlternative(path: string): string {
  return path.endsWith("/") ? path.slice(0, -1) : `${path}/`;
}
