/** Finds the route for a method and path, with path parameters decoded; 404 and 405 otherwise. */
import { InvalidRequestError, NotFoundError } from '#engine/errors.ts';
import { MethodNotAllowedError } from './errors.ts';
import type { Route } from './route.ts';

export interface MatchedRoute {
  readonly route: Route;
  readonly params: Record<string, string>;
}

export type RouteMatcher = (method: string, path: string) => MatchedRoute;

export function createRouter(routes: readonly Route[]): RouteMatcher {
  const compiled = routes.map((route) => {
    const names: string[] = [];
    const source = route.path
      .split(/(\{[a-z]+\})/i)
      .map((part) => {
        const name = /^\{([a-z]+)\}$/i.exec(part)?.[1];
        if (!name) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(name);
        return '(.+?)';
      })
      .join('');
    return { route, names, pattern: new RegExp(`^${source}$`) };
  });
  return (method, path) => {
    const candidates = compiled.filter(({ pattern }) => pattern.test(path));
    if (candidates.length === 0) throw new NotFoundError(`No route for ${printable(path)}`);
    const found = candidates.find(({ route }) => route.method === method);
    if (!found) {
      const allowed = [...new Set(candidates.map(({ route }) => route.method))];
      throw new MethodNotAllowedError(
        `${method} is not allowed on ${printable(path)}; use ${allowed.join(', ')}`,
        allowed,
      );
    }
    const values = found.pattern.exec(path)?.slice(1) ?? [];
    const params: Record<string, string> = {};
    found.names.forEach((name, i) => {
      try {
        params[name] = decodeURIComponent(values[i] ?? '');
      } catch {
        throw new InvalidRequestError(`${name}: not valid URL encoding`, [
          { path: name, message: 'bad percent-encoding' },
        ]);
      }
    });
    return { route: found.route, params };
  };
}

function printable(path: string): string {
  const shown = path.length > 100 ? `${path.slice(0, 100)}…` : path;
  return shown.replace(/[\u0000-\u001f\u007f]/g, '?');
}
