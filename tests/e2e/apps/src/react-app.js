// One article page rendered by React as the whole document (hydrateRoot(document, ...)), with or
// without Forewarn's slot. After hydration it re-renders once (a state change), as a live app
// would, and then sets window.__hydrated for the test.
import { createElement as h, useEffect, useState } from "react";

export function App({ slot }) {
  const [renders, setRenders] = useState(0);
  useEffect(() => {
    if (renders === 0) setRenders(1);
    else window.__hydrated = true;
  }, [renders]);
  return h("html", { lang: "en" },
    h("head", null,
      h("meta", { charSet: "utf-8" }),
      h("title", null, "Hydrated article"),
      h("script", { src: "client.js", defer: true })),
    h("body", null,
      slot ? h("div", { "data-forewarn-slot": "", suppressHydrationWarning: true,
                        dangerouslySetInnerHTML: { __html: "" } }) : null,
      h("header", null, h("h1", null, "The library that stayed open all winter")),
      h("main", null, h("p", null, "Article text. Renders: ", String(renders)))));
}
