// A typed client for Orrery's HTTP API: openapi-fetch over the types that
// openapi-typescript generates from /openapi.json (src/schema.d.ts).
import createClient from "openapi-fetch";

import type { components, paths } from "./schema.js";

export type { components, paths };

/** A client for the server at `baseUrl`, sending `token` as a bearer token when given. */
export function orreryClient(baseUrl: string, token?: string) {
  return createClient<paths>({
    baseUrl,
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
}
