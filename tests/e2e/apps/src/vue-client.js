import { createApp } from "./vue-app.js";

createApp(document.documentElement.dataset.slot === "yes").mount("#app");
