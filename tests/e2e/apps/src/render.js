// Server side: each app's HTML, as its framework renders it, written to dist/.
import { writeFileSync } from "node:fs";
import { createElement as h } from "react";
import { renderToString } from "react-dom/server";
import { renderToString as vueToString } from "vue/server-renderer";
import { App } from "./react-app.js";
import { createApp } from "./vue-app.js";

const [framework, out] = process.argv.slice(2);
for (const slot of [false, true]) {
  const name = `${out}/${framework}-${slot ? "slot" : "plain"}.html`;
  if (framework === "vue") {
    const app = await vueToString(createApp(slot));
    writeFileSync(name, `<!DOCTYPE html><html lang="en" data-slot="${slot ? "yes" : "no"}">` +
      `<head><meta charset="utf-8"><title>Hydrated article</title>` +
      `<script src="vue-client.js" defer></script></head>` +
      `<body><div id="app">${app}</div></body></html>`);
  } else {
    // The slot flag travels on <html> (data-slot), which React leaves alone when hydrating.
    const html = renderToString(h(App, { slot }))
      .replace("<html lang=\"en\"", `<html lang="en" data-slot="${slot ? "yes" : "no"}"`)
      .replace("client.js", `${framework}-client.js`);
    writeFileSync(name, `<!DOCTYPE html>${html}`);
  }
}
