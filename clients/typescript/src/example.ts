// Orrery from TypeScript with the generated client: create an account, sign in, send
// interactions, and get recommendations with their explanations.
//
//     node dist/example.js BASE_URL ITEM_ID [ITEM_ID ...]
//
// BASE_URL is a running server (e.g. the one `orrery demo` starts); the items are ids of
// its catalog, which the new user likes.
import { randomUUID } from "node:crypto";

import { orreryClient } from "./index.js";

async function main(baseUrl: string, liked: string[]): Promise<void> {
  const email = `reader-${randomUUID().slice(0, 8)}@example.com`;
  const password = "a long enough passphrase";
  const open = orreryClient(baseUrl);
  const created = await open.POST("/users", { body: { email, password } });
  if (!created.data) throw new Error(`creating the user: ${JSON.stringify(created.error)}`);
  const userId = created.data.user_id;
  const signedIn = await open.POST("/auth/token", {
    body: { username: email, password },
    bodySerializer: (form) => new URLSearchParams({ username: form.username, password: form.password }),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  if (!signedIn.data) throw new Error(`signing in: ${JSON.stringify(signedIn.error)}`);
  console.log(`created user ${userId}`);

  const client = orreryClient(baseUrl, signedIn.data.access_token);
  const likes = liked.map((item_id) => ({ user_id: userId, item_id, kind: "like" }));
  const stored = await client.POST("/interactions", { body: likes });
  if (!stored.data) throw new Error(`storing likes: ${JSON.stringify(stored.error)}`);
  console.log(`stored ${stored.data.stored} likes`);

  const recs = await client.GET("/recommendations/{user_id}", {
    params: { path: { user_id: userId }, query: { n: 5 } },
  });
  if (!recs.data) throw new Error(`recommending: ${JSON.stringify(recs.error)}`);
  recs.data.recommendations.forEach((item, rank) => {
    console.log(`${rank + 1}. ${item.title} (${item.item_id}): ${item.explanation}`);
  });
  const listed = recs.data.recommendations.map((item) => item.item_id);
  if (listed.length !== 5) throw new Error(`expected 5 items, got ${listed}`);
  if (listed.some((id) => liked.includes(id))) throw new Error("a liked item came back");
}

const [baseUrl, ...liked] = process.argv.slice(2);
if (!baseUrl || liked.length === 0) {
  console.error("usage: node dist/example.js BASE_URL ITEM_ID [ITEM_ID ...]");
  process.exit(2);
}
main(baseUrl, liked).catch((error) => {
  console.error(error);
  process.exit(1);
});
