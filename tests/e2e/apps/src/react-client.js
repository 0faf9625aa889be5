import { createElement as h } from "react";
import { hydrateRoot } from "react-dom/client";
import { App } from "./react-app.js";

hydrateRoot(document, h(App, { slot: document.documentElement.dataset.slot === "yes" }));
