// Builds the hydration apps into dist/: for React 18, React 19 and Vue 3, the server-rendered
// page with and without the slot, and the client bundle (esbuild). Run by scripts/ensure-apps.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { build } from "esbuild";

const here = new URL(".", import.meta.url).pathname;
const dist = `${here}dist`;
mkdirSync(dist, { recursive: true });
const react19 = { react: "react19", "react-dom": "react-dom19" };
const apps = [
  { name: "react18", client: "src/react-client.js", alias: {} },
  { name: "react19", client: "src/react-client.js", alias: react19 },
  { name: "vue", client: "src/vue-client.js", alias: {} },
];
for (const app of apps) {
  const common = { bundle: true, alias: app.alias, absWorkingDir: here, logLevel: "warning",
                   define: { "process.env.NODE_ENV": '"production"', __VUE_OPTIONS_API__: "true",
                             __VUE_PROD_DEVTOOLS__: "false",
                             __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: "true" } };
  await build({ ...common, entryPoints: [app.client], outfile: `${dist}/${app.name}-client.js`,
                format: "iife", platform: "browser", minify: true });
  await build({ ...common, entryPoints: ["src/render.js"], outfile: `${dist}/${app.name}-render.mjs`,
                format: "esm", platform: "node",
                banner: { js: "import { createRequire } from 'node:module';" +
                              "const require = createRequire(import.meta.url);" } });
  execFileSync(process.execPath, [`${dist}/${app.name}-render.mjs`, app.name === "vue" ? "vue" : app.name, dist],
               { stdio: "inherit" });
}
